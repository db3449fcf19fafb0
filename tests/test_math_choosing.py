"""Facts of mathematics stated in chapters/choosing.ipynb."""

from __future__ import annotations

import math

import numpy as np

import d2lmini as d2l

C = 1 / math.sqrt(2)
R = np.array([[C, C], [-C, C]])  # f_rot(x) = f(R x)


def _run(optimizer, init, spec, x0, steps, **hyperparams):
    _, f_grad = d2l.objective_2d(spec)
    return d2l.train_2d(d2l.trainer_2d(optimizer, init, f_grad,
                                       **hyperparams), steps, x0=x0).points


def test_rotated_quadratic_is_a_rotation():
    f, _ = d2l.objective_2d({"quadratic": [0.1, 2.0, 0.0]})
    f_rot, _ = d2l.objective_2d({"quadratic": [1.05, 1.05, -1.9]})
    x = np.random.default_rng(0).normal(size=(2, 20))
    u, w = R @ x
    assert np.allclose(f_rot(*x), f(u, w), atol=1e-12)


def test_gd_and_momentum_commute_with_rotation_adam_does_not():
    start = (-5.0, -2.0)
    turned = tuple(R.T @ np.array(start))
    for opt, init, hp in [(d2l.sgd, d2l.init_sgd_states, {"lr": 0.4}),
                          (d2l.sgd_momentum, d2l.init_momentum_states,
                           {"lr": 0.6, "momentum": 0.5})]:
        a = _run(opt, init, {"quadratic": [0.1, 2.0, 0.0]}, start, 10, **hp)
        b = _run(opt, init, {"quadratic": [1.05, 1.05, -1.9]}, turned, 10,
                 **hp)
        assert np.abs(b - a @ R).max() < 1e-12
    a = _run(d2l.adam, d2l.init_adam_states, {"quadratic": [0.1, 2.0, 0.0]},
             start, 10, lr=0.3)
    b = _run(d2l.adam, d2l.init_adam_states,
             {"quadratic": [1.05, 1.05, -1.9]}, turned, 10, lr=0.3)
    assert np.abs(b - a @ R).max() > 0.1


def test_gd_escape_from_saddle_is_geometric():
    for eta, delta in [(0.4, 0.01), (0.1, 1e-4)]:
        pts = _run(d2l.sgd, d2l.init_sgd_states, {"saddle": []},
                   (-2.0, delta), 10, lr=eta)
        assert np.allclose(pts[:, 1], delta * (1 + 2 * eta) ** np.arange(11))


def test_adam_first_step_is_lr_per_coordinate():
    pts = _run(d2l.adam, d2l.init_adam_states, {"saddle": []},
               (-2.0, 0.01), 1, lr=0.3, beta1=0.5, beta2=0.9)
    g = np.array([-4.0, -0.02])
    want = np.array([-2.0, 0.01]) - 0.3 * g / (np.abs(g) + 1e-6)
    assert np.allclose(pts[1], want, atol=1e-6)


def test_rmsprop_first_step():
    pts = _run(d2l.rmsprop, d2l.init_rmsprop_states, {"saddle": []},
               (-2.0, 0.01), 1, lr=0.4, gamma=0.9)
    # s_1 = (1 - gamma) g**2 with no bias correction: a step of
    # eta / sqrt(1 - gamma) where g**2 >> eps (x1: g = -4), less along x2.
    assert math.isclose(pts[1, 0] + 2.0, 0.4 / math.sqrt(0.1), rel_tol=1e-5)
    assert 1.0 < pts[1, 1] - 0.01 < 0.4 / math.sqrt(0.1)


def test_rotation_keeps_gd_and_momentum_step_counts_from_the_turned_start():
    """With the start turned with the problem, GD and momentum reach
    f < 1e-3 at the same step on both quadratics."""
    f, _ = d2l.objective_2d({"quadratic": [0.1, 2.0, 0.0]})
    start = np.array([-5.0, -2.0])
    for opt, init, hp in [(d2l.sgd, d2l.init_sgd_states, {"lr": 0.4}),
                          (d2l.sgd_momentum, d2l.init_momentum_states,
                           {"lr": 0.6, "momentum": 0.5})]:
        a = _run(opt, init, {"quadratic": [0.1, 2.0, 0.0]}, tuple(start),
                 100, **hp)
        b = _run(opt, init, {"quadratic": [1.05, 1.05, -1.9]},
                 tuple(R.T @ start), 100, **hp)
        fa = np.array([f(*p) for p in a])
        fb = np.array([f(*(R @ p)) for p in b])
        # the two f-sequences agree to rounding (1e-12 relative), so the
        # last step at or above 1e-3 is the same unless f sits within that
        # of the threshold, which it does not here
        assert np.allclose(fa, fb, rtol=1e-12, atol=1e-15)
        assert np.nonzero(fa >= 1e-3)[0][-1] == np.nonzero(fb >= 1e-3)[0][-1]


def test_escape_count_is_the_smallest_integer_above_L():
    """The first t with (1 + 2 eta)**t |x02| > 1 is floor(L) + 1 for
    L = log(1/|x02|) / log(1 + 2 eta) >= 0: ceil(L) where L is not an
    integer, L + 1 at an exact power."""
    for eta, x02 in [(0.5, 0.25), (1.5, 1 / 16), (0.5, 0.1), (0.4, 0.01),
                     (0.3, 1.0)]:
        t, x2 = 0, x02
        while abs(x2) <= 1:
            x2, t = x2 * (1 + 2 * eta), t + 1
        L = math.log(1 / abs(x02)) / math.log(1 + 2 * eta)
        assert t == math.floor(L) + 1
        if L == int(L):
            assert t == math.ceil(L) + 1
        else:
            assert t == math.ceil(L)
