"""The name `adventure.loader` scripts used before the layers: load_story and check_story, as at the top of the package.

Kept so that programs written against it (the shared peer benchmark among them) go on working;
new code uses `adventure.load_story` and `adventure.check_story`.
"""

from __future__ import annotations

from adventure.story.loader import check_story as check_story
from adventure.story.loader import load_story as load_story

__all__ = ["check_story", "load_story"]
