"""The game's text as the player saw it, with what they typed, for a transcript file (plain text or JSON lines)."""

from __future__ import annotations

import json

from adventure.play import render
from adventure.play.reply import Kind, Reply
from adventure.play.saves import TranscriptFile
from adventure.play.session import Session

WIDTH = 79  # a transcript is read later, anywhere: a fixed, common width


class Transcript:
    """Writes each turn to a TranscriptFile: `> typed line`, then what the game answered."""

    def __init__(self, file: TranscriptFile, json_lines: bool | None = None) -> None:
        self.file = file
        self.json_lines = file.path.endswith((".jsonl", ".json")) if json_lines is None else json_lines

    @property
    def path(self) -> str:
        return self.file.path

    def turn(self, session: Session, typed: str | None, reply: Reply) -> str:
        """Write one turn ('' or why the file could not be written)."""
        shown = lines_of(session, reply)
        if self.json_lines:
            record = {"turn": session.state.turn, "scene": session.state.scene, "typed": typed, "kind": reply.kind.value, "lines": shown}
            return self.file.write(json.dumps(record, ensure_ascii=False) + "\n")
        text = ([f"> {typed}"] if typed is not None else []) + shown
        return self.file.write("\n".join(text) + "\n")

    def close(self) -> None:
        self.file.close()


def lines_of(session: Session, reply: Reply, width: int = WIDTH) -> list[str]:
    """A reply as plain lines, the way the plain player shows it."""
    if reply.kind is Kind.SCENE:
        return render.plain_scene_reply(session.view(), reply, width)
    return [line for item in reply.lines for line in render.hanging(item, width)]
