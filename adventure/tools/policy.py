"""Playing policies for random playthroughs: how much more likely a player is to take choices that raise a variable."""

from __future__ import annotations

from dataclasses import dataclass

from adventure.story.exprhints import suggest
from adventure.story.model import AddInt, Choice, SetAdd, SetRemove, SetVar, Story, leaf_effects

MAX_WEIGHT = 1_000_000.0


class PolicyError(ValueError):
    """A policy that does not fit the story (or is not written NAME:VAR=WEIGHT,...)."""


@dataclass(frozen=True, slots=True)
class Policy:
    """A named way of playing: each weighted variable multiplies the chance of a choice
    that raises it by its weight, and divides the chance of one that lowers it."""

    name: str
    weights: tuple[tuple[str, float], ...]

    def describe(self) -> str:
        return ", ".join(f"{variable} x{weight:g}" for variable, weight in self.weights) or "uniform"


UNIFORM = Policy("uniform", ())


def parse_policy(text: str, story: Story) -> Policy:
    """`kind:trust=4,cruelty=0.25` -> a Policy, checked against the story's variables."""
    name, colon, rules = text.partition(":")
    name = name.strip()
    if not colon or not name or not rules.strip():
        raise PolicyError(f"--policy {text!r}: write NAME:VARIABLE=WEIGHT[,VARIABLE=WEIGHT...], e.g. kind:trust=4")
    weights: list[tuple[str, float]] = []
    for rule in rules.split(","):
        variable, equals, raw = (part.strip() for part in rule.partition("="))
        if not equals:
            raise PolicyError(f"--policy {name}: {rule.strip()!r} should be VARIABLE=WEIGHT")
        if variable not in story.variables:
            hint = suggest(variable, story.variables, "")
            raise PolicyError(f"--policy {name}: the story has no variable `{variable}`" + (f" ({hint})" if hint else ""))
        if story.variables[variable].type == "string":
            raise PolicyError(f"--policy {name}: `{variable}` is a string; a policy weights ints, bools and sets")
        try:
            weight = float(raw)
        except ValueError:
            raise PolicyError(f"--policy {name}: weight {raw!r} is not a number") from None
        if not 0 < weight <= MAX_WEIGHT:
            raise PolicyError(f"--policy {name}: a weight must be above 0 and at most {MAX_WEIGHT:,.0f} (1 means no preference)")
        weights.append((variable, weight))
    return Policy(name, tuple(weights))


def direction(choice: Choice, variable: str) -> int:
    """+1 when taking the choice raises `variable`, -1 when it lowers it, 0 otherwise (effects
    under a condition count as if they ran)."""
    total = 0
    for effect in leaf_effects(choice.effects):
        match effect:
            case AddInt(name=name, amount=amount) if name == variable:
                total += (amount > 0) - (amount < 0)
            case SetAdd(name=name) if name == variable:
                total += 1
            case SetRemove(name=name) if name == variable:
                total -= 1
            case SetVar(name=name, value=bool() as value) if name == variable:
                total += 1 if value else -1
    return (total > 0) - (total < 0)


def choice_weights(story: Story, policy: Policy) -> dict[str, float]:
    """Each choice's weight under the policy, by choice key (1.0 for most)."""
    weights: dict[str, float] = {}
    for scene in story.scenes.values():
        for choice in scene.choices:
            weight = 1.0
            for variable, factor in policy.weights:
                way = direction(choice, variable)
                weight *= factor if way > 0 else (1 / factor if way < 0 else 1.0)
            weights[choice.key] = weight
    return weights
