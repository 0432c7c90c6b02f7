"""Glue between the player shells and saves: save/load commands, autosave, endings found."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from adventure.play import profile, saves
from adventure.play.reply import Reply, error, scene, text

if TYPE_CHECKING:
    from adventure.play.commands import SaveHooks
    from adventure.play.session import Session
    from adventure.story.loader.memo import LoadMemo
    from adventure.story.model import Story

# What a reload keeps of the story being played (one story at a time): after an author edits a
# file, only that file is parsed and compiled again.
_memo: list[tuple[str, LoadMemo]] = []


def reload_memo(root: str) -> LoadMemo:
    """The memo of the story at `root`, new when another story was reloaded before."""
    from adventure.story.loader.memo import LoadMemo

    if not _memo or _memo[0][0] != root:
        _memo[:] = [(root, LoadMemo())]
    return _memo[0][1]


def load_watched(root: str) -> Story:
    """`load_story` for a game that reloads its story as it is edited (`play --watch`): the
    first load fills the memo later reloads use."""
    from adventure.source.problems import Problem, StoryError
    from adventure.story.loader import check_story

    story, problems = check_story(root, memo=reload_memo(root))
    if story is None or problems:
        raise StoryError(problems or [Problem(root, 0, 0, "story could not be loaded", code="E012")])
    return story


def story_signature(root: str) -> tuple[tuple[str, int, int], ...]:
    """What changes when an author saves a story file: paths, modification times and sizes (the loader's)."""
    from adventure.story.loader import story_signature as signature

    return signature(root)


def reload_command(session: Session) -> Reply:
    """Re-read the story from disk (only the files that changed); on errors the game goes on with the old version."""
    from adventure.story.loader import check_story

    story, problems = check_story(session.story.root, memo=reload_memo(session.story.root))
    if story is None:
        more = [f"... and {len(problems) - 20} more."] if len(problems) > 20 else []
        return error("The story has errors; still playing the previous version:", *(problem.format() for problem in problems[:20]), *more)
    reason = session.replace_story(story)
    if reason:
        return error(f"The edited story cannot continue this game ({reason}); still playing the previous version.")
    return scene(f"Reloaded {story.title} ({len(story.scenes)} scenes).")


@dataclass(slots=True)
class Persistence:
    """Saving for one story: its folder under the saves folder, and what to say when something fails.

    `autosave_enabled` is False while the autosave on disk belongs to another game than
    the one being played (a plain game started beside it): it is never overwritten then,
    until the player loads it or saves over it by name.
    """

    root: str
    story_id: str
    autosave_enabled: bool = True

    @property
    def folder(self) -> str:
        return saves.story_folder(self.root, self.story_id)

    def __post_init__(self) -> None:
        saves.adopt_legacy(self.root, self.story_id)  # a player's Continue survives the move to folders per story

    def hooks(self) -> SaveHooks:
        from adventure.play.commands import SaveHooks

        return SaveHooks(save=self.save_command, load=self.load_command, list=self.list_command, reload=reload_command)

    def has_autosave(self) -> bool:
        return os.path.isfile(os.path.join(self.folder, saves.AUTOSAVE + ".json"))

    def autosave_summary(self) -> str:
        """The autosaved game in a few words, for the title screen and the plain player's notice."""
        for info in saves.list_slots(self.folder):
            if info.slot == saves.AUTOSAVE:
                return info.description or "a game in progress"  # its place, and the status line in brackets
        return ""

    def save_command(self, session: Session, slot: str) -> Reply:
        named = bool(slot)
        slot = slot or "quicksave"
        try:
            saves.save(session, self.folder, slot)
        except saves.SaveError as err:
            return error(str(err))
        if slot == saves.AUTOSAVE:
            self.autosave_enabled = True  # the player chose to put this game there
        return text(f"Saved to slot {slot!r}." if named else f"Saved to slot {slot!r} (save NAME saves under a name of your own).")

    def load_command(self, session: Session, slot: str) -> Reply:
        if not slot:
            listing = self.list_command()
            return text(*listing.lines, "Type load and a slot's name to load it.") if saves.list_slots(self.folder) else listing
        try:
            loaded = saves.load(session.story, self.folder, slot)
        except saves.SaveError as err:
            return error(str(err))
        saves.apply_loaded(session, loaded)
        if slot == saves.AUTOSAVE:
            self.autosave_enabled = True  # this is the autosaved game again
        return scene(f"Loaded slot {slot!r}.", *([loaded.notice] if loaded.notice else []))

    def list_command(self) -> Reply:
        slots = saves.list_slots(self.folder)
        if not slots:
            return text(f"No saved games of this story in {self.folder}.")
        lines = [f"Saved games of this story in {self.folder}:"]
        for info in slots:
            if info.problem:
                lines.append(f"  {info.slot:<16} (cannot be read: {info.problem})")
            else:
                lines.append(f"  {info.slot:<16} {info.time.replace('T', ' ')[:16]}  {info.description}")
        return text(*lines)

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
        notices: list[str] = []
        found = profile.record_ending(self.folder, session.story.id, ending.id, notices)
        all_endings = [scene.ending.id for scene in session.story.endings() if scene.ending is not None]
        count = sum(1 for ending_id in all_endings if ending_id in found)
        canonical = " This is the story's true ending." if ending.canonical else ""
        return [f"Ending {count} of {len(all_endings)} found: {ending.name}.{canonical}", *notices]

    def endings_found(self) -> list[str]:
        return profile.read_profile(self.folder).get(self.story_id, [])

    def endings_list(self, story: Story) -> list[str]:
        """Every ending: found ones by name, the others as ??? with the story's hint, if any."""
        found = self.endings_found()
        lines = []
        for scene_ in story.endings():
            ending = scene_.ending
            assert ending is not None
            if ending.id in found:
                lines.append(f"* {ending.name}")
            else:
                lines.append(f"- ??? (hint: {ending.hint})" if ending.hint else "- ???")
        count = sum(1 for scene_ in story.endings() if scene_.ending is not None and scene_.ending.id in found)
        return [f"Endings found: {count} of {len(lines)}", *lines]
