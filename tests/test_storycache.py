"""The story cache: an unchanged story comes back from the user's cache folder as the same story; nothing there is trusted."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINIMAL_STORY, SHIPPED, StoryDir, env_for_subprocess
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import adventure
from adventure.cli import main
from adventure.source import cachedir
from adventure.story.loader import build, cache, cacheformat, check_story
from adventure.story.model import Story


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


def entries() -> list[Path]:
    folder = Path(os.environ["ADVENTURE_CACHE_DIR"]) / cache.KIND
    return sorted(folder.glob("*.story")) if folder.is_dir() else []


@pytest.fixture
def big_story(story_dir: StoryDir) -> Path:
    return story_dir({"story.yaml": MINIMAL_STORY.replace("start: a", "start: s0"), "a.yaml": big_chapter()})


@pytest.fixture
def no_build(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records every story built from its files (a load the cache did not answer)."""
    built: list[str] = []
    real = build.build_story

    def counted(root: str, *args: object) -> object:
        built.append(root)
        return real(root, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(build, "build_story", counted)
    return built


def playthrough(story: Story, seed: int, steps: int = 300) -> list[object]:
    """What a player sees over a walk that takes choices by a fixed rule: the same story shows the same."""
    seen: list[object] = []
    state = adventure.new_game(story, seed).state
    for step in range(steps):
        view = adventure.view(story, state)
        seen.append((view.title, view.paragraphs, [(choice.label, choice.enabled) for choice in view.choices]))
        enabled = [choice.number for choice in view.choices if choice.enabled]
        if not enabled:
            state = adventure.new_game(story, seed + step).state
            continue
        state = adventure.choose(story, state, enabled[(step * 7 + seed) % len(enabled)]).state
    return seen


def test_the_shipped_story_from_the_cache_is_the_story_the_loader_builds(no_build: list[str]) -> None:
    built, problems = check_story(str(SHIPPED))
    assert built is not None and not problems and len(entries()) == 1
    stored, problems = check_story(str(SHIPPED))
    assert stored is not None and not problems and stored is not built
    assert len(no_build) == 1  # the second load was answered by the cache
    assert cacheformat.encode(stored) == cacheformat.encode(built)
    assert stored.fingerprint == built.fingerprint and stored.files == built.files
    for seed in (1, 2, 3):
        assert playthrough(stored, seed) == playthrough(built, seed)


def test_a_cache_hit_imports_neither_pyyaml_nor_the_story_builder(big_story: Path) -> None:
    probe = (
        "import sys; from adventure.story.loader import load_story; load_story(sys.argv[1]); "
        "print(sorted(name for name in sys.modules if name == 'yaml' or name.startswith('adventure.story.loader.')))"
    )
    env = env_for_subprocess()
    first = subprocess.run([sys.executable, "-c", probe, str(big_story)], env=env, capture_output=True, text=True, check=True)
    assert "'adventure.story.loader.build'" in first.stdout  # a miss builds the story (in plain YAML: read without PyYAML)
    second = subprocess.run([sys.executable, "-c", probe, str(big_story)], env=env, capture_output=True, text=True, check=True)
    loader_modules = ["adventure.story.loader.cache", "adventure.story.loader.cacheformat", "adventure.story.loader.cachekey"]
    assert second.stdout.strip() == repr(loader_modules)


def test_a_damaged_entry_is_ignored_and_replaced(big_story: Path, no_build: list[str]) -> None:
    check_story(str(big_story))
    [entry] = entries()
    data = bytearray(entry.read_bytes())
    data[-10] ^= 0xFF
    entry.write_bytes(bytes(data))
    story, problems = check_story(str(big_story))
    assert story is not None and not problems and len(no_build) == 2
    assert entries()[0].read_bytes() != bytes(data)  # rebuilt


def _plant(big_story: Path, payload: bytes, checksummed: bool = True) -> None:
    paths = [str(big_story / "story.yaml"), str(big_story / "a.yaml")]
    key = cache.story_key(str(big_story), paths)
    assert key is not None
    folder = cachedir.cache_folder(cache.KIND)
    assert folder is not None
    data = cache.MAGIC + cachedir.checksum(payload) + payload if checksummed else payload
    Path(folder, key + ".story").write_bytes(data)


@pytest.mark.parametrize("junk", [b"", b"not a cache entry at all", cache.MAGIC + b"\0" * 32 + b"\xff\xfe"])
def test_foreign_or_truncated_entries_are_never_trusted(big_story: Path, junk: bytes, no_build: list[str]) -> None:
    _plant(big_story, junk, checksummed=False)
    story, problems = check_story(str(big_story))
    assert story is not None and not problems and no_build


@pytest.mark.parametrize(
    "value",
    [None, (), (1, 2), ((22, {}, frozenset(), {}, {}), (17,)), ((999,), "x"), ((22, 1, 2, 3, 4), ("C", 1, 2)), [1.5, b"x"]],
)
def test_an_entry_with_a_valid_checksum_but_the_wrong_shape_is_refused(big_story: Path, value: object, no_build: list[str]) -> None:
    _plant(big_story, marshal.dumps(value))  # type: ignore[arg-type]  # every value above is marshallable
    story, problems = check_story(str(big_story))
    assert story is not None and not problems and no_build


plain = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 30) | st.text(max_size=4) | st.sampled_from(["C", "P", "D", "E"]),
    lambda inner: st.lists(inner, max_size=4) | st.lists(inner, max_size=5).map(tuple) | st.frozensets(st.text(max_size=2), max_size=2),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stored=plain)
def test_decoding_any_plain_values_gives_a_story_or_refuses_them(stored: object) -> None:
    try:
        story = cacheformat.decode(stored)
    except (ValueError, EOFError, TypeError, IndexError, KeyError, RecursionError, AttributeError, adventure.StoryError):
        return
    except Exception as err:  # an ExprError from a stored expression is refused too
        assert type(err).__name__ == "ExprError"
        return
    assert isinstance(story, Story)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(junk=st.binary(max_size=200), at=st.integers(0, 10_000))
def test_corrupt_bytes_in_an_entry_never_crash_a_load(big_story: Path, junk: bytes, at: int) -> None:
    check_story(str(big_story))
    [entry] = entries()
    data = entry.read_bytes()
    at %= len(data)
    entry.write_bytes(data[:at] + junk + data[at + len(junk):])
    story, problems = check_story(str(big_story))
    assert story is not None and not problems and len(story.scenes) == 201


def test_a_folder_others_can_write_in_is_not_used(big_story: Path) -> None:
    folder = Path(os.environ["ADVENTURE_CACHE_DIR"]) / cache.KIND
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    story, _ = check_story(str(big_story))
    assert story is not None and entries() == []


def test_small_stories_are_not_cached(story_dir: StoryDir) -> None:
    scene = "scenes:\n  - id: a\n    title: A\n    text: x\n    ending: {id: e, name: E}\n"
    root = story_dir({"story.yaml": MINIMAL_STORY, "a.yaml": scene})
    check_story(str(root))
    assert entries() == []


def test_a_story_with_problems_is_not_cached(story_dir: StoryDir) -> None:
    broken = big_chapter().replace("goto: s5", "goto: s9999")
    root = story_dir({"story.yaml": MINIMAL_STORY.replace("start: a", "start: s0"), "a.yaml": broken})
    story, problems = check_story(str(root))
    assert story is None and problems and entries() == []


def test_no_cache_and_the_environment_variable_turn_it_off(
    big_story: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        assert main(["check", str(big_story), "--no-cache"]) == 0
    finally:
        cachedir.set_enabled(True)
    assert entries() == []
    monkeypatch.setenv("ADVENTURE_NO_CACHE", "1")
    assert main(["check", str(big_story)]) == 0
    assert entries() == []
    monkeypatch.delenv("ADVENTURE_NO_CACHE")
    assert main(["check", str(big_story)]) == 0
    assert len(entries()) == 1
    capsys.readouterr()


def test_an_edited_file_misses_the_cache_and_shows_the_edit(big_story: Path) -> None:
    check_story(str(big_story))
    chapter = big_story / "a.yaml"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("title: Room 7\n", "title: The Lamp Room\n"), encoding="utf-8")
    story, _ = check_story(str(big_story))
    assert story is not None and story.scenes["s7"].title.static == "The Lamp Room"
    assert len(entries()) == 2


def test_a_new_file_in_the_folder_misses_the_cache(big_story: Path) -> None:
    check_story(str(big_story))
    (big_story / "b.yaml").write_text("scenes:\n  - {id: extra, title: X, text: y, ending: {id: x, name: X}}\n", encoding="utf-8")
    story, _ = check_story(str(big_story))
    assert story is not None and "extra" in story.scenes


def test_the_loader_and_the_title_page_name_the_same_story_file() -> None:
    from adventure.story import loader, titlepage

    assert loader.STORY_FILE == titlepage.STORY_FILE


def test_the_decoder_builds_the_commonest_objects_by_their_quick_path() -> None:
    # each quick path is written for its class's fields: a changed model must update it (else loads slow down)
    assert len(cacheformat._Decoder().fast) == len(cacheformat._FAST_FIELDS)


def test_only_the_most_recent_entries_are_kept(big_story: Path, monkeypatch: pytest.MonkeyPatch, no_build: list[str]) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 2)
    chapter = big_story / "a.yaml"
    for number in range(4):
        chapter.write_text(chapter.read_text(encoding="utf-8").replace(f"title: Room {number}\n", f"title: Room {number}b\n"))
        check_story(str(big_story))
    assert len(entries()) == 2 and len(no_build) == 4
    again, _ = check_story(str(big_story))  # the newest is among those kept
    assert again is not None and again.scenes["s3"].title.static == "Room 3b" and len(no_build) == 4
    assert len(cacheformat._QUICK_ENCODERS) == 3


def test_a_file_saved_while_the_story_loads_leaves_no_entry(big_story: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = build.build_story
    chapter = big_story / "a.yaml"

    def saved_meanwhile(root: str, *args: object) -> object:
        result = real(root, *args)  # type: ignore[arg-type]
        chapter.write_text(chapter.read_text(encoding="utf-8").replace("title: Room 7\n", "title: Saved Meanwhile\n"))
        return result

    monkeypatch.setattr(build, "build_story", saved_meanwhile)
    story, _ = check_story(str(big_story))
    assert story is not None and story.scenes["s7"].title.static == "Room 7" and entries() == []


def test_objects_read_from_the_cache_are_the_frozen_model_classes_and_equal_to_the_built_ones(big_story: Path) -> None:
    from dataclasses import FrozenInstanceError

    from adventure.story import model, template

    built, _ = check_story(str(big_story))
    stored, _ = check_story(str(big_story))
    assert built is not None and stored is not None and stored is not built
    scene, fresh = stored.scenes["s1"], built.scenes["s1"]
    choice = scene.choices[0]
    for value, cls in ((scene, model.Scene), (choice, model.Choice), (choice.where, model.Location), (scene.title, template.Template)):
        assert type(value) is cls
    assert (choice.where, scene.where, scene.title, scene.text) == (fresh.choices[0].where, fresh.where, fresh.title, fresh.text)
    assert hash(choice.where) == hash(fresh.choices[0].where)
    with pytest.raises(FrozenInstanceError):
        choice.target = "s5"  # type: ignore[misc]
