"""Where scenes, variables, codex entries and set members are declared and used, for editors."""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from adventure.source.yamlsource import Node, Scalar
from adventure.story.expr import Env, ExprError, parse
from adventure.story.inline import Form, Hole, Nodes, SnippetUse, parse_text
from adventure.story.model import CodexEntry, Location, Scene, Variable

SymbolKind = Literal["scene", "variable", "codex", "member", "snippet"]
SCENE_FUNCTIONS = frozenset({"visited", "visits"})
CODEX_FUNCTIONS = frozenset({"unlocked", "title"})
_NEAR = 4096  # how far past a scalar's start its text may run in the file, beyond its value's length


@dataclass(frozen=True, slots=True)
class Symbol:
    """A name at one place: the declaration of a scene, variable, codex entry or set member, or a use of one."""

    kind: SymbolKind
    name: str
    where: Location  # the name's first character
    length: int  # in characters
    declares: bool = False
    owner: str = ""  # the set a member belongs to; the file a snippet is declared for ("" for the whole story)

    def covers(self, path: str, line: int, col: int) -> bool:
        """Whether (line, col) is on the name, or just after it (where a cursor stops after typing it)."""
        where = self.where
        return where.path == path and where.line == line and where.col <= col <= where.col + self.length


@dataclass(slots=True)
class Recorder:
    """Collects symbols while a story loads. Only editors pass one: a plain load records nothing.

    It also keeps what the loader built on the way (the scenes that compiled, the variables, the
    codex), so that an editor can complete and explain names while other parts have errors.
    """

    symbols: list[Symbol] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # every file's text as the loader read it
    env: Env | None = None
    variables: Mapping[str, Variable] = field(default_factory=dict)
    scenes: Mapping[str, Scene] = field(default_factory=dict)
    codex: Mapping[str, CodexEntry] = field(default_factory=dict)
    _starts: dict[str, list[int]] = field(default_factory=dict)

    # recording ----------------------------------------------------------------------------
    def name(self, path: str, node: Node | None, kind: SymbolKind, name: str, declares: bool = False, owner: str = "") -> None:
        """A scalar that is a name as a whole (a goto, a key, a member)."""
        if isinstance(node, Scalar) and name:
            self._add(path, node, kind, name, 0, declares, owner)

    def expression(self, path: str, node: Node | None, env: Env) -> None:
        """The names used in a scalar holding one expression."""
        if isinstance(node, Scalar):
            self._names_in(path, node, node.value, 0, env)

    def template(self, path: str, node: Node | None, env: Env) -> None:
        """The names used in the `{expressions}` of a scalar of text."""
        if not isinstance(node, Scalar) or "{" not in node.value:
            return
        try:
            nodes = parse_text(node.value)
        except ExprError:
            return  # the loader reports the braces; the names cannot be told apart
        stack: list[Nodes] = [nodes]
        while stack:
            for item in stack.pop():
                if isinstance(item, Hole):
                    self._names_in(path, node, item.source, item.offset, env)
                elif isinstance(item, SnippetUse):
                    self._add(path, node, "snippet", item.name, max(node.value.find(item.name, item.offset), 0))
                elif isinstance(item, Form):
                    if item.head.strip():
                        self._names_in(path, node, item.head, item.head_offset, env)
                    stack.extend(item.options)

    def _names_in(self, path: str, node: Scalar, source: str, offset: int, env: Env) -> None:
        try:
            tree = parse(source)
        except ExprError:
            return
        lead = offset + len(source) - len(source.lstrip())
        flat = source.strip().replace("\r", " ").replace("\n", " ")
        encoded = flat.encode("utf-8")

        def at(item: ast.expr, extra: int = 0) -> int:
            return lead + len(encoded[: item.col_offset].decode("utf-8", errors="ignore")) + extra

        stack: list[ast.AST] = [tree]
        while stack:
            item = stack.pop()
            # a call's name is never a variable (a story may have a variable called `max`)
            stack.extend(item.args if isinstance(item, ast.Call) else ast.iter_child_nodes(item))
            if isinstance(item, ast.Name) and item.id in env.variables:
                self._add(path, node, "variable", item.id, at(item))
            elif isinstance(item, ast.Call) and isinstance(item.func, ast.Name) and len(item.args) == 1:
                arg = item.args[0]
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    continue
                if item.func.id in SCENE_FUNCTIONS and arg.value in env.scenes:
                    self._add(path, node, "scene", arg.value, at(arg, 1))
                elif item.func.id in CODEX_FUNCTIONS and arg.value in env.codex_titles:
                    self._add(path, node, "codex", arg.value, at(arg, 1))
            elif isinstance(item, ast.Compare):
                operands = [item.left, *item.comparators]
                for index, operator in enumerate(item.ops):
                    member, owner = operands[index], operands[index + 1]
                    if (
                        isinstance(operator, (ast.In, ast.NotIn))
                        and isinstance(member, ast.Constant)
                        and isinstance(member.value, str)
                        and isinstance(owner, ast.Name)
                        and member.value in env.variables.get(owner.id, _NO_SET).members
                    ):
                        self._add(path, node, "member", member.value, at(member, 1), owner=owner.id)

    def _add(self, path: str, node: Scalar, kind: SymbolKind, name: str, offset: int, declares: bool = False, owner: str = "") -> None:
        self.symbols.append(Symbol(kind, name, self._locate(path, node, name, offset), len(name), declares, owner))

    # positions ------------------------------------------------------------------------------
    def _locate(self, path: str, node: Scalar, name: str, offset: int) -> Location:
        """Where the name found at `offset` of the scalar's value is in the file.

        A value is not its source: quotes, escapes, folded lines and block indentation come
        between. But a name never spans lines or holds an escape, so the k-th time it appears
        in the value is the k-th time it appears in the file from the scalar's start.
        """
        text = self.texts.get(path)
        fallback = Location(path, node.line, node.col + (0 if node.plain else 1) + (offset if "\n" not in node.value else 0))
        if text is None or node.line < 1:
            return fallback
        starts = self._starts.get(path)
        if starts is None:
            starts = self._starts[path] = [0, *(found.end() for found in re.finditer("\n", text))]
        if node.line > len(starts):
            return fallback
        begin = starts[node.line - 1] + node.col - 1
        word = _word(name)
        before = len(word.findall(node.value, 0, offset))
        for count, found in enumerate(word.finditer(text, begin, begin + 2 * len(node.value) + _NEAR)):
            if count == before:
                line = bisect.bisect_right(starts, found.start())
                return Location(path, line, found.start() - starts[line - 1] + 1)
        return fallback


class _NoSet:
    members: frozenset[str] = frozenset()


_NO_SET = _NoSet()
_WORDS: dict[str, re.Pattern[str]] = {}


def _word(name: str) -> re.Pattern[str]:
    """The name as a whole word: not inside a longer id (ids may hold `.` and `-`)."""
    pattern = _WORDS.get(name)
    if pattern is None:
        pattern = _WORDS[name] = re.compile(r"(?<![\w.\-])" + re.escape(name) + r"(?![\w\-]|\.\w)")
    return pattern
