"""Seeded random playthroughs, on a story prepared once into flat per-scene records."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from adventure.rules import engine
from adventure.rules.moves import Working, move_into, step_into
from adventure.rules.state import next_random
from adventure.source.collector import collector_paused
from adventure.story.expr import Evaluator
from adventure.story.model import Choice, Effect, Story
from adventure.story.template import Template

Progress = Callable[[int, int], None]  # (done, total or 0 when unknown)


@dataclass(frozen=True, slots=True)
class Failure:
    """A playthrough that went wrong, with what it takes to replay it."""

    run: int
    seed: int
    path: tuple[int, ...]
    scene: str
    message: str


@dataclass(slots=True)
class RandomReport:
    """What N random playthroughs found."""

    runs: int
    seed: int
    max_steps: int
    steps: int = 0
    scene_hits: dict[str, int] = field(default_factory=dict)  # playthroughs reaching each scene
    choice_hits: dict[str, int] = field(default_factory=dict)  # times each choice was taken
    ending_hits: dict[str, int] = field(default_factory=dict)  # playthroughs ending in each ending
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    # with measure_reading: each playthrough's (ending or None, words read, choices made)
    readings: list[tuple[str | None, int, int]] = field(default_factory=list)

    def unreached_scenes(self, story: Story) -> list[str]:
        return [scene_id for scene_id in story.scenes if not self.scene_hits.get(scene_id)]

    def unreached_choices(self, story: Story) -> list[str]:
        return [choice.key for scene in story.scenes.values() for choice in scene.choices if not self.choice_hits.get(choice.key)]


def run_seed(seed: int, run: int) -> int:
    """The game seed of playthrough `run` of a batch seeded with `seed` (stable across versions)."""
    return next_random(seed * 1_000_003 + run)[0]


# --- the story, prepared for walking -----------------------------------------------------

# Named tuples rather than objects: the walk unpacks each in one step (the interpreter's
# fastest path), and a scene's tuples, built together, lie together in memory, where the
# model's scene is a tree of objects spread over the heap: on a large story, each object the
# walk reads on a visit is a likely cache miss.


class Move(NamedTuple):
    """What taking a choice needs."""

    label: Template
    counter: int  # the index of the choice's counter
    effects: tuple[Effect, ...]
    once_key: str | None  # its key if it is once-only
    target: int  # the index of its target's record; -1 for a choice that stays, detours, returns or replies
    choice: Choice | None  # for those, the choice, which the engine's step_into takes in full


class Row(NamedTuple):
    """A choice as listed."""

    condition: Evaluator | None  # None: always available
    listed_when_disabled: bool
    move: Move


class Record(NamedTuple):
    """A scene, prepared for walking."""

    scene_id: str
    text: engine.TextPlan
    ending: str | None  # its ending's id
    rows: tuple[Row, ...] | None  # when listing it comes down to its rows' conditions (no fallback or once-only choice)
    by_key: dict[str, Move]  # for any other scene, which the engine lists: its moves by choice key
    on_enter: tuple[Effect, ...]


def prepare(story: Story) -> tuple[list[Record], dict[str, int], list[str]]:
    """Every scene as a record, each scene id's index, and every choice key by counter
    index. Built in one pass so that a record lies together in memory, and so that a move
    goes to its target by index rather than by looking its id up."""
    index = {scene_id: number for number, scene_id in enumerate(story.scenes)}
    records: list[Record] = []
    keys: list[str] = []
    for scene in story.scenes.values():
        rows: list[Row] = []
        by_key: dict[str, Move] = {}
        for choice in scene.choices:
            plain = choice.flow == "goto" and not choice.reply
            move = Move(
                choice.label, len(keys), choice.effects, choice.key if choice.once else None,
                index[choice.target] if plain else -1, None if plain else choice,
            )
            keys.append(choice.key)
            rows.append(Row(None if choice.condition is None else choice.condition.evaluate, choice.disabled is not None, move))
            by_key[choice.key] = move
        simple = not any(choice.fallback or choice.once or choice.flow == "return" for choice in scene.choices)
        ending = scene.ending.id if scene.ending is not None else None
        records.append(
            Record(
                scene.id, engine.text_plan(scene.text), ending, tuple(rows) if simple else None, {} if simple else by_key, scene.on_enter
            )
        )
    return records, index, keys


# --- the walk ----------------------------------------------------------------------------


def _weighted(enabled: list[tuple[int, Move]], weight_of: list[float], draw: float) -> tuple[int, Move]:
    """The enabled choice a draw in [0, 1) falls on, each choice's share its weight."""
    total = sum(weight_of[move[1]] for _, move in enabled)
    point = draw * total
    for entry in enabled:
        point -= weight_of[entry[1][1]]
        if point < 0:
            return entry
    return enabled[-1]  # rounding


def random_playthroughs(
    story: Story, runs: int, seed: int = 0, max_steps: int = 2000,
    progress: Progress | None = None, build_text: bool = True, weights: dict[str, float] | None = None,
    measure_reading: bool = False,
) -> RandomReport:
    """Play `runs` seeded random games; each picks among the enabled choices, uniformly, or
    in proportion to `weights` (by choice key; a policy's, see policy.py) when given."""
    with collector_paused():  # a walk makes no cycles; collections would rescan the story
        return _random_playthroughs(story, runs, seed, max_steps, progress, build_text or measure_reading, weights, measure_reading)


def _random_playthroughs(
    story: Story, runs: int, seed: int, max_steps: int, progress: Progress | None, build_text: bool,
    weights: dict[str, float] | None, measure_reading: bool,
) -> RandomReport:
    report = RandomReport(runs, seed, max_steps)
    scene_hits, choice_hits, ending_hits = report.scene_hits, report.choice_hits, report.ending_hits
    started = time.perf_counter()
    records, index, keys = prepare(story)
    counts = [0] * len(keys)  # times each choice was taken, by counter index
    weight_of = [weights.get(key, 1.0) for key in keys] if weights else None  # by counter index
    readings = report.readings if measure_reading else None
    first_taken: list[int] = []  # counter indexes in the order first taken: choice_hits' order
    render = engine.render_plan
    listed = engine.listed
    for run in range(runs):
        game_seed = run_seed(seed, run)
        # the picker is separate from the game's own generator, so choosing does not
        # change what the story's rolls produce; random.Random(int) is stable across versions
        pick = random.Random(game_seed).random
        # One working state for the whole playthrough, moved in place by the engine's own
        # rules (moves.move_into): no new state and no copies per move.
        work = Working.of(engine.new_game(story, game_seed).state, copy_vars=True)
        record = records[index[work.scene]]
        seen = {record.scene_id}
        path: list[int] = []
        ended = None
        words = 0
        try:
            for _ in range(max_steps):
                scene_id, text, ending, rows, by_key, _ = record
                if build_text:
                    shown = render(text, work)
                    if readings is not None:
                        words += sum(len(paragraph.split()) for paragraph in shown)
                if ending is not None:
                    ended = ending
                    break
                enabled: list[tuple[int, Move]] = []
                if rows is not None:
                    # engine.listed for a scene without fallback or once-only choices: the
                    # choices whose condition holds, numbered among those listed
                    number = 0
                    for condition, listed_when_disabled, move in rows:
                        if condition is None or condition(work):
                            number += 1
                            enabled.append((number, move))
                        elif listed_when_disabled:
                            number += 1
                else:
                    enabled = [(number, by_key[choice.key]) for number, (choice, ok) in enumerate(listed(story, work), 1) if ok]
                if not enabled:
                    report.failures.append(Failure(run, game_seed, tuple(path), scene_id, "no choice can be taken here (a dead end)"))
                    break
                if weight_of is None:
                    number, (label, counter, effects, once_key, target, choice) = enabled[int(pick() * len(enabled))]
                else:
                    number, (label, counter, effects, once_key, target, choice) = _weighted(enabled, weight_of, pick())
                if build_text:
                    label.render(work)
                path.append(number)
                taken = counts[counter]
                if not taken:
                    first_taken.append(counter)
                counts[counter] = taken + 1
                if target < 0:  # stays, detours, returns and replies: the engine's own rules, in full
                    assert choice is not None
                    step_into(story, work, choice, [] if build_text else None)
                    arrival = records[index[work.scene]]
                else:
                    arrival = records[target]
                    move_into(story, work, effects, once_key, arrival.scene_id, arrival.on_enter)
                record = arrival  # only once the whole move is done: a failure reports the scene before
                seen.add(arrival.scene_id)
            else:
                message = f"no ending after {max_steps} choices (a loop?)"
                report.failures.append(Failure(run, game_seed, tuple(path), record.scene_id, message))
        except Exception as err:  # a crash is the most important thing to report, not to raise
            report.failures.append(Failure(run, game_seed, tuple(path), record.scene_id, f"{type(err).__name__}: {err}"))
        report.steps += len(path)
        if readings is not None:
            readings.append((ended, words, len(path)))
        for reached in seen:
            scene_hits[reached] = scene_hits.get(reached, 0) + 1
        if ended is not None:
            ending_hits[ended] = ending_hits.get(ended, 0) + 1
        if progress is not None and (run & 63) == 0:
            progress(run + 1, runs)
    for counter in first_taken:
        choice_hits[keys[counter]] = counts[counter]
    report.seconds = time.perf_counter() - started
    if progress is not None:
        progress(runs, runs)
    return report
