"""The shipped story: sound, complete, every ending earned, the bible's beats in order."""

from __future__ import annotations

import pytest
from conftest import SHIPPED

from adventure.rules import engine
from adventure.story.loader import load_story
from adventure.tools import explore
from adventure.tools.analysis import analyse
from adventure.tools.counts import text_words

STORY = load_story(str(SHIPPED))

# The bible's plot beats, in order, each as the scenes that carry it (any one counts).
BEATS: list[tuple[str, list[str]]] = [
    ("1 Jean's briefing", ["prologue.briefing"]), ("1 Naomi and her bird", ["prologue.bird"]),
    ("2 Club Canal", ["canal.club"]), ("2 the hijacked Nectar deal", ["canal.hijack"]),
    ("2 Sarah is Purgatory Viola", ["canal.reveal"]), ("2 the first Id", ["canal.id"]),
    ("3 the bus", ["bus.station"]), ("3 Naomi tells the war", ["bus.window"]), ("3 the Usurper war machine", ["bus.machine"]),
    ("4 the Council of Free Neans", ["wellstown.council"]), ("4 Juval murdered, Rouge framed", ["wellstown.murder"]),
    ("4 the massacre", ["wellstown.massacre", "wellstown.massacre_heard"]), ("4 making up", ["wellstown.making_up"]),
    ("4 Dumas is Jaron", ["wellstown.jaron"]), ("4 Afdal is Verde", ["wellstown.verde"]),
    ("5 the dream machine", ["carnival.dream"]), ("5 the black Gladiator", ["carnival.noir"]),
    ("6 murders on the liner", ["liner.murder"]), ("6 Rouge's double", ["liner.double"]), ("6 Jaron falls", ["liner.jaron"]),
    ("6 Aes and Alice", ["liner.aerkos"]), ("6 the arrest", ["liner.arrest"]),
    ("7 prison without Nectar", ["earth.cell"]), ("7 Naomi's true office", ["earth.naomi"]), ("7 Jean removed", ["earth.jean"]),
    ("7 Jill frees Rouge", ["earth.jill"]),
    ("8 Eva Cristella", ["archive.eva"]), ("8 Code Eve", ["archive.code"]), ("8 Cyan", ["archive.cyan"]),
    ("8 Alter attacks the Ministry", ["archive.ministry"]), ("8 Noid dies", ["archive.noid"]), ("8 Jet Black Noir", ["archive.noir"]),
    ("9 Rouge against Cyan", ["visitors.cyan"]), ("9 Eden's Id torn out", ["visitors.eden"]), ("9 Jean taken", ["visitors.jean"]),
    ("9 Naomi the first Nean", ["visitors.naomi"]), ("9 the Venus plan", ["visitors.plan"]),
    ("10 the way to Venus", ["venus.approach"]), ("10 Alter wins Jean and the carnival over", ["venus.council"]),
    ("10 Cyan goes to the Puppet Master", ["venus.cyan_leaves"]),
    ("11 Grauphon falls", ["stronghold.grauphon_falls"]), ("11 Silvia takes Rouge's Id", ["stronghold.speared"]),
    ("11 Naomi gives Rouge her Id", ["stronghold.naomi_id"]), ("11 the Puppet Master is Roy", ["stronghold.unmasked"]),
    ("12 the Nine shut down", ["roy.shutdown"]), ("13 the final battle", ["battle.start"]), ("13 the combined powers", ["battle.combine"]),
    ("14 Code Eve activated", ["eve.activate"]), ("15 Opera the Usurper", ["eve.opera"]), ("15 Eve's antivirus", ["eve.antivirus"]),
    ("16 the war against the Usurpers", ["epilogue.front"]),
]
CANONICAL = next(scene.id for scene in STORY.endings() if scene.ending is not None and scene.ending.canonical)
GRAPH = {scene_id: {choice.target for choice in scene.choices} for scene_id, scene in STORY.scenes.items()}


def reachable_without(removed: set[str]) -> set[str]:
    """Scenes reachable from the start in the scene graph (every choice, whatever its condition)."""
    seen = {STORY.start} - removed
    stack = list(seen)
    while stack:
        for target in GRAPH[stack.pop()]:
            if target not in seen and target not in removed:
                seen.add(target)
                stack.append(target)
    return seen


def test_the_story_checks_clean_in_strict_mode() -> None:
    assert [problem.format() for problem in analyse(STORY)] == []


@pytest.mark.parametrize(("index", "beat"), list(enumerate(BEATS)), ids=[name for name, _ in BEATS])
def test_every_path_to_the_canonical_ending_passes_each_beat_in_order(index: int, beat: tuple[str, list[str]]) -> None:
    # The scene graph with every choice allowed has more paths than play does, so a beat
    # that no graph path can skip is one that no playthrough can skip.
    name, scenes = beat
    assert all(scene in STORY.scenes for scene in scenes), name
    without = reachable_without(set(scenes))
    assert CANONICAL not in without, f"a path reaches the canonical ending without beat {name}"
    if index + 1 < len(BEATS):
        following_name, following = BEATS[index + 1]
        assert not set(following) & without, f"a path reaches {following_name} before {name}"


def test_exhaustive_search_reaches_every_ending_and_scene_with_no_soft_lock() -> None:
    report = explore.exhaustive(STORY)
    assert report.complete
    assert all(path is not None for path in report.endings.values()), report.endings
    assert report.unreached_scenes == []
    assert report.soft_locks == []


def test_there_are_four_endings_and_one_is_canonical() -> None:
    endings = {scene.ending.id: scene.ending.canonical for scene in STORY.endings() if scene.ending}
    assert endings == {"free": True, "sealed": False, "roy_wins": False, "virus": False}


@pytest.mark.parametrize("scene", [scene.id for scene in STORY.endings()])
def test_each_ending_says_what_became_of_the_neans_rouge_and_naomi(scene: str) -> None:
    state = engine.start_at(STORY, scene).state
    text = " ".join(engine.render_text(STORY.scenes[scene].text, state))
    assert "Nean" in text and "Naomi" in text and " you" in text.lower()


PARTS = {
    "I": (("01", "02", "03"), 25, 6000),
    "II": (("04", "05", "06", "07", "08", "09"), 40, 10000),
    "III": (("10", "11", "12", "13", "14", "15"), 30, 7000),
}


@pytest.mark.parametrize("part", sorted(PARTS))
def test_each_part_is_at_least_as_long_as_planned(part: str) -> None:
    prefixes, least_scenes, least_words = PARTS[part]
    scenes = [scene for scene in STORY.scenes.values() if scene.where.path.rsplit("/", 1)[-1][:2] in prefixes]
    assert len(scenes) >= least_scenes
    assert sum(text_words(scene.text) for scene in scenes) >= least_words


def test_the_codex_explains_the_world() -> None:
    wanted = {
        "neans", "asimov_laws", "nectar", "ids", "immortal_nine", "ministry_of_truth", "usurpers", "visitors", "gladiators",
        "code_eve", "eva_cristella", "alter", "carnival", "ministry_of_protection", "proto_neans", "venus", "naomi",
        "puppet_master", "roy_yunghart", "cyan", "opera", "virus_and_antivirus",
    }
    assert wanted <= set(STORY.codex)


def test_the_status_line_counts_the_two_ids_already_in_the_vault() -> None:
    state = engine.new_game(STORY).state
    assert "Ids 2/9" in engine.status_line(STORY, state)


def test_most_scenes_offer_a_real_choice() -> None:
    playable = [scene for scene in STORY.scenes.values() if scene.ending is None]
    with_two = [scene for scene in playable if len(scene.choices) >= 2]
    assert len(with_two) > len(playable) / 2  # "most scenes offer two or more"
    disabled = [choice for scene in playable for choice in scene.choices if choice.disabled is not None]
    assert len(disabled) >= 20
