"""The expression language: parsing, type checking, evaluation, interpolation."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adventure.story.expr import Env, ExprError, Value, VarInfo, compile_expression, format_value
from adventure.story.inline import Hole, parse_text
from adventure.story.textcompile import compile_template

ENV = Env(
    variables={
        "trust": VarInfo("int", min=0, max=10),
        "brave": VarInfo("bool"),
        "name": VarInfo("string"),
        "ids": VarInfo("set", frozenset({"viola", "verde", "noir"})),
    },
    scenes=frozenset({"start", "club"}),
    codex_titles={"neans": "Neans"},
    chapters={"start": "Prologue", "club": "Canal City"},
)


@dataclass
class FakeState:
    vars: dict[str, Value] = field(default_factory=lambda: {"trust": 3, "brave": False, "name": "Rouge", "ids": frozenset({"viola"})})
    visits: dict[str, int] = field(default_factory=lambda: {"start": 2})
    turn: int = 7
    unlocked: frozenset[str] = frozenset({"neans"})
    scene: str = "start"


def value(source: str, state: FakeState | None = None) -> Value:
    return compile_expression(source, ENV).evaluate(state or FakeState())


@pytest.mark.parametrize(("source", "expected"), [
    ("trust >= 3", True),
    ("trust + 2 - 1", 4),
    ("trust * 4 // 5", 2),
    ("-7 // 2", -4),
    ("trust % 2", 1),
    ("-trust * -1", 3),
    ("trust // (trust - 3)", 0),
    ("trust % (trust - 3)", 0),
    ("min(trust, 2, 9)", 2),
    ("max(trust, 2, 9)", 9),
    ("abs(1 - trust)", 2),
    ("trust * 4503599627370496 * 4503599627370496", 2**53),
    ("-trust * 4503599627370496 * 4503599627370496", -(2**53)),
    ('upper("rouge")', "ROUGE"),
    ('lower("NAOMI")', "naomi"),
    ('capitalize("mcRae")', "McRae"),
    ('capitalize("")', ""),
    ("-trust", -3),
    ('"viola" in ids', True),
    ('"noir" not in ids', True),
    ("size(ids) + 2", 3),
    ("not brave and trust > 0", True),
    ("brave or (trust == 3)", True),
    ("1 <= trust <= 5", True),
    ("1 <= trust <= 2", False),
    ('visited("start")', True),
    ('visited("club")', False),
    ('visits("start")', 2),
    ('unlocked("neans")', True),
    ('title("neans")', "Neans"),
    ("turn", 7),
    ("chapter", "Prologue"),
    ('name == "Rouge"', True),
    ('"ou" in name', True),
    ("size(name)", 5),
    ("true and not false", True),
    ("True", True),
])
def test_expressions_evaluate_to_the_expected_value(source: str, expected: object) -> None:
    assert value(source) == expected


@pytest.mark.parametrize(("source", "fragment", "hint_fragment"), [
    ("ids > 3", "need int", "size(ids)"),
    ('"viloa" in ids', "not a member", "viola"),
    ("trust = 3", "syntax error", "=="),
    ("trust && brave", "syntax error", "and"),
    ("truts > 1", "unknown variable", "trust"),
    ("trust", None, None),
    ('visited("nowhere")', "no scene", ""),
    ('title("nope")', "no codex entry", ""),
    ("len(ids)", "not available", "size"),
    ("trust / 2", "not supported", "//"),
    ("trust ** 2", "not supported", ""),
    ("trust // 0 > 1", "divides by zero", ""),
    ("trust % (2 - 2) > 1", "divides by zero", ""),
    ("trust * 9007199254740993 > 1", "too large", ""),
    ("4503599627370496 * 4 > trust", "larger than", ""),
    ("random(1, 6) > 3", "only be used in effects", "set:"),
    ("maks(trust, 1) > 1", "unknown function", "max"),
    ("min(trust) > 1", "at least two", ""),
    ("abs(trust, 1) > 1", "exactly one", ""),
    ('upper(trust) == "A"', "needs string", ""),
    ("trust.real", "not allowed", ""),
    ("__import__('os')", "unknown function", ""),
    ("[1, 2]", "not allowed", ""),
    ("1.5 > trust", "not a whole number", ""),
    ("brave == 1", "cannot compare", ""),
    ("lambda: 1", "not allowed", ""),
    ("", "empty", ""),
    ("x" * 1001, "limit", ""),
    ("-" * 200 + "1", "nested too deeply", ""),
])
def test_bad_conditions_are_reported_with_a_hint(source: str, fragment: str | None, hint_fragment: str | None) -> None:
    if fragment is None:  # an int where a bool is wanted
        with pytest.raises(ExprError) as info:
            compile_expression(source, ENV, "bool")
        assert "trust > 0" in info.value.hint
        return
    with pytest.raises(ExprError) as info:
        compile_expression(source, ENV, "bool")
    assert fragment in info.value.message
    if hint_fragment:
        assert hint_fragment in info.value.hint


def test_error_offsets_point_at_the_offending_part() -> None:
    with pytest.raises(ExprError) as info:
        compile_expression("trust > 1 and missing", ENV)
    assert info.value.offset == len("trust > 1 and ")


def test_compiled_expressions_report_what_they_read() -> None:
    compiled = compile_expression('trust > 1 and visited("club") and unlocked("neans") or turn > 3', ENV)
    assert compiled.reads == {"trust"}
    assert compiled.reads_visits == {"club"}
    assert compiled.reads_unlocked == {"neans"}
    assert compiled.reads_turn


def test_and_or_short_circuit() -> None:
    state = FakeState()
    state.vars = dict(state.vars)
    del state.vars["brave"]  # reading it would raise KeyError
    assert compile_expression("trust > 5 and brave", ENV).evaluate(state) is False
    assert compile_expression("trust < 5 or brave", ENV).evaluate(state) is True


def test_templates_interpolate_values() -> None:
    template = compile_template('Ids {size(ids) + 2}/9, {name}, brave: {brave}, {ids}, {{literal}} {title("neans")}', ENV)
    assert template.render(FakeState()) == "Ids 3/9, Rouge, brave: no, viola, {literal} Neans"


@pytest.mark.parametrize("text", ["a { b", "a } b", "{trust", "{ {trust} }"])
def test_unbalanced_braces_in_templates_are_errors(text: str) -> None:
    with pytest.raises(ExprError):
        compile_template(text, ENV)


def test_braces_inside_quoted_strings_do_not_end_an_expression() -> None:
    assert parse_text('a {name == "}"} b') == ("a ", Hole('name == "}"', 3), " b")


def test_format_value_reads_naturally() -> None:
    assert format_value(True) == "yes"
    assert format_value(frozenset()) == "none"
    assert format_value(frozenset({"b", "a"})) == "a, b"
    assert format_value(42) == "42"


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_a_compiled_expression_or_an_expr_error(source: str) -> None:
    try:
        compiled = compile_expression(source, ENV)
    except ExprError:
        return
    compiled.evaluate(FakeState())


TOKENS = st.sampled_from([
    "trust", "brave", "name", "ids", "turn", "chapter", "1", "0", "-", "+", "(", ")", "and", "or", "not",
    "==", "!=", "<", ">=", "in", '"viola"', "size(", 'visited("start")', "__import__", "open(", ".", "[", "]",
    "lambda", ":", "*", "**", "if", "else", "'", "\\", "{", "}", ",",
])


@settings(max_examples=600, deadline=None)
@given(st.lists(TOKENS, max_size=25).map(" ".join))
def test_token_soup_never_escapes_the_expression_error(source: str) -> None:
    try:
        compiled = compile_expression(source, ENV)
    except ExprError:
        return
    compiled.evaluate(FakeState())


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_templates_never_raise_anything_but_expr_error(text: str) -> None:
    try:
        template = compile_template(text, ENV)
    except ExprError:
        return
    assert isinstance(template.render(FakeState()), str)


def test_expressions_cannot_reach_python_builtins() -> None:
    for source in ('__builtins__', 'open("x")', "globals()", "().__class__", "exec('1')", "eval('1')"):
        with pytest.raises(ExprError):
            compile_expression(source, ENV)


class DrawingState(FakeState):
    """A state that can draw, as a game's working state does while effects run."""

    def __init__(self, draws: list[int]) -> None:
        super().__init__()
        self.draws = draws
        self.sizes: list[int] = []

    def draw(self, size: int) -> int:
        self.sizes.append(size)
        return self.draws.pop(0) % size


def test_random_draws_from_the_state_within_both_bounds_in_either_order() -> None:
    compiled = compile_expression("random(trust, 1)", ENV, "int", in_effect=True)
    state = DrawingState([0, 2])
    assert [compiled.evaluate(state), compiled.evaluate(state)] == [1, 3]
    assert state.sizes == [3, 3] and compiled.draws_random


def test_a_variable_may_share_a_name_with_a_later_function() -> None:
    env = Env(variables={"max": VarInfo("int"), "lower": VarInfo("string")}, scenes=frozenset(), codex_titles={})
    assert compile_expression("max(max, 2)", env).evaluate(type("S", (), {"vars": {"max": 5}})()) == 5
    assert compile_expression('lower == ""', env, "bool").reads == frozenset({"lower"})


# Each condition a shape the compiler makes one closure of (a variable compared with a literal,
# `not` of a variable, `and`/`or` of two), beside the same condition in a shape it compiles
# part by part; and a variable named like a function or a keyword, which is compiled as usual.
SAME_CONDITIONS = [
    *((f"trust {op} {number}", f"trust {op} {number} + 0") for op in ("<", "<=", ">", ">=", "==", "!=") for number in (0, 3, 10)),
    ('"viola" in ids', 'lower("viola") in ids'),
    ('"noir" not in ids', 'lower("noir") not in ids'),
    ('"ou" in name', 'lower("ou") in name'),
    ('name == "Rouge"', 'name == capitalize("Rouge")'),
    ('name != "Rouge"', 'name != capitalize("Rouge")'),
    ("brave == True", "brave == (not false)"),
    ("not brave", "not (brave == true)"),
    ("not brave and trust > 2", "not brave and trust > 2 and true"),
    ("brave or trust > 2", "brave or trust > 2 or false"),
    ("brave and trust > 2", "brave and trust > 2 and true"),
    ("not brave or trust > 2", "not brave or trust > 2 or false"),
    ("3 < trust", "3 + 0 < trust"),
]


@settings(max_examples=200)
@given(
    trust=st.integers(-2, 12), brave=st.sampled_from([True, False, 0, 1]), name=st.sampled_from(["Rouge", "Naomi", "", "ou"]),
    ids=st.frozensets(st.sampled_from(["viola", "verde", "noir"])),
)
def test_a_condition_compiled_to_one_closure_gives_what_it_gives_compiled_part_by_part(
    trust: int, brave: bool, name: str, ids: frozenset[str]
) -> None:
    state = FakeState(vars={"trust": trust, "brave": brave, "name": name, "ids": ids})
    for quick, general in SAME_CONDITIONS:
        assert value(quick, state) is value(general, state), (quick, general)  # the same value, not just an equal one
