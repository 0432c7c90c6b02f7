"""Save files, written through source.files (every write is atomic), and copying in saves from before folders per story."""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from adventure.rules.state import StateError
from adventure.source.files import write_atomically
from adventure.source.textsafe import clean
from adventure.story.expr import INT_LIMIT
from adventure.story.record import Record

if TYPE_CHECKING:  # the title screen lists slots before the game's modules are needed
    from adventure.play.session import Session, TranscriptLine
    from adventure.rules.state import GameState
    from adventure.story.model import Story

FORMAT_VERSION = 1
AUTOSAVE = "autosave"
PROFILE = "profile"
ENV_VAR = "ADVENTURE_SAVES"
MAX_SAVE_BYTES = 16 * 1024 * 1024
SLOT_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
# Names Windows gives to devices in every folder; and `profile`, whatever its case (a file
# system that ignores case would make PROFILE.json the endings profile itself).
RESERVED_SLOTS = frozenset({PROFILE, "con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))})
UNDO_SAVED = 50  # undo steps kept in a save file


class SaveError(Exception):
    """A save or load that could not be done; the message is for the player."""


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class SlotInfo(Record):
    """One line of the slot list."""

    slot: str
    time: str
    description: str
    problem: str = ""


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Loaded(Record):
    """A save read back: the session's parts, and any notice for the player."""

    state: GameState
    undo: list[GameState]
    transcript: list[TranscriptLine]
    notice: str
    debugged: bool = False  # saved after the author's console changed the game


def save_folder(option: str | None = None) -> str:
    """--saves, else $ADVENTURE_SAVES, else ./saves."""
    return option or os.environ.get(ENV_VAR) or os.path.join(os.getcwd(), "saves")


def story_folder(root: str, story_id: str) -> str:
    """Where one story's autosave, slots and endings profile live: a folder per story id, so
    that playing one story never touches another's Continue. Story ids are letters, digits,
    - and _ (the loader checks); anything else is replaced, so the path stays inside `root`."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", story_id)[:100] or "_"
    return os.path.join(root, safe)


def check_slot(slot: str) -> str:
    """A slot name that cannot leave the save folder, or SaveError."""
    if not SLOT_PATTERN.fullmatch(slot):
        raise SaveError(f"{clean(slot)!r} is not a slot name: use up to 64 letters, digits, - and _")
    if slot.lower() in RESERVED_SLOTS:
        why = "the endings profile" if slot.lower() == PROFILE else "a device name on Windows"
        raise SaveError(f"{slot!r} is not a slot name: it is reserved ({why}).")
    return slot


def slot_path(folder: str, slot: str) -> str:
    return os.path.join(folder, check_slot(slot) + ".json")


def describe(session: Session) -> str:
    story, state = session.story, session.state
    scene = story.scenes[state.scene]
    parts = [scene.chapter, scene.title.render(state)] if scene.chapter else [scene.title.render(state)]
    status = session.status()
    return clean(" - ".join(parts) + (f" ({status})" if status else ""))


def save_data(
    session: Session, now: datetime | None = None, undo_kept: int = UNDO_SAVED, transcript_kept: int | None = None
) -> dict[str, Any]:
    story = session.story
    undo = list(session.undo_stack)[-undo_kept:] if undo_kept > 0 else []
    transcript = list(session.transcript)
    if transcript_kept is not None:
        transcript = transcript[-transcript_kept:] if transcript_kept > 0 else []
    return {
        "format": FORMAT_VERSION,
        "story": {"id": story.id, "version": story.version, "fingerprint": story.fingerprint},
        "time": (now or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "description": ("[debug] " if session.debugged else "") + describe(session),
        **({"debug": True} if session.debugged else {}),  # the author's console changed this game
        "state": session.state.to_data(),
        "undo": [state.to_data() for state in undo],
        "transcript": [line.to_data() for line in transcript],
    }


def save(session: Session, folder: str, slot: str) -> str:
    """Save the session to a slot; returns the path. SaveError says why it failed."""
    path = slot_path(folder, slot)
    try:
        data = _encoded(session)
    except (ValueError, RecursionError) as err:  # e.g. a number too long to write out
        raise SaveError(
            f"Could not save to {slot!r}: the game cannot be written out ({type(err).__name__}). Your previous save (if any) is intact."
        ) from None
    if data is None:
        raise SaveError(
            f"Could not save to {slot!r}: the game is too large to save (over {MAX_SAVE_BYTES:,} bytes even without its undo steps "
            "and history). Your previous save (if any) is intact."
        )
    try:
        write_atomically(path, data, keep_backup=True)
    except OSError as err:
        reason = err.strerror or str(err)
        raise SaveError(f"Could not save to {slot!r}: {reason}. Your previous save (if any) is intact.") from None
    return path


def _encoded(session: Session) -> bytes | None:
    """The save file's bytes, at most MAX_SAVE_BYTES (what the loader reads back): when the
    whole game is larger, fewer undo steps are kept, then less history; None if even the
    bare state is too large. A file the loader would refuse is never written."""
    now = datetime.now(timezone.utc)
    undo_kept, transcript_kept = UNDO_SAVED, None
    while True:
        data = _json_bytes(save_data(session, now, undo_kept, transcript_kept))
        if len(data) <= MAX_SAVE_BYTES:
            return data
        if undo_kept > 0:
            undo_kept //= 2
        elif transcript_kept is None or transcript_kept > 0:
            transcript_kept = len(session.transcript) // 2 if transcript_kept is None else transcript_kept // 2
        else:
            return None


def _json_bytes(content: dict[str, Any]) -> bytes:
    try:
        return json.dumps(content, ensure_ascii=False, indent=1).encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate in some rendered text: JSON escapes keep the file loadable
        # (loading cleans every text), so saving never depends on what the story shows.
        return json.dumps(content, ensure_ascii=True, indent=1).encode("ascii")


# --- reading ---------------------------------------------------------------------------


def read_json(path: str) -> Any:
    try:
        # O_NONBLOCK: a named pipe in the save folder must not wait for a writer forever
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(descriptor, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise SaveError(f"{path} is not a regular file, so it cannot be a save. It has been left as it is.")
            if info.st_size > MAX_SAVE_BYTES:
                raise SaveError(f"{path} is {info.st_size:,} bytes, too large to be a save file")
            raw = handle.read(MAX_SAVE_BYTES + 1)
    except FileNotFoundError:
        raise SaveError(f"There is no save called {os.path.basename(path)[:-5]!r}.") from None
    except OSError as err:
        raise SaveError(f"Cannot read {path}: {err.strerror or err}") from None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:  # ValueError: bad JSON, or a number too long
        raise SaveError(f"{path} is damaged and cannot be read ({_short(err)}). It has been left as it is.") from None


def _short(err: Exception) -> str:
    if isinstance(err, json.JSONDecodeError):
        return f"invalid JSON at line {err.lineno}, column {err.colno}"
    if isinstance(err, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(err, ValueError):
        return "a number too long to read"
    return "nested too deeply"


def load(story: Story, folder: str, slot: str) -> Loaded:
    """Read a save for this story. The file is never changed, whatever is wrong with it."""
    path = slot_path(folder, slot)
    data = read_json(path)
    where = f"{path}"
    if not isinstance(data, dict):
        raise SaveError(f"{where} is not a save file (expected a JSON object).")
    version = data.get("format")
    if not isinstance(version, int) or isinstance(version, bool):
        raise SaveError(f"{where} is not a save file (it has no format number).")
    if version > FORMAT_VERSION:
        raise SaveError(f"{where} was made by a newer version of adventure (format {version}; this one reads up to {FORMAT_VERSION}).")
    if version < 1:
        raise SaveError(f"{where} has an unknown format number {version}.")
    about = data.get("story")
    if not isinstance(about, dict) or not isinstance(about.get("id"), str):
        raise SaveError(f"{where} does not say which story it belongs to.")
    if about["id"] != story.id:
        raise SaveError(f"{where} belongs to the story {clean(about['id'])!r}, not {story.id!r}.")
    try:
        from adventure.rules.state import state_from_data

        state = state_from_data(data.get("state"), story)
        undo_raw = data.get("undo", [])
        if not isinstance(undo_raw, list):
            raise StateError("undo must be a list")
        undo = []
        for item in undo_raw:
            try:
                undo.append(state_from_data(item, story))
            except StateError:
                continue  # an undo step the changed story can no longer place is dropped
        transcript = _transcript(data.get("transcript", []))
    except StateError as err:
        raise SaveError(f"{where} cannot be loaded into this version of the story: {err}. The file has been left as it is.") from None
    notice = ""
    if about.get("fingerprint") != story.fingerprint:
        notice = "The story has changed since this game was saved; it was loaded anyway, and everything it needs is still there."
    return Loaded(state, undo, transcript, notice, data.get("debug") is True)


def _transcript(raw: object) -> list[TranscriptLine]:
    from adventure.play.session import TranscriptLine

    if not isinstance(raw, list):
        raise StateError("transcript must be a list")
    lines = []
    for item in raw:
        if not (
            isinstance(item, list)
            and len(item) == 3
            and isinstance(item[0], int)
            and not isinstance(item[0], bool)
            and 0 <= item[0] <= INT_LIMIT
            and item[1] in ("scene", "choice", "reply")
            and isinstance(item[2], str)
        ):
            raise StateError("transcript entries must be [turn, kind, text]")
        lines.append(TranscriptLine(item[0], item[1], clean(item[2])))
    return lines


def apply_loaded(session: Session, loaded: Loaded) -> None:
    """Put a loaded save into the session (its own undo steps come with it)."""
    session.resume(loaded.state, list(loaded.undo), list(loaded.transcript))
    session.debugged = loaded.debugged


def list_slots(folder: str) -> list[SlotInfo]:
    """Every save in the folder, newest first; damaged ones are listed with the problem."""
    try:
        names = sorted(name for name in os.listdir(folder) if name.endswith(".json") and not name.startswith("."))
    except OSError:
        return []
    slots = []
    for name in names:
        slot = name[:-5]
        if slot.lower() in RESERVED_SLOTS or not SLOT_PATTERN.fullmatch(slot):
            continue
        try:
            data = read_json(os.path.join(folder, name))
            if not isinstance(data, dict):
                raise SaveError("not a save file")
            time = data.get("time") if isinstance(data.get("time"), str) else ""
            description = data.get("description") if isinstance(data.get("description"), str) else ""
            slots.append(SlotInfo(slot, clean(str(time))[:25], clean(str(description))[:200]))
        except SaveError as err:
            slots.append(SlotInfo(slot, "", "", problem=str(err)))
    slots.sort(key=lambda info: info.time, reverse=True)
    return slots


# --- saves from before there was a folder per story ----------------------------------------


def adopt_legacy(root: str, story_id: str) -> int:
    """Copy this story's saves made before saves had a folder per story (autosave.json and
    named slots directly in `root`) into its folder, and its endings from root's profile.

    Only files that say they belong to this story, and only where the story's folder has no
    file of that name yet; the originals stay where they are. Returns how many were copied.
    """
    folder = story_folder(root, story_id)
    try:
        names = [name for name in os.listdir(root) if name.endswith(".json") and not name.startswith(".")]
    except OSError:
        return 0
    copied = 0
    for name in names:
        slot = name[:-5]
        target = os.path.join(folder, name)
        if not SLOT_PATTERN.match(slot) or os.path.lexists(target):
            continue
        try:
            data = read_json(os.path.join(root, name))
            if slot == PROFILE:
                found = data.get("endings", {}).get(story_id) if isinstance(data, dict) and isinstance(data.get("endings"), dict) else None
                if isinstance(found, list):
                    content = {"format": FORMAT_VERSION, "endings": {story_id: [item for item in found if isinstance(item, str)]}}
                    write_atomically(target, _json_bytes(content), keep_backup=False)
                    copied += 1
                continue
            about = data.get("story") if isinstance(data, dict) else None
            if isinstance(about, dict) and about.get("id") == story_id:
                write_atomically(target, _json_bytes(data), keep_backup=False)
                copied += 1
        except (SaveError, OSError):
            continue  # a file that cannot be read or copied is left where it is, as it is
    return copied


# --- transcripts: the game's text as it is played -------------------------------------------


class TranscriptFile:
    """A transcript being written: appended to as the game goes, flushed after each turn.

    Not atomic like a save (a transcript only grows, and a cut-off last line is harmless);
    opened for appending so that `script off` and `script on` continue the same file.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        folder = os.path.dirname(os.path.abspath(path))
        try:
            os.makedirs(folder, exist_ok=True)
            self._stream = open(path, "a", encoding="utf-8", errors="replace")  # noqa: SIM115 - kept open while the game goes on
        except OSError as err:
            raise SaveError(f"Cannot write a transcript to {path}: {err.strerror or err}.") from None

    def write(self, text: str) -> str:
        """Append text; '' or why it could not be written (the game goes on regardless)."""
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError) as err:
            return f"The transcript could not be written: {getattr(err, 'strerror', None) or err}."
        return ""

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._stream.close()

