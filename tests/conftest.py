"""Shared test helpers: write small stories from inline YAML into tmp_path."""

from __future__ import annotations

import dataclasses
import os
import signal
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

# A test run started in the background by a non-interactive shell (`cmd &` in a script)
# inherits SIGINT ignored, and so would every game the tests start: the Ctrl-C tests need
# it delivered. A handler (unlike "ignored") is not inherited across exec.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

FEATURES = HERE / "stories" / "features"
SHIPPED = ROOT / "scenes"

MINIMAL_STORY = """\
id: tiny
title: Tiny
version: 1
start: a
"""


def write_story(root: Path, files: dict[str, str]) -> Path:
    """Write {relative path: YAML text} under root (dedented) and return root."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


StoryDir = Callable[[dict[str, str]], Path]


@pytest.fixture
def story_dir(tmp_path: Path) -> StoryDir:
    """A factory: story_dir({...files...}) -> path of a story folder."""

    def make(files: dict[str, str]) -> Path:
        return write_story(tmp_path / "story", files)
    return make


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("ADVENTURE_SAVES", str(tmp_path / "saves"))
    monkeypatch.setenv("ADVENTURE_CACHE_DIR", str(tmp_path / "cache"))  # each test its own parse cache


# The two scene files of the small story the edit-sequence tests (the loader's memo, check --watch) edit:
# an interpolation, an effect, a condition, two endings and a scene only a detour reaches.
EDITED_SCENES = {
    "a.yaml": (
        "scenes:\n  - id: a\n    title: First draft\n    text: 'Hello, {n}.'\n    choices:\n"
        "      - {label: On, goto: b, effects: [{add: {n: 1}}]}\n"
        "  - id: side\n    title: Side\n    text: A side room.\n    ending: {id: side, name: Side}\n"
    ),
    "b.yaml": (
        "scenes:\n  - id: b\n    title: B\n    text: Room b.\n    choices:\n"
        "      - {label: Back, goto: a, if: n < 3}\n      - {label: Aside, goto: side}\n"
        "      - {label: Out, goto: out}\n"
        "  - id: out\n    title: Out\n    text: Daylight.\n    ending: {id: out, name: Out}\n"
    ),
}


def plain_value(value: object) -> object:
    """A value as JSON sees it: dataclasses as their class name and fields, sets sorted (so the
    result does not depend on the process's string hashing, and 0 and False stay apart)."""
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, (tuple, list)):
        return [plain_value(item) for item in value]
    if dataclasses.is_dataclass(value):
        return [type(value).__name__, *(plain_value(getattr(value, field.name)) for field in dataclasses.fields(value))]
    return value


def env_for_subprocess() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["NO_COLOR"] = "1"
    # prompt_toolkit otherwise asks the terminal where its cursor is and waits up to a
    # second per prompt for a reply that pexpect never sends
    env["PROMPT_TOOLKIT_NO_CPR"] = "1"
    return env


def apply_edit(root: Path, edit: tuple[str, str, str], undo: bool) -> bool:
    """Apply one (file, old, new) edit to a story folder, or its reverse; False when the text it replaces is not there.

    An empty `old` appends `new` (creating the file if need be), so a sequence of edits and undos can add files and scenes.
    """
    name, old, new = edit
    path = root / name
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if undo:
        old, new = new, old
    if old and old not in text:
        return False
    path.write_text(text.replace(old, new, 1) if old else text + new, encoding="utf-8")
    return True
