"""Per-file reuse in one process: after an edit, a load with the same memo parses and compiles only what changed."""

from __future__ import annotations

import io
import os
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import EDITED_SCENES, SHIPPED, StoryDir, apply_edit, write_story
from hypothesis import given, settings
from hypothesis import strategies as st

from adventure.cli import main
from adventure.lsp.index import build_index
from adventure.play import shellhooks
from adventure.story.loader import cacheformat, check_story, check_story_parts
from adventure.story.loader.memo import LoadMemo
from adventure.story.loader.xref import Recorder

STORY = {
    "story.yaml": "id: m\ntitle: M\nversion: 1\nstart: a\nvariables:\n  n: {type: int}\n",
    **EDITED_SCENES,
}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def names(paths: list[str]) -> list[str]:
    return [os.path.basename(path) for path in paths]


def test_a_second_load_with_the_memo_parses_and_compiles_nothing(story_dir: StoryDir) -> None:
    root = str(story_dir(STORY))
    memo = LoadMemo()
    first, problems = check_story(root, memo=memo)
    assert first is not None and not problems
    assert names(memo.parsed) == ["story.yaml", "a.yaml", "b.yaml"] and names(memo.compiled_files) == ["a.yaml", "b.yaml"]
    memo.parsed.clear()
    memo.compiled_files.clear()
    second, problems = check_story(root, memo=memo)
    assert second is not None and not problems and second is not first
    assert memo.parsed == [] and memo.compiled_files == []
    assert cacheformat.encode(second) == cacheformat.encode(first)


def test_an_edited_file_is_read_again_and_its_new_text_is_seen(story_dir: StoryDir) -> None:
    root = story_dir(STORY)
    memo = LoadMemo()
    check_story(str(root), memo=memo)
    memo.parsed.clear()
    memo.compiled_files.clear()
    edit(root / "a.yaml", "First draft", "Second draft")
    story, problems = check_story(str(root), memo=memo)
    assert story is not None and not problems and story.scenes["a"].title.static == "Second draft"
    assert names(memo.parsed) == ["a.yaml"] and names(memo.compiled_files) == ["a.yaml"]
    assert story.scenes["b"] is not None and story.scenes["b"].choices[0].target == "a"


def test_a_problem_in_the_edited_file_is_reported_and_gone_once_fixed(story_dir: StoryDir) -> None:
    root = story_dir(STORY)
    memo = LoadMemo()
    check_story(str(root), memo=memo)
    edit(root / "a.yaml", "'Hello, {n}.'", "'Hello, {m}.'")
    story, problems = check_story(str(root), memo=memo)
    assert story is None and [(os.path.basename(p.path), p.line) for p in problems] == [("a.yaml", 4)]
    assert "unknown variable `m`" in problems[0].message
    edit(root / "a.yaml", "'Hello, {m}.'", "'Hello, {n}.'")
    story, problems = check_story(str(root), memo=memo)
    assert story is not None and not problems


def test_removing_a_scene_reports_the_goto_to_it_in_the_file_that_was_not_edited(story_dir: StoryDir) -> None:
    root = story_dir(STORY)
    memo = LoadMemo()
    check_story(str(root), memo=memo)
    memo.parsed.clear()
    edit(root / "a.yaml", "  - id: side\n    title: Side\n    text: A side room.\n    ending: {id: side, name: Side}\n", "")
    story, problems = check_story(str(root), memo=memo)
    assert names(memo.parsed) == ["a.yaml"]  # b.yaml is not parsed again, but checked against the new scenes
    assert story is None and len(problems) == 1
    [problem] = problems
    assert os.path.basename(problem.path) == "b.yaml" and problem.line == 7 and "there is no scene `side`" in problem.message


def test_a_removed_file_is_forgotten_and_its_scenes_are_gone(story_dir: StoryDir) -> None:
    root = story_dir({**STORY, "c.yaml": "scenes:\n  - {id: c, title: C, text: c, ending: {id: c, name: C}}\n"})
    memo = LoadMemo()
    check_story(str(root), memo=memo)
    (root / "c.yaml").unlink()
    story, problems = check_story(str(root), memo=memo)
    assert story is not None and not problems and "c" not in story.scenes
    assert sorted(names(list(memo.reads))) == ["a.yaml", "b.yaml", "story.yaml"]


def test_the_shipped_story_through_a_memo_is_the_story_loaded_without_one() -> None:
    memo = LoadMemo()
    check_story(str(SHIPPED), memo=memo)
    again, problems = check_story(str(SHIPPED), memo=memo)
    plain, _ = check_story(str(SHIPPED))
    assert again is not None and plain is not None and not problems
    assert cacheformat.encode(again) == cacheformat.encode(plain)
    assert again.snippets == plain.snippets  # which snippets are used survives files compiled earlier


def test_an_editor_check_with_a_memo_sees_unsaved_edits_and_keeps_every_symbol(story_dir: StoryDir) -> None:
    root = story_dir(STORY)
    memo = LoadMemo()
    first = build_index(str(root), {}, memo)
    memo.parsed.clear()
    again = build_index(str(root), {}, memo)
    assert memo.parsed == [] and again.symbols == first.symbols and again.problems == first.problems == ()
    buffer = (root / "a.yaml").read_text(encoding="utf-8").replace("  - id: side\n", "  - id: nook\n")
    edited = build_index(str(root), {str(root / "a.yaml"): buffer}, memo)
    assert names(memo.parsed) == ["a.yaml"]
    assert [(os.path.basename(p.path), p.line) for p in edited.problems if p.severity == "error"] == [("b.yaml", 7)]
    _, plain_problems = check_story_parts(str(root), {str(root / "a.yaml"): buffer})
    assert edited.problems[: len(plain_problems)] == tuple(plain_problems)


def test_watch_reloads_only_the_edited_file(story_dir: StoryDir) -> None:
    from test_cli import EditingInput

    root = story_dir(STORY)
    stdin = EditingInput(["1\n", "1\n", "1\n"], {1: (root / "a.yaml", "First draft", "Watched draft")})
    out = io.StringIO()
    main(["play", "--story", str(root), "--plain", "--watch"], stdin=stdin, stdout=out)  # type: ignore[arg-type]
    assert "Story files changed." in out.getvalue()
    memo = shellhooks.reload_memo(str(root))
    assert names(memo.parsed) == ["story.yaml", "a.yaml", "b.yaml", "a.yaml"]  # the first load, then the edited file


def test_a_watched_edit_that_breaks_another_file_keeps_the_old_story(story_dir: StoryDir) -> None:
    from test_cli import EditingInput

    root = story_dir(STORY)
    removed = "  - id: side\n    title: Side\n    text: A side room.\n    ending: {id: side, name: Side}\n"
    stdin = EditingInput(["reload\n", "1\n"], {0: (root / "a.yaml", removed, "")})
    out = io.StringIO()
    main(["play", "--story", str(root), "--plain", "--watch"], stdin=stdin, stdout=out)  # type: ignore[arg-type]
    text = out.getvalue()
    assert "still playing the previous version" in text and "b.yaml:7" in text and "no scene `side`" in text


EDITS = [
    ("a.yaml", "First draft", "Another draft"),  # text only
    ("a.yaml", "  - id: side\n    title: Side\n    text: A side room.\n    ending: {id: side, name: Side}\n", ""),  # a scene goes
    ("a.yaml", "goto: b", "goto: nowhere"),  # an error in the edited file
    ("b.yaml", "if: n < 3", "if: m < 3"),  # an unknown variable
    ("story.yaml", "  n: {type: int}\n", "  n: {type: int}\n  m: {type: int}\n"),  # a variable appears
    ("story.yaml", "start: a", "start: b"),
    ("b.yaml", "id: out", "id: a"),  # a duplicate scene id across files
    ("c.yaml", "", "scenes:\n  - {id: c, title: C, text: 'c {n}', ending: {id: c, name: C}}\n"),  # a new file
    ("b.yaml", "goto: side", "goto: c"),
    ("a.yaml", "text: 'Hello, {n}.'", "text: [unclosed"),  # a file that does not parse
    ("b.yaml", "scenes:\n", "variables:\n  k: {type: int}\nscenes:\n"),  # a variable declared in another file
    ("a.yaml", "text: A side room.", "text: 'A side room, {k}.'"),  # and used here
    ("b.yaml", "scenes:\n", "chapter: Later\nscenes:\n"),
    ("a.yaml", "text: A side room.", "text: 'A side room {if chapter == \"Later\": later}.'"),
]


@settings(max_examples=150, deadline=None)
@given(steps=st.lists(st.tuples(st.integers(0, len(EDITS) - 1), st.booleans()), min_size=1, max_size=10))
def test_any_sequence_of_edits_loads_through_the_memo_as_it_loads_afresh(steps: list[tuple[int, bool]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "story"
        write_story(root, STORY)
        memo, editor_memo = LoadMemo(), LoadMemo()
        check_story(str(root), memo=memo)
        check_story_parts(str(root), recorder=Recorder(), memo=editor_memo)
        for number, undo in steps:
            if not apply_edit(root, EDITS[number], undo):
                continue
            through_memo = check_story_parts(str(root), memo=memo)
            fresh = check_story_parts(str(root))
            assert through_memo[1] == fresh[1]
            noted, noted_afresh = Recorder(), Recorder()  # what an editor learns: the same through its memo
            check_story_parts(str(root), recorder=noted, memo=editor_memo)
            check_story_parts(str(root), recorder=noted_afresh)
            assert noted.symbols == noted_afresh.symbols
            assert (through_memo[0] is None) == (fresh[0] is None)
            if through_memo[0] is not None and fresh[0] is not None:
                assert cacheformat.encode(through_memo[0]) == cacheformat.encode(fresh[0])


def test_the_language_server_keeps_a_memo_per_story_and_rechecks_only_the_edited_file(
    story_dir: StoryDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded = set(sys.modules)
    try:
        from adventure.lsp.server import StoryServer

        server = StoryServer()
    finally:  # leave no pygls module behind: test_lsp imports the server as if pygls were missing
        for name in set(sys.modules) - loaded:
            if name.startswith(("pygls", "adventure.lsp.server")):
                del sys.modules[name]
    root = os.path.abspath(story_dir(STORY))
    monkeypatch.setattr(server, "overlay", lambda root: {})  # no editor attached: the files as saved
    monkeypatch.setattr(server, "publish", lambda index: None)
    assert server.refresh(root) is not None
    memo = server.memos[root]
    assert names(memo.parsed) == ["story.yaml", "a.yaml", "b.yaml"]
    edit(Path(root) / "a.yaml", "  - id: side\n", "  - id: nook\n")
    index = server.refresh(root)
    assert index is not None and names(memo.parsed) == ["story.yaml", "a.yaml", "b.yaml", "a.yaml"]
    facts = server.facts[root]
    assert names(facts.gathered) == ["a.yaml", "b.yaml", "a.yaml", "b.yaml"]  # an id changed: every file compiled and walked again
    assert [(os.path.basename(p.path), p.line) for p in index.problems if p.severity == "error"] == [("b.yaml", 7)]
    edit(Path(root) / "a.yaml", "  - id: nook\n", "  - id: side\n")
    server.refresh(root)
    facts.gathered.clear()
    edit(Path(root) / "a.yaml", "First draft", "Second draft")
    assert server.refresh(root) is not None and names(facts.gathered) == ["a.yaml"]  # a title: the warnings walk that file alone
