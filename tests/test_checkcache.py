"""`adventure check` of a story checked before and unchanged since answers from the cache, exactly as a check that loads it."""

from __future__ import annotations

import io
import marshal
import os
from pathlib import Path

import pytest
from conftest import MINIMAL_STORY, StoryDir
from hypothesis import HealthCheck, given, settings
from test_storycache import big_chapter, plain

from adventure.cli import main
from adventure.source import cachedir
from adventure.story import loader, wordcount
from adventure.tools import checkcache

# warnings (variables never used, an ending no choice reaches) and many silenced (the idle "Wait here" choices)
WARNED = MINIMAL_STORY.replace("start: a", "start: s0") + "variables:\n  unused: {type: int}\n  quiet: {type: bool}\nignore: [W501]\n"


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every story loaded by a check."""
    seen: list[str] = []
    real = loader.check_story_parts

    def counted(root: str, *args: object, **options: object) -> object:
        seen.append(root)
        return real(root, *args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(loader, "check_story_parts", counted)
    return seen


@pytest.fixture
def big_story(story_dir: StoryDir) -> Path:
    chapter = big_chapter() + "  - id: lost\n    title: Lost\n    text: Nobody comes here.\n    ending: {id: lost, name: Lost}\n"
    return story_dir({"story.yaml": WARNED, "a.yaml": chapter})


@pytest.fixture
def words_counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the scenes whose words are counted, in order."""
    counted: list[str] = []
    real = wordcount.scene_words

    def counting(scene: object) -> int:
        counted.append(scene.id)  # type: ignore[attr-defined]
        return real(scene)  # type: ignore[arg-type]

    monkeypatch.setattr(wordcount, "scene_words", counting)
    return counted


def check(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["check", *args], stdout=out)
    return code, out.getvalue()


def check_without_cache(*args: str) -> tuple[int, str]:
    """`check --no-cache`, with the cache turned on again afterwards (the option turns it off for the process)."""
    try:
        return check(*args, "--no-cache")
    finally:
        cachedir.set_enabled(True)


def entries() -> list[Path]:
    return sorted((Path(os.environ["ADVENTURE_CACHE_DIR"]) / checkcache.KIND).glob("*.check"))


@pytest.mark.parametrize("options", [[], ["--strict"], ["--format", "json"], ["--strict", "--format", "json"]])
def test_a_second_check_of_an_unchanged_story_shows_the_same_without_loading_it(
    big_story: Path, loads: list[str], options: list[str]
) -> None:
    first = check(str(big_story), *options)
    assert loads == [str(big_story)] and len(entries()) == 1
    second = check(str(big_story), *options)
    assert second == first and loads == [str(big_story)]
    assert "W203" in first[1] and ("W104" in first[1] or "lost" in first[1])


def test_an_edit_is_checked_afresh(big_story: Path, loads: list[str]) -> None:
    check(str(big_story))
    chapter = big_story / "a.yaml"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text.replace("    ending: {id: lost, name: Lost}\n", "    ending: {id: lost2, name: L}\n"), encoding="utf-8")
    code, out = check(str(big_story))
    assert len(loads) == 2 and "lost2" in out and code == 0
    assert check(str(big_story)) == (code, out) and len(loads) == 2


def test_after_a_one_file_edit_check_counts_the_words_of_that_file_only_and_says_what_a_full_check_says(
    story_dir: StoryDir, words_counted: list[str]
) -> None:
    second = big_chapter(50).replace("id: s", "id: t").replace("goto: s", "goto: t").replace("id: end", "id: fin")
    second = second.replace("{id: out, name: Out}", "{id: fin, name: Fin}").replace("goto: end", "goto: fin")
    root = story_dir({"story.yaml": WARNED, "a.yaml": big_chapter(), "b.yaml": second})
    check(str(root))
    words_counted.clear()  # only what the check after the edit counts
    (root / "b.yaml").write_text(second.replace("title: Room 3\n", "title: A much longer name for room 3\n"), encoding="utf-8")
    edited = check(str(root))
    assert words_counted and all(scene_id.startswith(("t", "fin")) for scene_id in words_counted)
    afresh = check_without_cache(str(root))
    assert edited == afresh and " words, " in edited[1]


def test_a_check_of_a_story_found_whole_in_the_story_cache_counts_no_words_and_says_what_a_full_check_says(
    big_story: Path, words_counted: list[str]
) -> None:
    loader.load_story(str(big_story))  # as `play` leaves it: the story kept, no check yet
    words_counted.clear()  # only what the check counts
    found = check(str(big_story))
    assert words_counted == [] and len(entries()) == 1
    afresh = check_without_cache(str(big_story))
    assert found == afresh and " words, " in found[1]


def test_a_story_with_errors_is_not_kept(story_dir: StoryDir, loads: list[str]) -> None:
    root = story_dir({"story.yaml": WARNED, "a.yaml": big_chapter().replace("goto: s5", "goto: s9999")})
    first = check(str(root))
    assert first[0] == 1 and entries() == []
    assert check(str(root)) == first and len(loads) == 2


def test_no_cache_keeps_nothing_and_loads_every_time(big_story: Path, loads: list[str]) -> None:
    try:
        check(str(big_story), "--no-cache")
        check(str(big_story), "--no-cache")
    finally:
        cachedir.set_enabled(True)
    assert entries() == [] and len(loads) == 2


def test_a_damaged_entry_is_ignored_and_replaced(big_story: Path, loads: list[str]) -> None:
    first = check(str(big_story))
    [entry] = entries()
    data = bytearray(entry.read_bytes())
    data[-4] ^= 0xFF
    entry.write_bytes(bytes(data))
    assert check(str(big_story)) == first and len(loads) == 2
    assert check(str(big_story)) == first and len(loads) == 2  # written again whole


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stored=plain)
def test_any_plain_values_in_an_entry_are_used_or_refused(big_story: Path, stored: object) -> None:
    key = loader.story_cache_key(str(big_story))
    assert key is not None
    folder = cachedir.cache_folder(checkcache.KIND)
    assert folder is not None
    payload = marshal.dumps(stored)  # type: ignore[arg-type]  # every value above is marshallable
    Path(folder, checkcache._key(key) + ".check").write_bytes(checkcache.MAGIC + cachedir.checksum(payload) + payload)
    found = checkcache.load(key)
    assert found is None or isinstance(found, checkcache.Checked)
