"""Run the fuzzing properties of tests/test_fuzz.py for much longer than CI does.

    python tests/fuzz_long.py                  # 5,000 examples per property
    python tests/fuzz_long.py --examples 50000 # longer still
    python tests/fuzz_long.py -k save          # only the save-file properties
    python tests/fuzz_long.py --seed 1234      # reproduce a run

The same properties run in CI under the `fuzz-ci` profile (100 examples each); this
script selects the `fuzz-long` profile. A failure prints the shrunk example and is stored
in .hypothesis/ so the next run (or CI, from the same checkout) tries it first.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=5000, help="examples per property (default 5000)")
    parser.add_argument("--seed", type=int, default=None, help="Hypothesis seed, to reproduce a run")
    parser.add_argument("-k", dest="select", default=None, help="run only the properties whose names match (pytest -k)")
    args = parser.parse_args(argv)
    env = dict(os.environ, ADVENTURE_FUZZ_PROFILE="fuzz-long", ADVENTURE_FUZZ_EXAMPLES=str(args.examples))
    command = [sys.executable, "-m", "pytest", str(HERE / "test_fuzz.py"), "-q", "-p", "no:randomly", "--hypothesis-show-statistics"]
    if args.seed is not None:
        command.append(f"--hypothesis-seed={args.seed}")
    if args.select:
        command += ["-k", args.select]
    return subprocess.call(command, cwd=HERE.parent, env=env)


if __name__ == "__main__":
    sys.exit(main())
