"""Every diagnostic code, errors (E...) and warnings (W...), with its title: the one registry.

A code is stable: once released it keeps its meaning, and a retired code is never reused.
A new kind of problem takes the next free number of its family (see docs/diagnostics.md,
which documents every code here; tests/test_codes.py checks that both agree and that every
error the loader can report passes a code from this table).
"""

from __future__ import annotations

ERRORS: dict[str, str] = {
    # E0xx: reading a file
    "E001": "YAML syntax error",
    "E002": "file cannot be read",
    "E003": "not UTF-8 text",
    "E004": "character not allowed in YAML",
    "E005": "tag not allowed",
    "E006": "alias problem",
    "E007": "nested too deeply",
    "E008": "expands too much",
    "E009": "duplicate key",
    "E010": "more than one YAML document",
    "E011": "mapping key written wrongly",
    "E012": "story folder problem",
    "E013": "too many problems in one file",
    # E1xx: the shape of a file
    "E101": "wrong kind of value",
    "E102": "unknown key",
    "E103": "required key missing",
    "E104": "empty value",
    "E105": "number out of range",
    "E106": "invalid name",
    "E107": "a comma splits a value inside {...}",
    "E108": "not a scene file",
    "E109": "ignore lists an unknown code",
    # E2xx: scenes, choices and endings
    "E201": "duplicate scene id",
    "E202": "no such scene",
    "E203": "scene has neither choices nor an ending",
    "E204": "ending with choices",
    "E205": "choice has no way to go",
    "E206": "choice leads two ways",
    "E207": "duplicate choice id",
    "E208": "disabled without a condition",
    "E209": "duplicate ending id",
    "E210": "more than one canonical ending",
    "E211": "rename problem",
    "E212": "return outside a detour",
    "E213": "conditions nested too deeply",
    "E214": "snippet problem",
    # E3xx: variables and effects
    "E301": "unknown variable",
    "E302": "variable declared wrongly",
    "E303": "value of the wrong type",
    "E304": "not a member of the set",
    "E305": "unknown effect",
    "E306": "effect does not fit the variable",
    "E307": "roll or pick written wrongly",
    "E308": "conditional effect written wrongly",
    # E4xx: conditions, computed values and interpolation
    "E401": "expression syntax error",
    "E402": "unknown name in an expression",
    "E403": "expression of the wrong type",
    "E404": "not allowed in an expression",
    "E405": "expression too long or too deep",
    "E406": "brace or inline form written wrongly",
    "E407": "function used wrongly",
    "E408": "control character in a quoted text of an expression",
    # E5xx: the codex
    "E501": "unknown codex entry",
    "E502": "codex entry declared wrongly",
    # E6xx: walkthroughs (adventure test)
    "E601": "walkthrough written wrongly",
}

WARNINGS: dict[str, str] = {
    "W101": "unreachable scene",
    "W102": "dead end",
    "W103": "no ending ahead",
    "W104": "unreachable ending",
    "W201": "variable set but never read",
    "W202": "variable read but never set",
    "W203": "unused variable",
    "W301": "condition never true",
    "W302": "condition always true",
    "W303": "effect condition always true",
    "W304": "effect condition never true",
    "W401": "codex entry never unlocked",
    "W501": "idle loop",
    "W601": "detour that never returns",
    "W602": "sequence in a once-only reply",
    "W701": "variation that can never advance",
    "W702": "snippet never used",
    "W703": "select key that never matches",
}

CODES: dict[str, str] = {**ERRORS, **WARNINGS}
