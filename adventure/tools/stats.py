"""A story's statistics (`adventure stats`): words per chapter, kinds of choices, and how long random playthroughs read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from adventure.story.model import Story
from adventure.tools.counts import scene_words

if TYPE_CHECKING:  # for types only: a walkthrough is played only for `stats --walkthrough`
    from adventure.tools.walkthrough import Result


@dataclass(frozen=True, slots=True)
class Chapter:
    """One chapter's counts (words: scene text, every branch and option, labels and replies)."""

    name: str
    scenes: int
    choices: int
    words: int
    endings: int


@dataclass(frozen=True, slots=True)
class Reading:
    """How long playthroughs ending one way were, in words read and choices made."""

    ending: str  # an ending id, or "" for playthroughs that reached none
    runs: int
    words: tuple[int, int, int]  # min, median, max
    turns: tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Statistics:
    """What `adventure stats` reports on a story."""

    title: str
    chapters: tuple[Chapter, ...]
    changing: int  # choices with effects or a once-only mark: taking them changes the state
    plain: int  # choices that only move
    same_result: int  # choices without a reply that have the same target, flow and effects as another in their scene
    in_multi_choice: int  # choices in scenes that offer more than one: the base same_result is measured against
    single_choice: tuple[str, ...]  # scenes (not endings) that offer one choice only
    runs: int
    seed: int
    readings: tuple[Reading, ...]


def _middle(values: list[int]) -> tuple[int, int, int]:
    ordered = sorted(values)
    return ordered[0], ordered[(len(ordered) - 1) // 2], ordered[-1]  # the lower median: a value some playthrough had


def statistics(story: Story, runs: int = 1000, seed: int = 0, max_steps: int = 2000) -> Statistics:
    """Counts of the story as written, and the reading length of `runs` seeded random playthroughs."""
    from adventure.tools.randomwalk import random_playthroughs

    by_chapter: dict[str, list[int]] = {}
    changing = plain = same_result = in_multi_choice = 0
    single: list[str] = []
    for scene in story.scenes.values():
        counts = by_chapter.setdefault(scene.chapter, [0, 0, 0, 0])
        counts[0] += 1
        counts[1] += len(scene.choices)
        counts[2] += scene_words(scene)
        counts[3] += scene.ending is not None
        results: dict[tuple[object, ...], int] = {}
        for choice in scene.choices:
            if choice.effects or choice.once:
                changing += 1
            else:
                plain += 1
            if choice.reply:
                continue  # a reply is an answer of its own: the player's pick is felt even where it leads
            result = (choice.target, choice.flow, choice.effects)
            results[result] = results.get(result, 0) + 1
        same_result += sum(count for count in results.values() if count > 1)
        if len(scene.choices) > 1:
            in_multi_choice += len(scene.choices)
        if scene.ending is None and len(scene.choices) == 1:
            single.append(scene.id)
    chapters = tuple(Chapter(name, *counts) for name, counts in by_chapter.items())
    report = random_playthroughs(story, runs, seed, max_steps, measure_reading=True) if runs else None
    grouped: dict[str, list[tuple[int, int]]] = {}
    for ending, words, turns in report.readings if report else ():
        grouped.setdefault(ending or "", []).append((words, turns))
    order = [scene.ending.id for scene in story.endings() if scene.ending is not None] + [""]
    readings = tuple(
        Reading(ending, len(grouped[ending]), _middle([w for w, _ in grouped[ending]]), _middle([t for _, t in grouped[ending]]))
        for ending in order
        if ending in grouped
    )
    return Statistics(story.title, chapters, changing, plain, same_result, in_multi_choice, tuple(single), runs, seed, readings)


def statistics_text(facts: Statistics) -> list[str]:
    sums = (sum(getattr(chapter, name) for chapter in facts.chapters) for name in ("scenes", "choices", "words", "endings"))
    total = Chapter("Total", *sums)
    width = max(24, *(len(chapter.name) + 2 for chapter in facts.chapters))
    lines = [f"{facts.title}", "", f"{'chapter':<{width}} {'scenes':>7} {'choices':>8} {'words':>8} {'endings':>8}"]
    for chapter in (*facts.chapters, total):
        lines.append(f"{chapter.name:<{width}} {chapter.scenes:>7,} {chapter.choices:>8,} {chapter.words:>8,} {chapter.endings:>8,}")
    choices = facts.changing + facts.plain
    lines += [
        "",
        f"Choices that change the state (effects or once-only): {facts.changing:,} of {choices:,} ({facts.changing / max(choices, 1):.0%})",
        f"Choices with the same result as another in their scene (same target, effects, no reply): {facts.same_result:,}"
        f" of {facts.in_multi_choice:,} in scenes with several ({facts.same_result / max(facts.in_multi_choice, 1):.0%})",
        f"Scenes offering a single choice: {len(facts.single_choice):,}"
        + (f" ({', '.join(facts.single_choice[:8])}{', ...' if len(facts.single_choice) > 8 else ''})" if facts.single_choice else ""),
    ]
    if facts.runs:
        lines += ["", f"Reading length of {facts.runs:,} random playthroughs (seed {facts.seed}), min / median / max:"]
        lines.append(f"  {'ending':<24} {'runs':>6}  {'words':>24}  {'choices':>16}")
        for reading in facts.readings:
            words = " / ".join(f"{value:,}" for value in reading.words)
            turns = " / ".join(f"{value:,}" for value in reading.turns)
            lines.append(f"  {reading.ending or '(no ending)':<24} {reading.runs:>6,}  {words:>24}  {turns:>16}")
    return lines


def statistics_json(facts: Statistics) -> dict[str, object]:
    return {
        "title": facts.title,
        "chapters": [
            {"name": c.name, "scenes": c.scenes, "choices": c.choices, "words": c.words, "endings": c.endings} for c in facts.chapters
        ],
        "choices": {
            "change_state": facts.changing, "only_move": facts.plain, "same_result": facts.same_result,
            "in_multi_choice_scenes": facts.in_multi_choice,
        },
        "single_choice_scenes": list(facts.single_choice),
        "playthroughs": {"runs": facts.runs, "seed": facts.seed},
        "reading": [
            {
                "ending": reading.ending or None, "runs": reading.runs,
                "words": dict(zip(("min", "median", "max"), reading.words, strict=True)),
                "choices": dict(zip(("min", "median", "max"), reading.turns, strict=True)),
            }
            for reading in facts.readings
        ],
    }


# --- adventure stats --walkthrough ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunScreens:
    """The screens a walkthrough's run showed: each scene view it chose from (a scene listed
    again after a reply counts again), and the last if it is not an ending."""

    path: str
    name: str
    screens: int
    single_choice: tuple[str, ...]  # the scene of each screen that offered exactly one choice, in order


def run_screens(result: Result) -> RunScreens:
    """Count a passed walkthrough's screens; an ending is not a screen with choices."""
    shown = [screen for screen in result.screens if not screen.ending]
    single = tuple(screen.scene for screen in shown if screen.offered == 1)
    return RunScreens(result.path, result.name, len(shown), single)


def run_screens_text(run: RunScreens) -> list[str]:
    share = len(run.single_choice) / run.screens if run.screens else 0.0
    lines = [f"{run.name} ({run.path})", f"  screens on this run: {run.screens:,}, single-choice: {len(run.single_choice):,} ({share:.0%})"]
    if run.single_choice:
        lines.append("  single-choice: " + ", ".join(run.single_choice))
    return lines


def run_screens_json(run: RunScreens) -> dict[str, object]:
    return {
        "path": run.path, "name": run.name, "screens": run.screens, "single_choice": len(run.single_choice),
        "single_choice_share": round(len(run.single_choice) / run.screens, 4) if run.screens else 0.0,
        "single_choice_scenes": list(run.single_choice),
    }
