"""What the warning rules need to know of a story, gathered once: its graph, what is read and written, its texts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from adventure.source.problems import Problem
from adventure.story.expr import Compiled
from adventure.story.flow import successors
from adventure.story.model import (
    AddInt,
    Conditional,
    Effect,
    Location,
    Paragraph,
    Scene,
    SetAdd,
    SetRemove,
    SetVar,
    Story,
    Text,
    Unlock,
    When,
)
from adventure.story.template import Template, Variation

# Effects that write a variable without reading any (SetVar, when its value is given, not computed).
_WRITES_GIVEN = frozenset({AddInt, SetAdd, SetRemove, SetVar})


def warning(where: object, code: str, message: str, hint: str = "") -> Problem:
    """A warning with its code, placed where the model object that caused it was written."""
    path, line, col = getattr(where, "path", ""), getattr(where, "line", 0), getattr(where, "col", 0)
    return Problem(path, line, col, message, hint, "warning", code)


# --- facts gathered once --------------------------------------------------------------------


@dataclass(slots=True)
class Facts:
    """What every rule needs: the graph, what is read and written, what values can occur."""

    story: Story
    graph: dict[str, set[str]] = field(default_factory=dict)
    reads: dict[str, list[object]] = field(default_factory=dict)  # variable -> places reading it
    writes: dict[str, list[Effect]] = field(default_factory=dict)
    unlocked: set[str] = field(default_factory=set)
    expressions: list[tuple[Compiled, object, str]] = field(default_factory=list)  # (condition, where, what)
    reached: dict[str, frozenset[str]] = field(default_factory=dict)  # reachable_from's answers: several rules ask for the start's
    # every template holding inline forms, with where a warning about it is placed and its scene (None for
    # replies, codex entries and the status line): most text holds none, and two rules look only at these
    forms: list[tuple[Template, object, Scene | None]] | None = None

    def reachable_from(self, start: str) -> frozenset[str]:
        found = self.reached.get(start)
        if found is not None:
            return found
        seen = {start}
        stack = [start]
        while stack:
            for target in self.graph.get(stack.pop(), ()):
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        found = self.reached[start] = frozenset(seen)
        return found


def templates_of(text: Text) -> Iterator[Template | Compiled]:
    stack = [text]
    while stack:
        for part in stack.pop():
            if isinstance(part, Conditional):
                yield part.condition
                stack.extend((part.then, part.otherwise))
            else:
                yield part.template


def _effects(facts: Facts, read: Callable[[Compiled, object], None], items: tuple[Effect, ...]) -> None:
    """What effects unlock, read and write, nested ones included. Not a closure calling itself: that would be a
    cycle keeping the facts (and the story) alive after the analysis, which a process checking again and again
    (check --watch, the language server) would leave to the collector, or keep for good once a load freezes it."""
    for effect in items:
        if isinstance(effect, Unlock):
            facts.unlocked.update(effect.entries)
        elif isinstance(effect, When):
            read(effect.condition, effect.where)
            facts.expressions.append((effect.condition, effect.where, "effect condition"))
            _effects(facts, read, effect.then)
            _effects(facts, read, effect.otherwise)
        else:
            facts.writes.setdefault(effect.name, []).append(effect)
            if isinstance(effect, SetVar) and effect.computed is not None:
                read(effect.computed, effect.where)


def gather(story: Story, memo: FactsMemo | None = None) -> Facts:
    """Everything the rules need of the story, walked once; with a memo, a file whose scenes are the very
    objects walked last time (a reload that did not build them again) gives back what was gathered from them."""
    facts = Facts(story)
    facts.graph = successors(story.scenes)
    if memo is None:
        _gather_into(facts, story.scenes.values(), story)
        return facts
    kept: dict[str, _FileFacts] = {}
    forms: list[tuple[Template, object, Scene | None]] = []
    for path, scenes in _by_file(story.scenes.values()):
        known = memo.files.get(path)
        if known is None or len(known.scenes) != len(scenes) or any(old is not new for old, new in zip(known.scenes, scenes, strict=True)):
            part = Facts(story)
            _gather_into(part, scenes, None)
            known = _FileFacts(scenes, part.reads, part.writes, part.unlocked, part.expressions, _scene_forms(scenes))
            memo.gathered.append(path)
        kept[path] = known
        # in file order, as one walk of the whole story adds them: the same lists, the same keys in the same order
        _extend_each(facts.reads, known.reads)
        _extend_each(facts.writes, known.writes)
        facts.unlocked.update(known.unlocked)
        facts.expressions.extend(known.expressions)
        forms.extend(known.forms)
    memo.files = kept
    _gather_into(facts, (), story)
    facts.forms = forms + _story_forms(story)
    return facts


Item = TypeVar("Item")


def _extend_each(into: dict[str, list[Item]], more: Mapping[str, list[Item]]) -> None:
    """Each name's list in `more` added after its list in `into` (a copy, when `into` has none)."""
    for name, items in more.items():
        found = into.get(name)
        if found is None:
            into[name] = list(items)
        else:
            found.extend(items)


@dataclass(slots=True)
class _FileFacts:
    """What one file's scenes read, write, unlock, test and vary (gather's lists, as from these scenes alone)."""

    scenes: list[Scene]
    reads: dict[str, list[object]]
    writes: dict[str, list[Effect]]
    unlocked: set[str]
    expressions: list[tuple[Compiled, object, str]]
    forms: list[tuple[Template, object, Scene | None]]


@dataclass(slots=True)
class FactsMemo:
    """What `gather` found in each file of a story, kept between analyses in one process (`check --watch`)."""

    files: dict[str, _FileFacts] = field(default_factory=dict)
    gathered: list[str] = field(default_factory=list)  # every file walked, in order: for tests and benchmarks


def _by_file(scenes: Iterable[Scene]) -> list[tuple[str, list[Scene]]]:
    """Scenes grouped by the file they are written in, in story order (a file's scenes come together)."""
    groups: list[tuple[str, list[Scene]]] = []
    for scene in scenes:
        path = scene.where.path
        if not groups or groups[-1][0] != path:
            groups.append((path, []))
        groups[-1][1].append(scene)
    return groups


def _gather_into(facts: Facts, scenes: Iterable[Scene], story: Story | None) -> None:
    """What `scenes` read, write, unlock and test, added to `facts`; with `story`, its codex and status line's too."""

    def read(compiled: Compiled, where: object) -> None:
        for name in compiled.reads:
            facts.reads.setdefault(name, []).append(where)

    def read_template(template: Template | None, where: object) -> None:
        if template is None or template.static is not None:
            return
        for compiled in template.expressions():
            read(compiled, where)
        for variation in template.variations():
            if variation.kind == "if" and variation.head is not None:
                facts.expressions.append((variation.head, where, "inline condition"))

    writes = facts.writes

    def effects(items: tuple[Effect, ...]) -> None:
        _effects(facts, read, items)

    def text(parts: Text, where: object, what: str) -> None:
        paragraphs = [part.template for part in parts if isinstance(part, Paragraph)]
        if len(paragraphs) == len(parts):  # the commonest: paragraphs, most of them plain
            for template in paragraphs:
                if template.static is None:
                    read_template(template, where)
            return
        for item in templates_of(parts):
            if isinstance(item, Compiled):
                read(item, where)
                facts.expressions.append((item, where, what))
            else:
                read_template(item, where)

    reads, expressions = facts.reads, facts.expressions
    # plain text (a static template) reads nothing: most of a story's templates are skipped here unvisited;
    # the commonest parts (paragraphs, effects that write a value given in the story) are handled in line
    for scene in scenes:
        where = scene.where
        if scene.title.static is None:
            read_template(scene.title, where)
        if scene.recap is not None:
            read_template(scene.recap, where)
        if scene.on_enter:
            effects(scene.on_enter)
        for part in scene.text:
            if type(part) is not Paragraph:
                text(scene.text, where, "text condition")
                break
        else:
            for part in scene.text:
                if part.template.static is None:  # type: ignore[union-attr]  # a Paragraph, as checked
                    read_template(part.template, where)  # type: ignore[union-attr]
        for choice in scene.choices:
            if choice.label.static is None:
                read_template(choice.label, choice.where)
            if choice.disabled is not None:
                read_template(choice.disabled, choice.where)
            for effect in choice.effects:
                kind = type(effect)
                if kind in _WRITES_GIVEN and (kind is not SetVar or effect.computed is None):  # type: ignore[union-attr]
                    written = writes.get(effect.name)  # type: ignore[union-attr]  # these effects name a variable
                    if written is None:
                        writes[effect.name] = [effect]  # type: ignore[union-attr]
                    else:
                        written.append(effect)
                else:
                    effects((effect,))
            if choice.reply:
                text(choice.reply, choice.where, "reply condition")
            condition = choice.condition
            if condition is not None:
                for name in condition.reads:
                    place = reads.get(name)
                    if place is None:
                        reads[name] = [choice.where]
                    else:
                        place.append(choice.where)
                expressions.append((condition, choice.where, "choice condition"))
    if story is not None:
        for entry in story.codex.values():
            text(entry.text, entry.where, "codex condition")
        read_template(story.status, Location(story.files[0] if story.files else story.root, 0, 0))


def forms_of(facts: Facts) -> list[tuple[Template, object, Scene | None]]:
    """Every template of the story holding inline forms, with where to report it and its scene (None for a
    reply, a codex entry or the status line), found once for the rules that need them."""
    if facts.forms is None:
        facts.forms = _scene_forms(facts.story.scenes.values()) + _story_forms(facts.story)
    return facts.forms


def _scene_forms(scenes: Iterable[Scene]) -> list[tuple[Template, object, Scene | None]]:
    found: list[tuple[Template, object, Scene | None]] = []
    for scene in scenes:  # every template a scene shows; most are plain text
        where = scene.where
        if scene.title.static is None and _has_forms(scene.title):
            found.append((scene.title, where, scene))
        if scene.recap is not None and _varied(scene.recap):
            found.append((scene.recap, where, scene))
        for part in scene.text:
            if not isinstance(part, Paragraph):
                found.extend((template, where, scene) for template in _varied_in((part,)))
            elif part.template.static is None and _has_forms(part.template):
                found.append((part.template, where, scene))
        for choice in scene.choices:
            if choice.label.static is None and _has_forms(choice.label):
                found.append((choice.label, where, scene))
            if choice.disabled is not None and _varied(choice.disabled):
                found.append((choice.disabled, where, scene))
            if choice.reply:
                found.extend((template, choice.where, None) for template in _varied_in(choice.reply))
    return found


def _story_forms(story: Story) -> list[tuple[Template, object, Scene | None]]:
    found: list[tuple[Template, object, Scene | None]] = []
    for entry in story.codex.values():
        found.extend((template, entry.where, None) for template in _varied_in(entry.text))
    status = story.status
    if status is not None and _varied(status):
        found.append((status, Location(story.files[0] if story.files else story.root, 1, 1), None))
    return found


def _has_forms(template: Template) -> bool:
    """Whether a template holds an inline form (those nested in a form's options are inside one at the top)."""
    return any(type(part) is Variation for part in template.parts)


def _varied_in(text: Text) -> list[Template]:
    return [item for item in templates_of(text) if isinstance(item, Template) and _varied(item)]


def _varied(template: Template) -> bool:
    return template.static is None and _has_forms(template)
