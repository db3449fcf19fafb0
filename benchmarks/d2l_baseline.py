"""The baseline: the sources' 18 airfoil experiments with the d2l 1.0.3
package's own ``train_ch11`` and ``train_concise_ch11``, as published.

Never run in the book's environment: d2l is not a dependency of the book.
``benchmarks/setup_d2l_venv.sh`` makes a throwaway environment for it, and
``benchmarks/compare_d2l.py`` runs this script there, back to back with
``airfoil_suite.py --json`` in the book's environment.

Everything is d2l's: its data loader (``get_data_ch11``, a shuffled
``torch.utils.data.DataLoader``), its training loops with their ``Animator``
(which redraws the plot as SVG whenever 200 more examples have been seen)
and its ``evaluate_loss`` (the loss on the whole data set, batch by batch,
at the same points). The update rules are not in the package (the chapters
define them): they are written here the way the chapters write them, each
zeroing the gradients and, for Adam and Yogi, counting ``t`` in the
hyperparameters. Figures are rendered as in a notebook (see
``notebook.py``).

d2l imports torchvision, for which no CPU build exists here; an empty module
stands in (the airfoil experiments never use it). d2l reads the airfoil
file from ``../data``: run from ``benchmarks/`` (the driver does), where
that is the book's own copy, whose SHA-1 is the one d2l checks, so nothing
is downloaded.

Usage (in the throwaway environment, from ``benchmarks/``): ``python
d2l_baseline.py [OUT.json]`` runs the suite (a table, or JSON); ``--serve``
runs experiments on request, for the driver; ``--profile`` shows where the
time goes (cProfile).
"""

from __future__ import annotations

import re
import sys
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import notebook  # noqa: E402

notebook.notebook_display("png")  # d2l's Animator switches it to SVG

_stub = types.ModuleType("torchvision")
_stub.transforms = types.ModuleType("torchvision.transforms")
_stub.datasets = types.ModuleType("torchvision.datasets")
sys.modules.setdefault("torchvision", _stub)

import torch  # noqa: E402
from d2l import torch as d2l  # noqa: E402

# --- the update rules, as the chapters write them ---------------------------


def init_sgd_states(feature_dim):
    return None


def sgd(params, states, hyperparams):
    for p in params:
        p.data.sub_(hyperparams["lr"] * p.grad)
        p.grad.data.zero_()


def init_momentum_states(feature_dim):
    return (torch.zeros((feature_dim, 1)), torch.zeros(1))


def sgd_momentum(params, states, hyperparams):
    for p, v in zip(params, states):
        with torch.no_grad():
            v[:] = hyperparams["momentum"] * v + p.grad
            p[:] -= hyperparams["lr"] * v
        p.grad.data.zero_()


init_adagrad_states = init_rmsprop_states = init_momentum_states


def adagrad(params, states, hyperparams):
    eps = 1e-6
    for p, s in zip(params, states):
        with torch.no_grad():
            s[:] += torch.square(p.grad)
            p[:] -= hyperparams["lr"] * p.grad / torch.sqrt(s + eps)
        p.grad.data.zero_()


def rmsprop(params, states, hyperparams):
    gamma, eps = hyperparams["gamma"], 1e-6
    for p, s in zip(params, states):
        with torch.no_grad():
            s[:] = gamma * s + (1 - gamma) * torch.square(p.grad)
            p[:] -= hyperparams["lr"] * p.grad / torch.sqrt(s + eps)
        p.grad.data.zero_()


def init_adadelta_states(feature_dim):
    s_w, s_b = torch.zeros((feature_dim, 1)), torch.zeros(1)
    delta_w, delta_b = torch.zeros((feature_dim, 1)), torch.zeros(1)
    return ((s_w, delta_w), (s_b, delta_b))


def adadelta(params, states, hyperparams):
    rho, eps = hyperparams["rho"], 1e-5
    for p, (s, delta) in zip(params, states):
        with torch.no_grad():
            s[:] = rho * s + (1 - rho) * torch.square(p.grad)
            g = (torch.sqrt(delta + eps) / torch.sqrt(s + eps)) * p.grad
            p[:] -= g
            delta[:] = rho * delta + (1 - rho) * g * g
        p.grad.data.zero_()


init_adam_states = init_adadelta_states  # (v, s) per parameter


def adam(params, states, hyperparams):
    beta1, beta2, eps = 0.9, 0.999, 1e-6
    for p, (v, s) in zip(params, states):
        with torch.no_grad():
            v[:] = beta1 * v + (1 - beta1) * p.grad
            s[:] = beta2 * s + (1 - beta2) * torch.square(p.grad)
            v_hat = v / (1 - beta1 ** hyperparams["t"])
            s_hat = s / (1 - beta2 ** hyperparams["t"])
            p[:] -= hyperparams["lr"] * v_hat / (torch.sqrt(s_hat) + eps)
        p.grad.data.zero_()
    hyperparams["t"] += 1


def yogi(params, states, hyperparams):
    beta1, beta2, eps = 0.9, 0.999, 1e-3
    for p, (v, s) in zip(params, states):
        with torch.no_grad():
            v[:] = beta1 * v + (1 - beta1) * p.grad
            g2 = torch.square(p.grad)
            s[:] = s + (1 - beta2) * torch.sign(g2 - s) * g2
            v_hat = v / (1 - beta1 ** hyperparams["t"])
            s_hat = s / (1 - beta2 ** hyperparams["t"])
            p[:] -= hyperparams["lr"] * v_hat / (torch.sqrt(s_hat) + eps)
        p.grad.data.zero_()
    hyperparams["t"] += 1


RULES = {f.__name__: (f, globals()[f"init_{f.__name__}_states"])
         for f in (sgd, adagrad, rmsprop, adadelta, adam)}
RULES["sgd_momentum"] = (sgd_momentum, init_momentum_states)
RULES["yogi"] = (yogi, init_adam_states)
_PRINTED = re.compile(r"loss: ([0-9.naif]+), ([0-9.]+) sec/epoch")


def run(experiment):
    """One experiment, as a chapter cell runs it: (wall seconds, CPU
    seconds, final loss, sec/epoch as d2l prints it)."""
    name, kind, rule, hyperparams, batch_size, num_epochs = experiment
    torch.manual_seed(0)
    hyperparams = dict(hyperparams)
    if rule in ("adam", "yogi"):
        hyperparams["t"] = 1
    with notebook.captured() as out:
        start, cpu = time.perf_counter(), time.process_time()
        data_iter, feature_dim = d2l.get_data_ch11(batch_size)
        if kind == notebook.SCRATCH:
            fn, init = RULES[rule]
            d2l.train_ch11(fn, init(feature_dim), hyperparams, data_iter,
                           feature_dim, num_epochs)
        else:
            d2l.train_concise_ch11(getattr(torch.optim, rule), hyperparams,
                                   data_iter, num_epochs)
        notebook.show_open_figures()
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu
    loss, per_epoch = _PRINTED.findall(out.getvalue())[-1]
    return seconds, cpu, float(loss), float(per_epoch)


def warm_up():
    """One-time costs of the process, measured apart: the first figure
    rendered, torch.optim's first use, the first backward pass."""
    import matplotlib.pyplot as plt

    start = time.perf_counter()
    with notebook.captured():
        d2l.use_svg_display()
        plt.subplots()
        notebook.show_open_figures()
    w = torch.zeros(1, requires_grad=True)
    (w * 2).sum().backward()
    torch.optim.SGD([w], lr=0.1).step()
    return time.perf_counter() - start


def record(experiment) -> dict:
    seconds, cpu, loss, per_epoch = run(experiment)
    return {"name": experiment[0], "seconds": seconds, "cpu_seconds": cpu,
            "final_loss": loss, "sec_per_epoch": per_epoch}


def main() -> None:
    if "--serve" in sys.argv:
        notebook.serve(record, warm_up)
        return
    if "--profile" in sys.argv:
        notebook.profile(lambda: [run(e) for e in notebook.EXPERIMENTS],
                         warm_up)
        return
    results = {"suite": "d2l 1.0.3", "warm_up": warm_up(),
               "load_before": notebook.load(), "runs": []}
    for experiment in notebook.EXPERIMENTS:
        results["runs"].append(record(experiment))
    results["load_after"] = notebook.load()
    notebook.report(results, sys.argv[1] if len(sys.argv) > 1 else None)


if __name__ == "__main__":
    main()
