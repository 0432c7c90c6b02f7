"""`adventure lsp`: a Language Server Protocol server over stdio, built on pygls."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sys
from typing import BinaryIO

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from adventure import __version__
from adventure.lsp.answers import Ranger, diagnostic, hover_text, key_hover, lines_of, outline, renamed_entry
from adventure.lsp.complete import Item, complete
from adventure.lsp.index import StoryIndex, build_index, story_root
from adventure.story.loader.declarations import SCENE_ID
from adventure.story.loader.memo import LoadMemo
from adventure.story.loader.xref import Symbol
from adventure.tools.facts import FactsMemo

DEBOUNCE_SECONDS = 0.3
TRIGGERS = [":", " ", '"', "'", "{", "(", ",", "["]
ITEM_KINDS = {
    "scene": lsp.CompletionItemKind.Class, "variable": lsp.CompletionItemKind.Variable, "function": lsp.CompletionItemKind.Function,
    "keyword": lsp.CompletionItemKind.Keyword, "codex": lsp.CompletionItemKind.Reference, "member": lsp.CompletionItemKind.EnumMember,
    "key": lsp.CompletionItemKind.Property, "value": lsp.CompletionItemKind.Value, "snippet": lsp.CompletionItemKind.Snippet,
}
log = logging.getLogger("adventure.lsp")
_TYPED = re.compile(r"[\w.\-]*$")


def _path(uri: str) -> str | None:
    path = to_fs_path(uri)
    return os.path.normpath(os.path.abspath(path)) if path else None


class StoryServer(LanguageServer):
    """Keeps one index per story folder, rebuilt (debounced) as the author types, and answers from it."""

    def __init__(self) -> None:
        super().__init__("adventure", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
        self.indexes: dict[str, StoryIndex] = {}
        self.memos: dict[str, LoadMemo] = {}  # per story: each file's last load, so a re-check reads only what changed
        self.facts: dict[str, FactsMemo] = {}  # per story: what the warnings found in each file's scenes
        self.published: dict[str, set[str]] = {}
        self.timers: dict[str, asyncio.TimerHandle] = {}
        self.closing = False  # the editor asked for shutdown: nothing more is checked or sent

    # keeping indexes fresh -----------------------------------------------------------------
    def schedule(self, uri: str, delay: float = DEBOUNCE_SECONDS) -> None:
        path = _path(uri)
        root = story_root(path) if path else None
        if root is None or self.closing:
            return
        pending = self.timers.pop(root, None)
        if pending is not None:
            pending.cancel()
        self.timers[root] = asyncio.get_running_loop().call_later(delay, self.refresh, root)

    def overlay(self, root: str) -> dict[str, str]:
        """The open buffers of files inside `root`: what the author sees, saved or not."""
        buffers: dict[str, str] = {}
        for document in list(self.workspace.text_documents.values()):
            path = _path(document.uri)
            if path and (path + os.sep).startswith(root + os.sep):
                buffers[path] = document.source
        return buffers

    def refresh(self, root: str) -> StoryIndex | None:
        pending = self.timers.pop(root, None)
        if pending is not None:
            pending.cancel()
        if self.closing:
            return self.indexes.get(root)
        try:
            index = build_index(
                root, self.overlay(root), self.memos.setdefault(root, LoadMemo()), self.facts.setdefault(root, FactsMemo())
            )
        except Exception:  # a bug here must cost the author diagnostics, never the editor's server
            log.exception("checking %s failed", root)
            return self.indexes.get(root)
        self.indexes[root] = index
        self.publish(index)
        return index

    def index_for(self, uri: str) -> tuple[StoryIndex | None, str | None]:
        """The up-to-date index of the story a document belongs to, and the document's path."""
        path = _path(uri)
        root = story_root(path) if path else None
        if root is None:
            return None, path
        if root in self.timers or root not in self.indexes:
            return self.refresh(root), path
        return self.indexes[root], path

    def publish(self, index: StoryIndex) -> None:
        by_path: dict[str, list[lsp.Diagnostic]] = {}
        for problem in index.problems:
            path = os.path.normpath(os.path.abspath(problem.path))
            text = index.texts.get(path, "")
            by_path.setdefault(path, []).append(diagnostic(problem, text, self.ranger(index)))
        uris = {from_fs_path(path) or path: diagnostics for path, diagnostics in by_path.items()}
        for uri in self.published.get(index.root, set()) - set(uris):
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        for uri, diagnostics in uris.items():
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics))
        self.published[index.root] = set(uris)

    # positions ---------------------------------------------------------------------------------
    def ranger(self, index: StoryIndex) -> Ranger:
        codec = self.workspace.position_codec
        cache: dict[str, list[str]] = {}

        def to_range(path: str, line: int, col: int, length: int) -> lsp.Range:
            lines = cache.get(path)
            if lines is None:
                lines = cache[path] = lines_of(index.texts.get(path, ""))
            row = min(max(line - 1, 0), len(lines) - 1)
            width = len(lines[row].rstrip("\n"))
            start = min(max(col - 1, 0), width)
            end = min(start + length, width)
            server = lsp.Range(start=lsp.Position(line=row, character=start), end=lsp.Position(line=row, character=end))
            return codec.range_to_client_units(lines, server)
        return to_range

    def cursor(self, uri: str, position: lsp.Position) -> tuple[list[str], int, int]:
        """The document's lines and the cursor's row and column (from 0, in characters)."""
        document = self.workspace.get_text_document(uri)
        lines = lines_of(document.source)
        if position.line >= len(lines):  # past the end (a stale or careless client): the end
            position = lsp.Position(line=len(lines) - 1, character=len(lines[-1]))
        server = self.workspace.position_codec.position_from_client_units(lines, position)
        row = min(max(server.line, 0), len(lines) - 1)
        return [line.rstrip("\n") for line in lines], row, min(max(server.character, 0), len(lines[row]) - 1)

    def symbol_at(self, uri: str, position: lsp.Position) -> tuple[StoryIndex | None, Symbol | None]:
        index, path = self.index_for(uri)
        if index is None or path is None:
            return index, None
        _, row, column = self.cursor(uri, position)
        return index, index.symbol_at(path, row + 1, column + 1)

    def location(self, index: StoryIndex, symbol: Symbol) -> lsp.Location:
        where = symbol.where
        found = self.ranger(index)(where.path, where.line, where.col, symbol.length)
        return lsp.Location(uri=from_fs_path(where.path) or where.path, range=found)


def make_server() -> StoryServer:
    """A server with every feature registered (a new one for each connection, and for each test)."""
    server = StoryServer()

    @server.feature(lsp.SHUTDOWN)
    def shutdown(ls: StoryServer, params: None) -> None:
        # A check still waiting for its debounce would publish after exit has closed the
        # output, and every failed write makes pygls report (and log) another: cancel them.
        ls.closing = True
        for pending in ls.timers.values():
            pending.cancel()
        ls.timers.clear()

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: StoryServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: StoryServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: StoryServer, params: lsp.DidSaveTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: StoryServer, params: lsp.DidCloseTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)  # the file on disk speaks for it again

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: StoryServer, params: lsp.DefinitionParams) -> list[lsp.Location] | None:
        index, symbol = ls.symbol_at(params.text_document.uri, params.position)
        if index is None or symbol is None:
            return None
        return [ls.location(index, found) for found in index.declarations(symbol)] or None

    @server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
    def references(ls: StoryServer, params: lsp.ReferenceParams) -> list[lsp.Location] | None:
        index, symbol = ls.symbol_at(params.text_document.uri, params.position)
        if index is None or symbol is None:
            return None
        return [ls.location(index, found) for found in index.references(symbol, params.context.include_declaration)]

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls: StoryServer, params: lsp.HoverParams) -> lsp.Hover | None:
        index, path = ls.index_for(params.text_document.uri)
        lines, row, column = ls.cursor(params.text_document.uri, params.position)
        symbol = index.symbol_at(path, row + 1, column + 1) if index is not None and path else None
        if index is not None and symbol is not None:
            text, where = hover_text(index, symbol), ls.location(index, symbol).range
        else:
            text, where = key_hover(path or "", lines, row, column), None
        if not text:
            return None
        return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text), range=where)

    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=TRIGGERS))
    def completion(ls: StoryServer, params: lsp.CompletionParams) -> lsp.CompletionList:
        index, path = ls.index_for(params.text_document.uri)
        lines, row, column = ls.cursor(params.text_document.uri, params.position)
        items = complete(index, path or "", lines, row, column)
        # Each item replaces the whole id typed so far: editors split words at `.` and `-`,
        # and would otherwise turn `canal.st` into `canal.canal.stage_door`.
        typed = _TYPED.search(lines[row][:column])
        start = column - (len(typed.group()) if typed else 0)
        codec, client_lines = ls.workspace.position_codec, [line + "\n" for line in lines]
        replaced = codec.range_to_client_units(
            client_lines, lsp.Range(start=lsp.Position(line=row, character=start), end=lsp.Position(line=row, character=column))
        )
        return lsp.CompletionList(is_incomplete=False, items=[_item(item, replaced) for item in items])

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbols(ls: StoryServer, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
        index, path = ls.index_for(params.text_document.uri)
        if index is None or path is None:
            return []
        return outline(index, path, ls.ranger(index))

    @server.feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
    def prepare_rename(ls: StoryServer, params: lsp.PrepareRenameParams) -> lsp.Range | None:
        index, symbol = ls.symbol_at(params.text_document.uri, params.position)
        if index is None or symbol is None or symbol.kind != "scene":
            return None
        return ls.location(index, symbol).range

    @server.feature(lsp.TEXT_DOCUMENT_RENAME, lsp.RenameOptions(prepare_provider=True))
    def rename(ls: StoryServer, params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
        index, symbol = ls.symbol_at(params.text_document.uri, params.position)
        if index is None or symbol is None:
            return None
        if symbol.kind != "scene":
            raise JsonRpcInvalidParams("only scene ids can be renamed here (a renamed variable or codex id would break saves)")
        new = params.new_name.strip()
        if not SCENE_ID.fullmatch(new):
            raise JsonRpcInvalidParams(f"`{new}` is not a valid scene id: use letters, digits, _, - and .")
        if new != symbol.name and any(found.name == new for found in index.declared("scene")):
            raise JsonRpcInvalidParams(f"there is already a scene `{new}`")
        changes: dict[str, list[lsp.TextEdit]] = {}
        for found in index.references(symbol):
            location = ls.location(index, found)
            changes.setdefault(location.uri, []).append(lsp.TextEdit(range=location.range, new_text=new))
        story_file = index.story_file
        line, col, text = renamed_entry(index.texts.get(story_file, ""), symbol.name, new)
        at = ls.ranger(index)(story_file, line, col, 0)
        changes.setdefault(from_fs_path(story_file) or story_file, []).append(lsp.TextEdit(range=at, new_text=text))
        return lsp.WorkspaceEdit(changes=changes)

    return server


def _item(item: Item, replaced: lsp.Range) -> lsp.CompletionItem:
    documentation = lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=item.documentation) if item.documentation else None
    return lsp.CompletionItem(
        label=item.label, kind=ITEM_KINDS[item.kind], detail=item.detail or None, documentation=documentation,
        filter_text=item.label, text_edit=lsp.TextEdit(range=replaced, new_text=item.label),
    )


def serve(stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
    """Run the server until the editor says exit (or closes the pipe)."""
    logging.basicConfig(level=logging.WARNING, format="adventure lsp: %(message)s")  # to stderr: stdout carries the protocol
    # pygls closes the streams it is given when the editor says exit; give it copies of the
    # standard ones, so that sys.stdout is still open for the command line's last flush
    stdin = stdin or os.fdopen(os.dup(sys.stdin.fileno()), "rb", buffering=0)
    stdout = stdout or os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    make_server().start_io(stdin, stdout)
