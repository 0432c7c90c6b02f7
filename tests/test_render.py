"""Scene layout at fixed widths: wrapping, numbering, disabled choices, no escape codes."""

from __future__ import annotations

from adventure.play import render
from adventure.rules.engine import ChoiceView, SceneView
from adventure.story.model import Ending

VIEW = SceneView(
    scene="s", title="A Title", chapter="Prologue",
    paragraphs=("word " * 30, "Second \x1b[31mred\x1b[0m paragraph \u202e."),
    choices=(
        ChoiceView(1, "Go left along the long corridor that never seems to end", True, "", "s#1", "x"),
        ChoiceView(2, "Pay", False, "You have no coins.", "s#2", "x"),
    ),
    ending=None,
)


def test_body_wraps_to_the_width_and_separates_paragraphs() -> None:
    text = render.plain_text(render.body(VIEW, 30))
    lines = text.split("\n")
    assert all(len(line) <= 30 for line in lines)
    assert "" in lines  # a blank line between paragraphs


def test_heading_shows_the_chapter_and_title() -> None:
    assert render.plain_text(render.heading(VIEW, 40)).strip().split("\n") == ["PROLOGUE", "A Title"]


def test_choices_are_numbered_wrapped_under_their_label_and_marked_when_selected() -> None:
    lines = render.plain_text(render.choices(VIEW, 24, selected=1)).split("\n")
    assert lines[0].startswith("> 1. Go left")
    assert lines[1].startswith("     ") and all(len(line) <= 24 for line in lines)
    assert any(line.startswith("  2. Pay") for line in lines)


def test_disabled_choices_are_dimmed_with_their_reason() -> None:
    lines = render.choices(VIEW, 60)
    pay = next(index for index, line in enumerate(lines) if "Pay" in render.plain_text([line]))
    assert lines[pay][1][0] == "class:disabled"
    assert render.plain_text([lines[pay + 1]]).strip() == "(unavailable: You have no coins.)"
    assert lines[pay + 1][0][0] == "class:reason"


def test_no_escape_or_bidi_characters_reach_the_output() -> None:
    everything = render.plain_text(render.heading(VIEW, 40) + render.body(VIEW, 40) + render.choices(VIEW, 40))
    assert "\x1b" not in everything and "\u202e" not in everything and "␛[31mred" in everything


def test_twenty_columns_still_lays_out_cleanly() -> None:
    text = render.plain_text(render.body(VIEW, 20) + render.choices(VIEW, 20))
    assert all(len(line) <= 20 for line in text.split("\n"))


def test_an_ending_is_announced() -> None:
    ended = SceneView("s", "T", "", ("Done.",), (), Ending("e", "The Quiet End"))
    assert "~ The End: The Quiet End ~" in render.plain_text(render.body(ended, 40))
