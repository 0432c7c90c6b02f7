"""Where the shipped story lives: inside the package in a wheel, beside it in a source checkout."""

from __future__ import annotations

import os


def bundled_story() -> str:
    """The shipped story's folder: `adventure/scenes` in a wheel, `scenes/` in a source checkout."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for candidate in (os.path.join(package, "scenes"), os.path.join(os.path.dirname(package), "scenes")):
        if os.path.isfile(os.path.join(candidate, "story.yaml")):
            return candidate
    return os.path.join(package, "scenes")
