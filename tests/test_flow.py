"""Replies, staying in a scene, detours, conditional effects and arithmetic: loader, engine, players, tools."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pexpect
import pytest
from conftest import env_for_subprocess, write_story
from hypothesis import given, settings
from hypothesis import strategies as st

from adventure.cli import main
from adventure.play.session import Session
from adventure.rules import engine
from adventure.rules.state import GameState, StateError, state_from_data
from adventure.story.loader import check_story, load_story
from adventure.story.model import MAX_DETOUR_DEPTH, Story
from adventure.tools import diff, explore, graph, walkthrough
from adventure.tools.analysis import analyse
from adventure.tools.liveness import key_function

STORY = """\
id: flow
title: Flow
version: 1
start: hall
variables:
  coins: {type: int, default: 3, min: 0, max: 20}
  dice: {type: int, min: 0, max: 6}
  name: {type: string, default: "naomi"}
  asked: {type: bool}
status: "coins {coins}"
"""

SCENES = """\
scenes:
  - id: hall
    title: Hall
    text:
      - A cold hall, {capitalize(name)}.
      - if: asked
        text: You know about the lamp now.
    choices:
      - label: Knock
        reply: Nobody answers.
        once: true
        effects: [{set: {name: "naomi orsa"}}]
      - label: Ask about the lamp
        reply: "It has been dark for {coins * 2} days."
        effects: [{set: {asked: true}}]
        if: not asked
      - label: Visit the shop
        detour: shop
      - label: Gamble
        effects:
          - set: {dice: {expr: "random(1, 6)"}}
          - if: dice >= 4
            then: [{add: {coins: 2}}]
            else: {subtract: {coins: 1}}
        reply: "You rolled {dice}."
        once: true
      - label: Leave
        goto: end
        reply: You leave.
  - id: shop
    title: Shop
    text: Shelves.
    choices:
      - label: Buy
        if: coins > 0
        effects: [{subtract: {coins: 1}}]
        reply: Bought.
        return: true
      - label: Browse the back room
        detour: back
      - label: Back out
        return: true
  - id: back
    title: Back room
    text: Dust.
    choices:
      - {label: Out again, return: true}
  - id: end
    title: End
    text: "Bye, {upper(name)}: {-coins * -2 // 3 % 100} points, {max(min(coins, 5), abs(-1))} stars."
    ending: {id: end, name: End}
"""


@pytest.fixture
def story(tmp_path: Path) -> Story:
    return load_story(str(write_story(tmp_path / "flow", {"story.yaml": STORY, "s.yaml": SCENES})))


def pick(story: Story, state: GameState, label: str) -> engine.Outcome:
    view = engine.view(story, state)
    number = engine.exact_label(view, label)
    assert number is not None, [choice.label for choice in view.choices]
    return engine.choose(story, state, number)


def labels(story: Story, state: GameState) -> list[str]:
    return [choice.label for choice in engine.view(story, state).choices]


def problems_of(tmp_path: Path, scenes: str, story: str = STORY) -> list[str]:
    loaded, problems = check_story(str(write_story(tmp_path / "bad", {"story.yaml": story, "s.yaml": scenes})))
    assert loaded is None
    return [problem.format() for problem in problems]


# --- engine ------------------------------------------------------------------------------


def test_a_reply_is_shown_before_the_next_scene(story: Story) -> None:
    outcome = pick(story, engine.new_game(story).state, "Leave")
    kinds = [type(event).__name__ for event in outcome.events]
    assert kinds.index("Replied") < kinds.index("SceneEntered")
    assert outcome.events[kinds.index("Replied")] == engine.Replied(("You leave.",))
    assert outcome.state.scene == "end"


def test_a_choice_without_goto_stays_in_the_scene_and_once_only_choices_are_gone(story: Story) -> None:
    start = engine.new_game(story).state
    outcome = pick(story, start, "Knock")
    assert outcome.state.scene == "hall" and outcome.state.visits["hall"] == 1 and outcome.state.turn == 1
    assert not any(isinstance(event, engine.SceneEntered) for event in outcome.events)
    assert "Knock" not in labels(story, outcome.state) and "Knock" in labels(story, start)


def test_a_reply_is_rendered_after_the_choices_effects(story: Story) -> None:
    outcome = pick(story, engine.new_game(story).state, "Ask about the lamp")
    assert engine.Replied(("It has been dark for 6 days.",)) in outcome.events
    assert "You know about the lamp now." in engine.view(story, outcome.state).paragraphs


def test_detours_return_to_where_they_were_taken_and_nest(story: Story) -> None:
    state = pick(story, engine.new_game(story).state, "Visit the shop").state
    assert (state.scene, state.stack) == ("shop", ("hall",))
    state = pick(story, state, "Browse the back room").state
    assert (state.scene, state.stack) == ("back", ("hall", "shop"))
    state = pick(story, state, "Out again").state
    assert (state.scene, state.stack, state.visits["shop"]) == ("shop", ("hall",), 2)
    outcome = pick(story, state, "Buy")
    assert (outcome.state.scene, outcome.state.stack, outcome.state.vars["coins"]) == ("hall", (), 2)
    assert engine.Replied(("Bought.",)) in outcome.events and outcome.state.visits["hall"] == 2


def test_a_return_is_not_listed_outside_any_detour(story: Story) -> None:
    state = engine.start_at(story, "shop").state
    assert labels(story, state) == ["Browse the back room"]


def test_conditional_effects_and_random_replay_from_the_seed_and_undo(story: Story) -> None:
    results = set()
    for seed in range(12):
        session = Session.new(story, seed)
        before = session.state
        session.choose(engine.exact_label(session.view(), "Gamble") or 0)
        dice, coins = session.state.vars["dice"], session.state.vars["coins"]
        assert isinstance(dice, int)
        assert 1 <= dice <= 6 and coins == (5 if dice >= 4 else 2)
        assert session.view().reply == (f"You rolled {dice}.",) and session.view().stayed
        again = Session.new(story, seed)
        again.choose(engine.exact_label(again.view(), "Gamble") or 0)
        assert again.state == session.state  # the same seed, the same roll
        session.undo()
        assert session.state == before and session.view().reply == ()
        results.add(dice >= 4)
    assert results == {True, False}


def test_a_detour_that_never_returns_is_refused_past_the_depth_limit(tmp_path: Path) -> None:
    root = write_story(tmp_path / "deep", {
        "story.yaml": "id: deep\ntitle: Deep\nversion: 1\nstart: a\n",
        "s.yaml": """\
            scenes:
              - id: a
                title: A
                text: A.
                choices:
                  - {label: Down, detour: b}
                  - {label: Stop, goto: z}
              - id: b
                title: B
                text: B.
                choices:
                  - {label: Down, detour: b}
                  - {label: Up, return: true}
              - id: z
                title: Z
                text: Z.
                ending: {id: z, name: Z}
            """,
    })
    story = load_story(str(root))
    state = engine.new_game(story).state
    for _ in range(MAX_DETOUR_DEPTH):
        state = pick(story, state, "Down").state
    assert len(state.stack) == MAX_DETOUR_DEPTH
    with pytest.raises(engine.ChoiceError, match="never returns"):
        pick(story, state, "Down")
    report = explore.exhaustive(story)
    assert not report.complete and "never returns" in report.limit_reason


def test_arithmetic_and_name_helpers_show_in_text(story: Story) -> None:
    state = pick(story, engine.new_game(story).state, "Leave").state
    assert engine.view(story, state).paragraphs == ("Bye, NAOMI: 2 points, 3 stars.",)
    assert engine.view(story, engine.new_game(story).state).paragraphs[0] == "A cold hall, Naomi."


# --- loader --------------------------------------------------------------------------------


def test_the_flow_story_loads_without_warnings(story: Story) -> None:
    assert analyse(story) == []


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("        detour: shop\n", "        detour: shpo\n",
     "s.yaml:18:17: detour: there is no scene `shpo` [E202]\n    hint: did you mean `shop`?"),
    ("        detour: shop\n", "        detour: shop\n        goto: end\n", "s.yaml:18:17: a choice has both `goto` and `detour`"),
    ("Bought.\n        return: true\n", "Bought.\n        return: false\n", "s.yaml:38:17: `return` can only be true"),
    ("        goto: end\n        reply: You leave.\n", "", "s.yaml:27:9: a choice has no `goto`"),
    ("            then: [{add: {coins: 2}}]\n", "", "s.yaml:22:13: a conditional effect needs `then:`"),
    ("          - if: dice >= 4\n", "          - if: dice >= 4\n            add: {coins: 1}\n", "23:18: a conditional effect has"),
    ("          - if: dice >= 4\n", "          - if: dice => 4\n", "s.yaml:22:22: `if` of an effect: syntax error"),
    ("        if: not asked\n", "        if: random(1, 2) == 1\n", "s.yaml:16:13: `if`: random() can only be used in effects"),
    ('"random(1, 6)"', '"random(6, 1)"', "second number is below the first"),
    ("{coins * 2} days", "{coins // 0} days", "divides by zero"),
    ("{coins * 2} days", "{coins // (4 - 4)} days", "divides by zero"),
    ("{upper(name)}", "{uper(name)}", "hint: did you mean `upper`?"),
    ("{capitalize(name)}", "{capitalize(coins)}", "but capitalize() needs string"),
])
def test_mistakes_are_reported_with_a_position_and_a_hint(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert SCENES.count(old) == 1
    found = problems_of(tmp_path, SCENES.replace(old, new))
    assert any(expected in problem for problem in found), found


def test_a_return_reachable_outside_any_detour_is_a_load_error(tmp_path: Path) -> None:
    found = problems_of(tmp_path, SCENES.replace("        detour: shop\n", "        goto: shop\n"))
    assert found == [
        f"{tmp_path}/bad/s.yaml:34:9: scene `shop` has a `return` choice, but the story reaches it outside any detour, "
        "with nothing to return to [E212]\n    hint: reach this scene with `detour:` instead of `goto:`, or give the choice a `goto:`"
    ]


def test_conditional_effects_may_nest_only_so_deep(tmp_path: Path) -> None:
    nested = "[{add: {coins: 1}}]"
    for _ in range(9):
        nested = "[{if: coins > 1, then: " + nested + "}]"
    found = problems_of(tmp_path, SCENES.replace("effects: [{subtract: {coins: 1}}]", "effects: " + nested))
    assert any("nest conditions more than 8 deep" in problem for problem in found), found


def test_checks_warn_about_constant_effect_conditions_and_detours_that_never_return(tmp_path: Path) -> None:
    scenes = SCENES.replace("          - if: dice >= 4\n", "          - if: coins >= 0\n").replace(
        "      - {label: Out again, return: true}\n", "      - {label: Out again, goto: end}\n"
    ).replace("      - label: Back out\n        return: true\n", "").replace(
        "        reply: Bought.\n        return: true\n", "        reply: Bought.\n        goto: end\n"
    )
    story = load_story(str(write_story(tmp_path / "warned", {"story.yaml": STORY, "s.yaml": scenes})))
    assert [warning.code for warning in analyse(story)] == ["W601", "W303", "W601"]


# --- players ---------------------------------------------------------------------------------


def test_the_plain_player_shows_the_reply_then_the_choices_again_without_the_scene_text(story: Story) -> None:
    out = io.StringIO()
    code = main(["play", "--plain", "--story", story.root], stdin=io.StringIO("knock\nhistory\nleave\n"), stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert code == 0
    screens = re.split(r"(?m)^> ", text)
    after_knock = screens[1]
    assert after_knock.lstrip().startswith("Nobody answers.")
    assert "\nHall\n" not in after_knock and "A cold hall" not in after_knock and "1. Ask about the lamp" in after_knock
    history = screens[2]
    assert "  > Knock\n    Nobody answers." in history
    assert "You leave." in text and text.index("You leave.") < text.index("\nEnd\n")


def test_the_terminal_player_shows_replies(story: Story, tmp_path: Path) -> None:
    if sys.platform == "win32":
        pytest.skip("needs a pty")
    env = env_for_subprocess()
    env.update({"TERM": "xterm-256color", "ADVENTURE_SAVES": str(tmp_path / "saves")})
    child = pexpect.spawn(
        sys.executable, ["-m", "adventure", "play", "--story", story.root], env=env, dimensions=(40, 100), encoding="utf-8", timeout=20
    )
    child.expect("New game")
    child.send("\r")
    child.expect("Knock")
    child.send("1\r")
    child.expect("Nobody answers.")
    child.send("3\r")  # the list is Ask, Visit, Gamble, Leave now: Gamble stays too
    child.expect("You rolled [1-6]")
    child.send("3\r")  # Leave
    child.expect("You leave.")
    child.expect("Bye, NAOMI")
    child.send("quit\r")
    child.expect(pexpect.EOF)
    child.close()


# --- saves, walkthroughs, diff -----------------------------------------------------------------


def test_the_stack_of_open_detours_is_saved_and_saves_without_one_still_load(story: Story) -> None:
    state = pick(story, pick(story, engine.new_game(story).state, "Visit the shop").state, "Browse the back room").state
    data = state.to_data()
    assert data["stack"] == ["hall", "shop"] and state_from_data(data, story) == state
    del data["stack"]
    assert state_from_data(data, story).stack == ()
    data["stack"] = ["hall", "nowhere"]
    with pytest.raises(StateError, match="returns to scene `nowhere`"):
        state_from_data(data, story)


def test_a_walkthrough_sees_replies_and_follows_detours(story: Story, tmp_path: Path) -> None:
    path = tmp_path / "walk.yaml"
    path.write_text(
        "steps:\n  - choose: Knock\n  - see: Nobody answers\n  - not_see: A cold hall\n  - choose: Visit the shop\n"
        "  - not_see: Nobody answers\n  - choose: Buy\n  - see: Bought.\n  - see: A cold hall\n  - scene: hall\n"
        "  - expect: {coins: 2}\n  - choose: Leave\n  - ending: end\n"
    )
    results, problems = walkthrough.run_files([str(path)], story.root)
    assert problems == [] and results[0].passed, results[0].problems


def test_diff_keeps_saves_made_before_detours_were_added_and_names_detours_lost(story: Story, tmp_path: Path) -> None:
    before = SCENES.replace("        detour: shop\n", "        goto: end\n")
    before = before[: before.index("  - id: shop")] + before[before.index("  - id: end"):]
    old = load_story(str(write_story(tmp_path / "old", {"story.yaml": STORY, "s.yaml": before})))
    saved = pick(old, engine.new_game(old).state, "Knock").state.to_data()
    del saved["stack"]  # as the first edition wrote it
    assert state_from_data(saved, story).scene == "hall"
    assert not diff.compare(old, story).breaking
    origin_gone = load_story(str(write_story(tmp_path / "gone", {
        "story.yaml": STORY.replace("start: hall", "start: end"),
        "s.yaml": "scenes:\n  - {id: end, title: End, text: Bye., ending: {id: end, name: End}}\n",
    })))
    lost = diff.compare(story, origin_gone)
    assert any(change.subject == "hall" and "inside a detour" in change.message for change in lost.breaking)


# --- explorer and graph ------------------------------------------------------------------------


def test_the_exhaustive_search_follows_detours_stays_and_every_roll(story: Story) -> None:
    report = explore.exhaustive(story)
    assert report.complete and report.chance and report.soft_locks == [] and report.endings["end"] == (5,)
    assert report.unreached_scenes == []


def test_the_merge_key_tells_apart_states_with_different_open_detours(story: Story) -> None:
    key = key_function(story)
    shop = pick(story, engine.new_game(story).state, "Visit the shop").state
    assert key(shop) != key(GameState("shop", shop.vars, shop.visits, shop.turn, shop.rng, shop.used, shop.unlocked))


def test_random_playthroughs_take_every_kind_of_choice_without_failures(story: Story) -> None:
    for build_text in (True, False):
        report = explore.random_playthroughs(story, 300, seed=3, build_text=build_text)
        assert report.failures == []
        assert {"hall#1", "hall#3", "hall#4", "shop#1", "shop#2", "shop#3", "back#1"} <= set(report.choice_hits)
        assert report.ending_hits == {"end": 300}


def test_the_graph_draws_stays_as_loops_and_returns_back_to_the_detours(story: Story) -> None:
    edges = {(edge.source, edge.target, edge.lines[-2] if len(edge.lines) > 2 else "") for edge in graph.edges(story)}
    assert ("hall", "hall", "[stays]") in edges
    assert ("back", "shop", "[returns]") in {(e.source, e.target, e.lines[-1]) for e in graph.edges(story)}
    assert ("shop", "hall", "[returns]") in edges
    dot = graph.to_dot(story)
    assert '"hall" -> "hall" [label="Knock\\n[stays]\\nreply: Nobody answers."]' in dot


# --- saves and undo through the session, and properties -----------------------------------


def test_a_game_saved_inside_a_detour_loads_there_and_undo_rewinds_the_stack(story: Story, tmp_path: Path) -> None:
    from adventure.play import saves

    session = Session.new(story, 4)
    session.choose(engine.exact_label(session.view(), "Visit the shop") or 0)
    session.choose(engine.exact_label(session.view(), "Browse the back room") or 0)
    assert session.state.stack == ("hall", "shop")
    saves.save(session, str(tmp_path), "deep")
    loaded = saves.load(story, str(tmp_path), "deep")
    assert loaded.state == session.state and loaded.undo[-1].stack == ("hall",)
    other = Session.new(story)
    saves.apply_loaded(other, loaded)
    other.choose(engine.exact_label(other.view(), "Out again") or 0)
    assert (other.state.scene, other.state.stack) == ("shop", ("hall",))
    other.undo(2)
    assert (other.state.scene, other.state.stack) == ("shop", ("hall",)) and other.view().reply == ()
    other.undo()
    assert (other.state.scene, other.state.stack) == ("hall", ())


OPERATORS = ("+", "-", "*", "//", "%")


@st.composite
def arithmetic(draw: st.DrawFn, depth: int = 0) -> str:
    """A random whole-number expression over `coins`, `dice` and literals, as a writer might type."""
    if depth >= 4 or draw(st.booleans()):
        return draw(st.sampled_from(["coins", "dice", "-coins"]) | st.integers(-(2**53), 2**53).map(str))
    kind = draw(st.sampled_from(("op", "op", "min", "max", "abs", "neg")))
    left, right = draw(arithmetic(depth + 1)), draw(arithmetic(depth + 1))
    if kind == "op":
        return f"({left} {draw(st.sampled_from(OPERATORS))} {right})"
    if kind == "abs":
        return f"abs({left})"
    if kind == "neg":
        return f"-({left})"
    return f"{kind}({left}, {right})"


@given(source=arithmetic(), coins=st.integers(0, 20), dice=st.integers(0, 6))
@settings(max_examples=300, deadline=None)
def test_arithmetic_loads_or_is_refused_with_a_reason_and_never_raises_in_play(source: str, coins: int, dice: int) -> None:
    from adventure.story.expr import Env, ExprError, VarInfo, compile_expression

    env = Env(variables={"coins": VarInfo("int", min=0, max=20), "dice": VarInfo("int", min=0, max=6)}, scenes=frozenset(), codex_titles={})
    try:
        compiled = compile_expression(source, env, "int")
    except ExprError as err:
        assert err.message and ("zero" in err.message or "large" in err.message or "nested" in err.message or "limit" in err.message)
        return
    value = compiled.evaluate(GameState("x", {"coins": coins, "dice": dice}))
    assert isinstance(value, int) and abs(value) <= 2**60  # sums of clamped products stay near the limit


def test_the_proofing_copy_shows_where_each_choice_leads_and_its_reply(story: Story) -> None:
    from adventure.tools.proofing import lines_of

    lines = lines_of(story)
    notes = {line.text: line.notes for line in lines if line.kind == "choice"}
    assert notes["Knock"][0] == "stays"
    assert notes["Visit the shop"] == ("detour into shop",) and notes["Back out"] == ("returns",)
    replies: dict[str, list[str]] = {}  # a choice's label -> the paragraphs of its reply, listed under it
    label = ""
    for line in lines:
        if line.kind == "choice":
            label = line.text
        elif line.in_reply and line.kind == "paragraph":
            replies.setdefault(label, []).append(line.text)
    assert replies["Knock"] == ["Nobody answers."]
    assert "You rolled {dice}." in replies["Gamble"]


def test_a_chance_condition_on_an_effect_is_not_judged(tmp_path: Path) -> None:
    scenes = SCENES.replace("          - if: dice >= 4\n", "          - if: random(1, 6) == 6\n")
    story = load_story(str(write_story(tmp_path / "chance", {"story.yaml": STORY, "s.yaml": scenes})))
    assert analyse(story) == []
    assert explore.exhaustive(story).complete


def test_look_after_a_choice_that_stayed_shows_the_whole_scene_again(story: Story) -> None:
    out = io.StringIO()
    code = main(["play", "--plain", "--story", story.root], stdin=io.StringIO("knock\nlook\n"), stdout=out, stderr=io.StringIO())
    screens = re.split(r"(?m)^> ", out.getvalue())
    assert code == 0 and "A cold hall" not in screens[1] and "A cold hall" in screens[2] and "Nobody answers" not in screens[2]


def test_sequences_in_a_reply_follow_how_often_the_choice_was_taken(tmp_path: Path) -> None:
    root = write_story(tmp_path / "knock", {
        "story.yaml": "id: knock\ntitle: Knock\nversion: 1\nstart: door\n",
        "s.yaml": """\
            scenes:
              - id: door
                title: Door
                text: "{seq: A door.|The door again.}"
                choices:
                  - label: Knock
                    reply: "{seq: Nobody answers.|Still nothing.|A dog barks.}"
                  - label: Leave and come back
                    goto: door
                    reply: "{cycle: You walk off.|You pace.}"
                  - {label: Give up, goto: end}
              - id: end
                title: End
                text: Bye.
                ending: {id: end, name: End}
            """,
    })
    story = load_story(str(root))
    session = Session.new(story)
    replies = []
    for label in ("Knock", "Knock", "Leave and come back", "Knock", "Knock", "Leave and come back"):
        session.choose(engine.exact_label(session.view(), label) or 0)
        replies.append(session.view().reply[0])
    assert replies == ["Nobody answers.", "Still nothing.", "You walk off.", "A dog barks.", "A dog barks.", "You pace."]
    assert session.view().paragraphs == ("The door again.",)
    data = session.state.to_data()
    assert ["door#1", 4] in data["visits"] and state_from_data(data, story) == session.state
    assert analyse(story) == []
    assert explore.random_playthroughs(story, 50, seed=2).failures == []


@st.composite
def flow_story(draw: st.DrawFn) -> str:
    """Scenes whose choices go, stay, detour and return at random (each scene keeps a way to the ending)."""
    count = draw(st.integers(2, 5))
    lines = ["scenes:"]
    for index in range(count):
        lines += [f"  - id: s{index}", f"    title: S{index}", "    text: Here.", "    choices:", "      - {label: End it, goto: end}"]
        for number in range(draw(st.integers(0, 3))):
            kind = draw(st.sampled_from(("goto", "stay", "detour", "return")))
            target = f"s{draw(st.integers(0, count - 1))}"
            spec = {"goto": f"goto: {target}", "stay": "reply: 'Nothing {seq: yet|again}.'", "detour": f"detour: {target}",
                    "return": "return: true"}[kind]
            once = ", once: true" if draw(st.booleans()) else ""
            lines.append(f"      - {{label: Way {number}, {spec}{once}, effects: [{{if: 'random(1, 2) == 1', add: {{n: 1}}}}]}}")
    lines += ["  - {id: end, title: End, text: Bye., ending: {id: end, name: End}}"]
    return "\n".join(lines) + "\n"


@given(scenes=flow_story())
@settings(max_examples=40, deadline=None)
def test_random_stays_detours_and_returns_load_or_are_refused_and_play_without_crashing(tmp_path_factory: pytest.TempPathFactory,
                                                                                      scenes: str) -> None:
    root = write_story(tmp_path_factory.mktemp("flow"), {
        "story.yaml": "id: f\ntitle: F\nversion: 1\nstart: s0\nvariables:\n  n: {type: int, min: 0, max: 3}\n", "s.yaml": scenes,
    })
    story, problems = check_story(str(root))
    if story is None:
        assert problems and all("return" in problem.message for problem in problems), [p.format() for p in problems]
        return
    report = explore.random_playthroughs(story, 30, seed=1, max_steps=200)
    assert all(failure.message.startswith(("no ending", "DetourError")) for failure in report.failures), report.failures
    exhaustive = explore.exhaustive(story, max_states=5000)
    assert exhaustive.endings["end"] is not None or not exhaustive.complete
