"""Checks for the exercises of ``chapters/adagrad.ipynb``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from . import Feedback, close_to, exercise, not_yet, number, passed


def _pair(answer: Any) -> tuple[float, float] | None:
    """``answer`` as two finite floats, or ``None``."""
    try:
        values = [float(v) for v in torch.as_tensor(
            answer, dtype=torch.float64).reshape(-1)]
    except (TypeError, ValueError, RuntimeError):
        return None
    if len(values) != 2 or not all(math.isfinite(v) for v in values):
        return None
    return values[0], values[1]


@exercise("adagrad.rotated_kappa")
def rotated_kappa(answer: Any) -> Feedback:
    """The diagonally preconditioned Hessian of the 45-degree problem,
    D^{-1/2} H D^{-1/2} = [[1, -19/21], [-19/21, 1]]: its condition number
    is still 20, since the diagonal of H is a multiple of the identity.

    The matrix is asked for, not kappa: kappa = 20 is also the condition
    number of H itself, so a student who forgot to precondition would give
    the right number. Entries are judged to 5e-4 (three decimals, as in
    -0.905; float32 is far closer)."""
    hint = ("the Hessian is [[4.2, -3.8], [-3.8, 4.2]]; divide row and "
            "column i by sqrt(H_ii)")
    want = [[1.0, -3.8 / 4.2], [-3.8 / 4.2, 1.0]]
    if number(answer) is not None:
        return not_yet(
            "the exercise asks for the preconditioned matrix, not a number "
            "(its condition number follows from it; note that kappa of H "
            "itself is the same, so a number cannot tell the two apart)",
            hint)
    try:
        got = torch.as_tensor(answer, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        return not_yet(f"the answer should be a 2 x 2 matrix, got "
                       f"{answer!r}", hint)
    if got.shape != (2, 2) or not bool(torch.isfinite(got).all()):
        return not_yet(f"the answer should be a 2 x 2 matrix of finite "
                       f"numbers, got shape {tuple(got.shape)}", hint)
    H = torch.tensor([[4.2, -3.8], [-3.8, 4.2]], dtype=torch.float64)
    if torch.allclose(got, H, atol=5e-4, rtol=0):
        return not_yet("that is the Hessian itself, not yet "
                       "preconditioned", hint)
    if torch.allclose(got, H / 2, atol=5e-4, rtol=0):
        return not_yet("that is half the Hessian (the problem without its "
                       "factor 2), not preconditioned", hint)
    if torch.allclose(got, torch.tensor(want, dtype=torch.float64),
                      atol=5e-4, rtol=0):
        return passed("the preconditioned matrix has ones on the diagonal "
                      "and -19/21 = -0.905 off it; its eigenvalues are "
                      "2/21 and 40/21, so kappa is still 20.")
    return not_yet("that is not D^{-1/2} H D^{-1/2}", hint)


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


@exercise("adagrad.gershgorin_bound")
def gershgorin_bound(answer: Any) -> Feedback:
    """The Gershgorin bound (1 + r) / (1 - r) for the exercise's M."""
    eig = torch.linalg.eigvalsh(_M_EXERCISE)
    value = number(answer)
    if value is not None and math.isclose(
            value, float(eig.max() / eig.min()), rel_tol=1e-3):
        return not_yet(
            "that is the condition number of M itself, before "
            "preconditioning",
            "precondition first: the centres of the discs become 1")
    return close_to(
        answer, gershgorin_kappa_bound(_M_EXERCISE), "the bound on kappa",
        "all eigenvalues of the preconditioned matrix lie in "
        "[1 - r, 1 + r] with r the largest radius "
        "sum_k |M_jk| / sqrt(M_jj M_kk), k != j")


@exercise("adagrad.steps_to_one_percent")
def steps_to_one_percent(answer: Any) -> Feedback:
    """eta / sqrt(t g^2) is 1% of eta / |g| at t = 100^2."""
    value = number(answer)
    if value is not None and math.isclose(value, 100.0, rel_tol=1e-3):
        return not_yet(
            "after 100 steps the rate is 1/sqrt(100) = 10% of the first",
            "the rate falls like 1 / sqrt(t), not like 1 / t")
    return close_to(
        answer, 1e4, "the number of steps",
        "with a constant gradient g, s_t = t g^2; solve "
        "1 / sqrt(t) = 0.01")


@exercise("adagrad.first_step")
def first_step(answer: Any) -> Feedback:
    """-eta g / sqrt(g^2 + eps) for g = (3, -0.001), eta = 0.5,
    eps = 1e-6."""
    hint = ("in the first step s_1 = g_1^2, so the step is "
            "-eta * g / sqrt(g^2 + eps), coordinate by coordinate")
    pair = _pair(answer)
    if pair is None:
        return not_yet("the answer should be a pair of numbers (step in "
                       f"x1, step in x2), got {answer!r}", hint)
    g = torch.tensor([3.0, -0.001], dtype=torch.float64)
    want = -0.5 * g / torch.sqrt(g ** 2 + 1e-6)
    got = torch.tensor(pair, dtype=torch.float64)
    if torch.allclose(got, -0.5 * torch.sign(g), rtol=1e-6):
        return not_yet("that is eta * sign(g), the step without epsilon",
                       "the second gradient is as small as sqrt(eps); "
                       "epsilon matters there")
    if torch.allclose(got, -want, rtol=1e-4):
        return not_yet("the sign is wrong: the step goes against the "
                       "gradient", hint)
    if not torch.allclose(got, want, rtol=1e-4, atol=1e-9):
        return not_yet(f"({pair[0]:.6g}, {pair[1]:.6g}) is not the first "
                       "step yet", hint)
    return passed(f"the first step is ({float(want[0]):.6g}, "
                  f"{float(want[1]):.6g}).")
