"""Guards for tests of hostile input: no hang, no memory blow-up, no traceback.

In-process work runs under `guarded()`: a SIGALRM alarm turns a hang into a test failure
and tracemalloc measures the peak memory it allocated. Work that might exhaust memory
runs in a subprocess under `resource` limits (address space and CPU seconds) with a
timeout, via `run_limited()` / `start_limited()`.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import signal
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from conftest import env_for_subprocess

HANG_SECONDS = 60  # far above any legitimate run; only a hang reaches it
MEMORY_LIMIT = 1024 * 1024 * 1024  # address space for a guarded subprocess
CPU_SECONDS = 120

# What must never reach a terminal: C0 controls except newline, DEL, C1 controls
# (including the one-byte CSI and OSC), and bidirectional overrides, isolates and marks.
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class Hang(Exception):
    """Raised inside guarded work when it runs past its alarm."""


@dataclass
class Usage:
    peak_bytes: int = 0


@contextlib.contextmanager
def guarded(seconds: int = HANG_SECONDS, measure: bool = True) -> Iterator[Usage]:
    """Fail with Hang if the block runs past `seconds`; report its tracemalloc peak."""
    usage = Usage()

    def alarm(signum: int, frame: object) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    started = measure and not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
        tracemalloc.reset_peak()
    try:
        yield usage
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        if started:
            usage.peak_bytes = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()


def _limits(memory: int, cpu: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))


def adventure_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "adventure", *args]


def start_limited(args: Sequence[str], memory: int = MEMORY_LIMIT, cpu: int = CPU_SECONDS, env: dict[str, str] | None = None,
                  stdin: int | None = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
    """Start a subprocess with an address-space and CPU limit (collect it with `finish`)."""
    return subprocess.Popen(
        list(args), stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=env or env_for_subprocess(), preexec_fn=lambda: _limits(memory, cpu),
    )


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str


def finish(process: subprocess.Popen[bytes], timeout: int = HANG_SECONDS, stdin: bytes | None = None) -> Finished:
    """Wait for a limited subprocess; a hang kills it and fails the test."""
    try:
        out, err = process.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise Hang(f"{process.args!r} still running after {timeout} s") from None
    return Finished(process.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


def run_limited(args: Sequence[str], stdin: bytes | None = None, **options: object) -> Finished:
    process = start_limited(args, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL, **options)  # type: ignore[arg-type]
    return finish(process, stdin=stdin)


CRASH_MARKERS = ("Traceback (most recent call last)", "Fatal Python error", "Exception ignored", "MemoryError")


def assert_no_crash(stderr: str) -> None:
    """No traceback, fatal error or ignored exception was printed."""
    for marker in CRASH_MARKERS:
        assert marker not in stderr, stderr[-3000:]


def kill_quietly(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
