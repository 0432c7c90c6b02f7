"""The pure engine: a state and a choice in, a new state and what happened out."""

from __future__ import annotations

from collections.abc import Callable

from adventure.rules.events import Outcome as Outcome
from adventure.rules.events import outcome as outcome
from adventure.rules.moves import INT_LIMIT as INT_LIMIT
from adventure.rules.moves import Chance as Chance
from adventure.rules.moves import CodexUnlocked as CodexUnlocked
from adventure.rules.moves import DetourError as DetourError
from adventure.rules.moves import EndingReached as EndingReached
from adventure.rules.moves import Event as Event
from adventure.rules.moves import Replied as Replied
from adventure.rules.moves import SceneEntered as SceneEntered
from adventure.rules.moves import VariableChanged as VariableChanged
from adventure.rules.moves import Working, enter_into
from adventure.rules.moves import take as take
from adventure.rules.plans import shared
from adventure.rules.state import GameState
from adventure.rules.text import render_text as render_text
from adventure.rules.views import ChoiceError as ChoiceError
from adventure.rules.views import ChoiceView as ChoiceView
from adventure.rules.views import SceneView as SceneView
from adventure.rules.views import choose as choose
from adventure.rules.views import listed as listed
from adventure.rules.views import view as view
from adventure.story.expr import Evaluator, StateView, Value
from adventure.story.model import Conditional, Story, Text
from adventure.story.template import around_variable

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
    # the same story and seed always start alike, and states and outcomes are immutable, so the
    # last new game is handed out again (a walk that restarts at every ending starts thousands)
    kept = shared(story)
    last = kept.started
    if last is not None and last[0] == seed:
        started: Outcome = last[1]
        return started
    started = _start(story, story.start, story.defaults(), seed)
    kept.started = (seed, started)
    return started


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
