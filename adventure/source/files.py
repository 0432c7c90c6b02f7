"""The one place files are written: atomically, so a crash leaves the old file or the new one."""

from __future__ import annotations

import contextlib
import os
import tempfile

MAX_BACKUP_BYTES = 16 * 1024 * 1024


def write_atomically(path: str, data: bytes, keep_backup: bool = False) -> None:
    """Write a file so that a crash at any moment leaves either the old or the new version.

    The new bytes go to a temporary file in the same folder, are flushed and fsynced, and
    are renamed over the target. With `keep_backup`, the previous version is first copied to
    `path.bak`.
    """
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    if keep_backup and os.path.isfile(path):
        with contextlib.suppress(OSError):  # a failed backup must not stop the write itself
            with open(path, "rb") as handle:
                previous = handle.read(MAX_BACKUP_BYTES + 1)
            _replace_with(path + ".bak", previous, folder)
    _replace_with(path, data, folder)


def write_new(path: str, data: bytes) -> None:
    """Write a file that must not exist yet, atomically; FileExistsError if it does.

    The bytes are written and fsynced under a temporary name, then hard-linked to `path`,
    which fails rather than replaces when something is already there.
    """
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    temporary = _temporary_with(data, folder)
    try:
        os.link(temporary, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    _sync_folder(folder)


def _umask() -> int:
    mask = os.umask(0o022)  # reading the umask means setting it: put it straight back
    os.umask(mask)
    return mask


def _temporary_with(data: bytes, folder: str) -> str:
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=folder)
    try:
        # mkstemp makes the file private (0600); a written file gets the mode open() would give it
        with contextlib.suppress(OSError, AttributeError):
            os.fchmod(handle, 0o666 & ~_umask())
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return temporary


def _replace_with(path: str, data: bytes, folder: str) -> None:
    temporary = _temporary_with(data, folder)
    try:
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
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
