"""The exercise checks of chapters/rmsprop.ipynb: each rejects a plausible
wrong answer with a hint and accepts a right answer written another way."""

from __future__ import annotations

import math

import numpy as np
import torch

import d2lmini as d2l


def test_gamma_one_rate(not_yet):
    not_yet("rmsprop.gamma_one_rate", 0.01, "eta")
    not_yet("rmsprop.gamma_one_rate", 0.01 / 1e-6)  # forgot the root
    not_yet("rmsprop.gamma_one_rate", None)
    assert d2l.check("rmsprop.gamma_one_rate", 10).passed
    assert d2l.check("rmsprop.gamma_one_rate",
                     torch.tensor(0.01) / torch.tensor(1e-6).sqrt()).passed


def test_warmup_steps(not_yet):
    not_yet("rmsprop.warmup_steps", 100, "63%")
    not_yet("rmsprop.warmup_steps", math.log(0.01) / math.log(0.9))
    assert d2l.check("rmsprop.warmup_steps", 459).passed
    assert d2l.check("rmsprop.warmup_steps",
                     np.log(0.01) / np.log(0.99)).passed
    assert d2l.check("rmsprop.warmup_steps", "458.2").passed
    # A whole number is the first step that reaches 99%: 459, not the
    # rounded 458 (s_458 = 0.98998 g^2) nor a later step.
    not_yet("rmsprop.warmup_steps", 458, "not yet 99%")
    not_yet("rmsprop.warmup_steps", 460, "earlier")
    not_yet("rmsprop.warmup_steps", "459.0001")  # not whole, not t*
    assert d2l.check("rmsprop.warmup_steps", np.int64(459)).passed
    assert d2l.check("rmsprop.warmup_steps",
                     np.float32(math.log(0.01) / math.log(0.99))).passed


def test_gamma_for_half_life(not_yet):
    not_yet("rmsprop.gamma_for_half_life", 0.95, "half-life")
    not_yet("rmsprop.gamma_for_half_life", 1 / 20)
    not_yet("rmsprop.gamma_for_half_life", 0.5 ** 20)
    # the chapter's approximation half-life = 0.69 / (1 - gamma)
    not_yet("rmsprop.gamma_for_half_life", 1 - math.log(2) / 20,
            "approximation")
    assert d2l.check("rmsprop.gamma_for_half_life", "0.9659").passed
    assert d2l.check("rmsprop.gamma_for_half_life", 2 ** (-1 / 20)).passed
    assert d2l.check("rmsprop.gamma_for_half_life",
                     math.exp(-math.log(2) / 20)).passed
