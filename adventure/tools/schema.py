"""JSON Schemas (draft 2020-12) of story.yaml and scene files, built from the format's rules."""

from __future__ import annotations

import json
from typing import Any, Literal

from adventure.source.codes import WARNINGS
from adventure.story.expr import RESERVED
from adventure.story.loader.declarations import NAME, SCENE_ID, STORY_ID, TYPES

Schema = dict[str, Any]
SchemaFor = Literal["story", "scenes"]
KINDS: tuple[SchemaFor, ...] = ("scenes", "story")
DRAFT = "https://json-schema.org/draft/2020-12/schema"
DOCS = "docs/scene-format.md"


def _pattern(regex: str) -> str:
    """A loader regex (matched whole, by fullmatch) as a JSON Schema pattern."""
    return "^" + regex + "$"


# The loader reads every scalar as text, so `title: 1984` or `label: yes` (YAML 1.1 reads
# that as true) are text to it. Text fields accept what a YAML parser may turn them into.
TEXT_TYPES = ["string", "number", "boolean"]


def _text(description: str) -> Schema:
    return {"type": TEXT_TYPES, "description": description}


def _ref(name: str, description: str = "") -> Schema:
    schema: Schema = {"$ref": f"#/$defs/{name}"}
    if description:
        schema["description"] = description
    return schema


def _object(description: str, properties: dict[str, Schema], required: tuple[str, ...] = (), **extra: Any) -> Schema:
    schema: Schema = {"type": "object", "description": description, "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    schema.update(extra)
    return schema


def _names(description: str) -> Schema:
    """One name or a list of names (set members, codex ids): the loader takes either."""
    return {"description": description, "anyOf": [{"type": TEXT_TYPES}, {"type": "array", "items": {"type": TEXT_TYPES}}]}


def _identifier(regex: str, description: str) -> Schema:
    # `pattern` only constrains strings; a YAML number such as `id: 12` is text "12" to the loader.
    return {"type": ["string", "integer"], "minimum": 0, "pattern": _pattern(regex), "description": description}


def _variable() -> Schema:
    properties: dict[str, Schema] = {
        "type": {"enum": list(TYPES), "description": "bool, int, string or set (required)."},
        "default": {"description": "Starting value. Defaults: false, 0 (or min if 0 is out of range), \"\", the empty set."},
        "min": {"type": "integer", "description": "int only: values are clamped to at least this after every change."},
        "max": {"type": "integer", "description": "int only: values are clamped to at most this after every change."},
        "members": {
            "description": "set only (required): every name the set may ever hold; or a mapping of each name to the name the player reads.",
            "anyOf": [
                {"type": TEXT_TYPES},
                {"type": "array", "items": {"type": TEXT_TYPES}},
                {"type": "object", "additionalProperties": {"type": TEXT_TYPES}, "minProperties": 1},
            ],
        },
        "doc": _text("One line saying what the variable is for (shown by the tools)."),
        "label": _text("What the player reads for the variable in notes, e.g. Ids; a labelled variable's changes are announced."),
        "silent": {"type": "boolean", "description": "Never announce this variable's changes (default false)."},
    }
    by_type: list[Schema] = []
    for type_name, default, only in (
        ("bool", {"type": "boolean"}, ()),
        ("int", {"type": "integer"}, ("min", "max")),
        ("string", {"type": [*TEXT_TYPES, "null"]}, ()),
        ("set", _names("Members the set starts with."), ("members",)),
    ):
        then: Schema = {"properties": {"default": default}}
        if type_name == "set":
            then["required"] = ["members"]
        forbidden = [key for key in ("min", "max", "members") if key not in only]
        then["not"] = {"anyOf": [{"required": [key]} for key in forbidden]}
        by_type.append({"if": {"properties": {"type": {"const": type_name}}, "required": ["type"]}, "then": then})
    return _object(
        "A declared variable. Every variable is global: names are unique across the story.", properties, ("type",), allOf=by_type
    )


def _name_map(value: Schema, description: str, reserved: bool = False) -> Schema:
    names: Schema = {"pattern": _pattern(NAME.pattern)}
    if reserved:
        names["not"] = {"enum": sorted(RESERVED)}
    return {"type": "object", "description": description, "propertyNames": names, "additionalProperties": value}


def _effects() -> dict[str, Schema]:
    numbers = {"type": "integer"}
    names = _names("A member, or a list of members, of a set variable.")
    value: Schema = {
        "description": "A literal of the variable's type, or {expr: \"...\"} for a computed value.",
        "anyOf": [
            {"type": [*TEXT_TYPES, "null"]},
            {"type": "array", "items": {"type": TEXT_TYPES}},
            _object("A computed value.", {"expr": _text("An expression of the variable's type, e.g. money + size(keys).")}, ("expr",)),
        ],
    }
    into = {"type": "string", "pattern": _pattern(NAME.pattern), "description": "The variable that receives the result."}
    effects: dict[str, Schema] = {
        "set": _name_map(value, "Set variables to literal values of their type: set: {lamp: true, name: Ada}."),
        "add": _name_map({"anyOf": [numbers, names]}, "Add to an int, or put members into a set: add: {money: 3, keys: iron}."),
        "subtract": _name_map(numbers, "Subtract from an int: subtract: {money: 1}."),
        "remove": _name_map(names, "Take members out of a set: remove: {keys: [brass, iron]}."),
        "unlock": _names("Unlock codex entries: unlock: harbour, or unlock: [harbour, lighthouse]."),
        "roll": _object(
            "A random whole number from min to max, both included, into an int: roll: {into: dice, min: 1, max: 6}.",
            {
                "into": into,
                "min": {"type": "integer", "description": "Lowest result."},
                "max": {"type": "integer", "description": "Highest result."},
            },
            ("into", "min", "max"),
        ),
        "pick": _object(
            "A random item of the list into a string: pick: {into: name, from: [Ada, Bo]}.",
            {
                "into": into,
                "from": {
                    "description": "The items to pick from (at least one).",
                    "anyOf": [{"type": TEXT_TYPES}, {"type": "array", "items": {"type": TEXT_TYPES}, "minItems": 1}],
                },
            },
            ("into", "from"),
        ),
    }
    return effects


def _defs() -> dict[str, Schema]:
    conditional = _object(
        "A conditional part: `text` when `if` holds, else `else`.",
        {
            "if": _text("A bool expression, e.g. trust >= 5 or visited(\"harbour\")."),
            "text": _ref("text", "Shown when the condition holds."),
            "else": _ref("text", "Shown when it does not (optional)."),
        },
        ("if", "text"),
    )
    effects = _effects()
    plain_effect = {
        "type": "object", "description": "One effect: a mapping with exactly one key.",
        "minProperties": 1, "maxProperties": 1, "properties": effects, "additionalProperties": False,
    }
    branch = {"description": "A list of effects, or one effect.", "anyOf": [_ref("effects"), _ref("effect")]}
    conditional_effect = _object(
        "Effects that run only when `if` holds: under `then:`, or one effect beside the `if`; `else:` runs otherwise.",
        {
            "if": _text("A bool expression; it may use random(low, high)."),
            "then": {**branch, "description": "The effects run when the condition holds."},
            "else": {**branch, "description": "The effects run when it does not (optional)."},
            **effects,
        },
        ("if",),
        oneOf=[
            {"required": ["then"], "not": {"anyOf": [{"required": [key]} for key in effects]}},
            {"not": {"required": ["then"]}, "oneOf": [{"required": [key]} for key in effects]},
        ],
    )
    effect = {"description": "One effect, or a conditional block of effects.", "anyOf": [plain_effect, conditional_effect]}
    choice = _object(
        "A choice the player may take.",
        {
            "label": _text("What the player sees: one short line, written as what the player does or says."),
            "goto": _identifier(SCENE_ID.pattern, "The id of the target scene (may be the same scene)."),
            "detour": _identifier(SCENE_ID.pattern, "Go into this scene; a later `return: true` choice comes back here."),
            "return": {"const": True, "description": "Go back to the scene the innermost detour was taken from."},
            "reply": _ref("text", "Shown as the answer to the choice, before what comes next."),
            "if": _text("A bool expression. When false the choice is hidden, unless `disabled` is given."),
            "disabled": _text("When `if` is false, list the choice dimmed with this reason instead of hiding it."),
            "effects": _ref("effects", "Effects applied before moving to `goto`."),
            "once": {"type": "boolean", "description": "Gone after it has been taken once (default false)."},
            "fallback": {"type": "boolean", "description": "Listed only when no other choice can be taken (default false)."},
            "id": {
                "type": "string",
                "pattern": _pattern(NAME.pattern),
                "description": "A stable name for the choice in tools and saves (default: its position).",
            },
            "ignore": _ref("ignore", "Warning codes silenced for this choice, such as [W501]."),
        },
        ("label",),
        dependentRequired={"disabled": ["if"]},
        # where it leads: one of goto, detour, return; or none of them, staying with a reply or effects
        allOf=[
            {"not": {"anyOf": [{"required": pair} for pair in (["goto", "detour"], ["goto", "return"], ["detour", "return"])]}},
            {"anyOf": [{"required": [key]} for key in ("goto", "detour", "return", "reply", "effects")]},
        ],
    )
    ending = _object(
        "Makes the scene an ending; an ending has no choices.",
        {
            "id": _identifier(SCENE_ID.pattern, "A stable id, remembered across games; unique among endings: letters, digits, _, - and ."),
            "name": _text("The name shown when the player reaches it."),
            "canonical": {"type": "boolean", "description": "Marks the story's true ending (at most one)."},
            "hint": _text("A clue shown on the title screen's Endings found until the player finds this ending."),
        },
        ("id", "name"),
    )
    scene = _object(
        "One scene.",
        {
            "id": _identifier(SCENE_ID.pattern, "Unique across the whole story: letters, digits, _, - and ."),
            "title": _text("Shown above the text."),
            "text": _ref("text", "The scene's text."),
            "chapter": _text("Overrides the file's `chapter`."),
            "recap": _text("One line for \"the story so far\" (the recap command)."),
            "on_enter": _ref("effects", "Effects applied each time the player arrives."),
            "choices": {"type": "array", "items": choice, "description": "The choices; required unless the scene is an ending."},
            "ending": ending,
            "ignore": _ref("ignore", "Warning codes silenced for this scene and its choices, such as [W101]."),
        },
        ("id", "title", "text"),
        allOf=[{
            "if": {"required": ["ending"]},
            "then": {"properties": {"choices": {"maxItems": 0}}},
            "else": {"required": ["choices"], "properties": {"choices": {"minItems": 1}}},
        }],
    )
    codes: Schema = {"enum": sorted(WARNINGS)}
    return {
        "text": {
            "description": "Text: a string (paragraphs split at blank lines), or a list of paragraphs and conditional parts. "
            "Inside text: {expression}, inline forms ({if c: a|b}, {seq: a|b}, {cycle: ...}, {once: ...}, {shuffle: ...}, "
            "{plural n: one|many}, {select s: k=a|else=b}) and snippets ({>name}).",
            "anyOf": [
                {"type": TEXT_TYPES},
                {"type": "array", "items": {"anyOf": [{"type": TEXT_TYPES}, _ref("conditional"), _ref("text")]}},
                _ref("conditional"),
            ],
        },
        "conditional": conditional,
        "ignore": {
            "description": "Warning codes to silence here (see docs/diagnostics.md): one code or a list.",
            "anyOf": [codes, {"type": "array", "items": codes}],
        },
        "effects": {"type": "array", "items": _ref("effect"), "description": "A list of effects, applied in order."},
        "effect": effect,
        "variables": _name_map(_variable(), "Variables, by name (letters, digits and _; not a built-in name).", reserved=True),
        "codex": _name_map(
            _object(
                "A codex entry: hidden until an `unlock` effect opens it.",
                {"title": _text("The entry's title."), "text": _ref("text", "The entry's text.")},
                ("title", "text"),
            ),
            "Codex entries, by id (letters, digits and _).",
        ),
        "scene": scene,
        "snippets": _name_map(
            _text("One paragraph of text, with interpolation and inline forms, used inside other text as {>name}."),
            "Named snippets of text, by name (letters, digits and _).",
        ),
    }


def _story() -> Schema:
    properties: dict[str, Schema] = {
        "id": _identifier(STORY_ID.pattern, "Letters, digits, - and _; saves remember it (required)."),
        "title": _text("Shown on the title screen (required)."),
        "version": {"type": ["string", "number"], "description": "A whole number or a string such as \"1.2\" (required)."},
        "start": _identifier(SCENE_ID.pattern, "The id of the first scene (required)."),
        "author": _text("The author's name."),
        "blurb": _text("One short paragraph for the title screen."),
        "variables": _ref("variables", "Every variable the story uses is declared here or in a scene file."),
        "status": _text("The status line, with {interpolation}: \"{chapter} · money {money}\"."),
        "codex": _ref("codex", "Codex entries (they may also live in scene files)."),
        "renamed": {
            "type": "object", "description": "Scenes renamed since players have saves: {old_id: new_id}; saves move to the new id.",
            "additionalProperties": _identifier(SCENE_ID.pattern, "The scene's new id."),
        },
        "snippets": _ref("snippets", "Snippets every file may use, as {>name}."),
        "ignore": _ref("ignore", "Warning codes silenced for the whole story, such as [W203]."),
    }
    return _object("story.yaml: the story's header.", properties, ("id", "title", "version", "start"))


def _scene_file() -> Schema:
    return _object(
        "A scene file: a chapter's scenes, and optionally its variables and codex entries.",
        {
            "chapter": _text("The default chapter name of every scene in this file."),
            "scenes": {"type": "array", "items": _ref("scene"), "description": "The scenes of this file."},
            "codex": _ref("codex", "More codex entries."),
            "variables": _ref("variables", "More variables, as in story.yaml."),
            "snippets": _ref("snippets", "Snippets only this file's text may use, as {>name}."),
        },
        ("scenes",),
    )


def build_schema(kind: SchemaFor = "scenes") -> Schema:
    """The JSON Schema of a scene file ("scenes") or of story.yaml ("story")."""
    root = _story() if kind == "story" else _scene_file()
    title = "adventure story.yaml" if kind == "story" else "adventure scene file"
    return {
        "$schema": DRAFT,
        "$id": f"urn:adventure:schema:{kind}",
        "title": title,
        **root,
        "description": root["description"]
        + f" Structure only: that gotos, variables and codex ids exist is checked by `adventure check` (see {DOCS}).",
        "$defs": _defs(),
    }


def schema_json(kind: SchemaFor = "scenes") -> str:
    """The schema as indented JSON text."""
    return json.dumps(build_schema(kind), indent=2, ensure_ascii=False) + "\n"
