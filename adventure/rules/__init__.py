"""Layer 3, rules: the pure engine.

A game state and a choice in, a new state and events out (a choice is applied in moves.py, what the player
sees is listed and rendered, and a listed choice taken, in views.py, from what plans.py prepares once per
scene where no state changes it); no I/O.

May import: adventure.story and adventure.source.
"""
