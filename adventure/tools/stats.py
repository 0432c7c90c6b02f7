"""Counting a story: scenes, choices, words, endings."""

from __future__ import annotations

from adventure.story.model import Conditional, Paragraph, Story, Text


def text_words(text: Text) -> int:
    """Words in every paragraph, counting both branches of conditional text."""
    total = 0
    stack = [text]
    while stack:
        for part in stack.pop():
            if isinstance(part, Paragraph):
                total += sum(len(piece.split()) for piece in part.template.parts if isinstance(piece, str))
            elif isinstance(part, Conditional):
                stack.extend((part.then, part.otherwise))
    return total


def summary(story: Story) -> dict[str, int]:
    scenes = story.scenes.values()
    return {
        "scenes": len(story.scenes),
        "choices": sum(len(scene.choices) for scene in scenes),
        "words": sum(text_words(scene.text) for scene in scenes),
        "endings": sum(1 for scene in scenes if scene.ending is not None),
        "codex": len(story.codex),
        "variables": len(story.variables),
    }
