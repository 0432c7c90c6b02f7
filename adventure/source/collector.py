"""Pausing the cyclic garbage collector around bulk work that makes no reference cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector, and leave it as the caller had it.

    Loading a story or walking it allocates hundreds of thousands of small objects and no
    cycles (reference counting frees whatever is dropped), while every full collection
    would rescan all of them again: that made large loads superlinear.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
