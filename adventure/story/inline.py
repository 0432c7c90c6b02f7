"""Inline text forms: `{if c: a|b}`, `{seq: ...}` and the others parsed into a small tree (no evaluation here)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from adventure.story.expr import ExprError
from adventure.story.exprhints import suggest

MAX_INLINE_DEPTH = 5
# Forms with a head expression before the colon, and forms that count the scene's visits.
HEADED = ("if", "plural", "select")
VISITED = ("seq", "cycle", "once", "shuffle")
FORMS = HEADED + VISITED
ELSE_KEY = "else"

_SNIPPET = re.compile(r"\{\s*>\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}")
_OPENING = re.compile(r"\{\s*(?:(?P<snippet>>)|(?P<word>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<colon>\s*:(?!=))|(?P<space>\s))?)")
_SELECT_KEY = re.compile(r"\s*([^=|{}]+?)\s*=")
_SPECIAL = re.compile(r"[{}|]")


@dataclass(frozen=True, slots=True)
class Hole:
    """`{expression}`: the source and its offset in the text."""

    source: str
    offset: int


@dataclass(frozen=True, slots=True)
class SnippetUse:
    """`{>name}`: a named snippet, expanded where it is used."""

    name: str
    offset: int


@dataclass(frozen=True, slots=True)
class Form:
    """An inline form: its kind, its head expression (for if/plural/select) and its options."""

    kind: str
    head: str
    head_offset: int
    options: tuple[Nodes, ...]
    keys: tuple[str, ...]  # `select` only: each option's key (`else` for the default)
    offset: int
    source: str  # the text between the braces, as written


Node = str | Hole | SnippetUse | Form
Nodes = tuple[Node, ...]


def has_markup(text: str) -> bool:
    """Whether text needs parsing at all (plain text is the common, fast case)."""
    return "{" in text or "}" in text


def parse_text(text: str) -> Nodes:
    """Parse a paragraph into literal text, holes, snippet uses and forms; raise ExprError."""
    nodes, index, stop = _sequence(text, 0, 0, False)
    assert stop == "" and index == len(text)
    return nodes


def _sequence(text: str, index: int, depth: int, in_form: bool) -> tuple[Nodes, int, str]:
    """Nodes up to the end of text, or (inside a form) up to its next `|` or closing `}`.
    Returns the nodes, the index just past the stop, and the stop character ('' at the end)."""
    nodes: list[Node] = []
    literal: list[str] = []
    length = len(text)
    while index < length:
        match = _SPECIAL.search(text, index)
        if match is None:
            literal.append(text[index:])
            index = length
            break
        found = match.start()
        literal.append(text[index:found])
        char = text[found]
        if char == "|":
            if in_form:
                _flush(literal, nodes)
                return tuple(nodes), found + 1, "|"
            literal.append("|")
            index = found + 1
        elif char == "}":
            if in_form:
                _flush(literal, nodes)
                return tuple(nodes), found + 1, "}"
            if not text.startswith("}}", found):
                raise ExprError("a lone `}`", found, "write }} for a literal brace", code="E406")
            literal.append("}")
            index = found + 2
        elif text.startswith("{{", found):
            literal.append("{")
            index = found + 2
        elif text.startswith("{|}", found) or text.startswith("{}}", found):
            literal.append(text[found + 1])
            index = found + 3
        else:
            _flush(literal, nodes)
            node, index = _brace(text, found, depth)
            nodes.append(node)
    if in_form:
        return tuple(nodes), index, ""
    _flush(literal, nodes)
    return tuple(nodes), index, ""


def _flush(literal: list[str], nodes: list[Node]) -> None:
    joined = "".join(literal)
    literal.clear()
    if joined:
        nodes.append(joined)


def _brace(text: str, start: int, depth: int) -> tuple[Node, int]:
    """The node that starts with the `{` at `start`, and the index just past its `}`."""
    # One regex tells the shapes apart; a plain `{trust}` (the commonest) costs one match.
    opening = _OPENING.match(text, start)
    word = opening.group("word") if opening is not None else None
    if opening is not None and opening.group("snippet"):
        snippet = _SNIPPET.match(text, start)
        if snippet is None:
            raise ExprError("a snippet is written {>name}", start, "names use letters, digits and _", code="E406")
        return SnippetUse(snippet.group(1), start + 1), snippet.end()
    if word is not None and opening is not None:
        if opening.group("colon"):
            if word in VISITED:
                return _form(text, start, depth, word, "", opening.end(), opening.end())
            known = ", ".join(f"{{{form}: ...}}" for form in FORMS)
            raise ExprError(f"unknown inline form `{word}`", start, suggest(word, FORMS) or "inline forms: " + known, code="E406")
        if word in HEADED and opening.group("space"):
            colon = _head_colon(text, opening.end())
            if colon >= 0:
                return _form(text, start, depth, word, text[opening.end():colon], opening.end(), colon + 1)
            if word == "if":
                raise ExprError("`{if` needs a colon after its condition", start, "write {if trust > 3: warm|cold}", code="E406")
    end = _closing_brace(text, start + 1)
    if end < 0:
        raise ExprError("`{` is never closed", start, "write {{ for a literal brace", code="E406")
    return Hole(text[start + 1:end], start + 1), end + 1


def _form(text: str, start: int, depth: int, kind: str, head: str, head_offset: int, body: int) -> tuple[Form, int]:
    if depth >= MAX_INLINE_DEPTH:
        raise ExprError(
            f"inline forms nest more than {MAX_INLINE_DEPTH} deep", start, "use a conditional paragraph, or a snippet", code="E406"
        )
    options: list[Nodes] = []
    keys: list[str] = []
    index = body
    while True:
        if kind == "select":
            key = _SELECT_KEY.match(text, index)
            if key is None:
                raise ExprError(
                    "each option of {select} starts with `key=`", index, "write {select name: ada=she|bo=he|else=they}", code="E406"
                )
            keys.append(key.group(1))
            index = key.end()
        nodes, index, stop = _sequence(text, index, depth + 1, True)
        options.append(_strip(nodes))
        if stop == "}":
            break
        if stop == "":
            raise ExprError(f"`{{{kind}` is never closed", start, "end it with }; write {|} for a literal |", code="E406")
    return Form(kind, head, head_offset, tuple(options), tuple(keys), start, text[start + 1:index - 1]), index


def _strip(nodes: Nodes) -> Nodes:
    """An option without the spaces around it (`{seq: a | b}` reads as `a`, `b`)."""
    items = list(nodes)
    if items and isinstance(items[0], str):
        items[0] = items[0].lstrip()
    if items and isinstance(items[-1], str):
        items[-1] = items[-1].rstrip()
    return tuple(item for item in items if item != "")


def _first_unquoted(text: str, start: int, stops: str) -> int:
    """Index of the first character of `stops` at or after `start` outside quoted strings
    (a `:` of `:=` is no stop); -1 if none."""
    quote = ""
    index = start
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 2
                continue
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in stops and not (char == ":" and text.startswith(":=", index)):
            return index
        index += 1
    return -1


def _head_colon(text: str, start: int) -> int:
    """Index of the colon ending a form's head expression (not inside quotes, not `:=`); -1 if none."""
    index = _first_unquoted(text, start, ":{}|")
    return index if index >= 0 and text[index] == ":" else -1


def _closing_brace(text: str, start: int) -> int:
    """Index of the `}` closing an expression that starts at `start`, skipping quoted strings."""
    index = _first_unquoted(text, start, "{}")
    return index if index >= 0 and text[index] == "}" else -1
