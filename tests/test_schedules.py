"""The schedules of d2lmini.schedules against torch.optim.lr_scheduler, and
RAdam and schedule-free AdamW against their references.

Tolerances. A schedule here is a closed form evaluated in float64; PyTorch's
schedulers mostly update the rate recursively (``lr *= ratio`` at every
step), so after k steps the two differ by about k rounding errors of
relative size 2**-53 = 1.1e-16 each. Over at most 200 steps that is
2.2e-14 of the rate; ``RTOL = 1e-12`` leaves a factor 45 for the few
operations per step, and ``ATOL = 1e-12 * lr`` covers rates that should
be 0 (the bottom of a cosine, computed as 1 + cos(pi) = 1e-16-ish).
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler as ls

import d2lmini as d2l
from d2lmini import optim
from d2lmini import schedules as S

RTOL = 1e-12


def _torch_rates(lr: float, make, steps: int) -> list[float]:
    """The rate of update t = 1..steps: the scheduler's rate after t - 1
    calls of scheduler.step(), each after optimizer.step()."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    sched = make(opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


def _seq(opt, first, second, milestone):
    return ls.SequentialLR(opt, [first, second], milestones=[milestone])


CASES = [
    (S.step_decay(0.5, 7, 0.3), lambda o: ls.StepLR(o, 7, 0.3), 40),
    (S.exponential_decay(0.5, 0.97), lambda o: ls.ExponentialLR(o, 0.97), 60),
    (S.cosine_decay(0.5, 50), lambda o: ls.CosineAnnealingLR(o, 50), 51),
    (S.cosine_decay(0.5, 50, 0.01),
     lambda o: ls.CosineAnnealingLR(o, 50, eta_min=0.01), 51),
    (S.cosine_restarts(0.5, 10),
     lambda o: ls.CosineAnnealingWarmRestarts(o, 10), 45),
    (S.cosine_restarts(0.5, 5, 2, 0.02),
     lambda o: ls.CosineAnnealingWarmRestarts(o, 5, 2, 0.02), 80),
    (S.linear_warmup(0.5, 8),
     lambda o: ls.LinearLR(o, 1 / 8, 1.0, total_iters=7), 20),
    (S.warmup_cosine(0.5, 10, 60),
     lambda o: _seq(o, ls.LinearLR(o, 1 / 10, 1.0, total_iters=9),
                    ls.CosineAnnealingLR(o, 50), 10), 60),
    (S.warmup_cosine(0.5, 5, 30, 0.05),
     lambda o: _seq(o, ls.LinearLR(o, 1 / 5, 1.0, total_iters=4),
                    ls.CosineAnnealingLR(o, 25, eta_min=0.05), 5), 30),
    (S.wsd(0.5, 5, 60, 20),
     lambda o: ls.SequentialLR(o, [
         ls.LinearLR(o, 1 / 5, 1.0, total_iters=4),
         ls.ConstantLR(o, 1.0, total_iters=0),
         ls.LinearLR(o, 1.0, 0.0, total_iters=20)], milestones=[5, 40]), 60),
    (S.one_cycle(0.5, 100),
     lambda o: ls.OneCycleLR(o, 0.5, total_steps=100,
                             cycle_momentum=False), 100),
    (S.one_cycle(0.5, 37, 0.25, 10.0, 100.0),
     lambda o: ls.OneCycleLR(o, 0.5, total_steps=37, pct_start=0.25,
                             div_factor=10.0, final_div_factor=100.0,
                             cycle_momentum=False), 37),
]


@pytest.mark.parametrize("schedule, make, steps", CASES,
                         ids=[repr(c[0]) for c in CASES])
def test_schedule_equals_torch_scheduler_step_by_step(schedule, make, steps):
    ours = [schedule(t) for t in range(1, steps + 1)]
    theirs = _torch_rates(schedule.lr, make, steps)
    np.testing.assert_allclose(ours, theirs, rtol=RTOL,
                               atol=1e-12 * schedule.lr)


def test_warmup_cosine_as_lambda_lr():
    # LambdaLR multiplies the initial rate by f(k), k = scheduler steps.
    s = S.warmup_cosine(0.3, 4, 20)
    theirs = _torch_rates(0.3, lambda o: ls.LambdaLR(
        o, lambda k: s(k + 1) / 0.3), 25)
    np.testing.assert_allclose([s(t) for t in range(1, 26)], theirs,
                               rtol=RTOL, atol=1e-12)


def test_every_kind_rebuilds_from_its_spec():
    for s, _, steps in CASES:
        again = S.schedule_from_spec(s.spec)
        assert [again(t) for t in range(1, steps)] == [
            s(t) for t in range(1, steps)]
    assert set(S.SCHEDULES) >= {"constant_lr", "wsd", "one_cycle"}


@pytest.mark.parametrize("call, message", [
    (lambda: S.cosine_decay(-0.1, 10), "lr must be a finite number >= 0"),
    (lambda: S.cosine_decay(0.1, 0), "num_steps must be a whole number >= 1"),
    (lambda: S.cosine_decay(0.1, 10.0), "num_steps must be a whole number"),
    (lambda: S.cosine_decay(0.1, 10, 0.2), "min_lr must be a finite number"),
    (lambda: S.warmup_cosine(0.1, 10, 10), "warmup must be < num_steps"),
    (lambda: S.wsd(0.1, 5, 20, 16), "decay_steps must be a whole number "
                                    "between 1 and 15"),
    (lambda: S.step_decay(0.1, 3, 1.5), "gamma must be a finite number"),
    (lambda: S.one_cycle(0.1, 3, 0.3), "pct_start * num_steps must be > 1"),
    (lambda: S.cosine_decay(0.1, 10)(0), "t must be a whole number >= 1"),
    (lambda: S.schedule_from_spec({"cosinus": [0.1, 10]}),
     "unknown schedule kind"),
])
def test_bad_arguments_are_named(call, message):
    with pytest.raises((ValueError, TypeError), match=re.escape(message)):
        call()


def test_schedules_drive_the_package_helpers():
    f_grad = lambda x1, x2: (0.2 * x1, 4 * x2)  # noqa: E731
    s = S.warmup_cosine(0.4, 3, 20)
    trace = d2l.train_2d(d2l.trainer_2d(d2l.sgd, d2l.init_sgd_states, f_grad,
                                        schedule=s), 20, x0=(-5.0, -2.0))
    # Update 1 of gradient descent at eta_1 = 0.4 / 3.
    assert trace[1][0] == pytest.approx(-5.0 + 0.4 / 3 * 0.2 * 5.0)
    data_iter, feature_dim = d2l.get_data_ch11(batch_size=100, n=200)
    hist = d2l.train_ch11(d2l.sgd, d2l.init_sgd_states(feature_dim), {},
                          data_iter, feature_dim, num_epochs=1,
                          schedule=S.cosine_decay(0.05, 2))
    assert hist.final_loss < hist.initial_loss


# ---------------------------------------------------------------------------
# RAdam against torch.optim.RAdam.
# ---------------------------------------------------------------------------

def _problem(seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    X = torch.randn(40, 5, generator=gen, dtype=torch.float64)
    y = X @ torch.randn(5, 1, generator=gen, dtype=torch.float64) + 1.0
    w0 = torch.randn(5, 1, generator=gen, dtype=torch.float64)
    return X, y, w0


def _grads(X, y, w, b):
    loss = ((X @ w + b - y) ** 2).mean()
    w.grad, b.grad = None, None
    loss.backward()


@pytest.mark.parametrize("decoupled", [False, True])
@pytest.mark.parametrize("hp", [
    {"lr": 0.01}, {"lr": 0.05, "beta1": 0.5, "beta2": 0.99,
                   "weight_decay": 0.1, "eps": 1e-6}])
def test_radam_equals_torch(hp, decoupled):
    # In float64 both sides round differently at every one of about 20
    # operations per step: 1e-15 relative per step. Over 60 steps of a
    # contracting iteration that stays below 1e-12; RTOL 1e-10 leaves 100x.
    X, y, w0 = _problem()
    hp = {**hp, "decoupled_weight_decay": decoupled}
    ours = [w0.clone().requires_grad_(),
            torch.zeros(1, dtype=torch.float64, requires_grad=True)]
    theirs = [w0.clone().requires_grad_(),
              torch.zeros(1, dtype=torch.float64, requires_grad=True)]
    states = d2l.init_radam_states(ours)
    full = optim.check_hyperparams("radam", hp)
    opt = torch.optim.RAdam(theirs, lr=full["lr"],
                            betas=(full["beta1"], full["beta2"]),
                            eps=full["eps"],
                            weight_decay=full["weight_decay"],
                            decoupled_weight_decay=decoupled)
    for _ in range(60):
        _grads(X, y, *ours)
        d2l.radam(ours, states, hp)
        _grads(X, y, *theirs)
        opt.step()
        # torch.optim.RAdam fuses and orders its ~15 operations per step
        # differently: a few u per update over 60 contracting updates; one
        # random ulp per update uses <= 1.2e-4 of rtol 1e-10
        # (tests/ulp_margin.py). r_t off by 1e-6 (the float32 rho_t bug of
        # issue 16 was 6e-3) fails it.
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a.detach(), b.detach(), rtol=1e-10,
                                       atol=1e-13)


def test_radam_first_steps_are_momentum_sgd():
    # rho_t <= 5 for t <= 5 at beta2 = 0.999 (tests/test_math_lr_schedules):
    # the first update is x - lr * g exactly.
    p = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    p.grad = torch.tensor([0.3, 4.0], dtype=torch.float64)
    d2l.radam([p], d2l.init_radam_states([p]), {"lr": 0.1})
    # The step lr v / (1 - beta1) rounds <= 4 times, <= 4 u of 0.4 against
    # |x| >= 0.97; x - step once more: <= 3 u = 3.3e-16 < rel 1e-15 on any
    # CPU. An adaptive first step (g / |g|) is off by >= 0.07.
    assert p.detach().tolist() == pytest.approx([1.0 - 0.03, -2.0 - 0.4],
                                                rel=1e-15)


# ---------------------------------------------------------------------------
# Schedule-free AdamW against the paper's Algorithm 1, written out apart.
# ---------------------------------------------------------------------------

def _paper_schedule_free(grad, x1, steps, lr, beta1, beta2, eps, decay,
                         warmup):
    """Defazio et al. (2024), Algorithm 1 (AdamW version), in NumPy: returns
    the y_t (where gradients are taken) and the x_t (the averages)."""
    x = np.array(x1, dtype=float)
    z = x.copy()
    v = np.zeros_like(x)
    gamma_sq_sum = 0.0
    ys, xs = [], []
    for t in range(1, steps + 1):
        y = (1 - beta1) * z + beta1 * x
        ys.append(y)
        g = grad(y)
        v = beta2 * v + (1 - beta2) * g * g
        gamma_t = lr * math.sqrt(1 - beta2**t) * (
            min(1.0, t / warmup) if warmup else 1.0)
        z = z - gamma_t * g / (np.sqrt(v) + eps) - gamma_t * decay * y
        gamma_sq_sum += gamma_t**2
        c = gamma_t**2 / gamma_sq_sum
        x = (1 - c) * x + c * z
        xs.append(x)
    return np.array(ys), np.array(xs)


@pytest.mark.parametrize("hp", [
    {"lr": 0.1},
    {"lr": 0.3, "beta1": 0.5, "beta2": 0.99, "weight_decay": 0.05,
     "warmup_steps": 8, "eps": 1e-6},
])
def test_schedule_free_adamw_follows_the_paper(hp):
    # Both in float64 with the same operations up to their order: about
    # 1e-16 relative per operation and step; 50 steps, rtol 1e-10 (100x).
    A = np.array([[3.0, 0.5], [0.5, 0.2]])
    grad = lambda y: A @ y - np.array([1.0, -1.0])  # noqa: E731
    full = optim.check_hyperparams("schedule_free_adamw", hp)
    ys, xs = _paper_schedule_free(
        grad, [2.0, -3.0], 50, full["lr"], full["beta1"], full["beta2"],
        full["eps"], full["weight_decay"], full["warmup_steps"])
    p = torch.tensor([2.0, -3.0], dtype=torch.float64)
    states = d2l.init_schedule_free_adamw_states([p])
    for t in range(50):
        np.testing.assert_allclose(p.numpy(), ys[t], rtol=1e-10, atol=1e-12)
        p.grad = torch.from_numpy(grad(p.numpy()))
        d2l.schedule_free_adamw([p], states, hp)
        np.testing.assert_allclose(states[0][1].numpy(), xs[t], rtol=1e-10,
                                   atol=1e-12)


# ---------------------------------------------------------------------------
# The JavaScript twins (live traces) of the two optimizers and the new
# schedule kinds: same paths as Python to 1e-9, as tests/test_live.py asks.
# ---------------------------------------------------------------------------

sys.path.insert(0, str(Path(__file__).parent))
import test_live  # noqa: E402


@test_live.needs_node
def test_javascript_twins_of_radam_and_schedule_free(tmp_path):
    cases = []
    for f, start, scale in test_live.PROBLEMS:
        for lr in (0.05 * scale, 0.3 * scale):
            for extra in ({}, {"weight_decay": 0.1},
                          {"weight_decay": 0.1,
                           "decoupled_weight_decay": True}):
                cases.append({"optimizer": "radam", "f": f,
                              "hyperparams": {"lr": lr, **extra},
                              "start": list(start), "steps": 40})
            for extra in ({}, {"warmup_steps": 10, "beta1": 0.5},
                          {"weight_decay": 0.05}):
                cases.append({"optimizer": "schedule_free_adamw", "f": f,
                              "hyperparams": {"lr": lr, **extra},
                              "start": list(start), "steps": 40})
    for case, result in zip(cases, test_live._node(cases, tmp_path)):
        test_live._compare(case, result)
