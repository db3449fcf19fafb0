"""The exercise checks of chapters/choosing.ipynb: each rejects a plausible
wrong answer with a hint and accepts a right answer written another way."""

from __future__ import annotations

import math

import numpy as np
import torch

import d2lmini as d2l


def test_adam_gb(not_yet):
    not_yet("choosing.adam_gb", 56)  # Adam's state alone
    not_yet("choosing.adam_gb", 84)  # one tensor missing
    not_yet("choosing.adam_gb", 4 * 4 * 7e9 / 2**30, "GiB")
    not_yet("choosing.adam_gb", "lots")
    assert d2l.check("choosing.adam_gb", 4 * 4 * 7e9 / 1e9).passed
    assert d2l.check("choosing.adam_gb", "112").passed
    assert d2l.check("choosing.adam_gb", np.float32(112.0)).passed


def escape_loop(eta, delta):
    x2, t = delta, 0
    while abs(x2) <= 1:
        x2 *= 1 + 2 * eta
        t += 1
    return t


def escape_formula(eta, delta):
    """The closed form: the smallest t with (1 + 2 eta)**t |delta| > 1."""
    t = math.ceil(-math.log(abs(delta)) / math.log(1 + 2 * eta))
    return t + 1 if (1 + 2 * eta) ** t * abs(delta) <= 1 else t


def test_escape_steps(not_yet):
    not_yet("choosing.escape_steps", 8, "function")
    not_yet("choosing.escape_steps",
            lambda eta, delta: escape_formula(eta, delta) - 1, "round up")
    not_yet("choosing.escape_steps",
            lambda eta, delta: escape_loop(eta / 2, delta), "1 + 2 eta")
    not_yet("choosing.escape_steps", lambda eta, delta: 1 / 0,
            "ZeroDivisionError")
    assert d2l.check("choosing.escape_steps", escape_loop).passed
    assert d2l.check("choosing.escape_steps", escape_formula).passed


def test_adam_first_step(not_yet):
    not_yet("choosing.adam_first_step", (-0.8, 0.016), "gradient descent")
    not_yet("choosing.adam_first_step", (-1.7, 0.31))
    not_yet("choosing.adam_first_step", 3.0, "pair")
    f, f_grad = d2l.objective_2d({"saddle": []})
    trace = d2l.train_2d(d2l.trainer_2d(d2l.adam, d2l.init_adam_states,
                                        f_grad, lr=0.3),
                         steps=1, x0=(-2.0, 0.01))
    assert d2l.check("choosing.adam_first_step", trace.final).passed
    assert d2l.check("choosing.adam_first_step",
                     torch.tensor(trace.final)).passed
