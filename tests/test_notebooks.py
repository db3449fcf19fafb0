"""Every chapter of _toc.yml runs top to bottom, once per test run.

Each chapter is executed as Jupyter Book executes it (nbclient, the
notebook's kernel, its folder as working directory, the per-cell timeout
of _config.yml; see scripts/book_execution.py), and the executed notebook
goes into the site build's cache, so test_site.py builds the website from
these executions instead of running every chapter a second time. A
failure names the notebook and the cell, with its source and its error.

One chapter alone:  .venv/bin/python -m pytest -o addopts=""
"tests/test_notebooks.py::test_chapter_runs[gd]"  (or, with nbmake,
.venv/bin/python -m pytest -o addopts="" --nbmake chapters/gd.ipynb).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_chapter, toc_chapters

pytestmark = pytest.mark.notebooks

CHAPTERS = toc_chapters()


@pytest.mark.parametrize("chapter", CHAPTERS,
                         ids=[Path(c).name for c in CHAPTERS])
def test_chapter_runs(chapter):
    outcome = run_chapter(chapter)
    if outcome["error"]:
        pytest.fail(outcome["error"], pytrace=False)
    print(f"{chapter}: {outcome['seconds']} s")
