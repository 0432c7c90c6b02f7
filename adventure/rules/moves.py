"""The one implementation of a move's rules, applied in place to a working state the caller owns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import cast

from adventure.rules.state import GameState, copied, next_random
from adventure.story.expr import Value
from adventure.story.model import AddInt, Choice, Effect, Ending, Pick, Roll, SetAdd, SetRemove, SetVar, Story, Unlock

# --- events ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VariableChanged:
    name: str
    old: Value
    new: Value


@dataclass(frozen=True, slots=True)
class CodexUnlocked:
    entry: str
    title: str


@dataclass(frozen=True, slots=True)
class SceneEntered:
    scene: str


@dataclass(frozen=True, slots=True)
class EndingReached:
    ending: Ending


Event = VariableChanged | CodexUnlocked | SceneEntered | EndingReached


# --- the working state ------------------------------------------------------------------


class Working:
    """A state being changed by a move. The engine's pure functions make one from a copy
    of a GameState and freeze it again; the explorer keeps one for a whole playthrough, so
    a move costs no copies. Expressions read it like a GameState (.vars, .visits, ...)."""

    __slots__ = ("rng", "scene", "turn", "unlocked", "used", "vars", "visits")

    def __init__(
        self, scene: str, variables: Mapping[str, Value], visits: dict[str, int], turn: int, rng: int,
        used: frozenset[str], unlocked: frozenset[str],
    ) -> None:
        # `vars` is written only by effects, and whoever runs effects hands in a dict it owns;
        # a move without effects may keep a state's mapping, shared, as GameStates do.
        self.scene, self.vars, self.visits, self.turn = scene, variables, visits, turn
        self.rng, self.used, self.unlocked = rng, used, unlocked

    @classmethod
    def of(cls, state: GameState, copy_vars: bool) -> Working:
        """A working copy of `state` (its variables copied only when effects will run)."""
        variables = copied(state.vars) if copy_vars else state.vars
        return cls(state.scene, variables, copied(state.visits), state.turn, state.rng, state.used, state.unlocked)

    def freeze(self) -> GameState:
        """The state as an immutable value: the dicts this working copy owns go behind
        read-only views (not copied: the working copy is not used again)."""
        variables = self.vars
        if type(variables) is dict:
            variables = MappingProxyType(variables)
        return GameState(self.scene, variables, MappingProxyType(self.visits), self.turn, self.rng, self.used, self.unlocked)


# --- a move -------------------------------------------------------------------------------


def step_into(story: Story, work: Working, choice: Choice, events: list[Event] | None = None, draws: list[int] | None = None) -> None:
    """Take a choice already known to be available, and move to its target."""
    scene = story.scenes[choice.target]
    move_into(story, work, choice.effects, choice.key if choice.once else None, choice.target, scene.on_enter, events, draws)
    if events is not None and scene.ending is not None:
        events.append(EndingReached(scene.ending))


def move_into(
    story: Story, work: Working, effects: Sequence[Effect], once_key: str | None, target: str, on_enter: Sequence[Effect],
    events: list[Event] | None = None, draws: list[int] | None = None,
) -> None:
    """A move, from the parts of a choice and its target that it needs (so that a caller
    holding them already reads no more): the choice's effects, which still see the scene
    and turn being left; its once-only mark; the next turn; then entering the target."""
    if effects:
        apply_effects(story, work, effects, events, draws)
    if once_key is not None:
        work.used = work.used | {once_key}
    work.turn += 1
    enter_into(story, work, target, on_enter, events, draws)


def enter_into(
    story: Story, work: Working, target: str, on_enter: Sequence[Effect], events: list[Event] | None, draws: list[int] | None
) -> None:
    """Enter a scene: count the visit, then run its on_enter effects, which already see the
    new scene, visit count and turn."""
    if events is not None:
        events.append(SceneEntered(target))
    visits = work.visits
    visits[target] = visits.get(target, 0) + 1
    work.scene = target
    if on_enter:
        apply_effects(story, work, on_enter, events, draws)


def _draw(rng: int, draws: list[int] | None) -> tuple[int, int]:
    if draws:
        return draws.pop(0), rng
    return next_random(rng)


def apply_effects(
    story: Story, work: Working, effects: Sequence[Effect], events: list[Event] | None, draws: list[int] | None = None
) -> None:
    """Run effects in order on `work`, so computed values see earlier effects; events are
    recorded unless `events` is None. `draws`, when given, scripts the raw random numbers."""
    variables = cast("dict[str, Value]", work.vars)  # owned by the caller whenever effects run
    for effect in effects:
        kind = type(effect)
        if kind is Unlock:
            unlocked = work.unlocked
            for entry in effect.entries:  # type: ignore[union-attr]
                if entry not in unlocked:
                    unlocked = unlocked | {entry}
                    if events is not None:
                        events.append(CodexUnlocked(entry, story.codex[entry].title))
            work.unlocked = unlocked
            continue
        name = effect.name  # type: ignore[union-attr]
        old = variables[name]
        new: Value
        if kind is AddInt:
            new = _clamp(story, name, old + effect.amount)  # type: ignore[operator, union-attr]
        elif kind is SetAdd:
            new = old | effect.members  # type: ignore[operator, union-attr]
        elif kind is SetRemove:
            new = old - effect.members  # type: ignore[operator, union-attr]
        elif kind is SetVar:
            if effect.computed is not None:  # type: ignore[union-attr]
                new = effect.computed.evaluate(work)  # type: ignore[union-attr]
            else:
                new = effect.value  # type: ignore[union-attr, assignment]
            if isinstance(new, int) and not isinstance(new, bool):
                new = _clamp(story, name, new)
        elif kind is Roll:
            number, work.rng = _draw(work.rng, draws)
            new = effect.low + number % (effect.high - effect.low + 1)  # type: ignore[union-attr]
            new = _clamp(story, name, new)
        else:
            assert kind is Pick
            number, work.rng = _draw(work.rng, draws)
            new = effect.options[number % len(effect.options)]  # type: ignore[union-attr]
        if new != old:
            variables[name] = new
            if events is not None:
                events.append(VariableChanged(name, old, new))


INT_LIMIT = 2**53  # beyond this a counter is a runaway loop, and JSON readers lose precision


def _clamp(story: Story, name: str, value: int) -> int:
    variable = story.variables[name]
    low = variable.min if variable.min is not None else -INT_LIMIT
    high = variable.max if variable.max is not None else INT_LIMIT
    if value < low:
        return low
    if value > high:
        return high
    return value
