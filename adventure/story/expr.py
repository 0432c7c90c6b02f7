"""The expression language of conditions and interpolation: parse, type-check, compile."""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from adventure.story import exprhints as hints
from adventure.story.exprhints import FUNCTIONS

TypeName = Literal["bool", "int", "string", "set"]
Value = bool | int | str | frozenset[str]


class StateView(Protocol):
    """What an expression or a text reads of a game state: the engine's GameState, or the
    working copy a move changes in place (rules.moves.Working). Read-only here."""

    @property
    def scene(self) -> str: ...
    @property
    def vars(self) -> Mapping[str, Value]: ...
    @property
    def visits(self) -> Mapping[str, int]: ...
    @property
    def turn(self) -> int: ...
    @property
    def unlocked(self) -> frozenset[str]: ...


Evaluator = Callable[[StateView], Value]

MAX_EXPRESSION_LENGTH = 1000
MAX_DEPTH = 48
BUILTINS = ("true", "false", "turn", "chapter")
RESERVED = frozenset(FUNCTIONS + BUILTINS + ("True", "False", "and", "or", "not", "in"))


class ExprError(Exception):
    """A problem in one expression, at a character offset within it."""

    def __init__(self, message: str, offset: int = 0, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.hint = hint


@dataclass(frozen=True, slots=True)
class VarInfo:
    """What the type checker knows of a declared variable."""

    type: TypeName
    members: frozenset[str] = frozenset()
    min: int | None = None
    max: int | None = None


@dataclass(frozen=True, slots=True)
class Env:
    """Everything an expression may refer to, fixed when the story loads."""

    variables: Mapping[str, VarInfo]
    scenes: frozenset[str]
    codex_titles: Mapping[str, str]
    chapters: Mapping[str, str] = field(default_factory=dict)
    # Stories repeat conditions (`trust >= 6` in many scenes): compile each text once.
    cache: dict[tuple[str, str | None], Compiled] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class Compiled:
    """A checked expression: its source, its type, what it reads, and how to evaluate it."""

    source: str
    type: TypeName
    evaluate: Evaluator
    tree: ast.expr
    reads: frozenset[str]
    reads_visits: frozenset[str]
    reads_turn: bool
    reads_unlocked: frozenset[str]


def format_value(value: Value) -> str:
    """How a value reads inside text: yes/no, digits, the string, or a set's members."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, frozenset):
        return ", ".join(sorted(value)) if value else "none"
    return str(value)


def _char_offset(source: str, byte_offset: int | None) -> int:
    """ast reports UTF-8 byte offsets; authors count characters."""
    if not byte_offset:
        return 0
    return len(source.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


def _flat(source: str) -> str:
    return source.replace("\r", " ").replace("\n", " ").strip()


def parse(source: str) -> ast.expr:
    """Parse expression text into a Python AST without executing anything."""
    if len(source) > MAX_EXPRESSION_LENGTH:
        raise ExprError(
            f"expression is {len(source)} characters long; the limit is {MAX_EXPRESSION_LENGTH}",
            0,
            "split the logic over several choices or variables",
        )
    if not source.strip():
        raise ExprError("empty expression", 0, 'write a condition such as trust >= 3')
    if "\x00" in source:
        raise ExprError("expression contains a NUL character", source.index("\x00"))
    try:
        # Newlines become spaces so folded YAML conditions parse; offsets stay the same.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ast would print SyntaxWarnings for text like `1if x`
            tree = ast.parse(_flat(source), mode="eval")
    except SyntaxError as err:
        offset = max((err.offset or 1) - 1, 0)
        raise ExprError(f"syntax error: {err.msg}", offset, hints.syntax_hint(source)) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExprError("expression is nested too deeply", 0) from None
    _check_depth(tree.body)
    return tree.body


def _check_depth(root: ast.AST) -> None:
    """Reject deep trees up front so that checking and evaluating never recurse far."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExprError("expression is nested too deeply", 0, f"at most {MAX_DEPTH} levels")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


@dataclass(slots=True)
class _Reads:
    variables: set[str] = field(default_factory=set)
    visits: set[str] = field(default_factory=set)
    unlocked: set[str] = field(default_factory=set)
    turn: bool = False


class _Compiler:
    """Walks a whitelisted AST once, checking types and building closures."""

    def __init__(self, source: str, env: Env) -> None:
        self.source = _flat(source)
        self.env = env
        self.reads = _Reads()

    def error(self, node: ast.AST, message: str, hint: str = "") -> ExprError:
        return ExprError(message, _char_offset(self.source, getattr(node, "col_offset", 0)), hint)

    def text_of(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.source, node) or "?"

    def compile(self, node: ast.expr) -> tuple[TypeName, Evaluator]:
        method = getattr(self, "c_" + type(node).__name__, None)
        if method is None:
            raise self.error(node, f"`{self.text_of(node)}` is not allowed in an expression", hints.allowed_hint())
        result: tuple[TypeName, Evaluator] = method(node)
        return result

    # literals and names
    def c_Constant(self, node: ast.Constant) -> tuple[TypeName, Evaluator]:
        value = node.value
        if isinstance(value, bool):
            return "bool", lambda s, v=value: v
        if isinstance(value, int):
            return "int", lambda s, v=value: v
        if isinstance(value, str):
            return "string", lambda s, v=value: v
        if isinstance(value, float):
            raise self.error(node, f"{value!r} is not a whole number", "only whole numbers are supported")
        raise self.error(node, f"`{self.text_of(node)}` is not a value an expression can use", hints.allowed_hint())

    def c_Name(self, node: ast.Name) -> tuple[TypeName, Evaluator]:
        name = node.id
        if name in ("true", "True"):
            return "bool", lambda s: True
        if name in ("false", "False"):
            return "bool", lambda s: False
        if name == "turn":
            self.reads.turn = True
            return "int", lambda s: s.turn
        if name == "chapter":
            chapters = self.env.chapters
            return "string", lambda s: chapters.get(s.scene, "")
        info = self.env.variables.get(name)
        if info is None:
            if name in FUNCTIONS:
                raise self.error(node, f"`{name}` is a function", f"call it: {name}(...)")
            raise self.error(
                node, f"unknown variable `{name}`", hints.suggest(name, self.env.variables, "declare it under `variables:` in story.yaml")
            )
        self.reads.variables.add(name)
        return info.type, lambda s, n=name: s.vars[n]

    # operators
    def c_BoolOp(self, node: ast.BoolOp) -> tuple[TypeName, Evaluator]:
        parts = [self.expect(value, "bool", "both sides of and/or") for value in node.values]
        if isinstance(node.op, ast.And):
            def evaluate_and(s: StateView, parts: list[Evaluator] = parts) -> Value:
                for part in parts:  # noqa: SIM110 - a plain loop is faster than all() on this hot path
                    if not part(s):
                        return False
                return True
            return "bool", evaluate_and

        def evaluate_or(s: StateView, parts: list[Evaluator] = parts) -> Value:
            for part in parts:  # noqa: SIM110 - a plain loop is faster than any() on this hot path
                if part(s):
                    return True
            return False
        return "bool", evaluate_or

    def c_UnaryOp(self, node: ast.UnaryOp) -> tuple[TypeName, Evaluator]:
        if isinstance(node.op, ast.Not):
            inner = self.expect(node.operand, "bool", "`not`")
            return "bool", lambda s: not inner(s)
        if isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = self.expect(node.operand, "int", "a sign")
            if isinstance(node.op, ast.USub):
                return "int", lambda s: -inner(s)  # type: ignore[operator]
            return "int", inner
        if isinstance(node.op, ast.Invert):
            raise self.error(node, "`~` is not supported", "write `not x`")
        raise self.error(node, "this operator is not supported", hints.allowed_hint())

    def c_BinOp(self, node: ast.BinOp) -> tuple[TypeName, Evaluator]:
        if not isinstance(node.op, (ast.Add, ast.Sub)):
            raise self.error(node, f"only + and - are supported, not `{self.text_of(node)}`", "arithmetic is limited to + and -")
        left = self.expect(node.left, "int", "arithmetic")
        right = self.expect(node.right, "int", "arithmetic")
        if isinstance(node.op, ast.Add):
            return "int", lambda s: left(s) + right(s)  # type: ignore[operator]
        return "int", lambda s: left(s) - right(s)  # type: ignore[operator]

    def c_Compare(self, node: ast.Compare) -> tuple[TypeName, Evaluator]:
        operands = [node.left, *node.comparators]
        checks: list[Callable[[StateView], bool]] = []
        compiled = [self.compile(operand) for operand in operands]
        for index, op in enumerate(node.ops):
            (ltype, left), (rtype, right) = compiled[index], compiled[index + 1]
            lnode, rnode = operands[index], operands[index + 1]
            checks.append(self.comparison(op, ltype, left, lnode, rtype, right, rnode))
        if len(checks) == 1:
            return "bool", checks[0]

        def evaluate_chain(s: StateView, checks: list[Callable[[StateView], bool]] = checks) -> Value:
            return all(check(s) for check in checks)
        return "bool", evaluate_chain

    def comparison(
        self, op: ast.cmpop, ltype: TypeName, left: Evaluator, lnode: ast.expr,
        rtype: TypeName, right: Evaluator, rnode: ast.expr,
    ) -> Callable[[StateView], bool]:
        if isinstance(op, (ast.In, ast.NotIn)):
            if rtype == "set":
                if ltype != "string":
                    raise self.error(lnode, f"the left side of `in` must be a name (string), not {ltype}", 'write "viola" in ids')
                self.check_member(lnode, rnode)
            elif rtype == "string":
                if ltype != "string":
                    raise self.error(lnode, f"`in` on a string needs a string on the left, not {ltype}")
            else:
                raise self.error(rnode, f"`in` needs a set or a string on the right, not {rtype}", 'write "viola" in ids')
            if isinstance(op, ast.In):
                return lambda s: left(s) in right(s)  # type: ignore[operator]
            return lambda s: left(s) not in right(s)  # type: ignore[operator]
        if isinstance(op, (ast.Eq, ast.NotEq)):
            if ltype != rtype:
                raise self.error(lnode, f"cannot compare {ltype} with {rtype}", hints.compare_hint(ltype, rtype))
            if isinstance(op, ast.Eq):
                return lambda s: left(s) == right(s)
            return lambda s: left(s) != right(s)
        if isinstance(op, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)):
            for side_type, side_node in ((ltype, lnode), (rtype, rnode)):
                if side_type != "int":
                    hint = (
                        f"compare its size: size({self.text_of(side_node)})"
                        if side_type == "set"
                        else "order comparisons work on whole numbers"
                    )
                    raise self.error(side_node, f"`{self.text_of(side_node)}` is {side_type}; <, <=, >, >= need int", hint)
            if isinstance(op, ast.Lt):
                return lambda s: left(s) < right(s)  # type: ignore[operator]
            if isinstance(op, ast.LtE):
                return lambda s: left(s) <= right(s)  # type: ignore[operator]
            if isinstance(op, ast.Gt):
                return lambda s: left(s) > right(s)  # type: ignore[operator]
            return lambda s: left(s) >= right(s)  # type: ignore[operator]
        raise self.error(lnode, "`is` is not supported", "compare with == or !=")

    def check_member(self, member_node: ast.expr, set_node: ast.expr) -> None:
        """A literal member tested against a declared set must be one of its members."""
        if isinstance(member_node, ast.Constant) and isinstance(set_node, ast.Name):
            info = self.env.variables.get(set_node.id)
            if info is not None and info.type == "set" and member_node.value not in info.members:
                raise self.error(
                    member_node,
                    f"{member_node.value!r} is not a member of set `{set_node.id}`",
                    hints.suggest(str(member_node.value), info.members, f"members: {', '.join(sorted(info.members))}"),
                )

    def expect(self, node: ast.expr, wanted: TypeName, where: str) -> Evaluator:
        actual, evaluate = self.compile(node)
        if actual != wanted:
            hint = ""
            if wanted == "bool" and actual == "int":
                hint = f"write a comparison, e.g. {self.text_of(node)} > 0"
            elif wanted == "bool" and actual == "set":
                hint = f'write size({self.text_of(node)}) > 0 or "name" in {self.text_of(node)}'
            elif wanted == "int" and actual == "set":
                hint = f"use size({self.text_of(node)})"
            raise self.error(node, f"`{self.text_of(node)}` is {actual}, but {where} needs {wanted}", hint)
        return evaluate

    def c_Call(self, node: ast.Call) -> tuple[TypeName, Evaluator]:
        if not isinstance(node.func, ast.Name):
            raise self.error(node, "only the built-in functions can be called", hints.functions_hint())
        name = node.func.id
        if node.keywords or len(node.args) != 1:
            raise self.error(node, f"{name}() takes exactly one argument", hints.functions_hint())
        arg = node.args[0]
        if name == "size":
            arg_type, inner = self.compile(arg)
            if arg_type not in ("set", "string"):
                raise self.error(arg, f"size() needs a set or a string, not {arg_type}")
            return "int", lambda s: len(inner(s))  # type: ignore[arg-type]
        if name in ("visited", "visits", "unlocked", "title"):
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                raise self.error(arg, f"{name}() needs a quoted id", f'{name}("some_id")')
            target = arg.value
            if name in ("visited", "visits"):
                if target not in self.env.scenes:
                    raise self.error(arg, f"there is no scene {target!r}", hints.suggest(target, self.env.scenes, "check the scene id"))
                self.reads.visits.add(target)
                if name == "visited":
                    return "bool", lambda s, t=target: t in s.visits
                return "int", lambda s, t=target: s.visits.get(t, 0)
            if target not in self.env.codex_titles:
                raise self.error(
                    arg, f"there is no codex entry {target!r}", hints.suggest(target, self.env.codex_titles, "check the codex id")
                )
            if name == "unlocked":
                self.reads.unlocked.add(target)
                return "bool", lambda s, t=target: t in s.unlocked
            title = self.env.codex_titles[target]
            return "string", lambda s, v=title: v
        if name == "len":
            raise self.error(node, "len() is not available", "use size(...)")
        raise self.error(node, f"unknown function `{name}`", hints.functions_hint())


def compile_expression(source: str, env: Env, want: TypeName | None = None) -> Compiled:
    """Parse, type-check and compile one expression; raise ExprError on any problem."""
    cached = env.cache.get((source, want))
    if cached is not None:
        return cached
    lead = len(source) - len(source.lstrip())
    try:
        compiled = _compile(source, env, want)
    except ExprError as err:
        raise ExprError(err.message, err.offset + lead, err.hint) from None
    env.cache[(source, want)] = compiled
    return compiled


def _compile(source: str, env: Env, want: TypeName | None) -> Compiled:
    tree = parse(source)
    compiler = _Compiler(source, env)
    try:
        actual, evaluate = compiler.compile(tree)
    except RecursionError:
        raise ExprError("expression is nested too deeply", 0) from None
    if want is not None and actual != want:
        hint = ""
        if want == "bool" and actual == "int":
            hint = f"write a comparison, e.g. {_flat(source)} > 0"
        elif want == "bool" and actual == "set":
            hint = f"write size({_flat(source)}) > 0"
        raise ExprError(f"this expression is {actual}, but a {want} is needed here", 0, hint)
    reads = compiler.reads
    return Compiled(
        source=_flat(source), type=actual, evaluate=evaluate, tree=tree,
        reads=frozenset(reads.variables), reads_visits=frozenset(reads.visits),
        reads_turn=reads.turn, reads_unlocked=frozenset(reads.unlocked),
    )



def static_value(source: str) -> Value | None:
    """The value of a literal-only expression (for tools), else None."""
    try:
        tree = parse(source)
    except ExprError:
        return None
    if isinstance(tree, ast.Constant) and isinstance(tree.value, (bool, int, str)):
        return tree.value
    return None


__all__ = [
    "BUILTINS",
    "FUNCTIONS",
    "RESERVED",
    "Compiled",
    "Env",
    "ExprError",
    "StateView",
    "TypeName",
    "Value",
    "VarInfo",
    "compile_expression",
    "format_value",
    "static_value",
]
