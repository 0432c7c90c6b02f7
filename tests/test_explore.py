"""The explorer: random playthroughs and the exhaustive search find what they should."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FEATURES, StoryDir

from adventure.cli import main
from adventure.rules.state import GameState
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


CHANCE = {
    "story.yaml": """\
        id: chance
        title: Chance
        version: 1
        start: table
        variables:
          dice: {type: int, min: 1, max: 6, default: 1}
        """,
    "scenes.yaml": """\
        scenes:
          - id: table
            title: Table
            text: Dice.
            choices:
              - label: Throw
                goto: result
                effects: [{roll: {into: dice, min: 1, max: 6}}]
          - id: result
            title: Result
            text: You threw {dice}.
            choices:
              - label: Collect
                goto: win
                if: dice == 6
              - label: Walk away
                goto: lose
                if: dice < 6
          - id: win
            title: Win
            text: Six.
            ending: {id: win, name: Win}
          - id: lose
            title: Lose
            text: Not six.
            ending: {id: lose, name: Lose}
        """,
}


def test_a_path_through_a_roll_prints_the_seed_that_replays_it(story_dir: StoryDir, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    root = story_dir(CHANCE)
    assert main(["explore", str(root), "--exhaustive"]) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.strip().startswith("win"))
    seed = int(line.rsplit("(seed ", 1)[1].rstrip(")"))
    played = io.StringIO()
    main(["play", "--story", str(root), "--plain", "--seed", str(seed)], stdin=io.StringIO("1\n1\n"), stdout=played)
    assert "Ending 1 of 2 found: Win" in played.getvalue() or "found: Win" in played.getvalue()


def test_replay_commands_name_the_story_explored(story_dir: StoryDir, capsys: pytest.CaptureFixture[str]) -> None:
    root = story_dir(FLAWED)
    main(["explore", str(root), "--random", "50", "--seed", "3"])
    replay = next(line for line in capsys.readouterr().out.splitlines() if "replay:" in line)
    assert f"--story {root}" in replay
    main(["explore", str(root), "--exhaustive"])
    replay = next(line for line in capsys.readouterr().out.splitlines() if "replay:" in line)
    assert f"--story {root}" in replay


def test_the_text_report_says_how_many_failures_it_left_out(story_dir: StoryDir, capsys: pytest.CaptureFixture[str]) -> None:
    root = story_dir(FLAWED)
    story = load_story(str(root))
    total = len(explore.random_playthroughs(story, 200, seed=3).failures)
    assert total > 20
    main(["explore", str(root), "--random", "200", "--seed", "3"])
    out = capsys.readouterr().out
    assert f"Failures: {total} (the first 20 below)" in out
    assert f"... and {total - 20} more failures: `adventure explore {root} --random 200 --seed 3 --format json` lists them all" in out
    main(["explore", str(root), "--random", "200", "--seed", "3", "--format", "json"])
    assert len(json.loads(capsys.readouterr().out)["failures"]) == total


def test_a_search_stopped_by_the_clock_exits_4_and_says_so(story_dir: StoryDir, capsys: pytest.CaptureFixture[str]) -> None:
    root = story_dir(FLAWED)
    report = explore.exhaustive(load_story(str(root)), max_seconds=0.0)
    assert not report.complete and report.limit == "seconds"
    assert main(["explore", str(root), "--exhaustive", "--max-seconds", "0.000001"]) == 4
    assert "--max-seconds" in capsys.readouterr().out
    assert main(["explore", str(root), "--exhaustive", "--max-states", "3", "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["limit"] == "states"


HUB = {
    "story.yaml": """\
        id: hub
        title: Hub
        version: 1
        start: hub
        variables:
          items: {type: set, members: [a, b]}
          answer: {type: string}
        """,
    "scenes.yaml": """\
        scenes:
          - id: hub
            title: Hub
            text: The square.
            choices:
              - label: Go to a
                goto: place
                effects: [{add: {items: a}}]
              - label: Go to b
                goto: place
                effects: [{add: {items: b}}]
              - label: Ask the way
                goto: hub
                if: visits("hub") >= 3
              - label: Leave
                goto: out
                if: size(items) == 2
          - id: place
            title: Place
            text: A place.
            on_enter: [{pick: {into: answer, from: [yes, no]}}]
            choices:
              - label: Listen
                goto: hub
                if: answer == "yes"
              - label: Back
                goto: hub
          - id: out
            title: Out
            text: Out.
            ending: {id: out, name: Out}
        """,
}


def test_visit_counts_compared_with_constants_are_kept_only_up_to_the_largest(story_dir: StoryDir) -> None:
    story = load_story(str(story_dir(HUB)))
    assert liveness.counters(story).visits == {"hub": 4}
    report = explore.exhaustive(story, max_states=10_000)
    assert report.complete  # without the cap, each return to the hub would be a new state, forever
    key = liveness.key_function(story)
    from adventure.rules import engine

    def round_trip(state: GameState) -> GameState:  # to the place and back
        at_place = engine.choose(story, state, 1).state
        return engine.choose(story, at_place, engine.find_choice(engine.view(story, at_place), "Back") or 0).state

    state = engine.new_game(story).state
    assert key(round_trip(state)) != key(state)  # visits 1 and 2 differ: `>= 3` may still change
    seen = [state]
    for _ in range(6):
        seen.append(round_trip(seen[-1]))
    assert key(seen[-1]) == key(seen[-2])  # 4 visits and more are alike


def test_a_variable_overwritten_before_it_is_read_is_not_live(story_dir: StoryDir) -> None:
    live = liveness.live_items(load_story(str(story_dir(HUB))))
    assert ("var", "answer", "") not in live["hub"]  # every way on sets it before reading it
    assert ("var", "answer", "") in live["place"]
    assert ("member", "items", "a") not in live["out"]


def test_a_counter_used_in_arithmetic_is_kept_exactly(story_dir: StoryDir) -> None:
    files = dict(HUB)
    files["scenes.yaml"] = files["scenes.yaml"].replace('visits("hub") >= 3', 'visits("hub") - 1 >= 2')
    assert liveness.counters(load_story(str(story_dir(files)))).visits == {"hub": None}


def test_a_once_only_choice_taken_kills_its_mark(story_dir: StoryDir) -> None:
    live = liveness.live_items(load_story(str(story_dir(FLAWED))))
    assert ("used", "gate#1", "") in live["gate"]


def test_the_generated_hub_story_explores_completely(tmp_path: Path) -> None:
    import importlib.util

    from conftest import ROOT

    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    generate.generate_hub(3, str(tmp_path / "hub"))
    report = explore.exhaustive(load_story(str(tmp_path / "hub")), max_states=100_000)
    assert report.complete and report.soft_locks == [] and all(path is not None for path in report.endings.values())


def test_a_policy_shifts_the_ending_distribution_the_way_it_weights(story_dir: StoryDir, capsys: pytest.CaptureFixture[str]) -> None:
    from adventure.tools.policy import PolicyError, choice_weights, parse_policy

    story = load_story(str(story_dir(FLAWED)))
    greedy = parse_policy("greedy:coins=50", story)
    assert choice_weights(story, greedy)["gate#2"] == 50 and choice_weights(story, greedy)["gate#3"] == 1
    uniform = explore.random_playthroughs(story, 300, seed=2)
    weighted = explore.random_playthroughs(story, 300, seed=2, weights=choice_weights(story, greedy))
    assert weighted.choice_hits["gate#2"] > 3 * uniform.choice_hits["gate#2"]
    for bad in ("greedy", "greedy:coin=2", "greedy:coins=0", "greedy:coins=x"):
        try:
            parse_policy(bad, story)
        except PolicyError as err:
            assert "coins" in str(err) or "NAME" in str(err) or "weight" in str(err)
        else:
            raise AssertionError(bad)
    root = story_dir(FLAWED)
    assert main(["explore", str(root), "--random", "100", "--policy", "greedy:coins=50"]) == 1
    out = capsys.readouterr().out
    assert "Endings by policy (100 playthroughs each, seed 0):" in out and "greedy: choices raising coins x50" in out
    assert main(["explore", str(root), "--random", "100", "--policy", "greedy:coin=2"]) == 2
    assert "did you mean `coins`?" in capsys.readouterr().err


@pytest.mark.parametrize("seed", [0, 1, 3, 5, 6, 7])  # generated stories whose search completes
def test_merging_states_never_hides_a_scene_a_real_playthrough_reaches(tmp_path: Path, seed: int) -> None:
    from storygen import generate_story

    story = load_story(str(generate_story(tmp_path / "story", scenes=6, seed=seed, per_file=6)))
    report = explore.exhaustive(story, max_states=30_000)
    assert report.complete
    played = explore.random_playthroughs(story, 300, seed=seed, max_steps=200)
    assert set(played.scene_hits) <= set(report.scene_paths)  # the merged search reaches all that real games do
    reached_endings = {ending for ending, path in report.endings.items() if path is not None}
    assert set(played.ending_hits) <= reached_endings
