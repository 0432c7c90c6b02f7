"""The plain-text player: numbered choices on stdout, one line at a time from stdin."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from typing import TextIO

from . import commands
from .engine import ChoiceError, SceneView
from .session import Session, describe_events
from .textsafe import clean

WIDTH_LIMIT = 100


def width(stream: TextIO) -> int:
    columns = shutil.get_terminal_size((80, 24)).columns if stream.isatty() else 80
    return max(20, min(columns, WIDTH_LIMIT))


def render_scene(view: SceneView, columns: int) -> list[str]:
    """A scene as plain lines: heading, wrapped paragraphs, numbered choices."""
    heading = f"{view.chapter}: {view.title}" if view.chapter else view.title
    lines = ["", f"== {clean(heading)} ==", ""]
    for paragraph in view.paragraphs:
        lines.extend(textwrap.wrap(clean(paragraph), columns) or [""])
        lines.append("")
    if view.ending is not None:
        lines.append(f"*** The End: {clean(view.ending.name)} ***")
        return lines
    for choice in view.choices:
        label = f"{choice.number}. {clean(choice.label)}"
        if not choice.enabled:
            label += f" [unavailable: {clean(choice.reason)}]" if choice.reason else " [unavailable]"
        lines.extend(textwrap.wrap(label, columns, subsequent_indent="   "))
    return lines


def pick(session: Session, text: str) -> int | None:
    """The choice number meant by a typed number or by part of a label."""
    view = session.view()
    if text.isdigit():
        return int(text)
    wanted = text.lower()
    matches = [choice.number for choice in view.choices if wanted in choice.label.lower()]
    return matches[0] if len(matches) == 1 else None


def play(
    session: Session,
    stdin: TextIO,
    stdout: TextIO,
    hooks: commands.SaveHooks | None = None,
    after_move: Callable[[Session], list[str]] | None = None,
    ending_note: Callable[[Session], list[str]] | None = None,
    watch: Callable[[], bool] | None = None,
) -> int:
    """Run the plain player until quit or end of input; returns the exit code.

    `watch`, when given, says whether the story files changed since it was last asked;
    the player then reloads before reading the next line.
    """
    columns = width(stdout)

    def show(lines: list[str]) -> None:
        stdout.write("\n".join(lines) + "\n")
        stdout.flush()

    show(render_scene(session.view(), columns))
    if session.ended and ending_note:
        show(ending_note(session))
    while True:
        if watch is not None and watch() and hooks is not None and hooks.reload is not None:
            lines = hooks.reload(session)
            show(["", "Story files changed.", *lines])
            if lines and lines[0].startswith("Reloaded"):
                show(render_scene(session.view(), columns))
        stdout.write("> ")
        stdout.flush()
        try:
            line = stdin.readline(1_000_000)
        except (OSError, ValueError, UnicodeDecodeError):
            line = ""
        if not line:
            show(["", "(end of input)"])
            return 0
        text = line.strip()
        if not text:
            continue
        result = commands.run(session, text, hooks)
        if result is not None:
            if result.lines:
                show([clean(item) for item in result.lines])
            if result.quit:
                return 0
            if result.show_scene:
                show(render_scene(session.view(), columns))
            continue
        if session.ended:
            show(["The story has ended. Type restart, load, undo or quit."])
            continue
        number = pick(session, text)
        if number is None:
            show([f"Type a choice's number (1-{len(session.view().choices)}), or a command (help lists them)."])
            continue
        try:
            outcome = session.choose(number)
        except ChoiceError as err:
            show([f"{err}."])
            continue
        notes = describe_events(outcome.events, session.story)
        if after_move is not None:
            notes += after_move(session)
        show(([""] + [f"[{clean(note)}]" for note in notes] if notes else []) + render_scene(session.view(), columns))
        if session.ended and ending_note:
            show(ending_note(session))
