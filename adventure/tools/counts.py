"""Counting a story's words, scenes, choices and endings: the summary `check` prints, and the counts `stats` builds on."""

from __future__ import annotations

from adventure.story.model import Choice, Conditional, Paragraph, Scene, Story, Text
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
    if all(type(part) is Paragraph for part in text):  # the commonest: paragraphs alone
        for part in text:
            template = part.template  # type: ignore[union-attr]  # a Paragraph, as checked
            total += len(template.static.split()) if template.static is not None else template_words(template)
        return total
    stack = [text]
    while stack:
        for part in stack.pop():
            if isinstance(part, Paragraph):
                total += template_words(part.template)
            elif isinstance(part, Conditional):
                stack.extend((part.then, part.otherwise))
    return total


def summary(story: Story) -> dict[str, int]:
    scenes = story.scenes.values()
    return {
        "scenes": len(story.scenes),
        "choices": sum(len(scene.choices) for scene in scenes),
        # the words a player can read: titles, text, labels, replies and reasons (as `stats` counts them)
        "words": sum(scene_words(scene) for scene in scenes),
        "endings": sum(1 for scene in scenes if scene.ending is not None),
        "codex": len(story.codex),
        "variables": len(story.variables),
    }


def scene_words(scene: Scene) -> int:
    """Words a player can read in a scene: its title, text, labels, replies and reasons."""
    return template_words(scene.title) + text_words(scene.text) + sum(_choice_words(choice) for choice in scene.choices)


def _choice_words(choice: Choice) -> int:
    return template_words(choice.label) + text_words(choice.reply) + (template_words(choice.disabled) if choice.disabled else 0)
