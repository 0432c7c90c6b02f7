"""The scene graph as Graphviz DOT or Mermaid text, optionally coloured by playthrough coverage."""

from __future__ import annotations

import os
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from adventure.source.textsafe import clean
from adventure.story.flow import return_targets
from adventure.story.model import Choice, Paragraph, Scene, Story
from adventure.story.template import Template

GraphFormat = Literal["dot", "mermaid"]
Level = Literal["never", "rare", "common"]

FORMATS: tuple[GraphFormat, ...] = ("dot", "mermaid")
IMAGE_FORMATS = ("svg", "png", "pdf")
MERMAID_SUFFIXES = (".mmd", ".mermaid")
LABEL_WIDTH = 32
CONDITION_WIDTH = 40
TITLE_WIDTH = 40
RARE_BELOW = 0.05
FONT = "Helvetica"

COLOURS: Mapping[str, str] = {"never": "#f4a6a6", "rare": "#f9c97c", "common": "#a8dca8"}
LEGEND: Mapping[str, str] = {
    "never": "never reached",
    "rare": f"reached in under {RARE_BELOW:.0%} of playthroughs",
    "common": f"reached in {RARE_BELOW:.0%} or more",
}
ENDING_FILL = "#e4dcf4"
# Mermaid class names (avoiding words that start with Mermaid's `end` keyword)
MERMAID_CLASSES: Mapping[str, str] = {
    "never": "unreached",
    "rare": "rare",
    "common": "common",
    "ending": "finale",
    "canonical": "canonical",
}
CANONICAL_FILL = "#ffe08a"
CANONICAL_STROKE = "#b8860b"

DOT_MISSING = (
    "adventure graph: rendering {name} needs Graphviz's `dot`, which is not on PATH.\n"
    "Install it (Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz),\n"
    "or write the graph as text, which needs nothing: adventure graph --format dot > story.dot\n"
)


# --- coverage ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Coverage:
    """How many of `runs` seeded random playthroughs reached each scene."""

    runs: int
    seed: int
    hits: Mapping[str, int]

    def level(self, scene_id: str) -> Level:
        """never (no playthrough), rare (under 5%), or common."""
        hits = self.hits.get(scene_id, 0)
        if hits == 0:
            return "never"
        return "rare" if hits < RARE_BELOW * self.runs else "common"


def measure_coverage(story: Story, runs: int, seed: int = 0) -> Coverage:
    """Play `runs` seeded random games (adventure.explore) and count the scenes they reach."""
    from adventure.tools.explore import random_playthroughs

    report = random_playthroughs(story, runs, seed)
    return Coverage(runs, seed, dict(report.scene_hits))


# --- the neutral graph -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GraphNode:
    """A scene as the graph shows it: label lines and what marks it."""

    id: str
    lines: tuple[str, ...]
    chapter: str
    ending: bool
    canonical: bool
    level: Level | None


@dataclass(frozen=True, slots=True)
class GraphEdge:
    """A choice as the graph shows it."""

    source: str
    target: str
    lines: tuple[str, ...]
    conditional: bool
    fallback: bool


def shorten(text: str, width: int) -> str:
    """One clean line of at most `width` characters, with … where it was cut."""
    text = " ".join(clean(text).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def template_source(template: Template) -> str:
    """A template as the author wrote it, with `{expression}` holes."""
    return "".join(part if isinstance(part, str) else "{" + part.source + "}" for part in template.parts)


def _node(scene: Scene, coverage: Coverage | None) -> GraphNode:
    lines = [shorten(template_source(scene.title), TITLE_WIDTH), scene.id]
    if scene.ending is not None:
        lines.append(shorten(f"ending: {scene.ending.name}", TITLE_WIDTH))
        if scene.ending.canonical:
            lines.append("★ canonical ending")
    level = None
    if coverage is not None:
        level = coverage.level(scene.id)
        lines.append(f"reached {coverage.hits.get(scene.id, 0)}/{coverage.runs}")
    canonical = scene.ending is not None and scene.ending.canonical
    return GraphNode(scene.id, tuple(lines), scene.chapter, scene.ending is not None, canonical, level)


def _edge(scene: Scene, choice: Choice, target: str) -> GraphEdge:
    lines = [shorten(template_source(choice.label), LABEL_WIDTH)]
    if choice.condition is not None:
        lines.append(shorten(f"[if {choice.condition.source}", CONDITION_WIDTH - 1) + "]")
    if choice.fallback:
        lines.append("[fallback]")
    if choice.flow != "goto":
        lines.append({"stay": "[stays]", "detour": "[detour]", "return": "[returns]"}[choice.flow])
    first = next((part for part in choice.reply if isinstance(part, Paragraph)), None)
    if choice.reply:
        lines.append(shorten("reply: " + (template_source(first.template) if first is not None else "(conditional)"), LABEL_WIDTH))
    return GraphEdge(scene.id, target, tuple(lines), choice.condition is not None, choice.fallback)


def chapters(story: Story, coverage: Coverage | None = None) -> dict[str, list[GraphNode]]:
    """Nodes grouped by chapter, chapters in the order they first appear ("" = no chapter)."""
    grouped: dict[str, list[GraphNode]] = {}
    for scene in story.scenes.values():
        grouped.setdefault(scene.chapter, []).append(_node(scene, coverage))
    return grouped


def edges(story: Story) -> list[GraphEdge]:
    """Every choice of every scene, in story order: a staying choice is a loop on its scene,
    and a return choice an edge to each scene whose detour it can return to."""
    returns = return_targets(story.scenes)
    result: list[GraphEdge] = []
    for scene in story.scenes.values():
        for choice in scene.choices:
            targets = sorted(returns.get(scene.id, ())) if choice.flow == "return" else [choice.target]
            result.extend(_edge(scene, choice, target) for target in targets)
    return result


# --- Graphviz DOT ------------------------------------------------------------------------


def dot_string(*lines: str) -> str:
    """A DOT quoted string of one or more label lines; story text cannot break out of it."""
    escaped = (clean(line).replace("\\", "\\\\").replace('"', '\\"') for line in lines)
    return '"' + "\\n".join(escaped) + '"'


def _dot_attributes(attributes: Mapping[str, str]) -> str:
    return "[" + ", ".join(f"{key}={value}" for key, value in attributes.items()) + "]"


def _dot_node(node: GraphNode) -> str:
    attributes = {"label": dot_string(*node.lines)}
    fill = COLOURS[node.level] if node.level is not None else ""
    if node.ending:
        attributes["shape"] = "doubleoctagon"
        fill = fill or (CANONICAL_FILL if node.canonical else ENDING_FILL)
    if node.canonical:
        attributes.update(penwidth="3", color=dot_string(CANONICAL_STROKE), fontname=dot_string(FONT + " Bold"))
    if fill:
        attributes["fillcolor"] = dot_string(fill)
    return f"{dot_string(node.id)} {_dot_attributes(attributes)};"


def to_dot(story: Story, coverage: Coverage | None = None) -> str:
    """The scene graph in Graphviz's DOT language."""
    out = [
        f"digraph {dot_string(story.id)} {{",
        f"  graph [label={dot_string(story.title)}, labelloc=t, fontname={dot_string(FONT)}];",
        f'  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname={dot_string(FONT)}];',
        f"  edge [fontname={dot_string(FONT)}, fontsize=10];",
        "",
        '  " start" [label="start", shape=circle, style=filled, fillcolor="#000000", fontcolor="#ffffff", fontsize=10];',
        f'  " start" -> {dot_string(story.start)} [penwidth=2];',
    ]
    for number, (chapter, nodes) in enumerate(chapters(story, coverage).items(), start=1):
        out.append("")
        indent = "  "
        if chapter:
            out.append(f"  subgraph {dot_string(f'cluster_{number}')} {{")
            out.append(f'    label={dot_string(chapter)}; style="rounded,dashed"; color="#888888";')
            indent = "    "
        out.extend(indent + _dot_node(node) for node in nodes)
        if chapter:
            out.append("  }")
    out.append("")
    for edge in edges(story):
        attributes = {"label": dot_string(*edge.lines)}
        if edge.fallback:
            attributes["style"] = "dotted"
        elif edge.conditional:
            attributes["style"] = "dashed"
        out.append(f"  {dot_string(edge.source)} -> {dot_string(edge.target)} {_dot_attributes(attributes)};")
    if coverage is not None:
        out.append("")
        out.append('  subgraph "cluster_legend" {')
        out.append(f'    label={dot_string(f"Coverage: {coverage.runs} random playthroughs, seed {coverage.seed}")}; style="rounded";')
        for level, text in LEGEND.items():
            out.append(f"    {dot_string('legend ' + level)} [label={dot_string(text)}, fillcolor={dot_string(COLOURS[level])}];")
        out.append("  }")
    out.append("}")
    return "\n".join(out) + "\n"


# --- Mermaid -----------------------------------------------------------------------------

# Inside a quoted Mermaid label these pass as they are; every other ASCII character becomes
# an entity code (#34; for "), so quotes, pipes, backticks and HTML cannot end the label.
_MERMAID_PLAIN = frozenset(string.ascii_letters + string.digits + " .,:;!?'-_/*+=~@$^%()[]{}\\")


def mermaid_string(*lines: str) -> str:
    """A quoted Mermaid label of one or more lines; story text cannot break out of it."""
    escaped = ("".join(char if char in _MERMAID_PLAIN or ord(char) > 127 else f"#{ord(char)};" for char in clean(line)) for line in lines)
    return '"' + "<br/>".join(escaped) + '"'


def to_mermaid(story: Story, coverage: Coverage | None = None) -> str:
    """The scene graph as a Mermaid flowchart."""
    ids = {scene_id: f"s{number}" for number, scene_id in enumerate(story.scenes)}
    out = [
        "%% Scene graph made by `adventure graph --format mermaid`",
        "flowchart TD",
        '  start_marker(("start")) ==> ' + ids[story.start],
        "  style start_marker fill:#000000,color:#ffffff",
    ]
    styles: list[str] = []
    classes: dict[str, list[str]] = {}
    for number, (chapter, nodes) in enumerate(chapters(story, coverage).items()):
        indent = "  "
        if chapter:
            out.append(f"  subgraph c{number}[{mermaid_string(chapter)}]")
            indent = "    "
        for node in nodes:
            node_id = ids[node.id]
            label = mermaid_string(*node.lines)
            out.append(f"{indent}{node_id}{{{{{label}}}}}" if node.ending else f"{indent}{node_id}[{label}]")
            if node.level is not None:
                classes.setdefault(node.level, []).append(node_id)
            elif node.ending:
                classes.setdefault("canonical" if node.canonical else "ending", []).append(node_id)
            if node.canonical:
                styles.append(f"  style {node_id} stroke:{CANONICAL_STROKE},stroke-width:4px")
        if chapter:
            out.append("  end")
    for edge in edges(story):
        arrow = "-.->" if edge.conditional or edge.fallback else "-->"
        out.append(f"  {ids[edge.source]} {arrow}|{mermaid_string(*edge.lines)}| {ids[edge.target]}")
    if coverage is not None:
        out.append(f"  subgraph legend[{mermaid_string(f'Coverage: {coverage.runs} random playthroughs, seed {coverage.seed}')}]")
        for level, text in LEGEND.items():
            out.append(f"    legend_{level}[{mermaid_string(text)}]")
            classes.setdefault(level, []).append(f"legend_{level}")
        out.append("  end")
    fills: dict[str, str] = {**COLOURS, "ending": ENDING_FILL, "canonical": CANONICAL_FILL}
    for key, members in classes.items():
        out.append(f"  classDef {MERMAID_CLASSES[key]} fill:{fills[key]}")
        out.append(f"  class {','.join(members)} {MERMAID_CLASSES[key]}")
    out.extend(styles)
    return "\n".join(out) + "\n"


def graph_text(story: Story, fmt: GraphFormat = "dot", coverage: Coverage | None = None) -> str:
    """The scene graph in the chosen text format."""
    return to_mermaid(story, coverage) if fmt == "mermaid" else to_dot(story, coverage)


# --- where the graph goes ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """What `--output` and `--format` ask for: a text format, and an image format for `dot -T`."""

    format: GraphFormat
    image: str = ""


def plan_output(output: str | None, fmt: str | None) -> Target:
    """Work out the text format and any image rendering; ValueError on a combination that cannot work."""
    suffix = os.path.splitext(output or "")[1].lower()
    image = suffix[1:] if suffix[1:] in IMAGE_FORMATS else ""
    chosen: GraphFormat = "mermaid" if fmt == "mermaid" or (fmt is None and suffix in MERMAID_SUFFIXES) else "dot"
    if image and chosen == "mermaid":
        raise ValueError(f"--format mermaid cannot render {output}: Graphviz renders DOT; write .mmd, or drop --format")
    return Target(chosen, image)


def dot_command(dot: str, image: str, output: str) -> list[str]:
    """The argument list that renders DOT from standard input into `output` (no shell involved)."""
    return [dot, f"-T{image}", "-o", output]
