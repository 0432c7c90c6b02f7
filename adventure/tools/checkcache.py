"""What `adventure check` found in a story without errors (its warnings and summary), kept in the user's cache folder by the story's key."""

from __future__ import annotations

import contextlib
import marshal
import os
from dataclasses import astuple, dataclass

from adventure.source.cachedir import cache_folder, content_hash, read_entry, write_entry
from adventure.source.problems import Problem

KIND = "checks"
FORMAT = 1
MAGIC = b"adventure check %d\n" % FORMAT
MAX_ENTRIES = 64
_PROBLEM_TYPES = [str, int, int, str, str, str, str, bool]  # Problem's fields, in order


@dataclass(frozen=True, slots=True)
class Checked:
    """A story's title, warnings shown and silenced, and its summary counts."""

    title: str
    warnings: list[Problem]
    silenced: list[Problem]
    summary: dict[str, int]


def _key(story_key: str) -> str:
    """The story's key (its files, the loader's code, Python) with the warning rules' code: a change to either is a new key."""
    digest = content_hash(f"{FORMAT}\0{story_key}\0".encode())
    folder = os.path.dirname(os.path.abspath(__file__))
    with contextlib.suppress(OSError):
        for entry in sorted(os.scandir(folder), key=lambda entry: entry.name):
            if entry.name.endswith(".py"):
                info = entry.stat()
                digest.update(f"{entry.name}:{info.st_size}:{info.st_mtime_ns}\0".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def load(story_key: str) -> Checked | None:
    """What an earlier check found in the story with this key; None when nothing usable is kept (never trusted unchecked)."""
    folder = cache_folder(KIND)
    payload = read_entry(os.path.join(folder, _key(story_key) + ".check"), MAGIC) if folder is not None else None
    if payload is None:
        return None
    try:
        title, warnings, silenced, summary = marshal.loads(payload)
        if type(title) is not str or type(summary) is not dict:
            return None
        if not all(type(name) is str and type(count) is int for name, count in summary.items()):
            return None
        return Checked(title, _problems(warnings), _problems(silenced), summary)
    except (ValueError, EOFError, TypeError):
        return None


def _problems(stored: object) -> list[Problem]:
    if type(stored) is not list:
        raise ValueError("not a list")
    for fields in stored:
        if type(fields) is not tuple or [type(value) for value in fields] != _PROBLEM_TYPES or fields[5] != "warning":
            raise ValueError("not a warning")
    return [Problem(*fields) for fields in stored]


def store(story_key: str, checked: Checked) -> None:
    """Keep what a check found, for the next check of the same files by the same program."""
    folder = cache_folder(KIND)
    if folder is None:
        return
    warnings, silenced = [astuple(problem) for problem in checked.warnings], [astuple(problem) for problem in checked.silenced]
    payload = marshal.dumps((checked.title, warnings, silenced, checked.summary))
    write_entry(os.path.join(folder, _key(story_key) + ".check"), MAGIC, payload)
    try:
        found = [entry for entry in os.scandir(folder) if entry.name.endswith(".check")]
        entries = sorted(((entry.stat().st_mtime_ns, entry.path) for entry in found), reverse=True)
    except OSError:
        return
    for _, path in entries[MAX_ENTRIES:]:
        with contextlib.suppress(OSError):
            os.unlink(path)
