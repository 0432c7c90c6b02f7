"""Compiling scenes, text, choices, endings and codex entries from their nodes (effects: effects.py)."""

from __future__ import annotations

from adventure.source.yamlsource import Map, Node, Scalar, Seq
from adventure.story.builders import choice as build_choice
from adventure.story.builders import paragraph as build_paragraph
from adventure.story.builders import scene as build_scene
from adventure.story.expr import Env
from adventure.story.exprhints import suggest
from adventure.story.loader.declarations import NAME, SCENE_ID, Declarations, RawCodex, RawScene
from adventure.story.loader.effects import EffectCompiler
from adventure.story.loader.reader import Reader, kind_of, paragraphs
from adventure.story.loader.snippets import Snippets
from adventure.story.model import (
    Choice,
    CodexEntry,
    Conditional,
    Ending,
    Flow,
    Scene,
    Text,
    TextPart,
    text_templates,
)
from adventure.story.template import Template

SCENE_KEYS = ("id", "title", "text", "chapter", "recap", "on_enter", "choices", "ending", "ignore")
CHOICE_KEYS = ("label", "goto", "detour", "return", "reply", "if", "disabled", "effects", "once", "fallback", "id", "ignore")
WHERE_TO = ("goto", "detour", "return")
ENDING_KEYS = ("id", "name", "canonical", "hint")
TEXT_KEYS = ("if", "text", "else")
MAX_TEXT_DEPTH = 8


class SceneCompiler(EffectCompiler):
    """Turns declared raw scenes into model objects, reporting problems through readers."""

    def __init__(self, decls: Declarations, env: Env, snippets: Snippets | None = None) -> None:
        self.decls = decls
        self.env = env
        self.snippets = snippets if snippets is not None else Snippets()

    # text -------------------------------------------------------------------------------
    def text(self, reader: Reader, node: Node | None, what: str, depth: int = 0) -> Text:
        if node is None:
            return ()
        if depth > MAX_TEXT_DEPTH:
            reader.error("E213", node, f"{what} nests conditions more than {MAX_TEXT_DEPTH} deep")
            return ()
        if isinstance(node, Scalar):
            block = reader.string(node, what, block=True)
            if block is None:
                return ()
            if reader.recorder is not None:
                reader.note_text(node, self.env)
            parts: list[TextPart] = []
            pieces = paragraphs(block, node.style)
            if len(pieces) == 1:  # the commonest: nothing before it to count
                template = reader.paragraph(pieces[0], node, self.env, what, 0)
                return (build_paragraph(template),) if template is not None else ()
            visible_before = 0  # non-blank characters of earlier paragraphs: to place a mistake in the file
            for paragraph in pieces:
                template = reader.paragraph(paragraph, node, self.env, what, visible_before)
                if template is not None:
                    parts.append(build_paragraph(template))
                visible_before += len("".join(paragraph.split()))  # its non-blank characters, counted in C
            return tuple(parts)
        if isinstance(node, Seq):
            result: list[TextPart] = []
            for item in node.items:
                if isinstance(item, Map):
                    conditional = self.conditional(reader, item, what, depth)
                    if conditional is not None:
                        result.append(conditional)
                else:
                    result.extend(self.text(reader, item, what, depth + 1))
            return tuple(result)
        if isinstance(node, Map) and node.get("if") is not None:
            conditional = self.conditional(reader, node, what, depth)
            return (conditional,) if conditional is not None else ()
        reader.error("E101", node, f"{what} must be text or a list of paragraphs, not {kind_of(node)}", "see docs/scene-format.md#text")
        return ()

    def conditional(self, reader: Reader, node: Map, what: str, depth: int) -> Conditional | None:
        values = reader.fields(node, "a conditional paragraph", TEXT_KEYS, ("if", "text"))
        condition = reader.expression(values.get("if"), self.env, "`if`") if "if" in values else None
        then = self.text(reader, values.get("text"), what, depth + 1)
        otherwise = self.text(reader, values.get("else"), what, depth + 1)
        if condition is None:
            return None
        return Conditional(condition, then, otherwise, reader.at(node))

    # effects ----------------------------------------------------------------------------
    def scene(self, raw: RawScene) -> Scene | None:
        reader, node = raw.reader, raw.node
        reader.scope = self.snippets.scope(self.env, reader.path, raw.id)
        values = reader.fields(node, f"scene `{raw.id}`", SCENE_KEYS, ("id", "title", "text"))
        title = reader.template(values.get("title"), self.env, "title") if "title" in values else None
        text = self.text(reader, values.get("text"), "text")
        chapter = raw.chapter
        if "chapter" in values:
            chapter = reader.string(values["chapter"], "chapter") or chapter
        recap = reader.template(values["recap"], self.env, "recap") if "recap" in values else None
        on_enter = self.effects(reader, values.get("on_enter"), "on_enter")
        choices = self.choices(reader, raw.id, values.get("choices"))
        ending = self.ending(reader, values["ending"]) if "ending" in values else None
        if ending is not None and choices:
            reader.error("E204",
                values["choices"], f"ending scene `{raw.id}` also has choices", "an ending ends the game: remove `choices` or `ending`"
            )
        if "ending" not in values and "choices" not in values:
            reader.error("E203", node, f"scene `{raw.id}` has no choices and is not an ending", "add `choices:` or `ending:`")
        if "choices" in values and not choices and ending is None and isinstance(values["choices"], Seq) and not values["choices"].items:
            reader.error("E203",
                values["choices"], f"scene `{raw.id}` has an empty list of choices", "add at least one choice, or make it an ending"
            )
        ignore = reader.warning_codes(values["ignore"]) if "ignore" in values else frozenset()
        if title is None:
            return None
        return build_scene(raw.id, title, text, chapter, reader.at(node), recap, on_enter, tuple(choices), ending, ignore)

    def choices(self, reader: Reader, scene_id: str, node: Node | None) -> list[Choice]:
        if node is None:
            return []
        result = []
        keys: set[str] = set()
        for number, item in enumerate(reader.sequence(node, "choices"), start=1):
            choice_map = reader.mapping(item, "a choice")
            if choice_map is None:
                continue
            choice = self.choice(reader, scene_id, number, choice_map)
            if choice is None:
                continue
            if choice.key in keys:
                reader.error("E207", choice_map, f"two choices in scene `{scene_id}` share the id `{choice.key}`")
            keys.add(choice.key)
            result.append(choice)
        return result

    def where_to(self, reader: Reader, scene_id: str, node: Map, values: dict[str, Node]) -> tuple[Flow, str | None]:
        """Where a choice leads: `goto`, `detour`, `return: true`, or (none of them) staying in the scene."""
        if "detour" not in values and "return" not in values:  # nearly every choice: a `goto` alone
            given = ["goto"] if "goto" in values else []
        else:
            given = [key for key in WHERE_TO if key in values]
        if len(given) > 1:
            reader.error(
                "E206", values[given[1]], f"a choice has both `{given[0]}` and `{given[1]}`", "a choice leads one way: keep one of them"
            )
            return "goto", None
        if not given:
            if "reply" not in values and "effects" not in values:
                reader.error("E205",
                    node,
                    "a choice has no `goto`",
                    "add `goto: scene_id`; a choice that keeps the player here needs a `reply:` (or effects) instead",
                )
                return "goto", None
            return "stay", scene_id
        key = given[0]
        if key == "return":
            if not reader.boolean(values["return"], "return"):
                reader.error("E205", values["return"], "`return` can only be true", "leave it out, or write return: true")
                return "goto", None
            return "return", scene_id
        target = reader.string(values[key], key)
        if target is not None and target not in self.env.scenes:
            if self.decls.unreadable.might_declare(target):
                return "goto", None  # perhaps in a file that could not be read: that file's problem says enough
            hint = suggest(target, self.env.scenes) or "check the scene id, or write that scene"
            reader.error("E202", values[key], f"{key}: there is no scene `{target}`", hint)
            return "goto", None
        if target is not None and reader.recorder is not None:
            reader.note(values[key], "scene", target)
        return ("detour" if key == "detour" else "goto"), target

    def choice(self, reader: Reader, scene_id: str, number: int, node: Map) -> Choice | None:
        values = reader.fields(node, "a choice", CHOICE_KEYS, ("label",))
        label = reader.template(values["label"], self.env, "label") if "label" in values else None
        flow, target = self.where_to(reader, scene_id, node, values)
        condition = reader.expression(values["if"], self.env, "`if`") if "if" in values else None
        disabled = reader.template(values["disabled"], self.env, "disabled reason") if "disabled" in values else None
        if "disabled" in values and "if" not in values:
            reader.error("E208",
                values["disabled"], "`disabled` without `if` can never show", "add the condition under which the choice is available"
            )
        effects = self.effects(reader, values.get("effects"), "effects")
        once = bool(reader.boolean(values["once"], "once")) if "once" in values else False
        fallback = bool(reader.boolean(values["fallback"], "fallback")) if "fallback" in values else False
        key = f"{scene_id}#{number}"
        if "id" in values:
            given = reader.string(values["id"], "choice id")
            if given is not None and not NAME.fullmatch(given):
                reader.error("E106", values["id"], f"choice id `{given}` is not valid", "use letters, digits and _")
            elif given is not None:
                key = f"{scene_id}#{given}"
        reply = self.reply(reader, key, values["reply"]) if "reply" in values else ()
        counted = bool(reply) and any(variation.visited for template in text_templates(reply) for variation in template.variations())
        ignore = reader.warning_codes(values["ignore"]) if "ignore" in values else frozenset()
        if label is None or target is None:
            return None
        return build_choice(key, label, target, reader.at(node), condition, disabled, effects, once, fallback, reply, flow, counted, ignore)

    def reply(self, reader: Reader, key: str, node: Node | None) -> Text:
        """A reply's text: its sequences follow how often the choice was taken (counted under its key)."""
        scope = reader.scope
        if scope is None or node is None:
            return self.text(reader, node, "reply")
        scene = scope.scene
        scope.scene = key
        try:
            return self.text(reader, node, "reply")
        finally:
            scope.scene = scene

    def ending(self, reader: Reader, node: Node) -> Ending | None:
        spec = reader.mapping(node, "ending")
        if spec is None:
            return None
        values = reader.fields(spec, "ending", ENDING_KEYS, ("id", "name"))
        # an id like a scene id: `home`, a Cyrillic `hоme` and `home` with a zero-width joiner are not three endings
        ending_id = reader.identifier(values["id"], "ending id", SCENE_ID, "use letters, digits, _, - and .") if "id" in values else None
        name = reader.string(values["name"], "ending name") if "name" in values else None
        canonical = bool(reader.boolean(values["canonical"], "canonical")) if "canonical" in values else False
        hint = (reader.string(values["hint"], "ending hint") or "") if "hint" in values else ""
        if ending_id is None or name is None:
            return None
        return Ending(ending_id, name, canonical, hint)

    def codex_entry(self, raw: RawCodex) -> CodexEntry | None:
        reader = raw.reader
        reader.scope = self.snippets.scope(self.env, reader.path, None)
        values = reader.fields(raw.node, f"codex entry `{raw.id}`", ("title", "text"), ("title", "text"))
        title = reader.string(values["title"], "codex title") if "title" in values else None
        text = self.text(reader, values.get("text"), "codex text")
        if title is None:
            return None
        return CodexEntry(raw.id, title, text, reader.at(raw.node))

    def status(self, reader: Reader, node: Node | None) -> Template | None:
        reader.scope = self.snippets.scope(self.env, reader.path, None)
        return reader.template(node, self.env, "status") if node is not None else None
