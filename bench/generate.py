"""Generate a synthetic story of N scenes (seeded, deterministic) for benchmarks.

The shape follows the performance issue: about 80 words a scene, 3 choices a scene, about
40% of choices guarded by conditions on flags, counters and a set, most choices with
effects, some conditional text and interpolation, about 4% of scenes endings.

    python bench/generate.py 10000 /tmp/story-10k [--seed 1] [--per-file 500]
"""

from __future__ import annotations

import argparse
import os
import random

WORDS = [
    "rain",
    "city",
    "neon",
    "street",
    "window",
    "signal",
    "rust",
    "engine",
    "shadow",
    "glass",
    "quiet",
    "light",
    "tower",
    "harbour",
    "market",
    "wire",
    "song",
    "distant",
    "machine",
    "river",
    "stone",
    "cold",
    "warm",
    "door",
    "careful",
    "sudden",
    "bright",
    "hollow",
    "voice",
    "memory",
    "ticket",
    "station",
    "orbit",
    "dust",
    "lantern",
    "bridge",
    "canal",
    "velvet",
    "static",
    "iron",
    "thread",
    "whisper",
    "patient",
    "ordinary",
    "strange",
    "small",
    "enormous",
    "slow",
    "quick",
    "red",
    "blue",
]
FLAGS = 20
COUNTERS = 10
MEMBERS = 20


def sentence(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(WORDS) for _ in range(words)]
    return chosen[0].capitalize() + " " + " ".join(chosen[1:]) + "."


def paragraph(rng: random.Random, words: int) -> str:
    parts, left = [], words
    while left > 0:
        size = min(left, rng.randint(6, 14))
        parts.append(sentence(rng, size))
        left -= size
    return " ".join(parts)


def condition(rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return f"flag{rng.randrange(FLAGS)}"
    if kind == 1:
        return f"counter{rng.randrange(COUNTERS)} >= {rng.randint(1, 5)}"
    if kind == 2:
        return f'"m{rng.randrange(MEMBERS)}" in items'
    return f"not flag{rng.randrange(FLAGS)} or size(items) > {rng.randint(1, 6)}"


def effects(rng: random.Random) -> list[str]:
    kind = rng.randrange(4)
    if kind == 0:
        return [f"- set: {{flag{rng.randrange(FLAGS)}: {rng.choice(['true', 'false'])}}}"]
    if kind == 1:
        return [f"- add: {{counter{rng.randrange(COUNTERS)}: {rng.choice([1, 1, 2, -1])}}}"]
    if kind == 2:
        return [f"- add: {{items: m{rng.randrange(MEMBERS)}}}"]
    return []  # about a quarter of choices change nothing


def scene(rng: random.Random, index: int, count: int) -> list[str]:
    lines = [f"  - id: s{index}", f"    title: Scene {index} {rng.choice(WORDS)}"]
    if index % 7 == 0:
        lines.append(f"    recap: You passed scene {index}.")
    is_ending = index > 0 and rng.random() < 0.04
    body = [paragraph(rng, 45), paragraph(rng, 30) + " Counter one reads {counter1}."]
    lines.append("    text:")
    for text in body:
        lines.append(f"      - {text}")
    if rng.random() < 0.2:
        lines.append(f"      - if: {condition(rng)!r}")
        lines.append(f"        text: {paragraph(rng, 12)}")
    if is_ending:
        lines.append(f"    ending: {{id: e{index}, name: Ending {index}}}")
        return lines
    lines.append("    choices:")
    for number in range(3):
        target = rng.randrange(1, count) if number else min(index + 1 + rng.randrange(3), count - 1)
        lines.append(f"      - label: {sentence(rng, 4)}")
        lines.append(f"        goto: s{target}")
        if number and rng.random() < 0.6:  # with the first choice never guarded: ~40% overall
            lines.append(f"        if: {condition(rng)!r}")
        changes = effects(rng)
        if changes:
            lines.append("        effects:")
            lines.extend(f"          {change}" for change in changes)
    return lines


def story_yaml(count: int) -> str:
    variables = [f"  flag{i}: {{type: bool}}" for i in range(FLAGS)]
    variables += [f"  counter{i}: {{type: int, min: 0, max: 10}}" for i in range(COUNTERS)]
    members = ", ".join(f"m{i}" for i in range(MEMBERS))
    variables.append(f"  items: {{type: set, members: [{members}]}}")
    return (
        f"id: synthetic-{count}\ntitle: Synthetic {count}\nversion: 1\nstart: s0\n"
        "variables:\n" + "\n".join(variables) + "\n"
        'status: "flags {flag0} · counter {counter1} · items {size(items)}"\n'
    )


def generate(count: int, folder: str, seed: int = 1, per_file: int = 500) -> None:
    """Write a story of `count` scenes into `folder` (created if needed)."""
    rng = random.Random(seed)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "story.yaml"), "w", encoding="utf-8") as handle:
        handle.write(story_yaml(count))
    last_ending = count - 1
    for start in range(0, count, per_file):
        lines = [f"chapter: Part {start // per_file + 1}", "scenes:"]
        for index in range(start, min(start + per_file, count)):
            lines.extend(scene(rng, index, count))
        with open(os.path.join(folder, f"part-{start // per_file:04d}.yaml"), "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
    # the last scene is always an ending, so every story has at least one
    path = os.path.join(folder, f"part-{last_ending // per_file:04d}.yaml")
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    marker = f"  - id: s{last_ending}\n"
    head, tail = text.split(marker)
    tail_lines = tail.splitlines()
    kept = [
        line
        for line in tail_lines[
            : next(
                (i for i, line in enumerate(tail_lines) if line.startswith("    choices:") or line.startswith("    ending:")),
                len(tail_lines),
            )
        ]
    ]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(head + marker + "\n".join(kept) + f"\n    ending: {{id: e{last_ending}, name: The Last Ending}}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenes", type=int)
    parser.add_argument("folder")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-file", type=int, default=500)
    args = parser.parse_args()
    generate(args.scenes, args.folder, args.seed, args.per_file)


if __name__ == "__main__":
    main()
