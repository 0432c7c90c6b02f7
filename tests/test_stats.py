"""adventure stats: counts as written, and the reading length of random playthroughs."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from conftest import StoryDir

from adventure.cli import main
from adventure.story.loader import load_story
from adventure.tools.stats import statistics

SHORT = {
    "story.yaml": """\
        id: short
        title: Short
        version: 1
        start: a
        variables:
          brave: {type: bool}
        """,
    "one.yaml": """\
        chapter: First
        scenes:
          - id: a
            title: Start
            text: one two three
            choices:
              - label: Left
                goto: b
              - label: Right
                goto: b
              - label: Be brave
                goto: b
                effects: [{set: {brave: true}}]
        """,
    "two.yaml": """\
        chapter: Second
        scenes:
          - id: b
            title: Middle
            text: four five
            choices:
              - label: On
                goto: c
          - id: c
            title: End
            text: six
            ending: {id: end, name: The End}
        """,
}


def test_counts_per_chapter_kinds_of_choices_and_single_choice_screens(story_dir: StoryDir) -> None:
    facts = statistics(load_story(str(story_dir(SHORT))), runs=0)
    assert [(c.name, c.scenes, c.choices, c.endings) for c in facts.chapters] == [("First", 1, 3, 0), ("Second", 2, 1, 1)]
    assert facts.chapters[0].words == 1 + 3 + 1 + 1 + 2  # title, text, three labels
    assert (facts.changing, facts.plain, facts.same_result) == (1, 3, 2)  # Left and Right lead to b alike
    assert facts.single_choice == ("b",)
    assert facts.in_multi_choice == 3  # b's single choice is not among them
    assert facts.readings == ()


def test_a_choice_with_a_reply_is_not_a_same_result_duplicate(story_dir: StoryDir) -> None:
    files = dict(SHORT)
    files["one.yaml"] = SHORT["one.yaml"].replace(
        """                goto: b
              - label: Right""",
        """                goto: b
                reply: You go left.
              - label: Right""",
    )
    facts = statistics(load_story(str(story_dir(files))), runs=0)
    assert facts.same_result == 0  # Right alone is left without an answer of its own
    assert (facts.changing, facts.plain, facts.in_multi_choice) == (1, 3, 3)


def test_reading_length_counts_the_words_and_choices_of_each_playthrough(story_dir: StoryDir) -> None:
    facts = statistics(load_story(str(story_dir(SHORT))), runs=50, seed=4)
    [reading] = facts.readings
    assert reading.ending == "end" and reading.runs == 50
    assert reading.words == (6, 6, 6) and reading.turns == (2, 2, 2)  # one two three, four five, six


def test_the_stats_command_prints_text_and_json(story_dir: StoryDir, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(story_dir(SHORT))
    assert main(["stats", root, "--random", "20"]) == 0
    out = capsys.readouterr().out
    assert "Scenes offering a single choice: 1 (b)" in out and "Reading length of 20 random playthroughs (seed 0)" in out
    assert main(["stats", root, "--format", "json", "--random", "20"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["choices"] == {"change_state": 1, "only_move": 3, "same_result": 2, "in_multi_choice_scenes": 3}
    assert payload["reading"] == [{"ending": "end", "runs": 20, "words": {"min": 6, "median": 6, "max": 6},
                                   "choices": {"min": 2, "median": 2, "max": 2}}]
    assert main(["stats", root, "--random", "-1"]) == 2


RUN = {
    "story.yaml": """\
        id: run
        title: Run
        version: 1
        start: hall
        variables:
          key: {type: bool}
        """,
    "scenes.yaml": """\
        scenes:
          - id: hall
            title: Hall
            text: A hall.
            choices:
              - label: Knock
                reply: Nobody answers.
                once: true
              - label: Go on
                goto: stairs
          - id: stairs
            title: Stairs
            text: Stairs.
            choices:
              - label: Climb
                goto: door
          - id: door
            title: Door
            text: A door.
            choices:
              - label: Unlock it
                goto: out
                if: key
                disabled: You have no key.
              - label: Break it
                goto: out
          - id: out
            title: Out
            text: Outside.
            ending: {id: out, name: Out}
        """,
}
RUN_WALK = """\
    name: a short run
    story: story
    steps:
      - choose: Knock
      - see: Nobody answers
      - choose: Go on
      - choose: Climb
      - choose: Break it
      - ending: out
    """


def test_a_walkthroughs_screens_count_each_listing_it_chose_from_and_not_the_ending(
    story_dir: StoryDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = story_dir(RUN)
    walk = tmp_path / "walk.yaml"
    walk.write_text(textwrap.dedent(RUN_WALK))
    # hall (two choices), hall listed again after the reply (Go on alone is left), stairs (one), door (one enabled, one disabled)
    assert main(["stats", "--random", "0", "--walkthrough", str(walk)]) == 0
    out = capsys.readouterr().out
    assert "screens on this run: 4, single-choice: 3 (75%)" in out
    assert "single-choice: hall, stairs, door" in out
    assert main(["stats", str(root), "--random", "0", "--format", "json", "--walkthrough", str(walk)]) == 0
    [run] = json.loads(capsys.readouterr().out)["walkthroughs"]
    assert run == {"path": str(walk), "name": "a short run", "screens": 4, "single_choice": 3, "single_choice_share": 0.75,
                   "single_choice_scenes": ["hall", "stairs", "door"]}


def test_a_walkthrough_that_fails_is_not_counted(story_dir: StoryDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    story_dir(RUN)
    walk = tmp_path / "walk.yaml"
    walk.write_text(textwrap.dedent(RUN_WALK).replace("Break it", "Fly"))
    assert main(["stats", "--random", "0", "--walkthrough", str(walk)]) == 1
    out = capsys.readouterr().out
    assert "the walkthrough must pass to count its screens" in out and "no single listed choice matches 'Fly'" in out
