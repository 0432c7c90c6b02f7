"""Layer 2, story: the immutable story model and what builds it. The loader, the expression language (where a condition is evaluated), interpolated text, the title page.

May import: adventure.source.
"""
