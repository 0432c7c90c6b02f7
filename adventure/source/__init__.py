"""Layer 1, source: untrusted text in, safely.

Reading YAML with positions and bounds, problems with their places, text made safe to print,
and files.py: every file the program writes, written atomically.

May import: the standard library and PyYAML only; nothing else of adventure.
"""
