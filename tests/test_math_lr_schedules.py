"""Facts of mathematics that chapters/lr-schedules.ipynb states."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import d2lmini as d2l


def test_noise_floor_of_constant_step_sgd():
    # x_t = (1 - eta lam) x_{t-1} - eta sigma xi_t: the second moment obeys
    # m_t = (1 - eta lam)^2 m_{t-1} + eta^2 sigma^2, whose fixed point is
    # eta sigma^2 / (lam (2 - eta lam)). Iterated exactly (no sampling), the
    # recursion reaches it to rounding error (relative 1e-12).
    for eta, lam, sigma in [(0.1, 1.0, 1.0), (0.05, 2.0, 0.5), (0.3, 4.0, 2)]:
        m = 25.0
        for _ in range(5000):
            m = (1 - eta * lam) ** 2 * m + eta**2 * sigma**2
        assert m == pytest.approx(eta * sigma**2 / (lam * (2 - eta * lam)),
                                  rel=1e-12)


def test_decaying_step_removes_the_floor():
    # With eta_t = 1 / (lam (t + 1)), the recursion gives m_t -> 0 like 1/t:
    # m_t = sigma^2 / (lam^2 (t + 1)) exactly when m_0 = sigma^2 / lam^2.
    lam, sigma = 2.0, 1.0
    m = sigma**2 / lam**2
    for t in range(1, 2001):
        eta = 1 / (lam * (t + 1))
        m = (1 - eta * lam) ** 2 * m + eta**2 * sigma**2
        assert m == pytest.approx(sigma**2 / (lam**2 * (t + 1)), rel=1e-9)


@pytest.mark.parametrize("n", [1, 2, 7, 100, 1000])
def test_cosine_rates_sum_to_half_the_peak_plus_one_half(n):
    # sum_{k=0}^{n-1} (1 + cos(pi k / n)) / 2 = (n + 1) / 2: the cosines of
    # k and n - k cancel, cos(0) = 1 remains. Rounding: n terms of 1e-16.
    s = d2l.cosine_decay(1.0, n)
    assert math.fsum(s(t) for t in range(1, n + 1)) == pytest.approx(
        (n + 1) / 2, rel=1e-13)


def _rho(t, beta2):
    rho_inf = 2 / (1 - beta2) - 1
    return rho_inf - 2 * t * beta2**t / (1 - beta2**t), rho_inf


@pytest.mark.parametrize("beta2", [0.9, 0.99, 0.999, 0.9999])
def test_radam_rectifies_from_update_six(beta2):
    assert _rho(5, beta2)[0] <= 5 < _rho(6, beta2)[0]
    assert _rho(1, beta2)[0] == pytest.approx(1.0, rel=1e-9)


def test_rectifier_rises_to_one():
    beta2 = 0.999
    r = []
    for t in range(6, 20001):
        rho, rho_inf = _rho(t, beta2)
        r.append(math.sqrt((rho - 4) * (rho - 2) * rho_inf
                           / ((rho_inf - 4) * (rho_inf - 2) * rho)))
    assert all(a < b for a, b in zip(r, r[1:]))
    # r_6 = 0.026 (the first rectified step is 40 times shorter than
    # Adam's); beta2^20000 = 2e-9, so r_20000 is 1 to within 1e-7.
    assert 0.02 < r[0] < 0.03 and r[-1] == pytest.approx(1.0, abs=1e-7)


def test_rho_inf_is_the_length_of_an_average_as_old_as_the_ema():
    # The EMA's weights (1 - beta2) beta2^i have mean age beta2 / (1 - beta2);
    # a simple average of the last rho values has mean age (rho - 1) / 2.
    # Equal ages: rho = 2 / (1 - beta2) - 1 = rho_inf.
    for beta2 in (0.9, 0.999):
        age = beta2 / (1 - beta2)
        assert (2 * age + 1) == pytest.approx(_rho(10**7, beta2)[1])


def test_schedule_free_average_weights_are_the_squared_rates():
    # x_{t+1} = sum_i eta_i^2 z_{i+1} / sum_i eta_i^2 (x_1 gets weight 0).
    p = torch.tensor([1.0, -2.0], dtype=torch.float64)
    states = d2l.init_schedule_free_adamw_states([p])
    hp = {"lr": 0.2, "warmup_steps": 5, "beta2": 0.9}
    zs, weights = [], []
    for t in range(1, 30):
        p.grad = torch.tensor([2.0, 0.5], dtype=torch.float64) * p + 0.3
        d2l.schedule_free_adamw([p], states, hp)
        zs.append(states[0][0].clone())
        eta_t = 0.2 * math.sqrt(1 - 0.9**t) * min(1, t / 5)
        weights.append(eta_t**2)
        avg = sum(w * z for w, z in zip(weights, zs)) / sum(weights)
        # 30 steps of float64 averaging: relative error 1e-14 at most.
        np.testing.assert_allclose(states[0][1], avg, rtol=1e-12)
