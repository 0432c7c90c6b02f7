"""The pure engine: a state and a choice in, a new state and what happened out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from adventure.rules.moves import INT_LIMIT as INT_LIMIT
from adventure.rules.moves import Chance as Chance
from adventure.rules.moves import CodexUnlocked as CodexUnlocked
from adventure.rules.moves import DetourError as DetourError
from adventure.rules.moves import EndingReached as EndingReached
from adventure.rules.moves import Event as Event
from adventure.rules.moves import Replied as Replied
from adventure.rules.moves import SceneEntered as SceneEntered
from adventure.rules.moves import Scripted, Working, enter_into, step_into
from adventure.rules.moves import VariableChanged as VariableChanged
from adventure.rules.state import GameState
from adventure.rules.text import render_text as render_text
from adventure.rules.views import ChoiceView as ChoiceView
from adventure.rules.views import SceneView as SceneView
from adventure.rules.views import chosen, go, listed_choice
from adventure.rules.views import listed as listed
from adventure.rules.views import view as view
from adventure.story.expr import Evaluator, StateView, Value
from adventure.story.model import MAX_DETOUR_DEPTH, Choice, Conditional, Story, Text
from adventure.story.record import Record
from adventure.story.template import around_variable
from adventure.story.twins import unfrozen_twin


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Outcome(Record):
    """The result of a move: the new state and the events, in order."""

    state: GameState
    events: tuple[Event, ...]


_OutcomeTwin: Any = unfrozen_twin(Outcome, "state", "events")


def outcome(state: GameState, events: tuple[Event, ...]) -> Outcome:
    """Outcome(state, events), built through its unfrozen twin (story/twins.py): every move builds one."""
    made = _OutcomeTwin()
    made.state = state
    made.events = events
    made.__class__ = Outcome
    result: Outcome = made
    return result


class ChoiceError(ValueError):
    """A choice that cannot be taken (no such number, disabled, or the story has ended)."""


# --- views ----------------------------------------------------------------------------


def stayed(events: tuple[Event, ...]) -> bool:
    """Whether the move that made these events kept the player in the scene."""
    return not any(isinstance(event, SceneEntered) for event in events)


def after_move(view: SceneView, events: tuple[Event, ...], stayed: bool) -> SceneView:
    """The view of the scene a move led to, with the move's reply and whether it stayed there."""
    reply = tuple(paragraph for event in events if isinstance(event, Replied) for paragraph in event.paragraphs)
    if not reply and not stayed:
        return view
    return SceneView(view.scene, view.title, view.chapter, view.paragraphs, view.choices, view.ending, reply, stayed)


# --- the engine -------------------------------------------------------------------------


_SEED_MASK = (1 << 64) - 1


def new_game(story: Story, seed: int = 0) -> Outcome:
    """Start a story: the start scene entered, its effects applied."""
    return _start(story, story.start, story.defaults(), seed)


def start_at(story: Story, scene_id: str, values: dict[str, Value] | None = None, seed: int = 0) -> Outcome:
    """Start anywhere with chosen variable values (for playtesting and walkthroughs)."""
    if scene_id not in story.scenes:
        raise ChoiceError(f"there is no scene `{scene_id}`")
    variables = story.defaults()
    variables.update(values or {})
    return _start(story, scene_id, variables, seed)


def _start(story: Story, scene_id: str, variables: dict[str, Value], seed: int) -> Outcome:
    work = Working(scene_id, variables, {}, 0, seed & _SEED_MASK, frozenset(), frozenset(), seed=seed & _SEED_MASK)
    events: list[Event] = []
    scene = story.scenes[scene_id]
    enter_into(story, work, scene_id, scene.on_enter, events)
    if scene.ending is not None:
        events.append(EndingReached(scene.ending))
    return outcome(work.seal(), tuple(events))


# --- text prepared once, for tools that render millions of scenes ------------------------


class Branch:
    """A conditional part of a prepared text."""

    __slots__ = ("condition", "otherwise", "then")

    def __init__(self, condition: Evaluator, then: TextPlan, otherwise: TextPlan) -> None:
        self.condition, self.then, self.otherwise = condition, then, otherwise


# Each item is a plain paragraph's text; (before, variable, after) for text around one int or
# string variable, the commonest interpolation; a Branch; or a template's renderer.
PlanItem = str | tuple[str, str, str] | Branch | Callable[[StateView], str]
TextPlan = tuple[PlanItem, ...]


def text_plan(text: Text) -> TextPlan:
    """A text prepared for `render_plan`: flat tuples built together, where the model's text
    is a tree of objects spread over the heap (a cache miss each, on a large story)."""
    items: list[PlanItem] = []
    for part in text:
        if isinstance(part, Conditional):
            items.append(Branch(part.condition.evaluate, text_plan(part.then), text_plan(part.otherwise)))
            continue
        template = part.template
        if template.static is not None:
            items.append(template.static)
            continue
        hole = around_variable(template)
        items.append(hole if hole is not None else template.renderer())
    return tuple(items)


def render_plan(plan: TextPlan, state: StateView) -> list[str]:
    """The same paragraphs as `render_text` gives for the text the plan was made from."""
    out: list[str] = []
    for item in plan:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, tuple):
            before, name, after = item
            out.append(before + str(state.vars[name]) + after)  # str() of a string is itself
        elif isinstance(item, Branch):
            # bounded: the loader refuses conditional text nested more than 8 deep
            out += render_plan(item.then if item.condition(state) else item.otherwise, state)
        else:
            out.append(item(state))
    return out


MAX_NUMBER_DIGITS = 9  # a longer "number" is no choice (and int() refuses very long ones)


def find_choice(view: SceneView, text: str) -> int | None:
    """The listed choice a player means by a number or by words: a whole label first,
    else the one label containing the words; None when nothing or several match."""
    text = text.strip()
    if text.isdecimal():  # any decimal digits (٣ too); isdigit() would also accept "²", which int() refuses
        return int(text) if len(text) <= MAX_NUMBER_DIGITS else 0
    exact = exact_label(view, text)
    if exact is not None:
        return exact
    wanted = text.lower()
    matches = [choice.number for choice in view.choices if wanted in choice.label.lower()]
    return matches[0] if len(matches) == 1 else None


def exact_label(view: SceneView, text: str) -> int | None:
    """The number of the first listed choice whose whole label is `text` (any case)."""
    wanted = text.strip().lower()
    return next((choice.number for choice in view.choices if choice.label.lower() == wanted), None)


def choose(story: Story, state: GameState, number: int) -> Outcome:
    """Take the n-th listed choice (counting from 1)."""
    choice = chosen(story, state, number)  # from the view just made of this state, if it was
    if choice is None:
        choice = _available(story, state, number)
    flow = choice.flow
    if flow == "goto":
        moved, events = go(story, state, choice)
        made = _OutcomeTwin()  # outcome(moved, events), without the call: nearly every move comes here
        made.state = moved
        made.events = events
        made.__class__ = Outcome
        result: Outcome = made
        return result
    if flow == "detour" and len(state.stack) >= MAX_DETOUR_DEPTH:
        raise ChoiceError(f"detours nest {MAX_DETOUR_DEPTH} deep here, and no deeper is allowed: a detour in this story never returns")
    return take(story, state, choice)


def _available(story: Story, state: GameState, number: int) -> Choice:
    """The n-th listed choice, listed afresh; ChoiceError saying why when it cannot be taken."""
    ending, option, count = listed_choice(story, state, number)
    if ending is not None:
        raise ChoiceError("the story has ended")
    if option is None:
        raise ChoiceError(f"choose a number from 1 to {count}" if count else "there is nothing to choose")
    choice, enabled = option
    if not enabled:
        reason = choice.disabled.render(state) if choice.disabled is not None else ""
        raise ChoiceError(f"that choice is not available: {reason}" if reason else "that choice is not available")
    return choice


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
