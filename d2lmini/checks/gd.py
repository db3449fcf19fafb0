"""Checks for the exercises of ``chapters/gd.ipynb``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

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

# The declared checks below take close()'s default tolerance, rtol 1e-3
# (three significant digits, what a reader copies from a printout) with
# atol 1e-12, as close_to() does.
declare(
    "gd.lr_bound",
    what="the bound on eta",
    hint="write one step as x <- (1 - eta * lambda) x and ask when "
         "|1 - eta * lambda| < 1",
    # largest learning rate for f(x) = 2 x**2 (lambda = 4): 2 / lambda;
    # the two mistakes within the same rtol 1e-3
    cases=[
        mistake(close(1.0, atol=0.0),
                "1 = 2 / lambda for f = x**2, whose second derivative is 2; "
                "this f is 2 x**2",
                "the second derivative of 2 x**2 is lambda = 4"),
        mistake(close(0.25, atol=0.0),
                "0.25 = 1 / lambda reaches the minimum in one step, but it "
                "is not the largest rate that converges",
                "the iteration still converges while |1 - eta * lambda| < "
                "1: how large can eta get?"),
        right(close(0.5)),
    ],
)


def _armijo_step(f: Callable[[float], float],
                 f_grad: Callable[[float], float], x: float,
                 strict: bool = False) -> float:
    """The point of the first eta in 1, 1/2, 1/4, ... with
    f(x - eta g) <= f(x) - eta g**2 / 2 (with < when ``strict``)."""
    g, eta = f_grad(x), 1.0
    while (f(x - eta * g) >= f(x) - eta / 2 * g**2 if strict
           else f(x - eta * g) > f(x) - eta / 2 * g**2):
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
            if all(number(answer(f2, g2, x2)) == _armijo_step(
                    f2, g2, x2, strict=True)
                   for f2, g2, starts2 in problems for x2 in starts2):
                # On x**2 from x = 10 the condition holds with equality at
                # eta = 1/2; a search that demands < halves once more
                # there, and agrees with the right one everywhere else.
                return not_yet(
                    f"from x={x} your step goes to {new:.6g}, but at the "
                    f"step to {want:.6g} the Armijo condition already holds "
                    "with equality",
                    "the condition is f(x - eta g) <= f(x) - eta g**2 / 2: "
                    "equality is enough, so halve only while f(x - eta g) "
                    "> f(x) - eta g**2 / 2")
            return not_yet(
                f"from x={x} your step goes to {new:.6g}; the first eta "
                f"in 1, 1/2, 1/4, ... that satisfies the condition goes "
                f"to {want:.6g}",
                "start from eta = 1 and halve it only while the Armijo "
                "condition fails; return x - eta * f_grad(x)",
            )
    return passed("your step is the first halving of eta = 1 that "
                  "satisfies the Armijo condition, on three functions.")


def rate_check(name: str, lams: tuple[float, ...], what: str,
               hint: str) -> dict:
    """Declare the check of a gradient-descent learning rate for
    sum_i lambda_i x_i**2 / 2, judged by the rate it gives.

    The slowest coordinate shrinks by q = max_i |1 - eta lambda_i| per
    step. To shrink the error by a factor epsilon, a rate q needs
    ln(1/epsilon) / -ln(q) steps, whatever epsilon is. The best constant
    rate is q* = (kappa - 1) / (kappa + 1), at eta = 2 / (l_min + l_max).
    An answer passes when it needs at most 5% more steps than q*, that is
    -ln(q) >= -ln(q*) / 1.05: a grid search with a step of one percent of
    eta* gets that close, while the plausible wrong answers (1 / L, or a
    formula with the wrong smallest eigenvalue) need about twice as many.
    q and the extra steps are the check's expressions; q* and the bound
    2 / lambda_max are computed here.
    """
    best = (max(lams) - min(lams)) / (max(lams) + min(lams))
    rate = "max(" + ", ".join(f"abs(1 - v * {lam!r})" for lam in lams) + ")"
    return declare(
        name, what=what, hint=hint,
        let=[("rate", rate), ("extra", f"log({best!r}) / log(rate) - 1")],
        cases=[
            mistake(when("v <= 0 or rate >= 1"),
                    f"with {what} = {{{{v}}}} gradient descent does not "
                    "converge (the worst coordinate has |1 - eta lambda| = "
                    "{{rate:.4g}})",
                    f"eta must lie between 0 and 2 / lambda_max = "
                    f"{2 / max(lams):.6g}"),
            mistake(when("extra > 0.05"),
                    f"{what} = {{{{v}}}} shrinks the slowest coordinate by "
                    "{{rate:.6f}} per step and needs {{extra:.1%}} more "
                    f"steps than the best constant rate, {best:.6f}"),
            right(always(),
                  f"{what} = {{{{v}}}} shrinks the slowest coordinate by "
                  f"{{{{rate:.6f}}}} per step; the best possible is "
                  f"{best:.6f}."),
        ])


# Best constant eta for f = x1**2 + 50 x2**2 (curvatures 2 and 100),
# judged by the rate it gives: see rate_check.
rate_check(
    "gd.best_eta", (2.0, 100.0), "eta",
    "the two coordinates shrink by |1 - 2 eta| and |1 - 100 eta|; the "
    "slower one is fastest when the two factors are equal")


@exercise("gd.precondition")
def precondition(answer: Callable[..., Any]) -> Feedback:
    """make_precond_gd_2d(f_grad, h1, h2) returns a trainer whose step is
    x_i - g_i / h_i: on a diagonal quadratic it lands on the minimum in
    one step. Two of the three quadratics have their minimum away from
    the origin, so a trainer that returns zeros does not pass."""
    if not callable(answer):
        return not_yet("the answer should be your function "
                       "make_precond_gd_2d(f_grad, h1, h2)",
                       "pass the function itself, without calling it")
    hint = ("divide each partial derivative by the matching diagonal entry "
            "of the Hessian: x1 - g1 / h1 and x2 - g2 / h2")
    # (h1, h2, minimizer): f = h1 (x1 - m1)**2 / 2 + h2 (x2 - m2)**2 / 2
    problems = [(2.0, 100.0, (0.0, 0.0)), (6.0, 1.0, (1.0, -2.0)),
                (0.5, 40.0, (-3.0, 0.25))]
    for h1, h2, (m1, m2) in problems:
        def f_grad(x1, x2, h1=h1, h2=h2, m1=m1, m2=m2):
            return h1 * (x1 - m1), h2 * (x2 - m2)
        try:
            trainer = answer(f_grad, h1, h2)
        except Exception as err:  # report, do not crash
            return not_yet(f"make_precond_gd_2d raised "
                           f"{type(err).__name__}: {err}", hint)
        if not callable(trainer):
            return not_yet("make_precond_gd_2d should return a trainer "
                           "(x1, x2, s1, s2) -> (x1, x2, s1, s2)",
                           "define the trainer inside and return it")
        for start in [(-5.0, -2.0), (3.0, 0.1), (0.2, 7.0)]:
            out = trainer(*start, 0, 0)
            if not (isinstance(out, (tuple, list)) and len(out) == 4):
                return not_yet("a trainer returns (x1, x2, s1, s2)",
                               "return the two new coordinates and two zeros")
            point = np.array([float(out[0]), float(out[1])])
            # The exact step lands on (m1, m2); in float64 it is off by a
            # few roundings of numbers below 10, far less than 1e-9.
            if not np.allclose(point, (m1, m2), rtol=0, atol=1e-9):
                return not_yet(
                    f"for f = {h1:g} (x1 - {m1:g})^2 / 2 + {h2:g} "
                    f"(x2 - {m2:g})^2 / 2 one step from {start} lands at "
                    f"({point[0]:.6g}, {point[1]:.6g}), not at the minimum "
                    f"({m1:g}, {m2:g})", hint)
    return passed("one preconditioned step reaches the minimum of three "
                  "diagonal quadratics from every start.")


# Condition number of the diagonally preconditioned Hessian of
# x1**2 + 50 x2**2 rotated by 45 degrees: it stays 50. The two mistakes
# are recognized within rtol 1e-3, as the answer.
declare(
    "gd.rotated",
    what="the condition number",
    hint="the Hessian of the rotated function has equal diagonal entries, "
         "so dividing by its diagonal only rescales it",
    cases=[
        mistake(close(1.0, atol=0.0),
                "kappa = 1 is what preconditioning gives on the aligned "
                "problem of exercise 4, not on the rotated one",
                "compute H = R^T diag(2, 100) R first: its diagonal is not "
                "diag(2, 100) any more"),
        mistake(close(2.0, atol=0.0),
                "kappa = 2 belongs to x1**2 + 2 x2**2; this exercise "
                "rotates x1**2 + 50 x2**2",
                "use the eigenvalues 2 and 100 of exercises 3 and 4"),
        right(close(50.0)),
    ],
)
