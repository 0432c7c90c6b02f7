"""Terminals and input at their worst: tiny, dumb, absent, closed, flooded, interrupted.

Promised: no traceback, and no lost state (whatever the player did last is in the
autosave when the game ends, however it ends).
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest
from conftest import FEATURES, env_for_subprocess
from guards import CONTROL, adventure_command, assert_no_crash

from adventure.cli import main
from adventure.play import saves
from adventure.play.plain import play
from adventure.play.session import Session
from adventure.play.shellhooks import Persistence
from adventure.play.turns import TurnLoop
from adventure.story.loader import load_story

STORY = load_story(str(FEATURES))
PLAIN = adventure_command("play", "--plain", "--story", str(FEATURES), "--seed", "1")
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX terminals and signals")


def run_plain(
    stdin: bytes, saves_folder: Path, *, shell_redirect: str = "", extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    env = env_for_subprocess()
    env["ADVENTURE_SAVES"] = str(saves_folder)
    env.update(extra_env or {})
    command = PLAIN
    if shell_redirect:  # e.g. "<&-": start the game with standard input closed
        command = ["sh", "-c", f'exec "$0" "$@" {shell_redirect}', *PLAIN]
    return subprocess.run(command, input=stdin if "<&-" not in shell_redirect else None, capture_output=True, env=env, timeout=60)


def autosaved(root: Path) -> Session | None:
    folder = Path(saves.story_folder(str(root), STORY.id))
    if not (folder / "autosave.json").exists():
        return None
    session = Session.new(STORY)
    saves.apply_loaded(session, saves.load(STORY, str(folder), saves.AUTOSAVE))
    return session


# --- tiny and dumb terminals ---------------------------------------------------------------


def spawn(saves_folder: Path, *args: str, columns: int, rows: int = 24, term: str = "xterm-256color") -> pexpect.spawn:
    env = env_for_subprocess()
    env.update({"TERM": term, "ADVENTURE_SAVES": str(saves_folder), "PROMPT_TOOLKIT_NO_CPR": "1"})
    child = pexpect.spawn(sys.executable, ["-m", "adventure", *args], env=env, dimensions=(rows, columns), encoding="utf-8", timeout=30)
    child.logfile_read = io.StringIO()  # everything the program wrote, for checks at the end
    return child


def finish(child: pexpect.spawn) -> str:
    child.expect(pexpect.EOF)
    child.close()
    assert isinstance(child.logfile_read, io.StringIO)
    output = child.logfile_read.getvalue()
    assert child.exitstatus == 0, output[-3000:]
    assert "Traceback" not in output
    return output


def test_the_terminal_player_works_in_twenty_columns(tmp_path: Path) -> None:
    # tall enough that no scene pages (paging is tested in test_player_features), and typed lines are never taken as "more" keys
    child = spawn(tmp_path, "--story", str(FEATURES), columns=20, rows=60)
    child.expect("New game")
    child.send("\r")
    child.expect("Look around")
    child.send("2\r")
    child.expect(r"coins: -1")
    child.send("status\r")
    child.expect("coins 1")
    child.send("quit\r")
    finish(child)
    assert autosaved(tmp_path) is not None


def test_the_plain_player_wraps_scenes_to_twenty_columns(tmp_path: Path) -> None:
    child = spawn(tmp_path, "play", "--plain", "--story", str(FEATURES), columns=20)
    child.expect("New game")  # at a terminal the plain player opens on its title menu
    child.expect("> ")
    child.send("1\r")
    child.expect("> ")
    child.send("2\r")
    child.expect("> ")
    child.send("help\r")
    child.expect("> ")
    child.send("quit\r")
    output = finish(child).replace("\r", "")
    assert "You stand in a hall.\nYou have 1 coins and\n2 keys: brass, iron.\n" in output


def test_escape_sequences_in_a_story_never_reach_the_terminal_player_output(
    tmp_path: Path, story_dir: Callable[[dict[str, str]], Path]
) -> None:
    from test_hostile import ESCAPES

    root = story_dir(ESCAPES)
    child = spawn(tmp_path, "--story", str(root), "--seed", "3", columns=100)
    child.expect("New game")
    child.send("\r")
    child.expect("go on")
    for command in ("1", "status", "codex lore", "recap", "history"):
        child.send(command + "\r")
        child.expect("> ")
    child.send("quit\r")
    output = finish(child)
    # the terminal player styles its own output with CSI sequences; nothing from the story
    # may add operating-system commands (OSC), bells, raw C1 controls or direction overrides
    for raw in ("\x1b]", "\x07", "\x9b", "\x9d", "\u202e", "\u2066", "\x1bP", "\x7f"):
        assert raw not in output, repr(raw)
    assert "␛]52;c;ZWNobyBwd25lZA==␇" in output and "␈␈␡" in output


# --- no terminal, closed streams -------------------------------------------------------------


def test_with_standard_input_closed_the_plain_player_ends_cleanly(tmp_path: Path) -> None:
    result = run_plain(b"", tmp_path, shell_redirect="<&-")
    assert result.returncode == 0 and result.stderr == b"", result.stderr.decode()
    assert b"(end of input)" in result.stdout


def test_with_standard_output_closed_the_game_still_plays_and_autosaves(tmp_path: Path) -> None:
    result = run_plain(b"2\n2\nundo\n", tmp_path, shell_redirect=">&-")
    assert result.returncode == 0 and result.stderr == b"", result.stderr.decode()
    session = autosaved(tmp_path)
    assert session is not None and session.state.turn == 1


def test_with_both_closed_it_ends_cleanly(tmp_path: Path) -> None:
    result = run_plain(b"", tmp_path, shell_redirect="<&- >&-")
    assert result.returncode == 0 and result.stderr == b"", result.stderr.decode()


SCRIPT = "2\nsave s\n1\nundo\nstatus\n4\nrestart\n3\nundo 2\nload s\n"


def test_input_ending_at_any_point_of_a_script_loses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Feed every prefix of a script (cut mid-line too), then end of input."""
    monkeypatch.setattr(os, "fsync", lambda fd: None)  # durability is not the point here, and fsync is slow
    for cut in range(len(SCRIPT) + 1):
        folder = tmp_path / str(cut)
        persistence = Persistence(str(folder), STORY.id)
        session = Session.new(STORY, 1)
        start = session.state
        out = io.StringIO()
        code = play(TurnLoop(session, persistence), io.StringIO(SCRIPT[:cut]), out)
        assert code == 0 and out.getvalue().endswith("(end of input)\n"), cut
        restored = autosaved(folder)
        if restored is None:
            assert session.state == start, f"cut at {cut}: the game moved but nothing was autosaved"
        else:
            assert restored.state == session.state, f"cut at {cut} ({SCRIPT[:cut]!r}): the autosave is not where the player left off"


def test_quit_after_undo_keeps_the_undone_game(tmp_path: Path) -> None:
    result = run_plain(b"2\n2\nundo\nquit\n", tmp_path)
    assert result.returncode == 0
    session = autosaved(tmp_path)
    assert session is not None and session.state.turn == 1


@pytest.mark.parametrize("cut", [1, 7, len(SCRIPT) // 2, len(SCRIPT) - 3])
def test_a_pipe_closed_mid_script_is_a_clean_end(tmp_path: Path, cut: int) -> None:
    result = run_plain(SCRIPT[:cut].encode(), tmp_path)
    assert result.returncode == 0 and result.stderr == b"", result.stderr.decode()
    assert result.stdout.endswith(b"(end of input)\n")


def plain_game_after_an_undo(saves: Path) -> subprocess.Popen[bytes]:
    """A plain player that has taken two choices and undone one, waiting at its prompt."""
    env = env_for_subprocess()
    env["ADVENTURE_SAVES"] = str(saves)
    process = subprocess.Popen(PLAIN, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(b"2\n2\nundo\n")
    process.stdin.flush()
    seen = b""
    while b"Undid 1 choice." not in seen:
        chunk = os.read(process.stdout.fileno(), 65536)
        assert chunk, seen.decode()
        seen += chunk
    return process


def test_ctrl_c_at_the_prompt_is_no_traceback_and_keeps_the_state(tmp_path: Path) -> None:
    process = plain_game_after_an_undo(tmp_path)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and "Interrupted." in err.decode()
    assert_no_crash(err.decode())
    session = autosaved(tmp_path)
    assert session is not None and session.state.turn == 1


def test_ctrl_c_inside_the_plain_player_autosaves_before_leaving(tmp_path: Path) -> None:
    class Interrupting(io.StringIO):
        def readline(self, size: int = -1) -> str:  # type: ignore[override]
            line = super().readline(size)
            if not line:
                raise KeyboardInterrupt
            return line

    persistence = Persistence(str(tmp_path), STORY.id)
    session = Session.new(STORY, 1)
    with pytest.raises(KeyboardInterrupt):
        play(TurnLoop(session, persistence), Interrupting("2\n2\nundo\n"), io.StringIO())
    restored = autosaved(tmp_path)
    assert restored is not None and restored.state == session.state and session.state.turn == 1


# --- floods and strange bytes ----------------------------------------------------------------


def test_a_one_megabyte_line_is_refused_and_the_game_goes_on(tmp_path: Path) -> None:
    flood = b"1" * 1_000_000 + b"\n" + b"x" * 1_000_000 + b"\n" + b"9" * 5_000 + b"\n" + "\u00b2\n\u0663\n".encode()
    result = run_plain(flood + b"status\n", tmp_path)
    assert result.returncode == 0
    assert_no_crash(result.stderr.decode())
    out = result.stdout.decode()
    assert out.count("Choose a number from 1 to 5.") >= 2 and "Type a choice's number" in out
    assert "\nThe House: The Hall, turn 1\n" in out and "coins 2 · keys 1/3" in out  # \u0663 is an Arabic-Indic 3


def test_undo_with_a_huge_number_takes_back_everything() -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["play", "--plain", "--story", str(FEATURES)], stdin=io.StringIO("2\nundo " + "9" * 5000 + "\nstatus\n"), stdout=out, stderr=err
    )
    assert code == 0 and "Turn 0." in out.getvalue()


def test_bytes_that_are_not_utf8_on_input_do_not_end_the_game(tmp_path: Path) -> None:
    strict_locale = {"PYTHONIOENCODING": "utf-8:strict"}  # as in a UTF-8 locale other than C.UTF-8
    result = run_plain(b"\xff\xfe\xc0 garbage\n2\nstatus\n", tmp_path, extra_env=strict_locale)
    assert result.returncode == 0 and result.stderr == b""
    assert b"coins 1" in result.stdout


def test_an_output_encoding_that_cannot_show_the_story_is_no_traceback(tmp_path: Path) -> None:
    result = run_plain(b"2\nstatus\n", tmp_path, extra_env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0 and result.stderr == b"", result.stderr.decode()
    assert b"The House ? coins 1 ? keys 2/3" in result.stdout


def test_every_line_the_plain_player_prints_is_free_of_control_characters(tmp_path: Path) -> None:
    result = run_plain(b"2\n4\n1\nhelp\nstatus\ncodex\nhistory\nrecap\nsaves\n", tmp_path)
    text = result.stdout.decode()
    assert result.returncode == 0 and not CONTROL.search(text) and re.search(r"turn \d", text)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_closed_terminal_or_sigterm_after_undo_autosaves_the_undone_game(tmp_path: Path, signum: int) -> None:
    process = plain_game_after_an_undo(tmp_path)
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signum, err.decode()
    assert_no_crash(err.decode())
    session = autosaved(tmp_path)
    assert session is not None and session.state.turn == 1, "the autosave holds the game after the undo"


def test_the_terminal_player_autosaves_when_its_terminal_closes(tmp_path: Path) -> None:
    child = spawn(tmp_path, "--story", str(FEATURES), "--seed", "1", columns=80)
    child.expect("New game")
    child.send("\r")
    child.expect("> ")
    for line in ("2", "2"):
        child.send(line + "\r")
        child.expect("turn")
    child.send("undo\r")
    child.expect("Undid 1 choice")
    child.kill(signal.SIGHUP)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 128 + signal.SIGHUP, child.logfile_read.getvalue()[-2000:]
    session = autosaved(tmp_path)
    assert session is not None and session.state.turn == 1
