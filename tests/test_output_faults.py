"""Standard output that fails: closed, a pipe closed early, a full disk, a strict encoding.

Every command answers with one line on standard error and exit code 3 (EXIT_OUTPUT), never
a traceback and never the exit codes that mean "the story has errors" (1) or "wrong usage"
(2); a pipe closed early is never reported as success.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FEATURES, HERE, env_for_subprocess
from guards import HANG_SECONDS, adventure_command, assert_no_crash

from adventure.cli import EXIT_OUTPUT

BROKEN = {
    "story.yaml": "id: broken\ntitle: Broken\nversion: 1\nstart: s0\n",
    # enough problems that the report is larger than a pipe's buffer
    "scenes.yaml": "scenes:\n" + "".join(
        f"  - {{id: s{i}, title: T, text: x, choices: [{{label: Go, goto: nowhere_at_all_{i}}}]}}\n" for i in range(150)
    ),
}

COMMANDS: dict[str, list[str]] = {
    "check": ["check", "{broken}"],
    "check json": ["check", "--format", "json", "{broken}"],
    "explore": ["explore", "--random", "3", str(FEATURES)],
    "graph": ["graph", str(FEATURES)],
    "schema": ["schema"],
    "diff": ["diff", str(FEATURES), str(FEATURES)],
    "test": ["test", str(HERE / "walkthroughs" / "features-rich.yaml")],
    "play": ["play", "--plain", "--story", str(FEATURES), "--seed", "1"],
}


def run_with_stdout(args: list[str], stdout: Callable[[], int | None], stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """Run adventure with standard output set up by `stdout` (a file descriptor, or None: closed)."""
    descriptor = stdout()
    try:
        return subprocess.run(
            adventure_command(*args), input=stdin, stdout=descriptor if descriptor is not None else subprocess.DEVNULL,
            stderr=subprocess.PIPE, env=env_for_subprocess(), timeout=HANG_SECONDS,
            preexec_fn=(lambda: os.close(1)) if descriptor is None else None,
        )
    finally:
        if descriptor is not None:
            os.close(descriptor)


def broken_pipe() -> int:
    """The write end of a pipe whose read end is already closed: every write fails with EPIPE."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    return write_end


def full_disk() -> int:
    return os.open("/dev/full", os.O_WRONLY)


@pytest.fixture
def commands(story_dir: Callable[[dict[str, str]], Path]) -> dict[str, list[str]]:
    broken = story_dir(BROKEN)
    return {name: [part.format(broken=broken) for part in args] for name, args in COMMANDS.items()}


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_full_disk_on_standard_output_is_a_message_and_its_own_exit_code(commands: dict[str, list[str]], name: str) -> None:
    result = run_with_stdout(commands[name], full_disk, b"1\nquit\n")
    err = result.stderr.decode()
    assert_no_crash(err)
    assert result.returncode == EXIT_OUTPUT, err
    assert err.strip().splitlines() == [f"adventure: cannot write to standard output: {os.strerror(28)}"]


@pytest.mark.parametrize("name", sorted(set(COMMANDS) - {"play"}))
def test_a_closed_standard_output_is_a_message_and_its_own_exit_code(commands: dict[str, list[str]], name: str) -> None:
    result = run_with_stdout(commands[name], lambda: None)
    err = result.stderr.decode()
    assert_no_crash(err)
    assert result.returncode == EXIT_OUTPUT and "cannot write to standard output: it is closed" in err, err


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_pipe_closed_early_is_never_reported_as_success(commands: dict[str, list[str]], name: str) -> None:
    # `adventure check story | head -1` under pipefail: the reader saw almost nothing
    result = run_with_stdout(commands[name], broken_pipe, b"1\nquit\n")
    err = result.stderr.decode()
    assert_no_crash(err)
    assert result.returncode == EXIT_OUTPUT and err == "", err


def test_a_path_that_is_not_utf8_is_shown_on_a_strict_utf8_output(tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path) + b"/x\xff"
    os.mkdir(folder)
    env = env_for_subprocess()
    env["PYTHONIOENCODING"] = "utf-8:strict"
    for args in ([b"check", folder], [b"check", b"--format", b"json", folder], [b"play", b"--plain", b"--story", folder]):
        result = subprocess.run([*map(os.fsencode, adventure_command()), *args], capture_output=True, env=env, timeout=HANG_SECONDS)
        assert_no_crash(result.stderr.decode())
        assert result.returncode == 1, result.stderr
        shown = (result.stdout + result.stderr).decode("utf-8")
        # people see a replacement character; JSON keeps the undecodable byte as an escape
        assert "story.yaml is missing" in shown and ("x\ufffd" in shown or "x\\udcff" in shown)
