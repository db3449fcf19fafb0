"""Checks for the exercises of ``chapters/choosing.ipynb``."""

from __future__ import annotations

import math
from typing import Any

from . import (
    Feedback,
    close,
    declare,
    exercise,
    mistake,
    not_yet,
    number,
    passed,
    right,
)

# Training memory of 7e9 fp32 parameters with Adam, in GB (1e9 bytes):
# parameters, gradients, v and s, 4 bytes each: 112 GB (rtol 1e-3,
# close()'s default; the three mistakes too).
_GB_HINT = ("count four float32 tensors of 7e9 entries (the parameters, "
            "their gradients, and Adam's v and s), 4 bytes each, and divide "
            "the bytes by 1e9")
declare(
    "choosing.adam_gb",
    what="the memory in GB",
    hint=_GB_HINT,
    cases=[
        mistake(close(112 / 1.073741824, atol=0.0),
                "{{v}} is the answer in GiB (2**30 bytes)",
                "the question asks for GB, 1e9 bytes"),
        mistake(close(56.0, atol=0.0), "56 GB is Adam's state alone",
                "add the parameters and their gradients"),
        mistake(close(84.0, atol=0.0),
                "84 GB leaves out one of the four tensors"),
        right(close(112.0)),
    ],
)


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


# Adam's first point on the saddle from (-2, 0.01), lr 0.3, eps 1e-6: each
# coordinate moves by lr |g| / (|g| + eps) against its gradient. Judged to
# atol 1e-6 (six decimals; the step without epsilon differs by 1.5e-5 in
# x2); gradient descent's x1 within atol 1e-6, the step without epsilon
# within 1e-9.
_LR, _EPS = 0.3, 1e-6
_G1, _G2 = 2 * -2.0, -2 * 0.01
_WANT = [-2.0 - _LR * _G1 / (abs(_G1) + _EPS),
         0.01 - _LR * _G2 / (abs(_G2) + _EPS)]
declare(
    "choosing.adam_first_step",
    shape=(2,),
    what="the point after one step",
    hint="after one step the bias-corrected v-hat is g and s-hat is g**2; "
         "step each coordinate by lr g / (|g| + eps)",
    invalid="the answer should be a pair (x1, x2) of numbers, got "
            "{{answer}}",
    invalid_hint="give the point after one step",
    cases=[
        right(close(_WANT, rtol=0.0, atol=1e-6),
              "after one step Adam is at ({{v0:.6f}}, {{v1:.6f}}): a step "
              "of almost exactly lr in each coordinate."),
        mistake(close([-2.0 - _LR * _G1, None], rtol=1e-9, atol=1e-6),
                "({{v0}}, {{v1}}) is gradient descent's step",
                "after one step the bias-corrected v-hat is g and s-hat is "
                "g**2, so the step is lr g / (|g| + eps)"),
        mistake(close([-2.0 - _LR * math.copysign(1, _G1),
                       0.01 - _LR * math.copysign(1, _G2)],
                      rtol=0.0, atol=1e-9),
                "({{v0}}, {{v1}}) is right up to epsilon",
                "the exercise gives eps = 1e-6: the step is "
                "lr g / (|g| + eps), and |g2| = 0.02 is small enough for "
                "eps to show"),
    ],
    otherwise="({{v0}}, {{v1}}) is not Adam's first point",
)
