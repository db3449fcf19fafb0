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


@exercise("gd.line_search")
def line_search(answer: Callable[..., float]) -> Feedback:
    """A backtracking step must satisfy the Armijo condition."""
    if not callable(answer):
        return not_yet("the answer should be your function "
                       "backtracking_step(f, f_grad, x)",
                       "pass the function itself, without calling it")
    problems = [
        (lambda x: x**2, lambda x: 2 * x, [10.0, -3.0, 0.5]),
        (lambda x: math.cosh(x), lambda x: math.sinh(x), [4.0, -2.0]),
        (lambda x: x * math.cos(0.15 * math.pi * x),
         lambda x: math.cos(0.15 * math.pi * x)
         - 0.15 * math.pi * x * math.sin(0.15 * math.pi * x), [10.0, 3.0]),
    ]
    for f, f_grad, starts in problems:
        for x in starts:
            new = number(answer(f, f_grad, x))
            if new is None:
                return not_yet(f"from x={x} your step returned no number",
                               "return the new point x - eta * f_grad(x)")
            g = f_grad(x)
            if f(new) > f(x) - 0.5 * (x - new) * g + 1e-12:
                return not_yet(
                    f"from x={x} the step to {new:.4g} does not decrease "
                    "f enough (Armijo condition with c = 1/2)",
                    "halve eta until f(x - eta g) <= f(x) - eta g**2 / 2",
                )
            if abs(new - x) < 1e-10 and abs(g) > 1e-8:
                return not_yet(f"from x={x} your step does not move",
                               "start from eta0 = 1 and only shrink it")
    return passed("every step satisfies the sufficient-decrease "
                  "condition on three functions.")


@exercise("gd.best_eta")
def best_eta(answer: Any) -> Feedback:
    """Best constant eta for f = x1**2 + 50 x2**2: 2 / (2 + 100)."""
    return close_to(
        answer, 2 / 102, "the best constant eta",
        "the two coordinates shrink by |1 - 2 eta| and |1 - 100 eta|; the "
        "slower one is fastest when the two factors are equal",
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
    """Condition number after diagonal preconditioning of the rotated
    problem stays 2."""
    return close_to(
        answer, 2.0, "the condition number",
        "the Hessian of the rotated function has equal diagonal entries, "
        "so dividing by its diagonal only rescales it",
    )
