"""The exercise checks of chapters/adam.ipynb: each rejects a plausible
wrong answer with a hint and accepts a right answer written another way."""

from __future__ import annotations

import numpy as np
import torch

import d2lmini as d2l


def test_first_step(not_yet):
    not_yet("adam.first_step", (-0.03, 0.00002), "gradient descent")
    not_yet("adam.first_step", (0.01, -0.01), "signs")
    not_yet("adam.first_step", "two numbers")
    assert d2l.check("adam.first_step",
                     np.array([-0.01 * 3 / (3 + 1e-6),
                               0.01 * 0.002 / (0.002 + 1e-6)])).passed
    assert d2l.check("adam.first_step",
                     torch.tensor([[-0.0099999967, 0.0099950025]])).passed


def test_unbiased_average(not_yet, passes):
    def biased(m, y, t, beta):  # the plain leaky average from 0
        return beta * m + (1 - beta) * y

    not_yet("adam.unbiased_average", biased, "biased")
    not_yet("adam.unbiased_average", lambda m, y, t, beta: None, "nothing")

    def divided(m, y, t, beta):  # divides by 1 - beta^t at every step
        return (beta * m + (1 - beta) * y) / (1 - beta ** t)

    not_yet("adam.unbiased_average", divided, "add up to one")

    def running_mean(m, y, t, beta):  # weights add up to one, no leak
        return m + (y - m) / t

    not_yet("adam.unbiased_average", running_mean, "running mean")

    def extrapolating(m, y, t, beta):  # weights 2 and -1: not an average
        return y if t == 1 else 2 * y - m

    not_yet("adam.unbiased_average", extrapolating)

    def squared(m, y, t, beta):  # not linear in the ys
        return y if t == 1 else beta * m + (1 - beta) * y * abs(y)

    not_yet("adam.unbiased_average", squared)

    def corrected(m, y, t, beta):  # Adam's corrected average, recursively
        keep = beta * (1 - beta ** (t - 1)) / (1 - beta ** t)
        return keep * m + (1 - keep) * y

    def started(m, y, t, beta):  # started at y_1
        return y if t == 1 else beta * m + (1 - beta) * y

    def capped(m, y, t, beta):  # running mean until t = 1 / (1 - beta)
        b = min(beta, 1 - 1 / t)
        return b * m + (1 - b) * y

    def float32(m, y, t, beta):  # the corrected average, in float32
        keep = torch.tensor(beta * (1 - beta ** (t - 1)) / (1 - beta ** t),
                            dtype=torch.float32)
        return keep * torch.tensor(m, dtype=torch.float32) + (1 - keep) * y

    for right in (corrected, started, capped, float32):
        passes("adam.unbiased_average", right)


def test_spread_exponent(not_yet, passes):
    not_yet("adam.spread_exponent", 1.0)  # the step "is about lr"
    not_yet("adam.spread_exponent", 0.0)
    not_yet("adam.spread_exponent", 0.25)
    not_yet("adam.spread_exponent", 0.61)  # just outside the 0.1 allowed
    passes("adam.spread_exponent", "1/2")
    passes("adam.spread_exponent", 1 / 2)
    passes("adam.spread_exponent", 0.515)  # the chapter's own measurement
    passes("adam.spread_exponent", np.float32(0.47))


def test_adam_vs_yogi(not_yet, passes):
    def grad(t):  # the exercise cell's placeholder
        ...

    assert d2l.check("adam.adam_vs_yogi", grad).message == "no answer yet"
    not_yet("adam.adam_vs_yogi", lambda t: None, "nothing")
    not_yet("adam.adam_vs_yogi", lambda t: "three", "not one finite number")
    passes("adam.adam_vs_yogi", lambda t: "3" if t % 3 == 1 else "-1")
    not_yet("adam.adam_vs_yogi", lambda t: 1.0, "does not run off")
    not_yet("adam.adam_vs_yogi", lambda t: -3.0 if t % 3 == 1 else 1.0,
            "positive on average")
    assert d2l.check("adam.adam_vs_yogi",
                     lambda t: 3.0 if t % 3 == 1 else -1.0).passed
    assert d2l.check("adam.adam_vs_yogi",
                     lambda t: [2.5, -1, -1][(t - 1) % 3]).passed
