"""What may be typed at the cursor: scene ids, variables, functions, members, codex ids and keys."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from adventure.lsp.context import ITEM, MAX_LINE, path_at
from adventure.lsp.index import StoryIndex
from adventure.story.expr import BUILTINS, FUNCTIONS
from adventure.story.loader import STORY_FILE
from adventure.story.loader.declarations import TYPES
from adventure.tools.schema import SchemaFor, build_schema

ItemKind = Literal["scene", "variable", "function", "keyword", "codex", "member", "key", "value", "snippet"]
EFFECT_TYPES = {"set": ("bool", "int", "string", "set"), "add": ("int", "set"), "subtract": ("int",), "remove": ("set",)}
FUNCTION_DOCS = {
    "size": "size(x): members in a set, or characters in a string (int)",
    "visited": 'visited("scene_id"): whether the player has been to the scene (bool)',
    "visits": 'visits("scene_id"): how many times the player has been to the scene (int)',
    "unlocked": 'unlocked("codex_id"): whether the codex entry is unlocked (bool)',
    "title": 'title("codex_id"): the codex entry\'s title (string)',
    "min": "min(a, b, ...): the smallest (int)",
    "max": "max(a, b, ...): the largest (int)",
    "abs": "abs(a): without its sign (int)",
    "random": "random(low, high): a whole number from low to high, both included; in effects only (int)",
    "capitalize": "capitalize(name): the first letter upper-case (string)",
    "upper": "upper(name): upper-case (string)",
    "lower": "lower(name): lower-case (string)",
}
BUILTIN_DOCS = {"turn": "choices made so far (int)", "chapter": "the current scene's chapter (string)", "true": "bool", "false": "bool"}
_SNIPPET_USE = re.compile(r"\{\s*>\s*\w*$")
_CALL_ARGUMENT = re.compile(r"\b(visited|visits|unlocked|title)\(\s*[\"']([\w.\-]*)$")
_OPEN_MEMBER = re.compile(r"[\"']\w*$")
_MEMBER_TEST = re.compile(r"\w*[\"']\s+(?:not\s+)?in\s+([A-Za-z_]\w*)")


@dataclass(frozen=True, slots=True)
class Item:
    """One completion: the text, what it is, a short detail and a longer explanation."""

    label: str
    kind: ItemKind
    detail: str = ""
    documentation: str = ""


@dataclass(frozen=True, slots=True)
class Spot:
    """What the cursor's line says about the cursor: at a key, at a key's value, or in an `{expression}`."""

    mode: Literal["key", "value", "expression"]
    key: str = ""  # the key whose value is being typed
    parent: str = ""  # the key owning the flow collection ({...} or [...]) the cursor is in
    text: str = ""  # what has been typed of this value or expression so far


def spot(prefix: str) -> Spot:
    """Read a line up to the cursor: keys, values, quotes, flow collections and `{` holes."""
    stack: list[tuple[str, str]] = []  # open flow collections: (bracket, the key owning it)
    key = ""
    start = len(prefix) - len(prefix.lstrip(" -"))
    quote = ""
    hole = -1  # where an unclosed `{` of interpolation starts
    index = start
    while index < len(prefix):
        char = prefix[index]
        token = prefix[start:index].strip()
        if quote:
            if char == quote:
                quote = ""
            elif char == "{" and hole < 0:
                hole = index
            elif char == "}":
                hole = -1
        elif hole >= 0:
            if char == "}":
                hole = -1
        elif char in "\"'" and not token:
            quote = char
        elif char in "{[" and not token:
            stack.append((char, key))
            key, start = "", index + 1
        elif char == "{":
            hole = index  # `{` inside a value already begun: interpolation
        elif char in "}]" and stack:
            stack.pop()
            key, start = "", index + 1
        elif char == "," and stack:
            key, start = "", index + 1
        elif char == ":" and (index + 1 == len(prefix) or prefix[index + 1] in " \t"):
            key, start = token.strip("\"'"), index + 1
        elif char == "#" and (index == 0 or prefix[index - 1] in " \t") and not stack:
            return Spot("value", key="#")  # a comment: nothing to complete
        index += 1
    parent = stack[-1][1] if stack else ""
    if hole >= 0:
        return Spot("expression", key, parent, prefix[hole + 1:])
    typed = prefix[start:].strip().strip("\"'")
    if key:
        return Spot("value", key, parent, typed)
    if stack and stack[-1][0] == "[":
        return Spot("value", parent, stack[-2][1] if len(stack) > 1 else "", typed)
    return Spot("key", "", parent, typed)


def complete(index: StoryIndex | None, path: str, lines: list[str], row: int, column: int) -> list[Item]:
    """Every completion that fits at (row, column) of a file (from 0), best first by kind."""
    line = lines[row] if row < len(lines) else ""
    prefix = line[:column][-MAX_LINE:]
    after = line[column:column + 200]
    if _SNIPPET_USE.search(prefix):
        return _snippets(index, path)
    call = _CALL_ARGUMENT.search(prefix)
    if call:
        return _scenes(index) if call.group(1) in ("visited", "visits") else _codex(index)
    member = _MEMBER_TEST.match(after)
    if member and _OPEN_MEMBER.search(prefix):
        return _members(index, member.group(1))
    keys, in_text = path_at(lines, row, column)
    where = spot(prefix)
    if where.key == "#":
        return []
    if in_text or where.mode == "expression":
        return _expression(index) if where.mode == "expression" else []
    if where.parent:
        keys = [*keys, where.parent]
    if where.mode == "value":
        return _value(index, keys, where.key)
    kind: SchemaFor = "story" if os.path.basename(path) == STORY_FILE else "scenes"
    return _keys(index, kind, keys)


def _value(index: StoryIndex | None, keys: list[str], key: str) -> list[Item]:
    parent = keys[-1] if keys else ""
    if key == "unlock":
        return _codex(index)
    if key in ("goto", "detour", "start") or parent == "renamed":
        return _scenes(index)
    if key in ("if", "expr"):
        return _expression(index)
    if key == "into":
        wanted = {"roll": ("int",), "pick": ("string",)}.get(parent, ("int", "string"))
        return _variables(index, wanted)
    if key == "type" and len(keys) >= 2 and keys[-2] == "variables":
        return [Item(name, "value", "variable type") for name in TYPES]
    if key in ("once", "fallback", "canonical", "return"):
        return [Item("true", "value"), Item("false", "value")]
    if parent in EFFECT_TYPES and index is not None:
        variable = index.variables.get(key)
        if variable is not None and variable.type == "set":
            return _members(index, key)
        if variable is not None and variable.type == "bool":
            return [Item("true", "value"), Item("false", "value")]
    return []


def _keys(index: StoryIndex | None, kind: SchemaFor, keys: list[str]) -> list[Item]:
    if keys and keys[-1] in EFFECT_TYPES:
        return _variables(index, EFFECT_TYPES[keys[-1]])
    return [Item(name, "key", "", description) for name, description in schema_keys(kind, tuple(keys))]


@cache
def _schema(kind: SchemaFor) -> dict[str, Any]:
    return build_schema(kind)


def _resolve(schema: dict[str, Any], node: Any) -> list[dict[str, Any]]:
    """A schema node and the alternatives it stands for ($ref followed, anyOf opened)."""
    found: list[dict[str, Any]] = []
    stack = [node]
    while stack and len(found) < 50:
        item = stack.pop()
        if not isinstance(item, dict):
            continue
        reference = item.get("$ref")
        if isinstance(reference, str) and reference.startswith("#/$defs/"):
            stack.append(schema["$defs"].get(reference.rsplit("/", 1)[1]))
            continue
        found.append(item)
        stack.extend(reversed(item.get("anyOf", [])))
    return found


def schema_keys(kind: SchemaFor, keys: tuple[str, ...]) -> list[tuple[str, str]]:
    """The keys a mapping may have at this path of a file (from the same schema as `adventure schema`), with their meaning."""
    schema = _schema(kind)
    nodes = _resolve(schema, schema)
    for key in keys:
        following: list[Any] = []
        for node in nodes:
            if key == ITEM:
                following.append(node.get("items"))
            elif key in node.get("properties", {}):
                following.append(node["properties"][key])
            elif isinstance(node.get("additionalProperties"), dict):
                following.append(node["additionalProperties"])
        nodes = [resolved for item in following for resolved in _resolve(schema, item)]
    result: dict[str, str] = {}
    for node in nodes:
        for name, value in node.get("properties", {}).items():
            result.setdefault(name, value.get("description", "") if isinstance(value, dict) else "")
    return list(result.items())


def _scenes(index: StoryIndex | None) -> list[Item]:
    if index is None:
        return []
    items = []
    for symbol in index.declared("scene"):
        scene = index.scenes.get(symbol.name)
        title = "".join(part if isinstance(part, str) else "{" + part.source + "}" for part in scene.title.parts) if scene else ""
        chapter = index.chapters.get(symbol.name, "")
        items.append(Item(symbol.name, "scene", title, f"chapter: {chapter}" if chapter else ""))
    return items


def _snippets(index: StoryIndex | None, path: str) -> list[Item]:
    """The snippets this file's text may use: the story's, and its own."""
    if index is None:
        return []
    return [
        Item(symbol.name, "snippet", "snippet of this file" if symbol.owner else "snippet")
        for symbol in index.declared("snippet") if symbol.owner in ("", path)
    ]


def _codex(index: StoryIndex | None) -> list[Item]:
    if index is None:
        return []
    return [Item(symbol.name, "codex", index.codex_titles.get(symbol.name, "")) for symbol in index.declared("codex")]


def _members(index: StoryIndex | None, owner: str) -> list[Item]:
    variable = index.variables.get(owner) if index is not None else None
    if variable is None:
        return []
    return [Item(member, "member", f"member of set {owner}") for member in sorted(variable.members)]


def _variables(index: StoryIndex | None, types: tuple[str, ...]) -> list[Item]:
    if index is None:
        return []
    return [
        Item(name, "variable", describe_type(index, name), variable.doc)
        for name, variable in index.variables.items()
        if variable.type in types
    ]


def describe_type(index: StoryIndex, name: str) -> str:
    variable = index.variables[name]
    text: str = variable.type
    if variable.min is not None or variable.max is not None:
        text += f" {'' if variable.min is None else variable.min}..{'' if variable.max is None else variable.max}"
    if variable.type == "set":
        text += " of " + ", ".join(sorted(variable.members))
    return text


def _expression(index: StoryIndex | None) -> list[Item]:
    items = _variables(index, ("bool", "int", "string", "set"))
    items += [Item(name, "function", FUNCTION_DOCS.get(name, ""), FUNCTION_DOCS.get(name, "")) for name in FUNCTIONS]
    items += [Item(name, "keyword", BUILTIN_DOCS.get(name, "")) for name in BUILTINS]
    items += [Item(word, "keyword") for word in ("and", "or", "not", "in")]
    return items
