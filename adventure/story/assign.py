"""Values an author types as NAME=VALUE (play --set, the debug console's set), checked like a walkthrough's."""

from __future__ import annotations

from adventure.source.textsafe import clean, shortened
from adventure.story.expr import INT_LIMIT, Value
from adventure.story.exprhints import suggest
from adventure.story.model import Story, Variable

TRUE_WORDS, FALSE_WORDS = ("true", "yes", "1"), ("false", "no", "0")


def parse_assignment(text: str, story: Story, what: str = "--set") -> tuple[str, Value]:
    """`courage=3` -> ("courage", 3); ValueError with a message (did-you-mean included) when
    the name is unknown or the value is not of the variable's type, range or members."""
    if "=" not in text:
        raise ValueError(f"{what} {clean(text)!r}: write NAME=VALUE")
    name, raw = (part.strip() for part in text.split("=", 1))
    variable = story.variables.get(name)
    if variable is None:
        hint = suggest(name, story.variables)
        raise ValueError(f"{what}: the story has no variable `{clean(name)}`" + (f" ({hint})" if hint else ""))
    return name, parse_value(variable, raw, what)


def in_range(variable: Variable, number: int) -> bool:
    """Whether an int fits the variable's declared min and max: the one rule for --set, walkthroughs and the console."""
    return (variable.min is None or number >= variable.min) and (variable.max is None or number <= variable.max)


def range_text(variable: Variable) -> str:
    low = "" if variable.min is None else str(variable.min)
    high = "" if variable.max is None else str(variable.max)
    return f"{low}..{high}"


def parse_value(variable: Variable, raw: str, what: str = "--set") -> Value:
    name = variable.name
    if variable.type == "int":
        shown = clean(shortened(raw))  # a 5,000-digit value is not echoed whole
        too_large = f"{what} {name}: {shown} is too large: whole numbers go from -{INT_LIMIT:,} to {INT_LIMIT:,}"
        not_whole = f"{what} {name}: {shown!r} is not a whole number"
        if len(raw) > 40:  # longer than any number the engine holds (and int() refuses 4,300 digits and more)
            raise ValueError(too_large if raw.strip().lstrip("+-").isdecimal() else not_whole)
        try:
            number = int(raw)
        except ValueError:
            raise ValueError(not_whole) from None
        if abs(number) > INT_LIMIT:
            raise ValueError(too_large)
        if not in_range(variable, number):
            raise ValueError(f"{what} {name}: {number} is outside `{name}`'s range {range_text(variable)}")
        return number
    if variable.type == "bool":
        if raw.lower() not in TRUE_WORDS + FALSE_WORDS:
            raise ValueError(f"{what} {name}: write true or false")
        return raw.lower() in TRUE_WORDS
    if variable.type == "set":
        members = frozenset(item.strip() for item in raw.split(",") if item.strip())
        unknown = sorted(members - variable.members)
        if unknown:
            listing = ", ".join(sorted(variable.members))
            raise ValueError(f"{what} {name}: {', '.join(clean(member) for member in unknown)} not in its members ({listing})")
        return members
    return clean(raw)
