"""What the warning rules need to know of a story, gathered once: its graph, what is read and written, its texts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from adventure.source.problems import Problem
from adventure.story.expr import Compiled
from adventure.story.flow import successors
from adventure.story.model import (
    Conditional,
    Effect,
    Location,
    SetVar,
    Story,
    Text,
    Unlock,
    When,
)
from adventure.story.template import Template


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

    def reachable_from(self, start: str) -> set[str]:
        seen = {start}
        stack = [start]
        while stack:
            for target in self.graph.get(stack.pop(), ()):
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        return seen


def templates_of(text: Text) -> Iterator[Template | Compiled]:
    stack = [text]
    while stack:
        for part in stack.pop():
            if isinstance(part, Conditional):
                yield part.condition
                stack.extend((part.then, part.otherwise))
            else:
                yield part.template


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

    def effects(items: tuple[Effect, ...]) -> None:
        for effect in items:
            match effect:
                case Unlock(entries=entries):
                    facts.unlocked.update(entries)
                case When(condition=condition, then=then, otherwise=otherwise, where=where):
                    read(condition, where)
                    facts.expressions.append((condition, where, "effect condition"))
                    effects(then)
                    effects(otherwise)
                case SetVar(computed=computed, where=where) if computed is not None:
                    facts.writes.setdefault(effect.name, []).append(effect)
                    read(computed, where)
                case _:
                    facts.writes.setdefault(effect.name, []).append(effect)

    def text(parts: Text, where: object, what: str) -> None:
        for item in templates_of(parts):
            if isinstance(item, Compiled):
                read(item, where)
                facts.expressions.append((item, where, what))
            else:
                read_template(item, where)

    facts.graph = successors(story.scenes)
    for scene in story.scenes.values():
        read_template(scene.title, scene.where)
        read_template(scene.recap, scene.where)
        effects(scene.on_enter)
        text(scene.text, scene.where, "text condition")
        for choice in scene.choices:
            read_template(choice.label, choice.where)
            read_template(choice.disabled, choice.where)
            effects(choice.effects)
            text(choice.reply, choice.where, "reply condition")
            if choice.condition is not None:
                read(choice.condition, choice.where)
                facts.expressions.append((choice.condition, choice.where, "choice condition"))
    for entry in story.codex.values():
        text(entry.text, entry.where, "codex condition")
    read_template(story.status, Location(story.files[0] if story.files else story.root, 0, 0))
    return facts
