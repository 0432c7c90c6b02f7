"""The command line: parse arguments, run a command, turn every failure into a message."""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TextIO, cast

from adventure.cli_args import COMMANDS
from adventure.cli_args import parser as build_parser
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
    import signal  # only a game needs it (importing it builds three enums: about 0.5 ms of every start)

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
    parser = build_parser(args_list[0] if args_list[0] in COMMANDS else None)
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exit_:
        return int(exit_.code or 0) if isinstance(exit_.code, int) else EXIT_USAGE
    if getattr(args, "no_cache", False):
        from adventure.source import cachedir

        cachedir.set_enabled(False)
    try:
        if args.command == "lsp":
            return _lsp(stderr)
        if args.command == "check":
            from adventure import cli_check

            if stdout is None:
                raise OutputLost(None)
            return cli_check.run(args, stdout, stderr)
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
        if args.watch:
            from adventure.play.shellhooks import load_watched

            story = load_watched(root)  # keeps each file's load, so that a reload reads only what changed
        else:
            story = load_story(root)
    except Exception as err:  # a StoryError: its module (and Problem's dataclass) only when a story has problems
        from adventure.source.problems import StoryError

        if not isinstance(err, StoryError):
            raise
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
