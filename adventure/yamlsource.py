"""The one place YAML is read: safe, bounded parsing of untrusted text into positioned nodes."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from typing import Any

import yaml

from .problems import Problem

try:  # libyaml's C parser when present: same events and marks, much faster
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
MAX_EXPANDED_NODES = 2_000_000
MAX_DUPLICATES_REPORTED = 100  # per file: a file of nothing but duplicates must not flood memory
# Standard tags an author may write explicitly (`!!str 42`); anything else is refused.
ALLOWED_TAGS = frozenset(
    "tag:yaml.org,2002:" + name for name in ("str", "int", "bool", "null", "float", "map", "seq", "omap")
)


@dataclass(slots=True)
class Scalar:
    """A scalar as written: its text, where it starts, and whether it was quoted."""

    value: str
    line: int
    col: int
    plain: bool = True
    tag: str | None = None
    style: str = ""  # "", "'", '"', "|" or ">": literal blocks keep newlines, the rest fold


@dataclass(slots=True)
class Seq:
    """A sequence node."""

    items: list[Node]
    line: int
    col: int
    size: int = 1


@dataclass(slots=True)
class Map:
    """A mapping node; keys are scalars, in file order, duplicates already reported."""

    pairs: list[tuple[Scalar, Node]]
    line: int
    col: int
    size: int = 1
    index: dict[str, tuple[Scalar, Node]] = field(default_factory=dict)
    merged_at: dict[str, int] = field(default_factory=dict)  # positions in `pairs` of merged keys

    def get(self, key: str) -> Node | None:
        pair = self.index.get(key)
        return pair[1] if pair else None


Node = Scalar | Seq | Map


class YamlProblem(Exception):
    """A fatal problem in one file (the file yields no nodes)."""

    def __init__(self, line: int, col: int, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.line, self.col, self.message, self.hint = line, col, message, hint


def read_text(path: str, limit: int = MAX_FILE_BYTES) -> str:
    """Read a file as UTF-8 text (a BOM is allowed); raise YamlProblem on anything else."""
    try:
        # O_NONBLOCK: opening a named pipe must not wait for a writer that never comes
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(descriptor, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise YamlProblem(0, 0, "not a regular file (a pipe, device or socket)", "a scene file must be an ordinary file")
            if info.st_size > limit:
                raise YamlProblem(0, 0, f"file is {info.st_size:,} bytes; the limit is {limit:,}", "split it into several chapter files")
            data = handle.read(limit + 1)
    except OSError as err:
        raise YamlProblem(0, 0, f"cannot read file: {err.strerror or err}") from None
    if len(data) > limit:
        raise YamlProblem(0, 0, f"file is larger than the limit of {limit:,} bytes", "split it into several chapter files")
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
            raise YamlProblem(1, 1, "the file is UTF-16 text, not UTF-8", "save the file as UTF-8") from None
        raise YamlProblem(line, col, f"invalid UTF-8 (byte 0x{data[err.start]:02x})", "save the file as UTF-8") from None
    if "\x00" in text:
        offset = text.index("\x00")
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        raise YamlProblem(line, col, "NUL byte in file", "this looks like a binary file, not YAML")
    return text


FAST_PATH_MAX_OPENERS = 3000
FAST_PATH_MAX_LINE = 500
IMPLICIT_TAGS = ALLOWED_TAGS | frozenset("tag:yaml.org,2002:" + name for name in ("timestamp", "merge", "value"))


def compose(text: str) -> tuple[Node | None, list[tuple[int, int, str, str]]]:
    """Parse one YAML document into positioned nodes, safely, choosing the faster way.

    libyaml's own composer (C) recurses once per nesting level and would overflow the C
    stack on a hostile file, so it is used only when a cheap bound proves the nesting is
    shallow: few flow brackets and no long lines (block nesting needs indentation or
    indicators, both bounded by line length). Every other file takes the event loop below.
    """
    if text.count("[") + text.count("{") <= FAST_PATH_MAX_OPENERS and _longest_line(text) <= FAST_PATH_MAX_LINE:
        return _compose_fast(text)
    return compose_events(text)


def _longest_line(text: str) -> int:
    return max(map(len, text.split("\n")), default=0)


class _PlainLoader(_Loader):  # type: ignore[misc, valid-type]
    """libyaml's composer without PyYAML's implicit typing: the loader reads raw scalar text
    itself (so `title: No` stays text), and explicit tags never reach `resolve`."""

    def resolve(self, kind: type, value: object, implicit: object) -> str:
        if kind is yaml.ScalarNode:
            return "tag:yaml.org,2002:str"
        return "tag:yaml.org,2002:seq" if kind is yaml.SequenceNode else "tag:yaml.org,2002:map"


def _compose_fast(text: str) -> tuple[Node | None, list[tuple[int, int, str, str]]]:
    """libyaml composes; we convert its nodes, checking what the event loop checks."""
    try:
        root = yaml.compose(text, Loader=_PlainLoader)
    except yaml.composer.ComposerError as err:
        mark = err.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = err.problem or ""
        if "another document" in problem or "single document" in (err.context or ""):
            raise YamlProblem(line, col, "a second YAML document in one file", "put one document per file (remove the extra ---)") from None
        if "undefined alias" in problem:
            lines = text.splitlines()
            found = re.match(r"\*[^\s,\]}]+", lines[line - 1][col - 1:]) if 0 < line <= len(lines) else None
            name = found.group(0) if found else "alias"
            raise YamlProblem(line, col, f"unknown alias {name}", "define the anchor (&name) before using it") from None
        raise _yaml_problem(err, text) from None
    except yaml.MarkedYAMLError as err:
        raise _yaml_problem(err, text) from None
    except yaml.reader.ReaderError as err:
        raise _reader_problem(err, text) from None
    except yaml.YAMLError as err:
        raise YamlProblem(0, 0, f"YAML error: {err}") from None
    if root is None:
        return None, []
    problems: list[tuple[int, int, str, str]] = []
    return _convert(root, problems), problems


def _convert(root: yaml.Node, problems: list[tuple[int, int, str, str]]) -> Node:
    """PyYAML nodes to ours, iteratively; shared (aliased) nodes are converted once."""
    done: dict[int, Node] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool, int]] = [(root, False, 0)]
    while stack:
        node, children_done, depth = stack.pop()
        key = id(node)
        if key in done:
            continue
        mark = node.start_mark
        line, col = mark.line + 1, mark.column + 1
        if depth >= MAX_DEPTH and not isinstance(node, yaml.ScalarNode):  # as the event loop counts: collections only
            raise YamlProblem(line, col, f"nesting deeper than {MAX_DEPTH} levels", "a story never needs this much nesting")
        tag = node.tag
        if tag not in IMPLICIT_TAGS and tag != "!":
            raise YamlProblem(line, col, f"the tag {tag} is not allowed", "story files are plain data: remove the tag")
        if isinstance(node, yaml.ScalarNode):
            done[key] = Scalar(node.value, line, col, not node.style, None, node.style or "")
            continue
        if not children_done:
            if key in active:
                raise YamlProblem(line, col, "an alias refers to the node that contains it", "recursive structures are not allowed")
            active.add(key)
            stack.append((node, True, depth))
            children = node.value if isinstance(node, yaml.SequenceNode) else [part for pair in node.value for part in pair]
            stack.extend((child, False, depth + 1) for child in reversed(children) if id(child) not in done)
            continue
        active.discard(key)
        if isinstance(node, yaml.SequenceNode):
            converted: Seq | Map = Seq([], line, col)
            for child in node.value:
                _attach_to(converted, done[id(child)], None, problems, set())
        else:
            converted = Map([], line, col)
            merged: set[str] = set()
            for key_node, value_node in node.value:
                key_converted = done[id(key_node)]
                if not isinstance(key_converted, Scalar):
                    raise YamlProblem(key_converted.line, key_converted.col, "a mapping key must be a plain name", "keys like `? [a, b]` are not supported")
                _attach_to(converted, done[id(value_node)], key_converted, problems, merged)
        done[key] = converted
    return done[id(root)]


def _attach_to(parent: Seq | Map, node: Node, key: Scalar | None, problems: list[tuple[int, int, str, str]], merged: set[str]) -> None:
    frame = _Frame(parent, None, key, merged)
    _attach([frame], [], node, problems)


def _yaml_problem(err: yaml.MarkedYAMLError, text: str) -> YamlProblem:
    mark = err.problem_mark or err.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    message = err.problem or err.context or "invalid YAML"
    return YamlProblem(line, col, f"YAML syntax error: {message}", _yaml_hint(message, text, line))


def _reader_problem(err: yaml.reader.ReaderError, text: str) -> YamlProblem:
    offset = max(err.position, 0)
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return YamlProblem(line, col, f"character U+{err.character:04X} is not allowed in YAML", "write control characters as escapes inside double quotes, or remove them")


def compose_events(text: str) -> tuple[Node | None, list[tuple[int, int, str, str]]]:
    """Parse one YAML document into nodes without recursion or alias blow-up.

    Returns the root (None for an empty file) and the non-fatal problems found (duplicate
    keys), each as (line, col, message, hint). Raises YamlProblem for fatal ones.
    """
    try:
        loader = _Loader(text)  # the pure-Python reader checks every character right here
    except yaml.reader.ReaderError as err:
        raise _reader_problem(err, text) from None
    problems: list[tuple[int, int, str, str]] = []
    anchors: dict[str, Node] = {}
    open_anchors: set[str] = set()
    stack: list[_Frame] = []
    roots: list[Node] = []
    documents = 0
    try:
        while True:
            event: Any = loader.get_event()  # PyYAML types events loosely; their fields are checked here
            if event is None:
                break
            kind = type(event)
            if kind is yaml.ScalarEvent:
                mark = event.start_mark
                _check_tag(event.tag, mark)
                scalar = Scalar(event.value, mark.line + 1, mark.column + 1, not event.style, event.tag, event.style or "")
                if event.anchor:
                    anchors[event.anchor] = scalar
                _attach(stack, roots, scalar, problems)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                mark = event.start_mark
                _check_tag(event.tag, mark)
                if len(stack) >= MAX_DEPTH:
                    raise YamlProblem(mark.line + 1, mark.column + 1, f"nesting deeper than {MAX_DEPTH} levels", "a story never needs this much nesting")
                node: Map | Seq = Map([], mark.line + 1, mark.column + 1) if kind is yaml.MappingStartEvent else Seq([], mark.line + 1, mark.column + 1)
                if event.anchor:
                    open_anchors.add(event.anchor)
                stack.append(_Frame(node, event.anchor))
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                frame = stack.pop()
                if frame.anchor:
                    open_anchors.discard(frame.anchor)
                    anchors[frame.anchor] = frame.node
                _attach(stack, roots, frame.node, problems)
            elif kind is yaml.AliasEvent:
                mark = event.start_mark
                anchor = event.anchor
                if anchor in open_anchors:
                    raise YamlProblem(mark.line + 1, mark.column + 1, f"alias *{anchor} refers to the node that contains it", "recursive structures are not allowed")
                if anchor not in anchors:
                    raise YamlProblem(mark.line + 1, mark.column + 1, f"unknown alias *{anchor}", "define the anchor (&name) before using it")
                _attach(stack, roots, anchors[anchor], problems)
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    mark = event.start_mark
                    raise YamlProblem(mark.line + 1, mark.column + 1, "a second YAML document in one file", "put one document per file (remove the extra ---)")
    except yaml.MarkedYAMLError as err:
        raise _yaml_problem(err, text) from None
    except yaml.reader.ReaderError as err:
        raise _reader_problem(err, text) from None
    except yaml.YAMLError as err:
        raise YamlProblem(0, 0, f"YAML error: {err}") from None
    finally:
        loader.dispose()
    return (roots[0] if roots else None), problems


@dataclass(slots=True)
class _Frame:
    node: Map | Seq
    anchor: str | None
    key: Scalar | None = None
    merged: set[str] = field(default_factory=set)


def _check_tag(tag: str | None, mark: yaml.Mark) -> None:
    if tag is not None and tag != "!" and tag not in ALLOWED_TAGS:
        raise YamlProblem(mark.line + 1, mark.column + 1, f"the tag {tag} is not allowed", "story files are plain data: remove the tag")


def _size(node: Node) -> int:
    return 1 if isinstance(node, Scalar) else node.size


def _attach(stack: list[_Frame], roots: list[Node], node: Node, problems: list[tuple[int, int, str, str]]) -> None:
    """Add a finished node to its parent, checking keys and the expanded size."""
    if not stack:
        roots.append(node)
        return
    frame = stack[-1]
    parent = frame.node
    if isinstance(parent, Seq):
        parent.items.append(node)
        parent.size += _size(node)
        _check_size(parent)
        return
    if frame.key is None:
        if not isinstance(node, Scalar):
            raise YamlProblem(node.line, node.col, "a mapping key must be a plain name", "keys like `? [a, b]` are not supported")
        frame.key = node
        return
    key, frame.key = frame.key, None
    parent.size += 1 + _size(node)
    _check_size(parent)
    if key.value == "<<" and key.plain:
        _merge(frame, node, key)
        return
    previous = parent.index.get(key.value)
    if previous is not None:
        if key.value in frame.merged:  # an explicit key overrides a merged one, as YAML says
            frame.merged.discard(key.value)
            position = parent.merged_at.pop(key.value)
            parent.pairs[position] = parent.index[key.value] = (key, node)  # in place: linear time
            return
        if len(problems) < MAX_DUPLICATES_REPORTED:
            problems.append((
                key.line, key.col,
                f"duplicate key `{key.value}` (first at line {previous[0].line}, again at line {key.line})",
                "YAML would silently keep only the last one: remove or rename one of them",
            ))
        elif len(problems) == MAX_DUPLICATES_REPORTED:
            problems.append((key.line, key.col, f"duplicate key `{key.value}`, and more duplicate keys after it that are not listed", "fix these first"))
    parent.pairs.append((key, node))
    parent.index[key.value] = (key, node)


def _check_size(node: Seq | Map) -> None:
    if node.size > MAX_EXPANDED_NODES:
        raise YamlProblem(
            node.line, node.col, f"the file expands to more than {MAX_EXPANDED_NODES:,} values",
            "with aliases (*name) this looks like an alias bomb: write the data out plainly; without, split the file",
        )


def _merge(frame: _Frame, source: Node, key: Scalar) -> None:
    """YAML merge keys (`<<: *defaults`): take the keys the mapping does not set itself."""
    parent = frame.node
    assert isinstance(parent, Map)
    sources = source.items if isinstance(source, Seq) else [source]
    for item in sources:
        if not isinstance(item, Map):
            raise YamlProblem(key.line, key.col, "`<<` must merge a mapping or a list of mappings")
        for merged_key, value in item.pairs:
            if merged_key.value not in parent.index:
                frame.merged.add(merged_key.value)
                parent.merged_at[merged_key.value] = len(parent.pairs)
                parent.pairs.append((merged_key, value))
                parent.index[merged_key.value] = (merged_key, value)


def _yaml_hint(message: str, text: str = "", line: int = 0) -> str:
    lines = text.splitlines()
    if "tab" in message or (0 < line <= len(lines) and "\t" in lines[line - 1][: len(lines[line - 1]) - len(lines[line - 1].lstrip())]):
        return "YAML indentation must use spaces, not tabs"
    if "mapping values are not allowed" in message:
        return "a `:` inside text needs the whole value quoted, or use a `>` block"
    if "could not find expected ':'" in message:
        return "check the indentation and that every key ends with `:`"
    if "control characters" in message or "special characters" in message:
        return "the file contains bytes that are not text"
    return "check the indentation and quoting around this line"


def load_file(path: str, display: str) -> tuple[Node | None, list[Problem]]:
    """Read and compose one file; every problem comes back as a Problem, never an exception."""
    try:
        text = read_text(path)
        root, soft = compose(text)
    except YamlProblem as err:
        return None, [Problem(display, err.line, err.col, err.message, err.hint)]
    except (RecursionError, MemoryError):
        return None, [Problem(display, 0, 0, "file is too complex to read", "simplify the file's structure")]
    return root, [Problem(display, line, col, message, hint) for line, col, message, hint in soft]
