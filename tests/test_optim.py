"""Tests of the from-scratch optimizers: parity with torch.optim, first
steps written out by hand, identities between algorithms, validation, and
the 2-D trainers built on the same update rules."""

from __future__ import annotations

import ast
import inspect
import math
import types

import matplotlib
import numpy as np
import pytest
import torch

import d2lmini as d2l
from d2lmini import optim

matplotlib.use("Agg")  # tests draw without a screen
import matplotlib.pyplot as plt  # noqa: E402

# Tolerances. Another CPU gives the same bits for each + - * / sqrt (IEEE 754
# rounds them correctly) but may differ by an ulp where it fuses a * b + c
# (FMA), adds a reduction in another order, or evaluates exp or pow; float64's
# unit roundoff is u = 2^-53 = 1.1e-16. A comparison of two float64 runs of
# the same update written differently is therefore off by a few u per
# operation, carried over the steps. tests/ulp_margin.py measures the carrying:
# with ULP_NUDGE=1 every iterate and state entry moves one random ulp after
# every update, and each comparison reports the fraction of its tolerance
# that uses ("nudge: f" below). A tolerance with nudge fraction f holds for
# 1/f ulp per update, far more than the ~10 operations of one update can
# differ by; and it still fails for a bug whose relative size is rtol.

# name -> (update rule, state initialiser)
RULES = {
    "sgd": (d2l.sgd, d2l.init_sgd_states),
    "sgd_momentum": (d2l.sgd_momentum, d2l.init_momentum_states),
    "sgd_nesterov": (d2l.sgd_nesterov, d2l.init_momentum_states),
    "adagrad": (d2l.adagrad, d2l.init_adagrad_states),
    "rmsprop": (d2l.rmsprop, d2l.init_rmsprop_states),
    "adadelta": (d2l.adadelta, d2l.init_adadelta_states),
    "adam": (d2l.adam, d2l.init_adam_states),
    "yogi": (d2l.yogi, d2l.init_adam_states),
    "adamax": (d2l.adamax, d2l.init_adamax_states),
    "nadam": (d2l.nadam, d2l.init_nadam_states),
    "amsgrad": (d2l.amsgrad, d2l.init_amsgrad_states),
}

# Hyperparameters that make every rule descend on the 2-D quadratic.
WORKING = {
    "sgd": {"lr": 0.1},
    "sgd_momentum": {"lr": 0.1, "momentum": 0.5},
    "sgd_nesterov": {"lr": 0.1, "momentum": 0.5},
    "adagrad": {"lr": 0.4},
    "rmsprop": {"lr": 0.1, "gamma": 0.9},
    "adadelta": {"rho": 0.9, "lr": 10.0},
    "adam": {"lr": 0.1},
    "yogi": {"lr": 0.1},
    "adamax": {"lr": 0.1},
    "nadam": {"lr": 0.1},
    "amsgrad": {"lr": 0.1},
}


@pytest.fixture
def float64():
    """PyTorch keeps some optimizer scalars (NAdam's mu_product) in the
    default dtype: make it float64 so the comparison is float64 throughout.
    """
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


def step_with(name, params, states, grads, **hyperparams):
    """One step of rule ``name`` with the given gradients."""
    for p, g in zip(params, grads):
        p.grad = g.to(p.dtype).clone()
    RULES[name][0](params, states, hyperparams)


# --- parity with torch.optim -------------------------------------------------

PARITY = [
    ("sgd", {"lr": 0.1}, torch.optim.SGD, {"lr": 0.1}),
    ("sgd", {"lr": 0.013}, torch.optim.SGD, {"lr": 0.013}),
    ("sgd_momentum", {"lr": 0.05, "momentum": 0.9},
     torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}),
    ("sgd_momentum", {"lr": 0.2, "momentum": 0.3},
     torch.optim.SGD, {"lr": 0.2, "momentum": 0.3}),
    ("sgd_nesterov", {"lr": 0.05, "momentum": 0.9},
     torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("sgd_nesterov", {"lr": 0.1, "momentum": 0.5},
     torch.optim.SGD, {"lr": 0.1, "momentum": 0.5, "nesterov": True}),
    ("adagrad", {"lr": 0.1, "eps": 1e-10, "eps_inside_sqrt": False},
     torch.optim.Adagrad, {"lr": 0.1, "eps": 1e-10}),
    ("adagrad", {"lr": 0.5, "eps": 1e-3, "eps_inside_sqrt": False},
     torch.optim.Adagrad, {"lr": 0.5, "eps": 1e-3}),
    ("rmsprop", {"lr": 0.01, "gamma": 0.99, "eps": 1e-8,
                 "eps_inside_sqrt": False},
     torch.optim.RMSprop, {"lr": 0.01, "alpha": 0.99, "eps": 1e-8}),
    ("rmsprop", {"lr": 0.05, "gamma": 0.9, "eps": 1e-4,
                 "eps_inside_sqrt": False},
     torch.optim.RMSprop, {"lr": 0.05, "alpha": 0.9, "eps": 1e-4}),
    ("adadelta", {"rho": 0.9, "eps": 1e-6, "lr": 1.0},
     torch.optim.Adadelta, {"lr": 1.0, "rho": 0.9, "eps": 1e-6}),
    ("adadelta", {"rho": 0.95, "eps": 1e-4, "lr": 0.5},
     torch.optim.Adadelta, {"lr": 0.5, "rho": 0.95, "eps": 1e-4}),
    ("adam", {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
     torch.optim.Adam, {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8}),
    ("adam", {"lr": 0.05, "beta1": 0.5, "beta2": 0.9, "eps": 1e-3},
     torch.optim.Adam, {"lr": 0.05, "betas": (0.5, 0.9), "eps": 1e-3}),
    ("amsgrad", {"lr": 1e-2, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
                 "bias_correction": True},
     torch.optim.Adam, {"lr": 1e-2, "betas": (0.9, 0.999), "eps": 1e-8,
                        "amsgrad": True}),
    ("amsgrad", {"lr": 0.05, "beta1": 0.6, "beta2": 0.8, "eps": 1e-4,
                 "bias_correction": True},
     torch.optim.Adam, {"lr": 0.05, "betas": (0.6, 0.8), "eps": 1e-4,
                        "amsgrad": True}),
    ("adamax", {"lr": 2e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
                "eps_in_max": True},
     torch.optim.Adamax, {"lr": 2e-3, "betas": (0.9, 0.999), "eps": 1e-8}),
    ("adamax", {"lr": 0.05, "beta1": 0.7, "beta2": 0.9, "eps": 1e-3,
                "eps_in_max": True},
     torch.optim.Adamax, {"lr": 0.05, "betas": (0.7, 0.9), "eps": 1e-3}),
    ("nadam", {"lr": 2e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
               "momentum_decay": 4e-3},
     torch.optim.NAdam, {"lr": 2e-3, "betas": (0.9, 0.999), "eps": 1e-8,
                         "momentum_decay": 4e-3}),
    ("nadam", {"lr": 0.03, "beta1": 0.8, "beta2": 0.95, "eps": 1e-5,
               "momentum_decay": 0.05},
     torch.optim.NAdam, {"lr": 0.03, "betas": (0.8, 0.95), "eps": 1e-5,
                         "momentum_decay": 0.05}),
]


def random_problem(seed):
    """Two parameters and a stochastic, non-quadratic loss per step."""
    gen = torch.Generator().manual_seed(seed)
    W = torch.randn(4, 3, generator=gen, dtype=torch.float64)
    c = torch.randn(3, generator=gen, dtype=torch.float64)

    def loss(params, step):
        g = torch.Generator().manual_seed(1000 * seed + step)
        A = torch.randn(8, 4, generator=g, dtype=torch.float64)
        B = torch.randn(8, 3, generator=g, dtype=torch.float64)
        W_, c_ = params
        return (((A @ W_ + c_ - B) ** 2).mean() / 2
                + 0.01 * (W_ ** 4).sum())

    return [W, c], loss


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize(
    ("name", "hyperparams", "torch_cls", "torch_kwargs"), PARITY,
    ids=[f"{p[0]}-{i}" for i, p in enumerate(PARITY)],
)
def test_matches_torch_optim(float64, seed, name, hyperparams, torch_cls,
                             torch_kwargs):
    start, loss = random_problem(seed)
    ours = [p.clone().requires_grad_() for p in start]
    theirs = [p.clone().requires_grad_() for p in start]
    fn, init = RULES[name]
    states = init(ours)
    optimizer = torch_cls(theirs, **torch_kwargs)
    worst = 0.0
    for step in range(60):
        for p in ours:
            p.grad = None
        loss(ours, step).backward()
        fn(ours, states, hyperparams)
        optimizer.zero_grad()
        loss(theirs, step).backward()
        optimizer.step()
        with torch.no_grad():
            worst = max(worst, max(float((a - b).abs().max())
                                   for a, b in zip(ours, theirs)))
    with torch.no_grad():
        moved = max(float((a - b).abs().max())
                    for a, b in zip(ours, start))
    assert moved > 1e-3  # the comparison is not vacuous
    assert worst <= 1e-10


# --- float32: the scalars from the step as a Python float ------------------
#
# The float64 comparisons above cannot see the precision of the scalar
# factors: torch.optim computes the bias corrections 1 - beta^t (and NAdam's
# mu_t) from the step count as a Python float, in 64 bits. Taken from a
# float32 counter, beta2 = 0.999 is rounded first (relative error 1.3e-8)
# and 1 - beta2^t, about (1 - beta2) t, inherits that error divided by
# 1 - beta2: 1.3e-5, 6e-6 of every step after the square root. With
# beta2 = 0.9999 (rounded by 1.7e-8) it is 1.7e-4, 8e-5 of a step. These
# tests take betas near 1 so that error stands far above the rounding of
# float32 arithmetic (for the default 0.999 the two are of one size over 20
# updates).

U32 = 2.0**-24  # unit roundoff of float32

PARITY32 = [
    ("adam", {"lr": 0.05, "beta2": 0.9999, "eps": 1e-8},
     torch.optim.Adam, {"lr": 0.05, "betas": (0.9, 0.9999), "eps": 1e-8}),
    ("adamw", {"lr": 0.05, "beta2": 0.9999, "eps": 1e-8,
               "weight_decay": 0.1},
     torch.optim.AdamW, {"lr": 0.05, "betas": (0.9, 0.9999), "eps": 1e-8,
                         "weight_decay": 0.1}),
    ("amsgrad", {"lr": 0.05, "beta2": 0.9999, "eps": 1e-8,
                 "bias_correction": True},
     torch.optim.Adam, {"lr": 0.05, "betas": (0.9, 0.9999), "eps": 1e-8,
                        "amsgrad": True}),
    # AdaMax corrects v alone: beta1 near 1 makes 1 - beta1^t sensitive.
    ("adamax", {"lr": 0.05, "beta1": 0.9999, "eps_in_max": True},
     torch.optim.Adamax, {"lr": 0.05, "betas": (0.9999, 0.999)}),
    ("nadam", {"lr": 0.05, "beta2": 0.9999, "momentum_decay": 4e-3},
     torch.optim.NAdam, {"lr": 0.05, "betas": (0.9, 0.9999),
                         "momentum_decay": 4e-3}),
]

RULES32 = {**RULES, "adamw": (d2l.adamw, d2l.init_adamw_states)}
STEPS32 = 20


def coherent_problem(dtype):
    """Small parameters and gradients 1 + x/5 + noise/10, between 0.4 and
    1.6 in these runs (the tests check it): every update moves x the same
    way, so an error proportional to the steps adds up instead of averaging
    out. The start and the noise are float32 numbers in either dtype."""
    gen = torch.Generator().manual_seed(0)
    start = [(0.1 * torch.randn(s, generator=gen, dtype=torch.float64))
             .to(torch.float32).to(dtype) for s in [(5, 7), (6,)]]

    def grads(params, step):
        g = torch.Generator().manual_seed(100 + step)
        out = [1 + 0.2 * p.detach() + 0.1 * torch.randn(
            p.shape, generator=g, dtype=torch.float64).to(torch.float32)
            .to(dtype) for p in params]
        assert all(0.4 < float(x.min()) and float(x.max()) < 1.6
                   for x in out)  # what the tolerances below assume
        return out

    return start, grads


@pytest.mark.parametrize(
    ("name", "hyperparams", "torch_cls", "torch_kwargs"), PARITY32,
    ids=[p[0] for p in PARITY32],
)
def test_matches_torch_optim_in_float32(name, hyperparams, torch_cls,
                                        torch_kwargs):
    start, grads = coherent_problem(torch.float32)
    ours = [p.clone().requires_grad_() for p in start]
    theirs = [p.clone().requires_grad_() for p in start]
    fn, init = RULES32[name]
    states = init(ours)
    optimizer = torch_cls(theirs, foreach=False, **torch_kwargs)
    # Rounding bound, added up over the updates t = 1..20. The two sides
    # compute the step delta_t in another order: each rounds <= 8 times
    # (the Python-float scalars cast to float32 included; a square root
    # halves its argument's error), 16 U32 |delta_t| together. Their
    # moments v, s round another way too (torch's lerp against
    # beta v + (1 - beta) g): <= 3 U32 of the new moment per update on
    # each side, with one-signed gradients a relative error <= 3 t U32
    # after t updates, in v and (halved by the root) in s: 9 t U32
    # |delta_t| together. Each side rounds p at most twice per update
    # (AdamW's decay, NAdam's two subtractions): 4 U32 |p|. A difference
    # of p moves the next gradient by a fifth of it and the step by at
    # most lr (1 - beta1) / (1 - beta1^t) / 5 / min|g| of it, twice that
    # for NAdam's gradient term: <= 0.25 summed over the updates, so the
    # carried bound grows at most e^0.25 < 1.3 times. This comes to ~210
    # U32 (1.3e-5) here; this CPU uses <= 0.03 of it, one random ulp per
    # update <= 0.07 (tests/ulp_margin.py). The float32 counter's error
    # (the old code) is 5 to 12 times the bound.
    bound = 0.0
    for t in range(1, STEPS32 + 1):
        before = [p.detach().clone() for p in theirs]
        for p, g in zip(ours, grads(ours, t)):
            p.grad = g
        fn(ours, states, hyperparams)
        for p, g in zip(theirs, grads(theirs, t)):
            p.grad = g
        optimizer.step()
        with torch.no_grad():
            delta = max(float((p - b).abs().max())
                        for p, b in zip(theirs, before))
            size = max(float(p.abs().max()) for p in theirs)
        bound += (16 + 9 * t) * U32 * delta + 4 * U32 * size
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a, b, rtol=0, atol=1.3 * bound)
    with torch.no_grad():
        moved = max(float((a - b).abs().max()) for a, b in zip(ours, start))
    assert moved > 0.5  # 20 updates of about lr = 0.05 each, one way


def _run_in(dtype, fn, init, hyperparams):
    """A float32 or float64 run on coherent_problem: the parameters, and
    per update the largest step and the largest |x|."""
    start, grads = coherent_problem(dtype)
    params = [p.clone() for p in start]
    states = init(params)
    deltas, sizes = [], []
    for t in range(1, STEPS32 + 1):
        before = [p.clone() for p in params]
        for p, g in zip(params, grads(params, t)):
            p.grad = g
        fn(params, states, hyperparams)
        deltas.append(max(float((p - b).abs().max())
                          for p, b in zip(params, before)))
        sizes.append(max(float(p.abs().max()) for p in params))
    return params, deltas, sizes


def test_yogi_in_float32_follows_its_float64_run():
    """Yogi is not in torch.optim: its float32 run against its float64 run
    (which the float64 tests check), from the same float32 start."""
    hp = {"lr": 0.05, "beta2": 0.9999}
    lo, deltas, sizes = _run_in(torch.float32, d2l.yogi,
                                d2l.init_adam_states, hp)
    hi, _, _ = _run_in(torch.float64, d2l.yogi, d2l.init_adam_states, hp)
    # The float64 run is exact at this scale (2^-53 against 2^-24). The
    # float32 run rounds the step <= 8 times and the gradient 1 + x/5 +
    # noise twice, which moves the step by <= 4 U32 more (v and sqrt(s)
    # both scale with it): 12 U32 |delta_t|; its moments round <= 3 times
    # per update, a relative error <= 3 t U32 in v, and in s, which Yogi
    # moves by + (1 - beta2) g^2 here (s << g^2 for t <= 20: the sign is
    # +), halved by the root: 4.5 t U32 |delta_t|; p - step rounds once:
    # U32 |p|. Carried through the gradient as in the torch test: < 1.3
    # times. This comes to ~100 U32 (6e-6); this CPU uses <= 0.04 of it,
    # one random ulp per update <= 0.11 (tests/ulp_margin.py). The float32
    # counter's error in 1 - beta2^t (the old code) is 13 times the bound.
    bound = sum((12 + 4.5 * t) * U32 * d + U32 * x
                for t, (d, x) in enumerate(zip(deltas, sizes), start=1))
    for a, b in zip(lo, hi):
        torch.testing.assert_close(a.double(), b, rtol=0, atol=1.3 * bound)


def test_schedule_free_adamw_in_float32_follows_its_float64_run():
    """Not in torch.optim either: as Yogi, float32 against float64 (which
    tests/test_schedules.py checks against the paper's algorithm)."""
    hp = {"lr": 0.05, "beta2": 0.9999, "weight_decay": 0.1}
    runs = {}
    for dtype in (torch.float32, torch.float64):
        start, grads = coherent_problem(dtype)
        params = [p.clone() for p in start]
        states = d2l.init_schedule_free_adamw_states(params)
        moves = []  # per update: largest change of z and of x, largest value
        for t in range(1, STEPS32 + 1):
            zx = [(z.clone(), x.clone()) for z, x, *_ in states]
            for p, g in zip(params, grads(params, t)):
                p.grad = g
            d2l.schedule_free_adamw(params, states, hp)
            moves.append((
                max(float((z - z0).abs().max())
                    for (z, *_), (z0, _) in zip(states, zx)),
                max(float((x - x0).abs().max())
                    for (_, x, *_), (_, x0) in zip(states, zx)),
                max(float(v.abs().max()) for z, x, *_ in states
                    for v in (z, x))))
        runs[dtype] = params, moves
    # The float64 run is exact at this scale. Per update t the float32 run
    # rounds the step of z, lr_t (g / (sqrt(s) + eps) + nu y), <= 7 times,
    # the gradient twice and s by <= 3 t U32 (halved by the root):
    # (10 + 1.5 t) U32 |dz|. The weight c_t =
    # lr_t^2 / sum lr_i^2 carries the float32 sum (t U32) and 2 roundings,
    # and moves x by c_t (z - x): (t + 2) U32 |dx|; z - dz, the average x
    # and y = (1 - beta1) z + beta1 x round <= 8 times: 8 U32 max(|z|,
    # |x|). A difference of y moves the gradient by a fifth of it and z by
    # at most lr / 5 / min|g| = 0.025 of it per update, 0.5 summed:
    # carried, the bound grows < e^0.5 < 1.7 times. This comes to ~270 U32
    # (1.6e-5); this CPU uses <= 0.012 of it, one random ulp per update
    # <= 0.04 (tests/ulp_margin.py). The float32 counter's error in lr_t
    # (the old code) is 3.4 times the bound.
    lo, moves = runs[torch.float32]
    hi, _ = runs[torch.float64]
    bound = sum((10 + 1.5 * t) * U32 * dz + (t + 2) * U32 * dx
                + 8 * U32 * size
                for t, (dz, dx, size) in enumerate(moves, start=1))
    for a, b in zip(lo, hi):
        torch.testing.assert_close(a.double(), b, rtol=0, atol=1.7 * bound)

# --- first steps written out by hand -----------------------------------------

X0 = np.array([1.5, -0.5, 0.25, 2.0])
G = np.array([0.3, -2.0, 1e-3, 0.0])
B1, B2 = 0.9, 0.999


def _mu(t, psi):
    return B1 * (1 - 0.5 * 0.96 ** (t * psi))


FIRST_STEPS = [
    ("sgd", {"lr": 0.1}, lambda x, g: x - 0.1 * g),
    ("sgd_momentum", {"lr": 0.1, "momentum": 0.9}, lambda x, g: x - 0.1 * g),
    ("sgd_nesterov", {"lr": 0.1, "momentum": 0.9},
     lambda x, g: x - 0.1 * 1.9 * g),
    ("adagrad", {"lr": 0.4}, lambda x, g: x - 0.4 * g / np.sqrt(g**2 + 1e-6)),
    ("adagrad", {"lr": 0.4, "eps": 1e-3, "eps_inside_sqrt": False},
     lambda x, g: x - 0.4 * g / (np.abs(g) + 1e-3)),
    ("rmsprop", {"lr": 0.01, "gamma": 0.9},
     lambda x, g: x - 0.01 * g / np.sqrt(0.1 * g**2 + 1e-6)),
    ("rmsprop", {"lr": 0.01, "gamma": 0.9, "eps_inside_sqrt": False},
     lambda x, g: x - 0.01 * g / (np.sqrt(0.1 * g**2) + 1e-6)),
    ("adadelta", {"rho": 0.9},
     lambda x, g: x - np.sqrt(1e-5) / np.sqrt(0.1 * g**2 + 1e-5) * g),
    ("adadelta", {"rho": 0.9, "lr": 0.5},
     lambda x, g: x - 0.5 * np.sqrt(1e-5) / np.sqrt(0.1 * g**2 + 1e-5) * g),
    ("adam", {"lr": 0.01}, lambda x, g: x - 0.01 * g / (np.abs(g) + 1e-6)),
    ("yogi", {"lr": 0.01}, lambda x, g: x - 0.01 * g / (np.abs(g) + 1e-3)),
    ("adamax", {"lr": 0.01}, lambda x, g: x - 0.01 * g / (np.abs(g) + 1e-8)),
    ("adamax", {"lr": 0.01, "eps_in_max": True},
     lambda x, g: x - 0.01 * g / (np.abs(g) + 1e-8)),
    ("nadam", {"lr": 0.01},
     lambda x, g: x - 0.01 * (1 + B1) * g / (np.abs(g) + 1e-8)),
    ("nadam", {"lr": 0.01, "momentum_decay": 0.004},
     lambda x, g: x - 0.01 * (
         _mu(2, 0.004) * (1 - B1) / (1 - _mu(1, 0.004) * _mu(2, 0.004)) + 1
     ) * g / (np.abs(g) + 1e-8)),
    ("amsgrad", {"lr": 0.01},
     lambda x, g: x - 0.01 * (1 - B1) * g
     / (np.sqrt(1 - B2) * np.abs(g) + 1e-8)),
    ("amsgrad", {"lr": 0.01, "bias_correction": True},
     lambda x, g: x - 0.01 * g / (np.abs(g) + 1e-8)),
]


@pytest.mark.parametrize(
    ("name", "hyperparams", "expected"), FIRST_STEPS,
    ids=[f"{s[0]}-{i}" for i, s in enumerate(FIRST_STEPS)],
)
def test_first_step_by_hand(name, hyperparams, expected):
    x = torch.tensor(X0, dtype=torch.float64)
    states = RULES[name][1]([x])
    step_with(name, [x], states, [torch.tensor(G)], **hyperparams)
    # One update, <= 10 operations on each side, no cancellation but in
    # x - step (atol covers a result near 0): <= 20 u = 2.2e-15 apart on any
    # CPU; nudge: 2.2e-3. A wrong constant (beta for 1 - beta, eps inside
    # the square root) moves x by >= 1e-8 relative.
    np.testing.assert_allclose(x.numpy(), expected(X0, G), rtol=1e-13,
                               atol=1e-15)


def test_adadelta_first_step_state_by_hand():
    x = torch.tensor(X0)
    ((s, delta),) = states = d2l.init_adadelta_states([x])
    step_with("adadelta", [x], states, [torch.tensor(G)], rho=0.9)
    change = np.sqrt(1e-5) / np.sqrt(0.1 * G**2 + 1e-5) * G
    # s: a square and a product, <= 2 u apart (0.1 * 0 = 0 exactly), so
    # rtol 1e-14 = 90 u; delta: ~8 operations, 1e-13 = 900 u. Both fail for
    # a wrong rho (1 - rho = 0.1 read as rho = 0.9) by a factor of 9.
    np.testing.assert_allclose(s.numpy(), 0.1 * G**2, rtol=1e-14)
    np.testing.assert_allclose(delta.numpy(), 0.1 * change**2, rtol=1e-13)


@pytest.mark.parametrize("name", ["adam", "yogi", "adamax", "nadam",
                                  "amsgrad"])
def test_step_counter_lives_in_the_state(name):
    x = torch.zeros(3, dtype=torch.float64)
    states = RULES[name][1]([x])
    for _ in range(4):
        step_with(name, [x], states, [torch.ones(3)], lr=0.1)
    counters = [s for s in states[0] if s.dim() == 0]
    assert float(counters[0]) == 4.0


# --- identities between algorithms -------------------------------------------


def run_rule(name, grads, start, **hyperparams):
    """Apply rule ``name`` to the gradient sequence; return the iterates."""
    x = torch.tensor(start, dtype=torch.float64)
    states = RULES[name][1]([x])
    xs = []
    for g in grads:
        step_with(name, [x], states, [torch.as_tensor(g)], **hyperparams)
        xs.append(x.clone())
    return torch.stack(xs)


@pytest.fixture
def noisy_grads():
    gen = np.random.default_rng(0)
    return gen.standard_normal((50, 6)) * gen.exponential(1.0, (50, 1))


@pytest.mark.parametrize("name", ["sgd_momentum", "sgd_nesterov"])
def test_momentum_with_beta_zero_is_sgd(name, noisy_grads):
    start = np.linspace(-1, 1, 6)
    ours = run_rule(name, noisy_grads, start, lr=0.03, momentum=0.0)
    plain = run_rule("sgd", noisy_grads, start, lr=0.03)
    # Exact on any CPU: 0 * v = 0 and 0 + g = g are exact, so v = g bit for
    # bit and p -= lr * v is sgd's p -= lr * g, the same operation.
    torch.testing.assert_close(ours, plain, rtol=0, atol=0)


def test_adam_with_beta1_zero_is_bias_corrected_rmsprop(noisy_grads):
    """Adam(beta1=0) = RMSProp with lr and eps scaled by sqrt(1 - gamma^t).

    lr g / (sqrt(s / (1 - g^t)) + eps)
        = lr sqrt(1 - g^t) g / (sqrt(s) + eps sqrt(1 - g^t)).
    """
    lr, gamma, eps = 0.01, 0.9, 1e-6
    start = np.linspace(-1, 1, 6)
    adam = run_rule("adam", noisy_grads, start, lr=lr, beta1=0.0,
                    beta2=gamma, eps=eps)
    x = torch.tensor(start)
    states = d2l.init_rmsprop_states([x])
    for t, g in enumerate(noisy_grads, 1):
        c = math.sqrt(1 - gamma**t)
        step_with("rmsprop", [x], states, [torch.as_tensor(g)], lr=lr * c,
                  gamma=gamma, eps=eps * c, eps_inside_sqrt=False)
        # Two roundings of sqrt(1 - gamma^t) per step (here and in adam's
        # bias correction), ~10 operations each side, 50 steps of a
        # contracting average: nudge 3.3e-3, so 1e-12 holds for 300 ulp per
        # update; a missing bias correction is off by ~1e-1 at t = 1.
        torch.testing.assert_close(x, adam[t - 1], rtol=1e-12, atol=1e-14)


def test_first_adam_step_is_plus_minus_lr():
    g = torch.tensor([3.0, -1e-2, 250.0, -7.0], dtype=torch.float64)
    for beta1, beta2 in [(0.9, 0.999), (0.5, 0.9), (0.0, 0.0)]:
        x = torch.zeros(4, dtype=torch.float64)
        step_with("adam", [x], d2l.init_adam_states([x]), [g], lr=0.01,
                  beta1=beta1, beta2=beta2, eps=1e-12)
        # Exactly lr |g| / (|g| + eps) = lr (1 - eps / |g| + ...): eps / |g|
        # <= 1e-12 / 1e-2 = 1e-10 plus a few u; rtol 1e-9 bounds both.
        torch.testing.assert_close(x, -0.01 * torch.sign(g), rtol=1e-9,
                                   atol=0)


def adam_steps(grads, **hyperparams):
    xs = run_rule("adam", grads, np.zeros(grads.shape[1]), eps=1e-12,
                  **hyperparams)
    return torch.diff(xs, dim=0, prepend=torch.zeros(1, grads.shape[1]))


@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.9, 0.99), (0.5, 0.9)])
def test_adam_step_is_bounded_by_lr_in_the_dense_case(betas):
    # Dense: every coordinate's gradient has the same size at every step
    # (random signs), so |v_hat| <= |g| = sqrt(s_hat) and |step| <= lr.
    gen = np.random.default_rng(1)
    size = gen.uniform(0.1, 10.0, 5)
    grads = size * gen.choice([-1.0, 1.0], (300, 5))
    steps = adam_steps(grads, lr=0.1, beta1=betas[0], beta2=betas[1])
    # 1e-9: eps = 1e-12 makes the step smaller, never larger; rounding of
    # the ~10 operations of an update adds <= 10 u = 1.1e-15.
    assert float(steps.abs().max()) <= 0.1 * (1 + 1e-9)
    assert float(steps.abs().max()) >= 0.1 * (1 - 1e-9)  # t = 1


def test_adam_step_bound_for_any_gradients():
    # Cauchy-Schwarz: |v_hat|/sqrt(s_hat) <= (1-b1)/(1-b1^t)
    #   * sqrt((1-b2^t)/(1-b2)) * sqrt((1-r^t)/(1-r)), r = b1^2/b2,
    # with equality for gradients growing by b2/b1 at every step.
    b1, b2, lr, T = 0.9, 0.99, 0.1, 200
    r = b1**2 / b2
    bound = np.array([
        lr * (1 - b1) / (1 - b1**t)
        * math.sqrt((1 - b2**t) / (1 - b2) * (1 - r**t) / (1 - r))
        for t in range(1, T + 1)
    ])
    gen = np.random.default_rng(2)
    grads = gen.standard_normal((T, 4)) * gen.exponential(1, (T, 4)) ** 3
    steps = adam_steps(grads, lr=lr, beta1=b1, beta2=b2).abs().max(1).values
    # 1e-9 relative: the rounding of the update and of the bound (both a
    # few dozen u) and eps = 1e-12 against gradients of size >= 1e-6.
    assert bool((steps.numpy() <= bound * (1 + 1e-9)).all())
    worst = (b2 / b1) ** np.arange(T, dtype=float)[:, None]
    steps = adam_steps(worst, lr=lr, beta1=b1, beta2=b2)[:, 0].numpy()
    # A step is a difference x_t - x_{t-1} of iterates that grow to 35,
    # 160 times the last step: cancellation turns the ~10 u of each into
    # <= 2 * 160 * 10 u = 3.5e-13 of the step;
    # rtol 1e-9 leaves room for 4000 times that and fails if the bound is
    # not reached (a missing sqrt((1 - r^t) / (1 - r)) is a factor 2.2).
    np.testing.assert_allclose(steps, -bound, rtol=1e-9)
    assert -steps[-1] > 2 * lr  # so |step| <= lr needs dense gradients


def test_adam_sparse_step():
    # One large gradient after many zeros: the step is
    # lr (1-b1)/sqrt(1-b2) * sqrt(1-b2^t)/(1-b1^t), below lr (1-b1)/sqrt(1-b2)
    b1, b2, lr, t = 0.9, 0.999, 0.01, 500
    grads = np.zeros((t, 1))
    grads[-1] = 5.0
    step = float(adam_steps(grads, lr=lr, beta1=b1, beta2=b2)[-1].abs()[0])
    exact = lr * (1 - b1) / math.sqrt(1 - b2) * math.sqrt(1 - b2**t) / (
        1 - b1**t)
    # The step is a difference of iterates near 0 and 0.016, from 500
    # updates of zeros (exact) and one real one: ~10 u; eps = 1e-12 against
    # sqrt(s_hat) ~ 5 changes it by 2e-13. rel 1e-9 holds for any CPU and
    # fails for a wrong bias correction (sqrt(1 - b2^t) = 0.63 here).
    assert step == pytest.approx(exact, rel=1e-9)
    assert lr < step <= lr * (1 - b1) / math.sqrt(1 - b2)


def test_yogi_second_moment_identity(noisy_grads):
    x = torch.zeros(6, dtype=torch.float64)
    states = d2l.init_adam_states([x])
    ((_, s, _),) = states
    changed_sign = False
    for g in noisy_grads:
        g = torch.as_tensor(g)
        before = s.clone()
        step_with("yogi", [x], states, [g], lr=0.01)
        c = 1 - 0.999  # the package's constant, 0.001 + 9e-19
        expected = before + c * torch.sign(g**2 - before) * g**2
        # Same operations; another CPU may fuse the last multiply-add
        # (one rounding less). The sum of two terms is off by <= 2 u of
        # the terms, not of the sum, which cancels when s ~ g^2 / 1000:
        # |s - expected| <= 2 u (|before| + c g^2) on any CPU. A wrong
        # branch of the sign is off by 2 c g^2, a wrong c by 1e-3 relative.
        terms = before.abs() + c * g**2
        assert bool(((s - expected).abs() <= 2.3e-16 * terms).all())
        changed_sign |= bool((g**2 < before).any())
    assert changed_sign  # both branches of the sign were exercised


def test_yogi_first_step_equals_adams():
    g = torch.tensor(G)
    xs = []
    for name in ("yogi", "adam"):
        x = torch.tensor(X0)
        step_with(name, [x], RULES[name][1]([x]), [g], lr=0.01, eps=1e-3)
        xs.append(x)
    # Exact on any CPU: from s = 0, yogi's s + c sign(g^2) g^2 and adam's
    # beta2 * 0 + c g^2 are both the one product c g^2 (fused or not), and
    # the rest of the two updates is the same code.
    torch.testing.assert_close(xs[0], xs[1], rtol=0, atol=0)


def test_amsgrad_is_adam_while_gradients_grow():
    # If |g_t| never shrinks, s_t never shrinks, so max(s) = s.
    gen = np.random.default_rng(3)
    grads = (np.cumsum(gen.uniform(0, 1, (40, 5)), axis=0)
             * gen.choice([-1.0, 1.0], (40, 5)))
    start = np.zeros(5)
    hp = {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    ams = run_rule("amsgrad", grads, start, bias_correction=True, **hp)
    adam = run_rule("adam", grads, start, **hp)
    # The same operations in the same order here, bit for bit today; 1e-12
    # also covers an AMSGrad written in another order: 40 updates with one
    # ulp each use 0.66 of 1e-14 (nudge), so 1e-12 holds for ~150 ulp per
    # update. If s_max ever lagged s (the max not taken), the step would
    # change by >= 1e-4 relative.
    torch.testing.assert_close(ams, adam, rtol=1e-12, atol=1e-14)


def test_adamax_u_is_a_discounted_max(noisy_grads):
    x = torch.zeros(6, dtype=torch.float64)
    states = d2l.init_adamax_states([x])
    for g in noisy_grads:
        step_with("adamax", [x], states, [torch.as_tensor(g)], lr=0.01)
    t = len(noisy_grads)
    weights = 0.999 ** np.arange(t - 1, -1, -1)[:, None]
    expected = (weights * np.abs(noisy_grads)).max(0)
    # u is a max of exact |g| times products of 0.999 (<= 50 roundings,
    # 5.5e-15; numpy's power may differ by an ulp from the package's
    # repeated products): rtol 1e-12; nudge 2.2e-3. Forgetting the
    # discount (0.999^49 = 0.95) is off by 5e-2.
    np.testing.assert_allclose(states[0][1].numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_rule_descends_on_the_quadratic(name):
    def f_grad(x1, x2):
        return 0.2 * x1, 4 * x2

    trace = d2l.train_2d(
        d2l.trainer_2d(*RULES[name], f_grad, **WORKING[name]), steps=100)
    x1, x2 = trace.final
    assert 0.1 * x1**2 + 2 * x2**2 < 0.1 * 0.1 * 25 + 2 * 4


@pytest.mark.parametrize("name", ["sgd_momentum", "adam", "rmsprop",
                                  "adagrad"])
def test_rules_make_progress_on_rosenbrock(name):
    def f(x1, x2):
        return (1 - x1) ** 2 + 100 * (x2 - x1**2) ** 2

    def f_grad(x1, x2):
        return (-2 * (1 - x1) - 400 * x1 * (x2 - x1**2),
                200 * (x2 - x1**2))

    hp = {"sgd_momentum": {"lr": 1e-4, "momentum": 0.9},
          "adam": {"lr": 0.02}, "rmsprop": {"lr": 1e-2, "gamma": 0.9},
          "adagrad": {"lr": 0.1}}[name]
    trace = d2l.train_2d(d2l.trainer_2d(*RULES[name], f_grad, **hp),
                         steps=2000, x0=(-1.5, 2.0))
    assert trace.stopped_at is None
    assert f(*trace.final) < 0.1 * f(-1.5, 2.0)


# --- the contract of an update rule ------------------------------------------


@pytest.mark.parametrize("name", sorted(RULES))
def test_rules_keep_gradients_and_hyperparams(name):
    x = torch.tensor(X0, requires_grad=True)
    states = RULES[name][1]([x])
    hyperparams = types.MappingProxyType(dict(WORKING[name]))  # read-only
    x.grad = torch.tensor(G)
    with torch.no_grad():
        RULES[name][0]([x], states, hyperparams)
    np.testing.assert_array_equal(x.grad.numpy(), G)  # not zeroed
    assert dict(hyperparams) == WORKING[name]
    assert not np.allclose(x.detach().numpy(), X0)


@pytest.mark.parametrize("name", sorted(RULES))
def test_rules_are_short_textbook_code(name):
    """The from-scratch code the chapters show: a short loop, no zeroing."""
    fn = RULES[name][0]
    tree = ast.parse(inspect.getsource(fn))
    body = tree.body[0].body[1:]  # without the docstring
    lines = sum(
        node.end_lineno - node.lineno + 1 for node in body
    )
    assert lines <= 20
    source = ast.unparse(tree)
    assert "zero_" not in source
    assert isinstance(body[-1], ast.For)
    assert any(isinstance(node, ast.With) for node in ast.walk(body[-1]))


@pytest.mark.parametrize("name", sorted(RULES))
@pytest.mark.parametrize("dim", [1, 5])
def test_states_for_the_airfoil_model(name, dim):
    w, b = torch.zeros(dim, 1), torch.zeros(1)
    states = RULES[name][1](dim)
    assert len(states) == 2
    for p, state in zip((w, b), states):
        leaves = state if isinstance(state, tuple) else (state,)
        for leaf in leaves:
            if leaf is None:
                continue
            assert leaf.dtype == torch.float32
            assert leaf.shape in (p.shape, torch.Size([]))
    # and the rule runs on them
    w.grad, b.grad = torch.ones(dim, 1), torch.ones(1)
    RULES[name][0]([w, b], states, WORKING[name])
    assert bool(torch.isfinite(w).all()) and float(w.abs().sum()) > 0


@pytest.mark.parametrize("name", sorted(RULES))
def test_states_shaped_like_tensors(name):
    params = [torch.zeros(2, 3, dtype=torch.float64), torch.zeros(4)]
    states = RULES[name][1](params)
    assert len(states) == 2
    for p, state in zip(params, states):
        leaves = state if isinstance(state, tuple) else (state,)
        for leaf in leaves:
            if leaf is not None:
                assert leaf.dtype == p.dtype
                assert leaf.shape in (p.shape, torch.Size([]))


@pytest.mark.parametrize("bad", [0, -3, True, "5", torch.zeros(3), 2.5])
def test_states_reject_bad_input(bad):
    with pytest.raises(ValueError, match="feature_dim|list of tensors"):
        d2l.init_adam_states(bad)


# --- validation --------------------------------------------------------------

INVALID = [
    ("sgd", {"lr": -0.1}, "lr must be >= 0, got -0.1"),
    ("sgd", {"lr": float("nan")}, "lr must be >= 0, got nan"),
    ("sgd", {"lr": "0.1"}, "lr must be >= 0, got '0.1'"),
    ("sgd", {"lr": True}, "lr must be >= 0, got True"),
    ("sgd_momentum", {"lr": 0.1, "momentum": 1.0},
     r"momentum must be in \[0, 1\), got 1.0"),
    ("sgd_momentum", {"lr": 0.1},
     "sgd_momentum needs the hyperparameter 'momentum'"),
    ("sgd_nesterov", {"lr": 0.1, "momentum": -0.2},
     r"momentum must be in \[0, 1\), got -0.2"),
    ("rmsprop", {"lr": 0.1, "gamma": 1.5},
     r"gamma must be in \[0, 1\), got 1.5"),
    ("adadelta", {"rho": 1.0}, r"rho must be in \[0, 1\), got 1.0"),
    ("adadelta", {"rho": 0.9, "lr": -1}, "lr must be >= 0, got -1"),
    ("adam", {"lr": 0.1, "beta1": 1}, r"beta1 must be in \[0, 1\), got 1"),
    ("adam", {"lr": 0.1, "beta2": -0.1},
     r"beta2 must be in \[0, 1\), got -0.1"),
    ("adam", {"lr": 0.1, "eps": 0}, "eps must be > 0, got 0"),
    ("yogi", {"lr": 0.1, "eps": -1e-3}, "eps must be > 0, got -0.001"),
    ("adam", {"lrr": 0.1},
     "unknown hyperparameter 'lrr' for adam; expected one of beta1, beta2, "
     "eps, lr"),
    ("adam", {"lr": 0.01, "t": 1}, "step counter t lives in the states"),
    ("adam", {}, "adam needs the hyperparameter 'lr'"),
    ("adagrad", {"lr": 0.1, "eps_inside_sqrt": 1},
     "eps_inside_sqrt must be True or False, got 1"),
    ("nadam", {"lr": 0.1, "momentum_decay": -1},
     "momentum_decay must be >= 0 or None, got -1"),
    ("amsgrad", {"lr": 0.1, "bias_correction": "yes"},
     "bias_correction must be True or False"),
    ("adamax", {"lr": 0.1, "eps_in_max": None},
     "eps_in_max must be True or False"),
]


@pytest.mark.parametrize(
    ("name", "hyperparams", "message"), INVALID,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(INVALID)],
)
def test_bad_hyperparams_raise_before_any_update(name, hyperparams,
                                                 message):
    x = torch.tensor(X0)
    states = RULES[name][1]([x])
    x.grad = torch.tensor(G)
    with pytest.raises(ValueError, match=message):
        RULES[name][0]([x], states, hyperparams)
    np.testing.assert_array_equal(x.numpy(), X0)  # nothing moved
    with pytest.raises(ValueError, match=message):
        d2l.trainer_2d(*RULES[name], lambda a, b: (a, b), **hyperparams)


@pytest.mark.parametrize("name", [n for n in RULES if n != "adadelta"])
def test_every_rule_rejects_a_negative_learning_rate(name):
    with pytest.raises(ValueError, match="lr must be >= 0, got -1"):
        d2l.check_hyperparams(name, {**WORKING[name], "lr": -1})


def test_check_hyperparams_fills_in_the_sources_defaults():
    assert d2l.check_hyperparams("adam", {"lr": 0.01}) == {
        "lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-6}
    assert d2l.check_hyperparams(d2l.yogi, {"lr": 0.01})["eps"] == 1e-3
    assert d2l.check_hyperparams("adadelta", {"rho": 0.9})["lr"] == 1.0
    with pytest.raises(ValueError, match="unknown optimizer 'sophia'"):
        d2l.check_hyperparams("sophia", {"lr": 0.1})
    with pytest.raises(ValueError, match="must be a dict"):
        d2l.check_hyperparams("sgd", [("lr", 0.1)])


def test_registry_lists_every_rule():
    # AdamW (appended for the Adam chapter) has tests of its own, in
    # tests/test_optim_adamw.py; RAdam and schedule-free AdamW (appended
    # for the schedules chapter) in tests/test_schedules.py; Adafactor,
    # Lion, Muon and Shampoo in tests/test_optim_modern.py.
    own_tests = {"adamw", "radam", "schedule_free_adamw", "adafactor",
                 "lion", "muon", "shampoo"}
    assert set(optim.OPTIMIZERS) == set(RULES) | own_tests
    assert set(optim._SPECS) == set(RULES) | own_tests


# --- 2-D trainers ------------------------------------------------------------


def f_grad_2d(x1, x2):
    return 0.2 * x1, 4 * x2


def source_trainers():
    """The 2-D trainers as the sources write them."""
    eta, beta, gamma = 0.6, 0.5, 0.9

    def gd_2d(x1, x2, s1, s2):
        return x1 - 0.4 * 0.2 * x1, x2 - 0.4 * 4 * x2, 0, 0

    def momentum_2d(x1, x2, v1, v2):
        v1 = beta * v1 + 0.2 * x1
        v2 = beta * v2 + 4 * x2
        return x1 - eta * v1, x2 - eta * v2, v1, v2

    def adagrad_2d(x1, x2, s1, s2):
        eps = 1e-6
        g1, g2 = 0.2 * x1, 4 * x2
        s1 += g1**2
        s2 += g2**2
        x1 -= 0.4 / math.sqrt(s1 + eps) * g1
        x2 -= 0.4 / math.sqrt(s2 + eps) * g2
        return x1, x2, s1, s2

    def rmsprop_2d(x1, x2, s1, s2):
        g1, g2, eps = 0.2 * x1, 4 * x2, 1e-6
        s1 = gamma * s1 + (1 - gamma) * g1**2
        s2 = gamma * s2 + (1 - gamma) * g2**2
        x1 -= 0.4 / math.sqrt(s1 + eps) * g1
        x2 -= 0.4 / math.sqrt(s2 + eps) * g2
        return x1, x2, s1, s2

    return [
        (gd_2d, "sgd", {"lr": 0.4}),
        (momentum_2d, "sgd_momentum", {"lr": eta, "momentum": beta}),
        (adagrad_2d, "adagrad", {"lr": 0.4}),
        (rmsprop_2d, "rmsprop", {"lr": 0.4, "gamma": gamma}),
    ]


@pytest.mark.parametrize(("source", "name", "hyperparams"),
                         source_trainers(),
                         ids=[s[1] for s in source_trainers()])
def test_trainer_2d_follows_the_sources_trace(source, name, hyperparams):
    expected = d2l.train_2d(source, steps=20)
    trainer = d2l.trainer_2d(*RULES[name], f_grad_2d, **hyperparams)
    ours = d2l.train_2d(trainer, steps=20)
    # Python floats against torch float64, 20 contracting steps of ~8
    # operations: nudge <= 8e-4 (1 ulp per update), so 1e-12 holds for
    # >1000 ulp per update; atol for coordinates that reach ~1e-10. A wrong
    # lr or gamma by 1e-6 relative moves the trace by more.
    np.testing.assert_allclose(ours.points, expected.points, rtol=1e-12,
                               atol=1e-12)


def test_trainer_2d_starts_fresh_on_every_run():
    trainer = d2l.trainer_2d(d2l.adam, d2l.init_adam_states, f_grad_2d,
                             lr=0.5)
    first = d2l.train_2d(trainer, steps=15)
    second = d2l.train_2d(trainer, steps=15)
    np.testing.assert_array_equal(first.points, second.points)


def test_trainer_2d_takes_f_grad_from_train_2d():
    trainer = d2l.trainer_2d(d2l.sgd, d2l.init_sgd_states, None, lr=0.1)
    trace = d2l.train_2d(trainer, steps=5, f_grad=f_grad_2d)
    expected = d2l.train_2d(
        d2l.trainer_2d(d2l.sgd, d2l.init_sgd_states, f_grad_2d, lr=0.1),
        steps=5)
    np.testing.assert_array_equal(trace.points, expected.points)
    with pytest.raises(ValueError, match="needs f_grad"):
        d2l.train_2d(trainer, steps=1)


def test_trainer_2d_reports_divergence():
    trainer = d2l.trainer_2d(d2l.sgd, d2l.init_sgd_states, f_grad_2d,
                             lr=0.6)  # 0.6 * 4 > 2: diverges along x2
    trace = d2l.train_2d(trainer, steps=20)
    assert trace.diverges()


# --- 2-D trainers with a learning-rate schedule ------------------------------


def test_trainer_2d_constant_schedule_is_the_constant_rate():
    fixed = d2l.train_2d(d2l.trainer_2d(d2l.sgd_momentum,
                                        d2l.init_momentum_states, f_grad_2d,
                                        lr=0.3, momentum=0.5))
    scheduled = d2l.train_2d(d2l.trainer_2d(
        d2l.sgd_momentum, d2l.init_momentum_states, f_grad_2d,
        momentum=0.5, schedule=lambda t: 0.3))
    np.testing.assert_array_equal(fixed.points, scheduled.points)


def test_trainer_2d_schedule_matches_a_hand_loop():
    def schedule(t):
        return 0.4 * math.exp(-0.1 * t)

    trainer = d2l.trainer_2d(d2l.sgd, d2l.init_sgd_states, f_grad_2d,
                             schedule=schedule)
    trace = d2l.train_2d(trainer, steps=30)
    x1, x2, expected = -5.0, -2.0, [(-5.0, -2.0)]
    for t in range(1, 31):  # update t = 1, 2, ...
        g1, g2 = f_grad_2d(x1, x2)
        x1, x2 = x1 - schedule(t) * g1, x2 - schedule(t) * g2
        expected.append((x1, x2))
    # Same schedule values (one Python function); 30 steps of x - lr g
    # with |1 - lr * 4| < 1: nudge 7.9e-4. A schedule read at t - 1
    # instead of t is off by exp(0.1) - 1 = 0.1 in the first step.
    np.testing.assert_allclose(trace.points, expected, rtol=1e-12)
    # Every run counts its updates from 1 again.
    again = d2l.train_2d(trainer, steps=30)
    np.testing.assert_array_equal(again.points, trace.points)


def test_trainer_2d_schedule_sees_the_update_count():
    seen = []

    def schedule(t):
        seen.append(t)
        return 0.1

    d2l.train_2d(d2l.trainer_2d(d2l.adam, d2l.init_adam_states, f_grad_2d,
                                schedule=schedule), steps=5)
    assert seen == [1, 1, 2, 3, 4, 5]  # once when checked, then per update


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"schedule": 0.1}, "schedule must be a function"),
        ({"schedule": lambda t: 0.1, "lr": 0.1}, "not both"),
        ({"schedule": lambda t: -0.1}, r"schedule\(1\) gave -0.1"),
    ],
)
def test_trainer_2d_rejects_a_bad_schedule(kwargs, match):
    with pytest.raises((TypeError, ValueError), match=match):
        d2l.trainer_2d(d2l.sgd, d2l.init_sgd_states, f_grad_2d, **kwargs)


# --- the status of a static trace is the live traces' ---------------------


def _f_2d(x1, x2):
    return 0.1 * x1**2 + 2 * x2**2


def test_adadelta_static_trace_is_not_diverging_and_keeps_its_title():
    """Adadelta on f_2d ends in a slowly widening two-cycle near the
    minimum: its steps grow (the old test called that diverging), its f
    stays far below its start."""
    trace = d2l.train_2d(d2l.trainer_2d(
        d2l.adadelta, d2l.init_adadelta_states, f_grad_2d, rho=0.9),
        steps=300)
    steps = np.linalg.norm(np.diff(trace.points, axis=0), axis=1)
    old = [steps[n - 1] > steps[n - 2] and steps[n - 1] > steps[0]
           for n in range(20, 301)]  # the old test, after n steps
    assert sum(old) >= 5
    assert not any(d2l.Trace(trace.points[:n + 1]).diverges(_f_2d)
                   for n in range(4, 301))
    ax = d2l.show_trace_2d(_f_2d, trace, title="Adadelta, 300 steps")
    assert ax.get_title() == "Adadelta, 300 steps"
    plt.close(ax.figure)


def test_diverging_static_trace_says_so_under_its_title():
    trace = d2l.train_2d(d2l.trainer_2d(d2l.sgd, d2l.init_sgd_states,
                                        f_grad_2d, lr=0.6), steps=20)
    assert trace.diverges(_f_2d) and trace.diverges()
    ax = d2l.show_trace_2d(_f_2d, trace, title="GD, lr 0.6")
    title, status = ax.get_title().split("\n")
    assert title == "GD, lr 0.6"
    # ... in the live traces' words, for the same objective
    spec = {"quadratic": [0.1, 2.0, 0.0]}
    live = d2l.run_status(trace, spec, ax.get_xlim(), ax.get_ylim())
    assert live["kind"] == "diverging" and live["text"] == status
    ax2 = d2l.show_trace_2d(spec, trace, title="GD, lr 0.6")
    assert ax2.get_title() == ax.get_title()
    plt.close("all")


@pytest.mark.parametrize("spec", [{"quadratic": [0.1, 2.0, 0.0]},
                                  {"quadratic": [1.0, 1.0, 1.5]},
                                  {"rosenbrock": [1.0, 10.0]},
                                  {"multimodal": []}])
def test_diverges_agrees_with_the_live_status(spec):
    """On the live traces' objectives, Trace.diverges is run_status's
    "diverging" for every run that has left the frame (the live traces
    wait until the run leaves their fixed frame; a static frame follows
    the run, so it needs no such wait)."""
    value, grad = d2l.objective_2d(spec)
    kinds = set()
    for lr in [0.001, 0.01, 0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 1.1, 1.5]:
        for x0 in [(-1.5, 1.0), (0.5, -0.3), (2.0, 2.0)]:
            trace = d2l.train_2d(d2l.trainer_2d(
                d2l.sgd, d2l.init_sgd_states, grad, lr=lr), steps=30,
                x0=x0)
            live = d2l.run_status(trace, spec, (9e9, 9e9 + 1),
                                  (9e9, 9e9 + 1))  # a frame left at once
            ours = trace.diverges(spec)
            if trace.stopped_at is None:
                assert ours == (live is not None
                                and live["kind"] == "diverging"), (lr, x0)
            kinds.add(ours)
    assert kinds == {True, False}


def test_no_lower_bound_means_only_a_blow_up_diverges():
    def saddle(x1, x2):
        return x1**2 - x2**2

    trace = d2l.train_2d(d2l.trainer_2d(
        d2l.sgd, d2l.init_sgd_states, lambda a, b: (2 * a, 2 * b), lr=1.2),
        steps=10)  # x <- -1.4 x: f rises by 1.96 each step
    assert trace.diverges(saddle) and not trace.diverges(saddle, lower=None)
    ax = d2l.show_trace_2d(saddle, trace, lower=None, title="t")
    assert ax.get_title().startswith("t\nends uphill")
    plt.close(ax.figure)


def test_a_run_leaving_a_saddle_escapes_in_black():
    """f = x1^2 - x2^2 has no lower bound: a run whose f falls below 0 and
    below its start escapes (the live traces' "escapes", not bad)."""
    spec = {"saddle": []}
    value, grad = d2l.objective_2d(spec)
    trace = d2l.train_2d(d2l.trainer_2d(d2l.sgd, d2l.init_sgd_states, grad,
                                        lr=0.1), steps=30, x0=(-2.0, 0.01))
    assert not trace.diverges(spec) and not trace.diverges(value)
    ax = d2l.show_trace_2d(spec, trace, title="GD")
    live = d2l.run_status(trace, spec, ax.get_xlim(), ax.get_ylim())
    assert live["kind"] == "escapes" and not live["bad"]
    assert ax.get_title() == "GD\n" + live["text"]
    assert ax.title.get_color() == "black"
    # The function objective_2d made knows its spec (value.spec).
    ax = d2l.show_trace_2d(value, trace, title="GD")
    assert ax.get_title() == "GD\n" + live["text"]
    # A plain function is taken to be bounded by 0 ("auto"): going below
    # 0 shows that it was not, and nothing is claimed; lower=None says f
    # has no bound, and the run escapes.
    def saddle(x1, x2):
        return x1**2 - x2**2

    assert d2l.show_trace_2d(saddle, trace, title="GD").get_title() == "GD"
    ax = d2l.show_trace_2d(saddle, trace, title="GD", lower=None)
    assert ax.get_title().startswith("GD\nf falls without bound: f fell")
    plt.close("all")
