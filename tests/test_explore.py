"""The explorer: random playthroughs and the exhaustive search find what they should."""

from __future__ import annotations

import json

import pytest
from conftest import FEATURES, StoryDir

from adventure.cli import main
from adventure.story.loader import load_story
from adventure.tools import explore, liveness

FLAWED = {
    "story.yaml": """\
        id: flawed
        title: Flawed
        version: 1
        start: gate
        variables:
          key: {type: bool}
          coins: {type: int, max: 3}
          notes: {type: set, members: [a, b, c]}
        """,
    "scenes.yaml": """\
        scenes:
          - id: gate
            title: Gate
            text: A gate.
            choices:
              - label: Pick up the key
                goto: gate
                once: true
                effects: [{set: {key: true}}]
              - label: Earn a coin
                goto: gate
                if: coins < 3
                effects: [{add: {coins: 1}}]
              - label: Enter the maze
                goto: maze
              - label: Throw the key in the moat
                goto: moat
          - id: moat
            title: Moat
            text: The key sinks.
            on_enter: [{set: {key: false}}]
            choices:
              - label: Go to the door
                goto: door
          - id: maze
            title: Maze
            text: A maze.
            choices:
              - label: Go to the door
                goto: door
          - id: door
            title: Door
            text: A locked door.
            choices:
              - label: Unlock it
                goto: home
                if: key
              - label: Bribe the guard
                goto: home
                if: coins >= 5
          - id: home
            title: Home
            text: Home.
            ending: {id: home, name: Home, canonical: true}
          - id: secret
            title: Secret
            text: Nobody gets here.
            ending: {id: secret, name: Secret}
        """,
}


def test_random_playthroughs_count_scenes_choices_endings_and_failures(story_dir: StoryDir) -> None:
    story = load_story(str(story_dir(FLAWED)))
    report = explore.random_playthroughs(story, 300, seed=5)
    assert report.runs == 300 and report.scene_hits["gate"] == 300
    assert report.ending_hits.get("home", 0) > 0 and "secret" not in report.ending_hits
    assert "secret" in report.unreached_scenes(story)
    assert any(failure.message.startswith("no choice can be taken") and failure.scene == "door" for failure in report.failures)
    assert sum(report.ending_hits.values()) + len(report.failures) == 300


def test_random_playthroughs_are_deterministic_for_a_seed() -> None:
    story = load_story(str(FEATURES))
    first = explore.random_playthroughs(story, 200, seed=9)
    second = explore.random_playthroughs(story, 200, seed=9)
    other = explore.random_playthroughs(story, 200, seed=10)
    assert (first.scene_hits, first.choice_hits, first.ending_hits) == (second.scene_hits, second.choice_hits, second.ending_hits)
    assert first.choice_hits != other.choice_hits


def test_a_failure_path_replays_in_plain_mode_to_the_same_scene(story_dir: StoryDir, capsys: pytest.CaptureFixture[str]) -> None:
    root = story_dir(FLAWED)
    story = load_story(str(root))
    failure = next(f for f in explore.random_playthroughs(story, 100, seed=1).failures if f.scene == "door")
    script = "\n".join(str(number) for number in failure.path) + "\nstatus\n"
    import io
    out = io.StringIO()
    main(["play", "--story", str(root), "--plain", "--seed", str(failure.seed)], stdin=io.StringIO(script), stdout=out)
    status_output = out.getvalue().rsplit("> ", 2)[-2]
    assert status_output.startswith("Door\n")


def test_exhaustive_search_finds_endings_soft_locks_and_unreached_scenes(story_dir: StoryDir) -> None:
    story = load_story(str(story_dir(FLAWED)))
    report = explore.exhaustive(story)
    assert report.complete
    assert report.endings["home"] == (1, 2, 1, 1)  # key (then gone from the list), maze, door, unlock
    assert report.endings["secret"] is None
    assert report.unreached_scenes == ["secret"]
    stuck_scenes = {scene for scene, _ in report.soft_locks}
    assert "moat" in stuck_scenes or "maze" in stuck_scenes
    assert report.soft_lock_states > 0
    for scene, path in report.soft_locks:
        assert path, scene


def test_exhaustive_search_follows_every_outcome_of_chance() -> None:
    story = load_story(str(FEATURES))
    report = explore.exhaustive(story)
    assert report.complete and report.chance
    assert report.endings["rich"] is not None and report.endings["poor"] is not None
    assert report.soft_locks == [] and report.unreached_scenes == []


def test_exhaustive_search_stops_at_its_state_limit(story_dir: StoryDir) -> None:
    story = load_story(str(story_dir(FLAWED)))
    report = explore.exhaustive(story, max_states=3)
    assert not report.complete and "3 states" in report.limit_reason
    assert report.soft_locks == [] and report.unreached_scenes == []


def test_live_items_drop_what_nothing_ahead_can_read(story_dir: StoryDir) -> None:
    story = load_story(str(story_dir(FLAWED)))
    live = liveness.live_items(story)
    assert ("var", "key", "") in live["gate"] and ("var", "key", "") in live["door"]
    assert ("var", "coins", "") in live["maze"]
    assert live["home"] == () and live["secret"] == ()
    assert ("used", "gate#1", "") not in live["maze"]


def test_set_membership_tests_make_only_that_member_live(story_dir: StoryDir) -> None:
    files = dict(FLAWED)
    files["scenes.yaml"] = files["scenes.yaml"].replace("if: key\n", "if: '\"b\" in notes'\n")
    story = load_story(str(story_dir(files)))
    assert ("member", "notes", "b") in liveness.live_items(story)["door"]
    assert not any(item[1] == "notes" and item[0] == "var" for item in liveness.live_items(story)["door"])


def test_explore_cli_reports_and_exit_codes(story_dir: StoryDir, capsys: pytest.CaptureFixture[str]) -> None:
    root = story_dir(FLAWED)
    assert main(["explore", str(root), "--exhaustive"]) == 1
    out = capsys.readouterr().out
    assert "secret                   UNREACHABLE" in out and "Soft-locks:" in out and "Scenes never reached: secret" in out
    assert main(["explore", str(FEATURES), "--exhaustive", "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["complete"] and payload["soft_locks"] == [] and payload["endings"]["rich"]
    assert main(["explore", str(root), "--random", "50", "--seed", "3"]) == 1
    out = capsys.readouterr().out
    assert "50 random playthroughs (seed 3)" in out and "replay: printf" in out
    assert main(["explore", str(FEATURES), "--random", "0"]) == 2
