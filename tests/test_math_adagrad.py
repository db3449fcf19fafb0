"""The mathematical facts stated in chapters/adagrad.ipynb."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import d2lmini as d2l
from d2lmini.checks import adagrad as checks


def kappa(Q: torch.Tensor) -> float:
    eig = torch.linalg.eigvalsh(Q)
    return float(eig.max() / eig.min())


def diag_precondition(Q: torch.Tensor) -> torch.Tensor:
    r = Q.diagonal().rsqrt()
    return r[:, None] * Q * r[None, :]


def rotation(angle: float) -> torch.Tensor:
    c, s = math.cos(angle), math.sin(angle)
    return torch.tensor([[c, s], [-s, c]], dtype=torch.float64)


Q_ROT = rotation(math.pi / 4).T @ torch.diag(
    torch.tensor([0.2, 4.0], dtype=torch.float64)) @ rotation(math.pi / 4)


def test_rotated_matrix_is_the_one_in_the_text():
    assert torch.allclose(Q_ROT, torch.tensor([[2.1, -1.9], [-1.9, 2.1]],
                                              dtype=torch.float64))


def test_diagonal_preconditioning_fixes_axis_aligned_problems():
    Q = torch.diag(torch.tensor([0.2, 4.0, 70.0], dtype=torch.float64))
    assert kappa(diag_precondition(Q)) == pytest.approx(1.0)
    assert kappa(diag_precondition(Q_ROT)) == pytest.approx(kappa(Q_ROT))


@pytest.mark.parametrize("e", [1e-3, 0.1, 0.5, 0.999, 1.001, 3.0, 1e3])
def test_no_diagonal_scaling_helps_the_45_degree_problem(e):
    """kappa + 1/kappa + 2 = tr^2 / det, minimal at e = 1."""
    root = torch.tensor([1.0, math.sqrt(e)], dtype=torch.float64)
    M = root[:, None] * Q_ROT * root[None, :]
    k = kappa(M)
    tr, det = float(M.trace()), float(torch.linalg.det(M))
    assert k + 1 / k + 2 == pytest.approx(tr ** 2 / det)
    assert tr ** 2 / det == pytest.approx(
        2.1 ** 2 * (1 + e) ** 2 / ((2.1 ** 2 - 1.9 ** 2) * e))
    assert k >= kappa(Q_ROT) * (1 - 1e-12)


def test_preconditioned_gd_is_gd_in_rescaled_variables():
    """x <- x - eta D^-1 Q x is u <- u - eta Q~ u for u = D^(1/2) x."""
    Q = torch.tensor([[3.0, 0.5], [0.5, 0.2]], dtype=torch.float64)
    D = Q.diagonal()
    x = torch.tensor([1.0, -2.0], dtype=torch.float64)
    u = D.sqrt() * x
    for _ in range(5):
        x = x - 0.3 * (Q @ x) / D
        u = u - 0.3 * diag_precondition(Q) @ u
        assert torch.allclose(D.sqrt() * x, u)


def test_first_step_is_a_sign_step_and_no_step_exceeds_eta():
    gen = torch.Generator().manual_seed(0)
    x = torch.zeros(50, dtype=torch.float64)
    states = d2l.init_adagrad_states([x])
    for t in range(30):
        x.grad = torch.randn(50, generator=gen, dtype=torch.float64) * 10
        before = x.clone()
        d2l.adagrad([x], states, {"lr": 0.7, "eps": 1e-12})
        step = x - before
        if t == 0:
            assert torch.allclose(step, -0.7 * torch.sign(x.grad))
        assert float(step.abs().max()) <= 0.7 + 1e-12


@pytest.mark.parametrize("scales", [(1.0, 1.0), (0.01, 50.0), (7.0, 0.3)])
def test_adagrad_ignores_the_scale_of_separable_terms(scales):
    """Theorem thm-adagrad-scale, on a non-quadratic separable f."""
    def path(c):
        c = torch.tensor(c, dtype=torch.float64)
        x = torch.tensor([2.0, -1.5], dtype=torch.float64)
        states = d2l.init_adagrad_states([x])
        out = []
        for _ in range(40):  # f_i = cosh(x_i) - 1 and x_i^4 / 4
            x.grad = c * torch.stack([torch.sinh(x[0]), x[1] ** 3])
            d2l.adagrad([x], states, {"lr": 0.3, "eps": 1e-300})
            out.append(x.clone())
        return torch.stack(out)

    # c g and sqrt(sum (c g)^2) = c sqrt(sum g^2) each round once more than
    # with c = 1 (and sinh may differ by an ulp on another CPU): a few u
    # per step over 40 steps of size <= 0.3. One random ulp per update uses
    # <= 2.7e-5 of rtol 1e-10 (nudge, tests/ulp_margin.py). If eps = 1e-300
    # were not negligible, or the scale leaked in, paths would differ by
    # >= 1e-3.
    assert torch.allclose(path(scales), path((1.0, 1.0)), rtol=1e-10,
                          atol=1e-12)


def test_least_squares_gradient_second_moment_is_sigma2_Q():
    """At x*, E[g g^T] = sigma^2 E[a a^T] for noise independent of a."""
    gen = torch.Generator().manual_seed(0)
    n, sigma = 400_000, 0.5
    scale = torch.tensor([1.0, 3.0, 10.0], dtype=torch.float64)
    a = torch.randn(n, 3, generator=gen, dtype=torch.float64) * scale
    xi = sigma * torch.randn(n, generator=gen, dtype=torch.float64)
    g = -xi[:, None] * a
    second = g.T @ g / n
    assert torch.allclose(second, sigma ** 2 * torch.diag(scale ** 2),
                          rtol=0.02, atol=0.05)


@pytest.mark.parametrize("seed", range(5))
def test_sum_of_normalized_squares_lemma(seed):
    """sum_t a_t / sqrt(S_t) <= 2 sqrt(S_T) (0/0 = 0), also with zeros."""
    rng = np.random.default_rng(seed)
    a = rng.exponential(size=500) * (rng.random(500) < 0.3)
    S = np.cumsum(a)
    terms = np.divide(a, np.sqrt(S), out=np.zeros_like(a), where=S > 0)
    assert terms.sum() <= 2 * math.sqrt(S[-1])
    # the constant 2 cannot be lowered: equal terms come close to it
    equal = np.ones(10_000)
    ratio = (equal / np.sqrt(np.cumsum(equal))).sum() / (2 * 100.0)
    assert 0.99 < ratio <= 1.0


@pytest.mark.parametrize("seed", range(3))
def test_regret_bound_holds_for_projected_adagrad(seed):
    gen = torch.Generator().manual_seed(seed)
    d, T, d_inf = 12, 3000, 2.0
    p = torch.logspace(math.log10(0.5), -2, d, dtype=torch.float64)
    A = (torch.rand(T, d, generator=gen, dtype=torch.float64) < p).double()
    signs = torch.randn(T, d, generator=gen, dtype=torch.float64).sign()
    A = A * signs
    x_hidden = torch.rand(d, generator=gen, dtype=torch.float64) - 0.5
    for eta in (d_inf / math.sqrt(2), 0.2, 5.0):
        x = torch.zeros(d, dtype=torch.float64)
        states = d2l.init_adagrad_states([x])
        regret = 0.0
        for a in A:
            r = float(a @ (x - x_hidden))
            regret += abs(r)
            x.grad = math.copysign(1.0, r) * a
            d2l.adagrad([x], states, {"lr": eta, "eps": 1e-300,
                                      "eps_inside_sqrt": False})
            with torch.no_grad():
                x.clamp_(-1.0, 1.0)
        total = float(states[0].sqrt().sum())
        assert regret <= (d_inf ** 2 / (2 * eta) + eta) * total


@pytest.mark.parametrize("seed", range(4))
def test_gershgorin(seed):
    gen = torch.Generator().manual_seed(seed)
    M = torch.randn(7, 7, generator=gen, dtype=torch.float64)
    centers = M.diagonal()
    radii = M.abs().sum(dim=1) - centers.abs()
    for lam in torch.linalg.eigvals(M):
        assert bool(((lam - centers).abs() <= radii + 1e-12).any())


def test_gershgorin_kappa_bound():
    M = torch.tensor([[4.0, 1.0, 0.0], [1.0, 9.0, 1.5], [0.0, 1.5, 16.0]],
                     dtype=torch.float64)
    bound = checks.gershgorin_kappa_bound(M)
    assert kappa(diag_precondition(M)) <= bound
    assert bound == pytest.approx((1 + (1 / 6 + 1.5 / 12))
                                  / (1 - (1 / 6 + 1.5 / 12)))
    # tight for the 45-degree problem
    assert checks.gershgorin_kappa_bound(Q_ROT) == pytest.approx(20.0)


def test_orthogonal_maps_keep_distances():
    gen = torch.Generator().manual_seed(0)
    U, _ = torch.linalg.qr(torch.randn(6, 6, generator=gen,
                                       dtype=torch.float64))
    c, delta = torch.randn(2, 6, generator=gen, dtype=torch.float64)
    assert float((U @ c - U @ delta).norm()) == pytest.approx(
        float((c - delta).norm()))


def test_rate_falls_to_one_percent_after_ten_thousand_steps():
    s = torch.zeros(1, dtype=torch.float64)
    x = torch.zeros(1, dtype=torch.float64)
    states = (s,)
    for _ in range(10_000):
        x.grad = torch.full((1,), 2.5, dtype=torch.float64)
        d2l.adagrad([x], states, {"lr": 1.0, "eps": 1e-300})
    first_rate = 1.0 / 2.5
    assert float(1.0 / states[0].sqrt()) == pytest.approx(0.01 * first_rate)


def test_rotated_problem_preconditioned_keeps_kappa_20():
    # H = [[4.2, -3.8], [-3.8, 4.2]]: its diagonal is 4.2 I, so
    # P^{-1/2} H P^{-1/2} = H / 4.2 with eigenvalues 0.4/4.2 = 2/21 and
    # 8/4.2 = 40/21: kappa 20, the same as H's.
    H = torch.tensor([[4.2, -3.8], [-3.8, 4.2]], dtype=torch.float64)
    r = H.diagonal().rsqrt()
    Qt = r[:, None] * H * r[None, :]
    eig = torch.linalg.eigvalsh(Qt)
    assert torch.allclose(eig, torch.tensor([2 / 21, 40 / 21],
                                            dtype=torch.float64), atol=1e-14)
    assert math.isclose(float(eig[1] / eig[0]), 20.0, rel_tol=1e-12)
    assert math.isclose(float(Qt[0, 1]), -19 / 21, rel_tol=1e-14)
