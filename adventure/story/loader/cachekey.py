"""The story cache's keys: a hash of a story's files and of the program reading them, worked out without importing the model."""

from __future__ import annotations

import importlib.util
import os
import stat
import sys

from adventure.source.cachedir import content_hash, enabled

# Bumped whenever what is stored changes meaning; entries of another format are simply missed.
FORMAT = 5
# Smaller stories load in less time than hashing, reading and rebuilding an entry takes.
MIN_CACHED_BYTES = 32 * 1024
MAX_KEYED_BYTES = 16 * 1024 * 1024  # the loader refuses more in all files together: such a load has problems, and is not stored


def usable() -> bool:
    """Whether the cache is on (else no key is worth computing); its folder is made only when an entry is read or written."""
    return enabled()


def story_key(root: str, paths: list[str]) -> str | None:
    """A hash of everything a load of these files depends on (their contents, where they are,
    this program, PyYAML and Python), or None when the story is not worth or not safe to cache:
    small, or holding a file that is not a regular file inside the folder (the loader reports those).
    The model's field names (cacheformat.SHAPE, in each file's key) are not in it: program() covers
    the model's code, and naming them would import the model, which `check` finding its result kept needs not."""
    digest = content_hash(f"{FORMAT}\0{program()}\0{root}\0".encode("utf-8", "surrogatepass"))
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
        digest.update(path.encode("utf-8", "surrogatepass") + b"\0" + content_hash(data).digest())
    return digest.hexdigest() if total >= MIN_CACHED_BYTES else None


_program: list[str] = []  # worked out once a process


def program() -> str:
    """This program's version and code, PyYAML's files and Python's version: a change to any of
    them (an edited loader in a checkout, too, whose version number stays the same) changes every key."""
    if not _program:
        _program.append(_program_now())
    return _program[0]


def _program_now() -> str:
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
