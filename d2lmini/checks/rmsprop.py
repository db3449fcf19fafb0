"""Checks for the exercises of ``chapters/rmsprop.ipynb``."""

from __future__ import annotations

import math
from typing import Any

from . import Feedback, close_to, exercise, not_yet, number, passed


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
    """1 - 0.99**t = 0.99 at t* = ln 0.01 / ln 0.99 = 458.21.

    The exercise allows a number that is not whole: t* itself passes,
    within 0.05 (rtol 1e-4: the four digits 458.2 are within 0.01, and a
    logarithm computed in float32 within 1e-4). A whole number must be the
    first step at which s_t has reached 99%, ceil(t*) = 459; 458, the
    rounded t*, is one step short (s_458 = 0.98998 g^2).
    """
    hint = ("under a constant gradient s_t = (1 - gamma^t) g^2; solve "
            "gamma^t = 0.01 with logarithms")
    value = number(answer)
    exact = math.log(0.01) / math.log(0.99)
    if value is None:
        return close_to(answer, exact, "the number of steps", hint)
    if math.isclose(value, 100.0, rel_tol=1e-3):
        return not_yet(
            "100 = 1 / (1 - gamma) is the width of the average; after 100 "
            "steps s_t has reached only 1 - 0.99^100 = 63% of g^2",
            "solve 1 - gamma^t = 0.99 for t")
    if value == math.ceil(exact):
        return passed(f"after {math.ceil(exact)} steps s_t has reached 99% "
                      "of g^2 for the first time.")
    if value == round(value):
        reached = 1 - 0.99 ** value
        return not_yet(
            f"after {value:.0f} steps s_t = {reached:.5f} g^2, "
            + ("not yet 99%" if reached < 0.99 else
               "but 99% was reached earlier"),
            "the first whole step at or past t = ln 0.01 / ln 0.99")
    return close_to(answer, exact, "the number of steps", hint, rtol=1e-4)


@exercise("rmsprop.gamma_for_half_life")
def gamma_for_half_life(answer: Any) -> Feedback:
    """gamma^20 = 1/2: gamma = 2^(-1/20)."""
    value = number(answer)
    if value is not None and math.isclose(value, 0.95, rel_tol=1e-4):
        return not_yet(
            "0.95 makes 1 / (1 - gamma) = 20, but its half-life is "
            f"{math.log(2) / math.log(1 / 0.95):.1f} steps",
            "the weight gamma^tau should be 1/2 at tau = 20")
    approx = 1 - math.log(2) / 20
    if value is not None and math.isclose(value, approx, rel_tol=1e-5):
        return not_yet(
            f"{approx:.6f} = 1 - ln 2 / 20 comes from the approximation "
            "half-life = 0.69 / (1 - gamma), which is good only for gamma "
            "close to 1",
            "solve gamma^20 = 1/2 exactly")
    # rtol 1e-4: four significant digits (0.9659) are within 6e-5 of
    # 2^(-1/20) = 0.965936; the approximation 0.965343 is 6e-4 away.
    return close_to(
        answer, 2 ** (-1 / 20), "gamma", "solve gamma^20 = 1/2",
        rtol=1e-4)
