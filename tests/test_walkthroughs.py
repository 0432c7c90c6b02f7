"""Walkthrough files: every file in tests/walkthroughs passes, and failures say what was seen."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FEATURES, HERE

from adventure.cli import main
from adventure.story.bundled import bundled_story
from adventure.tools import walkthrough

WALKTHROUGHS = sorted((HERE / "walkthroughs").glob("*.yaml"))


@pytest.mark.parametrize("path", WALKTHROUGHS, ids=[path.stem for path in WALKTHROUGHS])
def test_walkthrough_passes(path: Path) -> None:
    results, problems = walkthrough.run_files([str(path)], bundled_story())
    assert problems == [], "\n".join(problem.format() for problem in problems)
    [result] = results
    assert result.passed, "\n".join(problem.format() for problem in result.problems)


def write(tmp_path: Path, steps: str, extra: str = "") -> str:
    path = tmp_path / "walk.yaml"
    path.write_text(f"name: probe\nstory: {FEATURES}\n{extra}steps:\n{steps}")
    return str(path)


@pytest.mark.parametrize(("steps", "message", "line"), [
    ("  - choose: Fly away\n", "no single listed choice matches 'Fly away'; listed: 1. Look around; 2. Pay the doorman", 4),
    ("  - choose: 5\n", "that choice is not available: The vault needs the iron key", 4),
    ("  - see: dragons\n", "did not find 'dragons' in scene `hall`", 4),
    ("  - not_see: hall\n", "found 'hall'", 4),
    ("  - choose: 2\n  - expect: {coins: 2}\n", "`coins` is 1, expected 2", 5),
    ("  - check: coins > 5\n", "'coins > 5' is false (coins = 2)", 4),
    ("  - ending: rich\n", "no ending reached; the player is at `hall`", 4),
    ("  - scene: vault\n", "the player is at `hall`, not `vault`", 4),
    ("  - can_choose: vault\n", "no available choice matches 'vault'", 4),
    ("  - cannot_choose: doorman\n", "an available choice matches 'doorman'", 4),
    ("  - unlocked: doors\n", "codex entry `doors` is not unlocked (unlocked: hall)", 4),
    ("  - check: coins\n", "the check expression is not valid", 4),
])
def test_a_failing_step_says_which_step_and_what_was_seen(tmp_path: Path, steps: str, message: str, line: int) -> None:
    results, _ = walkthrough.run_files([write(tmp_path, steps)], bundled_story())
    [result] = results
    assert not result.passed
    text = "\n".join(problem.format() for problem in result.problems)
    assert message in text and f"walk.yaml:{line}:" in text


def test_start_scene_and_values_are_applied(tmp_path: Path) -> None:
    path = write(
        tmp_path, "  - scene: vault\n  - expect: {coins: 4, keys: [iron]}\n", "start:\n  scene: vault\n  set: {coins: 4, keys: [iron]}\n"
    )
    [result], _ = walkthrough.run_files([path], bundled_story())
    assert result.passed, result.problems


def test_malformed_walkthroughs_are_reported_with_positions(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(f"story: {FEATURES}\nsteps:\n  - fly: 1\n  - choose: 1\n    see: x\nextra: 1\n")
    [result], _ = walkthrough.run_files([str(path)], bundled_story())
    text = "\n".join(problem.format() for problem in result.problems)
    assert "bad.yaml:3:5: each step is one of" in text and "bad.yaml:4:5" in text and "unknown key `extra`" in text


def test_the_cli_runs_folders_and_sets_the_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(HERE / "walkthroughs" / "features-rich.yaml")]) == 0
    assert "PASS" in capsys.readouterr().out
    write(tmp_path, "  - ending: poor\n")
    assert main(["test", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "0 of 1 walkthroughs passed" in out


@pytest.mark.parametrize(("values", "message"), [
    ("{keys: [bras]}", "walk.yaml:5:16: `bras` is not a member of set `keys`\n    hint: did you mean `brass`?"),
    ("{dice: 9}", "walk.yaml:5:15: value of `dice` is 9, outside `dice`'s range 1..6"),
    ("{brave: maybe}", "value of `brave` must be true or false, not maybe"),
])
def test_start_values_are_read_as_the_loader_reads_them(tmp_path: Path, values: str, message: str) -> None:
    path = write(tmp_path, "  - scene: hall\n", f"start:\n  scene: hall\n  set: {values}\n")
    [result], _ = walkthrough.run_files([path], bundled_story())
    assert not result.passed
    assert message in "\n".join(problem.format() for problem in result.problems)
