"""What `adventure check` finds in a story (warnings, summary), and `check --watch`'s re-checks, which read again only what changed."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from adventure.source.collector import collector_paused
from adventure.source.problems import Problem
from adventure.story.loader import check_story_parts
from adventure.story.model import Scene, Story
from adventure.story.wordcount import figures
from adventure.tools.analysis import analyse_all
from adventure.tools.checkcache import Checked
from adventure.tools.counts import summary
from adventure.tools.facts import FactsMemo

if TYPE_CHECKING:
    from adventure.story.loader.memo import LoadMemo

Signature = tuple[tuple[str, int, int], ...]  # loader.story_signature: (path, modification time, size) of every file


def findings(
    parts: Story | None, problems: list[Problem], known: Mapping[str, tuple[int, int, int]], memo: FactsMemo | None = None
) -> Checked:
    """What `check` shows of a story loaded by `check_story_parts` (its parts, when it has errors): its warnings
    shown and silenced, and its summary; `known` gives some files' figures (summary), so they are not counted again,
    and `memo` what the analysis found in files it saw before (facts.py)."""
    # Warnings come from every part that loaded, so they are shown beside the errors.
    warnings, silenced = analyse_all(parts, memo) if parts is not None else ([], [])
    if problems:  # a file with errors lacks its broken parts: its own warnings would mislead, and wait
        broken = {problem.path for problem in problems}
        warnings = [warning for warning in warnings if warning.path not in broken]
        silenced = [warning for warning in silenced if warning.path not in broken]
    counted = summary(parts, known) if parts is not None else {}
    return Checked(parts.title if parts is not None else "", warnings, silenced, counted)


@dataclass(frozen=True, slots=True)
class Changes:
    """The story files added, removed and edited between two signatures, by path, sorted."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    edited: tuple[str, ...]

    def paths(self, root: str) -> dict[str, list[str]]:
        """The same, relative to the story folder (for --format json)."""
        return {kind: [os.path.relpath(path, root) for path in paths] for kind, paths in self._kinds()}

    def describe(self, root: str, most: int = 3) -> str:
        """`chapters/a.yaml changed; b.yaml added`: at most `most` names of each kind, then how many more."""
        said = []
        for kind, paths in self._kinds():
            if paths:
                names = ", ".join(os.path.relpath(path, root) for path in paths[:most])
                more = f" and {len(paths) - most} more" if len(paths) > most else ""
                said.append(f"{names}{more} {'changed' if kind == 'edited' else kind}")
        return "; ".join(said) or "files touched"

    def _kinds(self) -> list[tuple[str, tuple[str, ...]]]:
        return [("edited", self.edited), ("added", self.added), ("removed", self.removed)]


def changes(before: Signature, after: Signature) -> Changes:
    """What an author did to the story's files between two looks at them."""
    old, new = {path: rest for path, *rest in before}, {path: rest for path, *rest in after}
    return Changes(
        tuple(sorted(path for path in new if path not in old)),
        tuple(sorted(path for path in old if path not in new)),
        tuple(sorted(path for path in new if path in old and new[path] != old[path])),
    )


class Rechecker:
    """Checks one story again and again in one process: a file is read and compiled again only when its text
    changed (loader/memo.py), and its scenes' words counted and their facts for the warnings gathered again only
    when its scenes were built again.

    What it finds equals a fresh `check`'s of the same files; nothing is read from or written to the cache folder.
    """

    def __init__(self, root: str) -> None:
        from adventure.story.loader.memo import LoadMemo  # the compilers: only a watching check needs them here

        self.root = root
        self.memo: LoadMemo = LoadMemo()
        self.facts = FactsMemo()  # what the analysis gathered from each file's scenes
        # by path: the file's scenes as last counted (the same objects while the memo keeps them) and their figures
        self._counted: dict[str, tuple[list[Scene], tuple[int, int, int]]] = {}
        self.counted_files: list[str] = []  # every file whose words were counted, in order: for tests and benchmarks

    def check(self) -> tuple[Checked, list[Problem]]:
        """The story as its files are now: what `check` shows of it, and its problems."""
        # the analysis allocates a few hundred thousand objects that make no cycles and die with it: with the
        # collector running at its default threshold, scanning them took as long again as the analysis itself
        with collector_paused():
            parts, problems = check_story_parts(self.root, memo=self.memo)
            known = self._figures(parts) if parts is not None else {}
            return findings(parts, problems, known, self.facts), problems

    def _figures(self, story: Story) -> dict[str, tuple[int, int, int]]:
        """Every file's (choices, words, endings): counted again only for a file whose scenes are not those counted before."""
        by_file: dict[str, list[Scene]] = {}
        for scene in story.scenes.values():
            found = by_file.get(scene.where.path)
            if found is None:
                by_file[scene.where.path] = [scene]
            else:
                found.append(scene)
        counted: dict[str, tuple[list[Scene], tuple[int, int, int]]] = {}
        for path, scenes in by_file.items():
            known = self._counted.get(path)
            if known is None or len(known[0]) != len(scenes) or any(old is not new for old, new in zip(known[0], scenes, strict=True)):
                known = (scenes, figures(scenes))
                self.counted_files.append(path)
            counted[path] = known
        self._counted = counted
        return {path: numbers for path, (_, numbers) in counted.items()}
