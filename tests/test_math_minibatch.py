"""The mathematical facts stated in chapters/minibatch-sgd.ipynb."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

import d2lmini as d2l
from d2lmini.checks import check


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
    X, y = data_iter.arrays
    w = torch.randn(dim, 1, generator=torch.Generator().manual_seed(0))
    w.requires_grad_()
    c = torch.zeros(1, requires_grad=True)
    grads = []
    for Xs, ys in [(X, y), (torch.cat([X, X]), torch.cat([y, y]))]:
        w.grad = c.grad = None
        d2l.squared_loss(d2l.linreg(Xs, w, c), ys).mean().backward()
        grads.append(torch.cat([w.grad.flatten(), c.grad]))
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


# The exercise checks accept right answers and reject wrong ones.

def test_check_lr_schedule():
    good = check("minibatch.lr_schedule", lambda opt:
                 torch.optim.lr_scheduler.StepLR(opt, 1, gamma=0.1))
    assert good.passed
    lambda_lr = check("minibatch.lr_schedule", lambda opt:
                      torch.optim.lr_scheduler.LambdaLR(
                          opt, lambda epoch: 0.1 ** epoch))
    assert lambda_lr.passed
    wrong = check("minibatch.lr_schedule", lambda opt:
                  torch.optim.lr_scheduler.StepLR(opt, 1, gamma=0.9))
    assert not wrong.passed and "gamma" in wrong.hint
    assert not check("minibatch.lr_schedule", lambda opt: None).passed


def test_check_sampler():
    assert check("minibatch.sampler",
                 lambda n, b: torch.randint(n, (b,))).passed
    assert check("minibatch.sampler",
                 lambda n, b: np.random.randint(0, n, size=b)).passed
    without = check("minibatch.sampler",
                    lambda n, b: torch.randperm(n)[:b])
    assert not without.passed
    assert not check("minibatch.sampler",
                     lambda n, b: torch.randint(n + 1, (b,))).passed
    assert not check("minibatch.sampler",
                     lambda n, b: torch.zeros(b, dtype=torch.long)).passed


def test_check_genie():
    right = {"updates_per_epoch": 30, "gd_gradient_ratio": 1.0,
             "variance_ratio": (2900 / 2999) / (1400 / 1499)}
    assert check("minibatch.genie", right).passed
    assert not check("minibatch.genie",
                     {**right, "updates_per_epoch": 15}).passed
    assert not check("minibatch.genie",
                     {**right, "variance_ratio": 1.0}).passed
    assert not check("minibatch.genie", 30).passed


def test_check_best_lr():
    assert check("minibatch.best_lr", 0.1).passed
    assert not check("minibatch.best_lr", 1.0).passed
    assert not check("minibatch.best_lr", 0.2).passed
