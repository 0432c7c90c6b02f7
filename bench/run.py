"""Run every performance measurement of the project and print a table of figures.

    python bench/run.py            # all measurements, 5 runs each
    python bench/run.py --quick    # fewer runs and smaller stories (a smoke test)

Each measurement runs in a fresh Python process, so start-up and peak memory (maximum
resident set size) are those a user would see. The table gives the median of the runs,
with min and max. The package's bytecode is compiled first, as `pip install` does: without
it every start would also compile the package's source (this machine sets
PYTHONDONTWRITEBYTECODE, so nothing it runs from a checkout is cached otherwise).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHIPPED = os.path.join(ROOT, "scenes")
sys.path.insert(0, HERE)

from generate import generate  # noqa: E402

PROBE = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
started = time.perf_counter()
{body}
print(json.dumps({{"seconds": elapsed, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **extra}}))
"""

LOAD = """
from adventure.story.loader import check_story
t = time.perf_counter()
story, problems = check_story({story!r})
elapsed = time.perf_counter() - t
assert story is not None, problems
extra = {{"scenes": len(story.scenes)}}
"""

WALK = """
from adventure.story.loader import load_story
from adventure.tools import explore
story = load_story({story!r})
t = time.perf_counter()
report = explore.random_playthroughs(story, {runs}, seed=1, build_text=True)
elapsed = time.perf_counter() - t
extra = {{"choices": report.steps, "per_second": report.steps / elapsed}}
"""


def probe(body: str) -> dict[str, float]:
    code = PROBE.format(root=ROOT, body=body)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def wall(command: list[str], until: str | None = None, stdin: str = "") -> float:
    """Seconds from process start to exit, or to the first appearance of `until` on stdout."""
    env = dict(os.environ, PYTHONPATH=ROOT, NO_COLOR="1", ADVENTURE_SAVES=tempfile.mkdtemp())
    started = time.perf_counter()
    if until is None:
        subprocess.run(command, input=stdin, capture_output=True, text=True, env=env, check=False)
        return time.perf_counter() - started
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    seen = ""
    assert process.stdout is not None
    while until not in seen:
        char = process.stdout.read(1)
        if not char:
            break
        seen += char
    elapsed = time.perf_counter() - started
    process.kill()
    process.wait()
    return elapsed


def repl_first_screen() -> float:
    import pexpect

    env = dict(os.environ, PYTHONPATH=ROOT, TERM="xterm-256color", ADVENTURE_SAVES=tempfile.mkdtemp())
    started = time.perf_counter()
    child = pexpect.spawn(sys.executable, ["-m", "adventure"], env=env, dimensions=(40, 100), encoding="utf-8", timeout=30)
    child.expect("New game")
    elapsed = time.perf_counter() - started
    child.terminate(force=True)
    return elapsed


def row(name: str, values: list[float], unit: str, target: str, memory: list[float] | None = None) -> str:
    median = statistics.median(values)
    shown = f"{median:,.3f}" if unit == "s" else f"{median:,.0f}"
    spread = f"{min(values):,.3f} / {max(values):,.3f}" if unit == "s" else f"{min(values):,.0f} / {max(values):,.0f}"
    peak = f"{statistics.median(memory):,.0f}" if memory else "-"
    return f"| {name} | {shown} {unit} | {spread} | {peak} | {target} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    runs = 2 if args.quick else args.runs
    sizes = (100, 1000) if args.quick else (100, 1000, 10000)
    work = tempfile.mkdtemp(prefix="adventure-bench-")
    stories = {}
    for size in sizes:
        stories[size] = os.path.join(work, f"story-{size}")
        generate(size, stories[size], seed=1)
    big = max(sizes)
    compileall.compile_dir(os.path.join(ROOT, "adventure"), quiet=1)
    lines = [
        f"adventure benchmark, {time.strftime('%Y-%m-%d')}, Python {sys.version.split()[0]}, {os.cpu_count()} cores",
        "",
        "| measurement | median | min / max | peak MB | target |",
        "| --- | --- | --- | --- | --- |",
    ]
    for size in sizes:
        results = [probe(LOAD.format(story=stories[size])) for _ in range(runs)]
        target = "<= 1.2 s, <= 150 MB" if size == 10000 else "linear"
        lines.append(row(f"load + check, {size:,} scenes", [r["seconds"] for r in results], "s", target, [r["peak_mb"] for r in results]))
        print(lines[-1], flush=True)
    walk_runs = 2000 if args.quick else 20000
    results = [probe(WALK.format(story=stories[big], runs=walk_runs)) for _ in range(max(1, runs // 2))]
    lines.append(row(f"random play, {big:,} scenes, text built (choices/s)", [r["per_second"] for r in results], "/s", ">= 130,000"))
    print(lines[-1], flush=True)
    adventure = [sys.executable, "-m", "adventure"]
    lines.append(
        row("`python -c pass`: the interpreter alone, for reference", [wall([sys.executable, "-c", "pass"]) for _ in range(runs)], "s", "-")
    )
    print(lines[-1], flush=True)
    lines.append(
        row(
            "`adventure check scenes`, process start to exit", [wall([*adventure, "check", SHIPPED]) for _ in range(runs)], "s", "< 0.100 s"
        )
    )
    print(lines[-1], flush=True)
    lines.append(
        row(
            "`adventure play --plain`, start to first screen",
            [wall([*adventure, "play", "--plain"], until="> ") for _ in range(runs)],
            "s",
            "< 0.100 s",
        )
    )
    print(lines[-1], flush=True)
    lines.append(row("REPL, start to title screen", [repl_first_screen() for _ in range(runs)], "s", "< 0.250 s"))
    print(lines[-1], flush=True)
    random_runs = 1000 if args.quick else 10000
    lines.append(
        row(
            f"`adventure explore --random {random_runs}` (shipped story)",
            [wall([*adventure, "explore", SHIPPED, "--random", str(random_runs)]) for _ in range(max(1, runs // 2))],
            "s",
            "< 10 s",
        )
    )
    print(lines[-1], flush=True)
    lines.append(
        row(
            "`adventure explore --exhaustive` (shipped story)",
            [wall([*adventure, "explore", SHIPPED, "--exhaustive"]) for _ in range(max(1, runs // 2))],
            "s",
            "< 30 s",
        )
    )
    print(lines[-1], flush=True)
    print()
    print("\n".join(lines))


if __name__ == "__main__":
    main()
