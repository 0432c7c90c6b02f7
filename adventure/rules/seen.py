"""The view types: a scene and its listed choices as the player sees them in a given state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from adventure.story.model import Ending
from adventure.story.record import Record
from adventure.story.twins import unfrozen_twin


class ChoiceView(NamedTuple):
    """A listed choice as the player sees it. A named tuple: a view builds one per listed
    choice every turn, and a tuple is built several times quicker than a frozen dataclass."""

    number: int
    label: str
    enabled: bool
    reason: str
    key: str
    target: str


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class SceneView(Record):
    """A scene as the player sees it in a given state."""

    scene: str
    title: str
    chapter: str
    paragraphs: tuple[str, ...]
    choices: tuple[ChoiceView, ...]
    ending: Ending | None
    # What the last move answered (its reply), shown before the scene; `stayed` when that
    # move kept the player in the scene, so players show the choices again but not its text.
    reply: tuple[str, ...] = ()
    stayed: bool = False


SceneViewTwin: Any = unfrozen_twin(SceneView, "scene", "title", "chapter", "paragraphs", "choices", "ending", "reply", "stayed")

new_tuple = tuple.__new__  # ChoiceView's own __new__ is a Python function around it


def scene_view(
    scene: str, title: str, chapter: str, paragraphs: tuple[str, ...], choices: tuple[ChoiceView, ...], ending: Ending | None
) -> SceneView:
    """SceneView(...) without reply, built through its unfrozen twin (story/twins.py)."""
    made = SceneViewTwin()
    made.scene, made.title, made.chapter, made.paragraphs = scene, title, chapter, paragraphs
    made.choices, made.ending, made.reply, made.stayed = choices, ending, (), False
    made.__class__ = SceneView
    seen: SceneView = made
    return seen
