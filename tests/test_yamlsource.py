"""The YAML reader: safe, bounded, positioned, and strict about duplicate keys."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adventure.source.yamlsource import MAX_DEPTH, Map, Scalar, Seq, YamlProblem, compose, decode, load_file

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
"""


def test_nodes_carry_their_line_and_column() -> None:
    root, problems = compose("title: Hello\nscenes:\n  - id: a\n")
    assert problems == []
    assert isinstance(root, Map)
    scenes = root.get("scenes")
    assert isinstance(scenes, Seq)
    first = scenes.items[0]
    assert isinstance(first, Map)
    assert (first.line, first.col) == (3, 5)
    value = root.get("title")
    assert isinstance(value, Scalar) and (value.value, value.line, value.col) == ("Hello", 1, 8)


def test_duplicate_keys_are_reported_with_both_lines() -> None:
    _, problems = compose("id: a\ntext: one\ntitle: t\ntext: two\n")
    assert len(problems) == 1
    line, _, message, hint = problems[0]
    assert line == 4 and "first at line 2" in message and "again at line 4" in message
    assert "last one" in hint


def test_merge_keys_fill_in_without_counting_as_duplicates() -> None:
    root, problems = compose("base: &b {x: 1, y: 2}\nmine:\n  <<: *b\n  y: 3\n")
    assert problems == []
    assert isinstance(root, Map)
    mine = root.get("mine")
    assert isinstance(mine, Map)
    assert {key.value: value.value for key, value in mine.pairs} == {"x": "1", "y": "3"}  # type: ignore[union-attr]


@pytest.mark.parametrize(("text", "fragment"), [
    ("a: !!python/object:os.system x\n", "tag"),
    ("a: !!python/name:os.system x\n", "tag"),
    ("a: !custom x\n", "tag"),
    (BILLION_LAUGHS, "alias bomb"),
    ("[" * 100_000 + "]" * 100_000, "nesting deeper"),
    ("a:\n" + "".join("  " * i + "- \n" for i in range(1, 200)), "nesting deeper"),
    ("a: &x [1, *x]\n", "contains it"),
    ("a: *nowhere\n", "unknown alias"),
    ("a: 1\n---\nb: 2\n", "second YAML document"),
    ("a:\n\tb: 1\n", "syntax error"),
    ("a: [1, 2\n", "syntax error"),
    ("a: \x1b[31mred\n", "not allowed"),
    ("? [a, b]\n: c\n", "plain name"),
])
def test_hostile_yaml_is_refused_with_a_position(text: str, fragment: str) -> None:
    with pytest.raises(YamlProblem) as info:
        compose(text)
    assert fragment in info.value.message or fragment in info.value.hint


def test_tabs_get_a_hint_about_spaces() -> None:
    with pytest.raises(YamlProblem) as info:
        compose("a:\n\tb: 1\n")
    assert "spaces" in info.value.hint and info.value.line == 2


def test_depth_limit_is_generous_for_real_stories() -> None:
    text = "a:\n" + "".join("  " * i + "b:\n" for i in range(1, MAX_DEPTH - 2)) + "  " * (MAX_DEPTH - 2) + "c: 1\n"
    root, _ = compose(text)
    assert isinstance(root, Map)


def test_decode_reports_invalid_utf8_by_line_and_column() -> None:
    with pytest.raises(YamlProblem) as info:
        decode(b"a: 1\nb: caf\xe9\n")
    assert (info.value.line, info.value.col) == (2, 7)


def test_decode_accepts_a_byte_order_mark_and_refuses_nul() -> None:
    assert decode(b"\xef\xbb\xbfa: 1") == "a: 1"
    with pytest.raises(YamlProblem) as info:
        decode(b"a: 1\x00")
    assert "NUL" in info.value.message


def test_crlf_line_endings_read_like_lf() -> None:
    root, _ = compose("a: 1\r\nb: two\r\n")
    assert isinstance(root, Map) and [key.value for key, _ in root.pairs] == ["a", "b"]


def test_files_over_the_size_limit_are_refused_without_reading_them(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * (9 * 1024 * 1024))
    root, problems = load_file(str(big), "big.yaml")
    assert root is None and "limit" in problems[0].message


def test_load_file_turns_missing_files_into_problems(tmp_path: Path) -> None:
    root, problems = load_file(str(tmp_path / "nope.yaml"), "nope.yaml")
    assert root is None and "cannot read" in problems[0].message


def test_very_long_lines_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "long.yaml"
    path.write_text("a: " + "word " * 200_000 + "\n")
    root, problems = load_file(str(path), "long.yaml")
    assert problems == [] and isinstance(root, Map)


def _shape(node: object) -> object:
    if node is None:
        return None
    if isinstance(node, Scalar):
        return ("scalar", node.value, node.line, node.col, node.plain, node.style)
    if isinstance(node, Seq):
        return ("seq", node.line, node.col, [_shape(item) for item in node.items])
    assert isinstance(node, Map)
    return ("map", node.line, node.col, [(key.value, key.line, key.col, _shape(value)) for key, value in node.pairs])


def test_the_fast_and_the_event_composers_agree_on_every_real_file() -> None:
    from conftest import FEATURES, SHIPPED

    from adventure.source.yamlcompose import _compose_fast, compose_events

    files = [*SHIPPED.glob("*.yaml"), *FEATURES.rglob("*.yaml"), *(SHIPPED.parent / "docs" / "example").glob("*.yaml")]
    assert len(files) > 5
    for path in files:
        text = path.read_text()
        fast, fast_problems = _compose_fast(text)
        slow, slow_problems = compose_events(text)
        assert _shape(fast) == _shape(slow) and fast_problems == slow_problems, path


YAML_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text("abcxyz<", min_size=1, max_size=4), inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(YAML_VALUES, st.booleans())
def test_the_two_composers_agree_on_generated_yaml(value: object, flow: bool) -> None:
    import yaml

    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
    fast, slow = _by_both_composers(text, lambda err: ("problem", err.line, err.col))
    assert fast == slow


ALIAS_AND_KEY_CASES = [
    "base: &b {a: 1, b: 2}\nuse: *b\nagain: *b\n",
    "base: &b {a: 1, b: 2}\nthing:\n  <<: *b\n  b: 3\n  c: 4\n",
    "one: &o {x: 1}\ntwo: &t {y: 2}\nthing:\n  <<: [*o, *t]\n  x: 9\n",
    "a: 1\nb: 2\na: 3\nc: 4\nb: 5\n",
    "list: &l [1, 2, &inner {k: v}]\nmore: [*l, *l, *inner]\n",
    "text: She said *no* twice, &then left.\nother: '*quoted*'\n",
    "loop: &x [1, *x]\n",
    "loop: &m {a: *m}\n",
    "bad: !!python/object {}\n",
    "<<: {a: 1}\na: 2\n",
    "thing:\n  <<: 5\n",
]


@pytest.mark.parametrize("text", ALIAS_AND_KEY_CASES)
def test_the_fast_composer_agrees_with_the_event_loop_on_aliases_merges_and_duplicates(text: str) -> None:
    # an alias cycle is reported at the alias by one and at its anchor by the other
    fast, slow = _by_both_composers(text, lambda err: ("problem", err.line, "contains it" in err.message or (err.col, err.message)))
    assert fast == slow


def _by_both_composers(text: str, problem: Callable[[YamlProblem], object]) -> tuple[object, object]:
    """What libyaml's composer and the event loop each make of `text`: nodes and soft problems, or `problem(err)`."""
    from adventure.source.yamlcompose import _compose_fast, compose_events

    outcomes: list[object] = []
    for compose_with in (_compose_fast, compose_events):
        try:
            root, problems = compose_with(text)
            outcomes.append((_shape(root), problems))
        except YamlProblem as err:
            outcomes.append(problem(err))
    return outcomes[0], outcomes[1]


@pytest.mark.parametrize("other_break", ["\x85", "\u2028", "\u2029", "\r"])
def test_positions_count_only_newlines_as_line_breaks_as_editors_do(other_break: str) -> None:
    # libyaml (YAML 1.1) also breaks lines at NEL, LS, PS and a lone CR
    root, _ = compose(f"a: 'x{other_break}y'\nb: 2\nc: [1, 2]\n")
    assert isinstance(root, Map)
    assert [(key.value, key.line, value.line, value.col) for key, value in root.pairs] == [("a", 1, 1, 4), ("b", 2, 2, 4), ("c", 3, 3, 4)]
    with pytest.raises(YamlProblem) as raised:
        compose(f"{other_break}chapter: The House\nv")
    assert raised.value.line <= 2


DEEP = f"nesting deeper than {MAX_DEPTH} levels"


@pytest.mark.parametrize(("text", "line", "col"), [
    ("[" * 100_000 + "]" * 100_000, 1, MAX_DEPTH + 1),
    ("scenes: " + "[" * 2_000, 1, 8 + MAX_DEPTH),  # the mapping is the first level
    ("é: " + "[\n" * 1_500, MAX_DEPTH, 1),
    ("a: " + "[x: " * 1_500, 1, 5 + 4 * (MAX_DEPTH // 2 - 1)),  # each `[x: ` is a list and a mapping
    ("a:\n" + "".join("  " * i + "- \n" for i in range(1, 2_000)), MAX_DEPTH + 1, 2 * MAX_DEPTH + 1),
    ("a: '\u2028'\n\u2028b: " + "[\n" * 1_500, MAX_DEPTH + 1, 1),
], ids=["flow", "flow-in-mapping", "flow-over-lines", "flow-pairs", "block", "other-line-breaks"])
def test_deep_nesting_gets_our_message_position_and_hint_whatever_libyaml_refuses(text: str, line: int, col: int) -> None:
    # newer libyaml refuses about 1,000 levels in its own words, older never does: one answer for both
    with pytest.raises(YamlProblem) as info:
        compose(text)
    assert (info.value.line, info.value.col, info.value.message, info.value.hint) == (
        line, col, DEEP, "a story never needs this much nesting")


@pytest.mark.parametrize("text", [
    "a: " + "[\n" * 1_100 + "]\n" * 1_100,   # closed: libyaml's own composer reads all of it
    "a: " + "[\n" * 1_100,                   # never closed: nesting comes before the end of the file
    "a: [1, 2\nb: " + "[" * 100,             # a syntax error before the nesting
], ids=["closed", "unclosed", "error-first"])
def test_both_composers_name_the_first_problem_in_the_file(text: str) -> None:
    fast, slow = _by_both_composers(text, lambda err: (err.line, err.col, err.message, err.hint))
    assert fast == slow
