"""Compare two versions of a story: what breaks saves made with the old one, and what merely changed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from adventure.source.problems import Problem
from adventure.source.textsafe import clean
from adventure.story.expr import Value
from adventure.story.model import Conditional, Paragraph, Scene, Story, Text, Variable
from adventure.story.template import Template

_POSITIONAL = re.compile(r"#[0-9]+$")


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between the versions; `breaking` when saves made with the old one suffer."""

    code: str
    subject: str
    message: str
    breaking: bool
    hint: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "subject": self.subject, "message": self.message, "hint": self.hint}


@dataclass(frozen=True, slots=True)
class StoryDiff:
    """Every change from `old` to `new`, breaking ones first."""

    old: Story
    new: Story
    changes: tuple[Change, ...]

    @property
    def breaking(self) -> list[Change]:
        return [change for change in self.changes if change.breaking]

    @property
    def notes(self) -> list[Change]:
        return [change for change in self.changes if not change.breaking]


# --- signatures: what a scene says, independent of its id --------------------------------


def _template(template: Template | None) -> str:
    if template is None:
        return ""
    return "".join(part if isinstance(part, str) else "{" + part.source + "}" for part in template.parts)


def _text(text: Text) -> tuple[object, ...]:
    signature: list[object] = []
    for part in text:
        if isinstance(part, Paragraph):
            signature.append(_template(part.template))
        elif isinstance(part, Conditional):
            signature.append(("if", part.condition.source, _text(part.then), _text(part.otherwise)))
    return tuple(signature)


def _likeness(old: Scene, new: Scene) -> int:
    """How many of title, text and choice labels two scenes share (0 to 3)."""
    labels = [_template(choice.label) for choice in old.choices], [_template(choice.label) for choice in new.choices]
    return (
        (_template(old.title) == _template(new.title))
        + (_text(old.text) == _text(new.text))
        + (labels[0] == labels[1])
    )


def _same_variable(old: Variable, new: Variable) -> bool:
    return old.type == new.type and old.default == new.default and old.members == new.members


def _names(items: Iterable[str]) -> str:
    return ", ".join(f"`{item}`" for item in sorted(items))


# --- the comparison ----------------------------------------------------------------------


def compare(old: Story, new: Story) -> StoryDiff:
    """Every change from `old` to `new` that matters to saves, breaking ones first."""
    changes: list[Change] = []
    if old.id != new.id:
        changes.append(Change(
            "story-id", old.id, f"the story id changed from `{old.id}` to `{new.id}`: every save made with the old version is refused",
            True, f"keep `id: {old.id}` in story.yaml unless this is meant to be a different story",
        ))
    if old.version != new.version:
        changes.append(Change("version", new.version, f"version {old.version} -> {new.version}", False))
    changes.extend(_scene_changes(old, new))
    changes.extend(_variable_changes(old, new))
    changes.extend(_choice_changes(old, new))
    changes.extend(_return_changes(old, new))
    for entry in old.codex:
        if entry not in new.codex:
            changes.append(
                Change("codex-removed", entry, f"codex entry `{entry}` was removed: saves that unlocked it simply forget it", False)
            )
    added_codex = [entry for entry in new.codex if entry not in old.codex]
    if added_codex:
        changes.append(Change("codex-added", ",".join(added_codex), f"codex entries added: {_names(added_codex)}", False))
    endings = {scene.ending.id for scene in new.endings() if scene.ending is not None}
    for scene in old.endings():
        if scene.ending is not None and scene.ending.id not in endings:
            changes.append(
                Change(
                    "ending-removed",
                    scene.ending.id,
                    f"ending `{scene.ending.id}` ({scene.ending.name}) is gone: players who reached it keep it in their profile",
                    False,
                )
            )
    return StoryDiff(old, new, tuple(sorted(changes, key=lambda change: not change.breaking)))


def _scene_changes(old: Story, new: Story) -> list[Change]:
    changes: list[Change] = []
    gone = [scene_id for scene_id in old.scenes if scene_id not in new.scenes]
    added = [scene_id for scene_id in new.scenes if scene_id not in old.scenes]
    unclaimed = list(added)
    for scene_id in gone:
        target = new.renamed.get(scene_id)
        if target is not None:
            merged = " (merged into a scene that was already there)" if target in old.scenes else ""
            changes.append(
                Change(
                    "scene-renamed",
                    scene_id,
                    f"scene `{scene_id}` was renamed to `{target}`{merged}, declared in `renamed:`: saves move with it",
                    False,
                )
            )
            if target in unclaimed:
                unclaimed.remove(target)
    for scene_id in gone:
        if scene_id in new.renamed:
            continue
        best = max(unclaimed, key=lambda other: _likeness(old.scenes[scene_id], new.scenes[other]), default=None)
        if best is not None and _likeness(old.scenes[scene_id], new.scenes[best]) >= 2:
            unclaimed.remove(best)
            changes.append(
                Change(
                    "scene-renamed-undeclared",
                    scene_id,
                    f"scene `{scene_id}` seems to have been renamed to `{best}` without a `renamed:` entry: a "
                    f"save standing on `{scene_id}` cannot be loaded",
                    True,
                    f"add to story.yaml: renamed: {{{scene_id}: {best}}}",
                )
            )
            continue
        detours = any(choice.flow == "detour" for choice in old.scenes[scene_id].choices)
        inside = ", nor one inside a detour taken from it" if detours else ""
        changes.append(Change(
            "scene-removed", scene_id, f"scene `{scene_id}` was removed: a save standing on it cannot be loaded{inside}", True,
            f"if it was renamed, add to story.yaml: renamed: {{{scene_id}: NEW_ID}}",
        ))
    if unclaimed:
        changes.append(
            Change(
                "scenes-added",
                ",".join(unclaimed),
                f"{len(unclaimed)} scene{'s' if len(unclaimed) != 1 else ''} added: {_names(unclaimed)}",
                False,
            )
        )
    for dropped, target in old.renamed.items():
        if dropped not in new.renamed and dropped not in new.scenes:
            changes.append(
                Change(
                    "rename-dropped",
                    dropped,
                    f"the rename `{dropped}` -> `{target}` is no longer declared: saves from before that rename stop loading",
                    False,
                    f"keep renamed: {{{dropped}: {new.renamed.get(target, target)}}} while such saves may exist",
                )
            )
    return changes


def _variable_changes(old: Story, new: Story) -> list[Change]:
    changes: list[Change] = []
    added = [name for name in new.variables if name not in old.variables]
    for name, before in old.variables.items():
        after = new.variables.get(name)
        if after is None:
            twins = [other for other in added if _same_variable(before, new.variables[other])]
            hint = (
                f"if it was renamed to `{twins[0]}`: variables have no `renamed:`, so keep the old name"
                if len(twins) == 1
                else "keep the variable if saved games should remember it"
            )
            changes.append(
                Change(
                    "variable-removed",
                    name,
                    f"variable `{name}` was removed: saves still load, but the value they hold for it is lost",
                    True,
                    hint,
                )
            )
        elif after.type != before.type:
            changes.append(
                Change(
                    "variable-retyped",
                    name,
                    f"variable `{name}` changed type from {before.type} to {after.type}: a save holding it cannot be loaded",
                    True,
                    "declare a new variable with the new type instead of changing this one",
                )
            )
        elif after.type == "set":
            lost, gained = before.members - after.members, after.members - before.members
            if lost:
                changes.append(
                    Change(
                        "set-members-removed",
                        name,
                        f"set `{name}` no longer declares {_names(lost)}: "
                        f"a save holding {'it' if len(lost) == 1 else 'any of them'} cannot be loaded",
                        True,
                        "keep the members in `members:` (a member nothing adds any more is harmless); to change only what "
                        f"players read, give the member a name instead: members: {{{sorted(lost)[0]}: New Name}}",
                    )
                )
            if gained:
                changes.append(Change("set-members-added", name, f"set `{name}` may now also hold {_names(gained)}", False))
        if after is not None and after.type == before.type and _shown(before) != _shown(after):
            changes.append(Change(
                "variable-shown", name,
                f"how players read `{name}` changed ({_shown(before)} -> {_shown(after)}): only notes change; saves are unaffected", False,
            ))
        if after is not None and after.type == "int" and before.type == "int" and _narrower(before, after):
            changes.append(Change(
                "variable-range", name,
                f"int `{name}` now ranges {_range(after)} (was {_range(before)}): saved values outside it are clamped", False,
            ))
    for name in added:
        default = _literal(new.variables[name].default)
        changes.append(Change("variable-added", name, f"variable `{name}` was added: old saves start it at its default ({default})", False))
    return changes


def _shown(variable: Variable) -> str:
    """A variable's label, silence and member names, as one line for a diff."""
    names = ", ".join(f"{member}={shown}" for member, shown in sorted(variable.names.items()))
    return f"label {variable.label or '-'}, {'silent' if variable.silent else 'announced'}" + (f", members {names}" if names else "")


def _literal(value: Value) -> str:
    """A value as YAML would write it: false, 3, "Ada", [a, b]."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, frozenset):
        return "[" + ", ".join(sorted(value)) + "]"
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


def _narrower(before: Variable, after: Variable) -> bool:
    low = after.min is not None and (before.min is None or after.min > before.min)
    high = after.max is not None and (before.max is None or after.max < before.max)
    return low or high


def _range(variable: Variable) -> str:
    low = "" if variable.min is None else str(variable.min)
    high = "" if variable.max is None else str(variable.max)
    return f"{low}..{high}"


def _choice_changes(old: Story, new: Story) -> list[Change]:
    """Once-only choices without an `id` are remembered by position; a shuffle changes which one a save hides."""
    changes: list[Change] = []
    for scene_id, scene in old.scenes.items():
        other = new.scenes.get(scene_id)
        if other is None:
            continue
        now = {choice.key: choice for choice in other.choices}
        for choice in scene.choices:
            if not choice.once or not _POSITIONAL.search(choice.key):
                continue
            current = now.get(choice.key)
            # the same words at the same place are the same choice, edited (say, answered by a reply
            # now instead of a scene of its own): a save that took it rightly keeps it hidden
            if current is None or _template(current.label) == _template(choice.label):
                continue
            changes.append(
                Change(
                    "once-choice-moved",
                    choice.key,
                    f'once-only choice `{choice.key}` ("{_template(choice.label)}") is now '
                    f'"{_template(current.label)}": a save that took the old one hides the new one',
                    False,
                    "give once-only choices an `id:` so that they keep their identity when choices move",
                )
            )
    return changes


def _return_changes(old: Story, new: Story) -> list[Change]:
    """A scene that lost its way back: a save standing on it inside a detour keeps that detour open."""
    changes: list[Change] = []
    for scene_id, scene in old.scenes.items():
        other = new.scenes.get(new.renamed.get(scene_id, scene_id))
        if other is None or not any(choice.flow == "return" for choice in scene.choices):
            continue
        if not any(choice.flow == "return" for choice in other.choices):
            changes.append(
                Change(
                    "return-removed",
                    scene_id,
                    f"scene `{scene_id}` no longer offers a `return`: a save standing on it inside a detour loads, but it "
                    "comes back to where the detour began only through another scene's `return`",
                    False,
                    "keep a `return: true` choice in each scene a detour ends from, or check that the scenes after it return",
                )
            )
    return changes


# --- reports -----------------------------------------------------------------------------


def _describe(label: str, story: Story) -> str:
    return f"{label} ({story.id}, version {story.version})"


def diff_text(diff: StoryDiff, old_label: str, new_label: str) -> str:
    """The comparison for people: breaking changes with hints, then notes, then a verdict."""
    lines = [f"Comparing {_describe(old_label, diff.old)} with {_describe(new_label, diff.new)}.", ""]
    for title, changes in (("Breaks saves made with the old version", diff.breaking), ("Notes", diff.notes)):
        if not changes:
            continue
        lines.append(f"{title} ({len(changes)}):")
        for change in changes:
            lines.append(f"  {'!' if change.breaking else '-'} {change.message}")
            if change.hint:
                lines.append(f"      hint: {change.hint}")
        lines.append("")
    count = len(diff.breaking)
    if count:
        lines.append(f"{count} change{'s' if count != 1 else ''} break{'' if count != 1 else 's'} saves made with {old_label}.")
    else:
        lines.append(f"Nothing breaks saves made with {old_label}.")
    return "\n".join(clean(line) for line in lines) + "\n"  # ids and paths come from the files and the command line


def _failures_text(failed: dict[str, tuple[str, list[Problem]]]) -> str:
    lines: list[str] = []
    for label, (root, problems) in failed.items():
        lines.extend(problem.format() for problem in sorted(problems, key=Problem.sort_key))
        lines.append(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {clean(root)} ({label.upper()}): fix them before comparing"
        )
    return "\n".join(lines) + "\n"


def report(old_root: str, new_root: str, fmt: str = "human") -> tuple[bool, str]:
    """Load both versions and compare them: (whether saves break or a story fails to load, the report)."""
    from adventure.story.loader import check_story

    loaded = {label: (root, *check_story(root)) for label, root in (("old", old_root), ("new", new_root))}
    old, new = loaded["old"][1], loaded["new"][1]
    if old is None or new is None:
        failed = {label: (root, problems) for label, (root, story, problems) in loaded.items() if story is None}
        if fmt == "json":
            payload = {
                "ok": False,
                "problems": {label: [problem.to_json() for problem in problems] for label, (_, problems) in failed.items()},
            }
            return True, json.dumps(payload, indent=2) + "\n"
        return True, _failures_text(failed)
    result = compare(old, new)
    if fmt == "json":
        return bool(result.breaking), json.dumps(diff_json(result, old_root, new_root), indent=2) + "\n"
    return bool(result.breaking), diff_text(result, old_root, new_root)


def diff_json(diff: StoryDiff, old_label: str, new_label: str) -> dict[str, Any]:
    """The comparison for machines."""
    return {
        "ok": not diff.breaking,
        "old": {"path": old_label, "id": diff.old.id, "version": diff.old.version},
        "new": {"path": new_label, "id": diff.new.id, "version": diff.new.version},
        "breaking": [change.to_json() for change in diff.breaking],
        "notes": [change.to_json() for change in diff.notes],
    }
