"""The immutable story model the loader builds and everything else reads."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from adventure.story.expr import Compiled, Env, TypeName, Value
from adventure.story.record import Record
from adventure.story.template import Template


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Location(Record):
    """Where something was written: file, line, column (from 1)."""

    path: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Variable(Record):
    """A declared variable."""

    name: str
    type: TypeName
    default: Value
    where: Location
    min: int | None = None
    max: int | None = None
    members: frozenset[str] = frozenset()
    doc: str = ""
    label: str = ""  # what the player reads for it in notes ("Ids"); the name when empty
    silent: bool = False  # its changes are never announced
    names: Mapping[str, str] = field(default_factory=dict)  # set members as the player reads them, where they differ

    @property
    def shown(self) -> str:
        """The variable's name as the player reads it."""
        return self.label or self.name

    def member(self, member: str) -> str:
        """A set member as the player reads it."""
        return self.names.get(member, member)


# --- text ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Paragraph(Record):
    """One paragraph of text with interpolation."""

    template: Template


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Conditional(Record):
    """Text shown only when a condition holds, with optional text for when it does not."""

    condition: Compiled
    then: Text
    otherwise: Text
    where: Location


TextPart = Paragraph | Conditional
Text = tuple[TextPart, ...]


def text_templates(text: Text) -> Iterator[Template]:
    """Every paragraph's template in a text, both branches of each condition included."""
    for part in text:
        if isinstance(part, Conditional):
            yield from text_templates(part.then)
            yield from text_templates(part.otherwise)
        else:
            yield part.template


# --- effects ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, eq=False, repr=False)
class SetVar(Record):
    """`set`: a literal value, or a computed one."""

    name: str
    value: Value | None
    computed: Compiled | None
    where: Location


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class AddInt(Record):
    """`add`/`subtract` on an int (subtract is a negative amount)."""

    name: str
    amount: int
    where: Location


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class SetAdd(Record):
    """`add` on a set."""

    name: str
    members: frozenset[str]
    where: Location


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class SetRemove(Record):
    """`remove` from a set."""

    name: str
    members: frozenset[str]
    where: Location


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Unlock(Record):
    """`unlock` codex entries."""

    entries: tuple[str, ...]
    where: Location


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Roll(Record):
    """`roll` a whole number from low to high, both included."""

    name: str
    low: int
    high: int
    where: Location


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Pick(Record):
    """`pick` one of several strings."""

    name: str
    options: tuple[str, ...]
    where: Location


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class When(Record):
    """Effects that run only when a condition holds, with others for when it does not."""

    condition: Compiled
    then: tuple[Effect, ...]
    otherwise: tuple[Effect, ...]
    where: Location


Effect = SetVar | AddInt | SetAdd | SetRemove | Unlock | Roll | Pick | When
Change = SetVar | AddInt | SetAdd | SetRemove | Roll | Pick  # the effects that write one variable


def leaf_effects(effects: tuple[Effect, ...]) -> Iterator[Effect]:
    """Every effect that may run, both branches of each condition included (for tools)."""
    stack = [iter(effects)]
    while stack:
        for effect in stack[-1]:
            if isinstance(effect, When):
                stack.append(iter(effect.then + effect.otherwise))
                break
            yield effect
        else:
            stack.pop()


def effect_writes(effect: Effect) -> str | None:
    """The variable an effect changes, if any (None for unlocks and conditions)."""
    return None if isinstance(effect, (Unlock, When)) else effect.name


# --- scenes ----------------------------------------------------------------------------

# Where a choice leads: on to `target` (goto); nowhere, the player stays in the scene (stay);
# into `target`, remembering the scene to come back to (detour); back to the scene the
# innermost detour left (return).
Flow = Literal["goto", "stay", "detour", "return"]
MAX_DETOUR_DEPTH = 32


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Choice(Record):
    """A choice the player may take in a scene. A stay or return choice's `target` is its own scene."""

    key: str
    label: Template
    target: str
    where: Location
    condition: Compiled | None = None
    disabled: Template | None = None
    effects: tuple[Effect, ...] = ()
    once: bool = False
    fallback: bool = False
    reply: Text = ()
    flow: Flow = "goto"
    # The reply has sequences ({seq: ...}, {cycle: ...}, ...): they follow how often this
    # choice was taken, which the state counts under its key beside the scenes' visits.
    counted: bool = False
    ignore: frozenset[str] = frozenset()  # warning codes the author silenced on this choice


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Ending(Record):
    """What makes a scene an ending."""

    id: str
    name: str
    canonical: bool = False
    hint: str = ""  # shown on the title screen's Endings found while the ending is not yet found


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Scene(Record):
    """One scene."""

    id: str
    title: Template
    text: Text
    chapter: str
    where: Location
    recap: Template | None = None
    on_enter: tuple[Effect, ...] = ()
    choices: tuple[Choice, ...] = ()
    ending: Ending | None = None
    ignore: frozenset[str] = frozenset()  # warning codes the author silenced on this scene and its choices


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class CodexEntry(Record):
    """A lore entry, locked until an `unlock` effect opens it."""

    id: str
    title: str
    text: Text
    where: Location


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class SnippetDecl(Record):
    """A declared snippet, for tools: where it is and whether any text uses it."""

    name: str
    where: Location
    file: str  # '' when declared for the whole story in story.yaml
    used: bool


def _frozen(mapping: Mapping[str, object] | None = None) -> Mapping[str, object]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Story(Record):
    """A whole loaded and checked story."""

    id: str
    title: str
    version: str
    start: str
    root: str
    scenes: Mapping[str, Scene]
    variables: Mapping[str, Variable]
    codex: Mapping[str, CodexEntry]
    status: Template | None = None
    author: str = ""
    blurb: str = ""
    renamed: Mapping[str, str] = field(default_factory=_frozen)  # type: ignore[arg-type]
    files: tuple[str, ...] = ()
    fingerprint: str = ""
    snippets: tuple[SnippetDecl, ...] = ()
    ignore: frozenset[str] = frozenset()  # warning codes the author silenced for the whole story
    # What the story's expressions were checked against, for tools that compile more of
    # them later (walkthrough checks) exactly as the loader did.
    env: Env | None = field(default=None, compare=False, repr=False)
    # What the engine prepares from each scene on first showing it (rules.views), by scene id:
    # a cache of values derived from this story's scenes, never part of its meaning; not an
    # __init__ argument, so a story made by dataclasses.replace starts with an empty one.
    prepared: dict[str, Any] = field(default_factory=dict, init=False, compare=False, repr=False)

    def endings(self) -> list[Scene]:
        """Ending scenes, in story order."""
        return [scene for scene in self.scenes.values() if scene.ending is not None]

    def defaults(self) -> dict[str, Value]:
        return {name: variable.default for name, variable in self.variables.items()}
