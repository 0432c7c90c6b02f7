"""Type-checking a parsed expression against the story's declarations, and building the closures that evaluate it."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from adventure.source.textsafe import clean
from adventure.story import exprhints as hints
from adventure.story.exprfused import NOT_VARIABLES, fused
from adventure.story.exprhints import FUNCTIONS
from adventure.story.exprtypes import INT_LIMIT, Env, Evaluator, ExprError, StateView, TypeName, Value, char_offset, flat


@dataclass(slots=True, eq=False, repr=False)  # never compared or shown: two methods fewer to compile at start
class _Reads:
    """What an expression reads: its variables, the scenes and entries it asks about, the turn, chance."""

    variables: set[str] = field(default_factory=set)
    visits: set[str] = field(default_factory=set)
    unlocked: set[str] = field(default_factory=set)
    turn: bool = False
    random: bool = False


class ExpressionCompiler:
    """Walks a whitelisted AST once, checking types and building closures."""

    def __init__(self, source: str, env: Env, in_effect: bool = False) -> None:
        self.source = flat(source)
        self.env = env
        self.in_effect = in_effect
        self.reads = _Reads()

    def error(self, code: str, node: ast.AST, message: str, hint: str = "", unknown: str = "") -> ExprError:
        """An error at `node`; `code` is its entry in adventure/source/codes.py."""
        return ExprError(message, char_offset(self.source, getattr(node, "col_offset", 0)), hint, unknown, code)

    def text_of(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.source, node) or "?"

    def compile(self, node: ast.expr) -> tuple[TypeName, Evaluator]:
        method = getattr(self, "c_" + type(node).__name__, None)
        if method is None:
            raise self.error("E404", node, f"`{self.text_of(node)}` is not allowed in an expression", hints.allowed_hint())
        result: tuple[TypeName, Evaluator] = method(node)
        return result

    # literals and names
    def c_Constant(self, node: ast.Constant) -> tuple[TypeName, Evaluator]:
        value = node.value
        if isinstance(value, bool):
            return "bool", lambda s, v=value: v
        if isinstance(value, int):
            if abs(value) > INT_LIMIT:
                raise self.error("E405", node, f"{value} is too large: whole numbers go from -{INT_LIMIT:,} to {INT_LIMIT:,}")
            return "int", lambda s, v=value: v
        if isinstance(value, str):
            if clean(value) != value:  # an escape such as "\x1b" or "\ud83d", decoded only now
                shown = clean(value)
                raise self.error(
                    "E408", node, f"the text {shown!r} holds a control character, escape sequence or lone surrogate",
                    "write the text itself; escapes like \\x1b or \\ud83d are not allowed in expressions",
                )
            return "string", lambda s, v=value: v
        if isinstance(value, float):
            raise self.error("E404", node, f"{value!r} is not a whole number", "only whole numbers are supported")
        raise self.error("E404", node, f"`{self.text_of(node)}` is not a value an expression can use", hints.allowed_hint())

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
                raise self.error("E407", node, f"`{name}` is a function", f"call it: {name}(...)")
            raise self.error("E402",
                node, f"unknown variable `{name}`", hints.suggest(name, self.env.variables, "declare it under `variables:` in story.yaml"),
                unknown=name,
            )
        self.reads.variables.add(name)
        return info.type, lambda s, n=name: s.vars[n]

    # operators
    def c_BoolOp(self, node: ast.BoolOp) -> tuple[TypeName, Evaluator]:
        parts = [self.expect(value, "bool", "both sides of and/or") for value in node.values]
        if len(parts) == 2:  # the commonest: no loop (the values are those of the loops below)
            first, second = parts
            if isinstance(node.op, ast.And):
                return "bool", lambda s: True if first(s) and second(s) else False  # noqa: SIM210 - not bool(): a call more
            return "bool", lambda s: True if first(s) or second(s) else False  # noqa: SIM210
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
            name = self.variable(node.operand)
            if name is not None:  # one call where a condition is tested, not two
                return "bool", lambda s, n=name: not s.vars[n]
            return "bool", lambda s: not inner(s)
        if isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = self.expect(node.operand, "int", "a sign")
            if isinstance(node.op, ast.USub):
                return "int", lambda s: -inner(s)  # type: ignore[operator]
            return "int", inner
        if isinstance(node.op, ast.Invert):
            raise self.error("E404", node, "`~` is not supported", "write `not x`")
        raise self.error("E404", node, "this operator is not supported", hints.allowed_hint())

    def c_BinOp(self, node: ast.BinOp) -> tuple[TypeName, Evaluator]:
        op = node.op
        if isinstance(op, ast.Div):
            raise self.error("E404", node, "`/` is not supported: numbers are whole", "write // for division rounded down")
        if not isinstance(op, (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Mod)):
            raise self.error("E404", node, f"`{self.text_of(node)}` is not supported", "arithmetic has + - * // % and min(), max(), abs()")
        left = self.expect(node.left, "int", "arithmetic")
        right = self.expect(node.right, "int", "arithmetic")
        if isinstance(op, ast.Add):
            return "int", lambda s: left(s) + right(s)  # type: ignore[operator]
        if isinstance(op, ast.Sub):
            return "int", lambda s: left(s) - right(s)  # type: ignore[operator]
        whole_left, whole_right = _ints(left), _ints(right)
        if isinstance(op, ast.Mult):
            if _constant(node) and abs(whole_left(None) * whole_right(None)) > INT_LIMIT:
                raise self.error("E405", node, f"`{self.text_of(node)}` is larger than {INT_LIMIT:,}", "whole numbers are limited to 2**53")
            # Only * can grow a value past the limit within one expression; it is clamped there.
            return "int", lambda s: _limited(whole_left(s) * whole_right(s))
        if _constant(node.right) and whole_right(None) == 0:
            raise self.error(
                "E403", node.right, f"`{self.text_of(node)}` divides by zero", "a divisor of 0 gives 0 in play; use another number"
            )
        if isinstance(op, ast.FloorDiv):
            return "int", lambda s: _divide(whole_left(s), whole_right(s))
        return "int", lambda s: _remainder(whole_left(s), whole_right(s))

    def c_Compare(self, node: ast.Compare) -> tuple[TypeName, Evaluator]:
        operands = [node.left, *node.comparators]
        checks: list[Callable[[StateView], bool]] = []
        compiled = [self.compile(operand) for operand in operands]
        for index, op in enumerate(node.ops):
            (ltype, left), (rtype, right) = compiled[index], compiled[index + 1]
            lnode, rnode = operands[index], operands[index + 1]
            check = self.comparison(op, ltype, left, lnode, rtype, right, rnode)
            checks.append(fused(op, self.variable(lnode), lnode, self.variable(rnode), rnode) or check)
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
                    raise self.error("E403", lnode, f"the left side of `in` must be a name (string), not {ltype}", 'write "viola" in ids')
                self.check_member(lnode, rnode)
            elif rtype == "string":
                if ltype != "string":
                    raise self.error("E403", lnode, f"`in` on a string needs a string on the left, not {ltype}")
            else:
                raise self.error("E403", rnode, f"`in` needs a set or a string on the right, not {rtype}", 'write "viola" in ids')
            if isinstance(op, ast.In):
                return lambda s: left(s) in right(s)  # type: ignore[operator]
            return lambda s: left(s) not in right(s)  # type: ignore[operator]
        if isinstance(op, (ast.Eq, ast.NotEq)):
            if ltype != rtype:
                raise self.error("E403", lnode, f"cannot compare {ltype} with {rtype}", hints.compare_hint(ltype, rtype))
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
                    raise self.error("E403", side_node, f"`{self.text_of(side_node)}` is {side_type}; <, <=, >, >= need int", hint)
            if isinstance(op, ast.Lt):
                return lambda s: left(s) < right(s)  # type: ignore[operator]
            if isinstance(op, ast.LtE):
                return lambda s: left(s) <= right(s)  # type: ignore[operator]
            if isinstance(op, ast.Gt):
                return lambda s: left(s) > right(s)  # type: ignore[operator]
            return lambda s: left(s) >= right(s)  # type: ignore[operator]
        raise self.error("E404", lnode, "`is` is not supported", "compare with == or !=")

    def variable(self, node: ast.expr) -> str | None:
        """The variable a node reads, when c_Name compiles it to a plain read of one, else None."""
        if isinstance(node, ast.Name) and node.id not in NOT_VARIABLES and node.id in self.env.variables:
            return node.id
        return None

    def check_member(self, member_node: ast.expr, set_node: ast.expr) -> None:
        """A literal member tested against a declared set must be one of its members."""
        if isinstance(member_node, ast.Constant) and isinstance(set_node, ast.Name):
            info = self.env.variables.get(set_node.id)
            if info is not None and info.type == "set" and member_node.value not in info.members:
                raise self.error("E403",
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
            raise self.error("E403", node, f"`{self.text_of(node)}` is {actual}, but {where} needs {wanted}", hint)
        return evaluate

    def c_Call(self, node: ast.Call) -> tuple[TypeName, Evaluator]:
        if not isinstance(node.func, ast.Name):
            raise self.error("E407", node, "only the built-in functions can be called", hints.functions_hint())
        name = node.func.id
        if name in ("min", "max", "abs", "random", "capitalize", "upper", "lower"):
            return self.function(node, name)
        if name == "len":
            raise self.error("E407", node, "len() is not available", "use size(...)")
        if name not in FUNCTIONS:
            raise self.error("E407",
                node.func, f"unknown function `{name}`", hints.suggest(name, FUNCTIONS, hints.functions_hint())
            )
        if node.keywords or len(node.args) != 1:
            raise self.error("E407", node, f"{name}() takes exactly one argument", hints.functions_hint())
        arg = node.args[0]
        if name == "size":
            arg_type, inner = self.compile(arg)
            if arg_type not in ("set", "string"):
                raise self.error("E403", arg, f"size() needs a set or a string, not {arg_type}")
            return "int", lambda s: len(inner(s))  # type: ignore[arg-type]
        if name in ("visited", "visits", "unlocked", "title"):
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                raise self.error("E407", arg, f"{name}() needs a quoted id", f'{name}("some_id")')
            target = arg.value
            if name in ("visited", "visits"):
                if target not in self.env.scenes:
                    raise self.error("E202",
                        arg, f"there is no scene {target!r}", hints.suggest(target, self.env.scenes, "check the scene id"), unknown=target
                    )
                self.reads.visits.add(target)
                if name == "visited":
                    return "bool", lambda s, t=target: t in s.visits
                return "int", lambda s, t=target: s.visits.get(t, 0)
            if target not in self.env.codex_titles:
                raise self.error("E501",
                    arg, f"there is no codex entry {target!r}", hints.suggest(target, self.env.codex_titles, "check the codex id"),
                    unknown=target,
                )
            if name == "unlocked":
                self.reads.unlocked.add(target)
                return "bool", lambda s, t=target: t in s.unlocked
            title = self.env.codex_titles[target]
            return "string", lambda s, v=title: v
        raise self.error("E407", node, f"unknown function `{name}`", hints.functions_hint())

    def function(self, node: ast.Call, name: str) -> tuple[TypeName, Evaluator]:
        """The functions of arithmetic, chance and names."""
        args = node.args
        wanted = {"min": None, "max": None, "random": 2}.get(name, 1)
        if node.keywords or any(isinstance(arg, ast.Starred) for arg in args):
            raise self.error("E407", node, f"{name}() takes plain arguments", hints.functions_hint())
        if wanted is None and len(args) < 2:
            raise self.error("E407", node, f"{name}() needs at least two numbers", f"{name}(trust, 3)")
        if wanted is not None and len(args) != wanted:
            shape = {"random": "random(1, 6)", "abs": "abs(trust - 3)"}.get(name, f"{name}(name)")
            raise self.error("E407", node, f"{name}() takes {'exactly one argument' if wanted == 1 else f'{wanted} arguments'}", shape)
        if name in ("capitalize", "upper", "lower"):
            inner = cast("Callable[[Any], str]", self.expect(args[0], "string", f"{name}()"))
            if name == "upper":
                return "string", lambda s: inner(s).upper()
            if name == "lower":
                return "string", lambda s: inner(s).lower()
            return "string", lambda s: _capitalized(inner(s))
        parts = [_ints(self.expect(arg, "int", f"{name}()")) for arg in args]
        if name == "abs":
            only = parts[0]
            return "int", lambda s: abs(only(s))
        if name == "min":
            return "int", lambda s: min(part(s) for part in parts)
        if name == "max":
            return "int", lambda s: max(part(s) for part in parts)
        if not self.in_effect:
            raise self.error("E407",
                node, "random() can only be used in effects", "roll it into a variable first: set: {dice: {expr: \"random(1, 6)\"}}"
            )
        low, high = parts
        if _constant(args[0]) and _constant(args[1]) and low(None) > high(None):
            raise self.error(
                "E407", node, f"random({low(None)}, {high(None)}): the second number is below the first", "write random(low, high)"
            )
        self.reads.random = True

        def draw(s: Any) -> Value:
            bottom, top = low(s), high(s)
            if top < bottom:
                bottom, top = top, bottom
            drawn: int = s.draw(top - bottom + 1)
            return bottom + drawn
        return "int", draw


def _constant(node: ast.AST) -> bool:
    """Whether an int expression's value is known without a state: literals, signs, arithmetic, min/max/abs."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int) and not isinstance(node.value, bool)
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, (ast.USub, ast.UAdd)) and _constant(node.operand)
    if isinstance(node, ast.BinOp):
        return _constant(node.left) and _constant(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("min", "max", "abs"):
        return all(_constant(arg) for arg in node.args)
    return False


def _ints(evaluate: Evaluator) -> Callable[[Any], int]:
    """An evaluator the type checker has proved gives whole numbers, typed as such."""
    return cast("Callable[[Any], int]", evaluate)


def _limited(value: int) -> int:
    """A product clamped into the range of whole numbers a story can hold."""
    if value > INT_LIMIT:
        return INT_LIMIT
    if value < -INT_LIMIT:
        return -INT_LIMIT
    return value


def _divide(left: int, right: int) -> int:
    # Dividing by zero gives 0 in play: a story never stops on arithmetic.
    return left // right if right else 0


def _remainder(left: int, right: int) -> int:
    return left % right if right else 0


def _capitalized(text: str) -> str:
    """The first letter upper-case and the rest as written (str.capitalize would lower "McRae")."""
    return text[:1].upper() + text[1:]
