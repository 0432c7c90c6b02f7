"""The pure engine: views, choices, effects, once/fallback, randomness, endings, recap."""

from __future__ import annotations

import pytest
from conftest import FEATURES, MINIMAL_STORY, StoryDir
from hypothesis import given, settings
from hypothesis import strategies as st

from adventure.rules import engine
from adventure.rules.engine import ChoiceError, CodexUnlocked, EndingReached, SceneEntered, VariableChanged
from adventure.rules.moves import Chance
from adventure.rules.state import GameState, StateError, state_from_data
from adventure.story.loader import load_story

STORY = load_story(str(FEATURES))


def labels(state: GameState) -> list[tuple[str, bool]]:
    return [(choice.label, choice.enabled) for choice in engine.view(STORY, state).choices]


def test_a_new_game_enters_the_start_scene_and_runs_its_effects() -> None:
    outcome = engine.new_game(STORY, seed=1)
    state = outcome.state
    assert state.scene == "hall" and state.turn == 0 and state.visits == {"hall": 1}
    assert state.vars["coins"] == 2 and state.vars["keys"] == frozenset({"brass"})
    assert CodexUnlocked("hall", "The Hall") in outcome.events
    view = engine.view(STORY, state)
    assert view.title == "The Hall, turn 0" and view.chapter == "The House"
    assert view.paragraphs[0] == "You stand in a hall. You have 2 coins and 1 keys: brass."
    assert view.paragraphs[2] == "Everything is new."


def test_choices_show_enabled_disabled_with_reason_or_hidden() -> None:
    state = engine.new_game(STORY).state
    assert labels(state) == [
        ("Look around", True),
        ("Pay the doorman", True),
        ("Take courage", True),
        ("Roll the dice", True),
        ("Open the vault", False),
    ]
    assert engine.view(STORY, state).choices[4].reason == "The vault needs the iron key, and a look around."
    state = engine.choose(STORY, state, 3).state  # take courage: hidden afterwards
    assert "Take courage" not in [label for label, _ in labels(state)]


def test_effects_change_variables_and_report_events() -> None:
    state = engine.new_game(STORY).state
    outcome = engine.choose(STORY, state, 2)
    assert VariableChanged("coins", 2, 1) in outcome.events
    assert VariableChanged("keys", frozenset({"brass"}), frozenset({"brass", "iron"})) in outcome.events
    assert outcome.state.turn == 1 and outcome.state.visits["hall"] == 2
    assert state.vars["coins"] == 2, "the old state must not change"


def test_disabled_reason_interpolates_and_disabled_choices_cannot_be_taken() -> None:
    state = engine.new_game(STORY).state
    state = engine.choose(STORY, state, 2).state
    state = engine.choose(STORY, state, 2).state  # coins now 0
    view = engine.view(STORY, state)
    pay = next(choice for choice in view.choices if choice.label == "Pay the doorman")
    assert not pay.enabled and pay.reason == "You have no coins, traveller."
    with pytest.raises(ChoiceError, match="not available: You have no coins"):
        engine.choose(STORY, state, pay.number)


def test_once_only_choices_disappear_after_use() -> None:
    state = engine.new_game(STORY).state
    state = engine.choose(STORY, state, 1).state
    assert "Look around" not in [label for label, _ in labels(state)]
    assert "hall#look" in state.used and state.vars["looked"] is True


def test_fallback_is_listed_only_when_nothing_else_is_available() -> None:
    state = engine.new_game(STORY, seed=0).state
    for seed in range(40):
        rolled = engine.choose(
            STORY, GameState(state.scene, state.vars, state.visits, state.turn, seed, state.used, state.unlocked), 4
        ).state
        shown = labels(rolled)
        dice = rolled.vars["dice"]
        assert isinstance(dice, int)
        if dice >= 4:
            assert shown == [("Win a coin", True)]
        else:
            assert shown == [("Go back", True)]


def test_rolls_are_seeded_and_replay_identically() -> None:
    first = engine.new_game(STORY, seed=42).state
    a = engine.choose(STORY, first, 4).state
    b = engine.choose(STORY, first, 4).state
    dice = a.vars["dice"]
    assert a == b and isinstance(dice, int) and 1 <= dice <= 6 and a.vars["name"] in ("lucky", "unlucky")
    rolls = {engine.choose(STORY, engine.new_game(STORY, seed=seed).state, 4).state.vars["dice"] for seed in range(60)}
    assert rolls == {1, 2, 3, 4, 5, 6}


def test_int_variables_are_clamped_to_their_range() -> None:
    state = engine.start_at(STORY, "dice_room", {"coins": 5, "dice": 6}).state
    state = engine.start_at(STORY, "hall", {"coins": 5}).state
    won = engine.take(STORY, state, STORY.scenes["dice_room"].choices[0]).state
    assert won.vars["coins"] == 5


def test_computed_set_sees_earlier_effects_of_the_same_choice() -> None:
    state = engine.start_at(STORY, "hall", {"coins": 1}).state
    state = engine.take(STORY, state, STORY.scenes["dice_room"].choices[0]).state
    assert state.vars["coins"] == 3  # add 1, then set to coins + 1


def test_reaching_an_ending_reports_it_and_stops_choices() -> None:
    state = engine.start_at(STORY, "vault").state
    outcome = engine.choose(STORY, state, 1)
    assert isinstance(outcome.events[-1], EndingReached) and outcome.events[-1].ending.canonical
    assert engine.view(STORY, outcome.state).ending is not None
    with pytest.raises(ChoiceError, match="ended"):
        engine.choose(STORY, outcome.state, 1)


@pytest.mark.parametrize("number", [0, 6, -1, 99])
def test_out_of_range_numbers_are_choice_errors(number: int) -> None:
    with pytest.raises(ChoiceError, match="from 1 to 5"):
        engine.choose(STORY, engine.new_game(STORY).state, number)


def test_recap_lists_visited_scenes_in_first_visit_order() -> None:
    state = engine.start_at(STORY, "hall", {"keys": frozenset({"iron"}), "looked": True}).state
    state = engine.choose(STORY, state, 5).state if labels(state)[-1][1] else state
    assert engine.recap(STORY, state) == ["traveller came into the hall.", "You opened the vault."]


def test_status_line_and_codex_render_for_the_current_state() -> None:
    state = engine.new_game(STORY).state
    assert engine.status_line(STORY, state) == "The House · coins 2 · keys 1/3 · traveller"
    assert engine.codex_entries(STORY, state) == [("hall", "The Hall")]
    assert engine.codex_text(STORY, state, "hall") == ["A long hall with three doors."]
    richer = engine.choose(STORY, state, 2).state
    assert engine.codex_text(STORY, richer, "hall")[-1] == "The iron key opens the east door."


def test_scene_entered_events_name_the_target() -> None:
    outcome = engine.choose(STORY, engine.new_game(STORY).state, 4)
    assert SceneEntered("dice_room") in outcome.events


def test_start_at_an_unknown_scene_is_a_choice_error() -> None:
    with pytest.raises(ChoiceError):
        engine.start_at(STORY, "nowhere")


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**64 - 1), st.lists(st.integers(1, 5), max_size=40))
def test_any_playthrough_state_survives_to_data_and_back(seed: int, picks: list[int]) -> None:
    state = engine.new_game(STORY, seed).state
    for pick in picks:
        options = engine.view(STORY, state).choices
        enabled = [choice.number for choice in options if choice.enabled]
        if not enabled:
            break
        state = engine.choose(STORY, state, enabled[pick % len(enabled)]).state
    data = state.to_data()
    import json
    restored = state_from_data(json.loads(json.dumps(data)), STORY)
    assert restored == state
    assert engine.view(STORY, restored) == engine.view(STORY, state)
    assert list(restored.visits) == list(state.visits)


def test_a_save_naming_an_undeclared_set_member_is_refused_with_the_member_made_visible() -> None:
    data = engine.new_game(STORY).state.to_data()
    data["vars"]["keys"] = ["brass", "\x1f\x1b[2J"]
    with pytest.raises(StateError) as raised:
        state_from_data(data, STORY)
    message = str(raised.value)
    assert "\x1f" not in message and "\x1b" not in message and "keys" in message


def test_views_never_contain_control_characters(story_dir: StoryDir) -> None:
    root = story_dir({"story.yaml": MINIMAL_STORY + "variables:\n  s: {type: string, default: \"\\e[2J\"}\n",
                      "a.yaml": "scenes:\n  - id: a\n    title: 'T {s}'\n    text: 'x {s}'\n    ending: {id: e, name: E}\n"})
    story = load_story(str(root))
    view = engine.view(story, engine.new_game(story).state)
    assert "\x1b" not in view.title and all("\x1b" not in paragraph for paragraph in view.paragraphs)


def test_an_unbounded_counter_stops_at_two_to_the_53(story_dir: StoryDir) -> None:
    root = story_dir(
        {
            "story.yaml": MINIMAL_STORY + "variables:\n  n: {type: int, default: 1}\n",
            "a.yaml": ("scenes:\n  - id: a\n    title: A\n    text: 'n is {n}'\n    choices:\n"
                "      - {label: Double, goto: a, effects: [{set: {n: {expr: 'n + n'}}}]}\n"),
        }
    )
    story = load_story(str(root))
    state = engine.new_game(story).state
    for _ in range(60):
        state = engine.choose(story, state, 1).state
    assert state.vars["n"] == engine.INT_LIMIT


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**64 - 1), st.lists(st.integers(0, 9), max_size=30))
def test_a_move_never_changes_the_state_it_starts_from_and_its_result_is_read_only(seed: int, picks: list[int]) -> None:
    state = engine.new_game(STORY, seed).state
    for pick in picks:
        options = [choice for choice, enabled in engine.listed(STORY, state) if enabled]
        if not options:
            break
        before = state.to_data()
        taken = engine.take(STORY, state, options[pick % len(options)]).state
        assert state.to_data() == before
        with pytest.raises(TypeError):
            taken.vars["coins"] = 99  # type: ignore[index]
        with pytest.raises(TypeError):
            taken.visits["a"] = 99  # type: ignore[index]
        state = taken


def test_scripted_chance_leaves_the_callers_script_as_it_was(story_dir: StoryDir) -> None:
    story = load_story(str(story_dir(
        {
            "story.yaml": MINIMAL_STORY + "variables:\n  d: {type: int, default: 0}\n",
            "a.yaml": "scenes:\n  - id: a\n    title: A\n    text: 'd is {d}'\n    choices:\n"
            "      - {label: Roll, goto: a, effects: [{roll: {into: d, min: 1, max: 6}}]}\n",
        }
    )))
    state = engine.new_game(story).state
    script = [4]
    first = engine.take(story, state, story.scenes["a"].choices[0], Chance(script)).state
    second = engine.take(story, state, story.scenes["a"].choices[0], Chance(script)).state
    assert script == [4]
    assert first.vars["d"] == second.vars["d"] == 5
