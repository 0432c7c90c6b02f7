"""Layer 2, story: the immutable story model and what builds it.

The loader, the expression language (expr.py; a condition is checked and turned into the
closures that evaluate it in exprcompile.py), interpolated text,
the title page, and the unfrozen twins (twins.py) through which the loader, the cache's decoder
and the engine build frozen values by the thousand.

May import: adventure.source.
"""
