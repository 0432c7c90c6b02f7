"""`adventure graph`: DOT and Mermaid scene graphs, escaping, coverage colours, rendering."""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FEATURES, SHIPPED, write_story

from adventure.cli import main
from adventure.story.loader import check_story, load_story
from adventure.tools.graph import COLOURS, Coverage, graph_text, measure_coverage, plan_output, shorten, to_dot, to_mermaid

StoryDir = Callable[[dict[str, str]], Path]

HOSTILE_TITLE = 'Say "hi" \\N to ]; evil -> x [ {{braces}} <b>bold</b> `tick` #35; & | pipe'
HOSTILE_LABEL = 'Go "now" ]; a -> b [label="pwn"] \\l'
TITLE_SHOWN = HOSTILE_TITLE.replace("{{", "{").replace("}}", "}")  # a template's {{ is a literal {

HOSTILE = {
    "story.yaml": """\
        id: hostile
        title: 'A "story" } digraph x {'
        version: 1
        start: end
        variables:
          trust: {type: int}
        """,
    "scenes.yaml": f"""\
        chapter: 'Part "one" ]; end; subgraph x ['
        scenes:
          - id: end
            title: {json.dumps(HOSTILE_TITLE)}
            text: Hello.
            choices:
              - label: {json.dumps(HOSTILE_LABEL)}
                goto: graph
                if: trust >= 6 and "]\\"" in "x"
              - label: Stay
                goto: end
                fallback: true
          - id: graph
            title: The end
            text: Bye.
            ending: {{id: done, name: 'The "Real" End', canonical: true}}
        """,
}

# a scene reached in every game, one in about 2% of games, and one in none
COVERAGE_STORY = {
    "story.yaml": """\
        id: odds
        title: Odds
        version: 1
        start: hall
        variables:
          dice: {type: int, min: 1, max: 25, default: 1}
          key: {type: bool}
        """,
    "scenes.yaml": """\
        scenes:
          - id: hall
            title: Hall
            text: A hall.
            on_enter:
              - roll: {into: dice, min: 1, max: 25}
            choices:
              - label: Leave
                goto: out
              - label: Lucky door
                goto: lucky
                if: dice == 1
              - label: Locked door
                goto: locked
                if: key
          - id: lucky
            title: Lucky
            text: Lucky you.
            choices:
              - label: Leave
                goto: out
          - id: locked
            title: Locked
            text: Never opened.
            choices:
              - label: Leave
                goto: out
          - id: out
            title: Out
            text: Outside.
            ending: {id: out, name: Outside}
        """,
}

_DOT_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_MERMAID_LABEL = re.compile(r'"([^"]*)"')


def run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(args, stdin=io.StringIO(), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _dot_unescape(quoted: str) -> list[str]:
    """The label lines of a DOT quoted string, as Graphviz reads them."""
    lines: list[str] = []
    current: list[str] = []
    index, body = 0, quoted[1:-1]
    while index < len(body):
        char = body[index]
        if char == "\\":
            following = body[index + 1]
            if following == "n":
                lines.append("".join(current))
                current = []
            else:
                current.append(following)
            index += 2
            continue
        current.append(char)
        index += 1
    return [*lines, "".join(current)]


def _mermaid_unescape(label: str) -> list[str]:
    return [re.sub(r"#([0-9]+);", lambda match: chr(int(match.group(1))), line) for line in label.split("<br/>")]


# --- DOT ----------------------------------------------------------------------------------


def test_dot_has_chapter_clusters_start_marker_endings_and_conditions() -> None:
    dot = to_dot(load_story(str(FEATURES)))
    assert dot.startswith('digraph "features" {') and dot.rstrip().endswith("}")
    assert 'label="The House";' in dot and 'label="The Vault";' in dot and 'label="The Games Room";' in dot
    assert '" start" -> "hall"' in dot
    rich = next(line for line in dot.splitlines() if line.strip().startswith('"rich_end" ['))
    poor = next(line for line in dot.splitlines() if line.strip().startswith('"poor_end" ['))
    assert "shape=doubleoctagon" in rich and "shape=doubleoctagon" in poor
    assert "penwidth=3" in rich and "canonical ending" in rich and "penwidth" not in poor
    assert '"hall" -> "hall" [label="Pay the doorman\\n[if coins > 0]", style=dashed];' in dot
    assert '"dice_room" -> "hall" [label="Go back\\n[fallback]", style=dotted];' in dot
    assert '"vault" -> "rich_end" [label="Take the gold"];' in dot


def test_dot_keeps_hostile_story_text_inside_its_quotes(story_dir: StoryDir) -> None:
    dot = to_dot(load_story(str(story_dir(HOSTILE))))
    outside = _DOT_STRING.sub("Q", dot)
    for payload in ("evil", "pwn", "digraph x", "subgraph x", "Real"):
        assert payload not in outside
    labels = [_dot_unescape(match.group(0)) for match in _DOT_STRING.finditer(dot)]
    assert [shorten(TITLE_SHOWN, 40), "end"] in [lines[:2] for lines in labels]
    assert any(lines[0] == shorten(HOSTILE_LABEL, 32) and lines[1] == '[if trust >= 6 and "]\\"" in "x"]' for lines in labels)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_accepts_the_hostile_graph_and_shows_the_text_verbatim(story_dir: StoryDir, tmp_path: Path) -> None:
    output = tmp_path / "hostile.svg"
    code, _, err = run(["graph", str(story_dir(HOSTILE)), "--output", str(output), "--coverage", "5"])
    assert code == 0, err
    svg = output.read_text(encoding="utf-8")
    assert "The &quot;Real&quot; End" in svg
    assert "Part &quot;one&quot; ]; end; subgraph x [" in svg


def test_long_labels_are_cut_with_an_ellipsis() -> None:
    assert shorten("short", 10) == "short"
    assert shorten("a label that goes on and on", 10) == "a label t…"
    assert shorten("line\nbreak", 20) == "line␊break"


# --- Mermaid ------------------------------------------------------------------------------


def test_mermaid_uses_safe_ids_subgraphs_and_shapes() -> None:
    text = to_mermaid(load_story(str(FEATURES)))
    lines = text.splitlines()
    assert lines[1] == "flowchart TD"
    assert '  subgraph c0["The House"]' in lines and "  end" in lines
    assert "start_marker((\"start\")) ==> s0" in text
    assert any(line.strip().startswith("s3{{") and "canonical ending" in line for line in lines)
    assert '  s0 -.->|"Pay the doorman<br/>[if coins #62; 0]"| s0' in lines
    assert "  style s3 stroke:#b8860b,stroke-width:4px" in lines


def test_mermaid_keeps_hostile_story_text_inside_its_quotes(story_dir: StoryDir) -> None:
    text = to_mermaid(load_story(str(story_dir(HOSTILE))))
    labels = _MERMAID_LABEL.findall(text)
    for label in labels:
        body = label.replace("<br/>", "\n")  # our own line breaks are the only markup
        assert not set(body) & set("<>`|&") and not re.search(r"#(?![0-9]+;)", body)
    outside = _MERMAID_LABEL.sub("Q", text)
    for payload in ("evil", "pwn", "subgraph x", "Real"):
        assert payload not in outside
    decoded = [_mermaid_unescape(label) for label in labels]
    assert ["Part \"one\" ]; end; subgraph x ["] in decoded
    assert [shorten(TITLE_SHOWN, 40), "end"] in [lines[:2] for lines in decoded]
    assert any(lines[0] == "The end" and lines[2] == 'ending: The "Real" End' for lines in decoded)


# --- coverage -----------------------------------------------------------------------------


def test_coverage_levels_follow_the_five_percent_line() -> None:
    coverage = Coverage(runs=200, seed=0, hits={"a": 9, "b": 10, "c": 200})
    assert [coverage.level(scene) for scene in ("nowhere", "a", "b", "c")] == ["never", "rare", "common", "common"]


def test_coverage_colours_scenes_by_how_often_playthroughs_reach_them(story_dir: StoryDir) -> None:
    story = load_story(str(story_dir(COVERAGE_STORY)))
    coverage = measure_coverage(story, 400, seed=3)
    assert coverage.hits["hall"] == 400 and coverage.hits.get("locked", 0) == 0
    assert 0 < coverage.hits["lucky"] < 20
    dot = to_dot(story, coverage)
    fills = {match.group(1): match.group(0) for match in re.finditer(r'^ +"([^"]+)" \[label=.*$', dot, re.MULTILINE)}
    assert f'fillcolor="{COLOURS["common"]}"' in fills["hall"] and "reached 400/400" in fills["hall"]
    assert f'fillcolor="{COLOURS["rare"]}"' in fills["lucky"]
    assert f'fillcolor="{COLOURS["never"]}"' in fills["locked"] and "reached 0/400" in fills["locked"]
    assert '"cluster_legend"' in dot and "never reached" in dot and "Coverage: 400 random playthroughs, seed 3" in dot
    mermaid = to_mermaid(story, coverage)
    assert "  class s2,legend_never unreached" in mermaid and "  class s1,legend_rare rare" in mermaid
    assert graph_text(story, "mermaid", coverage) == mermaid


# --- the command --------------------------------------------------------------------------


def test_graph_prints_dot_by_default_and_writes_text_files(tmp_path: Path) -> None:
    code, out, _ = run(["graph", str(FEATURES)])
    assert code == 0 and out.startswith('digraph "features"')
    assert run(["graph", str(FEATURES), "--output", str(tmp_path / "g.dot")])[0] == 0
    assert (tmp_path / "g.dot").read_text(encoding="utf-8") == out
    assert run(["graph", str(FEATURES), "--output", str(tmp_path / "g.mmd")])[0] == 0
    assert "flowchart TD" in (tmp_path / "g.mmd").read_text(encoding="utf-8")


def test_graph_without_graphviz_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    code, out, err = run(["graph", str(FEATURES), "--output", str(tmp_path / "story.svg")])
    assert code == 1 and out == ""
    assert "apt-get install graphviz" in err and "brew install graphviz" in err and "--format dot > story.dot" in err
    assert not (tmp_path / "story.svg").exists()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graph_renders_svg_and_png_through_graphviz(tmp_path: Path) -> None:
    assert run(["graph", str(FEATURES), "--output", str(tmp_path / "story.svg")])[0] == 0
    assert "<svg" in (tmp_path / "story.svg").read_text(encoding="utf-8")
    assert run(["graph", str(FEATURES), "--output", str(tmp_path / "story.png")])[0] == 0
    assert (tmp_path / "story.png").read_bytes().startswith(b"\x89PNG")


def test_graph_wrong_usage_exits_two_and_a_broken_story_exits_one(story_dir: StoryDir, tmp_path: Path) -> None:
    assert run(["graph", str(FEATURES), "--format", "mermaid", "--output", str(tmp_path / "x.svg")])[0] == 2
    assert run(["graph", str(FEATURES), "--coverage", "0"])[0] == 2
    assert run(["graph", str(FEATURES), "--format", "svg"])[0] == 2
    code, out, err = run(["graph", str(story_dir({"story.yaml": "id: broken\n"}))])
    assert code == 1 and out == "" and "has no `title`" in err


def test_output_plan_picks_format_from_the_file_name() -> None:
    assert (plan_output(None, None).format, plan_output(None, None).image) == ("dot", "")
    assert plan_output("a.mmd", None).format == "mermaid"
    assert plan_output("a.MMD", "dot").format == "dot"
    assert plan_output("story.PDF", None).image == "pdf"
    with pytest.raises(ValueError, match="mermaid"):
        plan_output("story.png", "mermaid")


def test_graph_of_the_shipped_story_covers_every_scene() -> None:
    story, _ = check_story(str(SHIPPED))
    if story is None:
        pytest.skip("the shipped story does not load at the moment")
    code, out, _ = run(["graph"])
    assert code == 0
    nodes = {line.split()[0].strip('"') for line in out.splitlines() if re.match(r'\s+"[^ "]+" \[label=', line)}
    assert nodes == set(story.scenes)


def test_graph_writes_nothing_when_the_story_is_broken(tmp_path: Path) -> None:
    root = write_story(tmp_path / "bad", {"story.yaml": "id: x\ntitle: X\nversion: 1\nstart: nowhere\n"})
    assert run(["graph", str(root), "--output", str(tmp_path / "out.dot")])[0] == 1
    assert not (tmp_path / "out.dot").exists()
