"""Static checks of the chapters: what is committed, how they start, and
that the code they show from scratch is the code d2lmini runs.

Executing the chapters is tests/test_notebooks.py's job; building and
browsing the site is tests/test_site.py's.
"""

from __future__ import annotations

import ast
import inspect
import json
import textwrap
from pathlib import Path

import pytest
import yaml

import d2lmini

ROOT = Path(__file__).resolve().parent.parent
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())


def toc_files() -> list[str]:
    files = []
    for part in TOC.get("parts", []):
        files += [entry["file"] for entry in part.get("chapters", [])]
    return files


CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
IDS = [p.stem for p in CHAPTERS]


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def source(cell: dict) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def test_there_are_chapters_and_all_are_in_the_toc():
    assert CHAPTERS, "no chapters found"
    listed = set(toc_files())
    for path in CHAPTERS:
        assert f"chapters/{path.stem}" in listed, (
            f"{path.name} is not in _toc.yml"
        )
    for entry in listed:
        assert (ROOT / entry).with_suffix(".ipynb").exists() or (
            ROOT / entry
        ).with_suffix(".md").exists(), f"_toc.yml lists missing {entry}"


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_committed_without_outputs(path):
    dirty = [
        i for i, c in enumerate(cells(path))
        if c["cell_type"] == "code"
        and (c.get("outputs") or c.get("execution_count"))
    ]
    assert not dirty, (
        f"{path.name}: cells {dirty} carry outputs; run `make strip`"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_first_cell_installs_d2lmini_from_the_configured_repository(path):
    first = cells(path)[0]
    assert first["cell_type"] == "code"
    assert "remove-cell" in first.get("metadata", {}).get("tags", []), (
        "the install cell must be hidden on the website (tag remove-cell)"
    )
    src = source(first)
    assert 'find_spec("d2lmini") is None' in src
    url = CONFIG["repository"]["url"]
    assert f'"git+{url}"' in src, (
        f"{path.name} installs from another URL than _config.yml's {url}"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_install_cell_is_the_same_in_every_chapter(path):
    """tests/test_colab.py runs the install cell of one chapter on a
    Colab-like python; that covers every chapter only if they share it."""
    reference = CHAPTERS[0]
    assert source(cells(path)[0]) == source(cells(reference)[0]), (
        f"{path.name}'s first cell differs from {reference.name}'s: copy "
        "the install cell verbatim"
    )


KERNEL_WIDGETS = ("ipywidgets", "explore_2d", "interact(", "interactive(",
                  "interactive_output")


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_no_kernel_widgets(path):
    """ipywidgets need a kernel (the static pages cannot run them; the
    book's live traces are in-page widgets, d2l.live_trace_2d), and a
    headless execution of an Output widget stalled now and then until the
    cell's timeout (scripts/book_execution.py, _repolling)."""
    found = sorted({word for c in cells(path) if c["cell_type"] == "code"
                    for word in KERNEL_WIDGETS if word in source(c)})
    assert not found, (
        f"{path.name} uses kernel widgets {found}: use d2l.live_trace_2d")


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_chapter_has_title_exercises_and_solutions(path):
    text = "\n".join(source(c) for c in cells(path)
                     if c["cell_type"] == "markdown")
    assert "\n# " in "\n" + text, "a chapter starts with a # title"
    assert "## Exercises" in text
    n_ex = text.count("{exercise-start}")
    n_sol = text.count("{solution-start}")
    assert n_ex >= 1 and n_ex == n_sol == text.count("{solution-end}")
    assert text.count(":class: dropdown") >= n_sol, (
        "every solution is hidden behind a toggle"
    )


def _strip(node: ast.AST) -> ast.AST:
    """Drop docstrings and annotations, which the book may show or not."""
    for n in ast.walk(node):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = n.body
            if (body and isinstance(body[0], ast.Expr)
                    and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)):
                n.body = body[1:] or [ast.Pass()]
            n.returns = None
            for arg in (n.args.args + n.args.kwonlyargs
                        + n.args.posonlyargs):
                arg.annotation = None
            for arg in (n.args.vararg, n.args.kwarg):
                if arg is not None:
                    arg.annotation = None
    return node


def _shown_functions() -> list[tuple[str, str, ast.FunctionDef]]:
    """(chapter, name, def) for every top-level def named like a helper."""
    found = []
    for path in CHAPTERS:
        for cell in cells(path):
            if cell["cell_type"] != "code":
                continue
            lines = [ln for ln in source(cell).splitlines()
                     if not ln.lstrip().startswith(("%", "!"))]
            try:
                tree = ast.parse("\n".join(lines))
            except SyntaxError:
                continue
            for node in tree.body:
                if (isinstance(node, ast.FunctionDef)
                        and node.name in d2lmini._EXPORTS):
                    found.append((path.stem, node.name, node))
    return found


SHOWN = _shown_functions()


@pytest.mark.parametrize(
    ("chapter", "name", "node"), SHOWN,
    ids=[f"{c}-{n}" for c, n, _ in SHOWN],
)
def test_from_scratch_code_is_the_package_code(chapter, name, node):
    package_src = textwrap.dedent(inspect.getsource(getattr(d2lmini, name)))
    package_node = ast.parse(package_src).body[0]
    shown = ast.dump(_strip(node))
    runs = ast.dump(_strip(package_node))
    assert shown == runs, (
        f"chapters/{chapter}.ipynb shows a {name}() that differs from "
        f"d2lmini.{name}; keep them equal (docstrings and type hints may "
        "differ)"
    )
