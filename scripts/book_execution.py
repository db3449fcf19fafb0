"""How the book's chapters are executed and cached, in one place.

The website shows the outputs that the chapters compute when they run. Jupyter
Book (myst-nb) executes each notebook and keeps its outputs in a jupyter-cache
(``_build/.jupyter_cache``), keyed on the notebook's code cells only. The
outputs also depend on ``d2lmini``, its data and the pinned versions, so this
module keys the cache on those too:

- :func:`fingerprint` hashes every file of ``d2lmini/``, ``data/`` and
  ``requirements.txt``;
- :func:`sync_cache` stores that fingerprint next to the cached notebooks and
  empties the cache when it changed;
- as a Sphinx extension (``_config.yml``: ``sphinx.local_extensions``) it runs
  :func:`sync_cache` before every build and registers the fingerprint as a
  config value that invalidates Sphinx's environment, so that after a change
  to the package every chapter is read and executed again, while an
  unchanged book still rebuilds from the cache in seconds.

Executing: :func:`execute_notebook` runs a notebook as myst-nb would (the
same nbclient call, kernel, working directory and per-cell timeout) but
talks to the kernel over Unix sockets instead of TCP ports
(:func:`kernel_manager` says why), and :func:`store_in_cache` puts the
result into a jupyter-cache, where the build finds it (myst-nb matches
cached notebooks by the same hash). `make book` first runs
``python scripts/book_execution.py`` (:func:`fill`: the chapters the cache
lacks, two at once), then the build, which executes nothing; the tests
execute each chapter once per run the same way (tests/conftest.py) and the
site test builds from that cache.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# What the chapters' outputs depend on besides their own code.
PACKAGE_INPUTS = ("d2lmini", "data", "requirements.txt")
STAMP = "d2lmini.fingerprint"  # written inside the cache folder


def cell_timeout(root: Path = REPO) -> int:
    """The longest a single cell may run (``execute.timeout`` in
    _config.yml, the build's own limit) before the execution fails, naming
    the notebook and the cell. Cells take seconds; a stalled kernel would
    otherwise hold a build or a CI run until its own limit."""
    import yaml

    config = yaml.safe_load((root / "_config.yml").read_text("utf-8"))
    return int(config["execute"]["timeout"])


# -- the cache key ---------------------------------------------------------

def _skipped(path: Path) -> bool:
    return (
        "__pycache__" in path.parts
        or path.suffix in {".pyc", ".pyo"}
        or path.name.startswith(".")
        or path.name.endswith("~")
    )


def fingerprint(root: Path = REPO) -> str:
    """A hash of every file the chapters' outputs depend on, besides their
    own code: the package, its data and the pinned versions."""
    digest = hashlib.sha256()
    digest.update(f"python {sys.version_info[:2]}\n".encode())
    for entry in PACKAGE_INPUTS:
        base = root / entry
        files = sorted(base.rglob("*")) if base.is_dir() else [base]
        for path in files:
            if not path.is_file() or _skipped(path.relative_to(root)):
                continue
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def sync_cache(cache: Path, key: str) -> bool:
    """Empty the execution cache if it was filled with another package.

    Returns True if the cache was emptied. A cache without a stamp (made
    before this keying existed) counts as stale.
    """
    cache = Path(cache)
    stamp = cache / STAMP
    stale = cache.exists() and (
        not stamp.is_file() or stamp.read_text().strip() != key)
    if stale:
        shutil.rmtree(cache)
    cache.mkdir(parents=True, exist_ok=True)
    if not stamp.is_file():
        stamp.write_text(key + "\n")
    return stale


def toc_chapters(root: Path = REPO) -> list[str]:
    """The chapter notebooks listed in _toc.yml, as 'chapters/NAME', in
    reading order."""
    import yaml

    def files(node) -> list[str]:
        found = []
        if isinstance(node, dict):
            if isinstance(node.get("file"), str):
                found.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key) or []:
                    found.extend(files(child))
        return found

    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    return [name.removesuffix(".ipynb") for name in files(toc)
            if name.startswith("chapters/")
            and (root / name).with_suffix(".ipynb").is_file()]


# -- executing a notebook --------------------------------------------------

@dataclass
class Execution:
    """One notebook, executed: the notebook with its outputs, the seconds
    it took, and on failure a report naming the notebook and the cell."""

    nb: object
    seconds: float
    error: str | None = None
    cell_seconds: dict[int, float] | None = None


def _failing_cell(nb) -> tuple[int, str]:
    """(index, source) of the cell whose error stopped the execution."""
    for index, cell in reversed(list(enumerate(nb.cells))):
        if cell.cell_type == "code" and any(
                out.get("output_type") == "error" for out in cell.outputs):
            return index, cell.source
    return -1, ""


def kernel_manager(kernel_name: str, **options):
    """A kernel manager that talks to its kernel over Unix sockets (IPC).

    jupyter_client's default, TCP on 127.0.0.1, picks free ports, releases
    them and starts the kernel, which binds them a second or more later (on
    a busy machine). Meanwhile another kernel's start can take one of those
    ports, or a client's connection attempt to the not yet listening port
    can be given that same port as its own source port (TCP self-connect
    on loopback): the kernel then dies with "Address already in use"
    (tcp://127.0.0.1:PORT). On the shared 2-core machine this happened to
    1 of about 100 executions. Unix sockets have no ports: a unique path
    per kernel, nothing to race for (and no "running over TCP" warning).
    """
    import tempfile
    import uuid

    from jupyter_client.manager import AsyncKernelManager

    # Socket paths are limited to about 100 bytes: a short folder.
    folder = Path(tempfile.gettempdir()) / "d2l-kernels"
    folder.mkdir(exist_ok=True)
    return AsyncKernelManager(kernel_name=kernel_name, transport="ipc",
                              ip=str(folder / uuid.uuid4().hex[:16]),
                              **options)


def shut_down(km) -> None:
    """Stop the kernel and remove its files. nbclient shuts down only the
    kernels it created itself: one passed in (km=...) would otherwise live
    on, idle, until the process that started it exits."""
    from jupyter_core.utils import ensure_async, run_sync

    async def stop():
        if km.has_kernel:
            await ensure_async(km.shutdown_kernel(now=False))

    try:
        run_sync(stop)()
    finally:
        if km.transport == "ipc":  # a killed kernel leaves its sockets
            for leftover in Path(km.ip).parent.glob(Path(km.ip).name + "-*"):
                leftover.unlink(missing_ok=True)


# How long the client waits on a kernel socket before it looks again.
POLL_INTERVAL = 0.5


def _repolling(get_msg):
    """get_msg(timeout) in steps of at most POLL_INTERVAL seconds.

    Why: nbclient mimics the front end of an ipywidgets Output widget by
    sending comm messages to the kernel on the shell socket while another
    coroutine waits (a pyzmq asyncio poll) for the cell's execute_reply on
    that same socket. Now and then the reply arrives and the poll is never
    woken: zmq's socket descriptor only signals edges, and that wake-up is
    lost. The reply then sits in the socket until the poll's timeout, when
    a last check finds it: the cell takes exactly its timeout (measured:
    20 s and 40 s with those timeouts; nbmake's is 300 s, the build's
    120 s), with the kernel idle and the client waiting, and then the
    execution goes on as if nothing had happened. At the stall the reply
    is in the client's socket (ZMQ_EVENTS has POLLIN) while the poll's
    future is pending. Measured with gd's widget cell repeated: 7 of 10
    executions had such a cell; 0 of 6 once the client sent no comm
    messages; with a notebook of 40 Output-widget cells, 5 of 5. A new
    poll checks the socket before it waits, so polling in short steps
    turns such a stall into at most one POLL_INTERVAL (with 1 s steps, 2
    of 8 executions had a cell of 1.00 s, none longer; with 0.5 s, cells
    of 0.50 s, and the 40-cell notebook ran in 1.5 to 3 s instead of 21
    to 62 s with 20 s timeouts).
    """
    from queue import Empty

    async def get_msg_repolling(timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            step = POLL_INTERVAL if deadline is None else max(
                0.0, min(POLL_INTERVAL, deadline - time.monotonic()))
            try:
                return await get_msg(timeout=step)
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    return get_msg_repolling


def notebook_client(nb, **options):
    """An nbclient NotebookClient whose waits on the kernel's shell and
    IOPub sockets re-poll every POLL_INTERVAL (see _repolling)."""
    from nbclient import NotebookClient

    class RepollingClient(NotebookClient):
        async def async_start_new_kernel_client(self):
            kc = await super().async_start_new_kernel_client()
            for channel in (kc.shell_channel, kc.iopub_channel):
                channel.get_msg = _repolling(channel.get_msg)
            return kc

    return RepollingClient(nb, **options)


def execute_notebook(path: Path, timeout: int | None = None,
                     **client_options) -> Execution:
    """Execute a notebook as myst-nb does: nbclient, the notebook's own
    kernel, its folder as working directory, errors not allowed, at most
    ``timeout`` seconds per cell; the kernel over IPC (kernel_manager)."""
    import nbformat
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    path = Path(path)
    timeout = timeout or cell_timeout()
    nb = nbformat.read(path, as_version=4)
    client_options.setdefault("km", kernel_manager(
        nb.metadata.get("kernelspec", {}).get("name", "python3")))
    started, cell_seconds = {}, {}

    def on_cell_execute(cell, cell_index):
        started["cell"], started["at"] = cell_index, time.perf_counter()

    def on_cell_executed(cell, cell_index, execute_reply):
        cell_seconds[cell_index] = time.perf_counter() - started["at"]

    # record_timing=False, as myst-nb: timing metadata in the cells would
    # change the notebook's hash, and the build would not find it cached.
    client = notebook_client(
        nb, timeout=timeout, allow_errors=False, record_timing=False,
        on_cell_execute=on_cell_execute, on_cell_executed=on_cell_executed,
        **client_options)
    start = time.perf_counter()
    error = None
    try:
        client.execute(cwd=str(path.parent))
    except CellTimeoutError:
        index = started.get("cell", -1)
        source = nb.cells[index].source if index >= 0 else ""
        error = (f"{path.name}: cell {index} ran more than {timeout} s "
                 f"and was stopped:\n{'-' * 60}\n{source}\n{'-' * 60}")
    except CellExecutionError as err:
        index, _ = _failing_cell(nb)
        error = f"{path.name}: cell {index} failed:\n{err}"
    except Exception as err:  # a dead kernel, a kernel that never started
        index = started.get("cell", -1)
        error = (f"{path.name}: execution stopped at cell {index}: "
                 f"{type(err).__name__}: {err}")
    finally:
        shut_down(client_options["km"])
    return Execution(nb, time.perf_counter() - start, error, cell_seconds)


def store_in_cache(cache: Path, path: Path, execution: Execution) -> None:
    """Put an executed notebook into a jupyter-cache, as myst-nb does after
    executing one, so that the next build uses it instead of executing."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    # The site loads no widget manager, so the state of a kernel widget
    # (the airfoil explorer) would only weigh on the page: keep it out.
    execution.nb.metadata.pop("widgets", None)
    jc = get_cache(str(cache))
    record = jc.add_nb_to_project(str(path))
    jc.cache_notebook_bundle(
        CacheBundleIn(execution.nb, record.uri,
                      data={"execution_seconds": execution.seconds}),
        check_validity=False, overwrite=True)


def cached(cache: Path, path: Path) -> bool:
    """Whether the cache holds outputs for the notebook's current code."""
    import nbformat
    from jupyter_cache import get_cache

    if not (Path(cache) / "global.db").is_file():
        return False
    try:
        get_cache(str(cache)).match_cache_notebook(
            nbformat.read(path, as_version=4))
    except KeyError:
        return False
    return True


# -- the Sphinx extension --------------------------------------------------

def _cache_path(app) -> Path:
    configured = app.config.nb_execution_cache_path
    if configured:
        return Path(configured).resolve()
    # myst-nb's default: next to the output folder (_build/.jupyter_cache)
    return Path(app.outdir).parent.joinpath(".jupyter_cache").resolve()


def _on_config_inited(app, config) -> None:
    # The package the kernel imports: this checkout's (an editable install),
    # also for partial builds in another folder (scripts/build_one.py).
    config.d2lmini_fingerprint = fingerprint(REPO)


def _on_builder_inited(app) -> None:
    from sphinx.util import logging

    cache = _cache_path(app)
    if sync_cache(cache, app.config.d2lmini_fingerprint):
        logging.getLogger(__name__).info(
            "d2lmini, its data or the pinned versions changed: emptied the "
            f"execution cache {cache}; every chapter runs again")


def setup(app):
    # A config value with rebuild="env": when it changes, Sphinx reads
    # every page again (an unchanged notebook would otherwise not be read,
    # so not executed, and keep its old outputs in the saved environment).
    app.add_config_value("d2lmini_fingerprint", "", "env")
    app.connect("config-inited", _on_config_inited)
    app.connect("builder-inited", _on_builder_inited, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True,
            "version": "1"}


# -- `make book`: execute what the cache lacks, two at once ----------------

def _execute(chapter: str, root: str, timeout: int) -> tuple[str, Execution]:
    result = execute_notebook(Path(root) / f"{chapter}.ipynb", timeout)
    return chapter, result


def fill(cache: Path, jobs: int = 2, root: Path = REPO) -> int:
    """Execute every chapter of _toc.yml whose outputs the cache lacks
    (`jobs` at once, each in its own process) and store them there, so that
    the build that follows only reads the cache. Returns the exit status."""
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from multiprocessing import get_context

    if sync_cache(cache, fingerprint(root)):
        print("d2lmini, its data or the pinned versions changed: every "
              "chapter runs again")
    todo = [c for c in toc_chapters(root)
            if not cached(cache, root / f"{c}.ipynb")]
    print(f"{len(todo)} chapter(s) to execute, {jobs} at once"
          + (f": {', '.join(todo)}" if todo else ""), flush=True)
    failed = []
    with ProcessPoolExecutor(jobs, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(_execute, c, str(root), cell_timeout(root))
                   for c in todo]
        for future in as_completed(futures):
            chapter, result = future.result()
            print(f"  {chapter}: {result.seconds:.1f} s"
                  + (" FAILED" if result.error else ""), flush=True)
            if result.error:
                failed.append(result.error)
            else:  # one writer: the cache is an SQLite database
                store_in_cache(cache, root / f"{chapter}.ipynb", result)
    for error in failed:
        print("\n" + error, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(
        description="Execute the chapters the book's cache lacks.")
    parser.add_argument("--cache", type=Path,
                        default=REPO / "_build" / ".jupyter_cache")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--key", action="store_true",
                        help="only print the cache key and exit")
    args = parser.parse_args()
    if args.key:
        print(fingerprint())
        sys.exit(0)
    sys.exit(fill(args.cache.resolve(), args.jobs))
