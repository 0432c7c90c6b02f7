"""`adventure check --watch`: the check, then a new report each time the story's files change, re-reading only what changed."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EDITED_SCENES, FEATURES, SHIPPED, StoryDir, apply_edit, env_for_subprocess, write_story
from hypothesis import given, settings
from hypothesis import strategies as st

from adventure import cli_check
from adventure.cli import main
from adventure.cli_args import parser
from adventure.story.loader import load_story
from adventure.tools.analysis import analyse_all
from adventure.tools.checking import Rechecker, changes
from adventure.tools.facts import FactsMemo, forms_of, gather

EXAMPLE = Path(__file__).parent.parent / "docs" / "example"
STORY = {
    "story.yaml": "id: w\ntitle: Watched\nversion: 1\nstart: a\nvariables:\n  n: {type: int}\n",
    **EDITED_SCENES,
}

Step = Callable[[Path], None]


def edit(name: str, old: str, new: str) -> Step:
    def step(root: Path) -> None:
        assert apply_edit(root, (name, old, new), undo=False), (name, old)
    return step


def remove(name: str) -> Step:
    return lambda root: (root / name).unlink()


def watched(root: Path, steps: list[Step], *options: str) -> tuple[int, str, str]:
    """Run `check --watch` on `root` with a fake sleep: each pause makes the next edit, then Ctrl-C; (exit code, stdout, stderr)."""
    pending = list(steps)

    def sleep(seconds: float) -> None:
        if not pending:
            raise KeyboardInterrupt
        pending.pop(0)(root)

    args = parser("check").parse_args(["check", "--watch", *options, str(root)])
    out, err = io.StringIO(), io.StringIO()
    code = cli_check.watch(str(root), args, out, err, sleep=sleep, clock=lambda: "12:00:00")
    return code, out.getvalue(), err.getvalue()


def reports(text: str) -> list[str]:
    """The reports of a watch's output, without their rule lines."""
    first, *others = text.split("\n--- 12:00:00: ")
    return [first, *(other.split(" ---\n", 1)[1] for other in others)]


def test_each_edit_gives_a_new_report_under_a_rule_naming_the_changed_file(story_dir: StoryDir) -> None:
    root = story_dir(STORY)
    code, out, err = watched(root, [
        edit("a.yaml", "goto: b", "goto: nowhere"),
        edit("a.yaml", "goto: nowhere", "goto: b"),
    ])
    assert code == 0 and "Stopped watching." in err and "Traceback" not in err
    first, broken, fixed = out.split("\n--- 12:00:00: a.yaml changed ---\n")
    assert first.endswith("No problems.\n") and first.startswith("Watched: 4 scenes")
    assert "a.yaml:6:" in broken and "no scene `nowhere`" in broken and broken.endswith(f" in {root}\n")
    assert fixed.startswith("Watched: 4 scenes") and fixed.endswith("No problems.\n")


def test_files_added_and_removed_are_checked_and_named(story_dir: StoryDir) -> None:
    root = story_dir(STORY)
    extra = "scenes:\n  - {id: c, title: C, text: 'c {n}', ending: {id: c, name: C}}\n"
    _, out, _ = watched(root, [edit("c.yaml", "", extra), remove("c.yaml")])
    assert "--- 12:00:00: c.yaml added ---\n" in out and "--- 12:00:00: c.yaml removed ---\n" in out
    added, removed = reports(out)[1:]
    assert "(scene `c`) cannot be reached" in added and "5 scenes" in added
    assert "4 scenes" in removed and removed.endswith("No problems.\n")


def test_the_options_of_check_hold_for_every_report_and_ctrl_c_still_ends_with_0(story_dir: StoryDir) -> None:
    root = story_dir(STORY)
    lost = "  - {id: lost, title: Lost, text: x, ending: {id: lost, name: Lost}}\n"
    code, out, _ = watched(root, [edit("a.yaml", "", lost)], "--strict", "--no-color")
    first, warned = reports(out)
    assert first.endswith("No problems.\n") and "\x1b[" not in out
    assert "(scene `lost`) cannot be reached" in warned and warned.endswith("1 warning (--strict: failing).\n")
    assert code == 0


def test_a_half_saved_file_gives_its_problems_and_the_watch_goes_on(story_dir: StoryDir) -> None:
    root = story_dir(STORY)
    whole = STORY["a.yaml"]

    def half_saved(root: Path) -> None:
        (root / "a.yaml").write_text(whole[: whole.index("choices:") + 20], encoding="utf-8")

    def saved(root: Path) -> None:
        (root / "a.yaml").write_text(whole, encoding="utf-8")

    code, out, err = watched(root, [half_saved, saved])
    middle, last = reports(out)[1:]
    assert "a.yaml:" in middle and "problem" in middle and "Traceback" not in out + err
    assert last.endswith("No problems.\n") and code == 0


def test_a_file_gone_between_the_scan_and_its_read_is_a_problem_not_a_crash(story_dir: StoryDir, monkeypatch: pytest.MonkeyPatch) -> None:
    from adventure.story.loader import build

    root = story_dir(STORY)
    real = build.find_files  # type: ignore[attr-defined]  # the name the builder calls
    monkeypatch.setattr(build, "find_files", lambda folder: [*real(folder), os.path.join(folder, "gone.yaml")])
    _, problems = Rechecker(str(root)).check()
    assert [os.path.basename(problem.path) for problem in problems] == ["gone.yaml"]


def test_a_recheck_reads_and_counts_again_only_the_edited_file(story_dir: StoryDir) -> None:
    root = story_dir(STORY)
    rechecker = Rechecker(str(root))
    before, _ = rechecker.check()
    assert [os.path.basename(path) for path in rechecker.memo.parsed] == ["story.yaml", "a.yaml", "b.yaml"]
    assert [os.path.basename(path) for path in rechecker.counted_files] == ["a.yaml", "b.yaml"]
    rechecker.memo.parsed.clear()
    rechecker.counted_files.clear()
    edit("a.yaml", "text: A side room.", "text: A side room, longer now.")(root)
    after, problems = rechecker.check()
    assert not problems and [os.path.basename(path) for path in rechecker.memo.parsed] == ["a.yaml"]
    assert [os.path.basename(path) for path in rechecker.counted_files] == ["a.yaml"]
    assert [os.path.basename(path) for path in rechecker.facts.gathered] == ["a.yaml", "b.yaml", "a.yaml"]
    assert after.summary["words"] == before.summary["words"] + 2


def test_a_recheck_leaves_no_garbage_cycle_holding_the_story_it_checked(story_dir: StoryDir) -> None:
    # the loader freezes what is alive after a load: a cycle left by the last check would be kept for good
    import gc

    root = story_dir(STORY)
    rechecker = Rechecker(str(root))
    rechecker.check()
    edit("a.yaml", "First draft", "Another draft")(root)
    gc.collect()
    rechecker.check()
    assert gc.collect() == 0


@pytest.mark.parametrize("folder", [FEATURES, SHIPPED, EXAMPLE], ids=["features", "shipped", "example"])
def test_facts_gathered_file_by_file_are_those_of_one_walk_of_the_story(folder: Path) -> None:
    story = load_story(str(folder))
    memo = FactsMemo()
    whole = gather(story)
    for _ in range(2):  # walking every file, then taking every file's facts from the memo
        by_file = gather(story, memo)
        for name in ("graph", "unlocked", "expressions"):
            assert getattr(by_file, name) == getattr(whole, name), name
        assert list(by_file.reads.items()) == list(whole.reads.items()) and list(by_file.writes.items()) == list(whole.writes.items())
        assert by_file.forms == forms_of(whole) and (by_file.forms or folder == FEATURES)  # it has no inline forms
        assert analyse_all(story, memo) == analyse_all(story)
    assert memo.gathered == list(dict.fromkeys(scene.where.path for scene in story.scenes.values()))  # each file walked once


# (file, old, new): each applied in turn, the watch's report compared with a fresh `check` of the same files
EDITS = [
    ("a.yaml", "First draft", "Another draft"),
    ("a.yaml", "  - id: side\n    title: Side\n    text: A side room.\n    ending: {id: side, name: Side}\n", ""),  # b.yaml breaks
    ("b.yaml", "      - {label: Aside, goto: side}\n", ""),  # fixed from the other file
    ("a.yaml", "goto: b", "goto: nowhere"),
    ("b.yaml", "if: n < 3", "if: m < 3"),  # an unknown variable, beside the other file's error
    ("story.yaml", "  n: {type: int}\n", "  n: {type: int}\n  m: {type: int}\n"),
    ("a.yaml", "goto: nowhere", "goto: b"),
    ("b.yaml", "id: out", "id: a"),  # a duplicate scene id across files
    ("b.yaml", "id: a\n", "id: out\n"),
    ("c.yaml", "", "scenes:\n  - {id: c, title: C, text: 'c {n}', choices: [{label: x, goto: c}]}\n"),  # warnings: unreachable, dead end
    ("b.yaml", "goto: out", "goto: c"),
    ("story.yaml", "start: a", "start: b"),
    ("a.yaml", "", "  - {id: quiet, title: Q, text: q, ignore: [W104], ending: {id: q, name: Q}}\n"),  # a silenced warning
]


MORE_EDITS = [
    ("a.yaml", "text: A side room.", "text: 'A side room, {cycle: dim|bright}.'"),  # an inline form: W701 (visited once)
    ("b.yaml", "text: Room b.", "text: 'Room b{if n > 1: , busy}.'"),  # an inline condition
    ("a.yaml", "effects: [{add: {n: 1}}]", "effects: [{if: n < 5, then: [{add: {n: 1}}], else: [{if: n > 9, add: {n: 2}}]}]"),  # nested
    ("a.yaml", "text: 'Hello, {n}.'", "text: [unclosed"),  # a file that does not parse
]


@settings(max_examples=40, deadline=None)
@given(steps=st.lists(st.tuples(st.integers(0, len(EDITS) + len(MORE_EDITS) - 1), st.booleans()), min_size=1, max_size=8))
def test_any_sequence_of_edits_is_rechecked_as_a_fresh_check_finds_it(steps: list[tuple[int, bool]]) -> None:
    edits = EDITS + MORE_EDITS
    with tempfile.TemporaryDirectory() as folder:
        root = write_story(Path(folder) / "story", STORY)
        rechecker = Rechecker(str(root))
        rechecker.check()
        for number, undo in steps:
            if apply_edit(root, edits[number], undo):
                assert rechecker.check() == cli_check._check_once(str(root))


@pytest.mark.parametrize("form", ["human", "json"])
def test_every_report_of_the_watch_is_what_a_fresh_check_prints_of_the_same_files(story_dir: StoryDir, form: str) -> None:
    root = story_dir(STORY)
    fresh: list[str] = []

    def step(change: tuple[str, str, str]) -> Step:
        def apply(root: Path) -> None:
            out = io.StringIO()
            main(["check", "--format", form, str(root)], stdout=out)  # the files as the last report saw them
            fresh.append(out.getvalue())
            assert apply_edit(root, change, undo=False), change
        return apply

    _, out, _ = watched(root, [step(change) for change in EDITS], "--format", form)
    final = io.StringIO()
    main(["check", "--format", form, str(root)], stdout=final)
    fresh.append(final.getvalue())
    if form == "human":
        assert reports(out) == fresh
        assert "problem" in "".join(fresh) and "1 silenced" in fresh[-1] and "warning" in fresh[-1]
    else:
        documents = [json.loads(line) for line in out.splitlines()]
        for document in documents:
            document.pop("changed")
        assert documents == [json.loads(text) for text in fresh]


def test_json_gives_one_document_a_line_each_naming_the_files_changed(story_dir: StoryDir) -> None:
    root = story_dir(STORY)
    _, out, _ = watched(root, [edit("a.yaml", "goto: b", "goto: nowhere"), edit("c.yaml", "", "scenes: []\n")], "--format", "json")
    first, broken, added = (json.loads(line) for line in out.splitlines())
    assert first["ok"] and first["changed"] is None and first["summary"]["scenes"] == 4
    assert not broken["ok"] and broken["changed"] == {"edited": ["a.yaml"], "added": [], "removed": []}
    assert any(problem["severity"] == "error" and "nowhere" in problem["message"] for problem in broken["problems"])
    assert added["changed"] == {"edited": [], "added": ["c.yaml"], "removed": []}


def test_the_changes_between_two_looks_are_named_by_kind_and_counted_past_three(tmp_path: Path) -> None:
    def at(name: str, time: int) -> tuple[str, int, int]:
        return (os.path.join(tmp_path, name + ".yaml"), time, 100)

    root = str(tmp_path)
    before = (at("a", 1), at("b", 1), at("c", 1), at("d", 1), at("e", 1))
    after = (at("a", 2), at("b", 2), at("c", 2), at("d", 2), at("f", 1))
    found = changes(before, after)
    assert found.describe(root) == "a.yaml, b.yaml, c.yaml and 1 more changed; f.yaml added; e.yaml removed"
    assert found.paths(root) == {"edited": ["a.yaml", "b.yaml", "c.yaml", "d.yaml"], "added": ["f.yaml"], "removed": ["e.yaml"]}


def test_the_watch_writes_no_check_entry_of_its_own(story_dir: StoryDir, tmp_path: Path) -> None:
    root = story_dir({**STORY, "a.yaml": STORY["a.yaml"].replace("A side room.", " ".join(["A side room."] * 3000))})
    watched(root, [])  # the first check keeps its entry, as `check` does
    kept = sorted(os.listdir(tmp_path / "cache" / "checks"))
    watched(root, [edit("a.yaml", "First draft", "Another draft"), edit("a.yaml", "Another draft", "Third draft")])
    assert len(kept) == 1 and sorted(os.listdir(tmp_path / "cache" / "checks")) == kept  # the second's first check found it


def wait_for(path: Path, text: str, process: subprocess.Popen[bytes]) -> str:
    """The file's text once it holds `text` (the process writes it), within a minute."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = path.read_text(encoding="utf-8") if path.exists() else ""
        if text in found:
            return found
        assert process.poll() is None, found
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never came; got {path.read_text(encoding='utf-8')!r}")


def test_the_command_rechecks_an_edited_story_and_stops_cleanly_at_ctrl_c(story_dir: StoryDir, tmp_path: Path) -> None:
    root = story_dir(STORY)
    out_path, err_path = tmp_path / "out.txt", tmp_path / "err.txt"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "adventure", "check", "--watch", str(root)], stdout=out, stderr=err, env=env_for_subprocess(),
        )
        try:
            wait_for(err_path, "Watching", process)
            wait_for(out_path, "No problems.", process)
            time.sleep(0.05)  # a later modification time than the files the first check read
            edit("a.yaml", "goto: b", "goto: nowhere")(root)
            wait_for(out_path, f" in {root}\n", process)
            process.send_signal(signal.SIGINT)
            code = process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    output, errors = out_path.read_text(encoding="utf-8"), err_path.read_text(encoding="utf-8")
    assert code == 0 and "Traceback" not in errors and "Stopped watching." in errors
    assert "a.yaml changed ---\n" in output and "no scene `nowhere`" in output
