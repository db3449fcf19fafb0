"""Facts of mathematics that chapters/after-adam.ipynb states."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import d2lmini as d2l
from d2lmini import optim

U64 = 2.0**-53


def quintic(s, coefficients=optim.NS_COEFFICIENTS):
    a, b, c = coefficients
    return a * s + b * s**3 + c * s**5


def test_factored_second_moment_is_exact_for_rank_one():
    """V = a b^T with a, b >= 0: row sums times column sums over the total
    give V back."""
    rng = np.random.default_rng(0)
    a, b = rng.random(9), rng.random(5)
    V = np.outer(a, b)
    V_hat = np.outer(V.sum(1), V.sum(0)) / V.sum()
    # Sums of n positive terms are within (n - 1) U64 relative in any
    # order (numpy's order depends on the SIMD width): rows 4, columns 8,
    # the total 44; then a product and a quotient, and V = a b^T itself
    # rounds each entry: <= 4 + 8 + 44 + 2 + 2 = 60 U64. Rank 2 is off by
    # > 1e-3 (below).
    np.testing.assert_allclose(V_hat, V, rtol=60 * U64, atol=0)
    # ... and not for rank 2
    W = V + np.outer(rng.random(9), rng.random(5))
    W_hat = np.outer(W.sum(1), W.sum(0)) / W.sum()
    assert np.abs(W_hat - W).max() > 1e-3
    # it keeps the row and column sums, whatever the rank
    np.testing.assert_allclose(W_hat.sum(1), W.sum(1), rtol=1e-13)
    np.testing.assert_allclose(W_hat.sum(0), W.sum(0), rtol=1e-13)


def test_adafactor_on_a_column_is_unfactored():
    """A d x 1 weight (the airfoil model's): the factored estimate equals
    the full second moment at every step."""
    w = torch.zeros(5, 1, dtype=torch.float64, requires_grad=True)
    v = torch.zeros(5, dtype=torch.float64, requires_grad=True)
    sw, sv = d2l.init_adafactor_states([w]), d2l.init_adafactor_states([v])
    for k in range(8):
        g = torch.randn(5, dtype=torch.float64,
                        generator=torch.Generator().manual_seed(k))
        w.grad, v.grad = g.reshape(5, 1), g.clone()
        d2l.adafactor([w], sw, {})
        d2l.adafactor([v], sv, {})
    # r (5 x 1) equals the vector's second moment; the means agree
    torch.testing.assert_close(sw[0][0].reshape(5), sv[0][0],
                               rtol=100 * U64, atol=0)
    torch.testing.assert_close(w.detach().reshape(5), v.detach(),
                               rtol=1e-12, atol=1e-15)


def test_adafactor_memory_is_m_plus_n():
    m, n = 100, 64
    p = torch.zeros(m, n)
    r, c, _ = d2l.init_adafactor_states([p])[0]
    adam_floats = sum(s.numel() for s in d2l.init_adam_states([p])[0][:2])
    assert r.numel() + c.numel() == m + n
    assert adam_floats == 2 * m * n


def test_cubic_newton_schulz_has_fixed_point_one_and_flat_slope():
    cubic = (1.5, -0.5, 0.0)
    assert quintic(1.0, cubic) == 1.0
    a, b, c = cubic
    assert a + 3 * b + 5 * c == 0.0  # p'(1) = 0: quadratic convergence
    s = np.linspace(0.05, 1.0, 50)
    for _ in range(12):
        s = quintic(s, cubic)
    # from 0.05 the slope 1.5 needs log(20)/log(1.5) ~ 7.4 steps to reach
    # 1/2, then the quadratic convergence takes a few more
    assert np.abs(s - 1).max() < 1e-6


def test_quintic_grows_small_values_fast_and_lands_near_one():
    a, b, c = optim.NS_COEFFICIENTS
    assert a > 3  # slope at 0: a tiny singular value is multiplied by a
    # it has no fixed point at 1: p(1) = a + b + c
    assert abs(quintic(1.0) - (a + b + c)) < 1e-15 and a + b + c < 0.71
    s = np.linspace(1e-3, 1.0, 2000)
    for _ in range(5):
        s = quintic(s)
    big = s[np.linspace(1e-3, 1.0, 2000) >= 0.05]
    assert big.min() > 0.6 and big.max() < 1.25


def test_newton_schulz_keeps_singular_vectors():
    G = torch.randn(6, 9, dtype=torch.float64,
                    generator=torch.Generator().manual_seed(2))
    U, S, Vh = torch.linalg.svd(G, full_matrices=False)
    s = S / torch.linalg.matrix_norm(G)
    for _ in range(5):
        s = quintic(s)
    # 5 iterations of 6 x 9 products (reductions, CPU-ordered) against an
    # SVD (LAPACK, CPU-dependent to ~10 u of the largest value): ~100 u on
    # entries ~0.3; this CPU uses 7.5e-4 of 1e-12. A wrong coefficient of
    # the quintic (3.4445, -4.7750, 2.0315) by 1e-6 fails it.
    torch.testing.assert_close(d2l.newton_schulz(G),
                               U @ torch.diag(s) @ Vh, rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("beta1", [0.0, 0.9])
def test_lion_moves_every_coordinate_by_lr(beta1):
    lr = 0.01
    x = torch.randn(50, dtype=torch.float64, requires_grad=True)
    states = d2l.init_lion_states([x])
    for k in range(5):
        before = x.detach().clone()
        x.grad = torch.randn(50, dtype=torch.float64) * 10.0 ** (k - 2)
        d2l.lion([x], states, {"lr": lr, "beta1": beta1})
        step = (x.detach() - before).abs()
        # |x - lr * (+-1)| rounds once: error <= U64 * |x| (|x| < 10)
        np.testing.assert_allclose(step, lr, atol=U64 * 10)


def test_lion_with_beta1_zero_is_sign_sgd():
    x = torch.randn(7, dtype=torch.float64, requires_grad=True)
    y = x.detach().clone()
    states = d2l.init_lion_states([x])
    for _ in range(4):
        g = torch.randn(7, dtype=torch.float64)
        x.grad = g
        d2l.lion([x], states, {"lr": 0.1, "beta1": 0.0})
        y = y - 0.1 * torch.sign(g)
    assert torch.equal(x.detach(), y)


def test_muon_on_a_row_is_normalized_momentum():
    """A 1 x n matrix has one singular value, ||B||: Newton-Schulz makes
    it p^5(1), so the step is lr p^5(1) B / ||B||."""
    n, lr, beta = 8, 0.1, 0.95
    x = torch.randn(1, n, dtype=torch.float64, requires_grad=True)
    states = d2l.init_muon_states([x])
    B = torch.zeros(1, n, dtype=torch.float64)
    p5 = 1.0
    for _ in range(5):
        p5 = quintic(p5)
    for _ in range(6):
        before = x.detach().clone()
        g = torch.randn(1, n, dtype=torch.float64)
        x.grad = g
        d2l.muon([x], states, {"lr": lr, "momentum": beta,
                               "weight_decay": 0.0, "nesterov": False})
        B = beta * B + (1 - beta) * g
        # One update from the same x; a norm of n terms (CPU-ordered) and
        # 5 Newton-Schulz steps on a 1 x n row: <= ~50 u of the step.
        # This CPU uses <= 1.1e-2 of rtol 1e-12, one random ulp per update
        # 2.2e-2 (tests/ulp_margin.py); B for the Nesterov form, or a
        # missing p5, is off by >= 1e-2.
        torch.testing.assert_close(before - x.detach(),
                                   lr * p5 * B / B.norm(), rtol=1e-12,
                                   atol=1e-14)


def test_shampoo_without_accumulation_is_muons_orthogonalization():
    """L = G G^T, R = G^T G: L^(-1/4) G R^(-1/4) = U V^T."""
    G = torch.randn(5, 8, dtype=torch.float64,
                    generator=torch.Generator().manual_seed(4))
    U, S, Vh = torch.linalg.svd(G, full_matrices=False)
    eps = 1e-12
    Lr = optim._inverse_root(G @ G.T, 4, eps)
    # G^T G (8 x 8) has rank 5: its three (numerically ~1e-15) zero
    # eigenvalues become eps, root 1e3, and meet the part of G in their
    # eigenvectors, ~1e-15 ||G|| (||G|| < 10): 1e-11. The other roots
    # carry relative errors ~ 8 U64 * ||G||^2 / S_min^2 (S_min > 0.1):
    # ~1e-12. We allow 1e-9.
    Rr = optim._inverse_root(G.T @ G, 4, eps)
    assert float(torch.linalg.matrix_norm(G)) < 10 and float(S.min()) > 0.1
    torch.testing.assert_close(Lr @ G @ Rr, U @ Vh, rtol=1e-9, atol=1e-9)


def test_shampoo_on_a_column_is_a_quarter_root_of_full_matrix_adagrad():
    """A d x 1 weight: R = sum ||g||^2 = tr L, so the step is
    lr L^(-1/4) g / (tr L)^(1/4) (chapters/after-adam, airfoil)."""
    d, lr, eps = 5, 0.1, 1e-12
    w = torch.zeros(d, 1, dtype=torch.float64, requires_grad=True)
    states = d2l.init_shampoo_states([w])
    x = torch.zeros(d, dtype=torch.float64)
    L = torch.zeros(d, d, dtype=torch.float64)
    gen = torch.Generator().manual_seed(0)
    mix = torch.randn(d, d, dtype=torch.float64, generator=gen)
    for _ in range(6):
        g = mix @ torch.randn(d, dtype=torch.float64, generator=gen)
        w.grad = g.reshape(d, 1)
        d2l.shampoo([w], states, {"lr": lr, "eps": eps})
        L = L + torch.outer(g, g)
        vals, vecs = torch.linalg.eigh(L)
        root = vecs @ torch.diag(vals.clamp(min=eps) ** -0.25) @ vecs.T
        x = x - lr * root @ g / float(L.trace()) ** 0.25
    L_state, R_state = states[0]
    # L is built the same way on both sides (each entry of G G^T is one
    # product, added in the same order): equal to the last bit, so both
    # sides take the same eigendecomposition.
    assert torch.equal(L_state, L)
    # R sums the squares that sit on the diagonal of L, in another order:
    # <= d roundings of U64 relative.
    torch.testing.assert_close(R_state.reshape(()), L.trace(),
                               rtol=d * U64, atol=0)
    # The steps then differ by the order of a few products and by R's
    # rounding to the power -1/4: <= 10 roundings per step, 6 steps of
    # size <= 1: 60 U64 ~ 7e-15; 1e-12 leaves a margin of 100.
    torch.testing.assert_close(w.detach().reshape(d), x, rtol=1e-12,
                               atol=1e-12)


def test_adafactor_rates_from_one_on_give_the_same_run():
    """alpha_t uses min(lr, 1/sqrt(t)), and 1/sqrt(t) <= 1 for t >= 1: any
    lr >= 1 is the same optimizer (the airfoil experiment's grid end)."""
    ws = []
    for lr in (1.0, 3.0, 100.0):
        w = torch.full((5, 1), 0.5, dtype=torch.float64, requires_grad=True)
        states = d2l.init_adafactor_states([w])
        for k in range(10):
            w.grad = torch.randn(5, 1, dtype=torch.float64,
                                 generator=torch.Generator().manual_seed(k))
            d2l.adafactor([w], states, {"lr": lr})
        ws.append(w.detach().clone())
    assert torch.equal(ws[0], ws[1]) and torch.equal(ws[0], ws[2])
    # and a smaller rate is a different run
    w = torch.full((5, 1), 0.5, dtype=torch.float64, requires_grad=True)
    states = d2l.init_adafactor_states([w])
    for k in range(10):
        w.grad = torch.randn(5, 1, dtype=torch.float64,
                             generator=torch.Generator().manual_seed(k))
        d2l.adafactor([w], states, {"lr": 0.5})
    assert not torch.equal(w.detach(), ws[0])
