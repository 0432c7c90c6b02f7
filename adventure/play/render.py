"""Laying out scenes as styled lines for a given width, by display width (pure; no terminal needed)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from adventure.source.textsafe import clean

if TYPE_CHECKING:
    from collections.abc import Sequence

    from adventure.play.reply import Reply
    from adventure.rules.engine import SceneView

Fragment = tuple[str, str]  # (style class, text)
Line = list[Fragment]

WIDTH_LIMIT = 100  # the default cap: longer lines are hard to read
MIN_WIDTH = 10

DARK: dict[str, str] = {
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
THEMES: dict[str, dict[str, str]] = {
    "dark": DARK,
    # on a light background bright black and yellow are hard to read: darker colours instead
    "light": {
        **DARK, "chapter": "ansiblue", "number": "ansiblue bold", "disabled": "ansigray", "reason": "ansigray italic",
        "note": "ansired", "ending": "ansimagenta bold", "hint": "ansiblue",
    },
    # no dim text at all; emphasis by weight, underline and reverse video
    "high-contrast": {
        **DARK, "chapter": "bold", "title": "bold underline", "number": "bold", "disabled": "", "reason": "italic",
        "note": "bold", "ending": "bold underline", "hint": "", "error": "bold reverse",
    },
    "mono": {name: "" for name in DARK} | {"selected": "reverse", "toolbar": "reverse"},
}
STYLE_RULES = DARK  # the default theme


def cell_width(text: str) -> int:
    """Columns `text` takes on a terminal: wide characters count two, combining marks none."""
    if text.isascii():
        return len(text)
    from wcwidth import wcwidth  # its tables take longer to import than most stories take to show: only for text beyond ASCII

    return sum(max(0, wcwidth(character)) for character in text)


def _split_word(word: str, width: int) -> list[str]:
    """A word longer than the line, cut into pieces that each fit."""
    from wcwidth import wcwidth

    pieces, piece, used = [], "", 0
    for character in word:
        size = max(0, wcwidth(character))
        if used + size > width and piece:
            pieces.append(piece)
            piece, used = "", 0
        piece += character
        used += size
    return [*pieces, piece] if piece else pieces


def wrap(text: str, width: int, indent: str = "", first: str = "") -> list[str]:
    """Wrap text to `width` display columns (never narrower than MIN_WIDTH).

    Any whitespace, newlines too, separates words; each word is cleaned of control
    characters. Lines break between words, and inside a word only when it cannot fit.
    """
    width = max(width, MIN_WIDTH)
    lines: list[str] = []
    line, used = first, cell_width(first)
    empty = True  # the current line holds no word yet
    for raw in text.split():
        word = clean(raw)
        size = cell_width(word)
        if not empty and used + 1 + size <= width:
            line, used = f"{line} {word}", used + 1 + size
            continue
        if not empty:
            lines.append(line)
            line, used = indent, cell_width(indent)
        room = max(width - used, 1)
        if size > room:
            pieces = _split_word(word, room if used else width)
            for piece in pieces[:-1]:
                lines.append(line + piece)
                line, used = indent, cell_width(indent)
            word, size = pieces[-1], cell_width(pieces[-1])
        line, used = line + word, used + size
        empty = False
    if not empty:
        lines.append(line)
    return lines or [first.rstrip()]


def hanging(text: str, width: int) -> list[str]:
    """Wrap one line of a command's output with continuation lines under its text: after
    its leading spaces, after a "- " or "* " bullet, or after a gap of two spaces that
    starts a column (as in the help list). A line that fits is kept as it is; a newline
    in `text` (a problem and its hint) starts a new line."""
    if "\n" in text:
        return [line for part in text.split("\n") for line in hanging(part, width)]
    text = clean(text)
    if cell_width(text) <= max(width, MIN_WIDTH):
        return [text.rstrip()]
    stripped = text.lstrip(" ")
    lead = text[: len(text) - len(stripped)]
    if stripped[:2] in ("- ", "* "):
        return wrap(stripped[2:], width, indent=lead + "  ", first=lead + stripped[:2])
    column = re.search(r"\S  +(?=\S)", stripped)
    if column is not None and column.end() <= width // 2:
        head = lead + stripped[: column.end()]
        return wrap(stripped[column.end():], width, indent=" " * cell_width(head), first=head)
    return wrap(stripped, width, indent=lead, first=lead)


def heading(view: SceneView, width: int, entered: Sequence[str] = ()) -> list[Line]:
    """The last move's reply, if any, the notes on entering the scene, then the chapter and title."""
    lines: list[Line] = [[]]
    for paragraph in view.reply:
        lines.extend([[("class:reply", part)] for part in wrap(paragraph, width)])
        lines.append([])
    if entered:
        lines.extend(notes(list(entered), width))
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


def plain_scene_reply(view: SceneView, reply: Reply, width: int) -> list[str]:
    """A move's reply as the plain player and transcripts show it: its notes, the scene, the notes after it."""
    return [
        *(line for note in reply.lines for line in hanging(note, width)),
        *plain_scene(view, width, reply.entered),
        *(line for note in reply.after for line in hanging(note, width)),
    ]


def plain_scene(view: SceneView, width: int, entered: Sequence[str] = ()) -> list[str]:
    """A scene as plain lines, read in order by a screen reader: the reply, the notes on
    entering the scene, heading, paragraphs, numbered choices; no decorative characters."""
    lines = [""]
    for paragraph in view.reply:  # the answer to the choice just made comes first
        lines.extend(wrap(paragraph, width))
        lines.append("")
    if entered:
        lines.extend(line for note in entered for line in hanging(note, width))
        lines.append("")
    if not view.stayed:  # a choice that stays in the scene lists its choices again, not its text
        title = f"{view.chapter}: {view.title}" if view.chapter else view.title
        lines.extend([*wrap(title, width), ""])
        for paragraph in view.paragraphs:
            lines.extend(wrap(paragraph, width))
            lines.append("")
    if view.ending is not None:
        lines.extend(wrap(f"The End: {view.ending.name}.", width))
        return lines
    for choice in view.choices:
        label = f"{choice.number}. {choice.label}"
        if not choice.enabled:
            label += f" (unavailable: {choice.reason})" if choice.reason else " (unavailable)"
        lines.extend(wrap(label, width, indent="   "))
    return lines
