"""The exercise checks of chapters/adamax-nadam-amsgrad.ipynb: each rejects
a plausible wrong answer with a hint and accepts a right answer written
another way."""

from __future__ import annotations

import math

import numpy as np

import d2lmini as d2l

NAME = "adamax_nadam_amsgrad"


def test_adamax_bound(not_yet):
    not_yet(f"{NAME}.adamax_bound", 1.0, "rule of thumb")
    # Adam's sparse value
    not_yet(f"{NAME}.adamax_bound", 0.1 / math.sqrt(0.01))
    assert d2l.check(f"{NAME}.adamax_bound", 0.1 / (1 - 0.9 / 0.99)).passed
    assert d2l.check(f"{NAME}.adamax_bound", np.float32(1.1)).passed


def test_adam_regret(not_yet):
    not_yet(f"{NAME}.adam_regret", lambda C: (C - 2) / 3, "loss at x = 1")
    not_yet(f"{NAME}.adam_regret", lambda C: C - 2)
    not_yet(f"{NAME}.adam_regret", lambda C: None, "number")
    assert d2l.check(f"{NAME}.adam_regret",
                     lambda C: (2 * C - 4) / 3).passed
    assert d2l.check(f"{NAME}.adam_regret",
                     lambda C: np.float64(C) * 2 / 3 - 4 / 3).passed


def test_nadam_steps(not_yet):
    expected = math.floor(math.log(2 / 9) / (0.004 * math.log(0.96))) + 1
    not_yet(f"{NAME}.nadam_steps", expected - 1, "does not exceed")
    not_yet(f"{NAME}.nadam_steps", expected + 50, "earlier")
    not_yet(f"{NAME}.nadam_steps", 9207.5, "whole number")
    assert d2l.check(f"{NAME}.nadam_steps", expected).passed
    assert d2l.check(f"{NAME}.nadam_steps", float(expected)).passed
