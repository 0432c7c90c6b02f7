"""The documentation stays true: its example story is the one in docs/example, and it loads."""

from __future__ import annotations

import re

from conftest import ROOT

from adventure.story.loader import load_story
from adventure.tools.analysis import analyse

DOC = (ROOT / "docs" / "scene-format.md").read_text()


def test_the_complete_example_in_the_format_doc_is_the_example_folder() -> None:
    for name in ("story.yaml", "street.yaml"):
        block = re.search(rf"`docs/example/{name}`:\n\n```yaml\n(.*?)```", DOC, re.S)
        assert block is not None, name
        assert block.group(1) == (ROOT / "docs" / "example" / name).read_text()


def test_the_example_story_loads_without_warnings() -> None:
    story = load_story(str(ROOT / "docs" / "example"))
    assert analyse(story) == [] and story.scenes["home"].ending is not None


def test_every_effect_and_key_the_loader_knows_is_documented() -> None:
    from adventure.story.loader.scenes import CHOICE_KEYS, EFFECTS, ENDING_KEYS, SCENE_KEYS

    for key in (*SCENE_KEYS, *CHOICE_KEYS, *ENDING_KEYS, *EFFECTS):
        assert f"`{key}`" in DOC or f"{key}:" in DOC, key
