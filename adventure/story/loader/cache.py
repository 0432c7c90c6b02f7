"""A cache of whole checked stories in the user's cache folder, as marshalled plain values, keyed by every file's content."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import marshal
import os
import stat
import sys

from adventure.source.cachedir import cache_folder, enabled, read_entry, write_entry
from adventure.story.expr import ExprError
from adventure.story.loader.cacheformat import SHAPE, Unstorable, decode, encode
from adventure.story.model import Story

# Bumped whenever what is stored changes meaning; entries of another format are simply missed.
FORMAT = 1
MAGIC = b"adventure story %d\n" % FORMAT
# Smaller stories load in less time than hashing, reading and rebuilding an entry takes.
MIN_CACHED_BYTES = 32 * 1024
KIND = "stories"
MAX_ENTRIES = 12
MAX_FOLDER_BYTES = 512 * 1024 * 1024
MAX_KEYED_BYTES = 16 * 1024 * 1024  # the loader refuses more in all files together: such a load has problems, and is not stored

def usable() -> bool:
    """Whether the cache is on (else no key is worth computing); its folder is made only when an entry is read or written."""
    return enabled()


def story_key(root: str, paths: list[str]) -> str | None:
    """A hash of everything a load of these files depends on (their contents, where they are,
    this program, PyYAML and Python), or None when the story is not worth or not safe to cache:
    small, or holding a file that is not a regular file inside the folder (the loader reports those)."""
    digest = hashlib.sha256(f"{FORMAT}\0{SHAPE}\0{_program()}\0{root}\0".encode("utf-8", "surrogatepass"))
    inside = os.path.realpath(root)
    total = 0
    for path in paths:
        try:
            info = os.stat(path)
            if not stat.S_ISREG(info.st_mode) or total + info.st_size > MAX_KEYED_BYTES:
                return None
            if os.path.commonpath([inside, os.path.realpath(path)]) != inside:
                return None
            with open(path, "rb") as handle:
                data = handle.read(MAX_KEYED_BYTES + 1)
        except (OSError, ValueError):
            return None
        total += len(data)
        digest.update(path.encode("utf-8", "surrogatepass") + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest() if total >= MIN_CACHED_BYTES else None


def _program() -> str:
    """This program's version and code, PyYAML's files and Python's version: a change to any of
    them (an edited loader in a checkout, too, whose version number stays the same) changes every key."""
    # read from the loaded package, not imported: `import adventure` from here would reach the
    # layers above through the package's public names (import-linter refuses it)
    version = sys.modules["adventure"].__version__ if "adventure" in sys.modules else "?"
    parts = [version, sys.version, repr(sys.implementation.cache_tag)]
    package = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    folders = [os.path.join(package, "source"), os.path.join(package, "story"), os.path.dirname(os.path.abspath(__file__))]
    spec = importlib.util.find_spec("yaml")  # found, not imported: a cache hit never imports PyYAML
    if spec is not None and spec.origin:
        folders.append(os.path.dirname(spec.origin))
    for folder in folders:
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith((".py", ".so", ".pyd")):
                info = entry.stat()
                parts.append(f"{entry.path}:{info.st_size}:{info.st_mtime_ns}")
    return "\0".join(parts)


def load(key: str) -> Story | None:
    """The story stored under `key`, or None when there is none that can be used (missing,
    damaged, stale or foreign entries are all simply missed, never trusted)."""
    folder = cache_folder(KIND)
    if folder is None:
        return None
    payload = read_entry(os.path.join(folder, key + ".story"), MAGIC)
    if payload is None:
        return None
    try:
        return decode(marshal.loads(payload))
    except (ValueError, EOFError, TypeError, IndexError, KeyError, RecursionError, ExprError, AttributeError):
        return None


def store(key: str, story: Story) -> None:
    """Keep a checked story for the next load of the same files."""
    folder = cache_folder(KIND)
    if folder is None:
        return
    try:
        payload = marshal.dumps(encode(story))
    except (Unstorable, ValueError, RecursionError):
        return
    write_entry(os.path.join(folder, key + ".story"), MAGIC, payload)
    _evict(folder)


def _evict(folder: str) -> None:
    """Keep the folder small: every edit of a story makes a new entry, so only the most recently
    written MAX_ENTRIES (and at most MAX_FOLDER_BYTES in all) are kept."""
    try:
        found = [entry for entry in os.scandir(folder) if entry.name.endswith(".story")]
        entries = [(entry.stat().st_mtime_ns, entry.stat().st_size, entry.path) for entry in found]
    except OSError:
        return
    entries.sort(reverse=True)
    total = 0
    for number, (_, size, path) in enumerate(entries):
        total += size
        if number >= MAX_ENTRIES or total > MAX_FOLDER_BYTES:
            with contextlib.suppress(OSError):
                os.unlink(path)
