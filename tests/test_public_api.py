"""The public API at the top of the package: load, start, look, choose, as a script would."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import FEATURES, MINIMAL_STORY, StoryDir, env_for_subprocess

import adventure


def test_a_script_plays_a_story_through_the_public_names_alone() -> None:
    story = adventure.load_story(str(FEATURES))
    state = adventure.new_game(story, seed=1).state
    seen = adventure.view(story, state)
    assert seen.title and seen.paragraphs and seen.choices
    first = next(choice for choice in seen.choices if choice.enabled)
    outcome = adventure.choose(story, state, first.number)
    assert isinstance(outcome.state, adventure.GameState)
    assert outcome.state.turn == state.turn + 1
    assert adventure.view(story, state) == seen  # the old state is unchanged


def test_a_broken_story_raises_story_error_with_every_problem(story_dir: StoryDir) -> None:
    scene = "scenes:\n  - id: a\n    title: A\n    text: x\n    choices:\n      - {label: Go, goto: nowhere}\n"
    root = story_dir({"story.yaml": MINIMAL_STORY, "a.yaml": scene})
    with pytest.raises(adventure.StoryError) as raised:
        adventure.load_story(str(root))
    assert any("nowhere" in str(problem) for problem in raised.value.problems)


def test_a_number_that_is_not_listed_is_a_choice_error() -> None:
    story = adventure.load_story(str(FEATURES))
    state = adventure.new_game(story).state
    with pytest.raises(adventure.ChoiceError):
        adventure.choose(story, state, 99)


def test_every_public_name_resolves_and_unknown_names_raise_attribute_error() -> None:
    assert set(adventure.__all__) == {"__version__", *adventure._PUBLIC}
    for name in adventure.__all__:
        assert getattr(adventure, name) is not None
    with pytest.raises(AttributeError):
        adventure.no_such_name  # noqa: B018


def test_importing_the_package_loads_no_game_module() -> None:
    code = "import sys, adventure; print(sorted(m for m in sys.modules if m.startswith('adventure.')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_names_scripts_used_before_the_layers_still_show_the_first_text() -> None:
    # the shared peer benchmark's cold-start command, word for word but for the story folder
    script = (
        "import sys;from adventure.loader import load_story;from adventure import engine;"
        f"s=load_story({str(FEATURES)!r});v=engine.view(s,engine.new_game(s,1).state);"
        "sys.stdout.write(''.join(p+'\\n' for p in v.paragraphs))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env_for_subprocess(), check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    story = adventure.load_story(str(FEATURES))
    first = adventure.view(story, adventure.new_game(story, 1).state).paragraphs
    assert first and done.stdout == "".join(paragraph + "\n" for paragraph in first)


def test_the_old_names_are_the_public_functions_themselves() -> None:
    from adventure import engine, loader

    assert (loader.load_story, loader.check_story) == (adventure.load_story, adventure.check_story)
    assert (engine.new_game, engine.view, engine.choose) == (adventure.new_game, adventure.view, adventure.choose)
