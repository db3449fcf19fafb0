"""The exercise checks of chapters/adamax-nadam-amsgrad.ipynb: each rejects
a plausible wrong answer with a hint and accepts a right answer written
another way."""

from __future__ import annotations

import math

import numpy as np

import d2lmini as d2l

NAME = "adamax_nadam_amsgrad"


def _not_yet(name, answer, *words):
    fb = d2l.check(f"{NAME}.{name}", answer)
    assert not fb.passed and fb.verdict == "Not yet", fb
    assert fb.hint, fb
    for word in words:
        assert word in fb.message + fb.hint, fb
    return fb


def test_adamax_bound():
    _not_yet("adamax_bound", 1.0, "rule of thumb")
    _not_yet("adamax_bound", 0.1 / math.sqrt(0.01))  # Adam's sparse value
    assert d2l.check(f"{NAME}.adamax_bound", 0.1 / (1 - 0.9 / 0.99)).passed
    assert d2l.check(f"{NAME}.adamax_bound", np.float32(1.1)).passed


def test_adam_regret():
    _not_yet("adam_regret", lambda C: (C - 2) / 3, "loss at x = 1")
    _not_yet("adam_regret", lambda C: C - 2)
    _not_yet("adam_regret", lambda C: None, "number")
    assert d2l.check(f"{NAME}.adam_regret",
                     lambda C: (2 * C - 4) / 3).passed
    assert d2l.check(f"{NAME}.adam_regret",
                     lambda C: np.float64(C) * 2 / 3 - 4 / 3).passed


def test_nadam_steps():
    expected = math.floor(math.log(2 / 9) / (0.004 * math.log(0.96))) + 1
    _not_yet("nadam_steps", expected - 1, "does not exceed")
    _not_yet("nadam_steps", expected + 50, "earlier")
    _not_yet("nadam_steps", 9207.5, "whole number")
    assert d2l.check(f"{NAME}.nadam_steps", expected).passed
    assert d2l.check(f"{NAME}.nadam_steps", float(expected)).passed
