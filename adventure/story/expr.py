"""The expression language of conditions and interpolation: parse, then check and compile (exprcompile.py) into a Compiled."""

from __future__ import annotations

import ast
import warnings

from adventure.story import exprhints as hints
from adventure.story.exprcompile import ExpressionCompiler
from adventure.story.exprhints import FUNCTIONS
from adventure.story.exprtypes import (
    BUILTINS,
    INT_LIMIT,
    MAX_DEPTH,
    MAX_EXPRESSION_LENGTH,
    RESERVED,
    Compiled,
    Env,
    Evaluator,
    ExprError,
    StateView,
    TypeName,
    Value,
    VarInfo,
    flat,
    format_value,
)


def parse(source: str) -> ast.expr:
    """Parse expression text into a Python AST without executing anything."""
    if len(source) > MAX_EXPRESSION_LENGTH:
        raise ExprError(
            f"expression is {len(source)} characters long; the limit is {MAX_EXPRESSION_LENGTH}",
            0,
            "split the logic over several choices or variables",
            code="E405",
        )
    if not source.strip():
        raise ExprError("empty expression", 0, "write a condition such as trust >= 3", code="E104")
    if "\x00" in source:
        raise ExprError("expression contains a NUL character", source.index("\x00"), code="E404")
    try:
        # Newlines become spaces so folded YAML conditions parse; offsets stay the same.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ast would print SyntaxWarnings for text like `1if x`
            tree = ast.parse(flat(source), mode="eval")
    except SyntaxError as err:
        offset = hints.syntax_offset(flat(source), max((err.offset or 1) - 1, 0))
        raise ExprError(f"syntax error: {err.msg}", offset, hints.syntax_hint(source)) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExprError("expression is nested too deeply", 0, code="E405") from None
    _check_depth(tree.body)
    return tree.body


def _check_depth(node: ast.AST, depth: int = 1) -> None:
    """Reject deep trees up front so that checking and evaluating never recurse far.

    Each node's children as ast.iter_child_nodes gives them, read here without its generators
    (a load checks thousands of expressions); the recursion stops at MAX_DEPTH."""
    if depth > MAX_DEPTH:
        raise ExprError("expression is nested too deeply", 0, f"at most {MAX_DEPTH} levels", code="E405")
    for name in node._fields:
        child = getattr(node, name, None)
        if isinstance(child, ast.AST):
            _check_depth(child, depth + 1)
        elif isinstance(child, list):
            for item in child:
                if isinstance(item, ast.AST):
                    _check_depth(item, depth + 1)


def compile_expression(source: str, env: Env, want: TypeName | None = None, in_effect: bool = False) -> Compiled:
    """Parse, type-check and compile one expression; raise ExprError on any problem.

    `in_effect`: the expression is computed by an effect, which may draw with random()."""
    cached = env.cache.get((source, want, in_effect))
    if cached is not None:
        return cached
    lead = len(source) - len(source.lstrip())
    try:
        compiled = _compile(source, env, want, in_effect)
    except ExprError as err:
        raise err.moved(lead) from None
    env.cache[(source, want, in_effect)] = compiled
    return compiled


def _compile(source: str, env: Env, want: TypeName | None, in_effect: bool = False) -> Compiled:
    tree = parse(source)
    compiler = ExpressionCompiler(source, env, in_effect)
    try:
        actual, evaluate = compiler.compile(tree)
    except RecursionError:
        raise ExprError("expression is nested too deeply", 0, code="E405") from None
    if want is not None and actual != want:
        hint = ""
        if want == "bool" and actual == "int":
            hint = f"write a comparison, e.g. {flat(source)} > 0"
        elif want == "bool" and actual == "set":
            hint = f"write size({flat(source)}) > 0"
        raise ExprError(f"this expression is {actual}, but a {want} is needed here", 0, hint, code="E403")
    reads = compiler.reads
    return Compiled(
        source=flat(source), type=actual, evaluate=evaluate, tree=tree,
        reads=frozenset(reads.variables), reads_visits=frozenset(reads.visits),
        reads_turn=reads.turn, reads_unlocked=frozenset(reads.unlocked), draws_random=reads.random,
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
    "INT_LIMIT",
    "RESERVED",
    "Compiled",
    "Env",
    "Evaluator",
    "ExprError",
    "StateView",
    "TypeName",
    "Value",
    "VarInfo",
    "compile_expression",
    "format_value",
    "parse",
    "static_value",
]
