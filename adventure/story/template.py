"""Interpolated text: Templates of literal text, `{expression}` holes and inline forms, rendered per state (compiled by textcompile)."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from adventure.story.chance import permutation
from adventure.story.expr import Compiled, StateView, format_value
from adventure.story.record import Record

_GOLDEN = 0x9E3779B97F4A7C15

Piece = Callable[[StateView], str]


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Variation(Record):
    """An inline form: one of its options chosen per state (by a condition, a count, a
    name, or the visits of its scene)."""

    kind: str
    options: tuple[Template, ...]
    head: Compiled | None
    keys: Mapping[str, int]  # select: key -> option
    scene: str
    salt: int  # a shuffle's own seed, from its scene and text, so two shuffles differ
    source: str  # the text between the braces, as written

    def choose(self, state: StateView) -> int:
        """The option shown in this state, or -1 for none."""
        kind = self.kind
        count = len(self.options)
        if kind == "if":
            return 0 if self.head.evaluate(state) else (1 if count > 1 else -1)  # type: ignore[union-attr]
        if kind == "plural":
            number: int = self.head.evaluate(state)  # type: ignore[union-attr, assignment]
            if count == 3:
                return 0 if number == 0 else (1 if number == 1 else 2)
            return 0 if number == 1 else 1
        if kind == "select":
            keys = self.keys
            found: int = keys.get(self.head.evaluate(state), -1)  # type: ignore[arg-type, union-attr]
            return found if found >= 0 else keys.get("else", -1)
        # the first visit shows the first option (a state always counts its scene's visit)
        seen: int = max(state.visits.get(self.scene, 0), 1) - 1
        if kind == "seq":
            return seen if seen < count else count - 1
        if kind == "cycle":
            return seen % count
        if kind == "once":
            return seen if seen < count else -1
        loop, position = divmod(seen, count)
        # The game's seed (GameState and the engine's working copy carry it; a state that
        # has none, such as a tool's probe, shuffles as seed 0).
        seed: int = getattr(state, "seed", 0)
        return permutation(count, seed ^ self.salt ^ (loop * _GOLDEN))[position]

    def render(self, state: StateView) -> str:
        index = self.choose(state)
        return self.options[index].render(state) if index >= 0 else ""

    @property
    def visited(self) -> bool:
        """Whether the option follows the scene's visits (seq, cycle, once, shuffle)."""
        from adventure.story.inline import VISITED  # the forms' grammar, loaded only where text is compiled

        return self.kind in VISITED


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class MemberNames(Record):
    """`{ids}` where the set's members have names the player reads: those names, sorted."""

    expression: Compiled
    names: Mapping[str, str]

    @property
    def source(self) -> str:
        return self.expression.source

    def render(self, state: StateView) -> str:
        value = self.expression.evaluate(state)
        names = self.names
        shown = sorted(names.get(member, member) for member in value)  # type: ignore[union-attr]
        return ", ".join(shown) if shown else "none"


TemplatePart = str | Compiled | Variation | MemberNames


def variable_of(part: Compiled | Variation | MemberNames) -> str | None:
    """The variable an expression is, when it is nothing but a variable's name."""
    if not isinstance(part, Compiled):
        return None
    tree = part.tree
    return tree.id if isinstance(tree, ast.Name) and tree.id in part.reads else None


def _piece(part: TemplatePart) -> Piece:
    """A function giving one part's text: chosen once, by the expression's type."""
    if isinstance(part, str):
        text: str = part
        return lambda state: text
    if isinstance(part, (Variation, MemberNames)):
        return part.render
    evaluate = part.evaluate
    name = variable_of(part)
    # A bare variable ({counter}) is the commonest hole: read it here, one call fewer.
    if part.type == "int":
        if name is not None:
            return lambda state: str(state.vars[name])
        return lambda state: str(evaluate(state))
    if part.type == "string":
        if name is not None:
            return lambda state: state.vars[name]  # type: ignore[return-value]  # a string variable holds a str
        return evaluate  # type: ignore[return-value]  # the checker proved this expression a string
    return lambda state: format_value(evaluate(state))


def _one_hole(parts: tuple[TemplatePart, ...]) -> tuple[str, Compiled | Variation | MemberNames, str] | None:
    """(before, hole, after) when the parts are one expression with text around it (either
    side may be empty), the commonest shape of interpolated text."""
    holes = [index for index, part in enumerate(parts) if not isinstance(part, str)]
    if len(holes) != 1:
        return None
    index = holes[0]
    if index > 1 or len(parts) - index > 2:  # at most one piece of text on each side
        return None
    before = parts[0] if index == 1 else ""
    after = parts[-1] if index < len(parts) - 1 else ""
    return before, parts[index], after  # type: ignore[return-value]


def around_variable(template: Template) -> tuple[str, str, str] | None:
    """(before, variable, after) when a template is text around one int or string variable,
    whose text is str() of its value: for renderers that handle the commonest shape inline."""
    shape = _one_hole(template.parts)
    if shape is None:
        return None
    before, hole, after = shape
    name = variable_of(hole)
    if name is None or not isinstance(hole, Compiled) or hole.type not in ("int", "string"):
        return None
    return before, name, after


def _renderer(parts: tuple[TemplatePart, ...], varies: bool = False) -> Piece:
    """One function giving the whole text. The usual shape (text around one hole) joins
    with `+` rather than building a list for "".join: a player's screen and the explorer
    render every scene's text, so this is on their hot path."""
    if varies:
        # An option left empty must not leave two spaces (`You see {once: a crow|} here`).
        pieces = tuple(_piece(part) for part in parts)
        return lambda state: " ".join("".join([piece(state) for piece in pieces]).split())
    shape = _one_hole(parts)
    if shape is not None:
        before, hole, after = shape
        piece = _piece(hole)
        return lambda state: before + piece(state) + after
    pieces = tuple(_piece(part) for part in parts)
    return lambda state: "".join([piece(state) for piece in pieces])


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Template(Record):
    """Text with `{expression}` holes and inline forms, compiled once at load time."""

    parts: tuple[TemplatePart, ...]
    static: str | None = None  # the text itself when there is nothing to interpolate
    # the renderer, built on first use: a story's thousands of templates cost a load nothing
    prepared: Piece | None = field(default=None, compare=False, repr=False)
    varies: bool = False  # holds inline forms: spaces are tidied after rendering

    def renderer(self) -> Piece:
        """The function giving this text for a state (the same text as `render`)."""
        prepared = self.prepared
        if prepared is None:
            static = self.static
            if static is not None:
                def plain(state: StateView) -> str:
                    return static
                prepared = plain
            else:
                prepared = _renderer(self.parts, self.varies)
            object.__setattr__(self, "prepared", prepared)  # a cache: equality ignores it
        return prepared

    def render(self, state: StateView) -> str:
        if self.static is not None:
            return self.static
        prepared = self.prepared
        return prepared(state) if prepared is not None else self.renderer()(state)

    def expressions(self) -> tuple[Compiled, ...]:
        """Every expression the text reads, inside inline forms too."""
        found: list[Compiled] = []
        for part in self.parts:
            if isinstance(part, Compiled):
                found.append(part)
            elif isinstance(part, MemberNames):
                found.append(part.expression)
            elif isinstance(part, Variation):
                if part.head is not None:
                    found.append(part.head)
                for option in part.options:
                    found.extend(option.expressions())
        return tuple(found)

    def variations(self) -> Iterator[Variation]:
        """Every inline form in the text, nested ones too."""
        for part in self.parts:
            if isinstance(part, Variation):
                yield part
                for option in part.options:
                    yield from option.variations()
