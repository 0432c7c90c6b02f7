"""A starter story for `adventure new`: the files of a small, sound story, as text."""

from __future__ import annotations

import json
import os
import re

from adventure.source.textsafe import clean
from adventure.tools.schema import schema_json

STORY_FOLDER = "story"
WALKTHROUGHS = "walkthroughs"
SCHEMAS = "schemas"


def story_id(name: str) -> str:
    """A valid story id from a folder name: `My Story!` gives `My-Story`."""
    base = re.sub(r"[^A-Za-z0-9_-]+", "-", os.path.basename(os.path.normpath(name))).strip("-_")
    return base or "my-story"


def story_title(name: str) -> str:
    words = re.split(r"[\s_-]+", clean(os.path.basename(os.path.normpath(name))))
    title = " ".join(word[:1].upper() + word[1:] for word in words if word)
    return title or "My Story"


def starter_files(name: str) -> dict[str, str]:
    """Every file of a new story project, by path relative to the project folder."""
    identifier, title = story_id(name), story_title(name)
    return {
        "README.md": README.replace("{title}", title),
        f"{STORY_FOLDER}/story.yaml": STORY.replace("{id}", identifier).replace("{title}", json.dumps(title, ensure_ascii=False)),
        f"{STORY_FOLDER}/01-the-tower.yaml": CHAPTER,
        f"{WALKTHROUGHS}/light-held.yaml": WALK_LIGHT,
        f"{WALKTHROUGHS}/dark-night.yaml": WALK_DARK,
        f"{SCHEMAS}/adventure-story.json": schema_json("story"),
        f"{SCHEMAS}/adventure-scenes.json": schema_json("scenes"),
    }


STORY = """\
# yaml-language-server: $schema=../schemas/adventure-story.json
id: {id}
title: {title}
version: 1
start: shore
author: You
blurb: A keeper, a dark lighthouse and one match. Change anything; `adventure check` says what broke.

variables:
  matches: {type: int, default: 1, min: 0, max: 5, doc: Matches left in the keeper's box}
  lamp_lit: {type: bool, default: false, doc: Whether the lighthouse lamp is burning}
  found: {type: set, members: [key, logbook], doc: What the keeper has picked up or read}

status: "matches {matches} · found {size(found)}/2"

codex:
  lighthouse:
    title: The Lighthouse
    text:
      - A white tower on the last rock before the open sea.
      - if: lamp_lit
        text: Its lamp turns again, sweeping the water every nine seconds.
"""

CHAPTER = """\
# yaml-language-server: $schema=../schemas/adventure-scenes.json
chapter: The Tower
scenes:
  - id: shore
    title: The Shore
    recap: You came back to the lighthouse at dusk, with a storm behind you.
    on_enter:
      - unlock: lighthouse
    text: >
      The tide is out. The tower stands dark above the rocks, and the storm
      is building in the west.
    choices:
      - label: Search the boathouse
        goto: boathouse
      - label: Climb the tower stairs
        goto: stairs

  - id: boathouse
    title: The Boathouse
    text:
      - Nets, oars and the smell of tar.
      - if: '"key" in found'
        text: The nail where the spare key hung is bare now.
        else: A spare key hangs on a nail by the door.
    choices:
      - label: Pocket the spare key
        goto: boathouse
        once: true
        effects:
          - add: {found: key}
      - label: Go back outside
        goto: shore

  - id: stairs
    title: The Stairs
    text: One hundred and twelve steps, and a locked door at the top.
    choices:
      - label: Unlock the lamp room
        goto: lamp_room
        if: '"key" in found'
        disabled: The door is locked. The spare key is down in the boathouse.
      - label: Go back down
        goto: shore

  - id: lamp_room
    title: The Lamp Room
    recap: You reached the lamp with a single match.
    text:
      - The great lens waits, cold and clean. Matches left in the box - {matches}.
      - if: lamp_lit
        text: The flame is steady. Out on the water, a light answers.
    choices:
      - label: Read the old logbook by match light
        goto: lamp_room
        once: true
        if: matches > 0
        disabled: You have no match to spare.
        effects:
          - subtract: {matches: 1}
          - add: {found: logbook}
      - label: Light the lamp
        goto: lamp_room
        if: matches > 0 and not lamp_lit
        disabled: There is no match left to light it with.
        effects:
          - subtract: {matches: 1}
          - set: {lamp_lit: true}
      - label: Keep watch until morning
        goto: light_held
        if: lamp_lit
      - label: Wait in the dark
        goto: dark_night
        fallback: true

  - id: light_held
    title: The Light Held
    text: At dawn a fishing boat rounds the point, safe, and its crew wave up at the tower.
    ending:
      id: light_held
      name: The Light Held
      canonical: true

  - id: dark_night
    title: A Dark Night
    text:
      - The storm passes over a black tower. Nobody sees what the sea takes.
      - if: '"logbook" in found'
        text: At least you know now what the last keeper wrote.
    ending:
      id: dark_night
      name: A Dark Night
"""

WALK_LIGHT = """\
name: Light the lamp (the canonical ending)
story: ../story
steps:
  - see: The tide is out
  - choose: Search the boathouse
  - choose: Pocket the spare key
  - expect: {found: [key]}
  - choose: Go back outside
  - choose: Climb the tower stairs
  - choose: Unlock the lamp room
  - unlocked: lighthouse
  - choose: Light the lamp
  - expect: {matches: 0, lamp_lit: true}
  - cannot_choose: Read the old logbook
  - choose: Keep watch until morning
  - ending: light_held
"""

WALK_DARK = """\
name: Read the logbook instead
story: ../story
steps:
  - cannot_choose: Unlock the lamp room
  - choose: Climb the tower stairs
  - cannot_choose: Unlock the lamp room
  - choose: Go back down
  - choose: Search the boathouse
  - choose: Pocket the spare key
  - choose: Go back outside
  - choose: Climb the tower stairs
  - choose: Unlock the lamp room
  - choose: Read the old logbook
  - check: '"logbook" in found and matches == 0'
  - choose: Wait in the dark
  - see: what the last keeper wrote
  - ending: dark_night
"""

README = """\
# {title}

A story for [adventure](https://pypi.org/project/adventure/), made by `adventure new`.

    story/            the story: story.yaml and one file per chapter
    walkthroughs/     scripted playthroughs that must keep passing
    schemas/          JSON Schemas your editor uses to complete and check keys

Everyday commands, from this folder:

    adventure check --strict story     # every error and warning, with hints
    adventure play --story story       # play it (add --from SCENE to start anywhere)
    adventure test walkthroughs        # run the walkthroughs
    adventure export story --format html --output proof.html   # a copy to proofread

For completion, go to definition and errors as you type, run your editor's language
client with `adventure lsp` (see docs/editors.md in the adventure sources). The format is
described in docs/scene-format.md.

Keep walkthroughs out of `story/`: every .yaml file there is read as scenes.
"""
