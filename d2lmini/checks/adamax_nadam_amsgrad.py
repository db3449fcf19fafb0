"""Checks for the exercises of ``chapters/adamax-nadam-amsgrad.ipynb``."""

from __future__ import annotations

import math
from collections.abc import Callable
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
    when,
)

# The limit of AdaMax's largest step for beta1 = 0.9, beta2 = 0.99:
# (1 - beta1) / (1 - beta1 / beta2) = 1.1, within rtol 1e-4 (four digits);
# the rule of thumb 1 within 1e-6.
declare(
    "adamax_nadam_amsgrad.adamax_bound",
    what="the largest step / eta",
    hint="let t go to infinity in the bound of the theorem: "
         "(1 - beta1) times the sum of (beta1 / beta2)^k",
    cases=[
        mistake(close(1.0, rtol=1e-6, atol=0.0),
                "1 is the paper's rule of thumb, not the largest step",
                "sum the geometric series of the theorem: with |g_i| as "
                "large as u_t allows, v_t adds up terms (beta1 / beta2)^k"),
        right(close((1 - 0.9) / (1 - 0.9 / 0.99), rtol=1e-4)),
    ],
)


@exercise("adamax_nadam_amsgrad.adam_regret")
def adam_regret(answer: Callable[[float], Any]) -> Feedback:
    """Average regret per step of staying at x = 1: 2 (C - 2) / 3."""
    hint = ("add up the losses of one cycle of three steps at x = 1 and at "
            "the best point x = -1, and divide the difference by 3")
    if not callable(answer):
        return not_yet("the answer should be your function adam_regret(C)",
                       "pass the function itself, without calling it")
    for C in (3.0, 5.0, 10.0, 2.5):
        got = number(answer(C))
        if got is None:
            return not_yet(f"adam_regret({C:g}) should return a number, "
                           f"got {answer(C)!r}", hint)
        expected = 2 * (C - 2) / 3
        if math.isclose(got, (C - 2) / 3, rel_tol=1e-6):
            return not_yet(
                f"adam_regret({C:g}) = {got:.6g} is the loss at x = 1 "
                "per step; the regret compares with the loss at x = -1",
                hint)
        if not math.isclose(got, expected, rel_tol=1e-6):
            return not_yet(f"adam_regret({C:g}) = {got:.6g} is not right",
                           hint)
    return passed("the average regret 2 (C - 2) / 3 is right for C = 3, 5, "
                  "10 and 2.5.")


# The first t with 0.9 (1 - 0.96^(0.004 t) / 2) > 0.8: a whole number,
# judged exactly; beta1_t of the answer is computed in the messages.
_MU = "0.9 * (1 - 0.5 * 0.96 ** (v * 0.004))"
_NADAM_T = math.floor(math.log(2 / 9) / (0.004 * math.log(0.96))) + 1


def _mu(k: int) -> float:
    return 0.9 * (1 - 0.5 * 0.96 ** (k * 0.004))


declare(
    "adamax_nadam_amsgrad.nadam_steps",
    what="the number of steps",
    hint="solve 0.96^(t phi) < 2 (1 - 0.8 / 0.9) for t with logarithms and "
         "take the smallest integer above",
    invalid="the answer should be a whole number of steps, got {{answer}}",
    let=[("mu", _MU)],
    cases=[
        mistake(when("v != floor(v)"),
                "the answer should be a whole number of steps, got "
                "{{answer}}"),
        right(close(float(_NADAM_T), rtol=0.0, atol=0.0),
              f"beta1_{_NADAM_T} = {_mu(_NADAM_T):.6f} > 0.8 and "
              f"beta1_{_NADAM_T - 1} = {_mu(_NADAM_T - 1):.6f} is not."),
        mistake(when("mu > 0.8"),
                "beta1_{{v:.0f}} = {{mu:.6f}} exceeds 0.8, but so does an "
                "earlier step"),
    ],
    otherwise="beta1_{{v:.0f}} = {{mu:.6f}} does not exceed 0.8 yet",
)
