"""What one process keeps of each file between loads (`play --watch`, the language server), so only changed files are read again."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from adventure.source.problems import Problem
from adventure.source.yamlsource import Node
from adventure.story.expr import Compiled, Env
from adventure.story.loader.declarations import Declarations, RawScene, read_scene_file
from adventure.story.loader.filereuse import FileReuse
from adventure.story.loader.reader import Reader
from adventure.story.loader.scenes import SceneCompiler
from adventure.story.loader.snippets import Snippets
from adventure.story.loader.xref import Recorder, Symbol
from adventure.story.model import Scene

Read = tuple[str | None, Node | None, list[Problem]]  # (text, root node, problems) as the YAML reader gives them


@dataclass(slots=True)
class _FileRead:
    """A file's parse, valid while its text is the same."""

    source: str  # the text as given: the file's, or an editor's buffer
    from_buffer: bool
    read: Read


@dataclass(slots=True)
class _FileCompiled:
    """A file's compiled scenes, valid for the same text and the same story around it."""

    text: str
    around: object  # what the rest of the story offered the file's scenes (see `surroundings`)
    scenes: list[tuple[str, Scene | None]]
    symbols: list[Symbol]  # what an editor's recorder learned while they compiled
    used: set[str]  # the snippets they use


@dataclass(slots=True)
class _FileDeclared:
    """What an editor's recorder learned while a file's declarations were read: the same for the
    same text, while the files read before it declared the same names (a duplicate is not noted)."""

    text: str | None
    before: tuple[frozenset[str], ...]
    symbols: list[Symbol]


@dataclass(slots=True)
class LoadMemo:
    """Per-file results of earlier loads, keyed by path and checked against the file's text.

    A file whose text is unchanged is not parsed again; its scenes are not compiled again
    either while the rest of the story offers them the same names (variables, scene ids,
    chapters, codex titles, snippets). The cross-file checks always run on the whole story.
    Pass the same memo to every load of one story (`check_story(..., memo=memo)`).
    """

    reads: dict[str, _FileRead] = field(default_factory=dict)
    compiled: dict[str, _FileCompiled] = field(default_factory=dict)
    declared: dict[str, _FileDeclared] = field(default_factory=dict)
    parsed: list[str] = field(default_factory=list)  # every file parsed, in order: for tests and benchmarks
    compiled_files: list[str] = field(default_factory=list)  # every file whose scenes were compiled, in order
    # the names the last load's Env offered, and the expressions compiled against them
    expressions: tuple[object, dict[tuple[str, str | None, bool], Compiled]] | None = None

    def reuse_expressions(self, env: Env) -> None:
        """Give `env` the expressions compiled by the last load when it names the same things (they were checked against them)."""
        names = (dict(env.variables), env.scenes, dict(env.codex_titles), dict(env.chapters))
        if self.expressions is not None and self.expressions[0] == names:
            env.cache.update(self.expressions[1])
        self.expressions = (names, env.cache)

    def read(self, path: str, source: str, from_buffer: bool, parse: Callable[[], Read]) -> Read:
        """The file's parse, from an earlier load when its text is the same."""
        known = self.reads.get(path)
        if known is not None and known.from_buffer == from_buffer and known.source == source:
            return known.read
        self.parsed.append(path)
        read = parse()
        self.reads[path] = _FileRead(source, from_buffer, read)
        return read

    def keep_only(self, paths: set[str]) -> None:
        """Forget files that are no longer part of the story."""
        for table in (self.reads, self.compiled, self.declared):
            for path in [path for path in table if path not in paths]:
                del table[path]


def declare(reader: Reader, node: Node | None, decls: Declarations, memo: LoadMemo | None) -> None:
    """Read a scene file's declarations into `decls`. An editor's recorder notes every declared
    name's place, which takes most of the time: with a memo, an unchanged file read after the
    same names gives back what it noted before."""
    recorder = reader.recorder
    if memo is None or recorder is None:
        read_scene_file(reader, node, decls)
        return
    before = (frozenset(decls.scenes), frozenset(decls.codex), frozenset(decls.variables), frozenset(decls.snippets))
    known = memo.declared.get(reader.path)
    if known is not None and known.text == reader.text and known.before == before:
        reader.recorder = None
        try:
            read_scene_file(reader, node, decls)
        finally:
            reader.recorder = recorder  # its scenes may still be compiled, and noted then
        recorder.symbols.extend(known.symbols)
        return
    start = len(recorder.symbols)
    read_scene_file(reader, node, decls)
    memo.declared[reader.path] = _FileDeclared(reader.text, before, recorder.symbols[start:])


def surroundings(header_text: str | None, env: Env, decls: Declarations, snippets: Snippets, recording: bool) -> object:
    """Everything a file's scenes may see of the rest of the story; None when a file could not be
    read (it may declare anything, so no earlier compile is trusted)."""
    if decls.unreadable.everything or decls.unreadable.words:
        return None
    return (
        header_text, dict(env.variables), dict(snippets.member_names), env.scenes, dict(env.codex_titles), dict(env.chapters),
        frozenset(snippets.broken), recording,
    )


def compile_scenes(
    compiler: SceneCompiler, decls: Declarations, texts: Mapping[str, str | None], problems: list[Problem],
    recorder: Recorder | None, memo: LoadMemo | None, around: object, scenes: dict[str, Scene], reuse: FileReuse | None = None,
) -> None:
    """Every declared scene compiled into `scenes`, file by file; with a memo, a file compiled before against the
    same text and surroundings gives back its scenes (only files whose compile found no problem are kept); with
    `reuse`, so does a file whose entry in the story cache was compiled against the same surroundings."""
    # Each scene's nodes are let go once it is built, so the model reuses their memory
    # instead of both being held at once (from here on, env.scenes answers "does it exist").
    for path, ids in _by_file(decls.scenes):
        text = texts.get(path)
        if reuse is not None and path in reuse.found:
            stored = reuse.scenes(path, text, decls, problems)
            if stored is not None:
                for decoded in stored:
                    del decls.scenes[decoded.id]
                    scenes[decoded.id] = decoded
                compiler.snippets.used.update(reuse.found[path].facts.used)
                continue
        known = memo.compiled.get(path) if memo is not None and around is not None else None
        if known is not None and known.text == text and known.around == around and [scene_id for scene_id, _ in known.scenes] == ids:
            for scene_id, scene in known.scenes:
                del decls.scenes[scene_id]
                if scene is not None:
                    scenes[scene_id] = scene
            if recorder is not None:
                recorder.symbols.extend(known.symbols)
            compiler.snippets.used.update(known.used)
            continue
        before, symbols_before, used = len(problems), len(recorder.symbols) if recorder is not None else 0, compiler.snippets.used
        compiler.snippets.used = set()  # the scopes made while this file compiles gather its own uses
        built: list[tuple[str, Scene | None]] = []
        for scene_id in ids:
            scene = compiler.scene(decls.scenes.pop(scene_id))
            built.append((scene_id, scene))
            if scene is not None:
                scenes[scene_id] = scene
        mine, compiler.snippets.used = compiler.snippets.used, used
        used.update(mine)
        if reuse is not None:
            reuse.compiled(path, mine)
        if memo is not None:
            memo.compiled_files.append(path)
            if around is not None and text is not None and len(problems) == before:
                symbols = recorder.symbols[symbols_before:] if recorder is not None else []
                memo.compiled[path] = _FileCompiled(text, around, built, symbols, mine)
            else:
                memo.compiled.pop(path, None)


def _by_file(raws: Mapping[str, RawScene]) -> list[tuple[str, list[str]]]:
    """Scene ids grouped by the file declaring them, in reading order (a file's scenes are declared together)."""
    groups: list[tuple[str, list[str]]] = []
    for scene_id, raw in raws.items():
        path = raw.reader.path
        if not groups or groups[-1][0] != path:
            groups.append((path, []))
        groups[-1][1].append(scene_id)
    return groups
