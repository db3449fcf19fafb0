"""Facts of mathematics stated in chapters/choosing.ipynb."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import d2lmini as d2l
from d2lmini.optim import INIT_STATES, OPTIMIZERS

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


# --- Optimizer state: the memory table (counted, and checked against torch)

def _tensors(state):
    if isinstance(state, torch.Tensor):
        return [state]
    if isinstance(state, (tuple, list)):
        return [t for s in state for t in _tensors(s)]
    if isinstance(state, dict):
        return [t for s in state.values() for t in _tensors(s)]
    return []


def _count(state):
    """(numbers in tensors with a dimension, number of 0-dim counters)."""
    tensors = _tensors(state)
    return (sum(t.numel() for t in tensors if t.dim() > 0),
            sum(t.dim() == 0 for t in tensors))


# package name -> torch.optim twin; the counters differ where torch keeps a
# step count that the package's form does not need (one per tensor).
_TORCH_TWINS = {
    "sgd": (lambda ps: torch.optim.SGD(ps, lr=0.1), False),
    "sgd_momentum": (lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
                     False),
    "sgd_nesterov": (lambda ps: torch.optim.SGD(
        ps, lr=0.1, momentum=0.9, nesterov=True), False),
    "adagrad": (torch.optim.Adagrad, True),
    "rmsprop": (torch.optim.RMSprop, True),
    "adadelta": (torch.optim.Adadelta, True),
    "adam": (torch.optim.Adam, False),
    "adamw": (torch.optim.AdamW, False),
    "adamax": (torch.optim.Adamax, False),
    "nadam": (torch.optim.NAdam, False),
    "amsgrad": (lambda ps: torch.optim.Adam(ps, amsgrad=True), False),
    "radam": (torch.optim.RAdam, False),
    "adafactor": (torch.optim.Adafactor, False),
    "muon": (lambda ps: [torch.optim.Muon([p for p in ps if p.dim() == 2]),
                         torch.optim.AdamW([p for p in ps if p.dim() != 2])],
             False),
}


@pytest.mark.parametrize("name", sorted(_TORCH_TWINS))
def test_state_counts_equal_torch_optim_on_the_digits_mlp(name):
    """The memory table's claim: after one step, torch.optim's state holds
    exactly as many numbers as the package's init states (counts are
    integers: no tolerance)."""
    make, torch_has_step = _TORCH_TWINS[name]
    torch.manual_seed(0)
    net = d2l.digits_net("mlp", 64)
    params = list(net.parameters())
    floats, counters = _count(INIT_STATES[name](params))
    opts = make(params)
    opts = opts if isinstance(opts, list) else [opts]
    gen = torch.Generator().manual_seed(0)
    X = torch.rand(16, 64, generator=gen)
    y = torch.randint(10, (16,), generator=gen)
    F.cross_entropy(net(X), y).backward()
    for opt in opts:
        opt.step()
    t_floats, t_counters = _count([dict(o.state) for o in opts])
    assert floats == t_floats
    assert t_counters - counters == (len(params) if torch_has_step else 0)


def test_state_floats_of_a_matrix():
    """Per m x n matrix: Adafactor m + n, Shampoo m^2 + n^2, Lion and Muon
    mn, RAdam 2mn, schedule-free AdamW 3mn (what the chapter states)."""
    m, n = 7, 3
    W = torch.zeros(m, n)
    want = {"adafactor": m + n, "shampoo": m * m + n * n, "lion": m * n,
            "muon": m * n, "radam": 2 * m * n,
            "schedule_free_adamw": 3 * m * n}
    for name, floats in want.items():
        assert _count(INIT_STATES[name]([W]))[0] == floats, name
    # a vector: Muon hands it to AdamW (2 per entry), Shampoo keeps k x k
    b = torch.zeros(5)
    assert _count(INIT_STATES["muon"]([b]))[0] == 10
    assert _count(INIT_STATES["shampoo"]([b]))[0] == 25


# --- Rotations: full-matrix Adagrad on a vector, Muon and Shampoo on a
# matrix

def test_full_matrix_adagrad_commutes_with_rotation_lion_does_not():
    """Shampoo on the 2-D point is full-matrix Adagrad: its path on the
    rotated quadratic is the turned path. Tolerance: float64 rounding
    (1e-16 relative) through 30 steps of 2x2 eigendecompositions; the
    observed gap is ~1e-13, the bound 1e-9 leaves a margin of 1e4 and is
    still far below the steps (~0.1)."""
    start = (-5.0, -2.0)
    turned = tuple(R.T @ np.array(start))
    a = _run(d2l.shampoo, d2l.init_shampoo_states,
             {"quadratic": [0.1, 2.0, 0.0]}, start, 30, lr=0.4)
    b = _run(d2l.shampoo, d2l.init_shampoo_states,
             {"quadratic": [1.05, 1.05, -1.9]}, turned, 30, lr=0.4)
    assert np.abs(b - a @ R).max() < 1e-9
    a = _run(d2l.lion, d2l.init_lion_states, {"quadratic": [0.1, 2.0, 0.0]},
             start, 10, lr=0.2)
    b = _run(d2l.lion, d2l.init_lion_states,
             {"quadratic": [1.05, 1.05, -1.9]}, turned, 10, lr=0.2)
    assert np.abs(b - a @ R).max() > 0.1


def _matrix_path(name, X, grads, **hyperparams):
    x = X.clone()
    states = INIT_STATES[name]([x])
    path = []
    for g in grads:
        x.grad = g
        OPTIMIZERS[name]([x], states, hyperparams)
        path.append(x.detach().clone())
    return path


@pytest.mark.parametrize("name, hyperparams, equivariant", [
    ("muon", {"lr": 0.1, "weight_decay": 0.0}, True),
    ("muon", {"lr": 0.1, "weight_decay": 0.1, "nesterov": False}, True),
    ("shampoo", {"lr": 0.1}, True),
    ("adam", {"lr": 0.1}, False),
    ("adafactor", {"lr": 0.1}, False),
    ("lion", {"lr": 0.1}, False),
])
def test_matrix_methods_commute_with_rotations_of_rows_and_columns(
        name, hyperparams, equivariant):
    """Steps from Q X P^T fed Q G P^T are Q (steps from X fed G) P^T for
    Muon and Shampoo. Tolerance: float64, 3 steps of products of 8x5
    matrices (Newton-Schulz, eigendecompositions); the gap relative to
    the distance moved is ~1e-14, so 1e-9 is a margin of 1e5; the
    entrywise methods miss by a fraction of the step (> 0.1)."""
    gen = torch.Generator().manual_seed(1)

    def randn(*shape):
        return torch.randn(*shape, dtype=torch.float64, generator=gen)

    X0, grads = randn(8, 5), [randn(8, 5) for _ in range(3)]
    Q, _ = torch.linalg.qr(randn(8, 8))
    P, _ = torch.linalg.qr(randn(5, 5))
    plain = _matrix_path(name, X0, grads, **hyperparams)
    turned = _matrix_path(name, Q @ X0 @ P.T, [Q @ g @ P.T for g in grads],
                          **hyperparams)
    gap = max(float((b - Q @ a @ P.T).norm() / (a - X0).norm())
              for a, b in zip(plain, turned))
    assert (gap < 1e-9) if equivariant else (gap > 0.1)


def test_radam_first_five_updates_are_momentum_steps():
    """With beta2 = 0.999, rho_t <= 5 exactly for t <= 5, and RAdam's
    update there is lr * v_hat (units of the gradient): gradient descent's
    step at t = 1. Exact formulas in float64: tolerance 1e-12 relative."""
    beta1, beta2, lr = 0.9, 0.999, 0.3
    rho_inf = 2 / (1 - beta2) - 1
    rho = [rho_inf - 2 * t * beta2**t / (1 - beta2**t) for t in range(1, 8)]
    assert [r <= 5 for r in rho] == [True] * 5 + [False] * 2
    gen = torch.Generator().manual_seed(0)
    x = torch.zeros(4, dtype=torch.float64)
    states = d2l.init_radam_states([x])
    v = torch.zeros(4, dtype=torch.float64)
    for t in range(1, 6):
        g = torch.randn(4, dtype=torch.float64, generator=gen)
        before = x.clone()
        x.grad = g
        d2l.radam([x], states, {"lr": lr})
        v = beta1 * v + (1 - beta1) * g
        # One update from the same x, ~5 operations each side, then
        # before - x cancels against |x| <~ 5 steps: <= 5 * 10 u = 5.5e-15
        # relative. This CPU uses <= 1.2e-3 of rtol 1e-12, one random ulp
        # per update 9.5e-3 (tests/ulp_margin.py); an adaptive step at any
        # t <= 5 (rho_t's threshold off by one) is off by >= 1e-1.
        assert torch.allclose(before - x, lr * v / (1 - beta1**t),
                              rtol=1e-12, atol=0)
