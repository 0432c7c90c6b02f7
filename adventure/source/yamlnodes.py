"""Positioned YAML nodes, the limits on them, and the shared checks both composers apply."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # PyYAML is imported only where a file needs libyaml (yamlcompose.py)
    import yaml

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
MAX_EXPANDED_NODES = 2_000_000
# Text too, counted at each use of an alias: one anchored paragraph used many times must not
# cost hours or gigabytes (a file without aliases holds at most MAX_FILE_BYTES of text).
MAX_EXPANDED_TEXT = 32 * 1024 * 1024
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
    text: int = 0  # characters of the scalars inside, an alias counted at each use


@dataclass(slots=True)
class Map:
    """A mapping node; keys are scalars, in file order, duplicates already reported."""

    pairs: list[tuple[Scalar, Node]]
    line: int
    col: int
    size: int = 1
    text: int = 0  # characters of the keys and scalars inside, an alias counted at each use
    flow: bool = False  # written `{...}`: there a comma ends a plain value

    def get(self, key: str) -> Node | None:
        """The value of `key` (the last one, as YAML keeps, if it was written twice)."""
        # No index is kept: maps are small, and a dict per mapping would double a story's memory.
        for name, value in reversed(self.pairs):
            if name.value == key:
                return value
        return None


Node = Scalar | Seq | Map


class YamlProblem(Exception):
    """A fatal problem in one file (the file yields no nodes)."""

    def __init__(self, line: int, col: int, message: str, hint: str = "", code: str = "E001") -> None:
        super().__init__(message)
        self.line, self.col, self.message, self.hint = line, col, message, hint
        self.code = code  # its entry in adventure/source/codes.py


@dataclass(slots=True)
class _Frame:
    """A collection being built: its keys so far (to find duplicates) and which were merged."""

    node: Map | Seq
    anchor: str | None
    key: Scalar | None = None
    merged: set[str] = field(default_factory=set)
    index: dict[str, tuple[Scalar, Node]] = field(default_factory=dict)
    merged_at: dict[str, int] = field(default_factory=dict)  # positions in `pairs` of merged keys


class Positions:
    """Line and column (from 1) of a PyYAML mark, counted as an editor counts them.

    libyaml follows YAML 1.1 and also ends a line at NEL, LS, PS and a lone CR; editors
    (and every message here) count only newlines. In a file holding one of those,
    positions are recounted from the mark's character offset.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.recount = has_other_line_breaks(text)
        self._starts: list[int] = []

    def __call__(self, mark: Any) -> tuple[int, int]:
        if not self.recount:
            return mark.line + 1, mark.column + 1
        if not self._starts:
            self._starts = [0, *(found.end() for found in re.finditer("\n", self.text))]
        line = bisect.bisect_right(self._starts, mark.index)
        return line, mark.index - self._starts[line - 1] + 1


def has_other_line_breaks(text: str) -> bool:
    """Whether libyaml would count lines in `text` differently from an editor."""
    return "\x85" in text or "\u2028" in text or "\u2029" in text or text.count("\r") != text.count("\r\n")


def _check_tag(tag: str | None, line: int, col: int) -> None:
    if tag is not None and tag != "!" and tag not in ALLOWED_TAGS:
        raise YamlProblem(line, col, f"the tag {tag} is not allowed", "story files are plain data: remove the tag", "E005")


def _size(node: Node) -> int:
    return 1 if isinstance(node, Scalar) else node.size


def _text(node: Node) -> int:
    return len(node.value) if isinstance(node, Scalar) else node.text


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
        parent.text += _text(node)
        _check_size(parent)
        return
    if frame.key is None:
        if not isinstance(node, Scalar):
            raise YamlProblem(node.line, node.col, "a mapping key must be a plain name", "keys like `? [a, b]` are not supported", "E011")
        frame.key = node
        return
    key, frame.key = frame.key, None
    parent.size += 1 + _size(node)
    parent.text += len(key.value) + _text(node)
    _check_size(parent)
    if key.value == "<<" and key.plain:
        _merge(frame, node, key)
        return
    previous = frame.index.get(key.value)
    if previous is not None:
        if key.value in frame.merged:  # an explicit key overrides a merged one, as YAML says
            frame.merged.discard(key.value)
            position = frame.merged_at.pop(key.value)
            parent.pairs[position] = frame.index[key.value] = (key, node)  # in place: linear time
            return
        if len(problems) < MAX_DUPLICATES_REPORTED:
            problems.append((
                key.line, key.col,
                f"duplicate key `{key.value}` (first at line {previous[0].line}, again at line {key.line})",
                "YAML would silently keep only the last one: remove or rename one of them",
            ))
        elif len(problems) == MAX_DUPLICATES_REPORTED:
            problems.append(
                (key.line, key.col, f"duplicate key `{key.value}`, and more duplicate keys after it that are not listed", "fix these first")
            )
    parent.pairs.append((key, node))
    frame.index[key.value] = (key, node)


def _check_size(node: Seq | Map) -> None:
    if node.text > MAX_EXPANDED_TEXT:
        raise YamlProblem(
            node.line, node.col, f"the file expands to more than {MAX_EXPANDED_TEXT:,} characters of text",
            "with aliases (*name) this looks like an alias bomb: write the text out where it is used; without, split the file", "E008",
        )
    if node.size > MAX_EXPANDED_NODES:
        raise YamlProblem(
            node.line, node.col, f"the file expands to more than {MAX_EXPANDED_NODES:,} values",
            "with aliases (*name) this looks like an alias bomb: write the data out plainly; without, split the file", "E008",
        )


def _merge(frame: _Frame, source: Node, key: Scalar) -> None:
    """YAML merge keys (`<<: *defaults`): take the keys the mapping does not set itself."""
    parent = frame.node
    assert isinstance(parent, Map)
    sources = source.items if isinstance(source, Seq) else [source]
    for item in sources:
        if not isinstance(item, Map):
            raise YamlProblem(key.line, key.col, "`<<` must merge a mapping or a list of mappings", code="E011")
        for merged_key, value in item.pairs:
            if merged_key.value not in frame.index:
                frame.merged.add(merged_key.value)
                frame.merged_at[merged_key.value] = len(parent.pairs)
                parent.pairs.append((merged_key, value))
                frame.index[merged_key.value] = (merged_key, value)


def _yaml_problem(err: yaml.MarkedYAMLError, text: str) -> YamlProblem:
    """A PyYAML error as the author's mistake, at the place where it was made.

    libyaml notices an unclosed quote or bracket only where the text ends or the next key
    begins; the place to fix is where it was opened, which PyYAML keeps as the context mark.
    """
    where = Positions(text)
    mark = err.problem_mark or err.context_mark
    line, col = where(mark) if mark else (0, 0)
    message = err.problem or err.context or "invalid YAML"
    context = err.context or ""
    if err.context_mark is not None and mark is not None:
        opened_line, opened_col = where(err.context_mark)
        if "quoted scalar" in context:
            quote = _char_at(text, opened_line, opened_col) or '"'
            return YamlProblem(
                opened_line, opened_col, f"YAML syntax error: the text quoted with {quote} here is never closed",
                f"end the text with {quote} (inside "
                + ("double quotes write \\\" for a quote)" if quote == '"' else "single quotes write \'\' for a quote)"),
            )
        if "flow mapping" in context or "flow sequence" in context:
            opener = _char_at(text, opened_line, opened_col) or ("{" if "mapping" in context else "[")
            closer = "}" if opener == "{" else "]"
            if line != opened_line:
                return YamlProblem(
                    opened_line, opened_col, f"YAML syntax error: `{opener}` is never closed",
                    f"close it with `{closer}` before line {line}, or quote the whole value if `{opener}` is part of the text",
                )
            return YamlProblem(
                line, col, f"YAML syntax error: a `,` or `{closer}` is missing here, in the `{opener}...{closer}` "
                f"that starts at column {opened_col}",
                f"separate items with `, `, or quote an item that holds `{closer}`, `,` or `: `",
            )
    lines = text.split("\n")  # lines as our positions count them
    if "mapping values are not allowed" in message:
        indented = _too_deep_key(lines, line, col)
        if indented is not None:
            return indented
    return YamlProblem(line, col, f"YAML syntax error: {message}", _yaml_hint(message, lines, line))


def _char_at(text: str, line: int, col: int) -> str:
    lines = text.split("\n", line)
    return lines[line - 1][col - 1: col] if 0 < line <= len(lines) else ""


_KEY_LINE = re.compile(r"( *(?:- +)*)([^\s:#'\"][^:#]*?):(?: |$)")


def _too_deep_key(lines: list[str], line: int, col: int) -> YamlProblem | None:
    """A `key:` line indented deeper than the key line above it: the cause is indentation."""
    if not 0 < line <= len(lines):
        return None
    found = _KEY_LINE.match(lines[line - 1])
    if found is None or found.end(2) + 1 != col:  # the `:` YAML refused is not the line's first: text with a colon
        return None
    for above in range(line - 2, -1, -1):
        previous = _KEY_LINE.match(lines[above])
        if previous is None:
            if lines[above].strip() and not lines[above].lstrip().startswith("#"):
                return None  # a line of text in between: not a key under a key
            continue
        if previous.end(1) >= found.end(1):
            return None
        key, above_key = found.group(2).strip(), previous.group(2).strip()
        return YamlProblem(
            line, found.end(1) + 1, f"YAML syntax error: `{key}` is indented deeper than `{above_key}` on line {above + 1}",
            f"keys of one mapping start in the same column (here column {previous.end(1) + 1}); if `{key}:` is part of the text "
            "above, quote that whole value",
        )
    return None


def _reader_problem(err: yaml.reader.ReaderError, text: str) -> YamlProblem:
    offset = max(err.position, 0)
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return YamlProblem(
        line,
        col,
        f"character U+{err.character:04X} is not allowed in YAML",
        "write control characters as escapes inside double quotes, or remove them",
        "E004",
    )


def _yaml_hint(message: str, lines: list[str], line: int = 0) -> str:
    if "tab" in message or (0 < line <= len(lines) and "\t" in lines[line - 1][: len(lines[line - 1]) - len(lines[line - 1].lstrip())]):
        return "YAML indentation must use spaces, not tabs"
    if "mapping values are not allowed" in message:
        return "a `:` inside text needs the whole value quoted, or use a `>` block"
    if "could not find expected ':'" in message:
        return "check the indentation and that every key ends with `:`"
    if "control characters" in message or "special characters" in message:
        return "the file contains bytes that are not text"
    return "check the indentation and quoting around this line"
