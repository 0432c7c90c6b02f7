"""A story folder as an editor sees it: its problems and where every name is declared and used."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from adventure.source.problems import Problem
from adventure.story.loader import STORY_FILE, check_story_parts
from adventure.story.loader.memo import LoadMemo
from adventure.story.loader.xref import Recorder, Symbol
from adventure.story.model import CodexEntry, Scene, Story, Variable
from adventure.tools.analysis import analyse
from adventure.tools.facts import FactsMemo

GRAPH_WARNINGS = frozenset({"W101", "W102", "W103", "W104"})


@dataclass(frozen=True, slots=True)
class StoryIndex:
    """One load of a story folder (with the editor's unsaved buffers), kept for answering requests."""

    root: str
    problems: tuple[Problem, ...]
    symbols: tuple[Symbol, ...]
    texts: Mapping[str, str]  # every file's text, as it was read
    story: Story | None
    scenes: Mapping[str, Scene]  # the scenes that compiled, even when the story as a whole has errors
    variables: Mapping[str, Variable]
    codex: Mapping[str, CodexEntry]
    codex_titles: Mapping[str, str]
    chapters: Mapping[str, str]  # scene id -> chapter, for every declared scene
    by_file: dict[str, list[Symbol]] = field(default_factory=dict, compare=False)

    def symbol_at(self, path: str, line: int, col: int) -> Symbol | None:
        """The name under a cursor (line and column from 1)."""
        for symbol in self.by_file.get(path, ()):
            if symbol.covers(path, line, col):
                return symbol
        return None

    def declarations(self, symbol: Symbol) -> list[Symbol]:
        found = [other for other in self.symbols if other.declares and _same(symbol, other)]
        if symbol.kind == "snippet" and len(found) > 1:
            # a snippet of this file's own, else the story's
            own = [other for other in found if other.owner == symbol.where.path]
            found = own or [other for other in found if not other.owner] or found
        return found

    def references(self, symbol: Symbol, include_declaration: bool = True) -> list[Symbol]:
        if symbol.kind == "snippet":
            declared = symbol if symbol.declares else next(iter(self.declarations(symbol)), symbol)
            return [
                other for other in self.symbols
                if _same(symbol, other) and (include_declaration or not other.declares)
                and ((other.declares and other == declared) or (not other.declares and self.declarations(other)[:1] == [declared]))
            ]
        return [other for other in self.symbols if _same(symbol, other) and (include_declaration or not other.declares)]

    def declared(self, kind: str) -> list[Symbol]:
        return [symbol for symbol in self.symbols if symbol.declares and symbol.kind == kind]

    def choices_leading_to(self, scene_id: str) -> int:
        return sum(
            choice.target == scene_id and choice.flow in ("goto", "detour") for scene in self.scenes.values() for choice in scene.choices
        )

    @property
    def story_file(self) -> str:
        return os.path.join(self.root, STORY_FILE)


def _same(one: Symbol, other: Symbol) -> bool:
    if one.kind == "snippet":  # which declaration a use means depends on its file: see declarations()
        return other.kind == "snippet" and one.name == other.name
    return one.kind == other.kind and one.name == other.name and one.owner == other.owner


def build_index(
    root: str, overlay: Mapping[str, str] | None = None, memo: LoadMemo | None = None, facts: FactsMemo | None = None
) -> StoryIndex:
    """Load a story with the editor's buffers in place of their files; errors, then warnings if it loads.
    With the `memo` of the previous index, only the files that changed are parsed and compiled again, and with
    its `facts`, only their scenes walked again for the warnings (tools/facts.py)."""
    recorder = Recorder()
    parts, problems = check_story_parts(root, overlay, recorder, memo)
    warnings = analyse(parts, facts) if parts is not None else []
    if problems:  # as `adventure check`: warnings beside errors, but none for a file with errors (its broken parts are missing)
        broken = {problem.path for problem in problems}
        # a choice that did not load is missing from the graph: reachability would blame sound scenes
        warnings = [warning for warning in warnings if warning.path not in broken and warning.code not in GRAPH_WARNINGS]
    story = parts if not problems else None
    env = recorder.env
    by_file: dict[str, list[Symbol]] = {}
    for symbol in recorder.symbols:
        by_file.setdefault(symbol.where.path, []).append(symbol)
    return StoryIndex(
        root=root,
        problems=tuple([*problems, *warnings]),
        symbols=tuple(recorder.symbols),
        texts=dict(recorder.texts),
        story=story,
        scenes=dict(recorder.scenes),
        variables=dict(recorder.variables),
        codex=dict(recorder.codex),
        codex_titles=dict(env.codex_titles) if env is not None else {},
        chapters=dict(env.chapters) if env is not None else {},
        by_file=by_file,
    )


def story_root(path: str) -> str | None:
    """The story folder a file belongs to: the nearest folder at or above it holding story.yaml."""
    folder = os.path.dirname(os.path.abspath(path))
    while True:
        if os.path.isfile(os.path.join(folder, STORY_FILE)):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
