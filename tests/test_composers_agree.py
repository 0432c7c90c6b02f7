"""One input, one answer: libyaml's composer path and the event loop agree on every file."""

from __future__ import annotations

import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from adventure.source.yamlcompose import FAST_PATH_MAX_OPENERS, _compose_fast, compose_events
from adventure.source.yamlnodes import Map, Node, Scalar, Seq, YamlProblem, has_other_line_breaks
from adventure.source.yamlsource import decode

HOSTILE = ROOT / "tests" / "hostile"


def _shape(node: Node | None) -> object:
    if node is None or isinstance(node, Scalar):
        return node and ("scalar", node.value, node.line, node.col, node.plain, node.style)
    if isinstance(node, Seq):
        return ("seq", node.line, node.col, [_shape(item) for item in node.items])
    return ("map", node.line, node.col, [(key.value, key.line, key.col, _shape(value)) for key, value in node.pairs])


def _outcome(text: str, fast: bool) -> object:
    try:
        root, problems = (_compose_fast if fast else compose_events)(text)
    except YamlProblem as err:
        return ("refused", err.line, err.col, err.message, err.hint, err.code)
    return (_shape(root), problems)


def both_agree(text: str) -> None:
    """The two readers give the same nodes or the same refusal (where `compose` may use either:
    text too bracketed for libyaml's recursive composer, or counting lines unlike editors, only
    ever goes to the event loop)."""
    if text.count("[") + text.count("{") > FAST_PATH_MAX_OPENERS or has_other_line_breaks(text):
        return
    assert _outcome(text, fast=True) == _outcome(text, fast=False), text[:300]


def _corpus() -> list[str]:
    texts = []
    for path in sorted(HOSTILE.glob("*.yaml")):
        try:
            texts.append(decode(path.read_bytes()))
        except YamlProblem:
            continue  # not text: neither reader sees it
    return texts


def test_both_readers_agree_on_the_hostile_corpus() -> None:
    corpus = _corpus()
    assert len(corpus) > 40
    for text in corpus:
        both_agree(text)


@pytest.mark.parametrize("text", [
    "a: &x 1\nb: &x 2\nc: *x\n",                       # an anchor defined again (valid YAML; yaml-test-suite 3GZX)
    "a: &x [1]\nb: &x {c: 2}\nd: *x\ne: *x\n",
    "a: !!timestamp 2001-01-01\n",
    "a: !!value x\n",
    "<<: !!merge {a: 1}\n",
    "a: !!merge x\n",
    "a: !!str 3\nb: !!int 4\nc: !!bool yes\nd: !!null ''\n",
    "loop: &x [1, *x]\n",
    "loop: &m {a: *m}\n",
    "base: &b {a: 1}\nthing:\n  <<: [*b, *b]\n  a: 2\n",
    "a: *nowhere\n",
    "a: 1\n---\nb: 2\n",
    "a: [1, 2\nb: 3\n",
])
def test_both_readers_agree_on_anchors_and_tags(text: str) -> None:
    both_agree(text)


def test_a_redefined_anchor_means_its_latest_node_in_both() -> None:
    root, _ = _compose_fast("a: &x 1\nb: &x 2\nc: *x\n")
    assert isinstance(root, Map) and isinstance(root.get("c"), Scalar) and root.get("c").value == "2"  # type: ignore[union-attr]


FRAGMENTS = st.sampled_from([
    "a", "b", "<<", "'q'", '"d"', "1", "yes", "~", "", "&x", "&y", "*x", "*y", "!!str", "!!int", "!!timestamp", "!!merge",
    "!!value", "!!map", "!!seq", "!local", "[", "]", "{", "}", ",", ": ", "- ", "? ", "#c", "|", ">", "\t", "2001-01-01",
])


@st.composite
def yaml_texts(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 8))):
        indent = " " * draw(st.sampled_from([0, 0, 2, 4]))
        pieces = draw(st.lists(FRAGMENTS, min_size=1, max_size=6))
        lines.append(indent + " ".join(pieces))
    return "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None)
@given(yaml_texts())
def test_both_readers_agree_on_generated_yaml_with_anchors_tags_and_merges(text: str) -> None:
    both_agree(text)



def test_an_anchored_paragraph_used_many_times_is_refused_by_its_expanded_text() -> None:
    from adventure.source.yamlnodes import MAX_EXPANDED_NODES, MAX_EXPANDED_TEXT

    paragraph = "word " * 20_000  # 100,000 characters
    uses = MAX_EXPANDED_TEXT // len(paragraph) + 1  # a few hundred values: far below the node bound
    assert uses * 2 < MAX_EXPANDED_NODES
    text = f"p: &p {paragraph}\nuses: [{', '.join(['*p'] * uses)}]\n"
    assert len(text) < 1_000_000  # a small file
    for fast in (True, False):
        outcome = _outcome(text, fast)
        assert outcome[0] == "refused" and outcome[1:3] == (2, 7), outcome  # type: ignore[index]
        assert outcome[3] == f"the file expands to more than {MAX_EXPANDED_TEXT:,} characters of text"  # type: ignore[index]
    under = f"p: &p {paragraph}\nuses: [{', '.join(['*p'] * (uses // 2))}]\n"
    assert _outcome(under, fast=True) == _outcome(under, fast=False) and _outcome(under, fast=True)[0] != "refused"  # type: ignore[index]
