"""The one implementation of a move's rules, applied in place to a working state the caller owns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from adventure.rules.events import CodexUnlocked as CodexUnlocked
from adventure.rules.events import EndingReached as EndingReached
from adventure.rules.events import EnteredTwin, Outcome, outcome
from adventure.rules.events import Event as Event
from adventure.rules.events import Replied as Replied
from adventure.rules.events import SceneEntered as SceneEntered
from adventure.rules.events import VariableChanged as VariableChanged
from adventure.rules.events import scene_entered as scene_entered
from adventure.rules.events import variable_changed as variable_changed
from adventure.rules.state import GameState, built_state, next_random
from adventure.rules.text import render_text
from adventure.story.expr import INT_LIMIT as INT_LIMIT
from adventure.story.expr import Value
from adventure.story.model import (
    MAX_DETOUR_DEPTH,
    AddInt,
    Choice,
    Effect,
    Ending,
    Pick,
    Roll,
    SetAdd,
    SetRemove,
    SetVar,
    Story,
    Unlock,
    When,
)


class DetourError(ValueError):
    """A detour taken when detours already nest as deep as they may (a detour that never returns)."""


# --- the working state ------------------------------------------------------------------


class Chance:
    """Scripted outcomes of random draws, for tools that enumerate chance: draw i takes
    `script[i]`, later draws take 0; the size of every draw is recorded."""

    __slots__ = ("script", "sizes")

    def __init__(self, script: Sequence[int] = ()) -> None:
        self.script = script
        self.sizes: list[int] = []

    def draw(self, size: int) -> int:
        index = len(self.sizes)
        self.sizes.append(size)
        return self.script[index] % size if index < len(self.script) else 0


class Working:
    """A state being changed by a move. The engine's pure functions make one from a copy
    of a GameState and seal it into the next; the explorer keeps one for a whole playthrough,
    so a move costs no copies. Expressions read it like a GameState (.vars, .visits, ...)."""

    # GameState's own slots, so that seal() can turn this very object into one
    __slots__ = GameState.__slots__

    def __init__(
        self, scene: str, variables: Mapping[str, Value], visits: dict[str, int], turn: int, rng: int,
        used: frozenset[str], unlocked: frozenset[str], stack: tuple[str, ...] = (), seed: int = 0,
    ) -> None:
        # `vars` is written only by effects, and whoever runs effects hands in a dict it owns;
        # a move without effects may keep a state's mapping, shared, as GameStates do.
        self.scene, self.vars, self.visits, self.turn = scene, variables, visits, turn
        self.rng, self.used, self.unlocked, self.stack, self.seed = rng, used, unlocked, stack, seed

    @classmethod
    def of(cls, state: GameState, copy_vars: bool) -> Working:
        """A working copy of `state` (its variables copied only when effects will run)."""
        # a state's read-only view copies by its own copy(), many times quicker than dict(view)
        variables = state.vars
        if copy_vars:
            variables = variables.copy() if variables.__class__ is MappingProxyType else dict(variables)
        visits = state.visits
        work = _new(cls)  # every slot is set here: quicker than a call of __init__
        work.scene, work.vars, work.turn, work.rng = state.scene, variables, state.turn, state.rng
        work.visits = visits.copy() if visits.__class__ is MappingProxyType else dict(visits)
        work.used, work.unlocked, work.stack, work.seed = state.used, state.unlocked, state.stack, state.seed
        return work

    def freeze(self) -> GameState:
        """The state as an immutable value, a new object: the dicts this working copy owns go
        behind read-only views (not copied: the working copy is not used again)."""
        variables = self.vars
        if type(variables) is dict:
            variables = MappingProxyType(variables)
        return built_state(
            self.scene, variables, MappingProxyType(self.visits), self.turn, self.rng, self.used, self.unlocked, self.stack, self.seed
        )

    def seal(self) -> GameState:
        """The state as an immutable value made of this very object, which becomes the GameState
        (its class is assigned: the two lay out the same slots), its dicts behind read-only views.
        Quicker than freeze() by a copy of every field; the working copy is gone afterwards."""
        if type(self) is not Working:
            return self.freeze()  # a subclass has more slots than a GameState
        made: Any = self
        variables = self.vars
        if type(variables) is dict:
            made.vars = MappingProxyType(variables)
        made.visits = MappingProxyType(self.visits)
        made.__class__ = GameState
        state: GameState = made
        return state

    def draw(self, size: int) -> int:
        """A random whole number from 0 to size - 1, from the game's generator."""
        number, self.rng = next_random(self.rng)
        return number % size


class Scripted(Working):
    """A working state whose random draws come from a script (for tools that enumerate chance)."""

    __slots__ = ("chance",)

    def __init__(self, work: Working, chance: Chance) -> None:
        super().__init__(work.scene, work.vars, work.visits, work.turn, work.rng, work.used, work.unlocked, work.stack, work.seed)
        self.chance = chance

    def draw(self, size: int) -> int:
        """What the script says for this draw."""
        return self.chance.draw(size)


_new = object.__new__


# --- a move -------------------------------------------------------------------------------


def step_into(story: Story, work: Working, choice: Choice, events: list[Event] | None = None) -> None:
    """Take a choice already known to be available: its effects, its reply, and where it leads."""
    flow = choice.flow
    if flow == "goto":
        scene = story.scenes[choice.target]
        move_into(story, work, choice.effects, choice.key if choice.once else None, choice.target, scene.on_enter, events, choice)
    else:
        if choice.effects:
            apply_effects(story, work, choice.effects, events)
        if choice.once:
            work.used = work.used | {choice.key}
        if choice.counted:
            _count(work, choice.key)
        if events is not None and choice.reply:
            _reply(work, choice, events)
        work.turn += 1
        if flow == "stay":
            return
        if flow == "detour":
            if len(work.stack) >= MAX_DETOUR_DEPTH:
                raise DetourError(
                    f"choice {choice.key} goes into a detour while {MAX_DETOUR_DEPTH} detours are already open: "
                    "a detour that never returns? (each detour needs a choice with `return: true`)"
                )
            work.stack = (*work.stack, work.scene)
            target = choice.target
        else:
            target, work.stack = work.stack[-1], work.stack[:-1]
        scene = story.scenes[target]
        enter_into(story, work, target, scene.on_enter, events)
    if events is not None and scene.ending is not None:
        events.append(EndingReached(scene.ending))


def _count(work: Working, key: str) -> None:
    """Count a choice whose reply has sequences, in the visits beside the scenes (its key has a `#`)."""
    visits = work.visits
    visits[key] = visits.get(key, 0) + 1


def _reply(work: Working, choice: Choice, events: list[Event]) -> None:
    events.append(Replied(tuple(render_text(choice.reply, work))))


def move_into(
    story: Story, work: Working, effects: Sequence[Effect], once_key: str | None, target: str, on_enter: Sequence[Effect],
    events: list[Event] | None = None, choice: Choice | None = None,
) -> None:
    """A goto move, from the parts of a choice and its target that it needs (so that a caller
    holding them already reads no more): the choice's effects, which still see the scene
    and turn being left; its once-only mark; its reply; the next turn; then entering the target."""
    if effects:
        apply_effects(story, work, effects, events)
    if once_key is not None:
        work.used = work.used | {once_key}
    if choice is not None:
        if choice.counted:
            _count(work, choice.key)
        if events is not None and choice.reply:
            _reply(work, choice, events)
    work.turn += 1
    enter_into(story, work, target, on_enter, events)


def enter_into(story: Story, work: Working, target: str, on_enter: Sequence[Effect], events: list[Event] | None) -> None:
    """Enter a scene: count the visit, then run its on_enter effects, which already see the
    new scene, visit count and turn."""
    if events is not None:
        events.append(scene_entered(target))
    visits = work.visits
    visits[target] = visits.get(target, 0) + 1
    work.scene = target
    if on_enter:
        apply_effects(story, work, on_enter, events)


def goto_move(
    story: Story, state: GameState, choice: Choice, on_enter: Sequence[Effect], ending: Ending | None
) -> tuple[GameState, tuple[Event, ...]]:
    """A goto choice taken from a state, given its target's entry effects and ending: the state and
    events that Working.of, step_into and seal give (tested equal), in one function, because
    nearly every move a player makes is one; its steps are move_into's and enter_into's."""
    effects = choice.effects
    variables = state.vars
    if effects or on_enter:
        variables = variables.copy() if variables.__class__ is MappingProxyType else dict(variables)
    visits = state.visits
    visits = visits.copy() if visits.__class__ is MappingProxyType else dict(visits)
    work = _new(Working)
    work.scene, work.vars, work.visits, work.turn, work.rng = state.scene, variables, visits, state.turn, state.rng
    work.used, work.unlocked, work.stack, work.seed = state.used, state.unlocked, state.stack, state.seed
    events: list[Event] = []
    if effects:
        apply_effects(story, work, effects, events)
    if choice.once:
        work.used = work.used | {choice.key}
    if choice.counted:
        _count(work, choice.key)
    if choice.reply:
        _reply(work, choice, events)
    work.turn += 1
    target = choice.target
    entered = EnteredTwin()
    entered.scene = target
    entered.__class__ = SceneEntered
    events.append(entered)
    visits[target] = visits.get(target, 0) + 1
    work.scene = target
    if on_enter:
        apply_effects(story, work, on_enter, events)
    if ending is not None:
        events.append(EndingReached(ending))
    made: Any = work  # sealed as seal() does: this very object becomes the GameState
    if type(variables) is dict:
        made.vars = MappingProxyType(variables)
    made.visits = MappingProxyType(visits)
    made.__class__ = GameState
    return made, tuple(events)


def apply_effects(story: Story, work: Working, effects: Sequence[Effect], events: list[Event] | None) -> None:
    """Run effects in order on `work`, so computed values and conditions see earlier effects;
    events are recorded unless `events` is None. Nesting is bounded by the loader (8 deep)."""
    variables: dict[str, Any] = work.vars  # type: ignore[assignment]  # owned by the caller whenever effects run
    for effect in effects:
        # exact classes, commonest first: quicker than a match statement's class patterns
        if type(effect) is AddInt:
            name = effect.name
            old = variables[name]
            new: Any = _clamp(story, name, old + effect.amount)
        elif type(effect) is SetVar:
            name = effect.name
            old = variables[name]
            computed = effect.computed
            new = effect.value if computed is None else computed.evaluate(work)
            if new.__class__ is int:
                new = _clamp(story, name, new)
        elif type(effect) is SetAdd:
            name = effect.name
            old = variables[name]
            new = old | effect.members
        elif type(effect) is SetRemove:
            name = effect.name
            old = variables[name]
            new = old - effect.members
        elif type(effect) is When:
            branch = effect.then if effect.condition.evaluate(work) else effect.otherwise
            if branch:
                apply_effects(story, work, branch, events)
            continue
        elif type(effect) is Unlock:
            unlocked = work.unlocked
            for entry in effect.entries:
                if entry not in unlocked:
                    unlocked = unlocked | {entry}
                    if events is not None:
                        events.append(CodexUnlocked(entry, story.codex[entry].title))
            work.unlocked = unlocked
            continue
        elif type(effect) is Roll:
            name = effect.name
            old = variables[name]
            new = _clamp(story, name, effect.low + work.draw(effect.high - effect.low + 1))
        elif type(effect) is Pick:
            name = effect.name
            old = variables[name]
            options = effect.options
            new = options[work.draw(len(options))]
        else:
            raise TypeError(f"not an effect: {effect!r}")
        if new != old:
            variables[name] = new
            if events is not None:
                events.append(variable_changed(name, old, new))


def _clamp(story: Story, name: str, value: int) -> int:
    variable = story.variables[name]
    low = variable.min if variable.min is not None else -INT_LIMIT
    high = variable.max if variable.max is not None else INT_LIMIT
    if value < low:
        return low
    if value > high:
        return high
    return value


def take(story: Story, state: GameState, choice: Choice, chance: Chance | None = None) -> Outcome:
    """Take a choice already known to be available: effects, reply, then the move.

    `chance`, for tools that enumerate chance, scripts what random draws (`roll`, `pick`,
    `random()`) produce instead of the state's generator, and records their sizes.
    """
    # A copy of `state` to move in; a move without effects shares the variables, unchanged.
    flow = choice.flow
    if flow == "return":
        copy_vars = True  # where it returns to, and so what runs on entering, depends on the state
    else:
        copy_vars = bool(choice.effects) or (flow != "stay" and bool(story.scenes[choice.target].on_enter))
    work = Working.of(state, copy_vars)
    if chance is not None:
        work = Scripted(work, chance)
    events: list[Event] = []
    step_into(story, work, choice, events)
    return outcome(work.seal(), tuple(events))
