"""The model's frozen dataclasses compare, hash and show by their fields as @dataclass's own methods would."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import given
from hypothesis import strategies as st

from adventure.story.model import Location, Story
from adventure.story.record import Record


@dataclass(frozen=True, slots=True)
class Generated:
    """Methods written by @dataclass."""

    name: str
    count: int
    note: str = field(default="", compare=False, repr=False)
    tags: tuple[str, ...] = field(default=(), hash=False)


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Written(Record):
    """The same fields, methods from Record."""

    name: str
    count: int
    note: str = field(default="", compare=False, repr=False)
    tags: tuple[str, ...] = field(default=(), hash=False)


Fields = tuple[str, int, str, tuple[str, ...]]
values = st.tuples(st.sampled_from(["a", "b", "é'\n"]), st.integers(-2, 2), st.sampled_from(["", "x"]), st.sampled_from([(), ("t",)]))


@given(values, values)
def test_a_record_compares_hashes_and_shows_as_a_generated_dataclass(first: Fields, second: Fields) -> None:
    generated, written = (Generated(*first), Generated(*second)), (Written(*first), Written(*second))
    assert (written[0] == written[1]) == (generated[0] == generated[1])
    assert (written[0] != written[1]) == (generated[0] != generated[1])
    assert repr(written[0]) == repr(generated[0]).replace("Generated(", "Written(", 1)
    if written[0] == written[1]:
        assert hash(written[0]) == hash(written[1])


def test_a_record_is_never_equal_to_another_class_with_the_same_fields() -> None:
    assert Written("a", 1) != Generated("a", 1)
    assert Written("a", 1).__eq__(("a", 1)) is NotImplemented


def test_model_values_are_equal_by_their_fields_and_shown_by_them() -> None:
    here = Location("story.yaml", 3, 4)
    assert here == Location("story.yaml", 3, 4) and hash(here) == hash(Location("story.yaml", 3, 4))
    assert here != Location("story.yaml", 3, 5)
    assert repr(here) == "Location(path='story.yaml', line=3, col=4)"
    assert issubclass(Story, Record)
