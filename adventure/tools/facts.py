"""What the warning rules need to know of a story, gathered once: its graph, what is read and written, its texts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

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
from adventure.story.template import Template

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


def gather(story: Story) -> Facts:
    facts = Facts(story)

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

    facts.graph = successors(story.scenes)
    reads, expressions = facts.reads, facts.expressions
    # plain text (a static template) reads nothing: most of a story's templates are skipped here unvisited;
    # the commonest parts (paragraphs, effects that write a value given in the story) are handled in line
    for scene in story.scenes.values():
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
    for entry in story.codex.values():
        text(entry.text, entry.where, "codex condition")
    read_template(story.status, Location(story.files[0] if story.files else story.root, 0, 0))
    return facts
