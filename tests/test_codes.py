"""Diagnostic codes: one registry, documented one by one; warnings beside errors; silencing."""

from __future__ import annotations

import ast
import io
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import ROOT, StoryDir

from adventure.cli import main
from adventure.source.codes import CODES, ERRORS
from adventure.story.loader import check_story
from adventure.tools.schema import build_schema

DOC = (ROOT / "docs" / "diagnostics.md").read_text()
HOSTILE = ROOT / "tests" / "hostile"

STORY = "id: c\ntitle: C\nversion: 1\nstart: gate\n"
NAME = "variables:\n  name: {type: string}\n"  # set by a test's effect
GATE = (
    "scenes:\n"
    "  - id: gate\n    title: Gate\n    text: Hello.\n    choices:\n      - label: Go\n        goto: hallway\n"
    "  - id: hallway\n    title: Hallway\n    text: Quiet.\n    ending: {id: quiet, name: Quiet}\n"
)
ATTIC = "  - id: attic\n    title: Attic\n    text: Nobody comes here.\n    choices:\n      - label: Down\n        goto: hallway\n"


def test_every_code_has_a_section_with_its_title_and_every_section_a_code() -> None:
    documented = dict(re.findall(r"^## ([EW]\d{3}): (.+)$", DOC, re.M))
    assert documented == CODES


def test_every_code_the_source_names_is_in_the_registry() -> None:
    named: set[str] = set()
    for path in (ROOT / "adventure").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(r"[EW]\d{3}", node.value):
                named.add(node.value)
    assert named - set(CODES) == set()
    assert {code for code in ERRORS} <= named | {"E001"}  # E001 is YamlProblem's default


def _problems(root: Path) -> list[tuple[str, str]]:
    _, problems = check_story(str(root))
    return [(problem.code, problem.message) for problem in problems]


@pytest.mark.parametrize("name", sorted(path.name for path in HOSTILE.glob("*.yaml")))
def test_every_error_of_the_hostile_corpus_has_a_registered_code(tmp_path: Path, name: str) -> None:
    root = tmp_path / "story"
    (root / "hostile").mkdir(parents=True)
    (root / "story.yaml").write_text("id: h\ntitle: H\nversion: 1\nstart: start\n")
    (root / "hostile" / name).write_bytes((HOSTILE / name).read_bytes())
    for code, message in _problems(root):
        assert code in ERRORS, (name, code, message)


def _check(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["check", *args], stdin=io.StringIO(""), stdout=out, stderr=io.StringIO())
    return code, out.getvalue()


def test_codes_are_shown_in_text_and_json(story_dir: StoryDir) -> None:
    root = story_dir({"story.yaml": STORY, "gate.yaml": GATE.replace("goto: hallway", "goto: hallwya", 1)})
    code, out = _check(str(root))
    assert code == 1 and "gate.yaml:7:15: goto: there is no scene `hallwya` [E202]" in out
    code, out = _check("--format", "json", str(root))
    assert [(problem["code"], problem["severity"]) for problem in json.loads(out)["problems"]] == [("E202", "error")]


def test_strict_check_shows_warnings_beside_errors(story_dir: StoryDir) -> None:
    broken = "scenes:\n  - id: x\n    title: X\n    text: |\n      {nobody}\n    ending: {id: x, name: X}\n"
    root = story_dir({"story.yaml": STORY, "gate.yaml": GATE + ATTIC, "broken.yaml": broken})
    code, out = _check("--strict", str(root))
    lines = [line for line in out.splitlines() if not line.startswith("    hint:")]
    assert code == 1
    assert lines[:-1] == [
        f"{root / 'broken.yaml'}:5:8: in text: unknown variable `nobody` [E402]",
        f"{root / 'gate.yaml'}:12:5: warning: scene `attic` cannot be reached: no choice leads to it [W101]",
    ]
    assert lines[-1] == f"1 problem and 1 warning in {root}"


def test_while_a_file_has_errors_its_own_warnings_wait(story_dir: StoryDir) -> None:
    # the broken choice is missing from the loaded parts: `gate` would look like a dead end
    root = story_dir({"story.yaml": STORY, "gate.yaml": GATE.replace("goto: hallway", "goto: hallwya", 1) + ATTIC})
    code, out = _check(str(root))
    assert code == 1 and "warning:" not in out and out.splitlines()[-1] == f"1 problem in {root}"


def test_a_story_whose_start_failed_gives_no_reachability_warnings(story_dir: StoryDir) -> None:
    gate = GATE.replace("title: Gate", "title: Gate {nobody}")
    root = story_dir({"story.yaml": STORY, "gate.yaml": gate, "more.yaml": "scenes:\n" + ATTIC.replace("attic", "loft")})
    code, out = _check(str(root))
    assert code == 1 and "warning:" not in out and out.splitlines()[-1] == f"1 problem in {root}"


def test_a_warning_is_silenced_on_its_scene_its_choice_or_the_whole_story(story_dir: StoryDir) -> None:
    noisy = GATE + ATTIC.replace("      - label: Down\n", "      - label: Stay\n        goto: attic\n      - label: Down\n")
    unused = STORY + "variables:\n  spare: {type: bool}\n"
    root = story_dir({"story.yaml": unused, "gate.yaml": noisy})
    code, out = _check("--strict", str(root))
    assert code == 1 and "[W101]" in out and "[W501]" in out and "[W203]" in out
    silenced = noisy.replace("    text: Nobody comes here.\n", "    text: Nobody comes here.\n    ignore: [W101]\n")
    silenced = silenced.replace("        goto: attic\n", "        goto: attic\n        ignore: [W501]\n")
    root = story_dir({"story.yaml": unused + "ignore: [W203]\n", "gate.yaml": silenced})
    code, out = _check("--strict", str(root))
    assert code == 0 and "warning:" not in out and out.endswith("No problems, 3 silenced.\n")
    code, out = _check("--format", "json", str(root))
    assert sorted((problem["code"], problem["silenced"]) for problem in json.loads(out)["problems"]) == [
        ("W101", True), ("W203", True), ("W501", True)]


def test_a_silenced_code_silences_only_its_own_scene(story_dir: StoryDir) -> None:
    quiet_attic = ATTIC.replace("    text: Nobody comes here.\n", "    text: Nobody comes here.\n    ignore: W101\n")
    two = GATE + quiet_attic + ATTIC.replace("attic", "cellar")
    root = story_dir({"story.yaml": STORY, "gate.yaml": two})
    _, out = _check(str(root))
    assert [line.split(": warning: ")[1] for line in out.splitlines() if ": warning: " in line] == [
        "scene `cellar` cannot be reached: no choice leads to it [W101]",
    ]
    assert out.endswith("1 warning, 1 silenced.\n")


def test_ignore_takes_only_warning_codes(story_dir: StoryDir) -> None:
    root = story_dir({"story.yaml": STORY + "ignore: [W10, E202]\n", "gate.yaml": GATE})
    assert _problems(root) == [
        ("E109", "`W10` is not a warning code"),
        ("E109", "`E202` is an error, and errors cannot be silenced"),
    ]


def test_the_schema_accepts_ignore_where_the_loader_does() -> None:
    story = yaml.safe_load("id: c\ntitle: C\nversion: 1\nstart: a\nignore: [W203]\n")
    jsonschema.validate(story, build_schema("story"))
    scenes = yaml.safe_load(
        "scenes:\n  - id: a\n    title: A\n    text: A.\n    ignore: [W101]\n"
        "    choices:\n      - {label: Go, goto: a, ignore: W501}\n"
    )
    jsonschema.validate(scenes, build_schema("scenes"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**story, "ignore": ["E202"]}, build_schema("story"))


@pytest.mark.parametrize(("written", "message"), [
    ("3", "value for `name` is a number, but `name` is a string variable"),
    ("true", "value for `name` is true or false, but `name` is a string variable"),
])
def test_a_literal_of_the_wrong_type_for_a_string_is_an_error(story_dir: StoryDir, written: str, message: str) -> None:
    effect = f"goto: hallway\n        effects: [set: {{name: {written}}}]"
    root = story_dir({"story.yaml": STORY + NAME, "gate.yaml": GATE.replace("goto: hallway", effect, 1)})
    _, problems = check_story(str(root))
    assert [(problem.line, problem.col, problem.message, problem.code) for problem in problems] == [(8, 31, message, "E303")]


def test_a_quoted_number_is_fine_for_a_string(story_dir: StoryDir) -> None:
    effect = 'goto: hallway\n        effects: [set: {name: "3"}]'
    root = story_dir({"story.yaml": STORY + NAME, "gate.yaml": GATE.replace("goto: hallway", effect, 1)})
    story, problems = check_story(str(root))
    assert problems == [] and story is not None
