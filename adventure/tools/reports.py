"""Human and JSON renderings of the explorer's reports."""

from __future__ import annotations

from typing import Any

from adventure.story.model import Story
from adventure.tools.explore import ExhaustiveReport, RandomReport


def _path(path: tuple[int, ...] | None) -> str:
    if path is None:
        return "-"
    return " ".join(str(number) for number in path) if path else "(the start)"


def _replay(path: tuple[int, ...], seed: int | None = None) -> str:
    numbers = "\\n".join(str(number) for number in path)
    seed_option = f" --seed {seed}" if seed is not None else ""
    return f"printf '{numbers}\\n' | adventure play --plain{seed_option}"


def random_text(report: RandomReport, story: Story) -> list[str]:
    lines = [
        f"{report.runs:,} random playthroughs (seed {report.seed}), {report.steps:,} choices in {report.seconds:.2f} s"
        + (f" ({report.steps / report.seconds:,.0f} choices/s)" if report.seconds > 0 else ""),
        "",
        "Endings:",
    ]
    for scene in story.endings():
        assert scene.ending is not None
        hits = report.ending_hits.get(scene.ending.id, 0)
        mark = " (canonical)" if scene.ending.canonical else ""
        lines.append(f"  {scene.ending.id:<24} {hits:>8,}  {hits / max(report.runs, 1):6.1%}{mark}")
    lines.append("")
    lines.append("Scenes reached (playthroughs):")
    for scene_id in story.scenes:
        hits = report.scene_hits.get(scene_id, 0)
        lines.append(f"  {scene_id:<32} {hits:>8,}  {hits / max(report.runs, 1):6.1%}")
    unreached = report.unreached_scenes(story)
    choices = report.unreached_choices(story)
    lines.append("")
    lines.append(f"Scenes never reached: {', '.join(unreached) if unreached else 'none'}")
    lines.append(f"Choices never taken: {', '.join(choices) if choices else 'none'}")
    if report.failures:
        lines.append("")
        lines.append(f"Failures: {len(report.failures)}")
        for failure in report.failures[:20]:
            lines.append(f"  run {failure.run} at {failure.scene}: {failure.message}")
            lines.append(f"    replay: {_replay(failure.path, failure.seed)}")
    else:
        lines.append("Failures: none")
    return lines


def random_json(report: RandomReport, story: Story) -> dict[str, Any]:
    return {
        "mode": "random", "runs": report.runs, "seed": report.seed, "steps": report.steps,
        "seconds": round(report.seconds, 3), "scene_hits": report.scene_hits, "choice_hits": report.choice_hits,
        "ending_hits": report.ending_hits, "unreached_scenes": report.unreached_scenes(story),
        "unreached_choices": report.unreached_choices(story),
        "failures": [
            {"run": f.run, "seed": f.seed, "path": list(f.path), "scene": f.scene, "message": f.message}
            for f in report.failures
        ],
    }


def exhaustive_text(report: ExhaustiveReport, story: Story) -> list[str]:
    status = "complete" if report.complete else f"INCOMPLETE: {report.limit_reason}"
    lines = [f"Exhaustive search: {report.states:,} states, {report.edges:,} moves, {report.seconds:.2f} s ({status})", "", "Endings:"]
    for scene in story.endings():
        assert scene.ending is not None
        path = report.endings.get(scene.ending.id)
        mark = " (canonical)" if scene.ending.canonical else ""
        if path is None:
            lines.append(f"  {scene.ending.id:<24} UNREACHABLE{mark}")
        else:
            lines.append(f"  {scene.ending.id:<24} reachable in {len(path)} choices{mark}: {_path(path)}")
    lines.append("")
    if not report.complete:
        lines.append("Soft-locks and unreached scenes are only reported for a complete search.")
    else:
        lines.append(f"Scenes never reached: {', '.join(report.unreached_scenes) if report.unreached_scenes else 'none'}")
        if report.soft_locks:
            lines.append(f"Soft-locks: {report.soft_lock_states:,} states from which no ending can be reached. Ways in:")
            for scene_id, path in report.soft_locks[:20]:
                lines.append(f"  stuck from {scene_id}: {_path(path)}")
        else:
            lines.append("Soft-locks: none (every reachable state can still reach an ending)")
    if report.chance:
        lines.append("Some paths involve chance (roll/pick): replaying them needs the same random outcomes.")
    return lines


def exhaustive_json(report: ExhaustiveReport) -> dict[str, Any]:
    return {
        "mode": "exhaustive", "states": report.states, "edges": report.edges, "complete": report.complete,
        "limit_reason": report.limit_reason, "seconds": round(report.seconds, 3), "chance": report.chance,
        "endings": {key: (list(path) if path is not None else None) for key, path in report.endings.items()},
        "soft_lock_states": report.soft_lock_states,
        "soft_locks": [{"scene": scene, "path": list(path)} for scene, path in report.soft_locks],
        "unreached_scenes": report.unreached_scenes,
    }
