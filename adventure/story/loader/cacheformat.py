"""The story cache's format: a checked story as plain values marshal can store, and back, calling only the model's constructors."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields, replace
from operator import attrgetter
from types import MappingProxyType
from typing import Any

from adventure.story import builders, model, template
from adventure.story.expr import Compiled, Env, VarInfo, compile_expression
from adventure.story.model import Scene, Story

# Every class a cached story may hold, by position: an entry names a class by its index, and
# nothing but these constructors (plain frozen dataclasses, which run no code of the story's)
# is ever called while decoding. Compiled expressions are closures: they are stored as their
# source and compiled again, once per distinct text.
_CLASSES: tuple[type, ...] = (
    model.Location, model.Variable, model.Paragraph, model.Conditional, model.SetVar, model.AddInt, model.SetAdd,
    model.SetRemove, model.Unlock, model.Roll, model.Pick, model.When, model.Choice, model.Ending, model.Scene,
    model.CodexEntry, model.SnippetDecl, model.Story, template.Template, template.Variation, template.MemberNames, VarInfo, Env,
)
# Fields not stored: caches rebuilt on use. A trailing one is left to its default.
_SKIPPED = {(template.Template, "prepared"), (Env, "cache"), (model.Story, "prepared")}
_FIELDS: tuple[tuple[str | None, ...], ...] = tuple(
    tuple(None if (cls, field.name) in _SKIPPED else field.name for field in fields(cls)) for cls in _CLASSES
)
_STORED: tuple[tuple[str | None, ...], ...] = tuple(names[:-1] if names[-1] is None else names for names in _FIELDS)


def _getter(names: tuple[str | None, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """All of an object's stored fields at once (a skipped field reads as its first field, then stored as None)."""
    if len(names) == 1:
        name = names[0] or ""
        return lambda value: (getattr(value, name),)
    return attrgetter(*[name or names[0] or "" for name in names])


_GETTERS = tuple(_getter(names) for names in _STORED)
_BLANKS = tuple(tuple(position for position, name in enumerate(names) if name is None) for names in _STORED)
_INDEX = {cls: index for index, cls in enumerate(_CLASSES)}
SHAPE = repr([(cls.__qualname__, names) for cls, names in zip(_CLASSES, _FIELDS, strict=True)])
_PLAIN = frozenset({str, int, bool, type(None)})  # stored as themselves
_LEAF_TYPES = _PLAIN | {frozenset}  # a frozenset holds only text (checked when stored)
_LOCATION = _INDEX[model.Location]
_EMPTY_TUPLE: tuple[()] = ()
_EMPTY_SET: frozenset[str] = frozenset()
# Fields holding a Template: plain text stored there is a Template of that text alone.
_TEMPLATE_FIELDS = {
    _INDEX[model.Paragraph]: (0,), _INDEX[model.Choice]: (1, 5), _INDEX[model.Scene]: (1, 5), _INDEX[model.Story]: (8,),
}


for _index, _positions in _TEMPLATE_FIELDS.items():
    for _position in _positions:
        assert _STORED[_index][_position] in ("template", "label", "disabled", "title", "recap", "status"), (_index, _position)


_FAST_FIELDS: dict[type, tuple[str, ...]] = {
    model.Choice: (
        "key", "label", "target", "where", "condition", "disabled", "effects", "once", "fallback", "reply", "flow", "counted", "ignore",
    ),
    model.Scene: ("id", "title", "text", "chapter", "where", "recap", "on_enter", "choices", "ending", "ignore"),
    model.Paragraph: ("template",),
    model.SetVar: ("name", "value", "computed", "where"),
    model.AddInt: ("name", "amount", "where"),
    model.SetAdd: ("name", "members", "where"),
    model.SetRemove: ("name", "members", "where"),
}


class Unstorable(Exception):
    """The story holds a value this format does not know: it is not cached."""


# encoding: model objects to tuples, lists, frozensets of text and scalars -------------------

def encode(story: Story) -> tuple[Any, ...]:
    """The whole story as plain values: (its Env, the story)."""
    env = _env_of(story)
    return (encode_env(env), _encode(story, env))


def _env_of(story: Story) -> Env:
    if story.env is None:
        raise Unstorable("a story without its Env")
    return story.env


def encode_env(env: Env) -> tuple[Any, ...]:
    """The Env a story's expressions were checked against (its compiled-expression cache left out)."""
    index = _INDEX[Env]
    return (index, *[_encode(getattr(env, name), env) for name in _STORED[index] if name is not None])


_SCENES_AT = 1 + _STORED[_INDEX[Story]].index("scenes")


def encode_shell(story: Story) -> tuple[Any, ...]:
    """The story without its scenes (stored by file, `encode_scenes`): ("S",) stands in their place."""
    env = _env_of(story)
    shell = list(_encode(replace(story, scenes=MappingProxyType({})), env))
    shell[_SCENES_AT] = ("S",)
    return tuple(shell)


def encode_scenes(scenes: Iterable[object], env: Env) -> list[Any]:
    """Scenes (or other model objects, such as variables) as plain values, their expressions against `env`."""
    return [_encode(scene, env) for scene in scenes]


def _encode(value: Any, env: Env) -> Any:
    kind = type(value)
    if kind in _LEAF_TYPES:
        if kind is frozenset and not all(type(item) is str for item in value):
            raise Unstorable("a set of other things than text")
        return value
    if kind is model.Location:  # the commonest object: one for every scene, choice and effect
        return (_LOCATION, value.path, value.line, value.col)
    if kind is tuple:
        return [item if type(item) in _PLAIN else _encode(item, env) for item in value]
    if kind is Compiled:
        return ("C", value.source, value.draws_random)
    if kind is MappingProxyType or kind is dict:
        keys = list(value)
        if not all(type(key) in (str, int) for key in keys):
            raise Unstorable("a mapping with keys other than text or numbers")
        return ("P" if kind is MappingProxyType else "D", keys, [_encode(item, env) for item in value.values()])
    if value is env and kind is Env:
        return ("E",)
    quick = _QUICK_ENCODERS.get(kind)
    if quick is not None:
        return quick(value, env)
    index = _INDEX.get(kind)
    if index is None:
        raise Unstorable(f"a {kind.__name__}")
    fields_of_value: tuple[Any, ...] | list[Any] = _GETTERS[index](value)
    positions = _TEMPLATE_FIELDS.get(index)
    if positions is not None:
        with_texts = list(fields_of_value)
        for position in positions:
            text = with_texts[position]
            if type(text) is template.Template and text.static is not None and not text.varies and text.parts == (text.static,):
                with_texts[position] = text.static  # plain text where a Template is expected: the decoder knows the field
        fields_of_value = with_texts
    # empty tuples and sets (a choice without effects, nothing silenced) are most fields that are not plain
    stored = [
        item if type(item) in _PLAIN or item is _EMPTY_TUPLE or item is _EMPTY_SET else _encode(item, env) for item in fields_of_value
    ]
    for position in _BLANKS[index]:
        stored[position] = None
    return (index, *stored)


def _text_or_template(value: Any, env: Env) -> Any:
    """A Template field: plain text as itself (the decoder knows the field), any other template encoded."""
    if type(value) is template.Template and value.static is not None and not value.varies and value.parts == (value.static,):
        return value.static
    return None if value is None else _encode(value, env)


def _location(where: model.Location) -> tuple[int, str, int, int]:
    return (_LOCATION, where.path, where.line, where.col)


def _choice(choice: model.Choice, env: Env) -> tuple[Any, ...]:
    condition, effects, reply = choice.condition, choice.effects, choice.reply
    return (
        _CHOICE, choice.key, _text_or_template(choice.label, env), choice.target, _location(choice.where),
        None if condition is None else ("C", condition.source, condition.draws_random), _text_or_template(choice.disabled, env),
        _encode(effects, env) if effects else (), choice.once, choice.fallback, _encode(reply, env) if reply else (), choice.flow,
        choice.counted, _encode(choice.ignore, env),
    )


def _scene(scene: model.Scene, env: Env) -> tuple[Any, ...]:
    return (
        _SCENE, scene.id, _text_or_template(scene.title, env), _encode(scene.text, env), scene.chapter, _location(scene.where),
        _text_or_template(scene.recap, env), _encode(scene.on_enter, env) if scene.on_enter else (), _encode(scene.choices, env),
        None if scene.ending is None else _encode(scene.ending, env), _encode(scene.ignore, env),
    )


def _paragraph(paragraph: model.Paragraph, env: Env) -> tuple[Any, ...]:
    return (_PARAGRAPH, _text_or_template(paragraph.template, env))


_CHOICE, _SCENE, _PARAGRAPH = _INDEX[model.Choice], _INDEX[model.Scene], _INDEX[model.Paragraph]
# The decoder's quick paths have encoders of their own, written for the same fields.
_QUICK_ENCODERS: dict[type, Callable[[Any, Env], Any]] = {
    cls: encoder
    for cls, encoder in ((model.Choice, _choice), (model.Scene, _scene), (model.Paragraph, _paragraph))
    if _STORED[_INDEX[cls]] == _FAST_FIELDS[cls]
}


# decoding: only the classes above, each with its own number of fields ------------------------

def decode(stored: Any) -> Story:
    """A story from `encode`'s plain values; ValueError (or another error `load` catches) if they are not that."""
    if type(stored) is not tuple or len(stored) != 2:
        raise ValueError("not an entry")
    decoder = _Decoder()
    env = decoder.value(stored[0])
    if type(env) is not Env:
        raise ValueError("no Env")
    decoder.env = env
    story = decoder.value(stored[1])
    if type(story) is not Story or story.env is not env:
        raise ValueError("not a story")
    return story


class _Decoder:
    """Rebuilds objects; compiles each distinct expression once, against the story's own Env."""

    def __init__(self) -> None:
        self.env: Env | None = None
        self.scene_table: Mapping[str, Scene] | None = None  # what ("S",) stands for in a story's shell
        self.compiled: dict[tuple[str, str, bool], Compiled] = {}  # by the stored ("C", text, draws random)
        self.texts: dict[str, template.Template] = {}
        self.makers: tuple[Callable[..., Any], ...] = _CLASSES
        self.arity = tuple(len(names) for names in _STORED)
        # the commonest objects, built without the generic loop (each only while its fields are as written here)
        self.fast: dict[int, Callable[[tuple[Any, ...]], Any]] = {
            _INDEX[cls]: method
            for cls, method in (
                (model.Choice, self.choice), (model.Scene, self.scene), (model.Paragraph, self.paragraph), (model.SetVar, self.set_var),
                (model.AddInt, self.add_int), (model.SetAdd, self.set_add), (model.SetRemove, self.set_remove),
            )
            if _STORED[_INDEX[cls]] == _FAST_FIELDS[cls]
        }

    def value(self, stored: Any) -> Any:
        kind = type(stored)
        if kind in _LEAF_TYPES:
            return stored
        if kind is list:
            return tuple([item if type(item) in _LEAF_TYPES else self.value(item) for item in stored])
        if kind is not tuple:
            raise ValueError("not a value")
        if not stored:
            return _EMPTY_TUPLE
        tag = stored[0]
        if tag == _LOCATION:
            return self.location(stored)
        if type(tag) is int:
            if not 0 <= tag < len(self.makers) or len(stored) - 1 != self.arity[tag]:
                raise ValueError("not an object")
            fast = self.fast.get(tag)
            if fast is not None:
                return fast(stored)
            values = [item if type(item) in _LEAF_TYPES else self.value(item) for item in stored[1:]]
            for position in _TEMPLATE_FIELDS.get(tag, ()):
                text = values[position]
                if type(text) is str:
                    values[position] = self.text(text)
            return self.makers[tag](*values)
        if tag == "C":
            return self.expression(stored)
        if tag == "P" or tag == "D":
            _, keys, values = stored
            if type(keys) is not list or type(values) is not list or len(keys) != len(values):
                raise ValueError("not a mapping")
            built = dict(zip(keys, [self.value(item) for item in values], strict=True))
            return MappingProxyType(built) if tag == "P" else built
        if tag == "E" and self.env is not None:
            return self.env
        if tag == "S" and self.scene_table is not None:
            return self.scene_table
        raise ValueError("not a value")

    def template_of(self, stored: Any) -> Any:
        return self.text(stored) if type(stored) is str else self.value(stored)

    def location(self, stored: Any) -> model.Location:
        if type(stored) is not tuple or len(stored) != 4 or stored[0] != _LOCATION:
            raise ValueError("not a location")
        _, path, line, col = stored
        return builders.location(path, line, col)

    # The quick paths below build the commonest objects through the loader's builders (their
    # unfrozen twins), with their commonest fields decoded in line: a 10,000-scene story holds
    # 230,000 objects.

    def choice(self, stored: tuple[Any, ...]) -> model.Choice:
        _, key, label, target, where, condition, disabled, effects, once, fallback, reply, flow, counted, ignore = stored
        value = self.value
        return builders.choice(
            key,
            (self.texts.get(label) or self.text(label)) if type(label) is str else value(label),
            target,
            self.location(where),
            None if condition is None else (self.compiled.get(condition) or value(condition)),
            None if disabled is None else self.template_of(disabled),
            self.effects(effects) if effects else (),
            once,
            fallback,
            value(reply) if reply else (),
            flow,
            counted,
            ignore,
        )

    def scene(self, stored: tuple[Any, ...]) -> model.Scene:
        _, scene_id, title, text, chapter, where, recap, on_enter, choices, ending, ignore = stored
        value = self.value
        if type(choices) is not list:
            raise ValueError("not a list of choices")
        choice, arity = self.choice, len(_FAST_FIELDS[model.Choice]) + 1
        for item in choices:
            if type(item) is not tuple or len(item) != arity or item[0] != _CHOICE:
                raise ValueError("not a choice")
        return builders.scene(
            scene_id,
            self.template_of(title),
            self.text_parts(text),
            chapter,
            self.location(where),
            None if recap is None else self.template_of(recap),
            self.effects(on_enter) if on_enter else (),
            tuple([choice(item) for item in choices]),
            None if ending is None else value(ending),
            ignore,
        )

    def text_parts(self, stored: Any) -> tuple[Any, ...]:
        """A Text: its paragraphs built here, conditional parts by `value`."""
        if type(stored) is not list:
            raise ValueError("not a text")
        parts = []
        texts = self.texts
        for item in stored:
            if type(item) is tuple and len(item) == 2 and item[0] == _PARAGRAPH:
                body = item[1]
                parts.append(builders.paragraph((texts.get(body) or self.text(body)) if type(body) is str else self.value(body)))
            else:
                parts.append(self.value(item))
        return tuple(parts)

    def effects(self, stored: Any) -> tuple[Any, ...]:
        if type(stored) is not list:
            raise ValueError("not a list of effects")
        fast, value = self.fast, self.value
        built = []
        for item in stored:
            # a quick path unpacks its fields: a tuple of another length is refused there (ValueError)
            maker = fast.get(item[0]) if type(item) is tuple and item else None
            built.append(value(item) if maker is None else maker(item))
        return tuple(built)

    def set_var(self, stored: tuple[Any, ...]) -> model.SetVar:
        _, name, fixed, computed, where = stored
        return builders.set_var(name, fixed, None if computed is None else self.value(computed), self.location(where))

    def add_int(self, stored: tuple[Any, ...]) -> model.AddInt:
        _, name, amount, where = stored
        return builders.add_int(name, amount, self.location(where))

    def set_add(self, stored: tuple[Any, ...]) -> model.SetAdd:
        _, name, members, where = stored
        return builders.set_add(name, members, self.location(where))

    def set_remove(self, stored: tuple[Any, ...]) -> model.SetRemove:
        _, name, members, where = stored
        return builders.set_remove(name, members, self.location(where))

    def paragraph(self, stored: tuple[Any, ...]) -> model.Paragraph:
        return builders.paragraph(self.template_of(stored[1]))

    def text(self, text: str) -> template.Template:
        """A Template of plain text; the same object for the same text (templates are immutable)."""
        found = self.texts.get(text)
        if found is None:
            found = self.texts[text] = builders.plain_template(text)
        return found

    def expression(self, stored: tuple[Any, ...]) -> Compiled:
        """A stored expression compiled again from its text (once per distinct text and kind), by the
        same compiler and checks as a fresh load: a Compiled holds closures, which are never stored."""
        found = self.compiled.get(stored)
        if found is not None:
            return found
        _, source, draws_random = stored
        if type(source) is not str or type(draws_random) is not bool or self.env is None:
            raise ValueError("not an expression")
        found = self.compiled[stored] = compile_expression(source, self.env, None, in_effect=draws_random)
        return found


class Decoder(_Decoder):
    """Decodes a story stored in parts: its Env first, then its files' scenes, then its shell."""

    def decode_env(self, stored: Any) -> Env:
        env = self.value(stored)
        if type(env) is not Env:
            raise ValueError("no Env")
        self.env = env
        return env

    def objects(self, stored: Any, kind: type) -> list[Any]:
        """A list of model objects of one class (scenes, variables), as `encode_scenes` gave them."""
        if type(stored) is not list:
            raise ValueError("not a list")
        built = [self.value(item) for item in stored]
        if not all(type(item) is kind for item in built):
            raise ValueError(f"not a list of {kind.__name__}")
        return built

    def decode_shell(self, stored: Any, scenes: Mapping[str, Scene]) -> Story:
        if self.env is None or type(stored) is not tuple or len(stored) <= _SCENES_AT or stored[_SCENES_AT] != ("S",):
            raise ValueError("not a story")
        self.scene_table = scenes
        try:
            story = self.value(stored)
        finally:
            self.scene_table = None
        if type(story) is not Story or story.env is not self.env or story.scenes is not scenes:
            raise ValueError("not a story")
        return story
