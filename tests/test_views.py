"""Views prepared once per scene, and values built through unfrozen twins, equal what they replace."""

from __future__ import annotations

import dataclasses
import gc
import random
from pathlib import Path
from types import MappingProxyType

import pytest
from conftest import FEATURES, MINIMAL_STORY, ROOT, StoryDir

import adventure
from adventure.rules import engine, plans
from adventure.rules.moves import Chance, SceneEntered, Scripted, VariableChanged, Working, goto_move, scene_entered, variable_changed
from adventure.rules.state import GameState, built_state
from adventure.story.twins import unfrozen_twin

EXAMPLE = ROOT / "docs" / "example"


def test_a_state_built_through_its_twin_equals_one_built_by_its_constructor_and_is_frozen() -> None:
    fields = ("s", MappingProxyType({"a": 1}), MappingProxyType({"s": 2}), 3, 4, frozenset({"u"}), frozenset({"x"}), ("t",), 5)
    state = built_state(*fields)
    assert type(state) is GameState and state == GameState(*fields)
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.turn = 9  # type: ignore[misc]


def test_events_built_through_their_twins_equal_the_constructed_ones() -> None:
    assert scene_entered("hall") == SceneEntered("hall") and type(scene_entered("hall")) is SceneEntered
    assert variable_changed("coins", 1, 2) == VariableChanged("coins", 1, 2)
    assert repr(variable_changed("coins", 1, 2)) == repr(VariableChanged("coins", 1, 2))


def test_a_twin_refuses_a_class_whose_fields_it_does_not_name() -> None:
    with pytest.raises(TypeError, match="fields"):
        unfrozen_twin(SceneEntered, "scene", "extra")
    with pytest.raises(TypeError, match="fields"):
        unfrozen_twin(VariableChanged, "old", "name", "new")


def _scene(label: str) -> str:
    return f"scenes:\n  - id: a\n    title: A\n    text: Here.\n    choices:\n      - {{label: {label}, goto: b}}\n" \
        "  - id: b\n    title: B\n    text: There.\n    ending: {id: end, name: The End}\n"


def test_a_story_made_by_replace_shows_its_own_scenes_not_views_prepared_for_the_original(story_dir: StoryDir) -> None:
    first = adventure.load_story(str(story_dir({"story.yaml": MINIMAL_STORY, "a.yaml": _scene("Go")})))
    state = adventure.new_game(first).state
    assert adventure.view(first, state).choices[0].label == "Go"
    other = adventure.load_story(str(story_dir({"story.yaml": MINIMAL_STORY, "a.yaml": _scene("Leave")})))
    swapped = dataclasses.replace(first, scenes=other.scenes)
    assert adventure.view(swapped, state).choices[0].label == "Leave"
    assert adventure.view(first, state).choices[0].label == "Go"


@pytest.mark.parametrize("count", [8, 10])  # remembered by which guards hold; more than 8 listed afresh
def test_a_scene_with_many_guarded_choices_lists_exactly_what_listed_gives(story_dir: StoryDir, count: int) -> None:
    flags = "".join(f"  f{index}: {{type: bool, default: {'true' if index % 3 == 0 else 'false'}}}\n" for index in range(count))
    choices = "".join(
        f"      - {{label: Choice {index}, goto: b, if: f{index}{', disabled: Not yet.' if index % 2 else ''}}}\n" for index in range(count)
    )
    scenes = f"scenes:\n  - id: a\n    title: A\n    text: Here.\n    choices:\n{choices}      - {{label: Always, goto: b}}\n" \
        "  - id: b\n    title: B\n    text: There.\n    ending: {id: end, name: The End}\n"
    story = adventure.load_story(str(story_dir({"story.yaml": MINIMAL_STORY + "variables:\n" + flags, "a.yaml": scenes})))
    state = adventure.new_game(story).state
    for flipped in range(count):
        values = dict(state.vars)
        values[f"f{flipped}"] = not values[f"f{flipped}"]
        changed = dataclasses.replace(state, vars=MappingProxyType(values))
        seen = adventure.view(story, changed)
        expected = [(choice.label.render(changed), enabled) for choice, enabled in engine.listed(story, changed)]
        assert [(choice.label, choice.enabled) for choice in seen.choices] == expected


def test_choosing_after_viewing_another_state_takes_the_choice_listed_in_the_chosen_state() -> None:
    story = adventure.load_story(str(FEATURES))
    start = adventure.new_game(story, 1).state
    before = adventure.view(story, start)
    moved = adventure.choose(story, start, before.choices[0].number).state
    adventure.view(story, moved)  # the remembered listing is now the moved state's
    again = adventure.choose(story, start, before.choices[0].number)
    assert again.state == moved


def test_a_sealed_working_state_is_the_state_freeze_gives_and_a_scripted_one_draws_from_its_script() -> None:
    story = adventure.load_story(str(FEATURES))
    state = adventure.new_game(story, 1).state
    frozen = Working.of(state, copy_vars=True).freeze()
    sealed = Working.of(state, copy_vars=True).seal()
    assert type(sealed) is GameState and sealed == frozen == state and sealed is not state
    with pytest.raises(dataclasses.FrozenInstanceError):
        sealed.scene = "elsewhere"  # type: ignore[misc]
    scripted = Scripted(Working.of(state, copy_vars=True), Chance([4]))
    assert scripted.draw(3) == 1 and scripted.draw(5) == 0 and scripted.chance.sizes == [3, 5]
    assert scripted.seal() == state and scripted.rng == state.rng  # scripted draws leave the generator alone


def test_a_fixed_view_still_refuses_a_disabled_choice_and_a_number_it_does_not_list(story_dir: StoryDir) -> None:
    scenes = (
        "scenes:\n  - id: a\n    title: A\n    text: Here.\n    choices:\n"
        "      - {label: Pay, goto: b, if: rich, disabled: You have nothing.}\n"
        "      - {label: Hidden, goto: b, if: rich}\n"
        "      - {label: Walk, goto: b}\n"
        "  - id: b\n    title: B\n    text: There.\n    ending: {id: end, name: The End}\n"
    )
    story = adventure.load_story(str(story_dir({"story.yaml": MINIMAL_STORY + "variables:\n  rich: {type: bool, default: false}\n",
                                                 "a.yaml": scenes})))
    state = adventure.new_game(story).state
    seen = adventure.view(story, state)
    assert [(choice.number, choice.label, choice.enabled) for choice in seen.choices] == [(1, "Pay", False), (2, "Walk", True)]
    with pytest.raises(adventure.ChoiceError, match="nothing"):
        adventure.choose(story, state, 1)
    with pytest.raises(adventure.ChoiceError, match="from 1 to 2"):
        adventure.choose(story, state, 3)
    assert adventure.choose(story, state, 2).state.scene == "b"


def test_every_so_many_plans_of_a_story_what_is_alive_is_frozen_out_of_the_collectors_scans(
    story_dir: StoryDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plans, "FREEZE_PLANS", 2)
    story = adventure.load_story(str(story_dir({"story.yaml": MINIMAL_STORY, "a.yaml": _scene("Go")})))
    was = gc.isenabled()
    gc.enable()
    gc.unfreeze()
    try:
        state = adventure.new_game(story).state
        adventure.view(story, state)
        assert gc.get_freeze_count() == 0  # one plan so far
        moved = adventure.choose(story, state, 1).state
        assert adventure.view(story, moved).scene == "b" and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        if not was:
            gc.disable()


@pytest.mark.parametrize("where", [FEATURES, EXAMPLE])
def test_a_goto_move_gives_the_state_and_events_the_general_move_gives(where: Path) -> None:
    story = adventure.load_story(str(where))
    chooser = random.Random(7)
    state = adventure.new_game(story, 3).state
    compared = 0
    for _ in range(400):
        options = [choice for choice, enabled in engine.listed(story, state) if enabled]
        if not options:
            state = adventure.new_game(story, chooser.randrange(100)).state
            continue
        for choice in options:
            if choice.flow == "goto":
                target = story.scenes[choice.target]
                moved, events = goto_move(story, state, choice, target.on_enter, target.ending)
                general = engine.take(story, state, choice)
                assert (moved, events) == (general.state, general.events) and type(moved) is GameState
                compared += 1
        state = engine.take(story, state, chooser.choice(options)).state
    assert compared > 100
