"""Walkthrough files: every file in tests/walkthroughs passes, and failures say what was seen."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FEATURES, HERE

from adventure.cli import main
from adventure.tools import walkthrough

WALKTHROUGHS = sorted((HERE / "walkthroughs").glob("*.yaml"))


@pytest.mark.parametrize("path", WALKTHROUGHS, ids=[path.stem for path in WALKTHROUGHS])
def test_walkthrough_passes(path: Path) -> None:
    results, problems = walkthrough.run_files([str(path)])
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
    ("  - check: coins\n", "check: this expression is int, but a bool is needed here", 4),
])
def test_a_failing_step_says_which_step_and_what_was_seen(tmp_path: Path, steps: str, message: str, line: int) -> None:
    results, _ = walkthrough.run_files([write(tmp_path, steps)])
    [result] = results
    assert not result.passed
    text = "\n".join(problem.format() for problem in result.problems)
    assert message in text and f"walk.yaml:{line}:" in text


def test_start_scene_and_values_are_applied(tmp_path: Path) -> None:
    path = write(
        tmp_path, "  - scene: vault\n  - expect: {coins: 4, keys: [iron]}\n", "start:\n  scene: vault\n  set: {coins: 4, keys: [iron]}\n"
    )
    [result], _ = walkthrough.run_files([path])
    assert result.passed, result.problems


def test_malformed_walkthroughs_are_reported_with_positions(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(f"story: {FEATURES}\nsteps:\n  - fly: 1\n  - choose: 1\n    see: x\nextra: 1\n")
    [result], _ = walkthrough.run_files([str(path)])
    text = "\n".join(problem.format() for problem in result.problems)
    assert "bad.yaml:3:5: each step is one of" in text and "bad.yaml:4:5" in text and "unknown key `extra`" in text


def test_the_cli_runs_folders_and_sets_the_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(HERE / "walkthroughs" / "features-rich.yaml")]) == 0
    assert "PASS" in capsys.readouterr().out
    write(tmp_path, "  - ending: poor\n")
    assert main(["test", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "0 of 1 walkthroughs passed" in out


def test_a_story_folder_given_as_walkthroughs_is_refused_with_the_command_meant(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(FEATURES), str(HERE / "walkthroughs" / "features-rich.yaml")]) == 2
    captured = capsys.readouterr()
    assert "PASS" not in captured.out and "FAIL" not in captured.out
    assert "is a story folder" in captured.err and f"--story {FEATURES}" in captured.err


@pytest.mark.parametrize(("values", "message"), [
    ("{keys: [bras]}", "walk.yaml:5:16: `bras` is not a member of set `keys` [E304]\n    hint: did you mean `brass`?"),
    ("{dice: 9}", "walk.yaml:5:15: value of `dice` is 9, outside `dice`'s range 1..6"),
    ("{brave: maybe}", "value of `brave` must be true or false, not maybe"),
])
def test_start_values_are_read_as_the_loader_reads_them(tmp_path: Path, values: str, message: str) -> None:
    path = write(tmp_path, "  - scene: hall\n", f"start:\n  scene: hall\n  set: {values}\n")
    [result], _ = walkthrough.run_files([path])
    assert not result.passed
    assert message in "\n".join(problem.format() for problem in result.problems)


def test_a_walkthrough_elsewhere_must_say_which_story_it_plays(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    path = tmp_path / "a" / "b" / "walk.yaml"  # the three folders searched are all inside tmp_path
    path.write_text("name: lost\nsteps:\n  - scene: hall\n")
    [result], _ = walkthrough.run_files([str(path)])
    assert not result.passed
    assert "walk.yaml:1:1: this walkthrough does not say which story it plays" in result.problems[0].format()


def test_a_walkthrough_beside_a_story_folder_plays_that_story(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(FEATURES, tmp_path / "project" / "story")
    (tmp_path / "project" / "walkthroughs").mkdir()
    path = tmp_path / "project" / "walkthroughs" / "walk.yaml"  # the layout adventure new makes
    path.write_text("name: found\nsteps:\n  - scene: hall\n")
    [result], _ = walkthrough.run_files([str(path)])
    assert result.passed, result.problems


def test_story_is_resolved_relative_to_the_walkthrough_file(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(FEATURES, tmp_path / "stories" / "features")
    (tmp_path / "walks").mkdir()
    path = tmp_path / "walks" / "walk.yaml"
    path.write_text("name: relative\nstory: ../stories/features\nsteps:\n  - scene: hall\n")
    [result], _ = walkthrough.run_files([str(path)])
    assert result.passed, result.problems


def test_see_finds_a_disabled_choices_reason(tmp_path: Path) -> None:
    [result], _ = walkthrough.run_files([write(tmp_path, "  - see: The vault needs the iron key\n")])
    assert result.passed, result.problems


@pytest.mark.parametrize(("step", "message"), [
    ("{label: Open the vault, is: disabled}", ""),
    ("{label: Open the vault, is: disabled, reason: iron key}", ""),
    ("{label: Open the vault, is: hidden}", "'Open the vault' is listed, disabled, not hidden"),
    ("{label: Open the vault, reason: golden key}", "gives a reason containing 'golden key'"),
    ("{label: Fly away, is: hidden}", ""),
    ("{label: Fly away, is: disabled}", "it is hidden, not disabled"),
    ("open THE vault", ""),
])
def test_cannot_choose_can_say_hidden_or_disabled_and_why(tmp_path: Path, step: str, message: str) -> None:
    [result], _ = walkthrough.run_files([write(tmp_path, f"  - cannot_choose: {step}\n")])
    text = "\n".join(problem.format() for problem in result.problems)
    assert result.passed == (message == ""), text
    assert message in text


def test_names_in_steps_are_checked_against_the_story_before_playing(tmp_path: Path) -> None:
    steps = (
        "  - choose: 1\n  - scene: hal\n  - ending: rihc\n  - unlocked: dors\n  - expect: {coin: 1}\n"
        "  - cannot_choose: {label: x, is: gone}\n"
    )
    [result], _ = walkthrough.run_files([write(tmp_path, steps)])
    assert result.steps_run == 0  # nothing was played: every problem is reported at once
    text = "\n".join(problem.format() for problem in result.problems)
    for expected in (
        "walk.yaml:5:12: the story has no scene `hal` [E601]\n    hint: did you mean `hall`?",
        "walk.yaml:6:13: the story has no ending `rihc` [E601]\n    hint: did you mean `rich`?",
        "walk.yaml:7:15: the story has no codex entry `dors` [E601]\n    hint: did you mean `doors`?",
        "the story has no variable `coin` [E601]\n    hint: did you mean `coins`?",
        "cannot_choose is: 'gone' should be hidden or disabled",
    ):
        assert expected in text, text
