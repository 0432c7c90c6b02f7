"""The command line and the plain player, in-process and through a real pipe."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FEATURES, ROOT, StoryDir, env_for_subprocess

from adventure import __version__
from adventure.cli import main
from adventure.cli_args import COMMANDS
from adventure.cli_args import parser as build_parser
from adventure.story.bundled import bundled_story


def run(args: list[str], stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(args, stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_version_and_help_exit_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert __version__ in capsys.readouterr().out
    assert main(["--help"]) == 0
    assert "check" in capsys.readouterr().out


@pytest.mark.parametrize(
    "words",
    [
        ["play", "--plain", "--story", "s", "--seed", "3", "--set", "coins=2", "--set", "keys=a,b", "--width", "40"],
        ["check", "s", "--format", "json", "--strict"],
        ["explore", "s", "--exhaustive", "--max-states", "10"],
        ["graph", "--output", "g.mmd"],
        ["diff", "old", "new"],
        ["lsp"],
    ],
)
def test_the_parser_built_for_one_command_reads_its_line_as_the_whole_parser_does(words: list[str]) -> None:
    assert build_parser(words[0]).parse_args(words) == build_parser().parse_args(words)


def test_every_command_is_listed_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    listed = capsys.readouterr().out
    assert all(f"    {command} " in listed for command in COMMANDS)


def test_wrong_usage_exits_two(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["play", "--seed", "abc"]) == 2
    assert main(["check", "--format", "xml"]) == 2
    assert main(["--bogus"]) == 2


def test_check_summarises_a_good_story() -> None:
    code, out, _ = run(["check", str(FEATURES)])
    assert code == 0
    assert out.strip() == "Every Feature: 5 scenes, 9 choices, 99 words, 2 endings, 2 codex entries. No problems."


def test_check_json_is_machine_readable(story_dir: StoryDir) -> None:
    code, out, _ = run(["check", str(FEATURES), "--format", "json"])
    payload = json.loads(out)
    assert code == 0 and payload["ok"] and payload["summary"]["scenes"] == 5
    broken = story_dir({"story.yaml": "id: x\n"})
    code, out, _ = run(["check", str(broken), "--format", "json"])
    payload = json.loads(out)
    assert code == 1 and not payload["ok"] and {"path", "line", "col", "message", "hint", "severity"} <= set(payload["problems"][0])


def test_plain_play_shows_scene_choices_and_reads_numbers() -> None:
    code, out, _ = run(["play", "--story", str(FEATURES), "--plain", "--seed", "1"], "2\nquit\n")
    assert code == 0
    assert "\nThe House: The Hall, turn 0\n" in out
    assert "1. Look around" in out and "5. Open the vault (unavailable: The vault needs the iron key" in out
    assert "coins: -1 (now 1)" in out and "keys: + iron" in out
    assert "The Hall, turn 1" in out


def test_plain_play_accepts_part_of_a_label() -> None:
    _, out, _ = run(["play", "--story", str(FEATURES), "--plain"], "doorman\n")
    assert "The Hall, turn 1" in out


def test_plain_play_explains_bad_input_and_carries_on() -> None:
    code, out, _ = run(["play", "--story", str(FEATURES), "--plain"], "xyzzy\n9\n5\nhelp\n")
    assert code == 0
    assert "Type a choice's number (1-5)" in out
    assert "Choose a number from 1 to 5." in out
    assert "That choice is not available: The vault needs the iron key" in out
    assert "undo [n]" in out and "(end of input)" in out


def test_plain_commands_status_codex_recap_history_undo() -> None:
    script = "1\nstatus\ncodex\ncodex doors\ncodex nope\nrecap\nundo\nhistory\nundo\nundo 2\n"
    _, out, _ = run(["play", "--story", str(FEATURES), "--plain"], script)
    assert "The House · coins 2 · keys 1/3 · traveller" in out
    assert "Codex (2 of 2 entries):" in out and "Doors in this house remember who opened them." in out
    assert "No unlocked codex entry matches 'nope'" in out
    assert "- traveller came into the hall." in out
    assert "Undid 1 choice." in out and "There is nothing to undo." in out
    assert "  > Look around" in out


def test_plain_play_at_an_ending_offers_restart() -> None:
    _, out, _ = run(["play", "--story", str(FEATURES), "--plain", "--from", "vault"], "1\n1\nrestart\n")
    assert "The End: The Rich Ending." in out
    assert "The story has ended." in out
    assert "The story starts again." in out


def test_from_and_set_start_anywhere_with_chosen_state() -> None:
    _, out, _ = run(
        [
            "play",
            "--story",
            str(FEATURES),
            "--plain",
            "--from",
            "hall",
            "--set",
            "coins=5",
            "--set",
            "keys=iron,glass",
            "--set",
            "brave=true",
        ],
        "status\n",
    )
    assert "coins 5 · keys 2/3" in out and "You feel brave." in out and "And rich." in out


@pytest.mark.parametrize(
    ("assignment", "fragment"),
    [
        ("nope=1", "no variable"),
        ("coins=lots", "whole number"),
        ("keys=gold", "not in its members"),
        ("brave=maybe", "true or false"),
        ("coins", "NAME=VALUE"),
        ("dice=9", "9 is outside `dice`'s range 1..6"),
        ("coin=1", "did you mean `coins`?"),
    ],
)
def test_bad_set_arguments_are_usage_errors(assignment: str, fragment: str) -> None:
    code, _, err = run(["play", "--story", str(FEATURES), "--plain", "--set", assignment])
    assert code == 2 and fragment in err


def test_playing_a_broken_story_reports_problems_and_exits_one(story_dir: StoryDir) -> None:
    broken = story_dir({"story.yaml": "id: x\ntitle: X\nversion: 1\nstart: a\n"})
    code, _, err = run(["play", "--story", str(broken), "--plain"])
    assert code == 1 and "start scene `a` does not exist" in err


def test_the_bundled_story_is_found_from_a_source_checkout() -> None:
    assert bundled_story() == str(ROOT / "scenes")


def test_plain_mode_through_a_real_pipe_exits_cleanly() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "adventure", "play", "--story", str(FEATURES), "--plain"],
        input="1\n1\nquit\n", capture_output=True, text=True, env=env_for_subprocess(), timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "\nThe House" in result.stdout


def test_end_of_input_mid_game_is_a_clean_exit() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "adventure", "play", "--story", str(FEATURES), "--plain"],
        input="1", capture_output=True, text=True, env=env_for_subprocess(), timeout=60,
    )
    assert result.returncode == 0 and "(end of input)" in result.stdout and result.stderr == ""


class EditingInput:
    """Standard input that edits the story file before handing over a given line."""

    def __init__(self, lines: list[str], edits: dict[int, tuple[Path, str, str]]) -> None:
        self.lines, self.edits, self.count = lines, edits, 0

    def readline(self, limit: int = -1) -> str:
        if self.count in self.edits:
            path, old, new = self.edits[self.count]
            path.write_text(path.read_text().replace(old, new))
            import os
            os.utime(path, ns=(10**18 + self.count, 10**18 + self.count))  # make the change visible to mtime checks
        line = self.lines[self.count] if self.count < len(self.lines) else ""
        self.count += 1
        return line


WATCHED = {
    "story.yaml": "id: w\ntitle: W\nversion: 1\nstart: a\nvariables:\n  n: {type: int}\n",
    "a.yaml": ("scenes:\n  - id: a\n    title: First draft\n    text: Hello.\n    choices:\n"
        "      - {label: Count, goto: a, effects: [{add: {n: 1}}]}\n"),
}


def test_reload_keeps_the_game_and_shows_the_edited_scene(story_dir: StoryDir) -> None:
    root = story_dir(WATCHED)
    stdin = EditingInput(["1\n", "reload\n", "status\n"], {1: (root / "a.yaml", "First draft", "Second draft")})
    out = io.StringIO()
    assert main(["play", "--story", str(root), "--plain"], stdin=stdin, stdout=out) == 0  # type: ignore[arg-type]
    text = out.getvalue()
    assert "Reloaded W (1 scenes)." in text and "\nSecond draft\n" in text and "Turn 1." in text


def test_reload_with_errors_keeps_playing_the_old_version(story_dir: StoryDir) -> None:
    root = story_dir(WATCHED)
    stdin = EditingInput(["reload\n", "1\n"], {0: (root / "a.yaml", "goto: a", "goto: nowhere")})
    out = io.StringIO()
    main(["play", "--story", str(root), "--plain"], stdin=stdin, stdout=out)  # type: ignore[arg-type]
    text = out.getvalue()
    assert "still playing the previous version" in text and "no scene `nowhere`" in text
    assert "\nFirst draft\n" in text.rsplit("> ", 1)[0]


def test_watch_reloads_by_itself_when_a_file_changes(story_dir: StoryDir) -> None:
    root = story_dir(WATCHED)
    stdin = EditingInput(["1\n", "1\n"], {1: (root / "a.yaml", "First draft", "Watched draft")})
    out = io.StringIO()
    main(["play", "--story", str(root), "--plain", "--watch"], stdin=stdin, stdout=out)  # type: ignore[arg-type]
    text = out.getvalue()
    assert "Story files changed." in text and "\nWatched draft\n" in text


SAVE_LABEL_STORY = {
    "story.yaml": "id: s\ntitle: S\nversion: 1\nstart: a\n",
    "a.yaml": (
        "scenes:\n  - id: a\n    title: A\n    text: x\n    choices:\n"
        "      - {label: Save it for after, goto: b}\n      - {label: Eat it, goto: b}\n"
        "  - id: b\n    title: Later\n    text: y\n    ending: {id: e, name: E}\n"
    ),
}


def test_a_whole_label_that_starts_with_a_command_word_is_a_choice(story_dir: StoryDir) -> None:
    root = story_dir(SAVE_LABEL_STORY)
    _, out, _ = run(["play", "--story", str(root), "--plain"], "save it for after\n")
    assert "\nLater\n" in out and "not a slot name" not in out


def test_a_command_still_wins_over_part_of_a_label(story_dir: StoryDir) -> None:
    root = story_dir(SAVE_LABEL_STORY)
    _, out, _ = run(["play", "--story", str(root), "--plain"], "save mine\n")
    assert "Saved to slot 'mine'." in out and "\nLater\n" not in out


def test_from_a_scene_that_does_not_exist_suggests_one() -> None:
    code, _, err = run(["play", "--story", str(FEATURES), "--plain", "--from", "hal"])
    assert code == 2 and "--from: there is no scene `hal` (did you mean `hall`?)" in err


def test_play_reach_starts_at_the_scene_with_the_state_of_the_shortest_path() -> None:
    code, out, err = run(["play", "--story", str(FEATURES), "--plain", "--reach", "vault", "--seed", "1"], "status\nquit\n")
    assert code == 0
    assert err.startswith("Reached `vault` in ") and "Open the vault" in err
    assert "keys: iron" in out or "iron" in out  # the vault needs the iron key: the path took it


def test_explore_reach_prints_the_path_and_how_to_replay_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explore", str(FEATURES), "--reach", "vault"]) == 0
    out = capsys.readouterr().out
    assert "Reached `vault` in" in out and f"--story {FEATURES}" in out and "--reach vault" in out
    assert main(["explore", str(FEATURES), "--reach", "vaul"]) == 2
    assert "did you mean `vault`?" in capsys.readouterr().err


def test_a_recorded_game_passes_as_a_walkthrough_undo_included(tmp_path: Path) -> None:
    record = tmp_path / "bug.yaml"
    code, _, _ = run(
        ["play", "--story", str(FEATURES), "--plain", "--record", str(record), "--saves", str(tmp_path / "saves")],
        "1\n2\nundo\n1\nquit\n",
    )
    assert code == 0
    text = record.read_text()
    assert "seed:" in text and "- choose:" in text and "- scene:" in text
    out = io.StringIO()
    assert main(["test", str(record)], stdout=out) == 0, out.getvalue() + text


def test_a_recording_after_reach_starts_with_the_path_the_explorer_played(tmp_path: Path) -> None:
    record = tmp_path / "reached.yaml"
    code, _, _ = run(
        ["play", "--story", str(FEATURES), "--plain", "--reach", "vault", "--record", str(record), "--saves", str(tmp_path / "saves")],
        "1\nquit\n",
    )
    assert code == 0
    text = record.read_text()
    assert "- choose: Open the vault" in text and "- choose: Take the gold" in text and "- ending: rich" in text
    out = io.StringIO()
    assert main(["test", str(record)], stdout=out) == 0, out.getvalue() + text
