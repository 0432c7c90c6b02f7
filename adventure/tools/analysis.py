"""Static analysis of a loaded story: rules that yield warnings with stable codes."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from dataclasses import replace

from adventure.source.problems import Problem
from adventure.source.textsafe import shortened
from adventure.story.expr import Value
from adventure.story.exprhints import suggest
from adventure.story.flow import returns_in, within
from adventure.story.model import (
    Choice,
    Scene,
    Story,
    text_templates,
)
from adventure.story.template import Variation
from adventure.tools.decide import decide, domain, domain_hint, show_value
from adventure.tools.facts import Facts, FactsMemo, forms_of, gather, warning

MAX_EVALUATIONS = 1_000_000  # for all conditions of a story together; past it, the rest are not judged
_UNDECIDED = "undecided"  # not judged yet (a verdict is True, False or None)


# --- the rules --------------------------------------------------------------------------------

Rule = Callable[[Facts], Iterator[Problem]]


def unreachable_scenes(facts: Facts) -> Iterator[Problem]:
    """W101 a scene no path leads to; W104 an ending no path leads to."""
    reachable = facts.reachable_from(facts.story.start)
    for scene in facts.story.scenes.values():
        if scene.id in reachable:
            continue
        if scene.ending is not None:
            yield warning(
                scene.where,
                "W104",
                f"ending `{scene.ending.id}` (scene `{scene.id}`) cannot be reached: no choice leads to it",
                "add a choice whose goto is this scene, or remove it",
            )
        else:
            yield warning(
                scene.where,
                "W101",
                f"scene `{scene.id}` cannot be reached: no choice leads to it",
                "add a choice whose goto is this scene, or remove it",
            )


def dead_ends(facts: Facts) -> Iterator[Problem]:
    """W102 a scene whose every choice stays in it; W103 a scene from which no ending can be reached."""
    reachable = facts.reachable_from(facts.story.start)
    predecessors: dict[str, list[str]] = {}  # each source once per target: the graph's targets are sets
    for source, targets in facts.graph.items():
        for target in targets:
            found = predecessors.get(target)
            if found is None:
                predecessors[target] = [source]
            else:
                found.append(source)
    can_end = {scene.id for scene in facts.story.endings()}  # grown backwards: scenes that lead to an ending
    frontier = list(can_end)
    while frontier:
        for source in predecessors.get(frontier.pop(), ()):
            if source not in can_end:
                can_end.add(source)
                frontier.append(source)
    trapped = reachable - can_end
    for scene in facts.story.scenes.values():
        if scene.ending is not None or scene.id not in reachable:
            continue
        targets = facts.graph[scene.id]
        if not targets or (len(targets) == 1 and scene.id in targets):  # every choice leads back to it
            yield warning(
                scene.where,
                "W102",
                f"scene `{scene.id}` is a dead end: every choice leads back to it",
                "add a choice that leads on, or make it an ending",
            )
        elif scene.id in trapped and (
            scene.id == facts.story.start or any(source not in trapped for source in predecessors.get(scene.id, ()))
        ):
            # only the way into a trapped region is reported, not every scene inside it
            yield warning(
                scene.where,
                "W103",
                f"no ending can be reached from scene `{scene.id}`",
                "the choices from here only lead to scenes that never end",
            )


def variables(facts: Facts) -> Iterator[Problem]:
    """W201 set but never read; W202 read but never set; W203 never used at all."""
    for variable in facts.story.variables.values():
        read, written = variable.name in facts.reads, variable.name in facts.writes
        if written and not read:
            yield warning(
                variable.where, "W201", f"variable `{variable.name}` is set but never read", "read it in a condition or text, or remove it"
            )
        elif read and not written:
            yield warning(
                variable.where,
                "W202",
                f"variable `{variable.name}` is read but never set: it is always {show_value(variable.default)}",
                "add an effect that changes it, or use its value directly",
            )
        elif not read and not written:
            yield warning(variable.where, "W203", f"variable `{variable.name}` is declared but never used", "remove it")


def codex(facts: Facts) -> Iterator[Problem]:
    """W401 a codex entry nothing unlocks."""
    for entry in facts.story.codex.values():
        if entry.id not in facts.unlocked:
            yield warning(
                entry.where, "W401", f"codex entry `{entry.id}` is never unlocked", f"add `- unlock: {entry.id}` where the story reveals it"
            )


def idle_loops(facts: Facts) -> Iterator[Problem]:
    """W501 a sticky choice that returns to its own scene and changes nothing."""
    for scene in facts.story.scenes.values():
        for choice in scene.choices:
            if choice.flow != "goto" or choice.reply:
                continue  # a reply is what such a choice is for; stays, detours and returns are not loops
            if choice.target == scene.id and not choice.effects and not choice.once and not scene.on_enter:
                yield warning(
                    choice.where,
                    "W501",
                    f"choice {_label(choice)} in `{scene.id}` returns to the same scene and changes nothing",
                    "make it `once: true`, give it effects, or send it somewhere",
                )


def constant_conditions(facts: Facts) -> Iterator[Problem]:
    """W301 a condition that can never be true; W302 one that is always true; W303 and
    W304 the same for the condition of a conditional effect."""
    domains = _domains(facts)
    budget = [MAX_EVALUATIONS]
    decided: dict[tuple[str, str], bool | None] = {}  # a condition written in many places is judged once
    writes = facts.writes
    for compiled, where, what in facts.expressions:
        key = (compiled.source, compiled.type)  # the same text and type read the same variables
        outcome = decided.get(key, _UNDECIDED)
        if outcome is _UNDECIDED:
            if compiled.reads and not any(name in writes for name in compiled.reads):
                outcome = None  # not judged: W202 already says these variables never change
            else:
                outcome = decide(compiled, domains, facts.story, budget)
            decided[key] = outcome
        effect = what == "effect condition"
        if outcome is False:
            hint = domain_hint(compiled, domains)
            if effect:
                hint = (hint + "; " if hint else "") + "so only its `else` effects ever run"
            yield warning(where, "W304" if effect else "W301", f"{what} `{compiled.source}` can never be true", hint)
        elif outcome is True:
            hint = "write its effects without the condition" if effect else "remove the condition, or check the values it tests"
            yield warning(where, "W303" if effect else "W302", f"{what} `{compiled.source}` is always true", hint)


def detours(facts: Facts) -> Iterator[Problem]:
    """W601 a detour from which no choice ever returns."""
    scenes = facts.story.scenes
    returning: dict[str, bool] = {}
    for scene in scenes.values():
        for choice in scene.choices:
            if choice.flow != "detour":
                continue
            if choice.target not in returning:
                returning[choice.target] = bool(returns_in(scenes, within(scenes, choice.target)))
            if not returning[choice.target]:
                yield warning(
                    choice.where,
                    "W601",
                    f"choice {_label(choice)} in `{scene.id}` goes into a detour at `{choice.target}` that never returns",
                    "give a scene of the detour a choice with `return: true`, or use `goto` if the player is not meant to come back",
                )


def visit_variations(facts: Facts) -> Iterator[Problem]:
    """W701 a sequence, cycle, once-only list or shuffle in a scene that can be visited only once."""
    by_scene: dict[str, tuple[Scene, list[Variation]]] = {}
    for template, _, scene in forms_of(facts):
        if scene is not None:
            found = by_scene.setdefault(scene.id, (scene, []))[1]
            found.extend(variation for variation in template.variations() if variation.visited and len(variation.options) > 1)
    for scene, found in by_scene.values():
        if not found:
            continue
        # a choice that stays shows the scene again without a new visit: it is no way back
        stays_only = all(choice.flow == "stay" for choice in scene.choices if choice.target == scene.id)
        targets = facts.graph[scene.id] - ({scene.id} if stays_only else set())
        if any(scene.id in facts.reachable_from(target) for target in targets):
            continue  # a way leads back: the scene may be visited again
        for variation in found:
            yield warning(
                scene.where,
                "W701",
                f"`{{{shortened(variation.source)}}}` in scene `{scene.id}` has {len(variation.options)} options, "
                "but no way leads back to the scene: only the first is ever shown",
                "write the first option as plain text, or let a choice return to this scene",
            )


def select_keys(facts: Facts) -> Iterator[Problem]:
    """W703 a `{select}` key the string it selects on can never hold."""
    domains: dict[str, list[Value] | None] | None = None
    for template, where, _ in forms_of(facts):
        for variation in template.variations():
            head = variation.head
            if variation.kind != "select" or head is None or head.source not in facts.story.variables:
                continue
            if domains is None:
                domains = _domains(facts)
            values = domains.get(head.source)
            if values is None:
                continue
            for key in variation.keys:
                if key != "else" and key not in values:
                    name = head.source
                    hint = suggest(key, [str(value) for value in values]) or f"{name} can be {', '.join(show_value(v) for v in values)}"
                    yield warning(where, "W703", f"`{{select {name}: ...}}` has the key `{key}`, which `{name}` never holds", hint)


def unused_snippets(facts: Facts) -> Iterator[Problem]:
    """W702 a snippet no text uses."""
    for snippet in facts.story.snippets:
        if not snippet.used:
            yield warning(snippet.where, "W702", f"snippet `{snippet.name}` is never used", f"use it as {{>{snippet.name}}}, or remove it")


def once_replies(facts: Facts) -> Iterator[Problem]:
    """W602 a sequence in the reply of a once-only choice: the choice is taken once, so only the first option shows."""
    for scene in facts.story.scenes.values():
        for choice in scene.choices:
            if not (choice.once and choice.counted):
                continue
            variation = next(
                variation for template in text_templates(choice.reply) for variation in template.variations() if variation.visited
            )
            yield warning(
                choice.where,
                "W602",
                f"`{{{shortened(variation.source)}}}` in the reply of once-only choice {_label(choice)} "
                "can only ever show its first option",
                "a reply's sequence follows how often its choice was taken: write the first option as plain text, or drop `once`",
            )


RULES: tuple[Rule, ...] = (
    unreachable_scenes, dead_ends, variables, codex, idle_loops, constant_conditions, detours, once_replies, visit_variations,
    unused_snippets, select_keys,
)


def analyse(story: Story, memo: FactsMemo | None = None) -> list[Problem]:
    """Every warning the author has not silenced, in file order (`memo`: as for analyse_all)."""
    return analyse_all(story, memo)[0]


# A story whose start scene did not load (it has errors) reaches nothing: these would flood.
_REACHABILITY = frozenset({"W101", "W102", "W103", "W104"})


def analyse_all(story: Story, memo: FactsMemo | None = None) -> tuple[list[Problem], list[Problem]]:
    """(warnings shown, warnings silenced by `ignore:`), each in file order. The story may be
    made of the parts of a story that loaded (`check_story_parts`). A process that analyses one story
    again and again passes the same `memo` each time (facts.py: unchanged files are not walked again)."""
    facts = gather(story, memo)
    problems = [problem for rule in RULES for problem in rule(facts)]
    if story.start not in story.scenes:
        problems = [problem for problem in problems if problem.code not in _REACHABILITY]
    silenced = _silencer(story, problems)
    shown = [problem for problem in problems if not silenced(problem)]
    quiet = [replace(problem, silenced=True) for problem in problems if silenced(problem)]
    return sorted(shown, key=Problem.sort_key), sorted(quiet, key=Problem.sort_key)


def _silencer(story: Story, problems: list[Problem]) -> Callable[[Problem], bool]:
    """Whether one of `problems` is silenced: by story.yaml, or by the scene or choice it lies in (a
    scene runs from its line to the next scene of its file, a choice to the next choice)."""
    # only the files these warnings are placed in are looked into
    wanted = {problem.path for problem in problems}
    starts: dict[str, list[tuple[int, int, Scene]]] = {}
    for order, scene in enumerate(story.scenes.values()):
        if scene.where.path in wanted:
            starts.setdefault(scene.where.path, []).append((scene.where.line, order, scene))
    for places in starts.values():
        places.sort(key=lambda place: place[:2])

    def silenced(problem: Problem) -> bool:
        if problem.code in story.ignore:
            return True
        places = starts.get(problem.path)
        if not places:
            return False
        index = bisect.bisect_right([line for line, _, _ in places], problem.line) - 1
        if index < 0:
            return False
        scene = places[index][2]
        if problem.code in scene.ignore:
            return True
        inside = [choice for choice in scene.choices if choice.where.line <= problem.line]
        return bool(inside) and problem.code in max(inside, key=lambda choice: choice.where.line).ignore

    return silenced


# --- deciding conditions over the values variables can take ---------------------------------


def _domains(facts: Facts) -> dict[str, list[Value] | None]:
    """Values each variable can take (None: too many or unknown to enumerate)."""
    domains: dict[str, list[Value] | None] = {}
    for variable in facts.story.variables.values():
        writes = facts.writes.get(variable.name, [])
        domains[variable.name] = domain(variable.type, variable.default, variable.min, variable.max, writes)
    return domains


def _label(choice: Choice) -> str:
    return repr(choice.label.static) if choice.label.static is not None else f"#{choice.key.split('#')[-1]}"


__all__ = ["RULES", "Facts", "analyse", "gather"]
