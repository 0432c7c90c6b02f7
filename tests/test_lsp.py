"""`adventure lsp`: the language server, driven over a real pipe with Language Server Protocol messages."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import HERE, ROOT, env_for_subprocess, write_story
from lspclient import Client, ResponseError, uri

from adventure.lsp.index import build_index
from adventure.story.loader import check_story

STORY = {
    "story.yaml": """\
        id: lsp
        title: LSP
        version: 1
        start: hall
        variables:
          coins: {type: int, default: 2, min: 0, max: 9, doc: Money in the purse}
          keys: {type: set, members: [brass, iron], doc: Keys carried}
        codex:
          doors: {title: The Doors, text: Old doors.}
        """,
    "hall.yaml": """\
        chapter: Ground Floor
        scenes:
          - id: hall
            title: The Hall
            text: You have {coins} coins.
            on_enter:
              - unlock: doors
            choices:
              - label: Take the brass key
                goto: hall
                once: true
                effects:
                  - add: {keys: brass}
                  - subtract: {coins: 1}
              - label: Go to the vault
                goto: vault
                if: '"brass" in keys and coins > 0'
                disabled: Locked.
        """,
    "vault.yaml": """\
        chapter: Cellar
        scenes:
          - id: vault
            title: The Vault
            text:
              - if: visited("hall") and unlocked("doors")
                text: Gold.
            ending: {id: rich, name: Rich}
        """,
}


@pytest.fixture
def story(tmp_path: Path) -> Path:
    root = write_story(tmp_path / "story", STORY)
    assert check_story(str(root))[1] == []
    return root


@pytest.fixture
def client(story: Path) -> Iterator[Client]:
    server = Client()
    server.initialize(story)
    yield server
    server.close()


def labels(result: dict[str, Any] | list[dict[str, Any]]) -> set[str]:
    items = result["items"] if isinstance(result, dict) else result
    return {item["label"] for item in items}


def span(found: dict[str, Any]) -> tuple[str, int, int, int]:
    where = found["range"]
    return Path(found["uri"].removeprefix("file://")).name, where["start"]["line"], where["start"]["character"], where["end"]["character"]


def apply(text: str, edits: list[dict[str, Any]]) -> str:
    """Apply LSP text edits (positions in UTF-16 units; these stories are ASCII) to a text."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)

    def offset(position: dict[str, int]) -> int:
        return offsets[position["line"]] + position["character"]

    for edit in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):
        text = text[: offset(edit["range"]["start"])] + edit["newText"] + text[offset(edit["range"]["end"]):]
    return text


# --- the handshake and the end --------------------------------------------------------------


def test_initialize_announces_every_feature_and_shutdown_exits_cleanly(story: Path) -> None:
    server = Client()
    capabilities = server.initialize(story)["capabilities"]
    for feature in ("definitionProvider", "referencesProvider", "hoverProvider", "documentSymbolProvider", "completionProvider"):
        assert capabilities.get(feature), feature
    assert capabilities["renameProvider"] == {"prepareProvider": True}
    assert ":" in capabilities["completionProvider"]["triggerCharacters"]
    assert server.close() == 0


# --- diagnostics ------------------------------------------------------------------------------


def test_an_unsaved_typo_in_a_goto_is_underlined_with_its_hint(client: Client, story: Path) -> None:
    hall = story / "hall.yaml"
    client.open(hall, hall.read_text(encoding="utf-8").replace("goto: vault", "goto: vaul"))
    [problem] = client.diagnostics(hall)
    assert problem["message"] == "goto: there is no scene `vaul`\nhint: did you mean `vault`?"
    assert problem["severity"] == 1
    assert problem["range"] == {"start": {"line": 15, "character": 14}, "end": {"line": 15, "character": 18}}
    assert (story / "hall.yaml").read_text(encoding="utf-8").count("goto: vault") == 1  # nothing was written


def test_warnings_come_with_their_code(client: Client, story: Path) -> None:
    extra = story / "attic.yaml"
    client.open(extra, "scenes:\n  - id: attic\n    title: Attic\n    text: Dust.\n    ending: {id: dust, name: Dust}\n")
    [problem] = client.diagnostics(extra)
    assert problem["code"] == "W104"
    assert problem["severity"] == 2
    assert problem["range"]["start"] == {"line": 1, "character": 4}
    assert "hint: add a choice whose goto is this scene" in problem["message"]


def test_renaming_a_scene_in_one_file_flags_the_gotos_in_another_and_fixing_it_clears_them(client: Client, story: Path) -> None:
    hall, vault = story / "hall.yaml", story / "vault.yaml"
    client.open(hall)
    client.open(vault)
    seen = len(client.notifications)
    client.change(vault, 2, "safe", at=(2, 8, 2, 13))  # `- id: vault` -> `- id: safe`, typed and not saved
    problems = client.diagnostics(hall, after=seen)
    assert [problem["message"].split("\n")[0] for problem in problems] == ["goto: there is no scene `vault`"]
    seen = len(client.notifications)
    client.change(vault, 3, "vault", at=(2, 8, 2, 12))
    assert client.diagnostics(hall, after=seen) == []


def test_a_file_that_is_not_yaml_yet_gets_a_located_syntax_error(client: Client, story: Path) -> None:
    hall = story / "hall.yaml"
    client.open(hall, "scenes:\n  - id: hall\n   title: [unclosed\n")
    problems = client.diagnostics(hall)
    assert problems and problems[0]["message"].startswith("YAML syntax error")
    assert problems[0]["range"]["start"]["line"] >= 1


# --- go to definition and references ----------------------------------------------------------


def word(file: str, line: int, text: str, nth: int = 0) -> tuple[str, int, int, int]:
    """(file, line, start, end) of the nth `text` on a line of the test story (lines and columns from 0)."""
    content = textwrap.dedent(STORY[file]).split("\n")[line]
    start = -1
    for _ in range(nth + 1):
        start = content.index(text, start + 1)
    return file, line, start, start + len(text)


def inside(file: str, line: int, text: str, nth: int = 0) -> tuple[str, int, int]:
    """A cursor in the middle of that text."""
    name, row, start, end = word(file, line, text, nth)
    return name, row, (start + end) // 2


@pytest.mark.parametrize(
    ("cursor", "declared"),
    [
        (inside("hall.yaml", 15, "vault"), word("vault.yaml", 2, "vault")),  # goto: vault
        (inside("vault.yaml", 5, "hall"), word("hall.yaml", 2, "hall")),  # visited("hall")
        (inside("vault.yaml", 5, "doors"), word("story.yaml", 8, "doors")),  # unlocked("doors")
        (inside("hall.yaml", 6, "doors"), word("story.yaml", 8, "doors")),  # unlock: doors
        (inside("hall.yaml", 16, "coins"), word("story.yaml", 5, "coins")),  # coins in a condition
        (inside("hall.yaml", 4, "coins"), word("story.yaml", 5, "coins")),  # {coins} in text
        (inside("hall.yaml", 13, "coins"), word("story.yaml", 5, "coins")),  # subtract: {coins: 1}
        (inside("hall.yaml", 16, "keys"), word("story.yaml", 6, "keys")),  # keys in a condition
        (inside("hall.yaml", 16, "brass"), word("story.yaml", 6, "brass")),  # "brass" in keys: the member
        (inside("hall.yaml", 12, "brass"), word("story.yaml", 6, "brass")),  # add: {keys: brass}
        (inside("story.yaml", 3, "hall"), word("hall.yaml", 2, "hall")),  # start: hall
    ],
)
def test_go_to_definition_finds_where_a_name_is_declared(
    client: Client, story: Path, cursor: tuple[str, int, int], declared: tuple[str, int, int, int]
) -> None:
    file, line, character = cursor
    client.open(story / file)
    found = client.at("textDocument/definition", story / file, line, character)
    assert [span(location) for location in found] == [declared]


def test_find_references_lists_every_use_of_a_scene_across_files(client: Client, story: Path) -> None:
    client.open(story / "hall.yaml")
    found = client.at("textDocument/references", story / "hall.yaml", 2, 11, context={"includeDeclaration": True})
    assert sorted(span(location) for location in found) == [
        word("hall.yaml", 2, "hall"), word("hall.yaml", 9, "hall"), word("story.yaml", 3, "hall"), word("vault.yaml", 5, "hall"),
    ]


def test_definition_on_plain_text_finds_nothing(client: Client, story: Path) -> None:
    client.open(story / "hall.yaml")
    assert client.at("textDocument/definition", story / "hall.yaml", 3, 12) is None


# --- completion -------------------------------------------------------------------------------


def test_completion_offers_scene_ids_after_goto(client: Client, story: Path) -> None:
    hall = story / "hall.yaml"
    client.open(hall, hall.read_text(encoding="utf-8").replace("goto: vault", "goto: "))
    assert labels(client.at("textDocument/completion", hall, 15, 14)) == {"hall", "vault"}


def test_a_completed_id_replaces_all_that_was_typed_of_it(client: Client, story: Path) -> None:
    hall = story / "hall.yaml"
    client.open(hall, hall.read_text(encoding="utf-8").replace("goto: vault", "goto: my.va"))
    items = client.at("textDocument/completion", hall, 15, 19)["items"]
    edits = {item["textEdit"]["newText"]: item["textEdit"]["range"] for item in items}
    assert edits["vault"] == {"start": {"line": 15, "character": 14}, "end": {"line": 15, "character": 19}}


def test_completion_offers_variables_and_functions_in_conditions_and_interpolation(client: Client, story: Path) -> None:
    hall = story / "hall.yaml"
    client.open(hall)
    in_condition = labels(client.at("textDocument/completion", hall, 16, word("hall.yaml", 16, "coins")[2]))
    assert {"coins", "keys", "visited", "size", "turn", "and"} <= in_condition
    in_text = labels(client.at("textDocument/completion", hall, 4, word("hall.yaml", 4, "coins")[2]))
    assert {"coins", "keys", "title"} <= in_text


def test_completion_offers_members_codex_ids_and_quoted_scene_ids(client: Client, story: Path) -> None:
    hall, vault = story / "hall.yaml", story / "vault.yaml"
    client.open(hall)
    client.open(vault)
    assert labels(client.at("textDocument/completion", hall, 12, word("hall.yaml", 12, "brass")[2])) == {"brass", "iron"}  # add: {keys: |
    assert labels(client.at("textDocument/completion", hall, 16, word("hall.yaml", 16, "brass")[2])) == {"brass", "iron"}  # '"|brass" in
    assert labels(client.at("textDocument/completion", hall, 6, word("hall.yaml", 6, "doors")[2])) == {"doors"}  # unlock: |
    assert labels(client.at("textDocument/completion", vault, 5, word("vault.yaml", 5, "hall")[2])) == {"hall", "vault"}  # visited("|
    assert labels(client.at("textDocument/completion", vault, 5, word("vault.yaml", 5, "doors")[2])) == {"doors"}  # unlocked("|


def test_completion_offers_the_keys_of_the_format_at_each_level(client: Client, story: Path) -> None:
    hall = story / "hall.yaml"
    text = hall.read_text(encoding="utf-8").rstrip("\n")
    client.open(hall, text + "\n        \n  - \n          - ")
    choice = labels(client.at("textDocument/completion", hall, 18, 8))
    assert {"label", "goto", "if", "disabled", "effects", "once", "fallback"} <= choice
    assert "title" not in choice
    scene = labels(client.at("textDocument/completion", hall, 19, 4))
    assert {"id", "title", "text", "choices", "ending", "recap", "on_enter"} <= scene
    top = labels(client.at("textDocument/completion", hall, 0, 0))
    assert {"chapter", "scenes", "codex", "variables"} <= top and "start" not in top
    header = labels(client.at("textDocument/completion", story / "story.yaml", 0, 0))
    assert {"id", "title", "start", "renamed", "status"} <= header


def test_completion_in_an_effect_offers_the_variables_it_can_change(client: Client, story: Path) -> None:
    hall = story / "hall.yaml"
    client.open(hall, hall.read_text(encoding="utf-8").replace("- subtract: {coins: 1}", "- subtract: {"))
    assert labels(client.at("textDocument/completion", hall, 13, 24)) == {"coins"}


# --- hover ------------------------------------------------------------------------------------


def test_hover_on_a_variable_shows_its_type_range_default_and_doc(client: Client, story: Path) -> None:
    client.open(story / "hall.yaml")
    text = client.at("textDocument/hover", story / "hall.yaml", *inside("hall.yaml", 16, "coins")[1:])["contents"]["value"]
    assert "int 0..9" in text and "default: `2`" in text and "Money in the purse" in text


def test_hover_on_a_scene_shows_its_title_chapter_and_the_choices_leading_to_it(client: Client, story: Path) -> None:
    client.open(story / "hall.yaml")
    text = client.at("textDocument/hover", story / "hall.yaml", 15, 16)["contents"]["value"]
    assert "The Vault" in text and "chapter: Cellar" in text and "1 choice leads here" in text and "ending: Rich" in text


def test_hover_on_a_codex_id_and_a_key(client: Client, story: Path) -> None:
    client.open(story / "hall.yaml")
    assert "The Doors" in client.at("textDocument/hover", story / "hall.yaml", 6, 18)["contents"]["value"]
    assert "once" in client.at("textDocument/hover", story / "hall.yaml", 10, 9)["contents"]["value"]


# --- rename -----------------------------------------------------------------------------------


def test_renaming_a_scene_updates_every_file_and_records_the_old_id_for_saves(client: Client, story: Path) -> None:
    client.open(story / "hall.yaml")
    assert client.at("textDocument/prepareRename", story / "hall.yaml", 15, 16) == {
        "start": {"line": 15, "character": 14}, "end": {"line": 15, "character": 19},
    }
    edit = client.at("textDocument/rename", story / "hall.yaml", 15, 16, newName="strongroom")
    assert {Path(key.removeprefix("file://")).name for key in edit["changes"]} == {"hall.yaml", "vault.yaml", "story.yaml"}
    for key, edits in edit["changes"].items():
        path = Path(key.removeprefix("file://"))
        path.write_text(apply(path.read_text(encoding="utf-8"), edits), encoding="utf-8")
    renamed, problems = check_story(str(story))
    assert problems == []
    assert renamed is not None
    assert "strongroom" in renamed.scenes and "vault" not in renamed.scenes
    assert dict(renamed.renamed) == {"vault": "strongroom"}


def test_renaming_extends_an_existing_renamed_block(client: Client, story: Path) -> None:
    header = story / "story.yaml"
    header.write_text(header.read_text(encoding="utf-8") + "renamed:\n  cellar: vault\n", encoding="utf-8")
    client.open(story / "hall.yaml")
    edit = client.at("textDocument/rename", story / "hall.yaml", 15, 16, newName="strongroom")
    for key, edits in edit["changes"].items():
        path = Path(key.removeprefix("file://"))
        path.write_text(apply(path.read_text(encoding="utf-8"), edits), encoding="utf-8")
    renamed, problems = check_story(str(story))
    assert problems == []
    assert renamed is not None
    assert dict(renamed.renamed) == {"cellar": "strongroom", "vault": "strongroom"}


@pytest.mark.parametrize(("new_name", "fragment"), [("not valid!", "not a valid scene id"), ("hall", "already a scene")])
def test_a_bad_new_scene_id_is_refused(client: Client, story: Path, new_name: str, fragment: str) -> None:
    client.open(story / "hall.yaml")
    with pytest.raises(ResponseError, match=fragment):
        client.at("textDocument/rename", story / "hall.yaml", 15, 16, newName=new_name)


def test_only_scenes_can_be_renamed(client: Client, story: Path) -> None:
    client.open(story / "hall.yaml")
    coins = inside("hall.yaml", 16, "coins")[1:]
    assert client.at("textDocument/prepareRename", story / "hall.yaml", *coins) is None
    with pytest.raises(ResponseError, match="only scene ids"):
        client.at("textDocument/rename", story / "hall.yaml", *coins, newName="money")


# --- outline ----------------------------------------------------------------------------------


def test_document_symbols_give_chapters_and_their_scenes_with_titles(client: Client, story: Path) -> None:
    client.open(story / "hall.yaml")
    [chapter] = client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri(story / "hall.yaml")}})
    assert chapter["name"] == "Ground Floor"
    assert [(child["name"], child["detail"]) for child in chapter["children"]] == [("hall", "The Hall")]
    header = client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri(story / "story.yaml")}})
    assert [(item["name"], item["detail"]) for item in header] == [
        ("coins", "int 0..9"), ("keys", "set of brass, iron"), ("doors", "The Doors"),
    ]


# --- the shipped story and hostile input -------------------------------------------------------


def test_the_shipped_story_opens_without_diagnostics_and_answers(tmp_path: Path) -> None:
    shipped = ROOT / "scenes"
    server = Client()
    server.initialize(shipped)
    first = sorted(shipped.glob("*.yaml"))[1]
    server.open(first)
    symbols = server.request("textDocument/documentSymbol", {"textDocument": {"uri": uri(first)}})
    assert symbols
    assert all(server.latest_diagnostics(path) in (None, []) for path in shipped.glob("*.yaml"))
    assert server.close() == 0


HOSTILE = sorted((HERE / "hostile").glob("*.yaml"))
BASE = {
    "story.yaml": "id: hostile\ntitle: Hostile\nversion: 1\nstart: start\n",
    "base.yaml": "scenes:\n  - id: start\n    title: Start\n    text: Hi.\n    ending: {id: end, name: End}\n",
}


def test_no_hostile_document_crashes_the_server(tmp_path: Path) -> None:
    server = Client()
    server.initialize(tmp_path)
    for number, hostile in enumerate(HOSTILE):
        root = write_story(tmp_path / f"s{number}", BASE)
        document = root / "h.yaml"
        text = hostile.read_bytes().decode("utf-8", errors="replace")
        server.open(document, text)
        lines = text.split("\n")
        middle = len(lines) // 2
        spots = [(0, 0), (0, len(lines[0])), (middle, len(lines[middle]) // 2), (len(lines) - 1, len(lines[-1])), (len(lines) + 5, 3)]
        for line, character in spots:
            server.at("textDocument/completion", document, line, character)
            server.at("textDocument/hover", document, line, character)
            server.at("textDocument/definition", document, line, character)
            server.at("textDocument/prepareRename", document, line, character)
        server.request("textDocument/documentSymbol", {"textDocument": {"uri": uri(document)}})
        server.change(document, 2, text[: len(text) // 2])
        server.notify("textDocument/didClose", {"textDocument": {"uri": uri(document)}})
    assert server.process.poll() is None, server.stderr()
    assert server.close() == 0


# --- packaging --------------------------------------------------------------------------------


def test_the_game_and_the_tools_never_import_pygls() -> None:
    code = textwrap.dedent("""\
        import sys
        import adventure.cli, adventure.cli_tools, adventure.play.repl, adventure.play.plain, adventure.story.loader
        import adventure.tools.analysis, adventure.tools.proofing, adventure.tools.starter, adventure.tools.walkthrough
        print(sorted(name for name in sys.modules if name.split(".")[0] in ("pygls", "lsprotocol")))
        """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env_for_subprocess(), check=True)
    assert done.stdout.strip() == "[]"


def test_without_pygls_the_command_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from adventure.cli import main

    monkeypatch.setitem(sys.modules, "pygls", None)  # an import of pygls now fails, as it does where it is not installed
    monkeypatch.delitem(sys.modules, "adventure.lsp.server", raising=False)
    err = io.StringIO()
    assert main(["lsp"], stdout=io.StringIO(), stderr=err) == 1
    assert "pip install 'adventure[lsp]'" in err.getvalue()


SNIPPETS = {
    "story.yaml": """\
        id: snip
        title: Snip
        version: 1
        start: a
        snippets:
          rain: "{cycle: the rain keeps on|the rain eases}"
        """,
    "a.yaml": """\
        snippets:
          door: the red door
        scenes:
          - id: a
            title: A
            text: Outside, {>rain}. Ahead, {>door}.
            ending: {id: a, name: A}
        """,
}


def test_snippets_go_to_their_declaration_and_complete_after_the_marker(tmp_path: Path) -> None:
    story = write_story(tmp_path / "snip", SNIPPETS)
    scene = story / "a.yaml"
    line = textwrap.dedent(SNIPPETS["a.yaml"]).split("\n")[5]
    server = Client()
    server.initialize(story)
    server.open(scene)
    rain = server.at("textDocument/definition", scene, 5, line.index("rain") + 1)
    assert [span(found) for found in rain] == [("story.yaml", 5, 2, 6)]
    door = server.at("textDocument/definition", scene, 5, line.index("door") + 1)
    assert [span(found) for found in door] == [("a.yaml", 1, 2, 6)]
    server.change(scene, 2, textwrap.dedent(SNIPPETS["a.yaml"]).replace("{>door}", "{>"))
    assert labels(server.at("textDocument/completion", scene, 5, line.index("{>door}") + 2)) == {"rain", "door"}
    assert server.close() == 0


def test_a_broken_goto_does_not_make_other_scenes_look_unreachable(client: Client, story: Path) -> None:
    hall = story / "hall.yaml"
    client.open(hall, hall.read_text(encoding="utf-8").replace("goto: vault", "goto: vaul"))
    assert [problem.get("code") for problem in client.diagnostics(hall)] == ["E202"]
    client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri(hall)}})
    assert client.latest_diagnostics(story / "vault.yaml") in (None, [])  # no W104 for the ending the typo cut off


def test_names_inside_a_snippet_body_are_uses_an_editor_finds(tmp_path: Path) -> None:
    files = {
        **SNIPPETS,
        "story.yaml": SNIPPETS["story.yaml"].replace(
            "        snippets:\n", "        variables:\n          coins: {type: int, default: 2}\n        snippets:\n"
        ),
        "a.yaml": SNIPPETS["a.yaml"].replace("door: the red door", 'door: "the red door{if visits(\'a\') > 1: again}, {coins} coins"'),
    }
    story = write_story(tmp_path / "snip", files)
    index = build_index(str(story))
    assert [problem.code for problem in index.problems if problem.code.startswith("E")] == []
    in_file = [symbol for symbol in index.symbols if symbol.where.path.endswith("a.yaml") and not symbol.declares]
    uses = [(symbol.kind, symbol.name, symbol.where.line) for symbol in in_file if symbol.kind != "snippet"]
    assert sorted(uses) == [("scene", "a", 2), ("variable", "coins", 2)]  # both in the body of `door`, on line 2
    coins = next(symbol for symbol in index.symbols if symbol.kind == "variable" and not symbol.declares)
    line = (story / "a.yaml").read_text(encoding="utf-8").splitlines()[1]
    assert line[coins.where.col - 1 :].startswith("coins} coins")
