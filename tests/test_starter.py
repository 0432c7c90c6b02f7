"""`adventure new`: a starter project that checks, plays and tests; and the no-overwrite writer."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from adventure.cli import main
from adventure.source.files import write_atomically, write_new
from adventure.story.loader import check_story
from adventure.tools.analysis import analyse


def run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(args, stdin=io.StringIO(""), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_a_new_story_passes_check_strict_and_its_walkthroughs(tmp_path: Path) -> None:
    project = tmp_path / "harbour-lights"
    code, out, _ = run(["new", str(project)])
    assert code == 0, out
    code, out, _ = run(["check", "--strict", str(project / "story")])
    assert code == 0, out
    assert "No problems." in out
    code, out, _ = run(["test", str(project / "walkthroughs")])
    assert code == 0, out
    assert "2 of 2 walkthroughs passed" in out


def test_the_new_story_plays_to_its_canonical_ending(tmp_path: Path) -> None:
    run(["new", str(tmp_path / "p")])
    code, out, _ = run(["play", "--plain", "--story", str(tmp_path / "p" / "story")])
    assert code == 0
    assert "The Shore" in out


def test_the_new_story_is_named_after_its_folder(tmp_path: Path) -> None:
    run(["new", str(tmp_path / "harbour-lights")])
    story, problems = check_story(str(tmp_path / "harbour-lights" / "story"))
    assert story is not None, problems
    assert (story.id, story.title) == ("harbour-lights", "Harbour Lights")
    assert analyse(story) == []


def test_new_refuses_an_existing_folder_and_writes_nothing(tmp_path: Path) -> None:
    project = tmp_path / "mine"
    project.mkdir()
    (project / "story.yaml").write_text("precious", encoding="utf-8")
    code, _, err = run(["new", str(project)])
    assert code == 2
    assert "already exists" in err
    assert [path.name for path in project.iterdir()] == ["story.yaml"]
    assert (project / "story.yaml").read_text(encoding="utf-8") == "precious"


def test_new_fills_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, _, _ = run(["new", str(tmp_path / "empty")])
    assert code == 0
    assert (tmp_path / "empty" / "story" / "story.yaml").is_file()


def test_every_story_file_names_its_schema_and_matches_it(tmp_path: Path) -> None:
    run(["new", str(tmp_path / "p")])
    story_files = sorted((tmp_path / "p" / "story").glob("*.yaml"))
    assert len(story_files) == 2
    for path in story_files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=")
        schema_path = (path.parent / first.split("=", 1)[1]).resolve()
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)


def test_walkthroughs_are_kept_outside_the_story_folder(tmp_path: Path) -> None:
    run(["new", str(tmp_path / "p")])
    assert not list((tmp_path / "p" / "story").rglob("*walk*"))
    assert len(list((tmp_path / "p" / "walkthroughs").glob("*.yaml"))) == 2


def test_a_walkthrough_inside_a_story_folder_is_reported_as_a_walkthrough(tmp_path: Path) -> None:
    run(["new", str(tmp_path / "p")])
    stray = tmp_path / "p" / "story" / "oops.yaml"
    stray.write_text((tmp_path / "p" / "walkthroughs" / "light-held.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    _, problems = check_story(str(tmp_path / "p" / "story"))
    assert [(Path(p.path).name, p.line) for p in problems] == [("oops.yaml", 1)]
    assert "looks like a walkthrough" in problems[0].message
    assert "unknown key" not in problems[0].message


def test_write_new_refuses_to_replace_a_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    write_new(str(target), b"first")
    with pytest.raises(FileExistsError):
        write_new(str(target), b"second")
    assert target.read_bytes() == b"first"
    assert [path.name for path in tmp_path.iterdir()] == ["a.txt"]


def test_write_atomically_replaces_and_can_keep_a_backup(tmp_path: Path) -> None:
    target = tmp_path / "b.txt"
    write_atomically(str(target), b"one")
    write_atomically(str(target), b"two", keep_backup=True)
    assert target.read_bytes() == b"two"
    assert (tmp_path / "b.txt.bak").read_bytes() == b"one"
