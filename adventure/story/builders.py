"""Building the model objects a load makes by the thousand, without a frozen dataclass's slow __init__."""

from __future__ import annotations

from adventure.story import model
from adventure.story.expr import Compiled, Value
from adventure.story.template import Template
from adventure.story.twins import AddInt as _AddInt
from adventure.story.twins import Choice as _Choice
from adventure.story.twins import Location as _Location
from adventure.story.twins import Paragraph as _Paragraph
from adventure.story.twins import Scene as _Scene
from adventure.story.twins import SetAdd as _SetAdd
from adventure.story.twins import SetRemove as _SetRemove
from adventure.story.twins import SetVar as _SetVar
from adventure.story.twins import TemplateTwin as _Template


def location(path: str, line: int, col: int) -> model.Location:
    """Location(path, line, col)."""
    where = _Location()
    where.path = path
    where.line = line
    where.col = col
    where.__class__ = model.Location
    return where  # type: ignore[no-any-return]  # a Location now


def plain_template(text: str) -> Template:
    """Template((text,), text): text with nothing to interpolate."""
    template = _Template()
    template.parts = (text,)
    template.static = text
    template.prepared = None
    template.varies = False
    template.__class__ = Template
    return template  # type: ignore[no-any-return]


def paragraph(template: Template) -> model.Paragraph:
    """Paragraph(template)."""
    part = _Paragraph()
    part.template = template
    part.__class__ = model.Paragraph
    return part  # type: ignore[no-any-return]


def add_int(name: str, amount: int, where: model.Location) -> model.AddInt:
    """AddInt(name, amount, where)."""
    effect = _AddInt()
    effect.name = name
    effect.amount = amount
    effect.where = where
    effect.__class__ = model.AddInt
    return effect  # type: ignore[no-any-return]


def set_var(name: str, value: Value | None, computed: Compiled | None, where: model.Location) -> model.SetVar:
    """SetVar(name, value, computed, where)."""
    effect = _SetVar()
    effect.name = name
    effect.value = value
    effect.computed = computed
    effect.where = where
    effect.__class__ = model.SetVar
    return effect  # type: ignore[no-any-return]


def set_add(name: str, members: frozenset[str], where: model.Location) -> model.SetAdd:
    """SetAdd(name, members, where)."""
    effect = _SetAdd()
    effect.name = name
    effect.members = members
    effect.where = where
    effect.__class__ = model.SetAdd
    return effect  # type: ignore[no-any-return]


def set_remove(name: str, members: frozenset[str], where: model.Location) -> model.SetRemove:
    """SetRemove(name, members, where)."""
    effect = _SetRemove()
    effect.name = name
    effect.members = members
    effect.where = where
    effect.__class__ = model.SetRemove
    return effect  # type: ignore[no-any-return]


def choice(
    key: str, label: Template, target: str, where: model.Location, condition: Compiled | None, disabled: Template | None,
    effects: tuple[model.Effect, ...], once: bool, fallback: bool, reply: model.Text, flow: model.Flow, counted: bool,
    ignore: frozenset[str],
) -> model.Choice:
    """Choice(...), every field given."""
    built = _Choice()
    built.key = key
    built.label = label
    built.target = target
    built.where = where
    built.condition = condition
    built.disabled = disabled
    built.effects = effects
    built.once = once
    built.fallback = fallback
    built.reply = reply
    built.flow = flow
    built.counted = counted
    built.ignore = ignore
    built.__class__ = model.Choice
    return built  # type: ignore[no-any-return]


def scene(
    scene_id: str, title: Template, text: model.Text, chapter: str, where: model.Location, recap: Template | None,
    on_enter: tuple[model.Effect, ...], choices: tuple[model.Choice, ...], ending: model.Ending | None, ignore: frozenset[str],
) -> model.Scene:
    """Scene(...), every field given."""
    built = _Scene()
    built.id = scene_id
    built.title = title
    built.text = text
    built.chapter = chapter
    built.where = where
    built.recap = recap
    built.on_enter = on_enter
    built.choices = choices
    built.ending = ending
    built.ignore = ignore
    built.__class__ = model.Scene
    return built  # type: ignore[no-any-return]
