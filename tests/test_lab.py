"""`make lab` (scripts/lab.py) in a real JupyterLab, driven in Chromium.

scripts/lab.py starts JupyterLab as a student's `make lab` does, on a
free port of 127.0.0.1 with a token, in a temporary folder that holds two
of the book's chapters, with Jupyter's configuration, data (the trust
database) and runtime folders of its own; every request of the page that
leaves 127.0.0.1 is blocked and recorded (none may be). A user-level
kernel "python3" that is not the book's Python is planted in that data
folder: the kernel must still be the book's Python. The page gets no
news, no question about news and no update check.

- The first chapter, opened from the student's copy in work/, runs with
  Run > Run All Cells in JupyterLab's own front end: its live trace draws
  its path and follows a click on a slider, and the `d2l.check` cells
  show their verdicts. Saved, the copy holds the outputs and JupyterLab
  signed it; the committed chapter is unchanged.
- Trust (JupyterLab 4): a live trace saved in a notebook draws when the
  notebook is opened again only if the notebook is trusted. A copy of a
  chapter that the student already had in work/ is kept as it was, and
  scripts/lab.py trusted it: its saved trace draws. A notebook like it
  under another name (with a title of its own: trust goes by content),
  which scripts/lab.py does not trust, shows the trace's placeholder
  without its script; run again, its trace draws.
- The arrow keys move a live trace's slider: the widget keeps the keys
  its controls use from reaching JupyterLab's notebook, which would
  otherwise take them (command mode) and move the focus to the cell.

Marked `site` (a browser test), so `make test-fast` skips it. Alone:
`.venv/bin/python -m pytest -o addopts="" tests/test_lab.py -p no:xdist`
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from urllib.parse import urlparse

import nbformat
import psutil
import pytest
from conftest import OUTPUT, REPO
from nbformat.sign import NotebookNotary

import d2lmini as d2l

pytestmark = [pytest.mark.site]

CHAPTER = "gd"  # a live trace and a numeric check; runs in seconds
KEPT = "momentum"  # a chapter whose copy the student already has
START_TIMEOUT = 60  # s, for the server to write its runtime file
# One log per pytest-xdist worker (each starts its own server).
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
LOG = OUTPUT / f"lab-server-{WORKER}.log"
SHOTS = OUTPUT / "screenshots"
# In the notebook on show (not one in a tab behind it).
NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"
LIVE = f"{NOTEBOOK} .jp-OutputArea-output .d2lmini-live"
PATH = ".d2l-main path.d2l-path"


def _saved_notebook(title: str) -> nbformat.NotebookNode:
    """A small notebook as a student would save it: a live trace and a
    check, with their outputs (HTML), not signed. Trust goes by content
    (a signature of the notebook), so two notebooks differ by title."""
    trace = d2l.live_trace_2d({"quadratic": [1, 2, 0]}, "sgd", {"lr": 0.1},
                              sliders={"lr": (0.01, 0.6, 0.01)})
    feedback = d2l.check("gd.lr_bound", 0.5)
    cells = []
    for k, (source, value) in enumerate([
            ('d2l.live_trace_2d({"quadratic": [1, 2, 0]}, "sgd", '
             '{"lr": 0.1},\n                  sliders={"lr": '
             '(0.01, 0.6, 0.01)})', trace),
            ('d2l.check("gd.lr_bound", 0.5)', feedback)], start=1):
        cell = nbformat.v4.new_code_cell(source, execution_count=k)
        cell.outputs = [nbformat.v4.new_output(
            "execute_result", execution_count=k,
            data={"text/html": value._repr_html_(),
                  "text/plain": repr(value)})]
        cells.append(cell)
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(f"# {title}"),
        nbformat.v4.new_code_cell("import d2lmini as d2l"), *cells])
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                 "display_name": "Python 3"}
    return nb


def _stop(proc: subprocess.Popen, url: str, token: str) -> None:
    """Shut the server and its kernels down: politely, then by force."""
    family = []
    try:
        family = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        pass
    if proc.poll() is None and url:
        try:
            request = urllib.request.Request(
                f"{url}api/shutdown", method="POST",
                headers={"Authorization": f"token {token}"})
            urllib.request.urlopen(request, timeout=5).close()
            proc.wait(timeout=15)
        except Exception:
            pass
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    for child in family:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """scripts/lab.py serving a temporary copy of two chapters; yields a
    dict with the server's url, token, root, data folder and process."""
    base = tmp_path_factory.mktemp("lab")
    root, data = base / "root", base / "data"
    (root / "chapters").mkdir(parents=True)
    for name in (CHAPTER, KEPT):
        shutil.copy(REPO / "chapters" / f"{name}.ipynb", root / "chapters")
    # The student's own work, saved elsewhere (so not signed here).
    (root / "work").mkdir()
    saved = nbformat.writes(_saved_notebook("My notes on momentum"))
    (root / "work" / f"{KEPT}.ipynb").write_text(saved, encoding="utf-8")
    (root / "work" / "scratch.ipynb").write_text(
        nbformat.writes(_saved_notebook("Scratch")), encoding="utf-8")
    # A user's own kernel "python3" that is not the book's Python.
    decoy = data / "kernels" / "python3"
    decoy.mkdir(parents=True)
    (decoy / "kernel.json").write_text(json.dumps({
        "argv": ["/bin/false", "{connection_file}"],
        "display_name": "decoy, not the book's Python",
        "language": "python"}))
    runtime = base / "runtime"
    env = dict(os.environ,
               JUPYTER_CONFIG_DIR=str(base / "config"),
               JUPYTER_DATA_DIR=str(data),
               JUPYTER_RUNTIME_DIR=str(runtime),
               JUPYTERLAB_SETTINGS_DIR=str(base / "user-settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"),
               OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env.pop("JUPYTER_PATH", None)
    env.pop("JUPYTER_PREFER_ENV_PATH", None)
    token = uuid.uuid4().hex
    command = [sys.executable, str(REPO / "scripts" / "lab.py"),
               "--root", str(root), "--no-browser", "--port=0",
               "--ServerApp.ip=127.0.0.1",
               f"--IdentityProvider.token={token}"]
    if os.geteuid() == 0:  # the CI container runs as root
        command.append("--allow-root")
    LOG.parent.mkdir(parents=True, exist_ok=True)
    url = ""
    with open(LOG, "w") as log:
        proc = subprocess.Popen(command, cwd=base, env=env, stdout=log,
                                stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        # lab.py replaces itself by the server: same pid.
        info = runtime / f"jpserver-{proc.pid}.json"
        deadline = time.monotonic() + START_TIMEOUT
        while not info.is_file():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not start (exit code "
                            f"{proc.poll()}):\n{LOG.read_text()[-3000:]}",
                            pytrace=False)
            time.sleep(0.2)
        port = json.loads(info.read_text())["port"]
        url = f"http://127.0.0.1:{port}/"
        yield {"url": url, "token": token, "root": root, "data": data,
               "proc": proc, "saved": saved}
    finally:
        _stop(proc, url, token)


@pytest.fixture
def lab_page(browser, lab):
    """A page that may talk to 127.0.0.1 only; the blocked requests are
    in page.blocked."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.blocked = []

    def only_local(route):
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            page.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page.set_default_timeout(30_000)
    yield page
    context.close()


def _open(page, lab, path):
    # ?reset: a fresh workspace, without the notebooks a test before
    # left open.
    page.goto(f"{lab['url']}lab/tree/{path}?reset&token={lab['token']}")
    # The kernel started and is idle, as the status bar says ("Python 3
    # (ipykernel) | Idle"; the toolbar's indicator says idle earlier, while
    # the kernel still starts, and Run All then asks for a kernel).
    page.locator(".jp-StatusBar-TextItem", has_text="| Idle") \
        .wait_for(timeout=60_000)


def _get(lab, path):
    request = urllib.request.Request(
        f"{lab['url']}{path}",
        headers={"Authorization": f"token {lab['token']}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def _run_all(page):
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()


def test_no_news_and_no_update_check(lab):
    # The defaults the page gets (scripts/lab.py's overrides): the page
    # neither asks for the news nor fetches them, nor checks for updates.
    notification = _get(
        lab, "lab/api/settings/@jupyterlab/apputils-extension:notification")
    props = notification["schema"]["properties"]
    assert props["fetchNews"]["default"] == "false"
    assert props["checkForUpdates"]["default"] is False
    # The server's side: no feed, no update check.
    assert _get(lab, "lab/api/news") == {"news": []}
    assert _get(lab, "lab/api/update")["notification"] is None


def test_kernel_is_the_books_python(lab):
    specs = _get(lab, "api/kernelspecs")
    spec = specs["kernelspecs"]["python3"]["spec"]
    assert "decoy" not in spec["display_name"], (
        "JupyterLab took the user's kernel python3, not the book's: "
        f"{spec}")


def test_chapter_runs_in_jupyterlab(lab, lab_page):
    page, root = lab_page, lab["root"]
    _open(page, lab, f"work/{CHAPTER}.ipynb")
    _run_all(page)
    widget = page.locator(LIVE).first
    path = widget.locator(PATH).first
    path.wait_for(state="attached", timeout=60_000)
    widget.scroll_into_view_if_needed()
    before = path.get_attribute("d")
    assert before, "the live trace drew an empty path"

    # The kernel of the run is the book's Python (lab.py's interpreter).
    kernels = [p for p in psutil.Process(lab["proc"].pid).children(True)
               if "ipykernel_launcher" in " ".join(p.cmdline())]
    assert kernels, "no ipykernel process under the server"
    assert {p.cmdline()[0] for p in kernels} == {sys.executable}

    # A click at 80% of the slider's width, as a student moves it.
    slider = widget.locator("input[type=range]").first
    value = slider.input_value()
    box = slider.bounding_box()
    slider.click(position={"x": 0.8 * box["width"], "y": box["height"] / 2})
    assert slider.input_value() != value, "the slider ignored a click"
    page.wait_for_function("([p, d]) => p.getAttribute('d') !== d",
                           arg=[path.element_handle(), before],
                           timeout=10_000)

    passed = page.locator(f"{NOTEBOOK} .d2lmini-feedback-passed",
                          has_text="gd.lr_bound").first
    # Cells out of view are rendered lazily (content-visibility): wait
    # for the element in the page, and read text, not what is shown.
    passed.wait_for(state="attached", timeout=60_000)
    assert "Passed" in passed.text_content()
    not_yet = page.locator(
        f"{NOTEBOOK} .d2lmini-feedback-not-yet",
        has_text="gd.lr_bound").first
    assert "Not yet" in not_yet.text_content()
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.screenshot(path=str(SHOTS / "lab-live-trace.png"))

    # Saved: the outputs go to the copy in work/, which JupyterLab signs;
    # the chapter the copy came from is untouched.
    copy = root / "work" / f"{CHAPTER}.ipynb"
    page.locator(".lm-MenuBar-itemLabel", has_text="File").first.click()
    page.locator(".lm-Menu-item[data-command='docmanager:save']").click()
    page.locator(".lm-TabBar-tab.jp-mod-current:not(.jp-mod-dirty)") \
        .wait_for()
    deadline = time.monotonic() + 20
    while "d2lmini-live" not in copy.read_text(encoding="utf-8"):
        assert time.monotonic() < deadline, f"{copy} was not saved"
        time.sleep(0.2)
    nb = nbformat.read(copy, as_version=4)
    notary = NotebookNotary(data_dir=str(lab["data"]))
    assert notary.check_signature(nb), "JupyterLab did not sign its save"
    chapter = root / "chapters" / f"{CHAPTER}.ipynb"
    assert chapter.read_bytes() == (
        REPO / "chapters" / f"{CHAPTER}.ipynb").read_bytes()
    assert not page.blocked, f"requests left the machine: {page.blocked}"


def test_saved_live_trace_draws_only_when_trusted(lab, lab_page):
    page, root = lab_page, lab["root"]
    # The student's copy of the chapter was kept as it was.
    kept = root / "work" / f"{KEPT}.ipynb"
    assert kept.read_text(encoding="utf-8") == lab["saved"]
    # scratch.ipynb, not a chapter's copy, stays untrusted: its saved
    # trace is shown sanitized, without the script that would draw it.
    _open(page, lab, "work/scratch.ipynb")
    widget = page.locator(LIVE).first
    widget.wait_for(state="attached")
    assert "needs JavaScript" in widget.text_content()
    output = page.locator(".jp-OutputArea-output", has=widget)
    assert output.locator("script").count() == 0
    assert widget.locator("svg").count() == 0
    # Run again in the session, the same cell's trace draws in the same
    # untrusted notebook: an output the kernel gives now is trusted.
    _run_all(page)
    widget.locator(PATH).first.wait_for(state="attached", timeout=60_000)
    # The kept copy, trusted by lab.py, draws its saved trace on opening.
    _open(page, lab, f"work/{KEPT}.ipynb")
    widget = page.locator(LIVE).first
    widget.locator(PATH).first.wait_for(state="attached")
    assert widget.locator(PATH).first.get_attribute("d")
    assert not page.blocked, f"requests left the machine: {page.blocked}"


def test_keyboard_on_a_live_trace_slider(lab, lab_page):
    page = lab_page
    _open(page, lab, f"work/{KEPT}.ipynb")
    widget = page.locator(LIVE).first
    widget.locator(PATH).first.wait_for(state="attached")
    slider = widget.locator("input[type=range]").first
    value = slider.input_value()
    slider.focus()
    page.keyboard.press("ArrowRight")
    assert slider.input_value() != value, "the slider ignored ArrowRight"
