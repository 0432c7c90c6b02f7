"""Random playthroughs: the prepared walk gives the very reports the plain engine loop gave."""

from __future__ import annotations

import gc
import random
from pathlib import Path
from typing import Any

import pytest
from conftest import FEATURES, SHIPPED, write_story
from hypothesis import given, settings
from hypothesis import strategies as st

from adventure.rules import engine
from adventure.rules.moves import Working, move_into
from adventure.story.loader import load_story
from adventure.story.model import Story
from adventure.story.template import around_variable
from adventure.tools import explore
from adventure.tools.randomwalk import prepare

# Every feature a walk meets: conditions, choices listed while disabled (they take a number),
# once-only and fallback choices, every kind of effect, on_enter rolls and picks, codex
# unlocks, conditional and interpolated text of every shape, dead ends and endless loops.
WALKER = {
    "story.yaml": """\
        id: walker
        title: Walker
        version: 1
        start: yard
        variables:
          gold: {type: int, default: 1, min: 0, max: 9}
          mood: {type: string, default: calm}
          flags: {type: set, members: [a, b, c]}
          lit: {type: bool}
          dice: {type: int, min: 1, max: 6, default: 1}
        codex:
          lamp:
            title: The Lamp
            text: A lamp.
        """,
    "scenes.yaml": """\
        scenes:
          - id: yard
            title: "Yard {gold}"
            text:
              - "{gold}"
              - "Gold {gold}"
              - "{mood} mood"
              - "You have {gold} gold and feel {mood}."
              - "Flags {flags}, lit {lit}, next {gold + 1}, {size(flags)} flags."
              - if: lit
                text: The lamp is lit.
                else:
                  - It is dark.
                  - if: '"a" in flags'
                    text: But you remember a.
            choices:
              - label: Light the lamp
                goto: yard
                once: true
                effects: [{set: {lit: true}}, {unlock: lamp}]
              - label: "Dig for gold ({gold})"
                goto: yard
                if: gold < 9
                disabled: "Your pockets are full, {mood} one."
                effects: [{add: {gold: 2}}, {add: {flags: a}}]
              - label: Spend
                goto: shop
                if: gold >= 2 and gold < 9
                effects: [{subtract: {gold: 2}}]
              - label: Wander
                goto: maze
                if: not lit or "c" in flags
              - label: Give up
                goto: yard
                fallback: true
                effects: [{subtract: {gold: 1}}]
          - id: shop
            title: Shop
            on_enter:
              - roll: {into: dice, min: 1, max: 6}
              - pick: {into: mood, from: [glad, sour, calm]}
            text: "The dice say {dice}; you feel {mood}."
            choices:
              - label: Double up
                goto: yard
                if: dice >= 4
                effects: [{set: {gold: {expr: "gold + gold"}}}]
              - label: Buy a flag
                goto: yard
                if: dice < 4
                disabled: Not today.
                effects: [{add: {flags: [b, c]}}]
              - label: Sell a flag
                goto: yard
                if: size(flags) > 0
                effects: [{remove: {flags: a}}]
              - label: Leave
                goto: gate
          - id: maze
            title: Maze
            text: "Turn {turn}."
            choices:
              - label: Left
                goto: maze
                if: turn < 6
              - label: Right
                goto: gate
                if: '"b" in flags'
              - label: Back
                goto: yard
                if: visits("maze") < 3
          - id: gate
            title: Gate
            text: A gate.
            choices:
              - label: Take the gold
                goto: rich
                if: gold >= 5
              - label: Walk away
                goto: poor
                if: gold < 5
                disabled: You are too rich to walk away.
          - id: rich
            title: Rich
            text: "Rich with {gold}."
            ending: {id: rich, name: Rich}
          - id: poor
            title: Poor
            text: Poor.
            ending: {id: poor, name: Poor}
        """,
}


@pytest.fixture(scope="module")
def walker(tmp_path_factory: pytest.TempPathFactory) -> Story:
    return load_story(str(write_story(tmp_path_factory.mktemp("walker"), WALKER)))


def report_data(report: explore.RandomReport) -> tuple[Any, ...]:
    """Everything a report says, dictionaries in their order (JSON output keeps it)."""
    return (
        report.runs, report.seed, report.max_steps, report.steps, list(report.scene_hits.items()),
        list(report.choice_hits.items()), list(report.ending_hits.items()), report.failures,
    )


def engine_loop(story: Story, runs: int, seed: int, max_steps: int) -> explore.RandomReport:
    """The explorer's loop as it was before it was prepared for speed: a new state per move
    from engine.advance, choices from engine.listed, text from engine.render_text."""
    report = explore.RandomReport(runs, seed, max_steps)
    for run in range(runs):
        game_seed = explore.run_seed(seed, run)
        pick = random.Random(game_seed).random
        state = engine.new_game(story, game_seed).state
        seen = {state.scene}
        path: list[int] = []
        ended = None
        for _ in range(max_steps):
            scene = story.scenes[state.scene]
            engine.render_text(scene.text, state)
            if scene.ending is not None:
                ended = scene.ending.id
                break
            options = engine.listed(story, state)
            enabled = [number for number, (_, ok) in enumerate(options, 1) if ok]
            if not enabled:
                report.failures.append(
                    explore.Failure(run, game_seed, tuple(path), state.scene, "no choice can be taken here (a dead end)")
                )
                break
            number = enabled[int(pick() * len(enabled))]
            choice = options[number - 1][0]
            choice.label.render(state)
            path.append(number)
            report.choice_hits[choice.key] = report.choice_hits.get(choice.key, 0) + 1
            state = engine.take(story, state, choice).state
            seen.add(state.scene)
        else:
            report.failures.append(
                explore.Failure(run, game_seed, tuple(path), state.scene, f"no ending after {max_steps} choices (a loop?)")
            )
        report.steps += len(path)
        for scene_id in seen:
            report.scene_hits[scene_id] = report.scene_hits.get(scene_id, 0) + 1
        if ended is not None:
            report.ending_hits[ended] = report.ending_hits.get(ended, 0) + 1
    return report


def test_a_seed_gives_the_report_it_gave_before_the_walk_was_prepared(walker: Story) -> None:
    # Recorded with the engine loop of before (commit d4b4140), which kept no prepared data.
    report = explore.random_playthroughs(walker, 40, seed=3, max_steps=12)
    assert report.steps == 362
    assert dict(sorted(report.scene_hits.items())) == {"gate": 21, "maze": 25, "poor": 17, "rich": 2, "shop": 31, "yard": 40}
    assert list(report.choice_hits.items()) == [
        ("yard#1", 28), ("yard#2", 107), ("yard#3", 52), ("shop#2", 9), ("shop#4", 17), ("gate#2", 17), ("yard#4", 36),
        ("maze#3", 21), ("maze#1", 28), ("shop#1", 5), ("yard#5", 17), ("maze#2", 4), ("shop#3", 19), ("gate#1", 2),
    ]
    assert list(report.ending_hits.items()) == [("poor", 16), ("rich", 1)]
    dead, loop = "no choice can be taken here (a dead end)", "no ending after 12 choices (a loop?)"
    assert [(f.run, f.path, f.scene, f.message) for f in report.failures] == [
        (3, (3, 2, 3, 2, 2, 2, 2, 4), "maze", dead), (4, (3, 2, 3, 1, 1, 1), "maze", dead),
        (5, (1, 1, 1, 2, 1, 1, 1, 2, 1, 2, 1, 2), "yard", loop), (10, (2, 1, 1, 1, 2, 2, 2, 1, 1, 3, 1, 1), "rich", loop),
        (11, (1, 1, 1, 1, 2, 3, 2, 1, 1, 2, 3, 2), "shop", loop), (15, (2, 2, 1, 1, 1, 2, 1, 2, 2, 1, 2, 2), "shop", loop),
        (17, (2, 4, 1, 2, 1, 2, 3, 1, 1, 1, 2, 4), "gate", loop), (18, (2, 4, 1, 1, 1, 1), "maze", dead),
        (19, (3, 1, 2, 1, 1, 2, 2, 1, 1, 2, 3, 1), "poor", loop), (21, (1, 1, 2, 2, 1, 2, 1, 1, 2, 2, 1, 1), "yard", loop),
        (23, (1, 1, 1, 1, 1, 2, 1, 2, 1, 2, 2, 2), "yard", loop), (24, (1, 1, 2, 1, 2, 1, 1, 3, 2, 2, 3, 2), "maze", loop),
        (26, (2, 4, 1, 1, 1, 1), "maze", dead), (27, (2, 4, 1, 2, 4, 1), "maze", dead),
        (28, (1, 1, 1, 1, 1, 2, 1, 2, 1, 2, 1, 2), "yard", loop), (30, (2, 1, 1, 1, 1, 2, 2, 3, 1, 1, 2, 1), "yard", loop),
        (31, (3, 2, 3, 1, 1, 1), "maze", dead), (33, (1, 1, 2, 3, 1, 1, 1, 1, 2, 1, 2, 1), "yard", loop),
        (34, (3, 1, 2, 3, 1, 1), "maze", dead), (35, (2, 1, 2, 3, 1, 2, 1, 1, 2, 2, 1, 3), "maze", loop),
        (36, (1, 1, 2, 1, 1, 3, 2, 1, 2, 3, 3, 1), "gate", loop), (37, (1, 1, 1, 1, 2, 1, 1, 2, 2, 1, 1, 2), "maze", loop),
        (39, (3, 1, 1, 1, 1, 1), "maze", dead),
    ]
    assert all(failure.seed == explore.run_seed(3, failure.run) for failure in report.failures)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), runs=st.integers(0, 60), max_steps=st.integers(0, 40))
def test_the_walk_reports_what_the_engine_loop_reports(walker: Story, seed: int, runs: int, max_steps: int) -> None:
    expected = engine_loop(walker, runs, seed, max_steps)
    assert report_data(explore.random_playthroughs(walker, runs, seed, max_steps)) == report_data(expected)
    assert report_data(explore.random_playthroughs(walker, runs, seed, max_steps, build_text=False)) == report_data(expected)


@pytest.mark.parametrize("root", [FEATURES, SHIPPED], ids=["features", "shipped"])
def test_the_walk_reports_what_the_engine_loop_reports_on_whole_stories(root: Path) -> None:
    story = load_story(str(root))
    for seed, max_steps in ((0, 2000), (5, 30)):
        assert report_data(explore.random_playthroughs(story, 150, seed, max_steps)) == report_data(
            engine_loop(story, 150, seed, max_steps)
        )


def walk_states(story: Story, seed: int, moves: int) -> list[Working]:
    """States along a random walk, each a working copy (expressions read both alike)."""
    state = engine.new_game(story, seed).state
    rng = random.Random(seed)
    states = [Working.of(state, copy_vars=True)]
    for _ in range(moves):
        options = [choice for choice, enabled in engine.listed(story, state) if enabled]
        if not options:
            break
        state = engine.take(story, state, rng.choice(options)).state
        states.append(Working.of(state, copy_vars=True))
    return states


@pytest.mark.parametrize("root", [FEATURES, SHIPPED, None], ids=["features", "shipped", "walker"])
def test_a_text_plan_renders_what_render_text_renders(root: Path | None, walker: Story) -> None:
    story = walker if root is None else load_story(str(root))
    texts = [scene.text for scene in story.scenes.values()] + [entry.text for entry in story.codex.values()]
    plans = [engine.text_plan(text) for text in texts]
    for seed in range(12):
        for state in walk_states(story, seed, 60):
            for text, plan in zip(texts, plans, strict=True):
                assert engine.render_plan(plan, state) == engine.render_text(text, state)


def test_text_around_one_variable_is_rendered_inline_and_every_other_shape_by_its_renderer(walker: Story) -> None:
    yard = walker.scenes["yard"]
    templates = [part.template for part in yard.text[:5]]  # type: ignore[union-attr]
    assert [around_variable(template) for template in templates] == [
        ("", "gold", ""), ("Gold ", "gold", ""), ("", "mood", " mood"), None, None,
    ]
    assert around_variable(walker.scenes["maze"].text[0].template) is None  # type: ignore[union-attr]  # `turn` is no variable
    state = engine.new_game(walker, 0).state
    assert [template.render(state) for template in templates] == [
        "1", "Gold 1", "calm mood", "You have 1 gold and feel calm.", "Flags none, lit no, next 2, 0 flags.",
    ]
    assert engine.render_plan(engine.text_plan(yard.text), state)[:5] == [template.render(state) for template in templates]
    assert templates[0].renderer() is templates[0].renderer()  # built once, on first use


def test_the_walk_moves_by_the_engine_rules(walker: Story) -> None:
    # What the walk does for a move, on one working state, against engine.advance.
    records, index, _ = prepare(walker)
    for seed in range(20):
        state = engine.new_game(walker, seed).state
        work = Working.of(state, copy_vars=True)
        rng = random.Random(seed)
        for _ in range(30):
            options = [choice for choice, enabled in engine.listed(walker, state) if enabled]
            if not options:
                break
            choice = rng.choice(options)
            target = records[index[choice.target]]
            move_into(walker, work, choice.effects, choice.key if choice.once else None, target[0], target[5])
            state = engine.take(walker, state, choice).state
            assert work.freeze() == state


def test_the_garbage_collector_is_restored_after_a_walk(walker: Story) -> None:
    assert gc.isenabled()
    explore.random_playthroughs(walker, 5)
    assert gc.isenabled()

    def interrupted(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        explore.random_playthroughs(walker, 5, progress=interrupted)
    assert gc.isenabled()
    gc.disable()
    try:
        explore.random_playthroughs(walker, 5)
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
