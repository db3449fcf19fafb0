"""Checks for the exercises of ``chapters/gd.ipynb``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from . import Feedback, close_to, exercise, not_yet, number, passed


@exercise("gd.lr_bound")
def lr_bound(answer: Any) -> Feedback:
    """Largest learning rate for f(x) = 2 x**2 (lambda = 4): 2 / lambda."""
    return close_to(
        answer, 0.5, "the bound on eta",
        "write one step as x <- (1 - eta * lambda) x and ask when "
        "|1 - eta * lambda| < 1",
    )


def _armijo_step(f: Callable[[float], float],
                 f_grad: Callable[[float], float], x: float) -> float:
    """The point of the first eta in 1, 1/2, 1/4, ... with
    f(x - eta g) <= f(x) - eta g**2 / 2."""
    g, eta = f_grad(x), 1.0
    while f(x - eta * g) > f(x) - eta / 2 * g**2:
        eta /= 2
    return x - eta * g


@exercise("gd.line_search")
def line_search(answer: Callable[..., float]) -> Feedback:
    """A backtracking step returns the point of the first halving of
    eta = 1 that satisfies the Armijo condition (c = 1/2)."""
    if not callable(answer):
        return not_yet("the answer should be your function "
                       "backtracking_step(f, f_grad, x)",
                       "pass the function itself, without calling it")
    omega = 0.15 * math.pi
    problems = [
        (lambda x: x**2, lambda x: 2 * x, [10.0, -3.0, 0.5]),
        (lambda x: math.cosh(x), lambda x: math.sinh(x), [4.0, -2.0]),
        (lambda x: x * math.cos(omega * x),
         lambda x: math.cos(omega * x) - omega * x * math.sin(omega * x),
         [10.0, 3.0]),
    ]
    for f, f_grad, starts in problems:
        for x in starts:
            new = number(answer(f, f_grad, x))
            if new is None:
                return not_yet(f"from x={x} your step returned no number",
                               "return the new point x - eta * f_grad(x)")
            g = f_grad(x)
            want = _armijo_step(f, f_grad, x)
            if math.isclose(new, want, rel_tol=1e-9, abs_tol=1e-12):
                continue
            if f(new) > f(x) - 0.5 * (x - new) * g + 1e-12:
                return not_yet(
                    f"from x={x} the step to {new:.6g} does not decrease "
                    "f enough (Armijo condition with c = 1/2)",
                    "halve eta until f(x - eta g) <= f(x) - eta g**2 / 2",
                )
            return not_yet(
                f"from x={x} your step goes to {new:.6g}; the first eta "
                f"in 1, 1/2, 1/4, ... that satisfies the condition goes "
                f"to {want:.6g}",
                "start from eta = 1 and halve it only while the Armijo "
                "condition fails; return x - eta * f_grad(x)",
            )
    return passed("your step is the first halving of eta = 1 that "
                  "satisfies the Armijo condition, on three functions.")


@exercise("gd.best_eta")
def best_eta(answer: Any) -> Feedback:
    """Best constant eta for f = x1**2 + 50 x2**2: 2 / (2 + 100).

    A numerical answer within 1% passes (a grid search gets that close).
    """
    return close_to(
        answer, 2 / 102, "the best constant eta",
        "the two coordinates shrink by |1 - 2 eta| and |1 - 100 eta|; the "
        "slower one is fastest when the two factors are equal",
        rtol=1e-2,
    )


@exercise("gd.precondition")
def precondition(answer: Callable[..., tuple]) -> Feedback:
    """A diagonally preconditioned step solves x1**2 + 50 x2**2 at once."""
    if not callable(answer):
        return not_yet("the answer should be your trainer "
                       "precond_gd_2d(x1, x2, s1, s2)",
                       "pass the function itself, without calling it")
    for start in [(-5.0, -2.0), (3.0, 0.1), (0.2, 7.0)]:
        out = answer(*start, 0, 0)
        if not (isinstance(out, (tuple, list)) and len(out) == 4):
            return not_yet("a trainer returns (x1, x2, s1, s2)",
                           "return the two new coordinates and two zeros")
        point = np.array([float(out[0]), float(out[1])])
        if not np.allclose(point, 0.0, atol=1e-9):
            return not_yet(
                f"from {start} one step lands at {tuple(point)}, not at "
                "the minimum (0, 0)",
                "divide each partial derivative by the matching diagonal "
                "entry of the Hessian, diag(2, 100), and use eta = 1",
            )
    return passed("one preconditioned step reaches the minimum from "
                  "every start.")


@exercise("gd.rotated")
def rotated(answer: Any) -> Feedback:
    """Condition number of the diagonally preconditioned Hessian of
    x1**2 + 50 x2**2 rotated by 45 degrees: it stays 50."""
    value = number(answer)
    if value is not None and math.isclose(value, 1.0, rel_tol=1e-3):
        return not_yet(
            "kappa = 1 is what preconditioning gives on the aligned "
            "problem of exercise 4, not on the rotated one",
            "compute H = R^T diag(2, 100) R first: its diagonal is not "
            "diag(2, 100) any more",
        )
    if value is not None and math.isclose(value, 2.0, rel_tol=1e-3):
        return not_yet(
            "kappa = 2 belongs to x1**2 + 2 x2**2; this exercise rotates "
            "x1**2 + 50 x2**2",
            "use the eigenvalues 2 and 100 of exercises 3 and 4",
        )
    return close_to(
        answer, 50.0, "the condition number",
        "the Hessian of the rotated function has equal diagonal entries, "
        "so dividing by its diagonal only rescales it",
    )
