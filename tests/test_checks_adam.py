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


def test_unbiased_average(not_yet):
    def biased(ys, beta):
        m, out = 0.0, []
        for y in ys:
            m = beta * m + (1 - beta) * y
            out.append(m)
        return torch.stack(out)

    not_yet("adam.unbiased_average", biased, "biased")
    not_yet("adam.unbiased_average", lambda ys, beta: None, "nothing")

    def divided(ys, beta):  # another form: divide at the end
        t = torch.arange(1, len(ys) + 1, dtype=ys.dtype)
        return biased(ys, beta) / (1 - beta ** t)

    def started(ys, beta):
        out = [ys[0]]
        for y in ys[1:]:
            out.append(beta * out[-1] + (1 - beta) * y)
        return [float(v) for v in out]

    assert d2l.check("adam.unbiased_average", divided).passed
    assert d2l.check("adam.unbiased_average", started).passed


def test_spread_exponent(not_yet):
    not_yet("adam.spread_exponent", 1.0)
    not_yet("adam.spread_exponent", 0.0)
    assert d2l.check("adam.spread_exponent", "0.5").passed
    assert d2l.check("adam.spread_exponent", 1 / 2).passed


def test_adam_vs_yogi(not_yet):
    not_yet("adam.adam_vs_yogi", lambda t: 1.0, "does not run off")
    not_yet("adam.adam_vs_yogi", lambda t: -3.0 if t % 3 == 1 else 1.0,
            "positive on average")
    assert d2l.check("adam.adam_vs_yogi",
                     lambda t: 3.0 if t % 3 == 1 else -1.0).passed
    assert d2l.check("adam.adam_vs_yogi",
                     lambda t: [2.5, -1, -1][(t - 1) % 3]).passed
