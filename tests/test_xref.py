"""The loader's record of where names are declared and used, and its reading of unsaved buffers."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FEATURES, ROOT, SHIPPED, write_story

from adventure.story.loader import check_story
from adventure.story.loader.xref import Recorder, Symbol


def recorded(root: Path, overlay: dict[str, str] | None = None) -> tuple[Recorder, list[str]]:
    recorder = Recorder()
    _, problems = check_story(str(root), overlay, recorder)
    return recorder, [problem.format() for problem in problems]


def written_at(recorder: Recorder, symbol: Symbol) -> str:
    line = recorder.texts[symbol.where.path].split("\n")[symbol.where.line - 1]
    return line[symbol.where.col - 1: symbol.where.col - 1 + symbol.length]


@pytest.mark.parametrize("root", [SHIPPED, FEATURES, ROOT / "docs" / "example"], ids=["shipped", "features", "example"])
def test_every_recorded_name_is_found_exactly_where_it_is_written(root: Path) -> None:
    recorder, problems = recorded(root)
    assert problems == []
    assert recorder.symbols
    assert [symbol for symbol in recorder.symbols if written_at(recorder, symbol) != symbol.name] == []
    declared = {(symbol.kind, symbol.name) for symbol in recorder.symbols if symbol.declares}
    assert {("scene", scene_id) for scene_id in recorder.scenes} <= declared
    assert {("variable", name) for name in recorder.variables} <= declared


STORY = {
    "story.yaml": """\
        id: x
        title: X
        version: 1
        start: a
        variables:
          coins: {type: int, default: 1}
          keys: {type: set, members: {brass: the brass key, iron: the iron key}}
        """,
    "a.yaml": """\
        scenes:
          - id: a
            title: A
            text: >
              You have {plural coins: one coin|{coins} coins}, {if "brass" in keys: and a key|but no key}.
              {select chapter: =nothing|else=still {coins}}
            choices:
              - {label: "Go {if visited(\\"b\\"): back|on}", goto: b, effects: [{add: {keys: [iron]}}, {add: {coins: 1}}]}
          - id: b
            title: B
            text: "Bye, {keys}."
            ending: {id: b, name: B}
        """,
}


def test_names_inside_inline_forms_and_flow_mappings_are_recorded(tmp_path: Path) -> None:
    recorder, problems = recorded(write_story(tmp_path / "s", STORY))
    assert problems == []
    used = [(symbol.kind, symbol.name, symbol.owner) for symbol in recorder.symbols if not symbol.declares]
    assert used.count(("variable", "coins", "")) == 4  # plural head, a hole inside an option, select's option, add
    assert ("member", "brass", "keys") in used and ("member", "iron", "keys") in used
    assert ("scene", "b", "") in used  # visited("b") inside {if} inside a quoted flow label, and the goto
    assert [symbol for symbol in recorder.symbols if written_at(recorder, symbol) != symbol.name] == []
    members = [symbol.name for symbol in recorder.symbols if symbol.declares and symbol.kind == "member"]
    assert members == ["brass", "iron"]


def test_unsaved_buffers_replace_their_files_and_new_files_join_the_story(tmp_path: Path) -> None:
    root = write_story(tmp_path / "s", STORY)
    edited = (root / "a.yaml").read_text(encoding="utf-8").replace("goto: b", "goto: c")
    unsaved = "scenes:\n  - id: c\n    title: C\n    text: C.\n    ending: {id: c, name: C}\n"
    overlay = {str(root / "a.yaml"): edited, str(root / "c.yaml"): unsaved}
    recorder, problems = recorded(root, overlay)
    assert problems == []
    assert recorder.scenes["a"].choices[0].target == "c"  # the buffer, not the file
    assert "c" in recorder.scenes  # a file that exists only in the editor
    assert (root / "a.yaml").read_text(encoding="utf-8").count("goto: b") == 1
    _, on_disk = recorded(root)
    assert on_disk == []


def test_an_unsaved_buffer_with_a_nul_byte_is_a_located_problem(tmp_path: Path) -> None:
    root = write_story(tmp_path / "s", STORY)
    _, problems = recorded(root, {str(root / "a.yaml"): "scenes:\n  - id: a\x00\n"})
    assert any(":2:" in problem and "NUL" in problem for problem in problems)
