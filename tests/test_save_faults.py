"""Saves under faults: full disks, unwritable folders, kills, races and damaged files.

What is promised: a failed save is one clear line and the game goes on; the last good
save is never damaged; a save interrupted at any moment leaves the old or the new
version, never a broken one; a damaged save is a clear error and is left byte for byte.
"""

from __future__ import annotations

import errno
import io
import json
import os
import random
import resource
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FEATURES, env_for_subprocess
from guards import HANG_SECONDS, adventure_command, assert_no_crash, guarded, kill_quietly

from adventure.cli import main
from adventure.play import profile, saves
from adventure.play.saves import SaveError
from adventure.play.session import Session
from adventure.rules.engine import INT_LIMIT
from adventure.rules.state import GameState
from adventure.story.loader import load_story

STORY = load_story(str(FEATURES))
KILLS = 40  # random SIGKILLs of a process that saves in a loop

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and POSIX signals")


def played(*numbers: int, seed: int = 7) -> Session:
    session = Session.new(STORY, seed)
    for number in numbers:
        session.choose(number)
    return session


def long_game(moves: int, seed: int) -> Session:
    """A session with a long history, so that its save takes a while to write."""
    rng = random.Random(seed)
    session = Session.new(STORY, seed)
    for _ in range(moves):
        if session.ended:
            session.restart(rng.randrange(2**32))
            continue
        enabled = [choice.number for choice in session.view().choices if choice.enabled]
        session.choose(rng.choice(enabled))
    return session


def play_plain(args: list[str], script: str) -> tuple[int, str, str]:
    """Play through the command line; the output with its lines joined, as messages wrap at the width."""
    out, err = io.StringIO(), io.StringIO()
    code = main(["play", "--plain", "--story", str(FEATURES), "--seed", "1", *args], stdin=io.StringIO(script), stdout=out, stderr=err)
    return code, " ".join(out.getvalue().split()), err.getvalue()


def leftovers(folder: Path) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name.startswith(".tmp-")) if folder.is_dir() else []


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


def usable(loaded: saves.Loaded) -> None:
    """A save that loads must also play: view, status, recap, and a move from it."""
    session = Session.new(STORY)
    saves.apply_loaded(session, loaded)
    session.view()
    session.status()
    session.recap()
    session.history()
    enabled = [choice.number for choice in session.view().choices if choice.enabled]
    if enabled and not session.ended:
        session.choose(enabled[0])
    session.undo(3)


# --- a full disk ---------------------------------------------------------------------------


def no_space(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_fails_saves_and_autosaves_clearly_and_the_game_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "saves" / "features"
    play_plain([], "1\nsave mine\nquit\n")
    before = snapshot(folder)
    assert set(before) == {"autosave.json", "mine.json"}
    monkeypatch.setattr(os, "fsync", no_space)
    code, out, err = play_plain([], "load autosave\n1\nsave mine\nstatus\n1\nquit\n")
    assert code == 0 and err == ""
    assert "Autosave failed: Could not save to 'autosave': No space left on device. Your previous save (if any) is intact." in out
    assert "Could not save to 'mine': No space left on device. Your previous save (if any) is intact." in out
    assert "The Hall, turn 3" in out and "coins: -1 (now 0)" in out, "the game must go on after a failed save"
    assert snapshot(folder) == before and leftovers(folder) == []
    monkeypatch.undo()
    assert saves.load(STORY, str(folder), "mine").state.turn == 1


class FullAfter:
    """A file that accepts `room` bytes and then fails as a full disk does, mid-write."""

    def __init__(self, stream: Any, room: int) -> None:
        self.stream, self.room = stream, room

    def write(self, data: bytes) -> int:
        self.stream.write(data[: self.room])
        self.stream.flush()
        if len(data) > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(data)
        return len(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)

    def __enter__(self) -> FullAfter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stream.close()


@pytest.mark.parametrize("room", [0, 1, 100, 600])
def test_a_disk_that_fills_up_mid_write_leaves_the_last_good_save(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, room: int) -> None:
    saves.save(played(2), str(tmp_path), "a")
    good = (tmp_path / "a.json").read_bytes()
    real_fdopen = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda fd, *args, **kwargs: FullAfter(real_fdopen(fd, *args, **kwargs), room))
    with pytest.raises(SaveError, match="No space left on device"):
        saves.save(played(2, 4), str(tmp_path), "a")
    monkeypatch.undo()
    assert (tmp_path / "a.json").read_bytes() == good and leftovers(tmp_path) == []
    assert saves.load(STORY, str(tmp_path), "a").state == played(2).state


def test_a_real_file_size_limit_fails_saves_mid_write_and_the_game_goes_on(tmp_path: Path) -> None:
    """RLIMIT_FSIZE makes the kernel refuse writes past a size: a genuine partial write."""
    folder = tmp_path / "saves"
    env = env_for_subprocess()
    env.update({"ADVENTURE_SAVES": str(folder), "PYTHONDONTWRITEBYTECODE": "1"})
    command = adventure_command("play", "--plain", "--story", str(FEATURES), "--seed", "1")
    first = subprocess.run(command, input=b"1\nsave mine\nquit\n", capture_output=True, env=env, timeout=60)
    assert first.returncode == 0, first.stderr
    before = snapshot(folder / "features")

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (300, 300))

    second = subprocess.run(
        command, input=b"load autosave\n1\nsave mine\nstatus\n1\nquit\n", capture_output=True, env=env, timeout=60, preexec_fn=small_files
    )
    out = " ".join(second.stdout.decode().split())
    assert second.returncode == 0
    assert_no_crash(second.stderr.decode())
    assert "Autosave failed: Could not save to 'autosave': File too large" in out
    assert "Could not save to 'mine': File too large. Your previous save (if any) is intact." in out
    assert "The Hall, turn 3" in out and "coins: -1 (now 0)" in out
    assert snapshot(folder / "features") == before and leftovers(folder / "features") == []


# --- a save folder that cannot be written (the tests run as root: chmod would not stop us) -----


@pytest.mark.parametrize("case", ["folder under a file", "folder is a file", "slot is a folder", "read-only file system"])
def test_an_unwritable_save_folder_is_a_clear_message_and_the_game_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    folder = tmp_path / "saves"
    expected = {
        "folder under a file": "Not a directory",
        "folder is a file": "Not a directory",
        "slot is a folder": "Is a directory",
        "read-only file system": "Read-only file system",
    }[case]
    if case == "folder under a file":
        (tmp_path / "file").write_text("x")
        folder = tmp_path / "file" / "saves"
    elif case == "folder is a file":
        folder.write_text("not a folder")
    elif case == "slot is a folder":
        (folder / "features" / "mine.json").mkdir(parents=True)
        (folder / "features" / "autosave.json").mkdir()
    else:
        def read_only(*args: object, **kwargs: object) -> None:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))
        monkeypatch.setattr(tempfile, "mkstemp", read_only)
    code, out, err = play_plain(["--saves", str(folder)], "2\nsave mine\nsaves\nload mine\nstatus\n2\n1\nquit\n")
    assert code == 0 and err == ""
    assert f"Autosave failed: Could not save to 'autosave': {expected}" in out
    assert f"Could not save to 'mine': {expected}" in out
    assert "The Hall, turn 3" in out and "coins: -1 (now 0)" in out, "the game must go on"


def test_reaching_an_ending_with_an_unwritable_profile_still_ends_the_game(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    code, out, err = play_plain(["--saves", str(tmp_path / "file" / "saves"), "--from", "vault"], "1\nstatus\n")
    assert code == 0 and err == ""
    assert "The End: The Rich Ending." in out and "Ending 1 of 2 found" in out


class ScriptedInput(io.StringIO):
    """Input that runs an action just before a given line is read."""

    def __init__(self, text: str, actions: dict[int, Callable[[], None]]) -> None:
        super().__init__(text)
        self.actions, self.lines_read = actions, 0

    def readline(self, size: int = -1) -> str:  # type: ignore[override]
        action = self.actions.get(self.lines_read)
        if action is not None:
            action()
        self.lines_read += 1
        return super().readline(size)


def test_a_missing_save_folder_is_made_and_remade_when_it_disappears(tmp_path: Path) -> None:
    from adventure.play.plain import play
    from adventure.play.shellhooks import Persistence
    from adventure.play.turns import TurnLoop

    persistence = Persistence(str(tmp_path / "deep" / "er" / "saves"), STORY.id)
    session = Session.new(STORY, 1)
    script = ScriptedInput("1\n2\n2\nquit\n", {1: lambda: __import__("shutil").rmtree(tmp_path / "deep")})
    out = io.StringIO()
    assert play(TurnLoop(session, persistence), script, out) == 0
    assert "failed" not in out.getvalue()
    assert saves.load(STORY, persistence.folder, saves.AUTOSAVE).state == session.state


# --- interrupted saves: Ctrl-C and SIGKILL at any moment ----------------------------------------


def test_ctrl_c_during_a_save_is_no_traceback_and_no_lost_save(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "saves" / "features"
    play_plain([], "1\nsave mine\nquit\n")
    before = snapshot(folder)

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    code, _, err = play_plain([], "save mine\n")
    assert code == 130 and "Interrupted." in err and "Traceback" not in err
    monkeypatch.undo()
    assert snapshot(folder) == before and leftovers(folder) == []


def read_until(stream: Any, marker: bytes) -> bytes:
    seen = b""
    while marker not in seen:
        chunk = os.read(stream.fileno(), 65536)
        if not chunk:
            break
        seen += chunk
    return seen


def test_ctrl_c_at_random_moments_of_repeated_saves_never_loses_the_slot(tmp_path: Path) -> None:
    folder = tmp_path / "saves"
    env = env_for_subprocess()
    env["ADVENTURE_SAVES"] = str(folder)
    rng = random.Random(11)
    script = tmp_path / "script.txt"
    script.write_bytes(b"1\n" + b"save mine\n2\n3\n" * 500)
    for attempt in range(5):
        with script.open("rb") as stdin:
            process = subprocess.Popen(adventure_command("play", "--plain", "--story", str(FEATURES), "--seed", str(attempt)),
                                       stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        assert process.stdout is not None
        read_until(process.stdout, b"Saved to slot 'mine'")
        time.sleep(rng.uniform(0, 0.05))
        process.send_signal(signal.SIGINT)
        try:
            _, err = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        assert process.returncode in (0, 130)
        assert_no_crash(err.decode())
        usable(saves.load(STORY, str(folder / "features"), "mine"))
        usable(saves.load(STORY, str(folder / "features"), saves.AUTOSAVE))


def _child_saving_forever(folder: str, sessions: list[Session], report: int) -> None:
    """In a forked child: save in a loop, reporting each save that finished."""
    try:
        for count in range(10**9):
            saves.save(sessions[count % len(sessions)], folder, "slot")
            os.write(report, f"{count}\n".encode())
    finally:
        os._exit(1)


@pytest.fixture(scope="module")
def sessions() -> list[Session]:
    """Saves of different sizes (1 KB to a few hundred KB), told apart by their turn."""
    made = [played(), played(2), long_game(60, 1), long_game(400, 2), long_game(2500, 3)]
    assert len({session.state.turn for session in made}) == len(made)
    return made


def test_a_process_killed_at_random_moments_while_saving_always_leaves_a_loadable_slot(tmp_path: Path, sessions: list[Session]) -> None:
    rng = random.Random(2024)
    folder = str(tmp_path)
    outcomes = {"old": 0, "new": 0, "backups": 0}
    for _ in range(KILLS):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            _child_saving_forever(folder, sessions, write_end)
        os.close(write_end)
        try:
            with os.fdopen(read_end, "rb") as reports:
                first = reports.readline()
                assert first, "the child died before saving once"
                time.sleep(rng.uniform(0, 0.04))
                kill_quietly(pid)
                os.waitpid(pid, 0)
                finished = [first, *reports.read().splitlines()]
        finally:
            kill_quietly(pid)
        last = int(finished[-1])
        loaded = saves.load(STORY, folder, "slot")  # never a damaged file
        old, new = sessions[last % len(sessions)], sessions[(last + 1) % len(sessions)]
        assert loaded.state in (old.state, new.state)
        outcomes["old" if loaded.state == old.state else "new"] += 1
        usable(loaded)
        # a child killed before its second save made a backup leaves none (the first save had nothing to back up)
        if (tmp_path / "slot.json.bak").exists():
            backup = json.loads((tmp_path / "slot.json.bak").read_bytes())
            assert backup["format"] == saves.FORMAT_VERSION
            outcomes["backups"] += 1
    assert outcomes["old"] + outcomes["new"] == KILLS and outcomes["backups"] > 0


def test_a_save_killed_at_every_step_leaves_the_old_or_the_new_version(tmp_path: Path) -> None:
    old, new = played(2), played(2, 4)
    steps = _count_steps(tmp_path / "count", old, new)
    assert steps >= 12  # backup and save: each a temporary file, two half writes, fsync, rename, folder sync
    for step in range(steps + 1):
        folder = tmp_path / f"kill-{step}"
        saves.save(played(), str(folder), "slot")
        saves.save(old, str(folder), "slot")
        pid = os.fork()
        if pid == 0:
            try:
                _kill_at_step(step)
                saves.save(new, str(folder), "slot")
            finally:
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        killed = os.WIFSIGNALED(status)
        assert killed == (step < steps), step
        loaded = saves.load(STORY, str(folder), "slot")
        assert loaded.state in (old.state, new.state), step
        if not killed:
            assert loaded.state == new.state
        backup = json.loads((folder / "slot.json.bak").read_bytes())
        assert backup["state"]["turn"] in (0, old.state.turn)


def _instrument(on_step: Callable[[], None]) -> None:
    """Call on_step before each system call a save makes, and once in the middle of each write."""
    real_mkstemp, real_fdopen, real_fsync, real_replace, real_open = tempfile.mkstemp, os.fdopen, os.fsync, os.replace, os.open

    class Halves:
        def __init__(self, stream: Any) -> None:
            self.stream = stream

        def write(self, data: bytes) -> int:
            half = len(data) // 2
            self.stream.write(data[:half])
            self.stream.flush()
            on_step()
            self.stream.write(data[half:])
            return len(data)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.stream, name)

        def __enter__(self) -> Halves:
            return self

        def __exit__(self, *exc: object) -> None:
            self.stream.close()

    def step(real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            on_step()
            return real(*args, **kwargs)
        return wrapper

    tempfile.mkstemp = step(real_mkstemp)
    os.fdopen = lambda fd, *args, **kwargs: Halves(real_fdopen(fd, *args, **kwargs))  # type: ignore[assignment]
    os.fsync, os.replace, os.open = step(real_fsync), step(real_replace), step(real_open)


def _count_steps(folder: Path, old: Session, new: Session) -> int:
    """How many steps saving `new` over `old` takes (counted in a child, which is then discarded)."""
    saves.save(old, str(folder), "slot")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            count = [0]

            def tick() -> None:
                count[0] += 1
            _instrument(tick)
            saves.save(new, str(folder), "slot")
            os.write(write_end, str(count[0]).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    os.waitpid(pid, 0)
    with os.fdopen(read_end) as result:
        return int(result.read())


def _kill_at_step(target: int) -> None:
    count = [0]

    def tick() -> None:
        if count[0] == target:
            os.kill(os.getpid(), signal.SIGKILL)
        count[0] += 1
    _instrument(tick)


def test_two_processes_saving_to_one_slot_at_once_never_corrupt_it(tmp_path: Path, sessions: list[Session]) -> None:
    first, second = sessions[3], sessions[4]
    saves.save(first, str(tmp_path), "slot")
    pids = []
    for session in (first, second):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                for _ in range(25):
                    saves.save(session, str(tmp_path), "slot")
                code = 0
            finally:
                os._exit(code)
        pids.append(pid)
    statuses: dict[int, int] = {}
    reads = 0
    while len(statuses) < len(pids):  # meanwhile, a third party reads the slot: always whole
        assert saves.load(STORY, str(tmp_path), "slot").state in (first.state, second.state)
        reads += 1
        for pid in pids:
            if pid not in statuses:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    statuses[pid] = status
    assert reads > 0
    for status in statuses.values():
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert saves.load(STORY, str(tmp_path), "slot").state in (first.state, second.state)
    assert json.loads((tmp_path / "slot.json.bak").read_bytes())["state"]["turn"] in (first.state.turn, second.state.turn)
    assert leftovers(tmp_path) == []


# --- damaged saves: a clear error each time, the file left byte for byte -----------------------


def load_bytes(folder: Path, content: bytes) -> saves.Loaded | SaveError:
    path = folder / "damaged.json"
    fresh = folder / "next.tmp"
    fresh.write_bytes(content)
    os.replace(fresh, path)  # rewriting a file in place (O_TRUNC) is slow on ext4; a new file is not
    try:
        with guarded(measure=False):
            result: saves.Loaded | SaveError = saves.load(STORY, str(folder), "damaged")
    except SaveError as err:
        result = err
    assert path.read_bytes() == content, "a save must never be changed by loading it"
    return result


def test_a_byte_flipped_at_every_offset_is_an_error_or_a_sound_game(tmp_path: Path) -> None:
    saves.save(played(2, 4), str(tmp_path), "good")
    good = (tmp_path / "good.json").read_bytes()
    refused = 0
    for offset in range(len(good)):
        damaged = bytearray(good)
        damaged[offset] ^= 1 << (offset % 8)
        result = load_bytes(tmp_path, bytes(damaged))
        if isinstance(result, SaveError):
            refused += 1
            assert "damaged.json" in str(result)
        else:
            usable(result)  # a flip inside a description or a dropped undo step can be harmless
    assert refused > len(good) // 2


def json_paths(data: object, prefix: tuple[object, ...] = ()) -> Iterator[tuple[object, ...]]:
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from json_paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from json_paths(value, (*prefix, index))


def replaced(data: Any, path: tuple[object, ...], value: object) -> Any:
    if not path:
        return value
    copy = json.loads(json.dumps(data))
    target = copy
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return copy


WRONG_VALUES: list[object] = [None, True, False, 0, -1, 2**64, 1.5, "", "x", [], {}, [[[]]], {"a": [1]}]
HUGE_NUMBER = "1" + "0" * 5000  # more digits than Python turns into an int by default


def test_every_field_of_the_wrong_type_is_an_error_or_a_sound_game(tmp_path: Path) -> None:
    saves.save(played(2, 1), str(tmp_path), "good")
    data = json.loads((tmp_path / "good.json").read_bytes())
    paths = list(json_paths(data))
    cases = 0
    for path in paths:
        for value in WRONG_VALUES:
            result = load_bytes(tmp_path, json.dumps(replaced(data, path, value)).encode())
            if not isinstance(result, SaveError):
                usable(result)
            cases += 1
        huge = json.dumps(replaced(data, path, "HUGE")).replace('"HUGE"', HUGE_NUMBER).encode()
        assert isinstance(load_bytes(tmp_path, huge), (SaveError, saves.Loaded))
    assert len(paths) > 40 and cases == len(paths) * len(WRONG_VALUES)


def test_a_number_too_long_for_python_is_a_clear_error(tmp_path: Path) -> None:
    saves.save(played(2), str(tmp_path), "good")
    text = (tmp_path / "good.json").read_text()
    result = load_bytes(tmp_path, text.replace('"turn": 1', '"turn": ' + HUGE_NUMBER, 1).encode())
    assert isinstance(result, SaveError) and "damaged" in str(result)


@pytest.mark.parametrize("version", [2, 10**30, "2", 2.0, True, None, -1, 0, [1], {"major": 2}])
def test_saves_from_other_format_versions_are_clear_errors(tmp_path: Path, version: object) -> None:
    saves.save(played(2), str(tmp_path), "good")
    data = json.loads((tmp_path / "good.json").read_bytes())
    result = load_bytes(tmp_path, json.dumps({**data, "format": version}).encode())
    assert isinstance(result, SaveError)
    if isinstance(version, int) and not isinstance(version, bool) and version > saves.FORMAT_VERSION:
        assert f"newer version of adventure (format {version}" in str(result)
    else:
        assert "format" in str(result)


def test_a_state_that_cannot_be_written_is_a_clear_error_not_a_crash(tmp_path: Path) -> None:
    session = played(2)
    huge = 10**5000
    session.state = GameState(
        session.state.scene, {**session.state.vars, "coins": huge}, session.state.visits, session.state.turn, session.state.rng
    )
    saves.save(played(), str(tmp_path), "a")
    good = (tmp_path / "a.json").read_bytes()
    with pytest.raises(SaveError, match="Could not save to 'a'"):
        saves.save(session, str(tmp_path), "a")
    assert (tmp_path / "a.json").read_bytes() == good


# --- saves that are not regular files, and slots that lead elsewhere ---------------------------


def test_a_named_pipe_in_the_save_folder_is_an_error_not_a_hang(tmp_path: Path) -> None:
    saves.save(played(2), str(tmp_path), "good")
    os.mkfifo(tmp_path / "pipe.json")
    with guarded(), pytest.raises(SaveError, match="not a regular file"):
        saves.load(STORY, str(tmp_path), "pipe")
    with guarded():
        listed = {info.slot: info for info in saves.list_slots(str(tmp_path))}
    assert "not a regular file" in listed["pipe"].problem and not listed["good"].problem


def test_a_slot_that_links_outside_the_folder_is_replaced_not_written_through(tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text("precious")
    folder = tmp_path / "saves"
    folder.mkdir()
    (folder / "a.json").symlink_to(outside)
    saves.save(played(2), str(folder), "a")
    assert outside.read_text() == "precious"
    assert not (folder / "a.json").is_symlink() and saves.load(STORY, str(folder), "a").state == played(2).state


@pytest.mark.parametrize("slot", ["../../etc/passwd", "..", "/tmp/x", "a/../../b", "\x1b]0;x\x07"])
def test_load_and_save_commands_refuse_slots_that_climb_out(tmp_path: Path, slot: str) -> None:
    code, out, _ = play_plain([], f"save {slot}\nload {slot}\n2\n")
    assert code == 0 and out.count("is not a slot name") == 2 and "The Hall, turn 1" in out
    assert sorted(os.listdir(tmp_path / "saves" / "features")) == ["autosave.json"]



def test_text_in_a_save_cannot_smuggle_raw_bytes_to_the_terminal(tmp_path: Path) -> None:
    """A JSON escape such as \\udc9b is a lone surrogate; written with surrogateescape it is byte 0x9B, a CSI."""
    folder = tmp_path / "saves"
    session = played(2)
    data = saves.save_data(session)
    data["state"]["vars"]["name"] = "\udc9b31mred\udc9b0m \udcff"
    data["transcript"].append([1, "scene", "\udc9b2J"])
    (folder / "features").mkdir(parents=True)
    (folder / "features" / "odd.json").write_text(json.dumps(data))  # json.dumps writes the surrogates as \\udcXX escapes
    env = env_for_subprocess()
    env.update({"ADVENTURE_SAVES": str(folder), "PYTHONIOENCODING": "utf-8:surrogateescape"})
    result = subprocess.run(adventure_command("play", "--plain", "--story", str(FEATURES)), input=b"load odd\nstatus\nhistory\n",
                            capture_output=True, env=env, timeout=60)
    assert result.returncode == 0 and result.stderr == b""
    assert b"Loaded slot 'odd'" in result.stdout and b"\x9b" not in result.stdout and b"\xff" not in result.stdout
    assert "\ufffd31mred\ufffd0m".encode() in result.stdout


# --- numbers a hand-edited save may hold ---------------------------------------------------

COUNTERS = {
    "story.yaml": """\
        id: counters
        title: Counters
        version: 1
        start: a
        variables:
          n: {type: int}
        status: "turn {turn}, n {n}, visits {visits('a')}"
    """,
    "scenes.yaml": """\
        scenes:
          - id: a
            title: "A {n} {turn}"
            text: "Here {visits('a')} times, n is {n + 1}."
            choices:
              - {label: "Again ({n})", goto: a, effects: [{add: {n: 1}}]}
    """,
}
LONGEST_NUMBER = "9" * 4300  # the most digits Python reads into an int by default


@pytest.mark.parametrize("field", ["turn", "visits", "variable", "transcript"])
def test_a_save_holding_a_number_of_thousands_of_digits_is_refused_or_bounded(
    story_dir: Callable[[dict[str, str]], Path], tmp_path: Path, field: str
) -> None:
    root = story_dir(COUNTERS)
    folder = Path(saves.story_folder(str(tmp_path / "saves"), "counters"))
    out = io.StringIO()
    assert main(["play", "--plain", "--story", str(root)], stdin=io.StringIO("1\nsave big\n"), stdout=out) == 0
    text = (folder / "big.json").read_text()
    data = json.loads(text)
    marker = "12345678987654321"
    if field == "turn":
        data["state"]["turn"] = marker
    elif field == "visits":
        data["state"]["visits"][0][1] = marker
    elif field == "variable":
        data["state"]["vars"]["n"] = marker
    else:
        data["transcript"][0][0] = marker
    (folder / "big.json").write_text(json.dumps(data).replace(f'"{marker}"', LONGEST_NUMBER))
    for script in ("load big\nstatus\n1\nstatus\nhistory\nsaves\nsave again\n", "load big\nundo\nrestart\nstatus\n"):
        out, err = io.StringIO(), io.StringIO()
        assert main(["play", "--plain", "--story", str(root)], stdin=io.StringIO(script), stdout=out, stderr=err) == 0, err.getvalue()
        assert "Loaded slot 'big'" in out.getvalue() or "cannot be loaded" in out.getvalue()
    if field == "variable":  # clamped into the engine's range, as every move clamps it
        assert saves.load(load_story(str(root)), str(folder), "big").state.vars["n"] == INT_LIMIT
    else:
        with pytest.raises(SaveError, match="cannot be loaded"):
            saves.load(load_story(str(root)), str(folder), "big")


# --- saves too large to read back, backups, leftovers of killed writers -------------------------


def test_a_game_too_large_for_a_save_file_keeps_less_undo_and_history_never_more_than_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sessions: list[Session]
) -> None:
    from adventure.source import files

    session = sessions[4]  # 2,500 moves: 50 undo steps and a long history
    whole = len(json.dumps(saves.save_data(session), ensure_ascii=False, indent=1).encode())
    bare = len(json.dumps(saves.save_data(session, undo_kept=0, transcript_kept=0), ensure_ascii=False, indent=1).encode())
    monkeypatch.setattr(saves, "MAX_SAVE_BYTES", whole // 3)  # scaled down from 16 MiB
    monkeypatch.setattr(files, "MAX_BACKUP_BYTES", whole // 3)
    saves.save(played(2), str(tmp_path), "slot")
    good = (tmp_path / "slot.json").read_bytes()
    saves.save(session, str(tmp_path), "slot")
    assert len((tmp_path / "slot.json").read_bytes()) <= whole // 3
    loaded = saves.load(STORY, str(tmp_path), "slot")
    assert loaded.state == session.state and loaded.transcript  # the state whole; some history
    assert len(loaded.undo) < saves.UNDO_SAVED and len(loaded.transcript) < len(session.transcript)
    assert (tmp_path / "slot.json.bak").read_bytes() == good, "the backup is the whole previous save"
    monkeypatch.setattr(saves, "MAX_SAVE_BYTES", bare - 1)
    before = snapshot(tmp_path)
    with pytest.raises(SaveError, match="too large to save"):
        saves.save(session, str(tmp_path), "slot")
    assert snapshot(tmp_path) == before


def test_a_backup_is_never_cut_short(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from adventure.source import files

    monkeypatch.setattr(files, "MAX_BACKUP_BYTES", 2_000)
    saves.save(played(2), str(tmp_path), "slot")
    first = (tmp_path / "slot.json").read_bytes()
    saves.save(played(2, 4), str(tmp_path), "slot")
    assert (tmp_path / "slot.json.bak").read_bytes() == first
    (tmp_path / "slot.json").write_bytes(b"{" + b" " * 5_000 + b"}")  # no save of ours, and over the limit
    saves.save(played(), str(tmp_path), "slot")
    assert (tmp_path / "slot.json.bak").read_bytes() == first, "a file too large to copy whole leaves the old backup"


def _leave_a_temporary(folder: str, hold: bool) -> int:
    """A child process that writes a temporary file and is then killed (or, with `hold`, waits)."""
    from adventure.source import files

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            files._temporary_with(b"half a save", folder)
            os.write(write_end, b"x")
            if hold:
                time.sleep(HANG_SECONDS)
            os.kill(os.getpid(), signal.SIGKILL)
        finally:
            os._exit(1)
    os.close(write_end)
    assert os.read(read_end, 1) == b"x"
    os.close(read_end)
    if not hold:
        os.waitpid(pid, 0)
    return pid


def test_temporary_files_of_killed_writers_are_cleaned_and_live_ones_kept(tmp_path: Path) -> None:
    from adventure.source import files

    folder = str(tmp_path)
    for _ in range(20):
        _leave_a_temporary(folder, hold=False)
    live = _leave_a_temporary(folder, hold=True)
    try:
        assert len(leftovers(tmp_path)) == 21
        past = time.time() - 10 * files.STALE_SECONDS
        for name in leftovers(tmp_path):
            os.utime(tmp_path / name, (past, past))
        (tmp_path / ".tmp-not-ours.txt").write_text("kept")
        saves.save(played(2), folder, "slot")
        assert len(leftovers(tmp_path)) == 2  # the live writer's file, and the file that is not ours
        assert (tmp_path / ".tmp-not-ours.txt").read_text() == "kept"
    finally:
        kill_quietly(live)
        os.waitpid(live, 0)
    saves.save(played(2), folder, "slot")
    assert leftovers(tmp_path) == [".tmp-not-ours.txt"]


# --- the endings profile, and slot names a file system might confuse -------------------------


@pytest.mark.parametrize("damage", [b"garbage", b"[1, 2]", b'{"endings": 3}', b"\xff\xfe", b""])
def test_a_damaged_endings_profile_is_kept_aside_and_said_so(tmp_path: Path, damage: bytes) -> None:
    from adventure.play.shellhooks import Persistence

    persistence = Persistence(str(tmp_path), STORY.id)
    folder = Path(persistence.folder)
    folder.mkdir(parents=True)
    (folder / "profile.json").write_bytes(damage)
    session = Session.new(STORY, 1)
    ending = STORY.endings()[0]
    session.state = GameState(ending.id, session.state.vars)
    lines = persistence.ending_note(session)
    assert lines[0].startswith("Ending 1 of") and "could not be read; it was kept as profile.json.damaged" in lines[-1]
    assert (folder / "profile.json.damaged").read_bytes() == damage
    assert profile.read_profile(str(folder)) == {STORY.id: [ending.ending.id]}  # type: ignore[union-attr]
    assert persistence.ending_note(session) == lines[:1], "said once: the new record is sound"


def test_endings_recorded_by_many_processes_at_once_are_all_kept(tmp_path: Path) -> None:
    folder = str(tmp_path)
    pids = []
    for worker in range(6):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                for number in range(40):
                    profile.record_ending(folder, "story", f"ending-{worker}-{number}")
                code = 0
            finally:
                os._exit(code)
        pids.append(pid)
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert len(profile.read_profile(folder)["story"]) == 240


@pytest.mark.parametrize("slot", ["PROFILE", "Profile", "CON", "nul", "Com1", "LPT9", "aux", "x\n", "autosave\n"])
def test_slot_names_that_a_file_system_would_confuse_are_refused(tmp_path: Path, slot: str) -> None:
    with pytest.raises(SaveError, match="is not a slot name"):
        saves.save(played(2), str(tmp_path), slot)
    with pytest.raises(SaveError, match="is not a slot name"):
        saves.load(STORY, str(tmp_path), slot)
    assert not tmp_path.exists() or os.listdir(tmp_path) == []
