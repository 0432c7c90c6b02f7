"""A cache of checked stories in the user's cache folder, as marshalled plain values: each scene file's compiled
scenes keyed by its path and text, and each whole story (its Env and header, naming its files' entries) by every file's content."""

from __future__ import annotations

import contextlib
import marshal
import os
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from adventure.source.cachedir import cache_folder, content_hash, read_entry, touch, write_entry
from adventure.story.expr import ExprError
from adventure.story.loader.cacheformat import SHAPE, Decoder, Unstorable, encode_env, encode_scenes, encode_shell
from adventure.story.loader.cachekey import FORMAT, program
from adventure.story.loader.cachekey import story_key as story_key  # its key, found here before cachekey.py
from adventure.story.model import Scene, Story, Variable
from adventure.story.wordcount import figures

MAGIC = b"adventure story %d\n" % FORMAT
FILE_MAGIC = b"adventure scenes %d\n" % FORMAT
KIND, FILE_KIND = "stories", "files"
MAX_ENTRIES = 64  # whole stories: small, since their scenes are in their files' entries
MAX_FILE_ENTRIES = 2000
MAX_FOLDER_BYTES = 512 * 1024 * 1024  # each folder


def file_key(path: str, text_hash: bytes) -> str:
    """The key of one scene file's entry: its path and text (`text_hash`, the SHA-256 of its UTF-8, which the loader
    works out once for the story's fingerprint too), this program and the format."""
    digest = content_hash(f"{FORMAT}\0{SHAPE}\0{program()}\0{path}\0".encode("utf-8", "surrogatepass"))
    digest.update(text_hash)
    return digest.hexdigest()


@dataclass(slots=True)
class FileFacts:
    """What a scene file declares, as the loader reads it before compiling: enough to declare it
    again without reading it, while the files before it declare none of the same names."""

    ids: list[tuple[str, str, int, int]]  # its scenes in order: id, chapter, where the id is written (line, col)
    variables: list[Variable]  # the variables it declares, in order
    values: int  # YAML values its text expands to (the story's bound counts them)
    reusable: bool  # False when it declares codex entries or snippets, which are read from their nodes
    used: list[str]  # the snippets its scenes use
    around: bytes  # a digest of what the rest of the story offered its scenes when they were compiled (memo.surroundings)


@dataclass(slots=True)
class FileEntry:
    """A scene file's entry, its scenes still as plain values (decoded only when the story around them is the same)."""

    key: str
    facts: FileFacts
    scenes: Any
    figures: tuple[int, int, int]  # its scenes' choices, words and endings (wordcount.figures), for `check`'s summary


def load_file(key: str, decoder: Decoder) -> FileEntry | None:
    """A scene file's entry, its facts decoded; None when there is none that can be used."""
    folder = cache_folder(FILE_KIND)
    if folder is None:
        return None
    path = os.path.join(folder, key + ".scenes")
    payload = read_entry(path, FILE_MAGIC)
    if payload is None:
        return None
    try:
        stored = marshal.loads(payload)
        if type(stored) is not tuple or len(stored) != 8:
            return None
        ids, variables, values, reusable, used, around, scenes, counted = stored
        if (
            type(ids) is not list or type(values) is not int or type(reusable) is not bool or type(around) is not bytes
            or type(used) is not list or not all(type(name) is str for name in used) or type(scenes) is not list
            or type(counted) is not tuple or len(counted) != 3 or not all(type(count) is int for count in counted)
        ):
            return None
        for scene_id, chapter, line, col in ids:  # a tuple of another length: ValueError
            if type(scene_id) is not str or type(chapter) is not str or type(line) is not int or type(col) is not int:
                return None
        facts = FileFacts(ids, decoder.objects(variables, Variable), values, reusable, used, around)
    except (ValueError, EOFError, TypeError, IndexError, KeyError, RecursionError, ExprError, AttributeError):
        return None
    touch(path)  # in use: evicted last
    return FileEntry(key, facts, scenes, counted)


def file_scenes(entry: FileEntry, decoder: Decoder) -> list[Scene] | None:
    """An entry's scenes, decoded against the decoder's Env; None when they are not the scenes its facts name."""
    try:
        scenes = decoder.objects(entry.scenes, Scene)
    except (ValueError, EOFError, TypeError, IndexError, KeyError, RecursionError, ExprError, AttributeError):
        return None
    if [scene.id for scene in scenes] != [scene_id for scene_id, _, _, _ in entry.facts.ids]:
        return None
    return scenes


def load(key: str, figures: dict[str, tuple[int, int, int]] | None = None) -> Story | None:
    """The story stored under `key`, or None when there is none that can be used (missing,
    damaged, stale or foreign entries, its own or any of its files', are all simply missed, never trusted).
    `figures` is given each file's figures as its entry keeps them, by the file's path (its scenes')."""
    folder = cache_folder(KIND)
    if folder is None:
        return None
    payload = read_entry(os.path.join(folder, key + ".story"), MAGIC)
    if payload is None:
        return None
    decoder = Decoder()
    try:
        stored = marshal.loads(payload)
        if type(stored) is not tuple or len(stored) != 4 or type(stored[2]) is not list or type(stored[3]) is not bytes:
            return None
        env, shell, files, around = stored
        decoder.decode_env(env)
        scenes: dict[str, Scene] = {}
        counted: dict[str, tuple[int, int, int]] = {}
        for file in files:
            if type(file) is not str:
                return None
            entry = load_file(file, decoder)
            if entry is None or entry.facts.around != around:
                return None
            found = file_scenes(entry, decoder)
            if found is None:
                return None
            for scene in found:
                scenes[scene.id] = scene
            if found:  # an entry's scenes were all compiled from its file: they name its path
                counted[found[0].where.path] = entry.figures
        story = decoder.decode_shell(shell, MappingProxyType(scenes))
        if figures is not None:
            figures.update(counted)
        return story
    except (ValueError, EOFError, TypeError, IndexError, KeyError, RecursionError, ExprError, AttributeError):
        return None


def store(key: str, story: Story, files: list[tuple[str, FileFacts | None]], around: bytes) -> None:
    """Keep a checked story for the next load of the same files: an entry for each scene file
    read this time (`files`: its key, and its facts when it was read rather than found), and one
    for the story naming them."""
    folder, file_folder = cache_folder(KIND), cache_folder(FILE_KIND)
    if folder is None or file_folder is None or story.env is None:
        return
    try:
        for file, facts in files:
            if facts is not None:
                scenes = [story.scenes[scene_id] for scene_id, _, _, _ in facts.ids]
                stored = (
                    facts.ids, encode_scenes(facts.variables, story.env), facts.values, facts.reusable, facts.used, facts.around,
                    encode_scenes(scenes, story.env), figures(scenes),
                )
                write_entry(os.path.join(file_folder, file + ".scenes"), FILE_MAGIC, marshal.dumps(stored))
        payload = marshal.dumps((encode_env(story.env), encode_shell(story), [file for file, _ in files], around))
    except (Unstorable, ValueError, KeyError, RecursionError):
        return
    write_entry(os.path.join(folder, key + ".story"), MAGIC, payload)
    _evict(folder, ".story", MAX_ENTRIES)
    _evict(file_folder, ".scenes", MAX_FILE_ENTRIES)


def _evict(folder: str, suffix: str, most: int) -> None:
    """Keep the folder small: every edit of a story makes a new entry, so only the most recently
    written or used `most` (and at most MAX_FOLDER_BYTES in all) are kept."""
    try:
        found = [entry for entry in os.scandir(folder) if entry.name.endswith(suffix)]
        entries = [(entry.stat().st_mtime_ns, entry.stat().st_size, entry.path) for entry in found]
    except OSError:
        return
    entries.sort(reverse=True)
    total = 0
    for number, (_, size, path) in enumerate(entries):
        total += size
        if number >= most or total > MAX_FOLDER_BYTES:
            with contextlib.suppress(OSError):
                os.unlink(path)
