"""Building a story from its files: reading, declaring, compiling and cross-checking, every problem reported."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from types import MappingProxyType

from adventure.source.problems import Problem
from adventure.source.textsafe import clean
from adventure.source.yamlsource import (
    MAX_FILE_BYTES,
    Map,
    Node,
    Scalar,
    Seq,
    YamlProblem,
    compose_text,
    load_file_text,
    load_text,
    read_text,
)
from adventure.story.expr import Env, VarInfo
from adventure.story.exprhints import suggest
from adventure.story.flow import returns_in, within
from adventure.story.loader import find_files
from adventure.story.loader.declarations import Declarations, RawScene, read_header
from adventure.story.loader.filereuse import FileReuse
from adventure.story.loader.memo import LoadMemo, compile_scenes, declare, surroundings
from adventure.story.loader.reader import Reader
from adventure.story.loader.scenes import SceneCompiler
from adventure.story.loader.snippets import build as build_snippets
from adventure.story.loader.xref import Recorder
from adventure.story.model import CodexEntry, Scene, Story
from adventure.story.titlepage import STORY_FILE

MAX_FILES = 2000
MAX_STORY_BYTES = 16 * 1024 * 1024  # all files together (one file may hold up to 8 MiB)
MAX_STORY_VALUES = 4_000_000  # YAML values of all files together, aliases counted at each use


def _read(
    path: str, overlay: Mapping[str, str], recorder: Recorder | None, memo: LoadMemo | None
) -> tuple[str | None, Node | None, list[Problem]]:
    if memo is None:
        text, node, problems = load_text(overlay[path], path) if path in overlay else load_file_text(path, path)
    elif path in overlay:
        buffer = overlay[path]
        text, node, problems = memo.read(path, buffer, True, lambda: load_text(buffer, path))
    else:
        try:
            source = read_text(path)
        except YamlProblem as err:
            return None, None, [Problem(path, err.line, err.col, err.message, err.hint, code=err.code)]
        text, node, problems = memo.read(path, source, False, lambda: compose_text(source, path))
    if recorder is not None and text is not None:
        recorder.texts[path] = text
    return text, node, problems


def _read_or_reuse(
    path: str, reuse: FileReuse, decls: Declarations, problems: list[Problem]
) -> tuple[str | None, int | None, Node | None, list[Problem], tuple[int, bytes]]:
    """(text, YAML values, None, [], its size and hash) for a file declared from its cache entry, else
    (text, None, root node, problems, its size and hash) as read."""
    try:
        source = read_text(path)
    except YamlProblem as err:
        return None, None, None, [Problem(path, err.line, err.col, err.message, err.hint, code=err.code)], _measured(None)
    measured = _measured(source)
    values = reuse.declare(path, source, measured[1], decls, problems)
    if values is not None:
        return source, values, None, [], measured
    text, node, read_problems = compose_text(source, path)
    reuse.values[path] = _values(node)
    return text, None, node, read_problems, measured


def _measured(text: str | None) -> tuple[int, bytes]:
    """A file's text as the story's bounds and fingerprint (and the story cache's file keys) take it: its size in
    UTF-8 and the SHA-256 of that, worked out once."""
    if text is None:
        return 0, b""
    data = text.encode("utf-8", "surrogatepass")
    return len(data), hashlib.sha256(data).digest()


def _with_unsaved(root: str, files: list[str], overlay: Mapping[str, str]) -> list[str]:
    """The scene files on disk, and those an editor has open under the folder but not saved yet."""
    known = set(files)
    story_path = os.path.normpath(os.path.join(root, STORY_FILE))
    for path in overlay:
        relative = os.path.relpath(path, root)
        if (
            path not in known and path != story_path and path.endswith((".yaml", ".yml")) and not relative.startswith("..")
            and not any(part.startswith(".") for part in relative.split(os.sep))
        ):
            files.append(path)
    return sorted(files)


def build_story(
    root: str, overlay: Mapping[str, str], recorder: Recorder | None, memo: LoadMemo | None = None, reuse: FileReuse | None = None
) -> tuple[Story | None, list[Problem]]:
    """The story (made of the parts that loaded, when there are errors) and every problem in it.
    With `reuse`, scene files unchanged since an earlier load come from the story cache (loader/filereuse.py)."""
    problems: list[Problem] = []
    story_path = os.path.join(root, STORY_FILE)
    if not os.path.isdir(root):
        return None, [Problem(root, 0, 0, "no such story folder", "give the folder that holds story.yaml", code="E012")]
    if not os.path.lexists(story_path):
        return None, [
            Problem(
                story_path, 0, 0, "story.yaml is missing", "a story folder needs story.yaml with id, title, version and start", code="E012"
            )
        ]
    inside = os.path.realpath(root)
    if not _inside(inside, story_path):
        outside = "story.yaml links to a place outside the story folder"
        return None, [Problem(story_path, 0, 0, outside, "copy the file into the story instead of linking to it", code="E002")]
    if not os.path.isfile(story_path):  # a folder, a pipe, a device: never opened
        return None, [Problem(story_path, 0, 0, "story.yaml is not a regular file", "story.yaml must be a text file", code="E002")]
    decls = Declarations()
    digest = hashlib.sha256()
    header_text, header_root, file_problems = _read(story_path, overlay, recorder, memo)
    header_reader = Reader(story_path, problems, header_text, decls.unreadable, recorder)
    if header_root is None and file_problems:
        decls.unreadable.add(story_path, MAX_FILE_BYTES)
    problems.extend(file_problems)
    if header_root is None and not file_problems:
        problems.append(Problem(story_path, 1, 1, "story.yaml is empty", "it needs id, title, version and start", code="E012"))
    elif header_root is not None:
        read_header(header_reader, header_root, decls)
    _digest(digest, story_path, root, header_text, _measured(header_text)[1])
    files = find_files(root)
    if overlay:
        files = _with_unsaved(root, files, overlay)
    if len(files) > MAX_FILES:
        problems.append(Problem(root, 0, 0, f"{len(files)} scene files; the limit is {MAX_FILES}", code="E012"))
        files = files[:MAX_FILES]
    # the story as a whole is bounded too: many files each just under the per-file limits
    # would otherwise add up to hours of work and gigabytes of memory
    total_bytes = len(header_text.encode("utf-8", "surrogatepass")) if header_text else 0
    total_values = _values(header_root)
    texts: dict[str, str | None] = {}  # each scene file's text as read: a memo reuses a file's compile only for the same text
    for index, path in enumerate(files):
        if total_bytes + _size_on_disk(path) > MAX_STORY_BYTES or total_values > MAX_STORY_VALUES:
            problems.append(_too_large(path, len(files) - index))
            decls.unreadable.everything = True  # the files not read may declare anything
            files = files[:index]
            break
        if not _inside(inside, path):
            problems.append(
                Problem(
                    path,
                    0,
                    0,
                    "this file links to a place outside the story folder",
                    "copy the file into the story instead of linking to it",
                    code="E002",
                )
            )
            continue
        if reuse is not None:
            text, values, node, file_problems, (size, hashed) = _read_or_reuse(path, reuse, decls, problems)
            if values is not None:  # declared from its entry
                total_bytes += size
                total_values += values
                _digest(digest, path, root, text, hashed)
                texts[path] = text
                continue
        else:
            text, node, file_problems = _read(path, overlay, recorder, memo)
            size, hashed = _measured(text)
        problems.extend(file_problems)
        total_bytes += size
        total_values += _values(node)
        _digest(digest, path, root, text, hashed)
        texts[path] = text
        if not file_problems or node is not None:
            declare(Reader(path, problems, text, decls.unreadable, recorder), node, decls, memo)
        else:
            decls.unreadable.add(path, MAX_FILE_BYTES)
    env = Env(
        variables={name: VarInfo(v.type, v.members, v.min, v.max) for name, v in decls.variables.items()},
        scenes=frozenset(decls.scenes),
        codex_titles={key: _raw_title(raw.node) for key, raw in decls.codex.items()},
        chapters={scene_id: _raw_chapter(raw) for scene_id, raw in decls.scenes.items()},
    )
    if memo is not None:
        memo.reuse_expressions(env)
    if reuse is not None:
        reuse.note_declared(decls, env)
    snippets = build_snippets(decls, env)
    compiler = SceneCompiler(decls, env, snippets)
    scenes: dict[str, Scene] = {}
    codex: dict[str, CodexEntry] = {}
    if recorder is not None:
        recorder.env, recorder.variables, recorder.scenes, recorder.codex = env, decls.variables, scenes, codex
    around = surroundings(header_text, env, decls, snippets, recorder is not None) if memo is not None or reuse is not None else None
    if reuse is not None:
        reuse.set_around(around)
    compile_scenes(compiler, decls, texts, problems, recorder, memo, around, scenes, reuse)
    for entry_id, raw_entry in decls.codex.items():
        entry = compiler.codex_entry(raw_entry)
        if entry is not None:
            codex[entry_id] = entry
    status = compiler.status(header_reader, decls.header.status)
    _cross_checks(decls, env.scenes, scenes, header_reader, problems)
    if memo is not None:
        memo.keep_only({story_path, *texts})
    header = decls.header
    story = Story(
        id=header.id, title=header.title, version=header.version, start=header.start, root=root,
        scenes=MappingProxyType(scenes), variables=MappingProxyType(dict(decls.variables)),
        codex=MappingProxyType(codex), status=status, author=header.author, blurb=header.blurb,
        renamed=MappingProxyType({old: new for old, (new, _) in header.renamed.items()}),
        files=(story_path, *files), fingerprint=digest.hexdigest()[:16], env=env, snippets=snippets.decls(), ignore=header.ignore,
    )
    return story, problems


def _inside(folder: str, path: str) -> bool:
    """Whether `path`, links followed, is inside `folder` (already a real path)."""
    return os.path.commonpath([folder, os.path.realpath(path)]) == folder


def _size_on_disk(path: str) -> int:
    """The bytes reading the file would add; 0 for a file the reader refuses unread."""
    try:
        size = os.stat(path).st_size
    except OSError:
        return 0  # unreadable: the reader reports it
    return size if size <= MAX_FILE_BYTES else 0  # too large on its own: refused, never read


def _values(node: Node | None) -> int:
    """How many values a file's YAML expands to (aliases counted at each use)."""
    if node is None:
        return 0
    return node.size if isinstance(node, (Map, Seq)) else 1


def _too_large(path: str, left: int) -> Problem:
    return Problem(
        path, 0, 0,
        f"the story is larger than the limit ({MAX_STORY_BYTES:,} bytes or {MAX_STORY_VALUES:,} YAML values in all files together); "
        f"this file and {left - 1:,} more were not read",
        "a story this large is almost certainly generated by mistake; split it into smaller stories",
        code="E012",
    )


def _raw_title(node: Map) -> str:
    title = node.get("title")
    return clean(title.value) if isinstance(title, Scalar) else ""


def _raw_chapter(raw: RawScene) -> str:
    chapter = raw.node.get("chapter")
    return clean(chapter.value) if isinstance(chapter, Scalar) else raw.chapter


def _digest(digest: hashlib._Hash, path: str, root: str, text: str | None, hashed: bytes) -> None:
    """Fold a file's text, as the loader read it (`hashed`: the SHA-256 of its UTF-8, from _measured), into the story's fingerprint."""
    if text is None:
        return  # unreadable: the loader has reported it, and such a story has no fingerprint
    digest.update(os.path.relpath(path, root).encode("utf-8", "replace") + b"\0")
    digest.update(hashed)


def _cross_checks(
    decls: Declarations, scene_ids: frozenset[str], scenes: dict[str, Scene], header: Reader, problems: list[Problem]
) -> None:
    start = decls.header.start
    if start and start not in scene_ids and not decls.unreadable.might_declare(start):
        node = decls.header.start_node
        hint = suggest(start, scene_ids) or (
            "no scenes were found: put scene files beside story.yaml" if not scene_ids else "check the scene id"
        )
        header.error("E202", node, f"start scene `{start}` does not exist", hint)
    returning = returns_in(scenes, scenes) if start in scenes else []
    if returning:  # only then is the walk through the story's scenes needed
        frame = within(scenes, start)
        for scene_id in [scene_id for scene_id in returning if scene_id in frame]:
            scene = scenes[scene_id]
            choice = next(choice for choice in scene.choices if choice.flow == "return")
            problems.append(
                Problem(
                    choice.where.path, choice.where.line, choice.where.col,
                    f"scene `{scene_id}` has a `return` choice, but the story reaches it outside any detour, with nothing to return to",
                    "reach this scene with `detour:` instead of `goto:`, or give the choice a `goto:`",
                    code="E212",
                )
            )
    endings: dict[str, Scene] = {}
    canonical: list[Scene] = []
    for scene in scenes.values():
        if scene.ending is None:
            continue
        other = endings.get(scene.ending.id)
        if other is not None:
            problems.append(
                Problem(
                    scene.where.path,
                    scene.where.line,
                    scene.where.col,
                    f"ending id `{scene.ending.id}` is used twice (also by scene `{other.id}` at {other.where})",
                    "give each ending its own id",
                    code="E209",
                )
            )
        endings[scene.ending.id] = scene
        if scene.ending.canonical:
            canonical.append(scene)
    for extra in canonical[1:]:
        problems.append(
            Problem(
                extra.where.path,
                extra.where.line,
                extra.where.col,
                f"more than one canonical ending (`{canonical[0].id}` and `{extra.id}`)",
                "mark only the story's true ending canonical",
                code="E210",
            )
        )
    for old, (new, node) in decls.header.renamed.items():
        if new not in scene_ids and not decls.unreadable.might_declare(new):
            header.error("E211", node, f"renamed: `{old}` points at `{new}`, which does not exist", suggest(new, scene_ids))
        if old in scene_ids:
            header.error("E211", node, f"renamed: `{old}` still exists as a scene", "remove the rename, or the old scene")
