"""Untrusted story files: every hostile input gives a clear `path:line` problem or a correct load.

The corpus is tests/hostile/ (one small file per case, each loaded as a scene file of an
otherwise sound story); the cases too big to commit are generated here. Each load runs
under a guard: in-process with an alarm and a tracemalloc peak, or in a subprocess with
address-space and CPU limits and a timeout.
"""

from __future__ import annotations

import builtins
import io
import os
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import HERE, env_for_subprocess
from guards import CONTROL, adventure_command, assert_no_crash, guarded, run_limited
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adventure.cli import main
from adventure.rules import engine
from adventure.source import yamlsource
from adventure.source.problems import Problem
from adventure.source.yamlsource import MAX_DUPLICATES_REPORTED, MAX_FILE_BYTES, load_file
from adventure.story.loader import check_story
from adventure.story.model import Story

CORPUS = HERE / "hostile"
MEMORY_BUDGET = 64 * 1024 * 1024  # tracemalloc peak allowed for loading one small hostile file

BASE = {
    "story.yaml": "id: hostile\ntitle: Hostile\nversion: 1\nstart: start\n",
    "base.yaml": (
        "scenes:\n"
        "  - id: start\n    title: Start\n    text: Hi.\n    choices:\n      - {label: End, goto: end}\n"
        "  - id: end\n    title: End\n    text: Bye.\n    ending: {id: end, name: End}\n"
    ),
}


@dataclass(frozen=True)
class Loads:
    """A legal input: the story loads, with these scenes from the hostile file."""

    scenes: tuple[str, ...] = ("h",)


@dataclass(frozen=True)
class Refused:
    """An illegal input: problems at these (line, message fragment) places in the file."""

    at: tuple[tuple[int, str], ...] = field(default_factory=tuple)


def refused(*at: tuple[int, str]) -> Refused:
    return Refused(tuple(at))


EXPECTED: dict[str, Loads | Refused] = {
    # unsafe and unknown tags: refused before anything is built
    "tag-python-object-apply.yaml": refused((4, "tag tag:yaml.org,2002:python/object/apply:os.system is not allowed")),
    "tag-python-name.yaml": refused((7, "python/name:os.system is not allowed")),
    "tag-python-via-directive.yaml": refused((6, "python/object/new:os.system is not allowed")),
    "tag-custom-local.yaml": refused((4, "tag !secret is not allowed")),
    "tag-binary.yaml": refused((4, "binary is not allowed")),
    "tag-set.yaml": refused((5, "set is not allowed")),
    # aliases
    "alias-bomb.yaml": refused((7, "expands to more than 2,000,000 values")),
    "alias-recursive.yaml": refused((4, "refers to the node that contains it")),
    "alias-unknown.yaml": refused((4, "unknown alias *nowhere")),
    "anchors-and-merge.yaml": Loads(("h", "h2", "h3")),
    # nesting ten thousand levels deep, in every style
    "deep-flow-sequences.yaml": refused((1, "nesting deeper than 64 levels")),
    "deep-flow-mappings.yaml": refused((1, "nesting deeper than 64 levels")),
    "deep-block-sequences.yaml": refused((2, "nesting deeper than 64 levels")),
    "deep-block-mappings.yaml": refused((65, "nesting deeper than 64 levels")),
    "deep-text-conditions.yaml": refused((23, "nests conditions more than 8 deep")),
    # bytes that are not UTF-8 text
    "nul-byte.yaml": refused((5, "NUL byte")),
    "invalid-utf8.yaml": refused((4, "invalid UTF-8 (byte 0xe9)")),
    "truncated-utf8.yaml": refused((5, "invalid UTF-8")),
    "utf8-surrogate.yaml": refused((4, "invalid UTF-8")),
    "utf16-file.yaml": refused((1, "the file is UTF-16 text, not UTF-8")),
    "bom.yaml": Loads(),
    "bom-inside-text.yaml": Loads(),
    # line endings and tabs
    "crlf.yaml": Loads(),
    "crlf-with-error.yaml": refused((7, "there is no scene `nowhere`")),
    "cr-only.yaml": Loads(),
    "tab-indentation.yaml": refused((6, "YAML syntax error")),
    "tab-inside-text.yaml": Loads(),
    # documents
    "multiple-documents.yaml": refused((6, "a second YAML document")),
    "document-end-then-garbage.yaml": refused((7, "YAML syntax error")),
    "yaml-directive-2.yaml": refused((1, "incompatible YAML document")),
    "empty.yaml": refused((1, "file is empty")),
    "comments-only.yaml": refused((1, "file is empty")),
    # duplicates: an error naming both lines
    "duplicate-keys.yaml": refused((6, "duplicate key `text` (first at line 4, again at line 6)")),
    "duplicate-keys-in-choice.yaml": refused((8, "duplicate key `goto` (first at line 7, again at line 8)")),
    "duplicate-scene-id.yaml": refused((2, "duplicate scene id `start`")),
    # control characters: raw ones are not YAML; escaped ones load and are made visible
    "raw-escape-byte.yaml": refused((4, "U+001B is not allowed")),
    "raw-c1-csi.yaml": refused((4, "U+009B is not allowed")),
    "raw-bell.yaml": refused((4, "U+0007 is not allowed")),
    "raw-bidi-controls.yaml": Loads(),
    "escapes-in-text.yaml": Loads(),
    "escape-in-key.yaml": refused((5, "unknown key `␛]0;pwned␇`")),
    # ids that try to climb out of their folder are just invalid or unknown ids
    "scene-id-climbs.yaml": refused(
        (2, "scene id `../../etc/passwd` is not valid"), (10, "no codex entry `../../secrets`"), (13, "no scene `../../../root`")
    ),
    # values and expressions
    "huge-integer.yaml": refused((2, "too large")),
    "python-in-condition.yaml": refused((8, "only the built-in functions can be called")),
    "python-in-interpolation.yaml": refused((4, "only the built-in functions can be called")),
    "expression-too-long.yaml": refused((8, "the limit is 1000")),
    "expression-deep-parens.yaml": refused((8, "nested")),
    "interpolation-unclosed.yaml": refused((4, "never closed")),
    "complex-key.yaml": refused((5, "a mapping key must be a plain name")),
    "wrong-types.yaml": refused((1, "chapter must be text"), (4, "title must be text"), (6, "choices must be a list")),
    "scenes-not-a-list.yaml": refused((1, "scenes must be a list")),
    "null-scene.yaml": refused((2, "a scene must be a mapping"), (3, "a scene must be a mapping")),
}


def hostile_story(root: Path, name: str, data: bytes) -> Path:
    """A sound two-scene story with `data` added as the scene file hostile/<name>."""
    for relative, text in BASE.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    (root / "hostile").mkdir(exist_ok=True)
    (root / "hostile" / name).write_bytes(data)
    return root


def rendered_strings(story: Story) -> list[str]:
    """Every piece of story text as the player would see it at the start."""
    state = engine.new_game(story).state
    texts: list[str] = [story.title]
    for scene in story.scenes.values():
        texts += [scene.title.render(state), scene.chapter]
        texts += engine.render_text(scene.text, state)
        texts += [choice.label.render(state) for choice in scene.choices]
        if scene.ending is not None:
            texts.append(scene.ending.name)
        if scene.recap is not None:
            texts.append(scene.recap.render(state))
    return texts


def check_located(problems: list[Problem], path: Path, expected: Refused) -> None:
    for line, fragment in expected.at:
        assert any(problem.path == str(path) and problem.line == line and fragment in problem.message for problem in problems), (
            line, fragment, [problem.format() for problem in problems])
    for problem in problems:
        assert problem.line > 0 and problem.path.startswith(str(path.parent.parent)), problem.format()
        assert not CONTROL.search(problem.format()), problem.format()


def test_every_corpus_file_has_an_expectation_and_every_expectation_a_file() -> None:
    assert sorted(os.listdir(CORPUS)) == sorted(EXPECTED)
    assert all(path.stat().st_size < 100_000 for path in CORPUS.iterdir())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file_gives_a_located_problem_or_loads(tmp_path: Path, name: str) -> None:
    root = hostile_story(tmp_path / "story", name, (CORPUS / name).read_bytes())
    path = root / "hostile" / name
    with guarded() as usage:
        story, problems = check_story(str(root))
    assert usage.peak_bytes < MEMORY_BUDGET
    expected = EXPECTED[name]
    if isinstance(expected, Loads):
        assert story is not None and problems == [], [problem.format() for problem in problems]
        assert set(expected.scenes) <= set(story.scenes)
        for text in rendered_strings(story):
            assert not CONTROL.search(text), repr(text)
        return
    assert story is None
    check_located(problems, path, expected)
    out, err = io.StringIO(), io.StringIO()
    assert main(["check", str(root)], stdout=out, stderr=err) == 1
    first_line, first_fragment = expected.at[0]
    assert f"{path}:{first_line}:" in out.getvalue() and first_fragment in out.getvalue()
    assert not CONTROL.search(out.getvalue())


def test_escaped_control_characters_are_kept_visible_not_dropped(tmp_path: Path) -> None:
    root = hostile_story(tmp_path / "story", "escapes.yaml", (CORPUS / "escapes-in-text.yaml").read_bytes())
    story, _ = check_story(str(root))
    assert story is not None
    shown = " ".join(rendered_strings(story))
    for visible in ("␛]0;pwned␇", "␛]52;c;ZWNobyBwd25lZA==␇", "␛[31m", "␍ return", "␈", "␡", "\ufffd txt.exe"):
        assert visible in shown, visible


# --- generated cases: too big to commit, or not files at all ------------------------------


def limited_check(root: Path) -> tuple[int, str]:
    """`adventure check` in a subprocess under memory and CPU limits."""
    result = run_limited(adventure_command("check", str(root)))
    assert_no_crash(result.stderr)
    return result.returncode, result.stdout


def test_a_file_over_the_size_limit_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    data = b"# padding\n" * (MAX_FILE_BYTES // 10 + 1)
    root = hostile_story(tmp_path / "story", "huge.yaml", data)
    code, out = limited_check(root)
    assert code == 1 and f"{root / 'hostile' / 'huge.yaml'}: file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}" in out


def test_a_sparse_file_of_twenty_gigabytes_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    root = hostile_story(tmp_path / "story", "sparse.yaml", b"")
    os.truncate(root / "hostile" / "sparse.yaml", 20 * 1024**3)  # costs no disk space
    code, out = limited_check(root)
    assert code == 1 and "sparse.yaml: file is 21,474,836,480 bytes" in out


def test_the_alias_bomb_is_refused_in_bounded_memory_in_a_subprocess(tmp_path: Path) -> None:
    root = hostile_story(tmp_path / "story", "bomb.yaml", (CORPUS / "alias-bomb.yaml").read_bytes())
    code, out = limited_check(root)
    assert code == 1 and f"{root / 'hostile' / 'bomb.yaml'}:7:" in out and "alias bomb" in out


def test_a_hundred_thousand_levels_of_nesting_are_refused(tmp_path: Path) -> None:
    root = hostile_story(tmp_path / "story", "deep.yaml", b"scenes: " + b"[" * 100_000 + b"]" * 100_000 + b"\n")
    code, out = limited_check(root)
    assert code == 1 and f"{root / 'hostile' / 'deep.yaml'}:1:" in out and "nesting deeper" in out


def test_a_one_megabyte_line_of_text_loads(tmp_path: Path) -> None:
    words = "word " * 200_000
    data = f"scenes:\n  - id: h\n    title: Long\n    text: {words}\n    ending: {{id: h, name: H}}\n".encode()
    root = hostile_story(tmp_path / "story", "long.yaml", data)
    with guarded():
        story, problems = check_story(str(root))
    assert problems == [] and story is not None
    assert len(engine.render_text(story.scenes["h"].text, engine.new_game(story).state)[0]) == len(words.strip())


def test_an_error_at_the_end_of_a_one_megabyte_line_is_located(tmp_path: Path) -> None:
    data = b"scenes: [" + b"a, " * 350_000 + b"b: c: d]\n"
    root = hostile_story(tmp_path / "story", "long-error.yaml", data)
    with guarded(measure=False):
        _, problems = check_story(str(root))
    [problem] = problems
    assert problem.line == 1 and problem.col > 1_000_000 and "syntax error" in problem.message


def test_merge_keys_that_override_many_keys_load_in_linear_time(tmp_path: Path) -> None:
    # Overriding merged keys one by one used to rebuild the key list each time: with
    # 40,000 keys that is over a billion steps, a hang in practice.
    keys = 40_000
    data = (
        "variables: {}\nbase: &b {" + ", ".join(f"k{i}: 0" for i in range(keys)) + "}\n"
        "merged: {<<: *b, " + ", ".join(f"k{i}: 1" for i in range(keys)) + "}\n"
    ).encode()
    root = hostile_story(tmp_path / "story", "merge.yaml", data)
    code, out = limited_check(root)
    assert code == 1 and "unknown key `base`" in out and "unknown key `merged`" in out


@pytest.mark.parametrize("style", ["block", "flow"])
def test_thousands_of_duplicate_keys_give_a_bounded_report(tmp_path: Path, style: str) -> None:
    if style == "block":
        data = b"scenes: []\nchapter: c\n" + b"chapter: again\n" * 5_000
    else:
        data = b"scenes: []\nchapter: {" + b"a: 1, " * 5_000 + b"a: 2}\n"
    root = hostile_story(tmp_path / "story", "dups.yaml", data)
    with guarded(measure=False):
        _, problems = check_story(str(root))
    duplicates = [problem for problem in problems if "duplicate key" in problem.message]
    assert len(duplicates) == MAX_DUPLICATES_REPORTED + 1, len(duplicates)
    if style == "block":
        assert duplicates[0].line == 3 and "(first at line 2, again at line 3)" in duplicates[0].message
    assert "more duplicate keys after it that are not listed" in duplicates[-1].message


def test_a_file_too_big_to_expand_names_the_limit_not_just_aliases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from adventure.source import yamlnodes

    monkeypatch.setattr(yamlnodes, "MAX_EXPANDED_NODES", 1_000)
    root = hostile_story(tmp_path / "story", "wide.yaml", b"scenes: [" + b"1," * 1_000 + b"1]\n")
    _, problems = check_story(str(root))
    [problem] = problems
    assert problem.line == 1 and "the file expands to more than 1,000 values" in problem.message and "split the file" in problem.hint


# --- things that are not regular files ------------------------------------------------------


def test_a_named_pipe_as_a_scene_file_is_a_problem_not_a_hang(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    with guarded():
        root, problems = load_file(str(pipe), "pipe.yaml")
    assert root is None and "not a regular file" in problems[0].message


def test_a_link_to_a_device_as_a_scene_file_is_a_problem(tmp_path: Path) -> None:
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    with guarded():
        root, problems = load_file(str(link), "zero.yaml")
    assert root is None and "not a regular file" in problems[0].message


@pytest.fixture
def refuse_special_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening a pipe or device would block or never end: make it fail at once instead."""
    real_open = builtins.open

    def checked_open(file: object, *args: object, **kwargs: object) -> object:
        if isinstance(file, (str, bytes, os.PathLike)):
            try:
                mode = os.stat(file).st_mode
            except OSError:
                mode = stat.S_IFREG
            if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
                raise AssertionError(f"blocking open of a special file: {file!r}")
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(builtins, "open", checked_open)


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_story_with_a_pipe_or_device_among_its_files_is_checked_without_blocking(
    tmp_path: Path, kind: str, refuse_special_files: None
) -> None:
    root = hostile_story(tmp_path / "story", "fine.yaml", b"")
    (root / "hostile" / "fine.yaml").unlink()
    special = root / "hostile" / "special.yaml"
    if kind == "fifo":
        os.mkfifo(special)
    else:
        special.symlink_to("/dev/zero")
    with guarded():
        story, problems = check_story(str(root))
    # a link to a device is refused twice over: outside the folder, and not a regular file
    assert story is None and any(
        "not a regular file" in problem.message or "outside the story folder" in problem.message for problem in problems
    )


def test_a_folder_link_that_loops_back_is_not_followed(tmp_path: Path) -> None:
    root = hostile_story(tmp_path / "story", "a.yaml", b"scenes:\n  - {id: h, title: H, text: x, ending: {id: h, name: H}}\n")
    (root / "hostile" / "loop").symlink_to("..", target_is_directory=True)
    with guarded():
        story, problems = check_story(str(root))
    assert problems == [] and story is not None and "h" in story.scenes


def test_a_file_name_with_escape_sequences_is_shown_harmlessly(tmp_path: Path) -> None:
    root = hostile_story(tmp_path / "story", "\x1b]0;pwned\x07\u202e.yaml", b"scenes: 1\n")
    out = io.StringIO()
    assert main(["check", str(root)], stdout=out) == 1
    assert "pwned" in out.getvalue() and not CONTROL.search(out.getvalue())


# --- escape sequences in story text, played through the real plain player -----------------

ESCAPES = {
    "story.yaml": r'''
        id: escapes
        title: "Escapes \e]0;title\a"
        version: 1
        start: start
        blurb: "\e[2J blurb"
        variables:
          name: {type: string, default: "\e]52;c;cHduZWQ=\a"}
          mood: {type: string}
        status: "\e]0;status\a {name} \u202e{mood}"
        codex:
          lore:
            title: "\e[31mLore\e[0m"
            text: "\e]8;;http://evil\e\\click\e]8;;\e\\ \r\u202e"
    ''',
    "scenes.yaml": r'''
        chapter: "\e[1mChapter\r"
        scenes:
          - id: start
            title: "\e]0;window title\x07 Start {name}"
            recap: "\e[2K\r recap {mood}"
            on_enter:
              - unlock: lore
              - pick: {into: mood, from: ["\e]52;c;ZXZpbA==\a", "\x9b31m", "\u2066\u202e"]}
            text:
              - "Clipboard \e]52;c;ZWNobyBwd25lZA==\a and \e[31mred\e[0m and CR\rover and \u202eRLO and \x9b C1."
              - if: 'name != ""'
                text: "You are {name}, feeling {mood}.\b\b\x7f"
            choices:
              - label: "\e[8mHidden\e[0m go on"
                goto: start
                effects:
                  - set: {name: "\e[?1049h"}
              - label: "\u202eLocked"
                goto: start
                if: "false"
                disabled: "\e]0;because\a {name}"
              - label: Finish
                goto: end
          - id: end
            title: End
            text: "\e[6n bye"
            ending: {id: end, name: "\e[5mThe End\r"}
    ''',
}

PLAYER_INPUT = "\n".join([
    "1", "status", "codex", "codex lore", "recap", "history", "2", "\x1b[2J", "\u202e1",
    "codex \x1b]52;c;aGk=\x07", "save \x1b]0;x\x07", "load \x1b[31m", "save good", "saves", "load good",
    "undo", "help", "3", "restart", "3", "quit",
]) + "\n"


def test_escape_sequences_never_reach_the_terminal_from_the_plain_player(
    story_dir: Callable[[dict[str, str]], Path], tmp_path: Path
) -> None:
    root = story_dir(ESCAPES)
    env = env_for_subprocess()
    env["ADVENTURE_SAVES"] = str(tmp_path / "saves")
    result = subprocess.run(
        [*adventure_command("play", "--plain", "--story", str(root), "--seed", "3")],
        input=PLAYER_INPUT.encode(), capture_output=True, env=env, timeout=60,
    )
    assert result.returncode == 0 and result.stderr == b"", result.stderr.decode()
    out = result.stdout
    for raw in (b"\x1b", b"\x07", b"\r", b"\x08", b"\x7f", "\u202e".encode(), "\u2066".encode(), "\x9b".encode()):
        assert raw not in out, raw
    text = out.decode("utf-8")
    assert not CONTROL.search(text)
    # shown harmlessly: made visible, and the game went on through every command
    assert "␛]52;c;ZWNobyBwd25lZA==␇" in text and "␛]0;window title␇" in text
    assert "Saved to slot 'good'" in text and "Loaded slot 'good'" in text and "The End: ␛[5mThe End␍." in text


def test_escape_sequences_in_a_story_are_harmless_in_check_output(story_dir: Callable[[dict[str, str]], Path]) -> None:
    root = story_dir(
        {
            **ESCAPES,
            "broken.yaml": 'scenes:\n  - id: b\n    title: "\\e]0;x\\a"\n    text: "\\e[31m {nope}"\n    ending: {id: b, name: B}\n',
        }
    )
    for args in (["check", str(root)], ["check", str(root), "--format", "json"]):
        out = io.StringIO()
        assert main(args, stdout=out) == 1
        assert not CONTROL.search(out.getvalue()) and "nope" in out.getvalue()


def test_the_corpus_loads_the_same_under_the_pure_python_yaml_parser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    from adventure.source import yamlcompose

    # every file through the event loop, driven by PyYAML's pure-Python parser
    monkeypatch.setattr(yamlcompose, "_Loader", yaml.SafeLoader)
    monkeypatch.setattr(yamlsource, "compose", yamlcompose.compose_events)
    for name, expected in sorted(EXPECTED.items()):
        root = hostile_story(tmp_path / name, name, (CORPUS / name).read_bytes())
        with guarded(measure=False):
            story, problems = check_story(str(root))
        assert (story is not None) == isinstance(expected, Loads), (name, [problem.format() for problem in problems])
        if isinstance(expected, Refused):
            lines = {problem.line for problem in problems}
            assert all(problem.line > 0 for problem in problems) and expected.at[0][0] in lines, (
                name,
                [problem.format() for problem in problems],
            )


# --- escapes decoded inside expressions (issue 21, items 4 and 6) ---------------------------


def one_scene_story(root: Path, choice: str) -> Path:
    files = {
        "story.yaml": "id: esc\ntitle: Esc\nversion: 1\nstart: a\nvariables:\n  word: {type: string}\n",
        "scenes.yaml": "scenes:\n  - id: a\n    title: A\n    text: Hi.\n    choices:\n" + choice + "      - {label: End, goto: b}\n"
        "  - id: b\n    title: B\n    text: Bye.\n    ending: {id: b, name: B}\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_an_escape_sequence_written_inside_an_expression_string_is_refused_with_its_place(tmp_path: Path) -> None:
    choice = "      - label: Door\n        goto: b\n        if: 'false'\n        disabled: 'Locked.{\"\\x1b]52;c;aGk=\\x07\\x1b[2J\"}'\n"
    root = one_scene_story(tmp_path / "story", choice)
    story, problems = check_story(str(root))
    assert story is None
    [problem] = problems
    assert (problem.line, problem.col) == (9, 28) and "control character" in problem.message, problem.format()
    assert not CONTROL.search(problem.format())


CONTROL_ESCAPES = [
    "\\x1b", "\\x07", "\\x9b", "\\r", "\\n", "\\t", "\\x00", "\\x7f", "\\u202e", "\\u2066", "\\ud83d", "\\udc9b", "\\U0000200f",
]


@given(escape=st.sampled_from(CONTROL_ESCAPES), before=st.text("ab {}", max_size=3), place=st.sampled_from(["label", "if", "set"]))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_escape_in_an_expression_string_gets_past_the_loader(tmp_path: Path, escape: str, before: str, place: str) -> None:
    literal = '"' + before.replace("{", "").replace("}", "") + escape + '"'
    if place == "label":
        choice = f"      - label: '{{{literal}}}'\n        goto: b\n"
    elif place == "if":
        choice = f"      - label: Door\n        goto: b\n        if: 'word == {literal}'\n"
    else:
        choice = f"      - label: Door\n        goto: b\n        effects: [{{set: {{word: {{expr: '{literal}'}}}}}}]\n"
    root = one_scene_story(tmp_path / f"story-{abs(hash((escape, before, place)))}", choice)
    story, problems = check_story(str(root))
    assert story is None and len(problems) == 1 and "control character" in problems[0].message, [
        problem.format() for problem in problems]
    assert problems[0].line == (6 if place == "label" else 8) and not CONTROL.search(problems[0].format())


def test_the_plain_player_cleans_the_reason_a_choice_is_unavailable(tmp_path: Path) -> None:
    from adventure.play.plain import play
    from adventure.play.session import Session
    from adventure.play.turns import TurnLoop
    from adventure.rules.state import GameState

    choice = "      - label: Door\n        goto: b\n        if: 'false'\n        disabled: 'Locked: {word}'\n"
    root = one_scene_story(tmp_path / "story", choice)
    story, _ = check_story(str(root))
    assert story is not None
    session = Session.new(story)
    # text that no loaded story can hold, as a bug elsewhere might one day let through
    session.state = GameState("a", {"word": "\x1b]0;title\x07\x9b2J\ud83d"}, session.state.visits)
    out = io.StringIO()
    assert play(TurnLoop(session), io.StringIO("1\n"), out) == 0
    assert "hat choice is not available: Locked: ␛]0;title␇" in out.getvalue() and not CONTROL.search(out.getvalue())


def test_a_lone_surrogate_in_rendered_text_never_stops_a_save(tmp_path: Path) -> None:
    from adventure.play import saves
    from adventure.play.session import Session
    from adventure.rules.state import GameState

    root = one_scene_story(tmp_path / "story", "      - label: 'Knock {word}'\n        goto: a\n")
    story, _ = check_story(str(root))
    assert story is not None
    session = Session.new(story)
    session.state = GameState("a", {"word": "\ud83d"}, session.state.visits)
    session.choose(1)
    saves.save(session, str(tmp_path / "saves"), "slot")
    loaded = saves.load(story, str(tmp_path / "saves"), "slot")
    assert loaded.state.vars["word"] == "\ufffd" and loaded.transcript[-2].text == "Knock \ufffd"


# --- paths and typed values echoed back (issue 21, item 5) ----------------------------------

EVIL = "\x1b]0;pwned\x07\x1b[2J\u202e"


def test_summary_lines_and_echoes_show_paths_and_typed_values_harmlessly(tmp_path: Path) -> None:
    import shutil

    from conftest import FEATURES

    broken = hostile_story(tmp_path / f"broken{EVIL}", "bad.yaml", b"scenes: 1\n")
    good = tmp_path / f"good{EVIL}"
    shutil.copytree(FEATURES, good)
    walkthrough = tmp_path / f"walk{EVIL}.yaml"
    walkthrough.write_text(f'name: "fine"\nstory: "{good.name.encode("unicode_escape").decode()}"\nsteps:\n  - see: hall\n')
    runs = [
        ["check", str(broken)], ["check", "--format", "json", str(broken)], ["explore", str(broken)],
        ["graph", str(broken)], ["diff", str(broken), str(good)], ["test", str(walkthrough)],
        ["play", "--plain", "--story", str(broken)], ["play", "--plain", "--story", str(good), "--from", EVIL],
        ["play", "--plain", "--story", str(good), "--set", f"{EVIL}=1"], ["play", "--plain", "--story", str(good), "--set", f"name{EVIL}"],
        ["play", "--plain", "--story", str(good), "--set", f"keys=a{EVIL}"],
        ["play", "--plain", "--story", str(good), "--set", f"coins={EVIL}"],
        ["graph", str(good), "--output", f"{walkthrough}/under-a-file{EVIL}.dot"],
    ]
    for args in runs:
        out, err = io.StringIO(), io.StringIO()
        code = main(args, stdin=io.StringIO(""), stdout=out, stderr=err)
        assert code in (1, 2), (args, code, out.getvalue(), err.getvalue())
        for shown in (out.getvalue(), err.getvalue()):
            assert not CONTROL.search(shown), (args, shown)
        assert "pwned" in out.getvalue() + err.getvalue(), args


def test_a_renamed_scene_id_must_be_a_scene_id(tmp_path: Path) -> None:
    root = hostile_story(tmp_path / "story", "more.yaml", b"scenes: [{id: h, title: H, text: x, ending: {id: h, name: H}}]\n")
    (root / "story.yaml").write_text(BASE["story.yaml"] + 'renamed:\n  "old\\e]0;x\\a": start\n  fine: start\n  "gone\\n": end\n')
    story, problems = check_story(str(root))
    assert story is None
    assert [(problem.line, problem.message.split(" is not valid")[0]) for problem in problems] == [
        (6, "renamed: old scene id `old␛]0;x␇`"), (8, "renamed: old scene id `gone␊`")]


# --- resource bounds of a broken or merely large story (issue 21, items 13-16) --------------


def test_did_you_mean_work_is_bounded_however_many_mistakes_a_story_holds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from adventure.story import exprhints

    budget = 300_000  # scaled down from MAX_SUGGESTION_WORK, with the story scaled down alike
    monkeypatch.setattr(exprhints, "MAX_SUGGESTION_WORK", budget)
    compared: list[int] = []
    real_closest = exprhints._closest

    def counted(word: str, pool: object, budget: object = None) -> str | None:
        compared.append(len(pool))  # type: ignore[arg-type]
        return real_closest(word, pool, budget)  # type: ignore[arg-type]

    monkeypatch.setattr(exprhints, "_closest", counted)
    scenes, mistakes = 3_000, 1_500
    lines = ["scenes:"]
    for number in range(scenes):
        target = f"scene_{number + 1:05d}x" if number < mistakes else f"scene_{(number + 1) % scenes:05d}"
        lines.append(f"  - {{id: scene_{number:05d}, title: T, text: x, choices: [{{label: Go, goto: {target}}}]}}")
    root = hostile_story(tmp_path / "story", "many.yaml", ("\n".join(lines) + "\n").encode())
    (root / "base.yaml").write_text(BASE["base.yaml"].replace("goto: end", "goto: scene_00000"))
    with guarded(measure=False):
        _, problems = check_story(str(root))
    assert sum(compared) <= budget and len(compared) < mistakes
    bad_gotos = [problem for problem in problems if "goto: there is no scene" in problem.message]
    assert bad_gotos and "did you mean `scene_00001`?" in bad_gotos[0].hint  # the first ones are as helpful as ever


def test_a_roll_over_a_billion_values_is_checked_in_bounded_memory(tmp_path: Path) -> None:
    data = (
        b"variables:\n  x: {type: int}\n"
        b"scenes:\n  - id: h\n    title: H\n    text: x\n"
        b"    on_enter: [{roll: {into: x, min: 1, max: 1000000000}}]\n"
        b"    choices: [{label: Go, goto: end, if: 'x > 5'}]\n"
    )
    root = hostile_story(tmp_path / "story", "roll.yaml", data)
    (root / "base.yaml").write_text(BASE["base.yaml"].replace("goto: end", "goto: h"))
    code, out = limited_check(root)  # 1 GiB of address space: enumerating the roll needs 60 GB
    assert code == 0 and "No problems." in out, out


def counted_probes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    from adventure.tools import decide

    count = [0]

    class Probe(decide.Probe):
        __slots__ = ()

        def __init__(self, *args: object) -> None:
            count[0] += 1
            super().__init__(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(decide, "Probe", Probe)
    return count


def conditions_story(root: Path, conditions: list[str]) -> Path:
    lines = [
        "variables:\n  p: {type: int, min: 0, max: 63}\n  q: {type: int, min: 0, max: 63}\n",
        "scenes:\n  - id: h\n    title: H\n    text: x\n    choices:\n",
        "      - {label: Up, goto: h, effects: [{add: {p: 1}}, {add: {q: 1}}]}\n",
        *(f"      - {{label: C{number}, goto: end, if: '{condition}'}}\n" for number, condition in enumerate(conditions)),
    ]
    story = hostile_story(root, "conditions.yaml", "".join(lines).encode())
    (story / "base.yaml").write_text(BASE["base.yaml"].replace("goto: end", "goto: h"))
    return story


def test_one_condition_written_in_many_places_is_judged_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from adventure.tools.analysis import analyse
    from adventure.tools.decide import MAX_COMBINATIONS

    probes = counted_probes(monkeypatch)
    story, problems = check_story(str(conditions_story(tmp_path / "story", ["p + q > 999"] * 300)))
    assert story is not None, [problem.format() for problem in problems]
    warnings = analyse(story)
    assert sum(warning.code == "W301" for warning in warnings) == 300  # still said at every place
    assert probes[0] <= MAX_COMBINATIONS


def test_judging_conditions_stops_at_a_bound_for_the_whole_story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from adventure.tools import analysis

    monkeypatch.setattr(analysis, "MAX_EVALUATIONS", 100_000)  # scaled down with the story
    probes = counted_probes(monkeypatch)
    story, _ = check_story(str(conditions_story(tmp_path / "story", [f"p + q > {999 + number}" for number in range(60)])))
    assert story is not None
    warnings = analysis.analyse(story)
    assert probes[0] <= 100_000 and 0 < sum(warning.code == "W301" for warning in warnings) < 60


@pytest.mark.parametrize("kind", ["bytes", "values"])
def test_the_story_as_a_whole_is_bounded_not_only_each_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    from adventure.source.yamlsource import load_file_text as real_load
    from adventure.story.loader import build as loader

    read: list[int] = []

    def counted(path: str, display: str) -> tuple[object, ...]:
        text, node, problems = real_load(path, display)
        read.append(loader._values(node) if kind == "values" else len(text or ""))
        return text, node, problems

    monkeypatch.setattr(loader, "load_file_text", counted)
    limit = 50_000 if kind == "bytes" else 5_000  # scaled down from 16 MiB and 4,000,000 values
    monkeypatch.setattr(loader, "MAX_STORY_BYTES" if kind == "bytes" else "MAX_STORY_VALUES", limit)
    root = hostile_story(tmp_path / "story", "part-00.yaml", b"scenes: []\n")
    for number in range(20):
        if kind == "bytes":  # 10 KB of text each
            body = f"scenes:\n  - {{id: s{number}, title: T, text: '{'x' * 10_000}', ending: {{id: s{number}, name: N}}}}\n"
        else:  # 2,000 values each from a few hundred bytes, by aliases
            body = "x: &a [" + ", ".join(["1"] * 100) + "]\ny: [" + ", ".join(["*a"] * 20) + "]\n"
        (root / "hostile" / f"part-{number + 1:02d}.yaml").write_text(body)
    story, problems = check_story(str(root))
    assert story is None
    [too_large] = [problem for problem in problems if "the story is larger than the limit" in problem.message]
    assert "part-" in too_large.path and "more were not read" in too_large.message
    assert sum(read) <= limit + (2_500 if kind == "values" else 0)  # at most one file past the bound is read
    assert len(read) < 21


def test_check_lists_a_bounded_number_of_warnings_and_counts_the_rest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from adventure import cli_check

    monkeypatch.setattr(cli_check, "MAX_WARNINGS_SHOWN", 10)  # scaled down from 1,000
    scenes = "".join(f"  - {{id: lost{number}, title: L, text: x, ending: {{id: lost{number}, name: L}}}}\n" for number in range(50))
    root = hostile_story(tmp_path / "story", "lost.yaml", ("scenes:\n" + scenes).encode())
    out = io.StringIO()
    assert main(["check", str(root)], stdout=out) == 0
    lines = out.getvalue().splitlines()
    assert sum("[W104]" in line for line in lines) == 10 and "... and 40 more warnings not shown" in out.getvalue()
    assert "50 warnings." in lines[-1]
    out = io.StringIO()
    main(["check", "--format", "json", str(root)], stdout=out)
    payload = json.loads(out.getvalue())
    assert len(payload["problems"]) == 10 and payload["warnings_not_shown"] == 40


@pytest.mark.parametrize("kind", ["link outside", "folder", "fifo"])
def test_story_yaml_must_be_a_regular_file_inside_the_story(tmp_path: Path, kind: str) -> None:
    root = hostile_story(tmp_path / "story", "more.yaml", b"scenes: []\n")
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(BASE["story.yaml"])
    (root / "story.yaml").unlink()
    if kind == "link outside":
        (root / "story.yaml").symlink_to(outside)
        expected = "story.yaml links to a place outside the story folder"
    elif kind == "folder":
        (root / "story.yaml").mkdir()
        expected = "story.yaml is not a regular file"
    else:
        os.mkfifo(root / "story.yaml")
        expected = "story.yaml is not a regular file"
    with guarded():
        story, problems = check_story(str(root))
    assert story is None and [problem.message for problem in problems] == [expected]


# --- identifiers: whole matches, no look-alikes (issue 21, items 19 and 22) ----------------

IDENTIFIER_PLACES = {
    "variable": ("variables:\n  {id}: {{type: int}}\n", "variable name"),
    "codex": ("codex:\n  {id}: {{title: T, text: x}}\n", "codex id"),
    "scene": ("scenes:\n  - {{id: {id}, title: T, text: x, ending: {{id: fine, name: F}}}}\n", "scene id"),
    "ending": ("scenes:\n  - {{id: h, title: T, text: x, ending: {{id: {id}, name: F}}}}\n", "ending id"),
    "choice": ("scenes:\n  - {{id: h, title: T, text: x, choices: [{{id: {id}, label: L, goto: end}}]}}\n", "choice id"),
    "member": ("variables:\n  s: {{type: set, members: [a, {id}]}}\n", "set member"),
}
LOOK_ALIKES = ['"home\\n"', '"h\\u043eme"', '"home\\u200d"', '"home "', '"\\u0435nd"']


@given(place=st.sampled_from(sorted(IDENTIFIER_PLACES)), identifier=st.sampled_from(LOOK_ALIKES))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_identifiers_with_a_trailing_newline_or_look_alike_letters_are_refused(tmp_path: Path, place: str, identifier: str) -> None:
    template, what = IDENTIFIER_PLACES[place]
    root = hostile_story(tmp_path / f"{place}-{LOOK_ALIKES.index(identifier)}", "ids.yaml", template.format(id=identifier).encode())
    story, problems = check_story(str(root))
    assert story is None and any(what in problem.message and "is not valid" in problem.message for problem in problems), [
        problem.format() for problem in problems]


def test_three_look_alike_endings_are_not_three_endings(tmp_path: Path) -> None:
    scenes = "".join(
        f'  - {{id: e{number}, title: T, text: x, ending: {{id: "{ending}", name: Home}}}}\n'
        for number, ending in enumerate(["home", "h\\u043eme", "home\\u200d"])
    )
    root = hostile_story(tmp_path / "story", "endings.yaml", ("scenes:\n" + scenes).encode())
    story, problems = check_story(str(root))
    assert story is None and [problem.line for problem in problems if "ending id" in problem.message] == [3, 4]



@pytest.mark.parametrize("value", ["-99999999999999999999999", "9" * 5_000, "6"])
def test_set_on_the_command_line_keeps_to_the_declared_range(tmp_path: Path, value: str) -> None:
    from conftest import FEATURES

    out, err = io.StringIO(), io.StringIO()
    code = main(["play", "--plain", "--story", str(FEATURES), "--set", f"coins={value}"], stdin=io.StringIO(""), stdout=out, stderr=err)
    assert code == 2
    assert err.getvalue().startswith("adventure: --set coins: ") and len(err.getvalue()) < 300, err.getvalue()[:300]
