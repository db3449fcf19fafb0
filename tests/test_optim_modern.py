"""Adafactor, Lion, Muon and Shampoo of d2lmini.optim against references.

* Adafactor and Muon against ``torch.optim.Adafactor`` and
  ``torch.optim.Muon`` (PyTorch 2.13), step by step;
* Lion against an independent NumPy transcription of the paper's
  pseudo-code (Chen et al., 2023, Algorithm 2), since torch has no Lion;
* Shampoo against the same formulas written with an SVD instead of an
  eigendecomposition;
* RAdam against ``torch.optim.RAdam`` in float32, the precision of the
  chapters (tests/test_schedules.py compares them in float64).

Every tolerance is derived next to the comparison that uses it.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.optim._muon as torch_muon

import d2lmini as d2l
from d2lmini import optim

U64 = 2.0**-53  # unit roundoff of float64
U32 = 2.0**-24  # unit roundoff of float32
BF16 = 2.0**-8  # unit roundoff of bfloat16 (8 significant bits)


def _params(dtype=torch.float64, seed=0):
    """A matrix, a tall matrix, a 3-D tensor (Adafactor factors its last
    two dimensions), a vector and a 1 x n row."""
    gen = torch.Generator().manual_seed(seed)
    shapes = [(5, 7), (9, 3), (2, 3, 4), (6,), (1, 8)]
    return [torch.randn(s, generator=gen, dtype=dtype).requires_grad_()
            for s in shapes]


def _grads(params, step, seed=1):
    """Gradients of a fixed quadratic-plus-noise loss at the current
    parameters, the same for both sides of a comparison."""
    gen = torch.Generator().manual_seed(seed * 1000 + step)
    return [p.detach() * 0.5 + torch.randn(p.shape, generator=gen,
                                           dtype=p.dtype)
            for p in params]


def _run_ours(update, init, hp, params, steps, only=None):
    ps = [p.detach().clone().requires_grad_() for p in params]
    states = init(ps)
    for k in range(steps):
        for p, g in zip(ps, _grads(ps, k)):
            p.grad = g
        update(ps, states, hp)
    return ps


def _run_torch(cls, kwargs, params, steps):
    ps = [p.detach().clone().requires_grad_() for p in params]
    opt = cls(ps, **kwargs)
    for k in range(steps):
        for p, g in zip(ps, _grads(ps, k)):
            p.grad = g
        opt.step()
    return ps


# ---------------------------------------------------------------------------
# Adafactor
# ---------------------------------------------------------------------------

ADAFACTOR_CASES = [
    {},
    {"lr": 0.05, "weight_decay": 0.1},
    {"lr": 0.3, "d": 2.0, "beta2_decay": -0.5, "eps2": 1e-2},
]


@pytest.mark.parametrize("hp", ADAFACTOR_CASES)
def test_adafactor_equals_torch_in_float64(hp):
    full = optim.check_hyperparams("adafactor", hp)
    kwargs = {"lr": full["lr"], "beta2_decay": full["beta2_decay"],
              "eps": (full["eps1"], full["eps2"]), "d": full["d"],
              "weight_decay": full["weight_decay"]}
    steps = 12
    params = _params()
    ours = _run_ours(d2l.adafactor, d2l.init_adafactor_states, hp, params,
                     steps)
    ref = _run_torch(torch.optim.Adafactor, kwargs, params, steps)
    # The two sides do the same float64 arithmetic in another order (lerp
    # against r + w (x - r), rsqrt against 1/sqrt, the norms): at most
    # ~30 roundings per entry and step, each <= U64 relative, 12 steps:
    # 30 * 12 * U64 ~ 4e-14. Later steps feed on earlier parameters and
    # divide by square roots of second moments; we allow that feedback to
    # grow the error by 100x: rtol = 30 * 12 * U64 * 100 ~ 4e-12.
    rtol = 30 * steps * U64 * 100
    for a, b in zip(ours, ref):
        torch.testing.assert_close(a, b, rtol=rtol, atol=rtol)
    # and the run moved the parameters well beyond that tolerance
    assert max(float((a - p).detach().abs().max())
               for a, p in zip(ours, params)
               ) > 1e3 * rtol


def test_adafactor_default_eps_is_torchs_for_float32():
    params = _params(torch.float32)
    ours = _run_ours(d2l.adafactor, d2l.init_adafactor_states, {}, params,
                     5)
    ref = _run_torch(torch.optim.Adafactor, {}, params, 5)
    # float32: the two sides round ~30 times per step in another order,
    # 30 U32 relative of a step. The step is at most lr RMS(x) max|u| /
    # max(1, RMS(u)) <= lr RMS(x) sqrt(numel) <= 0.01 * 5 * max|x| here
    # (numel <= 24), so that error is < 2 U32 max|x|; p - step may round
    # to a neighbouring float on each side: 2 U32 |p|. Per step < 4 U32
    # (|p| + 1), and over the steps the bound adds up: 20 U32 ~ 1.2e-6
    # (the two agree to about 1 U32 in practice).
    tol = 4 * 5 * U32
    for a, b in zip(ours, ref):
        torch.testing.assert_close(a, b, rtol=tol, atol=tol)


def test_adafactor_state_is_row_and_column_means():
    p = torch.zeros(4, 6, requires_grad=True)
    (r, c, t), = d2l.init_adafactor_states([p])
    assert r.shape == (4, 1) and c.shape == (1, 6) and float(t) == 0
    p.grad = torch.arange(24.0).reshape(4, 6)
    d2l.adafactor([p], [(r, c, t)], {})
    # at t = 1, 1 - beta2_1 = 1 ** -0.8 = 1: the means of G^2 themselves
    torch.testing.assert_close(r, (p.grad**2).mean(1, keepdim=True))
    torch.testing.assert_close(c, (p.grad**2).mean(0, keepdim=True))
    (v, none, _), = d2l.init_adafactor_states([torch.zeros(3)])
    assert v.shape == (3,) and none is None


# ---------------------------------------------------------------------------
# Lion
# ---------------------------------------------------------------------------


def lion_reference(theta, grads, lr, beta1, beta2, wd):
    """The paper's Algorithm 2, line by line, in NumPy (float64)."""
    m = np.zeros_like(theta)
    path = [theta.copy()]
    for g in grads:
        update = beta1 * m + (1 - beta1) * g   # interpolation
        update = np.sign(update) + wd * theta  # sign, then decay
        theta = theta - lr * update
        m = beta2 * m + (1 - beta2) * g        # momentum after the step
        path.append(theta.copy())
    return np.array(path)


@pytest.mark.parametrize("hp", [
    {"lr": 0.01},
    {"lr": 0.003, "beta1": 0.95, "beta2": 0.98, "weight_decay": 1.0},
    {"lr": 0.1, "beta1": 0.0, "beta2": 0.5},
])
def test_lion_follows_the_papers_pseudocode(hp):
    full = optim.check_hyperparams("lion", hp)
    rng = np.random.default_rng(3)
    grads = rng.normal(size=(25, 7))
    theta0 = rng.normal(size=7)
    ref = lion_reference(theta0, grads, full["lr"], full["beta1"],
                         full["beta2"], full["weight_decay"])
    x = torch.tensor(theta0, requires_grad=True)
    states = d2l.init_lion_states([x])
    path = [theta0.copy()]
    for g in grads:
        x.grad = torch.tensor(g)
        d2l.lion([x], states, hp)
        path.append(x.detach().numpy().copy())
    # Same float64 operations in the same order, except that (1 - wd lr)
    # is not formed: per step a handful (<= 8) of roundings of size
    # U64 * |theta| (|theta| < 10 here), 25 steps: 8 * 25 * U64 * 10 ~
    # 4e-13 absolute. (A flipped sign would cost 2 lr >= 6e-3.)
    np.testing.assert_allclose(np.array(path), ref, rtol=0,
                               atol=8 * 25 * U64 * 10)


# ---------------------------------------------------------------------------
# Muon
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(4, 6), (10, 3), (32, 64), (100, 64)])
def test_newton_schulz_matches_torch_up_to_bfloat16(shape):
    G = torch.randn(shape, generator=torch.Generator().manual_seed(5))
    ours = d2l.newton_schulz(G)
    theirs = torch_muon._zeropower_via_newtonschulz(
        G, optim.NS_COEFFICIENTS, 5, 1e-7).float()
    # PyTorch stores every iterate in bfloat16. Each of the 5 steps rounds
    # three matrices (X X^T, the polynomial in it, and X), each by at most
    # BF16 relative in Frobenius norm; counting all 15 roundings in full,
    # without cancellation, the relative difference is <= 15 * BF16 ~ 0.06.
    rel = float((ours - theirs).norm() / ours.norm())
    assert rel <= 15 * BF16
    # The classical cubic is far from it: the comparison can fail.
    cubic = d2l.newton_schulz(G, 5, (1.5, -0.5, 0.0))
    assert float((cubic - theirs).norm() / theirs.norm()) > 15 * BF16


@pytest.mark.parametrize("hp", [
    {"lr": 0.02},
    {"lr": 0.05, "momentum": 0.9, "nesterov": False, "weight_decay": 0.0},
    {"lr": 0.01, "ns_steps": 3, "weight_decay": 0.3},
])
def test_muon_equals_torch_with_the_same_newton_schulz(hp, monkeypatch):
    """Everything but the bfloat16 rounding: torch's Muon step with our
    float64 Newton-Schulz in place of its bfloat16 one."""
    full = optim.check_hyperparams("muon", hp)

    def same_ns(grad, coefficients, steps, eps):
        return d2l.newton_schulz(grad, steps, coefficients, eps)

    monkeypatch.setattr(torch_muon, "_zeropower_via_newtonschulz", same_ns)
    params = [p for p in _params() if p.dim() == 2]
    kwargs = {k: full[k] for k in ("lr", "momentum", "nesterov",
                                   "weight_decay", "ns_steps")}
    steps = 10
    ours = _run_ours(d2l.muon, d2l.init_muon_states, hp, params, steps)
    ref = _run_torch(torch.optim.Muon, kwargs, params, steps)
    # Same float64 arithmetic except lerp against mu B + (1 - mu) G and
    # mul_(1 - lr wd) against p - lr wd p: a few roundings (<= 10) of
    # U64 per entry and step, 10 steps, entries of size <= 10: the
    # Newton-Schulz polynomial (slope <= 4 on [0, 1.2], five times:
    # 4**5 ~ 1e3) may amplify them: 10 * 10 * U64 * 10 * 1e3 ~ 1e-10.
    tol = 10 * steps * U64 * 10 * 1e3
    for a, b in zip(ours, ref):
        torch.testing.assert_close(a, b, rtol=tol, atol=tol)
    assert max(float((a - p).detach().abs().max())
               for a, p in zip(ours, params)
               ) > 1e3 * tol


def test_muon_leaves_vectors_to_adamw():
    b = torch.randn(6, dtype=torch.float64, requires_grad=True)
    b2 = b.detach().clone().requires_grad_()
    states, ref_states = d2l.init_muon_states([b]), d2l.init_adamw_states(
        [b2])
    for k in range(5):
        g = torch.randn(6, dtype=torch.float64,
                        generator=torch.Generator().manual_seed(k))
        b.grad, b2.grad = g, g.clone()
        d2l.muon([b], states, {"lr": 0.5, "adamw_lr": 0.01})
        d2l.adamw([b2], ref_states, {"lr": 0.01, "eps": 1e-8,
                                     "weight_decay": 0.1})
    # the same function on the same numbers: equal to the last bit
    assert torch.equal(b, b2)


def test_muon_refuses_bad_ns_steps():
    with pytest.raises(ValueError, match="ns_steps must be a whole number"):
        optim.check_hyperparams("muon", {"lr": 0.1, "ns_steps": 2.5})
    with pytest.raises(ValueError, match="G must be a 2-D float tensor"):
        d2l.newton_schulz(torch.ones(3))
    with pytest.raises(ValueError, match="steps must be a whole number"):
        d2l.newton_schulz(torch.ones(2, 2), -1)
    with pytest.raises(ValueError, match="coefficients must be three"):
        d2l.newton_schulz(torch.ones(2, 2), 1, (1.0, 2.0))
    with pytest.raises(ValueError, match="eps must be a number > 0"):
        d2l.newton_schulz(torch.ones(2, 2), 1, eps=0)


# ---------------------------------------------------------------------------
# Shampoo
# ---------------------------------------------------------------------------


def _root_by_svd(M, root):
    U, S, _ = torch.linalg.svd(M)  # M is symmetric positive definite
    return U @ torch.diag(S ** (-1 / root)) @ U.T


def test_shampoo_equals_its_formulas_written_with_an_svd():
    eps, lr = 1e-3, 0.1
    params = [_params()[0], _params()[3]]  # a 5 x 7 matrix and a vector
    ours = _run_ours(d2l.shampoo, d2l.init_shampoo_states,
                     {"lr": lr, "eps": eps}, params, 6)
    ps = [p.detach().clone() for p in params]
    L = torch.zeros(5, 5, dtype=torch.float64)
    R = torch.zeros(7, 7, dtype=torch.float64)
    H = torch.zeros(6, 6, dtype=torch.float64)
    for k in range(6):
        G, g = _grads(ps, k)
        L, R, H = L + G @ G.T, R + G.T @ G, H + torch.outer(g, g)
        ps[0] = ps[0] - lr * _root_by_svd(L + eps * torch.eye(5), 4) @ G \
            @ _root_by_svd(R + eps * torch.eye(7), 4)
        ps[1] = ps[1] - lr * _root_by_svd(H + eps * torch.eye(6), 2) @ g
    # Both decompositions are backward stable: eigenvalues accurate to
    # ~n U64 ||M||, so the smallest (>= eps = 1e-3, with ||M|| <= 1e3
    # here) to a relative 7 * U64 * 1e3 / 1e-3 ~ 8e-10; its inverse 4th
    # root to a quarter of that, times 6 steps: we allow 1e-8.
    for a, b in zip(ours, ps):
        torch.testing.assert_close(a, b, rtol=1e-8, atol=1e-8)


# ---------------------------------------------------------------------------
# RAdam in float32
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("hp", [
    {"lr": 0.05},
    {"lr": 0.05, "weight_decay": 0.1},
    {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True},
])
def test_radam_equals_torch_in_float32(hp):
    """The float64 parity test cannot see the precision of the scalars:
    torch computes rho_t, r_t and the bias corrections from the step as a
    Python float. With beta2 = 0.999, rho_t = rho_inf - 2 t beta2^t /
    (1 - beta2^t) is a difference of two numbers near 2000 that leaves
    about 6 at t = 6: taken from a float32 counter (the package's state)
    it loses about 0.02 of it, a 1% error in r_t, which this test sees."""
    full = optim.check_hyperparams("radam", hp)
    kwargs = {"lr": full["lr"], "betas": (full["beta1"], full["beta2"]),
              "eps": full["eps"], "weight_decay": full["weight_decay"],
              "decoupled_weight_decay": full["decoupled_weight_decay"]}
    steps = 20  # t = 6 to 20 take the rectified step
    params = _params(torch.float32)
    ours = _run_ours(d2l.radam, d2l.init_radam_states, hp, params, steps)
    ref = _run_torch(torch.optim.RAdam, kwargs, params, steps)
    # The two sides differ only in the order of the float32 products of
    # a step (v_hat * lr * (sqrt(bc2) / denom) * r against
    # lr * r * v_hat * sqrt(bc2) / denom): <= 5 roundings, 5 U32 of a
    # step whose size is <= 3 lr < 1 (v_hat / sqrt(s_hat) <= (1 - beta1)
    # / sqrt(1 - beta2) ~ 3), so < U32 absolute; the two subtractions
    # p - step may then round to neighbouring floats: <= 2 U32 |p|. The
    # gradient 0.5 p + noise does not amplify a difference of p, so over
    # the steps the bound adds up: 3 * steps * U32 (|p| + 1) ~ 3.6e-6.
    # The float32 rho_t error (above) moves p by 1e-5 or more here.
    tol = 3 * steps * U32
    for a, b in zip(ours, ref):
        torch.testing.assert_close(a, b, rtol=tol, atol=tol)
    assert max(float((a - p).detach().abs().max())
               for a, p in zip(ours, params)) > 1e3 * tol
