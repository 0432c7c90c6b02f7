"""The public walk (view, choose) shows and does exactly what it did before its fast paths."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest
from conftest import FEATURES, ROOT, SHIPPED, plain_value

import adventure
from adventure.rules import engine
from adventure.rules.engine import ChoiceView, SceneView
from adventure.rules.state import GameState
from adventure.story.model import Story

EXAMPLE = ROOT / "docs" / "example"

# sha256 of every view, event and state of a seeded 3,000-step walk through the public API,
# recorded with the engine before views were cached per scene and states built without
# dataclass __init__ (commit 169aed3). The stories use every feature: interpolation,
# conditional text, variations, once-only and fallback choices, stays, detours, returns,
# replies, random draws, unlocks.
RECORDED = {
    "features": "5854123588e36ce043e9f20071e1b1777ba2631ee4b4c00a4570d6f572e14c24",
    "example": "63f9dbc4c5a71e4940a7a6214033a9126e8695e165d626cf75703b9971d0df1e",
}


def _walk_digest(story: Story, steps: int, seed: int) -> str:
    chooser = random.Random(seed)
    digest = hashlib.sha256()
    outcome = adventure.new_game(story, seed)
    for _ in range(steps):
        state = outcome.state
        digest.update(json.dumps(plain_value(outcome.events)).encode())
        digest.update(json.dumps(state.to_data(), sort_keys=True).encode())
        seen = adventure.view(story, state)
        digest.update(json.dumps(plain_value(seen)).encode())
        offered = [choice.number for choice in seen.choices if choice.enabled]
        if not offered:
            outcome = adventure.new_game(story, chooser.randrange(1000))
            continue
        outcome = adventure.choose(story, state, chooser.choice(offered))
    return digest.hexdigest()


@pytest.mark.parametrize(("name", "folder"), [("features", FEATURES), ("example", EXAMPLE)])
def test_a_seeded_walk_sees_and_changes_exactly_what_it_did_before(name: str, folder: Path) -> None:
    story = adventure.load_story(str(folder))
    assert _walk_digest(story, 3000, 11) == RECORDED[name]


def _reference_view(story: Story, state: GameState) -> SceneView:
    """The view as it was built before any caching: list, then render everything."""
    scene = story.scenes[state.scene]
    choices = []
    for number, (choice, enabled) in enumerate(engine.listed(story, state), 1):
        reason = "" if enabled or choice.disabled is None else choice.disabled.render(state)
        choices.append(ChoiceView(number, choice.label.render(state), enabled, reason, choice.key, choice.target))
    paragraphs = tuple(engine.render_text(scene.text, state))
    return SceneView(scene.id, scene.title.render(state), scene.chapter, paragraphs, tuple(choices), scene.ending)


@pytest.mark.parametrize("folder", [FEATURES, EXAMPLE, SHIPPED])
def test_every_view_of_a_walk_equals_one_rendered_from_scratch(folder: Path) -> None:
    story = adventure.load_story(str(folder))
    chooser = random.Random(5)
    state = adventure.new_game(story, 3).state
    for _ in range(1500):
        seen = adventure.view(story, state)
        assert seen == _reference_view(story, state)
        offered = [choice.number for choice in seen.choices if choice.enabled]
        if not offered:
            state = adventure.new_game(story, chooser.randrange(1000)).state
            continue
        state = adventure.choose(story, state, chooser.choice(offered)).state
