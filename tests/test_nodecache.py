"""The parse cache: a large file read again unchanged comes from the user's cache folder; nothing there is trusted."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import MINIMAL_STORY, StoryDir

from adventure.cli import main
from adventure.source import nodecache
from adventure.source.yamlcompose import compose
from adventure.story.loader import check_story


def big_chapter(scenes: int = 200) -> str:
    parts = ["scenes:\n"]
    for number in range(scenes):
        following = f"s{number + 1}" if number + 1 < scenes else "s0"
        parts.append(
            f"  - id: s{number}\n    title: Room {number}\n    text: A long room with a lamp, {number} steps from the door.\n"
            f"    choices:\n      - {{label: Walk on, goto: {following}}}\n      - {{label: Wait here, goto: s{number}}}\n"
        )
    parts.append("  - id: end\n    title: Out\n    text: Daylight.\n    ending: {id: out, name: Out}\n")
    parts[1] = parts[1].replace("      - {label: Wait here, goto: s0}\n", "      - {label: Leave, goto: end}\n")
    return "".join(parts)


def entries(folder: Path) -> list[Path]:
    return sorted((folder / "nodes").glob("*.nodes")) if (folder / "nodes").is_dir() else []


@pytest.fixture
def big_story(story_dir: StoryDir) -> Path:
    return story_dir({"story.yaml": MINIMAL_STORY.replace("start: a", "start: s0"), "a.yaml": big_chapter()})


def cache(tmp_path: Path) -> Path:
    return Path(os.environ["ADVENTURE_CACHE_DIR"])


def test_a_large_file_is_cached_and_the_second_load_builds_the_same_story(big_story: Path, tmp_path: Path) -> None:
    first, problems = check_story(str(big_story))
    assert first is not None and not problems
    [entry] = entries(cache(tmp_path))
    assert entry.stat().st_mode & 0o077 == 0 or (entry.parent.stat().st_mode & 0o077) == 0
    second, problems = check_story(str(big_story))
    assert second is not None and not problems
    assert second.scenes.keys() == first.scenes.keys()
    assert [scene.title.static for scene in second.scenes.values()] == [scene.title.static for scene in first.scenes.values()]


def test_the_cache_gives_back_exactly_what_the_parser_gives(tmp_path: Path) -> None:
    text = big_chapter() + "anchored: &lamp {a: 1, b: [x, 'y', \"z\"]}\nagain: *lamp\n"
    direct = compose(text)
    assert nodecache.compose_cached(text, compose) == direct  # written
    assert nodecache.compose_cached(text, compose) == direct  # read back


def test_a_damaged_entry_is_ignored_and_replaced(big_story: Path, tmp_path: Path) -> None:
    check_story(str(big_story))
    [entry] = entries(cache(tmp_path))
    data = bytearray(entry.read_bytes())
    data[-10] ^= 0xFF
    entry.write_bytes(bytes(data))
    story, problems = check_story(str(big_story))
    assert story is not None and not problems
    assert entries(cache(tmp_path))[0].read_bytes() != bytes(data)  # rebuilt


@pytest.mark.parametrize("junk", [b"", b"not a cache entry at all", nodecache.MAGIC + b"\0" * 32 + b"\xff\xfe"])
def test_foreign_or_truncated_entries_are_never_trusted(tmp_path: Path, junk: bytes) -> None:
    text = big_chapter()
    folder = cache(tmp_path) / "nodes"
    folder.mkdir(parents=True, mode=0o700)
    (folder / (nodecache._key(text) + ".nodes")).write_bytes(junk)
    assert nodecache.compose_cached(text, compose) == compose(text)


def test_an_entry_with_a_valid_checksum_but_the_wrong_shape_is_refused(tmp_path: Path) -> None:
    import hashlib
    import marshal

    text = big_chapter()
    payload = marshal.dumps(((0, 42, "x", 1, True, None, ""), []))  # a scalar whose value is not text
    folder = cache(tmp_path) / "nodes"
    folder.mkdir(parents=True, mode=0o700)
    (folder / (nodecache._key(text) + ".nodes")).write_bytes(nodecache.MAGIC + hashlib.sha256(payload).digest() + payload)
    assert nodecache.compose_cached(text, compose) == compose(text)


def test_a_folder_others_can_write_in_is_not_used(tmp_path: Path) -> None:
    folder = cache(tmp_path) / "nodes"
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    nodecache.compose_cached(big_chapter(), compose)
    assert entries(cache(tmp_path)) == []


def test_small_files_are_not_cached(story_dir: StoryDir, tmp_path: Path) -> None:
    scene = "scenes:\n  - id: a\n    title: A\n    text: x\n    ending: {id: e, name: E}\n"
    root = story_dir({"story.yaml": MINIMAL_STORY, "a.yaml": scene})
    check_story(str(root))
    assert entries(cache(tmp_path)) == []


def test_no_cache_and_the_environment_variable_turn_it_off(
    big_story: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        assert main(["check", str(big_story), "--no-cache"]) == 0
    finally:
        nodecache.set_enabled(True)
    assert entries(cache(tmp_path)) == []
    monkeypatch.setenv("ADVENTURE_NO_CACHE", "1")
    assert main(["check", str(big_story)]) == 0
    assert entries(cache(tmp_path)) == []
    monkeypatch.delenv("ADVENTURE_NO_CACHE")
    assert main(["check", str(big_story)]) == 0
    assert len(entries(cache(tmp_path))) == 1
    capsys.readouterr()


def test_an_edited_file_misses_the_cache_and_shows_the_edit(big_story: Path, tmp_path: Path) -> None:
    check_story(str(big_story))
    chapter = big_story / "a.yaml"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("title: Room 7\n", "title: The Lamp Room\n"), encoding="utf-8")
    story, _ = check_story(str(big_story))
    assert story is not None and story.scenes["s7"].title.static == "The Lamp Room"
    assert len(entries(cache(tmp_path))) == 2
