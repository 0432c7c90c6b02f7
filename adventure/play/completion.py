"""Tab completion in the terminal player: commands, codex entries, save slots and choice words."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from adventure.play import saves

if TYPE_CHECKING:
    from adventure.play.session import Session


class ChoiceCompleter(Completer):
    """Completes commands, codex entries after `codex `, and words of the current choices."""

    def __init__(
        self, session: Callable[[], Session | None], save_folder: Callable[[], str], command_names: Callable[[], Iterable[str]]
    ) -> None:
        # callables, read at each completion: the player's game, save folder and commands change as it plays
        self.session = session
        self.save_folder = save_folder
        self.command_names = command_names

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        text = document.text_before_cursor
        lowered = text.lower()
        session = self.session()
        if lowered.startswith(("codex ", "load ")) and session is not None:
            word = text.split(" ", 1)[1].lower()
            names = (
                [entry_id for entry_id, _ in session.codex_list()]
                if lowered.startswith("codex")
                else [info.slot for info in saves.list_slots(self.save_folder())]
            )
            for name in names:
                if name.lower().startswith(word):
                    yield Completion(name, start_position=-len(word))
            return
        if " " not in text:
            for name in self.command_names():
                if name.startswith(lowered):
                    yield Completion(name, start_position=-len(text), display_meta="command")
        if session is not None and text:
            for option in session.view().choices:
                if option.enabled and lowered in option.label.lower():
                    yield Completion(option.label, start_position=-len(text), display_meta=f"choice {option.number}")
