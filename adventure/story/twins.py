"""Unfrozen twins: building frozen, slotted dataclass values by the thousand without their slow __init__."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from adventure.story import model
from adventure.story.template import Template


def unfrozen_twin(cls: type, *names: str) -> Any:
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


# The twins of the model objects a story has by the thousand, shared by the loader's builders
# (story/builders.py) and the cache's decoder (loader/cacheformat.py); the engine makes its own
# (rules/state.py, moves.py, engine.py, views.py).
Location = unfrozen_twin(model.Location, "path", "line", "col")
TemplateTwin = unfrozen_twin(Template, "parts", "static", "prepared", "varies")
Paragraph = unfrozen_twin(model.Paragraph, "template")
AddInt = unfrozen_twin(model.AddInt, "name", "amount", "where")
SetVar = unfrozen_twin(model.SetVar, "name", "value", "computed", "where")
SetAdd = unfrozen_twin(model.SetAdd, "name", "members", "where")
SetRemove = unfrozen_twin(model.SetRemove, "name", "members", "where")
Choice = unfrozen_twin(
    model.Choice, "key", "label", "target", "where", "condition", "disabled", "effects", "once", "fallback", "reply", "flow", "counted",
    "ignore",
)
Scene = unfrozen_twin(model.Scene, "id", "title", "text", "chapter", "where", "recap", "on_enter", "choices", "ending", "ignore")
