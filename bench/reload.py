"""Loading a large story: cold, through the story cache (miss and hit), and reloading it after a one-file edit.

    python bench/reload.py                          # a generated 10,000-scene story, 5 rounds
    python bench/reload.py --story DIR --rounds 3   # any story folder (it is copied, never edited)

Every figure is CPU seconds (the machine is shared, so wall time says little), the median of
the rounds with min and max. In each round the measurements run in turn, each in a fresh
process: cold (ADVENTURE_NO_CACHE=1), miss (an empty cache folder: the load writes its
entry), hit (the same folder again), and, in one process, the reload that `play --watch` and
the language server do after an author saves one scene file (a title changed in the middle
file): the first load fills the memo, then each edit is reloaded and timed. "process" is the
whole child process (interpreter start, imports and load), from os.wait4.
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

RELOAD = r"""
import json, statistics, sys, time
sys.path.insert(0, {root!r})
from adventure.story.loader import check_story
from adventure.story.loader.memo import LoadMemo
memo = LoadMemo()
story, problems = check_story({story!r}, memo=memo)
assert story is not None and not problems, problems[:3]
path = {edited!r}
original = open(path, encoding="utf-8").read()
first = original.index("title: ") + len("title: ")
times = []
for edit in range({edits}):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(original[:first] + "Edited %d " % edit + original[first:])
    memo.parsed.clear()
    started = time.process_time()
    story, problems = check_story({story!r}, memo=memo)
    times.append(time.process_time() - started)
    assert story is not None and not problems and len(memo.parsed) == 1, (problems[:3], memo.parsed)
with open(path, "w", encoding="utf-8") as handle:
    handle.write(original)
print(json.dumps({{"reload": statistics.median(times), "scenes": len(story.scenes)}}))
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--story", help="a story folder (default: a generated one of --scenes scenes)")
    parser.add_argument("--scenes", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--edits", type=int, default=5, help="reloads timed per round (their median is the round's figure)")
    args = parser.parse_args()
    compileall.compile_dir(os.path.join(ROOT, "adventure"), quiet=1)  # as an installed package starts
    work = tempfile.mkdtemp(prefix="bench-reload-")
    try:
        story = os.path.join(work, "story")
        if args.story:
            shutil.copytree(args.story, story)
        else:
            generate(args.scenes, story)
        files = sorted(os.path.join(folder, name) for folder, _, names in os.walk(story) for name in names if name != "story.yaml")
        edited = files[len(files) // 2]
        base = {key: value for key, value in os.environ.items() if not key.startswith("ADVENTURE_")}
        rows: dict[str, list[float]] = {}
        for number in range(args.rounds):
            cache = os.path.join(work, f"cache-{number}")
            reload = RELOAD.format(root=ROOT, story=story, edited=edited, edits=args.edits)
            measured = {
                "cold": child(LOAD.format(root=ROOT, story=story), {**base, "ADVENTURE_NO_CACHE": "1"}),
                "miss": child(LOAD.format(root=ROOT, story=story), {**base, "ADVENTURE_CACHE_DIR": cache}),
                "hit": child(LOAD.format(root=ROOT, story=story), {**base, "ADVENTURE_CACHE_DIR": cache}),
                "reload": child(reload, {**base, "ADVENTURE_NO_CACHE": "1"}),
            }
            for name, (figures, process) in measured.items():
                rows.setdefault(name, []).append(figures["load"] if "load" in figures else figures["reload"])
                rows.setdefault(name + " process", []).append(process)
            if measured["hit"][0].get("yaml"):
                print("note: the cache hit imported PyYAML (it should not)", file=sys.stderr)
            print(f"round {number + 1}: " + ", ".join(f"{name} {values[-1]:.3f}" for name, values in rows.items()), file=sys.stderr)
        scenes = int(measured["cold"][0]["scenes"])
        load = os.getloadavg()
        print(f"{scenes:,} scenes in {len(files)} files; {datetime.date.today()}; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
        print("| measurement | load, CPU s | whole process, CPU s |")
        print("| --- | --- | --- |")
        labels = {
            "cold": "cold load (no cache)", "miss": "cache miss (writes the entry)", "hit": "cache hit",
            "reload": f"reload after a one-file edit ({os.path.basename(edited)})",
        }
        for name, label in labels.items():
            print(f"| {label} | {spread(rows[name])} | {spread(rows[name + ' process'])} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
