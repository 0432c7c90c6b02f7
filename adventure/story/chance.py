"""The one small seeded generator (SplitMix64) that effects and shuffled text both draw from."""

from __future__ import annotations

MASK = (1 << 64) - 1


def next_random(seed: int) -> tuple[int, int]:
    """SplitMix64: (random 64-bit number, next generator state). Small, fast, replayable."""
    seed = (seed + 0x9E3779B97F4A7C15) & MASK
    z = seed
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31), seed


def permutation(size: int, seed: int) -> list[int]:
    """A shuffled order of range(size), the same for the same seed (Fisher-Yates)."""
    order = list(range(size))
    state = seed & MASK
    for index in range(size - 1, 0, -1):
        number, state = next_random(state)
        other = number % (index + 1)
        order[index], order[other] = order[other], order[index]
    return order
