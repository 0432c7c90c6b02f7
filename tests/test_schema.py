"""`adventure schema`: the JSON Schemas agree with the loader on what is well-formed."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import FEATURES, ROOT, SHIPPED, write_story

from adventure.cli import main
from adventure.story.loader import STORY_FILE, check_story, find_files
from adventure.story.loader.declarations import FILE_KEYS, HEADER_KEYS, VARIABLE_KEYS
from adventure.story.loader.effects import EFFECTS
from adventure.story.loader.scenes import CHOICE_KEYS, ENDING_KEYS, SCENE_KEYS, TEXT_KEYS
from adventure.tools.schema import build_schema, schema_json

VALIDATORS = {kind: jsonschema.Draft202012Validator(build_schema(kind)) for kind in ("story", "scenes")}

BASE_STORY = """\
id: probe
title: Probe
version: 1
start: a
variables:
  n: {type: int, min: 0, max: 9}
  keys: {type: set, members: [x, y]}
  name: {type: string}
  lamp: {type: bool}
codex:
  lore: {title: Lore, text: Old things.}
"""

BASE_SCENES = """\
chapter: One
scenes:
  - id: a
    title: A
    text: Hi.
    choices:
      - label: Go
        goto: b
        if: n >= 1
        disabled: Not yet.
        effects:
          - add: {n: 1}
  - id: b
    title: B
    text: Bye.
    ending: {id: b, name: B}
"""


def _edit(base: str, old: str, new: str) -> str:
    assert base.count(old) == 1, f"{old!r} is not in the base story once"
    return base.replace(old, new)


# (name, file to edit, text to replace, replacement, valid?)
CASES: list[tuple[str, str, str, str, bool]] = [
    ("the base story", "s.yaml", "Hi.", "Hi.", True),
    # structural errors: both must refuse
    ("unknown scene key", "s.yaml", "    title: A\n", "    title: A\n    colour: red\n", False),
    ("unknown choice key", "s.yaml", "        goto: b\n", "        goto: b\n        go: b\n", False),
    ("unknown story key", STORY_FILE, "version: 1\n", "version: 1\nversoin: 2\n", False),
    ("unknown variable key", STORY_FILE, "{type: int, min: 0, max: 9}", "{type: int, min: 0, max: 9, step: 1}", False),
    ("choice with effects and no goto stays", "s.yaml", "        goto: b\n", "", True),
    ("choice with neither goto, reply nor effects", "s.yaml",
     "        goto: b\n        if: n >= 1\n        disabled: Not yet.\n        effects:\n          - add: {n: 1}\n", "", False),
    ("choice that replies", "s.yaml", "        goto: b\n", "        goto: b\n        reply: Off you go.\n", True),
    ("choice that stays with a reply", "s.yaml", "        goto: b\n", "        reply: [Nothing., {if: n > 1, text: Again.}]\n", True),
    ("choice that detours", "s.yaml", "        goto: b\n", "        detour: b\n", True),
    ("choice with goto and detour", "s.yaml", "        goto: b\n", "        goto: b\n        detour: b\n", False),
    ("choice with goto and return", "s.yaml", "        goto: b\n", "        goto: b\n        return: true\n", False),
    ("return false", "s.yaml", "        goto: b\n", "        return: false\n", False),
    ("conditional effect", "s.yaml", "- add: {n: 1}", "- {if: n > 1, then: [{add: {n: 1}}], else: {subtract: {n: 1}}}", True),
    ("conditional single effect", "s.yaml", "- add: {n: 1}", "- {if: 'random(1, 6) == 6', add: {n: 1}}", True),
    ("conditional effect with then and an effect", "s.yaml", "- add: {n: 1}", "- {if: n > 1, then: [], add: {n: 1}}", False),
    ("conditional effect without effects", "s.yaml", "- add: {n: 1}", "- {if: n > 1}", False),
    ("conditional effect with two effects", "s.yaml", "- add: {n: 1}", "- {if: n > 1, add: {n: 1}, subtract: {n: 1}}", False),
    ("choice without label", "s.yaml", "      - label: Go\n        goto: b\n", "      - goto: b\n", False),
    ("scene without title", "s.yaml", "    title: A\n", "", False),
    ("story without start", STORY_FILE, "start: a\n", "", False),
    ("unknown effect", "s.yaml", "- add: {n: 1}", "- multiply: {n: 2}", False),
    ("effect with two keys", "s.yaml", "- add: {n: 1}", "- {add: {n: 1}, subtract: {n: 1}}", False),
    ("effects not a list", "s.yaml", "        effects:\n          - add: {n: 1}\n", "        effects: {add: {n: 1}}\n", False),
    ("title is a list", "s.yaml", "    title: A\n", "    title: [A]\n", False),
    ("once is quoted text", "s.yaml", "        goto: b\n", "        goto: b\n        once: 'true'\n", False),
    ("once is a number", "s.yaml", "        goto: b\n", "        goto: b\n        once: 1\n", False),
    ("min is text", STORY_FILE, "min: 0,", "min: zero,", False),
    ("unknown variable type", STORY_FILE, "{type: bool}", "{type: boolean}", False),
    ("min on a bool", STORY_FILE, "{type: bool}", "{type: bool, min: 0}", False),
    ("set without members", STORY_FILE, "{type: set, members: [x, y]}", "{type: set}", False),
    ("bool default is text", STORY_FILE, "{type: bool}", "{type: bool, default: 'no'}", False),
    ("disabled without if", "s.yaml", "        if: n >= 1\n", "", False),
    (
        "ending with choices",
        "s.yaml",
        "    ending: {id: b, name: B}\n",
        "    ending: {id: b, name: B}\n    choices: [{label: Back, goto: a}]\n",
        False,
    ),
    ("scene with neither choices nor ending", "s.yaml", "    ending: {id: b, name: B}\n", "", False),
    ("empty list of choices", "s.yaml", "    ending: {id: b, name: B}\n", "    choices: []\n", False),
    ("ending without name", "s.yaml", "{id: b, name: B}", "{id: b}", False),
    ("roll without max", "s.yaml", "- add: {n: 1}", "- roll: {into: n, min: 1}", False),
    ("a string default", STORY_FILE, "{type: string}", "{type: string, default: x}", True),
    ("pick with an empty list", "s.yaml", "- add: {n: 1}", "- pick: {into: name, from: []}", False),
    ("conditional text without if", "s.yaml", "    text: Hi.\n", "    text:\n      - Hi.\n      - {text: Maybe.}\n", False),
    ("codex entry without text", STORY_FILE, "{title: Lore, text: Old things.}", "{title: Lore}", False),
    ("invalid scene id", "s.yaml", "  - id: b\n", "  - id: b c\n", False),
    ("invalid story id", STORY_FILE, "id: probe", "id: -probe", False),
    ("invalid variable name", STORY_FILE, "  lamp: {type: bool}", "  2lamp: {type: bool}", False),
    ("built-in variable name", STORY_FILE, "  lamp: {type: bool}", "  turn: {type: bool}", False),
    ("invalid choice id", "s.yaml", "        goto: b\n", "        goto: b\n        id: go-on\n", False),
    ("empty title", "s.yaml", "    title: A\n", "    title:\n", False),
    ("chapter is a list", "s.yaml", "chapter: One\n", "chapter: [One]\n", False),
    ("a scene is a string", "s.yaml", "scenes:\n", "scenes:\n  - just words\n", False),
    ("an empty scene file", "s.yaml", BASE_SCENES, "# nothing here\n", False),
    # what the loader accepts, the schema must accept too
    ("a numeric title", "s.yaml", "    title: A\n", "    title: 1984\n", True),
    ("a label YAML reads as a boolean", "s.yaml", "      - label: Go\n", "      - label: yes\n", True),
    (
        "an ending with an empty list of choices",
        "s.yaml",
        "    ending: {id: b, name: B}\n",
        "    ending: {id: b, name: B, canonical: yes}\n    choices: []\n",
        True,
    ),
    (
        "nested text and conditionals",
        "s.yaml",
        "    text: Hi.\n",
        "    text:\n      - Hi.\n      - [Nested, list]\n      - if: lamp\n"
        "        text: {if: n > 2, text: Bright., else: Dim.}\n        else: Dark.\n",
        True,
    ),
    (
        "every effect",
        "s.yaml",
        "          - add: {n: 1}\n",
        (
            "          - set: {n: {expr: n + 1}, name: '', lamp: true, keys: []}\n"
            "          - add: {n: 1, keys: x}\n          - subtract: {n: 1}\n          - remove: {keys: [x, y]}\n"
            "          - unlock: lore\n          - roll: {into: n, min: 1, max: 6}\n          - pick: {into: name, from: [Ada, Bo]}\n"
        ),
        True,
    ),
    (
        "a numeric story id and version string",
        STORY_FILE,
        "id: probe\ntitle: Probe\nversion: 1\n",
        "id: 42\ntitle: Probe\nversion: '1.2'\n",
        True,
    ),
    (
        "variables, codex and once/fallback in a scene file",
        "s.yaml",
        "chapter: One\n",
        ("chapter: One\nvariables:\n  seen: {type: bool, doc: Seen it.}\ncodex:\n  more: {title: More, text: [A, {if: seen, text: B}]}\n"),
        True,
    ),
    ("renamed scenes", STORY_FILE, "start: a\n", "start: a\nrenamed: {old_a: a}\nauthor: Ada\nblurb: Short.\nstatus: 'n {n}'\n", True),
    (
        "choice flags and id",
        "s.yaml",
        "        goto: b\n",
        "        goto: b\n        once: true\n        fallback: no\n        id: go_on\n",
        True,
    ),
]


def _schema_ok(path: Path, kind: str) -> bool:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return bool(VALIDATORS[kind].is_valid(data))


def _files(root: Path) -> Iterator[tuple[Path, str]]:
    yield root / STORY_FILE, "story"
    for path in find_files(str(root)):
        yield Path(path), "scenes"


def _errors(path: Path, kind: str) -> list[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [f"{error.json_path}: {error.message}" for error in VALIDATORS[kind].iter_errors(data)]


@pytest.mark.parametrize(("name", "target", "old", "new", "valid"), CASES, ids=[case[0] for case in CASES])
def test_schema_and_loader_agree(tmp_path: Path, name: str, target: str, old: str, new: str, valid: bool) -> None:
    files = {STORY_FILE: BASE_STORY, "s.yaml": BASE_SCENES}
    files[target] = _edit(files[target], old, new)
    root = write_story(tmp_path / "story", files)
    story, problems = check_story(str(root))
    assert (story is not None) is valid, [problem.format() for problem in problems]
    schema_valid = all(_schema_ok(path, kind) for path, kind in _files(root))
    assert schema_valid is valid, {str(path): _errors(path, kind) for path, kind in _files(root)}


@pytest.mark.parametrize("root", [FEATURES, ROOT / "docs" / "example", SHIPPED], ids=["features", "docs-example", "shipped"])
def test_every_file_of_a_sound_story_fits_the_schema(root: Path) -> None:
    story, _ = check_story(str(root))
    if story is None:
        pytest.skip(f"{root} does not load at the moment")
    for path, kind in _files(root):
        assert _errors(path, kind) == [], path


def test_semantic_errors_are_beyond_the_schema(tmp_path: Path) -> None:
    files = {STORY_FILE: BASE_STORY, "s.yaml": _edit(BASE_SCENES, "        goto: b\n", "        goto: nowhere\n")}
    root = write_story(tmp_path / "story", files)
    assert check_story(str(root))[0] is None
    assert all(_schema_ok(path, kind) for path, kind in _files(root))


def _walk(schema: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(schema, dict):
        for key, value in schema.get("properties", {}).items():
            yield f"{where}/{key}", value
        for key, value in schema.items():
            if key != "allOf":  # conditions that narrow keys already described
                yield from _walk(value, f"{where}/{key}")
    elif isinstance(schema, list):
        for number, item in enumerate(schema):
            yield from _walk(item, f"{where}/{number}")


@pytest.mark.parametrize("kind", ["scenes", "story"])
def test_schema_is_draft_2020_12_and_documents_every_key(kind: str) -> None:
    schema = build_schema(kind)  # type: ignore[arg-type]
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    properties = list(_walk(schema))
    assert len(properties) > 40
    undocumented = [where for where, value in properties if "description" not in value]
    assert undocumented == []
    assert schema["$defs"]["variables"]["additionalProperties"]["properties"]["type"]["enum"] == ["bool", "int", "string", "set"]


def test_schema_knows_every_key_the_loader_reads() -> None:
    scenes, story = build_schema("scenes")["$defs"], build_schema("story")
    scene = scenes["scene"]["properties"]
    assert tuple(story["properties"]) == HEADER_KEYS
    assert tuple(build_schema("scenes")["properties"]) == FILE_KEYS
    assert tuple(scenes["variables"]["additionalProperties"]["properties"]) == VARIABLE_KEYS
    assert tuple(scene) == SCENE_KEYS
    assert tuple(scene["choices"]["items"]["properties"]) == CHOICE_KEYS
    assert tuple(scene["ending"]["properties"]) == ENDING_KEYS
    assert tuple(scenes["conditional"]["properties"]) == TEXT_KEYS
    plain, conditional = scenes["effect"]["anyOf"]
    assert tuple(plain["properties"]) == EFFECTS
    assert tuple(conditional["properties"]) == ("if", "then", "else", *EFFECTS)


def test_schema_command_prints_json_for_either_file() -> None:
    for args, title in ((["schema"], "adventure scene file"), (["schema", "--for", "story"], "adventure story.yaml")):
        out = io.StringIO()
        assert main(args, stdout=out) == 0
        assert json.loads(out.getvalue())["title"] == title
    assert schema_json("story") == json.dumps(build_schema("story"), indent=2, ensure_ascii=False) + "\n"
    assert main(["schema", "--for", "chapter"], stdout=io.StringIO(), stderr=io.StringIO()) == 2
