"""Tests of d2lmini.adamw (Adam with decoupled weight decay): parity with
torch.optim.AdamW, a first step written out by hand, the identities with
Adam, and the checks of its hyperparameters."""

from __future__ import annotations

import math

import pytest
import torch

import d2lmini as d2l
from d2lmini import optim


def run_adamw(hyperparams, grads_fn, x0, steps):
    x = torch.tensor(x0, dtype=torch.float64)
    states = d2l.init_adamw_states([x])
    for _ in range(steps):
        x.grad = grads_fn(x)
        d2l.adamw([x], states, hyperparams)
    return x


@pytest.mark.parametrize(("ours", "theirs"), [
    ({"lr": 1e-3, "eps": 1e-8, "weight_decay": 1e-2},
     {"lr": 1e-3, "eps": 1e-8, "weight_decay": 1e-2}),
    ({"lr": 0.05, "beta1": 0.5, "beta2": 0.9, "eps": 1e-3,
      "weight_decay": 0.3},
     {"lr": 0.05, "betas": (0.5, 0.9), "eps": 1e-3, "weight_decay": 0.3}),
])
def test_adamw_matches_torch_adamw(ours, theirs):
    gen = torch.Generator().manual_seed(0)
    A = torch.randn(5, 5, generator=gen, dtype=torch.float64)
    Q = A @ A.T + torch.eye(5, dtype=torch.float64)
    x0 = torch.randn(5, generator=gen, dtype=torch.float64)
    noise = torch.randn(40, 5, generator=gen, dtype=torch.float64)

    x = x0.clone()
    states = d2l.init_adamw_states([x])
    y = x0.clone().requires_grad_()
    opt = torch.optim.AdamW([y], **theirs)
    for k in range(40):
        x.grad = Q @ x + noise[k]
        d2l.adamw([x], states, ours)
        opt.zero_grad()
        (0.5 * y @ Q @ y + noise[k] @ y).backward()
        opt.step()
        # torch.optim.AdamW orders and fuses its ~15 operations per step
        # otherwise: a few u per update over 40 contracting updates. This
        # CPU uses <= 5.4e-5 of rtol 1e-10, one random ulp per update <=
        # 7.3e-5 (tests/ulp_margin.py); decay by lr * wd applied to the
        # gradient instead (Adam's L2) is off by >= 1e-4.
        assert torch.allclose(x, y.detach(), rtol=1e-10, atol=1e-12), k
    assert int(states[0][2]) == 40


def test_first_step_by_hand():
    lr, nu, eps = 0.1, 0.5, 1e-6
    x = torch.tensor([2.0, -1.0], dtype=torch.float64)
    g = torch.tensor([0.3, -4.0], dtype=torch.float64)
    states = d2l.init_adamw_states([x])
    x.grad = g.clone()
    d2l.adamw([x], states, {"lr": lr, "weight_decay": nu, "eps": eps})
    # After one step the bias-corrected moments are g and g^2 exactly.
    expected = (1 - lr * nu) * torch.tensor([2.0, -1.0],
                                            dtype=torch.float64)
    expected -= lr * g / (g.abs() + eps)
    # Decay term ~|x| in <= 4 roundings (fused or not on another CPU),
    # step term 0.1 in <= 8: <= 4 u + 8 u * 0.1 / 0.9 ~ 5 u relative to x
    # (|x| >= 0.9). rtol 2e-15 = 18 u; the decay applied after the step
    # instead of before, or lr * nu forgotten, is off by >= 5e-3.
    assert torch.allclose(x, expected, rtol=2e-15, atol=0)


def test_without_weight_decay_adamw_is_adam():
    def grad(x):
        return torch.stack([0.2 * x[0], 4 * x[1]])

    a = run_adamw({"lr": 0.1, "weight_decay": 0.0}, grad, [-5.0, -2.0], 30)
    x = torch.tensor([-5.0, -2.0], dtype=torch.float64)
    states = d2l.init_adam_states([x])
    for _ in range(30):
        x.grad = grad(x)
        d2l.adam([x], states, {"lr": 0.1})
    assert torch.equal(a, x)


def test_zero_loss_gradient_decays_geometrically():
    # With a zero loss gradient AdamW only decays: x_t = (1 - lr nu)^t x_0.
    x = run_adamw({"lr": 0.1, "weight_decay": 0.2},
                  lambda x: torch.zeros_like(x), [3.0, -1.0], 25)
    factor = (1 - 0.1 * 0.2) ** 25
    assert torch.allclose(x, torch.tensor([3.0 * factor, -1.0 * factor],
                                          dtype=torch.float64))


def test_hyperparameters_are_checked_and_defaulted():
    assert d2l.check_hyperparams("adamw", {"lr": 0.01}) == {
        "lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-6,
        "weight_decay": 0.01}
    with pytest.raises(ValueError, match="weight_decay must be >= 0"):
        d2l.check_hyperparams("adamw", {"lr": 0.01, "weight_decay": -1})
    with pytest.raises(ValueError, match="needs the hyperparameter 'lr'"):
        d2l.check_hyperparams("adamw", {})
    with pytest.raises(ValueError, match="init_adamw_states"):
        d2l.check_hyperparams("adamw", {"lr": 0.01, "t": 1})
    # Adam itself does not take a weight decay.
    with pytest.raises(ValueError, match="unknown hyperparameter"):
        d2l.check_hyperparams("adam", {"lr": 0.01, "weight_decay": 0.1})
    assert optim.OPTIMIZERS["adamw"] is d2l.adamw


def test_adamw_descends_in_2d_and_on_airfoil():
    trainer = d2l.trainer_2d(d2l.adamw, d2l.init_adamw_states,
                             lambda x1, x2: (0.2 * x1, 4 * x2), lr=0.5,
                             weight_decay=0.01)
    trace = d2l.train_2d(trainer, steps=60)
    start, end = trace.points[0], trace.final
    assert math.hypot(*end) < 0.2 * math.hypot(*start)
    data_iter, feature_dim = d2l.get_data_ch11(batch_size=10)
    hist = d2l.train_ch11(d2l.adamw, d2l.init_adamw_states(feature_dim),
                          {"lr": 0.01, "weight_decay": 0.01}, data_iter,
                          feature_dim, 1, plot=False)
    assert hist.final_loss < 0.6 * hist.initial_loss
