"""The terminal player: a prompt_toolkit REPL with a title screen, arrow-key choices and a status bar."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from prompt_toolkit import PromptSession, print_formatted_text
from prompt_toolkit.application import Application, get_app
from prompt_toolkit.filters import Condition
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.output import ColorDepth
from prompt_toolkit.shortcuts import choice as choice_prompt
from prompt_toolkit.shortcuts import clear
from prompt_toolkit.styles import Style

from adventure.play import render, saves
from adventure.play.completion import ChoiceCompleter
from adventure.play.preload import PendingStory
from adventure.play.shellhooks import Persistence, story_signature
from adventure.source.textsafe import clean
from adventure.story.titlepage import TitlePage

if TYPE_CHECKING:
    from adventure.play.commands import SaveHooks
    from adventure.play.session import Session
    from adventure.story.model import Story

# The game's own modules (engine, session, commands) are imported where a game begins, not
# here: the title screen is drawn before them, while the story loads behind it.

RELOAD = "\x00reload"
LOAD_FAILED = "\x00load-failed"  # what the title screen answers when the story turns out broken
WATCH_SECONDS = 1.0
HINT = "↑↓ Enter: choose · Tab · help · Ctrl-D: save & quit"


class Game:
    """One run of the terminal player."""

    def __init__(
        self, story: Story | PendingStory, persistence: Persistence, color: bool = True, seed: int | None = None, watch: bool = False
    ) -> None:
        self.watch = watch
        self.signature = story_signature(story.root) if watch else ()
        # A pending story is still loading: the title screen shows its title page meanwhile,
        # and the first use of `story` waits for it (raising StoryError if it is broken).
        self._pending = story if isinstance(story, PendingStory) else None
        self._story = None if isinstance(story, PendingStory) else story
        self._title_app: Application[str] | None = None
        self.persistence = persistence
        self.seed = seed
        self.session: Session | None = None
        self.selected = 1
        self.style = Style.from_dict(render.STYLE_RULES if color else {})
        self.color_depth = ColorDepth.DEPTH_8_BIT if color else ColorDepth.DEPTH_1_BIT
        self.history = InMemoryHistory()
        self._prompt_session: PromptSession[str] | None = None

    @property
    def prompt_session(self) -> PromptSession[str]:
        """The game's prompt, made when first needed: the title screen draws sooner without it."""
        if self._prompt_session is None:
            self._prompt_session = PromptSession(
                history=self.history, completer=ChoiceCompleter(self), complete_while_typing=False,
                enable_history_search=True, key_bindings=self._bindings(), color_depth=self.color_depth,
                style=self.style, bottom_toolbar=self._toolbar, reserve_space_for_menu=4,
            )
        return self._prompt_session

    @property
    def story(self) -> Story:
        if self._story is None:
            assert self._pending is not None
            if not self._pending.ready:  # a large story, or a quick player: say why nothing happens yet
                self.say("Loading the story...")
            self._story = self._pending.story()
        return self._story

    @story.setter
    def story(self, story: Story) -> None:
        self._story = story

    def page(self) -> TitlePage:
        if self._story is None and self._pending is not None:
            return self._pending.page
        return TitlePage(self.story.id, self.story.title, self.story.blurb)

    # output ---------------------------------------------------------------------------
    def width(self) -> int:
        try:
            columns = get_app().output.get_size().columns
        except Exception:  # no running app: ask the terminal directly
            columns = os.get_terminal_size().columns if os.isatty(1) else 80
        return max(20, min(columns - 1, 100))

    def show(self, lines: list[render.Line]) -> None:
        fragments: list[tuple[str, str]] = []
        for line in lines:
            fragments.extend(line)
            fragments.append(("", "\n"))
        print_formatted_text(FormattedText(fragments), style=self.style, color_depth=self.color_depth, end="")

    def say(self, *messages: str, style: str = "class:hint") -> None:
        self.show([[(style, part)] for message in messages for part in render.wrap(message, self.width())])

    def show_scene(self, note_lines: list[str] | None = None) -> None:
        assert self.session is not None
        view = self.session.view()
        width = self.width()
        self.selected = next((option.number for option in view.choices if option.enabled), 1)
        lines = render.notes(note_lines or [], width) + render.heading(view, width) + render.body(view, width)
        self.show(lines)
        if view.ending is not None:
            self.say(*self.persistence.ending_note(self.session))

    # the prompt -------------------------------------------------------------------------
    def _message(self) -> FormattedText:
        fragments: list[tuple[str, str]] = []
        if self.session is not None and not self.session.ended:
            for line in render.choices(self.session.view(), self.width(), self.selected):
                fragments.extend(line)
                fragments.append(("", "\n"))
        fragments.append(("class:number", "> "))
        return FormattedText(fragments)

    def _toolbar(self) -> FormattedText:
        status = self.session.status() if self.session is not None else self.page().title
        return FormattedText(
            [("class:toolbar", f" {clean(status)} "), ("class:toolbar", f"  {HINT}"[: max(0, self.width() - len(status) - 2)])]
        )

    def _bindings(self) -> KeyBindings:
        bindings = KeyBindings()
        empty = Condition(lambda: not get_app().current_buffer.text and self.session is not None and not self.session.ended)

        def move(step: int) -> None:
            assert self.session is not None
            options = self.session.view().choices
            if options:
                self.selected = (self.selected - 1 + step) % len(options) + 1

        @bindings.add("up", filter=empty)
        def _up(event: KeyPressEvent) -> None:
            move(-1)

        @bindings.add("down", filter=empty)
        def _down(event: KeyPressEvent) -> None:
            move(1)

        @bindings.add("enter", filter=empty)
        def _enter(event: KeyPressEvent) -> None:
            event.current_buffer.text = str(self.selected)
            event.current_buffer.validate_and_handle()

        return bindings

    async def _watch_files(self) -> None:
        """While the prompt waits, notice edited story files and ask for a reload."""
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            signature = await asyncio.get_running_loop().run_in_executor(None, story_signature, self.story.root)
            if signature != self.signature:
                self.signature = signature
                get_app().exit(result=RELOAD)
                return

    def _start_watching(self) -> None:
        get_app().create_background_task(self._watch_files())

    def ask(self) -> str | None:
        """One line from the player; None means Ctrl-D."""
        while True:
            try:
                return self.prompt_session.prompt(self._message, pre_run=self._start_watching if self.watch else None)
            except EOFError:
                return None
            except KeyboardInterrupt:
                if self.confirm_quit():
                    return "quit"

    def confirm_quit(self) -> bool:
        try:
            answer = PromptSession[str]().prompt("Quit the game? Your progress is autosaved. [y/N] ", color_depth=self.color_depth)
        except (EOFError, KeyboardInterrupt):
            return True
        return answer.strip().lower() in ("y", "yes")

    # the game loop ----------------------------------------------------------------------
    def play(self) -> int:
        while True:
            if self.session is None and not self.title_screen():
                return 0
            if self.session is not None and not self.game_loop():
                return 0

    def title_screen(self) -> bool:
        """The title menu; False when the player quits."""
        if self._pending is not None and self._story is None:
            self._pending.when_done(self._story_loaded)
        while True:
            options: list[tuple[str, str]] = [("new", "New game")]
            autosave = os.path.join(self.persistence.folder, saves.AUTOSAVE + ".json")
            if os.path.isfile(autosave):
                options.append(("continue", "Continue"))
            if saves.list_slots(self.persistence.folder):
                options.append(("load", "Load a saved game"))
            options += [("endings", "Endings found"), ("quit", "Quit")]
            page = self.page()
            found = self.persistence.endings_found(page.id)
            try:
                picked = choice_prompt(
                    self._title_header(page, found), options=options, style=self.style,
                    default="continue" if len(options) > 3 and options[1][0] == "continue" else "new",
                )
            except (KeyboardInterrupt, EOFError):
                return False
            finally:
                self._title_app = None
            if self._pending is not None and (picked == LOAD_FAILED or (picked == "quit" and self._pending.failed)):
                self._pending.story()  # raises the StoryError listing every problem: never left unsaid
            if picked == "quit":
                return False
            if picked == "new":
                from adventure.play.session import Session

                clear()
                self.session = Session.new(self.story, self.seed if self.seed is not None else int.from_bytes(os.urandom(8), "little"))
                self.show_scene()
                return True
            if picked == "continue" and self.load_slot(saves.AUTOSAVE):
                return True
            if picked == "load":
                slot = self.pick_slot()
                if slot and self.load_slot(slot):
                    return True
            if picked == "endings":
                self.show_endings(found)

    def _title_header(self, page: TitlePage, found: list[str]) -> Callable[[], FormattedText]:
        """The title, blurb and endings count, drawn afresh at each render: the count
        appears once the story (which knows its endings) has loaded."""
        def header() -> FormattedText:
            app = self._title_app = get_app()  # first, so a load ending from now on redraws it
            if self._pending is not None:
                self._pending.start()  # only now: until the title is drawn it would compete for the CPU
            if self._prompt_session is None and app.loop is not None:
                app.loop.call_soon(self._prepare_game)
            fragments = [("class:title", f"\n  {clean(page.title)}\n")]
            if page.blurb:
                fragments.append(("class:body", "\n".join("  " + line for line in render.wrap(page.blurb, self.width() - 2)) + "\n"))
            if self._pending is None or (self._pending.ready and not self._pending.failed):
                endings = [scene.ending.id for scene in self.story.endings() if scene.ending is not None]
                fragments.append(
                    ("class:hint", f"  Endings found: {sum(1 for ending_id in endings if ending_id in found)} of {len(endings)}\n")
                )
            else:
                fragments.append(("class:hint", "\n"))
            return FormattedText(fragments)
        return header

    def _prepare_game(self) -> None:
        """While the player reads the title: import the game's modules and build its prompt,
        work kept off the title's way, and off the way from New game to the first prompt
        (keys typed between two screens can be lost, so that step stays short)."""
        from adventure.play import commands, plain, session  # noqa: F401 - imported now, used by turn()

        _ = self.prompt_session

    def _story_loaded(self) -> None:
        """On the loading thread: redraw the title screen, or leave it if the story is broken."""
        app = self._title_app
        if app is None or app.loop is None:
            return  # not drawn yet: its first drawing sees the loaded story
        if self._pending is not None and self._pending.failed:
            app.loop.call_soon_threadsafe(lambda: app.exit(result=LOAD_FAILED) if app.is_running else None)
        else:
            app.invalidate()  # thread safe

    def pick_slot(self) -> str | None:
        slots = saves.list_slots(self.persistence.folder)
        options = [
            (
                info.slot,
                f"{info.slot}  {info.time.replace('T', ' ')[:16]}  {info.description}" if not info.problem else f"{info.slot}  (damaged)",
            )
            for info in slots
        ]
        try:
            return choice_prompt("Load which game?", options=[*options, ("", "Back")], style=self.style)
        except (KeyboardInterrupt, EOFError):
            return None

    def load_slot(self, slot: str) -> bool:
        if self.session is None:
            from adventure.play.session import Session

            self.session = Session.new(self.story, 0)
            fresh = True
        else:
            fresh = False
        lines = self.persistence.load_command(self.session, slot)
        if lines[0].startswith("Loaded"):
            clear()
        else:
            self.say(*lines, style="class:error")
            if fresh:
                self.session = None
            return False
        self.show_scene(lines)
        return True

    def show_endings(self, found: list[str]) -> None:
        lines = ["Endings:"]
        for scene in self.story.endings():
            assert scene.ending is not None
            name = scene.ending.name if scene.ending.id in found else "???"
            lines.append(f"  {'*' if scene.ending.id in found else ' '} {name}")
        self.say(*lines)

    def game_loop(self) -> bool:
        """Play until the player quits; a Ctrl-C anywhere (not only at the prompt) asks first."""
        assert self.session is not None
        hooks = self.persistence.hooks()
        while True:
            try:
                if not self.turn(self.session, hooks):
                    return False
            except KeyboardInterrupt:
                if self.confirm_quit():
                    failure = self.persistence.autosave(self.session)
                    self.say(*(failure or ["Your game is saved. Goodbye."]))
                    return False

    def turn(self, session: Session, hooks: SaveHooks) -> bool:
        """Read and act on one line; False when the player leaves."""
        from adventure.play import commands
        from adventure.play.plain import exact_choice, pick
        from adventure.play.session import describe_events
        from adventure.rules.engine import ChoiceError

        line = self.ask()
        if line is None:  # Ctrl-D: save and quit
            failure = self.persistence.autosave(session)
            self.say(*(failure or ["Saved. Goodbye."]))
            return False
        if line == RELOAD:
            self.say("Story files changed.")
            text = "reload"
        else:
            text = line.strip()
        if not text:
            return True
        if text.lower() in ("look", "l"):
            self.show_scene()
            return True
        result = None if exact_choice(session, text) else commands.run(session, text, hooks)
        if result is not None:
            if result.quit:
                failure = self.persistence.autosave(session)
                self.say(*(failure or ["Your game is saved. Goodbye."]))
                return False
            if result.show_scene:
                self.story = session.story
                self.show_scene(result.lines)
            elif result.lines:
                self.say(*result.lines, style="")
            return True
        if session.ended:
            self.say("The story has ended. Type restart, load, undo or quit.")
            return True
        number = pick(session, text)
        if number is None:
            self.say(f"Type a number from 1 to {len(session.view().choices)}, part of a choice's words, or a command (help).")
            return True
        try:
            outcome = session.choose(number)
        except ChoiceError as err:
            self.say(f"{err}.")
            return True
        notes = describe_events(outcome.events, self.story) + self.persistence.autosave(session)
        self.show_scene(notes)
        return True


def run(story: Story | PendingStory, persistence: Persistence, color: bool = True, seed: int | None = None, watch: bool = False) -> int:
    """Run the terminal player; returns the exit code."""
    return Game(story, persistence, color, seed, watch).play()
