"""The command line: parse arguments, run a command, turn every failure into a message."""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TextIO, cast

from adventure import __version__
from adventure.source.textsafe import clean
from adventure.story.bundled import bundled_story

if TYPE_CHECKING:
    from adventure.play.preload import PendingStory
    from adventure.play.session import Session
    from adventure.play.transcript import Transcript
    from adventure.play.turns import TurnLoop
    from adventure.source.problems import StoryError
    from adventure.story.model import Story

EXIT_OK, EXIT_STORY, EXIT_USAGE = 0, 1, 2
EXIT_OUTPUT = 3  # standard output could not be written: closed, a pipe closed early, a full disk
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as shells report it
COMMANDS = ("play", "check", "explore", "test", "graph", "schema", "diff", "new", "export", "stats", "lsp")


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
    play.add_argument("--no-cache", action="store_true", help="parse every file afresh (ADVENTURE_NO_CACHE=1 does the same)")
    play.add_argument("--seed", type=int, default=None, metavar="N", help="seed for the story's randomness")
    play.add_argument("--from", dest="from_scene", metavar="SCENE", help="start at this scene (playtesting)")
    play.add_argument(
        "--debug", action="store_true",
        help="the author's console: vars, set NAME=VALUE, goto SCENE, why [N], seed (saves made after using them are marked)",
    )
    play.add_argument(
        "--record", metavar="FILE", help="write the game played as a walkthrough file that adventure test passes as written"
    )
    play.add_argument(
        "--reach", metavar="SCENE", help="start at this scene with the state the shortest real path into it gives (the path is printed)"
    )
    play.add_argument("--watch", action="store_true", help="re-read the story when its files change (for authors)")
    play.add_argument(
        "--width", type=_width, default=None, metavar="N", help="wrap text to at most N columns (default: the terminal's, at most 100)"
    )
    play.add_argument(
        "--theme", choices=("dark", "light", "high-contrast", "mono"), default="dark", help="colours of the terminal player (default: dark)"
    )
    play.add_argument("--transcript", metavar="FILE", help="write the game's text to FILE as you play (JSON lines if FILE ends in .jsonl)")
    play.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="start with a variable set (repeatable; sets as a,b,c)",
    )

    check = sub.add_parser("check", help="check a story for errors", description="Load a story and report every problem.")
    check.add_argument("story", nargs="?", metavar="DIR", help="story folder (default: the shipped story)")
    check.add_argument("--format", choices=("human", "json"), default="human", help="output format")
    check.add_argument("--strict", action="store_true", help="warnings fail the check too (exit 1)")
    check.add_argument("--no-color", action="store_true", help="no colours (NO_COLOR is respected too)")
    check.add_argument("--no-cache", action="store_true", help="parse every file afresh (ADVENTURE_NO_CACHE=1 does the same)")

    explore = sub.add_parser(
        "explore",
        help="play a story by machine to find what players can reach",
        description="Random playthroughs or an exhaustive search of every reachable state.",
    )
    explore.add_argument("story", nargs="?", metavar="DIR", help="story folder (default: the shipped story)")
    mode = explore.add_mutually_exclusive_group()
    mode.add_argument("--random", type=int, metavar="N", help="N seeded random playthroughs (default 1000)")
    mode.add_argument("--exhaustive", action="store_true", help="search every reachable state")
    mode.add_argument("--reach", metavar="SCENE", help="the shortest real path into SCENE, and the command that replays it")
    explore.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the random playthroughs (default 0)")
    explore.add_argument("--max-steps", type=int, default=2000, metavar="N", help="longest random playthrough (default 2000 choices)")
    explore.add_argument(
        "--max-states", type=int, default=2_000_000, metavar="N", help="exhaustive: stop after N states (default 2,000,000)"
    )
    explore.add_argument(
        "--max-seconds", type=float, default=None, metavar="S",
        help="exhaustive: also stop after S seconds (no default: the result would depend on the machine; exit 3 when it stops the search)",
    )
    explore.add_argument(
        "--policy", dest="policies", action="append", default=[], metavar="NAME:VAR=W,...",
        help="random: also play with choices that raise VAR W times as likely (lowering it, 1/W); repeatable; endings per policy",
    )
    explore.add_argument("--format", choices=("human", "json"), default="human", help="output format")

    test = sub.add_parser(
        "test",
        help="run walkthrough files against a story",
        description="Run walkthrough tests (YAML scripts of choices and expectations).",
    )
    test.add_argument("files", nargs="+", metavar="FILE", help="walkthrough files (folders: every .yaml inside)")
    test.add_argument("--story", metavar="DIR", help="play this story instead of each file's own")

    graph = sub.add_parser(
        "graph",
        help="draw the scene graph (Graphviz DOT or Mermaid)",
        description="Write the scene graph: chapters as clusters, choices as edges.",
    )
    graph.add_argument("story", nargs="?", metavar="DIR", help="story folder (default: the shipped story)")
    graph.add_argument(
        "--format", choices=("dot", "mermaid"), default=None, help="text format (default: dot, or mermaid for an .mmd --output)"
    )
    graph.add_argument(
        "--output", metavar="FILE", help="write here instead of standard output; .svg, .png and .pdf are rendered with Graphviz's dot"
    )
    graph.add_argument("--coverage", type=int, metavar="N", help="colour scenes by how often N seeded random playthroughs reach them")
    graph.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the --coverage playthroughs (default 0)")

    schema = sub.add_parser(
        "schema",
        help="print a JSON Schema of the story format for editors",
        description="Print a JSON Schema (draft 2020-12) of scene files or of story.yaml.",
    )
    schema.add_argument(
        "--for", dest="schema_for", choices=("scenes", "story"), default="scenes", help="which file the schema describes (default: scenes)"
    )

    stats = sub.add_parser(
        "stats",
        help="count words, scenes, choices and endings, and how long random playthroughs read",
        description="Statistics of a story: words per chapter, kinds of choices, and the reading length of random playthroughs.",
    )
    stats.add_argument("story", nargs="?", metavar="DIR", help="story folder (default: the shipped story)")
    stats.add_argument("--random", type=int, default=1000, metavar="N", help="random playthroughs measured (default 1000; 0: none)")
    stats.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the random playthroughs (default 0)")
    stats.add_argument("--format", choices=("human", "json"), default="human", help="output format")

    diff = sub.add_parser(
        "diff",
        help="list what a new version of a story breaks in old saves",
        description="Compare two versions of a story folder; exit 1 when saves made with OLD would break.",
    )
    diff.add_argument("old", metavar="OLD", help="the story folder saves were made with")
    diff.add_argument("new", metavar="NEW", help="the new version of the story folder")
    diff.add_argument("--format", choices=("human", "json"), default="human", help="output format")

    new = sub.add_parser(
        "new",
        help="start a new story project from a small working example",
        description="Create FOLDER with a starter story, walkthroughs, editor schemas and a README. Never overwrites anything.",
    )
    new.add_argument("folder", metavar="FOLDER", help="the project folder to create (must not exist, or be empty)")

    export = sub.add_parser(
        "export",
        help="write a proofing copy of every text in a story",
        description="Every scene's text, variation, choice, disabled reason, codex entry and recap, by chapter, for proofreading.",
    )
    export.add_argument("story", nargs="?", metavar="DIR", help="story folder (default: the shipped story)")
    export.add_argument("--format", choices=("markdown", "html", "text"), default="markdown", help="output format (default: markdown)")
    export.add_argument("--output", metavar="FILE", help="write here instead of standard output")

    sub.add_parser(
        "lsp",
        help="run the language server for editors (over standard input and output)",
        description="A Language Server Protocol server over stdio: diagnostics as you type, completion, definitions, "
        "references, hover, rename and outline. Needs the lsp extra: pip install 'adventure[lsp]'. See docs/editors.md.",
    )

    return parser


def _width(text: str) -> int:
    try:
        columns = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 20 <= columns <= 1000:
        raise argparse.ArgumentTypeError("the width must be from 20 to 1000 columns")
    return columns


class OutputLost(Exception):
    """Standard output refused a write (closed, a broken pipe, a full disk)."""

    def __init__(self, error: OSError | None) -> None:
        super().__init__(str(error))
        self.error = error


class _GuardedOutput:
    """Standard output that turns a failed write into OutputLost, and text the stream's
    encoding cannot hold (a strict ASCII or UTF-8 stdout) into replacement characters."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        try:
            try:
                return self.stream.write(text)
            except UnicodeEncodeError:
                encoding = getattr(self.stream, "encoding", None) or "ascii"
                return self.stream.write(text.encode(encoding, "replace").decode(encoding))
        except (OSError, ValueError) as err:  # ValueError: the stream was closed
            raise OutputLost(err if isinstance(err, OSError) else None) from None

    def flush(self) -> None:
        try:
            self.stream.flush()
        except (OSError, ValueError) as err:
            raise OutputLost(err if isinstance(err, OSError) else None) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


class _QuietErrors(_GuardedOutput):
    """Standard error: when even it cannot be written there is nobody left to tell."""

    def write(self, text: str) -> int:
        try:
            return super().write(text)
        except OutputLost:
            return len(text)

    def flush(self) -> None:
        with contextlib.suppress(OutputLost):
            super().flush()


class GameTerminated(SystemExit):
    """SIGTERM or SIGHUP (the terminal window closed) while playing: the players leave as at
    Ctrl-D, autosaving first. A SystemExit, so that the terminal player's event loop lets it through."""

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum


@contextlib.contextmanager
def _ending_on_hangup() -> Iterator[None]:
    """While a game is played, SIGTERM and SIGHUP end it the way Ctrl-D does."""
    def terminate(signum: int, frame: object) -> None:
        raise GameTerminated(signum)

    wanted = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    previous = {}
    try:
        for signum in wanted:
            with contextlib.suppress(ValueError, OSError):  # not the main thread: leave them be
                previous[signum] = signal.signal(signum, terminate)
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Entry point; returns the exit code (0 fine, 1 story errors, 2 wrong usage, 3 output
    lost, 130 interrupted; 129 and 143 when the terminal closed or the game was terminated)."""
    given = stdout or sys.stdout
    errors = cast(TextIO, _QuietErrors(stderr or sys.stderr or io.StringIO()))
    output = cast(TextIO, _GuardedOutput(given)) if given is not None else None
    try:
        code = _main(argv, stdin or sys.stdin, output, errors)
        if output is not None:
            output.flush()
        return code
    except OutputLost as lost:
        return _output_lost(lost, given, errors)


def _output_lost(lost: OutputLost, stream: TextIO | None, stderr: TextIO) -> int:
    """Say why nothing more could be written (a pipe closed early needs no words), and keep
    the interpreter from failing again on the same stream when it exits."""
    error = lost.error
    if error is None or error.errno != errno.EPIPE:
        reason = "it is closed" if error is None or error.errno == errno.EBADF else (error.strerror or str(error))
        stderr.write(f"adventure: cannot write to standard output: {reason}\n")
    if stream is not None and stream is sys.stdout:
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
        except (OSError, ValueError):
            sys.stdout = None
    return EXIT_OUTPUT


def _main(argv: Sequence[str] | None, stdin: TextIO, stdout: TextIO | None, stderr: TextIO) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0] not in COMMANDS and args_list[0] not in ("-h", "--help", "--version")):
        args_list.insert(0, "play")
    parser = _parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exit_:
        return int(exit_.code or 0) if isinstance(exit_.code, int) else EXIT_USAGE
    if getattr(args, "no_cache", False):
        from adventure.source import nodecache

        nodecache.set_enabled(False)
    try:
        if args.command == "lsp":
            return _lsp(stderr)
        if args.command != "play":
            from adventure import cli_tools

            if stdout is None:
                raise OutputLost(None)
            return cli_tools.run(args, stdout, stderr)
        with _ending_on_hangup():
            return _play(args, stdin, stdout, stderr)
    except GameTerminated as ended:
        return int(ended.code)  # type: ignore[arg-type]
    except KeyboardInterrupt:
        stderr.write("\nInterrupted.\n")
        return EXIT_INTERRUPTED


def _lsp(stderr: TextIO) -> int:
    """The language server, over standard input and output, when pygls is installed."""
    try:
        from adventure.lsp.server import serve
    except ImportError as err:
        stderr.write(f"adventure lsp: the language server needs pygls ({clean(str(err))}); install it with: pip install 'adventure[lsp]'\n")
        return EXIT_STORY
    serve()
    return EXIT_OK


def _play(args: argparse.Namespace, stdin: TextIO, stdout: TextIO | None, stderr: TextIO) -> int:
    from adventure import cli_start
    from adventure.rules import engine
    from adventure.source.problems import StoryError
    from adventure.story.loader import load_story

    root = args.story or bundled_story()
    interactive = not args.plain and _interactive(stdin, stdout)
    transcript = None
    if args.transcript:
        transcript = _transcript(args.transcript, stderr)
        if transcript is None:
            return EXIT_USAGE
    if interactive and not (args.from_scene or args.assignments or args.watch or args.record or args.reach or args.debug):
        from adventure.story.titlepage import read_title_page

        page = read_title_page(root)
        if page is not None:  # the title screen shows while the scenes load
            from adventure.play.preload import PendingStory

            return _play_in_terminal(PendingStory(root, page), args, stderr, transcript=transcript)
    try:
        story = load_story(root)
    except StoryError as err:
        return _story_errors(err, root, stderr)
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(8), "little")
    if (args.record or args.debug) and args.seed is None:
        seed &= (1 << 53) - 1  # a walkthrough's whole numbers stop at 2^53
    try:
        session = cli_start.starting_session(story, args, seed, stderr)
    except (ValueError, engine.ChoiceError) as err:  # the message quotes what was typed: cleaned
        stderr.write(f"adventure: {clean(str(err))}\n")
        return EXIT_USAGE
    setup = cli_start.play_setup(story, args, seed)
    if interactive:
        return _play_in_terminal(story, args, stderr, session, transcript, setup)
    from adventure.play.plain import play_story
    from adventure.play.shellhooks import Persistence, story_signature

    persistence = Persistence(save_folder(args.saves), story.id)
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
    return play_story(
        story, persistence, stdin, stdout, seed=args.seed, session=session, watch=watch, transcript=transcript,
        cap=args.width, setup=setup,
    )


def _transcript(path: str, stderr: TextIO) -> Transcript | None:
    from adventure.play.saves import SaveError, TranscriptFile
    from adventure.play.transcript import Transcript

    try:
        return Transcript(TranscriptFile(path))
    except SaveError as err:
        stderr.write(f"adventure: {err}\n")
        return None


def _play_in_terminal(
    story: Story | PendingStory,
    args: argparse.Namespace,
    stderr: TextIO,
    session: Session | None = None,
    transcript: Transcript | None = None,
    setup: Callable[[TurnLoop], None] | None = None,
) -> int:
    from adventure.play import repl
    from adventure.play.preload import PendingStory
    from adventure.play.shellhooks import Persistence
    from adventure.source.problems import StoryError

    color = not args.no_color and not os.environ.get("NO_COLOR")
    story_id = story.page.id if isinstance(story, PendingStory) else story.id
    game = repl.Game(
        story, Persistence(save_folder(args.saves), story_id), color, args.seed, args.watch,
        theme=args.theme if color else "mono", cap=args.width, transcript=transcript, setup=setup,
    )
    if session is not None:
        game.start(session)
    try:
        return game.play()
    except StoryError as err:  # found while the title screen was showing
        return _story_errors(err, story.root, stderr)


def _story_errors(err: StoryError, root: str, stderr: TextIO) -> int:
    stderr.write(err.report() + "\n")
    shown = clean(root)
    stderr.write(f"The story in {shown} has {len(err.problems)} problem(s); fix them and try again (adventure check {shown}).\n")
    return EXIT_STORY


def _interactive(stdin: TextIO, stdout: TextIO | None) -> bool:
    """The REPL needs a real terminal on both ends and a terminal that can draw."""
    if stdout is None:
        return False
    try:
        ttys = stdin.isatty() and stdout.isatty()
    except (AttributeError, ValueError):
        return False
    return ttys and os.environ.get("TERM", "") not in ("dumb", "unknown")


def save_folder(option: str | None) -> str:
    from adventure.play.saves import save_folder as folder

    return folder(option)
