"""Property-based fuzzing: structure-aware mutations of stories, conditions and saves.

Bounded in CI by the `fuzz-ci` Hypothesis profile. `python tests/fuzz_long.py` runs the
same properties under the `fuzz-long` profile, with many more examples.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FEATURES, ROOT
from guards import CONTROL, guarded
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from adventure.play import saves
from adventure.play.saves import SaveError
from adventure.play.session import Session
from adventure.story.expr import Env, ExprError, Value, VarInfo, compile_expression
from adventure.story.loader import check_story, load_story
from adventure.story.textcompile import compile_template

_CHECKS = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile(
    "fuzz-ci", max_examples=int(os.environ.get("ADVENTURE_FUZZ_CI_EXAMPLES", "100")), deadline=None, suppress_health_check=_CHECKS
)
settings.register_profile(
    "fuzz-long", max_examples=int(os.environ.get("ADVENTURE_FUZZ_EXAMPLES", "5000")), deadline=None, suppress_health_check=_CHECKS
)
FUZZ = settings.get_profile(os.environ.get("ADVENTURE_FUZZ_PROFILE", "fuzz-ci"))

STORY = load_story(str(FEATURES))

# --- the loader: mutated YAML text of a valid story ---------------------------------------------

SOURCES = sorted(str(path.relative_to(FEATURES)) for path in FEATURES.rglob("*.yaml"))
SPECIALS = [
    ":", ": ", "-", "- ", "{", "}", "[", "]", "&", "*", "!", "!!", "|", ">", "#", "'", '"', "%", "@", "`", ",", "?",
    "\t", "\x00", "\x1b", "\x1b[31m", "\u202e", "\ufeff", "\r", "\x85", "\u2028", "\\", "{{", "}}", "{turn", "<<: ", "---", "...",
]
VALUES = [
    "[]", "{}", "~", "null", "123", "-1", "99999999999999999999999", "true", "no", '"text"', "'single'", "[a, b]", "{x: 1}",
    "&anchor value", "*anchor", "!!str 5", "!!python/object:os.system x", "|\n  block", ">\n  folded", '"\\e]0;t\\a"',
    "{gold}", "{turn} {nope}", "size(keys) > 1", "visited(\"hall\")", "hall", "vault", "rich_end", "x" * 2000,
]

MUTATION = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, 10**6)),
    st.tuples(st.just("duplicate"), st.integers(0, 10**6)),
    st.tuples(st.just("swap"), st.integers(0, 10**6), st.integers(0, 10**6)),
    st.tuples(st.just("indent"), st.integers(0, 10**6), st.sampled_from([-4, -2, -1, 1, 2, 4])),
    st.tuples(st.just("insert"), st.integers(0, 10**6), st.integers(0, 200), st.sampled_from(SPECIALS)),
    st.tuples(st.just("value"), st.integers(0, 10**6), st.sampled_from(VALUES)),
    st.tuples(st.just("line"), st.integers(0, 10**6), st.text(max_size=30)),
    st.tuples(st.just("cut"), st.integers(0, 10**6), st.integers(0, 200)),
    st.tuples(st.just("tab"), st.integers(0, 10**6)),
    st.tuples(st.just("crlf")),
    st.tuples(st.just("alias"), st.integers(0, 10**6), st.integers(0, 10**6)),
)


def mutate(text: str, mutations: list[tuple[Any, ...]]) -> str:
    """Apply line-level, YAML-aware edits to a file's text."""
    lines = text.split("\n")
    for mutation in mutations:
        kind, *args = mutation
        if kind == "crlf":
            lines = [line + "\r" for line in lines]
            continue
        if not lines:
            lines = [""]
        i = args[0] % len(lines)
        line = lines[i]
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, line)
        elif kind == "swap":
            j = args[1] % len(lines)
            lines[i], lines[j] = lines[j], line
        elif kind == "indent":
            delta = args[1]
            lines[i] = " " * delta + line if delta > 0 else line[min(-delta, len(line) - len(line.lstrip(" "))):]
        elif kind == "insert":
            col = args[1] % (len(line) + 1)
            lines[i] = line[:col] + args[2] + line[col:]
        elif kind == "value":
            key, colon, _ = line.partition(": ")
            lines[i] = key + ": " + args[1] if colon else line + args[1]
        elif kind == "line":
            lines[i] = args[1]
        elif kind == "cut":
            lines = [*lines[:i], line[: args[1] % (len(line) + 1)]]
        elif kind == "tab":
            lines[i] = "\t" + line.lstrip(" ")
        elif kind == "alias":
            j = args[1] % len(lines)
            key, colon, value = line.partition(": ")
            other, other_colon, _ = lines[j].partition(": ")
            if colon and other_colon and i != j:
                lines[i] = f"{key}: &a {value}"
                lines[j] = f"{other}: *a"
    return "\n".join(lines)


def write_atomically(path: Path, data: bytes) -> None:
    fresh = path.with_name(path.name + ".new")
    fresh.write_bytes(data)
    os.replace(fresh, path)


def play_a_little(story: Any, seed: int) -> None:
    rng = random.Random(seed)
    session = Session.new(story, seed)
    for _ in range(30):
        view = session.view()
        for text in (view.title, *view.paragraphs, *(choice.label for choice in view.choices)):
            assert not CONTROL.search(text), repr(text)
        enabled = [choice.number for choice in view.choices if choice.enabled]
        if session.ended or not enabled:
            session.restart(rng.randrange(2**32))
        elif rng.random() < 0.15:
            session.undo(rng.randint(1, 3))
        else:
            session.choose(rng.choice(enabled))
    session.status()
    session.recap()


@pytest.fixture
def story_copy(tmp_path: Path) -> Path:
    root = tmp_path / "story"
    shutil.copytree(FEATURES, root)
    return root


@FUZZ
@given(
    targets=st.lists(st.tuples(st.sampled_from(SOURCES), st.lists(MUTATION, min_size=1, max_size=4)), min_size=1, max_size=2),
    seed=st.integers(0, 2**32),
)
def test_mutated_story_files_load_or_give_located_problems(
    story_copy: Path, targets: list[tuple[str, list[tuple[Any, ...]]]], seed: int
) -> None:
    texts = {name: (FEATURES / name).read_text(encoding="utf-8") for name in SOURCES}
    for name, mutations in targets:
        texts[name] = mutate(texts[name], mutations)
    for name, text in texts.items():
        write_atomically(story_copy / name, text.encode("utf-8", "surrogatepass"))
    with guarded(measure=False):
        story, problems = check_story(str(story_copy))
    assert (story is None) == bool(problems)
    event("story loads" if story is not None else "story refused")
    files = {str(story_copy / name): text for name, text in texts.items()}
    for problem in problems:
        formatted = problem.format()
        assert not CONTROL.search(formatted), formatted
        assert problem.path in files or problem.path == str(story_copy), formatted
        if problem.path in files:
            assert 0 <= problem.line <= files[problem.path].count("\n") + files[problem.path].count("\r") + 2, formatted
    if story is not None:
        play_a_little(story, seed)


# --- the condition language: valid expressions, then mutated ---------------------------------------

ENV = Env(
    variables={
        "trust": VarInfo("int", min=0, max=10), "money": VarInfo("int"), "brave": VarInfo("bool"),
        "name": VarInfo("string"), "ids": VarInfo("set", frozenset({"viola", "verde", "noir"})),
    },
    scenes=frozenset({"start", "club"}),
    codex_titles={"neans": "Neans"},
    chapters={"start": "Prologue", "club": "Canal City"},
)


_INT_LEAF = st.one_of(
    st.integers(-1000, 1000).map(str), st.sampled_from(["trust", "money", "turn", "size(ids)", "size(name)", 'visits("club")'])
)
_BOOL_LEAF = st.sampled_from(["brave", "true", "false", '"viola" in ids', '"noir" not in ids', 'visited("start")', 'unlocked("neans")'])
_STRING_LEAF = st.sampled_from(["name", "chapter", '"text"', 'title("neans")', '""'])
_INTS: st.SearchStrategy[str] = st.deferred(lambda: st.one_of(
    _INT_LEAF, _INT_LEAF,
    st.builds("({} {} {})".format, _INTS, st.sampled_from(["+", "-"]), _INTS),
    _INTS.map("-{}".format),
))
_BOOLS: st.SearchStrategy[str] = st.deferred(lambda: st.one_of(
    _BOOL_LEAF, _BOOL_LEAF,
    st.builds("{} {} {}".format, _INTS, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), _INTS),
    st.builds("{} {} {}".format, _STRING_LEAF, st.sampled_from(["==", "!="]), _STRING_LEAF),
    st.builds("({} {} {})".format, _BOOLS, st.sampled_from(["and", "or"]), _BOOLS),
    _BOOLS.map("not {}".format),
))
TYPED = st.one_of(_INTS.map(lambda s: (s, "int")), _BOOLS.map(lambda s: (s, "bool")), _STRING_LEAF.map(lambda s: (s, "string")))
LIMITS = ("nested too deeply", "too many nested parentheses", "characters long")


EXPR_MUTATION = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, 10**6)),
    st.tuples(st.just("duplicate"), st.integers(0, 10**6)),
    st.tuples(st.just("swap"), st.integers(0, 10**6)),
    st.tuples(st.just("insert"), st.integers(0, 10**6), st.sampled_from(
        ["(", ")", "not", "and", "in", '"', "'", "{", "}", ".", "__class__", "[0]", "()", "**", "*", "/", "lambda x:", "if", "else",
         "\\", "\x00", "\n", "9" * 50, "1e9", "0x1F", "1_000", "size(", "visited(", ",", ":=", "...", "ids", "trust", "€", "\u202e"])),
    st.tuples(st.just("char"), st.integers(0, 10**6), st.characters()),
)


def mutate_expression(source: str, mutations: list[tuple[Any, ...]]) -> str:
    tokens = source.split(" ")
    for kind, position, *rest in mutations:
        i = position % (len(tokens) or 1)
        if kind == "delete" and tokens:
            del tokens[i]
        elif kind == "duplicate" and tokens:
            tokens.insert(i, tokens[i])
        elif kind == "swap" and len(tokens) > 1:
            j = (i + 1) % len(tokens)
            tokens[i], tokens[j] = tokens[j], tokens[i]
        elif kind == "insert":
            tokens.insert(i, rest[0])
        elif kind == "char" and tokens:
            word = tokens[i]
            cut = position % (len(word) + 1)
            tokens[i] = word[:cut] + rest[0] + word[cut:]
    return " ".join(tokens)


class State:
    def __init__(self, rng: random.Random) -> None:
        self.vars: dict[str, Value] = {
            "trust": rng.randint(0, 10),
            "money": rng.randint(-(10**6), 10**6),
            "brave": rng.random() < 0.5,
            "name": rng.choice(["", "Rouge", "\x1b[31m", "a" * 300]),
            "ids": frozenset(rng.sample(["viola", "verde", "noir"], rng.randint(0, 3))),
        }
        self.visits = {"start": rng.randint(0, 3)} if rng.random() < 0.5 else {}
        self.turn = rng.randint(0, 10**6)
        self.unlocked = frozenset({"neans"}) if rng.random() < 0.5 else frozenset()
        self.scene = rng.choice(["start", "club"])


PY_TYPES = {"int": int, "bool": bool, "string": str, "set": frozenset}


@FUZZ
@given(expression=TYPED, mutations=st.lists(EXPR_MUTATION, max_size=3), seed=st.integers(0, 2**32))
def test_mutated_conditions_compile_or_give_an_expr_error_and_never_fail_at_play(
    expression: tuple[str, str], mutations: list[tuple[Any, ...]], seed: int
) -> None:
    source, kind = expression
    mutated = mutate_expression(source, mutations)
    try:
        compiled = compile_expression(mutated, ENV)
    except ExprError as err:
        event("refused")
        assert mutated != source or any(limit in err.message for limit in LIMITS), (
            f"a valid expression was refused: {source!r}: {err.message}"
        )
        assert 0 <= err.offset <= len(mutated) and err.message
        return
    if not mutations:
        assert compiled.type == kind
    rng = random.Random(seed)
    for _ in range(5):
        value = compiled.evaluate(State(rng))
        assert isinstance(value, PY_TYPES[compiled.type]) and (compiled.type != "int" or not isinstance(value, bool))


@FUZZ
@given(expression=TYPED, mutations=st.lists(EXPR_MUTATION, max_size=2), before=st.text(max_size=20), after=st.text(max_size=20))
def test_mutated_interpolations_compile_or_give_an_expr_error(
    expression: tuple[str, str], mutations: list[tuple[Any, ...]], before: str, after: str
) -> None:
    text = f"{before.replace('{', '{{').replace('}', '}}')}{{{mutate_expression(expression[0], mutations)}}}{after}"
    try:
        template = compile_template(text, ENV)
    except ExprError as err:
        assert 0 <= err.offset <= len(text)
        return
    assert isinstance(template.render(State(random.Random(0))), str)


# --- save files: mutated JSON, mutated bytes -----------------------------------------------------

JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
              st.sampled_from(["hall", "vault", "dice_room", "brass", "iron", "gold", "scene", "choice", "features"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8,
)
SAVE_MUTATION = st.one_of(
    st.tuples(st.just("replace"), st.integers(0, 10**6), JSON_VALUE),
    st.tuples(st.just("delete"), st.integers(0, 10**6)),
    st.tuples(st.just("add"), st.integers(0, 10**6), st.text(max_size=8), JSON_VALUE),
    st.tuples(st.just("grow"), st.integers(0, 10**6), st.integers(2, 300)),
    st.tuples(st.just("empty"), st.integers(0, 10**6)),
)
BYTE_MUTATION = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10**7), st.integers(0, 255)),
    st.tuples(st.just("cut"), st.integers(0, 10**7)),
    st.tuples(st.just("insert"), st.integers(0, 10**7), st.binary(min_size=1, max_size=8)),
)


def containers(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(data, (dict, list)):
        yield path
        items = data.items() if isinstance(data, dict) else enumerate(data)
        for key, value in items:
            yield from containers(value, (*path, key))


def at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def mutate_save(data: Any, mutations: list[tuple[Any, ...]]) -> Any:
    for kind, index, *rest in mutations:
        paths = list(containers(data))
        if not paths:
            break
        target = at(data, paths[index % len(paths)])
        keys = list(target) if isinstance(target, dict) else list(range(len(target)))
        if kind == "add":
            if isinstance(target, dict):
                target[rest[0]] = rest[1]
            else:
                target.append(rest[1])
        elif not keys:
            continue
        elif kind == "replace":
            target[keys[index % len(keys)]] = rest[0]
        elif kind == "delete":
            del target[keys[index % len(keys)]]
        elif kind == "grow" and isinstance(target, list):
            target.extend(target[:1] * rest[0])
        elif kind == "empty":
            target.clear()
    return data


def mutate_bytes(raw: bytes, mutations: list[tuple[Any, ...]]) -> bytes:
    data = bytearray(raw)
    for kind, offset, *rest in mutations:
        position = offset % (len(data) + 1)
        if kind == "flip" and data:
            data[position % len(data)] = rest[0]
        elif kind == "cut":
            del data[position:]
        elif kind == "insert":
            data[position:position] = rest[0]
    return bytes(data)


def loads_or_refuses(folder: Path, content: bytes) -> None:
    """The property: SaveError or a save that plays, saves and loads again; the file never changes."""
    path = folder / "fuzz.json"
    write_atomically(path, content)
    try:
        with guarded(measure=False):
            loaded = saves.load(STORY, str(folder), "fuzz")
    except SaveError as err:
        assert not CONTROL.search(str(err).replace(str(folder), "")), str(err)
        event("save refused")
        return
    finally:
        assert path.read_bytes() == content
    event("save loads")
    session = Session.new(STORY)
    saves.apply_loaded(session, loaded)
    for text in (session.status(), *session.recap(), *session.history(), *session.view().paragraphs):
        assert not CONTROL.search(text), repr(text)
    enabled = [choice.number for choice in session.view().choices if choice.enabled]
    if enabled and not session.ended:
        session.choose(enabled[-1])
    session.undo(2)
    saves.save(session, str(folder), "again")
    assert saves.load(STORY, str(folder), "again").state == session.state


@pytest.fixture(scope="module")
def base_saves() -> list[bytes]:
    made = []
    for moves in ([], [2], [2, 1, 4], [4, 1, 2, 2, 1]):
        session = Session.new(STORY, 3)
        for number in moves:
            session.choose(number)
        made.append(json.dumps(saves.save_data(session), ensure_ascii=False, indent=1).encode())
    return made


@FUZZ
@given(which=st.integers(0, 3), mutations=st.lists(SAVE_MUTATION, min_size=1, max_size=4))
def test_mutated_save_json_loads_soundly_or_is_refused_untouched(
    tmp_path: Path, base_saves: list[bytes], which: int, mutations: list[tuple[Any, ...]]
) -> None:
    data = mutate_save(json.loads(base_saves[which]), mutations)
    loads_or_refuses(tmp_path, json.dumps(data, ensure_ascii=False).encode("utf-8", "surrogatepass"))


@FUZZ
@given(which=st.integers(0, 3), mutations=st.lists(BYTE_MUTATION, min_size=1, max_size=4))
def test_mutated_save_bytes_load_soundly_or_are_refused_untouched(
    tmp_path: Path, base_saves: list[bytes], which: int, mutations: list[tuple[Any, ...]]
) -> None:
    loads_or_refuses(tmp_path, mutate_bytes(base_saves[which], mutations))


def test_the_fuzz_profiles_exist_and_ci_is_the_default() -> None:
    assert settings.get_profile("fuzz-long").max_examples > settings.get_profile("fuzz-ci").max_examples
    if "ADVENTURE_FUZZ_PROFILE" not in os.environ:
        assert FUZZ.max_examples == settings.get_profile("fuzz-ci").max_examples
    assert (ROOT / "tests" / "fuzz_long.py").is_file()
