"""Problems found in a story: where, what, how to fix it; and the error that carries them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from adventure.source.textsafe import clean

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem at one place in one file; line and column count from 1 (0 = unknown)."""

    path: str
    line: int
    col: int
    message: str
    hint: str = ""
    severity: Severity = "error"
    code: str = ""
    silenced: bool = False  # a warning the author silenced with `ignore:`

    def format(self) -> str:
        """`path:line:col: message`, with the hint on the next line; safe to print anywhere."""
        where = clean(self.path)
        if self.line:
            where += f":{self.line}:{max(self.col, 1)}"
        label = "" if self.severity == "error" else "warning: "
        code = f" [{self.code}]" if self.code else ""
        text = f"{where}: {label}{clean(self.message)}{code}"
        if self.hint:
            text += f"\n    hint: {clean(self.hint)}"
        return text

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.message)

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path, "line": self.line, "col": self.col, "severity": self.severity,
            "code": self.code, "message": self.message, "hint": self.hint,
            **({"silenced": self.silenced} if self.severity == "warning" else {}),
        }


class StoryError(Exception):
    """A story could not be loaded; `problems` lists every reason, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=Problem.sort_key)
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the story")

    def report(self) -> str:
        return "\n".join(problem.format() for problem in self.problems)
