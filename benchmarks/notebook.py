"""What both airfoil benchmarks share: the sources' 18 experiments and a
notebook's way of showing figures, without a notebook.

This file imports neither d2l nor d2lmini, so that the d2l 1.0.3 baseline
(``d2l_baseline.py``, run in a throwaway environment) and the d2lmini suite
(``airfoil_suite.py``, run in the book's ``.venv``) use the same list and
the same display.

A notebook shows a figure by rendering it (the inline backend's formatter
turns it into PNG or SVG bytes) and sending the bytes to the browser.
``notebook_display()`` sets up IPython's display machinery in this process,
so ``IPython.display.display(fig)`` renders the figure exactly as it would
in Jupyter; only the sending is left out (the text that IPython prints
instead goes to a buffer).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Callable
from pathlib import Path

# (name, rule, state initialiser, hyperparameters, batch size, epochs) for
# the from-scratch runs, as the sources' chapters call train_ch11; for the
# concise runs the rule is a torch.optim class name and there is no state
# initialiser (train_concise_ch11's default of 4 epochs).
SCRATCH, CONCISE = "scratch", "concise"
EXPERIMENTS = [
    ("gd lr 1, batch 1500", SCRATCH, "sgd", {"lr": 1.0}, 1500, 10),
    ("sgd lr 0.005, batch 1", SCRATCH, "sgd", {"lr": 0.005}, 1, 5),
    ("minibatch 100, lr 0.4", SCRATCH, "sgd", {"lr": 0.4}, 100, 2),
    ("minibatch 10, lr 0.05", SCRATCH, "sgd", {"lr": 0.05}, 10, 2),
    ("concise SGD lr 0.05", CONCISE, "SGD", {"lr": 0.05}, 10, 4),
    ("momentum 0.02, 0.5", SCRATCH, "sgd_momentum",
     {"lr": 0.02, "momentum": 0.5}, 10, 2),
    ("momentum 0.01, 0.9", SCRATCH, "sgd_momentum",
     {"lr": 0.01, "momentum": 0.9}, 10, 2),
    ("momentum 0.005, 0.9", SCRATCH, "sgd_momentum",
     {"lr": 0.005, "momentum": 0.9}, 10, 2),
    ("concise momentum", CONCISE, "SGD", {"lr": 0.005, "momentum": 0.9},
     10, 4),
    ("adagrad lr 0.1", SCRATCH, "adagrad", {"lr": 0.1}, 10, 2),
    ("concise Adagrad", CONCISE, "Adagrad", {"lr": 0.1}, 10, 4),
    ("rmsprop lr 0.01, gamma 0.9", SCRATCH, "rmsprop",
     {"lr": 0.01, "gamma": 0.9}, 10, 2),
    ("concise RMSprop", CONCISE, "RMSprop", {"lr": 0.01, "alpha": 0.9},
     10, 4),
    ("adadelta rho 0.9", SCRATCH, "adadelta", {"rho": 0.9}, 10, 2),
    ("concise Adadelta", CONCISE, "Adadelta", {"rho": 0.9}, 10, 4),
    ("adam lr 0.01", SCRATCH, "adam", {"lr": 0.01}, 10, 2),
    ("concise Adam", CONCISE, "Adam", {"lr": 0.01}, 10, 4),
    ("yogi lr 0.01", SCRATCH, "yogi", {"lr": 0.01}, 10, 2),
]


def notebook_display(fmt: str) -> None:
    """Make ``IPython.display.display(fig)`` render figures as Jupyter's
    inline backend does, in ``fmt`` (``"png"``, Jupyter's default, or
    ``"svg"``, which d2l's ``Animator`` switches to)."""
    import matplotlib

    matplotlib.use("Agg")  # the inline backend draws with Agg too
    from IPython.core.interactiveshell import InteractiveShell
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    InteractiveShell.instance()
    set_matplotlib_formats(fmt)


def show_open_figures() -> None:
    """What the inline backend does at the end of a cell: render every
    open figure once, then close them all."""
    import matplotlib.pyplot as plt
    from IPython.display import display

    for num in plt.get_fignums():
        display(plt.figure(num))
    plt.close("all")


@contextlib.contextmanager
def captured() -> io.StringIO:
    """Collect what the run prints (IPython prints text stand-ins for the
    figures it would send to a browser)."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        yield buffer


def load() -> dict[str, float]:
    """The machine's load averages and core count, to print beside
    timings."""
    one, five, fifteen = os.getloadavg()
    return {"load1": one, "load5": five, "load15": fifteen,
            "cores": os.cpu_count() or 0}


def serve(record: Callable[[tuple], dict],
          warm_up: Callable[[], float]) -> None:
    """Run experiments on request, for ``compare_d2l.py``: pay the one-time
    costs, answer ``{"warm_up": seconds}``, then for each line ``i`` read
    from stdin run ``EXPERIMENTS[i]`` and answer ``record``'s dict, one JSON
    line each (what the runs print is captured, so stdout carries only the
    answers)."""
    import sys

    out = sys.stdout
    with captured():
        seconds = warm_up()
    out.write(json.dumps({"warm_up": seconds}) + "\n")
    out.flush()
    for line in sys.stdin:
        with captured():
            answer = record(EXPERIMENTS[int(line)])
        out.write(json.dumps({**answer, **load()}) + "\n")
        out.flush()


def report(results: dict, path: str | None) -> None:
    """Write the results as JSON to ``path``, or print them as a table."""
    if path is not None:
        Path(path).write_text(json.dumps(results, indent=1))
        return
    print(f"{results['suite']}: one-time warm-up {results['warm_up']:.2f} s")
    print(f"{'experiment':28s} {'loss':>6s} {'wall s':>7s} {'CPU s':>7s}")
    for r in results["runs"]:
        print(f"{r['name']:28s} {r['final_loss']:6.3f} {r['seconds']:7.3f} "
              f"{r['cpu_seconds']:7.3f}")
    wall = sum(r["seconds"] for r in results["runs"])
    cpu = sum(r["cpu_seconds"] for r in results["runs"])
    print(f"{'total':28s} {'':6s} {wall:7.3f} {cpu:7.3f}")
    if "figure" in results["runs"][0]:
        parts = {k: sum(r[k] for r in results["runs"]) for k in
                 ("data", "run", "training_seconds", "figure")}
        print(f"wall time spent reading the data {parts['data']:.2f} s, "
              f"running {parts['run']:.2f} s (of which training "
              f"{parts['training_seconds']:.2f} s, the rest evaluation, "
              f"setup and drawing), rendering the figures "
              f"{parts['figure']:.2f} s")
    before, after = results["load_before"], results["load_after"]
    print(f"load average {before['load1']:.1f} before, {after['load1']:.1f} "
          f"after, on {after['cores']} cores")


def profile(work: Callable[[], object], warm_up: Callable[[], object],
            top: int = 25) -> None:
    """Run ``work`` under cProfile (after ``warm_up``) and print the
    functions that take the most time, by their own time and in all."""
    import cProfile
    import pstats

    warm_up()
    profiler = cProfile.Profile()
    profiler.enable()
    with captured():
        work()
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
