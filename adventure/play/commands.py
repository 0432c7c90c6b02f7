"""Player commands (help, status, codex, recap, history, undo, save, load...) in a table players and tools can add to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from adventure.play.reply import Kind, Reply, error, scene, sentence, text
from adventure.play.session import Session, status_variables
from adventure.source.textsafe import clean
from adventure.story.record import Record

Handler = Callable[[Session, str], Reply]


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Command(Record):
    """A command the player can type: how it is written, what it does, and its handler."""

    usage: str  # as help shows it: "undo [n]"
    help: str
    run: Handler
    aliases: tuple[str, ...] = ()


class Commands:
    """The commands of one game, in the order help lists them; players and tools may add their own."""

    def __init__(self) -> None:
        self._commands: dict[str, Command] = {}
        self._aliases: dict[str, str] = {}

    def add(self, name: str, command: Command) -> None:
        """Add (or replace) a command; its name and aliases are matched without regard to case."""
        self._commands[name.lower()] = command
        for alias in (name, *command.aliases):
            self._aliases[alias.lower()] = name.lower()

    def find(self, word: str) -> Command | None:
        name = self._aliases.get(word.lower())
        return self._commands[name] if name is not None else None

    def names(self) -> list[str]:
        return list(self._commands)

    def help_lines(self) -> list[str]:
        width = max(len(command.usage) for command in self._commands.values())
        return [f"{command.usage:<{width}}  {command.help}" for command in self._commands.values()]


SaveHook = Callable[[Session, str], Reply]
ListHook = Callable[[], Reply]
ReloadHook = Callable[[Session], Reply]


@dataclass(slots=True)
class SaveHooks:
    """How a player saves, loads and reloads; the command layer itself never touches files."""

    save: SaveHook | None = None
    load: SaveHook | None = None
    list: ListHook | None = None
    reload: ReloadHook | None = None


HELP_FOOTER = (
    "Type a choice's number, or part of its words, to choose it. When what you type could be a command"
    " or the start of a choice, you are asked which you meant.",
)


def builtin(hooks: SaveHooks | None = None, new_seed: Callable[[], int] = lambda: 0) -> Commands:
    """The standard commands. `new_seed` gives the seed of a restarted game."""
    hooks = hooks or SaveHooks()
    table = Commands()

    def show_help(session: Session, argument: str) -> Reply:
        return text(*table.help_lines(), "", *HELP_FOOTER, long=True)

    def restart(session: Session, argument: str) -> Reply:
        session.restart(new_seed())
        return scene("The story starts again. (undo takes you back.)")

    def unavailable(what: str) -> Handler:
        return lambda session, argument: error(f"{what} is not available here.")

    list_hook, reload_hook = hooks.list, hooks.reload
    list_saves = (lambda session, argument: list_hook()) if list_hook is not None else unavailable("Saving")
    reload = (lambda session, argument: reload_hook(session)) if reload_hook is not None else unavailable("Reloading")

    table.add("help", Command("help", "this list", show_help, aliases=("?", "h")))
    def look(session: Session, argument: str) -> Reply:
        session.look()  # after a choice that stayed, the scene's text too, not only its choices
        return scene()

    table.add("look", Command("look", "show the scene and its choices again", look, aliases=("l",)))
    nothing = error("Nothing to repeat.")  # `again` is the turn loop's: it repeats whatever came before
    table.add("again", Command("again", "repeat the last thing you typed (also: g)", lambda session, argument: nothing, ("g",)))
    table.add("status", Command("status", "where you are and what you carry", _status))
    table.add("codex", Command("codex [entry]", "the lore you have unlocked; an entry in full", _codex))
    table.add("recap", Command("recap", "the story so far", _recap))
    table.add("history", Command("history", "every scene and choice of this game", _history))
    table.add("undo", Command("undo [n]", "take back the last choice (or n choices)", _undo))
    table.add("save", Command("save [slot]", "save the game (slot names: letters, digits, - and _)", hooks.save or unavailable("Saving")))
    table.add("load", Command("load [slot]", "load a saved game (without a slot: list them)", hooks.load or unavailable("Loading")))
    table.add("saves", Command("saves", "list this story's saved games", list_saves))
    table.add("restart", Command("restart", "start the story again from the beginning", restart))
    to_menu, to_quit = Reply(Kind.MENU), Reply(Kind.QUIT)
    table.add("menu", Command("menu", "back to the title screen (your game is autosaved)", lambda session, argument: to_menu))
    table.add("reload", Command("reload", "re-read the story files (for authors), keeping your place", reload))
    table.add("quit", Command("quit", "leave the game (your progress is autosaved)", lambda session, argument: to_quit, ("exit", "q")))
    return table


def _status(session: Session, argument: str) -> Reply:
    status = session.status()
    view = session.view()
    lines = [f"{view.chapter} - {view.title}" if view.chapter else view.title]
    lines.append(status or "(this story has no status line)")
    tracked = status_variables(session.story)
    for variable in session.story.variables.values():
        # what the player carries: the sets the story tracks (a status line may only count them)
        if variable.type != "set" or (variable.silent and variable.name not in tracked):
            continue
        value = session.state.vars.get(variable.name)
        if isinstance(value, frozenset):
            held = ", ".join(sorted(variable.member(member) for member in value))
            lines.append(f"{variable.shown}: {held or 'none'}")
    lines.append(f"Turn {session.state.turn}.")
    return text(*lines)


def _recap(session: Session, argument: str) -> Reply:
    recap = session.recap()
    if not recap:
        return text("Nothing to recap yet.")
    return text("The story so far:", *(f"- {line}" for line in recap), long=True)


def _history(session: Session, argument: str) -> Reply:
    return text(*(session.history() or ["Nothing has happened yet."]), long=True)


def _undo(session: Session, argument: str) -> Reply:
    steps = 1
    if argument:
        if not argument.isdecimal() or int(argument[:9]) < 1:
            return error("Usage: undo [n], where n is how many choices to take back.")
        steps = int(argument[:9]) if len(argument) <= 9 else 10**9  # a huge n: everything there is
    done = session.undo(steps)
    if not done:
        return error("There is nothing to undo.")
    return scene(f"Undid {done} choice{'s' if done != 1 else ''}.")


def _codex(session: Session, argument: str) -> Reply:
    entries = session.codex_list()
    if not argument:
        if not entries:
            return text("The codex is empty. Entries unlock as the story reveals them.")
        return text(
            f"Codex ({len(entries)} of {len(session.story.codex)} entries):",
            *(f"  {entry_id:<22} {title}" for entry_id, title in entries),
            "Type codex <entry> to read one.",
            long=True,
        )
    entry_id = session.find_codex(argument)
    if entry_id is None:
        return error(f"No unlocked codex entry matches {clean(argument)!r}. Type codex to list them.")
    title = session.story.codex[entry_id].title
    return text(title, "=" * len(title), *_paragraphs(session.codex_text(entry_id)), long=True)


def _paragraphs(paragraphs: list[str]) -> list[str]:
    lines: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        if index:
            lines.append("")
        lines.append(paragraph)
    return lines


__all__ = ["Command", "Commands", "Kind", "Reply", "SaveHooks", "builtin", "error", "scene", "sentence", "text"]
