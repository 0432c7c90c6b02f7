"""The typed reply to one line the player typed, which each player draws its own way."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from adventure.story.record import Record


class Kind(Enum):
    """What a reply asks the player to draw."""

    NOTHING = "nothing"  # an empty line: nothing happens
    TEXT = "text"  # lines to show
    ERROR = "error"  # what was typed cannot be done; the lines say why
    SCENE = "scene"  # the game is somewhere new (or the scene is shown again): notes, the scene, then `after`
    QUIT = "quit"  # leave the program
    MENU = "menu"  # back to the title screen


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Reply(Record):
    """The result of one typed line, for a player to draw its own way."""

    kind: Kind
    lines: tuple[str, ...] = ()
    after: tuple[str, ...] = ()  # shown after the scene: an ending's note, a way out for a stuck player
    # a scene's notes on what entering the new scene changed (codex entries it unlocks...),
    # shown after the reply to the choice and before the scene's title, where they happen
    entered: tuple[str, ...] = ()
    long: bool = False  # output that may run past a screen (history, recap, codex): a pager may pause it


def text(*lines: str, long: bool = False) -> Reply:
    return Reply(Kind.TEXT, tuple(lines), long=long)


def error(*lines: str) -> Reply:
    return Reply(Kind.ERROR, tuple(lines))


def scene(*notes: str, entered: tuple[str, ...] = ()) -> Reply:
    return Reply(Kind.SCENE, tuple(notes), entered=entered)


def sentence(message: str) -> str:
    """A message as a sentence: a capital first letter and one full stop."""
    message = message.strip()
    if not message:
        return message
    message = message[0].upper() + message[1:]
    return message if message[-1] in ".!?)" else message + "."
