"""The exercise checks of chapters/sgd.ipynb: each rejects plausible wrong
answers with a hint and accepts right answers, also written another way."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import d2lmini as d2l

# --- sgd.cosine ---

def test_cosine_accepts_other_forms(passes):
    passes("sgd.cosine",
           lambda t, T: 0.5 * (1 + math.cos(math.pi * t / T)) if t <= T
           else 0.0)
    # cos^2(pi t / 2T) is the same function; clipping with min(t, T) too
    passes("sgd.cosine",
           lambda t, T: math.cos(math.pi * min(t, T) / (2 * T)) ** 2)
    passes("sgd.cosine", lambda t, T: float(
        np.where(t <= T, (1 + np.cos(np.pi * t / T)) / 2, 0.0)))


def test_cosine_accepts_float32(passes):
    # computed in float32 the factor is off by up to a few 1e-8 (at
    # t = 999, T = 1000 the true value 2.5e-6 comes out 2.4e-6): right to
    # float32 precision, and the check's 1e-6 admits it
    def cosine32(t, T):
        t32, T32 = torch.tensor(min(t, T), dtype=torch.float32), T
        return 0.5 * (1 + torch.cos(torch.pi * t32 / T32))

    assert abs(float(cosine32(999, 1000)) - 0.5 * (
        1 + math.cos(math.pi * 0.999))) > 1e-9  # rounding does show
    passes("sgd.cosine", cosine32)
    passes("sgd.cosine", lambda t, T: np.float32(
        0.5 * (1 + np.cos(np.float32(np.pi) * np.float32(min(t, T) / T)))))


def test_cosine_rejects_an_off_by_one_step(not_yet):
    # the factor of step t + 1: differs by up to pi / (2 T), here 1.6e-2
    not_yet("sgd.cosine", lambda t, T: 0.5 * (1 + math.cos(
        math.pi * min(t + 1, T) / T)))


def test_cosine_rejects_plausible_mistakes(not_yet):
    # no clipping after T: the cosine comes back up
    not_yet("sgd.cosine", lambda t, T: 0.5 * (1 + math.cos(math.pi * t / T)),
            "after the horizon")
    not_yet("sgd.cosine", lambda t, T: math.cos(math.pi * t / (2 * T)),
            "half a cosine")
    not_yet("sgd.cosine", lambda t, T: None, "finite number")
    not_yet("sgd.cosine", 0.5, "function")


# --- sgd.noise_as_data ---

def test_noise_as_data_accepts_other_forms(passes):
    def with_torch(Q, x_star):
        Q_inv = torch.linalg.inv(Q)
        return x_star, Q_inv @ Q_inv

    def with_numpy(Q, x_star):  # arrays, and the inverse of Q^2 directly
        Q = np.asarray(Q)
        return list(np.asarray(x_star)), np.linalg.inv(Q @ Q)

    passes("sgd.noise_as_data", with_torch)
    passes("sgd.noise_as_data", with_numpy)


def test_noise_as_data_rejects_plausible_mistakes(not_yet):
    # Q^-1 instead of Q^-2: forgets that the noise is Q (a - x*)
    not_yet("sgd.noise_as_data",
            lambda Q, x_star: (x_star, torch.linalg.inv(Q)), "covariance")
    not_yet("sgd.noise_as_data",
            lambda Q, x_star: (0 * x_star, torch.linalg.inv(Q @ Q)),
            "E[a] = x*")
    not_yet("sgd.noise_as_data", lambda Q, x_star: torch.linalg.inv(Q @ Q),
            "(mean, covariance)")


# --- sgd.epoch_indices ---

def test_epoch_indices_accepts_other_forms(passes):
    def with_randperm(n, replace, generator):
        if replace:
            return torch.randint(n, (n,), generator=generator)
        return torch.randperm(n, generator=generator)

    def with_multinomial(n, replace, generator):
        weights = torch.ones(n)
        return torch.multinomial(weights, n, replacement=replace,
                                 generator=generator).tolist()

    passes("sgd.epoch_indices", with_randperm)
    passes("sgd.epoch_indices", with_multinomial)


def test_epoch_indices_rejects_plausible_mistakes(not_yet):
    not_yet("sgd.epoch_indices", lambda n, replace, g: torch.arange(n))
    # ignores replace: always a permutation
    not_yet("sgd.epoch_indices",
            lambda n, replace, g: torch.randperm(n, generator=g), "63%")
    # ignores the generator: not reproducible
    not_yet("sgd.epoch_indices", lambda n, replace, g: torch.randint(
        n, (n,)) if replace else torch.randperm(n, generator=g),
        "same seed")


def test_epoch_indices_rejects_a_sampler_that_reseeds(not_yet):
    # reseeds the generator it is given: the same seed gives the same
    # indices, but every epoch of a training run would repeat the first
    def reseeds(n, replace, g):
        g.manual_seed(g.initial_seed())
        return (torch.randint(n, (n,), generator=g) if replace
                else torch.randperm(n, generator=g))

    not_yet("sgd.epoch_indices", reseeds, "same generator")


# --- sgd.coordinate_lrs ---

def test_coordinate_lrs_accepts_other_forms(passes):
    passes("sgd.coordinate_lrs",
           lambda grads, eta: eta / grads.pow(2).mean(dim=0).sqrt())
    passes("sgd.coordinate_lrs", lambda grads, eta: [
        eta / float(np.sqrt(np.mean(np.asarray(grads)[:, i] ** 2)))
        for i in range(np.asarray(grads).shape[1])])


def test_coordinate_lrs_rejects_plausible_mistakes(not_yet):
    not_yet("sgd.coordinate_lrs",
            lambda grads, eta: eta / grads.abs().max(0).values, "root mean")
    not_yet("sgd.coordinate_lrs", lambda grads, eta: eta / grads.var(0))
    # reduces over the wrong axis
    not_yet("sgd.coordinate_lrs",
            lambda grads, eta: eta / grads.pow(2).mean(dim=1).sqrt(),
            "dim=0")


# --- sgd.local_minima ---

def test_local_minima(not_yet, passes):
    passes("sgd.local_minima", 7)
    passes("sgd.local_minima", np.int64(7))
    passes("sgd.local_minima", 7.0)
    not_yet("sgd.local_minima", 6, "sin x = -1")  # forgets x = 0
    not_yet("sgd.local_minima", 7.5, "whole number")
    not_yet("sgd.local_minima", "many", "whole number")


@pytest.mark.parametrize("name", ["sgd.cosine", "sgd.noise_as_data",
                                  "sgd.epoch_indices",
                                  "sgd.coordinate_lrs"])
def test_checks_never_crash(name):
    def raises(*args):
        raise ZeroDivisionError("oops")

    for answer in [raises, 3.0, lambda *a: None, lambda *a: "text"]:
        result = d2l.check(name, answer)
        assert not result.passed and result.hint
