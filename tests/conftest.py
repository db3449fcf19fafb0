"""Shared helpers for the slow tests: where the book is, its chapters, and
each chapter executed once per test run."""

from __future__ import annotations

import fcntl
import json
import os
import re
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
OUTPUT = REPO / "test-output"  # gitignored: builds, screenshots, logs
# The site test builds into test-output/site/_build; myst-nb keeps the
# executed notebooks next to it, where the chapter tests put them.
SITE_CACHE = OUTPUT / "site" / "_build" / ".jupyter_cache"
EXECUTIONS = OUTPUT / "executions"
# One id per pytest run, shared by the pytest-xdist workers of that run.
RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex
ANSI = re.compile(r"\x1b\[[0-9;]*m")

sys.path.insert(0, str(REPO / "scripts"))
import book_execution  # noqa: E402


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


@contextmanager
def _locked(name: str):
    """A lock shared by the processes of a test run (pytest-xdist workers)."""
    EXECUTIONS.mkdir(parents=True, exist_ok=True)
    with open(EXECUTIONS / f"{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def run_chapter(chapter: str) -> dict:
    """Execute a chapter once per test run and cache it for the site.

    The first caller (its test in test_notebooks.py, or the site build,
    whichever comes first) executes the notebook as Jupyter Book would and
    puts the executed notebook into the site build's cache, where the build
    then finds it instead of executing it again; later callers of the same
    run get the recorded result. Returns {"seconds", "error"}; error is
    None or a report naming the notebook, the cell, its source and error.
    """
    name = chapter.replace("/", "-")
    record = EXECUTIONS / RUN_ID / f"{name}.json"
    with _locked(name):
        if record.is_file():
            return json.loads(record.read_text())
        path = REPO / f"{chapter}.ipynb"
        result = book_execution.execute_notebook(path)
        if result.error is None:
            with _locked("site-cache"):
                book_execution.sync_cache(
                    SITE_CACHE, book_execution.fingerprint())
                book_execution.store_in_cache(SITE_CACHE, path, result)
        outcome = {"seconds": round(result.seconds, 1),
                   "error": ANSI.sub("", result.error or "") or None}
        if not record.parent.is_dir():  # a new run: drop day-old records
            for old in EXECUTIONS.glob("*/*.json"):
                if old.stat().st_mtime < time.time() - 86400:
                    old.unlink(missing_ok=True)
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps(outcome))
        return outcome


# The longest tests first, so that pytest-xdist's two workers run them side
# by side: the chapters (two at once), then the Colab-like environments, then
# the site (which needs every chapter executed), then the unit tests.
_ORDER = {"test_notebooks.py": 0, "test_colab.py": 1, "test_site.py": 2}


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: _ORDER.get(item.path.name, 3))


# --- The exercise checks' tests (tests/test_checks_*.py) ---

@pytest.fixture
def not_yet():
    """`not_yet(name, answer, *words)`: d2l.check(name, answer) says "Not
    yet" with a hint, and every word appears in its message or hint.
    Returns the feedback for further asserts."""
    import d2lmini as d2l

    def judge(name, answer, *words):
        fb = d2l.check(name, answer)
        assert not fb.passed and fb.verdict == "Not yet", (name, str(fb))
        assert fb.hint, (name, str(fb))
        for word in words:
            assert word in fb.message + fb.hint, (name, word, str(fb))
        return fb

    return judge


@pytest.fixture
def passes():
    """`passes(name, answer)`: d2l.check(name, answer) accepts the answer.
    Returns the feedback."""
    import d2lmini as d2l

    def judge(name, answer):
        fb = d2l.check(name, answer)
        assert fb.passed, (name, str(fb))
        return fb

    return judge
