"""Static analysis: every documented warning fires on its documented example, and only it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import FEATURES, ROOT, StoryDir

from adventure.cli import main
from adventure.story.loader import load_story
from adventure.tools.analysis import analyse

DOC = (ROOT / "docs" / "diagnostics.md").read_text()
EXAMPLES = re.findall(r"## (W\d+): .*?```yaml\n(.*?)```\n\nReported as:\n\n```text\n(.*?)\n```", DOC, re.S)


def write_example(root: Path, block: str) -> Path:
    story, scenes = block.split("# scenes.yaml\n")
    root.mkdir(parents=True, exist_ok=True)
    (root / "story.yaml").write_text(story.replace("# story.yaml\n", ""))
    (root / "scenes.yaml").write_text(scenes)
    return root


def test_every_warning_code_is_documented_with_an_example() -> None:
    codes = [code for code, _, _ in EXAMPLES]
    assert codes == [
        "W101", "W102", "W103", "W104", "W201", "W202", "W203", "W301", "W302", "W303", "W304", "W401", "W501", "W601", "W602",
        "W701", "W702", "W703",
    ]


@pytest.mark.parametrize(("code", "block", "message"), EXAMPLES, ids=[code for code, _, _ in EXAMPLES])
def test_the_documented_example_triggers_exactly_its_warning(tmp_path: Path, code: str, block: str, message: str) -> None:
    root = write_example(tmp_path / code, block)
    warnings = analyse(load_story(str(root)))
    assert [warning.code for warning in warnings] == [code]
    assert warnings[0].severity == "warning" and warnings[0].line > 0 and warnings[0].hint
    assert warnings[0].format().replace(str(root) + "/", "") == message


def test_a_clean_story_has_no_warnings() -> None:
    assert analyse(load_story(str(FEATURES))) == []


def test_strict_makes_warnings_fail_and_json_lists_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, block, _ = EXAMPLES[0]
    root = write_example(tmp_path / "ex", block)
    assert main(["check", str(root)]) == 0
    assert "[W101]" in capsys.readouterr().out
    assert main(["check", str(root), "--strict"]) == 1
    assert "--strict: failing" in capsys.readouterr().out
    assert main(["check", str(root), "--format", "json", "--strict"]) == 1
    import json
    payload = json.loads(capsys.readouterr().out)
    assert payload["ok"] is False and payload["problems"][0]["code"] == "W101" and payload["problems"][0]["severity"] == "warning"


def test_conditions_on_chance_visits_and_wide_counters_are_not_judged(story_dir: StoryDir) -> None:
    root = story_dir({
        "story.yaml": "id: x\ntitle: X\nversion: 1\nstart: a\nvariables:\n  n: {type: int}\n  d: {type: int, min: 1, max: 6}\n",
        "a.yaml": """\
            scenes:
              - id: a
                title: A
                text: x
                on_enter: [{roll: {into: d, min: 1, max: 6}}]
                choices:
                  - {label: count, goto: a, if: n > 1000000, effects: [{add: {n: 1}}]}
                  - {label: six, goto: b, if: d == 6}
                  - {label: again, goto: b, if: 'visits("a") > 2'}
                  - {label: done, goto: b, if: turn > 3}
              - id: b
                title: B
                text: y
                ending: {id: e, name: E}
            """,
    })
    assert [w.code for w in analyse(load_story(str(root)))] == []
