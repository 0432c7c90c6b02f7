"""A scene's plan: the moves its fixed views remember (effect programs) do exactly what the general move does."""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path
from types import MappingProxyType

import pytest
from conftest import FEATURES, MINIMAL_STORY, ROOT, StoryDir, plain_value

import adventure
from adventure.rules import engine
from adventure.rules.moves import take
from adventure.rules.plans import program_of
from adventure.rules.state import GameState
from adventure.story.model import Story

EXAMPLE = ROOT / "docs" / "example"

VARIABLES = """\
variables:
  lit: {type: bool, default: false}
  coins: {type: int, default: 1, min: 0, max: 3}
  steps: {type: int, default: 0}
  mood: {type: string, default: calm}
  bag: {type: set, members: [rope, lamp], default: []}
"""

# Every effect a program holds (add and subtract clamped, set of each type, set add and remove),
# entry effects as a program and as the general path (a computed value), an ending, guards of each
# kind (rules/guards.py) with and without a disabled reason, and choices that take the general move (reply, stay, and a scene with a
# once-only choice, whose views are listed afresh).
SCENES = """\
scenes:
  - id: a
    title: A
    text: Here.
    choices:
      - label: Light it
        goto: b
        effects: [{set: {lit: true}}, {add: {coins: 2}}, {add: {bag: rope}}]
      - label: Douse it
        goto: b
        if: lit
        disabled: It is dark already.
        effects: [{set: {lit: false}}, {subtract: {coins: 5}}, {remove: {bag: rope}}, {set: {mood: tense, steps: 7}}]
      - label: Wait
        goto: c
        if: coins >= 2
      - label: Say
        goto: a
        reply: Nothing.
      - {label: Rest, effects: [{add: {steps: 1}}]}
  - id: b
    title: B
    text: There.
    on_enter: [{add: {steps: 1}}, {add: {bag: lamp}}]
    choices:
      - {label: Back, goto: a, effects: [{add: {coins: 1}}]}
      - {label: On, goto: c, if: '"rope" in bag'}
      - {label: Around, goto: c, if: 'not lit and "lamp" not in bag', disabled: Too bright.}
      - {label: Over, goto: c, if: 'not lit or coins == 3'}
      - {label: Aside, goto: e}
  - id: c
    title: C
    text: Further.
    on_enter: [{set: {steps: {expr: "steps + 10"}}}]
    choices:
      - {label: Back, goto: a, effects: [{set: {lit: true}}]}
      - {label: End, goto: d, if: "steps > 12"}
      - {label: Round, goto: b, effects: [{add: {coins: 1}}]}
  - id: d
    title: D
    text: The end.
    on_enter: [{set: {mood: done}}]
    ending: {id: done, name: Done}
  - id: e
    title: E
    text: Aside.
    choices:
      - {label: Once, goto: b, once: true, effects: [{add: {coins: 1}}]}
      - {label: Back, goto: a}
"""


def _same_as_the_general_move(story: Story, state: GameState) -> int:
    """Each enabled choice taken through view and choose gives what take gives; how many were compared."""
    compared = 0
    for number, (choice, enabled) in enumerate(engine.listed(story, state), 1):
        if not enabled:
            continue
        adventure.view(story, state)  # the fixed view's entry is what choose then reads
        quick = adventure.choose(story, state, number)
        general = take(story, state, choice)
        assert quick == general and type(quick.state) is GameState
        assert json.dumps(plain_value(quick.events)) == json.dumps(plain_value(general.events))
        assert json.dumps(quick.state.to_data()) == json.dumps(general.state.to_data())
        compared += 1
    return compared


def _walk(story: Story, steps: int, seed: int) -> int:
    chooser = random.Random(seed)
    state = adventure.new_game(story, seed).state
    compared = 0
    for _ in range(steps):
        compared += _same_as_the_general_move(story, state)
        seen = adventure.view(story, state)
        expected = [(choice.label.render(state), enabled) for choice, enabled in engine.listed(story, state)]
        assert [(choice.label, choice.enabled) for choice in seen.choices] == expected
        offered = [choice.number for choice in adventure.view(story, state).choices if choice.enabled]
        if not offered:
            state = adventure.new_game(story, chooser.randrange(100)).state
            continue
        state = adventure.choose(story, state, chooser.choice(offered)).state
    return compared


def test_every_move_a_fixed_view_remembers_does_what_the_general_move_does(story_dir: StoryDir) -> None:
    story = adventure.load_story(str(story_dir({"story.yaml": MINIMAL_STORY + VARIABLES, "a.yaml": SCENES})))
    assert _walk(story, 300, 4) > 500
    prepared = story.prepared
    assert prepared["a"].static and prepared["b"].static and prepared["c"].static and not prepared["e"].static


@pytest.mark.parametrize("folder", [FEATURES, EXAMPLE])
def test_moves_on_stories_with_every_feature_do_what_the_general_move_does(folder: Path) -> None:
    story = adventure.load_story(str(folder))
    assert _walk(story, 300, 9) > 100


def test_a_flag_holding_another_value_than_true_or_false_reports_the_value_it_held(story_dir: StoryDir) -> None:
    story = adventure.load_story(str(story_dir({"story.yaml": MINIMAL_STORY + VARIABLES, "a.yaml": SCENES})))
    start = adventure.new_game(story).state
    odd = dataclasses.replace(start, vars=MappingProxyType({**start.vars, "lit": 0}))  # a state a script built by hand
    assert _same_as_the_general_move(story, odd) > 0
    adventure.view(story, odd)
    lit = adventure.choose(story, odd, 1).events[0]
    assert json.dumps(plain_value(lit)) == '["VariableChanged", "lit", 0, true]'


def test_equal_effects_make_one_program_shared_by_every_choice_that_has_them(story_dir: StoryDir) -> None:
    story = adventure.load_story(str(story_dir({"story.yaml": MINIMAL_STORY + VARIABLES, "a.yaml": SCENES})))
    back, round_again = story.scenes["b"].choices[0].effects, story.scenes["c"].choices[2].effects
    assert [(effect.name, effect.amount) for effect in back + round_again] == [("coins", 1)] * 2  # type: ignore[union-attr]
    assert back is not round_again
    assert program_of(story, back) is program_of(story, round_again)
    assert program_of(story, story.scenes["c"].on_enter) is None  # a computed value takes the general path


def test_a_new_game_handed_out_again_equals_one_started_afresh(story_dir: StoryDir) -> None:
    story = adventure.load_story(str(story_dir({"story.yaml": MINIMAL_STORY + VARIABLES, "a.yaml": SCENES})))
    for seed in (1, 1, 2, 1, 0, 0):
        again = adventure.new_game(story, seed)
        afresh = engine.start_at(story, story.start, seed=seed)
        assert again == afresh and again.state.seed == seed
        adventure.choose(story, again.state, 1)  # a move from it leaves it as it was
        assert adventure.new_game(story, seed) == afresh
