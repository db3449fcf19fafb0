"""Shared helpers for the slow tests: where the book is, its chapters, and
each chapter executed once per test run."""

from __future__ import annotations

import fcntl
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

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


# With D2LMINI_RECORD_CHECKS=PATH, every (name, answer) that d2l.check
# receives during the run is written to PATH as JSON, for the answers a
# page could receive too (numbers, texts, nested lists of them, dicts of
# them, None);
# tests/test_checks_js.py runs the check tests so in a subprocess.
RECORD_CHECKS = os.environ.get("D2LMINI_RECORD_CHECKS")


def _as_page_value(answer, depth=0):
    """``answer`` as a JSON value, or raise TypeError (functions, dicts,
    non-finite numbers, anything a page cannot hold)."""
    import math
    import numbers

    if depth > 8:
        raise TypeError
    if answer is None or isinstance(answer, (str, bool)):
        return answer
    if hasattr(answer, "detach"):
        answer = answer.detach().cpu().tolist()
    elif hasattr(answer, "tolist") and hasattr(answer, "dtype"):
        answer = answer.tolist()
    if isinstance(answer, (list, tuple)):
        return [_as_page_value(a, depth + 1) for a in answer]
    if isinstance(answer, dict) and all(isinstance(k, str) for k in answer):
        return {k: _as_page_value(v, depth + 1) for k, v in answer.items()}
    if isinstance(answer, numbers.Integral) and not isinstance(answer, bool):
        return int(answer)
    if isinstance(answer, numbers.Real) and math.isfinite(float(answer)):
        return float(answer)
    raise TypeError


def pytest_configure(config):
    if RECORD_CHECKS:
        import d2lmini.checks

        d2lmini.checks._RECORDED = []


def pytest_sessionfinish(session, exitstatus):
    if not RECORD_CHECKS:
        return
    import d2lmini.checks

    seen, cases = set(), []
    for name, answer in d2lmini.checks._RECORDED or []:
        try:
            case = [name, _as_page_value(answer)]
        except TypeError:
            continue
        key = json.dumps(case, sort_keys=True)
        if key not in seen:
            seen.add(key)
            cases.append(case)
    Path(RECORD_CHECKS).write_text(json.dumps(cases), encoding="utf-8")


# -- the website, built once, served locally, and a browser ----------------
# (tests/test_site.py, tests/test_site_theme.py)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-quic",
]
SITE = OUTPUT / "site"  # jupyter-book writes into SITE/_build
CHAPTERS = toc_chapters()


def _build_site(build: Path) -> int:
    # A fresh build folder, except for the execution cache.
    for entry in build.iterdir():
        if entry.name != ".jupyter_cache":
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    env = dict(os.environ, NO_COLOR="1", TERM="dumb")
    jb = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run(
        [str(jb), "build", str(REPO), "--path-output", str(SITE),
         "-W", "-n", "--keep-going"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=1800,
    )
    log = ANSI.sub("", proc.stdout + proc.stderr)
    (SITE / "build.log").write_text(log, encoding="utf-8")
    return proc.returncode


@pytest.fixture(scope="session")
def site_build():
    """Build the book into a fresh test-output/site/_build, once per run.

    Under pytest-xdist the site tests may land on several workers (the
    xdist_group marks are a no-op with pytest 9 and xdist 3.8), so the
    first worker builds under a file lock and the others of the same run
    (same PYTEST_XDIST_TESTRUNUID) reuse its result.
    """
    build = SITE / "_build"
    build.mkdir(parents=True, exist_ok=True)
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    stamp = SITE / "build-run.json"
    with open(SITE / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = json.loads(stamp.read_text()) if stamp.is_file() else {}
        if run and done.get("run") == run:
            returncode, failed = done["returncode"], done.get("failed", [])
        else:
            stamp.unlink(missing_ok=True)
            # Every chapter executed once (the chapter tests may be doing
            # it on the other worker, from the first chapter on: start
            # from the last), into the cache the build reads.
            failed = [c for c in reversed(CHAPTERS) if run_chapter(c)["error"]]
            returncode = None if failed else _build_site(build)
            stamp.write_text(json.dumps({"run": run, "failed": failed,
                                         "returncode": returncode}))
    if failed:
        pytest.fail(f"the site was not built: {', '.join(failed)} failed "
                    "to run (see tests/test_notebooks.py's report)",
                    pytrace=False)
    log = (SITE / "build.log").read_text(encoding="utf-8")
    return returncode, log, build / "html"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def local_server(directory):
    """Serve ``directory`` on a free port of 127.0.0.1; yield its base URL
    (no trailing slash)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="session")
def server(site_build):
    with local_server(site_build[2]) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).is_file():
        message = (f"{CHROMIUM} not found: install it with `make browser` "
                   "(Debian's chromium package)")
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set, so this is a failure)")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright's default launch gives a fresh temporary profile.
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    """A page that may talk to the local server only; records problems."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.blocked, page.errors = [], []

    def only_local(route):
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            page.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page.on("console", lambda msg: msg.type == "error" and page.errors.append(
        f"console.error: {msg.text} ({msg.location.get('url', '')})"))
    page.on("pageerror", lambda exc: page.errors.append(
        f"uncaught exception: {exc}"))
    page.on("requestfailed", lambda req: req.url in page.blocked or
            page.errors.append(f"request failed: {req.url} "
                               f"({req.failure})"))
    yield page
    context.close()
