"""`adventure diff`: what a new version of a story breaks in saves made with the old one."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from conftest import FEATURES, write_story

from adventure.cli import main
from adventure.play import saves
from adventure.play.session import Session
from adventure.story.loader import load_story
from adventure.tools.diff import compare

STORY = """\
id: house
title: The House
version: 1
start: hall
variables:
  coins: {type: int, default: 1, min: 0, max: 9}
  keys: {type: set, members: [brass, iron], default: [brass, iron]}
  lamp: {type: bool}
"""

SCENES = """\
chapter: Ground floor
scenes:
  - id: hall
    title: The Hall
    text: A long hall.
    choices:
      - label: Go down
        goto: cellar
        effects:
          - set: {lamp: true}
      - label: Sneak into the attic
        goto: attic
        once: true
  - id: cellar
    title: The Cellar
    text: Damp stone and a smell of apples.
    choices:
      - label: Climb the stairs
        goto: hall
      - label: Dig
        goto: treasure
  - id: attic
    title: The Attic
    text: Dust.
    choices:
      - label: Back down
        goto: hall
  - id: treasure
    title: Treasure
    text: Gold.
    ending: {id: gold, name: Gold}
"""

RENAMED_SCENES = (
    SCENES.replace("goto: cellar", "goto: basement").replace("  - id: cellar", "  - id: basement")
)


def _stories(tmp_path: Path, new_story: str = STORY, new_scenes: str = SCENES) -> tuple[Path, Path]:
    old = write_story(tmp_path / "old", {"story.yaml": STORY, "scenes.yaml": SCENES})
    new = write_story(tmp_path / "new", {"story.yaml": new_story, "scenes.yaml": new_scenes})
    return old, new


def _codes(old: Path, new: Path) -> tuple[list[str], list[str]]:
    result = compare(load_story(str(old)), load_story(str(new)))
    return [change.code for change in result.breaking], [change.code for change in result.notes]


def run(args: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = main(args, stdin=io.StringIO(), stdout=out, stderr=io.StringIO())
    return code, out.getvalue()


def _save_in_cellar(old: Path, folder: Path) -> None:
    """Play the old story down to the cellar and save there."""
    session = Session.new(load_story(str(old)), seed=1)
    session.choose(1)
    assert session.state.scene == "cellar"
    saves.save(session, str(folder), "slot")


def test_the_same_story_breaks_nothing(tmp_path: Path) -> None:
    old, new = _stories(tmp_path)
    assert _codes(old, new) == ([], [])
    code, out = run(["diff", str(old), str(new)])
    assert code == 0 and out.endswith(f"Nothing breaks saves made with {old}.\n")


def test_a_declared_rename_is_a_note_and_old_saves_load_into_the_new_version(tmp_path: Path) -> None:
    old, new = _stories(tmp_path, STORY + "renamed: {cellar: basement}\n", RENAMED_SCENES)
    assert _codes(old, new) == ([], ["scene-renamed"])
    code, out = run(["diff", str(old), str(new)])
    assert code == 0 and "scene `cellar` was renamed to `basement`, declared in `renamed:`" in out
    _save_in_cellar(old, tmp_path / "saves")
    loaded = saves.load(load_story(str(new)), str(tmp_path / "saves"), "slot")
    assert loaded.state.scene == "basement" and loaded.state.visits["basement"] == 1 and loaded.state.vars["lamp"] is True


def test_an_undeclared_rename_breaks_saves_and_the_hint_names_the_fix(tmp_path: Path) -> None:
    old, new = _stories(tmp_path, new_scenes=RENAMED_SCENES)
    assert _codes(old, new) == (["scene-renamed-undeclared"], [])
    code, out = run(["diff", str(old), str(new)])
    assert code == 1
    assert "scene `cellar` seems to have been renamed to `basement` without a `renamed:` entry" in out
    assert "hint: add to story.yaml: renamed: {cellar: basement}" in out and out.endswith(
        "1 change breaks saves made with " + str(old) + ".\n"
    )
    _save_in_cellar(old, tmp_path / "saves")
    with pytest.raises(saves.SaveError, match="scene `cellar` is not in this story"):
        saves.load(load_story(str(new)), str(tmp_path / "saves"), "slot")


def test_a_removed_scene_breaks_saves(tmp_path: Path) -> None:
    scenes = (
        SCENES.replace("      - label: Dig\n        goto: treasure\n", "")
        .replace(
            "  - id: treasure\n    title: Treasure\n    text: Gold.\n    ending: {id: gold, name: Gold}\n",
            "",
        )
        .replace(
            "      - label: Climb the stairs\n        goto: hall\n",
            "      - label: Climb the stairs\n        goto: hall\n      - label: Rest\n        goto: sleep\n",
        )
    )
    scenes += "  - id: sleep\n    title: Sleep\n    text: Zzz.\n    ending: {id: sleep, name: Sleep}\n"
    old, new = _stories(tmp_path, new_scenes=scenes)
    breaking, notes = _codes(old, new)
    assert breaking == ["scene-removed"] and "scenes-added" in notes and "ending-removed" in notes
    code, out = run(["diff", str(old), str(new)])
    assert code == 1 and "scene `treasure` was removed: a save standing on it cannot be loaded" in out


def test_a_variable_type_change_breaks_saves_that_then_fail_to_load(tmp_path: Path) -> None:
    old, new = _stories(
        tmp_path, STORY.replace("lamp: {type: bool}", "lamp: {type: string}"), SCENES.replace("{lamp: true}", "{lamp: lit}")
    )
    assert _codes(old, new) == (["variable-retyped"], [])
    _save_in_cellar(old, tmp_path / "saves")
    with pytest.raises(saves.SaveError, match="`lamp` should be string"):
        saves.load(load_story(str(new)), str(tmp_path / "saves"), "slot")


def test_removed_variables_set_members_and_a_new_story_id_break_saves(tmp_path: Path) -> None:
    story = STORY.replace("id: house", "id: mansion").replace(
        "members: [brass, iron], default: [brass, iron]", "members: [brass], default: [brass]"
    )
    story = story.replace("  lamp: {type: bool}\n", "  torch: {type: bool}\n")
    old, new = _stories(tmp_path, story, SCENES.replace("{lamp: true}", "{torch: true}"))
    breaking, notes = _codes(old, new)
    assert sorted(breaking) == ["set-members-removed", "story-id", "variable-removed"]
    assert notes == ["variable-added"]
    code, out = run(["diff", str(old), str(new)])
    assert code == 1 and "3 changes break saves" in out
    assert "if it was renamed to `torch`: variables have no `renamed:`" in out
    _save_in_cellar(old, tmp_path / "saves")
    with pytest.raises(saves.SaveError, match="belongs to the story 'house'"):
        saves.load(load_story(str(new)), str(tmp_path / "saves"), "slot")


def test_additions_and_narrower_ranges_are_only_notes(tmp_path: Path) -> None:
    story = STORY.replace("version: 1", "version: 2").replace("members: [brass, iron]", "members: [brass, iron, glass]")
    story = story.replace("min: 0, max: 9", "min: 0, max: 5") + "  name: {type: string, default: Ada}\n"
    scenes = SCENES + "  - id: garden\n    title: Garden\n    text: Roses.\n    ending: {id: roses, name: Roses}\n"
    old, new = _stories(tmp_path, story, scenes)
    assert _codes(old, new) == ([], ["version", "scenes-added", "variable-range", "set-members-added", "variable-added"])
    code, out = run(["diff", str(old), str(new)])
    assert code == 0 and "variable `name` was added: old saves start it at its default (\"Ada\")" in out
    assert "int `coins` now ranges 0..5 (was 0..9): saved values outside it are clamped" in out


def test_a_once_only_choice_that_moved_is_flagged(tmp_path: Path) -> None:
    scenes = SCENES.replace(
        "      - label: Go down\n",
        "      - label: Look out of the window\n        goto: hall\n      - label: Go down\n",
    )
    old, new = _stories(tmp_path, new_scenes=scenes)
    result = compare(load_story(str(old)), load_story(str(new)))
    assert [(change.code, change.subject) for change in result.notes] == [("once-choice-moved", "hall#2")]
    assert "give once-only choices an `id:`" in result.notes[0].hint


def test_a_once_only_choice_that_kept_its_words_but_changed_its_way_is_not_flagged(tmp_path: Path) -> None:
    scenes = SCENES.replace("        goto: attic\n        once: true\n", "        once: true\n        reply: Dust, from below.\n")
    old, new = _stories(tmp_path, new_scenes=scenes)
    result = compare(load_story(str(old)), load_story(str(new)))
    assert [change.code for change in result.changes] == []


def test_diff_json_lists_breaking_changes_and_notes(tmp_path: Path) -> None:
    old, new = _stories(tmp_path, new_scenes=RENAMED_SCENES)
    code, out = run(["diff", str(old), str(new), "--format", "json"])
    payload = json.loads(out)
    assert code == 1 and payload["ok"] is False
    assert payload["old"] == {"path": str(old), "id": "house", "version": "1"}
    assert payload["breaking"][0]["code"] == "scene-renamed-undeclared" and payload["breaking"][0]["subject"] == "cellar"
    assert payload["notes"] == []


def test_a_story_that_does_not_load_is_reported_and_exits_one(tmp_path: Path) -> None:
    broken = write_story(tmp_path / "broken", {"story.yaml": "id: x\ntitle: X\nversion: 1\nstart: nowhere\n"})
    code, out = run(["diff", str(FEATURES), str(broken)])
    assert code == 1 and "start scene `nowhere` does not exist" in out and f"in {broken} (NEW)" in out
    code, out = run(["diff", str(broken), str(FEATURES), "--format", "json"])
    assert code == 1 and list(json.loads(out)["problems"]) == ["old"]


def test_diff_needs_two_folders() -> None:
    assert main(["diff", str(FEATURES)], stdout=io.StringIO(), stderr=io.StringIO()) == 2


DETOUR_SCENES = SCENES.replace(
    "      - label: Sneak into the attic\n        goto: attic\n        once: true\n",
    "      - label: Sneak into the attic\n        detour: attic\n",
).replace(
    "      - label: Back down\n        goto: hall\n",
    "      - label: Back down\n        return: true\n",
)


def test_a_scene_that_no_longer_returns_from_a_detour_is_a_note(tmp_path: Path) -> None:
    old = write_story(tmp_path / "old", {"story.yaml": STORY, "scenes.yaml": DETOUR_SCENES})
    no_return = DETOUR_SCENES.replace("        return: true\n", "        goto: hall\n")
    new = write_story(tmp_path / "new", {"story.yaml": STORY, "scenes.yaml": no_return})
    result = compare(load_story(str(old)), load_story(str(new)))
    assert result.breaking == []
    assert [(change.code, change.subject) for change in result.notes] == [("return-removed", "attic")]
    assert "return: true" in result.notes[0].hint
    same = compare(load_story(str(old)), load_story(str(old)))
    assert same.changes == ()
