"""Glue between the player shells and saves: save/load commands, autosave, endings found."""

from __future__ import annotations

from dataclasses import dataclass

from . import saves
from .commands import SaveHooks
from .session import Session


@dataclass(slots=True)
class Persistence:
    """Saving for one shell: which folder, and what to say when something fails."""

    folder: str
    autosave_enabled: bool = True

    def hooks(self) -> SaveHooks:
        return SaveHooks(save=self.save_command, load=self.load_command, list=self.list_command)

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
        return [f"Ending {count} of {len(all_endings)} found: {ending.name}.{canonical}", "Type restart to play again, load to load a save, undo to step back, or quit."]

    def endings_found(self, story_id: str) -> list[str]:
        return saves.read_profile(self.folder).get(story_id, [])
