"""Bulk work pauses the cyclic collector, and a large load's survivors are frozen out of its scans."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from adventure.source import collector


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_the_collector_is_paused_inside_and_left_as_it_was_after() -> None:
    was = gc.isenabled()
    with collector.collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled() == was


def test_a_large_builds_survivors_are_frozen(unfrozen: None) -> None:
    with collector.collector_paused(freeze_survivors=True):
        kept = [[number] for number in range(collector.FREEZE_AT * 2)]
    assert gc.get_freeze_count() >= len(kept)


def test_a_small_build_freezes_nothing(unfrozen: None) -> None:
    with collector.collector_paused(freeze_survivors=True):
        kept = [[number] for number in range(100)]
    assert gc.get_freeze_count() == 0 and len(kept) == 100


def test_without_being_asked_nothing_is_frozen(unfrozen: None) -> None:
    with collector.collector_paused():
        kept = [[number] for number in range(collector.FREEZE_AT * 2)]
    assert gc.get_freeze_count() == 0 and kept



class _Node:
    def __init__(self) -> None:
        self.other: object = None


@pytest.fixture
def collecting() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_freezing_what_is_alive_freezes_the_living_and_frees_young_garbage_cycles(unfrozen: None, collecting: None) -> None:
    kept = [[number] for number in range(1000)]
    gc.collect()  # the counts start at zero, so no collection moves the cycle below out of the young generations
    cycle = _Node()
    cycle.other = cycle
    gone = weakref.ref(cycle)
    del cycle  # garbage only the collector can free
    collector.freeze_alive()
    assert gc.get_freeze_count() >= len(kept)
    assert gone() is None


def test_with_the_collector_off_freezing_what_is_alive_does_nothing(unfrozen: None) -> None:
    with collector.collector_paused():
        kept = [[number] for number in range(1000)]
        collector.freeze_alive()
        assert gc.get_freeze_count() == 0 and kept
