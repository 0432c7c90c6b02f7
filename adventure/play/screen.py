"""The terminal player's output: the real size of the terminal, styled lines, a "more" prompt between pages, the status bar's text."""

from __future__ import annotations

import shutil

from prompt_toolkit import print_formatted_text
from prompt_toolkit.application import Application, get_app_or_none
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.layout import Layout, Window
from prompt_toolkit.layout.controls import FormattedTextControl
from prompt_toolkit.output import ColorDepth
from prompt_toolkit.styles import Style

from adventure.play import render
from adventure.source.textsafe import clean

HINT = ("↑↓ Enter: choose", "Tab", "help", "Ctrl-D: save & quit")  # dropped from the end when the bar is too narrow
MORE = " -- more -- (any key; q stops) "


class Screen:
    """Where the terminal player writes: measured afresh for each output, never assumed."""

    def __init__(self, style: Style, color_depth: ColorDepth, cap: int) -> None:
        self.style = style
        self.color_depth = color_depth
        self.cap = cap

    def size(self) -> tuple[int, int]:
        """The terminal's (columns, rows): the running application's if there is one, else the terminal's own."""
        app = get_app_or_none()
        if app is not None:
            size = app.output.get_size()
            return size.columns, size.rows
        terminal = shutil.get_terminal_size()
        return terminal.columns, terminal.lines

    def width(self) -> int:
        """The text width: one column short of the terminal (a full last column makes some terminals wrap), at most the cap."""
        return max(20, min(self.size()[0] - 1, self.cap))

    def show(self, lines: list[render.Line], page: bool = True, reserve: int = 0) -> None:
        """Print styled lines; more than a screenful pauses at a "more" prompt.

        `reserve` rows are kept free under the last page, for what is drawn after it (the
        choices and the prompt), so that no line of the page scrolls away unread.
        """
        height = self.size()[1]
        rows = max(height - 2, 3) if page else len(lines) + 1  # a page leaves a row for the "more" prompt and one to spare
        last = height - reserve if page and reserve else rows  # the last page has no "more" prompt under it
        for number, (start, end) in enumerate(pages(len(lines), rows, last)):
            if number and not self.more():
                return
            fragments: list[tuple[str, str]] = []
            for line in lines[start:end]:
                fragments.extend(line)
                fragments.append(("", "\n"))
            print_formatted_text(FormattedText(fragments), style=self.style, color_depth=self.color_depth, end="")

    def more(self) -> bool:
        """Wait for a key between two pages; False when the player stops the listing."""
        bindings = KeyBindings()

        @bindings.add("<any>")
        def _any(event: KeyPressEvent) -> None:
            event.app.exit(result=event.key_sequence[0].data.lower() != "q")

        @bindings.add("c-c")
        def _stop(event: KeyPressEvent) -> None:
            event.app.exit(result=False)

        pager: Application[bool] = Application(
            layout=Layout(Window(FormattedTextControl([("class:toolbar", MORE)]), height=1)), key_bindings=bindings,
            style=self.style, color_depth=self.color_depth, erase_when_done=True,
        )
        return bool(pager.run())


def pages(count: int, rows: int, last_rows: int) -> list[tuple[int, int]]:
    """Split `count` lines into pages of at most `rows`, the last of at most `last_rows`.

    When the lines left would overfill the last page, they are split in two instead (the
    last page never shrinks below three lines, so a tiny terminal still pages forward
    rather than one line at a time).
    """
    last_room = max(min(last_rows, rows), min(3, rows))
    spans: list[tuple[int, int]] = []
    start = 0
    while count - start > last_room:
        left = count - start
        take = rows if left > rows else max(left - last_room, left // 2)
        spans.append((start, start + take))
        start += take
    if start < count or not spans:
        spans.append((start, count))
    return spans


def toolbar_text(status: str, columns: int) -> str:
    """The bottom bar: the status, then as many of the key hints as fit whole, cut only at a separator."""
    status = " " + clean(status) + " "
    if render.cell_width(status) > columns:  # a long status: its start, and a sign that there is more
        status = status.strip() if render.cell_width(status.strip()) <= columns else render.wrap(status, columns - 1)[0] + "…"
    room = columns - render.cell_width(status) - 1
    shown: list[str] = []
    for hint in HINT:
        candidate = " · ".join([*shown, hint])
        if render.cell_width(candidate) + 2 > room:
            break
        shown.append(hint)
    return status + ("  " + " · ".join(shown) if shown else "")
