"""The public walk's CPU time in two checkouts of the project, run in turn, through the shared benchmark's own script.

    python bench/walk_ab.py --story DATA/n10000/adventure --trees OLD NEW [--rounds 7]
    python bench/walk_ab.py --story DATA/n10000/adventure --trees /tmp/before .

Each round runs `bench_adventure.py` (the side-by-side benchmark's walk: new_game, view and
choose, 100,000 steps) once in each tree, in turn, each in a fresh process with the tree first
on PYTHONPATH and its bytecode compiled; the figure is the walk's CPU seconds (`walk_cpu_s`;
the machine is shared, so wall time says little), the median of the rounds with min and max.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

BENCH = Path("/work/shared/bench-peers/bench_adventure.py")


def walk_cpu(tree: Path, story: Path, bench: Path) -> float:
    """One walk's CPU seconds, in a fresh process importing the package from `tree`."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    out = subprocess.run(
        [sys.executable, str(bench), "--story", str(story)], capture_output=True, text=True, env=env, cwd="/", check=True
    ).stdout
    data = json.loads(out)
    if Path(data["adventure_path"]).resolve() != (tree / "adventure").resolve():
        raise SystemExit(f"{tree}: the walk imported {data['adventure_path']}")
    return float(data["walk_cpu_s"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--story", type=Path, required=True, help="the shared benchmark's story folder (DATA/nN/adventure)")
    parser.add_argument("--trees", type=Path, nargs="+", required=True, help="checkouts of the project (folders holding adventure/)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--bench", type=Path, default=BENCH, help="the shared benchmark's bench_adventure.py")
    args = parser.parse_args()
    trees = [tree.resolve() for tree in args.trees]
    for tree in trees:
        compileall.compile_dir(str(tree / "adventure"), quiet=1)
    seconds: dict[Path, list[float]] = {tree: [] for tree in trees}
    for _ in range(args.rounds):
        for tree in trees:
            seconds[tree].append(walk_cpu(tree, args.story.resolve(), args.bench))
    for tree, runs in seconds.items():
        median = statistics.median(runs)
        print(f"{tree}: walk {median:.3f} CPU s ({min(runs):.3f}-{max(runs):.3f}), {100_000 / median:,.0f} choices per CPU second")


if __name__ == "__main__":
    main()
