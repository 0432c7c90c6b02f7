"""Human and JSON renderings of the explorer's reports."""

from __future__ import annotations

import shlex
from typing import Any

from adventure.story.model import Story
from adventure.tools.explore import ExhaustiveReport, RandomReport
from adventure.tools.policy import Policy


def _path(path: tuple[int, ...] | None) -> str:
    if path is None:
        return "-"
    return " ".join(str(number) for number in path) if path else "(the start)"


SHOWN = 20  # failures and soft-locks listed in the text report; JSON lists them all


def replay_command(story: Story, path: tuple[int, ...], seed: int | None = None) -> str:
    """The shell command that plays `path` on this story in plain mode (with the seed, if any)."""
    numbers = "\\n".join(str(number) for number in path)
    seed_option = f" --seed {seed}" if seed is not None else ""
    return f"printf '{numbers}\\n' | adventure play --plain --story {shlex.quote(story.root)}{seed_option}"


def _left_out(total: int, what: str, command: str) -> list[str]:
    if total <= SHOWN:
        return []
    return [f"  ... and {total - SHOWN:,} more {what}: `{command} --format json` lists them all"]


def _command(report: RandomReport | ExhaustiveReport, story: Story) -> str:
    if isinstance(report, RandomReport):
        return f"adventure explore {shlex.quote(story.root)} --random {report.runs} --seed {report.seed}"
    return f"adventure explore {shlex.quote(story.root)} --exhaustive"


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
        shown = f" (the first {SHOWN} below)" if len(report.failures) > SHOWN else ""
        lines.append(f"Failures: {len(report.failures):,}{shown}")
        for failure in report.failures[:SHOWN]:
            lines.append(f"  run {failure.run} at {failure.scene}: {failure.message}")
            lines.append(f"    replay: {replay_command(story, failure.path, failure.seed)}")
        lines.extend(_left_out(len(report.failures), "failures", _command(report, story)))
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
            verdict = "UNREACHABLE" if report.complete else "not reached before the search stopped"
            lines.append(f"  {scene.ending.id:<24} {verdict}{mark}")
        else:
            lines.append(f"  {scene.ending.id:<24} reachable in {len(path)} choices{mark}: {_path(path)}{_seed_note(report, path)}")
    lines.append("")
    if not report.complete:
        lines.append("Soft-locks and unreached scenes are only reported for a complete search.")
    else:
        lines.append(f"Scenes never reached: {', '.join(report.unreached_scenes) if report.unreached_scenes else 'none'}")
        if report.soft_locks:
            lines.append(f"Soft-locks: {report.soft_lock_states:,} states from which no ending can be reached. Ways in:")
            for scene_id, path in report.soft_locks[:SHOWN]:
                lines.append(f"  stuck from {scene_id}: {_path(path)}{_seed_note(report, path)}")
                lines.append(f"    replay: {replay_command(story, path, report.seeds.get(path, 0) if report.chance else None)}")
            lines.extend(_left_out(len(report.soft_locks), "ways in", _command(report, story)))
        else:
            lines.append("Soft-locks: none (every reachable state can still reach an ending)")
    if report.chance:
        lines.append("Some paths involve chance (roll/pick): each says the game seed (--seed) whose outcomes replay it.")
    return lines


def _seed_note(report: ExhaustiveReport, path: tuple[int, ...]) -> str:
    if not report.chance:
        return ""
    seed = report.seeds.get(path)
    return f" (seed {seed})" if seed is not None else " (no seed found that replays its rolls and picks)"


def exhaustive_json(report: ExhaustiveReport) -> dict[str, Any]:
    return {
        "mode": "exhaustive", "states": report.states, "edges": report.edges, "complete": report.complete,
        "limit": report.limit or None, "limit_reason": report.limit_reason, "seconds": round(report.seconds, 3), "chance": report.chance,
        "endings": {key: (list(path) if path is not None else None) for key, path in report.endings.items()},
        "seeds": {key: report.seeds.get(path) for key, path in report.endings.items() if path is not None} if report.chance else {},
        "soft_lock_states": report.soft_lock_states,
        "soft_locks": [
            {"scene": scene, "path": list(path), **({"seed": report.seeds.get(path)} if report.chance else {})}
            for scene, path in report.soft_locks
        ],
        "unreached_scenes": report.unreached_scenes,
    }


def policies_text(uniform: RandomReport, by_policy: list[tuple[Policy, RandomReport]], story: Story) -> list[str]:
    """The ending distribution under each policy, beside uniform play, in columns."""
    columns = [("uniform", uniform), *((policy.name, report) for policy, report in by_policy)]
    width = max(12, *(len(name) + 2 for name, _ in columns))
    lines = [f"Endings by policy ({uniform.runs:,} playthroughs each, seed {uniform.seed}):"]
    for policy, _ in by_policy:
        lines.append(f"  {policy.name}: choices raising {policy.describe()}")
    lines.append("  " + " " * 24 + "".join(f"{name:>{width}}" for name, _ in columns))
    for scene in story.endings():
        assert scene.ending is not None
        cells = "".join(f"{report.ending_hits.get(scene.ending.id, 0) / max(report.runs, 1):>{width}.1%}" for _, report in columns)
        lines.append(f"  {scene.ending.id:<24}{cells}")
    stuck = "".join(f"{len(report.failures) / max(report.runs, 1):>{width}.1%}" for _, report in columns)
    lines.append(f"  {'(no ending: failures)':<24}{stuck}")
    return lines


def policies_json(by_policy: list[tuple[Policy, RandomReport]]) -> dict[str, Any]:
    return {
        policy.name: {
            "weights": dict(policy.weights), "ending_hits": report.ending_hits, "failures": len(report.failures),
        }
        for policy, report in by_policy
    }
