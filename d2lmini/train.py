"""Training linear regression on the airfoil data, from scratch and concise.

:func:`train_ch11` runs an update rule written the way the book writes it,
``trainer_fn(params, states, hyperparams)``; :func:`train_concise_ch11` runs
a ``torch.optim`` class. Both minimise the same loss (half the squared
error, averaged over the minibatch) from the same seeded initial weights
over the same seeded data order, so a from-scratch run and its concise twin
follow the same curve. Both are the loops a reader writes: every update
back-propagates the minibatch loss (``backward()``) and then applies the
update rule; the minibatch chapter shows them as they are here. What a run
measures (the clock, the evaluation points, divergence) lives in the small
class ``_Progress``, out of the loop's way.

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

from ._args import (
    check_callable,
    check_device,
    check_int,
    check_labels,
    check_seed,
)
from .device import try_gpu
from .timer import Timer

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# The most epochs a training loop accepts: more is a typo (a run of 1000
# epochs with batch size 1 is 1.5 million updates, minutes of work).
MAX_EPOCHS = 1000

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

    Raises:
        ValueError: ``X`` has not as many columns as ``w`` has rows.

    Introduced in ``chapters/minibatch-sgd.ipynb``.
    """
    if X.shape[-1] != w.shape[0]:
        raise ValueError(
            f"linreg: X has {X.shape[-1]} features (shape {tuple(X.shape)}) "
            f"but w has {w.shape[0]} rows (shape {tuple(w.shape)}); make w "
            "with one row per feature")
    return torch.matmul(X, w) + b


def squared_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    r"""Half the squared error, elementwise: :math:`\frac12 (\hat y - y)^2`.

    ``y`` is reshaped to the shape of ``y_hat``.

    Raises:
        ValueError: ``y`` and ``y_hat`` hold different numbers of values.

    Introduced in ``chapters/minibatch-sgd.ipynb``.
    """
    if y.numel() != y_hat.numel():
        raise ValueError(
            f"squared_loss: y_hat has {y_hat.numel()} values (shape "
            f"{tuple(y_hat.shape)}) and y {y.numel()} (shape "
            f"{tuple(y.shape)}); give one target per prediction")
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
        per_epoch = _format_seconds(self.sec_per_epoch)
        text = f"loss {self.final_loss:.3f}, {per_epoch}/epoch"
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
    if (not isinstance(histories, Sequence) or not histories
            or not all(isinstance(h, History) for h in histories)):
        raise ValueError(
            "histories must be a History or a non-empty list of them (what "
            f"train_ch11 returns), got {histories!r:.80}")
    if xaxis not in ("epoch", "time"):
        raise ValueError(f"xaxis must be 'epoch' or 'time', got {xaxis!r}")
    labels = check_labels("labels", labels, len(histories))
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
# The bookkeeping of a run, kept out of the training loop's way.
# ---------------------------------------------------------------------------


def _full_data(data_iter: Iterable[Any]) -> tuple[torch.Tensor, ...]:
    """All examples of ``data_iter`` at once, for the evaluation pass."""
    arrays = getattr(data_iter, "arrays", None)  # d2lmini's ArrayLoader
    if arrays is None:  # a DataLoader over a TensorDataset
        arrays = getattr(getattr(data_iter, "dataset", None), "tensors", None)
    if arrays is None:
        batches = list(data_iter)
        arrays = tuple(torch.cat(part) for part in zip(*batches))
    return tuple(arrays[:2])


def _on_device(data_iter: Any, device: torch.device) -> Any:
    """An iterable of minibatches that live on ``device``.

    On a CPU this is ``data_iter`` itself. An :class:`ArrayLoader` is copied
    to the device once, with the same seeded order.
    """
    if device.type == "cpu":
        return data_iter
    if hasattr(data_iter, "arrays") and hasattr(data_iter, "seed"):
        from .data import ArrayLoader

        return ArrayLoader(
            tuple(a.to(device) for a in data_iter.arrays),
            data_iter.batch_size, shuffle=data_iter.shuffle,
            seed=data_iter.seed,
        )

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


def _format_seconds(seconds: float) -> str:
    """Three significant digits: ``0.0123`` -> ``12.3 ms``."""
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} sec" if seconds < 1000 else f"{seconds:.0f} sec"


class _Progress:
    """Everything a training loop measures, in one place.

    ``epochs`` and ``batches`` hand out the epoch numbers and the
    minibatches; between the batches they keep the clock, evaluate the
    loss on all the data at fixed points (one pass without gradients,
    not counted in the training time), and stop the run when a loss
    becomes ``inf`` or ``NaN``. ``record(l)`` keeps each minibatch loss on
    the device, so that divergence is found to the step without waiting for
    the device after every update. ``finish`` returns the :class:`History`.
    """

    def __init__(
        self,
        net: Callable[[torch.Tensor], torch.Tensor],
        loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
        data_iter: Any,
        evals_per_epoch: int,
        label: str | None,
    ) -> None:
        self.net, self.loss = net, loss
        self.X, self.y = _full_data(data_iter)
        self.num_batches = len(data_iter)
        self.at = _eval_points(self.num_batches, evals_per_epoch)
        self.history = History(label=label, initial_loss=self.evaluate())
        self.timer = Timer()  # (re)started by batches()
        self.pending: list[torch.Tensor] = []
        self.done = 0  # updates checked so far
        self.stopped = False

    def evaluate(self) -> float:
        """The loss on all the data, in one pass without gradients."""
        with torch.no_grad():
            return self.loss(self.net(self.X), self.y).mean().item()

    def epochs(self, num_epochs: int) -> Iterator[int]:
        """``0, 1, ..., num_epochs - 1``, unless the run diverges."""
        for epoch in range(num_epochs):
            if self.stopped:
                return
            yield epoch
        self.history.steps = self.done
        self.history.sec_per_epoch = self.timer.sum() / num_epochs

    def batches(self, data_iter: Any, epoch: int) -> Iterator[Any]:
        """The minibatches of epoch ``epoch``, timed and checked."""
        if hasattr(data_iter, "set_epoch"):
            data_iter.set_epoch(epoch)  # the seeded order of this epoch
        self.timer.start()
        for i, batch in enumerate(data_iter, 1):
            yield batch  # the loop makes its update here
            if i in self.at:
                self.timer.stop()
                if not self._checkpoint(epoch + i / self.num_batches):
                    self.stopped = True
                    return
                self.timer.start()

    def record(self, batch_loss: torch.Tensor) -> None:
        """Keep the minibatch loss of the update just made."""
        self.pending.append(batch_loss.detach())

    def _checkpoint(self, epoch: float) -> bool:
        """Evaluate; record the point, or the divergence (then False)."""
        loss = self.evaluate()
        bad = ~torch.isfinite(torch.stack(self.pending))
        first = int(bad.nonzero()[0, 0]) if bad.any() else None
        step = self.done + (first if first is not None else len(bad))
        if first is not None:  # a minibatch loss blew up first
            loss = self.pending[first].item()
        self.done += len(self.pending)
        self.pending.clear()
        if not math.isfinite(loss):
            self._diverged(step, loss)
            return False
        self.history.epochs.append(epoch)
        self.history.losses.append(loss)
        self.history.times.append(self.timer.sum())
        return True

    def _diverged(self, step: int, loss: float) -> None:
        """Record and report a run whose loss became ``inf`` or ``NaN``.

        ``step`` counts the updates made before the bad loss was measured
        (the minibatch loss of update ``k``, counted from 0, is measured
        after ``k`` updates).
        """
        h = self.history
        h.steps, h.diverged_at = self.done, step
        h.epochs.append(step / self.num_batches)
        h.losses.append(loss)
        h.times.append(self.timer.sum())
        h.sec_per_epoch = self.timer.sum() / (self.done / self.num_batches)
        warnings.warn(
            f"training diverged: the loss became {loss} after {step} "
            f"updates (epoch {step / self.num_batches:.2f}); the run stops "
            "there. Try a smaller learning rate.",
            RuntimeWarning,
            stacklevel=5,  # the line that called the trainer
        )

    def finish(self, plot: bool, ax: Axes | None) -> History:
        """The :class:`History`, drawn once when ``plot`` is true."""
        if plot:
            plot_histories([self.history], ax=ax)
        return self.history


# ---------------------------------------------------------------------------
# Checks and setup.
# ---------------------------------------------------------------------------


def _leaves(state: Any) -> list[torch.Tensor | None]:
    if isinstance(state, (tuple, list)):
        return [x for s in state for x in _leaves(s)]
    return [state]


def _check_states(states: Any, feature_dim: int) -> None:
    """States of an update rule that is not the package's: ``None``, those
    some ``init_..._states(feature_dim)`` of the package makes (whose
    tensors need not be shaped like the parameters: Adafactor, Shampoo),
    or one entry per parameter shaped like it."""
    from .optim import INIT_STATES, _first_difference, _structure

    if states is None:
        return
    _check_state_entries(states)
    for init in set(INIT_STATES.values()):
        made = init(feature_dim)
        if _structure(made) == _structure(states) and not _first_difference(
                states, made):
            return
    for (name, shape), state in zip({"w": (feature_dim, 1),
                                     "b": (1,)}.items(), states):
        for leaf in _leaves(state):
            if leaf is not None and leaf.dim() != 0 and tuple(
                    leaf.shape) != shape:
                raise ValueError(
                    f"a state of {name} has shape {tuple(leaf.shape)}, but "
                    f"{name} has shape {shape}; make the states with an "
                    "init_*_states(feature_dim) function for the same "
                    "feature_dim"
                )


def _check_state_entries(states: Any) -> None:
    """One entry per parameter (w, b), made of tensors and ``None``."""
    if not isinstance(states, (tuple, list)) or len(states) != 2:
        raise ValueError(
            "states must hold one entry per parameter (2: w and b), got "
            f"{type(states).__name__} of length "
            f"{len(states) if hasattr(states, '__len__') else '?'}; make "
            "them with an init_*_states(feature_dim) function"
        )
    for name, state in zip(("w", "b"), states):
        for leaf in _leaves(state):
            if leaf is not None and not isinstance(leaf, torch.Tensor):
                raise ValueError(
                    f"the states of {name} must be tensors, got "
                    f"{type(leaf).__name__}"
                )


def _check_schedule(schedule: Any, hyperparams: Any, steps: int) -> Any:
    """Check a schedule of :func:`train_ch11` on every update it will run
    (t = 1, ..., steps); return the learning rate of update 1."""
    from .optim import _check_schedule as check_on_updates

    if not isinstance(hyperparams, Mapping):
        raise ValueError(
            "with a schedule, hyperparams must be a dict (it may be empty, "
            f"{{}}), got {type(hyperparams).__name__}"
        )
    if "lr" in hyperparams:
        raise ValueError(
            "give the learning rate either in hyperparams or by the "
            "schedule, not both: remove 'lr' from hyperparams"
        )
    return check_on_updates(schedule, steps)


def _check_common(num_epochs: Any, evals_per_epoch: Any, seed: Any,
                  device: Any, data_iter: Any) -> None:
    """The arguments both training loops share, checked the same way."""
    check_int("num_epochs", num_epochs, 1, MAX_EPOCHS)
    check_int("evals_per_epoch", evals_per_epoch, 1)
    check_seed(seed)
    check_device(device)
    _check_loader(data_iter)


def _check_scratch(
    trainer_fn: Any, states: Any, hyperparams: Any, feature_dim: Any,
    num_epochs: Any, evals_per_epoch: Any, schedule: Any, seed: Any,
    device: Any, data_iter: Any,
) -> None:
    """Reject bad arguments of :func:`train_ch11` before any step."""
    from .optim import OPTIMIZERS, _check_states_for, check_hyperparams

    _check_common(num_epochs, evals_per_epoch, seed, device, data_iter)
    check_int("feature_dim", feature_dim, 1)
    check_callable("trainer_fn", trainer_fn,
                   "an update rule (params, states, hyperparams) such as "
                   "d2l.sgd")
    if hyperparams is not None and not isinstance(hyperparams, Mapping):
        raise ValueError(
            "hyperparams must be a dict such as {'lr': 0.05}, got "
            f"{type(hyperparams).__name__}")
    full = dict(hyperparams or {})
    if schedule is not None:
        full["lr"] = _check_schedule(schedule, hyperparams,
                                     num_epochs * len(data_iter))
    name = getattr(trainer_fn, "__name__", "")
    if OPTIMIZERS.get(name) is trainer_fn:  # its own init_..._states
        check_hyperparams(trainer_fn, full)
        if states is not None:
            _check_state_entries(states)
        _check_states_for(name, states, feature_dim)
    else:
        _check_states(states, feature_dim)


def _check_loader(data_iter: Any) -> None:
    """A loader of minibatches ``(X, y)`` with a length."""
    if isinstance(data_iter, torch.Tensor) or not hasattr(
            data_iter, "__len__") or not hasattr(data_iter, "__iter__"):
        raise TypeError(
            "data_iter must be a loader of minibatches (X, y) with a "
            "length, e.g. from get_data_ch11(batch_size) or "
            "load_array((X, y), batch_size), got "
            f"{type(data_iter).__name__}")
    if len(data_iter) == 0:
        raise ValueError("data_iter has no minibatches")


def _check_data(data_iter: Any, feature_dim: int) -> None:
    X = _full_data(data_iter)[0]
    if X.dim() != 2 or X.shape[1] != feature_dim:
        raise ValueError(
            f"the data have {X.shape[1] if X.dim() == 2 else '?'} "
            f"features per example, but feature_dim={feature_dim}; pass "
            "the feature_dim that get_data_ch11 returned"
        )


def _device(device: torch.device | str | None) -> torch.device:
    checked = check_device(device)
    return checked if checked is not None else try_gpu()


def _init_weights(
    feature_dim: int, seed: int, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """d2l's initialisation: weights ~ N(0, 0.01^2), bias 0, seeded.

    Both are returned ready for autograd (``requires_grad=True``).
    """
    gen = torch.Generator().manual_seed(int(seed))
    w = torch.normal(0.0, 0.01, size=(feature_dim, 1), generator=gen)
    b = torch.zeros(1)
    return w.to(device).requires_grad_(), b.to(device).requires_grad_()


def _map(state: Any, fn: Callable[[torch.Tensor], Any]) -> Any:
    if isinstance(state, (tuple, list)):
        return type(state)(_map(s, fn) for s in state)
    return fn(state) if isinstance(state, torch.Tensor) else state


def _states_on(device: torch.device, states: Any) -> Any:
    """The states on ``device``: the same objects on a CPU, copies else."""
    if device.type == "cpu":
        return states
    return _map(states, lambda s: s.to(device))


def _copy_back(original: Any, moved: Any) -> None:
    """Copy states trained on an accelerator back into the originals."""
    for a, b in zip(_leaves(original), _leaves(moved)):
        if isinstance(a, torch.Tensor) and a is not b:
            a.copy_(b)


# ---------------------------------------------------------------------------
# The two training loops.
# ---------------------------------------------------------------------------


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
    schedule: Callable[[int], float] | None = None,
) -> History:
    r"""Train linear regression with an update rule written from scratch.

    The model is ``linreg(X, w, b)`` with ``w`` of shape ``(feature_dim,
    1)`` drawn from :math:`N(0, 0.01^2)` (a generator seeded with ``seed``)
    and ``b = 0``; the loss is :func:`squared_loss` averaged over the
    minibatch. Each update clears the gradients, back-propagates the
    minibatch loss (``l.backward()`` sets ``w.grad`` and ``b.grad``) and
    calls ``trainer_fn([w, b], states, hyperparams)``, which updates ``w``,
    ``b`` and ``states`` in place. Functions written the way the sources
    write them (zeroing the gradients, keeping ``t`` in ``hyperparams``)
    run unchanged.

    Args:
        trainer_fn: an update rule such as :func:`d2lmini.sgd`.
        states: its states, e.g. ``init_momentum_states(feature_dim)``, or
            ``None``. For a package optimizer they must be made like its
            own ``init_..._states(feature_dim)`` makes them (same nesting
            and shapes: Adafactor's and Shampoo's are not shaped like the
            parameters); for a rule of one's own, like some
            ``init_..._states(feature_dim)`` of the package, or one entry
            per parameter shaped like it. On an accelerator they are
            copied there and back.
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
        schedule: a learning-rate schedule, a function ``t -> lr``:
            update ``t`` (``t = 1, 2, ...``, as in every helper of the
            package) runs with ``hyperparams`` plus ``"lr": schedule(t)``.
            Leave ``"lr"`` out of ``hyperparams`` then. Every update's
            value is checked (a number >= 0) before the first one.

    Returns:
        The :class:`History`; it prints as ``loss 0.243, 12.3 ms/epoch``.

    Raises:
        TypeError: an argument of the wrong kind (a float ``seed``, a
            tensor for ``data_iter``, a ``trainer_fn`` that is no
            function).
        ValueError: ``num_epochs`` outside 1..``MAX_EPOCHS``, an unknown
            ``device``, states that do not match ``[w, b]`` or were made
            for another optimizer, data that do not have ``feature_dim``
            features, a ``schedule`` that gives a learning rate < 0, or
            bad hyperparameters for one of the package's optimizers.

    Warns:
        RuntimeWarning: the loss became ``inf`` or ``NaN``; the run stops
            and the history records the step (``diverged_at``).

    Example:
        >>> import d2lmini as d2l
        >>> data_iter, feature_dim = d2l.get_data_ch11(batch_size=10)
        >>> h = d2l.train_ch11(d2l.sgd, None, {"lr": 0.05}, data_iter,
        ...                    feature_dim, plot=False, device="cpu")
        >>> round(h.final_loss, 2)  # 0.2467 on every machine we ran
        0.25

    Introduced in ``chapters/minibatch-sgd.ipynb``.
    """
    _check_scratch(trainer_fn, states, hyperparams, feature_dim, num_epochs,
                   evals_per_epoch, schedule, seed, device, data_iter)
    _check_data(data_iter, feature_dim)
    device = _device(device)
    data_iter = _on_device(data_iter, device)  # the same loader on a CPU
    states_here = _states_on(device, states)  # the same states on a CPU
    w, b = _init_weights(feature_dim, seed, device)
    net, loss = lambda X: linreg(X, w, b), squared_loss
    # progress keeps the clock, evaluates the loss on all the data
    # evals_per_epoch times per epoch and stops a run that diverges.
    progress = _Progress(net, loss, data_iter, evals_per_epoch, label)
    t = 0  # updates made so far
    for epoch in progress.epochs(num_epochs):
        for X, y in progress.batches(data_iter, epoch):
            t += 1  # this is update t = 1, 2, ...
            if schedule is not None:  # the learning rate of update t
                hyperparams = {**hyperparams, "lr": schedule(t)}
            w.grad = b.grad = None  # forget the last minibatch's gradient
            batch_loss = loss(net(X), y).mean()
            batch_loss.backward()  # sets w.grad and b.grad
            trainer_fn([w, b], states_here, hyperparams)
            progress.record(batch_loss)
    _copy_back(states, states_here)  # nothing to do on a CPU
    return progress.finish(plot, ax)


_SCHEDULER_EXAMPLE = (
    "pass a function of the optimizer, e.g. scheduler=lambda opt: "
    "torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.1)"
)


def _check_concise(
    trainer_fn: Any, hyperparams: Any, num_epochs: Any,
    evals_per_epoch: Any, scheduler: Any, seed: Any, device: Any,
    data_iter: Any,
) -> None:
    """Reject bad arguments of :func:`train_concise_ch11` before training."""
    from .optim import OPTIMIZERS

    _check_common(num_epochs, evals_per_epoch, seed, device, data_iter)
    if trainer_fn in OPTIMIZERS.values():
        raise ValueError(
            f"{trainer_fn.__name__} is an update rule written from scratch: "
            "train it with train_ch11; train_concise_ch11 takes a "
            "torch.optim class such as torch.optim.SGD"
        )
    if not callable(trainer_fn):
        raise ValueError(
            "trainer_fn must be a torch.optim class such as "
            f"torch.optim.SGD, got {type(trainer_fn).__name__}"
        )
    if hyperparams is not None and not isinstance(hyperparams, Mapping):
        raise ValueError(
            "hyperparams must be a dict of the optimizer's keyword "
            f"arguments, e.g. {{'lr': 0.05}}, got {type(hyperparams).__name__}"
        )
    if scheduler is not None:
        _check_scheduler(scheduler)
        _check_scheduled_lrs(trainer_fn, hyperparams, scheduler, num_epochs)


def _check_scheduled_lrs(trainer_fn: Any, hyperparams: Any,
                         scheduler: Any, num_epochs: int) -> None:
    """Run the scheduler on a stand-in parameter for ``num_epochs`` epochs
    and refuse a learning rate that is not a number >= 0."""
    dummy = torch.zeros(1, requires_grad=True)
    optimizer = trainer_fn([dummy], **(hyperparams or {}))
    made = _make_scheduler(scheduler, optimizer)
    for epoch in range(num_epochs):
        for lr in made.get_last_lr():
            if not (isinstance(lr, numbers.Real) and math.isfinite(lr)
                    and lr >= 0):
                raise ValueError(
                    "scheduler gives the learning rate "
                    f"{lr!r} for epoch {epoch} (counted from 0); a learning "
                    "rate must be a finite number >= 0")
        with warnings.catch_warnings():  # stepped without optimizer.step()
            warnings.simplefilter("ignore")
            made.step()


def _check_scheduler(scheduler: Any) -> None:
    from torch.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau

    if isinstance(scheduler, (LRScheduler, ReduceLROnPlateau)):
        raise ValueError(
            "scheduler is a scheduler already, made for another optimizer; "
            + _SCHEDULER_EXAMPLE
        )
    if not callable(scheduler):
        raise ValueError(
            "scheduler must be a function that makes a scheduler for the "
            f"optimizer, got {type(scheduler).__name__}; "
            + _SCHEDULER_EXAMPLE
        )


def _make_scheduler(
    scheduler: Callable[[torch.optim.Optimizer], Any],
    optimizer: torch.optim.Optimizer,
) -> Any:
    """``scheduler(optimizer)``, checked to be a scheduler of ``optimizer``."""
    from torch.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau

    try:
        made = scheduler(optimizer)
    except TypeError as err:
        raise ValueError(
            f"scheduler(optimizer) failed ({err}); " + _SCHEDULER_EXAMPLE
        ) from None
    if isinstance(made, ReduceLROnPlateau):
        raise ValueError(
            "ReduceLROnPlateau needs a metric at every step; "
            "train_concise_ch11 steps its scheduler without one: use a "
            "schedule of the epoch such as StepLR or ExponentialLR"
        )
    if not isinstance(made, LRScheduler) or made.optimizer is not optimizer:
        raise ValueError(
            "scheduler(optimizer) must return a torch.optim.lr_scheduler "
            f"scheduler of that optimizer, got {type(made).__name__}; "
            + _SCHEDULER_EXAMPLE
        )
    return made


def _linear_model(
    feature_dim: int, seed: int, device: torch.device
) -> torch.nn.Linear:
    """``nn.Linear(feature_dim, 1)`` with the initial weights of
    :func:`train_ch11` (same ``seed``)."""
    net = torch.nn.Linear(feature_dim, 1, device=device)
    w, b = _init_weights(feature_dim, seed, device)
    with torch.no_grad():
        net.weight.copy_(w.T)
        net.bias.copy_(b)
    return net


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
    scheduler: Callable[[torch.optim.Optimizer], Any] | None = None,
) -> History:
    """Train the same linear regression with a ``torch.optim`` optimizer.

    The model is ``nn.Linear(feature_dim, 1)`` with the same initial
    weights as :func:`train_ch11` (same ``seed``) and the same loss (half
    the squared error), so with the same data and learning rate both
    follow the same curve. Each update is PyTorch's three lines:
    ``optimizer.zero_grad()``, ``l.backward()``, ``optimizer.step()``.

    Args:
        trainer_fn: an optimizer class, e.g. ``torch.optim.SGD``.
        hyperparams: its keyword arguments, e.g. ``{"lr": 0.01}``.
        data_iter: minibatches ``(X, y)``.
        num_epochs: passes over the data (an integer >= 1).
        plot, evals_per_epoch, seed, device, ax, label: as in
            :func:`train_ch11`.
        scheduler: a function that makes a learning-rate scheduler for the
            optimizer, e.g. ``lambda opt: StepLR(opt, step_size=1,
            gamma=0.1)`` (``functools.partial(StepLR, step_size=1,
            gamma=0.1)`` works too). Its ``step()`` is called **once per
            epoch**, after the epoch's last update, as in PyTorch's
            examples: epoch ``k`` (from 0) runs at the rate the scheduler
            gives after ``k`` steps. For a rate that changes at every
            update, use :func:`train_ch11` with ``schedule``.

    Returns:
        The :class:`History`.

    Raises:
        TypeError, ValueError: as in :func:`train_ch11`; also an update
            rule from scratch in place of a ``torch.optim`` class, or a
            ``scheduler`` that is not one or gives a learning rate < 0 in
            one of the ``num_epochs`` epochs (tried on a stand-in
            parameter before training).

    Introduced in ``chapters/minibatch-sgd.ipynb``.
    """
    _check_concise(trainer_fn, hyperparams, num_epochs, evals_per_epoch,
                   scheduler, seed, device, data_iter)
    device = _device(device)
    data_iter = _on_device(data_iter, device)  # the same loader on a CPU
    net = _linear_model(_full_data(data_iter)[0].shape[1], seed, device)
    loss = squared_loss
    optimizer = trainer_fn(net.parameters(), **(hyperparams or {}))
    if scheduler is not None:
        scheduler = _make_scheduler(scheduler, optimizer)
    # progress keeps the clock, evaluates the loss on all the data
    # evals_per_epoch times per epoch and stops a run that diverges.
    progress = _Progress(net, loss, data_iter, evals_per_epoch, label)
    for epoch in progress.epochs(num_epochs):
        for X, y in progress.batches(data_iter, epoch):
            optimizer.zero_grad()
            batch_loss = loss(net(X), y).mean()
            batch_loss.backward()
            optimizer.step()
            progress.record(batch_loss)
        if scheduler is not None:
            scheduler.step()  # once per epoch
    return progress.finish(plot, ax)
