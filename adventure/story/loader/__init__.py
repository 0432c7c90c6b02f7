"""Load a story folder into an immutable Story, reporting every problem at once (a stored copy when the files are unchanged)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from adventure.source.collector import collector_paused
from adventure.story.exprhints import suggestion_budget
from adventure.story.loader import cachekey

if TYPE_CHECKING:  # for types: the builder imports PyYAML, and a story found in the cache needs neither it nor problems
    from adventure.source.problems import Problem
    from adventure.story.loader.memo import LoadMemo
    from adventure.story.loader.xref import Recorder
    from adventure.story.model import Story

# The same name as titlepage.STORY_FILE, which is not imported here: it reads YAML, and a
# story found in the cache parses none.
STORY_FILE = "story.yaml"

__all__ = [
    "STORY_FILE", "LoadReport", "check_story", "check_story_parts", "find_files", "load_story", "story_cache_key", "story_signature",
]


class LoadReport:
    """What `check_story_parts` tells a caller that asks, beside the story: whether it is the story its key names,
    and figures the story cache kept for the files whose scenes came from it."""

    __slots__ = ("figures", "kept")

    def __init__(self) -> None:
        # found in the cache under its key, or read while no file changed (the key worked out again after the
        # load): what a caller keeps under the same key describes these files (no need to hash them again)
        self.kept = False
        # by path: its scenes' choices, words, endings (wordcount.figures), for the files whose scenes came from their entries
        self.figures: dict[str, tuple[int, int, int]] = {}


def find_files(root: str) -> list[str]:
    """Scene files below `root` (not story.yaml), sorted, skipping hidden files and folders."""
    found: list[str] = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or not name.endswith((".yaml", ".yml")):
                continue
            path = os.path.join(folder, name)
            if os.path.normpath(path) == os.path.normpath(os.path.join(root, STORY_FILE)):
                continue
            found.append(path)
    return found


def story_signature(root: str) -> tuple[tuple[str, int, int], ...]:
    """What changes when an author saves, adds or removes a story file: paths, modification times and sizes
    (`play --watch` and `check --watch` poll it; a file gone between the scan and its stat is left out)."""
    entries = []
    for path in [os.path.join(root, STORY_FILE), *find_files(root)]:
        try:
            info = os.stat(path)
        except OSError:
            continue
        entries.append((path, info.st_mtime_ns, info.st_size))
    return tuple(entries)


def story_cache_key(root: str) -> str | None:
    """The key the story cache keeps this story's files under (loader/cache.py), or None when the cache is off or
    the story is not cached (too small, or a file that is not a regular file inside the folder). A tool may keep
    what it finds in a story under the same key: the key changes whenever a file or this program does."""
    if not cachekey.usable() or not os.path.isfile(os.path.join(root, STORY_FILE)):
        return None
    return cachekey.story_key(root, [os.path.join(root, STORY_FILE), *find_files(root)])


def load_story(root: str) -> Story:
    """Load and check a story; raise StoryError listing every problem."""
    story, problems = check_story(root)
    if story is None or problems:
        from adventure.source.problems import Problem, StoryError  # only a story with problems needs them

        raise StoryError(problems or [Problem(root, 0, 0, "story could not be loaded", code="E012")])
    return story


def check_story(
    root: str, overlay: Mapping[str, str] | None = None, recorder: Recorder | None = None, memo: LoadMemo | None = None
) -> tuple[Story | None, list[Problem]]:
    """Load a story, returning it (when it has no errors) and all problems found.

    An editor passes `overlay` (its unsaved buffers: text by path, in place of those files) and a
    `recorder` (to learn where every name is declared and used). A program that loads the same
    story again and again (`play --watch`, the language server) passes the same `memo` each
    time: files that did not change are then neither parsed nor compiled again (loader/memo.py).
    """
    story, problems = check_story_parts(root, overlay, recorder, memo)
    return (None if problems else story), problems


def check_story_parts(
    root: str, overlay: Mapping[str, str] | None = None, recorder: Recorder | None = None, memo: LoadMemo | None = None,
    *, key: str | None = None, report: LoadReport | None = None,
) -> tuple[Story | None, list[Problem]]:
    """As `check_story`, but with errors too the story is returned, made of the parts that
    loaded (scenes, choices and effects that had no error): for tools that look further,
    such as `adventure check` showing warnings beside errors. Never play such a story.

    A story without problems is kept in the user's cache folder (loader/cache.py) and, while
    none of its files changes, read from there: no YAML is parsed and nothing is checked again.
    With a memo, which keeps more and costs nothing to reach, that cache is not used. A `report` is filled in
    (LoadReport)."""
    from adventure.story.loader import cache  # the model and its decoder: not for a tool that only needs the key

    if overlay or recorder is not None or memo is not None:
        key = None
    elif key is None:  # a caller that looked the story up under its key already gives it: the files are not hashed twice
        key = story_cache_key(root)
    with collector_paused(freeze_survivors=True), suggestion_budget():
        stored = cache.load(key, report.figures if report is not None else None) if key is not None else None
        if stored is not None:
            if report is not None:
                report.kept = True
            return stored, []
        from adventure.story.loader.build import build_story  # PyYAML and the compilers: only when something is read
        from adventure.story.loader.filereuse import FileReuse

        # the files that did not change since a load that stored them come from their entries
        reuse = FileReuse() if key is not None else None
        story, problems = build_story(root, overlay or {}, recorder, memo, reuse)
        if reuse is not None and reuse.rebuild:
            reuse = None  # an entry was not what its file holds: the story as its files are
            story, problems = build_story(root, overlay or {}, recorder, memo)
        # stored only if no file changed while it was read (an entry must hold what its key names);
        # with the collector still paused: encoding allocates a tuple per object
        if (
            reuse is not None and key is not None and story is not None and not problems
            and cachekey.story_key(root, list(story.files)) == key
        ):
            cache.store(key, story, reuse.entries(), reuse.around)
            if report is not None:
                report.kept = True
        if report is not None and reuse is not None:
            report.figures = {path: reuse.found[path].figures for path in reuse.decoded}
    return story, problems
