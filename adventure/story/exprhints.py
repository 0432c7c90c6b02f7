"""Advice for expression mistakes: the hints that follow an error in a condition."""

from __future__ import annotations

from collections.abc import Iterable

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


def suggest(word: str, candidates: Iterable[str], fallback: str = "") -> str:
    """"did you mean `x`?" for the closest candidate, or the fallback when none is close."""
    import difflib  # only a story with a mistake needs it: kept off the start-up path

    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else fallback
