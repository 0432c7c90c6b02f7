"""Names a story file that could not be read may declare: reported as unknown, never as missing."""

from __future__ import annotations

import os
import re
import stat


class Unreadable:
    """Names that may be declared in a file that could not be read: unknown, not missing.

    A reference to one of them is not reported, so that one broken file gives its own
    problem and not one more for every scene, variable or codex entry it holds.
    """

    _WORD = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")

    def __init__(self) -> None:
        self.words: set[str] = set()
        self.everything = False  # a file that could not even be opened may declare anything

    def add(self, path: str, limit: int) -> None:
        try:
            # O_NONBLOCK: a named pipe must not wait for a writer; only a regular file is read
            descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
            with os.fdopen(descriptor, "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    return  # a pipe or device declares nothing
                data = handle.read(limit)
        except OSError:
            self.everything = True  # unreadable: it may declare anything
            return
        self.words.update(self._WORD.findall(data.decode("latin-1")))

    def might_declare(self, name: str) -> bool:
        return self.everything or name in self.words
