"""Tests for making untrusted text safe to print."""

from __future__ import annotations

import sys

from hypothesis import given
from hypothesis import strategies as st

from adventure.source.textsafe import _KEEP_NEWLINES, _TABLE, clean, clean_block, is_clean


def test_every_character_cleaning_changes_is_unprintable_so_printable_text_is_returned_as_is() -> None:
    changed = [code for code in range(sys.maxunicode + 1) if code in _TABLE or code in _KEEP_NEWLINES]
    assert changed and not [code for code in changed if chr(code).isprintable()]


@given(st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF)))
def test_cleaning_equals_translating_through_the_tables(text: str) -> None:
    assert clean(text) == text.translate(_TABLE)
    assert clean_block(text) == text.translate(_KEEP_NEWLINES)
    assert is_clean(clean_block(text))


def test_escape_sequences_and_bidi_overrides_are_made_visible() -> None:
    assert clean("\x1b[2Jhi\u202e") == "\u241b[2Jhi\ufffd"
    assert clean_block("a\n\tb\x9b") == "a\n b\ufffd"
