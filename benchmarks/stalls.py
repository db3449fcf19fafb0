"""Execute every chapter several times, two at once, and look for stalls.

    .venv/bin/python benchmarks/stalls.py [--rounds 3] [--parallel 2]

Each execution is the one the build and the tests make
(scripts/book_execution.py: nbclient, the notebook's kernel, its folder as
working directory, the per-cell timeout of _config.yml), in its own process,
``--parallel`` at a time, chapters interleaved the way `make test` runs
them. It prints every chapter's times, their median and the ratio of the
slowest to the median, with the load average of the machine, and exits 1
if an execution failed or took more than ``--max-ratio`` (2) times its
chapter's median.

A stall shows up as one execution far slower than the others of the same
chapter. With ``--watch SECONDS``, a cell that runs longer than that has
the Python stacks of its kernel and of the client dumped into
test-output/stalls/ (faulthandler), to see who waits on whom.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
import book_execution as bx  # noqa: E402

DUMPS = REPO / "test-output" / "stalls"

# Registered in every kernel when --watch is on (IPython startup file).
KERNEL_STARTUP = """\
import faulthandler, os, signal
_d2l_stall_dump = open(os.path.join({dumps!r}, f"kernel-{{os.getpid()}}.txt"),
                       "w")
faulthandler.register(signal.SIGUSR1, file=_d2l_stall_dump, all_threads=True)
"""


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def _watchdog(client_ref: dict, watch: float, tag: str) -> None:
    """Dump the kernel's and this process's stacks once a cell is slow."""
    import faulthandler
    import signal
    import threading

    def run():
        dumped = set()
        while True:
            time.sleep(1)
            cell, since = client_ref.get("cell"), client_ref.get("since")
            if cell is None or (cell, since) in dumped:
                continue
            if time.perf_counter() - since > watch:
                dumped.add((cell, since))
                pid = client_ref.get("pid")
                path = DUMPS / f"client-{tag}-cell{cell}.txt"
                with open(path, "w") as out:
                    out.write(f"{tag}: cell {cell} running for "
                              f"{time.perf_counter() - since:.0f} s, "
                              f"kernel pid {pid}, load {_loadavg()}\n")
                    try:
                        stat = Path(f"/proc/{pid}/stat").read_text()
                        out.write(f"kernel /proc stat: {stat}\n")
                    except (OSError, TypeError):
                        pass
                    out.flush()
                    faulthandler.dump_traceback(file=out, all_threads=True)
                if pid:
                    os.kill(pid, signal.SIGUSR1)
                print(f"  slow cell: {tag} cell {cell}; stacks in {DUMPS}",
                      flush=True)

    threading.Thread(target=run, daemon=True).start()


def _execute(chapter: str, root: str, watch: float | None, tag: str):
    """One execution in a worker process: (chapter, seconds, error,
    slowest cells)."""
    from nbclient import NotebookClient

    ref: dict = {}
    options = {}
    if watch:
        os.environ["IPYTHONDIR"] = str(DUMPS / "ipython")
        _watchdog(ref, watch, tag)

        class Watched(NotebookClient):
            async def async_execute_cell(self, cell, cell_index, **kw):
                if self.km is not None and self.km.has_kernel:
                    ref["pid"] = self.km.provisioner.process.pid
                ref["cell"], ref["since"] = cell_index, time.perf_counter()
                try:
                    return await super().async_execute_cell(
                        cell, cell_index, **kw)
                finally:
                    ref["cell"] = None

        import nbclient
        nbclient.NotebookClient = Watched  # execute_notebook imports it
    result = bx.execute_notebook(Path(root) / f"{chapter}.ipynb", **options)
    slow = sorted((result.cell_seconds or {}).items(), key=lambda kv: -kv[1])
    return chapter, result.seconds, result.error, slow[:3]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--max-ratio", type=float, default=2.0)
    parser.add_argument("--root", type=Path, default=REPO,
                        help="book folder (default: this checkout)")
    parser.add_argument("--watch", type=float, default=None,
                        help="dump stacks of a cell slower than this (s)")
    parser.add_argument("chapters", nargs="*",
                        help="chapters/NAME (default: all of _toc.yml)")
    args = parser.parse_args(argv)
    chapters = args.chapters or bx.toc_chapters(args.root)
    if args.watch:
        startup = DUMPS / "ipython" / "profile_default" / "startup"
        startup.mkdir(parents=True, exist_ok=True)
        (startup / "00-stall-dump.py").write_text(
            KERNEL_STARTUP.format(dumps=str(DUMPS)))

    print(f"{len(chapters)} chapters x {args.rounds} rounds, "
          f"{args.parallel} at once, cell timeout {bx.cell_timeout()} s, "
          f"{os.cpu_count()} CPUs, load average {_loadavg()}", flush=True)
    jobs = [(c, r) for r in range(args.rounds) for c in chapters]
    times: dict[str, list[float]] = {c: [] for c in chapters}
    failures = []
    start = time.perf_counter()
    context = get_context("spawn")
    with ProcessPoolExecutor(args.parallel, mp_context=context) as pool:
        futures = {pool.submit(_execute, c, str(args.root), args.watch,
                               f"{Path(c).name}-r{r + 1}"): (c, r)
                   for c, r in jobs}
        for future in as_completed(futures):
            chapter, round_ = futures[future]
            name, seconds, error, slow = future.result()
            times[chapter].append(seconds)
            cells = ", ".join(f"cell {i}: {t:.1f} s" for i, t in slow)
            print(f"  {name} round {round_ + 1}: {seconds:6.1f} s "
                  f"(slowest {cells}; load {_loadavg()})"
                  + (" FAILED" if error else ""), flush=True)
            if error:
                failures.append(error)
    wall = time.perf_counter() - start

    print(f"\n{'chapter':28} {'median':>7} {'max':>7} {'max/med':>7}  times")
    worst = 0.0
    for chapter, values in times.items():
        if not values:
            continue
        median = statistics.median(values)
        ratio = max(values) / median
        worst = max(worst, ratio)
        flag = "  <-- above the limit" if ratio > args.max_ratio else ""
        listed = " ".join(f"{v:.1f}" for v in values)
        print(f"{chapter:28} {median:7.1f} {max(values):7.1f} "
              f"{ratio:7.2f}  {listed}{flag}")
    print(f"\n{len(jobs)} executions in {wall:.0f} s; largest max/median "
          f"{worst:.2f} (limit {args.max_ratio}); load average now "
          f"{_loadavg()}")
    for error in failures:
        print("\n" + error)
    return 1 if failures or worst > args.max_ratio else 0


if __name__ == "__main__":
    sys.exit(main())
