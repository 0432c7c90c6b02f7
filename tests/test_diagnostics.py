"""Diagnostics as a newcomer meets them: each mistake once, at the place to fix it."""

from __future__ import annotations

from pathlib import Path

from conftest import StoryDir

from adventure.story.loader import check_story

STORY = """\
    id: d
    title: D
    version: 1
    start: gate
    variables:
      crew: {type: int, default: 2}
    """

GATE = """\
    scenes:
      - id: gate
        title: Gate
        text: Hello.
        choices:
          - label: Go
            goto: hallway
      - id: hallway
        title: Hallway
        text: Quiet.
        ending: {id: quiet, name: Quiet}
    """


def found(root: Path) -> list[tuple[str, int, int, str, str]]:
    """Every problem as (file name, line, column, message, hint)."""
    _, problems = check_story(str(root))
    return [(Path(problem.path).name, problem.line, problem.col, problem.message, problem.hint) for problem in problems]


def test_an_unclosed_quote_is_reported_where_it_opens(story_dir: StoryDir) -> None:
    root = story_dir({"story.yaml": STORY, "gate.yaml": GATE, "more.yaml": """\
        scenes:
          - id: side
            title: Side
            text: "It never ends.
            choices:
              - label: Back
                goto: gate

        """})
    assert found(root) == [(
        "more.yaml", 4, 11, 'YAML syntax error: the text quoted with " here is never closed',
        'end the text with " (inside double quotes write \\" for a quote)',
    )]


def test_an_unclosed_flow_mapping_is_reported_where_it_opens(story_dir: StoryDir) -> None:
    root = story_dir({"story.yaml": STORY, "gate.yaml": GATE, "more.yaml": """\
        scenes:
          - id: side
            title: Side
            text: Side.
            ending: {id: side, name: Side
          - id: other
            title: Other
        """})
    assert found(root) == [(
        "more.yaml", 5, 13, "YAML syntax error: `{` is never closed",
        "close it with `}` before line 6, or quote the whole value if `{` is part of the text",
    )]


def test_a_missing_comma_inside_brackets_is_reported_where_it_is_missing(story_dir: StoryDir) -> None:
    root = story_dir({"story.yaml": STORY, "gate.yaml": GATE, "more.yaml": "scenes: [{id: side title: Side}]\n"})
    assert found(root) == [(
        "more.yaml", 1, 25, "YAML syntax error: a `,` or `}` is missing here, in the `{...}` that starts at column 10",
        "separate items with `, `, or quote an item that holds `}`, `,` or `: `",
    )]


def test_a_comma_inside_braces_is_said_to_split_the_value(story_dir: StoryDir) -> None:
    root = story_dir({"story.yaml": STORY + "  weather: {type: string, doc: tonight's weather, picked at the gate, or later}\n",
                      "gate.yaml": GATE})
    assert found(root) == [(
        "story.yaml", 7, 51, "the `,` before `picked at the gate` ends the value of `doc`: inside `{...}` a comma separates entries",
        'quote the whole value: doc: "..."',
    )]


def test_a_key_written_alone_in_braces_is_still_an_unknown_key(story_dir: StoryDir) -> None:
    root = story_dir({"story.yaml": STORY + "  weather: {type: string, dco}\n", "gate.yaml": GATE})
    assert [problem[1:4] for problem in found(root)] == [(7, 27, "unknown key `dco` in variable `weather`")]


def test_a_key_indented_one_space_too_far_gets_the_indentation_hint(story_dir: StoryDir) -> None:
    root = story_dir({"story.yaml": STORY, "gate.yaml": GATE.replace("        goto: hallway", "         goto: hallway")})
    assert found(root) == [(
        "gate.yaml", 7, 10, "YAML syntax error: `goto` is indented deeper than `label` on line 6",
        "keys of one mapping start in the same column (here column 9); if `goto:` is part of the text above, quote that whole value",
    )]


def test_a_colon_inside_text_keeps_the_quoting_hint(story_dir: StoryDir) -> None:
    root = story_dir({"story.yaml": STORY, "gate.yaml": GATE.replace("text: Quiet.", "text: She said: quiet.")})
    assert [(line, col, hint) for _, line, col, _, hint in found(root)] == [
        (10, 19, "a `:` inside text needs the whole value quoted, or use a `>` block")
    ]


def test_an_unclosed_interpolation_is_reported_at_its_brace_and_hides_nothing_after_it(story_dir: StoryDir) -> None:
    root = story_dir({"story.yaml": STORY, "gate.yaml": GATE.replace("text: Hello.", "text: Hello {crew. and {nobody} here.")})
    assert [problem[1:4] for problem in found(root)] == [
        (4, 17, "in text: `{` is never closed"),
        (4, 29, "in text: unknown variable `nobody`"),
    ]


def test_every_mistaken_hole_and_form_in_one_text_is_reported_not_only_the_first(story_dir: StoryDir) -> None:
    text = 'text: "Hello {crw}, {nobody} and {if crew > 1: {missing}|alone}, {crew + \'x\'}; {crew} is fine."'
    root = story_dir({"story.yaml": STORY, "gate.yaml": GATE.replace("text: Hello.", text)})
    assert [problem[1:4] for problem in found(root)] == [
        (4, 19, "in text: unknown variable `crw`"),
        (4, 26, "in text: unknown variable `nobody`"),
        (4, 53, "in text: unknown variable `missing`"),
        (4, 78, "in text: `'x'` is string, but arithmetic needs int"),
    ]


def test_mistakes_in_a_literal_block_are_placed_on_their_own_lines(story_dir: StoryDir) -> None:
    root = story_dir({"story.yaml": STORY, "gate.yaml": GATE.replace("text: Hello.", (
        "text: |\n"
        "          First {crew} line\n"
        "          and {nobody}.\n"
        "\n"
        "          Second {crew. paragraph {missing}\n"
    ))})
    assert [problem[1:4] for problem in found(root)] == [
        (6, 12, "in text: unknown variable `nobody`"),
        (8, 14, "in text: `{` is never closed"),
        (8, 32, "in text: unknown variable `missing`"),
    ]


def test_a_double_ampersand_is_reported_at_its_first_character(story_dir: StoryDir) -> None:
    condition = "goto: hallway\n            if: crew > 1 && crew < 5"
    root = story_dir({"story.yaml": STORY, "gate.yaml": GATE.replace("goto: hallway", condition)})
    assert [(line, col) for _, line, col, _, _ in found(root)] == [(8, 22)]


# --- one mistake, one problem ---------------------------------------------------------------

HALLWAY_ONLY = """\
    scenes:
      - id: hallway
        title: Hallway
        text: Quiet.
        ending: {id: quiet, name: Quiet}
    """


def test_scenes_of_a_file_that_fails_to_parse_are_unknown_not_missing(story_dir: StoryDir) -> None:
    root = story_dir({
        "story.yaml": STORY + "  seen: {type: bool}\n",
        "a.yaml": GATE.replace("text: Hello.", 'text: "Hello.').replace("      - id: hallway", "      - id: hallway\n        extra: [1"),
        "b.yaml": HALLWAY_ONLY.replace("hallway", "side").replace("ending: {id: quiet, name: Quiet}", (
            "choices:\n"
            "          - label: Back\n"
            "            goto: gate\n"
            "            if: visited('hallway') and seen\n"
            "          - label: Nowhere\n"
            "            goto: nowhere\n"
        )),
    })
    assert [problem[:4] for problem in found(root)] == [
        ("a.yaml", 4, 11, 'YAML syntax error: the text quoted with " here is never closed'),
        ("b.yaml", 10, 15, "goto: there is no scene `nowhere`"),
    ]


def test_a_file_in_another_encoding_gives_its_encoding_error_and_nothing_else(story_dir: StoryDir) -> None:
    root = story_dir({"story.yaml": STORY, "b.yaml": HALLWAY_ONLY})
    (root / "a.yaml").write_bytes(GATE.replace("    ", "", 1).replace("\n    ", "\n").replace("Hello.", "Caf\u00e9.").encode("cp1252"))
    assert [problem[:4] for problem in found(root)] == [("a.yaml", 4, 14, "invalid UTF-8 (byte 0xe9)")]


def test_an_ending_that_is_not_a_mapping_is_one_problem(story_dir: StoryDir) -> None:
    root = story_dir({"story.yaml": STORY, "gate.yaml": GATE.replace("ending: {id: quiet, name: Quiet}", "ending: true")})
    assert [problem[1:4] for problem in found(root)] == [(11, 13, "ending must be a mapping (key: value lines), not a value")]


def test_an_ending_without_an_id_is_one_problem(story_dir: StoryDir) -> None:
    root = story_dir({"story.yaml": STORY, "gate.yaml": GATE.replace("{id: quiet, name: Quiet}", "{name: Quiet}")})
    assert [problem[1:4] for problem in found(root)] == [(11, 13, "ending has no `id`")]


def test_the_problem_cap_holds_for_expressions_and_interpolations(story_dir: StoryDir) -> None:
    from adventure.story.loader.reader import MAX_PROBLEMS_PER_FILE

    choices = "".join(
        f"          - label: Try {{nobody{number}}}\n            goto: hallway\n            if: missing{number} > 1\n"
        for number in range(300)
    )
    root = story_dir({"story.yaml": STORY, "gate.yaml": GATE.replace(
        "      - label: Go\n            goto: hallway\n", choices.replace("          - label", "      - label", 1)
    )})
    problems = found(root)
    assert len(problems) == MAX_PROBLEMS_PER_FILE + 1
    assert problems[-1][3] == f"more than {MAX_PROBLEMS_PER_FILE} problems in this file; the rest are not listed"
