"""Layer 4, play: a game in progress and the two players.

Sessions, the one turn loop, the plain and terminal players (the status bar is drawn in repl.py),
and saves (a save is written in saves.py, through source/files.py, the one module that writes files).

May import: adventure.rules, adventure.story, adventure.source; never adventure.tools or the command line.
"""
