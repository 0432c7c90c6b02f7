"""Walkthrough tests: YAML scripts of choices and expectations, run against a story."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from adventure.rules import engine
from adventure.rules.state import GameState
from adventure.source.problems import Problem
from adventure.source.yamlsource import Map, Node, Scalar, load_file
from adventure.story.expr import Compiled, Env, Value, format_value
from adventure.story.exprhints import suggest
from adventure.story.loader import check_story
from adventure.story.loader.reader import Reader
from adventure.story.model import Story

STEP_KINDS = ("choose", "see", "not_see", "scene", "expect", "check", "ending", "can_choose", "cannot_choose", "unlocked")
TOP_KEYS = ("name", "story", "seed", "start", "steps")


@dataclass(frozen=True, slots=True)
class Step:
    """One line of a walkthrough: what it does, its value, and where it is written."""

    kind: str
    value: Node
    line: int
    col: int
    shown: str


@dataclass(slots=True)
class Walkthrough:
    """A walkthrough file as read: its story, seed, start and steps."""

    path: str
    name: str
    story_root: str | None  # None: the file does not say, and no story.yaml lies above it
    seed: int = 0
    start_scene: str | None = None
    start_values: dict[str, Node] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Screen:
    """One scene view the player met on the run: each one a choice was made from, and the last."""

    scene: str
    offered: int  # the choices the player could take (listed and enabled)
    ending: bool
    stayed: bool  # the scene listed again after a move that stayed in it (its reply shown)


@dataclass(slots=True)
class Result:
    """The outcome of one walkthrough file."""

    path: str
    name: str
    passed: bool
    steps_run: int
    total_steps: int
    problems: list[Problem] = field(default_factory=list)
    final_scene: str = ""
    screens: list[Screen] = field(default_factory=list)


def read(path: str) -> tuple[Walkthrough | None, list[Problem]]:
    """Parse a walkthrough file; problems come back with their positions."""
    problems: list[Problem] = []
    root, file_problems = load_file(path, path)
    problems.extend(file_problems)
    reader = Reader(path, problems)
    node = reader.mapping(root, "a walkthrough") if root is not None or not file_problems else None
    if node is None:
        return None, problems
    values = reader.fields(node, "a walkthrough", TOP_KEYS, ("steps",))
    name = reader.string(values["name"], "name") if "name" in values else None
    story_root = find_story(path)
    if "story" in values:
        given = reader.string(values["story"], "story")
        if given:
            story_root = os.path.normpath(os.path.join(os.path.dirname(path), given))
    walk = Walkthrough(path, name or os.path.basename(path), story_root)
    if "seed" in values:
        walk.seed = reader.integer(values["seed"], "seed") or 0
    if "start" in values:
        start = reader.mapping(values["start"], "start")
        if start is not None:
            start_values = reader.fields(start, "start", ("scene", "set"))
            if "scene" in start_values:
                walk.start_scene = reader.string(start_values["scene"], "start scene")
            if "set" in start_values:
                assignments = reader.mapping(start_values["set"], "start set")
                walk.start_values = {key.value: value for key, value in assignments.pairs} if assignments else {}
    for item in reader.sequence(values.get("steps"), "steps") if "steps" in values else ():
        step = reader.mapping(item, "a step")
        if step is None:
            continue
        if len(step.pairs) != 1 or step.pairs[0][0].value not in STEP_KINDS:
            reader.error("E601", step, "each step is one of: " + ", ".join(STEP_KINDS), "e.g. - choose: 2")
            continue
        key, value = step.pairs[0]
        walk.steps.append(Step(key.value, value, step.line, step.col, f"{key.value} {_show(value)}"))
    return walk, problems


FIND_STORY_LEVELS = 3  # the walkthrough's folder and the two above it


def find_story(path: str) -> str | None:
    """The story a walkthrough without `story:` plays: walking up from its folder (three
    levels), a folder holding story.yaml, or the one folder beside it that does (the
    layout `adventure new` makes: story/ and walkthroughs/). None: it must say."""
    folder = os.path.dirname(os.path.abspath(path))
    for _ in range(FIND_STORY_LEVELS):
        if os.path.isfile(os.path.join(folder, "story.yaml")):
            return folder
        try:
            children = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            return None
        found = [entry.path for entry in children if entry.is_dir() and os.path.isfile(os.path.join(entry.path, "story.yaml"))]
        if len(found) == 1:
            return found[0]
        if found:
            return None  # several stories side by side: the walkthrough must say which
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    return None


def _show(node: Node) -> str:
    if isinstance(node, Scalar):
        return repr(node.value) if not node.value.isdigit() else node.value
    if isinstance(node, Map):
        return "{" + ", ".join(f"{key.value}: {_show(value)}" for key, value in node.pairs) + "}"
    return "[" + ", ".join(_show(item) for item in node.items) + "]"


def _value(node: Node, env: Env, name: str, reader: Reader) -> Value | None:
    variable = env.variables.get(name)
    if variable is None:
        reader.error("E601", node, f"the story has no variable `{name}`", suggest(name, env.variables))
        return None
    return reader.literal(node, name, variable, f"value of `{name}`")


def _screen(view: engine.SceneView) -> str:
    """What the player reads: the last move's reply, the scene (unless the move stayed in it), the choices."""
    scene = [] if view.stayed else [view.title, *view.paragraphs]
    choices = [choice.label + (f" ({choice.reason})" if choice.reason else "") for choice in view.choices]
    return "\n".join([*view.reply, *scene, *choices])


def _listing(view: engine.SceneView) -> str:
    if not view.choices:
        return "no choices"
    return "; ".join(
        f"{choice.number}. {choice.label}" + ("" if choice.enabled else f" (disabled: {choice.reason})" if choice.reason else " (disabled)")
        for choice in view.choices
    )


def check_steps(walk: Walkthrough, story: Story, reader: Reader) -> None:
    """Before playing: every scene, ending, codex entry, variable and value a step names
    exists in the story, and every check parses; all problems at once, with did-you-mean."""
    assert story.env is not None
    endings = {scene.ending.id for scene in story.endings() if scene.ending is not None}
    if walk.start_scene is not None and walk.start_scene not in story.scenes:
        reader.error("E601", None, f"start scene `{walk.start_scene}` is not in the story", suggest(walk.start_scene, story.scenes))
    for step in walk.steps:
        node = step.value
        if step.kind == "expect":
            expected = reader.mapping(node, "expect")
            for key, value_node in expected.pairs if expected else ():
                _value(value_node, story.env, key.value, reader)
            continue
        if step.kind == "check":
            reader.expression(node, story.env, "check")
            continue
        if step.kind == "cannot_choose" and isinstance(node, Map):
            _check_refusal(node, reader)
            continue
        if not isinstance(node, Scalar):
            reader.error("E601", node, f"{step.kind} needs a text, not a list or mapping")
            continue
        known: dict[str, tuple[Iterable[str], str]] = {
            "scene": (story.scenes, "scene"), "ending": (endings, "ending"), "unlocked": (story.codex, "codex entry"),
        }
        if step.kind in known:
            names, what = known[step.kind]
            if node.value not in names:
                listing = f"{what}s: {', '.join(sorted(names))}"
                reader.error("E601", node, f"the story has no {what} `{node.value}`", suggest(node.value, names, listing))


def _check_refusal(node: Map, reader: Reader) -> None:
    values = reader.fields(node, "cannot_choose", ("label", "is", "reason"), ("label",))
    for key, value in values.items():
        if not isinstance(value, Scalar):
            reader.error("E601", value, f"cannot_choose {key} must be a text")
    how = values.get("is")
    if isinstance(how, Scalar) and how.value not in ("hidden", "disabled"):
        hint = "hidden: not listed at all; disabled: listed, greyed, with its reason"
        reader.error("E601", how, f"cannot_choose is: {how.value!r} should be hidden or disabled", hint)
    if isinstance(how, Scalar) and how.value == "hidden" and "reason" in values:
        reader.error("E601", values["reason"], "a hidden choice shows no reason", "write is: disabled, or leave out the reason")


def run(walk: Walkthrough, story: Story) -> Result:
    """Play the steps; stop at the first that fails and say what was seen instead."""
    result = Result(walk.path, walk.name, False, 0, len(walk.steps), final_scene="")
    reader = Reader(walk.path, result.problems)
    assert story.env is not None, "a loaded story keeps the environment it was checked in"
    env = story.env
    values = {}
    for name, node in walk.start_values.items():
        value = _value(node, env, name, reader)
        if value is not None:
            values[name] = value
    check_steps(walk, story, reader)
    if result.problems:
        return result
    try:
        if walk.start_scene or values:
            state = engine.start_at(story, walk.start_scene or story.start, values, walk.seed).state
        else:
            state = engine.new_game(story, walk.seed).state
    except engine.ChoiceError as err:
        result.problems.append(Problem(walk.path, 1, 1, f"cannot start: {err}"))
        return result
    moved: engine.Outcome | None = None  # the last choice's outcome: its reply is on the screen
    for index, step in enumerate(walk.steps, start=1):
        view = _seen(story, state, moved)
        failure, state, moved = _step(story, env, state, moved, view, step, reader)
        result.steps_run = index
        result.final_scene = state.scene
        if failure:
            result.problems.append(Problem(walk.path, step.line, step.col, f"step {index} ({step.shown}): {failure}"))
            return result
        if step.kind == "choose":
            result.screens.append(_screen_of(view))
    result.screens.append(_screen_of(_seen(story, state, moved)))
    result.passed = True
    return result


def _seen(story: Story, state: GameState, moved: engine.Outcome | None) -> engine.SceneView:
    """The view on the player's screen: the scene, after the last move's reply."""
    view = engine.view(story, state)
    return view if moved is None else engine.after_move(view, moved.events, engine.stayed(moved.events))


def _screen_of(view: engine.SceneView) -> Screen:
    return Screen(view.scene, sum(choice.enabled for choice in view.choices), view.ending is not None, view.stayed)


def _step(
    story: Story, env: Env, state: GameState, moved: engine.Outcome | None, view: engine.SceneView, step: Step, reader: Reader
) -> tuple[str, GameState, engine.Outcome | None]:
    """One step on the screen `view`; a choice returns its outcome, whose reply the next screen shows."""
    if step.kind == "choose":
        node = step.value
        text = node.value if isinstance(node, Scalar) else ""
        number = engine.find_choice(view, text) if isinstance(node, Scalar) else None
        if number is None:
            return f"no single listed choice matches {text!r}; listed: {_listing(view)}", state, moved
        try:
            outcome = engine.choose(story, state, number)
        except engine.ChoiceError as err:
            return f"{err}; listed: {_listing(view)}", state, moved
        return "", outcome.state, outcome
    failure, state = _look(story, env, state, view, step, reader)
    return failure, state, moved


def _look(story: Story, env: Env, state: GameState, view: engine.SceneView, step: Step, reader: Reader) -> tuple[str, GameState]:
    """A step that checks what the player sees or what the state holds."""
    node = step.value
    text = node.value if isinstance(node, Scalar) else ""
    if step.kind in ("see", "not_see"):
        present = text.lower() in _screen(view).lower()
        if present != (step.kind == "see"):
            return f"{'did not find' if step.kind == 'see' else 'found'} {text!r} in scene `{view.scene}`: {_screen(view)[:300]!r}", state
        return "", state
    if step.kind == "scene":
        return ("" if view.scene == text else f"the player is at `{view.scene}`, not `{text}`"), state
    if step.kind == "ending":
        if view.ending is None:
            return f"no ending reached; the player is at `{view.scene}` ({_listing(view)})", state
        return ("" if view.ending.id == text else f"reached ending `{view.ending.id}`, not `{text}`"), state
    if step.kind == "can_choose":
        matches = [choice for choice in view.choices if text.lower() in choice.label.lower()]
        if not any(choice.enabled for choice in matches):
            return f"no available choice matches {text!r} (case does not count); listed: {_listing(view)}", state
        return "", state
    if step.kind == "cannot_choose":
        return _cannot_choose(view, step), state
    if step.kind == "unlocked":
        return (
            ""
            if text in state.unlocked
            else f"codex entry `{text}` is not unlocked (unlocked: {', '.join(sorted(state.unlocked)) or 'none'})"
        ), state
    if step.kind == "expect":
        expected = reader.mapping(node, "expect")
        for key, value_node in expected.pairs if expected else ():
            wanted = _value(value_node, env, key.value, reader)
            actual = state.vars.get(key.value)
            if wanted is None:
                return "a bad expectation (see above)", state
            if actual != wanted:
                return (
                    f"`{key.value}` is {format_value(actual) if actual is not None else 'missing'}, expected {format_value(wanted)}",
                    state,
                )
        return "", state
    compiled = reader.expression(node, env, "check")
    if compiled is None:
        return "the check expression is not valid", state
    if not _holds(compiled, state):
        detail = ", ".join(f"{name} = {format_value(state.vars[name])}" for name in sorted(compiled.reads))
        return f"{compiled.source!r} is false ({detail})", state
    return "", state


def _cannot_choose(view: engine.SceneView, step: Step) -> str:
    """`cannot_choose: label`, or `{label: ..., is: hidden|disabled, reason: ...}`."""
    label, how, reason = _refusal(step.value)
    matches = [choice for choice in view.choices if label.lower() in choice.label.lower()]
    if any(choice.enabled for choice in matches):
        return f"an available choice matches {label!r} (case does not count); listed: {_listing(view)}"
    disabled = [choice for choice in matches if not choice.enabled]
    if how == "hidden" and disabled:
        return f"{label!r} is listed, disabled, not hidden; listed: {_listing(view)}"
    if how == "disabled" and not disabled:
        return f"no listed choice matches {label!r} (case does not count): it is hidden, not disabled; listed: {_listing(view)}"
    if reason and not any(reason.lower() in choice.reason.lower() for choice in disabled):
        reasons = "; ".join(repr(choice.reason) for choice in disabled) or "none shown"
        return f"no disabled choice matching {label!r} gives a reason containing {reason!r} (reasons: {reasons})"
    return ""


def _refusal(node: Node) -> tuple[str, str, str]:
    """(label, "hidden" | "disabled" | "", reason) of a cannot_choose step, already checked at load."""
    if isinstance(node, Scalar):
        return node.value, "", ""
    fields = {key.value: value.value for key, value in node.pairs if isinstance(value, Scalar)} if isinstance(node, Map) else {}
    return fields.get("label", ""), fields.get("is", ""), fields.get("reason", "")


def _holds(compiled: Compiled, state: GameState) -> bool:
    return bool(compiled.evaluate(state))



def run_files(paths: list[str], story_override: str | None = None) -> tuple[list[Result], list[Problem]]:
    """Run walkthrough files; stories are loaded once each. Returns results and load problems."""
    results: list[Result] = []
    problems: list[Problem] = []
    stories: dict[str, Story | None] = {}
    for path in paths:
        walk, file_problems = read(path)
        if walk is None or file_problems:
            results.append(Result(path, os.path.basename(path), False, 0, 0, file_problems))
            continue
        root = story_override or walk.story_root
        if root is None:
            missing = Problem(
                path, 1, 1, "this walkthrough does not say which story it plays",
                "add `story: PATH` (the story's folder, relative to this file), or run it with --story",
            )
            results.append(Result(path, walk.name, False, 0, len(walk.steps), [missing]))
            continue
        if root not in stories:
            story, story_problems = check_story(root)
            stories[root] = story
            problems.extend(story_problems)
        story = stories[root]
        if story is None:
            results.append(Result(path, walk.name, False, 0, len(walk.steps), [Problem(path, 1, 1, f"the story in {root} does not load")]))
            continue
        results.append(run(walk, story))
    return results, problems
