"""The author's console (play --debug): vars, set, goto, why and seed, added to the shared turn loop's commands."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from adventure.play.commands import Command
from adventure.play.reply import Reply, error, scene, text
from adventure.play.session import Session
from adventure.play.turns import TurnLoop
from adventure.rules import engine
from adventure.rules.moves import Working, enter_into
from adventure.rules.state import GameState
from adventure.source.textsafe import clean
from adventure.story.assign import parse_assignment, range_text
from adventure.story.expr import Compiled, format_value
from adventure.story.exprhints import suggest
from adventure.story.model import Choice, Story, Variable


def add_console(loop: TurnLoop, seed: int) -> None:
    """Give a game's turn loop the author's commands."""
    commands = loop.commands
    commands.add("vars", Command("vars", "(debug) every variable with its value and declared range", show_variables))
    commands.add("set", Command("set NAME=VALUE", "(debug) change a variable, checked like --set", set_variable))
    commands.add("goto", Command("goto SCENE", "(debug) jump to a scene, keeping every variable", go_to))
    commands.add("why", Command("why [N]", "(debug) why each choice, or choice N as written, is shown, hidden or disabled", explain))
    said = text(f"This game began with seed {seed} (adventure play --seed {seed} plays it again).")
    commands.add("seed", Command("seed", "(debug) the seed this game began with", lambda session, _: said))


def _describe(variable: Variable) -> str:
    if variable.type == "int" and (variable.min is not None or variable.max is not None):
        return f"int {range_text(variable)}"
    if variable.type == "set":
        return "set of " + ", ".join(sorted(variable.members))
    return variable.type


def show_variables(session: Session, argument: str) -> Reply:
    story, state = session.story, session.state
    if not story.variables:
        return text("This story has no variables.")
    width = max(len(name) for name in story.variables)
    lines = [
        f"{name:<{width}}  {clean(format_value(state.vars[name]))}   ({_describe(variable)})" for name, variable in story.variables.items()
    ]
    return text(*lines, long=True)


def _changed(session: Session, state: GameState) -> None:
    """Put a state the console made into the game: undo can take it back, saves say so."""
    session.undo_stack.append(session.state)
    session.state = state
    session.last_events, session.last_stayed = (), False
    session.debugged = True


def set_variable(session: Session, argument: str) -> Reply:
    try:
        name, value = parse_assignment(argument, session.story, "set")
    except ValueError as err:
        return error(clean(str(err)), "Type vars for every variable and its range.")
    old = session.state.vars[name]
    variables = dict(session.state.vars)
    variables[name] = value
    _changed(session, replace(session.state, vars=MappingProxyType(variables)))
    change = f"{name}: {clean(format_value(old))} -> {clean(format_value(value))}"
    return text(f"{change} (undo takes it back; saves from now on are marked debug).")


def go_to(session: Session, argument: str) -> Reply:
    story = session.story
    target = argument.strip()
    if target not in story.scenes:
        hint = suggest(target, story.scenes, "")
        return error(f"There is no scene {clean(target)!r}" + (f"; {hint}" if hint else "."), "adventure graph lists the scenes.")
    work = Working.of(session.state, copy_vars=True)
    try:
        enter_into(story, work, target, story.scenes[target].on_enter, None)  # a visit, and its on_enter effects, as on arrival
    except Exception as err:  # an author's jump can land anywhere; the game goes on where it was
        return error(f"Could not enter {target}: {clean(str(err))}")
    _changed(session, work.freeze())
    return scene(f"(debug) Jumped to {target}, keeping every variable.")


def _why_condition(compiled: Compiled, session: Session) -> str:
    """`trust >= 6` is false: trust is 4."""
    holds = bool(compiled.evaluate(session.state))
    names = sorted(compiled.reads)
    values = ", ".join(f"{name} is {clean(format_value(session.state.vars[name]))}" for name in names)
    extra = []
    for scene_id in sorted(compiled.reads_visits):
        extra.append(f"visits({scene_id!r}) is {session.state.visits.get(scene_id, 0)}")
    if compiled.reads_turn:
        extra.append(f"turn is {session.state.turn}")
    detail = "; ".join(part for part in (values, *extra) if part)
    return f"`{clean(compiled.source)}` is {'true' if holds else 'false'}" + (f": {detail}" if detail else "")


def _why_one(story: Story, session: Session, number: int, choice: Choice, shown: dict[str, bool]) -> str:
    label = clean(choice.label.render(session.state))
    if choice.key in shown:
        status = "shown" if shown[choice.key] else "disabled"
    elif choice.once and choice.key in session.state.used:
        return f"{number}. {label}: hidden (once-only, already taken)"
    elif choice.fallback:
        status = "hidden (a fallback, listed only when no other choice can be taken)"
    else:
        status = "hidden"
    if choice.condition is None:
        return f"{number}. {label}: {status} (no condition)"
    reason = f"; it says: {clean(choice.disabled.render(session.state))}" if status == "disabled" and choice.disabled else ""
    return f"{number}. {label}: {status}, because {_why_condition(choice.condition, session)}{reason}"


def explain(session: Session, argument: str) -> Reply:
    story = session.story
    choices = story.scenes[session.state.scene].choices
    if not choices:
        return text("This scene has no choices.")
    shown = {choice.key: enabled for choice, enabled in engine.listed(story, session.state)}
    wanted = argument.strip()
    if wanted:
        if not wanted.isdecimal() or not 1 <= int(wanted) <= len(choices):
            return error(f"Type why and a number from 1 to {len(choices)}: the scene's choices as written, hidden ones included.")
        number = int(wanted)
        return text(_why_one(story, session, number, choices[number - 1], shown))
    lines = ["The scene's choices as written (hidden ones included):"]
    lines += [_why_one(story, session, number, choice, shown) for number, choice in enumerate(choices, 1)]
    return text(*lines)

