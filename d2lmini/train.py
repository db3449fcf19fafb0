"""Training linear regression on the airfoil data, from scratch and concise.

:func:`train_ch11` runs an update rule written the way the book writes it,
``trainer_fn(params, states, hyperparams)``; :func:`train_concise_ch11` runs
a ``torch.optim`` class. Both minimise the same loss (half the squared
error, averaged over the minibatch) from the same seeded initial weights
over the same seeded data order, so a from-scratch run and its concise twin
follow the same curve.

Both return a :class:`History` of what they measured: the loss on the whole
data set at a fixed number of points per epoch (one vectorized pass without
gradients, not counted in the training time), and the training time. With
``plot=True`` they draw the curve once, at the end.

Introduced in ``chapters/minibatch-sgd.ipynb``.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import torch

from .device import try_gpu
from .timer import Timer

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "History",
    "linreg",
    "plot_histories",
    "squared_loss",
    "train_ch11",
    "train_concise_ch11",
]


def linreg(X: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The linear regression model ``X @ w + b``.

    Introduced in ``chapters/minibatch-sgd.ipynb``.
    """
    return torch.matmul(X, w) + b


def squared_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    r"""Half the squared error, elementwise: :math:`\frac12 (\hat y - y)^2`.

    ``y`` is reshaped to the shape of ``y_hat``.

    Introduced in ``chapters/minibatch-sgd.ipynb``.
    """
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


@dataclass(repr=False)
class History:
    """What a training run measured.

    Attributes:
        epochs: epoch coordinate of each evaluation point (``1.0`` is the
            end of the first epoch).
        losses: loss on the whole data set at those points.
        times: training seconds up to each point (evaluation excluded).
        sec_per_epoch: training seconds per epoch.
        initial_loss: loss before the first step.
        steps: number of updates made.
        diverged_at: ``None``, or the number of updates after which a
            loss was first seen to be ``inf`` or ``NaN``: the minibatch
            loss of every step, or the loss on all data at an evaluation
            point. The run stopped there (at the next evaluation point).
        label: a name for legends.

    Iterating gives ``(times, losses)``, the pair the sources' training
    function returns, so ``times, losses = train_ch11(...)`` works.

    Introduced in ``chapters/minibatch-sgd.ipynb``.
    """

    epochs: list[float] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    sec_per_epoch: float = 0.0
    initial_loss: float = math.nan
    steps: int = 0
    diverged_at: int | None = None
    label: str | None = None

    @property
    def final_loss(self) -> float:
        """The loss at the last evaluation point."""
        return self.losses[-1] if self.losses else self.initial_loss

    def __iter__(self) -> Iterator[list[float]]:
        return iter((self.times, self.losses))

    def __repr__(self) -> str:
        text = (
            f"loss {self.final_loss:.3f}, {self.sec_per_epoch:.3f} sec/epoch"
        )
        if self.diverged_at is not None:
            text += f", diverged at step {self.diverged_at}"
        return text

    def plot(self, xaxis: str = "epoch", ax: Axes | None = None) -> Axes:
        """Draw this run; see :func:`plot_histories`."""
        return plot_histories([self], xaxis=xaxis, ax=ax)


def _new_axes() -> Axes:
    """A figure of the book's size with fixed margins for one loss curve.

    Fixed margins instead of a layout engine: the labels of these plots
    always fit, and drawing the figure takes half the time (this plot is
    drawn once per training run).
    """
    import matplotlib.pyplot as plt

    from .plotting import FIGSIZE

    fig, ax = plt.subplots(figsize=FIGSIZE)
    fig.subplots_adjust(left=0.2, right=0.96, bottom=0.2, top=0.95)
    return ax


def plot_histories(
    histories: History | Sequence[History],
    labels: Sequence[str] | None = None,
    xaxis: str = "epoch",
    ax: Axes | None = None,
) -> Axes:
    """Draw the loss curves of several runs on one ``Axes``.

    Args:
        histories: one :class:`History` or several.
        labels: legend entries (default: each history's ``label``).
        xaxis: ``"epoch"``, or ``"time"`` for training seconds on a log
            axis (to compare runs by cost, as in the minibatch chapter).
        ax: where to draw; a new figure when omitted.

    Returns:
        The ``Axes``. A run that diverged is drawn from its initial loss
        (on the epoch axis) to a red cross at its last finite loss, with a
        dotted line where it blew up, on a log loss axis.

    Introduced in ``chapters/minibatch-sgd.ipynb``.
    """
    from .plotting import set_axes

    if isinstance(histories, History):
        histories = [histories]
    if xaxis not in ("epoch", "time"):
        raise ValueError(f"xaxis must be 'epoch' or 'time', got {xaxis!r}")
    if labels is not None and len(labels) != len(histories):
        raise ValueError(
            f"got {len(labels)} labels for {len(histories)} histories"
        )
    ax = ax if ax is not None else _new_axes()
    names = labels or [h.label for h in histories]
    diverged = False
    for i, (h, name) in enumerate(zip(histories, names)):
        xs = list(h.epochs if xaxis == "epoch" else h.times)
        ys = list(h.losses)
        if h.diverged_at is not None and xaxis == "epoch":
            xs, ys = [0.0, *xs], [h.initial_loss, *ys]  # the climb
        finite = [(x, y) for x, y in zip(xs, ys) if math.isfinite(y)]
        if finite:
            ax.plot(*zip(*finite), "-", color=f"C{i % 10}", label=name)
        if h.diverged_at is not None:
            diverged = True
            if finite:
                ax.plot(*finite[-1], "x", color="C3", ms=8)
            ax.axvline(xs[-1], color="C3", ls=":", lw=1)
            ax.annotate(
                f"diverged at step {h.diverged_at}", (xs[-1], 1.0),
                xycoords=("data", "axes fraction"), color="C3",
                fontsize="small", ha="right", va="top", rotation=90,
            )
    # A diverging loss spans many orders of magnitude: a log axis shows it.
    set_axes(ax, "epoch" if xaxis == "epoch" else "time (sec)", "loss",
             xscale="log" if xaxis == "time" else "linear",
             yscale="log" if diverged else "linear")
    if xaxis == "time":
        from matplotlib.ticker import NullFormatter

        ax.xaxis.set_minor_formatter(NullFormatter())  # no crowded labels
    if any(names):
        ax.legend()
    return ax


# ---------------------------------------------------------------------------
# The training loop shared by both trainers.
# ---------------------------------------------------------------------------


def _check_int(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    return int(value)


def _full_data(data_iter: Iterable[Any]) -> tuple[torch.Tensor, ...]:
    """All examples of ``data_iter`` at once, for the evaluation pass."""
    arrays = getattr(data_iter, "arrays", None)  # d2lmini's ArrayLoader
    if arrays is None:  # a DataLoader over a TensorDataset
        arrays = getattr(getattr(data_iter, "dataset", None), "tensors", None)
    if arrays is None:
        batches = list(data_iter)
        arrays = tuple(torch.cat(part) for part in zip(*batches))
    return tuple(arrays[:2])


def _on_device(data_iter: Iterable[Any], device: torch.device) -> Any:
    """An iterable of minibatches that live on ``device``."""
    if device.type == "cpu":
        return data_iter
    if hasattr(data_iter, "arrays") and hasattr(data_iter, "seed"):
        # Copy the data once; the seeded order stays the same.
        from .data import ArrayLoader

        loader = ArrayLoader(
            tuple(a.to(device) for a in data_iter.arrays),
            data_iter.batch_size, shuffle=data_iter.shuffle,
            seed=data_iter.seed,
        )
        return loader

    class _Moved:
        def __len__(self) -> int:
            return len(data_iter)  # type: ignore[arg-type]

        def set_epoch(self, epoch: int) -> None:
            if hasattr(data_iter, "set_epoch"):
                data_iter.set_epoch(epoch)

        def __iter__(self) -> Iterator[tuple[torch.Tensor, ...]]:
            for batch in data_iter:
                yield tuple(a.to(device, non_blocking=True) for a in batch)

    return _Moved()


def _eval_points(num_batches: int, evals_per_epoch: int) -> set[int]:
    """Batch numbers (1-based) after which to evaluate, within an epoch."""
    k = min(evals_per_epoch, num_batches)
    return {math.ceil(i * num_batches / k) for i in range(1, k + 1)}


def _fit(
    step: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    evaluate: Callable[[], torch.Tensor],
    data_iter: Any,
    num_epochs: int,
    evals_per_epoch: int,
    label: str | None,
) -> History:
    """Run ``step(X, y) -> minibatch loss`` over the epochs and measure.

    The order of epoch ``e`` is fixed by ``data_iter.set_epoch(e)`` when the
    loader has it. Minibatch losses are kept on the device and checked at
    the evaluation points, so divergence is found to the step without
    synchronising at every step.
    """
    num_batches = len(data_iter)
    at = _eval_points(num_batches, evals_per_epoch)
    history = History(label=label, initial_loss=evaluate().item())
    timer, done, pending = Timer(), 0, []
    for epoch in range(num_epochs):
        if hasattr(data_iter, "set_epoch"):
            data_iter.set_epoch(epoch)
        timer.start()
        for i, (X, y) in enumerate(data_iter, 1):
            pending.append(step(X, y))
            if i not in at:
                continue
            timer.stop()
            loss = evaluate().item()
            bad = ~torch.isfinite(torch.stack(pending))
            first = int(bad.nonzero()[0, 0]) if bad.any() else None
            done += len(pending)
            if first is not None:  # a minibatch loss blew up first
                step_at = done - len(pending) + first
                loss = pending[first].item()
            else:
                step_at = done
            if not math.isfinite(loss):
                _diverged(history, done, step_at, loss, num_batches, timer)
                return history
            pending.clear()
            history.epochs.append(epoch + i / num_batches)
            history.losses.append(loss)
            history.times.append(timer.sum())
            timer.start()
    history.steps = done
    history.sec_per_epoch = timer.sum() / num_epochs
    return history


def _diverged(
    history: History, done: int, step: int, loss: float, num_batches: int,
    timer: Timer,
) -> None:
    """Record and report a run whose loss became ``inf`` or ``NaN``.

    ``step`` counts the updates made before the bad loss was measured (the
    minibatch loss of update ``k``, counted from 0, is measured after ``k``
    updates); ``done`` counts the updates made in all.
    """
    value = loss
    history.steps = done
    history.diverged_at = step
    history.epochs.append(step / num_batches)
    history.losses.append(value)
    history.times.append(timer.sum())
    history.sec_per_epoch = timer.sum() / (done / num_batches)
    warnings.warn(
        f"training diverged: the loss became {value} after {step} updates "
        f"(epoch {step / num_batches:.2f}); the run stops there. Try a "
        "smaller learning rate.",
        RuntimeWarning,
        stacklevel=3,
    )


def _leaves(state: Any) -> list[torch.Tensor | None]:
    if isinstance(state, (tuple, list)):
        return [x for s in state for x in _leaves(s)]
    return [state]


def _check_states(states: Any, params: list[torch.Tensor]) -> None:
    """States must be ``None`` or one entry per parameter, shaped like it."""
    if states is None:
        return
    names = ["w", "b"]
    if not isinstance(states, (tuple, list)) or len(states) != len(params):
        raise ValueError(
            f"states must hold one entry per parameter ({len(params)}: w "
            f"and b), got {type(states).__name__} of length "
            f"{len(states) if hasattr(states, '__len__') else '?'}; make "
            "them with an init_*_states(feature_dim) function"
        )
    for name, state, p in zip(names, states, params):
        for leaf in _leaves(state):
            if leaf is None:
                continue
            if not isinstance(leaf, torch.Tensor):
                raise ValueError(
                    f"the states of {name} must be tensors, got "
                    f"{type(leaf).__name__}"
                )
            if leaf.dim() != 0 and leaf.shape != p.shape:
                raise ValueError(
                    f"a state of {name} has shape {tuple(leaf.shape)}, but "
                    f"{name} has shape {tuple(p.shape)}; make the states "
                    "with an init_*_states(feature_dim) function for the "
                    "same feature_dim"
                )


def _map(state: Any, fn: Callable[[torch.Tensor], Any]) -> Any:
    if isinstance(state, (tuple, list)):
        return type(state)(_map(s, fn) for s in state)
    return fn(state) if isinstance(state, torch.Tensor) else state


def _copy_back(original: Any, moved: Any) -> None:
    for a, b in zip(_leaves(original), _leaves(moved)):
        if isinstance(a, torch.Tensor) and a is not b:
            a.copy_(b)


def _set_grads(
    X: torch.Tensor,
    y: torch.Tensor,
    w: torch.Tensor,
    b: torch.Tensor,
    row: bool = False,
) -> torch.Tensor:
    r"""Set ``w.grad``, ``b.grad`` for the mean loss and return that loss.

    For the linear model the gradient of :math:`\frac{1}{2n} \|X w + b -
    y\|^2` has a closed form: with the residual :math:`r = X w + b - y`,
    :math:`\nabla_w = X^\top r / n` and :math:`\nabla_b = \sum_i r_i / n`.
    These are the numbers autograd computes (a test checks it), at a
    fraction of its cost on a model this small. ``row=True`` is for a
    weight of shape ``(1, d)``, as in ``nn.Linear``.
    """
    with torch.no_grad():
        r = torch.addmm(b, X, w.T if row else w).sub_(y.reshape(-1, 1))
        r_n = r / X.shape[0]
        w.grad = torch.mm(r_n.T, X) if row else torch.mm(X.T, r_n)
        b.grad = r_n.sum(0)
        return torch.dot(r.view(-1), r_n.view(-1)) / 2


def _init_weights(
    feature_dim: int, seed: int, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """d2l's initialisation: weights ~ N(0, 0.01^2), bias 0, seeded."""
    gen = torch.Generator().manual_seed(seed)
    w = torch.normal(0.0, 0.01, size=(feature_dim, 1), generator=gen)
    return w.to(device), torch.zeros(1, device=device)


def train_ch11(
    trainer_fn: Callable[..., Any],
    states: Any,
    hyperparams: Mapping[str, Any] | None,
    data_iter: Any,
    feature_dim: int,
    num_epochs: int = 2,
    *,
    plot: bool = True,
    evals_per_epoch: int = 10,
    seed: int = 0,
    device: torch.device | str | None = None,
    ax: Axes | None = None,
    label: str | None = None,
    autograd: bool = False,
) -> History:
    r"""Train linear regression with an update rule written from scratch.

    The model is ``linreg(X, w, b)`` with ``w`` of shape ``(feature_dim,
    1)`` drawn from :math:`N(0, 0.01^2)` (a generator seeded with ``seed``)
    and ``b = 0``; the loss is :func:`squared_loss` averaged over the
    minibatch. Each step sets the gradients ``w.grad``, ``b.grad`` (in
    closed form, see ``autograd``) and calls ``trainer_fn([w, b], states,
    hyperparams)``, which updates ``w``, ``b`` and ``states`` in place.
    Functions written the way the sources write them (zeroing the
    gradients, keeping ``t`` in ``hyperparams``) run unchanged.

    Args:
        trainer_fn: an update rule such as :func:`d2lmini.sgd`.
        states: its states, e.g. ``init_momentum_states(feature_dim)``, or
            ``None``. On an accelerator they are copied there and back.
        hyperparams: passed to ``trainer_fn`` as they are, e.g.
            ``{"lr": 0.01}``; the package's optimizers check them first.
        data_iter: minibatches ``(X, y)``, e.g. from
            :func:`d2lmini.get_data_ch11`.
        feature_dim: number of features.
        num_epochs: passes over the data (an integer >= 1).
        plot: draw the loss curve at the end.
        evals_per_epoch: evaluation points per epoch (fewer if an epoch
            has fewer minibatches).
        seed: seeds the initial weights.
        device: where to train; ``try_gpu()`` by default.
        ax: where to draw (a new figure when omitted).
        label: legend entry for the curve.
        autograd: compute the gradients with ``loss.backward()`` instead
            of the closed form :math:`\nabla_w = X^\top (Xw + b - y) / n`,
            :math:`\nabla_b = \mathrm{mean}(Xw + b - y)`. Same numbers (up
            to rounding), about four times slower per step on a CPU.

    Returns:
        The :class:`History`; it prints as ``loss 0.243, 0.012 sec/epoch``.

    Raises:
        ValueError: bad ``num_epochs``, states that do not match ``[w, b]``
            or bad hyperparameters for one of the package's optimizers.

    Warns:
        RuntimeWarning: the loss became ``inf`` or ``NaN``; the run stops
            and the history records the step (``diverged_at``).

    Introduced in ``chapters/minibatch-sgd.ipynb``.
    """
    from .optim import OPTIMIZERS, check_hyperparams

    num_epochs = _check_int("num_epochs", num_epochs, 1)
    feature_dim = _check_int("feature_dim", feature_dim, 1)
    evals_per_epoch = _check_int("evals_per_epoch", evals_per_epoch, 1)
    if not callable(trainer_fn):
        raise ValueError(
            "trainer_fn must be a function (params, states, hyperparams), "
            f"got {type(trainer_fn).__name__}"
        )
    if OPTIMIZERS.get(getattr(trainer_fn, "__name__", "")) is trainer_fn:
        check_hyperparams(trainer_fn, hyperparams or {})
    device = torch.device(device) if device is not None else try_gpu()
    w, b = _init_weights(feature_dim, seed, device)
    params = [w.requires_grad_(), b.requires_grad_()]
    _check_states(states, params)
    moved = _map(states, lambda s: s.to(device))
    X_all, y_all = (a.to(device) for a in _full_data(data_iter))

    def step(X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if autograd:
            w.grad = b.grad = None
            loss = squared_loss(linreg(X, w, b), y).mean()
            loss.backward()
        else:
            loss = _set_grads(X, y, w, b)
        trainer_fn(params, moved, hyperparams)
        return loss.detach()

    def evaluate() -> torch.Tensor:
        with torch.no_grad():
            return squared_loss(linreg(X_all, w, b), y_all).mean()

    history = _fit(step, evaluate, _on_device(data_iter, device),
                   num_epochs, evals_per_epoch, label)
    _copy_back(states, moved)
    if plot:
        plot_histories([history], ax=ax)
    return history


def train_concise_ch11(
    trainer_fn: Callable[..., torch.optim.Optimizer],
    hyperparams: Mapping[str, Any] | None,
    data_iter: Any,
    num_epochs: int = 4,
    *,
    plot: bool = True,
    evals_per_epoch: int = 10,
    seed: int = 0,
    device: torch.device | str | None = None,
    ax: Axes | None = None,
    label: str | None = None,
    autograd: bool = False,
) -> History:
    """Train the same linear regression with a ``torch.optim`` optimizer.

    The model is ``nn.Linear(feature_dim, 1)`` with the same initial
    weights as :func:`train_ch11` (same ``seed``) and the same loss (half
    the squared error), so with the same data and learning rate both
    follow the same curve.

    Args:
        trainer_fn: an optimizer class, e.g. ``torch.optim.SGD``.
        hyperparams: its keyword arguments, e.g. ``{"lr": 0.01}``.
        data_iter: minibatches ``(X, y)``.
        num_epochs: passes over the data (an integer >= 1).
        plot, evals_per_epoch, seed, device, ax, label, autograd: as in
            :func:`train_ch11`.

    Returns:
        The :class:`History`.

    Introduced in ``chapters/minibatch-sgd.ipynb``.
    """
    num_epochs = _check_int("num_epochs", num_epochs, 1)
    evals_per_epoch = _check_int("evals_per_epoch", evals_per_epoch, 1)
    device = torch.device(device) if device is not None else try_gpu()
    X_all, y_all = (a.to(device) for a in _full_data(data_iter))
    feature_dim = X_all.shape[1]
    w, b = _init_weights(feature_dim, seed, device)
    net = torch.nn.Linear(feature_dim, 1, device=device)
    with torch.no_grad():
        net.weight.copy_(w.T)
        net.bias.copy_(b)
    optimizer = trainer_fn(net.parameters(), **(hyperparams or {}))

    def step(X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if autograd:
            optimizer.zero_grad(set_to_none=True)
            loss = squared_loss(net(X), y).mean()
            loss.backward()
        else:
            loss = _set_grads(X, y, net.weight, net.bias, row=True)
        optimizer.step()
        return loss.detach()

    def evaluate() -> torch.Tensor:
        with torch.no_grad():
            return squared_loss(net(X_all), y_all).mean()

    history = _fit(step, evaluate, _on_device(data_iter, device),
                   num_epochs, evals_per_epoch, label)
    if plot:
        plot_histories([history], ax=ax)
    return history
