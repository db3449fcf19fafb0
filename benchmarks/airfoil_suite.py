"""Every airfoil experiment of the book, timed, with one plot each.

Run with ``python benchmarks/airfoil_suite.py``. For each experiment (the
sources' hyperparameters) it prints the final loss and the training seconds
per epoch, then the wall time of the whole suite with one figure per
experiment, drawn by ``train_ch11(plot=True)`` and rendered by the Agg
backend (``canvas.draw()``; encoding a PNG is not included). The one-time
costs of the process (importing matplotlib and drawing a first figure;
torch.optim's first use, which imports ``torch._dynamo``) are measured
first and printed separately.

As a baseline, measured in the same process, the same experiments run
through a loop written the way the sources write ``train_ch11``: autograd
for the gradients, and the loss on the whole data set evaluated minibatch by
minibatch whenever 200 more examples have been seen (the redrawing of the
plot at every point is left out). A third run uses ``d2lmini`` with
``autograd=True``, to show where the speed comes from.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # this script only: no window, figures still drawn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

import d2lmini as d2l  # noqa: E402

DEVICE = torch.device("cpu")

# (name, from-scratch optimizer, its state initialiser, hyperparameters,
#  batch size, epochs); a torch.optim class instead of an initialiser
#  marks a concise run.
S, C = "scratch", "concise"
SUITE = [
    ("gd (lr 1, batch 1500)", S, d2l.sgd, d2l.init_sgd_states,
     {"lr": 1.0}, 1500, 10),
    ("sgd (lr 0.005, batch 1)", S, d2l.sgd, d2l.init_sgd_states,
     {"lr": 0.005}, 1, 5),
    ("minibatch 100 (lr 0.4)", S, d2l.sgd, d2l.init_sgd_states,
     {"lr": 0.4}, 100, 2),
    ("minibatch 10 (lr 0.05)", S, d2l.sgd, d2l.init_sgd_states,
     {"lr": 0.05}, 10, 2),
    ("concise SGD (lr 0.05)", C, torch.optim.SGD, None,
     {"lr": 0.05}, 10, 4),
    ("momentum (0.02, 0.5)", S, d2l.sgd_momentum, d2l.init_momentum_states,
     {"lr": 0.02, "momentum": 0.5}, 10, 2),
    ("momentum (0.01, 0.9)", S, d2l.sgd_momentum, d2l.init_momentum_states,
     {"lr": 0.01, "momentum": 0.9}, 10, 2),
    ("momentum (0.005, 0.9)", S, d2l.sgd_momentum, d2l.init_momentum_states,
     {"lr": 0.005, "momentum": 0.9}, 10, 2),
    ("concise momentum", C, torch.optim.SGD, None,
     {"lr": 0.005, "momentum": 0.9}, 10, 4),
    ("adagrad (lr 0.1)", S, d2l.adagrad, d2l.init_adagrad_states,
     {"lr": 0.1}, 10, 2),
    ("concise Adagrad", C, torch.optim.Adagrad, None, {"lr": 0.1}, 10, 4),
    ("rmsprop (0.01, gamma 0.9)", S, d2l.rmsprop, d2l.init_rmsprop_states,
     {"lr": 0.01, "gamma": 0.9}, 10, 2),
    ("concise RMSprop", C, torch.optim.RMSprop, None,
     {"lr": 0.01, "alpha": 0.9}, 10, 4),
    ("adadelta (rho 0.9)", S, d2l.adadelta, d2l.init_adadelta_states,
     {"rho": 0.9}, 10, 2),
    ("concise Adadelta", C, torch.optim.Adadelta, None,
     {"rho": 0.9}, 10, 4),
    ("adam (lr 0.01)", S, d2l.adam, d2l.init_adam_states,
     {"lr": 0.01}, 10, 2),
    ("concise Adam", C, torch.optim.Adam, None, {"lr": 0.01}, 10, 4),
    ("yogi (lr 0.01)", S, d2l.yogi, d2l.init_adam_states,
     {"lr": 0.01}, 10, 2),
    ("adamax (lr 0.01)", S, d2l.adamax, d2l.init_adamax_states,
     {"lr": 0.01}, 10, 2),
    ("nadam (lr 0.01)", S, d2l.nadam, d2l.init_nadam_states,
     {"lr": 0.01}, 10, 2),
    ("amsgrad (lr 0.01)", S, d2l.amsgrad, d2l.init_amsgrad_states,
     {"lr": 0.01}, 10, 2),
]


_LOADERS = {}


def get_data(batch_size):
    """``get_data_ch11``, read once per batch size as a chapter does.

    The loaders are seeded per epoch, so reusing one changes nothing.
    """
    if batch_size not in _LOADERS:
        _LOADERS[batch_size] = d2l.get_data_ch11(batch_size)
    return _LOADERS[batch_size]


def run(experiment, plot=False, autograd=False):
    """One experiment with d2lmini."""
    name, kind, fn, init, hyperparams, batch_size, num_epochs = experiment
    data_iter, feature_dim = get_data(batch_size)
    kwargs = dict(plot=plot, device=DEVICE, autograd=autograd)
    if kind == S:
        return d2l.train_ch11(fn, init(feature_dim), hyperparams, data_iter,
                              feature_dim, num_epochs, **kwargs)
    return d2l.train_concise_ch11(fn, hyperparams, data_iter, num_epochs,
                                  **kwargs)


# ---------------------------------------------------------------------------
# Baseline: the loop of the sources' train_ch11 / train_concise_ch11,
# without the Animator (points are only collected).
# ---------------------------------------------------------------------------


def _evaluate_loss(net, data_iter, loss):
    """The sources' evaluate_loss: the loss accumulated batch by batch."""
    total, count = 0.0, 0
    for X, y in data_iter:
        out = net(X)
        y = y.reshape(out.shape)
        ls = loss(out, y)
        total += float(ls.sum().detach())
        count += ls.numel()
    return total / count


def baseline(experiment):
    """One experiment the sources' way; returns (final loss, seconds)."""
    name, kind, fn, init, hyperparams, batch_size, num_epochs = experiment
    data_iter, feature_dim = get_data(batch_size)
    torch.manual_seed(0)
    if kind == S:
        w = torch.normal(0.0, 0.01, size=(feature_dim, 1),
                         requires_grad=True)
        b = torch.zeros(1, requires_grad=True)
        states = init(feature_dim)

        def net(X):
            return d2l.linreg(X, w, b)

        def update():
            fn([w, b], states, hyperparams)
            w.grad.data.zero_()
            b.grad.data.zero_()
    else:
        model = torch.nn.Sequential(torch.nn.Linear(feature_dim, 1))
        torch.nn.init.normal_(model[0].weight, std=0.01)
        optimizer = fn(model.parameters(), **hyperparams)
        net = model

        def update():
            optimizer.step()
            optimizer.zero_grad()

    loss = d2l.squared_loss
    n, losses, start = 0, [], time.perf_counter()
    for _ in range(num_epochs):
        for X, y in data_iter:
            out = net(X)
            ls = loss(out, y.reshape(out.shape)).mean()
            ls.backward()
            update()
            n += X.shape[0]
            if n % 200 == 0:
                losses.append(_evaluate_loss(net, data_iter, loss))
    return losses[-1], time.perf_counter() - start


def warm_up():
    """The one-time costs of the process, measured on their own."""
    start = time.perf_counter()
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    fig.canvas.draw()
    plt.close(fig)
    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    return time.perf_counter() - start


def main() -> None:
    warm = warm_up()
    print(f"one-time warm-up (matplotlib's first figure, torch.optim's "
          f"first use): {warm:.2f} s\n")
    header = f"{'experiment':28s} {'final loss':>10s} {'sec/epoch':>10s}"
    print(header)
    print("-" * len(header))
    start, cpu_start = time.perf_counter(), time.process_time()
    train_seconds = 0.0
    for experiment in SUITE:
        history = run(experiment, plot=True)  # draws a new figure
        fig = plt.gcf()
        fig.canvas.draw()  # render it (Agg), as a notebook would
        plt.close(fig)
        train_seconds += history.times[-1]
        print(f"{experiment[0]:28s} {history.final_loss:10.3f} "
              f"{history.sec_per_epoch:10.4f}")
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    print("-" * len(header))
    print(f"suite total, {len(SUITE)} experiments with one rendered plot "
          f"each: {total:.2f} s (training alone {train_seconds:.2f} s; "
          f"CPU time of this process {cpu:.2f} s)")
    print(f"including the one-time warm-up: {total + warm:.2f} s "
          f"(target: under 5 s)")
    print(f"load average of the machine: {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores (other work slows every figure)\n")

    start = time.perf_counter()
    for experiment in SUITE:
        run(experiment, autograd=True)
    ours_autograd = time.perf_counter() - start
    start = time.perf_counter()
    for experiment in SUITE:
        run(experiment)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    for experiment in SUITE:
        baseline(experiment)
    base = time.perf_counter() - start
    print("same suite, no plots, measured in this process:")
    print(f"  baseline, the sources' loop (autograd, evaluation batch by "
          f"batch every 200 examples): {base:.2f} s")
    print(f"  d2lmini with autograd=True: {ours_autograd:.2f} s "
          f"({base / ours_autograd:.1f}x faster than the baseline)")
    print(f"  d2lmini (closed-form gradient): {ours:.2f} s "
          f"({base / ours:.1f}x faster than the baseline)")


if __name__ == "__main__":
    main()
