"""The exercise checks of chapters/adam-paper.ipynb: a plausible wrong
answer gets "Not yet" with a hint, a right one in another form passes."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import torch

import d2lmini as d2l


@pytest.mark.parametrize(("name", "wrong", "hint_word"), [
    ("adam_paper.first_step", 1.0, "without it"),
    ("adam_paper.first_step", 100, "first moment"),
    ("adam_paper.first_step", 3.162, "v_1"),
    ("adam_paper.cycle", 0.001, "curvature"),
    ("adam_paper.cycle", 0.02, "2A"),
    ("adam_paper.rare_boost", 100, "square root"),
    ("adam_paper.rare_boost", 1.0, "square roots"),
])
def test_plausible_wrong_answers_get_a_hint(name, wrong, hint_word):
    feedback = d2l.check(name, wrong)
    assert not feedback.passed
    assert feedback.verdict == "Not yet"
    assert hint_word in feedback.hint


@pytest.mark.parametrize(("name", "right"), [
    ("adam_paper.first_step", np.float64(10.0)),
    ("adam_paper.first_step", "10"),
    ("adam_paper.first_step", torch.tensor(0.1 / 0.01)),
    ("adam_paper.cycle", Fraction(1, 100)),
    ("adam_paper.cycle", -0.01),  # the sign of A is immaterial
    ("adam_paper.rare_boost", np.sqrt(1 / 0.01)),
    ("adam_paper.rare_boost", 9.69),  # a simulation's estimate
])
def test_right_answers_pass(name, right):
    feedback = d2l.check(name, right)
    assert feedback.passed, feedback


@pytest.mark.parametrize("name", ["adam_paper.first_step",
                                  "adam_paper.cycle",
                                  "adam_paper.rare_boost"])
def test_no_answer_and_nonsense_are_not_yet(name):
    assert not d2l.check(name, ...).passed
    assert "no answer" in d2l.check(name, ...).message
    nonsense = d2l.check(name, "ten")
    assert not nonsense.passed and nonsense.hint


def test_the_exercise_answers_come_from_the_package():
    """The first-step factor is what adam_no_correction does."""
    x = torch.zeros(2, dtype=torch.float64)
    x.grad = torch.tensor([3.0, -0.2], dtype=torch.float64)
    d2l.adam_no_correction([x], d2l.init_adam_states([x]),
                           {"lr": 1.0, "beta1": 0.9, "beta2": 0.9999,
                            "eps": 1e-30})
    assert d2l.check("adam_paper.first_step", x.abs().max().item()).passed
