"""Which parts of a state can still matter at each scene: the exhaustive search's merge key."""

from __future__ import annotations

import ast
from collections.abc import Callable

from adventure.rules.state import GameState
from adventure.story.expr import Compiled
from adventure.story.flow import successors
from adventure.story.model import Effect, Scene, SetVar, Story, When

Item = tuple[
    str, str, str
]
# A Part is one of: ("var", name, ""), ("member", set name, member), ("visits", scene, ""),
# ("unlocked", entry, ""), ("used", choice key, ""), ("turn", "", "").


def expression_items(compiled: Compiled) -> set[Item]:
    """What an expression reads, with `"x" in some_set` narrowed to that one member."""
    items: set[Item] = set()
    stack: list[ast.AST] = [compiled.tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)):
            left, right = node.left, node.comparators[0]
            if (
                isinstance(left, ast.Constant)
                and isinstance(left.value, str)
                and isinstance(right, ast.Name)
                and right.id in compiled.reads
            ):
                items.add(("member", right.id, left.value))
                continue
        if isinstance(node, ast.Name) and node.id in compiled.reads:
            items.add(("var", node.id, ""))
        stack.extend(ast.iter_child_nodes(node))
    items |= {("visits", scene, "") for scene in compiled.reads_visits}
    items |= {("unlocked", entry, "") for entry in compiled.reads_unlocked}
    if compiled.reads_turn:
        items.add(("turn", "", ""))
    return items


def _effect_items(effects: tuple[Effect, ...]) -> set[Item]:
    """Items effects read: computed values and the conditions of conditional effects."""
    items: set[Item] = set()
    for effect in effects:
        match effect:
            case SetVar(computed=computed) if computed is not None:
                items |= expression_items(computed)
            case When(condition=condition, then=then, otherwise=otherwise):
                items |= expression_items(condition) | _effect_items(then) | _effect_items(otherwise)
    return items


def _local_items(scene: Scene) -> set[Item]:
    """Items this scene itself reads when it lists choices or computes values. (Replies
    read the state too, but only for show: they change no future, like scene text.)"""
    items: set[Item] = set()
    for choice in scene.choices:
        if choice.condition is not None:
            items |= expression_items(choice.condition)
        if choice.once:
            items.add(("used", choice.key, ""))
        items |= _effect_items(choice.effects)
    return items | _effect_items(scene.on_enter)


def live_items(story: Story) -> dict[str, tuple[Item, ...]]:
    """For each scene, what any scene still reachable from it may read (a sound liveness).

    Two states at the same scene that agree on these items have the same future, so the
    exhaustive search merges them. Computed in one pass over the strongly connected
    components of the scene graph, in reverse topological order.
    """
    graph = {scene_id: sorted(targets) for scene_id, targets in successors(story.scenes).items()}
    local = {scene_id: _local_items(scene) for scene_id, scene in story.scenes.items()}
    components = _strongly_connected(graph)  # Tarjan yields components in reverse topological order
    component_of = {scene_id: index for index, members in enumerate(components) for scene_id in members}
    live_component: list[set[Item]] = []
    for index, members in enumerate(components):
        items: set[Item] = set()
        for scene_id in members:
            items |= local[scene_id]
            for target in graph[scene_id]:
                if component_of[target] != index:
                    items |= live_component[component_of[target]]
        live_component.append(items)
    return {scene_id: tuple(sorted(live_component[component_of[scene_id]])) for scene_id in story.scenes}


def _strongly_connected(graph: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (stories can be deep)."""
    index_of: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index_of:
            continue
        work = [(root, 0)]
        while work:
            node, child_index = work.pop()
            if child_index == 0:
                index_of[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = graph[node]
            if child_index < len(children):
                work.append((node, child_index + 1))
                child = children[child_index]
                if child not in index_of:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index_of[child])
                continue
            if low[node] == index_of[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return components


Key = tuple[object, ...]
Extractor = Callable[[GameState], Key]


def _reader(kind: str, name: str, member: str) -> Callable[[GameState], object]:
    """How to read one live item out of a state."""
    def variable(state: GameState) -> object:
        return state.vars[name]

    def has_member(state: GameState) -> object:
        return member in state.vars[name]  # type: ignore[operator]

    def visits(state: GameState) -> object:
        return state.visits.get(name, 0)

    def unlocked(state: GameState) -> object:
        return name in state.unlocked

    def used(state: GameState) -> object:
        return name in state.used

    def turn(state: GameState) -> object:
        return state.turn

    readers = {"var": variable, "member": has_member, "visits": visits, "unlocked": unlocked, "used": used}
    return readers.get(kind, turn)


def key_function(story: Story) -> Extractor:
    """A function from a state to its merge key: the scene plus its live items' values."""
    live = live_items(story)
    cache: dict[tuple[Item, ...], Callable[[GameState], tuple[object, ...]]] = {}

    def build(items: tuple[Item, ...]) -> Callable[[GameState], tuple[object, ...]]:
        readers = [_reader(kind, name, member) for kind, name, member in items]
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
