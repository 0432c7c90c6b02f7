"""Interpolated text: `{expression}` holes split out once at load time and rendered per state."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .expr import Compiled, Env, ExprError, compile_expression, format_value

TemplatePart = str | Compiled


Piece = Callable[[Any], str]


def _piece(part: TemplatePart) -> Piece:
    """A function giving one part's text: chosen once, by the expression's type."""
    if isinstance(part, str):
        text: str = part
        return lambda state: text
    evaluate = part.evaluate
    if part.type == "int":
        return lambda state: str(evaluate(state))
    if part.type == "string":
        return evaluate  # type: ignore[return-value]
    return lambda state: format_value(evaluate(state))


@dataclass(frozen=True, slots=True)
class Template:
    """Text with `{expression}` holes, split once at load time."""

    parts: tuple[TemplatePart, ...]
    static: str | None = None  # the text itself when there is nothing to interpolate
    pieces: tuple[Piece, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.static is None and not self.pieces:
            object.__setattr__(self, "pieces", tuple(_piece(part) for part in self.parts))

    @property
    def is_plain(self) -> bool:
        return self.static is not None

    def render(self, state: Any) -> str:
        if self.static is not None:
            return self.static
        return "".join([piece(state) for piece in self.pieces])

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
