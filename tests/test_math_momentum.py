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
        # 5 steps of ~6 operations, the matrix and the package rounding
        # differently, |eigenvalues| < 1: <= 5 * 12 u = 7e-15 relative,
        # far below rel 1e-12; beta for eta * beta in N is off by 1e-1.
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
        # zs comes from a 4 x 4 rotation (a reduction: its order, and so
        # its last bits, depend on the CPU) of iterates whose ~6 operations
        # per step may fuse differently: ~10 u per step, carried by
        # rho(R) <= 1 over 40 steps. This CPU uses <= 4.4e-4 of rtol 1e-9,
        # one random ulp per update <= 4.9e-4 (nudge, tests/ulp_margin.py).
        # A wrong eigenvalue (1e-6 off) moves z by more after 40 steps.
        assert torch.allclose(zs[t], z, rtol=1e-9, atol=1e-12)
    if beta == 0.0:
        for t in (1, 10, steps):
            closed = (1 - eta * lams) ** t * zs[0]
            # pow (an ulp apart across CPUs) times the rotation: as above.
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
    # v reaches 10 to within a few u; x ~ 400 rounds to ulp(400) = 5.7e-14
    # per step, which the difference of two iterates keeps: <= 1.2e-13 of
    # the step 1 on any CPU, rel 1e-12 leaves a factor 8. After 400
    # steps 0.9^400 = 5e-19: eta / (1 - beta) is reached.
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
        # eta g rounds where v does not: a few u per step, a 4 x 4 product
        # per gradient (CPU-dependent order), 30 steps: this CPU uses
        # <= 1.3e-3 of rtol 1e-12, so it holds for ~700 times its rounding
        # (nudge: 1.3e-3 too). u = eta v scaled by eta twice is off by 0.8.
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
        # Two forms of the same iterates (~8 operations each and a 4 x 4
        # product per step) over 30 steps: this CPU uses <= 1.2e-4 of rtol
        # 1e-10 (nudge too); a look-ahead with beta^2 for beta is off by
        # ~1e-1.
        assert torch.allclose(ys[t], x - eta * beta * v, rtol=1e-10,
                              atol=1e-12)
        opt.zero_grad()
        (0.5 * (y - x_star) @ Q @ (y - x_star)).backward()
        opt.step()
        # torch.optim.SGD fuses (add_ with alpha) and differentiates the
        # quadratic by autograd: as above, within 1.2e-4 of the tolerance.
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
    """h = x'Qx/2 - q'x + h0 has minimizer Q^-1 q, minimum h0 - q'Q^-1q/2."""
    gen = torch.Generator().manual_seed(4)
    A = torch.randn(5, 5, generator=gen, dtype=torch.float64)
    Q = A @ A.T + torch.eye(5, dtype=torch.float64)
    q = torch.randn(5, generator=gen, dtype=torch.float64)
    h0 = 0.7

    def h(x):
        return 0.5 * x @ Q @ x - q @ x + h0

    x_star = torch.linalg.solve(Q, q)
    h_star = h0 - 0.5 * q @ x_star
    assert float(h(x_star)) == pytest.approx(float(h_star), rel=1e-12)
    assert torch.allclose(Q @ x_star - q, torch.zeros(5, dtype=torch.float64),
                          atol=1e-12)
    for _ in range(20):
        d = torch.randn(5, generator=gen, dtype=torch.float64)
        x = x_star + d
        shifted = 0.5 * d @ Q @ d + h_star
        assert float(h(x)) == pytest.approx(float(shifted), rel=1e-10)
        assert float(h(x)) > float(h_star)


# --- Exercise 1: Polyak's parameters give a Jordan block at both ends. ---

def _polyak(lam_min: float, lam_max: float) -> tuple[float, float]:
    eta = 4 / (math.sqrt(lam_max) + math.sqrt(lam_min)) ** 2
    kappa = lam_max / lam_min
    beta = ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2
    return eta, beta


@pytest.mark.parametrize(("lam_min", "lam_max"),
                         [(0.2, 4.0), (1.0, 100.0), (2.0**-9, 1.0)])
def test_polyak_parameters_give_repeated_real_eigenvalues(lam_min, lam_max):
    """Trace +-2 sqrt(beta), discriminant 0: eigenvalue +-sqrt(beta) twice,
    R - (+-sqrt(beta)) I nonzero and nilpotent (a Jordan block)."""
    eta, beta = _polyak(lam_min, lam_max)
    root = math.sqrt(beta)
    for lam, sign in [(lam_min, 1.0), (lam_max, -1.0)]:
        R = R_matrix(beta, eta, lam)
        assert np.trace(R) == pytest.approx(2 * sign * root, abs=1e-12)
        assert np.linalg.det(R) == pytest.approx(beta, abs=1e-12)
        N = R - sign * root * np.eye(2)
        assert np.abs(N).max() > 0.1
        np.testing.assert_allclose(N @ N, 0.0, atol=1e-12)
        # R^t = (s r)^t I + t (s r)^(t-1) N exactly.
        for t in (1, 7, 40):
            power = np.linalg.matrix_power(R, t)
            closed = ((sign * root) ** t * np.eye(2)
                      + t * (sign * root) ** (t - 1) * N)
            np.testing.assert_allclose(power, closed, rtol=1e-9,
                                       atol=1e-14)
    # In between: complex eigenvalues of modulus sqrt(beta).
    for lam in np.linspace(lam_min, lam_max, 9)[1:-1]:
        eig = np.linalg.eigvals(R_matrix(beta, eta, lam))
        np.testing.assert_allclose(np.abs(eig), root, rtol=1e-9)


def test_polyak_error_decays_like_t_times_beta_to_t_half():
    eta, beta = _polyak(0.2, 4.0)
    root = math.sqrt(beta)
    R = R_matrix(beta, eta, 0.2)
    state = np.array([0.0, 1.0])
    ratios = []
    for t in range(1, 401):
        state = R @ state
        if t in (100, 200, 400):
            ratios.append(abs(state[1]) / (t * root ** t))
    # |x_t| / beta^(t/2) grows without bound, |x_t| / (t beta^(t/2))
    # tends to a positive constant.
    assert ratios[2] == pytest.approx(ratios[1], rel=0.02)
    assert ratios[2] > 0.1


# --- Nesterov at its own parameters (eq-nesterov-rate). ---

def _nesterov_gaps(lams: np.ndarray, x0: np.ndarray, steps: int):
    """f(x_t) - f* for t = 1..steps, eta = 1/L, beta = (sk - 1)/(sk + 1),
    with x_t the gradient step from the point where d2l.sgd_nesterov
    takes the gradient."""
    L, mu = lams.max(), lams.min()
    sk = math.sqrt(L / mu)
    eta, beta = 1 / L, (sk - 1) / (sk + 1)
    lam_t = torch.tensor(lams, dtype=torch.float64)
    ys = run(d2l.sgd_nesterov, d2l.init_momentum_states,
             lambda y: lam_t * y, list(x0), steps, lr=eta, momentum=beta)
    xs = ys[:-1] - eta * lam_t * ys[:-1]
    gaps = (0.5 * lam_t * xs ** 2).sum(dim=1).numpy()
    f0 = 0.5 * float((lam_t * torch.tensor(x0) ** 2).sum())
    bound = (1 - 1 / sk) ** np.arange(1, steps + 1) * (
        f0 + mu / 2 * float((torch.tensor(x0) ** 2).sum()))
    return gaps, bound


@pytest.mark.parametrize("seed", range(4))
def test_nesterov_rate_bound_on_quadratics(seed):
    rng = np.random.default_rng(seed)
    lams = np.exp(rng.uniform(np.log(0.05), np.log(5.0), size=6))
    x0 = rng.normal(size=6) * 3
    gaps, bound = _nesterov_gaps(lams, x0, 200)
    assert (gaps <= bound * (1 + 1e-9) + 1e-300).all()


def test_nesterov_bound_on_the_chapter_problem():
    gaps, bound = _nesterov_gaps(np.array([0.2, 4.0]),
                                 np.array([-5.0, -2.0]), 60)
    assert (gaps <= bound).all()
    assert gaps[-1] < 1e-6


def test_polyak_rate_beats_nesterov_rate_on_quadratics():
    for kappa in (2.0, 20.0, 1e4):
        sk = math.sqrt(kappa)
        assert (sk - 1) / (sk + 1) < 1 - 1 / sk


# --- Momentum with noisy gradients (eq-momentum-noise). ---

def _lyapunov_variance(lr: float, beta: float, lam: float) -> float:
    """Var x of the stationary state of (v, x) <- R (v, x) + (1, -lr) xi,
    Var xi = 1: the solution of P = R P R^T + n n^T."""
    R = R_matrix(beta, lr, lam)
    n = np.array([1.0, -lr])
    P = np.linalg.solve(np.eye(4) - np.kron(R, R), np.outer(n, n).ravel())
    return float(P.reshape(2, 2)[1, 1])


def _heavy_ball_variance(lr, beta, lam):
    return lr * (1 + beta) / (lam * (1 - beta) * (2 * (1 + beta) - lr * lam))


def test_heavy_ball_stationary_variance_closed_form():
    rng = np.random.default_rng(0)
    checked = 0
    while checked < 300:
        beta, lam = rng.uniform(0, 0.99), rng.uniform(0.05, 10.0)
        lr = rng.uniform(0.001, 0.999) * (2 + 2 * beta) / lam
        assert _lyapunov_variance(lr, beta, lam) == pytest.approx(
            _heavy_ball_variance(lr, beta, lam), rel=1e-8)
        checked += 1


def test_heavy_ball_variance_with_beta_zero_is_sgd():
    for lr, lam in [(0.1, 1.0), (1.5, 1.0), (0.01, 30.0)]:
        assert _heavy_ball_variance(lr, 0.0, lam) == pytest.approx(
            lr / (lam * (2 - lr * lam)))


def test_equal_effective_step_equal_spread_only_for_small_steps():
    """At equal lr / (1 - beta) the two floors agree as lr * lam -> 0;
    for larger steps momentum's is lower."""
    beta, lam = 0.9, 1.0
    for eff in (1e-4, 1e-3):
        sgd = eff / (lam * (2 - eff * lam))
        hb = _heavy_ball_variance(eff * (1 - beta), beta, lam)
        assert hb == pytest.approx(sgd, rel=eff)
    for eff in (0.5, 1.0, 1.6, 1.99):
        sgd = eff / (lam * (2 - eff * lam))
        hb = _heavy_ball_variance(eff * (1 - beta), beta, lam)
        assert hb < sgd
        shrink = (1 - beta) / (1 + beta)
        assert hb == pytest.approx(eff / (lam * (2 - eff * lam * shrink)))


def test_heavy_ball_variance_by_simulation():
    gen = torch.Generator().manual_seed(1)
    for lr, beta in [(0.1, 0.9), (0.16, 0.9), (1.0, 0.0)]:
        x = torch.zeros(20_000, dtype=torch.float64)
        states = d2l.init_momentum_states([x])
        squares = []
        for t in range(600):
            x.grad = x + torch.randn(x.shape, generator=gen,
                                     dtype=torch.float64)
            d2l.sgd_momentum([x], states, {"lr": lr, "momentum": beta})
            if t >= 300:
                squares.append(float((x ** 2).mean()))
        assert np.mean(squares) == pytest.approx(
            _heavy_ball_variance(lr, beta, 1.0), rel=0.05)


def test_hand_written_2d_momentum_equals_trainer_2d():
    def grad(x1, x2):
        return 0.2 * x1, 4 * x2

    def by_hand(x1, x2, v1, v2):
        g1, g2 = grad(x1, x2)
        v1, v2 = 0.5 * v1 + g1, 0.5 * v2 + g2
        return x1 - 0.6 * v1, x2 - 0.6 * v2, v1, v2

    a = d2l.train_2d(by_hand)
    b = d2l.train_2d(d2l.trainer_2d(d2l.sgd_momentum,
                                    d2l.init_momentum_states, grad,
                                    lr=0.6, momentum=0.5))
    np.testing.assert_array_equal(np.asarray(a.points), np.asarray(b.points))


# --- Nesterov's region, step by step (the derivation in the chapter). ---

def test_nesterov_characteristic_polynomial_coefficients():
    """det(zeta I - N) = zeta^2 + a1 zeta + a0 with
    a0 = beta (1 - eta lambda), a1 = -(1 + beta)(1 - eta lambda)."""
    rng = np.random.default_rng(2)
    for _ in range(200):
        beta, eta = rng.uniform(0, 1), rng.uniform(0, 2)
        lam = rng.uniform(0, 5)
        M = N_matrix(beta, eta, lam)
        a0 = beta * (1 - eta * lam)
        a1 = -(1 + beta) * (1 - eta * lam)
        # entries are O(10), so trace and determinant are exact to ~1e-14
        assert np.linalg.det(M) == pytest.approx(a0, abs=1e-12)
        assert -np.trace(M) == pytest.approx(a1, abs=1e-12)


def test_schur_cohn_criterion():
    """Both roots of zeta^2 + a1 zeta + a0 lie inside the unit circle iff
    |a0| < 1 and |a1| < 1 + a0 (sampled away from the boundary)."""
    rng = np.random.default_rng(3)
    checked = inside = 0
    for _ in range(5000):
        a0, a1 = rng.uniform(-1.5, 1.5), rng.uniform(-3.0, 3.0)
        margin = min(abs(abs(a0) - 1), abs(abs(a1) - 1 - a0))
        if margin < 1e-3:
            continue
        roots = np.roots([1.0, a1, a0])
        predicted = abs(a0) < 1 and abs(a1) < 1 + a0
        assert (np.abs(roots).max() < 1) == predicted
        checked += 1
        inside += predicted
    assert checked > 4000 and 500 < inside < checked - 500


def test_nesterov_region_inequalities():
    """The chapter's two cases: for 0 < eta lambda <= 1 both conditions hold;
    for eta lambda > 1, |a1| < 1 + a0 iff (eta lambda - 1)(1 + 2 beta) < 1,
    which implies |a0| < 1; for eta lambda <= 0 the second fails. Sampled
    (eta lambda, beta), and the spectral radius of N agrees."""
    rng = np.random.default_rng(4)
    for _ in range(4000):
        p, beta = rng.uniform(-1.0, 4.0), rng.uniform(0.0, 0.999)
        a0, a1 = beta * (1 - p), -(1 + beta) * (1 - p)
        edge = (2 + 2 * beta) / (1 + 2 * beta)
        if min(abs(p), abs(p - 1), abs(p - edge)) < 1e-6:
            continue
        second = abs(a1) < 1 + a0
        if 0 < p <= 1:
            assert abs(a0) < 1 and second
        elif p > 1:
            assert second == ((p - 1) * (1 + 2 * beta) < 1)
            if second:
                assert abs(a0) < 1
        else:
            assert not second
        stable = rho(N_matrix(beta, p, 1.0)) < 1
        if min(abs(p), abs(p - edge)) > 1e-3:
            assert stable == (abs(a0) < 1 and second) == (0 < p < edge)
    # the edge is at most 2 (beta = 0) and falls towards 4/3 as beta -> 1
    betas = np.linspace(0, 1, 101)
    edges = (2 + 2 * betas) / (1 + 2 * betas)
    assert edges[0] == 2 and np.all(np.diff(edges) < 0)
    assert edges[-1] == pytest.approx(4 / 3)
