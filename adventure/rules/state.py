"""The game state: an immutable value that turns into plain JSON data and back, losslessly."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from adventure.source.textsafe import clean
from adventure.story.chance import next_random as next_random
from adventure.story.expr import INT_LIMIT
from adventure.story.twins import unfrozen_twin

if TYPE_CHECKING:
    from adventure.story.expr import Value
    from adventure.story.model import Story

_MASK = (1 << 64) - 1


@dataclass(frozen=True, slots=True)
class GameState:
    """Where the player is and everything the story remembers. Never mutated: each turn
    makes a new one that shares unchanged parts, so keeping old states for undo is cheap.
    The engine's states hold their mappings behind read-only views (rules.moves.Working.freeze,
    state_from_data), so nobody holding one can change it."""

    scene: str
    vars: Mapping[str, Value]
    visits: Mapping[str, int] = field(default_factory=dict)  # by scene id; and by choice key (`scene#choice`) for
    # a choice whose reply has sequences: how often it was taken, which those sequences follow
    turn: int = 0
    rng: int = 0
    used: frozenset[str] = frozenset()
    unlocked: frozenset[str] = frozenset()
    stack: tuple[str, ...] = ()  # the scenes open detours return to, innermost last
    seed: int = 0  # the game's seed, fixed for the whole game: shuffled text draws from it and the visit count

    def to_data(self) -> dict[str, Any]:
        """Plain JSON-compatible data (sets become sorted lists)."""
        return {
            "scene": self.scene,
            "vars": {name: sorted(value) if isinstance(value, frozenset) else value for name, value in self.vars.items()},
            # a list of pairs keeps first-visit order, which the recap relies on
            "visits": [[scene, count] for scene, count in self.visits.items()],
            "turn": self.turn,
            "rng": self.rng,
            "used": sorted(self.used),
            "unlocked": sorted(self.unlocked),
            "stack": list(self.stack),
            "seed": self.seed,
        }


StateTwin: Any = unfrozen_twin(GameState, "scene", "vars", "visits", "turn", "rng", "used", "unlocked", "stack", "seed")


def built_state(
    scene: str, variables: Mapping[str, Value], visits: Mapping[str, int], turn: int, rng: int,
    used: frozenset[str], unlocked: frozenset[str], stack: tuple[str, ...], seed: int,
) -> GameState:
    """GameState(...), built through its unfrozen twin (story/twins.py): every move builds one."""
    made = StateTwin()
    made.scene = scene
    made.vars = variables
    made.visits = visits
    made.turn = turn
    made.rng = rng
    made.used = used
    made.unlocked = unlocked
    made.stack = stack
    made.seed = seed
    made.__class__ = GameState
    state: GameState = made
    return state


class StateError(ValueError):
    """State data that does not fit the story (or is not state data at all)."""



def state_from_data(data: object, story: Story) -> GameState:
    """Rebuild a state from `to_data` output, checking every field against the story."""
    if not isinstance(data, dict):
        raise StateError("state must be an object")
    expected = {"scene", "vars", "visits", "turn", "rng", "used", "unlocked"}
    missing = expected - set(data)
    if missing:
        raise StateError(f"state lacks {', '.join(sorted(missing))}")
    scene = data["scene"]
    if not isinstance(scene, str):
        raise StateError("state.scene must be a string")
    scene = story.renamed.get(scene, scene)
    if scene not in story.scenes:
        raise StateError(f"scene `{scene}` is not in this story")
    turn, rng = data["turn"], data["rng"]
    if not _is_int(turn) or not 0 <= turn <= INT_LIMIT:
        raise StateError(f"state.turn must be a whole number from 0 to {INT_LIMIT:,}")
    if not _is_int(rng) or not 0 <= rng <= _MASK:
        raise StateError("state.rng must be a 64-bit whole number")
    seed = data.get("seed", 0)  # saves made before shuffled text had no seed: theirs is 0
    if not _is_int(seed) or not 0 <= seed <= _MASK:
        raise StateError("state.seed must be a 64-bit whole number")
    return GameState(
        scene=scene,
        vars=MappingProxyType(_variables(data["vars"], story)),
        visits=MappingProxyType(_visits(data["visits"], story)),
        turn=turn,
        rng=rng,
        used=frozenset(_strings(data["used"], "used")),
        unlocked=frozenset(entry for entry in _strings(data["unlocked"], "unlocked") if entry in story.codex),
        stack=_stack(data.get("stack", []), story),  # saves from before detours have none
        seed=seed,
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _strings(value: object, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise StateError(f"state.{what} must be a list of strings")
    return value


def _stack(value: object, story: Story) -> tuple[str, ...]:
    from adventure.story.model import MAX_DETOUR_DEPTH

    frames = [story.renamed.get(scene, scene) for scene in _strings(value, "stack")]
    if len(frames) > MAX_DETOUR_DEPTH:
        raise StateError(f"state.stack holds {len(frames)} detours; at most {MAX_DETOUR_DEPTH} may be open")
    for scene in frames:
        if scene not in story.scenes:
            # the text comes from the save file, untrusted: it reaches the screen
            raise StateError(f"the save is inside a detour that returns to scene `{clean(scene)}`, which is not in this story")
    return tuple(frames)


def _visits(value: object, story: Story) -> dict[str, int]:
    if not isinstance(value, list):
        raise StateError("state.visits must be a list of [scene, count] pairs")
    visits: dict[str, int] = {}
    for item in value:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str) and _is_int(item[1])
                and 0 < item[1] <= INT_LIMIT):
            raise StateError(f"state.visits must be a list of [scene, count] pairs (counts from 1 to {INT_LIMIT:,})")
        scene, mark, choice = item[0].partition("#")  # "scene#choice": how often a choice with a varying reply was taken
        scene = story.renamed.get(scene, scene)
        if scene in story.scenes:  # visits to scenes since removed no longer matter
            key = scene + mark + choice
            visits[key] = min(visits.get(key, 0) + item[1], INT_LIMIT)
    return visits


def _variables(value: object, story: Story) -> dict[str, Value]:
    if not isinstance(value, dict):
        raise StateError("state.vars must be an object")
    result: dict[str, Value] = {}
    for name, variable in story.variables.items():
        if name not in value:
            result[name] = variable.default  # a variable added to the story since
            continue
        raw = value[name]
        if variable.type == "bool" and isinstance(raw, bool):
            result[name] = raw
        elif variable.type == "int" and _is_int(raw):
            # the engine's own bounds: the declared range, else +-INT_LIMIT
            low = variable.min if variable.min is not None else -INT_LIMIT
            high = variable.max if variable.max is not None else INT_LIMIT
            result[name] = min(max(raw, low), high)
        elif variable.type == "string" and isinstance(raw, str):
            result[name] = clean(raw)  # save files are untrusted; their text reaches the screen
        elif variable.type == "set" and isinstance(raw, list) and all(isinstance(item, str) for item in raw):
            unknown = sorted(set(raw) - variable.members)
            if unknown:
                # the members come from the save file, untrusted: the message reaches the screen
                raise StateError(
                    f"variable `{name}` holds {', '.join(clean(member) for member in unknown)}, which the story no longer declares"
                )
            result[name] = frozenset(raw)
        else:
            raise StateError(f"variable `{name}` should be {variable.type}, found {type(raw).__name__}")
    return result
