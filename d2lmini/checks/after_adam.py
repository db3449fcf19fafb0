"""Checks for the exercises of ``chapters/after-adam.ipynb``.

The chapter's file name has a hyphen; check names use the module name,
``"after_adam.NAME"``.
"""

from __future__ import annotations

from ..optim import NS_COEFFICIENTS
from . import close, declare, mistake, right, when


def _quintic_power(sigma: float, steps: int = 5) -> float:
    a, b, c = NS_COEFFICIENTS
    for _ in range(steps):
        sigma = a * sigma + b * sigma**3 + c * sigma**5
    return sigma


# Floats Adafactor keeps for a 1000 x 4000 weight matrix (without the
# step counter): m + n = 5000. Counts, judged exactly.
_M, _N = 1000, 4000
_MEMORY_HINT = ("Adafactor keeps one mean of G^2 per row and one per "
                "column; it has no momentum")
declare(
    "after_adam.adafactor_memory",
    what="the number of floats",
    hint=_MEMORY_HINT,
    cases=[
        mistake(close(float(2 * _M * _N), rtol=0.0, atol=0.0),
                "that is Adam's memory: v and s, m*n floats each"),
        mistake(close(float(_M * _N), rtol=0.0, atol=0.0),
                "that is one full second moment, as RMSProp keeps"),
        mistake(close(float(_M * _N + _M + _N), rtol=0.0, atol=0.0),
                "torch.optim.Adafactor keeps no momentum"),
        right(close(float(_M + _N), rtol=0.0)),
    ],
)

# The positive fixed point of the cubic 1.5 s - 0.5 s^3: 1, within rtol
# 1e-6; its zero sqrt(3) is recognized within 1e-3.
declare(
    "after_adam.ns_fixed_point",
    what="the fixed point",
    hint="solve p(s) = s, that is 0.5 s - 0.5 s^3 = 0, for s > 0",
    cases=[
        mistake(when(f"abs(v - {3 ** 0.5!r}) < 1e-3"),
                "at sqrt(3) the cubic is 0, not sqrt(3): that is where it "
                "crosses zero"),
        mistake(close(0.0, rtol=0.0, atol=0.0),
                "0 is a fixed point, but not a positive one"),
        right(close(1.0, rtol=1e-6)),
    ],
)

# The RMS over coordinates of Lion's step with lr 3e-4, no weight decay,
# and no coordinate of c_t at 0: exactly lr (rtol 1e-6); the Euclidean
# length over 1000 coordinates recognized within 1e-9.
_LION_LR = 3e-4
declare(
    "after_adam.lion_step",
    what="the RMS of the step",
    hint="every coordinate moves by lr * sign(c_t,i): the step does not "
         "depend on the gradient's size",
    cases=[
        mistake(when(f"abs(v - {_LION_LR * 1000 ** 0.5!r}) < 1e-9"),
                "that is the Euclidean length of the step over 1000 "
                "coordinates, not its RMS"),
        right(close(_LION_LR, rtol=1e-6)),
    ],
)

# Length of Muon's step on a 1 x n matrix, lr 0.02, no weight decay, five
# quintic Newton-Schulz steps: 0.02 * p^5(1), within rtol 1e-6; lr itself
# recognized within 1e-9.
_MUON_LR = 0.02
declare(
    "after_adam.muon_row_step",
    what="the length of the step",
    hint="a 1 x n matrix has one singular value; after the scaling by the "
         "Frobenius norm it is 1, and each Newton-Schulz step maps s to "
         "a s + b s^3 + c s^5",
    cases=[
        mistake(when(f"abs(v - {_MUON_LR!r}) < 1e-9"),
                "the quintic does not map 1 to 1: its five steps leave the "
                "singular value elsewhere"),
        right(close(_MUON_LR * _quintic_power(1.0), rtol=1e-6)),
    ],
)
