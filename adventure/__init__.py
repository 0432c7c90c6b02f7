"""adventure: a terminal text adventure engine and the Metallic Rouge retelling it ships.

The stable public API, for scripts and other programs (it does not move when the inside does):

    import adventure
    story = adventure.load_story("my-story")        # raises adventure.StoryError listing every problem
    state = adventure.new_game(story, seed=1).state
    view = adventure.view(story, state)             # title, paragraphs, choices (number, label, enabled, reason)
    outcome = adventure.choose(story, state, view.choices[0].number)
    state, events = outcome.state, outcome.events   # a new immutable state; the old one is unchanged

The names are imported when first used, so `import adventure` stays as quick as the players need.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # for type checkers and editors; at run time __getattr__ imports on first use
    from adventure.rules.engine import ChoiceError as ChoiceError
    from adventure.rules.engine import Outcome as Outcome
    from adventure.rules.engine import SceneView as SceneView
    from adventure.rules.engine import choose as choose
    from adventure.rules.engine import new_game as new_game
    from adventure.rules.engine import view as view
    from adventure.rules.state import GameState as GameState
    from adventure.source.problems import Problem as Problem
    from adventure.source.problems import StoryError as StoryError
    from adventure.story.loader import check_story as check_story
    from adventure.story.loader import load_story as load_story
    from adventure.story.model import Story as Story

_PUBLIC = {
    "load_story": "adventure.story.loader",
    "check_story": "adventure.story.loader",
    "new_game": "adventure.rules.engine",
    "view": "adventure.rules.engine",
    "choose": "adventure.rules.engine",
    "Outcome": "adventure.rules.engine",
    "SceneView": "adventure.rules.engine",
    "ChoiceError": "adventure.rules.engine",
    "GameState": "adventure.rules.state",
    "Story": "adventure.story.model",
    "Problem": "adventure.source.problems",
    "StoryError": "adventure.source.problems",
}

__all__ = [
    "ChoiceError",
    "GameState",
    "Outcome",
    "Problem",
    "SceneView",
    "Story",
    "StoryError",
    "__version__",
    "check_story",
    "choose",
    "load_story",
    "new_game",
    "view",
]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'adventure' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # once found, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
