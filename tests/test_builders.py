"""The loader's quick builders make the same model objects as the dataclasses' own constructors."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from adventure.story import builders, model
from adventure.story.template import Template

TEXT = st.text(max_size=8)


@given(TEXT, st.integers(0, 10**6), st.integers(0, 10**6), st.integers(-5, 5), TEXT)
def test_each_builder_gives_an_object_equal_to_its_constructors(path: str, line: int, col: int, amount: int, text: str) -> None:
    where = builders.location(path, line, col)
    label = builders.plain_template(text)
    add = builders.add_int(text, amount, where)
    set_ = builders.set_var(text, amount, None, where)
    set_add = builders.set_add(text, frozenset({text}), where)
    paragraph = builders.paragraph(label)
    effects = (add, set_, set_add)
    choice = builders.choice(text, label, path, where, None, None, effects, True, False, (paragraph,), "goto", False, frozenset())
    scene = builders.scene(text, label, (paragraph,), path, where, None, (), (choice,), None, frozenset({"W101"}))
    expected_where = model.Location(path, line, col)
    expected_label = Template((text,), text)
    expected_paragraph = model.Paragraph(expected_label)
    expected_effects = (
        model.AddInt(text, amount, expected_where), model.SetVar(text, amount, None, expected_where),
        model.SetAdd(text, frozenset({text}), expected_where),
    )
    expected_choice = model.Choice(
        text, expected_label, path, expected_where, None, None, expected_effects, True, False, (expected_paragraph,), "goto", False,
        frozenset(),
    )
    expected = model.Scene(
        text, expected_label, (expected_paragraph,), path, expected_where, None, (), (expected_choice,), None, frozenset({"W101"})
    )
    assert scene == expected and hash(scene) == hash(expected) and type(scene) is model.Scene
    assert type(choice) is model.Choice and type(where) is model.Location and type(label) is Template
    assert label.render(None) == text  # type: ignore[arg-type]  # plain text reads no state
