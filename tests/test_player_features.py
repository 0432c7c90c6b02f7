"""What a finished game has, in both players: paging, again, transcripts, the title after an
ending, --width and --theme, and the plain player as an accessible player."""

from __future__ import annotations

import io
import itertools
import json
import re
import sys
from pathlib import Path

import pexpect
import pytest
from conftest import FEATURES, ROOT, env_for_subprocess
from hypothesis import given
from hypothesis import strategies as st

from adventure.cli import main
from adventure.play.screen import pages
from adventure.play.session import Session
from adventure.play.turns import TurnLoop
from adventure.story.loader import load_story

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
ESCAPE = re.compile(r"\x1b")


def plain(args: list[str], script: str) -> str:
    out = io.StringIO()
    assert main(["play", "--plain", "--story", str(FEATURES), *args], stdin=io.StringIO(script), stdout=out, stderr=io.StringIO()) == 0
    return out.getvalue()


def terminal(tmp_path: Path, *args: str, rows: int = 40, columns: int = 100) -> pexpect.spawn:
    env = env_for_subprocess()
    env.update({"TERM": "xterm-256color", "ADVENTURE_SAVES": str(tmp_path / "terminal-saves"), "PROMPT_TOOLKIT_NO_CPR": "1"})
    env.pop("NO_COLOR", None)
    command = ["-m", "adventure", "--story", str(FEATURES), *args]
    return pexpect.spawn(sys.executable, command, env=env, dimensions=(rows, columns), encoding="utf-8", timeout=20)


def screen_reader(tmp_path: Path, *args: str) -> pexpect.spawn:
    """The plain player at a terminal, as a screen reader user runs it (TERM=dumb)."""
    env = env_for_subprocess()
    env.update({"TERM": "dumb", "ADVENTURE_SAVES": str(tmp_path / "reader-saves")})
    return pexpect.spawn(
        sys.executable, ["-m", "adventure", "--story", str(FEATURES), *args], env=env, dimensions=(24, 80), encoding="utf-8", timeout=20
    )


def finish(child: pexpect.spawn) -> str:
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    return child.before or ""


# --- paging ------------------------------------------------------------------------------------


def test_long_output_pauses_at_a_more_prompt_in_the_terminal_player(tmp_path: Path) -> None:
    child = terminal(tmp_path, rows=22, columns=60)
    child.expect("New game")
    child.send("\r")
    child.expect("Look around")
    child.send("help\r")
    child.expect("-- more --")
    child.send(" ")  # the next page
    child.expect("script on")
    child.expect("Roll the dice")
    child.send("help\r")
    child.expect("-- more --")
    child.send("q")  # stop the listing: back at the prompt
    child.expect("Roll the dice")
    child.send("status\r")
    child.expect("Turn 0.")
    child.send("quit\r")
    finish(child)


def test_a_scene_too_tall_for_its_choices_pauses_before_they_push_it_off_the_screen(tmp_path: Path) -> None:
    # 16 rows: the first scene's 10 lines and its 9 rows of choices, input and status bar do not fit together
    # (at 22 rows they do, and the scene shows whole: the test above pages only `help`)
    child = terminal(tmp_path, rows=16, columns=60)
    child.expect("New game")
    child.send("\r")
    child.expect("-- more --")
    assert "The Hall" in (child.before or "") and "Look around" not in (child.before or "")
    child.send(" ")
    child.expect("Everything is new")
    child.expect("Look around")
    child.send("quit\r")
    finish(child)


@given(count=st.integers(0, 400), rows=st.integers(3, 80), last_rows=st.integers(-20, 80))
def test_pages_cover_every_line_once_and_the_last_leaves_room_for_the_prompt(count: int, rows: int, last_rows: int) -> None:
    spans = pages(count, rows, last_rows)
    assert spans[0][0] == 0 and spans[-1][1] == count
    assert all(end == following[0] for (_, end), following in itertools.pairwise(spans))
    assert count == 0 or all(0 < end - start <= rows for start, end in spans)
    room = max(min(last_rows, rows), 3)
    assert spans[-1][1] - spans[-1][0] <= room
    assert len(spans) == 1 or count > room  # a text that fits with room to spare is one page


def test_the_plain_player_never_pages() -> None:
    assert "more" not in plain(["--width", "40"], "help\nhistory\nrecap\n")


# --- again, look, menu ------------------------------------------------------------------------


def test_again_repeats_the_last_command_in_both_players(tmp_path: Path) -> None:
    out = plain(["--seed", "1"], "2\ng\nstatus\n")
    assert "coins: -1 (now 0)" in out and "Turn 2." in out
    child = terminal(tmp_path)
    child.expect("New game")
    child.send("\r")
    child.expect("Look around")
    child.send("2\r")
    child.expect("coins: -1")
    child.expect("Roll the dice")  # the prompt is drawn: it is waiting now
    child.send("again\r")
    child.expect("coins: -1 \\(now 0\\)")
    child.send("quit\r")
    finish(child)


def test_menu_and_an_ending_lead_back_to_the_title_in_the_plain_player(tmp_path: Path) -> None:
    out = plain(["--from", "vault"], "1\n\n4\n")
    assert out.count("1. New game") == 1 and "2. Continue: The Vault - Rich" in out  # the title menu, then Quit
    assert out.rstrip().endswith("Goodbye.")
    listing = plain(["--saves", str(tmp_path / "fresh")], "menu\n2\n3\n")  # no autosave: New game, Endings found, Quit
    assert "Endings found: 0 of 2" in listing and "- ??? (hint: Walk away from something.)" in listing


# --- transcripts -------------------------------------------------------------------------------


def test_a_transcript_holds_what_the_player_saw_and_typed_and_script_off_pauses_it(tmp_path: Path) -> None:
    path = tmp_path / "game.txt"
    plain(["--seed", "1", "--transcript", str(path)], "2\nscript off\nstatus\nscript on " + str(path) + "\n3\n")
    text = path.read_text()
    assert text.startswith("\nThe House: The Hall, turn 0\n") and "> 2\ncoins: -1 (now 1)" in text
    assert "Turn 1." not in text  # status ran while the script was off
    assert "> 3\n" in text and "You feel brave." in text
    assert not ESCAPE.search(text)


def test_a_jsonl_transcript_has_one_record_per_turn(tmp_path: Path) -> None:
    path = tmp_path / "game.jsonl"
    plain(["--seed", "1", "--transcript", str(path)], "2\nxyzzy\n")
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [record["typed"] for record in records] == [None, "2", "xyzzy"]
    assert records[1]["kind"] == "scene" and records[2]["kind"] == "error" and records[1]["turn"] == 1


def test_the_terminal_player_writes_a_transcript_too(tmp_path: Path) -> None:
    path = tmp_path / "game.txt"
    child = terminal(tmp_path, "--transcript", str(path))
    child.expect("New game")
    child.send("\r")
    child.expect("Look around")
    child.send("2\r")
    child.expect("coins: -1")
    child.send("quit\r")
    finish(child)
    text = path.read_text()
    assert "> 2\n" in text and "The House: The Hall, turn 1" in text and not ESCAPE.search(text)


# --- width and theme ------------------------------------------------------------------------------


def test_width_caps_the_plain_text() -> None:
    out = plain(["--width", "30"], "help\n")
    assert max(len(line) for line in out.splitlines()) <= 30


@pytest.mark.parametrize("theme", ["dark", "light", "high-contrast", "mono"])
def test_every_theme_plays(tmp_path: Path, theme: str) -> None:
    child = terminal(tmp_path, "--theme", theme, "--width", "50")
    child.expect("New game")
    child.send("\r")
    child.expect("Look around")
    child.send("quit\r")
    finish(child)


def test_an_unknown_theme_is_a_usage_error() -> None:
    assert main(["play", "--theme", "neon"], stderr=io.StringIO()) == 2


# --- the plain player, accessible --------------------------------------------------------------------


def test_a_screen_reader_hears_only_new_text_in_reading_order(tmp_path: Path) -> None:
    child = screen_reader(tmp_path)
    child.expect("> ")
    title = child.before or ""
    assert title.index("Every Feature") < title.index("1. New game") < title.index("5. Quit") if "5. Quit" in title else True
    child.send("1\r")
    child.expect("> ")
    scene = (child.before or "").replace("\r", "")
    assert "New game" not in scene.split("\n", 1)[1]  # the menu is not read again
    order = ["The House: The Hall, turn 0", "You stand in a hall.", "Everything is new.", "1. Look around", "5. Open the vault"]
    positions = [scene.index(part) for part in order]
    assert positions == sorted(positions)
    child.send("xyzzy\r")
    child.expect("> ")
    error = (child.before or "").replace("\r", "")
    assert "Unknown command or choice" in error and "The House" not in error  # an error is one message, not the scene again
    child.send("2\r")
    child.expect("> ")
    moved = (child.before or "").replace("\r", "")
    assert moved.index("coins: -1 (now 1)") < moved.index("The House: The Hall, turn 1") < moved.index("1. Look around")
    child.send("quit\r")
    child.expect("Goodbye.\r\n")
    everything = finish(child)
    for decoration in ("==", "***", "~ ", "[", "\x1b"):
        assert decoration not in title + scene + error + moved + everything


def test_plain_mode_at_a_terminal_edits_lines_with_readline(tmp_path: Path) -> None:
    child = screen_reader(tmp_path)
    child.expect("> ")
    child.send("1\r")
    child.expect("> ")
    child.send("oorman\x01d\r")  # Ctrl-A goes to the start of the line: "doorman"
    child.expect("coins: -1")
    child.send("quit\r")
    finish(child)


def test_ctrl_c_in_plain_mode_at_a_terminal_asks_before_quitting(tmp_path: Path) -> None:
    child = screen_reader(tmp_path)
    child.expect("> ")
    child.send("1\r")
    child.expect("> ")
    child.sendintr()
    child.expect("Quit the game\\?")
    child.send("\r")  # no: the game goes on
    child.send("status\r")
    child.expect("Turn 0.")
    # Ctrl-C once the prompt is up: sent on the text alone, it could arrive while the player
    # was still returning from writing it, which leaves at once (a Ctrl-C while drawing)
    child.expect("> ")
    child.sendintr()
    child.expect("Quit the game\\?")
    child.send("y\r")
    child.expect("Goodbye.")
    finish(child)


# --- help and the README agree ------------------------------------------------------------------


def test_the_readme_command_table_is_the_help_list() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    playing = readme.split("## Playing", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \| (.+?) \|$", playing, flags=re.MULTILINE)
    table = TurnLoop(Session.new(load_story(str(FEATURES)))).commands
    listed = [(line.split("  ", 1)[0].strip(), line.split("  ", 1)[1].strip()) for line in table.help_lines()]
    assert rows == listed
