"""The mathematical facts stated in chapters/rmsprop.ipynb."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import d2lmini as d2l


@pytest.mark.parametrize("gamma", [0.0, 0.5, 0.9, 0.99])
def test_unrolled_average_and_sum_of_weights(gamma):
    gen = torch.Generator().manual_seed(0)
    grads = torch.randn(25, 3, generator=gen, dtype=torch.float64)
    s = torch.zeros(3, dtype=torch.float64)
    for g in grads:
        s = gamma * s + (1 - gamma) * g ** 2
    t = len(grads)
    unrolled = sum((1 - gamma) * gamma ** tau * grads[t - 1 - tau] ** 2
                   for tau in range(t))
    assert torch.allclose(s, unrolled)
    weights = sum((1 - gamma) * gamma ** tau for tau in range(t))
    assert weights == pytest.approx(1 - gamma ** t)


@pytest.mark.parametrize("gamma", [0.7, 0.8, 0.9, 0.95, 0.999])
def test_half_life(gamma):
    half = math.log(2) / math.log(1 / gamma)
    assert gamma ** half == pytest.approx(0.5)
    # the sources' 1/gamma is not the half-life
    assert gamma ** (1 / gamma) > 0.55
    # 1 / (1 - gamma) steps leave about 1/e (exactly in the limit)
    assert gamma ** (1 / (1 - gamma)) <= math.exp(-1)


def test_half_life_is_about_069_over_one_minus_gamma():
    gamma = 0.999
    half = math.log(2) / math.log(1 / gamma)
    assert half == pytest.approx(math.log(2) / (1 - gamma), rel=1e-3)


def test_step_bound_first_step_and_constant_gradient_limit():
    gen = torch.Generator().manual_seed(1)
    gamma, lr = 0.9, 0.1
    x = torch.zeros(20, dtype=torch.float64)
    states = d2l.init_rmsprop_states([x])
    for t in range(60):
        x.grad = torch.randn(20, generator=gen, dtype=torch.float64) * 7
        before = x.clone()
        d2l.rmsprop([x], states, {"lr": lr, "gamma": gamma, "eps": 1e-300})
        step = (x - before).abs()
        bound = lr / math.sqrt(1 - gamma)
        assert float(step.max()) <= bound * (1 + 1e-12)
        if t == 0:
            assert torch.allclose(step, torch.full_like(step, bound))
    y = torch.zeros(1, dtype=torch.float64)
    states = d2l.init_rmsprop_states([y])
    for _ in range(400):
        before = y.clone()
        y.grad = torch.full((1,), 3.0, dtype=torch.float64)
        d2l.rmsprop([y], states, {"lr": lr, "gamma": gamma, "eps": 1e-300})
    assert float(before - y) == pytest.approx(lr)


def test_gamma_zero_is_sign_descent():
    x = torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64)
    x.grad = torch.tensor([0.3, -5.0, 1e-3], dtype=torch.float64)
    d2l.rmsprop([x], d2l.init_rmsprop_states([x]),
                {"lr": 0.5, "gamma": 0.0, "eps": 1e-300})
    assert torch.allclose(x, torch.tensor([0.5, -1.5, 2.5],
                                          dtype=torch.float64))


@pytest.mark.parametrize("lam", [0.2, 4.0, 50.0])
@pytest.mark.parametrize("gamma", [0.0, 0.9, 0.99])
def test_two_cycle_of_size_eta(lam, gamma):
    """Proposition prop-rmsprop-cycle: +-eta/2 with s = (lam eta / 2)^2."""
    eta = 0.3
    x = torch.tensor([eta / 2], dtype=torch.float64)
    s = torch.tensor([(lam * eta / 2) ** 2], dtype=torch.float64)
    for t in range(6):
        x.grad = lam * x
        d2l.rmsprop([x], (s,), {"lr": eta, "gamma": gamma, "eps": 1e-300})
        assert float(x) == pytest.approx((-1) ** (t + 1) * eta / 2)
        assert float(s) == pytest.approx((lam * eta / 2) ** 2)


def test_the_chapters_run_ends_in_the_cycle():
    trace = d2l.train_2d(d2l.trainer_2d(
        d2l.rmsprop, d2l.init_rmsprop_states,
        lambda x1, x2: (0.2 * x1, 4 * x2), lr=0.4, gamma=0.9), steps=400)
    last = np.abs(trace.points[-10:])
    assert np.allclose(last, 0.2, atol=1e-3)


def test_warmup_steps():
    t = math.log(0.01) / math.log(0.99)
    assert 1 - 0.99 ** t == pytest.approx(0.99)
    assert 1 - 0.99 ** 458 < 0.99 <= 1 - 0.99 ** 459


def test_centred_and_momentum_variants_match_torch():
    gen = torch.Generator().manual_seed(2)
    A = torch.randn(3, 3, generator=gen, dtype=torch.float64)
    Q = A @ A.T + 0.1 * torch.eye(3, dtype=torch.float64)
    x0 = torch.randn(3, generator=gen, dtype=torch.float64)
    lr, gamma, eps, beta = 0.01, 0.9, 1e-6, 0.7
    for centered in (False, True):
        x, s, m, v = x0.clone(), *(torch.zeros(3, dtype=torch.float64)
                                   for _ in range(3))
        y = x0.clone().requires_grad_()
        opt = torch.optim.RMSprop([y], lr=lr, alpha=gamma, eps=eps,
                                  momentum=beta, centered=centered)
        for _ in range(20):
            g = Q @ x
            s = gamma * s + (1 - gamma) * g ** 2
            m = gamma * m + (1 - gamma) * g
            scale = torch.sqrt(s - m ** 2 if centered else s) + eps
            v = beta * v + g / scale
            x = x - lr * v
            opt.zero_grad()
            (0.5 * y @ Q @ y).backward()
            opt.step()
            # torch.optim.RMSprop fuses (addcmul_, addcdiv_) and orders its
            # ~12 operations per step otherwise, and autograd forms Q y:
            # a few u per update, carried over the run. This CPU uses
            # <= 4.1e-5 of rtol 1e-10 (tests/ulp_margin.py), so it holds
            # for ~1e4 times its rounding; a centred s - m^2 forgotten or
            # eps inside the sqrt moves x by >= 1e-6.
            assert torch.allclose(x, y.detach(), rtol=1e-10, atol=1e-12)


def _rmsprop_1d(gamma, x0=-2.0, lam=4.0, eta=0.4, steps=3000):
    x = torch.tensor([x0], dtype=torch.float64)
    states = d2l.init_rmsprop_states([x])
    path = []
    for _ in range(steps):
        x.grad = lam * x
        d2l.rmsprop([x], states, {"lr": eta, "gamma": gamma, "eps": 1e-12})
        path.append(float(x))
    return path


@pytest.mark.parametrize("gamma", [0.3, 0.5, 0.9, 0.99])
def test_runs_are_drawn_into_the_eta_half_cycle_for_gamma_positive(gamma):
    # eps = 1e-12 against s = 0.64 moves the cycle by about 1e-12 relative;
    # gamma = 0.99 approaches slowest (5e-7 off after 3000 steps, 1e-14
    # after 6000), so 6000 steps and 1e-9.
    a, b = _rmsprop_1d(gamma, steps=6000)[-2:]
    assert abs(abs(a) - 0.2) < 1e-9 and abs(abs(b) - 0.2) < 1e-9
    assert a * b < 0


def test_gamma_zero_has_other_cycles_of_size_eta():
    # gamma = 0 is sign descent: x -> x - eta sign(x); from -2 it ends in
    # {a, a - eta} with a fixed by the start, here not +-eta/2.
    a, b = _rmsprop_1d(0.0)[-2:]
    assert math.isclose(abs(a - b), 0.4, rel_tol=1e-9)
    assert abs(abs(a) - 0.2) > 0.01
    for start in (-2.0, -1.93, 0.77):
        p, q = _rmsprop_1d(0.0, x0=start, steps=50)[-2:]
        assert math.isclose(abs(p - q), 0.4, rel_tol=1e-9)


@pytest.mark.parametrize("gamma", [0.9, 0.99])
def test_the_step_bound_is_reached_again_after_a_quiet_spell(gamma):
    x = torch.zeros(1, dtype=torch.float64)
    states = d2l.init_rmsprop_states([x])
    for g in [0.01] * 100 + [10.0]:
        before = float(x)
        x.grad = torch.tensor([g], dtype=torch.float64)
        d2l.rmsprop([x], states, {"lr": 1.0, "gamma": gamma})
    # s = gamma (1 - gamma^100) 1e-4 + (1 - gamma) 100: the quiet part adds
    # at most 1e-4 to 100 (1 - gamma), a relative 1e-4 / (100 * 0.01)
    bound = 1 / math.sqrt(1 - gamma)
    assert before - float(x) <= bound
    assert math.isclose(before - float(x), bound, rel_tol=1e-4)
