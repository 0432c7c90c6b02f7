"""A proofing copy of a story: every text an author wrote, by chapter, as Markdown, HTML or plain text."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Literal

from adventure.story.model import Choice, Conditional, Scene, Story, Text
from adventure.story.template import Template, Variation

Format = Literal["markdown", "html", "text"]
FORMATS: tuple[Format, ...] = ("markdown", "html", "text")
Kind = Literal[
    "chapter", "scene", "recap", "paragraph", "variation", "if", "else", "choices", "choice", "reply", "ending", "codex", "status", "name"
]


@dataclass(frozen=True, slots=True)
class Line:
    """One labelled piece of the copy: what it is, how deep in conditions, its text and its notes."""

    kind: Kind
    text: str
    depth: int = 0
    label: str = ""  # a scene or codex id, a choice's number, a condition
    notes: tuple[str, ...] = ()  # where a choice leads, its condition, its disabled reason
    in_reply: bool = False  # part of the reply under a choice


def source(template: Template | None) -> str:
    """A template as the author wrote it: text with `{expression}` holes shown as written."""
    if template is None:
        return ""
    return "".join(part if isinstance(part, str) else "{" + part.source + "}" for part in template.parts)


def _text(text: Text, depth: int, in_reply: bool = False) -> list[Line]:
    lines: list[Line] = []
    for part in text:
        if isinstance(part, Conditional):
            lines.append(Line("if", "", depth, part.condition.source, in_reply=in_reply))
            lines.extend(_text(part.then, depth + 1, in_reply))
            if part.otherwise:
                lines.append(Line("else", "", depth, part.condition.source, in_reply=in_reply))
                lines.extend(_text(part.otherwise, depth + 1, in_reply))
        else:
            lines.append(Line("paragraph", source(part.template), depth, in_reply=in_reply))
            lines.extend(_options(part.template, depth, in_reply))
    return lines


def _options(template: Template, depth: int, in_reply: bool) -> list[Line]:
    """Each option of each inline form ({if}, {seq}, {select}, ...) on a line of its own, labelled,
    with the snippets it uses written out: what the player may read, for the spell-checker."""
    lines: list[Line] = []
    for part in template.parts:
        if not isinstance(part, Variation):
            continue
        head = f" {part.head.source}" if part.head is not None else ""
        keys = {index: key for key, index in part.keys.items()}
        for number, option in enumerate(part.options):
            which = keys.get(number, "") if part.kind == "select" else ("then", "else")[number] if part.kind == "if" else str(number + 1)
            lines.append(Line("variation", source(option), depth + 1, f"{part.kind}{head}: {which}", in_reply=in_reply))
            lines.extend(_options(option, depth + 1, in_reply))
    return lines


FLOWS = {"goto": "goes to {}", "detour": "detour into {}", "stay": "stays", "return": "returns"}


def _choice(number: int, choice: Choice) -> list[Line]:
    notes = [FLOWS.get(choice.flow, "goes to {}").format(choice.target)]
    if choice.condition is not None:
        notes.append(f"if {choice.condition.source}")
    if choice.disabled is not None:
        notes.append(f"disabled: {source(choice.disabled)}")
    notes.extend(flag for flag, on in (("once", choice.once), ("fallback", choice.fallback)) if on)
    lines = [Line("choice", source(choice.label), 1, str(number), tuple(notes))]
    if choice.reply:
        lines.append(Line("reply", "Reply", 1, in_reply=True))
        lines.extend(_text(choice.reply, 1, in_reply=True))
    return lines


def _scene(scene: Scene) -> list[Line]:
    lines = [Line("scene", source(scene.title), 0, scene.id)]
    if scene.recap is not None:
        lines.append(Line("recap", source(scene.recap)))
    lines.extend(_text(scene.text, 0))
    if scene.choices:
        lines.append(Line("choices", "Choices"))
        for number, choice in enumerate(scene.choices, start=1):
            lines.extend(_choice(number, choice))
    if scene.ending is not None:
        ending = scene.ending
        notes = ("canonical",) if ending.canonical else ()
        lines.append(Line("ending", ending.name, 0, ending.id, (*notes, *((f"hint: {ending.hint}",) if ending.hint else ()))))
    return lines


def lines_of(story: Story) -> list[Line]:
    """The whole copy as labelled lines: chapters in story order, then the codex."""
    chapters: dict[str, list[Scene]] = {}
    for scene in story.scenes.values():
        chapters.setdefault(scene.chapter, []).append(scene)
    lines: list[Line] = []
    if story.status is not None:
        lines.append(Line("status", source(story.status)))
    for chapter, scenes in chapters.items():
        lines.append(Line("chapter", chapter or "(no chapter)"))
        for scene in scenes:
            lines.extend(_scene(scene))
    named = [variable for variable in story.variables.values() if variable.label or variable.names]
    if named:
        lines.append(Line("chapter", "Names the player reads"))
        for variable in named:
            if variable.label:
                lines.append(Line("name", variable.label, 0, variable.name, ("variable label",)))
            for member, shown in sorted(variable.names.items()):
                lines.append(Line("name", shown, 0, f"{variable.name}: {member}", ("member name",)))
    if story.codex:
        lines.append(Line("chapter", "Codex"))
        for entry in story.codex.values():
            lines.append(Line("codex", entry.title, 0, entry.id))
            lines.extend(_text(entry.text, 0))
    return lines


def export(story: Story, kind: Format) -> str:
    """The proofing copy of `story` in one format."""
    lines = lines_of(story)
    if kind == "html":
        return _html(story, lines)
    if kind == "text":
        return _plain(story, lines)
    return _markdown(story, lines)


# --- Markdown -------------------------------------------------------------------------------


def _markdown(story: Story, lines: list[Line]) -> str:
    out = [f"# {story.title}", ""]
    if story.author:
        out += [f"by {story.author}", ""]
    if story.blurb:
        out += [story.blurb, ""]
    for line in lines:
        quote = ("   " if line.in_reply else "") + "> " * line.depth
        if line.kind == "status":
            out += [f"Status line: `{line.text}`", ""]
        elif line.kind == "chapter":
            out += [f"## {line.text}", ""]
        elif line.kind in ("scene", "codex"):
            out += [f"### {line.text} `{line.label}`", ""]
        elif line.kind == "recap":
            out += [f"*Recap:* {line.text}", ""]
        elif line.kind == "paragraph":
            out += [quote + line.text, quote.rstrip()]
        elif line.kind == "name":
            out.append(f"- `{line.label}` ({line.notes[0]}): {line.text}")
        elif line.kind == "variation":
            out += [f"{quote}*{line.label}*: {line.text}", quote.rstrip()]
        elif line.kind in ("if", "else"):
            word = "if" if line.kind == "if" else "otherwise, when not"
            out += [f"{quote}> **{word}** `{line.label}`", f"{quote}>"]
        elif line.kind == "choices":
            out += ["**Choices**", ""]
        elif line.kind == "choice":
            out += ["", f"{line.label}. {line.text} *({'; '.join(line.notes)})*", ""]
        elif line.kind == "reply":
            out += [f"   *{line.text}:*", ""]
        elif line.kind == "ending":
            out += ["", f"**Ending:** {line.text} (`{line.label}`{''.join(', ' + note for note in line.notes)})", ""]
    return "\n".join(_tidy(out)) + "\n"


def _tidy(out: list[str]) -> list[str]:
    """No runs of blank lines, no trailing blanks, and a blank line wherever a quote ends
    (Markdown would otherwise carry the next line into the quote)."""
    tidy: list[str] = []
    for item in out:
        if item == "" and tidy and tidy[-1] == "":
            continue
        if tidy and tidy[-1] and _quotes(item) < _quotes(tidy[-1]):
            tidy.append("")
        tidy.append(item)
    while tidy and tidy[-1] == "":
        tidy.pop()
    return tidy


def _quotes(line: str) -> int:
    depth = 0
    while line.startswith(">"):
        depth += 1
        line = line[1:].lstrip(" ")
    return depth


# --- plain text -------------------------------------------------------------------------------


def _plain(story: Story, lines: list[Line]) -> str:
    out = [story.title, "=" * len(story.title), ""]
    if story.author:
        out += [f"by {story.author}", ""]
    if story.blurb:
        out += [story.blurb, ""]
    for line in lines:
        pad = "    " * line.depth + ("      " if line.in_reply else "  ")
        if line.kind == "status":
            out += [f"Status line: {line.text}", ""]
        elif line.kind == "chapter":
            out += ["", line.text, "-" * len(line.text), ""]
        elif line.kind in ("scene", "codex"):
            out += ["", f"[{line.label}] {line.text}", ""]
        elif line.kind == "recap":
            out += [f"  Recap: {line.text}", ""]
        elif line.kind == "paragraph":
            out += [pad + line.text, ""]
        elif line.kind == "name":
            out.append(f"  {line.label} ({line.notes[0]}): {line.text}")
        elif line.kind == "variation":
            out += [pad + f"[{line.label}] {line.text}", ""]
        elif line.kind == "if":
            out += [pad + f"[if {line.label}]", ""]
        elif line.kind == "else":
            out += [pad + f"[otherwise, when not {line.label}]", ""]
        elif line.kind == "choices":
            out.append("  Choices:")
        elif line.kind == "choice":
            out.append(f"    {line.label}. {line.text}  ({'; '.join(line.notes)})")
        elif line.kind == "reply":
            out += ["      Reply:", ""]
        elif line.kind == "ending":
            out += ["", f"  Ending: {line.text} [{line.label}{''.join(', ' + note for note in line.notes)}]", ""]
    return "\n".join(_tidy(out)) + "\n"


# --- HTML -----------------------------------------------------------------------------------

STYLE = """
body { font: 16px/1.5 Georgia, 'Times New Roman', serif; max-width: 46em; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 2em; margin-bottom: 0.2em; }
h2 { border-bottom: 2px solid #444; margin-top: 2.5em; page-break-before: always; }
h2:first-of-type { page-break-before: avoid; }
section.scene { margin: 1.5em 0; page-break-inside: avoid; }
h3 { margin-bottom: 0.3em; }
.id { font: 0.75em/1 Menlo, Consolas, monospace; color: #666; background: #f1f1f1; padding: 0.1em 0.4em; border-radius: 3px; }
.recap { font-style: italic; color: #555; }
.when { border-left: 3px solid #7a9cc6; margin: 0.5em 0 0.5em 0.2em; padding: 0 0 0 0.8em; }
.when.otherwise { border-left-color: #c6a07a; }
.cond { font: 0.8em Menlo, Consolas, monospace; color: #2f5d8a; }
.otherwise > .cond { color: #8a5a2f; }
ol.choices { margin-top: 0.3em; }
.notes { font-size: 0.8em; color: #666; }
.disabled { color: #555; font-style: italic; }
.option { margin: 0.2em 0; }
.ending { font-weight: bold; color: #7a5a00; }
.meta { color: #555; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; } }
"""


def _html(story: Story, lines: list[Line]) -> str:
    escape = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8">',
        f"<title>{escape(story.title)} (proofing copy)</title>",
        f"<style>{STYLE}</style></head>",
        "<body>",
        f"<h1>{escape(story.title)}</h1>",
    ]
    if story.author:
        out.append(f'<p class="meta">by {escape(story.author)}</p>')
    if story.blurb:
        out.append(f'<p class="meta">{escape(story.blurb)}</p>')
    open_blocks: list[int] = []  # depths of open condition blocks
    in_scene = False
    in_choices = False
    in_item = False

    def close_to(depth: int) -> None:
        while open_blocks and open_blocks[-1] >= depth:
            open_blocks.pop()
            out.append("</div>")

    def end_item() -> None:
        nonlocal in_item
        close_to(0)
        if in_item:
            out.append("</li>")
            in_item = False

    def end_scene() -> None:
        nonlocal in_scene, in_choices
        end_item()
        if in_choices:
            out.append("</ol>")
            in_choices = False
        if in_scene:
            out.append("</section>")
            in_scene = False

    for line in lines:
        if line.kind in ("chapter", "scene", "codex", "status"):
            end_scene()
        if line.kind == "status":
            out.append(f'<p class="meta">Status line: <code>{escape(line.text)}</code></p>')
        elif line.kind == "chapter":
            out.append(f"<h2>{escape(line.text)}</h2>")
        elif line.kind in ("scene", "codex"):
            in_scene = True
            out.append(f'<section class="scene" id="{escape(line.kind)}-{escape(line.label)}">')
            out.append(f'<h3>{escape(line.text)} <span class="id">{escape(line.label)}</span></h3>')
        elif line.kind == "recap":
            out.append(f'<p class="recap">Recap: {escape(line.text)}</p>')
        elif line.kind == "paragraph":
            close_to(line.depth)
            out.append(f"<p>{escape(line.text)}</p>")
        elif line.kind == "variation":
            indent = f' style="margin-left: {1.5 * line.depth:g}em"'  # nested forms step in
            out.append(f'<p class="option"{indent}><span class="cond">{escape(line.label)}</span> {escape(line.text)}</p>')
        elif line.kind == "name":
            label, note = escape(line.label), escape(line.notes[0])
            out.append(f'<p><span class="id">{label}</span> <span class="notes">{note}</span> {escape(line.text)}</p>')
        elif line.kind in ("if", "else"):
            close_to(line.depth)
            if line.kind == "if":
                out.append(f'<div class="when"><div class="cond">if {escape(line.label)}</div>')
            else:
                out.append(f'<div class="when otherwise"><div class="cond">otherwise, when not {escape(line.label)}</div>')
            open_blocks.append(line.depth)
        elif line.kind == "choices":
            close_to(0)
            in_choices = True
            out.append('<ol class="choices">')
        elif line.kind == "choice":
            end_item()
            in_item = True
            shown = "; ".join(note for note in line.notes if not note.startswith("disabled: "))
            out.append(f'<li>{escape(line.text)} <span class="notes">({escape(shown)})</span>')
            for note in line.notes:
                if note.startswith("disabled: "):  # text to proofread, so as legible as the rest
                    out.append(f'<div class="disabled">when disabled: {escape(note.removeprefix("disabled: "))}</div>')
        elif line.kind == "reply":
            out.append('<div class="cond">reply</div>')
        elif line.kind == "ending":
            end_item()
            if in_choices:
                out.append("</ol>")
                in_choices = False
            after = "".join(f" ({escape(note)})" for note in line.notes)
            out.append(f'<p class="ending">Ending: {escape(line.text)} <span class="id">{escape(line.label)}</span>{after}</p>')
    end_scene()
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"
