"""The line reader of plain YAML answers exactly as libyaml's path does, or leaves the text to it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FEATURES, ROOT, SHIPPED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adventure.source.yamlcompose import FAST_PATH_MAX_OPENERS, _compose_fast, compose_events
from adventure.source.yamlnodes import YamlProblem, has_other_line_breaks
from adventure.source.yamlquick import compose_quick
from adventure.source.yamlsource import decode

BENCH_SHAPED = """\
# a comment before the root
scenes:
  - id: k_1
    title: k_1
    text:
      - Remembers gate that broken knife, keeper hollow. It's {weird} [or] not?
      - 'Quoted: with a colon, and '' a quote'
    choices:
      - label: Leave the quiet gate.
        goto: k_7543
      - label:   "Question the dark gate."
        if: 'not flag_11'
        effects:
          - add: {counter_0: -1}
          - set: {flag_4: false, inventory: [item_1, 'item 2']}
    ending: {id: k_544, name: End of k_544}
  - id: k_2

    title: x
tags:
- a
-   b
empty: []
none: {}
"""


def _libyaml_paths(text: str) -> list[object]:
    """What each of the two older readers makes of `text` (nodes and soft problems, or the refusal)."""
    outcomes: list[object] = []
    readers = [compose_events]
    if text.count("[") + text.count("{") <= FAST_PATH_MAX_OPENERS and not has_other_line_breaks(text):
        readers.append(_compose_fast)
    for reader in readers:
        try:
            outcomes.append(reader(text))
        except YamlProblem as err:
            outcomes.append(("refused", err.line, err.col, err.message, err.code))
        except RecursionError:
            outcomes.append("too deep")
    return outcomes


def quick_agrees(text: str) -> bool:
    """Whether the line reader answered; when it did, its nodes (sizes and text counts too) equal the others'."""
    quick = compose_quick(text)
    if quick is None:
        return False
    for outcome in _libyaml_paths(text):
        assert quick == outcome, text[:400]
    return True


def test_a_story_shaped_file_is_read_by_the_line_reader_exactly_as_by_libyaml() -> None:
    assert quick_agrees(BENCH_SHAPED)


def test_mappings_of_thousands_of_keys_are_read_as_libyaml_reads_them() -> None:
    # Keys are checked for duplicates as they come; they are kept in sets, so a hostile file of
    # many keys costs time in proportion to its size (it was quadratic while they were lists).
    many = 5_000
    assert quick_agrees("".join(f"key_{number}: value\n" for number in range(many)))
    assert quick_agrees("effects: {" + ", ".join(f"key_{number}: value" for number in range(many)) + "}\n")
    one_duplicate = "".join(f"key_{number % (many - 1)}: value\n" for number in range(many))
    assert compose_quick(one_duplicate) is None  # libyaml's path reports it


def test_the_line_reader_reads_every_real_story_file_as_libyaml_does() -> None:
    files = [*SHIPPED.glob("*.yaml"), *FEATURES.rglob("*.yaml"), *(ROOT / "docs" / "example").rglob("*.yaml")]
    assert len(files) > 5
    answered = sum(quick_agrees(path.read_text(encoding="utf-8")) for path in files)
    assert answered >= 1


def test_the_line_reader_reads_a_generated_benchmark_story_as_libyaml_does(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    generator.generate(600, str(tmp_path), per_file=300)
    files = sorted(tmp_path.rglob("*.yaml"))
    assert files and all(quick_agrees(path.read_text(encoding="utf-8")) for path in files)


def test_the_line_reader_leaves_every_hostile_file_to_libyaml_or_agrees_with_it() -> None:
    for path in sorted((ROOT / "tests" / "hostile").glob("*.yaml")):
        try:
            text = decode(path.read_bytes())
        except YamlProblem:
            continue
        quick_agrees(text)


@pytest.mark.parametrize("value", [
    "{a: 1}", "{a: -1}", "{a: -}", "{a: - b}", "{a:  b c  }", "{a: b}  ", "{a: b} x", "{a: 'b'}", "{ a: b }", "{a: b, c: d}",
    "{a: b:c}", "{a: [b, c]}", "{a-1: .5}", "{a: +x}", "{a: b #c}", "{a: x'y}", "{a:b}", "{a: }", "{a: {b: c}}",
])
def test_a_flow_mapping_is_read_as_libyaml_reads_it(value: str) -> None:
    for text in (f"key: {value}\n", f"- {value}\n", f"list:\n  - add: {value}\n"):
        quick_agrees(text)
    assert quick_agrees("effects:\n  - add: {counter_0: 1}\n  - set: {flag: false}\n  - end: {id: k_1, name: End of k_1}\n")


@pytest.mark.parametrize("text", [
    "a: 1\na: 2\n",                      # a duplicate key: reported by the other path
    "a:\nb: 1\n",                         # a key without a value
    "a: &x 1\nb: *x\n",                   # anchors and aliases
    "a: !!str 1\n",                       # a tag
    "a: |\n  text\n",                     # a block scalar
    "a: b\n  c\n",                        # a plain scalar on two lines
    "a: 'b\n  c'\n",                      # a quoted one
    "a: b # note\n",                      # a comment after a value
    "a: b: c\n",                          # a colon that YAML refuses
    "a:\tb\n",                            # a tab
    "a: 1\r\nb: 2\r\n",                   # carriage returns
    "a: 1\n---\nb: 2\n",                  # two documents
    "- a\nb: 1\n",                        # a second root
    "a: [1, 2\n",                         # an unclosed bracket
    "a: \"x\\ty\"\n",                     # an escape
    "a: 1\n b: 2\n",                      # indentation that YAML refuses
    "<<: {a: 1}\n",                       # a merge key
    "a: \x07\n",                          # a control character
    "text\n",                             # a scalar as the root
    "",                                   # nothing
    "# only a comment\n",
    "- - a\n",                            # a list in a list on one line
    "-\n  a: 1\n",                        # an item on the next line
    "a:\n  - b\n  c: 1\n",                # a key after a list at a deeper column
])
def test_text_outside_the_plain_subset_is_left_to_libyaml(text: str) -> None:
    assert compose_quick(text) is None


# Story-like YAML, with every kind of text the line reader must either read right or refuse
# (rarely enough that most texts stay readable, so that answers are compared, not refusals).
SAFE_WORDS = st.sampled_from([
    "a", "id", "k_1", "Go on", "x-y", "-3", "3", "yes", "~", "a b  c", "it's", 'say "hi"', "a:b", "a#b", "é", "日本", "\U0001f600",
    "\u00a0", "x, y", "{a}", "[b]", "...",
])
ODD_WORDS = st.sampled_from([
    "", "a: b", "a #b", "#c", "-", "- x", "---", "&x", "*x", "!!str", "|", ">", "@", "`", "%", "?", "? x", ":x", "{", "}", "[", "]",
    ",", "\t", "'", '"', "\\", "''", "a ", " a", "a:", "\u2028", "\x85", "\x7f", "\ufeff",
])
SAFE_KEYS = st.sampled_from(["id", "title", "a", "b", "k-1", "x_2", "0", "text", "choices"])
ODD_KEYS = st.sampled_from(["é", "a b", "<<", "'q'", '"d"', "-", "?", ""])
SAFE_GAPS = st.sampled_from([" ", " ", " ", "  ", "   "])  # after a `:` or a `-`


class Kinds:
    """What a generated text may hold: only what the line reader reads, or anything."""

    def __init__(self, odd: bool) -> None:
        self.words = st.one_of(*[SAFE_WORDS] * 15, ODD_WORDS) if odd else SAFE_WORDS
        # without odd text, keys are seldom written twice in one mapping (that is left to libyaml)
        self.keys = st.one_of(SAFE_KEYS, SAFE_KEYS, ODD_KEYS) if odd else st.builds("{}{}".format, SAFE_KEYS, st.integers(0, 10**6))
        self.gaps = st.one_of(SAFE_GAPS, st.just("")) if odd else SAFE_GAPS
        self.odd = odd


def _scalar(draw: st.DrawFn, kinds: Kinds) -> str:
    text = " ".join(draw(st.lists(kinds.words, min_size=1, max_size=3)))
    style = draw(st.sampled_from(["plain", "plain", "plain", "plain", "single", "double"]))
    if style == "single":
        return "'" + text.replace("'", draw(st.sampled_from(["''", "'"]))) + "'"
    if style == "double":
        return '"' + text + '"'
    return text


def _flow(draw: st.DrawFn, kinds: Kinds, depth: int) -> str:
    items = []
    as_map = draw(st.booleans())
    for _ in range(draw(st.integers(0, 3))):
        value = _flow(draw, kinds, depth + 1) if depth < 2 and draw(st.integers(0, 4)) == 0 else _scalar(draw, kinds)
        items.append(f"{draw(kinds.keys)}:{draw(kinds.gaps)}{value}" if as_map else value)
    inside = draw(st.sampled_from([", ", ", ", ", ", ",", " , "])).join(items)
    pad = " " * draw(st.integers(0, 1))
    return ("{" + pad + inside + pad + "}") if as_map else ("[" + pad + inside + pad + "]")


def _block(draw: st.DrawFn, kinds: Kinds, lines: list[str], indent: int, depth: int) -> None:
    """A block mapping or list at `indent`, written into `lines`."""
    as_list = draw(st.integers(0, 2)) == 0
    step = draw(st.sampled_from([2, 2, 1, 3, 4]))
    for _ in range(draw(st.integers(1, 4))):
        prefix = " " * indent + ("-" + draw(SAFE_GAPS) if as_list else "")
        if as_list and depth < 4 and draw(st.booleans()):  # `- key: value` and the item's other keys below it
            item_indent = len(prefix)
            first = True
            for _ in range(draw(st.integers(1, 3))):
                _pair(draw, kinds, lines, prefix if first else " " * item_indent, item_indent, depth + 1)
                first = False
            continue
        if as_list:
            lines.append(prefix + _value(draw, kinds))
        else:
            _pair(draw, kinds, lines, prefix, indent, depth, step)
        if draw(st.integers(0, 6)) == 0:
            lines.append(" " * draw(st.integers(0, 6)) + draw(st.sampled_from(["", "# note", "#", "   "])))


def _pair(draw: st.DrawFn, kinds: Kinds, lines: list[str], prefix: str, indent: int, depth: int, step: int = 2) -> None:
    key = draw(kinds.keys)
    if depth < 4 and draw(st.integers(0, 2)) == 0:
        lines.append(f"{prefix}{key}:" + draw(kinds.gaps))
        nested = indent + draw(st.sampled_from([step, step, step, step, step, 0, 1]))
        _block(draw, kinds, lines, nested, depth + 1)
        return
    lines.append(f"{prefix}{key}:{draw(kinds.gaps)}{_value(draw, kinds)}" + draw(st.sampled_from(["", "", "", " "])))


def _value(draw: st.DrawFn, kinds: Kinds) -> str:
    return _flow(draw, kinds, 0) if draw(st.integers(0, 4)) == 0 else _scalar(draw, kinds)


@st.composite
def story_like_yaml(draw: st.DrawFn, odd: bool = True) -> str:
    kinds = Kinds(odd)
    lines: list[str] = []
    if draw(st.integers(0, 5)) == 0:
        lines.append(draw(st.sampled_from(["# a story", "---", "%YAML 1.1\n---", ""])))
    _block(draw, kinds, lines, draw(st.sampled_from([0, 0, 0, 1, 2])), 0)
    if odd and draw(st.integers(0, 5)) == 0 and lines:  # a slip: one character changed, inserted or removed
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        at = draw(st.integers(0, len(line)))
        slip = draw(st.sampled_from(["", " ", "-", ":", "#", "'", '"', "{", "[", "\t", "a", "&a", "*a"]))
        lines[index] = line[:at] + slip + line[at + 1:]
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n"]))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(story_like_yaml(odd=True), story_like_yaml(odd=False)))
def test_the_line_reader_agrees_with_libyaml_on_generated_story_like_yaml(text: str) -> None:
    quick_agrees(text)


def test_the_generated_yaml_is_mostly_read_by_the_line_reader() -> None:
    """So that the test above compares answers, not only refusals."""
    answered = []

    @settings(max_examples=300, deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
    @given(story_like_yaml(odd=False))
    def count(text: str) -> None:
        answered.append(quick_agrees(text))

    count()
    assert sum(answered) >= len(answered) // 5  # about a third, from run to run


YAML_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text("abcxyz<", min_size=1, max_size=4), inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(YAML_VALUES, st.booleans())
def test_the_line_reader_agrees_with_libyaml_on_yaml_written_by_pyyaml(value: object, flow: bool) -> None:
    import yaml

    quick_agrees(yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True))


def test_a_story_in_plain_yaml_is_loaded_without_importing_pyyaml(tmp_path: Path) -> None:
    import subprocess
    import sys

    from conftest import env_for_subprocess, write_story

    header = "id: s\ntitle: S\nversion: 1\nstart: a\n"
    scene = "scenes:\n  - id: a\n    title: A\n    text: Hi.\n    ending: {id: e, name: E}\n"
    plain = write_story(tmp_path / "plain", {"story.yaml": header, "a.yaml": scene})
    # a folded block (`>`) is beyond the line reader: libyaml reads that file
    folded = write_story(tmp_path / "folded", {"story.yaml": header, "a.yaml": scene.replace("text: Hi.", "text: >\n      Hi.")})
    probe = "import sys; from adventure.story.loader import load_story; load_story(sys.argv[1]); print('yaml' in sys.modules)"
    env = {**env_for_subprocess(), "ADVENTURE_NO_CACHE": "1"}
    for story, imported in ((plain, "False"), (folded, "True")):
        result = subprocess.run([sys.executable, "-c", probe, str(story)], env=env, capture_output=True, text=True, check=True)
        assert result.stdout.strip() == imported
