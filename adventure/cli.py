"""The command line: parse arguments, run a command, turn every failure into a message."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from . import __version__
from .problems import Problem
from .textsafe import clean

EXIT_OK, EXIT_STORY, EXIT_USAGE = 0, 1, 2
COMMANDS = ("play", "check", "explore", "test", "graph", "schema", "diff")


def bundled_story() -> str:
    """The shipped story: inside the package in a wheel, beside it in a source checkout."""
    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.path.join(here, "scenes"), os.path.join(os.path.dirname(here), "scenes")):
        if os.path.isfile(os.path.join(candidate, "story.yaml")):
            return candidate
    return os.path.join(here, "scenes")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="adventure",
        description="Play a YAML text adventure (by default, the shipped Metallic Rouge story), or check one.",
        epilog="Run `adventure COMMAND --help` for a command's options. With no command, `play` is assumed.",
    )
    parser.add_argument("--version", action="version", version=f"adventure {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    play = sub.add_parser("play", help="play a story (the default command)", description="Play a story.")
    play.add_argument("--story", metavar="DIR", help="story folder (default: the shipped story)")
    play.add_argument("--saves", metavar="DIR", help="save folder (default: $ADVENTURE_SAVES or ./saves)")
    play.add_argument("--plain", action="store_true", help="plain-text mode: numbered choices, reads stdin line by line")
    play.add_argument("--no-color", action="store_true", help="no colours (NO_COLOR is respected too)")
    play.add_argument("--seed", type=int, default=None, metavar="N", help="seed for the story's randomness")
    play.add_argument("--from", dest="from_scene", metavar="SCENE", help="start at this scene (playtesting)")
    play.add_argument("--watch", action="store_true", help="re-read the story when its files change (for authors)")
    play.add_argument("--set", dest="assignments", action="append", default=[], metavar="NAME=VALUE", help="start with a variable set (repeatable; sets as a,b,c)")

    check = sub.add_parser("check", help="check a story for errors", description="Load a story and report every problem.")
    check.add_argument("story", nargs="?", metavar="DIR", help="story folder (default: the shipped story)")
    check.add_argument("--format", choices=("human", "json"), default="human", help="output format")
    check.add_argument("--strict", action="store_true", help="warnings fail the check too (exit 1)")
    check.add_argument("--no-color", action="store_true", help="no colours (NO_COLOR is respected too)")

    explore = sub.add_parser("explore", help="play a story by machine to find what players can reach", description="Random playthroughs or an exhaustive search of every reachable state.")
    explore.add_argument("story", nargs="?", metavar="DIR", help="story folder (default: the shipped story)")
    mode = explore.add_mutually_exclusive_group()
    mode.add_argument("--random", type=int, metavar="N", help="N seeded random playthroughs (default 1000)")
    mode.add_argument("--exhaustive", action="store_true", help="search every reachable state")
    explore.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the random playthroughs (default 0)")
    explore.add_argument("--max-steps", type=int, default=2000, metavar="N", help="longest random playthrough (default 2000 choices)")
    explore.add_argument("--max-states", type=int, default=2_000_000, metavar="N", help="exhaustive: stop after N states (default 2,000,000)")
    explore.add_argument("--max-seconds", type=float, default=120.0, metavar="S", help="exhaustive: stop after S seconds (default 120)")
    explore.add_argument("--format", choices=("human", "json"), default="human", help="output format")

    test = sub.add_parser("test", help="run walkthrough files against a story", description="Run walkthrough tests (YAML scripts of choices and expectations).")
    test.add_argument("files", nargs="+", metavar="FILE", help="walkthrough files (folders: every .yaml inside)")
    test.add_argument("--story", metavar="DIR", help="play this story instead of each file's own")

    graph = sub.add_parser("graph", help="draw the scene graph (Graphviz DOT or Mermaid)", description="Write the scene graph: chapters as clusters, choices as edges.")
    graph.add_argument("story", nargs="?", metavar="DIR", help="story folder (default: the shipped story)")
    graph.add_argument("--format", choices=("dot", "mermaid"), default=None, help="text format (default: dot, or mermaid for an .mmd --output)")
    graph.add_argument("--output", metavar="FILE", help="write here instead of standard output; .svg, .png and .pdf are rendered with Graphviz's dot")
    graph.add_argument("--coverage", type=int, metavar="N", help="colour scenes by how often N seeded random playthroughs reach them")
    graph.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the --coverage playthroughs (default 0)")

    schema = sub.add_parser("schema", help="print a JSON Schema of the story format for editors", description="Print a JSON Schema (draft 2020-12) of scene files or of story.yaml.")
    schema.add_argument("--for", dest="schema_for", choices=("scenes", "story"), default="scenes", help="which file the schema describes (default: scenes)")

    diff = sub.add_parser("diff", help="list what a new version of a story breaks in old saves", description="Compare two versions of a story folder; exit 1 when saves made with OLD would break.")
    diff.add_argument("old", metavar="OLD", help="the story folder saves were made with")
    diff.add_argument("new", metavar="NEW", help="the new version of the story folder")
    diff.add_argument("--format", choices=("human", "json"), default="human", help="output format")
    return parser


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Entry point; returns the exit code (0 fine, 1 story errors, 2 wrong usage)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    if not args_list or (args_list[0] not in COMMANDS and args_list[0] not in ("-h", "--help", "--version")):
        args_list.insert(0, "play")
    parser = _parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exit_:
        return int(exit_.code or 0) if isinstance(exit_.code, int) else EXIT_USAGE
    try:
        if args.command == "check":
            return _check(args, stdout)
        if args.command == "explore":
            return _explore(args, stdout, stderr)
        if args.command == "test":
            return _test(args, stdout)
        if args.command == "graph":
            return _graph(args, stdout, stderr)
        if args.command == "schema":
            return _schema(args, stdout)
        if args.command == "diff":
            return _diff(args, stdout)
        return _play(args, stdin, stdout, stderr)
    except KeyboardInterrupt:
        stderr.write("\nInterrupted.\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK


def _check(args: argparse.Namespace, stdout: TextIO) -> int:
    from .analysis import analyse
    from .loader import check_story
    from .stats import summary

    root = args.story or bundled_story()
    story, problems = check_story(root)
    warnings = analyse(story) if story is not None else []
    failed = story is None or (args.strict and bool(warnings))
    if args.format == "json":
        payload = {
            "ok": not failed,
            "problems": [problem.to_json() for problem in [*problems, *warnings]],
            "summary": summary(story) if story is not None else None,
        }
        stdout.write(json.dumps(payload, indent=2) + "\n")
        return EXIT_STORY if failed else EXIT_OK
    paint = _painter(stdout, args.no_color)
    for problem in sorted([*problems, *warnings], key=lambda p: p.sort_key()):
        stdout.write(paint(problem) + "\n")
    if story is None:
        stdout.write(f"{_count(len(problems), 'problem')} in {root}\n")
        return EXIT_STORY
    facts = summary(story)
    verdict = "No problems." if not warnings else f"{_count(len(warnings), 'warning')}{' (--strict: failing)' if args.strict else ''}."
    stdout.write(
        f"{story.title}: {_count(facts['scenes'], 'scene')}, {_count(facts['choices'], 'choice')}, "
        f"{_count(facts['words'], 'word')}, {_count(facts['endings'], 'ending')}, "
        f"{_count(facts['codex'], 'codex entry', 'codex entries')}. {verdict}\n"
    )
    return EXIT_STORY if failed else EXIT_OK


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


def _load_or_report(root: str, stdout: TextIO) -> object:
    """The story, or None after printing its problems."""
    from .loader import check_story

    story, problems = check_story(root)
    if story is None:
        for problem in problems:
            stdout.write(problem.format() + "\n")
        stdout.write(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {root}\n")
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
    from . import explore, reports
    from .model import Story

    if (args.random is not None and args.random < 1) or args.max_steps < 1 or args.max_states < 1 or args.max_seconds <= 0:
        stderr.write("adventure explore: counts and limits must be positive\n")
        return EXIT_USAGE
    story = _load_or_report(args.story or bundled_story(), stdout)
    if not isinstance(story, Story):
        return EXIT_STORY
    progress = _progress_bar(stderr)
    if args.exhaustive:
        report = explore.exhaustive(story, args.max_states, args.max_seconds, progress)  # type: ignore[arg-type]
        if progress:
            stderr.write("\n")
        if args.format == "json":
            stdout.write(json.dumps(reports.exhaustive_json(report), indent=2) + "\n")
        else:
            stdout.write("\n".join(reports.exhaustive_text(report, story)) + "\n")
        bad = not report.complete or report.soft_locks or report.unreached_scenes or any(path is None for path in report.endings.values())
        return EXIT_STORY if bad else EXIT_OK
    random_report = explore.random_playthroughs(story, args.random or 1000, args.seed, args.max_steps, progress)  # type: ignore[arg-type]
    if progress:
        stderr.write("\n")
    if args.format == "json":
        stdout.write(json.dumps(reports.random_json(random_report, story), indent=2) + "\n")
    else:
        stdout.write("\n".join(reports.random_text(random_report, story)) + "\n")
    return EXIT_STORY if random_report.failures else EXIT_OK


def _test(args: argparse.Namespace, stdout: TextIO) -> int:
    from . import walkthrough

    paths: list[str] = []
    for given in args.files:
        if os.path.isdir(given):
            paths.extend(sorted(os.path.join(given, name) for name in os.listdir(given) if name.endswith((".yaml", ".yml"))))
        else:
            paths.append(given)
    results, problems = walkthrough.run_files(paths, bundled_story(), args.story)
    for problem in problems:
        stdout.write(problem.format() + "\n")
    for result in results:
        if result.passed:
            stdout.write(f"PASS {result.path}: {result.name} ({result.total_steps} steps)\n")
        else:
            stdout.write(f"FAIL {result.path}: {result.name} (after {result.steps_run} of {result.total_steps} steps)\n")
            for problem in result.problems:
                stdout.write("  " + problem.format().replace("\n", "\n  ") + "\n")
    passed = sum(result.passed for result in results)
    stdout.write(f"{passed} of {len(results)} walkthroughs passed\n")
    return EXIT_OK if results and passed == len(results) and not problems else EXIT_STORY


def _graph(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    import shutil
    import subprocess

    from . import graph
    from .model import Story

    try:
        target = graph.plan_output(args.output, args.format)
    except ValueError as err:
        stderr.write(f"adventure graph: {err}\n")
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
            stderr.write(graph.DOT_MISSING.format(name=args.output))
            return EXIT_STORY
        done = subprocess.run(graph.dot_command(dot, target.image, args.output), input=text.encode("utf-8"), capture_output=True, check=False)
        if done.returncode != 0:
            stderr.write(f"adventure graph: dot failed: {clean(done.stderr.decode('utf-8', 'replace').strip())}\n")
            return EXIT_STORY
        return EXIT_OK
    try:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as err:
        stderr.write(f"adventure graph: cannot write {args.output}: {err.strerror or err}\n")
        return EXIT_STORY
    return EXIT_OK


def _schema(args: argparse.Namespace, stdout: TextIO) -> int:
    from .schema import schema_json

    stdout.write(schema_json(args.schema_for))
    return EXIT_OK


def _diff(args: argparse.Namespace, stdout: TextIO) -> int:
    from .diff import report

    breaks, text = report(args.old, args.new, args.format)
    stdout.write(text)
    return EXIT_STORY if breaks else EXIT_OK


def _count(number: int, one: str, many: str = "") -> str:
    return f"{number:,} {one if number == 1 else (many or one + 's')}"


def _parse_assignment(text: str, story: object) -> tuple[str, object]:
    from .model import Story

    assert isinstance(story, Story)
    if "=" not in text:
        raise ValueError(f"--set {text!r}: write NAME=VALUE")
    name, raw = (part.strip() for part in text.split("=", 1))
    variable = story.variables.get(name)
    if variable is None:
        raise ValueError(f"--set: the story has no variable `{name}`")
    if variable.type == "int":
        try:
            return name, int(raw)
        except ValueError:
            raise ValueError(f"--set {name}: {raw!r} is not a whole number") from None
    if variable.type == "bool":
        if raw.lower() not in ("true", "false", "yes", "no", "1", "0"):
            raise ValueError(f"--set {name}: write true or false")
        return name, raw.lower() in ("true", "yes", "1")
    if variable.type == "set":
        members = frozenset(item.strip() for item in raw.split(",") if item.strip())
        unknown = sorted(members - variable.members)
        if unknown:
            raise ValueError(f"--set {name}: {', '.join(unknown)} not in its members ({', '.join(sorted(variable.members))})")
        return name, members
    return name, clean(raw)


def _play(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    from . import engine
    from .loader import load_story
    from .problems import StoryError
    from .session import Session

    root = args.story or bundled_story()
    try:
        story = load_story(root)
    except StoryError as err:
        stderr.write(err.report() + "\n")
        stderr.write(f"The story in {root} has {len(err.problems)} problem(s); fix them and try again (adventure check {root}).\n")
        return EXIT_STORY
    from .shellhooks import Persistence

    persistence = Persistence(save_folder(args.saves))
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(8), "little")
    try:
        values = dict(_parse_assignment(item, story) for item in args.assignments)
        session = None
        if args.from_scene or values:
            outcome = engine.start_at(story, args.from_scene or story.start, values, seed)  # type: ignore[arg-type]
            session = Session.at(story, outcome)
    except (ValueError, engine.ChoiceError) as err:
        stderr.write(f"adventure: {err}\n")
        return EXIT_USAGE
    if not args.plain and _interactive(stdin, stdout):
        from . import repl

        color = not args.no_color and not os.environ.get("NO_COLOR")
        game = repl.Game(story, persistence, color, args.seed, args.watch)
        if session is not None:
            game.session = session
            game.show_scene()
        return game.play()
    from .plain import play
    from .shellhooks import story_signature

    watch = None
    if args.watch:
        signature = [story_signature(story.root)]

        def changed() -> bool:
            now = story_signature(story.root)
            if now != signature[0]:
                signature[0] = now
                return True
            return False
        watch = changed
    return play(
        session or Session.new(story, seed), stdin, stdout, persistence.hooks(),
        after_move=persistence.autosave, ending_note=persistence.ending_note, watch=watch,
    )


def _interactive(stdin: TextIO, stdout: TextIO) -> bool:
    """The REPL needs a real terminal on both ends and a terminal that can draw."""
    try:
        ttys = stdin.isatty() and stdout.isatty()
    except (AttributeError, ValueError):
        return False
    return ttys and os.environ.get("TERM", "") not in ("dumb", "unknown")


def save_folder(option: str | None) -> str:
    from .saves import save_folder as folder

    return folder(option)
