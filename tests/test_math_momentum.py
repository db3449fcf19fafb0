"""The mathematical facts stated in chapters/momentum.ipynb."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import d2lmini as d2l
from d2lmini.checks import momentum as checks


def R_matrix(beta: float, eta: float, lam: float) -> np.ndarray:
    """Momentum on (lam / 2) x^2 as a linear map of (v, x)."""
    return np.array([[beta, lam], [-eta * beta, 1 - eta * lam]])


def N_matrix(beta: float, eta: float, lam: float) -> np.ndarray:
    """Nesterov (PyTorch form) on (lam / 2) x^2 as a map of (v, y)."""
    return np.array([[beta, lam],
                     [-eta * beta**2, 1 - eta * lam * (1 + beta)]])


def rho(M: np.ndarray) -> float:
    return float(np.abs(np.linalg.eigvals(M)).max())


def run(optimizer, init_states, grad, x0, steps, **hyperparams):
    x = torch.tensor(x0, dtype=torch.float64)
    states = init_states([x])
    xs = [x.clone()]
    for _ in range(steps):
        x.grad = grad(x)
        optimizer([x], states, hyperparams)
        xs.append(x.clone())
    return torch.stack(xs)


def _samples(edge, n=4000, seed=0):
    """(eta * lambda, beta) pairs, away from the boundary of the region
    0 < eta * lambda < edge(beta)."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        p, beta = rng.uniform(-1.0, 6.0), rng.uniform(0.0, 0.999)
        if min(abs(p), abs(p - edge(beta))) > 1e-3:
            out.append((p, beta))
    return out


def test_momentum_matrix_is_one_step_of_momentum():
    """[v, x] -> R [v, x] is exactly one step of the heavy ball."""
    beta, eta, lam = 0.7, 0.3, 2.5
    v, x = 0.4, -1.3
    v_new = beta * v + lam * x
    x_new = x - eta * v_new
    assert R_matrix(beta, eta, lam) @ [v, x] == pytest.approx([v_new, x_new])


@pytest.mark.parametrize("beta", [0.0, 0.3, 0.9])
@pytest.mark.parametrize("p", [0.1, 1.0, 2.5, 4.0])
def test_trace_and_determinant(beta, p):
    M = R_matrix(beta, p, 1.0)
    assert np.trace(M) == pytest.approx(1 + beta - p)
    assert np.linalg.det(M) == pytest.approx(beta, abs=1e-12)


def test_momentum_region():
    """rho(R) < 1 iff 0 < eta lambda < 2 + 2 beta (sampled both sides)."""
    inside = outside = 0
    for p, beta in _samples(lambda b: 2 + 2 * b):
        predicted = 0 < p < 2 + 2 * beta
        # eta and lambda enter only through their product
        for lam in (1.0, 0.2, 7.0):
            assert (rho(R_matrix(beta, p / lam, lam)) < 1) == predicted
        inside += predicted
        outside += not predicted
    assert inside > 500 and outside > 500


def test_momentum_region_by_simulation():
    """Iterating R agrees with the spectral radius on both sides."""
    for p, beta in [(2.3, 0.2), (2.5, 0.3), (3.9, 0.9), (4.1, 0.9)]:
        state = np.array([0.0, 1.0])
        M = R_matrix(beta, p, 1.0)
        for _ in range(3000):
            state = M @ state
            if np.abs(state).max() > 1e6:  # diverging: stop before overflow
                break
        assert (np.abs(state).max() < 1e-6) == (p < 2 + 2 * beta)


def test_nesterov_region():
    """rho(N) < 1 iff 0 < eta lambda < (2 + 2 beta) / (1 + 2 beta)."""
    for p, beta in _samples(lambda b: (2 + 2 * b) / (1 + 2 * b), seed=1):
        predicted = 0 < p < (2 + 2 * beta) / (1 + 2 * beta)
        assert (rho(N_matrix(beta, p, 1.0)) < 1) == predicted


def test_nesterov_matrix_matches_package():
    beta, eta, lam = 0.6, 0.3, 2.0
    ys = run(d2l.sgd_nesterov, d2l.init_momentum_states,
             lambda y: lam * y, [1.5], 5, lr=eta, momentum=beta)
    state = np.array([0.0, 1.5])
    for t in range(1, 6):
        state = N_matrix(beta, eta, lam) @ state
        assert float(ys[t, 0]) == pytest.approx(state[1], rel=1e-12)


def test_polyak_parameters_are_optimal_for_the_chapter_problem():
    lam_min, lam_max = 0.2, 4.0
    kappa = lam_max / lam_min
    eta = 4 / (math.sqrt(lam_max) + math.sqrt(lam_min)) ** 2
    beta = ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2
    best = checks.best_momentum_rate(lam_min, lam_max)
    for lam in (lam_min, 1.0, lam_max):
        assert rho(R_matrix(beta, eta, lam)) == pytest.approx(best, rel=1e-6)
    grid = [max(rho(R_matrix(b, e, lam)) for lam in (lam_min, lam_max))
            for e in np.linspace(0.05, 1.5, 59)
            for b in np.linspace(0.0, 0.95, 39)]
    assert min(grid) >= best - 1e-9
    assert best < (kappa - 1) / (kappa + 1)  # faster than the best GD


def _rotated_quadratic(seed=0):
    gen = torch.Generator().manual_seed(seed)
    rot, _ = torch.linalg.qr(torch.randn(4, 4, generator=gen,
                                       dtype=torch.float64))
    lams = torch.tensor([0.1, 0.5, 2.0, 3.0], dtype=torch.float64)
    Q = rot.T @ torch.diag(lams) @ rot
    x_star = torch.randn(4, generator=gen, dtype=torch.float64)
    return rot, lams, Q, x_star


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_decoupling_along_eigenvectors(beta):
    """Momentum (and GD, beta = 0) in the eigenbasis equals the rotated
    run: z_t = O (x_t - x*) follows the scalar recursions."""
    rot, lams, Q, x_star = _rotated_quadratic()
    eta, steps = 0.4, 40
    xs = run(d2l.sgd_momentum, d2l.init_momentum_states,
             lambda x: Q @ (x - x_star), [1.0, -2.0, 0.5, 3.0], steps,
             lr=eta, momentum=beta)
    zs = (xs - x_star) @ rot.T
    u, z = torch.zeros(4, dtype=torch.float64), zs[0]
    for t in range(1, steps + 1):
        u = beta * u + lams * z
        z = z - eta * u
        assert torch.allclose(zs[t], z, rtol=1e-9, atol=1e-12)
    if beta == 0.0:
        for t in (1, 10, steps):
            closed = (1 - eta * lams) ** t * zs[0]
            assert torch.allclose(zs[t], closed, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("beta", [0.0, 0.25, 0.6, 0.9, 0.95])
def test_geometric_series(beta):
    partial = sum(beta**tau for tau in range(5000))
    assert partial == pytest.approx(1 / (1 - beta), rel=1e-12)


def test_unrolled_velocity():
    gen = torch.Generator().manual_seed(3)
    grads = torch.randn(8, 3, generator=gen, dtype=torch.float64)
    beta = 0.8
    v = torch.zeros(3, dtype=torch.float64)
    for g in grads:
        v = beta * v + g
    unrolled = sum(beta**tau * grads[-1 - tau] for tau in range(8))
    assert torch.allclose(v, unrolled)


def test_constant_gradient_step_tends_to_eta_over_one_minus_beta():
    xs = run(d2l.sgd_momentum, d2l.init_momentum_states,
             lambda x: torch.ones_like(x), [0.0], 400, lr=0.1, momentum=0.9)
    assert float(xs[-2, 0] - xs[-1, 0]) == pytest.approx(1.0, rel=1e-12)


def test_momentum_with_beta_zero_is_gd():
    rot, lams, Q, x_star = _rotated_quadratic(1)

    def grad(x):
        return Q @ (x - x_star)

    a = run(d2l.sgd_momentum, d2l.init_momentum_states, grad,
            [1.0, 2.0, 3.0, 4.0], 25, lr=0.3, momentum=0.0)
    b = run(d2l.sgd, d2l.init_sgd_states, grad, [1.0, 2.0, 3.0, 4.0], 25,
            lr=0.3)
    assert torch.equal(a, b)


def test_conventions_coincide_for_constant_lr():
    """v <- beta v + g, x <- x - eta v equals u <- beta u + eta g,
    x <- x - u (Sutskever, Ruder) with u = eta v."""
    rot, lams, Q, x_star = _rotated_quadratic(2)
    eta, beta = 0.2, 0.7
    xs = run(d2l.sgd_momentum, d2l.init_momentum_states,
             lambda x: Q @ (x - x_star), [0.0] * 4, 30, lr=eta,
             momentum=beta)
    x = torch.zeros(4, dtype=torch.float64)
    u = torch.zeros(4, dtype=torch.float64)
    for t in range(1, 31):
        u = beta * u + eta * (Q @ (x - x_star))
        x = x - u
        assert torch.allclose(xs[t], x, rtol=1e-12, atol=1e-14)


def test_nesterov_lookahead_equals_pytorch_form():
    """The look-ahead points x_t - eta beta v_t are PyTorch's iterates."""
    rot, lams, Q, x_star = _rotated_quadratic(3)

    def grad(x):
        return Q @ (x - x_star)

    eta, beta, steps = 0.3, 0.8, 30
    x0 = [2.0, -1.0, 0.0, 1.0]
    ys = run(d2l.sgd_nesterov, d2l.init_momentum_states, grad, x0, steps,
             lr=eta, momentum=beta)
    y = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([y], lr=eta, momentum=beta, nesterov=True)
    x = torch.tensor(x0, dtype=torch.float64)
    v = torch.zeros(4, dtype=torch.float64)
    for t in range(1, steps + 1):
        v = beta * v + grad(x - eta * beta * v)
        x = x - eta * v
        assert torch.allclose(ys[t], x - eta * beta * v, rtol=1e-10,
                              atol=1e-12)
        opt.zero_grad()
        (0.5 * (y - x_star) @ Q @ (y - x_star)).backward()
        opt.step()
        assert torch.allclose(ys[t], y.detach(), rtol=1e-10, atol=1e-12)


def test_gd_scalar_closed_form_for_chapter_lambdas():
    eta = 0.1
    for lam in (0.1, 1.0, 10.0, 19.0):
        xs = run(d2l.sgd, d2l.init_sgd_states, lambda x, lam=lam: lam * x,
                 [1.0], 20, lr=eta)
        for t in (1, 5, 20):
            assert float(xs[t, 0]) == pytest.approx((1 - eta * lam) ** t,
                                                    abs=1e-12)


def test_quadratic_minimizer_and_minimum():
    """h = x'Qx/2 + x'c + b has minimizer -Q^-1 c, minimum b - c'Q^-1c/2."""
    gen = torch.Generator().manual_seed(4)
    A = torch.randn(5, 5, generator=gen, dtype=torch.float64)
    Q = A @ A.T + torch.eye(5, dtype=torch.float64)
    c = torch.randn(5, generator=gen, dtype=torch.float64)
    b = 0.7

    def h(x):
        return 0.5 * x @ Q @ x + x @ c + b

    x_star = -torch.linalg.solve(Q, c)
    h_star = b - 0.5 * c @ torch.linalg.solve(Q, c)
    assert float(h(x_star)) == pytest.approx(float(h_star), rel=1e-12)
    assert torch.allclose(Q @ x_star + c, torch.zeros(5, dtype=torch.float64),
                          atol=1e-12)
    for _ in range(20):
        d = torch.randn(5, generator=gen, dtype=torch.float64)
        x = x_star + d
        shifted = 0.5 * d @ Q @ d + h_star
        assert float(h(x)) == pytest.approx(float(shifted), rel=1e-10)
        assert float(h(x)) > float(h_star)


def test_checks_accept_right_and_reject_wrong_answers():
    assert d2l.check("momentum.best_pair", (0.668, 0.403)).passed
    assert not d2l.check("momentum.best_pair", (0.6, 0.5)).passed
    assert not d2l.check("momentum.best_pair", (0.6, 0.0)).passed
    assert not d2l.check("momentum.best_pair", "fast").passed
    assert d2l.check("momentum.eigen_best_lr", 2 / (1 + 2**-9)).passed
    assert not d2l.check("momentum.eigen_best_lr", 2.0 / 1.0 / 2).passed
    assert d2l.check("momentum.effective_lr", 0.005).passed
    assert not d2l.check("momentum.effective_lr", 0.05).passed

    def right(Q, c, b):
        x = -torch.linalg.solve(Q, c)
        return x, b + 0.5 * float(c @ x)

    def wrong_sign(Q, c, b):
        x = torch.linalg.solve(Q, c)
        return x, b - 0.5 * float(c @ x)

    def crashes(Q, c, b):
        raise RuntimeError("oops")

    assert d2l.check("momentum.quadratic_min", right).passed
    assert not d2l.check("momentum.quadratic_min", wrong_sign).passed
    assert not d2l.check("momentum.quadratic_min", crashes).passed
    assert not d2l.check("momentum.quadratic_min", 3.0).passed
    assert not d2l.check("momentum.quadratic_min",
                         lambda Q, c, b: None).passed
