"""The command line's words: every command and option, with its help text."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from adventure import __version__

if TYPE_CHECKING:
    Commands = argparse._SubParsersAction[argparse.ArgumentParser]  # what add_subparsers returns

def parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line; given the command being run, with that command alone.

    argparse builds every option of every command it is given before it parses a word (about
    5 ms of each start): a known command needs only its own. Without one (`--help`,
    `--version`), every command is listed.
    """
    parser = argparse.ArgumentParser(
        prog="adventure",
        description="Play a YAML text adventure (by default, the shipped Metallic Rouge story), or check one.",
        epilog="Run `adventure COMMAND --help` for a command's options. With no command, `play` is assumed.",
    )
    parser.add_argument("--version", action="version", version=f"adventure {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, add in _COMMANDS.items():
        if command is None or name == command:
            add(sub)
    return parser


def _play_command(sub: Commands) -> None:
    play = sub.add_parser("play", help="play a story (the default command)", description="Play a story.")
    play.add_argument("--story", metavar="DIR", help="story folder (default: the shipped story)")
    play.add_argument("--saves", metavar="DIR", help="save folder (default: $ADVENTURE_SAVES or ./saves)")
    play.add_argument("--plain", action="store_true", help="plain-text mode: numbered choices, reads stdin line by line")
    play.add_argument("--no-color", action="store_true", help="no colours (NO_COLOR is respected too)")
    play.add_argument("--no-cache", action="store_true", help="read every file, not the stored story (ADVENTURE_NO_CACHE=1 too)")
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


def _check_command(sub: Commands) -> None:
    check = sub.add_parser("check", help="check a story for errors", description="Load a story and report every problem.")
    check.add_argument("story", nargs="?", metavar="DIR", help="story folder (default: the shipped story)")
    check.add_argument("--format", choices=("human", "json"), default="human", help="output format")
    check.add_argument("--strict", action="store_true", help="warnings fail the check too (exit 1)")
    check.add_argument("--no-color", action="store_true", help="no colours (NO_COLOR is respected too)")
    check.add_argument("--no-cache", action="store_true", help="read every file, not the stored story (ADVENTURE_NO_CACHE=1 too)")
    check.add_argument(
        "--watch", action="store_true",
        help="keep running: check again whenever a story file changes (only changed files are read again); Ctrl-C stops",
    )


def _explore_command(sub: Commands) -> None:
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


def _test_command(sub: Commands) -> None:
    test = sub.add_parser(
        "test",
        help="run walkthrough files against a story",
        description="Run walkthrough tests (YAML scripts of choices and expectations).",
    )
    test.add_argument("files", nargs="+", metavar="FILE", help="walkthrough files (folders: every .yaml inside)")
    test.add_argument("--story", metavar="DIR", help="play this story instead of each file's own")


def _graph_command(sub: Commands) -> None:
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


def _schema_command(sub: Commands) -> None:
    schema = sub.add_parser(
        "schema",
        help="print a JSON Schema of the story format for editors",
        description="Print a JSON Schema (draft 2020-12) of scene files or of story.yaml.",
    )
    schema.add_argument(
        "--for", dest="schema_for", choices=("scenes", "story"), default="scenes", help="which file the schema describes (default: scenes)"
    )


def _stats_command(sub: Commands) -> None:
    stats = sub.add_parser(
        "stats",
        help="count words, scenes, choices and endings, and how long random playthroughs read",
        description="Statistics of a story: words per chapter, kinds of choices, and the reading length of random playthroughs.",
    )
    stats.add_argument("story", nargs="?", metavar="DIR", help="story folder (default: the shipped story)")
    stats.add_argument("--random", type=int, default=1000, metavar="N", help="random playthroughs measured (default 1000; 0: none)")
    stats.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the random playthroughs (default 0)")
    stats.add_argument(
        "--walkthrough", action="append", default=[], metavar="FILE",
        help="also play this walkthrough and count the screens it showed and those offering a single choice (repeatable)",
    )
    stats.add_argument("--format", choices=("human", "json"), default="human", help="output format")


def _diff_command(sub: Commands) -> None:
    diff = sub.add_parser(
        "diff",
        help="list what a new version of a story breaks in old saves",
        description="Compare two versions of a story folder; exit 1 when saves made with OLD would break.",
    )
    diff.add_argument("old", metavar="OLD", help="the story folder saves were made with")
    diff.add_argument("new", metavar="NEW", help="the new version of the story folder")
    diff.add_argument("--format", choices=("human", "json"), default="human", help="output format")


def _new_command(sub: Commands) -> None:
    new = sub.add_parser(
        "new",
        help="start a new story project from a small working example",
        description="Create FOLDER with a starter story, walkthroughs, editor schemas and a README. Never overwrites anything.",
    )
    new.add_argument("folder", metavar="FOLDER", help="the project folder to create (must not exist, or be empty)")


def _export_command(sub: Commands) -> None:
    export = sub.add_parser(
        "export",
        help="write a proofing copy of every text in a story",
        description="Every scene's text, variation, choice, disabled reason, codex entry and recap, by chapter, for proofreading.",
    )
    export.add_argument("story", nargs="?", metavar="DIR", help="story folder (default: the shipped story)")
    export.add_argument("--format", choices=("markdown", "html", "text"), default="markdown", help="output format (default: markdown)")
    export.add_argument("--output", metavar="FILE", help="write here instead of standard output")


def _lsp_command(sub: Commands) -> None:
    sub.add_parser(
        "lsp",
        help="run the language server for editors (over standard input and output)",
        description="A Language Server Protocol server over stdio: diagnostics as you type, completion, definitions, "
        "references, hover, rename and outline. Needs the lsp extra: pip install 'adventure[lsp]'. See docs/editors.md.",
    )


_COMMANDS = {
    "play": _play_command,
    "check": _check_command,
    "explore": _explore_command,
    "test": _test_command,
    "graph": _graph_command,
    "schema": _schema_command,
    "stats": _stats_command,
    "diff": _diff_command,
    "new": _new_command,
    "export": _export_command,
    "lsp": _lsp_command,
}
COMMANDS = tuple(_COMMANDS)


def _width(text: str) -> int:
    try:
        columns = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 20 <= columns <= 1000:
        raise argparse.ArgumentTypeError("the width must be from 20 to 1000 columns")
    return columns
