"""The plain-text player: numbered choices on stdout, one line at a time from stdin."""

from __future__ import annotations

import contextlib
import io
import shutil
import textwrap
from collections.abc import Callable
from typing import TextIO

from adventure.play import commands
from adventure.play.session import Session, describe_events
from adventure.rules.engine import ChoiceError, SceneView, exact_label, find_choice
from adventure.source.textsafe import clean

WIDTH_LIMIT = 100


def width(stream: TextIO) -> int:
    try:
        columns = shutil.get_terminal_size((80, 24)).columns if stream.isatty() else 80
    except (OSError, ValueError):  # a closed stream
        columns = 80
    return max(20, min(columns, WIDTH_LIMIT))


def _tolerant(stream: TextIO) -> None:
    """Undecodable input and unprintable output become replacement characters, not errors."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        with contextlib.suppress(Exception):
            reconfigure(errors="replace")


class _Discard(io.StringIO):
    """Where output goes when there is no standard output: nowhere, in constant memory."""

    def write(self, text: str) -> int:
        return len(text)


def render_scene(view: SceneView, columns: int) -> list[str]:
    """A scene as plain lines: heading, wrapped paragraphs, numbered choices."""
    lines = [""]
    for paragraph in view.reply:  # the answer to the choice just made comes first
        lines.extend(textwrap.wrap(clean(paragraph), columns) or [""])
        lines.append("")
    if not view.stayed:  # a choice that stays in the scene lists its choices again, not its text
        heading = f"{view.chapter}: {view.title}" if view.chapter else view.title
        lines.extend([f"== {clean(heading)} ==", ""])
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


def exact_choice(session: Session, text: str) -> bool:
    """True when the line is a listed choice's whole label: a label like "Save it for
    after" is a choice, not the `save` command (which otherwise wins over label words)."""
    return not session.ended and exact_label(session.view(), text) is not None


def pick(session: Session, text: str) -> int | None:
    """The choice number meant by a typed number or by part of a label."""
    return find_choice(session.view(), text)


def play(
    session: Session,
    stdin: TextIO | None,
    stdout: TextIO | None,
    hooks: commands.SaveHooks | None = None,
    after_move: Callable[[Session], list[str]] | None = None,
    ending_note: Callable[[Session], list[str]] | None = None,
    watch: Callable[[], bool] | None = None,
) -> int:
    """Run the plain player until quit or end of input; returns the exit code.

    `watch`, when given, says whether the story files changed since it was last asked;
    the player then reloads before reading the next line.

    `after_move` (the autosave) also runs when the player leaves (quit, end of input or
    Ctrl-C) if the game changed since it last ran, by undo, restart or load.
    A closed standard input is an empty one; with standard output closed the game plays blind.
    """
    reader: TextIO = stdin if stdin is not None else io.StringIO()
    writer: TextIO = stdout if stdout is not None else _Discard()
    _tolerant(reader)
    _tolerant(writer)
    columns = width(writer)
    saved = [session.state]  # the state after_move last saw

    def show(lines: list[str]) -> None:
        text = "\n".join(lines) + "\n"
        try:
            writer.write(text)
        except UnicodeEncodeError:  # an encoding that cannot show the story, and no way to relax it
            encoding = getattr(writer, "encoding", None) or "ascii"
            writer.write(text.encode(encoding, "replace").decode(encoding))
        writer.flush()

    def moved() -> list[str]:
        saved[0] = session.state
        return after_move(session) if after_move is not None else []

    def leave() -> int:
        if session.state is not saved[0]:
            notes = moved()
            if notes:
                show([clean(note) for note in notes])
        return 0

    try:
        show(render_scene(session.view(), columns))
        if session.ended and ending_note:
            show(ending_note(session))
        while True:
            if watch is not None and watch() and hooks is not None and hooks.reload is not None:
                lines = hooks.reload(session)
                show(["", "Story files changed.", *lines])
                if lines and lines[0].startswith("Reloaded"):
                    show(render_scene(session.view(), columns))
            writer.write("> ")
            writer.flush()
            try:
                line = reader.readline(1_000_000)
            except (OSError, ValueError, UnicodeDecodeError):
                line = ""
            if not line:
                show(["", "(end of input)"])
                return leave()
            text = line.strip()
            if not text:
                continue
            result = None if exact_choice(session, text) else commands.run(session, text, hooks)
            if result is not None:
                if result.lines:
                    show([clean(item) for item in result.lines])
                if result.quit:
                    return leave()
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
            notes = describe_events(outcome.events, session.story) + moved()
            show(([""] + [f"[{clean(note)}]" for note in notes] if notes else []) + render_scene(session.view(), columns))
            if session.ended and ending_note:
                show(ending_note(session))
    except KeyboardInterrupt:
        leave()  # Ctrl-C leaves the game where the player was, as quit does
        raise

