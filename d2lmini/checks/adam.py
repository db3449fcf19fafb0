"""Checks for the exercises of ``chapters/adam.ipynb``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from . import Feedback, close_to, exercise, not_yet, passed


@exercise("adam.first_step")
def first_step(answer: Any) -> Feedback:
    """Adam's first step with lr 0.01, eps 1e-6 and g_1 = (3, -0.002):
    -lr * g / (|g| + eps), coordinate by coordinate."""
    hint = ("after one step the corrected moments are v_hat = g_1 and "
            "s_hat = g_1^2, so the step is -lr * g_1 / (|g_1| + eps)")
    try:
        got = [float(v) for v in torch.as_tensor(answer).reshape(-1)]
    except (TypeError, ValueError, RuntimeError):
        return not_yet("the answer should be a pair of numbers (dx1, dx2), "
                       f"got {answer!r}", hint)
    if len(got) != 2 or not all(math.isfinite(v) for v in got):
        return not_yet("the answer should be two finite numbers "
                       "(dx1, dx2)", hint)
    lr, eps, grads = 0.01, 1e-6, (3.0, -0.002)
    expected = [-lr * g / (abs(g) + eps) for g in grads]
    if all(math.isclose(a, b, rel_tol=1e-4) for a, b in
           zip(got, [-lr * g for g in grads])):
        return not_yet("that is the step of gradient descent, -lr * g_1",
                       hint)
    if all(a * b < 0 and math.isclose(abs(a), abs(b), rel_tol=1e-3)
           for a, b in zip(got, expected)):
        return not_yet("the signs are reversed: the step goes against the "
                       "gradient", hint)
    if all(math.isclose(a, b, rel_tol=1e-4) for a, b in zip(got, expected)):
        return passed(f"the first step is ({got[0]:.6g}, {got[1]:.6g}): "
                      "about lr on both coordinates, whatever the size of "
                      "the gradient.")
    return not_yet(f"({got[0]:.6g}, {got[1]:.6g}) is not the first step",
                   hint)


def _corrected(ys: torch.Tensor, beta: float) -> torch.Tensor:
    m, out = 0.0, []
    for t, y in enumerate(ys.tolist(), 1):
        m = beta * m + (1 - beta) * y
        out.append(m / (1 - beta ** t))
    return torch.tensor(out, dtype=torch.float64)


def _started_at_first(ys: torch.Tensor, beta: float) -> torch.Tensor:
    m, out = ys[0].item(), [ys[0].item()]
    for y in ys[1:].tolist():
        m = beta * m + (1 - beta) * y
        out.append(m)
    return torch.tensor(out, dtype=torch.float64)


@exercise("adam.unbiased_average")
def unbiased_average(answer: Callable[..., Any]) -> Feedback:
    """A leaky average whose weights add up to one at every step: either
    Adam's corrected average or the average started at y_1."""
    hint = ("a plain leaky average started at 0 has weights adding up to "
            "1 - beta^t; either start it at y_1, or give the old average "
            "the weight beta (1 - beta^(t-1)) / (1 - beta^t)")
    if not callable(answer):
        return not_yet("the answer should be your function "
                       "unbiased_average(ys, beta)",
                       "pass the function itself, without calling it")
    gen = torch.Generator().manual_seed(4)
    kinds = set()
    for beta, n in [(0.9, 12), (0.5, 7), (0.99, 30)]:
        ys = 1 + torch.randn(n, generator=gen, dtype=torch.float64)
        out = answer(ys.clone(), beta)
        if out is None:
            return not_yet("your function returns nothing yet",
                           "return a tensor with one average per input")
        try:
            got = torch.as_tensor(out, dtype=torch.float64).reshape(-1)
        except (TypeError, ValueError, RuntimeError):
            return not_yet("your function should return a tensor of "
                           f"numbers, got {type(out).__name__}", hint)
        if got.shape != ys.shape:
            return not_yet(f"for {n} inputs your function returned "
                           f"{got.numel()} averages, not {n}", hint)
        plain = _corrected(ys, beta) * (
            1 - beta ** torch.arange(1, n + 1, dtype=torch.float64))
        if torch.allclose(got, plain, rtol=1e-6, atol=1e-9):
            return not_yet("that is the biased leaky average: it starts at "
                           "(1 - beta) y_1", hint)
        if torch.allclose(got, _corrected(ys, beta), rtol=1e-6, atol=1e-9):
            kinds.add("corrected")
        elif torch.allclose(got, _started_at_first(ys, beta), rtol=1e-6,
                            atol=1e-9):
            kinds.add("started")
        else:
            return not_yet(
                f"for beta = {beta} your averages are not those of a leaky "
                "average with weights adding up to one", hint)
    if len(kinds) > 1:
        return not_yet("your function mixes two different averages",
                       "use one rule for every input")
    which = ("equals Adam's corrected average" if kinds == {"corrected"}
             else "starts at y_1, so its weights add up to one")
    return passed(f"your average {which}.")


@exercise("adam.spread_exponent")
def spread_exponent(answer: Any) -> Feedback:
    """Adam's spread around the minimum under noise grows like sqrt(lr)."""
    return close_to(
        answer, 0.5, "the exponent p", "near the minimum the steps keep a "
        "size proportional to lr in random directions, while the pull "
        "back is about lr * x / sigma per step; balance the two in the "
        "variance of x", rtol=1e-6)


def _online(grad: Callable[[int], Any], adam_like: Callable[..., None],
            steps: int) -> tuple[float, list[float]]:
    from ..optim import init_adam_states

    x = torch.zeros(1, dtype=torch.float64)
    states = init_adam_states([x])
    gs = []
    for t in range(1, steps + 1):
        g = float(grad(t))
        if not math.isfinite(g):
            raise ValueError(f"grad({t}) = {g} is not a finite number")
        gs.append(g)
        x.grad = torch.tensor([g], dtype=torch.float64)
        adam_like([x], states, {"lr": 0.5 / math.sqrt(t), "beta1": 0.0,
                                "beta2": 0.1, "eps": 1e-8})
        with torch.no_grad():
            x.clamp_(min=-1.0)
    return float(x), gs


@exercise("adam.adam_vs_yogi")
def adam_vs_yogi(answer: Callable[[int], Any]) -> Feedback:
    """A gradient sequence g_t (positive on average, so x = -1 is best on
    x >= -1) on which Adam's iterate runs off and Yogi's reaches -1."""
    from ..optim import adam, yogi

    hint = ("gradients of one size make both methods behave alike; try a "
            "large positive gradient every few steps and small negative "
            "ones in between, positive on average")
    if not callable(answer):
        return not_yet("the answer should be your function grad(t)",
                       "pass the function itself, without calling it")
    steps = 2000
    x_adam, gs = _online(answer, adam, steps)
    if sum(gs) / steps <= 0:
        return not_yet(
            f"the average gradient over {steps} steps is "
            f"{sum(gs) / steps:.3g} <= 0, so x = -1 is not the best point",
            "the gradients must be positive on average")
    x_yogi, _ = _online(answer, yogi, steps)
    if x_adam < 5:
        return not_yet(f"after {steps} steps Adam is at x = {x_adam:.3g}: "
                       "it does not run off", hint)
    if x_yogi > -0.9:
        return not_yet(f"Adam runs off (x = {x_adam:.3g}), but so does Yogi, "
                       f"or it has not converged: x = {x_yogi:.3g}", hint)
    return passed(f"after {steps} steps Adam is at x = {x_adam:.3g} and "
                  f"Yogi at x = {x_yogi:.3g}, near the best point -1.")
