"""Answers to an editor's requests, built from a story index: diagnostics, hover, outline, rename edits."""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from lsprotocol import types as lsp

from adventure.lsp.complete import describe_type, schema_keys
from adventure.lsp.context import path_at, shape
from adventure.lsp.index import StoryIndex
from adventure.source.problems import Problem
from adventure.story.expr import format_value
from adventure.story.loader import STORY_FILE
from adventure.story.loader.xref import Symbol
from adventure.tools.proofing import source
from adventure.tools.schema import SchemaFor

# (path, line from 1, column from 1, length in characters) -> a range in the client's units
Ranger = Callable[[str, int, int, int], lsp.Range]
_TOKEN = re.compile(r"\S+")


def lines_of(text: str) -> list[str]:
    """A file's lines as the loader counts them (only a newline ends a line), each with its newline."""
    return [piece + "\n" for piece in text.split("\n")]


def diagnostic(problem: Problem, text: str, ranger: Ranger) -> lsp.Diagnostic:
    """A problem as the editor shows it: underlined from its position to the end of the name or key there."""
    lines = text.split("\n")
    line, col = max(problem.line, 1), max(problem.col, 1)
    content = lines[line - 1] if line <= len(lines) else ""
    token = _TOKEN.match(content, min(col - 1, len(content)))
    length = (token.end() - token.start()) if token else 0
    if (token and token.group().endswith(":")) or problem.line == 0:
        length = len(content.rstrip()) - (col - 1)  # a key: the whole entry it starts
    message = problem.message + (f"\nhint: {problem.hint}" if problem.hint else "")
    return lsp.Diagnostic(
        range=ranger(problem.path, line, col, max(length, 1)),
        message=message,
        severity=lsp.DiagnosticSeverity.Warning if problem.severity == "warning" else lsp.DiagnosticSeverity.Error,
        code=problem.code or None,
        source="adventure",
    )


def hover_text(index: StoryIndex, symbol: Symbol) -> str:
    """What a name is: a variable's type, range, default and doc; a scene's title, chapter and ways in; a codex title."""
    if symbol.kind == "variable" and symbol.name in index.variables:
        variable = index.variables[symbol.name]
        parts = [f"**{variable.name}**: `{describe_type(index, variable.name)}`", f"default: `{format_value(variable.default)}`"]
        if variable.doc:
            parts.append(variable.doc)
        parts.append(f"declared at {_relative(index, variable.where.path)}:{variable.where.line}")
        return "\n\n".join(parts)
    if symbol.kind == "scene":
        scene = index.scenes.get(symbol.name)
        title = source(scene.title) if scene is not None else ""
        count = index.choices_leading_to(symbol.name)
        parts = [f"**{title or symbol.name}** (scene `{symbol.name}`)"]
        chapter = index.chapters.get(symbol.name, "")
        if chapter:
            parts.append(f"chapter: {chapter}")
        start = " · the story starts here" if index.story is not None and index.story.start == symbol.name else ""
        parts.append(f"{count} choice{'s' if count != 1 else ''} lead{'s' if count == 1 else ''} here{start}")
        if scene is not None and scene.ending is not None:
            parts.append(f"ending: {scene.ending.name}{' (canonical)' if scene.ending.canonical else ''}")
        return "\n\n".join(parts)
    if symbol.kind == "codex":
        return f"**{index.codex_titles.get(symbol.name, symbol.name)}** (codex entry `{symbol.name}`)"
    if symbol.kind == "snippet":
        declared = index.declarations(symbol)
        where = f" (declared at {_relative(index, declared[0].where.path)}:{declared[0].where.line})" if declared else ""
        return f"snippet `{symbol.name}`{where}: text written once, used with {{>{symbol.name}}}"
    if symbol.kind == "member":
        owner = index.variables.get(symbol.owner)
        members = ", ".join(sorted(owner.members)) if owner is not None else ""
        return f"`{symbol.name}`: a member of set `{symbol.owner}` ({members})"
    return ""


def key_hover(path: str, lines: list[str], row: int, column: int) -> str:
    """The meaning of the key under the cursor, from the format's schema."""
    line = lines[row] if row < len(lines) else ""
    found = shape(line)
    if not found.key or not (found.content <= column <= found.content + len(found.key)):
        return ""
    keys, in_text = path_at(lines, row, found.content)
    if in_text:
        return ""
    kind: SchemaFor = "story" if os.path.basename(path) == STORY_FILE else "scenes"
    for name, description in schema_keys(kind, tuple(keys)):
        if name == found.key:
            return f"`{name}`: {description}"
    return ""


def outline(index: StoryIndex, path: str, ranger: Ranger) -> list[lsp.DocumentSymbol]:
    """The file's chapters with their scenes, then its variables and codex entries."""
    declared = sorted((symbol for symbol in index.by_file.get(path, ()) if symbol.declares), key=lambda s: (s.where.line, s.where.col))
    text = index.texts.get(path, "")
    last_line = text.count("\n") + 1
    scenes = [symbol for symbol in declared if symbol.kind == "scene"]
    chapters: dict[str, list[lsp.DocumentSymbol]] = {}
    for number, symbol in enumerate(scenes):
        end = scenes[number + 1].where.line - 1 if number + 1 < len(scenes) else last_line
        scene = index.scenes.get(symbol.name)
        selection = ranger(path, symbol.where.line, symbol.where.col, symbol.length)
        whole = lsp.Range(start=selection.start, end=ranger(path, max(end, symbol.where.line), 1, 0).start)
        if whole.end.line == selection.start.line:
            whole = selection
        chapters.setdefault(index.chapters.get(symbol.name, ""), []).append(
            lsp.DocumentSymbol(
                name=symbol.name, detail=source(scene.title) if scene is not None else "", kind=lsp.SymbolKind.Class,
                range=whole, selection_range=selection,
            )
        )
    result: list[lsp.DocumentSymbol] = []
    for chapter, children in chapters.items():
        if not chapter:
            result.extend(children)
            continue
        result.append(lsp.DocumentSymbol(
            name=chapter, detail="chapter", kind=lsp.SymbolKind.Namespace,
            range=lsp.Range(start=children[0].range.start, end=children[-1].range.end),
            selection_range=children[0].selection_range, children=children,
        ))
    for symbol in declared:
        if symbol.kind in ("variable", "codex"):
            selection = ranger(path, symbol.where.line, symbol.where.col, symbol.length)
            detail = describe_type(index, symbol.name) if symbol.kind == "variable" and symbol.name in index.variables else (
                index.codex_titles.get(symbol.name, "")
            )
            kind = lsp.SymbolKind.Variable if symbol.kind == "variable" else lsp.SymbolKind.String
            result.append(lsp.DocumentSymbol(name=symbol.name, detail=detail, kind=kind, range=selection, selection_range=selection))
    return result


def renamed_entry(text: str, old: str, new: str) -> tuple[int, int, str]:
    """Where to insert `old: new` into story.yaml's `renamed:` (line and column from 1) and what to insert."""
    lines = text.split("\n")
    for number, line in enumerate(lines):
        found = re.match(r"renamed\s*:\s*(.*)$", line)
        if found is None:
            continue
        rest = found.group(1)
        if rest.startswith("{"):
            brace = line.index("{", found.start(1))
            empty = rest[1:].strip().startswith("}")
            return number + 1, brace + 2, f"{old}: {new}" + ("" if empty else ", ")
        if rest and not rest.startswith("#"):
            break  # a value that is not a mapping: the loader reports it; a second key would hide it
        indent = "  "
        for following in lines[number + 1:]:
            if following.strip() and not following.lstrip().startswith("#"):
                spaces = len(following) - len(following.lstrip(" "))
                if spaces > 0:
                    indent = " " * spaces
                break
        return number + 2, 1, f"{indent}{old}: {new}\n"
    if text.endswith("\n") or not text:
        return len(lines), 1, f"renamed:\n  {old}: {new}\n"
    return len(lines), len(lines[-1]) + 1, f"\nrenamed:\n  {old}: {new}\n"


def _relative(index: StoryIndex, path: str) -> str:
    return os.path.relpath(path, index.root)
