"""The exercise checks of chapters/gd.ipynb: each rejects a plausible wrong
answer with a hint and accepts a right answer written another way."""

from __future__ import annotations

import math

import numpy as np
import pytest

import d2lmini as d2l

# --- gd.lr_bound: 2 / lambda with lambda = 4 ---

def test_lr_bound(not_yet):
    not_yet("gd.lr_bound", 1.0)  # 2 / lambda with lambda = 2 (f = x^2)
    not_yet("gd.lr_bound", 0.25)  # the one-step rate 1 / lambda
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


# --- gd.best_eta: 2 / (2 + 100) ---

def test_best_eta_accepts_closed_form_and_grid_search():
    assert d2l.check("gd.best_eta", 2 / 102).passed
    etas = np.linspace(0.001, 0.0199, 100)  # a coarse grid: step 2e-4
    rates = np.maximum(abs(1 - 2 * etas), abs(1 - 100 * etas))
    best = etas[rates.argmin()]
    assert abs(best / (2 / 102) - 1) > 1e-3  # not exact...
    assert d2l.check("gd.best_eta", best).passed  # ...but within 1%


def test_best_eta_rejects_plausible_wrong_answers(not_yet):
    not_yet("gd.best_eta", 1 / 100)  # 1/L: safe, not best
    not_yet("gd.best_eta", 2 / 100)  # the divergence border 2/L
    not_yet("gd.best_eta", 2 / 98)  # balances 1 - 100 eta = 2 eta - 1
    fb = d2l.check("gd.best_eta", 2 / 102 * 1.03)
    assert not fb.passed and "equal" in fb.hint


# --- gd.precondition ---

def test_precondition(not_yet):
    def precond(x1, x2, s1, s2):
        return x1 - 2 * x1 / 2, x2 - 100 * x2 / 100, 0, 0

    def precond_as_list(x1, x2, s1, s2):
        g = np.array([2 * x1, 100 * x2])
        x = np.array([x1, x2]) - g / np.array([2.0, 100.0])
        return [x[0], x[1], s1, s2]

    assert d2l.check("gd.precondition", precond).passed
    assert d2l.check("gd.precondition", precond_as_list).passed

    def plain_gd(x1, x2, s1, s2):  # no preconditioning
        return x1 - 0.01 * 2 * x1, x2 - 0.01 * 100 * x2, 0, 0

    fb = not_yet("gd.precondition", plain_gd, "diag(2, 100)")

    def swapped(x1, x2, s1, s2):  # divides by the wrong entries
        return x1 - 2 * x1 / 100, x2 - 100 * x2 / 2, 0, 0

    not_yet("gd.precondition", swapped)

    def no_state(x1, x2, s1, s2):
        return x1 - x1, x2 - x2

    fb = not_yet("gd.precondition", no_state)
    assert "(x1, x2, s1, s2)" in fb.message


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
