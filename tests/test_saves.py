"""Saves: round trips, atomic writes, damaged files left untouched, slot names that cannot escape."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import FEATURES, write_story
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adventure.play import profile, saves
from adventure.play.saves import SaveError
from adventure.play.session import Session
from adventure.story.loader import load_story

STORY = load_story(str(FEATURES))


def played(*numbers: int, seed: int = 7) -> Session:
    session = Session.new(STORY, seed)
    for number in numbers:
        session.choose(number)
    return session


def test_a_save_round_trips_state_undo_and_transcript(tmp_path: Path) -> None:
    session = played(2, 1, 3)
    saves.save(session, str(tmp_path), "one")
    loaded = saves.load(STORY, str(tmp_path), "one")
    assert loaded.state == session.state
    assert loaded.undo == list(session.undo_stack)
    assert [line.text for line in loaded.transcript] == [line.text for line in session.transcript]
    assert loaded.notice == ""


def test_a_save_file_holds_what_the_slot_list_needs(tmp_path: Path) -> None:
    saves.save(played(2), str(tmp_path), "slot-1")
    data = json.loads((tmp_path / "slot-1.json").read_text())
    assert data["format"] == saves.FORMAT_VERSION
    assert data["story"] == {"id": "features", "version": "2.1", "fingerprint": STORY.fingerprint}
    assert data["description"] == "The House - The Hall, turn 1 (The House · coins 1 · keys 2/3 · traveller)"
    assert set(data) >= {"time", "state", "undo", "transcript"}
    [info] = saves.list_slots(str(tmp_path))
    assert info.slot == "slot-1" and "coins 1" in info.description and info.time


def test_loading_restores_the_session_and_undo_still_works(tmp_path: Path) -> None:
    saves.save(played(2, 4), str(tmp_path), "a")
    fresh = Session.new(STORY)
    saves.apply_loaded(fresh, saves.load(STORY, str(tmp_path), "a"))
    assert fresh.state.turn == 2
    assert fresh.undo(2) == 2 and fresh.state.turn == 0


def test_saving_again_keeps_the_previous_version_as_a_backup(tmp_path: Path) -> None:
    saves.save(played(2), str(tmp_path), "a")
    first = (tmp_path / "a.json").read_bytes()
    saves.save(played(2, 4), str(tmp_path), "a")
    assert (tmp_path / "a.json.bak").read_bytes() == first
    assert [name for name in os.listdir(tmp_path) if name.startswith(".tmp-")] == []


@pytest.mark.parametrize(
    "slot", ["../x", "/etc/passwd", "a/b", "..", ".hidden", "", "a" * 65, "profile", "a b", "x\x00", "C:\\x", "con.json"]
)
def test_slot_names_that_could_escape_are_refused(tmp_path: Path, slot: str) -> None:
    with pytest.raises(SaveError, match="not a slot name"):
        saves.save(played(), str(tmp_path / "saves"), slot)
    assert not (tmp_path / "saves").exists() or os.listdir(tmp_path / "saves") == []


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=80))
def test_no_slot_name_resolves_outside_the_save_folder(tmp_path: Path, slot: str) -> None:
    folder = tmp_path / "saves"
    try:
        path = saves.slot_path(str(folder), slot)
    except SaveError:
        return
    assert os.path.dirname(os.path.realpath(path)) == os.path.realpath(folder)


def damaged_cases(good: bytes) -> list[tuple[str, bytes]]:
    data = json.loads(good)
    cases = [
        ("empty", b""), ("not json", b"{nope"), ("binary", bytes(range(256))), ("a list", b"[]"),
        ("future", json.dumps({**data, "format": 99}).encode()),
        ("no format", json.dumps({k: v for k, v in data.items() if k != "format"}).encode()),
        ("other story", json.dumps({**data, "story": {"id": "else"}}).encode()),
        ("wrong type", json.dumps({**data, "state": {**data["state"], "turn": "three"}}).encode()),
        ("bad var", json.dumps({**data, "state": {**data["state"], "vars": {**data["state"]["vars"], "coins": "many"}}}).encode()),
        ("bad scene", json.dumps({**data, "state": {**data["state"], "scene": "nowhere"}}).encode()),
        ("bad member", json.dumps({**data, "state": {**data["state"], "vars": {**data["state"]["vars"], "keys": ["gold"]}}}).encode()),
        ("deep", b"[" * 100_000 + b"]" * 100_000),
    ]
    return cases


def test_damaged_saves_give_a_clear_error_and_are_left_untouched(tmp_path: Path) -> None:
    saves.save(played(2), str(tmp_path), "good")
    good = (tmp_path / "good.json").read_bytes()
    for name, content in damaged_cases(good):
        path = tmp_path / "bad.json"
        path.write_bytes(content)
        with pytest.raises(SaveError) as info:
            saves.load(STORY, str(tmp_path), "bad")
        assert str(path) in str(info.value) or "bad" in str(info.value), name
        assert path.read_bytes() == content, name


def test_truncation_at_every_byte_is_an_error_never_a_crash(tmp_path: Path) -> None:
    saves.save(played(2, 4), str(tmp_path), "good")
    good = (tmp_path / "good.json").read_bytes()
    path = tmp_path / "cut.json"
    scratch = tmp_path / "scratch"
    for length in range(len(good)):
        scratch.write_bytes(good[:length])  # a fresh file renamed into place: rewriting one in place is slow
        os.replace(scratch, path)
        with pytest.raises(SaveError):
            saves.load(STORY, str(tmp_path), "cut")
        assert path.read_bytes() == good[:length]


def test_a_save_from_a_changed_story_loads_with_a_notice_when_it_still_fits(tmp_path: Path) -> None:
    saves.save(played(2), str(tmp_path / "saves"), "a")
    changed = write_story(tmp_path / "changed", {})
    for source in FEATURES.rglob("*.yaml"):
        target = changed / source.relative_to(FEATURES)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source.read_text().replace("You are rich.", "You are very rich."))
    loaded = saves.load(load_story(str(changed)), str(tmp_path / "saves"), "a")
    assert "changed" in loaded.notice and loaded.state.vars["coins"] == 1


def test_a_save_whose_scene_is_gone_names_what_is_missing(tmp_path: Path) -> None:
    folder = tmp_path / "saves"
    saves.save(played(4), str(folder), "a")  # now in dice_room
    changed = write_story(tmp_path / "changed", {})
    for source in FEATURES.rglob("*.yaml"):
        target = changed / source.relative_to(FEATURES)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source.read_text().replace("dice_room", "games_room"))
    before = (folder / "a.json").read_bytes()
    with pytest.raises(SaveError, match="scene `dice_room` is not in this story"):
        saves.load(load_story(str(changed)), str(folder), "a")
    assert (folder / "a.json").read_bytes() == before


def test_renamed_scenes_migrate_old_saves(tmp_path: Path) -> None:
    folder = tmp_path / "saves"
    session = played()
    session.state = session.state.__class__("vault", session.state.vars, {"old_vault": 1}, 3, 0, frozenset(), frozenset())
    data = saves.save_data(session)
    data["state"]["scene"] = "old_vault"
    folder.mkdir()
    (folder / "old.json").write_text(json.dumps(data))
    loaded = saves.load(STORY, str(folder), "old")
    assert loaded.state.scene == "vault" and loaded.state.visits == {"vault": 1}


def test_missing_slot_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SaveError, match="no save called 'nope'"):
        saves.load(STORY, str(tmp_path), "nope")


def test_failed_write_leaves_the_last_good_save(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    saves.save(played(2), str(tmp_path), "a")
    good = (tmp_path / "a.json").read_bytes()

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(SaveError, match=r"No space left on device.*intact"):
        saves.save(played(2, 4), str(tmp_path), "a")
    assert (tmp_path / "a.json").read_bytes() == good
    assert [name for name in os.listdir(tmp_path) if ".tmp-" in name] == []


def test_read_only_save_folder_is_a_clear_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        blocker = tmp_path / "file"
        blocker.write_text("x")
        folder = blocker / "saves"  # a folder cannot be made inside a file, even by root
    else:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)
    with pytest.raises(SaveError, match="Could not save"):
        saves.save(played(), str(folder), "a")


def test_damaged_slots_are_listed_with_their_problem(tmp_path: Path) -> None:
    saves.save(played(), str(tmp_path), "good")
    (tmp_path / "bad.json").write_text("{")
    (tmp_path / "..json").write_text("{}")
    listed = {info.slot: info for info in saves.list_slots(str(tmp_path))}
    assert set(listed) == {"good", "bad"}
    assert "damaged" in listed["bad"].problem and not listed["good"].problem


def test_profile_remembers_endings_across_games(tmp_path: Path) -> None:
    assert profile.record_ending(str(tmp_path), "features", "rich") == ["rich"]
    assert profile.record_ending(str(tmp_path), "features", "rich") == ["rich"]
    assert profile.record_ending(str(tmp_path), "features", "poor") == ["rich", "poor"]
    assert profile.read_profile(str(tmp_path)) == {"features": ["rich", "poor"]}
    (tmp_path / "profile.json").write_text("garbage")
    assert profile.read_profile(str(tmp_path)) == {}


def test_save_folder_comes_from_option_then_environment_then_cwd(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ADVENTURE_SAVES", "/from/env")
    assert saves.save_folder("/from/option") == "/from/option"
    assert saves.save_folder(None) == "/from/env"
    monkeypatch.delenv("ADVENTURE_SAVES")
    monkeypatch.chdir(tmp_path)
    assert saves.save_folder(None) == str(tmp_path / "saves")
