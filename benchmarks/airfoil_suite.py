"""Every airfoil experiment of the book, timed as a chapter runs it.

``python benchmarks/airfoil_suite.py`` runs the sources' 18 experiments
(``notebook.EXPERIMENTS``: gradient descent, SGD, minibatch SGD at batch
sizes 100 and 10, momentum three times, Adagrad, RMSProp, Adadelta, Adam,
Yogi, and the six ``torch.optim`` versions) and the book's three more
(AdaMax, Nadam, AMSGrad), each with ``train_ch11`` or
``train_concise_ch11`` as the chapters call them: the real training loop
(``backward()`` at every update), ``plot=True``, and the figure rendered as
Jupyter's inline backend renders it (PNG, see ``notebook.py``). It prints
the final loss, the wall and CPU seconds of each (data loading, training,
evaluation and the figure), and the one-time costs of the process apart.

``--json OUT.json`` runs the 18 only and writes what it measured;
``--serve`` runs them on request for ``compare_d2l.py``, which times the
d2l 1.0.3 baseline against them.
``--profile`` shows where the time goes (cProfile). ``--threads N`` calls
``torch.set_num_threads(N)`` first, to measure its effect.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import notebook  # noqa: E402

notebook.notebook_display("png")

import torch  # noqa: E402

import d2lmini as d2l  # noqa: E402

EXTRA = [
    ("adamax lr 0.01", notebook.SCRATCH, "adamax", {"lr": 0.01}, 10, 2),
    ("nadam lr 0.01", notebook.SCRATCH, "nadam", {"lr": 0.01}, 10, 2),
    ("amsgrad lr 0.01", notebook.SCRATCH, "amsgrad", {"lr": 0.01}, 10, 2),
]
INIT = {"sgd": "init_sgd_states", "sgd_momentum": "init_momentum_states",
        "yogi": "init_adam_states"}
DEVICE = torch.device("cpu")  # as d2l's loops, which never move anything


def run(experiment):
    """One experiment, as a chapter cell runs it: (wall seconds, CPU
    seconds, History, {part: wall seconds}) where the parts are reading
    the data, the run without its figure, and rendering the figure."""
    name, kind, rule, hyperparams, batch_size, num_epochs = experiment
    with notebook.captured():
        start, cpu = time.perf_counter(), time.process_time()
        data_iter, feature_dim = d2l.get_data_ch11(batch_size)
        read = time.perf_counter()
        if kind == notebook.SCRATCH:
            init = getattr(d2l, INIT.get(rule, f"init_{rule}_states"))
            history = d2l.train_ch11(
                getattr(d2l, rule), init(feature_dim), hyperparams,
                data_iter, feature_dim, num_epochs, device=DEVICE)
        else:
            history = d2l.train_concise_ch11(
                getattr(torch.optim, rule), hyperparams, data_iter,
                num_epochs, device=DEVICE)
        trained = time.perf_counter()
        notebook.show_open_figures()
        end = time.perf_counter()
        parts = {"data": read - start, "run": trained - read,
                 "figure": end - trained}
        return end - start, time.process_time() - cpu, history, parts


def warm_up() -> float:
    """One-time costs of the process, measured apart: the first figure
    rendered, torch.optim's first use (it imports torch._dynamo), the first
    backward pass."""
    import matplotlib.pyplot as plt

    start = time.perf_counter()
    with notebook.captured():
        plt.subplots()
        notebook.show_open_figures()
    w = torch.zeros(1, requires_grad=True)
    (w * 2).sum().backward()
    torch.optim.SGD([w], lr=0.1).step()
    return time.perf_counter() - start


def record(experiment) -> dict:
    seconds, cpu, history, parts = run(experiment)
    return {"name": experiment[0], "seconds": seconds, "cpu_seconds": cpu,
            "final_loss": history.final_loss,
            "sec_per_epoch": history.sec_per_epoch,
            "training_seconds": history.times[-1], **parts}


def measure(experiments) -> dict:
    results = {"suite": "d2lmini", "warm_up": warm_up(),
               "threads": torch.get_num_threads(),
               "load_before": notebook.load(), "runs": []}
    for experiment in experiments:
        results["runs"].append(record(experiment))
    results["load_after"] = notebook.load()
    return results


def main() -> None:
    args = sys.argv[1:]
    if "--threads" in args:
        torch.set_num_threads(int(args[args.index("--threads") + 1]))
    if "--serve" in args:
        notebook.serve(record, warm_up)
    elif "--profile" in args:
        notebook.profile(
            lambda: [run(e) for e in notebook.EXPERIMENTS], warm_up)
    elif "--json" in args:
        path = args[args.index("--json") + 1]
        notebook.report(measure(notebook.EXPERIMENTS), path)
    else:
        notebook.report(measure(notebook.EXPERIMENTS + EXTRA), None)


if __name__ == "__main__":
    main()
