"""Glue between the player shells and saves: save/load commands, autosave, endings found."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from adventure.play import saves

if TYPE_CHECKING:
    from adventure.play.commands import SaveHooks
    from adventure.play.session import Session


def story_signature(root: str) -> tuple[tuple[str, int, int], ...]:
    """What changes when an author saves a story file: paths, sizes and modification times."""
    from adventure.story.loader import STORY_FILE, find_files

    entries = []
    for path in [os.path.join(root, STORY_FILE), *find_files(root)]:
        try:
            info = os.stat(path)
        except OSError:
            continue
        entries.append((path, info.st_mtime_ns, info.st_size))
    return tuple(entries)


def reload_command(session: Session) -> list[str]:
    """Re-read the story from disk; on errors the game goes on with the old version."""
    from adventure.story.loader import check_story

    story, problems = check_story(session.story.root)
    if story is None:
        return ["The story has errors; still playing the previous version:", *(problem.format() for problem in problems[:20])] + (
            [f"... and {len(problems) - 20} more."] if len(problems) > 20 else []
        )
    reason = session.replace_story(story)
    if reason:
        return [f"The edited story cannot continue this game ({reason}); still playing the previous version."]
    return [f"Reloaded {story.title} ({len(story.scenes)} scenes)."]


@dataclass(slots=True)
class Persistence:
    """Saving for one shell: which folder, and what to say when something fails."""

    folder: str
    autosave_enabled: bool = True

    def hooks(self) -> SaveHooks:
        from adventure.play.commands import SaveHooks

        return SaveHooks(save=self.save_command, load=self.load_command, list=self.list_command, reload=reload_command)

    def save_command(self, session: Session, slot: str) -> list[str]:
        slot = slot or "quicksave"
        try:
            saves.save(session, self.folder, slot)
        except saves.SaveError as err:
            return [str(err)]
        return [f"Saved to slot {slot!r}."]

    def load_command(self, session: Session, slot: str) -> list[str]:
        slot = slot or "quicksave"
        try:
            loaded = saves.load(session.story, self.folder, slot)
        except saves.SaveError as err:
            return [str(err)]
        saves.apply_loaded(session, loaded)
        return [f"Loaded slot {slot!r}."] + ([loaded.notice] if loaded.notice else [])

    def list_command(self) -> list[str]:
        slots = saves.list_slots(self.folder)
        if not slots:
            return [f"No saved games in {self.folder}."]
        lines = [f"Saved games in {self.folder}:"]
        for info in slots:
            if info.problem:
                lines.append(f"  {info.slot:<16} (cannot be read: {info.problem})")
            else:
                lines.append(f"  {info.slot:<16} {info.time.replace('T', ' ')[:16]}  {info.description}")
        return lines

    def autosave(self, session: Session) -> list[str]:
        """Save to the autosave slot; a failure is one line for the player, never a crash."""
        if not self.autosave_enabled:
            return []
        try:
            saves.save(session, self.folder, saves.AUTOSAVE)
        except saves.SaveError as err:
            return [f"Autosave failed: {err}"]
        return []

    def ending_note(self, session: Session) -> list[str]:
        """Record the ending reached and say how many of the story's endings are found."""
        ending = session.story.scenes[session.state.scene].ending
        if ending is None:
            return []
        found = saves.record_ending(self.folder, session.story.id, ending.id)
        all_endings = [scene.ending.id for scene in session.story.endings() if scene.ending is not None]
        count = sum(1 for ending_id in all_endings if ending_id in found)
        canonical = " This is the story's true ending." if ending.canonical else ""
        return [
            f"Ending {count} of {len(all_endings)} found: {ending.name}.{canonical}",
            "Type restart to play again, load to load a save, undo to step back, or quit.",
        ]

    def endings_found(self, story_id: str) -> list[str]:
        return saves.read_profile(self.folder).get(story_id, [])
