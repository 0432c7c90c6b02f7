"""Snippets: parsed once, refused when they use each other in a circle, checked before any use."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from adventure.source.problems import Problem
from adventure.source.yamlsource import Scalar
from adventure.story.expr import Env, ExprError
from adventure.story.inline import Form, Nodes, SnippetUse, parse_text
from adventure.story.loader.declarations import Declarations, RawSnippet
from adventure.story.loader.reader import paragraphs
from adventure.story.model import SnippetDecl
from adventure.story.textcompile import Snippet, TextScope, compile_template

CHECK_SCENE = "\0snippet"  # a scene no story has: a snippet is checked as if it were in a scene


@dataclass(slots=True)
class Snippets:
    """Every good snippet, by file (story-wide ones under ''), and what scenes may use."""

    tables: dict[str, dict[str, Snippet]] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)
    used: set[str] = field(default_factory=set)  # keys of snippets some text uses
    declared: list[tuple[str, RawSnippet]] = field(default_factory=list)  # (key, raw), in reading order
    merged: dict[str, dict[str, Snippet]] = field(default_factory=dict)
    member_names: dict[str, Mapping[str, str]] = field(default_factory=dict)  # set variable -> member -> name shown

    def scope(self, env: Env, path: str, scene: str | None) -> TextScope:
        """The scope of text in file `path`: story-wide snippets and the file's own."""
        table = self.merged.get(path)
        if table is None:
            table = {**self.tables.get("", {}), **self.tables.get(path, {})}
            self.merged[path] = table
        return TextScope(env, scene, table, frozenset(self.broken), self.used, member_names=self.member_names)

    def decls(self) -> tuple[SnippetDecl, ...]:
        return tuple(
            SnippetDecl(raw.name, raw.reader.at(raw.node), raw.file, key in self.used) for key, raw in self.declared
        )


def _key(raw: RawSnippet) -> str:
    return f"{raw.file}\0{raw.name}" if raw.file else raw.name


def build(decls: Declarations, env: Env) -> Snippets:
    """Parse and check every snippet, reporting problems at the snippet."""
    result = Snippets(member_names={name: variable.names for name, variable in decls.variables.items() if variable.names})
    raws = [*decls.snippets.values(), *(raw for table in decls.file_snippets.values() for raw in table.values())]
    parsed: dict[str, Nodes] = {}
    for raw in raws:
        key = _key(raw)
        result.declared.append((key, raw))
        text = raw.reader.string(raw.node, f"snippet `{raw.name}`", block=True)
        if text is None:
            result.broken.add(raw.name)
            continue
        pieces = paragraphs(text, raw.node.style if isinstance(raw.node, Scalar) else "|")
        if len(pieces) > 1:
            hint = "a snippet is used inside a sentence: one paragraph"
            raw.reader.error("E214", raw.node, f"snippet `{raw.name}` has {len(pieces)} paragraphs", hint)
            result.broken.add(raw.name)
            continue
        try:
            parsed[key] = parse_text(pieces[0] if pieces else "")
        except ExprError as err:
            raw.reader.error("E214", raw.node, f"in snippet `{raw.name}`: {err.message}", err.hint)
            result.broken.add(raw.name)
            continue
        raw.reader.note_text(raw.node, env)  # an editor finds the names a snippet's body uses, as in any text
        result.tables.setdefault(raw.file, {})[raw.name] = Snippet(raw.name, parsed[key], str(raw.reader.at(raw.node)), key)
    _refuse_cycles(raws, result)
    for raw in raws:  # type-check each once, in a scope of its own (this is not a use)
        snippet = result.tables.get(raw.file, {}).get(raw.name)
        if snippet is None or raw.name in result.broken:
            continue
        scope = result.scope(env, raw.file or raw.reader.path, CHECK_SCENE)
        scope.used = set()
        try:
            compile_template("{>" + raw.name + "}", env, scope)
        except ExprError as err:
            message = err.message.removeprefix(f"in snippet `{raw.name}`: ")
            raw.reader.error("E214", raw.node, f"in snippet `{raw.name}`: {message}", err.hint)
            result.broken.add(raw.name)
    for table in result.tables.values():
        for name in [name for name in table if name in result.broken]:
            del table[name]
    result.merged.clear()
    return result


def _refuse_cycles(raws: list[RawSnippet], result: Snippets) -> None:
    """Snippets that use each other in a circle can never be written out: an error at each."""
    def uses(raw: RawSnippet) -> list[RawSnippet]:
        snippet = result.tables.get(raw.file, {}).get(raw.name)
        if snippet is None:
            return []
        found = []
        for name in _names(snippet.nodes):
            target = by_file.get((raw.file, name)) or by_file.get(("", name))
            if target is not None:
                found.append(target)
        return found

    by_file = {(raw.file, raw.name): raw for raw in raws}
    colour: dict[int, int] = {}  # 1 on the current path, 2 done
    for root in raws:
        if colour.get(id(root)):
            continue
        path: list[RawSnippet] = []
        stack: list[tuple[RawSnippet, Iterator[RawSnippet]]] = [(root, iter(uses(root)))]
        colour[id(root)] = 1
        path.append(root)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                colour[id(node)] = 2
                continue
            state = colour.get(id(child), 0)
            if state == 1:
                circle = path[path.index(child):]
                names = " -> ".join(raw.name for raw in (*circle, child))
                for member in circle:
                    if member.name not in result.broken:
                        hint = "one of them must not use the next"
                        member.reader.error("E214", member.node, f"snippets use each other in a circle: {names}", hint)
                        result.broken.add(member.name)
            elif state == 0:
                colour[id(child)] = 1
                path.append(child)
                stack.append((child, iter(uses(child))))


def _names(nodes: Nodes) -> Iterator[str]:
    for node in nodes:
        if isinstance(node, SnippetUse):
            yield node.name
        elif isinstance(node, Form):
            for option in node.options:
                yield from _names(option)


__all__ = ["Problem", "Snippets", "build"]
