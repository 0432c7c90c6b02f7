"""A line reader for the plain subset of YAML stories are written in; anything else goes to libyaml."""

from __future__ import annotations

import re
from sys import intern
from typing import Any

from adventure.source import yamlnodes
from adventure.source.yamlnodes import Map, Node, Scalar, Seq

# Why a reader of our own: libyaml is quick, but PyYAML hands its result over as Python
# objects (events with two marks each, or nodes) that we then copy into ours, and that
# hand-over is most of a cold load. Story files are nearly all block mappings and lists
# of one-line plain or quoted scalars, with small flow mappings and lists; this reads
# exactly that, straight into our nodes, and gives up (None) on anything else: anchors,
# aliases, tags, block scalars, comments after a value, multi-line scalars, duplicate keys,
# a key without a value, tabs, unusual characters, documents. Those files go through
# libyaml as before, so every check and every message stays libyaml's and ours. Where it
# answers, it answers exactly as the libyaml path does (tests/test_yamlquick.py compares
# the two on generated text).

# One line: its indentation, a `- ` (the spaces after it too), a `key:` and what follows.
_LINE = re.compile(r"( *)(?:-( +))?(?:([A-Za-z0-9_][A-Za-z0-9_-]*):(?: +|$))?(.*)")
# Characters libyaml reads differently from us or refuses, or that need its escapes: control
# characters, a byte-order mark, surrogates, non-characters; tabs and carriage returns too.
# (Written as the characters refused rather than those allowed: a class of wide ranges takes
# milliseconds to compile, at every start.)
_UNUSUAL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
# The same, for text all in ASCII (most story files): looked for one by one, each search as
# quick as memchr, where the regular expression takes a few nanoseconds a character.
_UNUSUAL_ASCII = tuple(chr(code) for code in (*range(0x0A), *range(0x0B, 0x20), 0x7F))
# What a plain scalar may not start with: an indicator, a space (`?x` and `:x` are text to
# YAML, but rare enough to leave to libyaml).
_PLAIN_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@` ")
_SINGLE = re.compile(r"'((?:[^']|'')*)' *")
_DOUBLE = re.compile(r'"([^"\\]*)" *')
# Inside `{...}` and `[...]`: a plain scalar without indicators or `:`; spaces within are kept.
_FLOW_PLAIN = re.compile(r"[A-Za-z0-9_.+-][^,\[\]{}:#'\"]*")
_FLOW_KEY = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_-]*): +")
_SPACES = re.compile(" *")
# `{name: value}`, the commonest flow mapping (an effect), in one match.
_FLOW_PAIR = re.compile(r"\{([A-Za-z0-9_][A-Za-z0-9_-]*): +([A-Za-z0-9_.+-][^,\[\]{}:#'\"]*?) *\} *")


def _has_unusual(text: str) -> bool:
    if text.isascii():
        return any(char in text for char in _UNUSUAL_ASCII)
    return _UNUSUAL.search(text) is not None


class _GiveUp(Exception):
    """The text is outside the subset read here."""


def compose_quick(text: str) -> tuple[Node | None, list[tuple[int, int, str, str]]] | None:
    """The nodes libyaml's path would give, or None when the text is outside the plain subset."""
    if _has_unusual(text):
        return None
    try:
        root = _read(text)
    except _GiveUp:
        return None
    if root is None:
        return None  # nothing but comments: libyaml's path says what that means
    if root.size > yamlnodes.MAX_EXPANDED_NODES or root.text > yamlnodes.MAX_EXPANDED_TEXT:  # read now: tests lower them
        return None  # libyaml's path names the place
    return root, []


def _plain(value: str) -> str:
    """A one-line plain scalar's text, or give up when YAML would read more into it."""
    if value[0] in _PLAIN_FIRST and not (value[0] == "-" and value[1:2].isalnum()):  # `-3` is text; `- 3` and `---` are not
        raise _GiveUp
    value = value.rstrip(" ")
    if ": " in value or " #" in value or value[-1] == ":":
        raise _GiveUp
    return value


def _scalar(value: str, line: int, col: int) -> Scalar:
    """A one-line scalar written at line:col (col from 1), to the end of its line."""
    first = value[0]
    if first == "'":
        found = _SINGLE.fullmatch(value)
        if found is None:
            raise _GiveUp
        return Scalar(found.group(1).replace("''", "'"), line, col, False, None, "'")
    if first == '"':
        found = _DOUBLE.fullmatch(value)
        if found is None:
            raise _GiveUp
        return Scalar(found.group(1), line, col, False, None, '"')
    return Scalar(_plain(value), line, col, True, None, "")


def _flow(line_text: str, start: int, line: int, depth: int = 0) -> tuple[Map | Seq, int]:
    """The `{...}` or `[...]` at `start` of the line, and where it ends."""
    if depth > 4:
        raise _GiveUp  # deeper than stories go: libyaml's path counts the depth
    opener = line_text[start]
    position = _SPACES.match(line_text, start + 1).end()  # type: ignore[union-attr]
    size = 1
    chars = 0
    if opener == "{":
        pairs: list[tuple[Scalar, Node]] = []
        node: Map | Seq = Map(pairs, line, start + 1, flow=True)
        closer = "}"
        names: set[str] = set()
    else:
        items: list[Node] = []
        node = Seq(items, line, start + 1)
        closer = "]"
    if line_text[position:position + 1] == closer:
        return node, position + 1
    while True:
        key: Scalar | None = None
        if opener == "{":
            found = _FLOW_KEY.match(line_text, position)
            if found is None:
                raise _GiveUp
            name = intern(found.group(1))
            if name in names:
                raise _GiveUp
            names.add(name)
            key = Scalar(name, line, position + 1, True, None, "")
            position = found.end()
        value: Node
        first = line_text[position:position + 1]
        if first in ("{", "["):
            value, position = _flow(line_text, position, line, depth + 1)
            size += value.size
            chars += value.text
        else:
            if first == "'":
                quoted = _SINGLE.match(line_text, position)
                if quoted is None:
                    raise _GiveUp
                value = Scalar(quoted.group(1).replace("''", "'"), line, position + 1, False, None, "'")
            elif first == '"':
                quoted = _DOUBLE.match(line_text, position)
                if quoted is None:
                    raise _GiveUp
                value = Scalar(quoted.group(1), line, position + 1, False, None, '"')
            else:
                quoted = _FLOW_PLAIN.match(line_text, position)
                if quoted is None:
                    raise _GiveUp
                text = quoted.group().rstrip(" ")
                if text.startswith("-") and text[1:2] in ("", " "):
                    raise _GiveUp
                value = Scalar(text, line, position + 1, True, None, "")
            position = quoted.end()
            size += 1
            chars += len(value.value)
        position = _SPACES.match(line_text, position).end()  # type: ignore[union-attr]
        if key is not None:
            pairs.append((key, value))
            size += 1
            chars += len(key.value)
        else:
            items.append(value)
        following = line_text[position:position + 1]
        if following == closer:
            node.size, node.text = size, chars
            return node, position + 1
        if following != ",":
            raise _GiveUp
        position = _SPACES.match(line_text, position + 1).end()  # type: ignore[union-attr]
        if line_text[position:position + 1] in (closer, ","):
            raise _GiveUp  # `[a, ]`: YAML allows it; not needed here


def _value(value: str, line: int, col: int, line_text: str) -> Node:
    """What follows `key: ` or `- ` on a line: a scalar or a flow collection."""
    if value[0] in "{[":
        pair = _FLOW_PAIR.fullmatch(value) if value[0] == "{" else None
        if pair is not None and (pair[2][0] != "-" or pair[2][1:2] not in ("", " ")):
            # `{name: value}`, the commonest flow mapping: what _flow would make of it, in one match
            name, text = intern(pair[1]), pair[2]
            key = Scalar(name, line, col + 1, True, None, "")
            return Map([(key, Scalar(text, line, col + pair.start(2), True, None, ""))], line, col, 3, len(name) + len(text), True)
        node, end = _flow(line_text, col - 1, line)
        if line_text[end:].strip(" "):
            raise _GiveUp
        return node
    return _scalar(value, line, col)


def _read(text: str) -> Map | Seq | None:
    """The block structure: a stack of open collections, each with the column of its keys or dashes."""
    # Each open collection: [its pairs or items, column (from 0), `nodes` and `chars` when it
    # opened, its keys so far (a mapping) or None (a list), the node]. The innermost is also
    # kept in locals (`top`, its column, keys and list): most lines add to it, and go no further.
    # A collection's size and text are what the counts grew by while it was open: `nodes`
    # counts the nodes made so far (a collection once it is closed), `chars` their scalars'
    # characters.
    stack: list[list[Any]] = []
    top: list[Any] = [None, -1, 0, 0, None, None]
    top_column = -1
    top_keys: set[str] = set()
    held: list[Any] = []
    waiting: Scalar | None = None  # a `key:` whose value is on the lines below
    root: Map | Seq | None = None
    match = _LINE.match
    special = _PLAIN_FIRST  # the rest (`-3`, quotes, `{`, `[`) take the slower way
    number = nodes = chars = 0
    for line_text in text.split("\n"):
        number += 1
        indent, dash_spaces, key, value = match(line_text).groups()  # type: ignore[union-attr]
        if dash_spaces is None:
            if key is None:
                if not value or value[0] == "#":
                    continue  # a blank line or a comment
                raise _GiveUp  # a value where a key belongs, or on the line after its key
            column = len(indent)
            if column != top_column or top[4] is None or waiting is not None:
                if waiting is not None:
                    if column <= top_column:
                        raise _GiveUp  # a key without a value
                    _open(stack, False, number, column, waiting, nodes, chars)
                    waiting = None
                else:
                    root, nodes = _settle(stack, False, number, column, root, nodes, chars)
                top = stack[-1]
                top_column, top_keys, held = top[1], top[4], top[0]
        else:
            column = len(indent)
            if column != top_column or top[4] is not None or waiting is not None:
                if waiting is not None:
                    if column < top_column:
                        raise _GiveUp  # a key without a value
                    _open(stack, True, number, column, waiting, nodes, chars)
                    waiting = None
                else:
                    root, nodes = _settle(stack, True, number, column, root, nodes, chars)
                top = stack[-1]
                top_column, held = top[1], top[0]
            item_column = column + 1 + len(dash_spaces)
            if key is not None:  # `- key: ...`: a mapping as the item, its keys at this column
                pairs: list[tuple[Scalar, Node]] = []
                item = Map(pairs, number, item_column + 1)
                held.append(item)
                top_keys = set()
                top = [pairs, item_column, nodes, chars, top_keys, item]
                stack.append(top)
                top_column, held = item_column, pairs
            elif not value:
                raise _GiveUp
            elif value[0] not in special:
                if value[-1] == " ":
                    value = value.rstrip(" ")
                if ": " in value or " #" in value or value[-1] == ":":
                    raise _GiveUp
                held.append(Scalar(value, number, item_column + 1, True, None, ""))
                nodes += 1
                chars += len(value)
                continue
            else:
                node = _value(value, number, item_column + 1, line_text)
                held.append(node)
                if node.__class__ is Scalar:
                    nodes += 1
                    chars += len(node.value)
                else:
                    nodes += node.size  # type: ignore[union-attr]
                    chars += node.text  # type: ignore[union-attr]
                continue
        if key in top_keys:
            raise _GiveUp  # a duplicate: libyaml's path reports it
        top_keys.add(key)
        key = intern(key)  # a story repeats a few keys (label, goto) a hundred thousand times
        key_node = Scalar(key, number, top_column + 1, True, None, "")
        if not value:
            waiting = key_node
            nodes += 1
            chars += len(key)
            continue
        if value[0] not in special:
            value_column = len(line_text) - len(value) + 1
            if value[-1] == " ":
                value = value.rstrip(" ")
            if ": " in value or " #" in value or value[-1] == ":":
                raise _GiveUp
            if len(value) <= 16:  # a name (a scene's id, a goto's target): the story keeps it, once
                value = intern(value)
            held.append((key_node, Scalar(value, number, value_column, True, None, "")))
            nodes += 2
            chars += len(key) + len(value)
            continue
        if value[0] == "#":
            raise _GiveUp  # `key: # note`: an empty value
        node = _value(value, number, len(line_text) - len(value) + 1, line_text)
        held.append((key_node, node))
        if node.__class__ is Scalar:
            nodes += 2
            chars += len(key) + len(node.value)
        else:
            nodes += 1 + node.size  # type: ignore[union-attr]
            chars += len(key) + node.text  # type: ignore[union-attr]
    if waiting is not None:
        raise _GiveUp
    while stack:
        nodes = _close(stack, nodes, chars)
    return root


def _settle(
    stack: list[list[Any]], is_dash: bool, line: int, column: int, root: Map | Seq | None, nodes: int, chars: int
) -> tuple[Map | Seq | None, int]:
    """Close the collections a line at `column` ends, and check that it continues the one left
    (a key of a mapping, or an item of a list, at this column); the root (when this line opens
    it) and the count of nodes (closed collections count)."""
    while stack:
        top = stack[-1]
        if top[1] > column or (top[1] == column and top[4] is None and not is_dash):
            nodes = _close(stack, nodes, chars)
        else:
            if top[1] != column or (top[4] is None) != is_dash:
                raise _GiveUp
            return root, nodes
    if root is not None:
        raise _GiveUp  # more after the root: not one document
    return _open(stack, is_dash, line, column, None, nodes, chars), nodes


def _close(stack: list[list[Any]], nodes: int, chars: int) -> int:
    """The innermost open collection is complete: its size and text are what the counts grew by
    since it opened; the count of nodes now counts it too."""
    top = stack.pop()
    closed = top[5]
    closed.size = 1 + nodes - top[2]
    closed.text = chars - top[3]
    return nodes + 1


def _open(stack: list[list[Any]], is_dash: bool, line: int, column: int, key: Scalar | None, nodes: int, chars: int) -> Map | Seq:
    """A block collection whose first key or dash is at line:column, the value of `key` in the open mapping (or the root)."""
    if len(stack) >= yamlnodes.MAX_DEPTH - 8:
        raise _GiveUp  # libyaml's path counts the depth and names the place
    held: list[Any] = []
    node: Map | Seq = Seq(held, line, column + 1) if is_dash else Map(held, line, column + 1)
    if key is not None:
        stack[-1][0].append((key, node))
    stack.append([held, column, nodes, chars, None if is_dash else set(), node])
    return node
