"""Cold start: the plain player, `check` and a script using the public API import only what they use."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

from conftest import StoryDir, env_for_subprocess

import adventure

ASCII_STORY = {
    "story.yaml": """\
        id: cold
        title: Cold
        version: 1
        start: gate
        """,
    "scenes.yaml": """\
        scenes:
          - id: gate
            title: Gate
            text: A plain gate in plain words.
            choices:
              - label: Walk through
                goto: yard
          - id: yard
            title: Yard
            text: The yard is empty.
            ending: {id: yard, name: The Yard}
        """,
}


def imported_modules(*arguments: str) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """Run the command line in a fresh interpreter under -X importtime; the names of every module it imported."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "adventure", *arguments],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env_for_subprocess(), timeout=120, check=False,
    )
    names = {line.rsplit("|", 1)[1].strip() for line in run.stderr.splitlines() if line.startswith("import time:") and "|" in line}
    return names, run


def test_the_plain_player_shows_a_scene_without_importing_the_terminal_toolkit_or_the_tools(story_dir: StoryDir) -> None:
    root: Path = story_dir(ASCII_STORY)
    names, run = imported_modules("play", "--plain", "--story", str(root))
    assert "A plain gate in plain words." in run.stdout
    assert "adventure.play.plain" in names  # the list was read: an empty one would prove nothing
    assert not {name for name in names if name.split(".")[0] == "prompt_toolkit"}
    assert not {name for name in names if name.split(".")[0] == "wcwidth"}  # its tables only for text beyond ASCII
    assert not {name for name in names if name.split(".")[:2] == ["adventure", "tools"]}
    assert not names & {"adventure.cli_tools", "adventure.play.repl", "adventure.play.screen", "adventure.play.completion"}


def test_check_reports_without_importing_the_terminal_toolkit_or_the_players(story_dir: StoryDir) -> None:
    root: Path = story_dir(ASCII_STORY)
    names, run = imported_modules("check", str(root))
    assert run.returncode == 0, run.stderr[-2000:]
    assert "adventure.story.loader" in names  # the list was read: an empty one would prove nothing
    assert not {name for name in names if name.split(".")[0] in ("prompt_toolkit", "wcwidth")}  # the players' width tables
    assert not {name for name in names if name.split(".")[:2] == ["adventure", "play"]}
    # check runs the warnings and the summary; nothing that plays, draws or compares stories
    assert not names & {"json", "tempfile", "signal"}  # imported only for --format json, for writing, and for a game
    assert not names & {"adventure.tools.explore", "adventure.tools.graph", "adventure.tools.diff", "adventure.tools.walkthrough"}
    assert "adventure.tools.counts" in names and "adventure.tools.stats" not in names  # the summary's counts, not `stats`


def test_the_plain_player_measures_text_beyond_ascii_with_the_width_tables(story_dir: StoryDir) -> None:
    scenes = ASCII_STORY["scenes.yaml"].replace("A plain gate in plain words.", "A gate marked 門 in plain words.")
    wide = {**ASCII_STORY, "scenes.yaml": scenes}
    names, run = imported_modules("play", "--plain", "--story", str(story_dir(wide)))
    assert "A gate marked 門 in plain words." in run.stdout
    assert "wcwidth" in names


def test_a_story_read_from_the_cache_is_shown_without_the_parsers(story_dir: StoryDir, tmp_path: Path) -> None:
    # large enough to be cached: a long last scene
    long_text = " ".join(["The yard is empty."] * 2000)
    root = story_dir({**ASCII_STORY, "scenes.yaml": ASCII_STORY["scenes.yaml"].replace("The yard is empty.", long_text)})
    script = (
        "import sys, adventure;"
        f"story = adventure.load_story({str(root)!r});"
        "print(adventure.view(story, adventure.new_game(story, 1).state).paragraphs[0]);"
        "print(' '.join(sorted(sys.modules)))"
    )
    env = {**env_for_subprocess(), "ADVENTURE_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-c", script]
    runs = [subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=True) for _ in range(2)]
    first, hit = (run.stdout.splitlines() for run in runs)
    assert first[0] == hit[0] == "A plain gate in plain words."
    assert "adventure.story.loader.cache" in hit[1].split()  # the list was read: an empty one would prove nothing
    # the second run read the cache: no YAML, no reading or compiling of scenes or text, no parser
    # of inline forms, and nothing for reporting problems it does not have
    assert not {name for name in hit[1].split() if name.split(".")[0] == "yaml"}
    compilers = {"adventure.story.inline", "adventure.story.textcompile", "adventure.story.loader.build", "adventure.source.yamlsource"}
    assert not set(hit[1].split()) & {*compilers, "adventure.source.problems"}
    assert not set(hit[1].split()) & {"hashlib", "_hashlib"}  # the cache's hashes are the built-in BLAKE2 and CRC-32: no OpenSSL


def test_the_program_checks_a_small_story_without_a_garbage_collection(story_dir: StoryDir) -> None:
    # the `adventure` command's entry raises the collector's threshold for its own process: a
    # start's objects all live until exit, and scanning them cost a sixth of its CPU time
    root = story_dir(ASCII_STORY)
    script = (
        "import gc, sys; from adventure.__main__ import run;"
        f"sys.argv = ['adventure', 'check', {str(root)!r}];"
        "before = gc.get_stats()[0]['collections']; code = run();"
        "print(code, gc.get_stats()[0]['collections'] - before)"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env_for_subprocess(), timeout=120, check=True)
    code, collections = run.stdout.split()[-2:]
    assert (code, collections) == ("0", "0")


def test_the_library_leaves_the_collector_of_a_program_that_uses_it_alone() -> None:
    script = "import gc, adventure.cli, adventure.story.loader; print(gc.get_threshold()[0])"
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env_for_subprocess(), timeout=120, check=True)
    assert run.stdout.split() == ["700"]  # Python's own default, which only the program's entry changes


def test_every_dataclass_has_a_docstring_of_its_own() -> None:
    # without one, @dataclass writes one from inspect.signature(cls) as the class is made: time at every start
    undocumented = []
    for found in pkgutil.walk_packages(adventure.__path__, "adventure."):
        if found.name.startswith("adventure.lsp"):
            continue  # needs pygls, an optional extra
        module = importlib.import_module(found.name)
        for value in vars(module).values():
            ours = isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == module.__name__
            if ours and (value.__doc__ or "").startswith(f"{value.__name__}("):
                undocumented.append(f"{module.__name__}.{value.__qualname__}")
    assert "adventure.story.model" in sys.modules  # the walk imported the package: an empty list would prove nothing
    assert undocumented == []


def test_checking_an_unchanged_story_again_loads_no_model(story_dir: StoryDir, tmp_path: Path) -> None:
    long_text = " ".join(["The yard is empty."] * 2000)  # large enough to be cached
    root = story_dir({**ASCII_STORY, "scenes.yaml": ASCII_STORY["scenes.yaml"].replace("The yard is empty.", long_text)})
    env = {**env_for_subprocess(), "ADVENTURE_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-X", "importtime", "-m", "adventure", "check", str(root)]
    runs = [subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=True) for _ in range(2)]
    assert runs[0].stdout == runs[1].stdout and "1 ending" in runs[1].stdout
    names = {line.rsplit("|", 1)[1].strip() for line in runs[1].stderr.splitlines() if line.startswith("import time:") and "|" in line}
    assert "adventure.tools.checkcache" in names  # the list was read: an empty one would prove nothing
    # what the first check found was kept under the story's key, which is worked out without the model
    assert not names & {"adventure.story.model", "adventure.story.loader.cache", "adventure.story.loader.cacheformat"}


def test_the_plain_player_shows_a_cached_story_without_the_problems_module(story_dir: StoryDir, tmp_path: Path) -> None:
    long_text = " ".join(["The yard is empty."] * 2000)  # large enough to be cached
    root = story_dir({**ASCII_STORY, "scenes.yaml": ASCII_STORY["scenes.yaml"].replace("The yard is empty.", long_text)})
    env = {**env_for_subprocess(), "ADVENTURE_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-X", "importtime", "-m", "adventure", "play", "--plain", "--story", str(root), "--saves", str(tmp_path)]
    runs = [subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, timeout=120) for _ in range(2)]
    assert "A plain gate in plain words." in runs[1].stdout
    names = {line.rsplit("|", 1)[1].strip() for line in runs[1].stderr.splitlines() if line.startswith("import time:") and "|" in line}
    assert "adventure.play.plain" in names  # the list was read: an empty one would prove nothing
    assert "adventure.source.problems" not in names  # StoryError and Problem: only for a story that has problems
