"""`adventure export`: a proofing copy holding every text a story's author wrote."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FEATURES, ROOT, SHIPPED, StoryDir

from adventure.cli import main
from adventure.story.loader import load_story
from adventure.story.model import Conditional, Story, Text
from adventure.story.template import Template, Variation
from adventure.tools.counts import summary
from adventure.tools.proofing import FORMATS, export

EXAMPLE = ROOT / "docs" / "example"


def test_replies_flows_and_ending_hints_are_in_the_copy() -> None:
    story = load_story(str(EXAMPLE))
    replies = [choice for scene in story.scenes.values() for choice in scene.choices if choice.reply]
    flows = {choice.flow for scene in story.scenes.values() for choice in scene.choices}
    assert replies and {"stay", "detour", "return"} <= flows  # the example shows them all
    for kind in FORMATS:
        copy = readable(story, kind)
        assert "Reply" in copy or "reply" in copy
        assert "stays" in copy and "detour into" in copy and "returns" in copy


def readable(story: Story, kind: str) -> str:
    """The export as a reader sees it: HTML with its entities turned back into characters."""
    text = export(story, kind)  # type: ignore[arg-type]
    return html.unescape(text) if kind == "html" else text


def pieces(template: Template | None) -> Iterator[str]:
    for part in template.parts if template is not None else ():
        yield part if isinstance(part, str) else part.source


def text_pieces(text: Text) -> Iterator[str]:
    for part in text:
        if isinstance(part, Conditional):
            yield part.condition.source
            yield from text_pieces(part.then)
            yield from text_pieces(part.otherwise)
        else:
            yield from pieces(part.template)


def everything_written(story: Story) -> Iterator[str]:
    """Every piece of text and every condition an author wrote, as the model holds them."""
    for scene in story.scenes.values():
        yield scene.id
        yield scene.chapter
        yield from pieces(scene.title)
        yield from pieces(scene.recap)
        yield from text_pieces(scene.text)
        for choice in scene.choices:
            yield from pieces(choice.label)
            yield from pieces(choice.disabled)
            yield from text_pieces(choice.reply)
            if choice.condition is not None:
                yield choice.condition.source
        if scene.ending is not None:
            yield scene.ending.name
            yield scene.ending.hint
    for variable in story.variables.values():
        yield variable.label
        yield from variable.names.values()
    for entry in story.codex.values():
        yield entry.id
        yield entry.title
        yield from text_pieces(entry.text)


def template_words(template: Template) -> list[str]:
    words: list[str] = []
    for piece in template.parts:
        if isinstance(piece, str):
            words.extend(piece.split())
        elif isinstance(piece, Variation):
            for option in piece.options:
                words.extend(template_words(option))
    return words


def text_words(text: Text) -> list[str]:
    words: list[str] = []
    stack = [text]
    while stack:
        for part in stack.pop():
            if isinstance(part, Conditional):
                stack.extend((part.then, part.otherwise))
            else:
                words.extend(template_words(part.template))
    return words


def counted_words(story: Story) -> list[str]:
    """The words `adventure check` counts: every scene's title and text (both branches, every
    option of inline forms), and every choice's label, reply and disabled reason."""
    words: list[str] = []
    for scene in story.scenes.values():
        words.extend(template_words(scene.title) + text_words(scene.text))
        for choice in scene.choices:
            words.extend(template_words(choice.label) + text_words(choice.reply))
            if choice.disabled is not None:
                words.extend(template_words(choice.disabled))
    return words


@pytest.mark.parametrize("kind", FORMATS)
def test_the_export_of_the_shipped_story_contains_every_word_check_counts(kind: str) -> None:
    story = load_story(str(SHIPPED))
    words = counted_words(story)
    assert len(words) == summary(story)["words"]  # the very words behind check's count
    copy = readable(story, kind)
    tokens = set(copy.split())
    missing = [word for word in words if word not in tokens and word not in copy]
    assert missing == []


@pytest.mark.parametrize("kind", FORMATS)
@pytest.mark.parametrize("root", [FEATURES, SHIPPED, EXAMPLE], ids=["features", "shipped", "example"])
def test_the_export_holds_every_text_variation_choice_reason_codex_entry_and_recap(kind: str, root: Path) -> None:
    story = load_story(str(root))
    copy = readable(story, kind)
    missing = [piece for piece in everything_written(story) if piece.strip() and piece.strip() not in copy]
    assert missing == []


def test_markdown_groups_scenes_under_their_chapter_labelled_by_id(story_dir: StoryDir) -> None:
    root = story_dir({
        "story.yaml": "id: s\ntitle: S\nversion: 1\nstart: a\n",
        "one.yaml": """\
            chapter: First
            scenes:
              - id: a
                title: Alpha
                text: Hello.
                choices: [{label: On, goto: b}]
            """,
        "two.yaml": """\
            chapter: Second
            scenes:
              - id: b
                title: Beta
                text:
                  - if: visited("a")
                    text: You came from Alpha.
                    else: Nobody came.
                ending: {id: b, name: The End}
            """,
    })
    copy = export(load_story(str(root)), "markdown")
    order = [copy.index(marker) for marker in ("## First", "### Alpha `a`", "## Second", "### Beta `b`")]
    assert order == sorted(order)
    assert '> **if** `visited("a")`' in copy
    assert "> You came from Alpha." in copy
    assert "**otherwise, when not** `visited(\"a\")`" in copy
    assert "**Ending:** The End" in copy


def test_the_html_copy_is_one_self_contained_file() -> None:
    copy = export(load_story(str(FEATURES)), "html")
    assert copy.startswith("<!DOCTYPE html>")
    assert re.search(r"<(script|link|img|iframe)\b", copy) is None
    assert re.search(r"(src|href)=", copy) is None
    assert "@media print" in copy


def test_story_text_cannot_inject_markup_into_the_html_copy(story_dir: StoryDir) -> None:
    root = story_dir({
        "story.yaml": "id: s\ntitle: S\nversion: 1\nstart: a\n",
        "one.yaml": """\
            scenes:
              - id: a
                title: "<script>alert(1)</script>"
                text: "Fish & <b>chips</b>"
                ending: {id: a, name: End}
            """,
    })
    copy = export(load_story(str(root)), "html")
    assert "<script>" not in copy and "<b>" not in copy
    assert "Fish &amp; &lt;b&gt;chips&lt;/b&gt;" in copy


def test_export_writes_the_file_asked_for(tmp_path: Path) -> None:
    target = tmp_path / "proof.html"
    code = main(["export", str(FEATURES), "--format", "html", "--output", str(target)], stdout=io.StringIO(), stderr=io.StringIO())
    assert code == 0
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_export_of_a_broken_story_reports_its_problems(story_dir: StoryDir) -> None:
    root = story_dir({"story.yaml": "id: s\ntitle: S\nversion: 1\nstart: nowhere\n"})
    err = io.StringIO()
    code = main(["export", str(root)], stdout=io.StringIO(), stderr=err)
    assert code == 1
    assert "start scene `nowhere` does not exist" in err.getvalue()



def test_every_option_of_an_inline_form_is_listed_with_the_snippets_it_uses_written_out() -> None:
    copy = export(load_story(str(EXAMPLE)), "text")
    assert "[shuffle: 2] A window opens." in copy
    assert "[if oil > 0: else] empty" in copy
    assert "[select passer: constable] The constable touches his cap." in copy
    assert "[cycle: 1] the dusk deepens" in copy  # from the snippet `dusk`, used inside a {seq} option
