"""A game in progress: current state, bounded undo history and transcript, plus commands."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from adventure.rules import engine
from adventure.rules.engine import ChoiceError, CodexUnlocked, Outcome, Replied, SceneView, VariableChanged
from adventure.rules.state import GameState
from adventure.story.expr import format_value
from adventure.story.model import Story

UNDO_LIMIT = 200
TRANSCRIPT_LIMIT = 2000


@dataclass(slots=True)
class TranscriptLine:
    """One line of the game's history: a scene reached, or a choice made."""

    turn: int
    kind: str  # "scene", "choice" or "reply"
    text: str

    def to_data(self) -> list[object]:
        return [self.turn, self.kind, self.text]


@dataclass(slots=True)
class Session:
    """The mutable shell around the pure engine for one player's game."""

    story: Story
    state: GameState
    undo_stack: deque[GameState] = field(default_factory=lambda: deque(maxlen=UNDO_LIMIT))
    transcript: deque[TranscriptLine] = field(default_factory=lambda: deque(maxlen=TRANSCRIPT_LIMIT))
    last_events: tuple[engine.Event, ...] = ()
    last_stayed: bool = False  # the last move kept the player in the scene (no new scene text)
    debugged: bool = False  # the author's console (play --debug) changed this game: its saves say so

    @classmethod
    def new(cls, story: Story, seed: int = 0) -> Session:
        outcome = engine.new_game(story, seed)
        session = cls(story, outcome.state)
        session._record(outcome)
        return session

    @classmethod
    def at(cls, story: Story, outcome: Outcome) -> Session:
        session = cls(story, outcome.state)
        session._record(outcome)
        return session

    def _record(self, outcome: Outcome, stayed: bool = False) -> None:
        self.last_events = outcome.events
        self.last_stayed = stayed
        self.state = outcome.state
        for event in outcome.events:
            if isinstance(event, Replied):
                self.transcript.extend(TranscriptLine(outcome.state.turn, "reply", paragraph) for paragraph in event.paragraphs)
        if not stayed:
            scene = self.story.scenes[outcome.state.scene]
            self.transcript.append(TranscriptLine(outcome.state.turn, "scene", scene.title.render(outcome.state)))

    def view(self) -> SceneView:
        """The scene now, with the last move's reply (both players show what this returns)."""
        return engine.after_move(engine.view(self.story, self.state), self.last_events, self.last_stayed)

    def look(self) -> None:
        """The player asks to see the scene again: in full, without the last move's reply."""
        self.last_events, self.last_stayed = (), False

    @property
    def ended(self) -> bool:
        return self.story.scenes[self.state.scene].ending is not None

    def choose(self, number: int) -> Outcome:
        """Take a listed choice; raises ChoiceError with a player-facing message."""
        outcome = engine.choose(self.story, self.state, number)  # raises before anything changes
        label = engine.listed(self.story, self.state)[number - 1][0].label.render(self.state)
        self.undo_stack.append(self.state)
        self.transcript.append(TranscriptLine(self.state.turn, "choice", label))
        self._record(outcome, engine.stayed(outcome.events))
        return outcome

    def undo(self, steps: int = 1) -> int:
        """Go back up to `steps` choices; returns how many were undone."""
        done = 0
        while done < steps and self.undo_stack:
            self.state = self.undo_stack.pop()
            done += 1
        if done:
            self.transcript.append(
                TranscriptLine(self.state.turn, "scene", f"(undid {done}) " + self.story.scenes[self.state.scene].title.render(self.state))
            )
            self.last_events, self.last_stayed = (), False
        return done

    def restart(self, seed: int = 0) -> None:
        self.undo_stack.append(self.state)
        self._record(engine.new_game(self.story, seed))

    def resume(self, state: GameState, undo: list[GameState], transcript: list[TranscriptLine]) -> None:
        """Continue a saved game: its state, undo steps and transcript replace this one's."""
        self.undo_stack.clear()
        self.undo_stack.extend(undo)
        self.transcript.clear()
        self.transcript.extend(transcript)
        self.state = state
        self.last_events, self.last_stayed = (), False

    def replace_story(self, story: Story) -> str:
        """Switch to an edited version of the story, keeping the game; '' or why not."""
        from adventure.rules.state import StateError, state_from_data

        try:
            state = state_from_data(self.state.to_data(), story)
        except StateError as err:
            return str(err)
        undo = []
        for old in self.undo_stack:
            try:
                undo.append(state_from_data(old.to_data(), story))
            except StateError:
                continue  # an undo step the new version cannot place is dropped
        self.story, self.state = story, state
        self.undo_stack.clear()
        self.undo_stack.extend(undo)
        return ""

    def status(self) -> str:
        return engine.status_line(self.story, self.state)

    def recap(self) -> list[str]:
        return engine.recap(self.story, self.state)

    def codex_list(self) -> list[tuple[str, str]]:
        return engine.codex_entries(self.story, self.state)

    def find_codex(self, query: str) -> str | None:
        """An unlocked entry by id, title, or a unique part of either."""
        wanted = query.strip().lower()
        entries = self.codex_list()
        for entry_id, title in entries:
            if wanted in (entry_id.lower(), title.lower()):
                return entry_id
        matches = [entry_id for entry_id, title in entries if wanted in entry_id.lower() or wanted in title.lower()]
        return matches[0] if len(matches) == 1 else None

    def codex_text(self, entry_id: str) -> list[str]:
        return engine.codex_text(self.story, self.state, entry_id)

    def history(self) -> list[str]:
        prefixes = {"choice": "  > ", "reply": "    "}
        return [prefixes.get(line.kind, "") + line.text for line in self.transcript]


def status_variables(story: Story) -> frozenset[str]:
    """Variables the story's status line shows: the ones the player is meant to track."""
    if story.status is None:
        return frozenset()
    names: set[str] = set()
    for expression in story.status.expressions():
        names |= expression.reads
    return frozenset(names)


def announced_variables(story: Story) -> frozenset[str]:
    """Variables whose changes the player is told of: those the status line shows and those
    with a `label`, less the `silent` ones."""
    labelled = {name for name, variable in story.variables.items() if variable.label}
    return frozenset(name for name in status_variables(story) | labelled if not story.variables[name].silent)


def describe_events(events: tuple[engine.Event, ...], story: Story) -> list[str]:
    """Short notes on what a move changed: codex entries, and the announced variables, each
    under its label and with set members by the names the player reads."""
    notes = []
    tracked = announced_variables(story)
    for event in events:
        if isinstance(event, CodexUnlocked):
            notes.append(f"New codex entry: {event.title} (type: codex {event.entry})")
        elif isinstance(event, VariableChanged) and event.name in tracked:
            variable = story.variables[event.name]
            shown = variable.shown
            old, new = event.old, event.new
            if isinstance(old, frozenset) and isinstance(new, frozenset):
                gained = sorted(variable.member(member) for member in new - old)
                lost = sorted(variable.member(member) for member in old - new)
                if gained:
                    notes.append(f"{shown}: + {', '.join(gained)}")
                if lost:
                    notes.append(f"{shown}: - {', '.join(lost)}")
            elif isinstance(old, int) and isinstance(new, int) and not isinstance(old, bool):
                change = new - old
                notes.append(f"{shown}: {'+' if change > 0 else ''}{change} (now {new})")
            else:
                notes.append(f"{shown}: {format_value(new)}")
    return notes


__all__ = ["ChoiceError", "Session", "TranscriptLine", "announced_variables", "describe_events", "status_variables"]
