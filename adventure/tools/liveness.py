"""Which parts of a state can still matter at each scene: the exhaustive search's merge key."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from adventure.rules.state import GameState
from adventure.story.expr import Compiled
from adventure.story.flow import return_targets
from adventure.story.model import AddInt, Choice, Effect, Pick, Roll, Scene, SetAdd, SetRemove, SetVar, Story, Unlock, When

# An Item is one of: ("var", name, ""), ("member", set name, member), ("visits", scene, ""),
# ("unlocked", entry, ""), ("used", choice key, ""), ("turn", "", "").
Item = tuple[str, str, str]
TURN: Item = ("turn", "", "")


@dataclass(frozen=True, slots=True)
class Counters:
    """How much of each counter (visits to a scene, the turn) the story can tell apart.

    A counter only ever goes up by one. When every condition that reads it compares it with
    a constant (`visits("hub") >= 3`, `visited("well")`, `turn > 40`), all values past the
    largest constant behave alike, so the key keeps min(value, cap). None: kept exactly
    (some expression does arithmetic with it, or compares it with a variable).
    """

    visits: dict[str, int | None]
    turn: int | None


def _int_constant(node: ast.expr) -> int | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _int_constant(node.operand)
        return -inner if inner is not None else None
    return None


def _counter(node: ast.expr) -> Item | None:
    """The counter a node reads: `visits("x")`, `visited("x")` or `turn`."""
    if isinstance(node, ast.Name) and node.id == "turn":
        return TURN
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("visits", "visited")
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return ("visits", node.args[0].value, "")
    return None


def _widen(caps: dict[Item, int | None], counter: Item, cap: int | None) -> None:
    """Record that `counter` must be kept up to `cap` (None: exactly), as well as before."""
    if cap is None or (counter in caps and caps[counter] is None):
        caps[counter] = None
    else:
        caps[counter] = max(cap, caps.get(counter) or 0)


def expression_reads(compiled: Compiled) -> tuple[set[Item], dict[Item, int | None]]:
    """What an expression reads, with `"x" in some_set` narrowed to that one member, and for
    each counter it reads the largest constant it is compared with (None: read otherwise)."""
    items: set[Item] = set()
    caps: dict[Item, int | None] = {}

    def note(counter: Item, cap: int | None) -> None:
        items.add(counter)
        _widen(caps, counter, cap)

    stack: list[ast.AST] = [compiled.tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)):
            left, right = node.left, node.comparators[0]
            member = left.value if isinstance(left, ast.Constant) and isinstance(left.value, str) else None
            if member is not None and isinstance(right, ast.Name) and right.id in compiled.reads:
                items.add(("member", right.id, member))
                continue
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            counters = [_counter(operand) for operand in operands]
            constants = [_int_constant(operand) for operand in operands]
            if sum(counter is not None for counter in counters) == 1 and all(
                counter is not None or constant is not None for counter, constant in zip(counters, constants, strict=True)
            ):
                compared = next(counter for counter in counters if counter is not None)
                # values above the largest constant all compare alike: keep min(value, largest + 1)
                note(compared, max(max(constant for constant in constants if constant is not None) + 1, 0))
                continue
        read = _counter(node) if isinstance(node, ast.expr) else None
        if read is not None:
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "visited":
                note(read, 1)
            else:
                note(read, None)
            continue
        if isinstance(node, ast.Name) and node.id in compiled.reads:
            items.add(("var", node.id, ""))
        stack.extend(ast.iter_child_nodes(node))
    items |= {("unlocked", entry, "") for entry in compiled.reads_unlocked}
    # a counter the walk above did not see (an evaluator reading it some other way) is kept exactly
    for scene_id in compiled.reads_visits:
        if ("visits", scene_id, "") not in caps:
            note(("visits", scene_id, ""), None)
    if compiled.reads_turn and TURN not in caps:
        note(TURN, None)
    return items, caps


def expression_items(compiled: Compiled) -> set[Item]:
    """What an expression reads, with `"x" in some_set` narrowed to that one member."""
    return expression_reads(compiled)[0]


def _expressions(scene: Scene) -> Iterable[Compiled]:
    """Every expression of a scene that can change where a player can go (text cannot)."""
    for choice in scene.choices:
        if choice.condition is not None:
            yield choice.condition
        yield from _effect_expressions(choice.effects)
    yield from _effect_expressions(scene.on_enter)


def _effect_expressions(effects: Sequence[Effect]) -> Iterable[Compiled]:
    for effect in effects:
        match effect:
            case SetVar(computed=computed) if computed is not None:
                yield computed
            case When(condition=condition, then=then, otherwise=otherwise):
                yield condition
                yield from _effect_expressions(then)
                yield from _effect_expressions(otherwise)


def counters(story: Story) -> Counters:
    """How far each counter must be kept, over every expression of the story."""
    caps: dict[Item, int | None] = {}
    for scene in story.scenes.values():
        for compiled in _expressions(scene):
            for counter, cap in expression_reads(compiled)[1].items():
                _widen(caps, counter, cap)
    return Counters({name: cap for (kind, name, _), cap in caps.items() if kind == "visits"}, caps.get(TURN))


def _through_effects(effects: Sequence[Effect], live: set[Item]) -> set[Item]:
    """What is live before `effects` run, given what is live after (backwards, effect by effect)."""
    for effect in reversed(effects):
        match effect:
            case When(condition=condition, then=then, otherwise=otherwise):  # either branch may run: nothing is surely overwritten
                live = expression_items(condition) | _through_effects(then, live) | _through_effects(otherwise, live)
            case Unlock(entries=entries):
                live = live - {("unlocked", entry, "") for entry in entries}
            case SetVar(name=name) | Roll(name=name) | Pick(name=name):  # overwrites the whole variable
                live = {item for item in live if not (item[1] == name and item[0] in ("var", "member"))}
                if isinstance(effect, SetVar) and effect.computed is not None:
                    live |= expression_items(effect.computed)
            case SetAdd(name=name, members=members) | SetRemove(name=name, members=members):  # decides those members, keeps the others
                live = live - {("member", name, member) for member in members}
            case AddInt():  # reads the old value: nothing killed
                pass
    return live


def _local_items(scene: Scene) -> set[Item]:
    """Items this scene reads when it lists its choices."""
    items: set[Item] = set()
    for choice in scene.choices:
        if choice.condition is not None:
            items |= expression_items(choice.condition)
        if choice.once:
            items.add(("used", choice.key, ""))
    return items


def _through_choice(story: Story, choice: Choice, live: dict[str, set[Item]], returns_to: dict[str, set[str]]) -> set[Item]:
    """What is live when `choice` is taken, given what is live on arriving where it leads:
    its target (entered, so through its on_enter), its own scene for a stay (not entered),
    and for a return every scene whose detour it can end (entered again)."""
    if choice.flow == "stay":
        after = set(live[choice.target])
    elif choice.flow == "return":
        after = set()
        for origin in returns_to.get(choice.target, ()):
            after |= _through_effects(story.scenes[origin].on_enter, live[origin])
    else:
        after = _through_effects(story.scenes[choice.target].on_enter, live[choice.target])
    return _before_choice(choice, after)


def _before_choice(choice: Choice, live: set[Item]) -> set[Item]:
    if choice.once:
        live = live - {("used", choice.key, "")}  # marked used by the move, whatever it was
    return _through_effects(choice.effects, live)


def live_items(story: Story) -> dict[str, tuple[Item, ...]]:
    """For each scene, what may still be read, on some path from it, before it is overwritten.

    Two states at the same scene that agree on these items have the same future, so the
    exhaustive search merges them. A backward data-flow analysis over the scene graph,
    iterated to its fixed point: a `set` (or `roll`, `pick`) kills the variable, an `add` or
    `remove` on a set kills the members it names, a once-only choice taken kills its mark.
    """
    local = {scene_id: _local_items(scene) for scene_id, scene in story.scenes.items()}
    live = {scene_id: set(items) for scene_id, items in local.items()}
    returns_to = return_targets(story.scenes)  # a return's own scene -> the scenes it can return to
    predecessors: dict[str, set[str]] = {scene_id: set() for scene_id in story.scenes}
    for scene_id, scene in story.scenes.items():
        for choice in scene.choices:
            for target in returns_to.get(scene_id, ()) if choice.flow == "return" else (choice.target,):
                predecessors[target].add(scene_id)
    pending = list(story.scenes)
    queued = set(pending)
    while pending:
        scene_id = pending.pop()
        queued.discard(scene_id)
        scene = story.scenes[scene_id]
        items = set(local[scene_id])
        for choice in scene.choices:
            items |= _through_choice(story, choice, live, returns_to)
        if items != live[scene_id]:
            live[scene_id] = items
            for predecessor in predecessors[scene_id]:
                if predecessor not in queued:
                    queued.add(predecessor)
                    pending.append(predecessor)
    return {scene_id: tuple(sorted(items)) for scene_id, items in live.items()}


Key = tuple[object, ...]
Extractor = Callable[[GameState], Key]


def _reader(item: Item, limits: Counters) -> Callable[[GameState], object]:
    """How to read one live item out of a state."""
    kind, name, member = item
    limit = limits.visits.get(name) if kind == "visits" else limits.turn if kind == "turn" else None
    cap = limit if limit is not None else 0

    def variable(state: GameState) -> object:
        return state.vars[name]

    def has_member(state: GameState) -> object:
        return member in state.vars[name]  # type: ignore[operator]

    def visits(state: GameState) -> object:
        return state.visits.get(name, 0)

    def visits_capped(state: GameState) -> object:
        return min(state.visits.get(name, 0), cap)

    def unlocked(state: GameState) -> object:
        return name in state.unlocked

    def used(state: GameState) -> object:
        return name in state.used

    def turn(state: GameState) -> object:
        return state.turn

    def turn_capped(state: GameState) -> object:
        return min(state.turn, cap)

    if kind == "visits":
        return visits if limit is None else visits_capped
    if kind == "turn":
        return turn if limit is None else turn_capped
    readers = {"var": variable, "member": has_member, "unlocked": unlocked, "used": used}
    return readers[kind]


def key_function(story: Story) -> Extractor:
    """A function from a state to its merge key: the scene plus its live items' values."""
    live = live_items(story)
    limits = counters(story)
    cache: dict[tuple[Item, ...], Callable[[GameState], tuple[object, ...]]] = {}

    def build(items: tuple[Item, ...]) -> Callable[[GameState], tuple[object, ...]]:
        readers = [_reader(item, limits) for item in items]
        return lambda state: tuple(reader(state) for reader in readers)

    per_scene = {}
    for scene_id, items in live.items():
        if items not in cache:
            cache[items] = build(items)
        per_scene[scene_id] = cache[items]

    def key(state: GameState) -> Key:
        # the stack of open detours decides where returns lead, so it is always part of the key
        return (state.scene, state.stack, per_scene[state.scene](state))
    return key
