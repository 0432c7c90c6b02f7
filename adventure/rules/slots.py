"""Building the few frozen, slotted dataclass values every move makes, without their slow __init__."""

from __future__ import annotations

from dataclasses import fields


def unfrozen_twin(cls: type, *names: str) -> type:
    """A plain class with the same slots as the frozen dataclass `cls`, whose fields must be
    exactly `names`, in order.

    A frozen dataclass's __init__ sets each field through object.__setattr__, several times
    slower than an ordinary attribute store; the twin takes ordinary stores, and assigning
    `cls` to a filled twin's __class__ (allowed: the two lay out their slots alike) makes it
    an instance of `cls`, frozen from then on, equal to `cls(*values)` (these classes have no
    __post_init__). Builders set every slot before the assignment; the check makes a field
    added to `cls` later fail at import instead of being left unset.
    """
    declared = tuple(field.name for field in fields(cls))
    if declared != names or getattr(cls, "__slots__", None) != names:
        raise TypeError(f"{cls.__name__} has the fields {declared}, not {names}")
    return type(f"Unfrozen{cls.__name__}", cls.__bases__, {"__slots__": names})
