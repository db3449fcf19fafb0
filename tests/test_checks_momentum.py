"""The exercise checks of chapters/momentum.ipynb: for each, a plausible
wrong answer gets "Not yet" with a useful hint, and a right answer written
in another form passes."""

from __future__ import annotations

import math

import numpy as np
import torch

import d2lmini as d2l

POLYAK = (4 / (2.0 + math.sqrt(0.2)) ** 2,
          ((math.sqrt(20) - 1) / (math.sqrt(20) + 1)) ** 2)


def test_best_pair_right_in_several_forms():
    assert d2l.check("momentum.best_pair", POLYAK).passed
    assert d2l.check("momentum.best_pair", [0.668, 0.403]).passed
    assert d2l.check("momentum.best_pair",
                     np.array([0.66, 0.41])).passed  # the chapter's grid
    assert d2l.check("momentum.best_pair",
                     (torch.tensor(0.6676), "0.4034")).passed


def test_best_pair_swapped_gets_a_hint_that_says_so():
    fb = d2l.check("momentum.best_pair", POLYAK[::-1])
    assert not fb.passed
    assert "swapped" in fb.message
    assert "(lr, momentum)" in fb.hint


def test_best_pair_plausible_wrong_answers():
    # The chapter's good-looking run: converges, but not the best rate.
    fb = d2l.check("momentum.best_pair", (0.6, 0.5))
    assert not fb.passed and "spectral radius" in fb.hint
    # Gradient descent at eta = 0.6 diverges along x2.
    fb = d2l.check("momentum.best_pair", (0.6, 0.0))
    assert not fb.passed and "2 + 2 * momentum" in fb.hint
    # Polyak's sqrt(beta) in place of beta.
    fb = d2l.check("momentum.best_pair", (POLYAK[0], math.sqrt(POLYAK[1])))
    assert not fb.passed
    assert not d2l.check("momentum.best_pair", "fast").passed
    assert not d2l.check("momentum.best_pair", (0.5, 1.0)).passed


def test_eigen_best_lr_right_in_several_forms(passes):
    passes("momentum.eigen_best_lr", 2 / (1 + 2**-9))
    passes("momentum.eigen_best_lr", "1024/513")  # the same, as a fraction
    passes("momentum.eigen_best_lr", "1.99610")
    # a grid with step 0.01 gives 1.99: its rate 0.996113 is within 1e-5
    # of the best 0.996101, so it needs under 1% more steps
    passes("momentum.eigen_best_lr", 1.99)


def test_eigen_best_lr_plausible_wrong_answers(not_yet):
    # 1 / lambda_max, the "safe" rate: twice the steps
    fb = not_yet("momentum.eigen_best_lr", 1.0, "more steps")
    assert "largest and the smallest" in fb.hint
    # one eigenvalue too many (i = 0..10): 2 / (1 + 2**-10) = 1.99805 is
    # 0.1% from eta*, but its steep coordinate shrinks by 0.998 per step
    not_yet("momentum.eigen_best_lr", 2 / (1 + 2**-10), "more steps")
    # the stability limit 2 / lambda_max
    not_yet("momentum.eigen_best_lr", 2.0, "does not converge")


def test_best_pair_on_the_boundary_does_not_converge(not_yet):
    # eta * 4 = 2 + 2 beta at (0.7, 0.4): spectral radius exactly 1
    not_yet("momentum.best_pair", (0.7, 0.4), "does not converge")


def test_effective_lr():
    assert d2l.check("momentum.effective_lr", 0.005).passed
    assert d2l.check("momentum.effective_lr", 0.05 * (1 - 0.9)).passed
    fb = d2l.check("momentum.effective_lr", 0.05 / (1 - 0.9))
    assert not fb.passed and "1 - beta" in fb.hint


def _right(Q, q, h0):
    x = torch.linalg.solve(Q, q)
    return x, h0 - 0.5 * float(q @ x)


def test_quadratic_min_right_in_another_form():
    assert d2l.check("momentum.quadratic_min", _right).passed

    def via_inverse(Q, q, h0):  # a list and a 0-d tensor
        x = torch.linalg.inv(Q) @ q
        return [x.tolist(), h0 - 0.5 * q @ x]

    assert d2l.check("momentum.quadratic_min", via_inverse).passed


def test_quadratic_min_plausible_wrong_answers():
    def wrong_sign(Q, q, h0):  # the +q^T x convention of other texts
        x = -torch.linalg.solve(Q, q)
        return x, h0 + 0.5 * float(q @ x)

    fb = d2l.check("momentum.quadratic_min", wrong_sign)
    assert not fb.passed and "sign" in fb.hint

    def forgot_half(Q, q, h0):
        x = torch.linalg.solve(Q, q)
        return x, h0 - float(q @ x)

    fb = d2l.check("momentum.quadratic_min", forgot_half)
    assert not fb.passed and "minimum value" in fb.message

    def crashes(Q, q, h0):
        raise RuntimeError("oops")

    assert not d2l.check("momentum.quadratic_min", crashes).passed
    assert not d2l.check("momentum.quadratic_min", 3.0).passed
    assert not d2l.check("momentum.quadratic_min",
                         lambda Q, q, h0: None).passed
