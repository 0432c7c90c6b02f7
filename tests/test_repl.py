"""The real terminal player driven through a pseudo-terminal."""

from __future__ import annotations

import io
import json
import re
import signal
import sys
from pathlib import Path

import pexpect
import pytest
from conftest import FEATURES, env_for_subprocess, write_story

from adventure.play.render import cell_width

DOWN = "\x1b[B"
UP = "\x1b[A"
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")


def spawn(saves: Path, *args: str, columns: int = 100, story: Path = FEATURES) -> pexpect.spawn:
    env = env_for_subprocess()
    env.update({"TERM": "xterm-256color", "ADVENTURE_SAVES": str(saves)})
    env.pop("NO_COLOR", None)
    child = pexpect.spawn(
        sys.executable, ["-m", "adventure", "--story", str(story), *args], env=env, dimensions=(40, columns), encoding="utf-8", timeout=20
    )
    return child


def finish(child: pexpect.spawn) -> str:
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    return child.before or ""


def test_new_game_choices_by_number_and_arrows_commands_save_and_continue(tmp_path: Path) -> None:
    child = spawn(tmp_path)
    child.expect("Every Feature")
    child.expect("New game")
    child.send("\r")
    child.expect("Look around")
    child.send("2\r")  # by number
    child.expect("coins: -1")
    child.expect("Pay the doorman")
    child.send(DOWN)  # nothing is highlighted until an arrow key: the first down lands on 1, the second on 2
    child.send(DOWN)
    child.send("\r")
    child.expect("coins: -1")
    child.send("status\r")
    child.expect("coins 0 · keys 2/3")
    child.send("codex\r")
    child.expect("Codex \\(1 of 2 entries\\)")
    child.send("save mine\r")
    child.expect("Saved to slot 'mine'")
    child.send("\x04")  # Ctrl-D saves and quits
    child.expect("Saved. Goodbye.")
    finish(child)
    assert (tmp_path / "features" / "autosave.json").exists() and (tmp_path / "features" / "mine.json").exists()

    again = spawn(tmp_path)
    again.expect("Continue")
    again.send(DOWN)  # continue is the default; moving down and up again lands on it
    again.send("\x1b[A")
    again.send("\r")
    again.expect("Loaded slot 'autosave'")
    again.expect("The Hall, turn 2")
    again.send("status\r")
    again.expect("coins 0 · keys 2/3")
    again.send("undo 2\r")
    again.expect("Undid 2 choices")
    again.expect("The Hall, turn 0")
    again.send("quit\r")
    finish(again)


def test_ctrl_c_asks_before_quitting(tmp_path: Path) -> None:
    child = spawn(tmp_path)
    child.expect("New game")
    child.send("\r")
    child.expect("Look around")
    child.sendintr()
    child.expect("Quit the game\\?")
    child.send("n\r")
    child.send("1\r")
    child.expect("The Hall, turn 1")
    child.expect("Roll the dice")  # the choices are drawn by the prompt: it is waiting now
    child.sendintr()
    child.expect("Quit the game\\?")
    child.send("y\r")
    finish(child)


def test_reaching_an_ending_counts_endings_found_across_games(tmp_path: Path) -> None:
    child = spawn(tmp_path, "--from", "vault")
    child.expect("Take the gold")
    child.send("1\r")
    child.expect("Ending 1 of 2 found: The Rich Ending")
    child.send("quit\r")
    finish(child)
    title = spawn(tmp_path)
    title.expect("Endings found: 1 of 2")
    title.sendcontrol("c")
    finish(title)


def test_wrong_input_gets_a_hint_and_tab_completes_labels(tmp_path: Path) -> None:
    child = spawn(tmp_path)
    child.expect("New game")
    child.send("\r")
    child.expect("Look around")
    child.send("xyzzy\r")
    child.expect("Type a choice's number \\(1-5\\)")
    child.send("door\t")
    child.expect("Pay the doorman")
    child.send("\r")
    child.expect("coins: -1")
    child.send("quit\r")
    finish(child)


def test_without_a_terminal_adventure_falls_back_to_plain_mode(tmp_path: Path) -> None:
    import subprocess
    env = env_for_subprocess()
    env["ADVENTURE_SAVES"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "adventure", "--story", str(FEATURES)],
        input="2\nquit\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0 and "\nThe House: The Hall, turn 1\n" in result.stdout and result.stderr == ""


def test_dumb_terminal_gets_plain_mode(tmp_path: Path) -> None:
    env = env_for_subprocess()
    env.update({"TERM": "dumb", "ADVENTURE_SAVES": str(tmp_path)})
    child = pexpect.spawn(sys.executable, ["-m", "adventure", "--story", str(FEATURES)], env=env, encoding="utf-8", timeout=20)
    child.expect("New game")  # the plain title menu
    child.send("1\r")
    child.expect("\nThe House")
    child.send("quit\r")
    finish(child)
    assert "\x1b[" not in (child.before or "")


def test_watch_reloads_the_story_while_the_prompt_waits(tmp_path: Path) -> None:
    root = tmp_path / "story"
    root.mkdir()
    (root / "story.yaml").write_text("id: w\ntitle: W\nversion: 1\nstart: a\n")
    scene = root / "a.yaml"
    scene.write_text(
        "scenes:\n  - id: a\n    title: First draft\n    text: Hello.\n    choices:\n"
        "      - {label: Wait, goto: a, once: true}\n      - {label: Leave, goto: a, fallback: true}\n"
    )
    env = env_for_subprocess()
    env.update({"TERM": "xterm-256color", "ADVENTURE_SAVES": str(tmp_path / "saves")})
    child = pexpect.spawn(
        sys.executable,
        ["-m", "adventure", "play", "--story", str(root), "--watch", "--from", "a"],
        env=env,
        dimensions=(30, 90),
        encoding="utf-8",
        timeout=20,
    )
    child.expect("First draft")
    child.expect("Wait")
    scene.write_text(scene.read_text().replace("First draft", "Second draft"))
    child.expect("Story files changed")
    child.expect("Reloaded W")
    child.expect("Second draft")
    child.send("quit\r")
    finish(child)


def test_the_title_screen_shows_before_the_scenes_load_and_a_broken_story_still_reports_every_problem(tmp_path: Path) -> None:
    import shutil

    story = tmp_path / "story"
    shutil.copytree(FEATURES, story)
    hall = story / "rooms" / "hall.yaml"
    hall.write_text(hall.read_text(encoding="utf-8").replace("goto: vault", "goto: vaultt", 1), encoding="utf-8")
    child = spawn(tmp_path / "saves", story=story)
    child.expect("Every Feature")  # story.yaml alone is enough for the title page
    child.expect(pexpect.EOF)  # the load, finished behind the title screen, found the mistake
    child.close()
    assert child.exitstatus == 1
    output = child.before or ""
    assert "goto: there is no scene `vaultt`" in output and "did you mean `vault`?" in output and "1 problem(s)" in output


def test_the_endings_count_appears_on_the_title_screen_once_the_story_has_loaded(tmp_path: Path) -> None:
    child = spawn(tmp_path)
    # not "New game" first: when the load wins the race, the count is drawn above the menu in the same screen
    child.expect("Endings found: 0 of 2")
    child.send("\r")
    child.expect("Look around")
    child.send("\x04")
    child.expect("Saved. Goodbye.")
    finish(child)


# --- the second round (issue 15): width, stray Enter, title screen, autosave, at 40 and 120 columns ----

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]")
WORDS = " ".join(f"word{index}" for index in range(80))
WIDE = " ".join(["漢字漢字"] * 30)
WIDTH_STORY = {
    "story.yaml": "id: wide\ntitle: Wide\nversion: 1\nstart: a\nblurb: >\n  " + " ".join(["blurb"] * 40) + "\n",
    "a.yaml": (
        f"scenes:\n  - id: a\n    title: A\n    text:\n      - {WORDS}\n      - {WIDE}\n    choices:\n"
        "      - {label: Onward, goto: b}\n      - {label: Locked, goto: b, if: 'false', disabled: No.}\n"
        "  - id: b\n    title: B\n    text: The end.\n    ending: {id: e, name: E, hint: Go onward.}\n"
    ),
}


def screen_lines(output: str) -> list[str]:
    """What the program printed, as lines without styling (the prompt's redraws make some noise)."""
    return [line for line in ANSI.sub("", output).replace("\r", "").split("\n")]


def recorded(child: pexpect.spawn) -> str:
    assert isinstance(child.logfile_read, io.StringIO)
    return child.logfile_read.getvalue()


def spawn_logged(tmp_path: Path, columns: int, story: Path, *args: str) -> pexpect.spawn:
    child = spawn(tmp_path / "saves", *args, columns=columns, story=story)
    child.logfile_read = io.StringIO()
    return child


@pytest.mark.parametrize("columns", [40, 120])
def test_story_text_wraps_to_the_real_terminal_width_by_display_width(tmp_path: Path, columns: int) -> None:
    story = write_story(tmp_path / "story", WIDTH_STORY)
    child = spawn_logged(tmp_path, columns, story)
    child.expect("New game")
    child.send("\r")
    child.expect("Onward")
    child.send("quit\r")
    finish(child)
    lines = screen_lines(recorded(child))
    words = [line for line in lines if line.startswith("word")]
    wide = [line for line in lines if line.startswith("漢字")]
    assert words and wide
    width = min(columns - 1, 100)  # one column short of the terminal, and at most 100 by default
    assert all(cell_width(line) <= width for line in words + wide)
    assert max(cell_width(line) for line in words) > width - 12  # lines are filled, not cut at 79
    assert max(cell_width(line) for line in wide) > width - 12


@pytest.mark.parametrize("columns", [40, 120])
def test_a_stray_enter_does_nothing_and_arrows_skip_disabled_choices(tmp_path: Path, columns: int) -> None:
    story = write_story(tmp_path / "story", WIDTH_STORY)
    child = spawn_logged(tmp_path, columns, story)
    child.expect("New game")
    child.send("\r")
    child.expect("Onward")
    child.send("\r")  # nothing highlighted yet: nothing happens
    child.send("status\r")
    child.expect("Turn 0.")
    child.send(UP)  # from nothing, up lands on the last open choice: Onward, not Locked
    child.send("\r")
    child.expect("The end.")
    child.send("quit\r")
    finish(child)


@pytest.mark.parametrize("columns", [40, 120])
def test_the_title_screen_fits_the_width_and_comes_back_clean_after_menu(tmp_path: Path, columns: int) -> None:
    story = write_story(tmp_path / "story", WIDTH_STORY)
    child = spawn_logged(tmp_path, columns, story)
    child.expect("Endings found: 0 of 1")
    child.send("\r")
    child.expect("Onward")
    child.send("menu\r")
    child.expect("Endings found: 0 of 1")
    child.send(DOWN)  # New game, Endings found (no move was made: nothing to continue)
    child.send("\r")
    child.expect("Go onward.")  # the hint of the ending not found yet
    child.send("\r")
    child.expect("New game")
    child.sendcontrol("c")
    finish(child)
    output = ANSI.sub("", recorded(child))
    assert "␊" not in output
    blurb = [line.strip("\r") for line in output.split("\n") if line.lstrip().startswith("blurb")]
    assert blurb and all(cell_width(line.rstrip()) <= columns - 1 for line in blurb)


def test_the_status_bar_hint_is_shortened_at_separators() -> None:
    from adventure.play.screen import HINT, toolbar_text

    for columns in range(20, 140):
        bar = toolbar_text("Chapter One · Ids 2", columns)
        assert cell_width(bar) <= columns
        assert bar.endswith(HINT) or "Chapter One · Ids 2".startswith(bar.strip().rstrip("…")), (columns, bar)  # never a hint cut short


def test_undo_is_autosaved_before_the_window_closes(tmp_path: Path) -> None:
    child = spawn(tmp_path)
    child.expect("New game")
    child.send("\r")
    child.expect("Look around")
    child.send("2\r")
    child.expect("coins: -1")
    child.send("2\r")
    child.expect("coins: -1")
    child.send("undo\r")
    child.expect("Undid 1 choice")
    child.expect("Pay the doorman")
    child.kill(signal.SIGKILL)  # the window closes: no quit, no Ctrl-D
    child.close()
    saved = json.loads((tmp_path / "features" / "autosave.json").read_text())
    assert saved["state"]["turn"] == 1


def test_plain_mode_at_a_terminal_offers_continue(tmp_path: Path) -> None:
    env = env_for_subprocess()
    env.update({"TERM": "dumb", "ADVENTURE_SAVES": str(tmp_path)})
    args = ["-m", "adventure", "--story", str(FEATURES)]
    child = pexpect.spawn(sys.executable, args, env=env, encoding="utf-8", timeout=20, dimensions=(24, 80))
    child.expect("1. New game")
    child.send("1\r")
    child.expect("Pay the doorman")
    child.send("2\r")
    child.expect("coins: -1")
    child.send("quit\r")
    child.expect("Goodbye.")
    finish(child)
    again = pexpect.spawn(sys.executable, args, env=env, encoding="utf-8", timeout=20, dimensions=(24, 80))
    again.expect(r"2. Continue: The House - The Hall, turn 1")
    again.send("2\r")
    again.expect("Loaded slot 'autosave'")
    again.send("status\r")
    again.expect("Turn 1.")
    again.send("quit\r")
    finish(again)
