"""Layer 4, play: a game in progress and the two players.

Sessions, commands, the plain and terminal players (the status bar is drawn in repl.py), and
saves (a save is written in saves.py, the only module that writes files).

May import: adventure.rules, adventure.story, adventure.source; never adventure.tools or the command line.
"""
