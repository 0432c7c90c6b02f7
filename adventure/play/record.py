"""play --record: the game played, written as a walkthrough that `adventure test` passes as written."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import yaml

from adventure.play.session import Session
from adventure.rules import engine
from adventure.rules.state import GameState
from adventure.source.files import write_atomically
from adventure.story.expr import Value

SEE_LENGTH = 60  # a `see` line quotes at most this much of what was shown


@dataclass(slots=True)
class Move:
    """One choice of a recorded game: the state before it, the number chosen, and what it did."""

    before: GameState
    number: int
    outcome: engine.Outcome


@dataclass(slots=True)
class Recorder:
    """Follows a game's choices (undo included: the file holds the path to where the game
    stands when the player leaves) and writes them as a walkthrough."""

    path: str
    start: GameState
    seed: int
    start_scene: str | None = None
    start_values: dict[str, Value] = field(default_factory=dict)
    moves: dict[int, Move] = field(default_factory=dict)  # by id() of the state each move led to
    written: bool = False

    def chose(self, before: GameState, number: int, outcome: engine.Outcome) -> None:
        self.moves[id(outcome.state)] = Move(before, number, outcome)

    def finish(self, session: Session) -> list[str]:
        """Write the walkthrough; the notes to show the player."""
        if self.written:
            return []
        self.written = True
        if self.start.turn != 0:
            return [f"Nothing recorded to {self.path}: a recording begins with a new game, not a loaded one."]
        chain: list[Move] = []
        state = session.state
        while state is not self.start:
            move = self.moves.get(id(state))
            if move is None or move.outcome.state is not state:
                return [f"Nothing recorded to {self.path}: the game was restarted or loaded, so it no longer follows from its start."]
            chain.append(move)
            state = move.before
        chain.reverse()
        try:
            write_atomically(self.path, walkthrough_text(session, self, chain).encode("utf-8"))
        except OSError as err:
            return [f"Could not write {self.path}: {err.strerror or err}."]
        return [f"Recorded {len(chain)} choice{'s' if len(chain) != 1 else ''} to {self.path} (run it with: adventure test {self.path})."]


def _see(view: engine.SceneView) -> str | None:
    """A line of what the player was shown, for a `see` step: the title, or after a stay the reply."""
    shown = (view.reply[0] if view.reply else "") if view.stayed else view.title
    shown = shown.strip().splitlines()[0].strip() if shown.strip() else ""
    return shown[:SEE_LENGTH].rsplit(" ", 1)[0] if len(shown) > SEE_LENGTH else (shown or None)


def walkthrough_text(session: Session, recorder: Recorder, chain: list[Move]) -> str:
    story = session.story
    steps: list[dict[str, object]] = []
    previous: engine.Outcome | None = None
    for move in [*chain, None]:
        state = move.before if move is not None else session.state
        view = engine.view(story, state)
        if previous is not None:
            view = engine.after_move(view, previous.events, engine.stayed(previous.events))
        seen = _see(view)
        if seen:
            steps.append({"see": seen})
        if move is None:
            break
        label = view.choices[move.number - 1].label
        steps.append({"choose": label if engine.find_choice(view, label) == move.number else move.number})
        previous = move.outcome
    steps.append({"scene": session.state.scene})
    ending = story.scenes[session.state.scene].ending
    if ending is not None:
        steps.append({"ending": ending.id})
    document: dict[str, object] = {
        "name": f"Recorded playthrough of {story.title}",
        "story": os.path.relpath(story.root, os.path.dirname(os.path.abspath(recorder.path))),
        "seed": recorder.seed,
    }
    if recorder.start_scene is not None or recorder.start_values:
        start: dict[str, object] = {"scene": recorder.start_scene or story.start}
        if recorder.start_values:
            start["set"] = {name: sorted(value) if isinstance(value, frozenset) else value for name, value in recorder.start_values.items()}
        document["start"] = start
    document["steps"] = steps
    header = "# Written by adventure play --record: what was chosen, and what was seen on the way.\n"
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=1000)
