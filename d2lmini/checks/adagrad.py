"""Checks for the exercises of ``chapters/adagrad.ipynb``."""

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
    shape_is,
)

_H = [[4.2, -3.8], [-3.8, 4.2]]  # the Hessian of the 45-degree problem
_ROTATED_HINT = ("the Hessian is [[4.2, -3.8], [-3.8, 4.2]]; divide row "
                 "and column i by sqrt(H_ii)")

# The diagonally preconditioned Hessian of the 45-degree problem,
# D^{-1/2} H D^{-1/2} = [[1, -19/21], [-19/21, 1]]: its condition number is
# still 20, since the diagonal of H is a multiple of the identity.
#
# The matrix is asked for, not kappa: kappa = 20 is also the condition
# number of H itself, so a student who forgot to precondition would give
# the right number. Entries are judged to atol 5e-4 (three decimals, as in
# -0.905; float32 is far closer), the two mistakes too.
declare(
    "adagrad.rotated_kappa",
    shape=(2, 2),
    what="the preconditioned matrix",
    hint=_ROTATED_HINT,
    invalid="the answer should be a 2 x 2 matrix of finite numbers, got "
            "{{answer}}",
    cases=[
        mistake(shape_is(()),
                "the exercise asks for the preconditioned matrix, not a "
                "number (its condition number follows from it; note that "
                "kappa of H itself is the same, so a number cannot tell "
                "the two apart)"),
        mistake(close(_H, rtol=0.0, atol=5e-4),
                "that is the Hessian itself, not yet preconditioned"),
        mistake(close([[h / 2 for h in row] for row in _H], rtol=0.0,
                      atol=5e-4),
                "that is half the Hessian (the problem without its factor "
                "2), not preconditioned"),
        right(close([[1.0, -3.8 / 4.2], [-3.8 / 4.2, 1.0]], rtol=0.0,
                    atol=5e-4),
              "the preconditioned matrix has ones on the diagonal and "
              "-19/21 = -0.905 off it; its eigenvalues are 2/21 and 40/21, "
              "so kappa is still 20."),
    ],
    otherwise="that is not D^{-1/2} H D^{-1/2}",
)


@exercise("adagrad.gershgorin")
def gershgorin(answer: Callable[..., Any]) -> Feedback:
    """gershgorin_discs(M) returns (diagonal, row sums of |M_jk|, k != j)."""
    hint = ("the centre of disc j is M[j, j], its radius the sum of "
            "|M[j, k]| over the other entries k != j of row j")
    if not callable(answer):
        return not_yet("the answer should be your function "
                       "gershgorin_discs(M)",
                       "pass the function itself, without calling it")
    gen = torch.Generator().manual_seed(3)
    for n in (1, 3, 6):
        M = torch.randn(n, n, generator=gen, dtype=torch.float64)
        M[0, -1] += 2.0  # make rows and columns differ
        out = answer(M.clone())
        if out is None:
            return not_yet("your function returns nothing yet",
                           "return the pair (centers, radii)")
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            return not_yet("your function should return the pair "
                           "(centers, radii)", hint)
        try:
            centers, radii = (torch.as_tensor(v, dtype=torch.float64)
                              .reshape(-1) for v in out)
        except (TypeError, ValueError, RuntimeError):
            return not_yet("centers and radii should be tensors or lists "
                           "of numbers", hint)
        want_c = M.diagonal()
        want_r = M.abs().sum(dim=1) - want_c.abs()
        if centers.shape != want_c.shape or radii.shape != want_r.shape:
            return not_yet(f"for a {n}x{n} matrix there are {n} discs, "
                           f"got {centers.numel()} centers and "
                           f"{radii.numel()} radii", hint)
        if not torch.allclose(centers, want_c, rtol=1e-9, atol=1e-12):
            return not_yet(f"for a {n}x{n} matrix the centers are not "
                           "right", hint)
        if torch.allclose(radii, M.abs().sum(dim=0) - want_c.abs()) and \
                not torch.allclose(radii, want_r):
            return not_yet("your radii sum the columns; the theorem as "
                           "stated sums the rows", hint)
        if not torch.allclose(radii, want_r, rtol=1e-9, atol=1e-12):
            return not_yet(f"for a {n}x{n} matrix the radii are not right",
                           hint)
    return passed("centers and radii are right on three random matrices.")


def gershgorin_kappa_bound(M: torch.Tensor) -> float:
    """(1 + r) / (1 - r) with r the largest Gershgorin radius of the
    diagonally preconditioned M (inf when r >= 1)."""
    root = M.diagonal().rsqrt()
    M_tilde = root[:, None] * M * root[None, :]
    r = float((M_tilde.abs().sum(dim=1) - 1.0).max())
    return (1 + r) / (1 - r) if r < 1 else math.inf


_M_EXERCISE = torch.tensor([[4.0, 1.0, 0.0], [1.0, 9.0, 1.5],
                            [0.0, 1.5, 16.0]], dtype=torch.float64)


_EIG = torch.linalg.eigvalsh(_M_EXERCISE)

# The Gershgorin bound (1 + r) / (1 - r) for the exercise's M; the
# condition number of M itself, the mistake, within the same rtol 1e-3.
declare(
    "adagrad.gershgorin_bound",
    what="the bound on kappa",
    hint="all eigenvalues of the preconditioned matrix lie in "
         "[1 - r, 1 + r] with r the largest radius "
         "sum_k |M_jk| / sqrt(M_jj M_kk), k != j",
    cases=[
        mistake(close(float(_EIG.max() / _EIG.min()), atol=0.0),
                "that is the condition number of M itself, before "
                "preconditioning",
                "precondition first: the centres of the discs become 1"),
        right(close(gershgorin_kappa_bound(_M_EXERCISE))),
    ],
)

# eta / sqrt(t g^2) is 1% of eta / |g| at t = 100^2.
declare(
    "adagrad.steps_to_one_percent",
    what="the number of steps",
    hint="with a constant gradient g, s_t = t g^2; solve "
         "1 / sqrt(t) = 0.01",
    cases=[
        mistake(close(100.0, atol=0.0),
                "after 100 steps the rate is 1/sqrt(100) = 10% of the "
                "first",
                "the rate falls like 1 / sqrt(t), not like 1 / t"),
        right(close(1e4)),
    ],
)

# -eta g / sqrt(g^2 + eps) for g = (3, -0.001), eta = 0.5, eps = 1e-6.
# rtol 1e-4 (four digits; float32 is far closer) with atol 1e-9; the step
# without epsilon is recognized within rtol 1e-6, atol 1e-8 (it is
# (-0.5, 0.5) exactly, while the right second entry is 0.354).
_G = torch.tensor([3.0, -0.001], dtype=torch.float64)
_STEP = (-0.5 * _G / torch.sqrt(_G ** 2 + 1e-6)).tolist()
declare(
    "adagrad.first_step",
    shape=(2,),
    what="the first step",
    hint="in the first step s_1 = g_1^2, so the step is "
         "-eta * g / sqrt(g^2 + eps), coordinate by coordinate",
    invalid="the answer should be a pair of numbers (step in x1, step in "
            "x2), got {{answer}}",
    cases=[
        mistake(close((-0.5 * torch.sign(_G)).tolist(), rtol=1e-6,
                      atol=1e-8),
                "that is eta * sign(g), the step without epsilon",
                "the second gradient is as small as sqrt(eps); epsilon "
                "matters there"),
        mistake(close([-x for x in _STEP], rtol=1e-4, atol=1e-8),
                "the sign is wrong: the step goes against the gradient"),
        right(close(_STEP, rtol=1e-4, atol=1e-9),
              f"the first step is ({_STEP[0]:.6g}, {_STEP[1]:.6g})."),
    ],
    otherwise="({{v0}}, {{v1}}) is not the first step yet",
)
