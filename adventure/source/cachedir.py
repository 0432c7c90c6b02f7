"""The user's own cache folder, and entries in it that are checked before a byte of them is used."""

from __future__ import annotations

import contextlib
import os
import stat
import zlib

from adventure.source.files import write_cache_file

try:  # the interpreter's own BLAKE2, which hashlib.blake2b is too: importing hashlib loads OpenSSL (3 ms of every start)
    from _blake2 import blake2b
except ImportError:  # an interpreter built without it
    from hashlib import blake2b

MAX_ENTRY_BYTES = 256 * 1024 * 1024
_CHECK_BYTES = 4

_enabled = True


def set_enabled(enabled: bool) -> None:
    """Turn every cache on or off for this process (`--no-cache`)."""
    global _enabled
    _enabled = enabled


def enabled() -> bool:
    """Whether caching is on in this process (neither `--no-cache` nor $ADVENTURE_NO_CACHE); nothing is made on disk."""
    return _enabled and not os.environ.get("ADVENTURE_NO_CACHE")


def cache_folder(kind: str) -> str | None:
    """Where entries of `kind` live: $ADVENTURE_CACHE_DIR, else $XDG_CACHE_HOME/adventure, else
    ~/.cache/adventure; None when caching is off ($ADVENTURE_NO_CACHE or `--no-cache`) or the
    folder is not safely ours. Never a story folder: stories are untrusted, and so would be a
    cache inside one."""
    if not enabled():
        return None
    base = os.environ.get("ADVENTURE_CACHE_DIR")
    if not base:
        base = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "adventure")
    folder = os.path.join(base, kind)
    return folder if _private_folder(base) and _private_folder(folder) else None


def _private_folder(folder: str) -> bool:
    """Make the folder if needed, private; use it only if it is ours and nobody else can write in it."""
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        info = os.stat(folder)
    except OSError:
        return False  # a read-only home, say: a cache is only an optimisation
    if not stat.S_ISDIR(info.st_mode) or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return False
    return not hasattr(os, "getuid") or info.st_uid == os.getuid()


def content_hash(data: bytes = b"") -> blake2b:
    """A hash for naming entries by what they were made from (32-byte BLAKE2b): two inputs with
    the same hash would share an entry, so it is a cryptographic one."""
    return blake2b(data, digest_size=32)


def checksum(payload: bytes) -> bytes:
    """What an entry carries before its payload to show it whole: a CRC-32, which catches a torn
    or damaged file (the folder is private, so nobody else writes it), at twice a SHA-256's speed."""
    return zlib.crc32(payload).to_bytes(_CHECK_BYTES, "big")


def read_entry(path: str, magic: bytes) -> bytes | None:
    """The payload of an entry written by `write_entry` with the same mark, or None when it is
    missing, not a regular file of ours, too large, of another format or damaged."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        with os.fdopen(descriptor, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY_BYTES:
                return None
            if hasattr(os, "getuid") and info.st_uid != os.getuid():
                return None
            data = handle.read(MAX_ENTRY_BYTES + 1)
    except OSError:
        return None
    header = len(magic) + _CHECK_BYTES
    if not data.startswith(magic) or len(data) < header:
        return None
    payload = data[header:]
    if checksum(payload) != data[len(magic) : header]:
        return None  # damaged: checked before the caller's decoder sees a byte of it
    return payload


def write_entry(path: str, magic: bytes, payload: bytes) -> None:
    """Write an entry atomically; a full disk or a read-only folder only costs a later load its work."""
    with contextlib.suppress(OSError):
        write_cache_file(path, magic + checksum(payload) + payload)


def touch(path: str) -> None:
    """Mark an entry as just used (eviction removes the least recently written or used first)."""
    with contextlib.suppress(OSError):
        os.utime(path)
