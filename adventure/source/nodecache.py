"""A cache of composed YAML in the user's own cache folder: a large file read again unchanged skips the parser."""

from __future__ import annotations

import hashlib
import marshal
import os
import stat
import sys
from collections.abc import Callable
from dataclasses import fields
from typing import Any

import yaml

from adventure.source.files import write_cache_file
from adventure.source.yamlnodes import Map, Node, Scalar, Seq

# Bumped whenever what is stored changes shape; entries of another format are simply missed.
FORMAT = 1
MAGIC = b"adventure nodes %d\n" % FORMAT
# Smaller files compose in less time than a cache look-up takes (and tests write thousands).
MIN_CACHED_CHARS = 32 * 1024
MAX_ENTRY_BYTES = 256 * 1024 * 1024
_DIGEST = 32

Soft = list[tuple[int, int, str, str]]  # problems that still let a file compose: (line, col, message, hint)
Composer = Callable[[str], tuple[Node | None, Soft]]

_enabled = True


def set_enabled(enabled: bool) -> None:
    """Turn the cache on or off for this process (`--no-cache`)."""
    global _enabled
    _enabled = enabled


def cache_folder() -> str | None:
    """Where entries live: $ADVENTURE_CACHE_DIR, else $XDG_CACHE_HOME/adventure, else
    ~/.cache/adventure; None when the cache is off ($ADVENTURE_NO_CACHE or `--no-cache`).
    Never a story folder: stories are untrusted, and so would be a cache inside one."""
    if not _enabled or os.environ.get("ADVENTURE_NO_CACHE"):
        return None
    base = os.environ.get("ADVENTURE_CACHE_DIR")
    if not base:
        base = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "adventure")
    return os.path.join(base, "nodes")


def compose_cached(text: str, compose: Composer) -> tuple[Node | None, Soft]:
    """`compose(text)`, from the cache when this very text was composed before by this very
    program. A missing, damaged, stale or foreign entry is composed again and replaced;
    nothing in the cache is trusted before its checksum and shape are checked."""
    folder = cache_folder() if len(text) >= MIN_CACHED_CHARS else None
    if folder is None or not _private_folder(folder):
        return compose(text)
    path = os.path.join(folder, _key(text) + ".nodes")
    found = _read(path)
    if found is not None:
        return found
    root, soft = compose(text)  # a file that cannot be composed raises, and is not cached
    _write(path, root, soft, "*" in text)
    return root, soft


def _key(text: str) -> str:
    """Everything the composed nodes depend on: the text, this program, the parser, Python."""
    # read from the loaded package, not imported: `import adventure` from this bottom layer
    # would reach every layer through the package's public names (import-linter refuses it)
    version = sys.modules["adventure"].__version__ if "adventure" in sys.modules else "?"
    libyaml = getattr(yaml, "__with_libyaml__", False)
    salt = f"{FORMAT}\0{version}\0{yaml.__version__}\0{libyaml}\0{sys.version}\0{_SHAPE}\0".encode()
    return hashlib.sha256(salt + text.encode("utf-8", "surrogatepass")).hexdigest()


def _private_folder(folder: str) -> bool:
    """Make the folder if needed, private; use it only if it is ours and nobody else can write in it."""
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        info = os.stat(folder)
    except OSError:
        return False  # a read-only home, say: the cache is only an optimisation
    if not stat.S_ISDIR(info.st_mode) or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return False
    return not hasattr(os, "getuid") or info.st_uid == os.getuid()


def _read(path: str) -> tuple[Node | None, Soft] | None:
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        with os.fdopen(descriptor, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY_BYTES:
                return None
            if hasattr(os, "getuid") and info.st_uid != os.getuid():
                return None
            data = handle.read(MAX_ENTRY_BYTES + 1)
    except OSError:
        return None
    header = len(MAGIC) + _DIGEST
    if not data.startswith(MAGIC) or len(data) < header:
        return None
    payload = data[header:]
    if hashlib.sha256(payload).digest() != data[len(MAGIC) : header]:
        return None  # damaged: checked before marshal sees a byte of it
    try:
        stored = marshal.loads(payload)
        return _decode(stored)
    except (ValueError, EOFError, TypeError, IndexError, KeyError, RecursionError):
        return None


def _write(path: str, root: Node | None, soft: Soft, aliases: bool) -> None:
    try:
        encoded = None if root is None else _encode(root, {} if aliases else None)
        payload = marshal.dumps((encoded, [tuple(problem) for problem in soft]))
        write_cache_file(path, MAGIC + hashlib.sha256(payload).digest() + payload)
    except (OSError, ValueError, RecursionError):
        pass  # a full disk or a read-only folder only costs the next load its parse


# The nodes' fields, in order: an entry stores them by position, and a change of fields
# (a new one in yamlnodes) changes every key, so no entry of an older shape is ever read.
_SCALAR = tuple(field.name for field in fields(Scalar))
_SEQ = tuple(field.name for field in fields(Seq))
_MAP = tuple(field.name for field in fields(Map))
_SHAPE = repr((_SCALAR, _SEQ, _MAP))
_PLAIN = (str, int, bool, type(None))


def _encode(node: Node, memo: dict[int, tuple[Any, ...]] | None) -> tuple[Any, ...]:
    """Plain tuples. With a memo (the text has aliases), a node shared through an alias stays
    shared: marshal keeps references, so an alias is not expanded on disk."""
    if memo is not None:
        found = memo.get(id(node))
        if found is not None:
            return found
    if type(node) is Scalar:
        encoded: tuple[Any, ...] = (0, *(getattr(node, name) for name in _SCALAR))
    elif type(node) is Seq:
        encoded = (1, [_encode(item, memo) for item in node.items], *(getattr(node, name) for name in _SEQ[1:]))
    else:
        assert type(node) is Map
        pairs = [(_encode(key, memo), _encode(value, memo)) for key, value in node.pairs]
        encoded = (2, pairs, *(getattr(node, name) for name in _MAP[1:]))
    if memo is not None:
        memo[id(node)] = encoded
    return encoded


def _decode(stored: object) -> tuple[Node | None, Soft]:
    if not (isinstance(stored, tuple) and len(stored) == 2 and isinstance(stored[1], list)):
        raise ValueError("not an entry")
    soft: Soft = []
    for problem in stored[1]:
        line, col, message, hint = problem
        if not (type(line) is int and type(col) is int and type(message) is str and type(hint) is str):
            raise ValueError("not a problem")
        soft.append((line, col, message, hint))
    return (None if stored[0] is None else _node(stored[0], {}, 0)), soft


def _plain(values: tuple[Any, ...]) -> tuple[Any, ...]:
    if not all(type(value) in _PLAIN for value in values):
        raise ValueError("a field that is not a plain value")
    return values


# Positional constructors: a cached story has a million nodes, and keyword calls cost twice as much.
_make_seq: Callable[..., Seq] = Seq
_make_map: Callable[..., Map] = Map
assert _SEQ[0] == "items" and _MAP[0] == "pairs", "the decoder expects the children first"


def _node(stored: Any, memo: dict[int, Node], depth: int) -> Node:
    found = memo.get(id(stored))
    if found is not None:
        return found
    if depth > 200 or type(stored) is not tuple or not stored:  # the composers refuse nesting past 64
        raise ValueError("not a node")
    kind = stored[0]
    node: Node
    if kind == 0 and len(stored) == len(_SCALAR) + 1:
        if type(stored[1]) is not str:
            raise ValueError("a scalar whose value is not text")
        node = Scalar(*_plain(stored[1:]))
    elif kind == 1 and len(stored) == len(_SEQ) + 1 and type(stored[1]) is list:
        node = _make_seq([_node(item, memo, depth + 1) for item in stored[1]], *_plain(stored[2:]))
    elif kind == 2 and len(stored) == len(_MAP) + 1 and type(stored[1]) is list:
        built = []
        for key, value in stored[1]:
            name = _node(key, memo, depth + 1)
            if type(name) is not Scalar:
                raise ValueError("a key that is not a scalar")
            built.append((name, _node(value, memo, depth + 1)))
        node = _make_map(built, *_plain(stored[2:]))
    else:
        raise ValueError("not a node")
    memo[id(stored)] = node
    return node
