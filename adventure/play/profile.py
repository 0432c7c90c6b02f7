"""The player's profile: which endings of each story were found, shared by every save slot."""

from __future__ import annotations

import json
import os

from adventure.play.saves import FORMAT_VERSION, PROFILE, SaveError, read_json
from adventure.source.files import keep_aside, locked, write_atomically
from adventure.source.textsafe import clean


def read_profile(folder: str) -> dict[str, list[str]]:
    """Endings found per story id; an unreadable profile counts as empty (and is kept)."""
    try:
        return _profile(folder)
    except SaveError:
        return {}


def _profile(folder: str) -> dict[str, list[str]]:
    """The profile; {} when there is none; SaveError when it is damaged."""
    path = os.path.join(folder, PROFILE + ".json")
    if not os.path.lexists(path):
        return {}
    data = read_json(path)
    endings = data.get("endings") if isinstance(data, dict) else None
    if not isinstance(endings, dict):
        raise SaveError(f"{path} is not a record of endings")
    return {str(key): [str(item) for item in value if isinstance(item, str)] for key, value in endings.items() if isinstance(value, list)}


def record_ending(folder: str, story_id: str, ending_id: str, notices: list[str] | None = None) -> list[str]:
    """Remember an ending as found; returns the endings found for this story.

    The profile is read, changed and written under a lock, so two games ending at once both
    count. A damaged profile is kept aside (profile.json.damaged), never overwritten, and a
    line saying so is added to `notices`.
    """
    path = os.path.join(folder, PROFILE + ".json")
    try:
        with locked(path + ".lock"):
            try:
                profile = _profile(folder)
            except SaveError:
                aside = keep_aside(path, "damaged")
                profile = {}
                if notices is not None:
                    notices.append(
                        f"The record of endings found could not be read; it was kept as {clean(os.path.basename(aside))} "
                        "and a new record started."
                    )
            found = profile.setdefault(story_id, [])
            if ending_id not in found:
                found.append(ending_id)
                data = json.dumps({"format": FORMAT_VERSION, "endings": profile}, indent=1).encode("utf-8")
                write_atomically(path, data, keep_backup=False)
    except OSError:  # losing the trophy list must never interrupt the game
        found = read_profile(folder).get(story_id, [])
        return found if ending_id in found else [*found, ending_id]
    return found
