"""A story loading on a background thread while the player looks at the title screen."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from adventure.source.problems import Problem, StoryError
from adventure.story.titlepage import TitlePage

if TYPE_CHECKING:
    from adventure.story.model import Story


class PendingStory:
    """The title page at once; the checked story when the worker thread has loaded it.

    Loading and checking takes longer than drawing a title screen, and the player spends
    far longer reading that screen, so the work is moved there. The worker only reads
    files and builds new objects; the only thing shared is the result, handed over once.
    """

    def __init__(self, root: str, page: TitlePage) -> None:
        self.root = root
        self.page = page
        self._done = threading.Event()
        self._story: Story | None = None
        self._problems: list[Problem] = []
        self._listeners: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Begin loading (once); `when_done` listeners run on the worker thread afterwards."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._load, name="story-load", daemon=True)
                self._thread.start()

    def _load(self) -> None:
        try:
            from adventure.story.loader import check_story  # here, on the worker: the title screen does not wait for it

            self._story, self._problems = check_story(self.root)
        except Exception as err:  # never lose the reason: the main thread reports it
            self._problems = [Problem(self.root, 0, 0, f"the story could not be loaded: {type(err).__name__}: {err}", code="E012")]
        finally:
            self._done.set()
            with self._lock:
                listeners = list(self._listeners)
            for listener in listeners:
                listener()

    def when_done(self, listener: Callable[[], None]) -> None:
        """Call `listener` (from the worker thread) when loading ends, or now if it has."""
        with self._lock:
            if not self._done.is_set():
                self._listeners.append(listener)
                return
        listener()

    @property
    def ready(self) -> bool:
        return self._done.is_set()

    @property
    def failed(self) -> bool:
        return self._done.is_set() and (self._story is None or bool(self._problems))

    def story(self) -> Story:
        """The loaded story, waiting for it if need be; StoryError if it has problems."""
        self.start()
        self._done.wait()
        if self._story is None or self._problems:
            raise StoryError(self._problems or [Problem(self.root, 0, 0, "story could not be loaded", code="E012")])
        return self._story
