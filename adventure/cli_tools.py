"""The author-tool commands of the command line: explore, test, graph, schema, diff, stats, new, export (check: cli_check.py)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from adventure.source.textsafe import clean
from adventure.story.bundled import bundled_story

if TYPE_CHECKING:
    from adventure.story.model import Story

EXIT_OK, EXIT_STORY, EXIT_USAGE = 0, 1, 2
EXIT_TIME_LIMIT = 4  # explore --exhaustive stopped by --max-seconds: the result depends on the machine (3: output lost)


def _json(payload: object) -> str:
    """The --format json output; json is imported only then (`check` starts sooner without it)."""
    import json

    return json.dumps(payload, indent=2)


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Run one tool command; returns its exit code."""
    handlers: dict[str, Callable[[], int]] = {
        "explore": lambda: _explore(args, stdout, stderr),
        "test": lambda: _test(args, stdout, stderr),
        "graph": lambda: _graph(args, stdout, stderr),
        "schema": lambda: _schema(args, stdout),
        "diff": lambda: _diff(args, stdout),
        "stats": lambda: _stats(args, stdout, stderr),
        "new": lambda: _new(args, stdout, stderr),
        "export": lambda: _export(args, stdout, stderr),
    }
    return handlers[args.command]()


def _load_or_report(root: str, stdout: TextIO) -> object:
    """The story, or None after printing its problems."""
    from adventure.story.loader import check_story

    story, problems = check_story(root)
    if story is None:
        for problem in problems:
            stdout.write(problem.format() + "\n")
        stdout.write(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {clean(root)}\n")
    return story


def _progress_bar(stream: TextIO) -> object:
    """A one-line progress display on a terminal; nothing when output is not a terminal."""
    if not stream.isatty():
        return None

    def show(done: int, total: int) -> None:
        if total:
            filled = int(30 * done / total)
            stream.write(f"\r[{'#' * filled}{' ' * (30 - filled)}] {done:,}/{total:,}")
        else:
            stream.write(f"\r{done:,} states explored")
        stream.flush()
    return show


def _explore(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from adventure.story.model import Story
    from adventure.tools import explore, reports
    from adventure.tools.policy import PolicyError, choice_weights, parse_policy

    positive = (args.random is None or args.random >= 1) and args.max_steps >= 1 and args.max_states >= 1
    if not positive or (args.max_seconds is not None and args.max_seconds <= 0):
        stderr.write("adventure explore: counts and limits must be positive\n")
        return EXIT_USAGE
    if args.policies and args.exhaustive:
        stderr.write("adventure explore: --policy weights random playthroughs; the exhaustive search plays every choice\n")
        return EXIT_USAGE
    story = _load_or_report(args.story or bundled_story(), stdout)
    if not isinstance(story, Story):
        return EXIT_STORY
    try:
        policies = [parse_policy(text, story) for text in args.policies]
    except PolicyError as err:
        stderr.write(f"adventure explore: {clean(str(err))}\n")
        return EXIT_USAGE
    if len({policy.name for policy in policies} | {"uniform"}) != len(policies) + 1:
        stderr.write("adventure explore: each --policy needs a name of its own (and not `uniform`)\n")
        return EXIT_USAGE
    if args.reach is not None:
        return _reach(story, args, stdout, stderr)
    progress = _progress_bar(stderr)
    if args.exhaustive:
        report = explore.exhaustive(story, args.max_states, args.max_seconds, progress)  # type: ignore[arg-type]
        if progress:
            stderr.write("\n")
        if args.format == "json":
            stdout.write(_json(reports.exhaustive_json(report)) + "\n")
        else:
            stdout.write("\n".join(reports.exhaustive_text(report, story)) + "\n")
        if report.limit == "seconds":
            return EXIT_TIME_LIMIT
        bad = not report.complete or report.soft_locks or report.unreached_scenes or any(path is None for path in report.endings.values())
        return EXIT_STORY if bad else EXIT_OK
    runs = args.random or 1000
    random_report = explore.random_playthroughs(story, runs, args.seed, args.max_steps, progress)  # type: ignore[arg-type]
    by_policy = [
        (policy, explore.random_playthroughs(story, runs, args.seed, args.max_steps, weights=choice_weights(story, policy)))
        for policy in policies
    ]
    if progress:
        stderr.write("\n")
    if args.format == "json":
        payload = reports.random_json(random_report, story)
        if by_policy:
            payload["policies"] = reports.policies_json(by_policy)
        stdout.write(_json(payload) + "\n")
    else:
        lines = reports.random_text(random_report, story)
        if by_policy:
            lines += ["", *reports.policies_text(random_report, by_policy, story)]
        stdout.write("\n".join(lines) + "\n")
    failed = random_report.failures or any(report.failures for _, report in by_policy)
    return EXIT_STORY if failed else EXIT_OK


def _reach(story: Story, args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    import shlex

    from adventure.story.exprhints import suggest
    from adventure.tools import explore, reports

    if args.reach not in story.scenes:
        hint = suggest(args.reach, story.scenes, "adventure graph lists the scenes")
        stderr.write(f"adventure explore: --reach: there is no scene `{clean(args.reach)}` ({hint})\n")
        return EXIT_USAGE
    found = explore.reach(story, args.reach, seed=args.seed, max_states=args.max_states)
    if found is None:
        stdout.write(f"No way into `{args.reach}` was found ({args.max_states:,} states searched at most).\n")
        return EXIT_STORY
    replay = reports.replay_command(story, found.path, found.seed) if found.seed is not None else "none (no game seed follows its draws)"
    lines = [*found.describe(), f"replay: {replay}"]
    lines.append(f"or start there: adventure play --story {shlex.quote(story.root)} --reach {args.reach}")
    stdout.write("".join(clean(line) + "\n" for line in lines))
    return EXIT_OK


def _test(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from adventure.story.titlepage import STORY_FILE
    from adventure.tools import walkthrough

    paths: list[str] = []
    for given in args.files:
        if os.path.isfile(os.path.join(given, STORY_FILE)):  # `adventure test scenes walk.yaml`: a story, not walkthroughs
            stderr.write(
                f"adventure test: {clean(given)} is a story folder, not a folder of walkthroughs: give the walkthrough files, "
                f"and the story with --story {clean(given)} (a walkthrough names its own story with `story:`)\n"
            )
            return EXIT_USAGE
        if os.path.isdir(given):
            paths.extend(sorted(os.path.join(given, name) for name in os.listdir(given) if name.endswith((".yaml", ".yml"))))
        else:
            paths.append(given)
    results, problems = walkthrough.run_files(paths, args.story)
    for problem in problems:
        stdout.write(problem.format() + "\n")
    for result in results:
        if result.passed:
            stdout.write(f"PASS {clean(result.path)}: {clean(result.name)} ({result.total_steps} steps)\n")
        else:
            stdout.write(f"FAIL {clean(result.path)}: {clean(result.name)} (after {result.steps_run} of {result.total_steps} steps)\n")
            for problem in result.problems:
                stdout.write("  " + problem.format().replace("\n", "\n  ") + "\n")
    passed = sum(result.passed for result in results)
    stdout.write(f"{passed} of {len(results)} walkthroughs passed\n")
    return EXIT_OK if results and passed == len(results) and not problems else EXIT_STORY


def _graph(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    import shutil
    import subprocess

    from adventure.story.model import Story
    from adventure.tools import graph

    try:
        target = graph.plan_output(args.output, args.format)
    except ValueError as err:
        stderr.write(f"adventure graph: {clean(str(err))}\n")
        return EXIT_USAGE
    if args.coverage is not None and args.coverage < 1:
        stderr.write("adventure graph: --coverage needs a positive number of playthroughs\n")
        return EXIT_USAGE
    story = _load_or_report(args.story or bundled_story(), stderr)
    if not isinstance(story, Story):
        return EXIT_STORY
    coverage = graph.measure_coverage(story, args.coverage, args.seed) if args.coverage else None
    text = graph.graph_text(story, target.format, coverage)
    if not args.output:
        stdout.write(text)
        return EXIT_OK
    if target.image:
        dot = shutil.which("dot")
        if dot is None:
            stderr.write(graph.DOT_MISSING.format(name=clean(args.output)))
            return EXIT_STORY
        done = subprocess.run(
            graph.dot_command(dot, target.image, args.output), input=text.encode("utf-8"), capture_output=True, check=False
        )
        if done.returncode != 0:
            stderr.write(f"adventure graph: dot failed: {clean(done.stderr.decode('utf-8', 'replace').strip())}\n")
            return EXIT_STORY
        return EXIT_OK
    from adventure.source.files import write_atomically  # the one module that writes files

    try:
        write_atomically(args.output, text.encode("utf-8"), keep_backup=False)
    except OSError as err:
        stderr.write(f"adventure graph: cannot write {clean(args.output)}: {err.strerror or err}\n")
        return EXIT_STORY
    return EXIT_OK


def _schema(args: argparse.Namespace, stdout: TextIO) -> int:
    from adventure.tools.schema import schema_json

    stdout.write(schema_json(args.schema_for))
    return EXIT_OK


def _stats(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from adventure.story.model import Story
    from adventure.tools import stats, walkthrough

    if args.random < 0:
        stderr.write("adventure stats: --random cannot be negative\n")
        return EXIT_USAGE
    walks: list[walkthrough.Walkthrough] = []
    for path in args.walkthrough:
        walk, problems = walkthrough.read(path)
        if walk is None or problems:
            stdout.write("".join(problem.format() + "\n" for problem in problems))
            return EXIT_STORY
        walks.append(walk)
    # Without DIR, the walkthroughs' own story is counted (as `adventure test` plays it), else the shipped one.
    roots = {walk.story_root for walk in walks if walk.story_root is not None}
    root = args.story or (roots.pop() if len(roots) == 1 else bundled_story())
    story = _load_or_report(root, stdout)
    if not isinstance(story, Story):
        return EXIT_STORY
    runs: list[stats.RunScreens] = []
    for walk in walks:
        result = walkthrough.run(walk, story)
        if not result.passed:  # a run that stops early did not show the screens it was written for
            stdout.write(f"FAIL {clean(walk.path)}: the walkthrough must pass to count its screens\n")
            stdout.write("".join("  " + problem.format().replace("\n", "\n  ") + "\n" for problem in result.problems))
            return EXIT_STORY
        runs.append(stats.run_screens(result))
    facts = stats.statistics(story, args.random, args.seed)
    if args.format == "json":
        payload = stats.statistics_json(facts)
        if runs:
            payload["walkthroughs"] = [stats.run_screens_json(run) for run in runs]
        stdout.write(_json(payload) + "\n")
    else:
        lines = stats.statistics_text(facts)
        for run in runs:
            lines += ["", *(clean(line) for line in stats.run_screens_text(run))]
        stdout.write("\n".join(lines) + "\n")
    return EXIT_OK


def _diff(args: argparse.Namespace, stdout: TextIO) -> int:
    from adventure.tools.diff import report

    breaks, text = report(args.old, args.new, args.format)
    stdout.write(text)
    return EXIT_STORY if breaks else EXIT_OK


def _new(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from adventure.source.files import write_new
    from adventure.tools.starter import STORY_FOLDER, WALKTHROUGHS, starter_files

    folder = args.folder
    if os.path.lexists(folder) and not (os.path.isdir(folder) and not os.listdir(folder)):
        stderr.write(f"adventure new: {clean(folder)} already exists; choose a new folder (nothing was written)\n")
        return EXIT_USAGE
    written: list[str] = []
    try:
        for relative, text in starter_files(folder).items():
            path = os.path.join(folder, *relative.split("/"))
            write_new(path, text.encode("utf-8"))
            written.append(path)
    except OSError as err:
        stderr.write(f"adventure new: cannot write {clean(err.filename or folder)}: {err.strerror or err}\n")
        return EXIT_STORY
    story, walks = os.path.join(folder, STORY_FOLDER), os.path.join(folder, WALKTHROUGHS)
    stdout.write(
        f"Created {clean(folder)} ({len(written)} files). Next:\n"
        f"  adventure check --strict {clean(story)}\n  adventure play --story {clean(story)}\n  adventure test {clean(walks)}\n"
    )
    return EXIT_OK


def _export(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from adventure.source.files import write_atomically
    from adventure.story.model import Story
    from adventure.tools.proofing import export

    story = _load_or_report(args.story or bundled_story(), stderr)
    if not isinstance(story, Story):
        return EXIT_STORY
    text = export(story, args.format)
    if not args.output:
        stdout.write(text)
        return EXIT_OK
    try:
        write_atomically(args.output, text.encode("utf-8"))
    except OSError as err:
        stderr.write(f"adventure export: cannot write {clean(args.output)}: {err.strerror or err}\n")
        return EXIT_STORY
    return EXIT_OK
