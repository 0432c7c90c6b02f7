"""The expression language's types: values, what an expression reads of a state, errors, the checked result."""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from adventure.story.exprhints import RESERVED_FUNCTIONS
from adventure.story.record import Record

TypeName = Literal["bool", "int", "string", "set"]
Value = bool | int | str | frozenset[str]


class StateView(Protocol):
    """What an expression or a text reads of a game state: the engine's GameState, or the
    working copy a move changes in place (rules.moves.Working). Read-only here."""

    @property
    def scene(self) -> str: ...
    @property
    def vars(self) -> Mapping[str, Value]: ...
    @property
    def visits(self) -> Mapping[str, int]: ...
    @property
    def turn(self) -> int: ...
    @property
    def unlocked(self) -> frozenset[str]: ...


Evaluator = Callable[[StateView], Value]

MAX_EXPRESSION_LENGTH = 1000
MAX_DEPTH = 48
INT_LIMIT = 2**53  # beyond this a counter is a runaway loop, and JSON readers lose precision
BUILTINS = ("true", "false", "turn", "chapter")
RESERVED = frozenset(RESERVED_FUNCTIONS + BUILTINS + ("True", "False", "and", "or", "not", "in"))


class ExprError(Exception):
    """A problem in one expression, at a character offset within it."""

    def __init__(self, message: str, offset: int = 0, hint: str = "", unknown: str = "", code: str = "E401") -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.hint = hint
        self.unknown = unknown  # the name of the variable, scene or codex entry that was not found
        self.code = code  # its entry in adventure/source/codes.py

    def moved(self, by: int) -> ExprError:
        """The same error, `by` characters further on (an expression inside a longer text)."""
        return ExprError(self.message, self.offset + by, self.hint, self.unknown, self.code)


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class VarInfo(Record):
    """What the type checker knows of a declared variable."""

    type: TypeName
    members: frozenset[str] = frozenset()
    min: int | None = None
    max: int | None = None


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Env(Record):
    """Everything an expression may refer to, fixed when the story loads."""

    variables: Mapping[str, VarInfo]
    scenes: frozenset[str]
    codex_titles: Mapping[str, str]
    chapters: Mapping[str, str] = field(default_factory=dict)
    # Stories repeat conditions (`trust >= 6` in many scenes): compile each text once.
    cache: dict[tuple[str, str | None, bool], Compiled] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Compiled(Record):
    """A checked expression: its source, its type, what it reads, and how to evaluate it."""

    source: str
    type: TypeName
    evaluate: Evaluator
    tree: ast.expr
    reads: frozenset[str]
    reads_visits: frozenset[str]
    reads_turn: bool
    reads_unlocked: frozenset[str]
    draws_random: bool = False  # calls random(): allowed only in effects, where the state can draw


def format_value(value: Value) -> str:
    """How a value reads inside text: yes/no, digits, the string, or a set's members."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, frozenset):
        return ", ".join(sorted(value)) if value else "none"
    return str(value)


def char_offset(source: str, byte_offset: int | None) -> int:
    """ast reports UTF-8 byte offsets; authors count characters."""
    if not byte_offset:
        return 0
    return len(source.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


def flat(source: str) -> str:
    return source.replace("\r", " ").replace("\n", " ").strip()
