"""The pure engine: a state and a choice in, a new state and what happened out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .expr import Value
from .model import (
    AddInt,
    Choice,
    Effect,
    Ending,
    Paragraph,
    Pick,
    Roll,
    Scene,
    SetAdd,
    SetRemove,
    SetVar,
    Story,
    Text,
    Unlock,
)
from .state import GameState, next_random

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


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of a move: the new state and the events, in order."""

    state: GameState
    events: tuple[Event, ...]


class ChoiceError(ValueError):
    """A choice that cannot be taken (no such number, disabled, or the story has ended)."""


# --- views ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChoiceView:
    """A listed choice as the player sees it."""

    number: int
    label: str
    enabled: bool
    reason: str
    key: str
    target: str


@dataclass(frozen=True, slots=True)
class SceneView:
    """A scene as the player sees it in a given state."""

    scene: str
    title: str
    chapter: str
    paragraphs: tuple[str, ...]
    choices: tuple[ChoiceView, ...]
    ending: Ending | None


# --- the engine -------------------------------------------------------------------------


_SEED_MASK = (1 << 64) - 1


def new_game(story: Story, seed: int = 0) -> Outcome:
    """Start a story: the start scene entered, its effects applied."""
    return _arrive(story, story.start, story.defaults(), {}, 0, seed & _SEED_MASK, frozenset(), frozenset(), [])


def start_at(story: Story, scene_id: str, values: dict[str, Value] | None = None, seed: int = 0) -> Outcome:
    """Start anywhere with chosen variable values (for playtesting and walkthroughs)."""
    if scene_id not in story.scenes:
        raise ChoiceError(f"there is no scene `{scene_id}`")
    variables = story.defaults()
    variables.update(values or {})
    return _arrive(story, scene_id, variables, {}, 0, seed & _SEED_MASK, frozenset(), frozenset(), [])


def listed(story: Story, state: GameState) -> list[tuple[Choice, bool]]:
    """The choices the player sees, each with whether it can be taken."""
    scene = story.scenes[state.scene]
    shown: list[tuple[Choice, bool]] = []
    any_enabled = False
    used = state.used
    fallbacks = []
    for choice in scene.choices:
        if choice.fallback:
            fallbacks.append(choice)
            continue
        if choice.once and choice.key in used:
            continue
        condition = choice.condition
        if condition is None or condition.evaluate(state):
            shown.append((choice, True))
            any_enabled = True
        elif choice.disabled is not None:
            shown.append((choice, False))
    if not any_enabled:
        for choice in fallbacks:
            if choice.once and choice.key in used:
                continue
            condition = choice.condition
            if condition is None or condition.evaluate(state):
                shown.append((choice, True))
            elif choice.disabled is not None:
                shown.append((choice, False))
    return shown


def render_text(text: Text, state: Any) -> list[str]:
    """Paragraphs of text after conditions and interpolation."""
    out: list[str] = []
    _render_into(text, state, out)
    return out


def _render_into(text: Text, state: Any, out: list[str]) -> None:
    # Recursion is bounded: the loader refuses conditional text nested more than 8 deep.
    for part in text:
        if part.__class__ is Paragraph:
            template = part.template  # type: ignore[union-attr]
            static = template.static
            out.append(static if static is not None else template.render(state))
        else:
            branch = part.then if part.condition.evaluate(state) else part.otherwise  # type: ignore[union-attr]
            if branch:
                _render_into(branch, state, out)


def view(story: Story, state: GameState) -> SceneView:
    """What the player sees now."""
    scene = story.scenes[state.scene]
    choices = tuple(
        ChoiceView(
            number, choice.label.render(state), enabled,
            "" if enabled or choice.disabled is None else choice.disabled.render(state),
            choice.key, choice.target,
        )
        for number, (choice, enabled) in enumerate(listed(story, state), start=1)
    )
    return SceneView(scene.id, scene.title.render(state), scene.chapter, tuple(render_text(scene.text, state)), choices, scene.ending)


MAX_NUMBER_DIGITS = 9  # a longer "number" is no choice (and int() refuses very long ones)


def find_choice(view: SceneView, text: str) -> int | None:
    """The listed choice a player means by a number or by words: a whole label first,
    else the one label containing the words; None when nothing or several match."""
    text = text.strip()
    if text.isdecimal():  # any decimal digits (٣ too); isdigit() would also accept "²", which int() refuses
        return int(text) if len(text) <= MAX_NUMBER_DIGITS else 0
    wanted = text.lower()
    exact = [choice.number for choice in view.choices if choice.label.lower() == wanted]
    if exact:
        return exact[0]
    matches = [choice.number for choice in view.choices if wanted in choice.label.lower()]
    return matches[0] if len(matches) == 1 else None


def choose(story: Story, state: GameState, number: int) -> Outcome:
    """Take the n-th listed choice (counting from 1)."""
    scene = story.scenes[state.scene]
    if scene.ending is not None:
        raise ChoiceError("the story has ended")
    options = listed(story, state)
    if not 1 <= number <= len(options):
        raise ChoiceError(f"choose a number from 1 to {len(options)}" if options else "there is nothing to choose")
    choice, enabled = options[number - 1]
    if not enabled:
        reason = choice.disabled.render(state) if choice.disabled is not None else ""
        raise ChoiceError(f"that choice is not available: {reason}" if reason else "that choice is not available")
    return take(story, state, choice)


def take(story: Story, state: GameState, choice: Choice, draws: list[int] | None = None) -> Outcome:
    """Take a choice already known to be available: effects, then the move.

    `draws`, for tools that enumerate chance, scripts the raw random numbers that `roll`
    and `pick` consume (in order) instead of the state's generator.
    """
    events: list[Event] = []
    variables, rng, used, unlocked = _leave(story, state, choice, events, draws)
    return _arrive(story, choice.target, variables, state.visits, state.turn + 1, rng, used, unlocked, events, draws)


def _leave(story: Story, state: GameState, choice: Choice, events: list[Event] | None, draws: list[int] | None) -> tuple[Any, int, frozenset[str], frozenset[str]]:
    """What taking a choice changes before the move: its effects, and a once-only mark."""
    variables, rng, unlocked = state.vars, state.rng, state.unlocked
    if choice.effects:
        variables, rng, unlocked = _apply(story, state, choice.effects, events, draws)
    used = state.used | {choice.key} if choice.once else state.used
    return variables, rng, used, unlocked


def random_effects(story: Story, choice: Choice) -> list[int]:
    """How many outcomes each random effect of taking `choice` has, in the order they draw."""
    effects = (*choice.effects, *story.scenes[choice.target].on_enter)
    sizes = []
    for effect in effects:
        if isinstance(effect, Roll):
            sizes.append(effect.high - effect.low + 1)
        elif isinstance(effect, Pick):
            sizes.append(len(effect.options))
    return sizes


def _arrive(
    story: Story, target: str, variables: Any, visits: Any, turn: int, rng: int,
    used: frozenset[str], unlocked: frozenset[str], events: list[Event], draws: list[int] | None = None,
) -> Outcome:
    """Enter a scene: count the visit, run its on_enter effects, and build the one new state."""
    events.append(SceneEntered(target))
    entered = _enter_quietly(story, target, variables, visits, turn, rng, used, unlocked, events, draws)
    ending = story.scenes[target].ending
    if ending is not None:
        events.append(EndingReached(ending))
    return Outcome(entered, tuple(events))


def _enter_quietly(
    story: Story, target: str, variables: Any, visits: Any, turn: int, rng: int,
    used: frozenset[str], unlocked: frozenset[str], events: list[Event] | None, draws: list[int] | None,
) -> GameState:
    scene: Scene = story.scenes[target]
    visits = dict(visits)
    visits[target] = visits.get(target, 0) + 1
    if scene.on_enter:  # its effects already see the new scene, visit count and turn
        arriving = GameState(target, variables, visits, turn, rng, used, unlocked)
        variables, rng, unlocked = _apply(story, arriving, scene.on_enter, events, draws)
    return GameState(target, variables, visits, turn, rng, used, unlocked)


def advance(story: Story, state: GameState, choice: Choice) -> GameState:
    """`take` without the events: the same new state, for tools that play millions of moves."""
    variables, rng, used, unlocked = _leave(story, state, choice, None, None)
    return _enter_quietly(story, choice.target, variables, state.visits, state.turn + 1, rng, used, unlocked, None, None)


class _Scratch:
    """A state-like view used while effects run, so computed values see earlier effects."""

    __slots__ = ("scene", "turn", "unlocked", "vars", "visits")

    def __init__(self, state: GameState, variables: dict[str, Value], unlocked: frozenset[str]) -> None:
        self.scene, self.vars, self.visits, self.turn, self.unlocked = state.scene, variables, state.visits, state.turn, unlocked


def _draw(rng: int, draws: list[int] | None) -> tuple[int, int]:
    if draws:
        return draws.pop(0), rng
    return next_random(rng)


def _apply(story: Story, state: GameState, effects: Sequence[Effect], events: list[Event] | None, draws: list[int] | None = None) -> tuple[dict[str, Value], int, frozenset[str]]:
    """Run effects on a copy of the variables; events are recorded unless `events` is None."""
    variables = dict(state.vars)
    rng = state.rng
    unlocked = state.unlocked
    for effect in effects:
        kind = type(effect)
        if kind is Unlock:
            for entry in effect.entries:  # type: ignore[union-attr]
                if entry not in unlocked:
                    unlocked = unlocked | {entry}
                    if events is not None:
                        events.append(CodexUnlocked(entry, story.codex[entry].title))
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
                new = effect.computed.evaluate(_Scratch(state, variables, unlocked))  # type: ignore[union-attr]
            else:
                new = effect.value  # type: ignore[union-attr, assignment]
            if isinstance(new, int) and not isinstance(new, bool):
                new = _clamp(story, name, new)
        elif kind is Roll:
            number, rng = _draw(rng, draws)
            new = effect.low + number % (effect.high - effect.low + 1)  # type: ignore[union-attr]
            new = _clamp(story, name, new)
        else:
            assert kind is Pick
            number, rng = _draw(rng, draws)
            new = effect.options[number % len(effect.options)]  # type: ignore[union-attr]
        if new != old:
            variables[name] = new
            if events is not None:
                events.append(VariableChanged(name, old, new))
    return variables, rng, unlocked


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


def recap(story: Story, state: GameState) -> list[str]:
    """The story so far: recap lines of visited scenes, in first-visit order."""
    lines = []
    for scene_id in state.visits:
        scene = story.scenes.get(scene_id)
        if scene is not None and scene.recap is not None:
            lines.append(scene.recap.render(state))
    return lines


def status_line(story: Story, state: GameState) -> str:
    """The story's own status line for this state (empty when the story has none)."""
    return story.status.render(state) if story.status is not None else ""


def codex_entries(story: Story, state: GameState) -> list[tuple[str, str]]:
    """Unlocked codex entries as (id, title), in story order."""
    return [(entry.id, entry.title) for entry in story.codex.values() if entry.id in state.unlocked]


def codex_text(story: Story, state: GameState, entry_id: str) -> list[str]:
    """An unlocked entry's paragraphs, rendered for the current state."""
    return render_text(story.codex[entry_id].text, state)
