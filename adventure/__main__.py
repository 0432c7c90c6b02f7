"""The program's entry: the `adventure` command and `python -m adventure` run the command line in a process of their own."""

import gc
import sys

# A start (imports, the story, the first screen) allocates some 30,000 objects that live until
# the program ends and form no garbage cycles. At the default threshold (700) the collector
# scans them in about thirty collections, and the collections at exit scan them again: a
# sixth of the CPU time of `check` or of a game's first screen on a 100-scene story. Our own
# process may set its collector (a library's load_story does not): it still collects, only
# after more allocations. The loader pauses it anyway while it builds a story. At exit, what
# is left is frozen, so the interpreter's last collections do not scan it all once more.
YOUNG_THRESHOLD = 50_000


def run() -> int:
    """Tune the collector for a process of our own, then run the command line."""
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    from adventure.cli import main  # after the threshold: importing it is a start's first bulk of objects

    try:
        return main()
    finally:
        gc.freeze()  # the process is ending: its last collections need not scan everything it made


if __name__ == "__main__":
    sys.exit(run())
