"""How a game begins for an author: --from, --set, --reach, and what --record and --debug add to its turn loop."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from adventure.source.textsafe import clean

if TYPE_CHECKING:
    from adventure.play.session import Session
    from adventure.play.turns import TurnLoop
    from adventure.story.expr import Value
    from adventure.story.model import Story


def starting_session(story: Story, args: argparse.Namespace, seed: int, stderr: TextIO) -> Session | None:
    """The game --from, --set or --reach start (None: an ordinary new game). Raises ValueError."""
    from adventure.play.session import Session
    from adventure.rules import engine
    from adventure.story.assign import parse_assignment
    from adventure.story.exprhints import suggest

    values = dict(parse_assignment(item, story) for item in args.assignments)
    for option, scene_id in (("--from", args.from_scene), ("--reach", args.reach)):
        if scene_id is not None and scene_id not in story.scenes:
            hint = suggest(scene_id, story.scenes, "adventure graph lists the scenes")
            raise ValueError(f"{option}: there is no scene `{scene_id}` ({hint})")
    if args.reach is not None:
        if args.from_scene is not None:
            raise ValueError("--reach finds its own way in: it cannot be used with --from")
        return _reached_session(story, args, args.reach, values, seed, stderr)
    if args.from_scene or values:
        return Session.at(story, engine.start_at(story, args.from_scene or story.start, values, seed))
    return None


def _reached_session(
    story: Story, args: argparse.Namespace, scene_id: str, values: dict[str, Value], seed: int, stderr: TextIO
) -> Session:
    """A game at `scene_id` with the state the shortest real path into it produces (printed)."""
    from adventure.play.session import Session
    from adventure.rules import engine
    from adventure.rules.state import GameState
    from adventure.tools.explore import reach

    def start_for(game_seed: int) -> GameState:
        return (engine.start_at(story, story.start, values, game_seed) if values else engine.new_game(story, game_seed)).state

    found = reach(story, scene_id, start_for, seed)
    if found is None:
        raise ValueError(f"--reach: no way into `{scene_id}` was found (adventure explore --reach {scene_id} says more)")
    stderr.write("".join(clean(line) + "\n" for line in found.describe()))
    args.reached = found  # for --record, which writes the path as the walkthrough's first steps
    if found.seed is not None:
        args.seed = found.seed  # the game goes on with the seed that played the path
    return Session.at(story, engine.Outcome(found.state, ()))


def play_setup(story: Story, args: argparse.Namespace, seed: int) -> Callable[[TurnLoop], None] | None:
    """What --record and --debug add to each game's turn loop (None: nothing)."""
    steps = [_recording(story, args, seed)] if args.record else []
    if args.debug:
        from adventure.play.debug import add_console

        args.seed = seed  # `seed` names it, and a restart replays it
        steps.append(lambda loop: add_console(loop, seed))
    if not steps:
        return None

    def setup(loop: TurnLoop) -> None:
        for step in steps:
            step(loop)

    return setup


def _recording(story: Story, args: argparse.Namespace, seed: int) -> Callable[[TurnLoop], None]:
    """play --record: follow each game's turn loop and write it as a walkthrough when the player leaves."""
    from adventure.play.record import Recorder
    from adventure.story.assign import parse_assignment

    values = dict(parse_assignment(item, story) for item in args.assignments)
    reached = getattr(args, "reached", None)
    if reached is not None and reached.seed is not None:
        seed = reached.seed
    args.seed = seed  # every game of this command, new or restarted, plays with the seed the file will hold

    def setup(loop: TurnLoop) -> None:
        if reached is not None and reached.moves and loop.session.state is reached.state:
            # --reach: the path the explorer played is the walkthrough's first steps
            recorder = Recorder(args.record, reached.moves[0][0], seed, None, values)
            for before, number, outcome in reached.moves:
                recorder.chose(before, number, outcome)
        else:
            recorder = Recorder(args.record, loop.session.state, seed, args.from_scene, values)
        loop.on_choice.append(recorder.chose)
        loop.on_leave.append(recorder.finish)

    return setup
