"""Each scene's plan: what no state changes in its view and its moves, worked out once, when it is first shown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adventure.rules.events import EndingReached, EnteredTwin, SceneEntered, variable_changed
from adventure.rules.seen import ChoiceView, new_tuple, scene_view
from adventure.source.collector import freeze_alive
from adventure.story.expr import INT_LIMIT, Evaluator
from adventure.story.model import AddInt, Choice, Effect, Paragraph, Scene, SetAdd, SetRemove, SetVar, Story, Text

Option = tuple[Choice, bool]  # a listed choice and whether it can be taken

# --- effect programs -----------------------------------------------------------------------

# A program: a list of effects that each set one variable to a value no state changes (add,
# subtract, set to a literal, add to or remove from a set), as flat tuples the engine runs without
# reading the model's effect objects: (ADD, name, amount, lowest, highest), (SET, name, value,
# None, None), (FLAG, name, value, the event of flipping it, None), (UNION or REMOVE, name, members,
# None, None). Equal programs are one tuple per story, shared by every choice that has them: on a
# large story a turn then reads effects already in the processor's cache.
ADD, SET, FLAG, UNION, REMOVE = range(5)
Op = tuple[int, str, Any, Any, Any]
Program = tuple[Op, ...]

class Shared:
    """What the engine keeps for a whole story beside its plans (in story.prepared, under a key no
    scene id can be: ids are never empty): the story's ops by what they do, its programs by the
    identities of their ops, and its last new game (engine.new_game)."""

    __slots__ = ("ops", "programs", "started")

    def __init__(self) -> None:
        self.ops: dict[tuple[Any, ...], Op] = {}
        self.programs: dict[tuple[int, ...], Program] = {}
        self.started: tuple[int, Any] | None = None  # the seed and the Outcome


_SHARED = ""


def shared(story: Story) -> Shared:
    """The story's Shared, made on first use."""
    found: Shared | None = story.prepared.get(_SHARED)
    if found is None:
        found = story.prepared[_SHARED] = Shared()
    return found


def program_of(story: Story, effects: Sequence[Effect], tables: Shared | None = None) -> Program | None:
    """The effects as a program (the story's own copy of an equal one), or None when one of them
    computes its value, draws, tests a condition or unlocks (those take apply_effects).
    `tables`: the story's Shared, when the caller has it."""
    if tables is None:
        tables = shared(story)
    known, programs = tables.ops, tables.programs
    ops: list[Op] = []
    for effect in effects:
        key: tuple[Any, ...]
        if type(effect) is AddInt:
            key = (ADD, effect.name, effect.amount)
        elif type(effect) is SetVar and effect.computed is None:
            key = (SET, effect.name, effect.value, effect.value.__class__)  # 1 and True are equal keys, not equal values
        elif type(effect) is SetAdd:
            key = (UNION, effect.name, effect.members)
        elif type(effect) is SetRemove:
            key = (REMOVE, effect.name, effect.members)
        else:
            return None
        op = known.get(key)
        if op is None:
            op = known[key] = _op(story, key)
        ops.append(op)
    # the ops are kept in `known` as long as the story, so their identities name them
    identities = tuple(map(id, ops))
    found = programs.get(identities)
    if found is None:
        found = programs[identities] = tuple(ops)
    return found


def _op(story: Story, key: tuple[Any, ...]) -> Op:
    """The op that does what the key says: (kind, name, value[, value's class])."""
    kind, name, value = key[:3]
    if kind == SET and value.__class__ is bool:
        return (FLAG, name, value, variable_changed(name, not value, value), None)
    if kind == ADD or (kind == SET and value.__class__ is int):
        variable = story.variables[name]
        low = variable.min if variable.min is not None else -INT_LIMIT
        high = variable.max if variable.max is not None else INT_LIMIT
        if kind == ADD:
            return (ADD, name, value, low, high)
        value = min(max(value, low), high)
    return (kind, name, value, None, None)


def run(program: Program, variables: dict[str, Any], events: list[Any]) -> None:
    """Run a program on variables the caller owns, recording what changed, as apply_effects would."""
    for kind, name, value, low, high in program:
        old = variables[name]
        if kind == ADD:
            new = old + value
            if new > high:
                new = high
            elif new < low:
                new = low
        elif kind == FLAG:
            if old is low.old:  # the other truth value: the change is the one prepared
                variables[name] = value
                events.append(low)
                continue
            new = value
        elif kind == SET:
            new = value
        elif kind == UNION:
            new = old | value
        else:
            new = old - value
        if new != old:
            variables[name] = new
            events.append(variable_changed(name, old, new))


# --- plans ----------------------------------------------------------------------------------

# A scene with more guarded choices than this lists them afresh each time: remembering every
# combination of its guards could hold 2 ** guards listings.
MAX_KEYED_GUARDS = 8

# A fixed view's entry: the view, then for each choice it lists, in order, the target and the
# program of a plain goto (no once-only mark, count or reply, effects a program), (None, the
# choice) for any other choice that can be taken, (None, None) for a disabled one.
Entry = tuple[Any, ...]


class ScenePlan:
    """One scene's view and moves, as far as no state changes them, worked out when it is first shown.

    In a scene without once-only, fallback or return choices, which choices are listed
    (and which enabled) follows from its guards alone, so the listing is remembered by which
    guards hold; where the title, the text and every label are fixed too, so is the view, and it
    is remembered with what its choices do (an Entry). On a large story each object read is
    likely a cache miss, and a walk meets most scenes for the first time, so the plan is cheap to
    make and keeps what a turn reads flat and near: the guards' conditions alone, the listings in
    one tuple indexed by which guards hold, and the scene's entry effects, its SceneEntered and its
    EndingReached (so a move into it reads the plan the next view needs anyway, not the scene).
    """

    __slots__ = (
        "choices", "ended", "ending", "enter", "entered", "guards", "listings", "moves", "on_enter", "paragraphs", "scene", "static",
        "title",
    )

    def __init__(self, story: Story, scene: Scene) -> None:
        self.scene = scene
        title = self.title = scene.title.static
        paragraphs = self.paragraphs = _fixed_paragraphs(scene.text)
        choices = self.choices = scene.choices
        ending = self.ending = scene.ending
        on_enter = self.on_enter = scene.on_enter
        # the entry effects as a program, () when there are none, None when they take apply_effects
        self.enter: Program | None = program_of(story, on_enter) if on_enter else ()
        entered = EnteredTwin()  # scene_entered(scene.id), without the call
        entered.scene = scene.id
        entered.__class__ = SceneEntered
        self.entered: SceneEntered = entered
        self.ended: EndingReached | None = None if ending is None else EndingReached(ending)
        guarded: list[Evaluator] = []
        keyed = True
        static = title is not None and paragraphs is not None
        # what each choice does, for the entries of a fixed view, two items a choice: the target and
        # the program of a plain goto, else None and the choice (made while the plan may yet be static)
        moves: list[Any] = []
        tables = shared(story) if static and ending is None else None
        for choice in choices:
            condition = choice.condition
            if condition is not None:
                guarded.append(condition.evaluate)
            if choice.once or choice.fallback or choice.flow == "return":
                keyed = False
            if choice.label.static is None or (choice.disabled is not None and choice.disabled.static is None):
                static = False
            if static and ending is None:
                program = None
                if choice.flow == "goto" and not choice.once and not choice.counted and not choice.reply:
                    program = program_of(story, choice.effects, tables) if choice.effects else ()
                if program is None:
                    moves.append(None)
                    moves.append(choice)
                else:
                    moves.append(choice.target)
                    moves.append(program)
        # the guarded choices' conditions, in order (bit i of a listing's index: whether the
        # i-th holds), and the listings made so far by that index (None where none is yet);
        # both None when the listing needs more than the guards
        self.guards: tuple[Evaluator, ...] | None = None
        self.listings: tuple[Entry | tuple[Option, ...] | None, ...] | None = None
        if keyed and len(guarded) <= MAX_KEYED_GUARDS:
            self.guards = tuple(guarded)
            self.listings = (None,) * (1 << len(guarded))
        self.static = static = static and self.listings is not None
        self.moves: tuple[Any, ...] = tuple(moves) if static else ()

    def listing(self, holding: int) -> Entry | tuple[Option, ...]:
        """The fixed view's entry, else the listing, when the guards with these bits hold; remembered.
        Only the entry is kept where there is one: every object kept is one more for the
        collector to scan."""
        found: Entry | tuple[Option, ...]
        if self.static:
            found = self._fixed_entry(holding)
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

    def _fixed_entry(self, holding: int) -> Entry:
        """The entry of a scene whose title, text and labels are fixed, when these guards hold:
        the view `render` gives for its listing, built from the choices directly, and what each
        listed choice does."""
        scene = self.scene
        shown = []
        moves: list[Any] = []
        number = 0
        bits = holding
        all_moves = self.moves  # two items a choice
        for index, choice in enumerate(self.choices):
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
            shown.append(new_tuple(ChoiceView, (number, choice.label.static, enabled, reason, choice.key, choice.target)))
            if all_moves:
                if enabled:
                    moves += (all_moves[index + index], all_moves[index + index + 1])
                else:
                    moves += (None, None)
        view = scene_view(scene.id, self.title, scene.chapter, self.paragraphs, tuple(shown), scene.ending)  # type: ignore[arg-type]
        return (view, *moves)


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
    plan: ScenePlan | None = prepared.get(scene_id)
    if plan is None:
        plan = prepared[scene_id] = ScenePlan(story, story.scenes[scene_id])
        if (len(prepared) - (_SHARED in prepared)) % FREEZE_PLANS == 0:
            freeze_alive()
    return plan

