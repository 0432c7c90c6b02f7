"""The one place files are written: atomically, so a crash leaves the old file or the new one."""

from __future__ import annotations

import contextlib
import os
import stat
import time
from collections.abc import Iterator

try:
    import fcntl
except ImportError:  # not on Windows: stale temporary files are then told by their age alone
    fcntl = None  # type: ignore[assignment]

MAX_BACKUP_BYTES = 16 * 1024 * 1024
TEMPORARY_PREFIX, TEMPORARY_SUFFIX = ".tmp-", ".part"
# A temporary file is ours to remove once no process holds its lock (the writer was killed)
# and it is older than this; without locks (Windows), once it is older than an hour.
STALE_SECONDS = 10
STALE_SECONDS_WITHOUT_LOCKS = 3600
MAX_STALE_REMOVED = 100  # per write: a folder of a million leftovers is not cleaned in one go


def write_atomically(path: str, data: bytes, keep_backup: bool = False) -> None:
    """Write a file so that a crash at any moment leaves either the old or the new version.

    The new bytes go to a temporary file in the same folder, are flushed and fsynced, and
    are renamed over the target. With `keep_backup`, the previous version is first copied,
    whole, to `path.bak` (a previous version that is not a regular file, or is larger than
    MAX_BACKUP_BYTES, is no file we wrote: the old backup is kept instead). Temporary files
    that killed writers left in the folder are removed.
    """
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    remove_stale_temporaries(folder)
    if keep_backup:
        with contextlib.suppress(OSError):  # a failed backup must not stop the write itself
            previous = _previous_version(path)
            if previous is not None:
                _replace_with(path + ".bak", previous, folder)
    _replace_with(path, data, folder)


def write_cache_file(path: str, data: bytes) -> None:
    """Write a cache entry: atomically (a reader never sees half of one), but without the
    fsyncs a save needs, since a cache lost in a crash is only rebuilt. Private to the user."""
    _replace_with(path, data, os.path.dirname(path) or ".", durable=False)


@contextlib.contextmanager
def locked(path: str) -> Iterator[None]:
    """Hold an exclusive lock on `path` (made if missing, never removed) for a read-modify-write
    that other processes must not interleave with; without fcntl (Windows) it only makes the file."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o666)
    try:
        if fcntl is not None:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def keep_aside(path: str, label: str) -> str:
    """Rename a file that cannot be used to `path.label` (or `path.label-2`, ...), so that
    nothing of it is lost when a new one takes its place; returns the new name."""
    for number in range(1, 1000):
        aside = f"{path}.{label}" if number == 1 else f"{path}.{label}-{number}"
        if not os.path.lexists(aside):
            os.replace(path, aside)
            return aside
    raise FileExistsError(f"{path}.{label}")


def _previous_version(path: str) -> bytes | None:
    """The whole current file, when it is a regular file of at most MAX_BACKUP_BYTES."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BACKUP_BYTES:
            return None
        data = handle.read(MAX_BACKUP_BYTES + 1)
    return data if len(data) <= MAX_BACKUP_BYTES else None


def remove_stale_temporaries(folder: str) -> int:
    """Remove temporary files of ours that no writer holds any more; returns how many."""
    try:
        names = [name for name in os.listdir(folder) if name.startswith(TEMPORARY_PREFIX) and name.endswith(TEMPORARY_SUFFIX)]
    except OSError:
        return 0
    removed = 0
    for name in names[:MAX_STALE_REMOVED]:
        with contextlib.suppress(OSError):
            if _remove_if_stale(os.path.join(folder, name)):
                removed += 1
    return removed


def _remove_if_stale(path: str) -> bool:
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(descriptor)
        age = time.time() - info.st_mtime
        if not stat.S_ISREG(info.st_mode) or age < (STALE_SECONDS if fcntl is not None else STALE_SECONDS_WITHOUT_LOCKS):
            return False
        if fcntl is not None:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return False  # a live writer holds it
        if os.stat(path, follow_symlinks=False).st_ino != info.st_ino:
            return False  # replaced meanwhile
        os.unlink(path)
        return True
    finally:
        os.close(descriptor)


def write_new(path: str, data: bytes) -> None:
    """Write a file that must not exist yet, atomically; FileExistsError if it does.

    The bytes are written and fsynced under a temporary name, then hard-linked to `path`,
    which fails rather than replaces when something is already there.
    """
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    temporary, lock = _temporary_with(data, folder)
    try:
        os.link(temporary, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        os.close(lock)
    _sync_folder(folder)


def _umask() -> int:
    mask = os.umask(0o022)  # reading the umask means setting it: put it straight back
    os.umask(mask)
    return mask


def _temporary_with(data: bytes, folder: str, durable: bool = True) -> tuple[str, int]:
    """A temporary file holding `data` (fsynced when `durable`; private when not), and a
    descriptor that holds its lock: while the writer lives, nobody takes the file for a
    leftover. The caller closes the descriptor."""
    import tempfile  # here, not at the top: a player that writes nothing need not import it (cold start)

    handle, temporary = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, suffix=TEMPORARY_SUFFIX, dir=folder)
    lock = os.dup(handle)
    try:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        if durable:
            # mkstemp makes the file private (0600); a written file gets the mode open() would give it
            with contextlib.suppress(OSError, AttributeError):
                os.fchmod(handle, 0o666 & ~_umask())
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        os.close(lock)
        raise
    return temporary, lock


def _replace_with(path: str, data: bytes, folder: str, durable: bool = True) -> None:
    """Put `data` at `path` by renaming a temporary file over it; a durable write also
    fsyncs the file and the folder, so the rename survives a crash."""
    temporary, lock = _temporary_with(data, folder, durable)
    try:
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    finally:
        os.close(lock)
    if durable:
        _sync_folder(folder)


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable (POSIX); harmless where folders cannot be opened."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
