"""The exercise checks of chapters/lr-schedules.ipynb: a plausible wrong
answer gets "Not yet" with a hint, a right one in another form passes."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import d2lmini as d2l
from d2lmini.checks.lr_schedules import first_update_with_ratio


def _ratio_squared(t, beta2=0.999):
    # Written apart from the check: RAdam's rho_t and r_t^2.
    rho_inf = 2 / (1 - beta2) - 1
    rho = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
    return ((rho - 4) * (rho - 2) * rho_inf
            / ((rho_inf - 4) * (rho_inf - 2) * rho)) if rho > 4 else 0.0


RIGHT_T = next(t for t in range(1, 5000) if _ratio_squared(t) >= 0.5)


def test_the_expected_update_is_where_the_ratio_crosses():
    assert first_update_with_ratio(0.5) == RIGHT_T
    assert _ratio_squared(RIGHT_T - 1) < 0.5 <= _ratio_squared(RIGHT_T)


@pytest.mark.parametrize(("wrong", "hint_word"), [
    (first_update_with_ratio(0.5, square=False), "squared"),
    (RIGHT_T - 1, "first t"),
    (6, "rho_t"),  # the first rectified update, not the answer
])
def test_warmup_wrong_answers_get_a_hint(wrong, hint_word):
    feedback = d2l.check("lr_schedules.warmup_for_variance", wrong)
    assert feedback.verdict == "Not yet"
    assert hint_word in feedback.hint


@pytest.mark.parametrize("right", [RIGHT_T, np.int64(RIGHT_T),
                                   torch.tensor(float(RIGHT_T)),
                                   str(RIGHT_T)])
def test_warmup_right_answers_pass(right):
    assert d2l.check("lr_schedules.warmup_for_variance", right).passed


def test_lambda_lr_off_by_one_gets_a_hint():
    s = d2l.warmup_cosine(1.0, 10, 100)
    feedback = d2l.check("lr_schedules.lambda_lr", lambda k: s(max(k, 1))
                         if k >= 10 else k / 10)
    assert feedback.verdict == "Not yet"
    assert "rate 0" in feedback.message


def test_lambda_lr_wrong_cosine_gets_a_hint():
    feedback = d2l.check(
        "lr_schedules.lambda_lr",
        lambda k: (k + 1) / 10 if k < 10
        else (1 + math.cos(math.pi * (k - 10) / 100)) / 2)
    assert feedback.verdict == "Not yet"
    assert "update t" in feedback.hint


def test_lambda_lr_not_a_function():
    assert "without calling it" in d2l.check("lr_schedules.lambda_lr",
                                             0.5).hint


@pytest.mark.parametrize("right", [
    lambda k: d2l.warmup_cosine(1.0, 10, 100)(k + 1),
    lambda k: min(1.0, (k + 1) / 10) if k < 10
    else 0.5 * (1 + math.cos(math.pi * min(k - 10, 90) / 90)),
])
def test_lambda_lr_right_answers_pass(right):
    assert d2l.check("lr_schedules.lambda_lr", right).passed
