"""Counting what a player can read in scenes (words, choices, endings): `check`'s summary, kept per file by the story cache."""

from __future__ import annotations

from collections.abc import Iterable

from adventure.story.model import Conditional, Paragraph, Scene, Text
from adventure.story.template import Template, Variation


def template_words(template: Template) -> int:
    """Words written in a template, every option of its inline forms included."""
    if template.static is not None:  # plain text, most of a story's: its one part is the text
        return len(template.static.split())
    total = 0
    for piece in template.parts:
        if isinstance(piece, str):
            total += len(piece.split())
        elif isinstance(piece, Variation):
            total += sum(template_words(option) for option in piece.options)
    return total


def text_words(text: Text) -> int:
    """Words in every paragraph, counting both branches of conditional text and every option of inline forms."""
    total = 0
    for part in text:  # the commonest: paragraphs alone, most of them plain text
        if type(part) is not Paragraph:
            return _nested_words(text)
        template = part.template
        total += len(template.static.split()) if template.static is not None else template_words(template)
    return total


def _nested_words(text: Text) -> int:
    total = 0
    stack = [text]
    while stack:
        for part in stack.pop():
            if isinstance(part, Paragraph):
                total += template_words(part.template)
            elif isinstance(part, Conditional):
                stack.extend((part.then, part.otherwise))
    return total


def scene_words(scene: Scene) -> int:
    """Words a player can read in a scene: its title, text, labels, replies and reasons."""
    title = scene.title
    total = (len(title.static.split()) if title.static is not None else template_words(title)) + text_words(scene.text)
    for choice in scene.choices:
        label = choice.label
        total += len(label.static.split()) if label.static is not None else template_words(label)
        if choice.reply:
            total += text_words(choice.reply)
        if choice.disabled is not None:
            total += template_words(choice.disabled)
    return total


def figures(scenes: Iterable[Scene]) -> tuple[int, int, int]:
    """(choices, words, endings) of these scenes, as `check`'s summary counts them."""
    choices = words = endings = 0
    for scene in scenes:
        choices += len(scene.choices)
        words += scene_words(scene)
        if scene.ending is not None:
            endings += 1
    return choices, words, endings
