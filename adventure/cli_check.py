"""`adventure check`: every error and warning of a story, once, or again each time its files change (--watch)."""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from adventure.source.problems import Problem
from adventure.source.textsafe import clean
from adventure.story.bundled import bundled_story

if TYPE_CHECKING:
    from adventure.tools import checkcache

EXIT_OK, EXIT_STORY = 0, 1
MAX_WARNINGS_SHOWN = 1000  # `check` lists the first ones (in file order) and counts the rest
POLL_SECONDS = 0.4  # how often --watch looks at the files' times and sizes (a look at a 21-file story costs about 0.2 ms)


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """`adventure check [--watch]`; returns its exit code."""
    root = args.story or bundled_story()
    if args.watch:
        return watch(root, args, stdout, stderr)
    checked, problems = _check_once(root, last=True)
    return _report(root, checked, problems, args, stdout)


def _check_once(root: str, last: bool = False) -> tuple[checkcache.Checked, list[Problem]]:
    """What `check` shows of the story, and its problems: kept from an earlier check of the same files, or found afresh.
    `last`: the process ends after it (its story is left to the exit)."""
    from adventure.story.loader import story_cache_key
    from adventure.tools import checkcache

    # A story checked before, unchanged since (and by the same program), is not loaded again.
    key = story_cache_key(root)
    checked = checkcache.load(key) if key is not None else None
    if checked is not None:
        return checked, []
    from adventure.story.loader import LoadReport, check_story_parts
    from adventure.tools.checking import findings

    report = LoadReport()
    parts, problems = check_story_parts(root, key=key, report=report)
    checked = findings(parts, problems, report.figures)
    if last:
        _left_to_exit(parts)
    # kept only if no file changed while it was loaded (an entry must hold what its key names); the analysis reads no file
    if key is not None and parts is not None and not problems and report.kept:
        checkcache.store(key, checked)
    return checked, problems


def _left_to_exit(story: object) -> None:
    """Leave a story to the end of the process, as garbage in a cycle: the `adventure` command collects none before it
    exits, and freezes what is left then (__main__.py), so its objects are not freed one by one (265,000 for 10,000
    scenes, 2% of the instructions of a `check` after an edit) just before the exit gives their memory back anyway.
    A program calling `main` itself frees it at its next collection."""
    kept: list[object] = [story]
    kept.append(kept)


def _report(
    root: str, checked: checkcache.Checked, problems: list[Problem], args: argparse.Namespace, stdout: TextIO,
    changed: dict[str, list[str]] | None = None,
) -> int:
    """Print what a check found (`--format json`: one document, on one line under --watch); returns the exit code."""
    warnings, silenced = checked.warnings, checked.silenced
    facts = checked.summary if not problems else None
    failed = bool(problems) or (args.strict and bool(warnings))
    shown, left_out = warnings[:MAX_WARNINGS_SHOWN], max(len(warnings) - MAX_WARNINGS_SHOWN, 0)
    if args.format == "json":
        import json  # only for --format json (`check` starts sooner without it)

        payload: dict[str, object] = {
            "ok": not failed,
            "problems": [problem.to_json() for problem in [*problems, *shown, *silenced[:MAX_WARNINGS_SHOWN]]],
            "warnings_not_shown": left_out,
            "summary": facts,
        }
        if args.watch:  # JSON Lines: one document a line, each check's with the files that changed since the last
            payload["changed"] = changed
        stdout.write(json.dumps(payload, indent=None if args.watch else 2) + "\n")
        return EXIT_STORY if failed else EXIT_OK
    paint = _painter(stdout, args.no_color)
    for problem in sorted([*problems, *shown], key=lambda p: p.sort_key()):
        stdout.write(paint(problem) + "\n")
    if left_out:
        stdout.write(f"... and {_count(left_out, 'more warning')} not shown (the first {MAX_WARNINGS_SHOWN:,} are listed).\n")
    quiet = f", {len(silenced)} silenced" if silenced else ""
    if facts is None:
        also = f" and {_count(len(warnings), 'warning')}{quiet}" if warnings or silenced else ""
        stdout.write(f"{_count(len(problems), 'problem')}{also} in {clean(root)}\n")
        return EXIT_STORY
    verdict = (
        f"No problems{quiet}." if not warnings
        else f"{_count(len(warnings), 'warning')}{quiet}{' (--strict: failing)' if args.strict else ''}."
    )
    stdout.write(
        f"{checked.title}: {_count(facts['scenes'], 'scene')}, {_count(facts['choices'], 'choice')}, "
        f"{_count(facts['words'], 'word')}, {_count(facts['endings'], 'ending')}, "
        f"{_count(facts['codex'], 'codex entry', 'codex entries')}. {verdict}\n"
    )
    return EXIT_STORY if failed else EXIT_OK


def watch(
    root: str, args: argparse.Namespace, stdout: TextIO, stderr: TextIO,
    sleep: Callable[[float], None] = time.sleep, clock: Callable[[], str] = lambda: time.strftime("%H:%M:%S"),
) -> int:
    """`check --watch`: the check, then again whenever a story file is added, removed or saved, until Ctrl-C
    (exit code 0: stopping is how a watch ends, as for `parcel watch`; the story's state is in each report)."""
    from adventure.story.loader import story_signature
    from adventure.tools.checking import Rechecker, changes

    try:
        seen = story_signature(root)  # before the first check: an edit made while it runs is checked next
        checked, problems = _check_once(root)
        _report(root, checked, problems, args, stdout)
        stdout.flush()
        stderr.write(f"Watching {clean(root)} for changes (Ctrl-C stops).\n")
        rechecker = Rechecker(root)
        rechecker.check()  # every file read once into the memo, so that a re-check reads only what changed
        while True:
            sleep(POLL_SECONDS)
            now = story_signature(root)
            if now == seen:
                continue
            changed, seen = changes(seen, now), now
            checked, problems = rechecker.check()
            if args.format != "json":
                stdout.write(f"\n--- {clock()}: {clean(changed.describe(root))} ---\n")
            _report(root, checked, problems, args, stdout, changed.paths(root))
            stdout.flush()
    except KeyboardInterrupt:
        stderr.write("\nStopped watching.\n")
        return EXIT_OK


def _painter(stream: TextIO, no_color: bool) -> Callable[[Problem], str]:
    """Colour problems on a terminal (red errors, yellow warnings, dim hints)."""
    try:
        color = stream.isatty() and not no_color and not os.environ.get("NO_COLOR")
    except (AttributeError, ValueError):
        color = False

    def paint(problem: Problem) -> str:
        text = problem.format()
        if not color:
            return text
        first, _, rest = text.partition("\n")
        tone = "33" if problem.severity == "warning" else "31"
        return f"\x1b[{tone}m{first}\x1b[0m" + (f"\n\x1b[2m{rest}\x1b[0m" if rest else "")
    return paint


def _count(number: int, one: str, many: str = "") -> str:
    """`1 scene`, `2 scenes`, `1,024 words`."""
    return f"{number:,} {one if number == 1 else (many or one + 's')}"
