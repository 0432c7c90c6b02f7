"""The name `adventure.engine` scripts used before the layers: new_game, view and choose, as at the top of the package.

Kept so that programs written against it (the shared peer benchmark among them) go on working;
new code uses `adventure.new_game`, `adventure.view` and `adventure.choose`.
"""

from __future__ import annotations

from adventure.rules.engine import ChoiceError as ChoiceError
from adventure.rules.engine import Outcome as Outcome
from adventure.rules.engine import SceneView as SceneView
from adventure.rules.engine import choose as choose
from adventure.rules.engine import new_game as new_game
from adventure.rules.engine import view as view

__all__ = ["ChoiceError", "Outcome", "SceneView", "choose", "new_game", "view"]
