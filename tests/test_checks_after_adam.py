"""The exercise checks of chapters/after-adam.ipynb: a plausible wrong
answer gets "Not yet" with a hint, a right one in another form passes."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import d2lmini as d2l


def _row_step_length(n=16, lr=0.02):
    # Written apart from the check: one Muon step on a 1 x n matrix.
    x = torch.zeros(1, n, dtype=torch.float64, requires_grad=True)
    gen = torch.Generator().manual_seed(n)
    x.grad = torch.randn(1, n, dtype=torch.float64, generator=gen)
    d2l.muon([x], d2l.init_muon_states([x]),
             {"lr": lr, "weight_decay": 0.0})
    return float(x.detach().norm())


@pytest.mark.parametrize(("name", "wrong", "word"), [
    ("after_adam.adafactor_memory", 2 * 1000 * 4000, "Adam"),
    ("after_adam.adafactor_memory", 1000 * 4000, "RMSProp"),
    ("after_adam.adafactor_memory", 1000 * 4000 + 5000, "momentum"),
    ("after_adam.ns_fixed_point", 3**0.5, "zero"),
    ("after_adam.ns_fixed_point", 0, "positive"),
    ("after_adam.lion_step", 3e-4 * 1000**0.5, "RMS"),
    ("after_adam.lion_step", 3e-3, "RMS of the step"),
    ("after_adam.muon_row_step", 0.02, "quintic"),
])
def test_wrong_answers_get_a_hint(name, wrong, word):
    feedback = d2l.check(name, wrong)
    assert feedback.verdict == "Not yet"
    assert word in feedback.message + feedback.hint


@pytest.mark.parametrize(("name", "right"), [
    ("after_adam.adafactor_memory", np.int64(5000)),
    ("after_adam.adafactor_memory", "5000"),
    ("after_adam.ns_fixed_point", torch.tensor(1.0)),
    ("after_adam.lion_step", np.float32(3e-4)),
    # Computed in the test, not at collection: a float in a test id makes
    # the pytest-xdist workers' collections differ in the last digit.
    ("after_adam.muon_row_step", lambda: _row_step_length()),
    ("after_adam.muon_row_step", lambda: torch.tensor(_row_step_length(40))),
], ids=["memory-int64", "memory-str", "fixed-point-tensor", "lion-float32",
        "muon-float", "muon-tensor"])
def test_right_answers_pass(name, right):
    if callable(right):
        right = right()
    assert d2l.check(name, right).passed
