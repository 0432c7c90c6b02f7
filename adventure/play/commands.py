"""Player commands (help, status, codex, recap, history, undo, save, load...) for both shells."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from adventure.play.session import Session
from adventure.source.textsafe import clean

COMMANDS: dict[str, str] = {
    "help": "this list",
    "status": "where you are and what you carry",
    "codex": "codex [entry]: the lore you have unlocked; an entry in full",
    "recap": "the story so far",
    "history": "every scene and choice of this game",
    "undo": "undo [n]: take back the last choice (or n choices)",
    "save": "save [slot]: save the game (slot names: letters, digits, - and _)",
    "load": "load [slot]: load a saved game",
    "saves": "list the saved games",
    "restart": "start the story again from the beginning",
    "reload": "re-read the story files (for authors), keeping your place",
    "quit": "leave the game (your progress is autosaved)",
}


@dataclass(slots=True)
class Result:
    """What a command did: lines to show, and whether the scene should be shown again."""

    lines: list[str] = field(default_factory=list)
    quit: bool = False
    show_scene: bool = False


SaveHook = Callable[[Session, str], list[str]]
LoadHook = Callable[[Session, str], list[str]]
ListHook = Callable[[], list[str]]
ReloadHook = Callable[[Session], list[str]]


@dataclass(slots=True)
class SaveHooks:
    """How a shell saves, loads and reloads; the command layer itself never touches files."""

    save: SaveHook | None = None
    load: LoadHook | None = None
    list: ListHook | None = None
    reload: ReloadHook | None = None


def command_names() -> list[str]:
    return list(COMMANDS)


def run(session: Session, line: str, hooks: SaveHooks | None = None) -> Result | None:
    """Run a command line; None when the line is not a command."""
    words = line.strip().split(maxsplit=1)
    if not words:
        return None
    name, argument = words[0].lower(), (words[1].strip() if len(words) > 1 else "")
    hooks = hooks or SaveHooks()
    if name in ("help", "?", "h"):
        return Result([f"{command:<8} {text}" for command, text in COMMANDS.items()] + [
            "Type a choice's number, or part of its words, to choose it (a command wins over",
            "part of a label; a choice's whole label always chooses it).",
        ])
    if name == "status":
        status = session.status()
        view = session.view()
        lines = [f"{view.chapter} - {view.title}" if view.chapter else view.title]
        lines.append(status or "(this story has no status line)")
        lines.append(f"Turn {session.state.turn}.")
        return Result(lines)
    if name == "codex":
        return _codex(session, argument)
    if name == "recap":
        recap = session.recap()
        return Result(["The story so far:", *(f"- {line}" for line in recap)] if recap else ["Nothing to recap yet."])
    if name == "history":
        return Result(session.history() or ["Nothing has happened yet."])
    if name == "undo":
        steps = 1
        if argument:
            if not argument.isdecimal() or int(argument[:9]) < 1:
                return Result(["Usage: undo [n], where n is how many choices to take back."])
            steps = int(argument[:9]) if len(argument) <= 9 else 10**9  # a huge n: everything there is
        done = session.undo(steps)
        if not done:
            return Result(["There is nothing to undo."])
        return Result([f"Undid {done} choice{'s' if done != 1 else ''}."], show_scene=True)
    if name == "restart":
        session.restart()
        return Result(["The story starts again. (undo takes you back.)"], show_scene=True)
    if name in ("quit", "exit", "q"):
        return Result(quit=True)
    if name == "save":
        if hooks.save is None:
            return Result(["Saving is not available here."])
        return Result(hooks.save(session, argument))
    if name == "load":
        if hooks.load is None:
            return Result(["Loading is not available here."])
        return Result(hooks.load(session, argument), show_scene=True)
    if name == "reload":
        if hooks.reload is None:
            return Result(["Reloading is not available here."])
        lines = hooks.reload(session)
        return Result(lines, show_scene=bool(lines) and lines[0].startswith("Reloaded"))
    if name == "saves":
        if hooks.list is None:
            return Result(["Saving is not available here."])
        return Result(hooks.list())
    return None


def _codex(session: Session, argument: str) -> Result:
    entries = session.codex_list()
    if not argument:
        if not entries:
            return Result(["The codex is empty. Entries unlock as the story reveals them."])
        return Result(
            [
                f"Codex ({len(entries)} of {len(session.story.codex)} entries):",
                *(f"  {entry_id:<22} {title}" for entry_id, title in entries),
                "Type codex <entry> to read one.",
            ]
        )
    entry_id = session.find_codex(argument)
    if entry_id is None:
        return Result([f"No unlocked codex entry matches {clean(argument)!r}. Type codex to list them."])
    title = session.story.codex[entry_id].title
    return Result([title, "=" * len(title), *_paragraphs(session.codex_text(entry_id))])


def _paragraphs(paragraphs: list[str]) -> list[str]:
    lines: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        if index:
            lines.append("")
        lines.append(paragraph)
    return lines
