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
    if abs(delta) > 1:
        return 0
    t = math.ceil(-math.log(abs(delta)) / math.log(1 + 2 * eta))
    return t + 1 if (1 + 2 * eta) ** t * abs(delta) <= 1 else t


def escape_floor(eta, delta):
    """Another right form: floor(L) + 1, with the start outside guarded."""
    return max(0, math.floor(math.log(1 / abs(delta))
                             / math.log(1 + 2 * eta)) + 1)


def test_escape_steps(not_yet):
    not_yet("choosing.escape_steps", 8, "function")
    not_yet("choosing.escape_steps",
            lambda eta, delta: escape_formula(eta, delta) - 1, "round up")
    not_yet("choosing.escape_steps",
            lambda eta, delta: escape_loop(eta / 2, delta), "1 + 2 eta")
    not_yet("choosing.escape_steps", lambda eta, delta: 1 / 0,
            "ZeroDivisionError")
    # round(L): wrong at (0.5, 0.1), where L = 3.32 and the truth is 4
    not_yet("choosing.escape_steps", lambda eta, delta: round(
        math.log(1 / abs(delta)) / math.log(1 + 2 * eta)),
        "(0.5, 0.1)", "nearest")
    # a plain ceil, guarded for |delta| > 1: wrong at the exact power
    # (0.5, 0.25), where (1 + 2 eta)**2 |delta| = 1 is not > 1
    not_yet("choosing.escape_steps", lambda eta, delta: max(0, math.ceil(
        math.log(1 / abs(delta)) / math.log(1 + 2 * eta))),
        "(0.5, 0.25)", "exact power")
    # floor(L) + 1 without the guard: -1 for a start already outside
    not_yet("choosing.escape_steps", lambda eta, delta: math.floor(
        math.log(1 / abs(delta)) / math.log(1 + 2 * eta)) + 1,
        "(0.4, 2.0)", "return 0")
    assert d2l.check("choosing.escape_steps", escape_loop).passed
    assert d2l.check("choosing.escape_steps", escape_formula).passed
    assert d2l.check("choosing.escape_steps", escape_floor).passed


def test_adam_first_step(not_yet):
    not_yet("choosing.adam_first_step", (-0.8, 0.016), "gradient descent")
    not_yet("choosing.adam_first_step", (-1.7, 0.31), "epsilon")
    not_yet("choosing.adam_first_step", 3.0, "pair")
    f, f_grad = d2l.objective_2d({"saddle": []})
    trace = d2l.train_2d(d2l.trainer_2d(d2l.adam, d2l.init_adam_states,
                                        f_grad, lr=0.3),
                         steps=1, x0=(-2.0, 0.01))
    assert d2l.check("choosing.adam_first_step", trace.final).passed
    assert d2l.check("choosing.adam_first_step",
                     torch.tensor(trace.final)).passed
