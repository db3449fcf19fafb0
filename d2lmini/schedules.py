r"""Learning-rate schedules as practitioners use them, each a function of t.

Every schedule here is a :class:`Schedule`: a function ``t -> eta_t`` that
gives the learning rate of update ``t = 1, 2, ...``, counted as every
helper of the package counts (``schedule=`` of :func:`d2lmini.train_ch11`,
:func:`d2lmini.trainer_2d`, :func:`d2lmini.train_digits`, and the live
traces, which take ``{kind: [arg, ...]}``, the arguments after ``lr``:
their peak rate is each run's ``lr``).

Each one equals a ``torch.optim.lr_scheduler`` stepped once per update,
after ``optimizer.step()``: update ``t`` runs at the rate the scheduler
holds after ``t - 1`` calls of ``scheduler.step()``
(``tests/test_schedules.py`` checks every one step by step).

==================  ========================================================
schedule            ``torch.optim.lr_scheduler``
==================  ========================================================
``constant_lr``     ``ConstantLR(factor=1)``
``step_decay``      ``StepLR(step_size, gamma)``
``exponential_decay````ExponentialLR(gamma)``
``cosine_decay``    ``CosineAnnealingLR(T_max=num_steps, eta_min)``
``cosine_restarts`` ``CosineAnnealingWarmRestarts(T_0=period, T_mult, ...)``
``linear_warmup``   ``LinearLR(1 / warmup, 1, total_iters=warmup - 1)``
``warmup_cosine``   ``SequentialLR`` of the two above, milestone ``warmup``
``wsd``             ``SequentialLR`` of warmup, constant and ``LinearLR``
``one_cycle``       ``OneCycleLR(max_lr, total_steps, pct_start, ...)``
==================  ========================================================

Introduced in ``chapters/lr-schedules.ipynb``.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from ._args import check_int, check_number

__all__ = ["Schedule", "constant_lr", "step_decay", "exponential_decay",
           "cosine_decay",
           "cosine_restarts", "linear_warmup", "warmup_cosine", "wsd",
           "one_cycle", "SCHEDULES", "schedule_from_spec"]


class Schedule:
    """A learning-rate schedule: ``schedule(t)`` is the rate of update t.

    Attributes:
        kind: the name of the function that made it, e.g. ``"cosine_decay"``.
        args: its arguments after ``lr`` (a dict), so that
            ``spec = {kind: [lr, *args.values()]}`` rebuilds it
            (:func:`schedule_from_spec`, and the live traces).
    """

    def __init__(self, kind: str, lr: float, args: dict[str, Any],
                 rate: Callable[[int], float]) -> None:
        self.kind, self.lr, self.args, self._rate = kind, lr, args, rate

    def __call__(self, t: int) -> float:
        t = check_int("t", t, 1)
        return self._rate(t)

    @property
    def spec(self) -> dict[str, list[float]]:
        """``{kind: [lr, arg, ...]}``, JSON-able (the live traces' form)."""
        return {self.kind: [self.lr, *self.args.values()]}

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.args.items())
        return f"{self.kind}(lr={self.lr!r}{', ' if inner else ''}{inner})"


def _lr(lr: Any) -> float:
    return check_number("lr", lr, 0)


def _cos_between(high: float, low: float, fraction: float) -> float:
    """From ``high`` (fraction 0) down to ``low`` (fraction 1), half a
    cosine wave."""
    return low + (high - low) * (1 + math.cos(math.pi * fraction)) / 2


def constant_lr(lr: float) -> Schedule:
    r"""The same rate at every update, :math:`\eta_t = \eta`.

    Example:
        >>> constant_lr(0.1)(7)
        0.1
    """
    lr = _lr(lr)
    return Schedule("constant_lr", lr, {}, lambda t: lr)


def step_decay(lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    r"""Piecewise constant: multiply by ``gamma`` every ``step_size``
    updates, :math:`\eta_t = \eta\,\gamma^{\lfloor (t-1)/s \rfloor}`.

    Example:
        >>> s = step_decay(1.0, 3, 0.5)
        >>> [s(t) for t in range(1, 8)]
        [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]
    """
    lr = _lr(lr)
    step_size = check_int("step_size", step_size, 1)
    gamma = check_number("gamma", gamma, 0, 1)
    return Schedule("step_decay", lr, {"step_size": step_size,
                                       "gamma": gamma},
                    lambda t: lr * gamma ** ((t - 1) // step_size))


def exponential_decay(lr: float, gamma: float) -> Schedule:
    r"""Multiply by ``gamma`` after every update,
    :math:`\eta_t = \eta\,\gamma^{t-1}`.

    Example:
        >>> exponential_decay(1.0, 0.5)(3)
        0.25
    """
    lr = _lr(lr)
    gamma = check_number("gamma", gamma, 0, 1)
    return Schedule("exponential_decay", lr, {"gamma": gamma},
                    lambda t: lr * gamma ** (t - 1))


def cosine_decay(lr: float, num_steps: int, min_lr: float = 0.0) -> Schedule:
    r"""Half a cosine wave from ``lr`` down to ``min_lr`` over ``num_steps``
    updates: :math:`\eta_t = \eta_{\min} + \frac{\eta - \eta_{\min}}{2}
    \bigl(1 + \cos\frac{\pi (t-1)}{T}\bigr)` for :math:`t \le T + 1`, then
    :math:`\eta_{\min}`.

    Example:
        >>> s = cosine_decay(1.0, 4)
        >>> [round(s(t), 4) for t in range(1, 7)]
        [1.0, 0.8536, 0.5, 0.1464, 0.0, 0.0]
    """
    lr = _lr(lr)
    num_steps = check_int("num_steps", num_steps, 1)
    min_lr = check_number("min_lr", min_lr, 0, lr)
    return Schedule("cosine_decay", lr, {"num_steps": num_steps,
                                         "min_lr": min_lr},
                    lambda t: _cos_between(lr, min_lr,
                                           min(t - 1, num_steps) / num_steps))


def cosine_restarts(lr: float, period: int, mult: int = 1,
                    min_lr: float = 0.0) -> Schedule:
    r"""Cosine decay that starts again at ``lr`` after each cycle (SGDR,
    Loshchilov and Hutter): the first cycle lasts ``period`` updates, each
    next one ``mult`` times longer.

    Example:
        >>> s = cosine_restarts(1.0, 2)
        >>> [s(t) for t in range(1, 6)]
        [1.0, 0.5, 1.0, 0.5, 1.0]
    """
    lr = _lr(lr)
    period = check_int("period", period, 1)
    mult = check_int("mult", mult, 1)
    min_lr = check_number("min_lr", min_lr, 0, lr)

    def rate(t: int) -> float:
        k, length = t - 1, period  # k: updates since the cycle began
        while k >= length:
            k, length = k - length, length * mult
        return _cos_between(lr, min_lr, k / length)

    return Schedule("cosine_restarts", lr, {"period": period, "mult": mult,
                                            "min_lr": min_lr}, rate)


def linear_warmup(lr: float, warmup: int) -> Schedule:
    r"""Linear warmup, then constant:
    :math:`\eta_t = \eta \min(1, t / W)`.

    Example:
        >>> s = linear_warmup(1.0, 4)
        >>> [s(t) for t in range(1, 7)]
        [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
    """
    lr = _lr(lr)
    warmup = check_int("warmup", warmup, 1)
    return Schedule("linear_warmup", lr, {"warmup": warmup},
                    lambda t: lr * min(1.0, t / warmup))


def _check_budget(warmup: Any, num_steps: Any) -> tuple[int, int]:
    warmup = check_int("warmup", warmup, 0)
    num_steps = check_int("num_steps", num_steps, 1)
    if warmup >= num_steps:
        raise ValueError(f"warmup must be < num_steps ({num_steps}), got "
                         f"{warmup}")
    return warmup, num_steps


def warmup_cosine(lr: float, warmup: int, num_steps: int,
                  min_lr: float = 0.0) -> Schedule:
    r"""Linear warmup over ``warmup`` updates, then :func:`cosine_decay` over
    the remaining ``num_steps - warmup``: :math:`\eta_t = \eta\,t/W` for
    :math:`t \le W`, :math:`\eta_t =` ``cosine(lr, num_steps - W,
    min_lr)(t - W)`` after (``warmup=0``: cosine alone).

    Example:
        >>> s = warmup_cosine(1.0, 2, 6)
        >>> [round(s(t), 4) for t in range(1, 8)]
        [0.5, 1.0, 1.0, 0.8536, 0.5, 0.1464, 0.0]
    """
    lr = _lr(lr)
    warmup, num_steps = _check_budget(warmup, num_steps)
    min_lr = check_number("min_lr", min_lr, 0, lr)
    decay = num_steps - warmup

    def rate(t: int) -> float:
        if t <= warmup:
            return lr * t / warmup
        return _cos_between(lr, min_lr, min(t - 1 - warmup, decay) / decay)

    return Schedule("warmup_cosine", lr, {"warmup": warmup,
                                          "num_steps": num_steps,
                                          "min_lr": min_lr}, rate)


def wsd(lr: float, warmup: int, num_steps: int,
        decay_steps: int) -> Schedule:
    r"""Warmup-stable-decay: linear warmup over ``warmup`` updates, the
    constant ``lr``, then a linear decay towards 0 over the last
    ``decay_steps`` updates of ``num_steps``:
    :math:`\eta_t = \eta\,(1 - (t - 1 - T + D)/D)` for
    :math:`t > T - D`, and 0 after update :math:`T`.

    Example:
        >>> s = wsd(1.0, 1, 6, 4)
        >>> [s(t) for t in range(1, 8)]
        [1.0, 1.0, 1.0, 0.75, 0.5, 0.25, 0.0]
    """
    lr = _lr(lr)
    warmup, num_steps = _check_budget(warmup, num_steps)
    decay_steps = check_int("decay_steps", decay_steps, 1,
                            num_steps - warmup)
    start = num_steps - decay_steps  # the last update at the full rate

    def rate(t: int) -> float:
        if t <= warmup:
            return lr * t / warmup
        if t <= start:
            return lr
        return lr * max(0.0, 1 - (t - 1 - start) / decay_steps)

    return Schedule("wsd", lr, {"warmup": warmup, "num_steps": num_steps,
                                "decay_steps": decay_steps}, rate)


def one_cycle(lr: float, num_steps: int, pct_start: float = 0.3,
              div_factor: float = 25.0,
              final_div_factor: float = 1e4) -> Schedule:
    r"""One cycle (Smith and Topin): half a cosine up from
    ``lr / div_factor`` to ``lr`` over the first ``pct_start`` of the
    updates, then half a cosine down to ``lr / (div_factor *
    final_div_factor)`` at update ``num_steps`` (and there after).
    Exactly PyTorch's ``OneCycleLR(max_lr=lr, total_steps=num_steps,
    pct_start, div_factor, final_div_factor, cycle_momentum=False)``,
    whose phase boundary is update ``pct_start * num_steps``.

    Example:
        >>> s = one_cycle(1.0, 11, pct_start=0.5, div_factor=10)
        >>> [round(s(t), 4) for t in (1, 5, 11, 12)]
        [0.1, 0.9729, 0.0, 0.0]
    """
    lr = _lr(lr)
    num_steps = check_int("num_steps", num_steps, 2)
    pct_start = check_number("pct_start", pct_start, 0, 1, open_low=True,
                             open_high=True)
    div_factor = check_number("div_factor", div_factor, 1)
    final_div_factor = check_number("final_div_factor", final_div_factor, 1)
    low = lr / div_factor
    final = low / final_div_factor
    peak_at = pct_start * num_steps - 1  # PyTorch's end of phase one (k)
    if peak_at <= 0:
        raise ValueError(
            f"pct_start * num_steps must be > 1 (a warmup of at least one "
            f"update), got pct_start={pct_start}, num_steps={num_steps}")
    end = num_steps - 1

    def rate(t: int) -> float:
        k = min(t - 1, end)  # scheduler steps so far
        if k <= peak_at:
            return _cos_between(low, lr, k / peak_at)
        return _cos_between(lr, final, (k - peak_at) / (end - peak_at))

    return Schedule("one_cycle", lr, {"num_steps": num_steps,
                                      "pct_start": pct_start,
                                      "div_factor": div_factor,
                                      "final_div_factor": final_div_factor},
                    rate)


SCHEDULES: dict[str, Callable[..., Schedule]] = {
    f.__name__: f for f in (constant_lr, step_decay, exponential_decay,
                            cosine_decay,
                            cosine_restarts, linear_warmup, warmup_cosine,
                            wsd, one_cycle)}


def schedule_from_spec(spec: Any) -> Schedule:
    """The schedule of ``{kind: [lr, arg, ...]}`` (``Schedule.spec``).

    Example:
        >>> schedule_from_spec({"cosine_decay": [0.5, 10, 0.0]})(1)
        0.5
    """
    if not isinstance(spec, dict) or len(spec) != 1:
        raise ValueError(f"spec must be one {{kind: [lr, ...]}}, got "
                         f"{spec!r}")
    ((kind, args),) = spec.items()
    if kind not in SCHEDULES:
        raise ValueError(f"unknown schedule kind {kind!r}; expected one of "
                         + ", ".join(SCHEDULES))
    if isinstance(args, (str, bytes)) or not isinstance(args, (list, tuple)):
        raise ValueError(f"{kind}: the arguments must be a list [lr, ...], "
                         f"got {args!r}")
    try:
        return SCHEDULES[kind](*args)
    except TypeError as err:
        if "positional argument" in str(err):
            raise ValueError(f"{kind}: wrong number of arguments {args!r} "
                             f"({err})") from None
        raise
