"""How the exhaustive search grows with the items of a hub-and-collectibles story.

    python bench/hub.py                 # items 2 to 10, a Markdown table
    python bench/hub.py --items 4 8     # just these

For each item count K it writes the story `generate.py --shape hub --items K` writes
(2K + 4 scenes), runs `explore --exhaustive` on it in this process and prints the
states, moves and seconds. The seconds are this machine's; the states and moves are the
same on every machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from generate import generate_hub  # noqa: E402

from adventure.story.loader import load_story  # noqa: E402
from adventure.tools.explore import exhaustive  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, nargs="+", default=list(range(2, 11)))
    parser.add_argument("--max-states", type=int, default=2_000_000)
    args = parser.parse_args()
    print("| items | scenes | states | moves | seconds | complete |")
    print("| --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as folder:
        for items in args.items:
            root = os.path.join(folder, f"hub-{items}")
            generate_hub(items, root)
            story = load_story(root)
            report = exhaustive(story, args.max_states)
            print(
                f"| {items} | {len(story.scenes)} | {report.states:,} | {report.edges:,} | {report.seconds:.2f} | "
                f"{'yes' if report.complete else report.limit_reason} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
