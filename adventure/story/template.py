"""Interpolated text: `{expression}` holes split out once at load time and rendered per state."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from adventure.story.expr import Compiled, Env, ExprError, StateView, compile_expression, format_value

TemplatePart = str | Compiled


Piece = Callable[[StateView], str]


def _variable(part: Compiled) -> str | None:
    """The variable an expression is, when it is nothing but a variable's name."""
    tree = part.tree
    return tree.id if isinstance(tree, ast.Name) and tree.id in part.reads else None


def _piece(part: TemplatePart) -> Piece:
    """A function giving one part's text: chosen once, by the expression's type."""
    if isinstance(part, str):
        text: str = part
        return lambda state: text
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


def _one_hole(parts: tuple[TemplatePart, ...]) -> tuple[str, Compiled, str] | None:
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
    if name is None or hole.type not in ("int", "string"):
        return None
    return before, name, after


def _renderer(parts: tuple[TemplatePart, ...]) -> Piece:
    """One function giving the whole text. The usual shape (text around one hole) joins
    with `+` rather than building a list for "".join: a player's screen and the explorer
    render every scene's text, so this is on their hot path."""
    shape = _one_hole(parts)
    if shape is not None:
        before, hole, after = shape
        piece = _piece(hole)
        return lambda state: before + piece(state) + after
    pieces = tuple(_piece(part) for part in parts)
    return lambda state: "".join([piece(state) for piece in pieces])


@dataclass(frozen=True, slots=True)
class Template:
    """Text with `{expression}` holes, split once at load time."""

    parts: tuple[TemplatePart, ...]
    static: str | None = None  # the text itself when there is nothing to interpolate
    # the renderer, built on first use: a story's thousands of templates cost a load nothing
    prepared: Piece | None = field(default=None, compare=False, repr=False)

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
                prepared = _renderer(self.parts)
            object.__setattr__(self, "prepared", prepared)  # a cache: equality ignores it
        return prepared

    def render(self, state: StateView) -> str:
        if self.static is not None:
            return self.static
        prepared = self.prepared
        return prepared(state) if prepared is not None else self.renderer()(state)

    def expressions(self) -> tuple[Compiled, ...]:
        return tuple(part for part in self.parts if isinstance(part, Compiled))


def split_template(text: str) -> list[tuple[bool, str, int]]:
    """Split text into (is_expression, piece, offset) pieces; raise ExprError on bad braces."""
    pieces: list[tuple[bool, str, int]] = []
    literal: list[str] = []
    literal_start = 0
    index = 0
    length = len(text)
    while index < length:
        match = _BRACE.search(text, index)
        if match is None:
            literal.append(text[index:])
            break
        found = match.start()
        literal.append(text[index:found])
        if text.startswith("{{", found):
            literal.append("{")
            index = found + 2
        elif text.startswith("}}", found):
            literal.append("}")
            index = found + 2
        elif text[found] == "}":
            raise ExprError("a lone `}`", found, "write }} for a literal brace")
        else:
            end = _closing_brace(text, found + 1)
            if end < 0:
                raise ExprError("`{` is never closed", found, "write {{ for a literal brace")
            joined = "".join(literal)
            if joined:
                pieces.append((False, joined, literal_start))
            literal = []
            pieces.append((True, text[found + 1:end], found + 1))
            index = end + 1
            literal_start = index
    joined = "".join(literal)
    if joined:
        pieces.append((False, joined, literal_start))
    return pieces


_BRACE = re.compile(r"[{}]")


def _closing_brace(text: str, start: int) -> int:
    """Index of the `}` closing an expression that starts at `start`, skipping quoted strings."""
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
        elif char == "}":
            return index
        elif char == "{":
            return -1
        index += 1
    return -1


def compile_template(text: str, env: Env) -> Template:
    """Compile interpolated text; raise ExprError with the offset within `text`."""
    if "{" not in text and "}" not in text:
        return Template((text,), text)
    parts: list[TemplatePart] = []
    for is_expression, piece, offset in split_template(text):
        if not is_expression:
            parts.append(piece)
            continue
        try:
            parts.append(compile_expression(piece, env))
        except ExprError as err:
            raise ExprError(err.message, offset + err.offset, err.hint) from None
    if all(isinstance(part, str) for part in parts):
        joined = "".join(parts)  # type: ignore[arg-type]
        return Template((joined,), joined)
    return Template(tuple(parts))
