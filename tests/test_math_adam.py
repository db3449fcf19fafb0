"""Facts of mathematics used in chapters/adam.ipynb, checked numerically."""

from __future__ import annotations

import math

import pytest
import torch

import d2lmini as d2l


def step_bound(t, beta1, beta2):
    gamma = beta1 ** 2 / beta2
    return ((1 - beta1) / (1 - beta1 ** t)
            * math.sqrt((1 - beta2 ** t) / (1 - beta2))
            * math.sqrt(sum(gamma ** k for k in range(t))))


def adam_ratio(grads, beta1, beta2):
    """|v_hat_t| / sqrt(s_hat_t) for each row of grads (eps = 0)."""
    v = torch.zeros(grads.shape[0], dtype=torch.float64)
    s = torch.zeros_like(v)
    for g in grads.T:
        v = beta1 * v + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g ** 2
    t = grads.shape[1]
    return (v / (1 - beta1 ** t)).abs() / (s / (1 - beta2 ** t)).sqrt()


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.999, 1.5])
@pytest.mark.parametrize("t", [1, 2, 7, 100])
def test_geometric_sum(beta, t):
    assert math.isclose(sum(beta ** i for i in range(t)),
                        (1 - beta ** t) / (1 - beta), rel_tol=1e-12)


def test_the_sources_index_is_off_by_one():
    beta, t = 0.9, 5
    assert not math.isclose(sum(beta ** i for i in range(t + 1)),
                            (1 - beta ** t) / (1 - beta))


@pytest.mark.parametrize("beta", [0.9, 0.999])
def test_expected_moment_and_zeta(beta):
    """E[s_t] = E[g_t^2](1 - beta^t) + zeta, as an identity of weights for
    arbitrary (here drifting) expectations m_i = E[g_i^2]."""
    t = 50
    m = torch.linspace(1.0, 3.0, t, dtype=torch.float64)  # E[g_i^2]
    weights = (1 - beta) * beta ** torch.arange(t - 1, -1, -1,
                                                dtype=torch.float64)
    expected_s = float(weights @ m)
    zeta = float(weights @ (m - m[-1]))
    assert math.isclose(expected_s, float(m[-1]) * (1 - beta ** t) + zeta,
                        rel_tol=1e-12)
    constant = torch.full((t,), 2.0, dtype=torch.float64)
    assert math.isclose(float(weights @ constant) / (1 - beta ** t), 2.0,
                        rel_tol=1e-12)


@pytest.mark.parametrize(("beta1", "beta2"),
                         [(0.9, 0.999), (0.9, 0.99), (0.5, 0.9),
                          (0.0, 0.999), (0.99, 0.9)])
def test_step_bound_is_attained_and_never_exceeded(beta1, beta2):
    t = 60
    i = torch.arange(1, t + 1, dtype=torch.float64)
    extremal = (-2.5 * (beta1 / beta2) ** (t - i))[None]
    bound = step_bound(t, beta1, beta2)
    assert math.isclose(float(adam_ratio(extremal, beta1, beta2)), bound,
                        rel_tol=1e-9)
    gen = torch.Generator().manual_seed(0)
    random = torch.cat([
        torch.randn(2000, t, generator=gen, dtype=torch.float64),
        torch.randn(2000, t, generator=gen, dtype=torch.float64)
        * torch.exp(torch.linspace(-6, 0, t, dtype=torch.float64)),
        (torch.rand(2000, t, generator=gen, dtype=torch.float64) < 0.05)
        .to(torch.float64)])
    ratios = adam_ratio(random, beta1, beta2)
    ratios = ratios[torch.isfinite(ratios)]
    assert float(ratios.max()) <= bound * (1 + 1e-12)


def test_step_bound_special_cases():
    assert step_bound(1, 0.9, 0.999) == pytest.approx(1.0)
    for t in (1, 5, 300):
        assert step_bound(t, 0.8, 0.8) == pytest.approx(1.0)
    limit = (1 - 0.9) / math.sqrt((1 - 0.999) * (1 - 0.81 / 0.999))
    assert step_bound(20000, 0.9, 0.999) == pytest.approx(limit, rel=1e-6)
    assert limit == pytest.approx(7.2703, abs=1e-4)
    # The paper's sparse-case value is below the worst case...
    assert (1 - 0.9) / math.sqrt(1 - 0.999) < limit
    # ... and its "< eta" for (1 - beta1) = sqrt(1 - beta2) is exceeded.
    assert step_bound(200, 0.9, 0.99) > 2.0
    # The sparse case: only the last gradient non-zero.
    t = 400
    sparse = torch.zeros(1, t, dtype=torch.float64)
    sparse[0, -1] = 1.0
    value = ((1 - 0.9) / (1 - 0.9 ** t)
             * math.sqrt((1 - 0.999 ** t) / (1 - 0.999)))
    assert float(adam_ratio(sparse, 0.9, 0.999)) == pytest.approx(value)


def test_first_adam_step_has_length_lr():
    x = torch.zeros(3, dtype=torch.float64)
    x.grad = torch.tensor([1e3, -2.0, 1e-3], dtype=torch.float64)
    d2l.adam([x], d2l.init_adam_states([x]), {"lr": 0.1, "eps": 1e-12})
    assert torch.allclose(x.abs(), torch.full((3,), 0.1,
                                              dtype=torch.float64))


def test_scaling_gradients_and_eps_together_changes_nothing():
    gen = torch.Generator().manual_seed(1)
    grads = torch.randn(30, 4, generator=gen, dtype=torch.float64)
    paths = []
    for c in (1.0, 1000.0, 1e-3):
        x = torch.zeros(4, dtype=torch.float64)
        states = d2l.init_adam_states([x])
        for g in grads:
            x.grad = c * (g + x)
            d2l.adam([x], states, {"lr": 0.05, "eps": 1e-6 * c})
        paths.append(x.clone())
    # c (g + x), c^2 in s and c eps round once more than with c = 1: a few
    # u per step over 30 steps; one random ulp per update uses <= 6e-5 of
    # rtol 1e-10 (nudge, tests/ulp_margin.py). Scaling eps by c^2 or not at
    # all breaks the identity by >= 1e-6 relative.
    assert torch.allclose(paths[0], paths[1], rtol=1e-10, atol=1e-13)
    assert torch.allclose(paths[0], paths[2], rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("mu", [0.0, 0.3, 2.0, -1.0])
def test_signal_to_noise_ratio_is_at_most_one(mu):
    sigma = 1.3
    ratio = abs(mu) / math.sqrt(mu ** 2 + sigma ** 2)
    snr = abs(mu) / sigma
    assert ratio <= 1
    assert math.isclose(ratio, snr / math.sqrt(1 + snr ** 2))


def test_yogi_second_moment_stays_positive_and_moves_little():
    gen = torch.Generator().manual_seed(2)
    beta2 = 0.9
    x = torch.zeros(50, dtype=torch.float64)
    states = d2l.init_adam_states([x])
    s = states[0][1]
    scales = torch.exp(4 * torch.randn(200, generator=gen,
                                       dtype=torch.float64))
    for scale in scales:
        before = s.clone()
        g = scale * torch.randn(50, generator=gen, dtype=torch.float64)
        x.grad = g
        d2l.yogi([x], states, {"lr": 0.01, "beta2": beta2})
        assert bool((s >= beta2 * before - 1e-12).all())
        rounding = 1e-12 * (1 + before.abs())  # s - before cancels
        assert bool(((s - before).abs()
                     <= (1 - beta2) * g ** 2 + rounding).all())


def _online(optimizer, steps=2000, hi=math.inf):
    x = torch.zeros(1, dtype=torch.float64)
    states = d2l.init_adam_states([x])
    for t in range(1, steps + 1):
        x.grad = torch.tensor([3.0 if t % 3 == 1 else -1.0],
                              dtype=torch.float64)
        optimizer([x], states, {"lr": 0.5 / math.sqrt(t), "beta1": 0.0,
                                "beta2": 0.1, "eps": 1e-8})
        with torch.no_grad():
            x.clamp_(-1.0, hi)
    return float(x)


def test_adam_diverges_and_yogi_converges_online():
    assert _online(d2l.adam) > 5
    assert _online(d2l.adam, steps=1000) < _online(d2l.adam, steps=2000)
    assert _online(d2l.yogi) < -0.99


def test_adam_with_l2_ignores_the_size_of_a_lone_penalty():
    """With a zero loss, Adam + L2 takes the same path for every nu (the
    penalty's gradient nu x is normalized away); AdamW decays by
    (1 - lr nu) per step."""
    def run_l2(nu):
        x = torch.ones(1, dtype=torch.float64)
        states = d2l.init_adam_states([x])
        for _ in range(20):
            x.grad = nu * x.detach().clone()
            d2l.adam([x], states, {"lr": 0.05, "eps": 1e-12})
        return float(x)

    assert run_l2(0.1) == pytest.approx(run_l2(10.0), rel=1e-9)
    x = torch.ones(1, dtype=torch.float64)
    states = d2l.init_adamw_states([x])
    for _ in range(20):
        x.grad = torch.zeros(1, dtype=torch.float64)
        d2l.adamw([x], states, {"lr": 0.05, "weight_decay": 0.1})
    assert float(x) == pytest.approx((1 - 0.005) ** 20)


def test_step_bound_increases_to_its_limit():
    """Item 3 of the step-bound theorem: for gamma = beta1^2 / beta2 < 1,
    B_t increases in t, and psi(z) = z / (e^z - 1), whose convexity the
    proof uses, is convex."""
    for beta1 in (0.0, 0.3, 0.5, 0.8, 0.9, 0.95):
        for beta2 in (0.1, 0.5, 0.9, 0.95, 0.99, 0.999):
            if beta1 ** 2 / beta2 >= 1:
                continue
            bounds = [step_bound(t, beta1, beta2) for t in range(1, 300)]
            assert all(b <= c * (1 + 1e-12)
                       for b, c in zip(bounds, bounds[1:]))
            gamma = beta1 ** 2 / beta2
            limit = (1 - beta1) / math.sqrt((1 - beta2) * (1 - gamma))
            assert bounds[-1] <= limit * (1 + 1e-12)
    z = torch.linspace(0.01, 30, 3000, dtype=torch.float64)
    psi = z / torch.expm1(z)
    assert float((psi[:-2] + psi[2:] - 2 * psi[1:-1]).min()) >= 0


def test_theta_at_least_one_leaves_the_step_unbounded():
    # theta = beta1^2 / beta2 >= 1: B_t >= (const) sqrt(t), and the
    # extremal sequence attains B_t, so no bound holds for all t.
    for beta1, beta2 in [(0.99, 0.5), (0.9, 0.81), (0.7, 0.3)]:
        assert beta1 ** 2 / beta2 >= 1 - 1e-12
        limit = (1 - beta1) / math.sqrt(1 - beta2)
        for t in (10, 100, 400):
            assert step_bound(t, beta1, beta2) >= 0.99 * limit * math.sqrt(t)
        t = 60
        i = torch.arange(1, t + 1, dtype=torch.float64)
        extremal = ((beta1 / beta2) ** (t - i))[None]
        got = float(adam_ratio(extremal, beta1, beta2))
        # attained up to float64 rounding of sums of 60 positive terms
        assert math.isclose(got, step_bound(t, beta1, beta2), rel_tol=1e-9)


def test_step_bound_passes_the_sparse_value_only_after_210_steps():
    sparse = (1 - 0.9) / math.sqrt(1 - 0.999)
    assert step_bound(209, 0.9, 0.999) < sparse < step_bound(210, 0.9, 0.999)
    assert step_bound(200, 0.9, 0.999) < sparse


def test_yogi_bias_correction_overshoots_under_a_constant_gradient():
    # s_t = (1 - beta2) t g^2 exactly while below g^2, so the corrected
    # s_hat / g^2 = (1 - beta2) t / (1 - beta2^t) > 1 for t > 1.
    beta2, s = 0.999, 0.0
    for t in range(1, 2001):
        s = s + (1 - beta2) * math.copysign(1.0, 1.0 - s)
        if t <= 999:
            assert math.isclose(s, (1 - beta2) * t, rel_tol=1e-9)
            ratio = s / (1 - beta2 ** t)
            assert (ratio > 1) == (t > 1)
    assert math.isclose((1 - beta2) * 1000 / (1 - beta2 ** 1000), 1.582,
                        abs_tol=5e-4)


def test_second_moments_cannot_forget_in_50_steps_at_beta2_0999():
    # Adam: s_t >= beta2 s_{t-1}, so after 50 steps s keeps at least
    # beta2^50 = 0.951 of any earlier value; Yogi moves by at most
    # (1 - beta2) g_t^2 per step (thm-yogi-positive).
    gen = torch.Generator().manual_seed(0)
    g = 8 * torch.rand(50, generator=gen, dtype=torch.float64) ** 4
    s_adam = s_yogi = torch.tensor(1.0, dtype=torch.float64)
    for gt in g:
        new_adam = 0.999 * s_adam + 0.001 * gt ** 2
        new_yogi = s_yogi + 0.001 * torch.sign(gt ** 2 - s_yogi) * gt ** 2
        assert new_adam >= 0.999 * s_adam
        assert abs(new_yogi - s_yogi) <= 0.001 * gt ** 2 + 1e-15
        s_adam, s_yogi = new_adam, new_yogi
    assert s_adam >= 0.999 ** 50 > 0.95
