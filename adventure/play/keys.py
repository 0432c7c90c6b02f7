"""The terminal player's keys: arrows move the highlight over open choices, Enter takes it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from prompt_toolkit.application import get_app
from prompt_toolkit.filters import Condition
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

if TYPE_CHECKING:
    from adventure.play.session import Session


class Highlighting(Protocol):
    """What the keys need of the player: the game being played and the highlighted choice."""

    selected: int | None

    @property
    def session(self) -> Session | None: ...


def choice_keys(player: Highlighting) -> KeyBindings:
    """Up and Down (on an empty line) move over the enabled choices; Enter takes the highlighted one."""
    bindings = KeyBindings()
    empty = Condition(lambda: not get_app().current_buffer.text and player.session is not None and not player.session.ended)
    playing = Condition(lambda: player.session is not None)

    def move(step: int) -> None:
        assert player.session is not None
        enabled = [option.number for option in player.session.view().choices if option.enabled]
        if not enabled:
            return
        if player.selected not in enabled:  # the first press lands on the first (or last) open choice
            player.selected = enabled[0] if step > 0 else enabled[-1]
        else:
            player.selected = enabled[(enabled.index(player.selected) + step) % len(enabled)]

    @bindings.add("up", filter=empty)
    def _up(event: KeyPressEvent) -> None:
        move(-1)

    @bindings.add("down", filter=empty)
    def _down(event: KeyPressEvent) -> None:
        move(1)

    @bindings.add("enter", filter=playing)
    def _enter(event: KeyPressEvent) -> None:
        from adventure.rules.engine import find_choice

        buffer = event.current_buffer
        session = player.session
        assert session is not None
        if not buffer.text and not session.ended:
            if player.selected is None:
                return  # a stray Enter: nothing happens until the player picks a choice
            buffer.text = str(player.selected)
        elif buffer.text and not session.ended:
            # the answered prompt stays in the scrollback: its marker shows the choice taken, or none
            player.selected = find_choice(session.view(), buffer.text)
        buffer.validate_and_handle()

    return bindings
