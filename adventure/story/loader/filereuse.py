"""One load's use of the story cache's per-file entries: an unchanged scene file is declared and decoded from its entry, not read."""

from __future__ import annotations

from collections.abc import Mapping

from adventure.source.cachedir import content_hash
from adventure.source.problems import Problem
from adventure.source.yamlsource import Map, Scalar, compose_text
from adventure.story.expr import Env, VarInfo
from adventure.story.loader.cache import FileEntry, FileFacts, file_key, file_scenes, load_file
from adventure.story.loader.cacheformat import Decoder
from adventure.story.loader.declarations import Declarations, RawScene, read_scene_file
from adventure.story.loader.reader import Reader
from adventure.story.model import Scene, Variable


class FileReuse:
    """Which scene files a load found in the cache, and what it learned of those it read, to store them.

    A file is declared from its entry while the files before it declared none of its names (else
    it is read, and the loader reports the duplicate); its scenes are decoded while the rest of the
    story offers them what it offered when they were compiled (memo.surroundings: the same names),
    else the file is read after all and compiled again. This is what LoadMemo does in one process.
    """

    def __init__(self) -> None:
        self.decoder = Decoder()
        self.keys: dict[str, str] = {}  # every scene file read, in order: its entry's key
        self.found: dict[str, FileEntry] = {}  # files declared from their entry
        self.values: dict[str, int] = {}  # files read: the YAML values of their text
        self.facts: dict[str, FileFacts] = {}  # files read (or compiled again): what to store
        self.used: dict[str, list[str]] = {}  # files compiled: the snippets their scenes use
        self.around = b""
        self.decoded: list[str] = []  # files whose scenes came from their entry: for tests and benchmarks
        self.rebuild = False  # an entry did not match its file: the load is done again without entries

    def declare(self, path: str, text: str, text_hash: bytes, decls: Declarations, problems: list[Problem]) -> int | None:
        """Declare a scene file from its entry (`text_hash`: as cache.file_key takes it), giving the YAML values it
        holds; None when it must be read."""
        key = self.keys[path] = file_key(path, text_hash)
        entry = load_file(key, self.decoder)
        if entry is None or not entry.facts.reusable:
            return None
        facts = entry.facts
        if any(variable.name in decls.variables for variable in facts.variables) or any(
            scene_id in decls.scenes for scene_id, _, _, _ in facts.ids
        ):
            return None  # read it: the loader reports the name declared twice
        for variable in facts.variables:
            decls.variables[variable.name] = variable
        reader = Reader(path, problems, text, decls.unreadable)
        for scene_id, chapter, line, col in facts.ids:
            # only the id is needed of a scene declared here (a later file declaring it again is told where)
            node = Map([(Scalar("id", line, col), Scalar(scene_id, line, col))], line, col)
            decls.scenes[scene_id] = RawScene(scene_id, node, reader, chapter)
        self.found[path] = entry
        return facts.values

    def note_declared(self, decls: Declarations, env: Env) -> None:
        """Before compiling: what each file read declares (its scenes' ids and chapters, its variables)."""
        self.decoder.env = env
        ids: dict[str, list[tuple[str, str, int, int]]] = {path: [] for path in self.values}
        for scene_id, raw in decls.scenes.items():
            listed = ids.get(raw.reader.path)
            if listed is not None:
                id_node = raw.node.get("id")
                assert id_node is not None  # a scene is declared by its id
                listed.append((scene_id, env.chapters[scene_id], id_node.line, id_node.col))
        variables: dict[str, list[Variable]] = {path: [] for path in self.values}
        for variable in decls.variables.values():
            if variable.where.path in variables:
                variables[variable.where.path].append(variable)
        # codex entries and snippets are compiled from their nodes: a file declaring any is always read
        readonly = {raw.reader.path for raw in decls.codex.values()} | {path for path, table in decls.file_snippets.items() if table}
        for path, values in self.values.items():
            self.facts[path] = FileFacts(ids[path], variables[path], values, path not in readonly, [], b"")

    def set_around(self, around: object) -> None:
        """What the rest of the story offers every file's scenes (memo.surroundings), as a digest; None: nothing is reused."""
        self.around = b"" if around is None else content_hash(repr(_canonical(around)).encode("utf-8", "surrogatepass")).digest()

    def scenes(self, path: str, text: str | None, decls: Declarations, problems: list[Problem]) -> list[Scene] | None:
        """A found file's scenes from its entry; None after declaring them from the file's text
        instead (the rest of the story changed around them, or the entry's scenes are not usable)."""
        entry = self.found[path]
        found = file_scenes(entry, self.decoder) if self.around and entry.facts.around == self.around else None
        if found is not None:
            self.decoded.append(path)
            return found
        del self.found[path]
        facts = entry.facts
        self.facts[path] = FileFacts(facts.ids, facts.variables, facts.values, facts.reusable, [], b"")
        if text is None:
            return None
        _, node, read_problems = compose_text(text, path)
        problems.extend(read_problems)
        again = Declarations()
        read_scene_file(Reader(path, problems, text, decls.unreadable), node, again)
        if list(again.scenes) != [scene_id for scene_id, _, _, _ in facts.ids]:
            self.rebuild = True  # not the scenes its entry named: never trusted
            return None
        decls.scenes.update(again.scenes)
        return None

    def compiled(self, path: str, used: set[str]) -> None:
        """A file's scenes were compiled from its text: the snippets they use."""
        self.used[path] = sorted(used)

    def entries(self) -> list[tuple[str, FileFacts | None]]:
        """Every scene file's key in order, with what to store for those read this time."""
        stored: list[tuple[str, FileFacts | None]] = []
        for path, key in self.keys.items():
            facts = self.facts.get(path)
            found = self.found.get(path)
            if facts is None and found is not None and found.facts.around != self.around:
                facts = found.facts  # a file without scenes, kept under what the story offers now
            if facts is not None:
                facts.used, facts.around = self.used.get(path, facts.used if found is not None else []), self.around
            stored.append((key, facts))
        return stored


def _canonical(value: object) -> object:
    """Plain values whose repr is the same in every process (sets and mappings sorted)."""
    if isinstance(value, (frozenset, set)):
        return sorted(value)  # names: all text
    if isinstance(value, Mapping):
        items = sorted(value.items())  # by key alone: a mapping's keys (names) are distinct
        if all(type(item) is str for _, item in items):
            return items  # chapters and codex titles by name: thousands of them, already plain
        return [(key, _canonical(item)) for key, item in items]
    if isinstance(value, VarInfo):
        return (value.type, sorted(value.members), value.min, value.max)
    if isinstance(value, tuple):
        return tuple(_canonical(item) for item in value)
    return value
