"""Rendering a story's text (paragraphs, conditional parts, interpolation) for a state."""

from __future__ import annotations

from adventure.story.expr import StateView
from adventure.story.model import Paragraph, Text


def render_text(text: Text, state: StateView) -> list[str]:
    """Paragraphs of text after conditions and interpolation."""
    out: list[str] = []
    _render_into(text, state, out)
    return out


def _render_into(text: Text, state: StateView, out: list[str]) -> None:
    # Recursion is bounded: the loader refuses conditional text nested more than 8 deep.
    for part in text:
        if part.__class__ is Paragraph:
            template = part.template
            static = template.static
            out.append(static if static is not None else template.render(state))
        else:
            branch = part.then if part.condition.evaluate(state) else part.otherwise  # type: ignore[union-attr]
            if branch:
                _render_into(branch, state, out)
