"""Checks for the exercises of ``chapters/adam-paper.ipynb``.

The chapter's file name has a hyphen; check names use the module name,
``"adam_paper.NAME"``.
"""

from __future__ import annotations

import math
from typing import Any

from . import Feedback, close_to, exercise, not_yet, number


@exercise("adam_paper.first_step")
def first_step(answer: Any) -> Feedback:
    """First uncorrected step / lr for beta1 = 0.9, beta2 = 0.9999:
    (1 - beta1) / sqrt(1 - beta2) = 10."""
    expected = (1 - 0.9) / math.sqrt(1 - 0.9999)
    value = number(answer)
    if value is not None and math.isclose(value, 1.0, rel_tol=1e-3):
        return not_yet(
            "1 is the length of the first step with the bias correction",
            "without it, v_1 = (1 - beta1) g_1 and s_1 = (1 - beta2) g_1^2;"
            " divide the one by the root of the other")
    if value is not None and math.isclose(value, 100.0, rel_tol=1e-3):
        return not_yet(
            "100 is 1 / sqrt(1 - beta2) alone",
            "the first moment is not corrected either: v_1 = (1 - beta1) "
            "g_1")
    return close_to(
        answer, expected, "the factor",
        "write out v_1 and s_1 from zero states and form "
        "v_1 / sqrt(s_1)")


@exercise("adam_paper.cycle")
def cycle(answer: Any) -> Feedback:
    """Adam with beta1 = 0 on 5 x^2 with lr 0.02 cycles at +-lr / 2."""
    value = number(answer)
    if value is not None and math.isclose(abs(value), 0.001, rel_tol=1e-2):
        return not_yet(
            "0.001 = lr / (2 lambda) divides by the curvature, as gradient "
            "descent would",
            "on the cycle the second moment is the squared gradient, so "
            "every step of Adam has length lr, whatever the curvature")
    return close_to(
        abs(value) if value is not None else answer, 0.01,
        "the amplitude",
        "if the iterates alternate between A and -A, each step has length "
        "2A; what length does Adam's step have when s equals g^2?",
        rtol=1e-2)


@exercise("adam_paper.rare_boost")
def rare_boost(answer: Any) -> Feedback:
    """Adagrad's step size for a feature present with p = 0.01 is
    1 / sqrt(p) = 10 times that of a feature present always."""
    value = number(answer)
    if value is not None and math.isclose(value, 100.0, rel_tol=0.05):
        return not_yet(
            "100 = 1 / p is how many times less often the rare feature is "
            "updated, not how much larger its step size is",
            "Adagrad divides by the square root of the accumulated squared "
            "gradients: about sqrt(p T) against sqrt(T)")
    return close_to(
        answer, 10.0, "the ratio of step sizes",
        "compare s_T = p T for the rare feature with s_T = T for the "
        "common one, then take square roots", rtol=0.05)
