"""The one place YAML is read: safe, bounded parsing of untrusted text into positioned nodes."""

from __future__ import annotations

import os
import stat

from adventure.source.problems import Problem
from adventure.source.yamlnodes import (
    MAX_DEPTH,
    MAX_DUPLICATES_REPORTED,
    MAX_EXPANDED_NODES,
    MAX_FILE_BYTES,
    Map,
    Node,
    Scalar,
    Seq,
    YamlProblem,
)
from adventure.source.yamlquick import compose_quick

__all__ = [
    "MAX_DEPTH", "MAX_DUPLICATES_REPORTED", "MAX_EXPANDED_NODES", "MAX_FILE_BYTES", "Map", "Node", "Scalar", "Seq", "YamlProblem",
    "compose", "decode", "load_file", "load_file_text", "load_text", "read_text",
]


def read_text(path: str, limit: int = MAX_FILE_BYTES) -> str:
    """Read a file as UTF-8 text (a BOM is allowed); raise YamlProblem on anything else."""
    try:
        # O_NONBLOCK: opening a named pipe must not wait for a writer that never comes
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(descriptor, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise YamlProblem(0, 0, "not a regular file (a pipe, device or socket)", "a scene file must be an ordinary file", "E002")
            if info.st_size > limit:
                raise YamlProblem(
                    0, 0, f"file is {info.st_size:,} bytes; the limit is {limit:,}", "split it into several chapter files", "E002"
                )
            data = handle.read(limit + 1)
    except OSError as err:
        raise YamlProblem(0, 0, f"cannot read file: {err.strerror or err}", code="E002") from None
    if len(data) > limit:
        raise YamlProblem(0, 0, f"file is larger than the limit of {limit:,} bytes", "split it into several chapter files", "E002")
    return decode(data)


def decode(data: bytes) -> str:
    """UTF-8 (with or without a BOM) to text; invalid bytes are reported by line and column."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1:].decode("utf-8", errors="replace")) + 1
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise YamlProblem(1, 1, "the file is UTF-16 text, not UTF-8", "save the file as UTF-8", "E003") from None
        raise YamlProblem(line, col, f"invalid UTF-8 (byte 0x{data[err.start]:02x})", "save the file as UTF-8", "E003") from None
    if "\x00" in text:
        offset = text.index("\x00")
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        raise YamlProblem(line, col, "NUL byte in file", "this looks like a binary file, not YAML", "E003")
    return text


def load_file(path: str, display: str) -> tuple[Node | None, list[Problem]]:
    """Read and compose one file; every problem comes back as a Problem, never an exception."""
    _, root, problems = load_file_text(path, display)
    return root, problems


def load_file_text(path: str, display: str) -> tuple[str | None, Node | None, list[Problem]]:
    """As `load_file`, also giving the text read (None when the file could not be read)."""
    try:
        text = read_text(path)
    except YamlProblem as err:
        return None, None, [Problem(display, err.line, err.col, err.message, err.hint, code=err.code)]
    return compose_text(text, display)


def load_text(text: str, display: str) -> tuple[str | None, Node | None, list[Problem]]:
    """As `load_file_text`, for text already in hand (an editor's unsaved buffer), under the same limits."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_FILE_BYTES:
        limit = f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}"
        return None, None, [Problem(display, 0, 0, limit, "split it into several chapter files", code="E002")]
    try:
        text = decode(text.encode("utf-8", "surrogatepass"))
    except YamlProblem as err:
        return text, None, [Problem(display, err.line, err.col, err.message, err.hint, code=err.code)]
    return compose_text(text, display)


def compose(text: str) -> tuple[Node | None, list[tuple[int, int, str, str]]]:
    """Parse one YAML document into positioned nodes, safely: the root (None for an empty file)
    and the soft problems (duplicate keys) as (line, col, message, hint); YamlProblem for a fatal one.

    The line reader (yamlquick.py) reads the plain subset nearly every story file is written in,
    and answers as libyaml's path would or not at all; only then is PyYAML imported and used.
    """
    quick = compose_quick(text)
    if quick is not None:
        return quick
    from adventure.source.yamlcompose import compose as compose_with_libyaml

    return compose_with_libyaml(text)


def compose_text(text: str, display: str) -> tuple[str | None, Node | None, list[Problem]]:
    """Compose text already read and decoded (`read_text`); every problem comes back as a Problem."""
    try:
        root, soft = compose(text)
    except YamlProblem as err:
        return text, None, [Problem(display, err.line, err.col, err.message, err.hint, code=err.code)]
    except (RecursionError, MemoryError):
        return text, None, [Problem(display, 0, 0, "file is too complex to read", "simplify the file's structure", code="E007")]
    return text, root, [Problem(display, line, col, message, hint, code="E009") for line, col, message, hint in soft]
