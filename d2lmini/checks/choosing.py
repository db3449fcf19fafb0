"""Checks for the exercises of ``chapters/choosing.ipynb``."""

from __future__ import annotations

import math
from typing import Any

from . import Feedback, close_to, exercise, not_yet, number, passed


@exercise("choosing.adam_gb")
def adam_gb(answer: Any) -> Feedback:
    """Training memory of 7e9 fp32 parameters with Adam, in GB (1e9 bytes):
    parameters, gradients, v and s, 4 bytes each: 112 GB."""
    value = number(answer)
    hint = ("count four float32 tensors of 7e9 entries (the parameters, "
            "their gradients, and Adam's v and s), 4 bytes each, and "
            "divide the bytes by 1e9")
    if value is not None and math.isclose(value, 112 / 1.073741824,
                                          rel_tol=1e-3):
        return not_yet(f"{value:.6g} is the answer in GiB (2**30 bytes)",
                       "the question asks for GB, 1e9 bytes")
    if value is not None and math.isclose(value, 56.0, rel_tol=1e-3):
        return not_yet("56 GB is Adam's state alone",
                       "add the parameters and their gradients")
    if value is not None and math.isclose(value, 84.0, rel_tol=1e-3):
        return not_yet("84 GB leaves out one of the four tensors", hint)
    return close_to(answer, 112.0, "the memory in GB", hint)


def _escape_steps(eta: float, delta: float) -> int:
    """Gradient descent on x1**2 - x2**2 from x2 = delta: the first t with
    |x2_t| > 1, by running the recursion x2 <- (1 + 2 eta) x2 (0 when
    |delta| > 1 already)."""
    x2, t = delta, 0
    while abs(x2) <= 1:
        x2, t = (1 + 2 * eta) * x2, t + 1
    return t


# (eta, delta) pairs and why each is there. The count is the smallest
# integer t > L = log(1/|delta|) / log(1 + 2 eta). round(L) is wrong where
# the fractional part of L is below 1/2; ceil(L) is wrong where L is an
# integer (an exact power: (1 + 2 eta)**L |delta| = 1 is not > 1); both,
# and floor(L) + 1 without a guard, are wrong when |delta| > 1 (the answer
# is 0). The exact powers use factors and deltas that are powers of 2, so
# that float arithmetic is exact there and every correct method agrees.
_ESCAPE_CASES = [
    (0.4, 0.01),   # the table's run: L = 7.83
    (0.1, 1e-3),   # L = 37.9
    (0.05, 1e-6),  # L = 144.9
    (0.4, -0.01),  # a negative start
    (1.0, 0.5),    # L = 0.63
    (0.25, 0.02),  # L = 9.65
    (0.5, 0.1),    # L = 3.32: round(L) = 3, the truth is 4
    (0.5, 0.25),   # L = 2 exactly: ceil(L) = 2, the truth is 3
    (1.5, 1 / 16),  # L = 2 exactly, factor 4
    (0.3, 1.0),    # L = 0: one step is needed, ceil(L) = 0
    (0.4, 2.0),    # |delta| > 1: already out, 0 steps
]


@exercise("choosing.escape_steps")
def escape_steps(answer: Any) -> Feedback:
    """A function escape_steps(eta, delta): the number of gradient-descent
    steps on the saddle until |x2| > 1, starting from x2 = delta (0 when
    |delta| > 1 already)."""
    if not callable(answer):
        return not_yet("the answer should be your function "
                       "escape_steps(eta, delta)",
                       "pass the function itself, without calling it")
    for eta, delta in _ESCAPE_CASES:
        want = _escape_steps(eta, delta)
        try:
            got = number(answer(eta, delta))
        except Exception as err:  # noqa: BLE001 (the reader's code)
            return not_yet(f"escape_steps({eta}, {delta}) raised "
                           f"{type(err).__name__}: {err}",
                           "return a number of steps")
        if got is None or got != want:
            hint = ("one step multiplies x2 by 1 + 2 eta (the gradient "
                    "along x2 is -2 x2); count the steps until |x2| > 1")
            if got is not None and abs(delta) > 1:
                hint = ("|delta| > 1: the start is already outside, so "
                        "no step is needed; return 0")
            elif got is not None and got == want - 1 and (
                    1 + 2 * eta) ** got * abs(delta) == 1:
                hint = ("here (1 + 2 eta)**t |delta| is exactly 1 after "
                        f"{got} steps, which is not > 1: at an exact power "
                        "ceil gives one step too few")
            elif got is not None and got == want - 1:
                hint = ("you stop one step short: after t steps "
                        "|x2| = (1 + 2 eta)**t |delta|, and t must make it "
                        "larger than 1, so round up, not to the nearest")
            elif got is not None and got == _escape_steps(eta / 2, delta):
                hint = ("the gradient of -x2**2 is -2 x2, so the factor "
                        "is 1 + 2 eta, not 1 + eta")
            return not_yet(f"escape_steps({eta}, {delta}) gave {got!r}; "
                           f"gradient descent needs {want} steps", hint)
    return passed(f"your count agrees with gradient descent on "
                  f"{len(_ESCAPE_CASES)} (eta, delta) pairs, exact powers "
                  "and a start outside included.")


@exercise("choosing.adam_first_step")
def adam_first_step(answer: Any) -> Feedback:
    """Adam's first point on the saddle from (-2, 0.01), lr 0.3, eps 1e-6:
    each coordinate moves by lr |g| / (|g| + eps) against its gradient."""
    try:
        x1, x2 = (number(v) for v in answer)
    except (TypeError, ValueError):
        return not_yet(f"the answer should be a pair (x1, x2), got "
                       f"{answer!r}", "give the point after one step")
    if x1 is None or x2 is None:
        return not_yet(f"the answer should be two numbers, got {answer!r}",
                       "give the point after one step")
    lr, eps = 0.3, 1e-6
    g1, g2 = 2 * -2.0, -2 * 0.01
    want = (-2.0 - lr * g1 / (abs(g1) + eps),
            0.01 - lr * g2 / (abs(g2) + eps))
    if all(math.isclose(a, b, rel_tol=0, abs_tol=1e-6)
           for a, b in zip((x1, x2), want)):
        return passed(f"after one step Adam is at ({x1:.6f}, {x2:.6f}): "
                      "a step of almost exactly lr in each coordinate.")
    if math.isclose(x1, -2.0 - lr * g1, abs_tol=1e-6):
        return not_yet(f"({x1:.6g}, {x2:.6g}) is gradient descent's step",
                       "after one step the bias-corrected v-hat is g and "
                       "s-hat is g**2, so the step is lr g / (|g| + eps)")
    if all(math.isclose(a, b, rel_tol=0, abs_tol=1e-9) for a, b in
           zip((x1, x2), (-2.0 - lr * math.copysign(1, g1),
                          0.01 - lr * math.copysign(1, g2)))):
        return not_yet(f"({x1:.6g}, {x2:.6g}) is right up to epsilon",
                       "the exercise gives eps = 1e-6: the step is "
                       "lr g / (|g| + eps), and |g2| = 0.02 is small "
                       "enough for eps to show")
    return not_yet(f"({x1:.6g}, {x2:.6g}) is not Adam's first point",
                   "after one step the bias-corrected v-hat is g and "
                   "s-hat is g**2; step each coordinate by "
                   "lr g / (|g| + eps)")
