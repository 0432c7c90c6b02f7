"""What the player sees: the listed choices and the scene's view, with what no state changes prepared once per scene."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from adventure.rules.moves import Working
from adventure.rules.slots import unfrozen_twin
from adventure.rules.state import GameState
from adventure.rules.text import render_text
from adventure.story.expr import Evaluator
from adventure.story.model import Choice, Ending, Paragraph, Scene, Story, Text


class ChoiceView(NamedTuple):
    """A listed choice as the player sees it. A named tuple: a view builds one per listed
    choice every turn, and a tuple is built several times quicker than a frozen dataclass."""

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
    # What the last move answered (its reply), shown before the scene; `stayed` when that
    # move kept the player in the scene, so players show the choices again but not its text.
    reply: tuple[str, ...] = ()
    stayed: bool = False


_SceneViewTwin: Any = unfrozen_twin(SceneView, "scene", "title", "chapter", "paragraphs", "choices", "ending", "reply", "stayed")

_tuple_new = tuple.__new__  # ChoiceView's own __new__ is a Python function around it

Option = tuple[Choice, bool]  # a listed choice and whether it can be taken


def listed(story: Story, state: GameState | Working) -> list[Option]:
    """The choices the player sees, each with whether it can be taken."""
    scene = story.scenes[state.scene]
    shown: list[Option] = []
    any_enabled = False
    used = state.used
    fallbacks = []
    for choice in scene.choices:
        if choice.fallback:
            fallbacks.append(choice)
            continue
        if choice.once and choice.key in used:
            continue
        if choice.flow == "return" and not state.stack:
            continue  # outside any detour there is nowhere to return to
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
            if choice.flow == "return" and not state.stack:
                continue
            condition = choice.condition
            if condition is None or condition.evaluate(state):
                shown.append((choice, True))
            elif choice.disabled is not None:
                shown.append((choice, False))
    return shown


# A scene with more guarded choices than this lists them afresh each time: remembering every
# combination of its guards could hold 2 ** guards listings.
MAX_KEYED_GUARDS = 8


class ScenePlan:
    """One scene's view, as far as no state changes it, worked out when it is first shown.

    In a scene without once-only, fallback or return choices, which choices are listed
    (and which enabled) follows from its guards alone, so the listing is remembered by which
    guards hold; where the title, the text and every label are fixed too, so is the view.
    On a large story each object read is likely a cache miss, so the plan keeps what a turn
    reads flat and near: the guards' conditions alone, the choices' keys, the last listing.
    """

    __slots__ = (
        "choices", "ending", "guards", "keys", "last", "listings", "paragraphs", "scene", "static", "title",
    )

    def __init__(self, scene: Scene) -> None:
        self.scene = scene
        title = self.title = scene.title.static
        paragraphs = self.paragraphs = _fixed_paragraphs(scene.text)
        choices = self.choices = scene.choices
        self.ending = scene.ending
        self.keys = tuple(choice.key for choice in choices)
        guarded: list[Evaluator] = []
        keyed = static = True
        for choice in choices:
            if choice.condition is not None:
                guarded.append(choice.condition.evaluate)
            if choice.once or choice.fallback or choice.flow == "return":
                keyed = False
            if choice.label.static is None or (choice.disabled is not None and choice.disabled.static is None):
                static = False
        # the guarded choices' conditions, in order (bit i of a listing's key: whether the i-th
        # holds); None when the listing needs more than the guards
        self.guards: tuple[Evaluator, ...] | None = tuple(guarded) if keyed and len(guarded) <= MAX_KEYED_GUARDS else None
        self.static = static and title is not None and paragraphs is not None
        # by which guards hold: the whole view when it is fixed, else the listing (the fixed
        # view alone: every object kept here is one more for the collector to scan)
        self.listings: dict[int, SceneView | tuple[Option, ...]] = {}
        # the last listing with its key, found again without the dictionary; one tuple, so
        # that views made in two threads at once never pair one's key with the other's listing
        self.last: tuple[int, SceneView | tuple[Option, ...]] = (-1, ())

    def listing(self, holding: int, state: GameState) -> SceneView | tuple[Option, ...]:
        """The fixed view, else the listing, when the guards with these bits hold; remembered."""
        found = self.listings.get(holding)
        if found is None:
            options = []
            bits = holding
            for choice in self.choices:
                if choice.condition is None:
                    options.append((choice, True))
                    continue
                if bits & 1:
                    options.append((choice, True))
                elif choice.disabled is not None:
                    options.append((choice, False))
                bits >>= 1
            shown = tuple(options)
            found = self.listings[holding] = render(self, shown, state) if self.static else shown
        self.last = (holding, found)
        return found


def _fixed_paragraphs(text: Text) -> tuple[str, ...] | None:
    """The paragraphs of a text that has no conditions and no interpolation, else None."""
    paragraphs = []
    for part in text:
        if part.__class__ is not Paragraph:
            return None
        static = part.template.static
        if static is None:
            return None
        paragraphs.append(static)
    return tuple(paragraphs)


def plan_of(story: Story, scene_id: str) -> ScenePlan:
    """The scene's plan, made on first use and kept with the story."""
    plan = story.prepared.get(scene_id)
    if plan is None:
        plan = story.prepared[scene_id] = ScenePlan(story.scenes[scene_id])
    return plan


def render(plan: ScenePlan, options: Sequence[Option], state: GameState) -> SceneView:
    """The scene's view for a listing, rendered against the state."""
    scene = plan.scene
    choices = []
    for number, (choice, enabled) in enumerate(options, 1):
        reason = "" if enabled or choice.disabled is None else choice.disabled.render(state)
        choices.append(_tuple_new(ChoiceView, (number, choice.label.render(state), enabled, reason, choice.key, choice.target)))
    title = plan.title if plan.title is not None else scene.title.render(state)
    paragraphs = plan.paragraphs if plan.paragraphs is not None else tuple(render_text(scene.text, state))
    made = _SceneViewTwin()
    made.scene, made.title, made.chapter, made.paragraphs = scene.id, title, scene.chapter, paragraphs
    made.choices, made.ending, made.reply, made.stayed = tuple(choices), scene.ending, (), False
    made.__class__ = SceneView
    seen: SceneView = made
    return seen


# What the last view listed, for the choose that usually follows it: states and stories are
# immutable, so the same two objects always list the same choices. Its listing, or the fixed
# view itself, whose choices name theirs by key.
_last_listing: tuple[object, object, ScenePlan | None, SceneView | Sequence[Option]] = (None, None, None, ())


def listed_choice(story: Story, state: GameState, number: int) -> tuple[Ending | None, Option | None, int]:
    """The scene's ending (if it is one), its n-th listed choice in this state (None when there
    is none) and how many are listed; from the last view, when it was of this state."""
    last_story, last_state, plan, shown = _last_listing
    if last_state is not state or last_story is not story or plan is None:
        ending = story.scenes[state.scene].ending
        shown = listed(story, state)
    elif isinstance(shown, SceneView):
        choices = shown.choices
        if not 1 <= number <= len(choices):
            return plan.ending, None, len(choices)
        seen = choices[number - 1]
        # keys are unique in a scene (the loader refuses duplicates, E207), and the view's key is
        # the choice's own string, so the search compares identities
        return plan.ending, (plan.choices[plan.keys.index(seen.key)], seen.enabled), len(choices)
    else:
        ending = plan.ending
    if not 1 <= number <= len(shown):
        return ending, None, len(shown)
    return ending, shown[number - 1], len(shown)


def view(story: Story, state: GameState) -> SceneView:
    """What the player sees now."""
    global _last_listing
    plan: ScenePlan | None = story.prepared.get(state.scene)
    if plan is None:
        plan = plan_of(story, state.scene)
    guards = plan.guards
    if guards is None:
        options: Sequence[Option] = listed(story, state)
    else:
        holding = 0
        bit = 1
        for holds in guards:
            if holds(state):
                holding |= bit
            bit <<= 1
        last_holding, found = plan.last
        if holding != last_holding:
            found = plan.listing(holding, state)
        if found.__class__ is SceneView:
            _last_listing = (story, state, plan, found)
            return found
        options = found  # type: ignore[assignment]  # not a SceneView, by the test above
    _last_listing = (story, state, plan, options)
    return render(plan, options, state)
