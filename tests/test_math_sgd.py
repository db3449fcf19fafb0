"""The mathematics that chapters/sgd.ipynb states, checked on its own.

Sampling with and without replacement, unbiasedness of the stochastic
gradient, the learning-rate schedules, the convergence bound of
thm-sgd-convex with its step sizes, and the facts behind the exercises;
and the noise floor of SGD with a constant step. The exercise checks are
tested in tests/test_checks_sgd.py.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from d2lmini.checks import sgd as sgd_checks

# -- sampling with replacement -------------------------------------------


def at_least_once(N: int) -> float:
    return 1 - (1 - 1 / N) ** N


def exactly_once(N: int) -> float:
    return (1 - 1 / N) ** (N - 1)


@pytest.mark.parametrize("N", [2, 3, 4, 5])
def test_sampling_probabilities_by_enumeration(N):
    """Enumerate all N**N sequences of N draws from N examples."""
    seqs = list(itertools.product(range(N), repeat=N))
    hits = sum(0 in s for s in seqs) / len(seqs)
    once = sum(s.count(0) == 1 for s in seqs) / len(seqs)
    assert hits == pytest.approx(at_least_once(N), abs=1e-12)
    assert once == pytest.approx(exactly_once(N), abs=1e-12)
    # the binomial form of the chapter: N * (1/N) * (1 - 1/N)**(N - 1)
    assert once == pytest.approx(N * (1 / N) * (1 - 1 / N) ** (N - 1))


def test_sampling_limits():
    for N in [10, 100, 1000, 10**4, 10**6]:
        # (1 - 1/N)^N increases to 1/e, so at_least_once decreases to 1-1/e
        assert at_least_once(N) > 1 - math.exp(-1)
        assert exactly_once(N) > math.exp(-1)
        assert at_least_once(N) - (1 - math.exp(-1)) < 1 / N
        assert exactly_once(N) - math.exp(-1) < 1 / N
    values = [at_least_once(N) for N in [10, 100, 1000, 10**4]]
    assert values == sorted(values, reverse=True)
    assert round(1 - math.exp(-1), 2) == 0.63
    assert round(math.exp(-1), 2) == 0.37


def test_sampling_simulation():
    gen = torch.Generator().manual_seed(0)
    N, passes = 2000, 100
    counts = torch.stack([
        torch.bincount(torch.randint(N, (N,), generator=gen), minlength=N)
        for _ in range(passes)])
    assert (counts >= 1).double().mean() == pytest.approx(
        at_least_once(N), abs=0.005)
    assert (counts == 1).double().mean() == pytest.approx(
        exactly_once(N), abs=0.005)


# -- unbiasedness ------------------------------------------------------------

def test_gradient_of_average_is_average_of_gradients():
    gen = torch.Generator().manual_seed(0)
    n, d = 30, 4
    X = torch.randn(n, d, generator=gen, dtype=torch.float64)
    y = torch.randn(n, generator=gen, dtype=torch.float64)
    w = torch.randn(d, generator=gen, dtype=torch.float64,
                    requires_grad=True)
    ((X @ w - y) ** 2 / 2).mean().backward()
    per_example = (X @ w.detach() - y)[:, None] * X
    # E_i[grad f_i] under the uniform distribution is the plain mean
    assert torch.allclose(per_example.mean(dim=0), w.grad)
    # and the variance of the mean of m draws is sigma^2 / m
    sigma2 = (per_example - w.grad).norm(dim=1).pow(2).mean().item()
    m, reps = 50, 20_000
    idx = torch.randint(n, (reps, m), generator=gen)
    err2 = (per_example[idx].mean(dim=1) - w.grad).norm(dim=1).pow(2)
    assert err2.mean().item() == pytest.approx(sigma2 / m, rel=0.05)


# -- learning-rate schedules -------------------------------------------------

def test_schedules():
    eta0, lam, beta, alpha = 0.1, 0.1, 0.1, 0.5
    t = np.arange(0, 10_001)
    exp_rates = eta0 * np.exp(-lam * t)
    poly_rates = eta0 * (beta * t + 1) ** (-alpha)
    # exponential: a constant ratio e^-lambda per step, summing to a limit
    head = exp_rates[:500]  # beyond, e^(-lambda t) underflows to 0
    assert np.allclose(head[1:] / head[:-1], math.exp(-lam))
    assert exp_rates.sum() == pytest.approx(eta0 / (1 - math.exp(-lam)))
    # so noise-free x1 of x1^2 + 2 x2^2 shrinks by a bounded factor only
    factor = np.prod(1 - 2 * exp_rates)
    assert factor > 0.05
    # polynomial with alpha = 1/2: eta_t^2 (beta t + 1) = eta0^2, and the
    # rates sum to infinity (partial sums grow like sqrt(t))
    assert np.allclose(poly_rates ** 2 * (beta * t + 1), eta0 ** 2)
    partial = np.cumsum(poly_rates)
    for T in [100, 1000, 10_000]:
        assert partial[T] >= eta0 * 2 / beta * (math.sqrt(beta * T + 1) - 1)
    assert partial[10_000] > 10 * exp_rates.sum()


def test_piecewise_constant_of_the_chapter():
    def piecewise_constant(t, boundaries=(250, 500), factor=0.1):
        return factor ** sum(t >= b for b in boundaries)

    assert piecewise_constant(0) == 1
    assert piecewise_constant(249) == 1
    assert piecewise_constant(250) == pytest.approx(0.1)
    assert piecewise_constant(999) == pytest.approx(0.01)
    arr = piecewise_constant(np.array([0, 300, 600]))
    assert np.allclose(arr, [1, 0.1, 0.01])


# -- the convergence bound ---------------------------------------------------

def bound(etas, r, G):
    etas = np.asarray(etas, dtype=float)
    return (r ** 2 + G ** 2 * np.sum(etas ** 2)) / (2 * np.sum(etas))


@pytest.mark.parametrize("r,G,T", [(1.0, 1.0, 10), (3.0, 1.0, 100),
                                   (0.5, 4.0, 1000), (2.0, 0.3, 7)])
def test_known_horizon_step_size_is_optimal(r, G, T):
    eta_opt = r / (G * math.sqrt(T))
    best = bound(np.full(T, eta_opt), r, G)
    assert best == pytest.approx(r * G / math.sqrt(T))
    # the sources' rG (1 + 1/T) / (2 sqrt T) is not the value of the bound
    assert best != pytest.approx(r * G * (1 + 1 / T) / (2 * math.sqrt(T)))
    grid = eta_opt * np.exp(np.linspace(-3, 3, 6001))
    values = (r ** 2 + G ** 2 * T * grid ** 2) / (2 * T * grid)
    assert grid[values.argmin()] == pytest.approx(eta_opt, rel=2e-3)
    assert values.min() >= best - 1e-12


def test_unknown_horizon_step_size():
    r, G = 3.0, 2.0
    for T in [1, 2, 10, 100, 1000, 10**5]:
        etas = r / (G * np.sqrt(np.arange(1, T + 1)))
        assert np.sum(etas) >= r * math.sqrt(T) / G - 1e-9
        assert np.sum(1 / np.arange(1, T + 1)) <= 1 + math.log(T) + 1e-12
        b = bound(etas, r, G)
        assert b <= r * G * (2 + math.log(T)) / (2 * math.sqrt(T)) + 1e-12
    # the rate is log T / sqrt T: the ratio stays bounded
    ratios = []
    for T in [10**2, 10**3, 10**4, 10**5]:
        etas = r / (G * np.sqrt(np.arange(1, T + 1)))
        ratios.append(bound(etas, r, G) / (math.log(T) / math.sqrt(T)))
    assert max(ratios) < 2 * min(ratios)


def _risk(x: float, xis: list[float]) -> float:
    return float(np.mean([abs(x - xi) for xi in xis]))


@pytest.mark.parametrize("x1,etas", [
    (3.0, [0.5] * 6),
    (-2.0, [1.0 / math.sqrt(t) for t in range(1, 7)]),
    (0.7, [0.3, 0.2, 0.2, 0.1, 0.05, 0.05]),
])
def test_bound_holds_exactly_on_a_discrete_problem(x1, etas):
    """E[R(x_bar)] - R* computed exactly over all 3**T sample paths."""
    xis = [-1.0, 0.0, 2.0]  # uniform; the median 0 minimizes E|x - xi|
    r_star = _risk(0.0, xis)
    grid = np.linspace(-3, 3, 6001)
    assert min(_risk(x, xis) for x in grid) >= r_star - 1e-12
    G, r = 1.0, abs(x1 - 0.0)
    expected = 0.0
    for path in itertools.product(xis, repeat=len(etas)):
        x, acc = x1, 0.0
        for eta, xi in zip(etas, path):
            acc += eta * x
            x -= eta * float(np.sign(x - xi))
        expected += _risk(acc / sum(etas), xis) / len(xis) ** len(etas)
    assert expected - r_star <= bound(etas, r, G) + 1e-12


# -- exercise facts ----------------------------------------------------------

def test_gradient_noise_is_sampled_data():
    """Unit noise on grad of 1/2 (x-mu)^T Q (x-mu) equals data a ~
    N(mu, Q^-2) in l(x, a) = 1/2 (x-a)^T Q (x-a)."""
    gen = np.random.default_rng(0)
    A = gen.standard_normal((3, 3))
    for Q in [np.diag([2.0, 4.0]), A @ A.T + np.eye(3)]:
        Q_inv = np.linalg.inv(Q)
        sigma = Q_inv @ Q_inv
        # noise -Q (a - mu) has covariance Q Sigma Q = I
        assert np.allclose(Q @ sigma @ Q, np.eye(len(Q)))
    # the chapter's f = x1^2 + 2 x2^2: a1 ~ N(0, 1/4), a2 ~ N(0, 1/16)
    assert np.allclose(np.diag(np.linalg.inv(np.diag([2.0, 4.0])) ** 2),
                       [0.25, 0.0625])


def test_local_minima_of_x2_one_plus_sin():
    x = np.linspace(-20, 20, 4_000_001)
    fx = x ** 2 * (1 + np.sin(x))
    assert fx.min() >= 0
    is_min = (fx[1:-1] <= fx[:-2]) & (fx[1:-1] <= fx[2:])
    minima = x[1:-1][is_min]
    expected = sorted([0.0] + [-math.pi / 2 + 2 * math.pi * k
                               for k in range(-3, 4)
                               if abs(-math.pi / 2 + 2 * math.pi * k) <= 20])
    assert len(minima) == len(expected) == 7
    assert np.allclose(minima, expected, atol=1e-4)
    assert sgd_checks._minima_count() == 7


# -- the sources' factor for "exactly once" ----------------------------------

@pytest.mark.parametrize("N", [2, 3, 10, 100])
def test_sources_exactly_once_factor_is_wrong(N):
    """The sources' (N-1)/N (1 - 1/N)^N = (1 - 1/N)^(N+1) differs from the
    enumerated probability (1 - 1/N)^(N-1) (exactly for small N)."""
    sources = (N - 1) / N * (1 - 1 / N) ** N
    assert sources == pytest.approx((1 - 1 / N) ** (N + 1))
    assert sources < exactly_once(N)
    if N <= 3:
        hits = [draws.count(0) == 1
                for draws in itertools.product(range(N), repeat=N)]
        assert sum(hits) / len(hits) == pytest.approx(exactly_once(N))


# -- sufficient, not necessary: the Robbins-Monro conditions -----------------

def test_inverse_sqrt_breaks_robbins_monro_but_the_bound_vanishes():
    r, G = 1.0, 1.0
    bounds, sq_sums = [], []
    for T in [10**2, 10**4, 10**6]:
        etas = 1 / np.sqrt(np.arange(1, T + 1))
        sq_sums.append(np.sum(etas ** 2))  # = H_T, diverges like ln T
        assert np.sum(etas ** 2) == pytest.approx(
            math.log(T) + 0.5772156649, abs=1 / T)
        assert np.sum(etas ** 2) / np.sum(etas) < 2 * math.log(T) / (
            math.sqrt(T))
        bounds.append(bound(etas, r, G))
    assert sq_sums[-1] > 14  # grows without bound: sum eta^2 = infinity
    assert bounds[0] > bounds[1] > bounds[2] and bounds[2] < 0.01


def test_polynomial_half_with_delta_one_is_the_corollary_schedule():
    eta0 = 0.7
    t = np.arange(1, 1001)  # update t uses the factor at t - 1
    poly = eta0 * (1 + 1.0 * (t - 1)) ** -0.5
    assert np.allclose(poly, eta0 / np.sqrt(t), rtol=0, atol=1e-15)


# -- the noise floor of SGD with a constant step -----------------------------

def floor(eta, lam, sigma):
    return eta * sigma ** 2 / (lam * (2 - eta * lam))


@pytest.mark.parametrize("eta,lam,sigma", [(0.01, 2.0, 1.0), (0.3, 4.0, 0.5),
                                           (0.45, 4.0, 2.0), (1.5, 1.0, 1.0)])
def test_noise_floor_is_the_fixed_point_of_the_second_moment(eta, lam,
                                                             sigma):
    """E x_t^2 = (1 - eta lam)^2 E x_{t-1}^2 + eta^2 sigma^2 converges to
    eta sigma^2 / (lam (2 - eta lam)) for 0 < eta lam < 2."""
    v = floor(eta, lam, sigma)
    assert v == pytest.approx(eta ** 2 * sigma ** 2
                              / (1 - (1 - eta * lam) ** 2))
    m = 25.0  # x_0^2
    for t in range(1, 3000):
        m = (1 - eta * lam) ** 2 * m + eta ** 2 * sigma ** 2
        closed = (1 - eta * lam) ** (2 * t) * 25.0 + v * (
            1 - (1 - eta * lam) ** (2 * t))
        assert m == pytest.approx(closed, rel=1e-9)
    assert m == pytest.approx(v, rel=1e-9)
    # the small-step form is the limit eta lam -> 0 only
    assert floor(1e-6, lam, sigma) / (1e-6 * sigma ** 2 / (2 * lam)) \
        == pytest.approx(1, rel=1e-5)


@pytest.mark.parametrize("noise", ["gauss", "rademacher"])
def test_noise_floor_by_simulation(noise):
    """Any zero-mean noise of variance sigma^2, independent of x."""
    rng = np.random.default_rng(1)
    lams, eta, sigma = np.array([2.0, 4.0]), 0.2, 1.5
    x = np.zeros((20000, 2))
    acc = 0.0
    for t in range(400):
        if noise == "gauss":
            xi = rng.standard_normal(x.shape)
        else:
            xi = rng.choice([-1.0, 1.0], size=x.shape)
        x = (1 - eta * lams) * x - eta * sigma * xi
        if t >= 200:
            acc += (x ** 2).sum(axis=1).mean()
    expected = sum(floor(eta, lam, sigma) for lam in lams)
    assert acc / 200 == pytest.approx(expected, rel=0.02)


# --- the hard example of exercise 4: coupled double wells ---

def test_coupled_double_wells_keep_one_minimum_per_corner():
    """f(x) = sum_i (x_i^2 - 1)^2 + x^T M x / 2, with M symmetric, zero
    diagonal and ||M|| <= 0.1, keeps a local minimum near every corner
    e in {-1, 1}^d, at a value within ||M e||^2 / (2 m) below
    f(e) = e^T M e / 2.

    Derivation: grad f(e) = M e, since 4 e_i (e_i^2 - 1) = 0. On the ball of
    radius 0.2 around e every coordinate has |x_i| >= 0.8, so the Hessian
    diag(12 x_i^2 - 4) + M >= (12 * 0.64 - 4 - ||M||) I = m I with
    m = 3.68 - ||M|| > 0: f is m-strongly convex there, its minimizer over
    the ball lies within ||M e|| / m <= 0.1 sqrt(d) / 3.58 < 0.2 of e (for
    d = 6), so it is a local minimum of f, and its value is at least
    f(e) - ||M e||^2 / (2 m) and at most f(e).
    """
    d = 6
    rng = np.random.default_rng(0)
    M = rng.standard_normal((d, d))
    M = (M + M.T) / 2
    np.fill_diagonal(M, 0.0)
    M *= 0.1 / np.linalg.norm(M, 2)
    m = 3.68 - np.linalg.norm(M, 2)

    def f(x):
        return ((x ** 2 - 1) ** 2).sum() + 0.5 * x @ M @ x

    minima = set()
    for e in itertools.product([-1.0, 1.0], repeat=d):
        e = np.array(e)
        x = e.copy()
        # GD on the ball: curvature between m and 12 * 1.2^2 - 4 + 0.1 = 13.4,
        # so step 0.05 < 2 / 13.4 is stable and contracts by 1 - 0.05 m
        # = 0.82 per step: 300 steps bring the gradient to rounding level
        for _ in range(300):
            x = x - 0.05 * (4 * x * (x ** 2 - 1) + M @ x)
        grad = 4 * x * (x ** 2 - 1) + M @ x
        hess = np.diag(12 * x ** 2 - 4) + M
        assert np.abs(grad).max() < 1e-10
        assert np.linalg.eigvalsh(hess).min() > 0
        assert np.linalg.norm(x - e) < 0.2
        f_e = 0.5 * e @ M @ e
        # the lower end: the strong-convexity bound; 1e-12 is rounding
        assert f_e - np.linalg.norm(M @ e) ** 2 / (2 * m) - 1e-12 <= f(x)
        assert f(x) <= f_e + 1e-12
        minima.add(tuple(np.round(x, 8)))
    assert len(minima) == 2 ** d  # one distinct minimum per corner


def test_uncoupled_double_wells_are_all_global_and_tilt_is_separable():
    """Without coupling all 2^d corners have f = 0 (all global); with a
    tilt sum x_i / 10 the function is a sum of one-dimensional ones, so
    its global minimum is the corner of the per-coordinate minima."""
    d = 4
    corners = np.array(list(itertools.product([-1.0, 1.0], repeat=d)))
    assert np.all(((corners ** 2 - 1) ** 2).sum(axis=1) == 0)
    grid = np.linspace(-2, 2, 400_001)
    one = (grid ** 2 - 1) ** 2 + grid / 10
    best_1d = grid[np.argmin(one)]
    assert best_1d < 0  # the tilt favours the left well
    # the d-dimensional minimum value is d times the 1-D one
    starts = corners.copy()
    for _ in range(2000):
        starts -= 0.02 * (4 * starts * (starts ** 2 - 1) + 0.1)
    values = ((starts ** 2 - 1) ** 2 + starts / 10).sum(axis=1)
    # the grid (spacing 1e-5) misses the 1-D minimum by at most 5e-6 in x
    # and by f'' h^2 / 8 ~ 1e-10 in value per coordinate
    assert values.min() == pytest.approx(d * one.min(), abs=1e-8)
    assert np.allclose(starts[np.argmin(values)], best_1d, atol=1e-4)
