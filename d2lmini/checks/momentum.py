"""Checks for the exercises of ``chapters/momentum.ipynb``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from . import (
    Feedback,
    always,
    close,
    declare,
    exercise,
    mistake,
    not_yet,
    number,
    passed,
    right,
    when,
)
from .gd import rate_check

# The ill-conditioned problem of the chapter: f = 0.1 x1^2 + 2 x2^2.
_CURVATURES = (0.2, 4.0)




def _radius(lr: str, momentum: str, lam: float) -> str:
    """An expression for the spectral radius of R(beta, eta, lambda) =
    [[b, l], [-e b, 1 - e l]]: its trace is tr = b + 1 - e l and its
    determinant b, so the eigenvalues solve z^2 - tr z + b = 0 and the
    radius is (|tr| + sqrt(tr^2 - 4 b)) / 2 for real roots and sqrt(b)
    for complex ones: max((|tr| + sqrt(max(tr^2 - 4 b, 0))) / 2,
    sqrt(|b|)) covers both (the larger root in modulus is at least the
    root of |b|, the product of the two)."""
    tr = f"({momentum} + 1 - {lr} * {lam!r})"
    return (f"max((abs({tr}) + sqrt(max({tr} * {tr} - 4 * {momentum}, 0)))"
            f" / 2, sqrt(abs({momentum})))")


def best_momentum_rate(lam_min: float, lam_max: float) -> float:
    """The best worst-case rate of momentum on [lam_min, lam_max]:
    (sqrt(kappa) - 1) / (sqrt(kappa) + 1), reached by Polyak's choice."""
    root = math.sqrt(lam_max / lam_min)
    return (root - 1) / (root + 1)


# A pair (lr, momentum) whose worst spectral radius on the chapter's
# problem is within 2% of the optimum; the radius of each curvature comes
# from a closed form (see _radius), for the pair and for the pair swapped.
_BEST = best_momentum_rate(min(_CURVATURES), max(_CURVATURES))
_LIMIT = 1.02 * _BEST
_ORDER_HINT = ("give the pair in the order (lr, momentum), as the exercise "
               "cell says")
declare(
    "momentum.best_pair",
    shape=(2,),
    what="(lr, momentum)",
    hint="compute the spectral radius of R(beta, eta, lambda) for "
         "lambda = 0.2 and 4 on a grid of (eta, beta) and keep the pair "
         "whose larger radius is smallest",
    invalid="the answer should be a pair (lr, momentum) of finite numbers, "
            "got {{answer}}",
    let=[("rate", "max(" + ", ".join(_radius("v0", "v1", lam)
                                     for lam in _CURVATURES) + ")"),
         ("swapped", "max(" + ", ".join(_radius("v1", "v0", lam)
                                        for lam in _CURVATURES) + ")"),
         ("outside", "v0 <= 0 or not (0 <= v1 and v1 < 1)")],
    cases=[
        mistake(when(f"outside and 0 < v0 and v0 < 1 and v1 > 0 and "
                     f"swapped <= {_LIMIT!r}"),
                "({{v0:g}}, {{v1:g}}) looks like (momentum, lr): the two "
                "numbers are swapped", _ORDER_HINT),
        mistake(when("outside"),
                "(lr, momentum) = ({{v0:g}}, {{v1:g}}) is outside the range "
                "of the method: lr > 0 and 0 <= momentum < 1"),
        mistake(when(f"rate > {_LIMIT!r} and 0 <= v0 and v0 < 1 and v1 > 0 "
                     f"and swapped <= {_LIMIT!r}"),
                "(lr, momentum) = ({{v0:g}}, {{v1:g}}) is not good, but "
                "({{v1:g}}, {{v0:g}}) is: the two numbers are swapped",
                _ORDER_HINT),
        # On the boundary eta lambda = 2 + 2 beta the radius is 1 up to
        # rounding (about 1e-15 here): no convergence.
        mistake(when("rate >= 1 - 1e-9"),
                "with (lr, momentum) = ({{v0:g}}, {{v1:g}}) momentum does "
                "not converge: the spectral radius is {{rate:.3f}}, not "
                "below 1",
                "the steep coordinate (lambda = 4) needs "
                "lr * 4 < 2 + 2 * momentum"),
        mistake(when(f"rate > {_LIMIT!r}"),
                "the worse coordinate shrinks by {{rate:.4f}} per step; a "
                f"better pair reaches {_BEST:.4f}"),
        right(always(), "the worse coordinate shrinks by {{rate:.4f}} per "
              f"step, the best possible is {_BEST:.4f}."),
    ],
    otherwise="(lr, momentum) = ({{v0:g}}, {{v1:g}}) is not right yet",
)

# Best constant GD learning rate for lambda_i = 2**-i, i = 0..9, judged by
# the rate of convergence it gives (within 5% of the steps of the best
# rate, whose eta is 2 / (lambda_min + lambda_max)); see
# d2lmini.checks.gd.rate_check.
rate_check(
    "momentum.eigen_best_lr", tuple(2.0 ** -i for i in range(10)),
    "the learning rate",
    "coordinate i shrinks by |1 - eta * lambda_i| per step; the worst "
    "factor is smallest when those of the largest and the smallest lambda "
    "(i = 0 and i = 9) are equal")


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


# Momentum 0.9 matches SGD at lr 0.05 with lr = 0.05 * (1 - 0.9); rtol
# 1e-3, close()'s default.
declare(
    "momentum.effective_lr",
    what="the learning rate for momentum",
    hint="with a steady gradient g the velocity tends to g / (1 - beta), so "
         "the step is lr / (1 - beta) times the gradient",
    cases=[right(close(0.05 * (1 - 0.9)))],
)
