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


# --- x cos(omega x) at eta = 2: oscillation around the local minimizer ---

OMEGA = 0.15 * math.pi


def nc_grad(x):
    return math.cos(OMEGA * x) - OMEGA * x * math.sin(OMEGA * x)


def nc_hess(x):
    return (-2 * OMEGA * math.sin(OMEGA * x)
            - OMEGA ** 2 * x * math.cos(OMEGA * x))


def test_gd_oscillates_around_the_local_minimizer_at_eta_2():
    x_star = -1.8
    for _ in range(30):
        x_star -= nc_grad(x_star) / nc_hess(x_star)
    assert x_star == pytest.approx(-1.8257, abs=1e-4)
    assert nc_hess(x_star) > 0  # a minimizer
    factor = 1 - 2.0 * nc_hess(x_star)
    assert -1 < factor < -0.95  # |factor| ~ 0.96: slow, alternating
    xs = [10.0]
    for _ in range(400):
        xs.append(xs[-1] - 2.0 * nc_grad(xs[-1]))
    errors = np.array(xs[2:]) - x_star
    assert np.all(errors[:-1] * errors[1:] < 0)  # sides alternate
    assert abs(nc_grad(xs[10])) > 0.1  # x_10 is not a stationary point
    # late in the run the error shrinks by |factor| per step
    ratio = abs(errors[-1] / errors[-2])
    assert ratio == pytest.approx(abs(factor), rel=1e-3)


def test_newton_with_absolute_curvature_finds_a_minimum():
    x_plain, x_abs = 10.0, 10.0
    for _ in range(30):
        x_plain -= nc_grad(x_plain) / nc_hess(x_plain)
        step = -nc_grad(x_abs) / abs(nc_hess(x_abs))
        assert step * nc_grad(x_abs) <= 0  # always against the slope
        x_abs += step
    assert abs(nc_grad(x_plain)) < 1e-9 and nc_hess(x_plain) < 0  # maximum
    assert abs(nc_grad(x_abs)) < 1e-9 and nc_hess(x_abs) > 0  # minimum


# --- descent lemma and condition number ---

@pytest.mark.parametrize("eta", [0.1, 0.5, 2 / 3, 1.0, 1.3, 4 / 3])
def test_descent_lemma_on_a_nonconvex_smooth_function(eta):
    """f = sin x + x^2/4 is L-smooth with L = 3/2: each step lowers f by
    at least eta (1 - L eta / 2) f'(x)^2."""
    L = 1.5
    x = np.linspace(-10, 10, 2001)
    grid = np.linspace(-20, 20, 400_001)
    assert np.abs(-np.sin(grid) + 0.5).max() == pytest.approx(L, rel=1e-9)
    for _ in range(20):
        g = np.cos(x) + x / 2
        new = x - eta * g
        drop = (np.sin(x) + x ** 2 / 4) - (np.sin(new) + new ** 2 / 4)
        assert np.all(drop >= eta * (1 - L * eta / 2) * g ** 2 - 1e-12)
        x = new


def test_descent_lemma_is_tight_beyond_2_over_L():
    """On lam/2 x^2 (L = lam) a step with eta > 2/L raises f."""
    lam, eta, x = 4.0, 0.55, 1.0
    assert lam / 2 * (x - eta * lam * x) ** 2 > lam / 2 * x ** 2


@pytest.mark.parametrize("eta", [0.05, 0.2, 0.5, 1.0])
def test_descent_lemma_is_attained_on_a_quadratic(eta):
    """On f = 1/2 x^T Q x with lambda_max(Q) = L, a step from a point on the
    top eigenvector decreases f by exactly eta (1 - L eta / 2) |g|^2 (the
    lemma's bound is an equality there, for every eta), and from any other
    point by strictly more."""
    Q = np.diag([0.5, 1.0, 2.0])  # L = 2
    L = 2.0

    def f(x):
        return 0.5 * x @ Q @ x

    on_top = np.array([0.0, 0.0, 1.7])
    off_top = np.array([1.0, -0.4, 1.7])
    for x, attained in [(on_top, True), (off_top, False)]:
        g = Q @ x
        actual = f(x) - f(x - eta * g)
        promised = eta * (1 - L * eta / 2) * (g @ g)
        # actual - promised = eta^2 / 2 (L |g|^2 - g^T Q g)
        #                   = eta^2 / 2 sum_i (L - lambda_i) lambda_i^2 x_i^2,
        # zero on the top eigenvector and 0.27 eta^2 >= 6.7e-4 off it. The
        # equality is checked up to rounding: f(x) < 4 is formed with a few
        # operations, so actual is off by a few ulp of 4 (~1e-15); 1e-12
        # leaves room and is far below the off-top gap.
        if attained:
            assert actual == pytest.approx(promised, abs=1e-12)
        else:
            assert actual > promised + 1e-6


@pytest.mark.parametrize("eta", [0.05, 0.1, 0.3, 2 / 3, 1.0])
def test_descent_lemma_first_step_tight_where_curvature_is_L(eta):
    """The gd chapter's first-step measurement: on f = sin x + x^2/4
    (L = 3/2) the ratio actual / promised decrease is 1 + O(eta^2) at
    x = -pi/2, where f'' = L, and at least 1 everywhere.

    Derivation of the upper bound: at x0 = -pi/2, f''(x0) = L and the third
    derivative, -cos(x0), is 0, so with u = eta g Taylor's theorem gives
    f(x0 - u) = f(x0) - g u + L u^2 / 2 + f4(z) u^4 / 24 with f4 = sin the
    fourth derivative, |f4| <= 1. Hence actual - promised = -f4(z) u^4 / 24
    <= eta^4 g^4 / 24, and ratio - 1 <= eta^2 g^2 / (24 (1 - L eta / 2)).
    """
    L = 1.5

    def f(x):
        return math.sin(x) + x * x / 4

    x0 = -math.pi / 2
    g = math.cos(x0) + x0 / 2
    ratio = (f(x0) - f(x0 - eta * g)) / (eta * (1 - L * eta / 2) * g * g)
    bound = eta ** 2 * g ** 2 / (24 * (1 - L * eta / 2))
    # rounding: a few ulp of |f| < 2 (~1e-15) over the promised decrease
    # (> 0.02 for these eta) is about 1e-13; 1e-12 allows it
    assert ratio - 1 >= -1e-12
    assert ratio - 1 <= bound + 1e-12


def test_descent_lemma_first_step_loose_for_large_steps():
    """Over the chapter's starts, the smallest first-step ratio is about 1
    for a small step and well above 1 for eta = 1.3 (the promise shrinks to
    0 as eta -> 2/L while the actual decrease does not): the chapter's ratio
    column grows with eta."""
    L = 1.5
    x = np.linspace(-10, 10, 201)
    g = np.cos(x) + x / 2
    moving = np.abs(g) > 1e-3
    x, g = x[moving], g[moving]
    ratios = []
    for eta in (0.1, 1.3):
        new = x - eta * g
        actual = (np.sin(x) + x ** 2 / 4) - (np.sin(new) + new ** 2 / 4)
        ratios.append((actual / (eta * (1 - L * eta / 2) * g ** 2)).min())
    # eta = 0.1: the minimum is at the start x = -1.6, 0.03 from -pi/2 where
    # f'' = L. There u = eta g = -0.083, and the Taylor terms of
    # actual - promised, (L - f2) u^2/2, -f3 u^3/6 and u^4/24 (f2, f3 the
    # second and third derivatives at x: L - f2 = 4.3e-4, f3 = 0.029), are
    # each below 3e-6, against a promised decrease of 0.064:
    # ratio - 1 < 1.5e-4 (measured 1.04e-5), and 1e-3 leaves room.
    assert 1 - 1e-12 <= ratios[0] < 1 + 1e-3
    # eta = 1.3: the promise is eta (1 - 0.975) g^2 = 0.0325 g^2 while a
    # step of 1.3 g on a function with f'' >= -1/2 gains far more
    assert ratios[1] > 2


@pytest.mark.parametrize("lams", [(2.0, 4.0), (2.0, 100.0), (0.3, 7.0)])
def test_condition_number_sets_the_rate(lams):
    kappa = max(lams) / min(lams)
    best = 2 / sum(lams)
    rate = max(abs(1 - best * lam) for lam in lams)
    assert rate == pytest.approx((kappa - 1) / (kappa + 1))
    rate_1_over_L = max(abs(1 - lam / max(lams)) for lam in lams)
    assert rate_1_over_L == pytest.approx(1 - 1 / kappa)
    # no constant step does better than (kappa - 1) / (kappa + 1)
    etas = np.linspace(1e-4, 2 / max(lams), 20001)
    rates = np.max([np.abs(1 - etas * lam) for lam in lams], axis=0)
    assert rates.min() >= rate - 1e-12


def test_rotation_keeps_kappa_after_diagonal_preconditioning():
    theta = math.pi / 4
    R = np.array([[math.cos(theta), -math.sin(theta)],
                  [math.sin(theta), math.cos(theta)]])
    for lams in [(2.0, 100.0), (2.0, 4.0)]:
        H = R.T @ np.diag(lams) @ R
        assert H[0, 0] == pytest.approx(H[1, 1])
        D = np.diag(np.diag(H) ** -0.5)
        eig = np.linalg.eigvalsh(D @ H @ D)
        assert eig.max() / eig.min() == pytest.approx(max(lams) / min(lams))
    # aligned: preconditioning gives kappa = 1
    H = np.diag([2.0, 100.0])
    D = np.diag(np.diag(H) ** -0.5)
    assert np.allclose(D @ H @ D, np.eye(2))
