"""Make untrusted text safe to print: no control characters or escape sequences get through."""

from __future__ import annotations

# C0 controls become their visible Unicode "control pictures" (ESC shows as ␛), so an
# author sees what is in the file while the terminal never receives the raw byte.
_TABLE: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20)}
_TABLE[0x7F] = "\u2421"  # ␡
_TABLE.update({code: "\ufffd" for code in range(0x80, 0xA0)})  # C1 controls, incl. CSI and OSC
# Bidirectional overrides and isolates can make text display differently from what it is.
_TABLE.update({code: "\ufffd" for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)})
# Lone surrogates (from JSON escapes like "\udc9b" in a save) would be written out as raw
# bytes, 0x9B (a one-byte CSI) among them, wherever stdout uses errors="surrogateescape".
_TABLE.update({code: "\ufffd" for code in range(0xD800, 0xE000)})
_KEEP_NEWLINES = dict(_TABLE)
del _KEEP_NEWLINES[0x0A]
_KEEP_NEWLINES[0x09] = " "


def clean(text: str) -> str:
    """One line of text with every control character made visible."""
    # Every character the table changes is a control, format or surrogate character, none
    # of them printable, so printable text (most text) is returned without a translation.
    return text if text.isprintable() else text.translate(_TABLE)


def clean_block(text: str) -> str:
    """Text that may span lines: newlines stay, tabs become spaces, other controls show."""
    return text if text.isprintable() else text.translate(_KEEP_NEWLINES)


def shortened(text: str, limit: int = 40) -> str:
    """`text`, cut after `limit` characters with "..." when longer: for quoting an author's or a
    player's text in a message, where a 5,000-character value must not be echoed whole."""
    return text if len(text) <= limit else text[:limit] + "..."


def is_clean(text: str) -> bool:
    """True when printing `text` cannot send a control sequence to a terminal."""
    return text == clean_block(text)
