"""Playtesting by machine: seeded random playthroughs (from randomwalk) and an exhaustive state-space search."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from adventure.rules import engine
from adventure.rules.state import GameState
from adventure.story.model import Choice, Story
from adventure.tools.liveness import Key, key_function
from adventure.tools.randomwalk import Failure as Failure
from adventure.tools.randomwalk import Progress as Progress
from adventure.tools.randomwalk import RandomReport as RandomReport
from adventure.tools.randomwalk import random_playthroughs as random_playthroughs
from adventure.tools.randomwalk import run_seed as run_seed

MAX_CHANCE_BRANCHES = 4096
SEED_STEPS = 300_000  # moves played, per path, trying seeds whose rolls and picks follow a path through chance


# --- exhaustive search ------------------------------------------------------------------


@dataclass(slots=True)
class ExhaustiveReport:
    """What the exhaustive search found."""

    states: int = 0
    edges: int = 0
    complete: bool = True
    limit: str = ""  # what stopped an incomplete search: "states", "seconds" (machine-dependent) or "chance"
    limit_reason: str = ""
    seconds: float = 0.0
    chance: bool = False  # some paths involve random outcomes
    endings: dict[str, tuple[int, ...] | None] = field(default_factory=dict)  # ending id -> shortest path
    soft_locks: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)  # (scene, shortest path into it)
    soft_lock_states: int = 0
    unreached_scenes: list[str] = field(default_factory=list)
    scene_paths: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # for paths through chance: a game seed that replays them (None: none found in SEED_STEPS)
    seeds: dict[tuple[int, ...], int | None] = field(default_factory=dict)


def successors(story: Story, state: GameState) -> list[tuple[int, GameState]]:
    """Every (typed number, next state) pair, one per outcome of chance."""
    result: list[tuple[int, GameState]] = []
    for number, (choice, enabled) in enumerate(engine.listed(story, state), start=1):
        if not enabled:
            continue
        result.extend((number, outcome) for outcome in _outcomes(story, state, choice))
    return result


def _outcomes(story: Story, state: GameState, choice: Choice) -> list[GameState]:
    """Every state taking `choice` can lead to, one per outcome of its random draws.

    Each run scripts the draws it knows and records the sizes of the rest (which took 0);
    every other value of each of those starts another run. A draw that a condition skips
    is never asked for, so only outcomes that can happen are followed."""
    results: list[GameState] = []
    pending: list[list[int]] = [[]]
    while pending:
        script = pending.pop()
        chance = engine.Chance(script)
        results.append(engine.take(story, state, choice, chance).state)
        if len(results) + len(pending) > MAX_CHANCE_BRANCHES:
            raise OverflowError(f"choice {choice.key} has more than {MAX_CHANCE_BRANCHES} random outcomes; the search follows at most that")
        for position in range(len(script), len(chance.sizes)):
            zeros = [0] * (position - len(script))
            size = chance.sizes[position]
            if size - 1 > MAX_CHANCE_BRANCHES:
                raise OverflowError(f"choice {choice.key} draws from {size:,} outcomes; the search follows at most {MAX_CHANCE_BRANCHES}")
            pending.extend([*script, *zeros, value] for value in range(1, size))
    return results


def exhaustive(
    story: Story, max_states: int = 2_000_000, max_seconds: float | None = None, progress: Progress | None = None,
) -> ExhaustiveReport:
    """Breadth-first search of every reachable state, merging states that play the same.

    The budget is counted in states, so the same story always gives the same report;
    `max_seconds`, when given, also stops it, and the report then says the clock did."""
    state_key = key_function(story)
    report = ExhaustiveReport()
    started = time.perf_counter()
    start = engine.new_game(story, 0).state
    start_key = state_key(start)
    parents: dict[Key, tuple[Key | None, int]] = {start_key: (None, 0)}
    children: dict[Key, list[Key]] = {}
    scene_of: dict[Key, str] = {start_key: start.scene}
    queue: deque[tuple[Key, GameState]] = deque([(start_key, start)])
    expanded: set[Key] = set()
    endings: dict[str, Key] = {}
    dead_ends: list[Key] = []
    while queue:
        if len(parents) >= max_states:
            report.complete, report.limit, report.limit_reason = False, "states", f"stopped at {max_states:,} states (--max-states)"
            break
        if max_seconds is not None and (len(expanded) & 1023) == 0 and time.perf_counter() - started > max_seconds:
            report.complete, report.limit = False, "seconds"
            report.limit_reason = f"stopped after {max_seconds:g} s (--max-seconds; another run may get further)"
            break
        key, state = queue.popleft()
        expanded.add(key)
        scene = story.scenes[state.scene]
        if scene.ending is not None:
            endings.setdefault(scene.ending.id, key)
            children[key] = []
            continue
        try:
            nexts = successors(story, state)
        except (OverflowError, engine.DetourError) as err:
            report.complete, report.limit, report.limit_reason = False, "chance" if isinstance(err, OverflowError) else "detours", str(err)
            break
        if len({number for number, _ in nexts}) != len(nexts):
            report.chance = True
        kids = []
        for number, following in nexts:
            report.edges += 1
            child = state_key(following)
            kids.append(child)
            if child not in parents:
                parents[child] = (key, number)
                scene_of[child] = following.scene
                queue.append((child, following))
        children[key] = kids
        if not kids:
            dead_ends.append(key)
        if progress is not None and (len(expanded) & 4095) == 0:
            progress(len(expanded), 0)
    report.states = len(parents)
    report.seconds = time.perf_counter() - started

    def keys_to(key: Key) -> list[Key]:
        keys = []
        current: Key | None = key
        while current is not None:
            keys.append(current)
            current = parents[current][0]
        return keys[::-1]

    def path_to(key: Key) -> tuple[int, ...]:
        return tuple(parents[step][1] for step in keys_to(key)[1:])

    def shown_path_to(key: Key) -> tuple[int, ...]:
        """A path the report prints: with a seed that replays it when the story has chance."""
        path = path_to(key)
        if report.chance and path not in report.seeds:
            report.seeds[path] = replaying_seed(story, path, keys_to(key), state_key)
        return path

    for ending_scene in story.endings():
        assert ending_scene.ending is not None
        found = endings.get(ending_scene.ending.id)
        report.endings[ending_scene.ending.id] = shown_path_to(found) if found is not None else None
    first_path: dict[str, tuple[int, ...]] = {}
    for key in parents:  # insertion order is BFS order, so the first key per scene is nearest
        scene_id = scene_of[key]
        if scene_id not in first_path:
            first_path[scene_id] = path_to(key)
    report.scene_paths = first_path
    report.unreached_scenes = [scene_id for scene_id in story.scenes if scene_id not in first_path] if report.complete else []
    if report.complete:
        _find_soft_locks(report, parents, children, scene_of, endings, shown_path_to, story)
    return report


def replaying_seed(story: Story, path: tuple[int, ...], keys: list[Key], state_key: Callable[[GameState], Key]) -> int | None:
    """The first game seed whose rolls and picks take `path` through the states `keys` (None:
    none found within SEED_STEPS moves). A path without chance is replayed by seed 0."""
    budget, seed = SEED_STEPS, 0
    while budget > 0:
        state = engine.new_game(story, seed).state
        for number, wanted in zip(path, keys[1:], strict=True):
            budget -= 1
            try:
                state = engine.choose(story, state, number).state
            except engine.ChoiceError:
                break
            if state_key(state) != wanted:
                break
        else:
            return seed
        seed += 1
    return None


def _find_soft_locks(
    report: ExhaustiveReport,
    parents: dict[Key, tuple[Key | None, int]],
    children: dict[Key, list[Key]],
    scene_of: dict[Key, str],
    endings: dict[str, Key],
    path_to: Callable[[Key], tuple[int, ...]],
    story: Story,
) -> None:
    """States from which no ending can be reached: walk backwards from every ending state."""
    reverse: dict[Key, list[Key]] = {}
    for parent, kids in children.items():
        for kid in kids:
            reverse.setdefault(kid, []).append(parent)
    can_end: set[Key] = {key for key in parents if story.scenes[scene_of[key]].ending is not None}
    frontier = list(can_end)
    while frontier:
        key = frontier.pop()
        for parent in reverse.get(key, ()):
            if parent not in can_end:
                can_end.add(parent)
                frontier.append(parent)
    locked = [key for key in parents if key not in can_end]
    report.soft_lock_states = len(locked)
    seen_scenes: set[str] = set()
    for key in locked:  # BFS order: the first entry per scene has the shortest path
        entered_from = parents[key][0]
        if entered_from is not None and entered_from not in can_end:
            continue  # already inside a stuck region; report only the step that led in
        scene_id = scene_of[key]
        if scene_id not in seen_scenes:
            seen_scenes.add(scene_id)
            report.soft_locks.append((scene_id, path_to(key)))


# --- reaching one scene ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reached:
    """The shortest real path into a scene, and the state it leaves the game in."""

    scene: str
    path: tuple[int, ...]
    labels: tuple[str, ...]
    state: GameState
    seed: int | None  # the game seed that plays the path (None: no seed found for its chance)
    # each move of the path: (the state before, the number typed, its outcome); the last outcome's state is `state`
    moves: tuple[tuple[GameState, int, engine.Outcome], ...] = ()

    def describe(self) -> list[str]:
        seed = f", game seed {self.seed}" if self.seed is not None else ", by outcomes of chance no seed was found for"
        lines = [f"Reached `{self.scene}` in {len(self.path)} choice{'' if len(self.path) == 1 else 's'}{seed}:"]
        lines += [f"  {step:>3}. [{number}] {label}" for step, (number, label) in enumerate(zip(self.path, self.labels, strict=True), 1)]
        return lines


def reach(
    story: Story, scene_id: str, start_for: Callable[[int], GameState] | None = None, seed: int = 0, max_states: int = 2_000_000,
) -> Reached | None:
    """Breadth first, the shortest path from the start into `scene_id`, replayed with `seed`
    (or, when chance decides the path, the first seed whose draws follow it). None: the
    scene cannot be reached within `max_states` states."""
    first = start_for or (lambda game_seed: engine.new_game(story, game_seed).state)
    state_key = key_function(story)
    start = first(seed)
    start_key = state_key(start)
    parents: dict[Key, tuple[Key | None, int]] = {start_key: (None, 0)}
    queue: deque[tuple[Key, GameState]] = deque([(start_key, start)])
    target: Key | None = start_key if start.scene == scene_id else None
    arrived = start  # the search's own state at the target
    while queue and target is None and len(parents) < max_states:
        key, state = queue.popleft()
        if story.scenes[state.scene].ending is not None:
            continue
        try:
            nexts = successors(story, state)
        except (OverflowError, engine.DetourError):
            continue
        for number, following in nexts:
            child = state_key(following)
            if child in parents:
                continue
            parents[child] = (key, number)
            if following.scene == scene_id:
                target, arrived = child, following
                break
            queue.append((child, following))
    if target is None:
        return None
    keys = []
    current: Key | None = target
    while current is not None:
        keys.append(current)
        current = parents[current][0]
    keys.reverse()
    path = tuple(parents[key][1] for key in keys[1:])
    for game_seed in (seed, *range(SEED_STEPS // max(len(path), 1))):
        replayed = _replay(story, first(game_seed), path, keys, state_key)
        if replayed is not None:
            return Reached(scene_id, path, replayed[1], replayed[0], game_seed, replayed[2])
    # chance decides the way in and no seed within the budget follows it: the search's own
    # state is still a real one (its draws were scripted), without labels or a seed to replay it
    return Reached(scene_id, path, tuple("(a choice after a roll or pick)" for _ in path), arrived, None)


def _replay(
    story: Story, state: GameState, path: tuple[int, ...], keys: list[Key], state_key: Callable[[GameState], Key],
) -> tuple[GameState, tuple[str, ...], tuple[tuple[GameState, int, engine.Outcome], ...]] | None:
    """Play `path` from `state`; the end state, the labels taken and the moves, or None when
    the game's own draws lead elsewhere than the search's."""
    labels = []
    moves = []
    if state_key(state) != keys[0]:
        return None
    for number, wanted in zip(path, keys[1:], strict=True):
        try:
            labels.append(engine.view(story, state).choices[number - 1].label)
            outcome = engine.choose(story, state, number)
        except (engine.ChoiceError, IndexError):
            return None
        moves.append((state, number, outcome))
        state = outcome.state
        if state_key(state) != wanted:
            return None
    return state, tuple(labels), tuple(moves)
