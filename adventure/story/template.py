"""Interpolated text: `{expression}` holes and inline forms compiled once at load time and rendered per state."""

from __future__ import annotations

import ast
import re
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING

from adventure.story.chance import permutation
from adventure.story.expr import Compiled, Env, ExprError, StateView, TypeName, compile_expression, format_value
from adventure.story.exprhints import suggest

if TYPE_CHECKING:
    from adventure.story.inline import Form, Nodes, SnippetUse

MAX_SNIPPET_DEPTH = 8
_GOLDEN = 0x9E3779B97F4A7C15

Piece = Callable[[StateView], str]


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


@dataclass(frozen=True, slots=True)
class Variation:
    """An inline form: one of its options chosen per state (by a condition, a count, a
    name, or the visits of its scene)."""

    kind: str
    options: tuple[Template, ...]
    head: Compiled | None
    keys: Mapping[str, int]  # select: key -> option
    scene: str
    salt: int  # a shuffle's own seed, from its scene and text, so two shuffles differ
    source: str  # the text between the braces, as written

    def choose(self, state: StateView) -> int:
        """The option shown in this state, or -1 for none."""
        kind = self.kind
        count = len(self.options)
        if kind == "if":
            return 0 if self.head.evaluate(state) else (1 if count > 1 else -1)  # type: ignore[union-attr]
        if kind == "plural":
            number: int = self.head.evaluate(state)  # type: ignore[union-attr, assignment]
            if count == 3:
                return 0 if number == 0 else (1 if number == 1 else 2)
            return 0 if number == 1 else 1
        if kind == "select":
            keys = self.keys
            found: int = keys.get(self.head.evaluate(state), -1)  # type: ignore[arg-type, union-attr]
            return found if found >= 0 else keys.get("else", -1)
        # the first visit shows the first option (a state always counts its scene's visit)
        seen: int = max(state.visits.get(self.scene, 0), 1) - 1
        if kind == "seq":
            return seen if seen < count else count - 1
        if kind == "cycle":
            return seen % count
        if kind == "once":
            return seen if seen < count else -1
        loop, position = divmod(seen, count)
        # The game's seed (GameState and the engine's working copy carry it; a state that
        # has none, such as a tool's probe, shuffles as seed 0).
        seed: int = getattr(state, "seed", 0)
        return permutation(count, seed ^ self.salt ^ (loop * _GOLDEN))[position]

    def render(self, state: StateView) -> str:
        index = self.choose(state)
        return self.options[index].render(state) if index >= 0 else ""

    @property
    def visited(self) -> bool:
        """Whether the option follows the scene's visits (seq, cycle, once, shuffle)."""
        from adventure.story.inline import VISITED

        return self.kind in VISITED


@dataclass(frozen=True, slots=True)
class MemberNames:
    """`{ids}` where the set's members have names the player reads: those names, sorted."""

    expression: Compiled
    names: Mapping[str, str]

    @property
    def source(self) -> str:
        return self.expression.source

    def render(self, state: StateView) -> str:
        value = self.expression.evaluate(state)
        names = self.names
        shown = sorted(names.get(member, member) for member in value)  # type: ignore[union-attr]
        return ", ".join(shown) if shown else "none"


TemplatePart = str | Compiled | Variation | MemberNames


def _variable(part: Compiled | Variation | MemberNames) -> str | None:
    """The variable an expression is, when it is nothing but a variable's name."""
    if not isinstance(part, Compiled):
        return None
    tree = part.tree
    return tree.id if isinstance(tree, ast.Name) and tree.id in part.reads else None


def _piece(part: TemplatePart) -> Piece:
    """A function giving one part's text: chosen once, by the expression's type."""
    if isinstance(part, str):
        text: str = part
        return lambda state: text
    if isinstance(part, (Variation, MemberNames)):
        return part.render
    evaluate = part.evaluate
    name = _variable(part)
    # A bare variable ({counter}) is the commonest hole: read it here, one call fewer.
    if part.type == "int":
        if name is not None:
            return lambda state: str(state.vars[name])
        return lambda state: str(evaluate(state))
    if part.type == "string":
        if name is not None:
            return lambda state: state.vars[name]  # type: ignore[return-value]  # a string variable holds a str
        return evaluate  # type: ignore[return-value]  # the checker proved this expression a string
    return lambda state: format_value(evaluate(state))


def _one_hole(parts: tuple[TemplatePart, ...]) -> tuple[str, Compiled | Variation | MemberNames, str] | None:
    """(before, hole, after) when the parts are one expression with text around it (either
    side may be empty), the commonest shape of interpolated text."""
    holes = [index for index, part in enumerate(parts) if not isinstance(part, str)]
    if len(holes) != 1:
        return None
    index = holes[0]
    if index > 1 or len(parts) - index > 2:  # at most one piece of text on each side
        return None
    before = parts[0] if index == 1 else ""
    after = parts[-1] if index < len(parts) - 1 else ""
    return before, parts[index], after  # type: ignore[return-value]


def around_variable(template: Template) -> tuple[str, str, str] | None:
    """(before, variable, after) when a template is text around one int or string variable,
    whose text is str() of its value: for renderers that handle the commonest shape inline."""
    shape = _one_hole(template.parts)
    if shape is None:
        return None
    before, hole, after = shape
    name = _variable(hole)
    if name is None or not isinstance(hole, Compiled) or hole.type not in ("int", "string"):
        return None
    return before, name, after


def _renderer(parts: tuple[TemplatePart, ...], varies: bool = False) -> Piece:
    """One function giving the whole text. The usual shape (text around one hole) joins
    with `+` rather than building a list for "".join: a player's screen and the explorer
    render every scene's text, so this is on their hot path."""
    if varies:
        # An option left empty must not leave two spaces (`You see {once: a crow|} here`).
        pieces = tuple(_piece(part) for part in parts)
        return lambda state: " ".join("".join([piece(state) for piece in pieces]).split())
    shape = _one_hole(parts)
    if shape is not None:
        before, hole, after = shape
        piece = _piece(hole)
        return lambda state: before + piece(state) + after
    pieces = tuple(_piece(part) for part in parts)
    return lambda state: "".join([piece(state) for piece in pieces])


@dataclass(frozen=True, slots=True)
class Template:
    """Text with `{expression}` holes and inline forms, compiled once at load time."""

    parts: tuple[TemplatePart, ...]
    static: str | None = None  # the text itself when there is nothing to interpolate
    # the renderer, built on first use: a story's thousands of templates cost a load nothing
    prepared: Piece | None = field(default=None, compare=False, repr=False)
    varies: bool = False  # holds inline forms: spaces are tidied after rendering

    def renderer(self) -> Piece:
        """The function giving this text for a state (the same text as `render`)."""
        prepared = self.prepared
        if prepared is None:
            static = self.static
            if static is not None:
                def plain(state: StateView) -> str:
                    return static
                prepared = plain
            else:
                prepared = _renderer(self.parts, self.varies)
            object.__setattr__(self, "prepared", prepared)  # a cache: equality ignores it
        return prepared

    def render(self, state: StateView) -> str:
        if self.static is not None:
            return self.static
        prepared = self.prepared
        return prepared(state) if prepared is not None else self.renderer()(state)

    def expressions(self) -> tuple[Compiled, ...]:
        """Every expression the text reads, inside inline forms too."""
        found: list[Compiled] = []
        for part in self.parts:
            if isinstance(part, Compiled):
                found.append(part)
            elif isinstance(part, MemberNames):
                found.append(part.expression)
            elif isinstance(part, Variation):
                if part.head is not None:
                    found.append(part.head)
                for option in part.options:
                    found.extend(option.expressions())
        return tuple(found)

    def variations(self) -> Iterator[Variation]:
        """Every inline form in the text, nested ones too."""
        for part in self.parts:
            if isinstance(part, Variation):
                yield part
                for option in part.options:
                    yield from option.variations()


# Text whose braces are all plain holes such as `{trust}` or `{size(ids) + 2}` (no quotes,
# no `:`, `|` or `>` inside, no doubled braces): the commonest interpolated text, split by
# two regular expressions instead of the parser of inline forms.
_ONLY_HOLES = re.compile(r"(?:[^{}]|\{[^{}|:>\"']+\})*")
_HOLE = re.compile(r"\{([^{}]*)\}")


def compile_template(text: str, env: Env, scope: TextScope | None = None) -> Template:
    """Compile interpolated text; raise ExprError with the offset within `text`."""
    if "{" not in text and "}" not in text:
        return Template((text,), text)
    if _ONLY_HOLES.fullmatch(text):
        return _holes(text, env, scope)
    # the parser of inline forms is imported only for text that may hold them: a story read
    # from the cache, or one without them, never loads it
    from adventure.story.inline import parse_text

    return _template(parse_text(text), scope if scope is not None else TextScope(env), 0, top=True)


def resume_after(text: str, offset: int) -> int | None:
    """Where checking can go on after a mistake at `offset`: just past the `{hole}` or inline
    form at the top level of `text` that holds it; None when no such brace pair holds it."""
    from adventure.story.inline import Form, Hole, parse_text

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
    names = scope.member_names.get(_variable(compiled) or "")
    return MemberNames(compiled, names) if names else compiled


def _template(nodes: Nodes, scope: TextScope, base: int, top: bool = False) -> Template:
    """A template from parsed nodes; `base` is added to offsets (nodes of a snippet report
    at the place that uses it)."""
    from adventure.story.inline import Hole, SnippetUse

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
    from adventure.story.inline import HEADED, VISITED

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
