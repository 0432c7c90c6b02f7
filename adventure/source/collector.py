"""Pausing the cyclic garbage collector around bulk work that makes no cycles, and freezing long-lived results out of its scans."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Net objects a bulk build may leave behind before they are frozen: a 1,000-scene story
# leaves about 40,000, the small stories of tests a few thousand.
FREEZE_AT = 20_000


@contextmanager
def collector_paused(freeze_survivors: bool = False) -> Iterator[None]:
    """Pause the cyclic collector, and leave it as the caller had it.

    Loading a story or walking it allocates hundreds of thousands of small objects and no
    cycles (reference counting frees whatever is dropped), while every full collection
    would rescan all of them again: that made large loads superlinear.

    With `freeze_survivors`, a large build's survivors (a loaded story's model, which lives
    as long as the game) move to the permanent generation, so no later collection scans
    them: without it, the first thirty thousand moves after loading a 10,000-scene story
    ran about 30% slower while the collector worked through the model. Reference counting
    still frees them; only a cycle among them would outlive its use, and the model makes none.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # while the collector is off, the youngest generation's count is what the block left alive
        if freeze_survivors and gc.get_count()[0] >= FREEZE_AT:
            gc.freeze()
        if enabled:
            gc.enable()


def freeze_alive() -> None:
    """Collect the youngest generation, then freeze what is left out of later scans.

    For caches that grow during play by many small objects that live as long as their story
    and make no cycles (the engine's prepared views): the collector would otherwise scan each
    of them in every collection of its generation, and all of them in every full one. The
    young collection first means cyclic garbage made since the last collection is freed, not
    frozen (collecting the middle generation too cost more than it saved: a 10,000-scene
    walk's collections took about 0.04 s against 0.025 s); what is frozen is still freed by
    reference counting once nothing holds it. Nothing happens while the collector is off:
    then nothing scans anything.
    """
    if gc.isenabled():
        gc.collect(0)
        gc.freeze()
