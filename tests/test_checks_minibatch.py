"""The exercise checks of chapters/minibatch-sgd.ipynb: for each, a
plausible wrong answer gets "Not yet" with a useful hint, and a right answer
written in another form passes."""

from __future__ import annotations

import functools

import numpy as np
import torch

from d2lmini.checks import check


def test_best_lr_right_in_another_form():
    # The best rate of the grid by the mean loss over the last epoch.
    assert check("minibatch.best_lr", 0.1).passed
    assert check("minibatch.best_lr", "0.1").passed
    assert check("minibatch.best_lr", np.float32(0.1)).passed


def test_best_lr_plausible_wrong_answers():
    # The runner-up, which a single noisy final value may favour.
    fb = check("minibatch.best_lr", 0.3)
    assert not fb.passed and "last epoch" in fb.message
    assert "last_epoch_loss" in fb.hint
    # The largest rate: fast at first, then it blows up.
    assert not check("minibatch.best_lr", 1.0).passed
    # A rate that is not on the grid.
    fb = check("minibatch.best_lr", 0.05)
    assert not fb.passed and "pick one of the rates" in fb.hint
    assert not check("minibatch.best_lr", None).passed


def test_lr_schedule_right_in_other_forms():
    assert check("minibatch.lr_schedule", lambda opt:
                 torch.optim.lr_scheduler.StepLR(opt, 1, gamma=0.1)).passed
    assert check("minibatch.lr_schedule", lambda opt:
                 torch.optim.lr_scheduler.LambdaLR(
                     opt, lambda epoch: 0.1 ** epoch)).passed
    assert check("minibatch.lr_schedule", functools.partial(
        torch.optim.lr_scheduler.ExponentialLR, gamma=0.1)).passed


def test_lr_schedule_plausible_wrong_answers():
    # gamma read as "the amount to decay by".
    wrong = check("minibatch.lr_schedule", lambda opt:
                  torch.optim.lr_scheduler.StepLR(opt, 1, gamma=0.9))
    assert not wrong.passed and "gamma" in wrong.hint
    # Divides only every other epoch.
    wrong = check("minibatch.lr_schedule", lambda opt:
                  torch.optim.lr_scheduler.StepLR(opt, 2, gamma=0.1))
    assert not wrong.passed
    # Forgot to return the scheduler.
    fb = check("minibatch.lr_schedule", lambda opt: None)
    assert not fb.passed and "return" in fb.hint
    # Passed the scheduler class itself, or a called result.
    assert not check("minibatch.lr_schedule", None).passed


def test_sampler_right_in_other_forms():
    assert check("minibatch.sampler",
                 lambda n, b: torch.randint(n, (b,))).passed
    assert check("minibatch.sampler",
                 lambda n, b: np.random.randint(0, n, size=b)).passed
    assert check("minibatch.sampler", lambda n, b: torch.multinomial(
        torch.ones(n), b, replacement=True)).passed


def test_sampler_plausible_wrong_answers():
    # Without replacement: a slice of a permutation.
    fb = check("minibatch.sampler", lambda n, b: torch.randperm(n)[:b])
    assert not fb.passed
    # Off by one: indices up to n.
    fb = check("minibatch.sampler", lambda n, b: torch.randint(n + 1, (b,)))
    assert not fb.passed and "outside" in fb.message
    # Not random.
    assert not check("minibatch.sampler",
                     lambda n, b: torch.zeros(b, dtype=torch.long)).passed
    # Floats instead of indices.
    fb = check("minibatch.sampler", lambda n, b: torch.rand(b) * n)
    assert not fb.passed and "integers" in fb.message


GENIE_RIGHT = {"updates_per_epoch": 30, "gd_gradient_ratio": 1.0,
               "variance_ratio": (2900 / 2999) / (1400 / 1499)}


def test_genie_right_in_another_form():
    assert check("minibatch.genie", GENIE_RIGHT).passed
    assert check("minibatch.genie", {
        "updates_per_epoch": "30", "gd_gradient_ratio": np.float64(1),
        "variance_ratio": torch.tensor(1.0353710)}).passed


def test_genie_plausible_wrong_answers():
    # The original data's number of updates.
    fb = check("minibatch.genie", {**GENIE_RIGHT, "updates_per_epoch": 15})
    assert not fb.passed and "2n" in fb.hint
    # A sum instead of a mean: the gradient doubles.
    fb = check("minibatch.genie", {**GENIE_RIGHT, "gd_gradient_ratio": 2.0})
    assert not fb.passed and "average" in fb.hint
    # Forgetting the finite-population factor.
    fb = check("minibatch.genie", {**GENIE_RIGHT, "variance_ratio": 1.0})
    assert not fb.passed and "(n - b) / (n - 1)" in fb.hint
    fb = check("minibatch.genie", {**GENIE_RIGHT, "variance_ratio": "1.04?"})
    assert not fb.passed and "variance_ratio should be a number" in fb.message
    assert not check("minibatch.genie", 30).passed
    assert not check("minibatch.genie", {"updates_per_epoch": 30}).passed
