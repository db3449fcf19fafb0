"""Checks for the exercises of ``chapters/rmsprop.ipynb``."""

from __future__ import annotations

import math
from typing import Any

from . import Feedback, close_to, exercise, not_yet, number


@exercise("rmsprop.gamma_one_rate")
def gamma_one_rate(answer: Any) -> Feedback:
    """With gamma = 1, s stays 0: the rate is eta / sqrt(eps) = 10."""
    value = number(answer)
    if value is not None and math.isclose(value, 0.01, rel_tol=1e-3):
        return not_yet(
            "0.01 is eta itself; the division by sqrt(s + eps) changes it",
            "with gamma = 1 the new squared gradient gets the weight "
            "1 - gamma = 0: what is s_t then?")
    return close_to(
        answer, 0.01 / math.sqrt(1e-6), "the effective learning rate",
        "s_t = 1 * s_(t-1) + 0 * g^2 stays at s_0 = 0, so the rate is "
        "eta / sqrt(eps)")


@exercise("rmsprop.warmup_steps")
def warmup_steps(answer: Any) -> Feedback:
    """1 - 0.99**t = 0.99 at t = ln 0.01 / ln 0.99 (458.2; 459 whole)."""
    value = number(answer)
    exact = math.log(0.01) / math.log(0.99)
    if value is not None and math.isclose(value, 100.0, rel_tol=1e-3):
        return not_yet(
            "100 = 1 / (1 - gamma) is the width of the average; after 100 "
            "steps s_t has reached only 1 - 0.99^100 = 63% of g^2",
            "solve 1 - gamma^t = 0.99 for t")
    if value is not None and abs(value - math.ceil(exact)) < 1e-9:
        return close_to(value, math.ceil(exact), "the number of steps",
                        "")
    return close_to(
        answer, exact, "the number of steps",
        "under a constant gradient s_t = (1 - gamma^t) g^2; solve "
        "gamma^t = 0.01 with logarithms")


@exercise("rmsprop.gamma_for_half_life")
def gamma_for_half_life(answer: Any) -> Feedback:
    """gamma^20 = 1/2: gamma = 2^(-1/20)."""
    value = number(answer)
    if value is not None and math.isclose(value, 0.95, rel_tol=1e-4):
        return not_yet(
            "0.95 makes 1 / (1 - gamma) = 20, but its half-life is "
            f"{math.log(2) / math.log(1 / 0.95):.1f} steps",
            "the weight gamma^tau should be 1/2 at tau = 20")
    return close_to(
        answer, 2 ** (-1 / 20), "gamma", "solve gamma^20 = 1/2",
        rtol=1e-4)
