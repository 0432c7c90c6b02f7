"""Counting a story's words, scenes, choices and endings: the summary `check` prints, and the counts `stats` builds on."""

from __future__ import annotations

from collections.abc import Mapping

from adventure.story.model import Story
from adventure.story.wordcount import figures, scene_words, template_words, text_words


def summary(story: Story, known: Mapping[str, tuple[int, int, int]] | None = None) -> dict[str, int]:
    """The story's counts; `known` gives the (choices, words, endings) of every scene of some files (by path), as the
    story cache keeps them, so that only the other files' scenes are counted here."""
    known = known or {}
    choices, words, endings = figures(scene for scene in story.scenes.values() if scene.where.path not in known)
    for file_choices, file_words, file_endings in known.values():
        choices, words, endings = choices + file_choices, words + file_words, endings + file_endings
    return {
        "scenes": len(story.scenes),
        "choices": choices,
        # the words a player can read: titles, text, labels, replies and reasons (as `stats` counts them)
        "words": words,
        "endings": endings,
        "codex": len(story.codex),
        "variables": len(story.variables),
    }


__all__ = ["scene_words", "summary", "template_words", "text_words"]
