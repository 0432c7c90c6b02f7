"""Advice for expression mistakes: the hints that follow an error in a condition."""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field

# The first edition's functions: variables may not take these names.
RESERVED_FUNCTIONS = ("size", "visited", "visits", "unlocked", "title")
# Later functions may share a name with a variable (a call is never a variable), so that a
# story which already had a variable `max` or `lower` still loads.
FUNCTIONS = (*RESERVED_FUNCTIONS, "min", "max", "abs", "random", "capitalize", "upper", "lower")


def syntax_hint(source: str) -> str:
    if "&&" in source or "||" in source:
        return "write `and` / `or` instead of && / ||"
    if "!" in source.replace("!=", ""):
        return "write `not x` instead of !x"
    stripped = source.replace("==", "").replace("!=", "").replace("<=", "").replace(">=", "")
    if "=" in stripped:
        return "compare with == (a single = is not allowed in a condition)"
    return "conditions look like: trust >= 3 and \"viola\" in ids"


def syntax_offset(source: str, offset: int) -> int:
    """Where a syntax error starts: Python points at the second character of `&&` and `||`."""
    if offset > 0 and source[offset - 1: offset + 1] in ("&&", "||"):
        return offset - 1
    return offset


def allowed_hint() -> str:
    return "expressions may use variables, numbers, quoted names, + - * // %, comparisons, in, and/or/not, and " + ", ".join(
        f"{f}()" for f in FUNCTIONS
    )


def functions_hint() -> str:
    return "functions: " + ", ".join(f"{f}()" for f in FUNCTIONS)


def compare_hint(ltype: str, rtype: str) -> str:
    if "set" in (ltype, rtype):
        return 'to test membership write "name" in the_set'
    if "bool" in (ltype, rtype):
        return "use the bool on its own, or `not` it"
    return "both sides of == must have the same type"


MAX_SUGGESTION_WORK = 1_000_000  # candidates looked at per story load, for every "did you mean" together
MAX_SUGGESTION_RATIOS = 20_000  # full similarity measures (the costly part) per story load
CUTOFF = 0.6


@dataclass(slots=True, eq=False, repr=False)  # never compared or shown: two methods fewer to compile at start
class _Budget:
    """What one story load may still spend on "did you mean" suggestions, and those already made."""

    left: int
    ratios: int
    memo: dict[tuple[str, int], tuple[object, str | None]] = field(default_factory=dict)


_budget: ContextVar[_Budget | None] = ContextVar("suggestion_budget", default=None)


@contextlib.contextmanager
def suggestion_budget(work: int | None = None) -> Iterator[None]:
    """Bound the "did you mean" work of everything inside (a story load): each suggestion looks
    at its candidates, and measures the similarity of those that might be close; once either
    budget is spent no more suggestions are made. A broken story with 60,000 scenes and as
    many bad gotos would otherwise take hours."""
    token = _budget.set(_Budget(MAX_SUGGESTION_WORK if work is None else work, MAX_SUGGESTION_RATIOS))
    try:
        yield
    finally:
        _budget.reset(token)


def suggest(word: str, candidates: Iterable[str], fallback: str = "") -> str:
    """"did you mean `x`?" for the closest candidate, or the fallback when none is close (or
    when the suggestion budget of the current load is spent)."""
    pool = candidates if isinstance(candidates, Collection) else list(candidates)
    budget = _budget.get()
    if budget is None:
        close = _closest(word, pool)
    else:
        key = (word, id(pool))
        remembered = budget.memo.get(key)
        if remembered is not None and remembered[0] is pool:  # the same mistake again: free
            close = remembered[1]
        elif budget.left < len(pool) or budget.ratios <= 0:
            return fallback
        else:
            budget.left -= len(pool)
            close = _closest(word, pool, budget)
            budget.memo[key] = (pool, close)  # holding the pool keeps its id from being reused
    return f"did you mean `{close}`?" if close else fallback


def _closest(word: str, pool: Collection[str], budget: _Budget | None = None) -> str | None:
    """difflib.get_close_matches(word, pool, n=1, cutoff=0.6), counting its costly measures
    against `budget`: None, no suggestion, when they run out before every candidate is seen."""
    import difflib  # only a story with a mistake needs it: kept off the start-up path

    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    best: tuple[float, str] | None = None
    for candidate in pool:
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() < CUTOFF or matcher.quick_ratio() < CUTOFF:
            continue
        if budget is not None:
            if budget.ratios <= 0:
                return None
            budget.ratios -= 1
        score = matcher.ratio()
        if score >= CUTOFF and (best is None or (score, candidate) > best):
            best = (score, candidate)
    return best[1] if best else None
