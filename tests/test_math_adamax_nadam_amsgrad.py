"""Facts of mathematics used in chapters/adamax-nadam-amsgrad.ipynb."""

from __future__ import annotations

import math

import pytest
import torch

import d2lmini as d2l


def lp_moment(grads, beta2, p):
    s = 0.0
    for g in grads:
        s = beta2 ** p * s + (1 - beta2 ** p) * abs(g) ** p
    return s ** (1 / p)


def test_lp_moment_tends_to_the_decaying_maximum():
    gen = torch.Generator().manual_seed(0)
    grads = torch.randn(25, generator=gen, dtype=torch.float64).tolist()
    beta2, u = 0.99, 0.0
    for g in grads:
        u = max(beta2 * u, abs(g))
    assert u == pytest.approx(max(beta2 ** (25 - i) * abs(g)
                                  for i, g in enumerate(grads, 1)))
    errors = [abs(lp_moment(grads, beta2, p) - u) for p in (2, 8, 64, 256)]
    assert errors == sorted(errors, reverse=True)
    assert errors[-1] < 0.02 * u


def test_u_needs_no_bias_correction():
    x = torch.zeros(1, dtype=torch.float64)
    states = d2l.init_adamax_states([x])
    for _ in range(5):
        x.grad = torch.full((1,), 2.0, dtype=torch.float64)
        d2l.adamax([x], states, {"lr": 0.01})
        assert float(states[0][1]) == 2.0  # u_t = |g| from the first step


def adamax_ratio(grads, beta1, beta2):
    v = torch.zeros(grads.shape[0], dtype=torch.float64)
    u = torch.zeros_like(v)
    for g in grads.T:
        v = beta1 * v + (1 - beta1) * g
        u = torch.maximum(beta2 * u, g.abs())
    return v.abs() / ((1 - beta1 ** grads.shape[1]) * u)


@pytest.mark.parametrize(("beta1", "beta2"),
                         [(0.9, 0.999), (0.9, 0.99), (0.5, 0.8)])
def test_adamax_step_bound(beta1, beta2):
    t = 80
    bound = (1 - beta1) / (1 - beta1 ** t) * sum(
        (beta1 / beta2) ** k for k in range(t))
    i = torch.arange(1, t + 1, dtype=torch.float64)
    extremal = (-(beta2 ** -(t - i)))[None]
    assert float(adamax_ratio(extremal, beta1, beta2)) == pytest.approx(
        bound, rel=1e-10)
    gen = torch.Generator().manual_seed(1)
    random = torch.cat([
        torch.randn(2000, t, generator=gen, dtype=torch.float64),
        torch.randn(2000, t, generator=gen, dtype=torch.float64)
        * torch.exp(torch.linspace(-5, 0, t, dtype=torch.float64))])
    assert float(adamax_ratio(random, beta1, beta2).max()) <= bound * (
        1 + 1e-12)
    limit = (1 - beta1) / (1 - beta1 / beta2)
    assert bound <= limit * (1 + 1e-12)
    if (beta1, beta2) == (0.9, 0.999):
        assert limit == pytest.approx(1.00909, abs=1e-5)


def test_nadam_is_adam_with_the_new_velocity():
    gen = torch.Generator().manual_seed(2)
    beta1, beta2, lr, eps = 0.9, 0.999, 0.1, 1e-8
    x = torch.zeros(3, dtype=torch.float64)
    states = d2l.init_nadam_states([x])
    v = torch.zeros(3, dtype=torch.float64)
    s = torch.zeros(3, dtype=torch.float64)
    for t in range(1, 20):
        g = torch.randn(3, generator=gen, dtype=torch.float64)
        before = x.clone()
        x.grad = g
        d2l.nadam([x], states, {"lr": lr})
        v = beta1 * v + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g ** 2
        look = (beta1 * v + (1 - beta1) * g) / (1 - beta1 ** t)
        expected = before - lr * look / (
            torch.sqrt(s / (1 - beta2 ** t)) + eps)
        # One update from the same x, ~12 operations each side, v and s
        # contracting averages: a few u of a step <= lr. One random ulp per
        # update uses <= 1.6e-3 of rtol 1e-12 (nudge, tests/ulp_margin.py);
        # Adam's v in place of the look-ahead is off by ~1e-2 of a step.
        assert torch.allclose(x, expected, rtol=1e-12, atol=1e-14)


def test_pytorch_nadam_momentum_schedule():
    def mu(t):
        return 0.9 * (1 - 0.5 * 0.96 ** (t * 0.004))

    assert mu(1) == pytest.approx(0.45, abs=1e-3)
    assert all(mu(t) < mu(t + 1) for t in range(1, 2000, 97))
    assert mu(10 ** 6) == pytest.approx(0.9)
    first = math.floor(math.log(2 / 9) / (0.004 * math.log(0.96))) + 1
    assert mu(first) > 0.8 >= mu(first - 1)


def reddi(optimizer, init, steps=3000, C=3.0):
    x = torch.ones(1, dtype=torch.float64)
    states = init([x])
    total = 0.0
    for t in range(1, steps + 1):
        g = C if t % 3 == 1 else -1.0
        total += g * float(x) + g
        x.grad = torch.tensor([g], dtype=torch.float64)
        optimizer([x], states, {"lr": 0.5 / math.sqrt(t), "beta1": 0.0,
                                "beta2": 1 / (1 + C ** 2), "eps": 1e-8})
        with torch.no_grad():
            x.clamp_(-1.0, 1.0)
    return float(x), total / steps


def test_reddi_counterexample():
    x_adam, regret_adam = reddi(d2l.adam, d2l.init_adam_states)
    x_ams, regret_ams = reddi(d2l.amsgrad, d2l.init_amsgrad_states)
    x_yogi, regret_yogi = reddi(d2l.yogi, d2l.init_adam_states)
    assert x_adam > 0.99
    assert regret_adam == pytest.approx(2 * (3 - 2) / 3, abs=0.01)
    assert x_ams < -0.98 and x_yogi < -0.98
    assert regret_ams < 0.1 and regret_yogi < 0.1


def test_amsgrad_effective_rate_never_increases():
    gen = torch.Generator().manual_seed(3)
    x = torch.zeros(4, dtype=torch.float64)
    states = d2l.init_amsgrad_states([x])
    last = torch.full((4,), math.inf, dtype=torch.float64)
    for t in range(1, 200):
        x.grad = torch.randn(4, generator=gen, dtype=torch.float64) * (
            10.0 if t % 17 == 0 else 1.0)
        d2l.amsgrad([x], states, {"lr": 0.01})
        rate = 1 / math.sqrt(t) / (states[0][2].sqrt() + 1e-8)
        assert bool((rate <= last).all())
        last = rate


@pytest.mark.parametrize(("beta1", "beta2"), [(0.9, 0.5), (0.9, 0.9)])
def test_adamax_finite_t_bound_needs_no_beta1_below_beta2(beta1, beta2):
    """thm-adamax-bound: the finite-t inequality, tight, for beta1 >= beta2
    too; then the bound grows without limit."""
    bounds = []
    for t in (10, 40):
        bound = (1 - beta1) / (1 - beta1 ** t) * sum(
            (beta1 / beta2) ** k for k in range(t))
        i = torch.arange(1, t + 1, dtype=torch.float64)
        extremal = (beta2 ** -(t - i))[None]
        assert float(adamax_ratio(extremal, beta1, beta2)) == pytest.approx(
            bound, rel=1e-10)
        gen = torch.Generator().manual_seed(t)
        random = torch.randn(500, t, generator=gen, dtype=torch.float64)
        assert float(adamax_ratio(random, beta1, beta2).max()) <= bound * (
            1 + 1e-12)
        bounds.append(bound)
    assert bounds[1] > bounds[0] + 1


def test_nadam_scheduled_form():
    """eq-nadam-scheduled is d2l.nadam with momentum_decay, and
    1 - Pi_t beta1_(t+1) = 1 - Pi_(t+1)."""
    gen = torch.Generator().manual_seed(5)
    beta1, beta2, lr, eps, psi = 0.9, 0.999, 0.1, 1e-8, 0.004

    def beta1_at(t):
        return beta1 * (1 - 0.5 * 0.96 ** (t * psi))

    x = torch.zeros(3, dtype=torch.float64)
    states = d2l.init_nadam_states([x])
    v = torch.zeros(3, dtype=torch.float64)
    s = torch.zeros(3, dtype=torch.float64)
    prod = 1.0
    for t in range(1, 30):
        g = torch.randn(3, generator=gen, dtype=torch.float64)
        before = x.clone()
        x.grad = g
        d2l.nadam([x], states, {"lr": lr, "momentum_decay": psi})
        v = beta1 * v + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g ** 2
        prod *= beta1_at(t)
        prod_next = prod * beta1_at(t + 1)
        step = (beta1_at(t + 1) * v / (1 - prod_next)
                + (1 - beta1_at(t)) * g / (1 - prod))
        expected = before - lr * step / (torch.sqrt(s / (1 - beta2 ** t))
                                         + eps)
        # As above, plus 0.96 ** (t psi) (pow, an ulp apart on another
        # CPU) in a product of 30 factors: ~30 u. One random ulp per update
        # uses <= 2.2e-3 of rtol 1e-12; mu_t for mu_{t+1} is off by 1e-4.
        assert torch.allclose(x, expected, rtol=1e-12, atol=1e-14)


def synthetic(beta1, beta2, amsgrad=False, steps=100_000, lr=0.1):
    v = s = s_max = x = 0.0
    for t in range(1, steps + 1):
        g = 1010.0 if t % 101 == 1 else -10.0
        v = beta1 * v + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g * g
        s_max = max(s_max, s)
        s_hat = (s_max if amsgrad else s) / (1 - beta2 ** t)
        x -= lr / math.sqrt(t) * v / (1 - beta1 ** t) / (math.sqrt(s_hat)
                                                         + 1e-8)
        x = min(1.0, max(-1.0, x))
    return x


def net_step(beta1, beta2, periods=600):
    v = s = total = 0.0
    for t in range(1, 101 * periods + 1):
        g = 1010.0 if t % 101 == 1 else -10.0
        v = beta1 * v + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g * g
        if t > 101 * (periods - 1):
            total -= v / (1 - beta1 ** t) / math.sqrt(s / (1 - beta2 ** t))
    return total


def test_reddi_synthetic_problem_at_beta2_099():
    """Adam drifts to the worst point +1 at beta1 = 0.9, beta2 = 0.99,
    AMSGrad does not; the drift's direction is the sign of the settled net
    step per period, which turns as beta2 -> 1."""
    assert synthetic(0.9, 0.99) > 0.9
    assert synthetic(0.9, 0.99, amsgrad=True) < -0.2
    assert net_step(0.9, 0.99) > 1
    assert 0 < net_step(0.9, 0.999) < net_step(0.9, 0.99) / 10
    assert net_step(0.9, 0.9999) < 0
