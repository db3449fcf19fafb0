"""The mathematical facts stated in chapters/minibatch-sgd.ipynb."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

import d2lmini as d2l


def _spread(grads: np.ndarray) -> float:
    """sigma^2 = mean squared distance of the gradients from their mean."""
    return float(((grads - grads.mean(axis=0)) ** 2).sum(axis=1).mean())


@pytest.mark.parametrize("n", [2, 5, 7])
def test_minibatch_without_replacement_mean_and_variance(n):
    """Theorem thm-mb-variance, by enumerating every batch of size b."""
    grads = np.random.default_rng(n).normal(size=(n, 3))
    mean, sigma2 = grads.mean(axis=0), _spread(grads)
    for b in range(1, n + 1):
        batches = np.array([grads[list(c)].mean(axis=0)
                            for c in itertools.combinations(range(n), b)])
        np.testing.assert_allclose(batches.mean(axis=0), mean, atol=1e-12)
        variance = ((batches - mean) ** 2).sum(axis=1).mean()
        assert variance == pytest.approx(sigma2 / b * (n - b) / (n - 1),
                                         rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("n", [3, 4])
def test_minibatch_with_replacement_mean_and_variance(n):
    """With replacement: unbiased, variance sigma^2 / b exactly."""
    grads = np.random.default_rng(10 + n).normal(size=(n, 2))
    mean, sigma2 = grads.mean(axis=0), _spread(grads)
    for b in range(1, 5):
        batches = np.array([grads[list(t)].mean(axis=0)
                            for t in itertools.product(range(n), repeat=b)])
        np.testing.assert_allclose(batches.mean(axis=0), mean, atol=1e-12)
        variance = ((batches - mean) ** 2).sum(axis=1).mean()
        assert variance == pytest.approx(sigma2 / b, rel=1e-10)


def test_without_replacement_never_noisier_and_exact_at_full_batch():
    n = 1500
    for b in range(1, n + 1):
        factor = (n - b) / (n - 1)
        assert 0 <= factor <= 1
    assert (n - n) / (n - 1) == 0  # b = n: gradient descent, no noise


def test_finite_population_factor_steepens_the_log_log_slope():
    """The chapter's fit: raw slope < -1/2, corrected slope exactly -1/2."""
    n = 1500
    b = np.array([2.0 ** k for k in range(11)])
    std = np.sqrt((n - b) / (b * (n - 1)))
    raw = np.polyfit(np.log(b), np.log(std), 1)[0]
    corrected = np.polyfit(np.log(b),
                           np.log(std / np.sqrt((n - b) / (n - 1))), 1)[0]
    assert raw < -0.5
    assert corrected == pytest.approx(-0.5, abs=1e-12)
    # Quadrupling a small batch halves the noise.
    assert std[2] / std[0] == pytest.approx(0.5, rel=2e-3)


def test_duplicated_data_same_gradient_and_larger_minibatch_variance():
    """Exercise 4: every example twice."""
    n, b = 4, 3
    grads = np.random.default_rng(3).normal(size=(n, 2))
    doubled = np.concatenate([grads, grads])
    np.testing.assert_allclose(doubled.mean(axis=0), grads.mean(axis=0))
    assert _spread(doubled) == pytest.approx(_spread(grads))
    batches = np.array([doubled[list(c)].mean(axis=0)
                        for c in itertools.combinations(range(2 * n), b)])
    variance = ((batches - grads.mean(axis=0)) ** 2).sum(axis=1).mean()
    expected = _spread(grads) / b * (2 * n - b) / (2 * n - 1)
    assert variance == pytest.approx(expected, rel=1e-10)
    original = _spread(grads) / b * (n - b) / (n - 1)
    assert variance > original
    # The numbers the exercise's check expects, for n = 1500 and b = 100.
    n, b = 1500, 100
    ratio = ((2 * n - b) / (2 * n - 1)) / ((n - b) / (n - 1))
    assert 1 < ratio < 1.05
    assert math.ceil(2 * n / b) == 2 * math.ceil(n / b)


def test_duplicated_data_gradient_by_autograd():
    data_iter, dim = d2l.get_data_ch11(10)
    X, y = (a.double() for a in data_iter.arrays)
    w = torch.randn(dim, 1, generator=torch.Generator().manual_seed(0),
                    dtype=torch.float64)
    w.requires_grad_()
    c = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    grads = []
    for Xs, ys in [(X, y), (torch.cat([X, X]), torch.cat([y, y]))]:
        w.grad = c.grad = None
        d2l.squared_loss(d2l.linreg(Xs, w, c), ys).mean().backward()
        grads.append(torch.cat([w.grad.flatten(), c.grad]))
    # float64 means of 1500 and 3000 terms, in a blocked order that depends
    # on the CPU: <= 3000 u = 3.3e-13 of the sum of |terms| (in float32,
    # 1.8e-4, not far from the default tolerance; this CPU used 0.15 of
    # it). torch's float64 defaults (rtol = atol = 1e-7) leave 3e5 times
    # that; leaving out half of the copy or dividing by 1500 twice is off
    # by a factor of 2.
    torch.testing.assert_close(grads[0], grads[1])


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_expected_share_of_examples_drawn_with_replacement(n):
    """n draws with replacement hit n (1 - (1 - 1/n)^n) distinct examples."""
    counts = [len(set(t)) for t in itertools.product(range(n), repeat=n)]
    assert np.mean(counts) / n == pytest.approx(1 - (1 - 1 / n) ** n)
    assert 1 - (1 - 1 / 1500) ** 1500 == pytest.approx(1 - math.exp(-1),
                                                       abs=2e-4)


def test_spread_of_iterates_scales_with_gradient_noise():
    """x <- (1 - eta lam) x + eta lam a: stationary std is proportional to
    the std of the noise a, which is why the 2-D spread follows eq-mb-std."""
    for eta, lam in [(0.1, 2.0), (0.1, 4.0), (0.4, 4.0)]:
        q = 1 - eta * lam
        stationary = [math.sqrt((eta * lam * s) ** 2 / (1 - q ** 2))
                      for s in (1.0, 0.3)]
        assert stationary[1] / stationary[0] == pytest.approx(0.3)


def test_gd_on_airfoil_with_lr_1_is_unstable():
    """The Hessian's largest eigenvalue exceeds 2, so 2 / lambda_max < 1."""
    data_iter, _ = d2l.get_data_ch11(1500)
    X, _ = data_iter.arrays
    design = torch.cat([X, torch.ones(len(X), 1)], dim=1).double()
    eigenvalues = torch.linalg.eigvalsh(design.T @ design / len(X))
    assert eigenvalues.max() > 2
    assert eigenvalues.min() > 0
    # The centred features make the bias direction an eigenvector, value 1.
    assert torch.isclose(eigenvalues, torch.ones(1, dtype=torch.float64),
                         atol=1e-6).any()


def test_matmul_operation_count():
    """An n x n product: n^3 multiplications and n^2 (n - 1) additions."""
    for n in [1, 2, 5]:
        mults = adds = 0
        for _i, _j in itertools.product(range(n), repeat=2):
            mults += n
            adds += n - 1
        assert mults == n ** 3
        assert mults + adds == 2 * n ** 3 - n ** 2 <= 2 * n ** 3


def test_step_lr_divides_by_ten_each_epoch():
    param = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=0.05)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1, gamma=0.1)
    for epoch in range(5):
        assert optimizer.param_groups[0]["lr"] == pytest.approx(
            0.05 * 10.0 ** -epoch)
        param.grad = torch.zeros(1)
        optimizer.step()
        scheduler.step()


# --- The noise floor (eq-mb-floor). ---

def _floor(lr: float, batch: int, lam: float, sigma2: float = 1.0) -> float:
    return lr * sigma2 / (batch * lam * (2 - lr * lam))


@pytest.mark.parametrize(("lr", "batch", "lam"),
                         [(0.02, 1, 1.0), (1.2, 4, 1.0), (0.3, 16, 6.0),
                          (1.99, 1, 1.0)])
def test_noise_floor_is_the_fixed_point_of_the_variance_recursion(
        lr, batch, lam):
    """E e_t^2 = (1 - lr lam)^2 E e_{t-1}^2 + lr^2 sigma^2 / |B| converges
    to lr sigma^2 / (|B| lam (2 - lr lam)) from any start."""
    for start in (0.0, 5.0):
        v = start
        for _ in range(200_000):
            v = (1 - lr * lam) ** 2 * v + lr ** 2 / batch
        assert v == pytest.approx(_floor(lr, batch, lam), rel=1e-9)


def test_noise_floor_scales_like_one_over_batch_and_eta_over_batch():
    for lr in (0.01, 0.5, 1.5):
        assert _floor(lr, 4, 1.0) == pytest.approx(_floor(lr, 1, 1.0) / 4)
    # For lr * lam -> 0 the floor depends on lr / |B| only ...
    assert _floor(1e-4, 1, 1.0) == pytest.approx(_floor(4e-4, 4, 1.0),
                                                 rel=1e-3)
    # ... and not for larger steps: the chapter's factor (2-0.4)/(2-1.6).
    assert _floor(1.6, 4, 1.0) / _floor(0.4, 1, 1.0) == pytest.approx(4.0)


def test_noise_floor_by_simulation_with_minibatches():
    """Batches with replacement from 1500 fixed offsets, many runs."""
    rng = np.random.default_rng(5)
    offsets = rng.standard_normal(1500)
    offsets -= offsets.mean()
    sigma2 = float((offsets ** 2).mean())
    for lr, batch in [(0.4, 1), (1.2, 4)]:
        e = np.zeros(4000)
        squares = []
        for t in range(300):
            idx = rng.integers(1500, size=(4000, batch))
            e = e - lr * (e + offsets[idx].mean(axis=1))
            if t >= 200:
                squares.append((e ** 2).mean())
        assert np.mean(squares) == pytest.approx(
            _floor(lr, batch, 1.0, sigma2), rel=0.05)


def test_noise_floor_in_several_dimensions_is_the_sum_over_eigenvectors():
    """P = (I - lr H) P (I - lr H) + lr^2 S / |B|: trace of P is the sum of
    the one-dimensional floors with the noise variance along each
    eigenvector, whatever the noise correlations."""
    rng = np.random.default_rng(2)
    A = rng.normal(size=(3, 3))
    H = A @ A.T + 0.5 * np.eye(3)
    C = rng.normal(size=(3, 3))
    S = C @ C.T  # the covariance of one example's gradient noise
    lam, vecs = np.linalg.eigh(H)
    lr, batch = 1.0 / lam.max(), 8
    M = np.eye(3) - lr * H
    P = np.linalg.solve(np.eye(9) - np.kron(M, M),
                        (lr ** 2 * S / batch).ravel()).reshape(3, 3)
    along = np.diag(vecs.T @ S @ vecs)
    expected = sum(_floor(lr, batch, lam_i, s_i)
                   for lam_i, s_i in zip(lam, along))
    assert np.trace(P) == pytest.approx(expected, rel=1e-10)


# --- The sources' arithmetic, corrected. ---

def test_sources_gflops_are_off_by_about_sixty():
    """They divide 2 (GFLOP) by the seconds; a 256 x 256 product costs
    2 * 256**3 FLOP."""
    factor = 2e9 / (2 * 256 ** 3)
    assert 59 < factor < 60


def test_compute_versus_bandwidth_estimate():
    consume = 2e9 * 16 * 32
    assert consume == pytest.approx(1.024e12)
    assert 100e9 / consume < 0.1  # "less than one tenth"
    for n in (64, 256, 1024):  # 2 n^3 FLOP over 3 n^2 four-byte numbers
        assert 2 * n ** 3 / (4 * 3 * n ** 2) == pytest.approx(n / 6)


def test_gd_with_lr_1_never_comes_within_one_percent():
    """GD on the airfoil least-squares loss at lr 1, from the chapter's
    initial weights, over 10 epochs: its lowest loss stays above 1.01 times
    the minimum, while 2 / (lam_min + lam_max) gets there."""
    data_iter, dim = d2l.get_data_ch11(1500)
    X, y = (a.double() for a in data_iter.arrays)
    A = torch.cat([X, torch.ones(len(X), 1, dtype=torch.float64)], dim=1)
    sol = torch.linalg.lstsq(A, y[:, None]).solution
    best = float(((A @ sol).squeeze(1) - y).pow(2).mean() / 2)
    H = A.T @ A / len(A)
    lam = torch.linalg.eigvalsh(H)
    w0 = torch.normal(0.0, 0.01, size=(dim, 1),
                      generator=torch.Generator().manual_seed(0)).double()

    def losses(lr):
        x = torch.cat([w0, torch.zeros(1, 1, dtype=torch.float64)])
        out = []
        for _ in range(10):
            x = x - lr * (A.T @ (A @ x - y[:, None]) / len(A))
            out.append(float((A @ x - y[:, None]).pow(2).mean() / 2))
        return out

    assert min(losses(1.0)) > 1.01 * best
    assert losses(1.0)[-1] > losses(1.0)[4]  # it turns back: diverging
    assert min(losses(float(2 / (lam[0] + lam[-1])))) < 1.01 * best
