"""Where the cursor is in a YAML file being typed: the keys above it, and what belongs there.

An editor's buffer is often not valid YAML while the author types, so this reads the
lines around the cursor by their indentation instead of parsing the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LINE = 4000  # a longer line is looked at only up to here
_LEAD = re.compile(r"( *)((?:- +)*)")
_KEY = re.compile(r"([A-Za-z_][\w.\-]*|\"[^\"]*\"|'[^']*')\s*:(?:\s|$)")
_BLOCK = re.compile(r"[|>][+-]?\d?\s*(#.*)?$")
ITEM = "[]"


@dataclass(frozen=True, slots=True)
class Line:
    """One line's shape: where its content starts, whether it opens list items, its key."""

    dash: int  # column of its first `- `, or -1
    content: int  # column where its content (after any `- `) starts
    key: str  # the key it starts with, or ""
    value: str  # what follows the key's colon (stripped), or the content when it has no key
    blank: bool


def shape(text: str) -> Line:
    text = text[:MAX_LINE]
    lead = _LEAD.match(text)
    assert lead is not None  # the pattern matches the empty string
    content = lead.end()
    rest = text[content:]
    dash = len(lead.group(1)) if lead.group(2) else -1
    if not rest.strip() or rest.lstrip().startswith("#"):
        return Line(dash, content, "", "", dash < 0)
    key_match = _KEY.match(rest)
    if key_match is None:
        return Line(dash, content, "", rest.strip(), False)
    key = key_match.group(1).strip("\"'")
    return Line(dash, content, key, rest[key_match.end():].strip(), False)


def _opens_scalar(value: str) -> bool:
    """Whether a key's value on its own line starts text that goes on below (a block or plain scalar)."""
    return bool(value) and not value.startswith(("#", "&", "!", "*")) and (bool(_BLOCK.match(value)) or value[0] not in "{[")


def path_at(lines: list[str], row: int, column: int) -> tuple[list[str], bool]:
    """The keys leading to the mapping that holds the cursor ("[]" for a list item), and
    whether the cursor is inside text that goes on over lines (a `|` or `>` block) instead.

    For `scenes:\n  - id: a\n    choices:\n      - label: x\n        |` the path is
    ["scenes", "[]", "choices", "[]"].
    """
    prefix = lines[row][:column] if row < len(lines) else ""
    current = shape(prefix)
    column_of_keys = column if current.blank else current.content
    item_dash = current.dash if not current.blank else -1
    path: list[str] = []
    row -= 1
    while True:
        if item_dash >= 0:
            # the mapping is a list item: find the key that holds the list
            path.insert(0, ITEM)
            found = False
            while row >= 0:
                line = shape(lines[row])
                row -= 1
                if line.blank or line.dash == item_dash or line.content > item_dash:
                    continue
                if line.key and (line.value == "" or line.value.startswith("#")):
                    path.insert(0, line.key)
                    column_of_keys, item_dash, found = line.content, line.dash, True
                break
            if not found:
                return path, False
            continue
        # the mapping's keys are at column_of_keys: find the line that opened it
        while row >= 0:
            line = shape(lines[row])
            row -= 1
            if line.blank or line.content > column_of_keys:
                continue
            if line.content == column_of_keys:
                if line.dash >= 0:
                    item_dash = line.dash
                    break
                continue  # a sibling key
            if not line.key:
                return path, False
            if _opens_scalar(line.value):
                return path, True
            path.insert(0, line.key)
            column_of_keys, item_dash = line.content, line.dash
            break
        else:
            return path, False
