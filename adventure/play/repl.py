"""The terminal player: a prompt_toolkit REPL with a title screen, arrow-key choices and a status bar."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from prompt_toolkit import PromptSession
from prompt_toolkit.application import Application, get_app
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.output import ColorDepth
from prompt_toolkit.shortcuts import choice as choice_prompt
from prompt_toolkit.shortcuts import clear
from prompt_toolkit.styles import Style

from adventure.play import render, saves
from adventure.play.completion import ChoiceCompleter
from adventure.play.keys import choice_keys
from adventure.play.preload import PendingStory
from adventure.play.reply import Kind, Reply
from adventure.play.screen import Screen, toolbar_text
from adventure.play.shellhooks import Persistence, story_signature
from adventure.source.textsafe import clean
from adventure.story.titlepage import TitlePage

if TYPE_CHECKING:
    from adventure.play.session import Session
    from adventure.play.transcript import Transcript
    from adventure.play.turns import TurnLoop
    from adventure.story.model import Story

# The game's own modules (engine, session, turns) are imported where a game begins, not
# here: the title screen is drawn before them, while the story loads behind it.

RELOAD = "\x00reload"
LOAD_FAILED = "\x00load-failed"  # what the title screen answers when the story turns out broken
WATCH_SECONDS = 1.0


class Game:
    """One run of the terminal player."""

    def __init__(
        self,
        story: Story | PendingStory,
        persistence: Persistence,
        color: bool = True,
        seed: int | None = None,
        watch: bool = False,
        theme: str = "dark",
        cap: int | None = None,
        transcript: Transcript | None = None,
        setup: Callable[[TurnLoop], None] | None = None,
    ) -> None:
        self.setup = setup  # play --record, --debug: they follow or extend each game's turn loop
        self.watch = watch
        self.signature = story_signature(story.root) if watch else ()
        # A pending story is still loading: the title screen shows its title page meanwhile,
        # and the first use of `story` waits for it (raising StoryError if it is broken).
        self._pending = story if isinstance(story, PendingStory) else None
        self._story = None if isinstance(story, PendingStory) else story
        self._title_app: Application[str] | None = None
        self.persistence = persistence
        self.seed = seed
        self.cap = cap or render.WIDTH_LIMIT
        self.transcript = transcript
        self.loop: TurnLoop | None = None
        self.selected: int | None = None  # the highlighted choice; None until the player moves it
        self.style = Style.from_dict(render.THEMES[theme] if color else render.THEMES["mono"])
        self.color_depth = ColorDepth.DEPTH_8_BIT if color else ColorDepth.DEPTH_1_BIT
        self.screen = Screen(self.style, self.color_depth, cap or render.WIDTH_LIMIT)
        self.history = InMemoryHistory()
        self._prompt_session: PromptSession[str] | None = None

    @property
    def session(self) -> Session | None:
        return self.loop.session if self.loop is not None else None

    @property
    def prompt_session(self) -> PromptSession[str]:
        """The game's prompt, made when first needed: the title screen draws sooner without it."""
        if self._prompt_session is None:
            completer = ChoiceCompleter(
                lambda: self.session, lambda: self.persistence.folder, lambda: self.loop.commands.names() if self.loop is not None else ()
            )
            self._prompt_session = PromptSession(
                history=self.history, completer=completer, complete_while_typing=False,
                enable_history_search=True, key_bindings=choice_keys(self), color_depth=self.color_depth,
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
    def size(self) -> tuple[int, int]:
        return self.screen.size()

    def width(self) -> int:
        return self.screen.width()

    def show(self, lines: list[render.Line], page: bool = True) -> None:
        self.screen.show(lines, page, self._prompt_rows() if page else 0)

    def _prompt_rows(self) -> int:
        """The rows the prompt takes under the text: the choices (while a game goes on), the line typed, the status bar."""
        if self.session is None or self.session.ended:
            return 2
        return len(render.choices(self.session.view(), self.width(), None)) + 2

    def say(self, *messages: str, style: str = "class:hint", page: bool = False) -> None:
        width = self.width()
        self.show([[(style, part)] for message in messages for part in render.hanging(message, width)], page)

    def draw(self, reply: Reply) -> None:
        """A reply, drawn the terminal player's way."""
        if reply.kind is Kind.SCENE:
            self.show_scene(list(reply.lines), list(reply.after), reply.entered)
        elif reply.kind is Kind.ERROR:
            self.say(*reply.lines, style="class:error")
        elif reply.lines:
            self.say(*reply.lines, style="", page=reply.long)

    def show_scene(self, note_lines: list[str] | None = None, after: list[str] | None = None, entered: tuple[str, ...] = ()) -> None:
        assert self.session is not None
        view = self.session.view()
        width = self.width()
        self.selected = None
        self.show(render.notes(note_lines or [], width) + render.heading(view, width, entered) + render.body(view, width))
        if after:
            self.say(*after)

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
        status = self.session.status() if self.session else self.page().title
        return FormattedText([("class:toolbar", toolbar_text(status, self.size()[0]))])

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
        self.selected = None  # each prompt starts with nothing highlighted: a stray Enter does nothing
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
            if self.loop is None and not self.title_screen():
                return 0
            if self.loop is not None and not self.game_loop():
                return 0

    def start(self, session: Session, *notes: str) -> None:
        """Begin playing a game: a new one, a loaded one, or one started by --from."""
        from adventure.play.turns import TurnLoop

        self.loop = TurnLoop(session, self.persistence, self.seed, self.transcript)
        if self.setup is not None:
            self.setup(self.loop)
        self.draw(self.loop.opening(*notes))

    def title_screen(self) -> bool:
        """The title menu; False when the player quits."""
        if self._pending is not None and self._story is None:
            self._pending.when_done(self._story_loaded)
        while True:
            options: list[tuple[str, str]] = [("new", "New game")]
            if self.persistence.has_autosave():
                options.append(("continue", "Continue"))
            if any(info.slot != saves.AUTOSAVE for info in saves.list_slots(self.persistence.folder)):
                options.append(("load", "Load a saved game"))
            options += [("endings", "Endings found"), ("quit", "Quit")]
            page = self.page()
            try:
                picked = choice_prompt(
                    self._title_header(page), options=options, style=self.style,
                    default="continue" if options[1][0] == "continue" else "new",
                )
            except (KeyboardInterrupt, EOFError):
                return False
            finally:
                self._title_app = None
            if self._pending is not None and (picked == LOAD_FAILED or (picked == "quit" and self._pending.failed)):
                self._pending.story()  # raises the StoryError listing every problem: never left unsaid
            if picked == "quit":
                return False
            clear()  # each screen replaces the title, and the title comes back alone
            if picked == "new":
                from adventure.play.session import Session
                from adventure.play.turns import random_seed

                self.persistence.autosave_enabled = True
                self.start(Session.new(self.story, self.seed if self.seed is not None else random_seed()))
                return True
            if picked == "continue" and self.load_slot(saves.AUTOSAVE):
                return True
            if picked == "load":
                slot = self.pick_slot()
                clear()
                if slot and self.load_slot(slot):
                    return True
            if picked == "endings":
                self.show_endings()

    def _title_header(self, page: TitlePage) -> Callable[[], FormattedText]:
        """The title, blurb and endings count, drawn afresh at each render: the count
        appears once the story (which knows its endings) has loaded."""
        def header() -> FormattedText:
            app = self._title_app = get_app()  # first, so a load ending from now on redraws it
            if self._pending is not None:
                self._pending.start()  # only now: until the title is drawn it would compete for the CPU
            if self._prompt_session is None and app.loop is not None:
                app.loop.call_soon(self._prepare_game)
            width = self.width()
            fragments = [("class:title", "\n" + "\n".join("  " + line for line in render.wrap(page.title, width - 2)) + "\n")]
            if page.blurb:
                fragments.append(("class:body", "\n".join("  " + line for line in render.wrap(page.blurb, width - 2)) + "\n"))
            if self._pending is None or (self._pending.ready and not self._pending.failed):
                found = self.persistence.endings_found()
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
        from adventure.play import turns  # noqa: F401 - imported now, used when the game starts

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
        slots = [info for info in saves.list_slots(self.persistence.folder) if info.slot != saves.AUTOSAVE]
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
        from adventure.play.session import Session

        session = Session.new(self.story, 0)
        reply = self.persistence.load_command(session, slot)
        if reply.kind is not Kind.SCENE:
            self.say(*reply.lines, style="class:error")
            return False
        self.start(session, *reply.lines)
        return True

    def show_endings(self) -> None:
        lines = self.persistence.endings_list(self.story)
        with contextlib.suppress(KeyboardInterrupt, EOFError):  # Ctrl-C or Ctrl-D here only goes back to the title
            choice_prompt(
                FormattedText([("class:title", f"\n  {clean(lines[0])}\n\n"), ("", "\n".join("  " + line for line in lines[1:]) + "\n")]),
                options=[("back", "Back")], style=self.style,
            )
        clear()

    def game_loop(self) -> bool:
        """Play until the player quits (False) or goes back to the title (True); a Ctrl-C anywhere asks first."""
        assert self.loop is not None
        while True:
            try:
                kind = self.turn(self.loop)
            except KeyboardInterrupt:
                if self.confirm_quit():
                    failure = self.loop.leave()
                    self.say(*(failure or ["Your game is saved. Goodbye."]))
                    return False
                continue
            except SystemExit:  # SIGTERM, or SIGHUP as the terminal closed: saved as at Ctrl-D, nothing shown
                with contextlib.suppress(Exception):
                    self.loop.leave()
                raise
            if kind is Kind.QUIT:
                return False
            if kind is Kind.MENU:
                self.say(*self.loop.leave(close_transcript=False))
                self.transcript, self.loop = self.loop.transcript, None
                clear()
                return True

    def turn(self, loop: TurnLoop) -> Kind:
        """Read and act on one line; QUIT when the player leaves, MENU for the title screen."""
        line = self.ask()
        if line is None:  # Ctrl-D: save and quit
            failure = loop.leave()
            self.say(*(failure or ["Saved. Goodbye."]))
            return Kind.QUIT
        if line == RELOAD:
            self.say("Story files changed.")
            reply = loop.run("reload")
        else:
            reply = loop.handle(line)
        if reply.kind is Kind.SCENE:
            self.story = loop.session.story  # a reload may have changed it
        self.draw(reply)
        if reply.kind is Kind.QUIT:
            failure = loop.leave()
            self.say(*(failure or ["Your game is saved. Goodbye."]))
        return reply.kind


def run(story: Story | PendingStory, persistence: Persistence, color: bool = True, seed: int | None = None, watch: bool = False) -> int:
    """Run the terminal player; returns the exit code."""
    return Game(story, persistence, color, seed, watch).play()
