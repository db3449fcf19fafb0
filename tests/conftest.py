"""Shared helpers for the slow tests: where the book is, and its chapters."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
OUTPUT = REPO / "test-output"  # gitignored: builds, screenshots, logs


def _toc_files(node) -> list[str]:
    """Every `file:` entry of a _toc.yml node, in reading order."""
    found = []
    if isinstance(node, dict):
        if isinstance(node.get("file"), str):
            found.append(node["file"])
        for key in ("parts", "chapters", "sections"):
            for child in node.get(key) or []:
                found.extend(_toc_files(child))
    return found


def toc_chapters() -> list[str]:
    """The chapter notebooks listed in _toc.yml, as 'chapters/NAME'."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    return [
        name.removesuffix(".ipynb")
        for name in _toc_files(toc)
        if name.startswith("chapters/")
        and (REPO / name).with_suffix(".ipynb").is_file()
    ]


def book_config() -> dict:
    return yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
