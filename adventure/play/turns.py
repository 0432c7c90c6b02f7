"""One turn loop for both players: what one typed line does to the game, as a typed Reply."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace

from adventure.play import saves
from adventure.play.commands import Command, Commands, builtin
from adventure.play.reply import Kind, Reply, error, scene, sentence, text
from adventure.play.session import Session, describe_events
from adventure.play.shellhooks import Persistence
from adventure.play.transcript import Transcript
from adventure.rules.engine import ChoiceError, Outcome, SceneEntered, SceneView, exact_label, find_choice
from adventure.rules.state import GameState
from adventure.source.textsafe import clean
from adventure.story.record import Record

REPEAT = ("again", "g")
DEFAULT_TRANSCRIPT = "adventure-transcript.txt"


def random_seed() -> int:
    return int.from_bytes(os.urandom(8), "little")


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Question(Record):
    """A typed line that was both a command and the start of a choice's label: which was meant?"""

    number: int
    line: str


class TurnLoop:
    """The game between the player and the engine, without any drawing.

    `handle` takes one typed line and returns a Reply; after any change to the game
    (a choice, undo, restart, load, reload) the game is autosaved. `commands` is the
    table of commands, which a player (or an author's console) may add to.
    """

    def __init__(
        self, session: Session, persistence: Persistence | None = None, seed: int | None = None, transcript: Transcript | None = None
    ) -> None:
        self.session = session
        self.persistence = persistence
        self.transcript = transcript
        self.commands: Commands = builtin(persistence.hooks() if persistence is not None else None, self._restart_seed(seed))
        script = Command("script on [FILE]", "write what you see and type to FILE as you play (script off stops)", self._script)
        self.commands.add("script", script)
        self._saved = session.state  # the state the autosave holds (or the one the game began in)
        self._last = ""  # the last line typed, for `again`
        self._question: Question | None = None
        # what others (play --record, an author's console) follow: each choice taken, and leaving
        self.on_choice: list[Callable[[GameState, int, Outcome], None]] = []
        self.on_leave: list[Callable[[Session], list[str]]] = []

    @staticmethod
    def _restart_seed(seed: int | None) -> Callable[[], int]:
        # a fixed --seed replays the same dice after a restart; otherwise each restart rolls anew
        return (lambda: seed) if seed is not None else random_seed

    # --- what the players call -------------------------------------------------------------

    def opening(self, *notes: str) -> Reply:
        """The scene the game starts (or continues) at, with any notices before it."""
        return self._write(None, self._finish(scene(*notes)))

    def handle(self, line: str) -> Reply:
        """What one typed line does."""
        return self._write(line.strip(), self._finish(self._handle(line.strip())))

    def run(self, name: str, argument: str = "") -> Reply:
        """Run a command the player did not type (the file watcher's reload)."""
        command = self.commands.find(name)
        if command is None:
            return error(f"Unknown command {name!r}.")
        return self._write(None, self._finish(command.run(self.session, argument)))

    def leave(self, close_transcript: bool = True) -> list[str]:
        """The player is leaving the game (quit, menu, end of input, Ctrl-C): autosave if anything is unsaved."""
        notes = self._autosave()
        for hook in self.on_leave:
            notes += hook(self.session)
        if close_transcript and self.transcript is not None:
            self.transcript.close()
            self.transcript = None
        return notes

    @property
    def question(self) -> Question | None:
        return self._question

    # --- one line ---------------------------------------------------------------------------

    def _handle(self, typed: str) -> Reply:
        question, self._question = self._question, None
        if question is not None:
            answer = typed.lower()
            if answer in ("y", "yes"):
                return self._choose(question.number)
            if answer in ("n", "no"):
                return self._command(question.line, force=True) or error("Unknown command.")
            # anything else: the question lapses and the line is taken as it was typed
        if not typed:
            return Reply(Kind.MENU) if self.session.ended else Reply(Kind.NOTHING)
        if typed.lower() in REPEAT:
            if not self._last:
                return error("There is nothing to repeat yet.")
            typed = self._last
        self._last = typed
        view = self.session.view()
        exact = None if self.session.ended else exact_label(view, typed)
        if exact is not None:  # a whole label ("Save it for after") is a choice, even if it starts like a command
            return self._choose(exact)
        command = self._command(typed)
        if command is not None:
            return command
        if self.session.ended:
            return error("The story has ended. Press Enter for the title screen, or type restart, load, undo or quit.")
        number = find_choice(view, typed)
        if number is None:
            return error(
                f"Unknown command or choice: {clean(typed)!r}.",
                f"Type a choice's number (1-{len(view.choices)}), part of its words, or help for the commands."
                if view.choices else "Type help for the commands.",
            )
        return self._choose(number)

    def _command(self, typed: str, force: bool = False) -> Reply | None:
        """Run a typed command; None when the line is not one. A command with words after it
        that also begin a choice's label ("save it" and "Save it for after") asks first."""
        words = typed.split(maxsplit=1)
        command = self.commands.find(words[0]) if words else None
        if command is None:
            return None
        argument = words[1].strip() if len(words) > 1 else ""
        if argument and not force and not self.session.ended:
            choice = label_starting(self.session.view(), typed)
            if choice is not None:
                self._question = Question(choice[0], typed)
                return text(
                    f"Did you mean choice {choice[0]}, {clean(choice[1])!r}, or the command {clean(typed)!r}?",
                    "Type y for the choice, n for the command.",
                )
        return command.run(self.session, argument)

    def _choose(self, number: int) -> Reply:
        before = self.session.state
        try:
            outcome = self.session.choose(number)
        except ChoiceError as err:
            return error(sentence(str(err)))
        for hook in self.on_choice:
            hook(before, number, outcome)
        story = self.session.story
        entry = next((index for index, event in enumerate(outcome.events) if isinstance(event, SceneEntered)), len(outcome.events))
        # the choice's own notes first; what entering the next scene changed comes after its reply
        return scene(*describe_events(outcome.events[:entry], story), entered=tuple(describe_events(outcome.events[entry:], story)))

    def _script(self, session: Session, argument: str) -> Reply:
        words = argument.split(maxsplit=1)
        if not words or words[0].lower() not in ("on", "off"):
            where = f" (now writing to {self.transcript.path})" if self.transcript is not None else ""
            return error(f"Usage: script on [FILE], or script off{where}.")
        if words[0].lower() == "off":
            if self.transcript is None:
                return error("No transcript is being written.")
            path = self.transcript.path
            self.transcript.close()
            self.transcript = None
            return text(f"Transcript to {path} stopped.")
        path = words[1].strip() if len(words) > 1 else DEFAULT_TRANSCRIPT
        try:
            file = saves.TranscriptFile(path)
        except saves.SaveError as err:
            return error(str(err))
        if self.transcript is not None:
            self.transcript.close()
        self.transcript = Transcript(file)
        return text(f"Writing a transcript to {path}" + (" (JSON lines)." if self.transcript.json_lines else "."))

    # --- after every line -------------------------------------------------------------------

    def _autosave(self) -> list[str]:
        if self.session.state is self._saved:
            return []
        self._saved = self.session.state
        return self.persistence.autosave(self.session) if self.persistence is not None else []

    def _finish(self, reply: Reply) -> Reply:
        """Autosave after any change of state; say what a scene's reader needs after it."""
        failures = tuple(self._autosave())
        if reply.kind is Kind.SCENE:
            return replace(reply, lines=reply.lines + failures, after=self._after_scene())
        return replace(reply, lines=reply.lines + failures) if failures else reply

    def _after_scene(self) -> tuple[str, ...]:
        view = self.session.view()
        if view.ending is not None:
            note = self.persistence.ending_note(self.session) if self.persistence is not None else []
            return (*note, "Press Enter for the title screen, or type restart, undo, load or quit.")
        if not any(choice.enabled for choice in view.choices):
            return ("No choice is open to you here. Type undo to step back, restart to begin again, or menu.",)
        return ()

    def _write(self, typed: str | None, reply: Reply) -> Reply:
        """Add the turn to the transcript, if one is being written."""
        if self.transcript is None:
            return reply
        problem = self.transcript.turn(self.session, typed, reply)
        if not problem:
            return reply
        self.transcript.close()  # a transcript that cannot be written stops; the game goes on
        self.transcript = None
        return replace(reply, lines=(*reply.lines, problem))


def label_starting(view: SceneView, typed: str) -> tuple[int, str] | None:
    """The one enabled choice whose label begins with the typed words (whole words), if any."""
    wanted = " ".join(typed.lower().split())
    matches = [
        (choice.number, choice.label)
        for choice in view.choices
        if choice.enabled and (label := " ".join(choice.label.lower().split())).startswith(wanted)
        and (len(label) == len(wanted) or not label[len(wanted)].isalnum())
    ]
    return matches[0] if len(matches) == 1 else None
