"""Loading a large story: cold, through the story cache (miss and hit), and reloading it after a one-file edit.

    python bench/reload.py                          # a generated 10,000-scene story, 5 rounds
    python bench/reload.py --story DIR --rounds 3   # any story folder (it is copied, never edited)
    python bench/reload.py --trees OLD .            # two checkouts of the project, run in turn in each round

Every figure is CPU seconds (the machine is shared, so wall time says little), the median of
the rounds with min and max. In each round the measurements run in turn, each in a fresh
process: cold (ADVENTURE_NO_CACHE=1), miss (an empty cache folder: the load writes its
entry), hit (the same folder again), and, in one process, the reload that `play --watch` and
the language server do after an author saves one scene file (a title changed in the middle
file): the first load fills the memo, then each edit is reloaded and timed; likewise `check --watch`
in one process (its first check, then a re-check after each edit of the same file: CPU from the
look at the files that saw the edit to the report written, with the collector's threshold the
`adventure` command sets). Then, with the
same cache folder, the middle file is edited once more and loaded by a new process (the story
cache's per-file entries), edited again and loaded as `adventure check` loads it (its key
worked out first, then `check_story_parts`: the load part of the next row), edited again and
checked by `adventure check` in a new process, and checked once more unchanged. "process" is the whole child process (interpreter start,
imports and load), from os.wait4.
"""

from __future__ import annotations

import argparse
import compileall
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from generate import generate  # noqa: E402

LOAD = r"""
import json, sys, time
sys.path.insert(0, {root!r})
started = time.process_time()
from adventure.story.loader import load_story
story = load_story({story!r})
print(json.dumps({{"load": time.process_time() - started, "scenes": len(story.scenes), "yaml": "yaml" in sys.modules}}))
"""

CHECK_LOAD = r"""
import json, sys, time
sys.path.insert(0, {root!r})
from adventure.story import loader
key = loader.story_cache_key({story!r})
started = time.process_time()
parts, problems = loader.check_story_parts({story!r}, key=key)  # as `adventure check` loads, its key worked out before
print(json.dumps({{"load": time.process_time() - started, "scenes": len(parts.scenes) if parts else 0}}))
"""

RELOAD = r"""
import json, statistics, sys, time
sys.path.insert(0, {root!r})
from adventure.story.loader import check_story
try:
    from adventure.story.loader.memo import LoadMemo
except ImportError:  # a checkout from before the memo: a reload was a whole load (its parse cache on)
    class LoadMemo:
        parsed = [None]
memo = LoadMemo()
load = (lambda: check_story({story!r}, memo=memo)) if hasattr(memo, "reads") else (lambda: check_story({story!r}))
story, problems = load()
assert story is not None and not problems, problems[:3]
path = {edited!r}
original = open(path, encoding="utf-8").read()
first = original.index("title: ") + len("title: ")
times = []
for edit in range({edits}):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(original[:first] + "Edited %d " % edit + original[first:])
    if hasattr(memo, "reads"):
        memo.parsed.clear()
    started = time.process_time()
    story, problems = load()
    times.append(time.process_time() - started)
    assert story is not None and not problems and len(memo.parsed) == 1, (problems[:3], memo.parsed)
with open(path, "w", encoding="utf-8") as handle:
    handle.write(original)
print(json.dumps({{"reload": statistics.median(times), "scenes": len(story.scenes)}}))
"""

WATCH = r"""
import gc, io, json, statistics, sys, time
sys.path.insert(0, {root!r})
try:
    from adventure import cli_check
    from adventure.__main__ import YOUNG_THRESHOLD
except ImportError:  # a checkout from before `check --watch`
    print(json.dumps({{"recheck": None}}))
    raise SystemExit
gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])  # as the `adventure` command's own process runs
from adventure.cli_args import parser
args = parser("check").parse_args(["check", "--watch", {story!r}])
path = {edited!r}
original = open(path, encoding="utf-8").read()
first = original.index("title: ") + len("title: ")
times, edits, started = [], iter(range({edits})), []
def sleep(seconds):  # the watch's pause between two looks at the files: the edit is made here
    if started:  # the look that found the last edit, its re-check and its report since
        times.append(time.process_time() - started.pop())
    edit = next(edits, None)
    if edit is None:
        raise KeyboardInterrupt
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(original[:first] + "Edited %d " % edit + original[first:])
    started.append(time.process_time())
out = io.StringIO()
cli_check.watch({story!r}, args, out, io.StringIO(), sleep=sleep)
with open(path, "w", encoding="utf-8") as handle:
    handle.write(original)
assert out.getvalue().count("\n--- ") == {edits} and len(times) == {edits}, out.getvalue()[-2000:]
print(json.dumps({{"recheck": statistics.median(times)}}))
"""


def child(code: str, env: dict[str, str]) -> tuple[dict[str, float], float]:
    """Run `code` in a fresh interpreter; its printed figures and its whole CPU time."""
    process = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    out, err = process.stdout.read(), process.stderr.read()  # type: ignore[union-attr]
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"a measurement failed:\n{err}")
    return json.loads(out.strip().splitlines()[-1]), usage.ru_utime + usage.ru_stime


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def command(tree: str, args: list[str], env: dict[str, str]) -> tuple[dict[str, float], float]:
    """Run `python -m adventure ARGS` from `tree` (its folder first on the path, as `-m` puts the current one): its whole CPU time."""
    process = subprocess.Popen(
        [sys.executable, "-m", "adventure", *args], cwd=tree, env={**env, "PYTHONPATH": tree},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):  # 1: the story has warnings under --strict, or errors
        raise SystemExit(f"a measurement failed:\n{process.stderr.read().decode()}")  # type: ignore[union-attr]
    return {}, usage.ru_utime + usage.ru_stime


def retitle(path: str, title: str) -> None:
    """An author's edit: the first scene title in the file changed."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    start = text.index("title: ") + len("title: ")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text[:start] + title + text[text.index("\n", start):])


def measure_round(tree: str, story: str, edited: str, edits: int, cache: str) -> dict[str, tuple[dict[str, float], float]]:
    """One round in one checkout: cold, miss, hit, then the reloads (with the cache folder the hit used), then
    fresh processes after a one-file edit: a load, `adventure check`, and `adventure check` again with nothing changed."""
    base = {key: value for key, value in os.environ.items() if not key.startswith("ADVENTURE_")}
    load = LOAD.format(root=tree, story=story)
    cached = {**base, "ADVENTURE_CACHE_DIR": cache}
    with open(edited, encoding="utf-8") as handle:
        original = handle.read()
    measured = {
        "cold": child(load, {**base, "ADVENTURE_NO_CACHE": "1"}),
        "miss": child(load, cached),
        "hit": child(load, cached),
        "reload": child(RELOAD.format(root=tree, story=story, edited=edited, edits=edits), cached),
        "watch": child(WATCH.format(root=tree, story=story, edited=edited, edits=edits), cached),
    }
    try:
        retitle(edited, f"Edited in a new process {os.getpid()} {tree}")
        measured["edited"] = child(load, cached)
        retitle(edited, f"Loaded as check loads it in a new process {os.getpid()} {tree}")
        measured["check load"] = child(CHECK_LOAD.format(root=tree, story=story), cached)
        retitle(edited, f"Checked in a new process {os.getpid()} {tree}")
        measured["check edited"] = command(tree, ["check", story], cached)
        measured["check unchanged"] = command(tree, ["check", story], cached)
    finally:
        with open(edited, "w", encoding="utf-8") as handle:
            handle.write(original)
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--story", help="a story folder (default: a generated one of --scenes scenes)")
    parser.add_argument("--scenes", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--edits", type=int, default=5, help="reloads timed per round (their median is the round's figure)")
    parser.add_argument("--trees", nargs="+", default=[ROOT], help="checkouts of the project to compare (default: this one)")
    args = parser.parse_args()
    trees = [os.path.abspath(tree) for tree in args.trees]
    for tree in trees:
        compileall.compile_dir(os.path.join(tree, "adventure"), quiet=1)  # as an installed package starts
    work = tempfile.mkdtemp(prefix="bench-reload-")
    try:
        story = os.path.join(work, "story")
        if args.story:
            shutil.copytree(args.story, story)
        else:
            generate(args.scenes, story)
        files = sorted(os.path.join(folder, name) for folder, _, names in os.walk(story) for name in names if name != "story.yaml")
        edited = files[len(files) // 2]
        rows: dict[tuple[str, str], list[float]] = {}
        scenes = 0
        for number in range(args.rounds):
            for position, tree in enumerate(trees):
                measured = measure_round(tree, story, edited, args.edits, os.path.join(work, f"cache-{number}-{position}"))
                for name, (figures, process) in measured.items():
                    if name == "watch" and figures["recheck"] is None:
                        continue  # a checkout without `check --watch`
                    rows.setdefault((tree, name), []).append(figures.get("load", figures.get("reload", figures.get("recheck", 0.0))))
                    rows.setdefault((tree, name + " process"), []).append(process)
                scenes = int(measured["cold"][0]["scenes"])
                if measured["hit"][0].get("yaml") and position == len(trees) - 1:
                    print(f"note: the cache hit in {tree} imported PyYAML", file=sys.stderr)
                shown = ", ".join(f"{name} {values[-1]:.3f}" for (where, name), values in rows.items() if where == tree)
                print(f"round {number + 1}, {tree}: {shown}", file=sys.stderr)
        load = os.getloadavg()
        print(f"{scenes:,} scenes in {len(files)} files; {datetime.date.today()}; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
        print(f"CPU seconds, median (min-max) of {args.rounds} rounds; in each round every checkout in turn")
        print("| measurement | " + " | ".join(f"{os.path.basename(tree) or tree}: load | whole process" for tree in trees) + " |")
        print("| --- |" + " --- | --- |" * len(trees))
        labels = {
            "cold": "cold load (no cache)", "miss": "cache miss (writes the entry)", "hit": "cache hit",
            "reload": f"reload after a one-file edit ({os.path.basename(edited)}), in the same process",
            "watch": "`check --watch`'s re-check after the same edit (change seen to report printed), in the same process",
            "edited": "load in a new process after a one-file edit",
            "check load": "`adventure check`'s load (given the key) in a new process after a one-file edit",
            "check edited": "`adventure check` in a new process after a one-file edit",
            "check unchanged": "`adventure check` again, nothing changed",
        }
        for name, label in labels.items():
            cells = []
            for tree in trees:
                if (tree, name) not in rows:
                    cells += ["-", "-"]
                    continue
                cells.append(spread(rows[(tree, name)]) if not name.startswith("check") or name == "check load" else "-")
                cells.append(spread(rows[(tree, name + " process")]) if name not in ("reload", "watch") else "-")
            print(f"| {label} | " + " | ".join(cells) + " |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
