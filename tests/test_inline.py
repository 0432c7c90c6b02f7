"""Variation inside a sentence, snippets and readable variables: loaded, checked, rendered, saved."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_story
from hypothesis import given, settings
from hypothesis import strategies as st

from adventure.play.session import Session, describe_events
from adventure.rules import engine
from adventure.rules.state import state_from_data
from adventure.story.expr import Env, ExprError, Value, VarInfo
from adventure.story.inline import MAX_INLINE_DEPTH, parse_text
from adventure.story.loader import check_story, load_story
from adventure.story.textcompile import TextScope, compile_template

HEADER = """\
id: inline
title: Inline
version: 1
start: yard
variables:
  trust: {type: int, default: 0, min: 0, max: 5}
  name: {type: string, default: Ada}
"""

YARD = """\
scenes:
  - id: yard
    title: The Yard
    text: "{text}"
    choices:
      - {{label: "Wait {{cycle: here|again}}", goto: yard, effects: [{{add: {{trust: 1}}}}]}}
      - {{label: Leave, goto: gate}}
  - id: gate
    title: The Gate
    text: Gone.
    ending: {{id: gone, name: Gone}}
"""


def story_with(root: Path, text: str, header_extra: str = "", files: dict[str, str] | None = None) -> Path:
    return write_story(root, {"story.yaml": HEADER + header_extra, "yard.yaml": YARD.format(text=text), **(files or {})})


def texts_over_visits(root: Path, visits: int, seed: int = 0) -> list[str]:
    """The yard's first paragraph on each of its first `visits` visits (waiting each time)."""
    story = load_story(str(root))
    state = engine.new_game(story, seed).state
    seen = []
    for _ in range(visits):
        seen.append(engine.view(story, state).paragraphs[0])
        state = engine.choose(story, state, 1).state
    return seen


def problems_of(root: Path) -> list[str]:
    story, problems = check_story(str(root))
    assert story is None, "expected the story to be refused"
    return [problem.format() for problem in problems]


# --- rendering ------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("{seq: A first look.|A second.|The same yard.}", ["A first look.", "A second.", "The same yard.", "The same yard."]),
    ("{cycle: Rain.|Wind.}", ["Rain.", "Wind.", "Rain.", "Wind."]),
    ("The gate{once: , newly painted,|} stands.", ["The gate, newly painted, stands."] + ["The gate stands."] * 3),
    ("You feel {if trust >= 2: at home|a stranger} here.", ["You feel a stranger here."] * 2 + ["You feel at home here."] * 2),
    ("{trust} {plural trust: visit|visits} so far.", ["0 visits so far.", "1 visit so far.", "2 visits so far.", "3 visits so far."]),
    ("{plural trust: none|one|many}", ["none", "one", "many", "many"]),
    ("{select name: Ada=She|Bo=He|else=They} waits.", ["She waits."] * 4),
    ("{if trust > 0: {seq: a|b|c}|start}", ["start", "b", "c", "c"]),
])
def test_a_variation_inside_a_sentence_follows_the_state_and_the_scene_visits(tmp_path: Path, text: str, expected: list[str]) -> None:
    assert texts_over_visits(story_with(tmp_path, text), 4) == expected


def test_a_choice_label_varies_with_the_scene_visits_too(tmp_path: Path) -> None:
    story = load_story(str(story_with(tmp_path, "Here.")))
    first = engine.new_game(story).state
    second = engine.choose(story, first, 1).state
    assert [engine.view(story, state).choices[0].label for state in (first, second)] == ["Wait here", "Wait again"]


def test_a_shuffle_shows_every_option_once_per_round_and_replays_with_the_same_seed(tmp_path: Path) -> None:
    root = story_with(tmp_path, "{shuffle: a|b|c|d}")
    first = texts_over_visits(root, 8, seed=7)
    assert sorted(first[:4]) == ["a", "b", "c", "d"] and sorted(first[4:]) == ["a", "b", "c", "d"]
    assert texts_over_visits(root, 8, seed=7) == first
    assert any(texts_over_visits(root, 4, seed=seed) != first[:4] for seed in range(1, 6))


def test_a_shuffle_after_loading_a_save_goes_on_as_without_it(tmp_path: Path) -> None:
    story = load_story(str(story_with(tmp_path, "{shuffle: a|b|c|d|e}")))
    state = engine.choose(story, engine.new_game(story, 99).state, 1).state
    reloaded = state_from_data(state.to_data(), story)
    assert reloaded == state
    assert engine.view(story, reloaded).paragraphs == engine.view(story, state).paragraphs


def test_a_save_from_before_shuffles_loads_with_seed_zero(tmp_path: Path) -> None:
    story = load_story(str(story_with(tmp_path, "{shuffle: a|b}")))
    data = engine.new_game(story, 5).state.to_data()
    del data["seed"]
    assert state_from_data(data, story).seed == 0


def test_literal_braces_and_bars_can_be_written_inside_and_outside_forms(tmp_path: Path) -> None:
    text = "a {{b}} c | d {if trust == 0: e {|} f {{g{}} h|i}"
    assert texts_over_visits(story_with(tmp_path, text), 1) == ["a {b} c | d e | f {g} h"]


def test_plain_text_and_first_edition_holes_render_as_before() -> None:
    env = Env({"trust": VarInfo("int")}, frozenset(), {})
    template = compile_template("Trust {trust}, {{literal}} | bar", env)
    assert template.render(type("S", (), {"vars": {"trust": 3}})()) == "Trust 3, {literal} | bar"
    assert compile_template("No braces at all.", env).static == "No braces at all."


# --- load-time errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "fragment"), [
    ("{if trust: warm|cold}", "yard.yaml:4:16: in text: in {if}: this expression is int, but a bool is needed here"),
    ("{sequence: a|b}", "unknown inline form `sequence`"),
    ("{if trust > 1 warm|cold}", "`{if` needs a colon after its condition"),
    ("{seq: a|b", "`{seq` is never closed"),
    ("{if trust > 1: a|b|c}", "{if} has 3 options"),
    ("{plural trust: coins}", "{plural} has 1 options"),
    ("{select name: Ada}", "each option of {select} starts with `key=`"),
    ("{plural name: a|b}", "this expression is string, but a int is needed here"),
    ("{seq: only}", "{seq: ...} has only one option"),
    ("{>nowhere}", "unknown snippet `nowhere`"),
    ("{if trust > 0: " * (MAX_INLINE_DEPTH + 1) + "x" + "}" * (MAX_INLINE_DEPTH + 1), "nest more than 5 deep"),
])
def test_a_mistake_in_an_inline_form_is_a_located_load_error(tmp_path: Path, text: str, fragment: str) -> None:
    problems = problems_of(story_with(tmp_path, text))
    assert any(fragment in problem for problem in problems), problems
    assert all(problem.startswith(str(tmp_path)) for problem in problems)


def test_a_misspelt_form_gets_a_did_you_mean(tmp_path: Path) -> None:
    [problem] = problems_of(story_with(tmp_path, "{cylce: a|b}"))
    assert "did you mean `cycle`?" in problem


def test_visit_forms_are_refused_where_there_is_no_scene(tmp_path: Path) -> None:
    extra = 'status: "{cycle: a|b}"\ncodex:\n  lore: {title: Lore, text: "{seq: a|b}"}\n'
    problems = problems_of(story_with(tmp_path, "Here.", extra))
    assert sum("follows the visits of the scene it is written in" in problem for problem in problems) == 2


# --- snippets -------------------------------------------------------------------------------------


SNIPPETS = """\
snippets:
  door: "the {seq: shut|open} door"
  who: "{select name: Ada=she|else=someone}"
"""


def test_a_snippet_is_used_inside_text_and_counts_the_visits_of_the_scene_using_it(tmp_path: Path) -> None:
    root = story_with(tmp_path, "You see {>door}; {>who} waits.", SNIPPETS)
    assert texts_over_visits(root, 3) == ["You see the shut door; she waits."] + ["You see the open door; she waits."] * 2
    story = load_story(str(root))
    assert {(snippet.name, snippet.used) for snippet in story.snippets} == {("door", True), ("who", True)}


def test_an_unknown_snippet_gets_a_did_you_mean_at_its_use(tmp_path: Path) -> None:
    [problem] = problems_of(story_with(tmp_path, "You see {>dor}.", SNIPPETS))
    assert "yard.yaml:4:" in problem and "unknown snippet `dor`" in problem and "did you mean `door`?" in problem


def test_snippets_that_use_each_other_in_a_circle_are_refused_at_their_declaration(tmp_path: Path) -> None:
    extra = 'snippets:\n  a: "x {>b}"\n  b: "y {>a}"\n  c: "z {>c}"\n'
    problems = problems_of(story_with(tmp_path, "{>a}", extra))
    assert any("story.yaml:9:" in problem and "a -> b -> a" in problem for problem in problems), problems
    assert any("story.yaml:11:" in problem and "c -> c" in problem for problem in problems), problems


def test_a_mistake_inside_a_snippet_is_reported_once_at_the_snippet(tmp_path: Path) -> None:
    extra = 'snippets:\n  bad: "{if trust: a|b}"\n'
    problems = problems_of(story_with(tmp_path, "{>bad} and {>bad}", extra))
    assert len(problems) == 1 and "story.yaml:9:" in problems[0] and "in snippet `bad`" in problems[0]


def test_a_file_snippet_is_seen_only_in_its_own_file(tmp_path: Path) -> None:
    other = 'snippets:\n  local: "mine"\nscenes:\n  - {id: other, title: Other, text: "{>local}", ending: {id: o, name: O}}\n'
    problems = problems_of(story_with(tmp_path, "{>local}", files={"other.yaml": other}))
    assert len(problems) == 1 and "yard.yaml" in problems[0] and "unknown snippet `local`" in problems[0]


def test_a_snippet_with_a_sequence_used_in_codex_text_is_refused_at_the_use(tmp_path: Path) -> None:
    extra = SNIPPETS + 'codex:\n  lore: {title: Lore, text: "{>door}"}\n'
    [problem] = problems_of(story_with(tmp_path, "{>door} {>who}", extra))
    assert "in snippet `door`" in problem and "belongs to no scene" in problem


# --- variables the player reads -------------------------------------------------------------------


READABLE = """\
id: readable
title: Readable
version: 1
start: a
variables:
  ids: {type: set, members: {viola: Purgatory Viola, noir: Noir}, label: Ids}
  trust: {type: int, label: Trust}
  met: {type: bool, label: Met the doctor}
  name: {type: string, label: Your name}
  hidden: {type: int, silent: true}
  shown: {type: int}
status: "{hidden} {shown}"
"""

READABLE_SCENES = """\
scenes:
  - id: a
    title: A
    text: "{ids} {trust} {met} {name} {hidden} {shown}"
    choices:
      - label: Go
        goto: b
        effects:
          - add: {ids: [viola, noir], trust: 2, hidden: 1, shown: 1}
          - set: {met: true, name: Rouge}
      - label: Lose
        goto: a
        effects: [{remove: {ids: viola}}]
  - id: b
    title: B
    text: End.
    ending: {id: b, name: B}
"""


def test_notes_use_labels_and_member_names_and_never_announce_silent_variables(tmp_path: Path) -> None:
    story = load_story(str(write_story(tmp_path, {"story.yaml": READABLE, "a.yaml": READABLE_SCENES})))
    session = Session.new(story)
    notes = describe_events(session.choose(1).events, story)
    assert notes == ["Ids: + Noir, Purgatory Viola", "Trust: +2 (now 2)", "shown: +1 (now 1)", "Met the doctor: yes", "Your name: Rouge"]


def test_a_set_in_text_reads_by_its_members_names(tmp_path: Path) -> None:
    story = load_story(str(write_story(tmp_path, {"story.yaml": READABLE, "a.yaml": READABLE_SCENES})))
    state = engine.start_at(story, "a", {"ids": frozenset({"viola", "noir"})}).state
    assert engine.view(story, state).paragraphs[0].startswith("Noir, Purgatory Viola 0 no ")
    assert engine.view(story, engine.start_at(story, "a").state).paragraphs[0].startswith("none 0 no ")


def test_a_member_leaving_a_set_is_noted_by_its_name(tmp_path: Path) -> None:
    story = load_story(str(write_story(tmp_path, {"story.yaml": READABLE, "a.yaml": READABLE_SCENES})))
    state = engine.start_at(story, "a", {"ids": frozenset({"viola"})}).state
    outcome = engine.choose(story, state, 2)
    assert describe_events(outcome.events, story) == ["Ids: - Purgatory Viola"]


@pytest.mark.parametrize(("declaration", "fragment"), [
    ("{type: int, label: }", "label is empty"),
    ("{type: int, silent: maybe}", "silent must be true or false"),
    ("{type: int, lable: Trust}", "did you mean `label`?"),
    ("{type: set, members: {viola: }}", "the name shown for member `viola` is empty"),
])
def test_mistakes_in_labels_are_load_errors(tmp_path: Path, declaration: str, fragment: str) -> None:
    header = HEADER.replace("  name: {type: string, default: Ada}\n", f"  name: {{type: string, default: Ada}}\n  odd: {declaration}\n")
    problems = problems_of(write_story(tmp_path, {"story.yaml": header, "yard.yaml": YARD.format(text="x")}))
    assert any(fragment in problem and "story.yaml:8:" in problem for problem in problems), problems


# --- the parser on any text -----------------------------------------------------------------------


ENV = Env({"trust": VarInfo("int"), "name": VarInfo("string")}, frozenset({"s"}), {})


class _State:
    """A state at scene `s` on its third visit."""

    def __init__(self) -> None:
        self.vars: dict[str, Value] = {"trust": 2, "name": "Ada"}
        self.visits = {"s": 3}
        self.scene, self.seed, self.turn = "s", 1, 0
        self.unlocked: frozenset[str] = frozenset()


PIECES = st.sampled_from(["{", "}", "|", ":", "if ", "seq", "cycle:", "once", "shuffle", "plural ", "select ", "=", ">", "trust",
                          " > 1", "name", "a", " ", "{{", "}}", "{|}", "else", '"', "\\"])


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=30).map("".join))
def test_any_text_compiles_or_gives_an_expr_error_within_it(text: str) -> None:
    try:
        template = compile_template(text, ENV, TextScope(ENV, "s"))
    except ExprError as err:
        assert 0 <= err.offset <= len(text)
        return
    assert isinstance(template.render(_State()), str)


OPTION = st.text(alphabet=st.characters(blacklist_characters="{}|"), max_size=40)


@settings(max_examples=200, deadline=None)
@given(OPTION, OPTION)
def test_an_if_renders_exactly_one_of_its_options(then: str, otherwise: str) -> None:
    template = compile_template(f"{{if trust > 1: {then}|{otherwise}}}", ENV, TextScope(ENV, "s"))
    assert template.render(_State()) == " ".join(then.split())


def test_parse_text_keeps_plain_holes_as_they_were() -> None:
    kinds = [type(node).__name__ for node in parse_text("a {trust} b {>x} {seq: c|d}")]
    assert kinds == ["str", "Hole", "str", "SnippetUse", "str", "Form"]


# --- the example story, both players, the tools -----------------------------------------------


EXAMPLE = Path(__file__).parent.parent / "docs" / "example"
# The example story with seed 1: watch twice, light the north lamp (see the walkthrough example-evening.yaml).
EXAMPLE_MOVES = ["5", "5", "1"]
EXAMPLE_SEEN = [
    "Two lamps wait in the dusk, one at each end of the street.",
    "You are back in the street; a cat crosses the cobbles.",
    "The constable touches his cap.",
    "Watch the street a while longer",
    "Still the street: the last shutters close.",
    "Oil: -1 (now 1)",
    "Lamps lit: + North lamp",
]


def test_the_plain_player_shows_the_variations_and_the_readable_notes() -> None:
    import io

    from adventure.cli import main

    out = io.StringIO()
    code = main(["play", "--story", str(EXAMPLE), "--plain", "--seed", "1"], stdin=io.StringIO("\n".join(EXAMPLE_MOVES) + "\nquit\n"),
                stdout=out, stderr=io.StringIO())
    text = " ".join(out.getvalue().split())
    assert code == 0
    for seen in EXAMPLE_SEEN:
        assert seen in text, seen
    assert "minutes" not in text.split("min ·")[0] and "[minutes" not in text


def test_the_terminal_player_shows_the_same_text(tmp_path: Path) -> None:
    import sys

    import pexpect
    from conftest import env_for_subprocess

    env = env_for_subprocess()
    env.update({"TERM": "xterm-256color", "ADVENTURE_SAVES": str(tmp_path)})
    child = pexpect.spawn(sys.executable, ["-m", "adventure", "--story", str(EXAMPLE), "--seed", "1"], env=env,
                          dimensions=(50, 200), encoding="utf-8", timeout=20)
    child.expect("New game")
    child.send("\r")
    child.expect("Two lamps wait in the dusk")
    for move in EXAMPLE_MOVES:
        child.send(move + "\r")
        child.expect("Light the")
    child.expect("Lamps lit: \\+ North lamp")
    child.send("history\r")
    child.expect("Watch the street a while longer")
    child.send("quit\r")
    child.close(force=True)


def test_exhaustive_search_is_the_same_with_and_without_variation(tmp_path: Path) -> None:
    from adventure.tools import explore

    varied = load_story(str(story_with(tmp_path / "varied", "{seq: a|b} {shuffle: c|d} {if trust > 1: e|f}")))
    plain = load_story(str(story_with(tmp_path / "plain", "a c e")))
    # text never changes what can happen next, so the live items (the merge key) stay the same
    assert explore.exhaustive(varied).states == explore.exhaustive(plain).states
    assert explore.exhaustive(varied).endings == explore.exhaustive(plain).endings


def test_random_playthroughs_render_every_variation_without_failures() -> None:
    from adventure.tools import explore

    report = explore.random_playthroughs(load_story(str(EXAMPLE)), 300, seed=3)
    assert report.failures == [] and report.ending_hits == {"home": 300}


def test_check_warns_of_a_sequence_that_cannot_advance_but_not_in_a_scene_that_loops(tmp_path: Path) -> None:
    from adventure.tools.analysis import analyse

    gate = YARD.format(text="{seq: a|b} {if true: c|d}").replace("text: Gone.", 'text: "{seq: Gone.|Still gone.}"')
    root = write_story(tmp_path, {"story.yaml": HEADER, "yard.yaml": gate})
    codes = {(problem.code, problem.message.split("`")[1]) for problem in analyse(load_story(str(root)))}
    assert ("W701", "{seq: Gone.|Still gone.}") in codes
    assert ("W302", "true") in codes
    assert not any(code == "W701" and "a|b" in subject for code, subject in codes)


def test_diff_tells_how_players_read_a_variable_changed_and_saves_are_unaffected(tmp_path: Path) -> None:
    from adventure.tools.diff import compare

    old = load_story(str(write_story(tmp_path / "old", {"story.yaml": READABLE, "a.yaml": READABLE_SCENES})))
    relabelled = READABLE.replace("label: Ids", "label: The Ids").replace("Purgatory Viola", "Viola")
    new = load_story(str(write_story(tmp_path / "new", {"story.yaml": relabelled, "a.yaml": READABLE_SCENES})))
    changes = compare(old, new).changes
    assert [(change.code, change.subject, change.breaking) for change in changes] == [("variable-shown", "ids", False)]
    renamed = READABLE.replace("viola: Purgatory Viola", "purgatory_viola: Purgatory Viola")
    scenes = READABLE_SCENES.replace("viola", "purgatory_viola")
    broken = load_story(str(write_story(tmp_path / "renamed", {"story.yaml": renamed, "a.yaml": scenes})))
    [removed] = [change for change in compare(old, broken).changes if change.code == "set-members-removed"]
    assert removed.breaking and "members: {viola: New Name}" in removed.hint


def test_a_reply_varies_with_the_state_and_how_often_its_choice_was_taken(tmp_path: Path) -> None:
    from adventure.rules.moves import Replied

    scenes = """\
scenes:
  - id: yard
    title: The Yard
    text: Here.
    choices:
      - label: Knock
        reply: "{if trust > 1: A warm|A cold} answer, {seq: the first time|again}."
        effects: [{add: {trust: 1}}]
      - label: Go round
        goto: yard
      - {label: Leave, goto: gate}
  - id: gate
    title: The Gate
    text: Gone.
    ending: {id: gone, name: Gone}
"""
    story = load_story(str(write_story(tmp_path, {"story.yaml": HEADER, "yard.yaml": scenes})))
    state = engine.new_game(story).state
    replies = []
    for number in (1, 1, 2, 1):  # a reply's sequence counts its choice's takes, not the scene's visits; effects come first
        outcome = engine.choose(story, state, number)
        replies += [event.paragraphs[0] for event in outcome.events if isinstance(event, Replied)]
        state = outcome.state
    assert replies == ["A cold answer, the first time.", "A warm answer, again.", "A warm answer, again."]


def test_a_sequence_in_a_scene_left_only_by_staying_choices_cannot_advance(tmp_path: Path) -> None:
    from adventure.tools.analysis import analyse

    scenes = """\
scenes:
  - id: yard
    title: The Yard
    text: "{cycle: Rain.|Wind.}"
    choices:
      - {label: Knock, reply: Nobody., once: true}
      - {label: Leave, goto: gate}
  - id: gate
    title: The Gate
    text: Gone.
    ending: {id: gone, name: Gone}
"""
    root = write_story(tmp_path, {"story.yaml": HEADER, "yard.yaml": scenes})
    assert "W701" in {problem.code for problem in analyse(load_story(str(root)))}


HOLE_PIECES = st.sampled_from(["{trust}", "{name}", "{trust + 1}", "{ trust }", "a", " ", ",", ":", "|", ">", "{size(name)}", "x"])


@settings(max_examples=200, deadline=None)
@given(st.lists(HOLE_PIECES, max_size=12).map("".join))
def test_the_quick_path_for_plain_holes_renders_as_the_full_parser_does(text: str) -> None:
    from adventure.story.textcompile import _template

    quick = compile_template(text, ENV, TextScope(ENV, "s"))
    full = _template(parse_text(text), TextScope(ENV, "s"), 0, top=True)
    assert quick.render(_State()) == full.render(_State())


def test_snippets_that_use_snippets_more_than_eight_deep_are_refused(tmp_path: Path) -> None:
    chain = "".join(f'  s{index}: "x {{>s{index + 1}}}"\n' for index in range(9)) + '  s9: "end"\n'
    problems = problems_of(story_with(tmp_path, "{>s0}", "snippets:\n" + chain))
    assert any("snippets nest more than 8 deep" in problem for problem in problems), problems
