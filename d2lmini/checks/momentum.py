"""Checks for the exercises of ``chapters/momentum.ipynb``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from . import Feedback, close_to, exercise, not_yet, number, passed
from .gd import judge_rate

# The ill-conditioned problem of the chapter: f = 0.1 x1^2 + 2 x2^2.
_CURVATURES = (0.2, 4.0)




def _momentum_rate(lr: float, momentum: float, lam: float) -> float:
    """Spectral radius of R(beta, eta, lambda) = [[b, l], [-e b, 1 - e l]]."""
    matrix = np.array([[momentum, lam], [-lr * momentum, 1 - lr * lam]])
    return float(np.abs(np.linalg.eigvals(matrix)).max())


def best_momentum_rate(lam_min: float, lam_max: float) -> float:
    """The best worst-case rate of momentum on [lam_min, lam_max]:
    (sqrt(kappa) - 1) / (sqrt(kappa) + 1), reached by Polyak's choice."""
    root = math.sqrt(lam_max / lam_min)
    return (root - 1) / (root + 1)


@exercise("momentum.best_pair")
def best_pair(answer: Any) -> Feedback:
    """A pair (lr, momentum) whose worst spectral radius on the
    chapter's problem is within 2% of the optimum."""
    hint = ("compute the spectral radius of R(beta, eta, lambda) for "
            "lambda = 0.2 and 4 on a grid of (eta, beta) and keep the "
            "pair whose larger radius is smallest")
    try:
        lr, momentum = (float(v) for v in answer)
    except (TypeError, ValueError):
        return not_yet("the answer should be a pair (lr, momentum) of "
                       f"numbers, got {answer!r}", hint)
    if not (math.isfinite(lr) and math.isfinite(momentum)):
        return not_yet("both numbers must be finite", hint)
    if lr <= 0 or not 0 <= momentum < 1:
        if 0 < lr < 1 and momentum > 0 and max(
                _momentum_rate(momentum, lr, lam)
                for lam in _CURVATURES) <= 1.02 * best_momentum_rate(
                    min(_CURVATURES), max(_CURVATURES)):
            return not_yet(
                f"({lr:g}, {momentum:g}) looks like (momentum, lr): the two "
                "numbers are swapped",
                "give the pair in the order (lr, momentum), as the "
                "exercise cell says")
        return not_yet(
            f"(lr, momentum) = ({lr:g}, {momentum:g}) is outside the "
            "range of the method: lr > 0 and 0 <= momentum < 1", hint)
    rate = max(_momentum_rate(lr, momentum, lam) for lam in _CURVATURES)
    best = best_momentum_rate(min(_CURVATURES), max(_CURVATURES))
    if rate > 1.02 * best and 0 <= lr < 1 and momentum > 0:
        swapped = max(_momentum_rate(momentum, lr, lam)
                      for lam in _CURVATURES)
        if swapped <= 1.02 * best:
            return not_yet(
                f"(lr, momentum) = ({lr:g}, {momentum:g}) is not good, but "
                f"({momentum:g}, {lr:g}) is: the two numbers are swapped",
                "give the pair in the order (lr, momentum), as the "
                "exercise cell says")
    if rate >= 1 - 1e-9:  # on the boundary eta lambda = 2 + 2 beta, up to
        # the rounding of eigvals (about 1e-15 here), rate 1: no convergence
        return not_yet(
            f"with (lr, momentum) = ({lr:g}, {momentum:g}) momentum does "
            f"not converge: the spectral radius is {rate:.3f}, not below 1",
            "the steep coordinate (lambda = 4) needs "
            "lr * 4 < 2 + 2 * momentum")
    if rate > 1.02 * best:
        return not_yet(
            f"the worse coordinate shrinks by {rate:.4f} per step; a "
            f"better pair reaches {best:.4f}", hint)
    return passed(f"the worse coordinate shrinks by {rate:.4f} per step, "
                  f"the best possible is {best:.4f}.")


@exercise("momentum.eigen_best_lr")
def eigen_best_lr(answer: Any) -> Feedback:
    """Best constant GD learning rate for lambda_i = 2**-i, i = 0..9,
    judged by the rate of convergence it gives (within 5% of the steps
    of the best rate, whose eta is 2 / (lambda_min + lambda_max)); see
    :func:`d2lmini.checks.gd.judge_rate`."""
    return judge_rate(
        number(answer), tuple(2.0 ** -i for i in range(10)),
        "the learning rate",
        "coordinate i shrinks by |1 - eta * lambda_i| per step; the worst "
        "factor is smallest when those of the largest and the smallest "
        "lambda (i = 0 and i = 9) are equal")


@exercise("momentum.quadratic_min")
def quadratic_min(answer: Callable[..., Any]) -> Feedback:
    """minimize_quadratic(Q, q, h0) for h = x^T Q x / 2 - q^T x + h0 must
    return (Q^-1 q, h0 - q^T Q^-1 q / 2)."""
    if not callable(answer):
        return not_yet("the answer should be your function "
                       "minimize_quadratic(Q, q, h0)",
                       "pass the function itself, without calling it")
    gen = torch.Generator().manual_seed(1)
    cases = []
    for d in (1, 2, 5):
        A = torch.randn(d, d, generator=gen, dtype=torch.float64)
        Q = A @ A.T + 0.5 * torch.eye(d, dtype=torch.float64)
        q = torch.randn(d, generator=gen, dtype=torch.float64)
        cases.append((Q, q, float(torch.randn(1, generator=gen))))
    for Q, q, h0 in cases:
        try:
            out = answer(Q.clone(), q.clone(), h0)
        except Exception as err:  # report, do not crash
            return not_yet(f"your function raised {type(err).__name__}: "
                           f"{err}",
                           "Q is a (d, d) tensor, q a (d,) tensor, h0 a "
                           "number; solve Q x = q with torch.linalg.solve")
        if out is None:
            return not_yet("your function returns nothing yet",
                           "replace the ... with code that returns the pair "
                           "(x_star, h_star)")
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            return not_yet("your function should return the pair "
                           "(x_star, h_star)",
                           "return x_star (a tensor) and h_star (a number)")
        x_star = torch.linalg.solve(Q, q)
        h_star = h0 - 0.5 * float(q @ x_star)
        try:
            got_x = torch.as_tensor(out[0], dtype=torch.float64).reshape(-1)
        except (TypeError, ValueError, RuntimeError):
            return not_yet(f"x_star should be a tensor, got {out[0]!r}",
                           "return the minimizer as a tensor of shape (d,)")
        got_h = number(out[1])
        if got_x.shape != x_star.shape or not torch.allclose(
                got_x, x_star, rtol=1e-6, atol=1e-8):
            hint = "set the gradient Q x - q to zero and solve for x"
            if got_x.shape == x_star.shape and torch.allclose(
                    got_x, -x_star, rtol=1e-6, atol=1e-8):
                hint = ("the sign is off: the linear term is -q^T x, so "
                        "the gradient is Q x - q")
            return not_yet(
                f"for a {len(q)}-dimensional example the minimizer is not "
                "right", hint)
        if got_h is None or not math.isclose(got_h, h_star, rel_tol=1e-6,
                                             abs_tol=1e-8):
            return not_yet(
                f"for a {len(q)}-dimensional example the minimum value "
                f"{out[1]!r} is not right",
                "substitute the minimizer into h and simplify")
    return passed("minimizer and minimum value are right on three "
                  "random quadratics.")


@exercise("momentum.effective_lr")
def effective_lr(answer: Any) -> Feedback:
    """Momentum 0.9 matches SGD at lr 0.05 with lr = 0.05 * (1 - 0.9)."""
    return close_to(
        answer, 0.05 * (1 - 0.9), "the learning rate for momentum",
        "with a steady gradient g the velocity tends to g / (1 - beta), so "
        "the step is lr / (1 - beta) times the gradient",
    )
