"""Layer 1, source: untrusted text in, safely.

Reading YAML with positions and bounds, problems with their places, text made safe to print.

May import: the standard library and PyYAML only; nothing else of adventure.
"""
