"""The public turn: what the player sees (the listed choices and the scene's view) and taking a listed choice."""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType
from typing import Any

from adventure.rules.events import ChangedTwin, Event, Outcome, OutcomeTwin, VariableChanged, outcome
from adventure.rules.moves import Working, apply_effects, goto_move, take
from adventure.rules.plans import ADD, FLAG, UNION, Option, ScenePlan, plan_of, run
from adventure.rules.seen import ChoiceView as ChoiceView
from adventure.rules.seen import SceneView as SceneView
from adventure.rules.seen import new_tuple, scene_view
from adventure.rules.state import GameState, StateTwin
from adventure.rules.text import render_text
from adventure.story.model import MAX_DETOUR_DEPTH, Choice, Ending, Story


class ChoiceError(ValueError):
    """A choice that cannot be taken (no such number, disabled, or the story has ended)."""


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


def render(plan: ScenePlan, options: Sequence[Option], state: GameState) -> SceneView:
    """The scene's view for a listing, rendered against the state."""
    scene = plan.scene
    choices = []
    for number, (choice, enabled) in enumerate(options, 1):
        reason = "" if enabled or choice.disabled is None else choice.disabled.render(state)
        choices.append(new_tuple(ChoiceView, (number, choice.label.render(state), enabled, reason, choice.key, choice.target)))
    title = plan.title if plan.title is not None else scene.title.render(state)
    paragraphs = plan.paragraphs if plan.paragraphs is not None else tuple(render_text(scene.text, state))
    return scene_view(scene.id, title, scene.chapter, paragraphs, tuple(choices), scene.ending)


# What the last view showed, for the choose that usually follows it, and what the last move
# led to, for the view that usually follows that: states and stories are immutable, so the
# same two objects always list the same choices. (story, state, the state's scene's plan,
# then its fixed view's entry if the plan is static, else its listing; None after a move.)
_last: tuple[object, object, ScenePlan | None, Sequence[Any] | None] = (None, None, None, None)


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
            found = plan.listing(holding)
        if plan.static:
            _last = (story, state, plan, found)
            seen: SceneView = found[0]  # type: ignore[assignment]  # an entry, with a static plan
            return seen
        options = found
    _last = (story, state, plan, options)
    return render(plan, options, state)


def choose(story: Story, state: GameState, number: int) -> Outcome:
    """Take the n-th listed choice (counting from 1)."""
    global _last
    last_story, last_state, plan, shown = _last
    if last_state is state and last_story is story and shown is not None and plan.static and number > 0:  # type: ignore[union-attr]
        # The view just made of this state was a fixed one, and its entry says what each choice
        # does; a plain goto is taken here, reading the plans only: the state and events that
        # Working.of, step_into and seal give (tested equal), in line, since nearly every turn comes here.
        index = number + number - 1
        if index < len(shown) and (target := shown[index]) is not None:
            into = story.prepared.get(target)
            if into is None:
                into = plan_of(story, target)
            variables: Any = state.vars
            owned = False  # the variables are copied at the first change: a fifth of programs change nothing
            events: list[Event] = []
            for kind, name, value, low, high in shown[index + 1]:  # the program: see plans.run
                old = variables[name]
                if kind == ADD:
                    new = old + value
                    if new > high:
                        new = high
                    elif new < low:
                        new = low
                elif kind == FLAG and old is low.old:
                    new = value
                    if not owned:
                        variables = variables.copy() if variables.__class__ is MappingProxyType else dict(variables)
                        owned = True
                    variables[name] = value
                    events.append(low)  # the other truth value: the change is the one prepared
                    continue
                elif kind <= FLAG:
                    new = value
                elif kind == UNION:
                    new = old | value
                else:
                    new = old - value
                if new != old:
                    if not owned:
                        variables = variables.copy() if variables.__class__ is MappingProxyType else dict(variables)
                        owned = True
                    variables[name] = new
                    changed = ChangedTwin()
                    changed.name, changed.old, changed.new = name, old, new
                    changed.__class__ = VariableChanged
                    events.append(changed)
            on_enter = into.on_enter
            if on_enter and not owned:
                variables = variables.copy() if variables.__class__ is MappingProxyType else dict(variables)
                owned = True
            visits: Any = state.visits
            visits = visits.copy() if visits.__class__ is MappingProxyType else dict(visits)
            # the state is built through its twin (state.py), or as a Working when the target's entry
            # effects need one (they may draw through Working.draw)
            work = StateTwin() if not on_enter or into.enter is not None else _new(Working)
            work.scene, work.vars, work.visits, work.turn, work.rng = target, variables, visits, state.turn + 1, state.rng
            work.used, work.unlocked, work.stack, work.seed = state.used, state.unlocked, state.stack, state.seed
            events.append(into.entered)
            visits[target] = visits.get(target, 0) + 1
            if on_enter:
                enter = into.enter
                if enter is not None:
                    run(enter, variables, events)
                else:
                    apply_effects(story, work, on_enter, events)
            ended = into.ended
            if ended is not None:
                events.append(ended)
            made: Any = work  # sealed as Working.seal does: this very object becomes the GameState
            if owned:
                made.vars = MappingProxyType(variables)
            made.visits = MappingProxyType(visits)
            made.__class__ = GameState
            _last = (story, made, into, None)
            result = OutcomeTwin()
            result.state = made
            result.events = tuple(events)
            result.__class__ = Outcome
            done: Outcome = result
            return done
    choice = chosen(story, state, number)
    if choice is None:
        choice = _available(story, state, number)
    flow = choice.flow
    if flow == "goto":
        moved, events_made = go(story, state, choice)
        return outcome(moved, events_made)
    if flow == "detour" and len(state.stack) >= MAX_DETOUR_DEPTH:
        raise ChoiceError(f"detours nest {MAX_DETOUR_DEPTH} deep here, and no deeper is allowed: a detour in this story never returns")
    return take(story, state, choice)


_new = object.__new__


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
    if plan.static:  # an entry: the view, then (target, program) or (None, choice) or (None, None) for each listed choice
        index = number + number - 1
        if not 0 < index < len(shown) or shown[index] is not None:
            return None
        found: Choice | None = shown[index + 1]
        return found
    if not 0 < number <= len(shown):
        return None
    choice, enabled = shown[number - 1]
    return choice if enabled else None


def listed_choice(story: Story, state: GameState, number: int) -> tuple[Ending | None, Option | None, int]:
    """The scene's ending (if it is one), its n-th listed choice in this state (None when there
    is none) and how many are listed."""
    shown = listed(story, state)
    ending = story.scenes[state.scene].ending
    if not 1 <= number <= len(shown):
        return ending, None, len(shown)
    return ending, shown[number - 1], len(shown)


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
