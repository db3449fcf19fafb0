"""Checks for the exercises of ``chapters/adadelta.ipynb``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from . import (
    Feedback,
    close,
    declare,
    exercise,
    mistake,
    not_yet,
    passed,
    right,
)


def _first_step(eps: float, rho: float, g: float = 1.0) -> float:
    """Adadelta's first step: sqrt(eps) g / sqrt((1 - rho) g^2 + eps)."""
    return math.sqrt(eps) * g / math.sqrt((1 - rho) * g ** 2 + eps)


# First step for g = 1, rho = 0.99, eps = 1e-5: about 0.0316 (rtol 1e-3,
# close()'s default); the step for rho = 0.9, 0.01, within 1%.
declare(
    "adadelta.first_step_rho",
    what="the first step",
    hint="the step is sqrt(Delta x_0 + eps) / sqrt(s_1 + eps) * g with "
         "Delta x_0 = 0 and s_1 = (1 - rho) g^2",
    cases=[
        mistake(close(_first_step(1e-5, 0.9), rtol=1e-2, atol=0.0),
                "0.01 is the first step for rho = 0.9",
                "in the first step s_1 = (1 - rho) g^2 and Delta x_0 = 0"),
        right(close(_first_step(1e-5, 0.99))),
    ],
)


@exercise("adadelta.no_rescaled_gradient")
def no_rescaled_gradient(answer: Callable[..., Any]) -> Feedback:
    """adadelta_no_g must make the same steps and states as d2l.adadelta."""
    from ..optim import adadelta, init_adadelta_states

    hint = ("s <- rho s + (1 - rho) g^2, then the step "
            "sqrt(delta + eps) / sqrt(s + eps) * g, then "
            "delta <- rho delta + (1 - rho) step^2")
    if not callable(answer):
        return not_yet("the answer should be your function "
                       "adadelta_no_g(params, states, hyperparams)",
                       "pass the function itself, without calling it")
    gen = torch.Generator().manual_seed(4)
    for hyper in ({"rho": 0.9}, {"rho": 0.5, "eps": 1e-3}):
        mine = [torch.randn(3, 2, generator=gen, dtype=torch.float64),
                torch.randn(2, generator=gen, dtype=torch.float64)]
        ref = [p.clone() for p in mine]
        states_mine = init_adadelta_states(mine)
        states_ref = init_adadelta_states(ref)
        for step in range(6):
            grads = [torch.randn(p.shape, generator=gen, dtype=torch.float64)
                     for p in mine]
            for p, g in zip(mine, grads):
                p.grad = g.clone()
            for p, g in zip(ref, grads):
                p.grad = g.clone()
            before = [p.clone() for p in mine]
            answer(mine, states_mine, dict(hyper))
            adadelta(ref, states_ref, dict(hyper))
            if all(torch.equal(p, b) for p, b in zip(mine, before)):
                return not_yet("your function does not change the "
                               "parameters yet",
                               "update each p in place, e.g. p.sub_(...)")
            for p, q in zip(mine, ref):
                if not torch.allclose(p, q, rtol=1e-9, atol=1e-12):
                    return not_yet(
                        f"with {hyper} the parameters differ from "
                        f"d2l.adadelta after step {step + 1}", hint)
            for (s1, d1), (s2, d2) in zip(states_mine, states_ref):
                if not (torch.allclose(s1, s2, rtol=1e-9, atol=1e-12)
                        and torch.allclose(d1, d2, rtol=1e-9,
                                           atol=1e-12)):
                    return not_yet(
                        f"with {hyper} the states (s, delta) differ from "
                        f"d2l.adadelta after step {step + 1}; update them "
                        "in place", hint)
    return passed("same parameters and states as d2l.adadelta over six "
                  "steps, for two settings. The check compares numbers "
                  "only: whether your code avoids a tensor for g' is for "
                  "you to check (look for a new tensor as large as p).")


# first step(1e-3) / first step(1e-5) for rho = 0.9: 9.95, about 10, so
# rtol 1e-2 (the exercise says "about"); 100, eps itself, within 1%.
declare(
    "adadelta.eps_factor",
    what="the factor",
    hint="the first step is sqrt(eps) g / sqrt((1 - rho) g^2 + eps), "
         "roughly sqrt(eps / (1 - rho))",
    cases=[
        mistake(close(100.0, rtol=1e-2, atol=0.0),
                "the step does not grow like epsilon itself",
                "epsilon sits under a square root"),
        right(close(_first_step(1e-3, 0.9) / _first_step(1e-5, 0.9),
                    rtol=1e-2)),
    ],
)

# eps_x is a squared step: it scales with c^2 = 1e6 (rtol 1e-3, close()'s
# default; the two mistakes too).
declare(
    "adadelta.eps_units",
    what="the factor",
    hint="eps_x is added to an average of squared steps, which are "
         "measured in squared parameter units",
    cases=[
        mistake(close(1e3, atol=0.0),
                "a factor c = 1000 would suit a step, not a squared step",
                "eps_x is added to Delta x, an average of squared steps"),
        mistake(close(1e-6, atol=0.0),
                "1e-6 is the factor for eps_g, the constant next to the "
                "squared gradients",
                "which way do squared steps change when the unit gets 1000 "
                "times smaller?"),
        right(close(1e6)),
    ],
)
