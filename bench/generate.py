"""Generate a synthetic story of N scenes (seeded, deterministic) for benchmarks.

The shape follows the performance issue: about 80 words a scene, 3 choices a scene, about
40% of choices guarded by conditions on flags, counters and a set, most choices with
effects, some conditional text and interpolation, about 4% of scenes endings.

    python bench/generate.py 10000 /tmp/story-10k [--seed 1] [--per-file 500]

`--shape hub --items K` writes instead the shape most interactive fiction has and that
makes state spaces explode: a hub with a road to each of K optional side places, open until
its item is found; behind each place a room whose item, taken by a once-only choice, adds
to a set and to a counter; a scratch variable each place sets on entry (`pick`) and its room
reads; a once-only choice at the hub that reads how often the hub was visited; and an exit
gated on the items (2K + 4 scenes):

    python bench/generate.py 0 /tmp/hub-8 --shape hub --items 8
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


def hub_story(items: int) -> tuple[str, str]:
    """story.yaml and the scene file of a hub-and-collectibles story with `items` items."""
    names = [f"m{i}" for i in range(items)]
    story = (
        f"id: hub-{items}\ntitle: Hub {items}\nversion: 1\nstart: gate\n"
        "variables:\n"
        f"  items: {{type: set, members: [{', '.join(names)}]}}\n"
        f"  found: {{type: int, min: 0, max: {items}}}\n"
        "  answer: {type: string}\n"
        'status: "items {size(items)} · found {found}"\n'
    )
    lines = ["chapter: The Hub", "scenes:"]
    lines += [
        "  - id: gate", "    title: The Gate", "    text: A gate into the old town.",
        "    choices:", "      - label: Go in", "        goto: hub",
        "  - id: hub", "    title: The Square", "    text:", "      - The square, with roads out to every place.",
        '      - if: visits("hub") > 1', "        text: You are back in the square.",
        "    choices:",
    ]
    for i in range(items):
        lines += [f"      - label: Walk to place {i}", f"        goto: place{i}", f"        if: '\"m{i}\" not in items'"]
    lines += [
        "      - label: Ask the old man the way",
        "        goto: hub",
        '        if: visits("hub") >= 3',
        "        once: true",
        "      - label: Leave with everything",
        "        goto: triumph",
        f"        if: size(items) == {items}",
        "        disabled: Something is still missing.",
        "      - label: Leave with what you have",
        "        goto: retreat",
        f"        if: found >= {max(1, items // 2)}",
    ]
    for i in range(items):
        lines += [
            f"  - id: place{i}", f"    title: Place {i}", f"    text: Place {i}, quiet and dusty.",
            "    on_enter: [{pick: {into: answer, from: [yes, no, later]}}]",
            "    choices:",
            "      - label: Knock", f"        goto: room{i}",
            "      - label: Back to the square", "        goto: hub",
            f"  - id: room{i}", f"    title: Room {i}", "    text: 'Someone answers: {answer}.'",
            "    choices:",
            f"      - label: Take the item of place {i}", "        goto: hub", '        if: answer != "no"', "        once: true",
            f"        effects: [{{add: {{items: m{i}}}}}, {{add: {{found: 1}}}}]",
            "      - label: Leave it", "        goto: hub",
        ]
    lines += [
        "  - id: triumph", "    title: Triumph", "    text: You leave with every piece.",
        "    ending: {id: triumph, name: Everything Found, canonical: true}",
        "  - id: retreat", "    title: Retreat", "    text: You leave with {found} pieces.",
        "    ending: {id: retreat, name: Some Things Found}",
    ]
    return story, "\n".join(lines) + "\n"


def generate_hub(items: int, folder: str) -> None:
    """Write a hub-and-collectibles story with `items` items (2 * items + 4 scenes) into `folder`."""
    story, scenes = hub_story(items)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "story.yaml"), "w", encoding="utf-8") as handle:
        handle.write(story)
    with open(os.path.join(folder, "hub.yaml"), "w", encoding="utf-8") as handle:
        handle.write(scenes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenes", type=int)
    parser.add_argument("folder")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-file", type=int, default=500)
    parser.add_argument("--shape", choices=("random", "hub"), default="random", help="random scenes (default) or hub-and-collectibles")
    parser.add_argument("--items", type=int, default=8, help="hub shape: the number of collectible items (scenes: 2 * items + 4)")
    args = parser.parse_args()
    if args.shape == "hub":
        generate_hub(args.items, args.folder)
    else:
        generate(args.scenes, args.folder, args.seed, args.per_file)


if __name__ == "__main__":
    main()
