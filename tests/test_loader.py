"""The loader: a story folder in, a checked Story or every problem at once out."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FEATURES, MINIMAL_STORY, StoryDir, write_story
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adventure.source.problems import StoryError
from adventure.story.loader import check_story, find_files, load_story
from adventure.story.model import AddInt, Conditional, Paragraph, SetAdd

ONE_SCENE = """\
scenes:
  - id: a
    title: A
    text: Hello.
    ending: {id: end, name: The End}
"""


def problems_of(root: Path) -> list[str]:
    story, problems = check_story(str(root))
    assert story is None
    return [problem.format() for problem in problems]


def test_the_feature_story_loads_with_every_feature(tmp_path: Path) -> None:
    story = load_story(str(FEATURES))
    assert story.id == "features" and story.version == "2.1" and story.start == "hall"
    assert set(story.scenes) == {"hall", "dice_room", "vault", "rich_end", "poor_end"}
    assert story.scenes["dice_room"].chapter == "The Games Room"
    assert story.scenes["hall"].chapter == "The House"
    assert story.variables["looked"].type == "bool"  # declared in a scene file
    assert set(story.codex) == {"hall", "doors"}
    assert story.renamed == {"old_vault": "vault"}
    hall = story.scenes["hall"]
    assert isinstance(hall.text[0], Paragraph) and isinstance(hall.text[2], Conditional)
    pay = hall.choices[1]
    assert pay.condition is not None and pay.disabled is not None
    assert pay.effects == (AddInt("coins", -1, pay.effects[0].where), SetAdd("keys", frozenset({"iron"}), pay.effects[1].where))
    assert hall.choices[0].key == "hall#look" and hall.choices[1].key == "hall#2"
    assert [scene.ending.id for scene in story.endings() if scene.ending] == ["rich", "poor"]
    assert len(story.fingerprint) == 16


def test_ten_mistakes_in_three_files_are_all_reported_with_file_and_line(story_dir: StoryDir) -> None:
    root = story_dir({
        "story.yaml": """\
            id: broken
            title: Broken
            version: 1
            start: begining
            variables:
              trust: {type: int, default: 1}
              ids: {type: set, members: [viola, verde]}
              flag: {type: boolean}
            """,
        "one.yaml": """\
            scenes:
              - id: beginning
                title: Start
                text: Hi.
                choises:
                  - label: Go
                    goto: middle
                choices:
                  - label: Go
                    goto: midle
              - id: beginning
                title: Again
                text: Duplicate.
                choices:
                  - {label: x, goto: middle}
            """,
        "two.yaml": """\
            scenes:
              - id: middle
                title: Middle
                text: "Trust is {trusty}."
                choices:
                  - label: Count
                    goto: end
                    if: ids > 1
                  - label: Add
                    goto: end
                    effects:
                      - add: {ids: viloa}
                      - add: {nobody: 1}
            """,
        "sub/three.yaml": """\
            scenes:
              - id: end
                title: End
                text: Bye.
                ending: {id: end, name: End}
                colour: red
            """,
    })
    problems = problems_of(root)
    expected = [
        ("story.yaml:4:", "start scene `begining` does not exist"),
        ("story.yaml:8:", "unknown type `boolean`"),
        ("one.yaml:5:", "unknown key `choises`"),
        ("one.yaml:10:", "goto: there is no scene `midle`"),
        ("one.yaml:11:", "duplicate scene id `beginning`"),
        ("two.yaml:4:", "unknown variable `trusty`"),
        ("two.yaml:8:", "need int"),
        ("two.yaml:12:", "`viloa` is not a member"),
        ("two.yaml:13:", "unknown variable `nobody`"),
        ("three.yaml:6:", "unknown key `colour`"),
    ]
    assert len(problems) == 10, "\n".join(problems)
    for location, message in expected:
        assert any(location in problem and message in problem for problem in problems), (location, message, problems)
    joined = "\n".join(problems)
    assert "did you mean `choices`?" in joined and "did you mean `middle`?" in joined and "size(ids)" in joined


def test_ten_mistakes_give_exit_code_1_from_the_cli(story_dir: StoryDir, capsys: pytest.CaptureFixture[str]) -> None:
    from adventure.cli import main

    root = story_dir(
        {
            "story.yaml": MINIMAL_STORY,
            "a.yaml": "scenes:\n  - id: a\n    title: A\n    text: x\n    choices:\n      - {label: l, goto: b}\n",
        }
    )
    assert main(["check", str(root)]) == 1
    out = capsys.readouterr().out
    assert "a.yaml:6:" in out and "no scene `b`" in out and "1 problem in" in out


@pytest.mark.parametrize(
    ("scene_yaml", "fragment"),
    [
        ("- id: a\n  title: A\n  text: x\n", "has no choices and is not an ending"),
        ("- id: a\n  title: A\n  text: x\n  choices: []\n", "empty list of choices"),
        ("- id: a\n  title: A\n  text: x\n  ending: {id: e, name: E}\n  choices: [{label: l, goto: a}]\n", "also has choices"),
        ("- id: a\n  text: x\n  ending: {id: e, name: E}\n", "has no `title`"),
        ("- title: A\n  text: x\n", "has no `id`"),
        ("- id: a b\n  title: A\n  text: x\n", "not valid"),
        ("- id: a\n  title: A\n  text: {x: 1}\n  ending: {id: e, name: E}\n", "must be text or a list"),
        ("- id: a\n  title: A\n  text: x\n  choices: [{label: l, goto: a, disabled: no}]\n", "`disabled` without `if`"),
        ("- id: a\n  title: A\n  text: x\n  choices: [{label: l, goto: a, once: maybe}]\n", "true or false"),
        ("- id: a\n  title: A\n  text: x\n  on_enter: [{explode: 1}]\n  ending: {id: e, name: E}\n", "unknown effect"),
        ("- id: a\n  title: A\n  text: x\n  on_enter: [{unlock: nope}]\n  ending: {id: e, name: E}\n", "no codex entry"),
        ("- id: a\n  title: A\n  text: x\n  on_enter: [{add: {t: 1}, set: {t: 1}}]\n  ending: {id: e, name: E}\n", "exactly one key"),
        ("- id: a\n  title: A\n  text: 'x {'\n  ending: {id: e, name: E}\n", "never closed"),
        ("- id: a\n  title: A\n  text: x\n  ending: {id: e}\n", "has no `name`"),
        (
            "- id: a\n  title: A\n  text: x\n  ending: {id: e, name: E, canonical: true}\n- id: b\n  title: B\n"
            "  text: x\n  ending: {id: e, name: F, canonical: true}\n",
            "used twice",
        ),
        (
            "- id: a\n  title: A\n  text: x\n  ending: {id: e, name: E, canonical: true}\n- id: b\n  title: B\n"
            "  text: x\n  ending: {id: f, name: F, canonical: true}\n",
            "more than one canonical",
        ),
        ("- id: a\n  title: A\n  text:\n    - if: x\n  ending: {id: e, name: E}\n", "has no `text`"),
        ("- just text\n", "must be a mapping"),
    ],
)
def test_scene_mistakes_are_explained(story_dir: StoryDir, scene_yaml: str, fragment: str) -> None:
    indented = "\n".join("  " + line for line in scene_yaml.splitlines())
    root = story_dir({"story.yaml": MINIMAL_STORY, "s.yaml": "scenes:\n" + indented + "\n"})
    problems = problems_of(root)
    assert any(fragment in problem for problem in problems), problems
    assert all("s.yaml:" in problem or "story.yaml" in problem for problem in problems)


@pytest.mark.parametrize(("variables", "effect", "fragment"), [
    ("n: {type: int}", "{add: {n: x}}", "whole number"),
    ("n: {type: bool}", "{add: {n: 1}}", "use set"),
    ("n: {type: int, max: 3}", "{set: {n: 9}}", "outside"),
    ("n: {type: set, members: [a]}", "{subtract: {n: a}}", "use remove"),
    ("n: {type: int}", "{remove: {n: 1}}", "use subtract"),
    ("n: {type: int}", "{roll: {into: n, min: 6, max: 1}}", "below min"),
    ("n: {type: int}", "{pick: {into: n, from: [a]}}", "does not work on int"),
    ("n: {type: string}", "{pick: {into: n, from: []}}", "at least one"),
    ("n: {type: int}", "{set: {n: {expr: 'n > 1'}}}", "bool"),
    ("n: {type: int, min: 5, max: 1}", "{add: {n: 1}}", "below min"),
    ("n: {type: set}", "{add: {n: a}}", "no `members`"),
    ("turn: {type: int}", "{add: {turn: 1}}", "built-in"),
    ("n: {type: int, members: [a]}", "{add: {n: 1}}", "only applies"),
    ("n: {type: set, members: [a], default: [b]}", "{add: {n: a}}", "not a member"),
])
def test_variable_and_effect_mistakes_are_explained(story_dir: StoryDir, variables: str, effect: str, fragment: str) -> None:
    root = story_dir({
        "story.yaml": MINIMAL_STORY + "variables:\n  " + variables + "\n",
        "s.yaml": f"scenes:\n  - id: a\n    title: A\n    text: x\n    on_enter: [{effect}]\n    ending: {{id: e, name: E}}\n",
    })
    problems = problems_of(root)
    assert any(fragment in problem for problem in problems), problems


def test_a_missing_story_yaml_or_folder_is_one_clear_problem(tmp_path: Path) -> None:
    assert "no such story folder" in problems_of(tmp_path / "nope")[0]
    assert "story.yaml is missing" in problems_of(tmp_path)[0]


def test_empty_and_non_mapping_files_are_problems(story_dir: StoryDir) -> None:
    root = story_dir({"story.yaml": MINIMAL_STORY, "a.yaml": ONE_SCENE, "empty.yaml": "", "list.yaml": "- 1\n- 2\n"})
    problems = problems_of(root)
    assert any("empty.yaml:1:1: file is empty" in problem for problem in problems)
    assert any("list.yaml:1:1: a scene file must be a mapping" in problem for problem in problems)


def test_hidden_files_and_other_extensions_are_ignored(story_dir: StoryDir) -> None:
    root = story_dir({"story.yaml": MINIMAL_STORY, "a.yaml": ONE_SCENE, ".draft.yaml": "broken: [", "notes.txt": "x", ".git/x.yaml": "{"})
    assert [Path(path).name for path in find_files(str(root))] == ["a.yaml"]
    assert load_story(str(root)).scenes["a"].title.static == "A"


def test_plain_scalars_that_look_like_booleans_stay_text(story_dir: StoryDir) -> None:
    root = story_dir(
        {"story.yaml": MINIMAL_STORY, "a.yaml": "scenes:\n  - id: a\n    title: No\n    text: yes\n    ending: {id: e, name: Off}\n"}
    )
    story = load_story(str(root))
    assert story.scenes["a"].title.static == "No"


def test_control_characters_in_text_are_made_visible(story_dir: StoryDir) -> None:
    root = story_dir(
        {
            "story.yaml": MINIMAL_STORY,
            "a.yaml": 'scenes:\n  - id: a\n    title: "\\e]52;c;evil\\a"\n    text: "red \\e[31m \\u202e"\n    ending: {id: e, name: E}\n',
        }
    )
    story = load_story(str(root))
    title = story.scenes["a"].title.static
    assert title is not None
    assert "\x1b" not in title and "\x07" not in title and "␛" in title
    paragraph = story.scenes["a"].text[0]
    assert isinstance(paragraph, Paragraph)
    shown = paragraph.template.static
    assert shown is not None and "\x1b" not in shown and "\u202e" not in shown


def test_load_story_raises_story_error_listing_problems(story_dir: StoryDir) -> None:
    root = story_dir({"story.yaml": "id: x\n", "a.yaml": ONE_SCENE})
    with pytest.raises(StoryError) as info:
        load_story(str(root))
    report = info.value.report()
    assert "has no `title`" in report and "has no `start`" in report


def test_unsafe_tags_in_scene_files_are_refused(story_dir: StoryDir) -> None:
    root = story_dir({"story.yaml": MINIMAL_STORY, "a.yaml": "scenes: !!python/object/apply:os.system ['echo pwned']\n"})
    problems = problems_of(root)
    assert any("a.yaml:1:9" in problem and "not allowed" in problem for problem in problems)


def test_binary_and_invalid_utf8_files_are_problems(tmp_path: Path) -> None:
    root = write_story(tmp_path, {"story.yaml": MINIMAL_STORY, "a.yaml": ONE_SCENE})
    (root / "bin.yaml").write_bytes(bytes(range(256)))
    (root / "latin.yaml").write_bytes(b"scenes:\n  - id: caf\xe9\n")
    problems = problems_of(root)
    assert any("bin.yaml" in problem for problem in problems)
    assert any("latin.yaml:2:" in problem and "UTF-8" in problem for problem in problems)


VALID_SCENE = {
    "id": "a",
    "title": "A",
    "text": "Hello {n}.",
    "choices": [{"label": "Go", "goto": "a", "if": "n > 0", "effects": [{"add": {"n": 1}}]}],
}


def _mutations() -> st.SearchStrategy[object]:
    leaves = st.one_of(
        st.none(), st.booleans(), st.integers(-3, 3), st.text(max_size=8), st.sampled_from(["a", "n > 0", "{n}", "goto", "x {", "add"])
    )
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(
                st.sampled_from(
                    ["id", "title", "text", "choices", "label", "goto", "if", "effects", "add", "set", "ending", "name", "once", "x"]
                ),
                inner,
                max_size=4,
            ),
        ),
        max_leaves=12,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(key=st.sampled_from(sorted(VALID_SCENE)), replacement=_mutations())
def test_mutated_scenes_load_or_give_problems_never_exceptions(
    tmp_path_factory: pytest.TempPathFactory, key: str, replacement: object
) -> None:
    import json
    scene: dict[str, object] = dict(VALID_SCENE)
    scene[key] = replacement
    root = tmp_path_factory.mktemp("fuzz")
    write_story(root, {
        "story.yaml": MINIMAL_STORY + "variables:\n  n: {type: int}\n",
        "a.yaml": json.dumps({"scenes": [scene]}),  # JSON is YAML
    })
    story, problems = check_story(str(root))
    assert (story is None) == bool(problems)
    for problem in problems:
        assert problem.path.endswith(("a.yaml", "story.yaml")) and problem.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8", "replace")))
def test_arbitrary_bytes_as_a_scene_file_never_raise(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    root = tmp_path_factory.mktemp("bytes")
    write_story(root, {"story.yaml": MINIMAL_STORY, "b.yaml": ONE_SCENE})
    (root / "a.yaml").write_bytes(data)
    check_story(str(root))


def test_problems_per_file_are_capped_with_a_summary(story_dir: StoryDir) -> None:
    keys = "".join(f"    junk{i}: 1\n" for i in range(500))
    root = story_dir(
        {"story.yaml": MINIMAL_STORY, "a.yaml": "scenes:\n  - id: a\n    title: A\n    text: x\n" + keys + "    ending: {id: e, name: E}\n"}
    )
    problems = problems_of(root)
    assert 200 <= len(problems) <= 202
    assert any("more than 200 problems in this file" in problem for problem in problems)


def test_a_scene_file_linking_outside_the_story_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2\n")
    root = write_story(tmp_path / "story", {"story.yaml": MINIMAL_STORY, "a.yaml": ONE_SCENE})
    (root / "link.yaml").symlink_to(secret)
    problems = problems_of(root)
    assert any("link.yaml" in problem and "outside the story folder" in problem for problem in problems)
    assert not any("password" in problem for problem in problems)


def test_integer_literals_beyond_the_safe_range_are_refused(story_dir: StoryDir) -> None:
    root = story_dir({"story.yaml": MINIMAL_STORY + "variables:\n  n: {type: int, default: 99999999999999999999}\n", "a.yaml": ONE_SCENE})
    assert any("too large" in problem for problem in problems_of(root))


def test_odd_number_syntax_in_a_condition_prints_no_warning(story_dir: StoryDir, capfd: pytest.CaptureFixture[str]) -> None:
    root = story_dir({"story.yaml": MINIMAL_STORY + "variables:\n  n: {type: int}\n",
                      "a.yaml": "scenes:\n  - id: a\n    title: A\n    text: x\n    choices:\n      - {label: l, goto: a, if: '1if n'}\n"})
    problems_of(root)
    assert "SyntaxWarning" not in capfd.readouterr().err


def _paragraphs_by_the_general_rule(text: str, style: str) -> list[str]:
    import re

    chunks = re.split(r"\n[ \t]*\n", text.strip()) if style == "|" else text.strip().split("\n")
    joined = (" ".join(line.strip() for line in chunk.splitlines() if line.strip()) for chunk in chunks)
    return [paragraph for paragraph in joined if paragraph]


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(list("ab \n\t\r\u2028\x85\xa0\u3000.")), max_size=20), st.sampled_from(["|", "", ">"]))
def test_the_quick_path_for_one_line_paragraphs_agrees_with_the_general_rule(text: str, style: str) -> None:
    from adventure.story.loader.reader import paragraphs

    assert paragraphs(text, style) == _paragraphs_by_the_general_rule(text, style)


@pytest.mark.parametrize(("declaration", "effect", "message"), [
    ("{type: int, min: 0, max: 3, default: 5}", "{set: {v: 1}}", "story.yaml:6:43: default is 5, outside `v`'s range 0..3"),
    ("{type: int, min: 0, max: 3}", "{set: {v: 7}}", "a.yaml:8:29: value for `v` is 7, outside `v`'s range 0..3"),
    ("{type: set, members: [red, blue], default: [rde]}", "{add: {v: blue}}", "story.yaml:6:50: `rde` is not a member of set `v`"),
    ("{type: set, members: [red, blue]}", "{remove: {v: [bleu]}}", "a.yaml:8:33: `bleu` is not a member of set `v`"),
    ("{type: string}", "{set: {v: ~}}", "a.yaml:8:29: value for `v` is empty"),
])
def test_defaults_and_effects_read_values_of_a_variables_type_alike(
    story_dir: StoryDir, declaration: str, effect: str, message: str
) -> None:
    root = story_dir(
        {
            "story.yaml": MINIMAL_STORY + f"variables:\n  v: {declaration}\n",
            "a.yaml": ("scenes:\n  - id: a\n    title: A\n    text: Hello.\n    choices:\n      - label: Go\n"
                f"        goto: a\n        effects: [{effect}]\n"),
        }
    )
    _, problems = check_story(str(root))
    assert any(message in problem.format() for problem in problems), [problem.format() for problem in problems]


def test_a_quoted_empty_string_is_a_value_but_a_bare_one_is_not(story_dir: StoryDir) -> None:
    root = story_dir(
        {
            "story.yaml": MINIMAL_STORY + "variables:\n  v: {type: string, default: ''}\n",
            "a.yaml": ("scenes:\n  - id: a\n    title: A\n    text: Hi.\n    choices:\n"
                "      - {label: Go, goto: a, effects: [{set: {v: ''}}]}\n"),
        }
    )
    story = load_story(str(root))
    assert story.variables["v"].default == "" and story.scenes["a"].choices[0].effects[0].value == ""  # type: ignore[union-attr]


def test_a_load_leaves_the_garbage_collector_as_the_caller_had_it() -> None:
    import gc

    assert gc.isenabled()
    check_story(str(FEATURES))
    assert gc.isenabled()
    gc.disable()
    try:
        check_story(str(FEATURES))
        assert not gc.isenabled()
    finally:
        gc.enable()
