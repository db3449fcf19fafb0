"""The mathematical facts stated in chapters/adadelta.ipynb."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import d2lmini as d2l


def two_eps_path(grad, x0, steps, rho, eps_x, eps_g):
    x = torch.tensor(x0, dtype=torch.float64)
    s, delta = torch.zeros_like(x), torch.zeros_like(x)
    path = [x]
    for _ in range(steps):
        g = grad(x)
        s = rho * s + (1 - rho) * g ** 2
        step = torch.sqrt(delta + eps_x) / torch.sqrt(s + eps_g) * g
        x = x - step
        delta = rho * delta + (1 - rho) * step ** 2
        path.append(x)
    return torch.stack(path)


def test_two_eps_path_with_equal_eps_is_the_package_rule():
    x = torch.tensor([-5.0, -2.0], dtype=torch.float64)
    states = d2l.init_adadelta_states([x])
    ref = two_eps_path(lambda v: torch.tensor([0.2, 4.0],
                                              dtype=torch.float64) * v,
                       [-5.0, -2.0], 50, 0.9, 1e-5, 1e-5)
    for t in range(50):
        x.grad = torch.tensor([0.2, 4.0], dtype=torch.float64) * x
        d2l.adadelta([x], states, {"rho": 0.9})
        assert torch.allclose(x, ref[t + 1])


@pytest.mark.parametrize("c", [1e-3, 0.5, 7.0, 1000.0])
def test_units_theorem(c):
    """Theorem thm-adadelta-units, on a non-quadratic objective."""
    def grad(x):  # f = cosh(x1) + x2^4 / 4 + x1 x2 / 2
        return torch.stack([torch.sinh(x[0]) + x[1] / 2,
                            x[1] ** 3 + x[0] / 2])

    def grad_scaled(u):
        return grad(u / c) / c

    x_path = two_eps_path(grad, [1.5, -1.0], 200, 0.9, 1e-5, 1e-4)
    u_path = two_eps_path(grad_scaled, [1.5 * c, -1.0 * c], 200, 0.9,
                          c ** 2 * 1e-5, 1e-4 / c ** 2)
    # Scaling by c (a power of 10 or 7) rounds: the two paths differ by a
    # few u per operation, ~12 operations (and one sinh, whose last bit
    # depends on the CPU) per step, carried over 200 steps; this CPU uses
    # <= 1.3e-6 of rtol 1e-9 (both paths here run the same code), so it
    # holds up to ~1e5 times that. A theorem off by the wrong power of c in
    # an eps (c^2 1e-5 read as c 1e-5) fails by >= 1e-3.
    assert torch.allclose(u_path / c, x_path, rtol=1e-9, atol=1e-12)


def test_first_step_is_about_sqrt_eps_over_one_minus_rho():
    for rho, eps, g in [(0.9, 1e-5, 1.0), (0.99, 1e-5, 3.0),
                        (0.5, 1e-3, -2.0)]:
        x = torch.zeros(1, dtype=torch.float64)
        x.grad = torch.full((1,), g, dtype=torch.float64)
        d2l.adadelta([x], d2l.init_adadelta_states([x]), {"rho": rho,
                                                          "eps": eps})
        exact = math.sqrt(eps) * abs(g) / math.sqrt((1 - rho) * g ** 2 + eps)
        assert abs(float(x)) == pytest.approx(exact)
        assert exact == pytest.approx(math.sqrt(eps / (1 - rho)), rel=0.02)


def test_growth_lemma():
    """g^2 >= s + eps implies Delta x grows by at least (1 - rho) eps."""
    gen = torch.Generator().manual_seed(0)
    rho, eps = 0.8, 1e-3
    x = torch.zeros(200, dtype=torch.float64)
    states = d2l.init_adadelta_states([x])
    checked = 0
    for _ in range(40):
        x.grad = torch.randn(200, generator=gen, dtype=torch.float64) * 2
        s, delta = states[0]
        old_delta = delta.clone()
        d2l.adadelta([x], states, {"rho": rho, "eps": eps})
        cond = x.grad ** 2 >= s + eps
        growth = delta - old_delta
        assert bool((growth[cond] >= (1 - rho) * eps * (1 - 1e-9)).all())
        checked += int(cond.sum())
    assert checked > 500


def test_steady_gradient_grows_delta_by_one_minus_rho_eps():
    x = torch.zeros(1, dtype=torch.float64)
    states = d2l.init_adadelta_states([x])
    deltas = []
    for _ in range(2000):
        x.grad = torch.ones(1, dtype=torch.float64)
        d2l.adadelta([x], states, {"rho": 0.9})
        deltas.append(float(states[0][1]))
    assert deltas[-1] - deltas[-2] == pytest.approx(1e-6, rel=0.01)


def test_noise_free_quadratic_ends_in_a_widening_two_cycle():
    trace = d2l.train_2d(d2l.trainer_2d(
        d2l.adadelta, d2l.init_adadelta_states,
        lambda x1, x2: (0.2 * x1, 4 * x2), rho=0.9), steps=4000)
    x2 = trace.points[:, 1]
    assert np.all(np.sign(x2[-20:-1]) != np.sign(x2[-19:]))  # flips
    assert abs(x2[4000]) > 1.3 * abs(x2[2000]) > 1.3 ** 2 * abs(x2[1000])


@pytest.mark.parametrize("lr", [1.0, 0.3])
def test_package_matches_torch_adadelta(lr):
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(5, generator=gen, dtype=torch.float64)
    y = x.clone().requires_grad_()
    states = d2l.init_adadelta_states([x])
    opt = torch.optim.Adadelta([y], lr=lr, rho=0.9, eps=1e-5)
    for _ in range(30):
        x.grad = 2 * x + 1
        d2l.adadelta([x], states, {"rho": 0.9, "lr": lr})
        opt.zero_grad()
        (y ** 2 + y).sum().backward()
        opt.step()
        # torch's Adadelta fuses and orders the ~10 operations of a step
        # differently (addcmul_, lerp on some CPUs): a few u per update,
        # 30 contracting updates. One random ulp per update uses <= 1.0e-2
        # of rtol 1e-12 (nudge, tests/ulp_margin.py), so it holds for ~100
        # ulp per update; a wrong rho or eps (1e-5 vs 1e-6) shows at 1e-3.
        assert torch.allclose(x, y.detach(), rtol=1e-12, atol=1e-14)


def _adadelta_1d(lams, steps, x0=-2.0, rho=0.9, eps_x=1e-5, eps_g=1e-5):
    """Adadelta on lam * x^2 / 2 for several lam at once (numpy)."""
    lams = np.asarray(lams, dtype=np.float64)
    x = np.full_like(lams, x0)
    s, delta = np.zeros_like(x), np.zeros_like(x)
    for _ in range(steps):
        g = lams * x
        s = rho * s + (1 - rho) * g * g
        step = np.sqrt(delta + eps_x) / np.sqrt(s + eps_g) * g
        x = x - step
        delta = rho * delta + (1 - rho) * step * step
    return x


def test_near_the_minimum_adadelta_is_gd_with_step_one():
    # With s, delta << eps the step is sqrt(eps_x / eps_g) g: GD with that
    # step, which converges on lam x^2/2 iff lam < 2 sqrt(eps_g / eps_x).
    x = _adadelta_1d([0.2, 1.0, 1.5, 1.9, 2.1, 3.0, 4.0], 20_000)
    assert np.all(np.abs(x[:4]) < 1e-100)  # converged (to underflow)
    assert np.all(np.abs(x[4:]) > 1e-2)  # a two-cycle that does not die
    x = _adadelta_1d([0.9, 1.1], 20_000, eps_x=4e-5, eps_g=1e-5)
    assert abs(x[0]) < 1e-100 < 1e-2 < abs(x[1])  # threshold 1 here
    # the step itself, at a point where both averages are below eps
    eps, g = 1e-5, 1e-6
    s, delta = (1 - 0.9) * g * g, 1e-12
    step = math.sqrt(delta + eps) / math.sqrt(s + eps) * g
    assert math.isclose(step, g, rel_tol=1e-6)


def test_steady_gradient_step_tends_to_the_gradient():
    # Under a constant g the fixed point is delta = s = g^2: step = g.
    s = delta = 0.0
    eps, rho, g = 1e-3, 0.9, 1.0
    for _ in range(100_000):  # time scale 1 / ((1 - rho) eps) = 1e4
        s = rho * s + (1 - rho) * g * g
        step = math.sqrt(delta + eps) / math.sqrt(s + eps) * g
        delta = rho * delta + (1 - rho) * step * step
    # g^2 - delta shrinks by the factor 1 - (1 - rho) eps / (g^2 + eps)
    # per step: exp(-1e-4 * 1e5) = 4.5e-5 left after 1e5 steps, and the
    # step, a square root, is within half of that: rel_tol 1e-4.
    assert math.isclose(step, g, rel_tol=1e-4)
    assert step < g  # approached from below: it never overshoots
