"""Compiling interpolated text into Templates: `{expression}` holes, inline forms and snippets, each mistake at its offset."""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from adventure.story.builders import plain_template
from adventure.story.expr import Compiled, Env, ExprError, TypeName, compile_expression
from adventure.story.exprhints import suggest
from adventure.story.inline import HEADED, VISITED, Form, Hole, Nodes, SnippetUse, parse_text
from adventure.story.template import MemberNames, Template, TemplatePart, Variation, variable_of

MAX_SNIPPET_DEPTH = 8


@dataclass(frozen=True, slots=True)
class Snippet:
    """A named piece of text, parsed once, compiled wherever it is used."""

    name: str
    nodes: Nodes
    where: str  # path:line:col of its declaration
    key: str  # unique in the story: the name, or the file and name of a snippet declared in a scene file


@dataclass(slots=True)
class TextScope:
    """What text being compiled may refer to besides expressions: the scene whose visits
    sequences follow (None outside scenes) and the snippets in reach."""

    env: Env
    scene: str | None = None
    snippets: Mapping[str, Snippet] = field(default_factory=dict)
    broken: frozenset[str] = frozenset()  # snippets whose own text has problems (reported there)
    used: set[str] = field(default_factory=set)  # shared by every scope of a load: for the unused-snippet warning
    expanding: tuple[str, ...] = ()
    member_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # set variable -> member -> name the player reads


# Text whose braces are all plain holes such as `{trust}` or `{size(ids) + 2}` (no quotes,
# no `:`, `|` or `>` inside, no doubled braces): the commonest interpolated text, split by
# two regular expressions instead of the parser of inline forms.
_ONLY_HOLES = re.compile(r"(?:[^{}]|\{[^{}|:>\"']+\})*")
_HOLE = re.compile(r"\{([^{}]*)\}")


def compile_template(text: str, env: Env, scope: TextScope | None = None) -> Template:
    """Compile interpolated text; raise ExprError with the offset within `text`."""
    if "{" not in text and "}" not in text:
        return plain_template(text)  # Template((text,), text)
    if _ONLY_HOLES.fullmatch(text):
        return _holes(text, env, scope)
    return _template(parse_text(text), scope if scope is not None else TextScope(env), 0, top=True)


def resume_after(text: str, offset: int) -> int | None:
    """Where checking can go on after a mistake at `offset`: just past the `{hole}` or inline
    form at the top level of `text` that holds it; None when no such brace pair holds it."""
    try:
        nodes = parse_text(text)
    except ExprError:
        return None
    for node in nodes:
        if isinstance(node, Hole):  # a hole's offset is its expression's, just inside the brace
            start, end = node.offset - 1, node.offset + len(node.source) + 1
        elif isinstance(node, Form):  # a form's is its opening brace's
            start, end = node.offset, node.offset + len(node.source) + 2
        else:
            continue
        if start <= offset < end:
            return end
    return None


def _holes(text: str, env: Env, scope: TextScope | None) -> Template:
    """The quick path of compile_template: literal text and `{expression}` holes only."""
    pieces = _HOLE.split(text)  # literal, hole, literal, ..., literal
    parts: list[TemplatePart] = []
    offset = 0
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            if piece:
                parts.append(piece)
            offset += len(piece)
            continue
        try:
            compiled = compile_expression(piece, env)
        except ExprError as err:
            raise err.moved(offset + 1) from None
        parts.append(_hole_part(compiled, scope))
        offset += len(piece) + 2
    return Template(tuple(parts))


def _hole_part(compiled: Compiled, scope: TextScope | None) -> Compiled | MemberNames:
    """A hole's part: a set whose members have names the player reads shows those names."""
    if compiled.type != "set" or scope is None or not scope.member_names:
        return compiled
    names = scope.member_names.get(variable_of(compiled) or "")
    return MemberNames(compiled, names) if names else compiled


def _template(nodes: Nodes, scope: TextScope, base: int, top: bool = False) -> Template:
    """A template from parsed nodes; `base` is added to offsets (nodes of a snippet report
    at the place that uses it)."""
    parts: list[TemplatePart] = []
    for node in nodes:
        if isinstance(node, str):
            if parts and isinstance(parts[-1], str):
                parts[-1] += node
            else:
                parts.append(node)
        elif isinstance(node, Hole):
            try:
                compiled = compile_expression(node.source, scope.env)
            except ExprError as err:
                raise err.moved(base + node.offset) from None
            parts.append(_hole_part(compiled, scope))
        elif isinstance(node, SnippetUse):
            parts.extend(_snippet(node, scope, base).parts)
        else:
            parts.append(_variation(node, scope, base))
    if all(isinstance(part, str) for part in parts):
        joined = "".join(parts)  # type: ignore[arg-type]
        return Template((joined,), joined)
    varies = top and any(isinstance(part, Variation) for part in parts)
    return Template(tuple(parts), varies=varies)


def _snippet(use: SnippetUse, scope: TextScope, base: int) -> Template:
    """A snippet's text, compiled where it is used (so its sequences count this scene's visits)."""
    name = use.name
    snippet = scope.snippets.get(name)
    if snippet is None:
        if name in scope.broken:
            return Template(("",), "")  # its own problem is reported where it is declared
        raise ExprError(
            f"unknown snippet `{name}`", base + use.offset, suggest(name, scope.snippets, "declare it under `snippets:`"), code="E406"
        )
    scope.used.add(snippet.key)
    if name in scope.expanding:
        raise ExprError(f"snippet `{name}` uses itself", base + use.offset, " -> ".join((*scope.expanding, name)), code="E406")
    if len(scope.expanding) >= MAX_SNIPPET_DEPTH:
        raise ExprError(f"snippets nest more than {MAX_SNIPPET_DEPTH} deep", base + use.offset, code="E406")
    inner = replace(scope, expanding=(*scope.expanding, name))
    try:
        return _template(snippet.nodes, inner, 0)
    except ExprError as err:
        raise ExprError(f"in snippet `{name}`: {err.message}", base + use.offset, err.hint, err.unknown, err.code) from None


def _variation(form: Form, scope: TextScope, base: int) -> Variation:
    kind = form.kind
    offset = base + form.offset
    head: Compiled | None = None
    if kind in HEADED:
        want: TypeName = {"if": "bool", "plural": "int", "select": "string"}[kind]  # type: ignore[assignment]
        try:
            head = compile_expression(form.head, scope.env, want)
        except ExprError as err:
            raise ExprError(
                f"in {{{kind}}}: {err.message}", base + form.head_offset + err.offset, err.hint, err.unknown, err.code
            ) from None
    elif scope.scene is None:
        raise ExprError(
            f"{{{kind}: ...}} follows the visits of the scene it is written in, and this text belongs to no scene",
            offset,
            "use {if ...} or {select ...} here, or move the text into a scene",
        )
    count = len(form.options)
    if kind == "if" and count > 2:
        raise ExprError(
            f"{{if}} has {count} options; it takes one or two (then|else)", offset, "nest another {if ...} in the else", code="E406"
        )
    if kind == "plural" and count not in (2, 3):
        raise ExprError(
            f"{{plural}} has {count} options; it takes one|many or none|one|many", offset, "write {plural coins: coin|coins}", code="E406"
        )
    if kind in VISITED and count < 2 and kind != "once":
        raise ExprError(f"{{{kind}: ...}} has only one option", offset, "separate the options with |", code="E406")
    keys: dict[str, int] = {}
    if kind == "select":
        for index, key in enumerate(form.keys):
            if key in keys:
                raise ExprError(f"{{select}} has the key `{key}` twice", offset, code="E406")
            keys[key] = index
    options = tuple(_template(option, scope, base) for option in form.options)
    salt = zlib.crc32(f"{scope.scene}\0{form.source}".encode("utf-8", "replace"))
    return Variation(kind, options, head, MappingProxyType(keys), scope.scene or "", salt, form.source)
