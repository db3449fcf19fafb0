"""The mathematical facts stated in chapters/gd.ipynb."""

from __future__ import annotations

import math

import numpy as np
import pytest


def gd_1d(lam: float, eta: float, x0: float, steps: int) -> list[float]:
    xs = [x0]
    for _ in range(steps):
        xs.append(xs[-1] - eta * lam * xs[-1])
    return xs


@pytest.mark.parametrize("lam", [0.1, 1.0, 2.0, 19.0])
@pytest.mark.parametrize("ratio", [0.05, 0.5, 0.99, 1.0, 1.5, 1.99, 2.01, 3])
def test_quadratic_closed_form_and_convergence_condition(lam, ratio):
    """x_t = (1 - eta lam)^t x_0, and x_t -> 0 iff 0 < eta lam < 2."""
    eta = ratio / lam
    xs = gd_1d(lam, eta, 10.0, 5000)
    for t in (1, 7, 400):
        assert xs[t] == pytest.approx((1 - eta * lam) ** t * 10.0,
                                      rel=1e-9, abs=1e-300)
    converges = abs(xs[-1]) < 1e-6
    assert converges == (0 < eta * lam < 2)


def test_sign_alternates_above_one_and_one_step_at_one():
    xs = gd_1d(2.0, 0.7, 10.0, 6)  # eta lam = 1.4
    assert all(a * b < 0 for a, b in zip(xs, xs[1:]))
    assert gd_1d(2.0, 0.5, 10.0, 1)[1] == 0.0


def test_first_order_decrease():
    """f(x - eta f'(x)) = f(x) - eta f'(x)^2 + O(eta^2)."""
    f, df = math.cosh, math.sinh
    x = 1.3
    for eta in [1e-2, 1e-3, 1e-4]:
        remainder = f(x - eta * df(x)) - (f(x) - eta * df(x) ** 2)
        assert abs(remainder) < 2 * eta**2 * df(x) ** 2 * math.cosh(x + 1)
        assert f(x - eta * df(x)) < f(x)


@pytest.mark.parametrize(
    ("lams", "etas"),
    [
        # chapters/gd.ipynb, exercise 3: x1^2 + 50 x2^2
        ([2.0, 100.0], np.linspace(1e-4, 0.03, 600_001)),
        # chapters/minibatch-sgd.ipynb: the airfoil Hessian's spectrum
        ([0.175, 0.67, 1.0, 2.11], np.linspace(0.01, 0.95, 20_001)),
        # chapters/momentum.ipynb, exercise 2: lambda_i = 2^-i
        ([2.0**-i for i in range(10)], np.linspace(1.9, 2.0, 200_001)),
    ],
    ids=["gd", "minibatch", "momentum"],
)
def test_best_constant_step_balances_extreme_eigenvalues(lams, etas):
    """eta* = 2 / (lam_min + lam_max) minimises max_i |1 - eta lam_i|,
    and the rate there is (kappa - 1) / (kappa + 1)."""
    lams = np.asarray(lams)
    worst = np.abs(1 - np.outer(etas, lams)).max(axis=1)
    step = etas[1] - etas[0]
    assert etas[worst.argmin()] == pytest.approx(
        2 / (lams.min() + lams.max()), abs=step)
    kappa = lams.max() / lams.min()
    assert worst.min() == pytest.approx((kappa - 1) / (kappa + 1),
                                        abs=max(step * lams.max(), 1e-6))


def test_newton_on_cosh_converges_cubically():
    c, x = 0.5, 0.5
    for _ in range(2):
        x_next = x - math.tanh(c * x) / c
        assert abs(x_next) / abs(x) ** 3 == pytest.approx(c**2 / 3, rel=0.2)
        x = x_next
