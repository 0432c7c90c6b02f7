"""Composing YAML text into positioned nodes, safely: libyaml's composer or an event loop."""

from __future__ import annotations

from typing import Any

import yaml

from adventure.source.yamlnodes import (
    ALLOWED_TAGS,
    MAX_DEPTH,
    Map,
    Node,
    Positions,
    Scalar,
    Seq,
    YamlProblem,
    _attach,
    _check_size,
    _check_tag,
    _Frame,
    _reader_problem,
    _yaml_problem,
    has_other_line_breaks,
)

try:  # libyaml's C parser when present: same events and marks, much faster
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_SCALAR, _SEQUENCE = yaml.ScalarNode, yaml.SequenceNode
FAST_PATH_MAX_OPENERS = 3000
FAST_PATH_MAX_LINE = 500


def compose(text: str) -> tuple[Node | None, list[tuple[int, int, str, str]]]:
    """Parse one YAML document into positioned nodes with libyaml, safely, choosing the faster way
    (yamlsource.compose tries the line reader of yamlquick.py first, and comes here when it gives up).

    libyaml's own composer (C) recurses once per nesting level and would overflow the C
    stack on a hostile file, so it is used only when a cheap bound proves the nesting is
    shallow: few flow brackets and no long lines (block nesting needs indentation or
    indicators, both bounded by line length). Every other file takes the event loop below.
    """
    if (
        text.count("[") + text.count("{") <= FAST_PATH_MAX_OPENERS
        and _longest_line(text) <= FAST_PATH_MAX_LINE
        and not has_other_line_breaks(text)
    ):
        return _compose_fast(text)
    return compose_events(text)


def _longest_line(text: str) -> int:
    return max(map(len, text.split("\n")), default=0)


class _PlainLoader(_Loader):
    """libyaml's composer without PyYAML's implicit typing: the loader reads raw scalar text
    itself (so `title: No` stays text), and explicit tags never reach `resolve`."""

    def resolve(self, kind: type, value: object, implicit: object) -> str:
        if kind is yaml.ScalarNode:
            return "tag:yaml.org,2002:str"
        return "tag:yaml.org,2002:seq" if kind is yaml.SequenceNode else "tag:yaml.org,2002:map"


def _compose_fast(text: str) -> tuple[Node | None, list[tuple[int, int, str, str]]]:
    """libyaml composes; we convert its nodes, checking what the event loop checks.

    Node positions are libyaml's own, so this is only for text that counts lines as an
    editor does (`compose` sends the rest to the event loop, which recounts them).
    """
    try:
        root = yaml.compose(text, Loader=_PlainLoader)
    except yaml.YAMLError:
        # A broken file is rare: the event loop names its first problem in file order, as it
        # would have for any other file (libyaml's composer reads to the end before we check
        # nesting or tags, and newer libyaml refuses deep nesting in its own words).
        return compose_events(text)
    if root is None:
        return None, []
    problems: list[tuple[int, int, str, str]] = []
    try:
        return _convert(root, problems, text), problems
    except YamlProblem:
        # One input, one answer: a refused file is reported by the event loop, at the place it
        # names (an alias cycle at its alias, the first problem in file order).
        return compose_events(text)


def _problem_of(err: yaml.YAMLError, text: str) -> YamlProblem:
    """Any PyYAML error as a positioned problem for the author."""
    if isinstance(err, yaml.MarkedYAMLError):
        return _yaml_problem(err, text)
    if isinstance(err, yaml.reader.ReaderError):
        return _reader_problem(err, text)
    return YamlProblem(0, 0, f"YAML error: {err}")  # E001


def _convert(root: yaml.Node, problems: list[tuple[int, int, str, str]], text: str) -> Node:
    """PyYAML nodes to ours, with the event loop's checks.

    Without a `*` in the text there can be no alias, so the tree shares no node and each
    node is converted once, directly. With one, shared nodes are remembered (converted
    once, counted at each use, so an alias bomb still trips the size limit) and an alias
    inside its own anchor is refused.
    """
    shared: _Shared | None = _Shared() if "*" in text else None
    return _node(root, problems, 0, shared)


class _Shared:
    """Aliased nodes already converted, and those being converted (to refuse a cycle)."""

    __slots__ = ("active", "done")

    def __init__(self) -> None:
        self.done: dict[int, Node] = {}
        self.active: set[int] = set()


def _node(node: Any, problems: list[tuple[int, int, str, str]], depth: int, shared: _Shared | None) -> Node:
    """One node and what it holds. Recursion is safe: depth stops at MAX_DEPTH.

    `node` is a PyYAML node; which kind is decided by its class here, so it is typed loosely.
    """
    mark = node.start_mark
    line, col = mark.line + 1, mark.column + 1
    tag = node.tag
    if tag not in ALLOWED_TAGS and tag != "!":
        raise YamlProblem(line, col, f"the tag {tag} is not allowed", "story files are plain data: remove the tag", "E005")
    kind = node.__class__
    if kind is _SCALAR:
        style = node.style
        return Scalar(node.value, line, col, not style, None, style or "")
    if depth >= MAX_DEPTH:  # as the event loop counts: collections only
        raise _too_deep(line, col)
    if shared is not None:
        key = id(node)
        if key in shared.done:
            return shared.done[key]
        if key in shared.active:
            raise YamlProblem(line, col, "an alias refers to the node that contains it", "recursive structures are not allowed", "E006")
        shared.active.add(key)
    depth += 1
    converted: Seq | Map
    # Scalars are most nodes: they are built inline here rather than through a call.
    if kind is _SEQUENCE:
        items: list[Node] = []
        size = 1
        chars = 0
        for child in node.value:
            if child.__class__ is _SCALAR and child.tag in ALLOWED_TAGS:
                child_mark, style = child.start_mark, child.style
                items.append(Scalar(child.value, child_mark.line + 1, child_mark.column + 1, not style, None, style or ""))
                size += 1
                chars += len(child.value)
            else:
                item = _node(child, problems, depth, shared)
                items.append(item)
                if item.__class__ is Scalar:
                    size += 1
                    chars += len(item.value)
                else:
                    size += item.size  # type: ignore[union-attr]
                    chars += item.text  # type: ignore[union-attr]
        converted = Seq(items, line, col, size, chars)
    else:
        converted = _mapping(node, line, col, problems, depth, shared)
    _check_size(converted)
    if shared is not None:
        shared.active.discard(id(node))
        shared.done[id(node)] = converted
    return converted


def _mapping(node: Any, line: int, col: int, problems: list[tuple[int, int, str, str]], depth: int, shared: _Shared | None) -> Map:
    pairs: list[tuple[Scalar, Node]] = []
    mapping = Map(pairs, line, col, flow=bool(node.flow_style))
    names: dict[str, tuple[Scalar, Node]] = {}  # only while building: to find duplicates
    careful: _Frame | None = None  # the event loop's bookkeeping, once a duplicate or `<<` appears
    size = 1
    chars = 0
    for key_node, value_node in node.value:
        if key_node.__class__ is _SCALAR and key_node.tag in ALLOWED_TAGS:
            key_mark, style = key_node.start_mark, key_node.style
            key = Scalar(key_node.value, key_mark.line + 1, key_mark.column + 1, not style, None, style or "")
        else:
            converted_key = _node(key_node, problems, depth, shared)
            if converted_key.__class__ is not Scalar:
                raise YamlProblem(
                    converted_key.line, converted_key.col, "a mapping key must be a plain name", "keys like `? [a, b]` are not supported"
                )
            key = converted_key
        if value_node.__class__ is _SCALAR and value_node.tag in ALLOWED_TAGS:
            value_mark, style = value_node.start_mark, value_node.style
            value: Node = Scalar(value_node.value, value_mark.line + 1, value_mark.column + 1, not style, None, style or "")
        else:
            value = _node(value_node, problems, depth, shared)
        name = key.value
        if careful is None and name not in names and name != "<<":
            if value.__class__ is Scalar:
                size += 2
                chars += len(name) + len(value.value)
            else:
                size += 1 + value.size  # type: ignore[union-attr]
                chars += len(name) + value.text  # type: ignore[union-attr]
            pairs.append(names.setdefault(name, (key, value)))
            continue
        if careful is None:
            careful = _Frame(mapping, None, index=names)
        mapping.size, mapping.text = size, chars
        careful.key = key
        _attach([careful], [], value, problems)
        size, chars = mapping.size, mapping.text
    mapping.size, mapping.text = size, chars
    return mapping


def _refused_as_too_deep(err: yaml.YAMLError) -> bool:
    """Whether libyaml itself refused the nesting (newer libyaml stops at about 1,000 levels)."""
    if not isinstance(err, yaml.MarkedYAMLError) or err.problem_mark is None:
        return False
    return "nesting" in (err.problem or "") or "level" in (err.context or "")


def _too_deep(line: int, col: int) -> YamlProblem:
    return YamlProblem(line, col, TOO_DEEP, "a story never needs this much nesting", "E007")


TOO_DEEP = f"nesting deeper than {MAX_DEPTH} levels"


def compose_events(text: str) -> tuple[Node | None, list[tuple[int, int, str, str]]]:
    """Parse one YAML document into nodes without recursion or alias blow-up.

    Returns the root (None for an empty file) and the non-fatal problems found (duplicate
    keys), each as (line, col, message, hint). Raises YamlProblem for fatal ones.

    Newer libyaml (in PyYAML 6.0.4's wheels, at least) refuses nesting of about 1,000
    levels in its scanner, which reads up to 1,024 characters ahead of the events we see,
    so on `[[[[...` it can speak before our bound of MAX_DEPTH does. Older ones never
    refuse. For one answer with every PyYAML, that refusal is replaced by ours: the text
    up to where libyaml stopped is parsed again, and our bound fires inside it, at the
    place it fires with an older libyaml (the cut is at a token's start, and nothing
    before our bound's place depends on what follows the cut).
    """
    try:
        return _compose_events(text)
    except _LibyamlTooDeep as refusal:
        try:
            _compose_events(text[: refusal.index])
        except YamlProblem as ours:
            if ours.message == TOO_DEEP:
                raise ours from None
        except _LibyamlTooDeep:
            pass
        raise _too_deep(refusal.line, refusal.col) from None


class _LibyamlTooDeep(Exception):
    """libyaml refused the nesting at this character offset and position."""

    def __init__(self, index: int, line: int, col: int) -> None:
        super().__init__(index)
        self.index, self.line, self.col = index, line, col


def _compose_events(text: str) -> tuple[Node | None, list[tuple[int, int, str, str]]]:
    try:
        loader = _Loader(text)  # the pure-Python reader checks every character right here
    except yaml.reader.ReaderError as err:
        raise _reader_problem(err, text) from None
    problems: list[tuple[int, int, str, str]] = []
    where = Positions(text)
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
                line, col = where(event.start_mark)
                _check_tag(event.tag, line, col)
                scalar = Scalar(event.value, line, col, not event.style, event.tag, event.style or "")
                if event.anchor:
                    anchors[event.anchor] = scalar
                _attach(stack, roots, scalar, problems)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                line, col = where(event.start_mark)
                _check_tag(event.tag, line, col)
                if len(stack) >= MAX_DEPTH:
                    raise _too_deep(line, col)
                node: Map | Seq = Map([], line, col, flow=bool(event.flow_style)) if kind is yaml.MappingStartEvent else Seq([], line, col)
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
                line, col = where(event.start_mark)
                anchor = event.anchor
                if anchor in open_anchors:
                    raise YamlProblem(
                        line, col, f"alias *{anchor} refers to the node that contains it", "recursive structures are not allowed", "E006"
                    )
                if anchor not in anchors:
                    raise YamlProblem(line, col, f"unknown alias *{anchor}", "define the anchor (&name) before using it", "E006")
                _attach(stack, roots, anchors[anchor], problems)
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    line, col = where(event.start_mark)
                    raise YamlProblem(
                        line, col, "a second YAML document in one file", "put one document per file (remove the extra ---)", "E010"
                    )
    except yaml.YAMLError as err:
        if _refused_as_too_deep(err):
            assert isinstance(err, yaml.MarkedYAMLError) and err.problem_mark is not None
            raise _LibyamlTooDeep(err.problem_mark.index, *where(err.problem_mark)) from None
        raise _problem_of(err, text) from None
    finally:
        loader.dispose()
    return (roots[0] if roots else None), problems
