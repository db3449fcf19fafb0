"""Training classifiers on the bundled digits, with any optimizer.

:func:`train_digits` trains a softmax classifier on the 8x8 handwritten
digits of :func:`d2lmini.load_digits` (or on any features derived from
them) with either an update rule written from scratch,
``trainer_fn(params, states, hyperparams)`` as in
:func:`d2lmini.train_ch11`, or a ``torch.optim`` optimizer class. It returns
a :class:`DigitsHistory`, a :class:`d2lmini.History` that also records the
accuracy and the loss on held-out digits.

The data are split once, by a seeded permutation (:func:`split_digits`), so
that every optimizer of a comparison sees the same training and test sets.

Introduced in ``chapters/adam-paper.ipynb``.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from ._args import check_callable, check_device, check_seed, is_number
from .data import load_digits
from .device import try_gpu
from .optim import (
    INIT_STATES,
    OPTIMIZERS,
    _check_schedule,
    _check_states_for,
    _schedule_lr,
    check_hyperparams,
    init_adam_states,
    read_hyperparams,
)
from .timer import Timer
from .train import History, plot_histories

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "DigitsHistory",
    "DigitsSplit",
    "adam_no_correction",
    "digits_net",
    "split_digits",
    "train_digits",
]

NUM_CLASSES = 10
MODELS = ("logreg", "mlp")

# The state initialiser each optimizer of d2lmini.optim needs (from its
# registration), to say so in an error message when it is missing.
_INITS: dict[str, Callable[..., Any]] = {
    **INIT_STATES, "adam_no_correction": init_adam_states}


class DigitsSplit(NamedTuple):
    """A training set and a held-out test set of digits.

    ``X_*`` are float tensors of shape ``(n, d)``, ``y_*`` int64 labels
    0..9. Replace the features with ``split._replace(X_train=...,
    X_test=...)`` to train on a transformed version of the same split.
    """

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor


def _check_int(name: str, value: Any, low: int, high: float = math.inf
               ) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if not low <= value <= high:
        upper = "" if high == math.inf else f" and at most {high}"
        raise ValueError(
            f"{name} must be at least {low}{upper}, got {value}")
    return int(value)


def split_digits(test_size: int = 500, seed: int = 0) -> DigitsSplit:
    """The 1797 digits, split at random into training and test examples.

    The split is a permutation drawn from a generator seeded with
    ``seed``: the same seed gives the same split on every machine, and the
    two parts never share an example.

    Args:
        test_size: number of held-out examples, between 1 and 1796.
        seed: seeds the permutation.

    Returns:
        A :class:`DigitsSplit` with pixels in [0, 1] (64 features).

    Raises:
        ValueError: ``test_size`` is out of range.

    Introduced in ``chapters/adam-paper.ipynb``.
    """
    X, y = load_digits()
    test_size = _check_int("test_size", test_size, 1, len(X) - 1)
    gen = torch.Generator().manual_seed(check_seed(seed))
    order = torch.randperm(len(X), generator=gen)
    test, train = order[:test_size], order[test_size:]
    return DigitsSplit(X[train], y[train], X[test], y[test])


def digits_net(model: str, num_inputs: int, hidden: int = 100,
               dropout: float = 0.5) -> nn.Module:
    """The two models of the chapter, with PyTorch's default initialisation.

    * ``"logreg"``: multinomial logistic regression, one linear layer from
      the features to the 10 class scores (a convex problem);
    * ``"mlp"``: two hidden layers of ``hidden`` ReLU units, each followed
      by dropout with probability ``dropout``, then the 10 scores.

    The loss (in :func:`train_digits`) is the softmax cross-entropy.

    Introduced in ``chapters/adam-paper.ipynb``.
    """
    if model not in MODELS:
        raise ValueError(
            f"model must be one of {', '.join(map(repr, MODELS))}, got "
            f"{model!r}")
    num_inputs = _check_int("num_inputs", num_inputs, 1)
    if model == "logreg":
        return nn.Linear(num_inputs, NUM_CLASSES)
    hidden = _check_int("hidden", hidden, 1)
    if (isinstance(dropout, bool) or not isinstance(dropout, numbers.Real)
            or not 0 <= dropout < 1):
        raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
    return nn.Sequential(
        nn.Linear(num_inputs, hidden), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(hidden, NUM_CLASSES),
    )


@dataclass(repr=False)
class DigitsHistory(History):
    """A :class:`d2lmini.History` of a digits run, with held-out results.

    ``losses`` are the training loss: the mean cross-entropy on all
    training examples, measured without dropout, at the points ``epochs``.
    The lists below are measured at the same points.

    Attributes:
        train_accuracies: fraction of training examples classified right.
        test_losses: mean cross-entropy on the test examples.
        test_accuracies: fraction of test examples classified right.
        net: the trained model (on the device it was trained on).
    """

    train_accuracies: list[float] = field(default_factory=list)
    test_losses: list[float] = field(default_factory=list)
    test_accuracies: list[float] = field(default_factory=list)
    net: nn.Module | None = None

    @property
    def final_test_accuracy(self) -> float:
        """The test accuracy at the last evaluation point."""
        return self.test_accuracies[-1] if self.test_accuracies else math.nan

    def __repr__(self) -> str:
        text = super().__repr__()
        if self.test_accuracies:
            text += f", test accuracy {self.final_test_accuracy:.3f}"
        return text


def _check_data(data: Any) -> DigitsSplit:
    if not (isinstance(data, tuple) and len(data) == 4):
        raise ValueError(
            "data must be a DigitsSplit (X_train, y_train, X_test, y_test), "
            "e.g. from d2l.split_digits()")
    X_train, y_train, X_test, y_test = data
    for name, X, y in (("train", X_train, y_train),
                       ("test", X_test, y_test)):
        if not (isinstance(X, torch.Tensor) and isinstance(y, torch.Tensor)):
            raise ValueError(f"X_{name} and y_{name} must be tensors")
        if X.dim() != 2 or not X.is_floating_point():
            raise ValueError(
                f"X_{name} must be a float tensor of shape (n, d), got "
                f"{X.dtype} of shape {tuple(X.shape)}")
        if y.shape != (len(X),) or y.dtype != torch.int64:
            raise ValueError(
                f"y_{name} must be int64 labels of shape ({len(X)},), got "
                f"{y.dtype} of shape {tuple(y.shape)}")
        if len(y) and (int(y.min()) < 0 or int(y.max()) >= NUM_CLASSES):
            raise ValueError(f"y_{name} must hold labels 0..9")
    if len(X_train) == 0 or X_train.shape[1] != X_test.shape[1]:
        raise ValueError(
            "X_train must be non-empty and have as many columns as X_test: "
            f"got {tuple(X_train.shape)} and {tuple(X_test.shape)}")
    return DigitsSplit(*data)


def _is_torch_optimizer(obj: Any) -> bool:
    return isinstance(obj, type) and issubclass(obj, torch.optim.Optimizer)


def _eval_points(num_batches: int, evals_per_epoch: int) -> set[int]:
    """Batch numbers (1-based) after which to evaluate, within an epoch."""
    k = min(evals_per_epoch, num_batches)
    return {math.ceil(i * num_batches / k) for i in range(1, k + 1)}


@contextlib.contextmanager
def _one_thread_on_cpu(device: torch.device) -> Iterator[None]:
    """Run on one CPU thread, then restore the setting.

    The matrices of these models are tiny: extra threads gain nothing and,
    on a busy machine, threads waiting for each other made every step up
    to forty times slower (measured on the book's 2-core machine).
    """
    if device.type != "cpu":
        yield
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _rng_fork(device: torch.device) -> Any:
    """Fork the global random state, so that seeding it inside (for the
    initial weights and the dropout masks) changes nothing outside."""
    if device.type == "cuda":
        index = device.index if device.index is not None else 0
        return torch.random.fork_rng(devices=[index])
    return torch.random.fork_rng(devices=[])


def train_digits(
    trainer_fn: Callable[..., Any] | type[torch.optim.Optimizer],
    init_states: Callable[[Sequence[torch.Tensor]], Any] | None,
    hyperparams: Mapping[str, Any] | None,
    data: DigitsSplit | None = None,
    *,
    model: str = "logreg",
    num_epochs: int = 10,
    batch_size: int = 32,
    hidden: int = 100,
    dropout: float = 0.5,
    schedule: Callable[[int], float] | None = None,
    evals_per_epoch: int = 2,
    seed: int = 0,
    device: torch.device | str | None = None,
    label: str | None = None,
    plot: bool = False,
    ax: Axes | None = None,
) -> DigitsHistory:
    r"""Train a digits classifier with any optimizer; return what it measured.

    The model is :func:`digits_net` ``(model, d, hidden, dropout)`` with
    ``d`` the number of features; the loss is the softmax cross-entropy,
    averaged over the minibatch. Each step computes it on the next
    minibatch, calls ``loss.backward()`` and then

    * for an update rule written from scratch (such as :func:`d2lmini.adam`):
      ``trainer_fn(params, states, hyperparams)``, with ``params`` the list
      of the model's parameters and ``states = init_states(params)``;
    * for a ``torch.optim`` class (such as ``torch.optim.Adam``): the
      ``step()`` of ``trainer_fn(params, **hyperparams)``.

    The same ``seed`` gives the same initial weights, minibatches and
    dropout masks whichever optimizer runs, so the from-scratch rule and its
    ``torch.optim`` twin follow the same curve. The global random state of
    the CPU (and of the CUDA device trained on) is left as it was.

    At ``evals_per_epoch`` points per epoch the loss and the accuracy are
    measured on all training and all test examples at once, without
    dropout and without gradients; that time is not counted as training
    time. Minibatch losses stay on the device between these points (no
    synchronisation per step); a non-finite one stops the run there. On a
    CPU the run uses one thread (these matrices are too small to gain from
    more) and restores the thread setting afterwards.

    Args:
        trainer_fn: an update rule ``(params, states, hyperparams)`` or a
            ``torch.optim.Optimizer`` subclass.
        init_states: for an update rule, its state initialiser (e.g.
            :func:`d2lmini.init_adam_states`, called with the parameters)
            or ``None`` if it keeps no state; ``None`` for a ``torch.optim``
            class.
        hyperparams: e.g. ``{"lr": 0.01}``; checked first for the package's
            optimizers, passed as keyword arguments to a ``torch.optim``
            class.
        data: a :class:`DigitsSplit`; ``split_digits()`` when omitted.
        model: ``"logreg"`` or ``"mlp"``.
        num_epochs: passes over the training examples.
        batch_size: examples per minibatch (the last one may be smaller).
        hidden, dropout: width and dropout probability of the MLP.
        schedule: ``t -> lr`` for update ``t = 1, 2, ...`` (as in every
            helper of the package): update ``t`` runs at ``schedule(t)``
            (e.g. ``lambda t: 0.01 / t**0.5``), and a ``torch.optim`` class
            is made with ``lr=schedule(1)``. Every update's value is
            checked (a number >= 0) before the first one. With a schedule,
            ``hyperparams`` need no ``"lr"``; one given there is taken as
            the rate the schedule was made from, its peak, and must agree
            with it: ``0.9 lr <= max_t schedule(t) <= lr`` over the run
            (up to rounding; the lower side allows a peak that falls
            between two updates, as one-cycle's may). It is not used
            otherwise.
        evals_per_epoch: evaluation points per epoch.
        seed: seeds the initial weights, the minibatch order and dropout.
        device: where to train; :func:`d2lmini.try_gpu` by default.
        label: a name for legends.
        plot: draw the training loss at the end.
        ax: where to draw it.

    Returns:
        A :class:`DigitsHistory`.

    Raises:
        ValueError: bad data, model, sizes or hyperparameters, a
            missing ``init_states``, or an ``lr`` that disagrees with the
            schedule's peak.

    Warns:
        RuntimeWarning: the loss became ``inf`` or ``NaN``; the run stops
            and ``diverged_at`` records the update.

    Example:
        >>> import d2lmini as d2l
        >>> hist = d2l.train_digits(d2l.adam, d2l.init_adam_states,
        ...                         {"lr": 0.01}, num_epochs=1)
        >>> hist.final_loss < hist.initial_loss
        True

    Introduced in ``chapters/adam-paper.ipynb``.
    """
    data = _check_data(data if data is not None else split_digits())
    num_epochs = _check_int("num_epochs", num_epochs, 1)
    batch_size = _check_int("batch_size", batch_size, 1, len(data.X_train))
    evals_per_epoch = _check_int("evals_per_epoch", evals_per_epoch, 1)
    seed = check_seed(seed)
    checked_device = check_device(device)
    if label is not None and not isinstance(label, str):
        raise TypeError(f"label must be a string or None, got {label!r}")
    if not isinstance(plot, bool):
        raise TypeError(f"plot must be True or False, got {plot!r}")
    hyperparams = _check_hyperparams_dict(hyperparams)
    if schedule is not None:  # every update's rate, before the first
        updates = num_epochs * math.ceil(len(data.X_train) / batch_size)
        first = _check_schedule(schedule, updates)
        _check_lr_with_schedule(hyperparams, schedule, updates)
        hyperparams["lr"] = first  # the rate of update 1
    concise = _is_torch_optimizer(trainer_fn)
    if concise:
        if init_states is not None:
            raise ValueError(
                f"{trainer_fn.__name__} is a torch.optim class: it makes its "
                "own states, so pass init_states=None")
    else:
        if not callable(trainer_fn):
            raise ValueError(
                "trainer_fn must be an update rule (params, states, "
                "hyperparams) or a torch.optim class such as "
                f"torch.optim.Adam, got {type(trainer_fn).__name__}")
        name = getattr(trainer_fn, "__name__", "")
        if OPTIMIZERS.get(name) is trainer_fn:
            check_hyperparams(trainer_fn, hyperparams)
        elif trainer_fn is adam_no_correction:
            check_hyperparams("adam", hyperparams)
        if _INITS.get(name) is not None and trainer_fn in (
                OPTIMIZERS.get(name), adam_no_correction):
            if init_states is None and name != "sgd":
                raise ValueError(
                    f"{name} keeps states: pass init_states="
                    f"d2l.{_INITS[name].__name__}")
        if init_states is not None:
            check_callable("init_states", init_states,
                           "a function such as d2l.init_adam_states (it is "
                           "called with the model's parameters), or None")
        rule = "adam" if trainer_fn is adam_no_correction else name
        if init_states is not None and (
                OPTIMIZERS.get(name) is trainer_fn
                or trainer_fn is adam_no_correction):
            probe = [torch.zeros(2)]
            _check_states_for(rule, init_states(probe), probe,
                              "init_states(params)")
    device = checked_device if checked_device is not None else try_gpu()

    with _rng_fork(device), _one_thread_on_cpu(device):
        torch.manual_seed(seed)
        net = digits_net(model, data.X_train.shape[1], hidden, dropout)
        net = net.to(device)
        params = list(net.parameters())
        if concise:
            try:
                optimizer = trainer_fn(params, **hyperparams)
            except TypeError as err:
                raise ValueError(
                    f"{trainer_fn.__name__} does not take the "
                    f"hyperparameters {sorted(hyperparams)}: {err}") from err
        else:
            states = init_states(params) if init_states is not None else None
        X_train, y_train, X_test, y_test = (a.to(device) for a in data)

        def step(X: torch.Tensor, y: torch.Tensor, t: int) -> torch.Tensor:
            if schedule is not None:  # the learning rate of update t
                lr = _schedule_lr(schedule, t)
                if concise:
                    for group in optimizer.param_groups:
                        group["lr"] = lr
                else:
                    hyperparams["lr"] = lr
            for p in params:
                p.grad = None
            loss = F.cross_entropy(net(X), y)
            loss.backward()
            if concise:
                optimizer.step()
            else:
                trainer_fn(params, states, hyperparams)
            return loss.detach()

        history = _fit(net, step, (X_train, y_train, X_test, y_test),
                       num_epochs, batch_size, evals_per_epoch, seed, label)
    history.net = net
    if plot:
        plot_histories([history], ax=ax)
    return history


def _check_hyperparams_dict(hyperparams: Any) -> dict[str, Any]:
    """A copy of ``hyperparams`` (``None`` is ``{}``), checked to be a dict
    with string keys."""
    if hyperparams is None:
        return {}
    if not isinstance(hyperparams, Mapping) or not all(
            isinstance(k, str) for k in hyperparams):
        raise TypeError(
            "hyperparams must be a dict of name -> value such as "
            f"{{'lr': 0.01}}, or None; got {hyperparams!r}")
    return dict(hyperparams)


def _check_lr_with_schedule(hyperparams: Mapping[str, Any],
                            schedule: Callable[[int], Any],
                            steps: int) -> None:
    """An ``lr`` given with a schedule must be the schedule's peak over
    updates 1..steps (see :func:`train_digits`)."""
    if "lr" not in hyperparams:
        return
    lr = hyperparams["lr"]
    peak = max(float(schedule(t)) for t in range(1, steps + 1))
    if not (is_number(lr) and 0.9 * lr <= peak <= lr * (1 + 1e-9)):
        raise ValueError(
            f"hyperparams has lr={lr!r}, but the schedule's largest rate "
            f"over the {steps} updates is {peak:g}: with a schedule, update "
            "t runs at schedule(t); remove 'lr' from hyperparams, or give "
            "the rate the schedule was made from (its peak)")


def _evaluate(net: nn.Module, X: torch.Tensor, y: torch.Tensor
              ) -> torch.Tensor:
    """Mean cross-entropy and accuracy on all of ``X``, as one tensor."""
    with torch.no_grad():
        scores = net(X)
        loss = F.cross_entropy(scores, y)
        accuracy = (scores.argmax(dim=1) == y).float().mean()
    return torch.stack([loss, accuracy])


def _fit(net: nn.Module, step: Callable[..., torch.Tensor],
         arrays: tuple[torch.Tensor, ...], num_epochs: int, batch_size: int,
         evals_per_epoch: int, seed: int, label: str | None
         ) -> DigitsHistory:
    X_train, y_train, X_test, y_test = arrays
    n = len(X_train)
    num_batches = math.ceil(n / batch_size)
    at = _eval_points(num_batches, evals_per_epoch)
    history = DigitsHistory(label=label)

    def measure() -> list[float]:
        net.eval()
        values = torch.cat([_evaluate(net, X_train, y_train),
                            _evaluate(net, X_test, y_test)]).tolist()
        net.train()
        return values

    history.initial_loss = measure()[0]
    gen = torch.Generator().manual_seed(int(seed) * 100_003 + 17)
    timer, t, pending = Timer(), 0, []
    for epoch in range(num_epochs):
        order = torch.randperm(n, generator=gen).to(X_train.device)
        X_epoch, y_epoch = X_train[order], y_train[order]
        timer.start()
        for i in range(1, num_batches + 1):
            t += 1
            rows = slice((i - 1) * batch_size, i * batch_size)
            pending.append(step(X_epoch[rows], y_epoch[rows], t))
            if i not in at:
                continue
            timer.stop()
            bad = ~torch.isfinite(torch.stack(pending))
            train_loss, train_acc, test_loss, test_acc = measure()
            if bad.any() or not math.isfinite(train_loss):
                first = int(bad.nonzero()[0, 0]) if bad.any() else None
                at_step = t - len(pending) + first if first is not None else t
                value = (pending[first].item() if first is not None
                         else train_loss)
                history.diverged_at = at_step
                history.steps = t
                history.epochs.append(at_step / num_batches)
                history.losses.append(value)
                history.times.append(timer.sum())
                history.sec_per_epoch = timer.sum() / (t / num_batches)
                warnings.warn(
                    f"training diverged: the loss became {value} after "
                    f"{at_step} updates; the run stops there. Try a smaller "
                    "learning rate.", RuntimeWarning, stacklevel=3)
                return history
            pending.clear()
            history.epochs.append(epoch + i / num_batches)
            history.losses.append(train_loss)
            history.train_accuracies.append(train_acc)
            history.test_losses.append(test_loss)
            history.test_accuracies.append(test_acc)
            history.times.append(timer.sum())
            timer.start()
    history.steps = t
    history.sec_per_epoch = timer.sum() / num_epochs
    return history


def adam_no_correction(params, states, hyperparams):
    r"""Adam without its bias correction (the ablation of the Adam paper).

    .. math::
        \mathbf{v}_t = \beta_1 \mathbf{v}_{t-1} + (1 - \beta_1)
        \mathbf{g}_t, \quad
        \mathbf{s}_t = \beta_2 \mathbf{s}_{t-1} + (1 - \beta_2)
        \mathbf{g}_t^2, \quad
        \mathbf{x}_t = \mathbf{x}_{t-1} - \frac{\eta\,\mathbf{v}_t}
        {\sqrt{\mathbf{s}_t} + \epsilon}

    This is RMSProp with momentum. Same states and hyperparameters as
    :func:`d2lmini.adam`. It lives here, not in ``d2lmini.optim``, because
    it is an experiment of one chapter and not an optimizer the book
    recommends (``d2lmini.optim`` lists the book's optimizers, which the
    in-page explorers mirror).

    Introduced in ``chapters/adam-paper.ipynb``.
    """
    lr, beta1, beta2, eps = read_hyperparams(hyperparams, "adam")
    for p, (v, s, t) in zip(params, states):
        with torch.no_grad():
            t += 1
            v[:] = beta1 * v + (1 - beta1) * p.grad
            s[:] = beta2 * s + (1 - beta2) * torch.square(p.grad)
            p -= lr * v / (torch.sqrt(s) + eps)
