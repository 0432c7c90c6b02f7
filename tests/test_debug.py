"""play --debug: the author's console in the shared turn loop (vars, set, goto, why, seed), and saves marked after it."""

from __future__ import annotations

import io
import json
from pathlib import Path

from conftest import FEATURES, ROOT

from adventure.cli import main

EXAMPLE = ROOT / "docs" / "example"


def play(args: list[str], typed: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["play", "--plain", *args], stdin=io.StringIO(typed), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_the_console_is_off_without_debug(tmp_path: Path) -> None:
    _, out, _ = play(["--story", str(EXAMPLE), "--saves", str(tmp_path)], "vars\nquit\n")
    assert "Unknown command or choice: 'vars'" in out


def test_vars_lists_every_variable_with_its_value_and_range(tmp_path: Path) -> None:
    _, out, _ = play(["--story", str(EXAMPLE), "--debug", "--saves", str(tmp_path)], "vars\nquit\n")
    assert "oil      2   (int 0..3)" in out and "lit      none   (set of north, south)" in out


def test_set_is_checked_like_the_command_line_and_undo_takes_it_back(tmp_path: Path) -> None:
    typed = "set oil=9\nset oli=1\nset oil=0\nvars\nundo\nvars\nquit\n"
    _, out, _ = play(["--story", str(EXAMPLE), "--debug", "--saves", str(tmp_path)], typed)
    assert "set oil: 9 is outside `oil`'s range 0..3" in out and "(did you mean `oil`?)" in out
    assert "oil: 2 -> 0" in out
    first, second = out.split("oil      ")[1:3]
    assert first.startswith("0") and second.startswith("2")


def test_why_explains_a_disabled_choice_with_the_values_its_condition_reads(tmp_path: Path) -> None:
    _, out, _ = play(["--story", str(EXAMPLE), "--debug", "--saves", str(tmp_path)], "set oil=0\nwhy 1\nwhy 99\nquit\n")
    assert "1. Light the north lamp: disabled, because `oil > 0` is false: oil is 0" in out
    assert "Type why and a number from 1 to" in out


def test_why_tells_a_hidden_once_only_choice_from_a_shown_one(tmp_path: Path) -> None:
    _, out, _ = play(["--story", str(FEATURES), "--debug", "--saves", str(tmp_path)], "1\nwhy\nquit\n")
    assert "hidden (once-only, already taken)" in out and "shown" in out


def test_goto_keeps_the_variables_and_suggests_a_scene(tmp_path: Path) -> None:
    _, out, _ = play(["--story", str(EXAMPLE), "--debug", "--saves", str(tmp_path)], "set oil=1\ngoto hom\ngoto home\nquit\n")
    assert "There is no scene 'hom'; did you mean `home`?" in out
    assert "(debug) Jumped to home, keeping every variable." in out and "Home Before Dark" in out


def test_seed_names_the_games_seed(tmp_path: Path) -> None:
    _, out, _ = play(["--story", str(EXAMPLE), "--debug", "--seed", "42", "--saves", str(tmp_path)], "seed\nquit\n")
    assert "This game began with seed 42" in out


def test_a_save_made_after_using_the_console_is_marked(tmp_path: Path) -> None:
    play(["--story", str(EXAMPLE), "--debug", "--saves", str(tmp_path)], "save clean\nset oil=1\nsave changed\nquit\n")
    [folder] = [path for path in tmp_path.iterdir() if path.is_dir()]
    clean_save = json.loads((folder / "clean.json").read_text())
    changed = json.loads((folder / "changed.json").read_text())
    assert "debug" not in clean_save and not clean_save["description"].startswith("[debug]")
    assert changed["debug"] is True and changed["description"].startswith("[debug] ")
    play(["--story", str(EXAMPLE), "--saves", str(tmp_path)], "load changed\nsave again\nquit\n")
    assert json.loads((folder / "again.json").read_text())["debug"] is True  # the mark stays with the game


def test_the_terminal_players_setup_hook_adds_the_same_console_to_its_turn_loop() -> None:
    from adventure.play import repl
    from adventure.play.debug import add_console
    from adventure.play.session import Session
    from adventure.play.shellhooks import Persistence
    from adventure.story.loader import load_story

    story = load_story(str(EXAMPLE))
    from adventure.play.turns import TurnLoop

    game = repl.Game(story, Persistence("unused", story.id), color=False, setup=lambda loop: add_console(loop, 7))

    loop = TurnLoop(Session.new(story, 7))
    assert game.setup is not None
    game.setup(loop)
    assert all(loop.commands.find(name) is not None for name in ("vars", "set", "goto", "why", "seed"))
