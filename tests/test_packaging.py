"""The wheel carries the shipped story, and `adventure` plays it from an installed package."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, SHIPPED


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    [built] = list(out.glob("adventure-*.whl"))
    return built


def test_the_wheel_contains_every_file_of_the_story(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    story_files = sorted(path.relative_to(SHIPPED).as_posix() for path in SHIPPED.rglob("*.yaml"))
    assert len(story_files) > 10
    for relative in story_files:
        assert f"adventure/scenes/{relative}" in names
    assert "adventure/cli.py" in names and not any(name.startswith("tests/") for name in names)


def test_the_unpacked_wheel_plays_its_own_story_outside_the_source_tree(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env.update({"PYTHONPATH": str(site), "ADVENTURE_SAVES": str(tmp_path / "saves"), "NO_COLOR": "1"})
    check = subprocess.run([sys.executable, "-m", "adventure", "check"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Metallic Rouge" in check.stdout and "No problems" in check.stdout
    located = subprocess.run(
        [sys.executable, "-c", "import adventure.cli as c; print(c.bundled_story())"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert located.stdout.strip() == str(site / "adventure" / "scenes")
    play = subprocess.run(
        [sys.executable, "-m", "adventure", "play", "--plain"],
        input="1\nquit\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert play.returncode == 0 and "The Cradle" in play.stdout and play.stderr == ""


def test_the_installed_adventure_command_plays_the_story(wheel: Path, tmp_path: Path) -> None:
    # The README's play command runs the console script pip writes from [project.scripts].
    # Installed into a folder of its own by this interpreter, whose packages it then uses.
    target = tmp_path / "installed"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
        capture_output=True, text=True, timeout=300,
    )
    assert install.returncode == 0, install.stderr
    command = target / ("Scripts" if sys.platform == "win32" else "bin") / "adventure"
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env.update({"PYTHONPATH": str(target), "ADVENTURE_SAVES": str(tmp_path / "saves"), "NO_COLOR": "1"})
    version = subprocess.run([str(command), "--version"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("adventure "), version.stdout + version.stderr
    play = subprocess.run(
        [str(command), "play", "--plain"], input="1\nquit\n", capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )
    assert play.returncode == 0 and "The Cradle" in play.stdout and play.stderr == "", play.stdout[-500:] + play.stderr
