"""Checks for the exercises of ``chapters/adam-paper.ipynb``.

The chapter's file name has a hyphen; check names use the module name,
``"adam_paper.NAME"``.
"""

from __future__ import annotations

import math

from . import close, declare, mistake, right

# First uncorrected step / lr for beta1 = 0.9, beta2 = 0.9999:
# (1 - beta1) / sqrt(1 - beta2) = 10 (rtol 1e-3, close()'s default; the two
# mistakes too).
declare(
    "adam_paper.first_step",
    what="the factor",
    hint="write out v_1 and s_1 from zero states and form v_1 / sqrt(s_1)",
    cases=[
        mistake(close(1.0, atol=0.0),
                "1 is the length of the first step with the bias correction",
                "without it, v_1 = (1 - beta1) g_1 and s_1 = (1 - beta2) "
                "g_1^2; divide the one by the root of the other"),
        mistake(close(100.0, atol=0.0),
                "100 is 1 / sqrt(1 - beta2) alone",
                "the first moment is not corrected either: v_1 = (1 - "
                "beta1) g_1"),
        right(close((1 - 0.9) / math.sqrt(1 - 0.9999))),
    ],
)

# Adam with beta1 = 0 on 5 x^2 with lr 0.02 cycles at +-lr / 2: the
# amplitude A = 0.01, its sign immaterial, within 1% (a simulation's
# estimate); lr / (2 lambda) = 0.001 within 1% too.
declare(
    "adam_paper.cycle",
    what="the amplitude",
    hint="if the iterates alternate between A and -A, each step has length "
         "2A; what length does Adam's step have when s equals g^2?",
    cases=[
        mistake(close(0.001, rtol=1e-2, atol=0.0, abs=True),
                "0.001 = lr / (2 lambda) divides by the curvature, as "
                "gradient descent would",
                "on the cycle the second moment is the squared gradient, so "
                "every step of Adam has length lr, whatever the curvature"),
        right(close(0.01, rtol=1e-2, abs=True),
              "the amplitude = {{abs(v)}} is right."),
    ],
    otherwise="the amplitude = {{abs(v)}} is not right yet.",
)

# Adagrad's step size for a feature present with p = 0.01 is
# 1 / sqrt(p) = 10 times that of a feature present always; within 5%, as a
# simulation's estimate (9.69) is; 1 / p = 100 within 5% too.
declare(
    "adam_paper.rare_boost",
    what="the ratio of step sizes",
    hint="compare s_T = p T for the rare feature with s_T = T for the "
         "common one, then take square roots",
    cases=[
        mistake(close(100.0, rtol=0.05, atol=0.0),
                "100 = 1 / p is how many times less often the rare feature "
                "is updated, not how much larger its step size is",
                "Adagrad divides by the square root of the accumulated "
                "squared gradients: about sqrt(p T) against sqrt(T)"),
        right(close(10.0, rtol=0.05)),
    ],
)
