"""The exercise checks of chapters/gd.ipynb: each rejects a plausible wrong
answer with a hint and accepts a right answer written another way."""

from __future__ import annotations

import math

import numpy as np
import pytest

import d2lmini as d2l

# --- gd.lr_bound: 2 / lambda with lambda = 4 ---

def test_lr_bound(not_yet):
    # 2 / lambda with lambda = 2 (f = x^2)
    not_yet("gd.lr_bound", 1.0, "second derivative")
    not_yet("gd.lr_bound", 0.25, "one step")  # the one-step rate 1 / lambda
    not_yet("gd.lr_bound", 0.7, "not right yet")
    assert d2l.check("gd.lr_bound", 2 / 4).passed
    assert d2l.check("gd.lr_bound", np.float32(0.5)).passed
    assert d2l.check("gd.lr_bound", "0.5").passed


# --- gd.line_search: the first halving of eta = 1 that satisfies Armijo ---

def good_step(f, f_grad, x, eta=1.0):
    g = f_grad(x)
    while f(x - eta * g) > f(x) - eta / 2 * g ** 2:
        eta /= 2
    return x - eta * g


def recursive_step(f, f_grad, x, eta=1.0):
    """The same search written recursively, with the condition on the
    point instead of on eta."""
    g = f_grad(x)
    new = x - eta * g
    if f(new) <= f(x) - 0.5 * g * (x - new):
        return new
    return recursive_step(f, f_grad, x, eta * 0.5)


def test_line_search_accepts_the_search_in_other_forms():
    assert d2l.check("gd.line_search", good_step).passed
    assert d2l.check("gd.line_search", recursive_step).passed


def test_line_search_rejects_a_fixed_tiny_step(not_yet):
    # satisfies the Armijo condition everywhere, but searches nothing
    fb = not_yet("gd.line_search", lambda f, g, x: x - 1e-4 * g(x),
                 "first eta")
    assert "halve" in fb.hint


def test_line_search_rejects_no_search_and_a_too_small_factor(not_yet):
    not_yet("gd.line_search", lambda f, g, x: x - g(x), "Armijo")

    def third_step(f, f_grad, x, eta=1.0):  # divides by 3, not 2
        g = f_grad(x)
        while f(x - eta * g) > f(x) - eta / 2 * g ** 2:
            eta /= 3
        return x - eta * g

    not_yet("gd.line_search", third_step)

    def halves_once_too_often(f, f_grad, x, eta=1.0):
        return good_step(f, f_grad, x, eta) * 0 + (
            x - (x - good_step(f, f_grad, x, eta)) / 2)

    not_yet("gd.line_search", halves_once_too_often, "first eta")


def test_line_search_reports_errors_and_non_functions(not_yet):
    not_yet("gd.line_search", 0.5, "function")

    def broken(f, f_grad, x):
        return 1 / 0

    fb = not_yet("gd.line_search", broken, "ZeroDivisionError")
    assert "broken" in fb.hint


# --- gd.best_eta: judged by the rate, best at 2 / (2 + 100) ---

def _steps_ratio(eta, lams=(2.0, 100.0)):
    """Steps a rate needs, over the steps the best rate needs."""
    rate = max(abs(1 - eta * lam) for lam in lams)
    best = (max(lams) - min(lams)) / (max(lams) + min(lams))
    return math.log(best) / math.log(rate)


def test_best_eta_accepts_closed_form_fraction_and_grid_search(passes):
    passes("gd.best_eta", 2 / 102)
    passes("gd.best_eta", "1/51")
    passes("gd.best_eta", np.float32(2 / 102))
    # a grid search with step 1e-3 cannot hit 2/102 = 0.0196...; its best
    # point 0.019 needs about 3% more steps than the optimum
    etas = np.round(np.arange(0.001, 0.0305, 0.001), 3)
    rates = np.maximum(abs(1 - 2 * etas), abs(1 - 100 * etas))
    best = float(etas[rates.argmin()])
    assert best == 0.019 and 1.02 < _steps_ratio(best) < 1.05
    passes("gd.best_eta", best)
    # 0.0194 is 1% from eta* but gives a rate within 0.04% of the best
    passes("gd.best_eta", 0.0194)


def test_best_eta_rejects_plausible_wrong_answers(not_yet):
    not_yet("gd.best_eta", 1 / 100, "more steps")  # 1/L: safe, not best
    not_yet("gd.best_eta", 2 / 100, "does not converge")  # the border 2/L
    not_yet("gd.best_eta", 2 / 98)  # balances 1 - 100 eta = 2 eta - 1
    # 0.0198 is within 1% of eta*, but its steep coordinate shrinks only by
    # 0.98 per step, as slowly as at 1/L: about twice the steps
    assert _steps_ratio(0.0198) > 1.9
    fb = not_yet("gd.best_eta", 0.0198, "more steps")
    assert "equal" in fb.hint
    not_yet("gd.best_eta", -2 / 102, "does not converge")


# --- gd.precondition: make_precond_gd_2d(f_grad, h1, h2) ---

def make_precond(f_grad, h1, h2):
    def trainer(x1, x2, s1, s2):
        g1, g2 = f_grad(x1, x2)
        return x1 - g1 / h1, x2 - g2 / h2, 0, 0
    return trainer


def make_precond_arrays(f_grad, h1, h2):
    """The same step with a vector and an explicit eta = 1."""
    d_inv = 1 / np.array([h1, h2])

    def trainer(x1, x2, s1, s2):
        x = np.array([x1, x2]) - 1.0 * d_inv * np.array(f_grad(x1, x2))
        return [x[0], x[1], s1, s2]
    return trainer


def test_precondition_accepts_the_step_in_two_forms(passes):
    passes("gd.precondition", make_precond)
    passes("gd.precondition", make_precond_arrays)


def test_precondition_rejects_plausible_wrong_answers(not_yet):
    # returns the minimum of x1^2 + 50 x2^2 without computing anything
    not_yet("gd.precondition", lambda f_grad, h1, h2: (
        lambda x1, x2, s1, s2: (0, 0, 0, 0)), "not at the minimum")

    def hard_coded(f_grad, h1, h2):  # the exercise's Hessian, always
        return make_precond(f_grad, 2.0, 100.0)

    not_yet("gd.precondition", hard_coded, "not at the minimum")

    def plain_gd(f_grad, h1, h2):  # no preconditioning
        def trainer(x1, x2, s1, s2):
            g1, g2 = f_grad(x1, x2)
            return x1 - 0.01 * g1, x2 - 0.01 * g2, 0, 0
        return trainer

    not_yet("gd.precondition", plain_gd, "diagonal entry")

    def swapped(f_grad, h1, h2):  # divides by the wrong entries
        return make_precond(f_grad, h2, h1)

    not_yet("gd.precondition", swapped)

    def no_state(f_grad, h1, h2):
        return lambda x1, x2, s1, s2: (x1, x2)

    fb = not_yet("gd.precondition", no_state)
    assert "(x1, x2, s1, s2)" in fb.message
    # the old form of the exercise: a trainer instead of its maker
    not_yet("gd.precondition", make_precond(lambda a, b: (2 * a, 100 * b),
                                            2.0, 100.0))


# --- gd.rotated: the rotated x1^2 + 50 x2^2 keeps kappa = 50 ---

def _rotated_kappa(theta, lams=(2.0, 100.0)):
    R = np.array([[math.cos(theta), -math.sin(theta)],
                  [math.sin(theta), math.cos(theta)]])
    H = R.T @ np.diag(lams) @ R
    D = np.diag(np.diag(H) ** -0.5)
    eig = np.linalg.eigvalsh(D @ H @ D)
    return eig.max() / eig.min()


def test_rotated_accepts_the_computed_value():
    kappa = _rotated_kappa(math.pi / 4)
    assert kappa == pytest.approx(50.0)
    assert d2l.check("gd.rotated", kappa).passed
    assert d2l.check("gd.rotated", 50).passed


def test_rotated_rejects_the_aligned_and_the_old_problem(not_yet):
    # aligned preconditioning gives kappa = 1
    aligned = _rotated_kappa(0.0)
    assert aligned == pytest.approx(1.0)
    not_yet("gd.rotated", aligned, "aligned")
    # x1^2 + 2 x2^2 rotated keeps kappa = 2: the wrong function
    not_yet("gd.rotated", _rotated_kappa(math.pi / 4, (2.0, 4.0)), "50")
    not_yet("gd.rotated", 51.0)  # the diagonal entry, not kappa
    not_yet("gd.rotated", "fifty", "finite number")


def test_line_search_names_the_boundary_of_a_strict_condition(not_yet):
    """Review G6: on x**2 from x = 10 the Armijo condition holds with
    equality at eta = 1/2; a search that halves while f(new) >= bound (a
    strict condition) goes on to eta = 1/4 and is told why."""
    def strict_step(f, f_grad, x, eta=1.0):
        g = f_grad(x)
        while f(x - eta * g) >= f(x) - eta / 2 * g ** 2:
            eta /= 2
        return x - eta * g

    assert strict_step(lambda x: x**2, lambda x: 2 * x, 10.0) == 5.0
    assert good_step(lambda x: x**2, lambda x: 2 * x, 10.0) == 0.0
    fb = not_yet("gd.line_search", strict_step, "equality")
    assert "<=" in fb.hint
