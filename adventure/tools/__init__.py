"""Layer 4, tools: the author's tools.

Warnings, the explorer and random player, walkthroughs, graph, schema, diff, statistics.

May import: adventure.rules, adventure.story, adventure.source; never adventure.play or the command line.
"""
