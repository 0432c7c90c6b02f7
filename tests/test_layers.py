"""The package's layers hold: the import contract in pyproject.toml passes, and catches a back-import."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    assert LINT_IMPORTS is not None, "import-linter is part of the test extra: pip install -e '.[test]'"
    env = {"PATH": str(Path(sys.executable).parent), "PYTHONPATH": str(project), "HOME": str(project)}
    return subprocess.run([LINT_IMPORTS, "--no-cache"], cwd=project, env=env, capture_output=True, text=True, check=False)


def copy_of_the_package(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "adventure", tmp_path / "adventure", ignore=shutil.ignore_patterns("__pycache__", "scenes"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_every_module_imports_only_from_the_layers_below_it() -> None:
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    "module, back_import",
    [
        # a model object reaching up into the players, hidden inside a function
        ("story/model.py", "\n\ndef _leak() -> None:\n    from adventure.play import saves  # noqa: F401\n"),
        # the engine naming a tool, for types only
        ("rules/engine.py", "\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from adventure.tools import analysis\n"),
        # the two siblings: a tool reaching into the players
        ("tools/stats.py", "\nfrom adventure.play import session  # noqa: F401\n"),
        # the bottom layer reaching up to the story model
        ("source/problems.py", "\nfrom adventure.story import model  # noqa: F401\n"),
    ],
)
def test_a_back_import_breaks_the_contract(tmp_path: Path, module: str, back_import: str) -> None:
    project = copy_of_the_package(tmp_path)
    with open(project / "adventure" / module, "a", encoding="utf-8") as handle:
        handle.write(back_import)
    done = lint_imports(project)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "adventure." + module[:-3].replace("/", ".") in done.stdout
