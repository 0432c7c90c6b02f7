"""Deciding a condition over every value its variables can take: always true, always false, or not known."""

from __future__ import annotations

import itertools

from adventure.story.expr import Compiled, Value
from adventure.story.model import AddInt, Effect, Pick, Roll, SetAdd, SetVar, Story

MAX_COMBINATIONS = 4096  # value combinations tried for one condition
MAX_DOMAIN_SPAN = 200  # an int counter or roll with a wider range is not enumerated


def domain(type_name: str, default: Value, low: int | None, high: int | None, writes: list[Effect]) -> list[Value] | None:
    """The values one variable can take, from its default and every effect that writes it."""
    values: set[Value] = {default}
    members: set[str] = set(default) if isinstance(default, frozenset) else set()
    counted = False  # add/subtract on an int: every value of its range
    for effect in writes:  # the commonest kinds first: a story's counters and sets are written thousands of times
        if isinstance(effect, AddInt):
            counted = True
        elif isinstance(effect, SetAdd):
            members |= effect.members
        elif isinstance(effect, SetVar):
            if effect.computed is not None:
                return None  # computed values are not enumerated
            literal = effect.value
            if isinstance(literal, frozenset):
                members |= literal
            elif literal is not None:
                values.add(literal)
        elif isinstance(effect, Roll):
            if effect.high - effect.low > MAX_DOMAIN_SPAN:
                return None  # a wide roll (1 to 1,000,000,000): too many values to enumerate
            values.update(range(effect.low, effect.high + 1))
        elif isinstance(effect, Pick):
            values.update(effect.options)
    if type_name == "set":
        if len(members) > 10:
            return None
        return [frozenset(combo) for size in range(len(members) + 1) for combo in itertools.combinations(sorted(members), size)]
    if type_name != "int":
        return sorted(values, key=str)
    numbers = {value for value in values if isinstance(value, int)}
    if counted:
        if low is None or high is None or high - low > MAX_DOMAIN_SPAN:
            return None  # unbounded or wide counters: too many values to decide by enumeration
        numbers.update(range(low, high + 1))
    clamped = {min(max(value, low if low is not None else value), high if high is not None else value) for value in numbers}
    return sorted(clamped)


class Probe:
    """A state-like object for evaluating a condition on chosen values."""

    __slots__ = ("scene", "turn", "unlocked", "vars", "visits")

    def __init__(self, values: dict[str, Value], visits: dict[str, int], unlocked: frozenset[str]) -> None:
        self.vars, self.visits, self.unlocked, self.turn, self.scene = values, visits, unlocked, 0, ""


def decide(compiled: Compiled, domains: dict[str, list[Value] | None], story: Story, budget: list[int] | None = None) -> bool | None:
    """True/False when the condition has that value for every combination; else None (also
    when the combinations would overdraw `budget`, the evaluations left for the whole story)."""
    if compiled.reads_turn or compiled.reads_visits or compiled.reads_unlocked or compiled.draws_random:
        return None  # chance is not judged: random(1, 6) == 6 is neither always nor never true
    names = sorted(compiled.reads)
    choices = [domains.get(name) for name in names]
    if any(choice is None for choice in choices):
        return None
    total = 1
    for choice in choices:
        total *= len(choice)  # type: ignore[arg-type]
    if total > MAX_COMBINATIONS:
        return None
    if budget is not None:
        if budget[0] < total:
            return None
        budget[0] -= total
    seen: set[bool] = set()
    for combo in itertools.product(*choices):  # type: ignore[arg-type]
        seen.add(bool(compiled.evaluate(Probe(dict(zip(names, combo, strict=True)), {}, frozenset()))))
        if len(seen) == 2:
            return None
    return seen.pop() if seen else None


def domain_hint(compiled: Compiled, domains: dict[str, list[Value] | None]) -> str:
    parts = []
    for name in sorted(compiled.reads):
        values = domains.get(name)
        if values is not None:
            shown = [show_value(value) for value in values]
            parts.append(f"{name} can be {', '.join(shown[:6])}{' ...' if len(shown) > 6 else ''}")
    return "; ".join(parts) + (" (from its declaration and every effect that changes it)" if parts else "")


def show_value(value: object) -> str:
    if isinstance(value, frozenset):
        return "{" + ", ".join(sorted(value)) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)
