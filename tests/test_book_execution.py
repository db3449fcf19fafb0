"""The execution cache is keyed on d2lmini too (scripts/book_execution.py).

Unit tests of the key and of the cache's invalidation, and one end-to-end
test: a tiny book whose notebook prints a file of its "package" is built,
the file changes, and the next build (no clean) shows the new text, while a
third, unchanged build executes nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
import book_execution as bx  # noqa: E402


def _tree(root: Path) -> Path:
    (root / "d2lmini" / "js").mkdir(parents=True)
    (root / "d2lmini" / "__init__.py").write_text("x = 1\n")
    (root / "d2lmini" / "js" / "live.js").write_text("let a = 1;\n")
    (root / "data").mkdir()
    (root / "data" / "table.dat").write_text("1 2 3\n")
    (root / "requirements.txt").write_text("numpy==2.4.6\n")
    return root


@pytest.mark.parametrize("changed", [
    "d2lmini/__init__.py", "d2lmini/js/live.js", "data/table.dat",
    "requirements.txt"])
def test_fingerprint_follows_package_data_and_pins(tmp_path, changed):
    root = _tree(tmp_path)
    before = bx.fingerprint(root)
    assert bx.fingerprint(root) == before, "the key is not deterministic"
    with open(root / changed, "a") as handle:
        handle.write("# changed\n")
    assert bx.fingerprint(root) != before, f"{changed} is not in the key"


def test_fingerprint_sees_new_and_removed_files(tmp_path):
    root = _tree(tmp_path)
    before = bx.fingerprint(root)
    (root / "d2lmini" / "new.py").write_text("")
    added = bx.fingerprint(root)
    assert added != before
    (root / "d2lmini" / "new.py").unlink()
    assert bx.fingerprint(root) == before


def test_fingerprint_ignores_bytecode_and_editor_files(tmp_path):
    root = _tree(tmp_path)
    before = bx.fingerprint(root)
    (root / "d2lmini" / "__pycache__").mkdir()
    (root / "d2lmini" / "__pycache__" / "x.cpython-311.pyc").write_bytes(
        b"\0")
    (root / "d2lmini" / ".live.py.swp").write_text("")
    assert bx.fingerprint(root) == before


def test_sync_cache_empties_a_cache_of_another_package(tmp_path):
    cache = tmp_path / ".jupyter_cache"
    assert not bx.sync_cache(cache, "key-1"), "a new cache is not stale"
    (cache / "executed").mkdir()
    (cache / "executed" / "outputs").write_text("old outputs")
    assert not bx.sync_cache(cache, "key-1")
    assert (cache / "executed" / "outputs").is_file(), (
        "an unchanged package must keep the cache")
    assert bx.sync_cache(cache, "key-2")
    assert not (cache / "executed").exists(), "stale outputs were kept"
    assert (cache / bx.STAMP).read_text().strip() == "key-2"


def test_sync_cache_treats_an_unstamped_cache_as_stale(tmp_path):
    cache = tmp_path / ".jupyter_cache"
    (cache / "executed").mkdir(parents=True)
    assert bx.sync_cache(cache, "key")
    assert not (cache / "executed").exists()


def test_the_book_loads_the_extension():
    config = (REPO / "_config.yml").read_text()
    assert re.search(r"local_extensions:\s*\n\s*book_execution: scripts",
                     config), "_config.yml does not load book_execution"


# -- end to end: a tiny book ---------------------------------------------

def _tiny_book(root: Path) -> None:
    (root / "scripts").mkdir(parents=True)
    shutil.copy(REPO / "scripts" / "book_execution.py", root / "scripts")
    (root / "d2lmini").mkdir()
    (root / "d2lmini" / "probe.txt").write_text("package version one")
    (root / "data").mkdir()
    (root / "requirements.txt").write_text("")
    (root / "_config.yml").write_text(textwrap.dedent("""\
        title: tiny
        only_build_toc_files: true
        exclude_patterns: ["_build", "scripts", "d2lmini", "data"]
        execute:
          execute_notebooks: cache
          timeout: 60
        sphinx:
          local_extensions:
            book_execution: scripts
        """))
    (root / "_toc.yml").write_text("format: jb-book\nroot: page\n")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                 "display_name": "Python 3"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Probe"),
        nbformat.v4.new_code_cell(
            "import pathlib\n"
            "print('PROBE:', pathlib.Path('d2lmini/probe.txt').read_text())"),
    ]
    nbformat.write(nb, root / "page.ipynb")


def _build(root: Path) -> str:
    jb = Path(sys.executable).with_name("jupyter-book")
    env = dict(os.environ, NO_COLOR="1", TERM="dumb")
    proc = subprocess.run([str(jb), "build", str(root), "-W", "-n"],
                          cwd=root, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def _probe(root: Path) -> str:
    page = (root / "_build" / "html" / "page.html").read_text()
    found = re.search(r"PROBE: ([a-z ]+)", page)
    assert found, "the page shows no output of the probe cell"
    return found.group(1).strip()


@pytest.mark.site
def test_a_package_change_reaches_the_pages_without_clean(tmp_path):
    root = tmp_path / "book"
    _tiny_book(root)
    _build(root)
    assert _probe(root) == "package version one"

    (root / "d2lmini" / "probe.txt").write_text("package version two")
    log = _build(root)
    assert "emptied the execution cache" in log, log[-2000:]
    assert _probe(root) == "package version two", (
        "the page still shows what the old package computed")

    log = _build(root)
    assert "Executing notebook" not in log, (
        "an unchanged book executed a notebook again")
    assert _probe(root) == "package version two"


@pytest.mark.site
def test_the_build_uses_a_notebook_executed_by_the_tests(tmp_path):
    """What conftest.run_chapter stores, the build finds (same hash as
    myst-nb's), so a chapter runs once per test run."""
    root = tmp_path / "book"
    _tiny_book(root)
    page = root / "page.ipynb"
    result = bx.execute_notebook(page, timeout=60)
    assert result.error is None, result.error
    cache = root / "_build" / ".jupyter_cache"
    bx.sync_cache(cache, bx.fingerprint(root))
    assert not bx.cached(cache, page)
    bx.store_in_cache(cache, page, result)
    assert bx.cached(cache, page)

    log = _build(root)
    assert "Executing notebook" not in log, (
        "the build executed a notebook the tests had cached:\n" + log[-2000:])
    assert _probe(root) == "package version one"


def test_a_failing_cell_is_reported_with_notebook_cell_and_error(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                 "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_code_cell("y = x / 0  # the bad cell")]
    path = tmp_path / "broken.ipynb"
    nbformat.write(nb, path)
    result = bx.execute_notebook(path, timeout=60)
    assert result.error
    assert "broken.ipynb: cell 1 failed" in result.error
    assert "y = x / 0  # the bad cell" in result.error
    assert "ZeroDivisionError" in result.error


def test_a_stalled_cell_fails_within_the_timeout_naming_it(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                 "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_code_cell("import time"),
                nbformat.v4.new_code_cell("time.sleep(600)  # stalls")]
    path = tmp_path / "stall.ipynb"
    nbformat.write(nb, path)
    result = bx.execute_notebook(path, timeout=3)
    assert result.seconds < 60, f"took {result.seconds:.0f} s"
    assert result.error and "stall.ipynb: cell 1 ran more than 3 s" in (
        result.error)
    assert "time.sleep(600)  # stalls" in result.error


def test_the_cell_timeout_is_a_couple_of_minutes_at_most():
    assert 30 <= bx.cell_timeout() <= 180


def test_kernels_talk_over_unix_sockets_and_leave_nothing(tmp_path):
    """No TCP ports to race for (see book_execution.kernel_manager); after
    the execution the kernel is gone, with its socket files."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                 "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_code_cell(
        "import json, os\n"
        "from ipykernel.connect import get_connection_info\n"
        "print(json.loads(get_connection_info())['transport'], os.getpid())")]
    path = tmp_path / "transport.ipynb"
    nbformat.write(nb, path)
    km = bx.kernel_manager("python3")
    result = bx.execute_notebook(path, timeout=60, km=km)
    assert result.error is None, result.error
    transport, pid = result.nb.cells[0].outputs[0]["text"].split()
    assert transport == "ipc"
    assert not Path(f"/proc/{pid}").exists(), (
        f"the kernel (pid {pid}) still runs after the execution")
    assert not list(Path(km.ip).parent.glob(Path(km.ip).name + "-*")), (
        "the kernel's socket files were left behind")


def _chapter(path: Path, code: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                 "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_markdown_cell("# A chapter"),
                nbformat.v4.new_code_cell(code)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def test_fill_executes_what_the_cache_lacks_once(tmp_path, capsys):
    """`make book`'s first step: the chapters missing from the cache run
    (two at once), then nothing runs until a chapter or the package
    changes; a failing cell fails the step, named."""
    root = _tree(tmp_path / "book")
    (root / "_config.yml").write_text("execute:\n  timeout: 60\n")
    (root / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nchapters:\n"
        "- file: chapters/one\n- file: chapters/two\n")
    _chapter(root / "chapters" / "one.ipynb", "print(1)")
    _chapter(root / "chapters" / "two.ipynb", "print(2)")
    cache = root / "_build" / ".jupyter_cache"
    assert bx.fill(cache, root=root) == 0
    assert "2 chapter(s) to execute" in capsys.readouterr().out
    assert bx.fill(cache, root=root) == 0
    assert "0 chapter(s) to execute" in capsys.readouterr().out

    _chapter(root / "chapters" / "two.ipynb", "1 / 0")
    assert bx.fill(cache, root=root) == 1
    captured = capsys.readouterr()
    assert "1 chapter(s) to execute, 2 at once: chapters/two" in (
        captured.out)
    assert "two.ipynb: cell 1 failed" in captured.err
    assert "ZeroDivisionError" in captured.err

    (root / "d2lmini" / "__init__.py").write_text("x = 2\n")
    _chapter(root / "chapters" / "two.ipynb", "print(2)")
    assert bx.fill(cache, root=root) == 0
    assert "2 chapter(s) to execute" in capsys.readouterr().out


def test_output_widget_cells_do_not_stall(tmp_path):
    """The stall of the chapters' widget cells, reproduced: nbclient answers
    an ipywidgets Output widget with comm messages on the shell socket, and
    now and then the cell's execute_reply then sits unnoticed in that
    socket until the cell's timeout (here 60 s; with a plain nbclient
    client this notebook had such a cell in 5 of 5 executions). The book's
    client looks again every POLL_INTERVAL: no cell takes more than a few
    seconds."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                 "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_code_cell(
        "import ipywidgets as w\nfrom IPython.display import display")]
    nb.cells += [nbformat.v4.new_code_cell(
        f"out = w.Output()\ndisplay(out)\nwith out:\n    print({i})\n"
        f"    out.clear_output(wait=True)\n    print({i + 1})")
        for i in range(40)]
    path = tmp_path / "widgets.ipynb"
    nbformat.write(nb, path)
    result = bx.execute_notebook(path, timeout=60)
    assert result.error is None, result.error
    slowest = max(result.cell_seconds.items(), key=lambda kv: kv[1])
    assert slowest[1] < 10, (
        f"cell {slowest[0]} took {slowest[1]:.1f} s: a stalled reply")
