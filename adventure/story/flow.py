"""Where choices lead, detours and returns included: the scene graph tools and checks walk."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from adventure.story.model import Scene


def within(scenes: Mapping[str, Scene], start: str) -> set[str]:
    """The scenes a player can reach from `start` without entering or leaving a detour: one
    detour's frame (a detour taken inside it comes back into it, at the scene it left)."""
    seen = {start}
    stack = [start]
    while stack:
        scene = scenes.get(stack.pop())
        for choice in scene.choices if scene is not None else ():  # None: a scene that failed to load
            if choice.flow in ("goto", "stay") and choice.target not in seen:
                seen.add(choice.target)
                stack.append(choice.target)
    return seen


def returns_in(scenes: Mapping[str, Scene], frame: Iterable[str]) -> list[str]:
    """The scenes of a frame that have a `return` choice."""
    return [scene_id for scene_id in frame if scene_id in scenes and any(choice.flow == "return" for choice in scenes[scene_id].choices)]


def return_targets(scenes: Mapping[str, Scene]) -> dict[str, set[str]]:
    """For each scene with a `return` choice, the scenes it can return to: those that take a
    detour into a frame holding it (a sound over-approximation of the stack)."""
    targets: dict[str, set[str]] = {}
    frames: dict[str, list[str]] = {}
    for origin, scene in scenes.items():
        for choice in scene.choices:
            if choice.flow != "detour":
                continue
            if choice.target not in frames:
                frames[choice.target] = returns_in(scenes, within(scenes, choice.target))
            for returning in frames[choice.target]:
                targets.setdefault(returning, set()).add(origin)
    return targets


def successors(scenes: Mapping[str, Scene]) -> dict[str, set[str]]:
    """For each scene, every scene a choice can lead to, returns included."""
    graph = {scene_id: {choice.target for choice in scene.choices if choice.flow != "return"} for scene_id, scene in scenes.items()}
    for returning, origins in return_targets(scenes).items():
        graph[returning] |= origins
    return graph
