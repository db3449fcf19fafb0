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
    def biased(m, z, t, beta):  # the plain leaky average from 0
        return beta * m + (1 - beta) * z

    not_yet("adam.unbiased_average", biased, "biased")
    not_yet("adam.unbiased_average", lambda m, z, t, beta: None, "nothing")

    def divided(m, z, t, beta):  # divides by 1 - beta^t at every step
        return (beta * m + (1 - beta) * z) / (1 - beta ** t)

    not_yet("adam.unbiased_average", divided, "add up to one")

    def running_mean(m, z, t, beta):  # weights add up to one, no leak
        return m + (z - m) / t

    not_yet("adam.unbiased_average", running_mean, "running mean")

    def extrapolating(m, z, t, beta):  # weights 2 and -1: not an average
        return z if t == 1 else 2 * z - m

    not_yet("adam.unbiased_average", extrapolating)

    def squared(m, z, t, beta):  # not linear in the zs
        return z if t == 1 else beta * m + (1 - beta) * z * abs(z)

    not_yet("adam.unbiased_average", squared)

    def corrected(m, z, t, beta):  # Adam's corrected average, recursively
        keep = beta * (1 - beta ** (t - 1)) / (1 - beta ** t)
        return keep * m + (1 - keep) * z

    def started(m, z, t, beta):  # started at z_1
        return z if t == 1 else beta * m + (1 - beta) * z

    def capped(m, z, t, beta):  # running mean until t = 1 / (1 - beta)
        b = min(beta, 1 - 1 / t)
        return b * m + (1 - b) * z

    def float32(m, z, t, beta):  # the corrected average, in float32
        keep = torch.tensor(beta * (1 - beta ** (t - 1)) / (1 - beta ** t),
                            dtype=torch.float32)
        return keep * torch.tensor(m, dtype=torch.float32) + (1 - keep) * z

    def own_names(avg, value, step, b):  # called by position, any names
        return value if step == 1 else b * avg + (1 - b) * value

    for right in (corrected, started, capped, float32, own_names):
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
