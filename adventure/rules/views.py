"""What the player sees: the listed choices and the scene's view, with what no state changes prepared once per scene."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from adventure.rules.moves import Event, Working, goto_move
from adventure.rules.state import GameState
from adventure.rules.text import render_text
from adventure.source.collector import freeze_alive
from adventure.story.expr import Evaluator
from adventure.story.model import Choice, Ending, Paragraph, Scene, Story, Text
from adventure.story.record import Record
from adventure.story.twins import unfrozen_twin


class ChoiceView(NamedTuple):
    """A listed choice as the player sees it. A named tuple: a view builds one per listed
    choice every turn, and a tuple is built several times quicker than a frozen dataclass."""

    number: int
    label: str
    enabled: bool
    reason: str
    key: str
    target: str


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class SceneView(Record):
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
    On a large story each object read is likely a cache miss, and a walk meets most scenes
    for the first time, so the plan is cheap to make and keeps what a turn reads flat and
    near: the guards' conditions alone, the choices' keys, the listings in one tuple indexed
    by which guards hold, and the scene's entry effects (so a move into it reads the plan
    the next view needs anyway, not the scene).
    """

    __slots__ = ("choices", "ending", "guards", "keys", "listings", "on_enter", "paragraphs", "scene", "static", "title")

    def __init__(self, scene: Scene) -> None:
        self.scene = scene
        title = self.title = scene.title.static
        paragraphs = self.paragraphs = _fixed_paragraphs(scene.text)
        choices = self.choices = scene.choices
        self.ending = scene.ending
        self.on_enter = scene.on_enter
        keys = []
        guarded: list[Evaluator] = []
        keyed = static = True
        for choice in choices:
            keys.append(choice.key)
            condition = choice.condition
            if condition is not None:
                guarded.append(condition.evaluate)
            if choice.once or choice.fallback or choice.flow == "return":
                keyed = False
            if choice.label.static is None or (choice.disabled is not None and choice.disabled.static is None):
                static = False
        self.keys = tuple(keys)
        # the guarded choices' conditions, in order (bit i of a listing's index: whether the
        # i-th holds), and the listings made so far by that index (None where none is yet);
        # both None when the listing needs more than the guards
        self.guards: tuple[Evaluator, ...] | None = None
        self.listings: tuple[SceneView | tuple[Option, ...] | None, ...] | None = None
        if keyed and len(guarded) <= MAX_KEYED_GUARDS:
            self.guards = tuple(guarded)
            self.listings = (None,) * (1 << len(guarded))
        self.static = static and title is not None and paragraphs is not None

    def listing(self, holding: int, state: GameState) -> SceneView | tuple[Option, ...]:
        """The fixed view, else the listing, when the guards with these bits hold; remembered.
        Only the fixed view is kept where there is one: every object kept is one more for the
        collector to scan."""
        found: SceneView | tuple[Option, ...]
        if self.static:
            found = self._fixed_view(holding)
        else:
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
            found = tuple(options)
        # a new tuple, not a changed one: a view made in another thread at the same time reads
        # either the old listings or the new, and at worst makes one listing again
        listings = self.listings
        assert listings is not None  # only plans with guards list by them
        self.listings = (*listings[:holding], found, *listings[holding + 1:])
        return found

    def _fixed_view(self, holding: int) -> SceneView:
        """The view of a scene whose title, text and labels are fixed, when these guards hold:
        what `render` gives for its listing, built from the choices directly."""
        scene = self.scene
        shown = []
        number = 0
        bits = holding
        for choice in self.choices:
            disabled = choice.disabled
            if choice.condition is None:
                enabled = True
            else:
                enabled = (bits & 1) == 1
                bits >>= 1
                if not enabled and disabled is None:
                    continue
            number += 1
            reason = "" if enabled or disabled is None else disabled.static
            shown.append(_tuple_new(ChoiceView, (number, choice.label.static, enabled, reason, choice.key, choice.target)))
        made = _SceneViewTwin()
        made.scene, made.title, made.chapter, made.paragraphs = scene.id, self.title, scene.chapter, self.paragraphs
        made.choices, made.ending, made.reply, made.stayed = tuple(shown), scene.ending, (), False
        made.__class__ = SceneView
        fixed: SceneView = made
        return fixed


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


# Plans and their views live as long as their story and make no reference cycles, yet the
# collector scans each one again and again: on a 10,000-scene walk its collections took a
# tenth of the time, mostly in cache misses on the story's strings the views hold. So every
# FREEZE_PLANS plans of a story, what is alive is frozen out of its scans (source/collector.py).
FREEZE_PLANS = 256


def plan_of(story: Story, scene_id: str) -> ScenePlan:
    """The scene's plan, made on first use and kept with the story."""
    prepared = story.prepared
    plan = prepared.get(scene_id)
    if plan is None:
        plan = prepared[scene_id] = ScenePlan(story.scenes[scene_id])
        if len(prepared) % FREEZE_PLANS == 0:
            freeze_alive()
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


# What the last view listed, for the choose that usually follows it, and what the last move
# led to, for the view that usually follows that: states and stories are immutable, so the
# same two objects always list the same choices. (story, state, the state's scene's plan,
# then its listing or fixed view, whose choices name theirs by key; None after a move.)
_last: tuple[object, object, ScenePlan | None, SceneView | Sequence[Option] | None] = (None, None, None, None)


def go(story: Story, state: GameState, choice: Choice) -> tuple[GameState, tuple[Event, ...]]:
    """A goto choice taken (moves.goto_move), reading the target's plan, which the next view
    needs anyway, instead of its scene; that view then finds the plan without a lookup."""
    global _last
    target = choice.target
    plan = story.prepared.get(target)
    if plan is None:
        plan = plan_of(story, target)
    moved, events = goto_move(story, state, choice, plan.on_enter, plan.ending)
    _last = (story, moved, plan, None)
    return moved, events


def chosen(story: Story, state: GameState, number: int) -> Choice | None:
    """The n-th listed choice, when the last view was of this state, is not an ending, and
    lists it enabled; None in every other case (the caller then lists afresh, and says why
    a choice cannot be taken)."""
    last_story, last_state, plan, shown = _last
    if last_state is not state or last_story is not story or plan is None or shown is None or plan.ending is not None:
        return None
    if shown.__class__ is SceneView:
        choices = shown.choices
        if not 0 < number <= len(choices):
            return None
        seen = choices[number - 1]
        # keys are unique in a scene (the loader refuses duplicates, E207), and the view's key is
        # the choice's own string, so the search compares identities
        return plan.choices[plan.keys.index(seen.key)] if seen.enabled else None
    if not 0 < number <= len(shown):  # type: ignore[arg-type]  # a listing, by the test above
        return None
    choice, enabled = shown[number - 1]  # type: ignore[index]
    return choice if enabled else None


def listed_choice(story: Story, state: GameState, number: int) -> tuple[Ending | None, Option | None, int]:
    """The scene's ending (if it is one), its n-th listed choice in this state (None when there
    is none) and how many are listed."""
    shown = listed(story, state)
    ending = story.scenes[state.scene].ending
    if not 1 <= number <= len(shown):
        return ending, None, len(shown)
    return ending, shown[number - 1], len(shown)


def view(story: Story, state: GameState) -> SceneView:
    """What the player sees now."""
    global _last
    last_story, last_state, plan, _ = _last
    if last_state is not state or last_story is not story or plan is None:
        plan = story.prepared.get(state.scene)
        if plan is None:
            plan = plan_of(story, state.scene)
    listings = plan.listings
    if listings is None:
        options: Sequence[Option] = listed(story, state)
    else:
        holding = 0
        bit = 1
        for holds in plan.guards:  # type: ignore[union-attr]  # set with the listings
            if holds(state):
                holding |= bit
            bit <<= 1
        found = listings[holding]
        if found is None:
            found = plan.listing(holding, state)
        if found.__class__ is SceneView:
            _last = (story, state, plan, found)
            return found
        options = found  # type: ignore[assignment]  # not a SceneView, by the test above
    _last = (story, state, plan, options)
    return render(plan, options, state)
