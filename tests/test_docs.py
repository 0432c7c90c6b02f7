"""The documentation stays true: its example story is the one in docs/example, and it loads."""

from __future__ import annotations

import re

from conftest import ROOT

from adventure.story.loader import load_story
from adventure.story.model import SetVar
from adventure.tools.analysis import analyse

DOC = (ROOT / "docs" / "scene-format.md").read_text()


def test_the_complete_example_in_the_format_doc_is_the_example_folder() -> None:
    names = sorted(path.name for path in (ROOT / "docs" / "example").glob("*.yaml"))
    assert {"story.yaml", "street.yaml", "chandler.yaml"} <= set(names)
    for name in names:
        block = re.search(rf"`docs/example/{name}`:\n\n```yaml\n(.*?)```", DOC, re.S)
        assert block is not None, name
        assert block.group(1) == (ROOT / "docs" / "example" / name).read_text()


def test_the_example_walkthroughs_pass() -> None:
    from adventure.tools import walkthrough

    paths = sorted(str(path) for path in (ROOT / "docs" / "walkthroughs").glob("*.yaml"))
    results, problems = walkthrough.run_files(paths, str(ROOT / "docs" / "example"))
    assert len(results) >= 2 and problems == []
    assert all(result.passed for result in results), [problem.format() for result in results for problem in result.problems]


def test_the_example_uses_replies_stays_detours_conditional_effects_and_arithmetic() -> None:
    story = load_story(str(ROOT / "docs" / "example"))
    choices = [choice for scene in story.scenes.values() for choice in scene.choices]
    assert {"stay", "detour", "return", "goto"} <= {choice.flow for choice in choices}
    assert any(choice.reply for choice in choices if choice.flow == "stay")
    assert any(type(effect).__name__ == "When" for choice in choices for effect in choice.effects)
    assert any(
        isinstance(effect, SetVar) and effect.computed is not None and effect.computed.draws_random
        for choice in choices
        for effect in choice.effects
    )


def test_the_example_story_loads_without_warnings() -> None:
    story = load_story(str(ROOT / "docs" / "example"))
    assert analyse(story) == [] and story.scenes["home"].ending is not None


def test_every_effect_and_key_the_loader_knows_is_documented() -> None:
    from adventure.story.loader.effects import EFFECTS
    from adventure.story.loader.scenes import CHOICE_KEYS, ENDING_KEYS, SCENE_KEYS

    for key in (*SCENE_KEYS, *CHOICE_KEYS, *ENDING_KEYS, *EFFECTS):
        assert f"`{key}`" in DOC or f"{key}:" in DOC, key
