"""Layer 3, rules: the pure engine.

A game state and a choice in, a new state and events out (a choice is applied in moves.py); no I/O.

May import: adventure.story and adventure.source.
"""
