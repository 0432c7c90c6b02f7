"""Typed, positioned access to YAML nodes that records problems instead of raising."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from adventure.source.codes import ERRORS, WARNINGS
from adventure.source.problems import Problem
from adventure.source.textsafe import clean, clean_block, shortened
from adventure.source.yamlsource import Map, Node, Scalar, Seq
from adventure.story.builders import location
from adventure.story.expr import Compiled, Env, ExprError, TypeName, Value, VarInfo, compile_expression
from adventure.story.exprhints import suggest
from adventure.story.loader.unreadable import Unreadable
from adventure.story.model import Location
from adventure.story.template import Template
from adventure.story.textcompile import TextScope, compile_template, resume_after

if TYPE_CHECKING:
    from adventure.story.loader.xref import Recorder, SymbolKind

MAX_PROBLEMS_PER_FILE = 200
INT_LIMIT = 2**53
_INT = re.compile(r"[-+]?(0|[1-9][0-9_]*)")
_TRUE = frozenset({"true", "yes", "on"})
_FALSE = frozenset({"false", "no", "off"})
_NULL = frozenset({"", "~", "null"})
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_VISIBLE = re.compile(r"\S")


def kind_of(node: Node | None) -> str:
    if node is None:
        return "nothing"
    if isinstance(node, Map):
        return "a mapping"
    if isinstance(node, Seq):
        return "a list"
    return "a value" if node.plain else "a quoted string"



def _no_value(node: Node) -> bool:
    """A key written alone, with no `:` (its value is an empty plain scalar)."""
    return isinstance(node, Scalar) and node.plain and node.value == "" and node.tag is None


class Reader:
    """Reads one file's nodes; every problem is appended to `problems` with its position."""

    def __init__(
        self, path: str, problems: list[Problem], text: str | None = None, unreadable: Unreadable | None = None,
        recorder: Recorder | None = None,
    ) -> None:
        self.path = path
        self.problems = problems
        self.unreadable = unreadable or Unreadable()
        self.count = 0
        # What text read now may refer to (its scene, the snippets in reach); the compiler
        # sets it before each scene, codex entry or status line.
        self.scope: TextScope | None = None
        self.text = text  # the file as read: to place a mistake inside a multi-line value
        self._line_starts: list[int] = []
        self.recorder = recorder  # an editor's: where names are declared and used

    def note(self, node: Node | None, kind: SymbolKind, name: str, declares: bool = False, owner: str = "") -> None:
        """Record a name written as a whole scalar, when an editor asked for names."""
        if self.recorder is not None:
            self.recorder.name(self.path, node, kind, name, declares, owner)

    def note_text(self, node: Node | None, env: Env) -> None:
        """Record the names used in a scalar of text with `{expressions}`, when an editor asked."""
        if self.recorder is not None:
            self.recorder.template(self.path, node, env)

    def at(self, node: Node) -> Location:
        return location(self.path, node.line, node.col)

    def error(self, code: str, node: Node | None, message: str, hint: str = "") -> None:
        """Report a problem at a node; `code` is its entry in adventure/source/codes.py."""
        line, col = (node.line, node.col) if node is not None else (0, 0)
        self.report(code, line, col, message, hint)

    def report(self, code: str, line: int, col: int, message: str, hint: str = "") -> None:
        """Every problem of this file goes through here, so the cap holds for every kind."""
        # A broken file can hold millions of mistakes; past a point more lines help nobody.
        self.count += 1
        if self.count > MAX_PROBLEMS_PER_FILE:
            if self.count == MAX_PROBLEMS_PER_FILE + 1:
                self.problems.append(
                    Problem(
                        self.path,
                        0,
                        0,
                        f"more than {MAX_PROBLEMS_PER_FILE} problems in this file; the rest are not listed",
                        "fix these first",
                        code="E013",
                    )
                )
            return
        self.problems.append(Problem(self.path, line, col, message, hint, code=code))

    def place(self, node: Scalar, offset: int) -> tuple[int, int]:
        """The file position of character `offset` of a scalar's value, as near as YAML allows."""
        if node.style in ("", "|", ">") and self.text is not None:
            # Plain and block text hold the file's characters; folding only changes whitespace.
            return self._nth_visible(node, sum(1 for char in node.value[:offset] if not char.isspace()))
        before = node.value[:offset]
        if "\n" not in before:
            return node.line, node.col + offset + (0 if node.plain else 1)
        return node.line, node.col

    def _nth_visible(self, node: Scalar, count: int) -> tuple[int, int]:
        """Where the value's character after `count` non-blank ones is written in the file."""
        assert self.text is not None
        if not self._line_starts:
            self._line_starts = [0, *(found.end() for found in re.finditer("\n", self.text))]
        if not 0 < node.line <= len(self._line_starts):
            return node.line, node.col
        index = self._line_starts[node.line - 1] + node.col - 1
        if node.style in ("|", ">"):  # the text starts on the line after the indicator
            index = self.text.find("\n", index) + 1
        for found in _VISIBLE.finditer(self.text, index):
            if count == 0:
                index = found.start()
                line = bisect.bisect_right(self._line_starts, index)
                return line, index - self._line_starts[line - 1] + 1
            count -= 1
        return node.line, node.col

    # structure ------------------------------------------------------------------------
    def mapping(self, node: Node | None, what: str) -> Map | None:
        if isinstance(node, Map):
            return node
        self.error("E101", node, f"{what} must be a mapping (key: value lines), not {kind_of(node)}")
        return None

    def sequence(self, node: Node | None, what: str, allow_single: bool = False) -> list[Node]:
        if isinstance(node, Seq):
            return node.items
        if allow_single and isinstance(node, (Scalar, Map)):
            return [node]
        self.error("E101", node, f"{what} must be a list (lines starting with `- `), not {kind_of(node)}")
        return []

    def fields(self, node: Map, what: str, allowed: Iterable[str], required: Iterable[str] = ()) -> dict[str, Node]:
        """The mapping's values by key; unknown keys and missing required keys are reported."""
        allowed = tuple(allowed)
        values: dict[str, Node] = {}
        if not node.flow:  # the common case, kept quick: no comma can cut a value outside `{...}`
            known = _KNOWN_KEYS.get(allowed)
            if known is None:
                known = _KNOWN_KEYS[allowed] = frozenset(allowed)
            for key, value in node.pairs:
                if key.value in known:
                    values[key.value] = value
                else:
                    self._unknown_key(key, what, allowed)
            for name in required:
                if name not in values:
                    self._required(node, what, values, required)
                    break
            return values
        cut: Scalar | None = None  # a key whose plain value a comma may cut: in `{doc: a, b}`, `b` is text
        cut_text = ""
        reported_cut = False
        for key, value in node.pairs:
            if (
                cut is not None and node.flow and key.plain and _no_value(value) and key.value not in allowed
                and (" " in key.value or " " in cut_text)  # text, not a key forgotten its value: `{type: int, dco}`
            ):
                if not reported_cut:
                    self.error(
                        "E107", key, f"the `,` before `{shortened(clean(key.value))}` ends the value of `{clean(cut.value)}`: "
                        "inside `{...}` a comma separates entries", f"quote the whole value: {clean(cut.value)}: \"...\"",
                    )
                    reported_cut = True  # one problem for `doc: a, b, c`
                continue
            cut = key if isinstance(value, Scalar) and value.plain and value.value else None
            cut_text = value.value if cut is not None and isinstance(value, Scalar) else ""
            reported_cut = False
            if key.value not in allowed:
                self._unknown_key(key, what, allowed)
                continue
            values[key.value] = value
        self._required(node, what, values, required)
        return values

    def _unknown_key(self, key: Scalar, what: str, allowed: tuple[str, ...]) -> None:
        hint = suggest(key.value, allowed) or f"{what} may have: {', '.join(allowed)}"
        self.error("E102", key, f"unknown key `{clean(key.value)}` in {what}", hint)

    def _required(self, node: Map, what: str, values: dict[str, Node], required: Iterable[str]) -> None:
        for name in required:
            if name not in values:
                self.error("E103", node, f"{what} has no `{name}`", f"add `{name}: ...`")

    # scalars --------------------------------------------------------------------------
    def string(self, node: Node | None, what: str, block: bool = False) -> str | None:
        if node.__class__ is Scalar:
            value = node.value
            # length first: hashing a whole paragraph only to compare it with "~" is most of the cost
            if len(value) <= 4 and node.plain and value in _NULL and node.tag is None:
                self.error("E104", node, f"{what} is empty", "write some text after the colon")
                return None
            if value.isprintable():  # what clean() and clean_block() return unchanged: most text
                return value
            return clean_block(value) if block else clean(value)
        self.error(
            "E101", node, f"{what} must be text, not {kind_of(node)}", "quote it if it contains `: ` or starts with a special character"
        )
        return None

    def integer(self, node: Node | None, what: str) -> int | None:
        if isinstance(node, Scalar) and node.plain and _INT.fullmatch(node.value):
            try:
                number = int(node.value.replace("_", ""))
            except ValueError:  # more digits than Python converts: certainly too large
                number = None
            if number is not None and abs(number) <= INT_LIMIT:
                return number
            self.error("E105", node, f"{what} is too large: whole numbers go from -{INT_LIMIT:,} to {INT_LIMIT:,}")
            return None
        shown = shortened(clean(node.value)) if isinstance(node, Scalar) else kind_of(node)
        self.error("E101", node, f"{what} must be a whole number, not {shown}")
        return None

    def boolean(self, node: Node | None, what: str) -> bool | None:
        if isinstance(node, Scalar) and node.plain:
            lowered = node.value.lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
        shown = clean(node.value) if isinstance(node, Scalar) else kind_of(node)
        self.error("E101", node, f"{what} must be true or false, not {shown}")
        return None

    def literal(self, node: Node, name: str, variable: VarInfo, what: str) -> Value | None:
        """A value of `name`'s type as written, within its range or members; None (reported) if not."""
        if variable.type == "bool":
            return self.boolean(node, what)
        if variable.type == "int":
            number = self.integer(node, what)
            if number is not None and (
                (variable.min is not None and number < variable.min) or (variable.max is not None and number > variable.max)
            ):
                self.error("E105", node, f"{what} is {number}, outside `{name}`'s range {variable.min}..{variable.max}")
                return None
            return number
        if variable.type == "string":
            if isinstance(node, Scalar) and not node.plain:
                return clean(node.value)  # quoted: any text, "" included
            if isinstance(node, Scalar) and node.tag is None and (_INT.fullmatch(node.value) or node.value.lower() in _TRUE | _FALSE):
                # YAML reads `3` and `true` as a number and a bool: text for a string is written in quotes
                self.error(
                    "E303", node,
                    f"{what} is {'a number' if _INT.fullmatch(node.value) else 'true or false'}, but `{name}` is a string variable",
                    f'quote it to mean the text: {name}: "{clean(node.value)}"',
                )
                return None
            return self.string(node, what)
        if isinstance(node, Seq) and not node.items:
            return frozenset()
        members: set[str] = set()
        unknown = False
        for member, item in self.strings(node, what):
            if self.recorder is not None and member in variable.members:
                self.recorder.name(self.path, item, "member", member, owner=name)
            if member not in variable.members:
                self.error(
                    "E304",
                    item,
                    f"`{member}` is not a member of set `{name}`",
                    suggest(member, variable.members) or f"members: {', '.join(sorted(variable.members))}",
                )
                unknown = True
            members.add(member)
        return None if unknown else frozenset(members)

    def identifier(self, node: Node | None, what: str, pattern: re.Pattern[str], rule: str) -> str | None:
        text = self.string(node, what)
        if text is None:
            return None
        if not pattern.fullmatch(text):
            self.error("E106", node, f"{what} `{text}` is not valid", rule)
            return None
        return text

    def warning_codes(self, node: Node) -> frozenset[str]:
        """`ignore: [W101, ...]`: warning codes the author silences here."""
        codes: set[str] = set()
        for code, item in self.strings(node, "ignore"):
            if code in WARNINGS:
                codes.add(code)
            elif code in ERRORS:
                self.error("E109", item, f"`{code}` is an error, and errors cannot be silenced", "fix the error instead")
            else:
                hint = suggest(code, WARNINGS) or "see docs/diagnostics.md"
                self.error("E109", item, f"`{shortened(clean(code))}` is not a warning code", hint)
        return frozenset(codes)

    def strings(self, node: Node | None, what: str) -> list[tuple[str, Node]]:
        """One string or a list of strings, each with its node."""
        result: list[tuple[str, Node]] = []
        for item in self.sequence(node, what, allow_single=True):
            value = self.string(item, what)
            if value is not None:
                result.append((value, item))
        return result

    # expressions ------------------------------------------------------------------------
    def expression(
        self, node: Node | None, env: Env, what: str, want: TypeName | None = "bool", in_effect: bool = False
    ) -> Compiled | None:
        if not isinstance(node, Scalar):
            self.error("E101", node, f"{what} must be an expression in text, not {kind_of(node)}")
            return None
        if self.recorder is not None:
            self.recorder.expression(self.path, node, env)
        try:
            return compile_expression(node.value, env, want, in_effect)
        except ExprError as err:
            if err.unknown and self.unreadable.might_declare(err.unknown):
                return None
            self.report(err.code, *self.place(node, err.offset), f"{what}: {err.message}", err.hint)
            return None

    def template(self, node: Node | None, env: Env, what: str, block: bool = False) -> Template | None:
        text = self.string(node, what, block=block)
        if text is None or node is None:
            return None
        assert isinstance(node, Scalar)
        if self.recorder is not None:
            self.recorder.template(self.path, node, env)
        return self._compiled(text, node, env, what, 0)

    def paragraph(self, text: str, node: Scalar, env: Env, what: str, visible_before: int) -> Template | None:
        """A template from a paragraph cut out of a text (after `visible_before` non-blank
        characters of it); each mistake is placed where it is in the file."""
        return self._compiled(text, node, env, what, visible_before)

    def _compiled(self, text: str, node: Scalar, env: Env, what: str, visible_before: int) -> Template | None:
        try:
            return compile_template(text, env, self.scope)
        except ExprError:
            pass  # compiled again below, piece by piece, to report every mistake at its place
        errors: list[ExprError] = []
        start = 0
        template: Template | None = None
        while start <= len(text):
            try:
                template = compile_template(text[start:], env, self.scope)
                break
            except ExprError as err:
                errors.append(err.moved(start))
                # what follows the mistake is checked on its own, so that one slip does not hide the
                # next: after an unclosed `{` (which runs to the end of the text), or after the hole
                # that holds the mistake
                after = err.offset + 1 if err.message.endswith("is never closed") else resume_after(text[start:], err.offset)
                if after is None:
                    break
                start += after
        for problem in errors:
            if problem.unknown and self.unreadable.might_declare(problem.unknown):
                continue
            visible = visible_before + sum(1 for char in text[: problem.offset] if not char.isspace())
            if visible_before or text != node.value:
                line, col = self._place_visible(node, visible)
            else:
                line, col = self.place(node, problem.offset)
            self.report(problem.code, line, col, f"in {what}: {problem.message}", problem.hint)
        return None if errors else template

    def _place_visible(self, node: Scalar, visible: int) -> tuple[int, int]:
        """The position of the value's character after `visible` non-blank ones."""
        if node.style in ("", "|", ">") and self.text is not None:
            return self._nth_visible(node, visible)
        for offset, char in enumerate(node.value):
            if not char.isspace():
                if visible == 0:
                    return self.place(node, offset)
                visible -= 1
        return node.line, node.col


_KNOWN_KEYS: dict[tuple[str, ...], frozenset[str]] = {}  # each call site's allowed keys, as a set


def paragraphs(text: str, style: str = "|") -> list[str]:
    """Split text into paragraphs, the way its YAML style wrote them.

    A literal block (`|`) keeps its line breaks, so a blank line separates paragraphs. Every
    other style has already folded lines into spaces and a blank line into one newline.
    """
    if text.isprintable():  # one line (no break of any kind): the common case, kept quick
        stripped = text.strip()
        return [stripped] if stripped else []
    chunks = _BLANK_LINE.split(text.strip()) if style == "|" else text.strip().split("\n")
    result = []
    for chunk in chunks:
        joined = " ".join(line.strip() for line in chunk.splitlines() if line.strip())
        if joined:
            result.append(joined)
    return result
