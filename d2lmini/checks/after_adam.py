"""Checks for the exercises of ``chapters/after-adam.ipynb``.

The chapter's file name has a hyphen; check names use the module name,
``"after_adam.NAME"``.
"""

from __future__ import annotations

from typing import Any

from ..optim import NS_COEFFICIENTS
from . import Feedback, close_to, exercise, not_yet, number


def _quintic_power(sigma: float, steps: int = 5) -> float:
    a, b, c = NS_COEFFICIENTS
    for _ in range(steps):
        sigma = a * sigma + b * sigma**3 + c * sigma**5
    return sigma


@exercise("after_adam.adafactor_memory")
def adafactor_memory(answer: Any) -> Feedback:
    """Floats Adafactor keeps for a 1000 x 4000 weight matrix (without the
    step counter): m + n = 5000."""
    m, n = 1000, 4000
    value = number(answer)
    hint = ("Adafactor keeps one mean of G^2 per row and one per column; "
            "it has no momentum")
    if value == 2 * m * n:
        return not_yet("that is Adam's memory: v and s, m*n floats each",
                       hint)
    if value == m * n:
        return not_yet("that is one full second moment, as RMSProp keeps",
                       hint)
    if value == m * n + m + n:
        return not_yet("torch.optim.Adafactor keeps no momentum", hint)
    return close_to(answer, m + n, "the number of floats", hint, rtol=0)


@exercise("after_adam.ns_fixed_point")
def ns_fixed_point(answer: Any) -> Feedback:
    """The positive fixed point of the cubic 1.5 s - 0.5 s^3."""
    value = number(answer)
    hint = "solve p(s) = s, that is 0.5 s - 0.5 s^3 = 0, for s > 0"
    if value is not None and abs(value - 3**0.5) < 1e-3:
        return not_yet("at sqrt(3) the cubic is 0, not sqrt(3): that is "
                       "where it crosses zero", hint)
    if value == 0:
        return not_yet("0 is a fixed point, but not a positive one", hint)
    return close_to(answer, 1.0, "the fixed point", hint, rtol=1e-6)


@exercise("after_adam.lion_step")
def lion_step(answer: Any) -> Feedback:
    """The RMS over coordinates of Lion's step with lr 3e-4, no weight
    decay, and no coordinate of c_t at 0: exactly lr."""
    lr = 3e-4
    value = number(answer)
    hint = ("every coordinate moves by lr * sign(c_t,i): the step does not "
            "depend on the gradient's size")
    if value is not None and abs(value - lr * 1000**0.5) < 1e-9:
        return not_yet("that is the Euclidean length of the step over "
                       "1000 coordinates, not its RMS", hint)
    return close_to(answer, lr, "the RMS of the step", hint, rtol=1e-6)


@exercise("after_adam.muon_row_step")
def muon_row_step(answer: Any) -> Feedback:
    """Length of Muon's step on a 1 x n matrix, lr 0.02, no weight decay,
    five quintic Newton-Schulz steps: 0.02 * p^5(1)."""
    lr = 0.02
    expected = lr * _quintic_power(1.0)
    value = number(answer)
    hint = ("a 1 x n matrix has one singular value; after the scaling by "
            "the Frobenius norm it is 1, and each Newton-Schulz step maps "
            "s to a s + b s^3 + c s^5")
    if value is not None and abs(value - lr) < 1e-9:
        return not_yet("the quintic does not map 1 to 1: its five steps "
                       "leave the singular value elsewhere", hint)
    return close_to(answer, expected, "the length of the step", hint,
                    rtol=1e-6)
