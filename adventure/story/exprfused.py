"""Comparisons of a variable with a literal compiled to one closure, where the general compiler makes three."""

from __future__ import annotations

import ast
from typing import Any

# names c_Name compiles to something other than a variable read
NOT_VARIABLES = frozenset({"true", "True", "false", "False", "turn", "chapter"})


def fused(op: ast.cmpop, left: str | None, lnode: ast.expr, right: str | None, rnode: ast.expr) -> Any:
    """A comparison of a variable with a literal (already checked) as one closure, where it
    would be three: the commonest condition, tested at every turn. None for any other.
    (Typed Any: the closures read a state's variables, whose values the checks have typed.)"""
    if left is not None and isinstance(rnode, ast.Constant):
        value = rnode.value
        if isinstance(op, ast.Eq):
            return lambda s, n=left, v=value: s.vars[n] == v
        if isinstance(op, ast.NotEq):
            return lambda s, n=left, v=value: s.vars[n] != v
        if isinstance(op, ast.Lt):
            return lambda s, n=left, v=value: s.vars[n] < v
        if isinstance(op, ast.LtE):
            return lambda s, n=left, v=value: s.vars[n] <= v
        if isinstance(op, ast.Gt):
            return lambda s, n=left, v=value: s.vars[n] > v
        if isinstance(op, ast.GtE):
            return lambda s, n=left, v=value: s.vars[n] >= v
    if right is not None and isinstance(lnode, ast.Constant):
        value = lnode.value
        if isinstance(op, ast.In):
            return lambda s, n=right, v=value: v in s.vars[n]
        if isinstance(op, ast.NotIn):
            return lambda s, n=right, v=value: v not in s.vars[n]
    return None
