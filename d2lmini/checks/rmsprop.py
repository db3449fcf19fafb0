"""Checks for the exercises of ``chapters/rmsprop.ipynb``."""

from __future__ import annotations

import math

from . import close, declare, mistake, right, when

# With gamma = 1, s stays 0: the rate is eta / sqrt(eps) = 10 (rtol 1e-3,
# close()'s default; eta itself recognized within the same).
declare(
    "rmsprop.gamma_one_rate",
    what="the effective learning rate",
    hint="s_t = 1 * s_(t-1) + 0 * g^2 stays at s_0 = 0, so the rate is "
         "eta / sqrt(eps)",
    cases=[
        mistake(close(0.01, atol=0.0),
                "0.01 is eta itself; the division by sqrt(s + eps) changes "
                "it",
                "with gamma = 1 the new squared gradient gets the weight "
                "1 - gamma = 0: what is s_t then?"),
        right(close(0.01 / math.sqrt(1e-6))),
    ],
)

# 1 - 0.99**t = 0.99 at t* = ln 0.01 / ln 0.99 = 458.21.
#
# The exercise allows a number that is not whole: t* itself passes, within
# 0.05 (rtol 1e-4: the four digits 458.2 are within 0.01, and a logarithm
# computed in float32 within 1e-4). A whole number must be the first step
# at which s_t has reached 99%, ceil(t*) = 459; 458, the rounded t*, is one
# step short (s_458 = 0.98998 g^2).
_T_STAR = math.log(0.01) / math.log(0.99)
_WHOLE_HINT = "the first whole step at or past t = ln 0.01 / ln 0.99"
declare(
    "rmsprop.warmup_steps",
    what="the number of steps",
    hint="under a constant gradient s_t = (1 - gamma^t) g^2; solve "
         "gamma^t = 0.01 with logarithms",
    let=[("reached", "1 - 0.99 ** v")],
    cases=[
        mistake(close(100.0, atol=0.0),
                "100 = 1 / (1 - gamma) is the width of the average; after "
                "100 steps s_t has reached only 1 - 0.99^100 = 63% of g^2",
                "solve 1 - gamma^t = 0.99 for t"),
        right(close(float(math.ceil(_T_STAR)), rtol=0.0, atol=0.0),
              f"after {math.ceil(_T_STAR)} steps s_t has reached 99% of g^2 "
              "for the first time."),
        mistake(when("v == floor(v) and reached < 0.99"),
                "after {{v:.0f}} steps s_t = {{reached:.5f}} g^2, not yet "
                "99%", _WHOLE_HINT),
        mistake(when("v == floor(v)"),
                "after {{v:.0f}} steps s_t = {{reached:.5f}} g^2, but 99% "
                "was reached earlier", _WHOLE_HINT),
        right(close(_T_STAR, rtol=1e-4)),
    ],
)

# gamma^20 = 1/2: gamma = 2^(-1/20). rtol 1e-4: four significant digits
# (0.9659) are within 6e-5 of 2^(-1/20) = 0.965936; the approximation
# 1 - ln 2 / 20 = 0.965343 is 6e-4 away, and is recognized within 1e-5.
_APPROX = 1 - math.log(2) / 20
declare(
    "rmsprop.gamma_for_half_life",
    what="gamma",
    hint="solve gamma^20 = 1/2",
    cases=[
        mistake(close(0.95, rtol=1e-4, atol=0.0),
                "0.95 makes 1 / (1 - gamma) = 20, but its half-life is "
                f"{math.log(2) / math.log(1 / 0.95):.1f} steps",
                "the weight gamma^tau should be 1/2 at tau = 20"),
        mistake(close(_APPROX, rtol=1e-5, atol=0.0),
                f"{_APPROX:.6f} = 1 - ln 2 / 20 comes from the approximation "
                "half-life = 0.69 / (1 - gamma), which is good only for "
                "gamma close to 1",
                "solve gamma^20 = 1/2 exactly"),
        right(close(2 ** (-1 / 20), rtol=1e-4)),
    ],
)
