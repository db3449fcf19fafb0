"""Checks for the exercises of ``chapters/lr-schedules.ipynb``.

The chapter's file name has a hyphen; check names use the module name,
``"lr_schedules.NAME"``.
"""

from __future__ import annotations

import math
from typing import Callable

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


def _rho(t: int, beta2: float) -> float:
    """RAdam's length of the simple average that matches the EMA."""
    rho_inf = 2 / (1 - beta2) - 1
    return rho_inf - 2 * t * beta2**t / (1 - beta2**t)


def _r_squared(t: int, beta2: float) -> float:
    """Var[psi_inf] / Var[psi_t] in RAdam's approximation (rho_t > 4)."""
    rho_inf, rho = 2 / (1 - beta2) - 1, _rho(t, beta2)
    if rho <= 4:
        return 0.0
    return ((rho - 4) * (rho - 2) * rho_inf
            / ((rho_inf - 4) * (rho_inf - 2) * rho))


def first_update_with_ratio(bound: float, beta2: float = 0.999,
                            square: bool = True) -> int:
    """The first t with r_t^2 >= bound (or r_t >= bound)."""
    t = 1
    while True:
        r2 = _r_squared(t, beta2)
        if (r2 if square else math.sqrt(r2)) >= bound:
            return t
        t += 1


# The first update at which the variance of Adam's adaptive step size
# (beta2 = 0.999) is at most twice its limit: r_t^2 >= 1/2. A whole number,
# judged exactly (rtol 0).
_WARMUP_T = first_update_with_ratio(0.5)
declare(
    "lr_schedules.warmup_for_variance",
    what="the update t",
    hint="compute rho_t and r_t^2 = (rho_t - 4)(rho_t - 2) rho_inf / "
         "((rho_inf - 4)(rho_inf - 2) rho_t) for t = 1, 2, ... and take the "
         "first t with r_t^2 >= 1/2",
    cases=[
        mistake(close(float(first_update_with_ratio(0.5, square=False)),
                      rtol=0.0, atol=0.0),
                "{{v:g}} is where r_t reaches 1/2; r_t is a ratio of "
                "standard deviations",
                "the variance ratio is r_t squared: solve r_t^2 >= 1/2"),
        mistake(close(float(_WARMUP_T - 1), rtol=0.0, atol=0.0),
                "at t = {{v:g}} the ratio r_t^2 is still below 1/2",
                "the question asks for the first t at which it is at least "
                "1/2"),
        right(close(float(_WARMUP_T), rtol=0.0)),
    ],
)


@exercise("lr_schedules.lambda_lr")
def lambda_lr(answer: Callable[[int], float]) -> Feedback:
    """A LambdaLR factor k -> eta_{k+1} / eta for 10 updates of linear
    warmup and a cosine over the remaining 90 of 100."""
    if not callable(answer):
        return not_yet("the answer should be your function factor(k)",
                       "pass the function itself, without calling it")

    def want(k: int) -> float:
        t = k + 1  # the scheduler has stepped k times before update t
        if t <= 10:
            return t / 10
        return (1 + math.cos(math.pi * min(t - 11, 90) / 90)) / 2

    for k in [0, 1, 5, 9, 10, 11, 40, 99, 100, 120]:
        got = number(answer(k))
        if got is None:
            return not_yet(f"factor({k}) returned no finite number",
                           "return the factor as a float")
        if math.isclose(got, want(k)):
            continue
        if k <= 9 and math.isclose(got, k / 10, abs_tol=1e-9):
            return not_yet(
                f"factor({k}) = {got:g}: the first update would run at "
                "rate 0",
                "LambdaLR calls factor(0) for update 1; warmup t / W with "
                "t = k + 1")
        if got > 1 + 1e-9:
            return not_yet(f"factor({k}) = {got:g} exceeds 1",
                           "the factor multiplies the peak rate: it runs "
                           "from 1/10 up to 1 and back down to 0")
        return not_yet(
            f"factor({k}) = {got:.6g}, expected {want(k):.6g}",
            "after the warmup, update t runs at (1 + cos(pi (t - 11) / "
            "90)) / 2; update t is factor(t - 1)")
    return passed("factor(k) gives linear warmup over 10 updates and the "
                  "cosine over the other 90, update by update")
