"""What a move reports: the events, in order, and the Outcome that carries them with the new state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adventure.rules.state import GameState
from adventure.story.expr import Value
from adventure.story.model import Ending
from adventure.story.record import Record
from adventure.story.twins import unfrozen_twin


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class VariableChanged(Record):
    """A variable took a new value."""

    name: str
    old: Value
    new: Value


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class CodexUnlocked(Record):
    """A codex entry became readable."""

    entry: str
    title: str


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class SceneEntered(Record):
    """The game moved into a scene."""

    scene: str


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class EndingReached(Record):
    """The game reached one of the story's endings."""

    ending: Ending


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Replied(Record):
    """A choice's reply, as the player reads it before what comes next."""

    paragraphs: tuple[str, ...]


Event = VariableChanged | CodexUnlocked | SceneEntered | EndingReached | Replied


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Outcome(Record):
    """The result of a move: the new state and the events, in order."""

    state: GameState
    events: tuple[Event, ...]


# What nearly every move builds, through unfrozen twins (story/twins.py).
EnteredTwin: Any = unfrozen_twin(SceneEntered, "scene")
ChangedTwin: Any = unfrozen_twin(VariableChanged, "name", "old", "new")
OutcomeTwin: Any = unfrozen_twin(Outcome, "state", "events")


def scene_entered(scene: str) -> SceneEntered:
    """SceneEntered(scene), built quicker."""
    made = EnteredTwin()
    made.scene = scene
    made.__class__ = SceneEntered
    event: SceneEntered = made
    return event


def variable_changed(name: str, old: Value, new: Value) -> VariableChanged:
    """VariableChanged(name, old, new), built quicker."""
    made = ChangedTwin()
    made.name = name
    made.old = old
    made.new = new
    made.__class__ = VariableChanged
    event: VariableChanged = made
    return event


def outcome(state: GameState, events: tuple[Event, ...]) -> Outcome:
    """Outcome(state, events), built quicker: every move builds one."""
    made = OutcomeTwin()
    made.state = state
    made.events = events
    made.__class__ = Outcome
    result: Outcome = made
    return result
