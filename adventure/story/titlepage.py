"""A story's title page (id, title, blurb) read from story.yaml alone, before the scenes load."""

from __future__ import annotations

import os
from dataclasses import dataclass

from adventure.source.textsafe import clean, clean_block
from adventure.source.yamlsource import Map, Scalar, load_file

STORY_FILE = "story.yaml"


@dataclass(frozen=True, slots=True)
class TitlePage:
    """What a title screen shows."""

    id: str
    title: str
    blurb: str


def read_title_page(root: str) -> TitlePage | None:
    """The title page, or None when story.yaml cannot give one.

    Only a preview: the full load that follows checks story.yaml properly and reports
    every problem. Reading it here needs no more than the YAML reader, so the title
    screen does not wait for the loader, the model and the expression compiler.
    """
    node, problems = load_file(os.path.join(root, STORY_FILE), STORY_FILE)
    if problems or not isinstance(node, Map):
        return None
    texts = {key: value.value for key in ("id", "title", "blurb") if isinstance(value := node.get(key), Scalar)}
    if not texts.get("id") or not texts.get("title"):
        return None
    return TitlePage(clean(texts["id"]), clean(texts["title"]), clean_block(texts.get("blurb", "")).strip())
