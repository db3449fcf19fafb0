"""The mathematical facts stated in chapters/adam-paper.ipynb."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import d2lmini as d2l


def one_step(rule, g, **hyperparams):
    x = torch.zeros_like(g)
    x.grad = g.clone()
    rule([x], d2l.init_adam_states([x]), hyperparams)
    return x


@pytest.mark.parametrize("beta1", [0.0, 0.5, 0.9])
@pytest.mark.parametrize("beta2", [0.99, 0.999, 0.9999])
def test_first_step_with_and_without_bias_correction(beta1, beta2):
    """|x_1 - x_0| = lr (corrected) and lr (1 - b1) / sqrt(1 - b2) (not),
    in every coordinate, whatever the gradient's size (eps -> 0)."""
    g = torch.tensor([1e-3, -0.5, 7.0, -300.0], dtype=torch.float64)
    hp = {"lr": 0.01, "beta1": beta1, "beta2": beta2, "eps": 1e-30}
    corrected = one_step(d2l.adam, g, **hp)
    plain = one_step(d2l.adam_no_correction, g, **hp)
    torch.testing.assert_close(corrected.abs(), torch.full_like(g, 0.01))
    factor = (1 - beta1) / math.sqrt(1 - beta2)
    torch.testing.assert_close(plain.abs(), torch.full_like(g, 0.01 * factor))
    assert torch.equal(torch.sign(plain), -torch.sign(g))


def test_without_correction_the_steps_stay_long_for_about_1_over_1_minus_b2():
    """With a constant gradient the uncorrected step is lr (1 - b1^t) /
    sqrt(1 - b2^t): above 2 lr until t ~ (1 - b2)^-1 / 4."""
    beta1, beta2 = 0.9, 0.9999
    x = torch.zeros(1, dtype=torch.float64)
    states = d2l.init_adam_states([x])
    for t in range(1, 3001):
        before = x.clone()
        x.grad = torch.ones(1, dtype=torch.float64)
        d2l.adam_no_correction([x], states, {"lr": 1.0, "beta1": beta1,
                                             "beta2": beta2, "eps": 1e-30})
        step = float(before - x)
        expected = (1 - beta1**t) / math.sqrt(1 - beta2**t)
        assert step == pytest.approx(expected, rel=1e-9)
    assert (1 - beta1**2500) / math.sqrt(1 - beta2**2500) > 2
    # the first step is not the longest: the factor peaks near t = 12
    longest = max((1 - beta1**t) / math.sqrt(1 - beta2**t)
                  for t in range(1, 100_001))
    assert longest > 2 * (1 - beta1) / math.sqrt(1 - beta2)


@pytest.mark.parametrize("beta2", [0.9, 0.99])
@pytest.mark.parametrize("lam", [0.1, 1.0, 10.0])
def test_adam_with_beta1_zero_ends_in_the_cycle_plus_minus_lr_over_2(
        beta2, lam):
    lr = 0.1
    x = torch.tensor([1.0], dtype=torch.float64)
    states = d2l.init_adam_states([x])
    xs = []
    for _ in range(3000):
        x.grad = lam * x.detach().clone()
        d2l.adam([x], states, {"lr": lr, "beta1": 0.0, "beta2": beta2,
                               "eps": 1e-8})
        xs.append(x.item())
    tail = np.array(xs[-100:])
    assert np.abs(tail) == pytest.approx(np.full(100, lr / 2), abs=1e-4)
    assert np.all(tail[1:] * tail[:-1] < 0)  # it alternates


def test_with_beta2_0999_float64_underflows_but_the_exact_run_cycles():
    """In float64 the beta2 = 0.999 run falls to |x| < 1e-300 and stays:
    an artefact. With an unbounded exponent (mpmath) it dives to about
    1e-512, then s decays, the origin repels and it ends on +-lr / 2."""
    import mpmath

    lr, lam, beta2 = 0.1, 1.0, 0.999
    x = torch.tensor([1.0], dtype=torch.float64)
    states = d2l.init_adam_states([x])
    for _ in range(3000):
        x.grad = lam * x.detach().clone()
        d2l.adam([x], states, {"lr": lr, "beta1": 0.0, "beta2": beta2,
                               "eps": 1e-8})
    assert abs(x.item()) < 1e-300
    xm, s, smallest, tail = mpmath.mpf(1), mpmath.mpf(0), mpmath.mpf(1), []
    for t in range(1, 30_001):
        g = lam * xm
        s = beta2 * s + (1 - beta2) * g**2
        xm -= lr * g / (mpmath.sqrt(s / (1 - beta2**t)) + 1e-8)
        smallest = min(smallest, abs(xm))
        if t > 29_900:
            tail.append(float(xm))
    assert smallest < mpmath.mpf("1e-400")
    tail = np.array(tail)
    assert np.abs(tail) == pytest.approx(np.full(100, lr / 2), abs=1e-4)
    assert np.all(tail[1:] * tail[:-1] < 0)


def test_the_cycle_is_a_fixed_point_of_two_steps():
    """On the cycle (s = (lam a)^2, t large) one step maps a to -a."""
    lam, lr = 3.0, 0.2
    a = lr / 2
    x = torch.tensor([a], dtype=torch.float64)
    v = torch.zeros(1, dtype=torch.float64)
    s = torch.tensor([(lam * a) ** 2], dtype=torch.float64)
    t = torch.tensor(10_000.0, dtype=torch.float64)  # 0.9**t == 0
    for sign in (-1, 1):
        x.grad = lam * x.detach().clone()
        d2l.adam([x], [(v, s, t)], {"lr": lr, "beta1": 0.0, "beta2": 0.9,
                                    "eps": 1e-30})
        assert x.item() == pytest.approx(sign * a, rel=1e-12)
        assert s.item() == pytest.approx((lam * a) ** 2, rel=1e-12)


@pytest.mark.parametrize("period", [4, 25, 100])
def test_adagrad_gives_a_feature_present_with_frequency_p_1_over_sqrt_p(
        period):
    """A feature present every `period` steps (p = 1/period) against one
    present always, both with gradient 1: step sizes differ by sqrt(period).
    """
    w = torch.zeros(2, dtype=torch.float64)
    states = d2l.init_adagrad_states([w])
    steps = 100 * period
    for t in range(steps):
        w.grad = torch.tensor([1.0 if t % period == 0 else 0.0, 1.0],
                              dtype=torch.float64)
        d2l.adagrad([w], states, {"lr": 0.0, "eps": 1e-10})
    s = states[0]
    assert s.tolist() == [100.0, float(steps)]
    assert math.sqrt(s[1] / s[0]) == pytest.approx(math.sqrt(period))


def test_noise_floor_of_constant_lr_adam_shrinks_like_sqrt_lr():
    """On E[(x - xi)^2 / 2], xi = +-1, Adam with a constant lr levels off at
    a mean distance that is about sqrt(10) times lower for a ten times
    smaller lr; lr / sqrt(t) keeps shrinking it."""

    def floor(schedule, steps=2000, runs=1000):
        gen = torch.Generator().manual_seed(0)
        x = torch.ones(runs, dtype=torch.float64)
        states = d2l.init_adam_states([x])
        dist = []
        for t in range(1, steps + 1):
            xi = torch.randint(0, 2, (runs,), generator=gen) * 2.0 - 1.0
            x.grad = x - xi
            d2l.adam([x], states, {"lr": schedule(t), "eps": 1e-8})
            dist.append(x.abs().mean().item())
        return np.array(dist)

    big, small = floor(lambda t: 0.1), floor(lambda t: 0.01)
    ratio = big[1500:].mean() / small[1500:].mean()
    assert 2.5 < ratio < 4.0
    # a floor: no progress from the second quarter to the last
    assert big[1500:].mean() > 0.9 * big[500:1000].mean()
    decay = floor(lambda t: 0.1 / math.sqrt(t))
    assert decay[1500:].mean() < 0.85 * decay[500:1000].mean()


@pytest.mark.parametrize("beta2", [0.99, 0.999])
def test_corrected_second_moment_is_within_beta2_powers_of_the_mean(beta2):
    """eq-adam-paper-mean: beta2**(t-1) <= s_hat_t / mean(g**2) <=
    beta2**-(t-1), and it is 1 for a constant gradient."""
    gen = torch.Generator().manual_seed(3)
    g2 = torch.randn(300, generator=gen, dtype=torch.float64) ** 2
    s = 0.0
    for t in range(1, 301):
        s = beta2 * s + (1 - beta2) * g2[t - 1].item()
        ratio = s / (1 - beta2 ** t) / g2[:t].mean().item()
        # 1e-12: the recursion's rounding error, far below the bounds' gap
        assert beta2 ** (t - 1) * (1 - 1e-12) <= ratio
        assert ratio <= beta2 ** -(t - 1) * (1 + 1e-12)
    s = 0.0
    for _ in range(1, 50):
        s = beta2 * s + (1 - beta2) * 4.0
    assert s / (1 - beta2 ** 49) == pytest.approx(4.0, rel=1e-12)


def test_adam_with_lr_over_sqrt_t_is_adagrad_as_beta2_tends_to_1():
    """eq-adam-paper-adagrad: with beta1 = 0, Adam's step at rate
    lr / sqrt(t) is Adagrad's step at rate lr, up to beta2**(+-(t-1)/2)."""
    gen = torch.Generator().manual_seed(4)
    T, lr = 200, 0.3
    grads = torch.randn(T, 50, generator=gen, dtype=torch.float64) * (
        torch.rand(T, 50, generator=gen) < 0.1)
    for beta2 in (0.999, 1 - 1e-9):
        xa = torch.zeros(50, dtype=torch.float64)
        xg = torch.zeros(50, dtype=torch.float64)
        sa, sg = d2l.init_adam_states([xa]), d2l.init_adagrad_states([xg])
        worst = 0.0
        for t in range(1, T + 1):
            before_a, before_g = xa.clone(), xg.clone()
            xa.grad, xg.grad = grads[t - 1], grads[t - 1]
            d2l.adam([xa], sa, {"lr": lr / math.sqrt(t), "beta1": 0.0,
                                "beta2": beta2, "eps": 1e-30})
            d2l.adagrad([xg], sg, {"lr": lr, "eps": 1e-30,
                                   "eps_inside_sqrt": False})
            moved = (xg - before_g) != 0
            ratio = (xa - before_a)[moved] / (xg - before_g)[moved]
            bound = beta2 ** (-(t - 1) / 2)
            # 1e-9: 1 - beta2**t is computed with a relative error of about
            # 1e-16 / (t (1 - beta2)) <= 1e-7 for beta2 = 1 - 1e-9, which
            # enters the ratio halved; the rest is rounding (1e-15).
            assert (ratio <= bound * (1 + 1e-7)).all()
            assert (ratio >= (1 / bound) * (1 - 1e-7)).all()
            worst = max(worst, (ratio - 1).abs().max().item())
        if beta2 > 0.9999:
            assert worst < 1e-6  # bound - 1 < 1e-7, plus the 1e-7 above


def test_separable_digits_have_no_minimizer():
    """The digits training set is linearly separable, so the cross-entropy
    of c (W, b) falls strictly towards 0 as c grows: no minimizer."""
    data = d2l.split_digits(test_size=500, seed=0)
    X, y = data.X_train, data.y_train
    W = torch.zeros(10, 64, requires_grad=True)
    b = torch.zeros(10, requires_grad=True)
    opt = torch.optim.SGD([W, b], lr=5.0, momentum=0.9)
    for _ in range(2000):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(X @ W.T + b, y).backward()
        opt.step()
        if ((X @ W.T + b).argmax(1) == y).all():
            break
    with torch.no_grad():
        scores = (X @ W.T + b).double()
        assert (scores.argmax(1) == y).all()
        losses = [torch.nn.functional.cross_entropy(2.0 ** k * scores,
                                                    y).item()
                  for k in range(11)]
    assert all(a > b > 0 for a, b in zip(losses, losses[1:]))
    # Towards 0: with the smallest margin m > 0, every example's loss at
    # c (W, b) is at most log(1 + 9 exp(-c m)); at c = 40 / m that is
    # below 4e-17, and float64 computes the mean loss to about 1e-16.
    other = scores.scatter(1, y[:, None], -math.inf).max(1).values
    m = (scores.gather(1, y[:, None])[:, 0] - other).min().item()
    assert m > 0
    far = torch.nn.functional.cross_entropy(40 / m * scores, y).item()
    assert far <= math.log1p(9 * math.exp(-40)) + 1e-16


def test_adam_with_momentum_leaves_the_minimum_after_a_long_detour():
    """beta1 = 0.9, beta2 = 0.999, lr 0.1 on x**2 / 2: tiny after 3000
    steps, then thrown out; the same update on floats as d2l.adam."""
    lr, beta1, beta2, eps = 0.1, 0.9, 0.999, 1e-8
    x, v, s, xs = 1.0, 0.0, 0.0, []
    for t in range(1, 20_001):
        g = x
        v = beta1 * v + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g * g
        x -= lr * (v / (1 - beta1 ** t)) / (math.sqrt(s / (1 - beta2 ** t))
                                            + eps)
        xs.append(x)
    xs = np.abs(np.array(xs))
    p = torch.ones(1, dtype=torch.float64)
    states = d2l.init_adam_states([p])
    for _ in range(500):
        p.grad = p.detach().clone()
        d2l.adam([p], states, {"lr": lr, "beta1": beta1, "beta2": beta2,
                               "eps": eps})
    assert abs(p.item()) == pytest.approx(xs[499], rel=1e-9, abs=1e-300)
    assert xs[2000:3000].max() < 1e-30
    assert xs.min() < 1e-100
    assert xs[-1000:].max() > 1e-3
