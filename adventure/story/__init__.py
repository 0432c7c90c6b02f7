"""Layer 2, story: the immutable story model and what builds it.

The loader, the expression language (a condition is evaluated in expr.py), interpolated text,
the title page.

May import: adventure.source.
"""
