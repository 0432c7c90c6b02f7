"""Reading declarations: the story header, variables, and which scenes and entries exist."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType

from adventure.source.problems import Problem
from adventure.source.textsafe import clean
from adventure.source.yamlsource import Map, Node, Scalar, Seq
from adventure.story.expr import RESERVED, TypeName, Value, VarInfo
from adventure.story.exprhints import suggest
from adventure.story.loader.reader import Reader
from adventure.story.loader.unreadable import Unreadable
from adventure.story.model import Variable

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # identifiers are matched whole (fullmatch)
SCENE_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
STORY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]*")
TYPES: tuple[TypeName, ...] = ("bool", "int", "string", "set")
HEADER_KEYS = ("id", "title", "version", "start", "author", "blurb", "variables", "status", "codex", "renamed", "snippets", "ignore")
FILE_KEYS = ("chapter", "scenes", "codex", "variables", "snippets")
VARIABLE_KEYS = ("type", "default", "min", "max", "members", "doc", "label", "silent")


@dataclass(slots=True)
class Header:
    """What story.yaml says, before scenes are compiled."""

    id: str = ""
    title: str = ""
    version: str = ""
    start: str = ""
    start_node: Node | None = None
    author: str = ""
    blurb: str = ""
    status: Node | None = None
    renamed: dict[str, tuple[str, Node]] = field(default_factory=dict)
    ignore: frozenset[str] = frozenset()  # warning codes silenced for the whole story


@dataclass(slots=True)
class RawScene:
    """A scene's node and the file-level facts it inherits."""

    id: str
    node: Map
    reader: Reader
    chapter: str


@dataclass(slots=True)
class RawCodex:
    """A codex entry as declared, before its text is compiled."""

    id: str
    node: Map
    reader: Reader


@dataclass(slots=True)
class RawSnippet:
    """A snippet's text node; `file` is '' for a story-wide one (declared in story.yaml)."""

    name: str
    node: Node
    reader: Reader
    file: str


@dataclass(slots=True)
class Declarations:
    """Everything declared anywhere in the story, gathered before compiling."""

    header: Header = field(default_factory=Header)
    variables: dict[str, Variable] = field(default_factory=dict)
    scenes: dict[str, RawScene] = field(default_factory=dict)
    codex: dict[str, RawCodex] = field(default_factory=dict)
    snippets: dict[str, RawSnippet] = field(default_factory=dict)  # story-wide
    file_snippets: dict[str, dict[str, RawSnippet]] = field(default_factory=dict)  # by file path
    unreadable: Unreadable = field(default_factory=Unreadable)  # what files that could not be read may declare


def read_header(reader: Reader, root: Node | None, decls: Declarations) -> None:
    header = decls.header
    node = reader.mapping(root, "story.yaml")
    if node is None:
        return
    values = reader.fields(node, "story.yaml", HEADER_KEYS, ("id", "title", "version", "start"))
    if "id" in values:
        header.id = reader.identifier(values["id"], "story id", STORY_ID, "use letters, digits, - and _") or ""
    if "title" in values:
        header.title = reader.string(values["title"], "title") or ""
    if "version" in values:
        header.version = reader.string(values["version"], "version") or ""
    if "start" in values:
        header.start = reader.string(values["start"], "start") or ""
        header.start_node = values["start"]
        reader.note(values["start"], "scene", header.start)
    for key in ("author", "blurb"):
        if key in values:
            setattr(header, key, reader.string(values[key], key, block=True) or "")
    header.status = values.get("status")
    if "variables" in values:
        read_variables(reader, values["variables"], decls)
    if "codex" in values:
        read_codex(reader, values["codex"], decls)
    if "snippets" in values:
        read_snippets(reader, values["snippets"], decls, "")
    if "ignore" in values:
        header.ignore = reader.warning_codes(values["ignore"])
    if "renamed" in values:
        renamed = reader.mapping(values["renamed"], "renamed")
        for old, value in renamed.pairs if renamed else ():
            # the old id is a scene id too: saves hold it, and `adventure diff` prints it
            old_id = reader.identifier(old, "renamed: old scene id", SCENE_ID, "use letters, digits, _, - and .")
            target = reader.string(value, f"renamed {clean(old.value)}")
            if old_id is not None and target is not None:
                header.renamed[old_id] = (target, value)
                reader.note(value, "scene", target)


def read_scene_file(reader: Reader, root: Node | None, decls: Declarations) -> None:
    if root is None:
        reader.problems.append(_empty(reader))
        return
    node = reader.mapping(root, "a scene file")
    if node is None:
        return
    if node.get("steps") is not None and node.get("scenes") is None:
        reader.error("E108",
            node,
            "this looks like a walkthrough, not a scene file",
            "every .yaml file in a story folder is read as scenes: keep walkthroughs in a folder beside it (run them with adventure test)",
        )
        return
    values = reader.fields(node, "a scene file", FILE_KEYS, ("scenes",))
    chapter = ""
    if "chapter" in values:
        chapter = reader.string(values["chapter"], "chapter") or ""
    if "variables" in values:
        read_variables(reader, values["variables"], decls)
    if "codex" in values:
        read_codex(reader, values["codex"], decls)
    if "snippets" in values:
        read_snippets(reader, values["snippets"], decls, reader.path)
    for item in reader.sequence(values.get("scenes"), "scenes") if "scenes" in values else ():
        scene = reader.mapping(item, "a scene")
        if scene is None:
            continue
        id_node = scene.get("id")
        if id_node is None:
            reader.error("E103", scene, "scene has no `id`", "add `id: some_name` as the scene's first key")
            continue
        scene_id = reader.identifier(id_node, "scene id", SCENE_ID, "use letters, digits, _, - and .")
        if scene_id is None:
            continue
        previous = decls.scenes.get(scene_id)
        if previous is not None:
            first = previous.node.get("id")
            assert first is not None
            reader.error("E201",
                id_node,
                f"duplicate scene id `{scene_id}` (first defined at {previous.reader.path}:{first.line})",
                "scene ids must be unique across the whole story",
            )
            continue
        decls.scenes[scene_id] = RawScene(scene_id, scene, reader, chapter)
        reader.note(id_node, "scene", scene_id, declares=True)


def _empty(reader: Reader) -> Problem:
    return Problem(reader.path, 1, 1, "file is empty", "a scene file needs `scenes:` with a list of scenes", code="E104")


def read_codex(reader: Reader, node: Node, decls: Declarations) -> None:
    codex = reader.mapping(node, "codex")
    for key, value in codex.pairs if codex else ():
        if not NAME.fullmatch(key.value):
            reader.error("E502", key, f"codex id `{key.value}` is not valid", "use letters, digits and _")
            continue
        entry = reader.mapping(value, f"codex entry `{key.value}`")
        if entry is None:
            continue
        if key.value in decls.codex:
            other = decls.codex[key.value]
            reader.error("E502",
                key,
                f"duplicate codex id `{key.value}` (first defined at {other.reader.path}:{other.node.line - 1 or 1})",
                "codex ids must be unique across the story",
            )
            continue
        decls.codex[key.value] = RawCodex(key.value, entry, reader)
        reader.note(key, "codex", key.value, declares=True)


def read_snippets(reader: Reader, node: Node, decls: Declarations, file: str) -> None:
    """Snippets: story-wide (story.yaml, `file` is '') or for one scene file."""
    snippets = reader.mapping(node, "snippets")
    table = decls.snippets if not file else decls.file_snippets.setdefault(file, {})
    for key, value in snippets.pairs if snippets else ():
        name = key.value
        if not NAME.fullmatch(name):
            reader.error("E214", key, f"snippet name `{clean(name)}` is not valid", "use letters, digits and _, not starting with a digit")
            continue
        if name in table:
            first = table[name].node
            reader.error("E214", key, f"snippet `{name}` is declared twice (first at line {first.line})", "declare each snippet once")
            continue
        if file and name in decls.snippets:
            first = decls.snippets[name].node
            reader.error(
                "E214", key, f"snippet `{name}` is already declared for the whole story (story.yaml:{first.line})",
                "give this one another name"
            )
            continue
        table[name] = RawSnippet(name, value, reader, file)
        reader.note(key, "snippet", name, declares=True, owner=file)


def read_variables(reader: Reader, node: Node, decls: Declarations) -> None:
    variables = reader.mapping(node, "variables")
    for key, value in variables.pairs if variables else ():
        name = key.value
        if not NAME.fullmatch(name):
            reader.error("E302", key, f"variable name `{name}` is not valid", "use letters, digits and _, not starting with a digit")
            continue
        if name in RESERVED:
            reader.error("E302", key, f"`{name}` is a built-in name and cannot be a variable", "choose another name")
            continue
        if name in decls.variables:
            first = decls.variables[name].where
            reader.error(
                "E302", key, f"variable `{name}` is declared twice (first at {first.path}:{first.line})", "declare each variable once"
            )
            continue
        variable = _variable(reader, name, key, value)
        if variable is not None:
            decls.variables[name] = variable
            reader.note(key, "variable", name, declares=True)


def _variable(reader: Reader, name: str, key: Scalar, node: Node) -> Variable | None:
    spec = reader.mapping(node, f"variable `{name}`")
    if spec is None:
        return None
    values = reader.fields(spec, f"variable `{name}`", VARIABLE_KEYS, ("type",))
    type_name = reader.string(values.get("type"), "type") if "type" in values else None
    if type_name is None:
        return None
    if type_name not in TYPES:
        hint = suggest(type_name, TYPES) or "types: " + ", ".join(TYPES)
        reader.error("E302", values["type"], f"unknown type `{type_name}`", hint)
        return None
    typed: TypeName = type_name
    for only, allowed_type in (("min", "int"), ("max", "int"), ("members", "set")):
        if only in values and typed != allowed_type:
            reader.error("E302", values[only], f"`{only}` only applies to {allowed_type} variables")
    low = reader.integer(values["min"], "min") if "min" in values and typed == "int" else None
    high = reader.integer(values["max"], "max") if "max" in values and typed == "int" else None
    if low is not None and high is not None and low > high:
        reader.error("E302", values["max"], f"max {high} is below min {low}")
    members: frozenset[str] = frozenset()
    names: dict[str, str] = {}
    if typed == "set":
        if "members" not in values:
            reader.error("E302", spec, f"set `{name}` has no `members`", "list every name the set may hold: members: [a, b]")
        else:
            members, names = _members(reader, values["members"])
            for member, item in _member_nodes(values["members"]) if reader.recorder is not None else ():
                reader.note(item, "member", member, declares=True, owner=name)
    default = _default(reader, typed, values.get("default"), low, high, members, name)
    doc = (reader.string(values["doc"], "doc") or "") if "doc" in values else ""
    label = (reader.string(values["label"], "label") or "") if "label" in values else ""
    silent = bool(reader.boolean(values["silent"], "silent")) if "silent" in values else False
    return Variable(name, typed, default, reader.at(key), low, high, members, doc, label, silent, MappingProxyType(names))


def _members(reader: Reader, node: Node) -> tuple[frozenset[str], dict[str, str]]:
    """A set's members: a list of names, or a mapping of names to what the player reads."""
    rule = "use letters, digits, _, - and . (a name the player reads can be given: members: {id: Shown Name})"
    if not isinstance(node, Map):
        return frozenset(text for text, item in reader.strings(node, "members") if _member_id(reader, item, text, rule)), {}
    names: dict[str, str] = {}
    for key, value in node.pairs:
        if not _member_id(reader, key, key.value, rule):
            continue
        shown = reader.string(value, f"the name shown for member `{clean(key.value)}`")
        names[key.value] = shown if shown is not None else key.value
    return frozenset(names), {member: shown for member, shown in names.items() if shown != member}


def _member_id(reader: Reader, node: Node, text: str, rule: str) -> bool:
    """Members are ids like scene ids: no look-alike letters, invisible joiners or spaces."""
    if SCENE_ID.fullmatch(text):
        return True
    reader.error("E302", node, f"set member `{clean(text)}` is not valid", rule)
    return False


def _member_nodes(node: Node) -> list[tuple[str, Scalar]]:
    """Each member as written (an item of the list, or a key of the mapping), for an editor's record."""
    if isinstance(node, Map):
        return [(key.value, key) for key, _ in node.pairs]
    items = node.items if isinstance(node, Seq) else [node]
    return [(item.value, item) for item in items if isinstance(item, Scalar)]


def _default(
    reader: Reader, typed: TypeName, node: Node | None, low: int | None, high: int | None, members: frozenset[str], name: str
) -> Value:
    """The declared default, or else the type's own."""
    value = reader.literal(node, name, VarInfo(typed, members, low, high), "default") if node is not None else None
    return value if value is not None else _unset(typed, low, high)


def _unset(typed: TypeName, low: int | None, high: int | None) -> Value:
    if typed == "bool":
        return False
    if typed == "string":
        return ""
    if typed == "set":
        return frozenset()
    number = 0  # an int starts at 0, moved into its range
    if low is not None:
        number = max(number, low)
    if high is not None:
        number = min(number, high)
    return number
