"""The story cache's per-file entries: a fresh load after a one-file edit reads only that file, and loads what a full read loads."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from conftest import EDITED_SCENES, MINIMAL_STORY, StoryDir, apply_edit, env_for_subprocess, write_story
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_storycache import big_chapter, plain

from adventure.source import cachedir, yamlsource
from adventure.story.expr import Env
from adventure.story.loader import cache, cacheformat, cachekey, check_story, check_story_parts, filereuse
from adventure.story.model import Story

STORY = {
    "story.yaml": "id: m\ntitle: M\nversion: 1\nstart: a\nvariables:\n  n: {type: int}\nsnippets:\n  hi: 'Hi, {n}.'\n",
    **EDITED_SCENES,
    "a.yaml": EDITED_SCENES["a.yaml"].replace("'Hello, {n}.'", "'Hello, {n}. {>hi}'"),  # a file that uses a snippet
    "c.yaml": (
        "variables:\n  k: {type: int, default: 2}\nscenes:\n"
        "  - {id: c, title: C, text: 'c {k}', choices: [{label: On, goto: out}]}\n"
    ),
}


class Reads:
    """The scene files a load parsed, and those whose scenes it decoded from their entries."""

    def __init__(self) -> None:
        self.parsed: list[str] = []
        self.decoded: list[str] = []

    def names(self) -> tuple[list[str], list[str]]:
        return [os.path.basename(path) for path in self.parsed], [os.path.basename(path) for path in self.decoded]


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[Reads]:
    yield from _counting(monkeypatch)


def _counting(monkeypatch: pytest.MonkeyPatch) -> Iterator[Reads]:
    seen = Reads()
    compose = yamlsource.compose_text

    def counted(text: str, display: str) -> object:
        seen.parsed.append(display)
        return compose(text, display)

    real_scenes = filereuse.FileReuse.scenes

    def scenes(self: filereuse.FileReuse, *args: object) -> object:
        found = real_scenes(self, *args)  # type: ignore[arg-type]
        if found is not None:
            seen.decoded.append(str(args[0]))
        return found

    monkeypatch.setattr("adventure.story.loader.build.compose_text", counted)
    monkeypatch.setattr(filereuse, "compose_text", counted)
    monkeypatch.setattr(filereuse.FileReuse, "scenes", scenes)
    monkeypatch.setattr(cachekey, "MIN_CACHED_BYTES", 0)  # these stories are small
    yield seen


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def afresh(root: Path) -> tuple[Story | None, Sequence[object]]:
    """A load that reads every file (no cache at all)."""
    cachedir.set_enabled(False)
    try:
        return check_story_parts(str(root))
    finally:
        cachedir.set_enabled(True)


def same(loaded: tuple[Story | None, Sequence[object]], fresh: tuple[Story | None, Sequence[object]]) -> bool:
    if loaded[1] != fresh[1] or (loaded[0] is None) != (fresh[0] is None):
        return False
    return loaded[0] is None or fresh[0] is None or cacheformat.encode(loaded[0]) == cacheformat.encode(fresh[0])


def test_after_a_one_file_edit_a_fresh_load_reads_only_that_file(story_dir: StoryDir, reads: Reads) -> None:
    root = story_dir(STORY)
    check_story(str(root))
    assert reads.names() == (["a.yaml", "b.yaml", "c.yaml"], [])
    reads.parsed.clear()
    edit(root / "b.yaml", "title: B", "title: The Room Called B")
    story, problems = check_story_parts(str(root))
    assert story is not None and not problems and story.scenes["b"].title.static == "The Room Called B"
    assert reads.names() == (["b.yaml"], ["a.yaml", "c.yaml"])
    assert same((story, problems), afresh(root))
    assert list(story.scenes) == ["a", "side", "b", "out", "c"]


def test_the_next_load_after_an_edit_is_a_whole_story_hit(story_dir: StoryDir, reads: Reads) -> None:
    root = story_dir(STORY)
    check_story(str(root))
    edit(root / "b.yaml", "title: B", "title: Bee")
    check_story(str(root))
    reads.parsed.clear()
    reads.decoded.clear()
    story, _ = check_story(str(root))
    assert story is not None and story.scenes["b"].title.static == "Bee"
    assert reads.names() == ([], [])  # no file read, nothing built: the story's own entry


def test_a_change_to_the_names_the_story_offers_compiles_unchanged_files_again(story_dir: StoryDir, reads: Reads) -> None:
    root = story_dir(STORY)
    check_story(str(root))
    reads.parsed.clear()
    edit(root / "b.yaml", "  - id: out\n", "  - id: outside\n")  # a scene id goes: what `goto: out` means changes
    loaded = check_story_parts(str(root))
    assert loaded[0] is not None and loaded[1]  # c.yaml's goto now fails
    assert same(loaded, afresh(root))


def test_a_new_variable_in_story_yaml_compiles_every_file_again_and_equally(story_dir: StoryDir, reads: Reads) -> None:
    root = story_dir(STORY)
    check_story(str(root))
    reads.parsed.clear()
    edit(root / "story.yaml", "  n: {type: int}\n", "  n: {type: int}\n  m: {type: bool}\n")
    loaded = check_story_parts(str(root))
    assert loaded[0] is not None and not loaded[1]
    assert reads.names() == (["a.yaml", "b.yaml", "c.yaml"], [])  # declared from entries, compiled from text
    assert same(loaded, afresh(root))


def test_a_duplicate_of_a_cached_files_scene_is_reported_as_a_full_read_reports_it(story_dir: StoryDir, reads: Reads) -> None:
    root = story_dir(STORY)
    check_story(str(root))
    reads.parsed.clear()
    again = "  - {id: side, title: Again, text: x, ending: {id: again, name: Again}}\n"
    (root / "b.yaml").write_text((root / "b.yaml").read_text(encoding="utf-8") + again, encoding="utf-8")
    loaded = check_story_parts(str(root))
    assert [problem.message for problem in loaded[1]] == [f"duplicate scene id `side` (first defined at {root / 'a.yaml'}:7)"]
    assert same(loaded, afresh(root))
    assert reads.names() == (["b.yaml"], ["a.yaml", "c.yaml"])  # a.yaml, where `side` is first declared, came from its entry


def test_a_damaged_file_entry_is_ignored_and_written_again(story_dir: StoryDir, reads: Reads) -> None:
    root = story_dir(STORY)
    check_story(str(root))
    folder = Path(os.environ["ADVENTURE_CACHE_DIR"]) / cache.FILE_KIND
    for entry in folder.glob("*.scenes"):
        data = bytearray(entry.read_bytes())
        data[-3] ^= 0xFF
        entry.write_bytes(bytes(data))
    edit(root / "b.yaml", "title: B", "title: Bee")
    reads.parsed.clear()
    loaded = check_story_parts(str(root))
    assert reads.names() == (["a.yaml", "b.yaml", "c.yaml"], [])
    assert same(loaded, afresh(root))
    reads.parsed.clear()
    edit(root / "b.yaml", "title: Bee", "title: B")
    check_story_parts(str(root))
    assert reads.names() == (["b.yaml"], ["a.yaml", "c.yaml"])  # rewritten whole


def test_a_file_declaring_codex_entries_or_snippets_is_always_read(story_dir: StoryDir, reads: Reads) -> None:
    files = dict(STORY)
    codex = "codex:\n  map: {title: Map, text: A map.}\nsnippets:\n  yo: 'Yo.'\n"
    files["c.yaml"] = codex + files["c.yaml"].replace("'c {k}'", "'c {k} {>yo}'")
    root = story_dir(files)
    check_story(str(root))
    reads.parsed.clear()
    edit(root / "a.yaml", "title: Side", "title: Nook")
    loaded = check_story_parts(str(root))
    assert reads.names() == (["a.yaml", "c.yaml"], ["b.yaml"])
    assert same(loaded, afresh(root))


def test_file_entries_are_bounded(story_dir: StoryDir, reads: Reads, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_FILE_ENTRIES", 5)
    root = story_dir(STORY)
    for number in range(4):
        edit(root / "a.yaml", "title: First draft" if number == 0 else f"title: Draft {number - 1}", f"title: Draft {number}")
        check_story(str(root))
    folder = Path(os.environ["ADVENTURE_CACHE_DIR"]) / cache.FILE_KIND
    assert len(list(folder.glob("*.scenes"))) == 5
    reads.parsed.clear()
    reads.decoded.clear()
    edit(root / "b.yaml", "title: B", "title: Bee")
    check_story(str(root))  # the entries in use were kept
    assert reads.names() == (["b.yaml"], ["a.yaml", "c.yaml"])


def test_no_cache_turns_the_file_entries_off_too(story_dir: StoryDir, reads: Reads, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVENTURE_NO_CACHE", "1")
    root = story_dir(STORY)
    check_story(str(root))
    assert not (Path(os.environ["ADVENTURE_CACHE_DIR"]) / cache.FILE_KIND).exists()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stored=plain)
def test_any_plain_values_in_a_file_entry_are_used_or_refused(story_dir: StoryDir, stored: object) -> None:
    folder = cachedir.cache_folder(cache.FILE_KIND)
    assert folder is not None
    payload = marshal.dumps(stored)  # type: ignore[arg-type]  # every value above is marshallable
    Path(folder, "k.scenes").write_bytes(cache.FILE_MAGIC + cachedir.checksum(payload) + payload)
    decoder = cacheformat.Decoder()
    entry = cache.load_file("k", decoder)
    if entry is not None:
        decoder.env = cacheformat.Decoder().decode_env(cacheformat.encode_env(_ENV))
        cache.file_scenes(entry, decoder)


_ENV = Env({}, frozenset(), {})


EDITS = [
    ("a.yaml", "First draft", "Another draft"),  # text only
    ("a.yaml", "  - id: side\n    title: Side\n    text: A side room.\n    ending: {id: side, name: Side}\n", ""),  # a scene goes
    ("a.yaml", "goto: b", "goto: nowhere"),  # an error in the edited file
    ("b.yaml", "if: n < 3", "if: m < 3"),  # an unknown variable
    ("story.yaml", "  n: {type: int}\n", "  n: {type: int}\n  m: {type: int}\n"),  # a variable appears
    ("story.yaml", "start: a", "start: b"),
    ("story.yaml", "'Hi, {n}.'", "'Hello there.'"),  # a story-wide snippet changes
    ("b.yaml", "id: out", "id: a"),  # a duplicate scene id across files
    ("d.yaml", "", "scenes:\n  - {id: d, title: D, text: 'd {n}', ending: {id: d, name: D}}\n"),  # a new file
    ("b.yaml", "goto: side", "goto: d"),
    ("a.yaml", "text: 'Hello, {n}. {>hi}'", "text: [unclosed"),  # a file that does not parse
    ("b.yaml", "scenes:\n", "variables:\n  k: {type: int}\nscenes:\n"),  # a variable declared twice (c.yaml has it)
    ("c.yaml", "variables:\n  k: {type: int, default: 2}\n", ""),  # c's variable goes
    ("a.yaml", "text: A side room.", "text: 'A side room, {k}.'"),  # and is used here
    ("b.yaml", "scenes:\n", "chapter: Later\nscenes:\n"),
    ("a.yaml", "text: A side room.", "text: 'A side room {if chapter == \"Later\": later}.'"),
    ("c.yaml", "scenes:\n", "codex:\n  map: {title: Map, text: A map.}\nscenes:\n"),
    ("c.yaml", "title: C,", "title: C2,"),
    ("d.yaml", "scenes:\n", "variables:\n  k: {type: bool}\nscenes:\n"),  # a variable a file read before declares
    ("b.yaml", "title: B\n", "title: B\n    recap: 'Back in b, {n}.'\n"),
]


@settings(max_examples=200, deadline=None)
@given(steps=st.lists(st.tuples(st.integers(0, len(EDITS) - 1), st.booleans()), min_size=1, max_size=10))
def test_any_sequence_of_edits_loads_through_the_file_entries_as_it_loads_afresh(steps: list[tuple[int, bool]]) -> None:
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("ADVENTURE_CACHE_DIR", str(Path(folder) / "cache"))
        seen = next(_counting(monkeypatch))
        root = Path(folder) / "story"
        write_story(root, STORY)
        check_story_parts(str(root))
        for number, undo in steps:
            if not apply_edit(root, EDITS[number], undo):
                continue
            seen.parsed.clear()
            loaded = check_story_parts(str(root))  # as a new process would: its files' entries from the disk
            assert same(loaded, afresh(root))
            again = check_story_parts(str(root))  # and once more, now a hit when it had no problems
            assert same(again, loaded)


def test_a_new_process_after_an_edit_checks_as_one_that_reads_everything(tmp_path: Path) -> None:
    root = tmp_path / "story"
    chapter = STORY["c.yaml"].replace("goto: out", "goto: s0")
    write_story(root, {"story.yaml": MINIMAL_STORY.replace("start: a", "start: s0"), "a.yaml": big_chapter(), "b.yaml": chapter})
    env = env_for_subprocess()
    command = [sys.executable, "-m", "adventure", "check", str(root)]
    subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    edit(root / "b.yaml", "title: C", "title: Sea")
    cached = subprocess.run(command, env=env, capture_output=True, text=True)
    fresh = subprocess.run([*command, "--no-cache"], env=env, capture_output=True, text=True)
    assert cached.returncode == fresh.returncode and cached.stdout == fresh.stdout
    assert len(list((Path(env["ADVENTURE_CACHE_DIR"]) / cache.FILE_KIND).glob("*.scenes"))) == 3


def test_an_entry_naming_other_scenes_than_its_file_holds_is_not_trusted(story_dir: StoryDir, reads: Reads) -> None:
    root = story_dir(STORY)
    check_story(str(root))
    folder = Path(os.environ["ADVENTURE_CACHE_DIR"]) / cache.FILE_KIND
    for entry in folder.glob("*.scenes"):  # well formed, checksummed, but one scene short of its file
        stored = list(marshal.loads(entry.read_bytes()[len(cache.FILE_MAGIC) + 4:]))
        stored[0] = stored[0][1:]
        payload = marshal.dumps(tuple(stored))
        entry.write_bytes(cache.FILE_MAGIC + cachedir.checksum(payload) + payload)
    edit(root / "b.yaml", "title: B", "title: Bee")
    loaded = check_story_parts(str(root))
    assert loaded[0] is not None and not loaded[1] and same(loaded, afresh(root))


def test_after_a_change_around_a_file_without_scenes_the_next_load_is_a_whole_story_hit(story_dir: StoryDir, reads: Reads) -> None:
    root = story_dir({**STORY, "v.yaml": "variables:\n  extra: {type: int}\nscenes: []\n"})
    check_story(str(root))
    edit(root / "story.yaml", "  n: {type: int}\n", "  n: {type: int}\n  m: {type: bool}\n")
    check_story(str(root))
    reads.parsed.clear()
    reads.decoded.clear()
    story, _ = check_story(str(root))
    assert story is not None and "extra" in story.variables and reads.names() == ([], [])
