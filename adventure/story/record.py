"""Equality, hashing and repr by fields for frozen dataclasses (the model's, the engine's), written once, not generated per class."""

from __future__ import annotations

import reprlib
from collections.abc import Callable
from dataclasses import fields
from operator import attrgetter

_Getter = Callable[[object], object]
# per class, found at its first comparison, hash or repr: which fields each of them reads
_compared: dict[type, _Getter] = {}
_hashed: dict[type, _Getter] = {}
_shown: dict[type, tuple[str, ...]] = {}


def _getter(names: list[str]) -> _Getter:
    """The named fields of a value as a tuple (one field: the field itself, which compares and hashes alike)."""
    if not names:
        return lambda value: ()
    return attrgetter(*names)


def _learn(cls: type) -> None:
    found = fields(cls)
    _compared[cls] = _getter([field.name for field in found if field.compare])
    _hashed[cls] = _getter([field.name for field in found if (field.compare if field.hash is None else field.hash)])
    _shown[cls] = tuple(field.name for field in found if field.repr)


class Record:
    """Base of a frozen dataclass declared with eq=False and repr=False: the ==, hash and repr
    that @dataclass would generate (by the fields it compares, hashes and shows), which it
    otherwise compiles anew for every class at every start of the program.

    Its unfrozen twins (story/twins.py) derive from it too, since a
    __class__ may only be assigned between classes with the same bases. GameState is not a
    Record: the engine's Working state, a plain class, takes its slots and becomes one."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        cls = self.__class__
        if cls not in _compared:
            _learn(cls)
        key = _compared[cls]
        return key(self) == key(other)

    def __hash__(self) -> int:
        cls = self.__class__
        if cls not in _hashed:
            _learn(cls)
        return hash(_hashed[cls](self))

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        cls = self.__class__
        if cls not in _shown:
            _learn(cls)
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in _shown[cls])
        return f"{cls.__qualname__}({shown})"
