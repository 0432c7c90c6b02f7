"""Loading a story behind the title screen: the title page at once, the story when ready."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from conftest import FEATURES, MINIMAL_STORY, write_story

from adventure.play.preload import PendingStory
from adventure.source.problems import StoryError
from adventure.story.titlepage import TitlePage, read_title_page

SCENE = "scenes:\n  - id: a\n    title: A\n    text: Hello.\n    ending: {id: end, name: The End}\n"


def test_the_title_page_comes_from_story_yaml_alone() -> None:
    page = read_title_page(str(FEATURES))
    assert page is not None and page.id == "features" and page.title == "Every Feature"


@pytest.mark.parametrize("header", ["", "id: x\n", "title: T\n", "id: [x]\ntitle: T\n", "id: x\ntitle: T\nid: y\n", ": : :\n"])
def test_a_story_yaml_without_a_clear_title_page_gives_none(tmp_path: Path, header: str) -> None:
    write_story(tmp_path, {"story.yaml": header})
    assert read_title_page(str(tmp_path)) is None


def test_control_characters_in_the_title_page_are_made_visible(tmp_path: Path) -> None:
    write_story(tmp_path, {"story.yaml": 'id: x\ntitle: "A\\e[2J"\nblurb: "B\\e]0;t\\a"\n'})
    assert read_title_page(str(tmp_path)) == TitlePage("x", "A\u241b[2J", "B\u241b]0;t\u2407")


def test_the_pending_story_loads_once_and_tells_every_listener(tmp_path: Path) -> None:
    root = write_story(tmp_path, {"story.yaml": MINIMAL_STORY, "a.yaml": SCENE})
    page = read_title_page(str(root))
    assert page is not None
    pending = PendingStory(str(root), page)
    heard: list[str] = []
    finished = threading.Event()

    def done() -> None:
        heard.append(threading.current_thread().name)
        finished.set()

    pending.when_done(done)
    assert not pending.ready
    pending.start()
    pending.start()  # a second start does not load again
    assert finished.wait(10)
    story = pending.story()
    assert story.id == "tiny" and pending.ready and not pending.failed and pending.story() is story
    pending.when_done(lambda: heard.append("late"))  # after the load: called at once, here
    assert heard == ["story-load", "late"]


def test_a_broken_story_fails_with_every_problem_when_asked_for(tmp_path: Path) -> None:
    root = write_story(
        tmp_path, {"story.yaml": MINIMAL_STORY, "a.yaml": SCENE.replace("    title: A\n", "").replace("id: end", "id: end, nme: x")}
    )
    pending = PendingStory(str(root), TitlePage("tiny", "Tiny", ""))
    with pytest.raises(StoryError) as raised:
        pending.story()  # starts the load itself and waits for it
    assert pending.failed
    messages = [problem.message for problem in raised.value.problems]
    assert any("has no `title`" in message for message in messages) and any("unknown key `nme`" in message for message in messages)


def test_the_terminal_player_says_it_is_loading_when_the_player_is_quicker_than_the_load(tmp_path: Path) -> None:
    from adventure.play.repl import Game
    from adventure.play.shellhooks import Persistence

    class Recording(Game):
        said: list[str]

        def say(self, *messages: str, style: str = "class:hint", page: bool = False) -> None:
            self.said = [*getattr(self, "said", []), *messages]

    root = write_story(tmp_path / "story", {"story.yaml": MINIMAL_STORY, "a.yaml": SCENE})
    page = read_title_page(str(root))
    assert page is not None
    game = Recording(PendingStory(str(root), page), Persistence(str(tmp_path / "saves"), "tiny"), color=False)
    assert game.page().title == "Tiny"  # the title page, before any loading
    assert game.story.id == "tiny"  # not loaded yet: the game waits for it, saying so
    assert game.said == ["Loading the story..."]
    assert game.story.id == "tiny" and game.said == ["Loading the story..."]  # said once
