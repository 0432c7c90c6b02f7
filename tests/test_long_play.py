"""Long play in one process: 100,000 random choices with undo in use, and memory stays flat."""

from __future__ import annotations

import gc
import random
import sys
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import FEATURES, SHIPPED
from storygen import generate_story

from adventure.play.session import TRANSCRIPT_LIMIT, UNDO_LIMIT, Session
from adventure.rules import engine
from adventure.story.loader import check_story
from adventure.story.model import Story

CHECKPOINT = 10_000
BLOCK_DRIFT = 10_000  # allocated blocks a long game may gain after warming up (a leak of 1 per 9 choices is caught)
WINDOW_PEAK = 8 * 1024 * 1024  # tracemalloc peak over the last choices, once history is full


@dataclass
class Played:
    choices: int = 0
    undos: int = 0
    undone: int = 0
    restarts: int = 0
    endings: int = 0
    deepest_undo: int = 0
    window_peak: int = 0


def play_randomly(story: Story, choices: int, seed: int) -> Played:
    """Random choices, with undo (1 to 30 steps) and restarts mixed in; checks the bounds every step."""
    rng = random.Random(seed)
    session = Session.new(story, seed)
    played = Played()
    marks: list[int] = []
    window = choices - min(5_000, choices // 10)
    while played.choices < choices:
        if played.choices % CHECKPOINT == 0 and len(marks) <= played.choices // CHECKPOINT:
            gc.collect()
            marks.append(sys.getallocatedblocks())
            if len(marks) > 2:  # after one checkpoint of warm-up the history deques are full
                assert marks[-1] - marks[1] <= BLOCK_DRIFT, f"memory grows: {marks}"
        if played.choices == window and not tracemalloc.is_tracing():
            tracemalloc.start()
        roll = rng.random()
        if played.choices >= choices - UNDO_LIMIT - 100:
            # a last stretch without undo fills the history to its cap whatever the story's
            # shape (random undos of 1 to 30 steps otherwise keep it short, by chance)
            roll = max(roll, 0.085)
        if session.ended or roll < 0.005:
            played.endings += session.ended
            played.restarts += 1
            session.restart(rng.randrange(2**64))
        elif roll < 0.085:
            played.undos += 1
            played.undone += session.undo(rng.randint(1, 30))
        else:
            enabled = [number for number, (_, can) in enumerate(engine.listed(story, session.state), start=1) if can]
            assert enabled, f"no way on from {session.state.scene}"
            session.choose(rng.choice(enabled))
            played.choices += 1
        assert len(session.undo_stack) <= UNDO_LIMIT and len(session.transcript) <= TRANSCRIPT_LIMIT
        played.deepest_undo = max(played.deepest_undo, len(session.undo_stack))
    if tracemalloc.is_tracing():
        played.window_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert played.window_peak < WINDOW_PEAK
    assert played.deepest_undo == UNDO_LIMIT  # the cap was reached and held, not just approached
    session.view()
    session.recap()
    session.history()
    return played


def test_a_hundred_thousand_random_choices_with_undo_keep_memory_flat() -> None:
    story, _ = check_story(str(FEATURES))
    assert story is not None
    played = play_randomly(story, 100_000, seed=1)
    assert played.undos > 5_000 and played.undone > played.undos and played.endings > 100


def test_a_long_game_through_a_large_generated_story(tmp_path: Path) -> None:
    story, problems = check_story(str(generate_story(tmp_path / "generated", scenes=150, seed=5)))
    assert story is not None, [problem.format() for problem in problems]
    played = play_randomly(story, 30_000, seed=2)
    assert played.undos > 1_000 and played.endings > 10


def test_a_long_game_through_the_shipped_story() -> None:
    story, problems = check_story(str(SHIPPED))
    if story is None:
        pytest.skip(f"the shipped story does not load yet ({len(problems)} problems, first: {problems[0].format() if problems else '?'})")
    play_randomly(story, 30_000, seed=3)
