"""The one turn loop both players share: what a typed line does, as a typed Reply, and what is autosaved."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from conftest import FEATURES, write_story

from adventure.cli import main
from adventure.play import render, saves
from adventure.play.commands import Command, text
from adventure.play.reply import Kind
from adventure.play.session import Session
from adventure.play.shellhooks import Persistence
from adventure.play.turns import TurnLoop
from adventure.story.loader import load_story

STORY = load_story(str(FEATURES))

LABELS = {
    "story.yaml": "id: labels\ntitle: Labels\nversion: 1\nstart: a\nvariables:\n  ids: {type: set, members: [red, blue], default: [red]}\n"
    "status: 'Ids {size(ids)}'\n",
    "a.yaml": (
        "scenes:\n  - id: a\n    title: A\n    text: x\n    choices:\n"
        "      - {label: Save it for after, goto: b}\n      - {label: Help her up, goto: b}\n"
        "      - {label: Wait, goto: stuck}\n"
        "  - id: b\n    title: Later\n    text: y\n    ending: {id: e, name: E, hint: Be patient.}\n"
        "  - id: stuck\n    title: Stuck\n    text: z\n    choices:\n"
        "      - {label: Fly, goto: b, if: 'size(ids) > 5', disabled: You cannot fly.}\n"
        "  - id: c\n    title: Elsewhere\n    text: w\n    ending: {id: other, name: Other}\n"
    ),
}


def loop_for(tmp_path: Path, story_files: dict[str, str] | None = None, seed: int | None = 1) -> TurnLoop:
    story = load_story(str(write_story(tmp_path / "story", story_files))) if story_files else STORY
    return TurnLoop(Session.new(story, seed or 0), Persistence(str(tmp_path / "saves"), story.id), seed)


def autosaved_state(loop: TurnLoop) -> object:
    assert loop.persistence is not None
    return saves.load(loop.session.story, loop.persistence.folder, saves.AUTOSAVE).state


# --- one loop, typed replies ------------------------------------------------------------------


def test_a_choice_is_a_scene_reply_with_its_notes(tmp_path: Path) -> None:
    reply = loop_for(tmp_path).handle("2")
    assert reply.kind is Kind.SCENE and "coins: -1 (now 1)" in reply.lines


REPLY_THEN_ENTRY = {
    "story.yaml": "id: order\ntitle: Order\nversion: 1\nstart: a\nvariables:\n  coins: {type: int, default: 2, label: Coins}\n"
    "codex:\n  vault: {title: The Vault, text: Deep.}\n",
    "a.yaml": (
        "scenes:\n  - id: a\n    title: A\n    text: x\n    choices:\n"
        "      - label: Pay\n        goto: b\n        effects: [{add: {coins: -1}}]\n        reply: The coin rings on the counter.\n"
        "  - id: b\n    title: The Vault Door\n    text: y\n    on_enter: [{unlock: vault}]\n    ending: {id: e, name: E}\n"
    ),
}


def test_notes_come_in_the_order_things_happen_the_choice_its_reply_then_entering_the_scene(tmp_path: Path) -> None:
    loop = loop_for(tmp_path, REPLY_THEN_ENTRY)
    reply = loop.handle("1")
    assert reply.lines == ("Coins: -1 (now 1)",)
    assert reply.entered == ("New codex entry: The Vault (type: codex vault)",)
    shown = render.plain_text(render.heading(loop.session.view(), 80, reply.entered))
    assert shown.index("The coin rings") < shown.index("New codex entry") < shown.index("The Vault Door")
    out = io.StringIO()
    story = write_story(tmp_path / "plain", REPLY_THEN_ENTRY)
    assert main(["play", "--plain", "--story", str(story), "--saves", str(tmp_path / "s")], stdin=io.StringIO("1\n"), stdout=out) == 0
    played = out.getvalue()
    assert played.index("Coins: -1") < played.index("The coin rings") < played.index("New codex entry") < played.index("The Vault Door")


def test_a_failed_load_is_an_error_and_does_not_redraw_the_scene(tmp_path: Path) -> None:
    reply = loop_for(tmp_path).handle("load nothere")
    assert reply.kind is Kind.ERROR and reply.lines == ("There is no save called 'nothere'.",)


def test_extra_commands_can_be_registered_and_are_listed_in_help(tmp_path: Path) -> None:
    loop = loop_for(tmp_path)
    loop.commands.add("where", Command("where", "the scene's id (for authors)", lambda session, argument: text(session.state.scene)))
    assert loop.handle("WHERE").lines == ("hall",)
    assert any(line.startswith("where ") for line in loop.handle("help").lines)


# --- bug 4: every change of state is autosaved ------------------------------------------------


@pytest.mark.parametrize("command", ["undo", "restart", "load mine"])
def test_undo_restart_and_load_are_autosaved_at_once(tmp_path: Path, command: str) -> None:
    loop = loop_for(tmp_path)
    loop.handle("1")
    loop.handle("save mine")
    loop.handle("2")
    loop.handle(command)
    assert autosaved_state(loop) == loop.session.state  # without quitting: a closed window keeps it


# --- bug 6: commands and labels -----------------------------------------------------------------


@pytest.mark.parametrize("typed", ["save it", "help her"])
def test_a_command_that_begins_a_label_asks_which_was_meant(tmp_path: Path, typed: str) -> None:
    loop = loop_for(tmp_path, LABELS)
    question = loop.handle(typed)
    assert question.kind is Kind.TEXT and "Did you mean choice" in question.lines[0]
    assert loop.handle("y").kind is Kind.SCENE and loop.session.state.scene == "b"
    assert not (tmp_path / "saves" / "labels" / "it.json").exists()


def test_answering_no_runs_the_command_and_a_bare_command_never_asks(tmp_path: Path) -> None:
    loop = loop_for(tmp_path, LABELS)
    loop.handle("save it")
    assert loop.handle("n").lines[0] == "Saved to slot 'it'."
    assert loop.handle("help").kind is Kind.TEXT and loop.session.state.scene == "a"
    assert loop.handle("save mine").lines == ("Saved to slot 'mine'.",)  # begins no label: the command


# --- bug 8: messages ----------------------------------------------------------------------------


def test_messages_are_sentences(tmp_path: Path) -> None:
    loop = loop_for(tmp_path)
    assert loop.handle("5").lines == ("That choice is not available: The vault needs the iron key, and a look around.",)
    assert loop.handle("9").lines == ("Choose a number from 1 to 5.",)
    assert loop.handle("xyzzy").lines[0] == "Unknown command or choice: 'xyzzy'."


def test_load_without_a_slot_lists_the_saves_and_never_names_quicksave(tmp_path: Path) -> None:
    loop = loop_for(tmp_path)
    assert "quicksave" not in " ".join(loop.handle("load").lines)
    loop.handle("save mine")
    listing = loop.handle("load")
    assert listing.kind is Kind.TEXT and any("mine" in line for line in listing.lines) and "quicksave" not in " ".join(listing.lines)


def test_status_lists_the_members_of_a_counted_set(tmp_path: Path) -> None:
    assert "ids: red" in loop_for(tmp_path, LABELS).handle("status").lines


def test_recap_lines_wrap_under_their_bullet() -> None:
    assert render.hanging("- " + "word " * 12, 24) == ["- word word word word", "  word word word word", "  word word word word"]


def test_a_stuck_player_is_told_about_undo(tmp_path: Path) -> None:
    reply = loop_for(tmp_path, LABELS).handle("Wait")
    assert reply.kind is Kind.SCENE and any("undo" in line for line in reply.after)


# --- bug 9: restart rolls new dice ---------------------------------------------------------------


def test_restart_without_a_seed_rolls_new_dice(tmp_path: Path) -> None:
    loop = loop_for(tmp_path, seed=None)
    seeds = set()
    for _ in range(3):
        loop.handle("restart")
        seeds.add(loop.session.state.rng)
    assert len(seeds) == 3


def test_restart_with_a_fixed_seed_replays_the_same_dice(tmp_path: Path) -> None:
    loop = loop_for(tmp_path, seed=5)
    first = Session.new(STORY, 5).state.rng
    loop.handle("restart")
    assert loop.session.state.rng == first


# --- again, look, menu, endings -----------------------------------------------------------------


def test_again_and_g_repeat_the_last_line(tmp_path: Path) -> None:
    loop = loop_for(tmp_path)
    assert loop.handle("again").kind is Kind.ERROR
    loop.handle("2")
    loop.handle("g")
    assert loop.session.state.vars["coins"] == 0


def test_enter_at_an_ending_goes_back_to_the_title_and_menu_does_anywhere(tmp_path: Path) -> None:
    loop = loop_for(tmp_path, LABELS)
    assert loop.handle("menu").kind is Kind.MENU
    assert loop.handle("").kind is Kind.NOTHING  # a stray Enter in a scene does nothing
    ending = loop.handle("1")
    assert any("Ending 1 of 2 found: E." in line for line in ending.after) and loop.handle("").kind is Kind.MENU


def test_endings_found_gives_the_hints_of_the_ones_not_found(tmp_path: Path) -> None:
    loop = loop_for(tmp_path, LABELS)
    assert loop.persistence is not None
    assert loop.persistence.endings_list(loop.session.story) == ["Endings found: 0 of 2", "- ??? (hint: Be patient.)", "- ???"]
    loop.handle("1")
    assert loop.persistence.endings_list(loop.session.story)[:2] == ["Endings found: 1 of 2", "* E"]


# --- bugs 2 and 3: saves belong to a story, and a piped game never replaces another's autosave ----


def plain(args: list[str], script: str) -> str:
    out = io.StringIO()
    assert main(["play", "--plain", *args], stdin=io.StringIO(script), stdout=out, stderr=io.StringIO()) == 0
    return out.getvalue()


def test_a_second_piped_game_does_not_overwrite_the_autosave_and_says_how_to_resume(tmp_path: Path) -> None:
    args = ["--story", str(FEATURES), "--saves", str(tmp_path), "--seed", "1"]
    plain(args, "2\n2\nquit\n")
    autosave = tmp_path / "features" / "autosave.json"
    before = autosave.read_bytes()
    out = plain(args, "1\n3\nquit\n")
    assert "There is an autosaved game of this story" in out and "load autosave" in out
    assert autosave.read_bytes() == before
    resumed = plain(args, "load autosave\nstatus\n1\nquit\n")
    assert "Turn 2." in resumed and json.loads(autosave.read_text())["state"]["turn"] == 3  # loading it makes it this game's again


def test_each_story_has_its_own_autosave_slots_and_endings(tmp_path: Path) -> None:
    example = str(Path(__file__).parent.parent / "docs" / "example")
    plain(["--story", str(FEATURES), "--saves", str(tmp_path)], "2\nsave mine\nquit\n")
    plain(["--story", example, "--saves", str(tmp_path)], "1\nquit\n")
    features = tmp_path / "features"
    assert (features / "autosave.json").exists() and (features / "mine.json").exists()
    listing = plain(["--story", example, "--saves", str(tmp_path)], "saves\nquit\n")
    assert "mine" not in listing  # the other story's save is not listed
    assert "Turn 1." in plain(["--story", str(FEATURES), "--saves", str(tmp_path)], "load autosave\nstatus\nquit\n")


def test_saves_from_before_the_folders_per_story_are_adopted_by_their_story(tmp_path: Path) -> None:
    old = Session.new(STORY, 1)
    old.choose(2)
    saves.save(old, str(tmp_path), saves.AUTOSAVE)  # where saves used to go: straight into the saves folder
    (tmp_path / "profile.json").write_text(json.dumps({"format": 1, "endings": {"features": ["poor"], "other": ["x"]}}))
    (tmp_path / "theirs.json").write_text(json.dumps({"format": 1, "story": {"id": "other"}}))
    out = plain(["--story", str(FEATURES), "--saves", str(tmp_path)], "load autosave\nstatus\nquit\n")
    assert "Turn 1." in out
    assert not (tmp_path / "features" / "theirs.json").exists()
    assert Persistence(str(tmp_path), "features").endings_found() == ["poor"]
