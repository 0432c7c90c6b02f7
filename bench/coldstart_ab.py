"""Cold start of two installs in turn: CPU ms of the public API, `play --plain` and `check` on one story, beside bink and `python -c pass`.

    python bench/coldstart_ab.py --runs 15 VENV_BEFORE VENV_AFTER [--data /work/tmp/sbs-data/n100]

Each venv holds a non-editable install (`python -m venv V && V/bin/pip install DIR`: what users
get, bytecode compiled). The commands are those of the shared benchmark's `--cold-runs`; they are
run round-robin (every command once, then again), so the machine's drift hits all alike, after
two warm-up rounds (the first start after an install fills the story cache). Prints the median
and range of each command's CPU time (user + system of the child, from wait4), in ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile


def commands(venvs: list[str], data: str, peers: str) -> dict[str, tuple[list[str], str | None]]:
    story = os.path.join(data, "adventure")
    compiled = os.path.join(data, "story.ink.json")
    api = (
        "import sys;from adventure.loader import load_story;from adventure import engine;"
        f"s=load_story({story!r});v=engine.view(s,engine.new_game(s,1).state);"
        "sys.stdout.write(''.join(p+'\\n' for p in v.paragraphs))"
    )
    bink = (
        f"import sys;sys.path.insert(0,{peers!r});from bink.story import Story;"
        f"s=Story(open({compiled!r},encoding='utf-8-sig').read());sys.stdout.write(s.continue_maximally())"
    )
    quit_file = os.path.join(tempfile.mkdtemp(prefix="coldstart-"), "quit.txt")
    with open(quit_file, "w", encoding="utf-8") as handle:
        handle.write("quit\n")
    python = os.path.join(venvs[0], "bin", "python")
    found: dict[str, tuple[list[str], str | None]] = {"python -c pass": ([python, "-c", "pass"], None)}
    if os.path.isdir(os.path.join(peers, "bink")):
        found["bink, first text"] = ([python, "-c", bink], None)
    for venv in venvs:
        name = os.path.basename(os.path.normpath(venv))
        saves = tempfile.mkdtemp(prefix="coldstart-saves-")
        program = os.path.join(venv, "bin", "adventure")
        found[f"{name}: public API"] = ([os.path.join(venv, "bin", "python"), "-c", api], None)
        found[f"{name}: play --plain"] = ([program, "play", "--plain", "--story", story, "--saves", saves, "--seed", "1"], quit_file)
        found[f"{name}: check"] = ([program, "check", story], None)
    return found


def cpu_ms(argv: list[str], stdin: str | None) -> float:
    with open(stdin or os.devnull, "rb") as given:
        child = subprocess.Popen(argv, stdin=given, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tempfile.gettempdir())
        _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed")
    return (usage.ru_utime + usage.ru_stime) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("venvs", nargs="+", help="virtual environments with adventure installed")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--data", default="/work/tmp/sbs-data/n100", help="a folder from the shared benchmark (adventure/, story.ink.json)")
    parser.add_argument("--peers", default=os.environ.get("PEERS_PY_TARGET", "/tmp/peers/py"), help="where bink is installed")
    args = parser.parse_args()
    found = commands(args.venvs, args.data, args.peers)
    times: dict[str, list[float]] = {name: [] for name in found}
    for round_number in range(2 + args.runs):
        for name, (argv, stdin) in found.items():
            taken = cpu_ms(argv, stdin)
            if round_number >= 2:
                times[name].append(taken)
    for name, spent in times.items():
        print(f"{name:40s} {statistics.median(spent):7.1f} ms CPU ({min(spent):.1f}-{max(spent):.1f})")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
