"""A generator of large, valid stories that use every feature: for long play and fuzzing."""

from __future__ import annotations

import json
import random
from pathlib import Path

FLAGS = [f"f{i}" for i in range(10)]


def _conditions(rng: random.Random, scenes: int) -> str:
    return rng.choice([
        f"gold >= {rng.randint(1, 20)}",
        f'"{rng.choice(FLAGS)}" in flags',
        f'"{rng.choice(FLAGS)}" not in flags and hp > 2',
        f'visits("s{rng.randrange(scenes)}") > 0',
        "brave or turn > 50",
        f'size(flags) >= {rng.randint(1, 5)}',
        'unlocked("c1")',
        'name != "nobody"',
    ])


def _effects(rng: random.Random, codex: int) -> list[dict[str, object]]:
    pool: list[dict[str, object]] = [
        {"add": {"gold": rng.randint(1, 9)}},
        {"subtract": {"hp": rng.randint(1, 3)}},
        {"add": {"hp": 1}},
        {"add": {"flags": rng.sample(FLAGS, rng.randint(1, 3))}},
        {"remove": {"flags": rng.choice(FLAGS)}},
        {"set": {"brave": rng.random() < 0.5}},
        {"set": {"gold": {"expr": "gold + size(flags)"}}},
        {"unlock": f"c{rng.randrange(codex)}"},
        {"roll": {"into": "dice", "min": 1, "max": 6}},
        {"pick": {"into": "name", "from": ["Rouge", "Naomi", "Jean", "nobody"]}},
    ]
    return rng.sample(pool, rng.randint(0, 3))


def generate_story(root: Path, scenes: int = 150, seed: int = 0, per_file: int = 25) -> Path:
    """Write a story of `scenes` scenes into `root` (JSON is YAML, and always well formed)."""
    rng = random.Random(seed)
    codex = 12
    root.mkdir(parents=True, exist_ok=True)
    header = {
        "id": f"generated-{seed}",
        "title": f"Generated {scenes}",
        "version": 1,
        "start": "s0",
        "variables": {
            "gold": {"type": "int", "default": 0, "min": 0, "max": 99},
            "hp": {"type": "int", "default": 10, "min": 0, "max": 10},
            "dice": {"type": "int", "default": 1, "min": 1, "max": 6},
            "brave": {"type": "bool"},
            "name": {"type": "string", "default": "nobody"},
            "flags": {"type": "set", "members": FLAGS},
        },
        "status": "gold {gold} · hp {hp} · flags {size(flags)} · {name}",
        "codex": {
            f"c{i}": {"title": f"Entry {i}", "text": [f"Lore {i}.", {"if": "gold > 10", "text": "You can afford more."}]}
            for i in range(codex)
        },
    }
    (root / "story.yaml").write_text(json.dumps(header, indent=1), encoding="utf-8")
    endings = [i for i in range(1, scenes) if rng.random() < 0.04] or [scenes - 1]
    for first in range(0, scenes, per_file):
        items = []
        for i in range(first, min(first + per_file, scenes)):
            scene: dict[str, object] = {
                "id": f"s{i}",
                "title": f"Room {i} ({{gold}} gold)",
                "recap": f"You passed room {i}.",
                "text": [
                    f"Room {i}. You have {{gold}} gold, {{hp}} hp and the flags {{flags}}.",
                    {"if": _conditions(rng, scenes), "text": "Something has changed here.", "else": "All is as it was."},
                ],
            }
            if rng.random() < 0.3:
                scene["on_enter"] = _effects(rng, codex)
            if i in endings:
                scene["ending"] = {"id": f"e{i}", "name": f"Ending {i}", "canonical": i == endings[0]}
            else:
                choices: list[dict[str, object]] = []
                for n in range(rng.randint(1, 5)):
                    choice: dict[str, object] = {"label": f"Go to {n} ({{dice}})", "goto": f"s{rng.randrange(scenes)}"}
                    if rng.random() < 0.5:
                        choice["if"] = _conditions(rng, scenes)
                        if rng.random() < 0.5:
                            choice["disabled"] = "Not yet, {name}."
                    if rng.random() < 0.2:
                        choice["once"] = True
                    effects = _effects(rng, codex)
                    if effects:
                        choice["effects"] = effects
                    choices.append(choice)
                choices.append({"label": "Back to the start", "goto": "s0", "fallback": True})
                scene["choices"] = choices
            items.append(scene)
        chapter = {"chapter": f"Chapter {first // per_file + 1}", "scenes": items}
        (root / f"chapter-{first // per_file:03d}.yaml").write_text(json.dumps(chapter, indent=1), encoding="utf-8")
    return root
