"""The plain-text player: numbered choices on stdout, one line at a time from stdin; screen-reader friendly."""

from __future__ import annotations

import contextlib
import io
import shutil
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from adventure.play import render
from adventure.play.reply import Kind, Reply
from adventure.source.textsafe import clean_block

if TYPE_CHECKING:
    from adventure.play.session import Session
    from adventure.play.shellhooks import Persistence
    from adventure.play.transcript import Transcript
    from adventure.play.turns import TurnLoop
    from adventure.story.model import Story

LINE_LIMIT = 1_000_000


def width(stream: TextIO, cap: int | None = None) -> int:
    """The text width: the terminal's (80 when not a terminal), at most `cap` (default WIDTH_LIMIT)."""
    try:
        columns = shutil.get_terminal_size((80, 24)).columns if stream.isatty() else 80
    except (OSError, ValueError):  # a closed stream
        columns = 80
    return max(20, min(columns, cap or render.WIDTH_LIMIT))


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


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Console:
    """Plain lines out, typed lines in; line editing (readline) when both ends are the terminal."""

    def __init__(self, stdin: TextIO | None, stdout: TextIO | None, cap: int | None = None) -> None:
        self.reader: TextIO = stdin if stdin is not None else io.StringIO()
        self.writer: TextIO = stdout if stdout is not None else _Discard()
        _tolerant(self.reader)
        _tolerant(self.writer)
        self.cap = cap
        self.terminal = _is_terminal(self.reader)
        # input() edits lines (readline) only on the process's own terminal; the writer may be a
        # wrapper around standard output, so the test is on the streams themselves
        self.editing = self.terminal and self.reader is sys.stdin and sys.stdout is not None and _is_terminal(sys.stdout)
        if self.editing:
            with contextlib.suppress(ImportError):  # not on every platform; input() works without it
                import readline  # noqa: F401 - importing it gives input() line editing and history

    def width(self) -> int:
        return width(self.writer, self.cap)

    def show(self, lines: list[str]) -> None:
        if not lines:
            return
        # every line is cleaned here, whatever made it: a message quoting story text included
        text = "\n".join(clean_block(line) for line in lines) + "\n"
        try:
            self.writer.write(text)
        except UnicodeEncodeError:  # an encoding that cannot show the story, and no way to relax it
            encoding = getattr(self.writer, "encoding", None) or "ascii"
            self.writer.write(text.encode(encoding, "replace").decode(encoding))
        self.writer.flush()

    def say(self, *messages: str) -> None:
        columns = self.width()
        self.show([line for message in messages for line in render.hanging(message, columns)])

    def ask(self, prompt: str = "> ") -> str | None:
        """One line, or None at the end of input."""
        if self.editing:
            try:
                return input(prompt)
            except EOFError:
                return None
        self.writer.write(prompt)
        self.writer.flush()
        try:
            line = self.reader.readline(LINE_LIMIT)
        except (OSError, ValueError, UnicodeDecodeError):
            line = ""
        return line if line else None

    def confirm_quit(self) -> bool:
        """After Ctrl-C at a terminal: leave only when the player says so."""
        try:
            self.say("", "Quit the game? Your progress is autosaved. Type y to quit, or press Enter to go on.")
            answer = self.ask("y/n> ")
        except KeyboardInterrupt:
            return True
        return answer is None or answer.strip().lower() in ("y", "yes")

    def draw(self, loop: TurnLoop, reply: Reply) -> None:
        """A reply as plain lines; a scene with its notes before and its notes after."""
        columns = self.width()
        if reply.kind is Kind.SCENE:
            self.show(render.plain_scene_reply(loop.session.view(), reply, columns))
        elif reply.lines:
            self.say(*reply.lines)


def play(
    loop: TurnLoop, stdin: TextIO | None, stdout: TextIO | None, watch: Callable[[], bool] | None = None, cap: int | None = None
) -> int:
    """Play one game until quit or end of input; returns the exit code (for scripts and tests)."""
    console = Console(stdin, stdout, cap)
    console.draw(loop, loop.opening())
    game(loop, console, watch)
    return 0


def game(loop: TurnLoop, console: Console, watch: Callable[[], bool] | None = None) -> Kind:
    """Play until the player quits (QUIT), asks for the title screen (MENU), or input ends (NOTHING).

    `watch`, when given, says whether the story files changed since it was last asked;
    the game then reloads before reading the next line. Ctrl-C at a terminal asks before
    leaving; from a pipe it leaves at once. Either way the game is autosaved first.
    """
    try:
        while True:
            if watch is not None and watch():
                console.say("", "Story files changed.")
                console.draw(loop, loop.run("reload"))
            try:
                line = console.ask()
            except KeyboardInterrupt:
                if not console.terminal:
                    raise  # a script interrupted: leave at once (saved on the way out)
                if not console.confirm_quit():
                    continue
                console.say(*loop.leave(), "Your game is saved. Goodbye.")
                return Kind.QUIT
            if line is None:
                console.say("", "(end of input)")
                console.say(*loop.leave())
                return Kind.NOTHING
            reply = loop.handle(line)
            console.draw(loop, reply)
            if reply.kind is Kind.QUIT:
                console.say(*loop.leave(), "Your game is saved. Goodbye.")
                return Kind.QUIT
            if reply.kind is Kind.MENU:
                console.say(*loop.leave(close_transcript=False))
                return Kind.MENU
    except KeyboardInterrupt:
        console.say(*loop.leave())  # Ctrl-C leaves the game where the player was, as quit does
        raise
    except BaseException:
        # Output lost (a full disk, a closed pipe) or the terminal gone (SIGHUP, SIGTERM): the
        # game is still left where the player was, with nothing more shown.
        with contextlib.suppress(Exception):
            loop.leave()
        raise


def play_story(
    story: Story,
    persistence: Persistence,
    stdin: TextIO | None,
    stdout: TextIO | None,
    *,
    seed: int | None = None,
    session: Session | None = None,
    watch: Callable[[], bool] | None = None,
    transcript: Transcript | None = None,
    cap: int | None = None,
    setup: Callable[[TurnLoop], None] | None = None,
) -> int:
    """The plain player: at a terminal, a title menu first; from a pipe, straight into a game.

    A game started from a pipe beside an autosave of this story leaves that autosave alone
    (and says so): only the player, by loading it or saving over it, puts another game there.
    """
    from adventure.play.session import Session
    from adventure.play.turns import TurnLoop, random_seed

    console = Console(stdin, stdout, cap)

    def start(session: Session, *notes: str) -> Kind:
        nonlocal transcript
        loop = TurnLoop(session, persistence, seed, transcript)
        if setup is not None:  # play --record, --debug: they follow or extend the turn loop
            setup(loop)
        console.draw(loop, loop.opening(*notes))
        outcome = game(loop, console, watch)
        transcript = loop.transcript
        return outcome

    def fresh() -> Session:
        return Session.new(story, seed if seed is not None else random_seed())

    if session is not None or not console.terminal:
        notes: list[str] = []
        if session is None and persistence.has_autosave():
            persistence.autosave_enabled = False
            notes = [
                f"There is an autosaved game of this story: {persistence.autosave_summary()}. This new game will not replace it:",
                "type load autosave to go back to it, or save NAME to keep this one.",
            ]
        outcome = start(session or fresh(), *notes)
        if outcome is not Kind.MENU:
            return 0
    while True:
        try:
            picked = title_menu(story, persistence, console)
        except KeyboardInterrupt:
            picked = None
        if picked is None:
            console.say("Goodbye.")
            return 0
        persistence.autosave_enabled = True
        if start(picked[0], *picked[1]) is not Kind.MENU:
            return 0


def title_menu(story: Story, persistence: Persistence, console: Console) -> tuple[Session, list[str]] | None:
    """The title screen in plain text: a numbered menu. Returns the game to play (and what to
    say before its scene), or None to quit."""
    from adventure.play.session import Session
    from adventure.play.turns import random_seed

    while True:
        options: list[tuple[str, str]] = [("new", "New game")]
        if persistence.has_autosave():
            options.append(("continue", f"Continue: {persistence.autosave_summary()}"))
        slots = [info for info in _slots(persistence) if info != "autosave"]
        if slots:
            options.append(("load", "Load a saved game"))
        options += [("endings", "Endings found"), ("quit", "Quit")]
        columns = console.width()
        console.show(["", *render.wrap(story.title, columns), *(["", *render.wrap(story.blurb, columns)] if story.blurb else []), ""])
        console.show([f"{number}. {label}" for number, (_, label) in enumerate(options, start=1)])
        picked = _pick(console, options)
        if picked in (None, "quit"):
            return None
        if picked == "new":
            return Session.new(story, random_seed()), []
        if picked == "endings":
            console.say("", *persistence.endings_list(story))
            continue
        slot = "autosave" if picked == "continue" else _pick_slot(console, slots)
        if slot is None:
            continue
        session = Session.new(story, 0)
        reply = persistence.load_command(session, slot)
        if reply.kind is Kind.SCENE:
            return session, list(reply.lines)
        console.say(*reply.lines)


def _slots(persistence: Persistence) -> list[str]:
    from adventure.play import saves

    return [info.slot for info in saves.list_slots(persistence.folder)]


def _pick(console: Console, options: list[tuple[str, str]]) -> str | None:
    while True:
        line = console.ask()
        if line is None:
            return None
        typed = line.strip().lower()
        if typed.isdecimal() and 1 <= int(typed[:3]) <= len(options):
            return options[int(typed[:3]) - 1][0]
        for key, label in options:
            if typed and (label.lower().startswith(typed) or key == typed):
                return key
        console.say(f"Type a number from 1 to {len(options)}.")


def _pick_slot(console: Console, slots: list[str]) -> str | None:
    options = [(slot, slot) for slot in slots] + [("", "Back")]
    console.show(["", "Load which game?", *(f"{number}. {label}" for number, (_, label) in enumerate(options, start=1))])
    return _pick(console, options) or None
