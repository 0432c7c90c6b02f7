"""Laying out scenes as styled lines for a given width (pure; no terminal needed)."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from adventure.source.textsafe import clean

if TYPE_CHECKING:
    from adventure.rules.engine import SceneView

Fragment = tuple[str, str]  # (style class, text)
Line = list[Fragment]

STYLE_RULES: dict[str, str] = {
    "chapter": "ansibrightblack",
    "title": "bold",
    "body": "",
    "reply": "italic",
    "number": "ansicyan bold",
    "choice": "",
    "selected": "reverse",
    "disabled": "ansibrightblack",
    "reason": "ansibrightblack italic",
    "note": "ansiyellow",
    "ending": "ansimagenta bold",
    "hint": "ansibrightblack",
    "toolbar": "reverse",
    "error": "ansired",
}


def wrap(text: str, width: int, indent: str = "", first: str = "") -> list[str]:
    """Wrap cleaned text to `width` columns (never narrower than 10)."""
    width = max(width, 10)
    return textwrap.wrap(clean(text), width, initial_indent=first, subsequent_indent=indent) or [first.rstrip()]


def heading(view: SceneView, width: int) -> list[Line]:
    """The last move's reply, if any, then the chapter and title."""
    lines: list[Line] = [[]]
    for paragraph in view.reply:
        lines.extend([[("class:reply", part)] for part in wrap(paragraph, width)])
        lines.append([])
    if view.chapter:
        lines.extend([[("class:chapter", part)] for part in wrap(view.chapter.upper(), width)])
    lines.extend([[("class:title", part)] for part in wrap(view.title, width)])
    lines.append([])
    return lines


def body(view: SceneView, width: int) -> list[Line]:
    """The scene's text, unless the last move stayed in the scene (the player has read it)."""
    lines: list[Line] = []
    for paragraph in () if view.stayed else view.paragraphs:
        lines.extend([[("class:body", part)] for part in wrap(paragraph, width)])
        lines.append([])
    if view.ending is not None:
        lines.extend([[("class:ending", part)] for part in wrap(f"~ The End: {view.ending.name} ~", width)])
    return lines


def choices(view: SceneView, width: int, selected: int | None = None) -> list[Line]:
    """Numbered choices; the selected one highlighted, disabled ones dimmed with a reason."""
    lines: list[Line] = []
    number_width = len(str(len(view.choices)))
    for choice in view.choices:
        marker = ">" if selected == choice.number else " "
        prefix = f"{marker} {choice.number:>{number_width}}. "
        indent = " " * len(prefix)
        label_style = "class:choice"
        if not choice.enabled:
            label_style = "class:disabled"
        elif selected == choice.number:
            label_style = "class:selected"
        wrapped = wrap(choice.label, width, indent=indent, first=prefix)
        for index, part in enumerate(wrapped):
            if index == 0:
                lines.append([("class:number", part[: len(prefix)]), (label_style, part[len(prefix):])])
            else:
                lines.append([(label_style, part)])
        if not choice.enabled and choice.reason:
            lines.extend(
                [
                    [("class:reason", part)]
                    for part in wrap(f"(unavailable: {choice.reason})", width, indent=indent + "  ", first=indent + "  ")
                ]
            )
    return lines


def notes(items: list[str], width: int) -> list[Line]:
    return [[("class:note", part)] for item in items for part in wrap(f"* {item}", width, indent="  ")]


def plain_text(lines: list[Line]) -> str:
    """The text of styled lines, for plain output and for tests."""
    return "\n".join("".join(text for _, text in line) for line in lines)
