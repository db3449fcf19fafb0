"""The exercise checks of chapters/adadelta.ipynb: each rejects a plausible
wrong answer with a hint and accepts a right answer written another way."""

from __future__ import annotations

import math

import numpy as np
import torch

import d2lmini as d2l


def test_first_step_rho(not_yet):
    not_yet("adadelta.first_step_rho", 0.01, "rho = 0.9")
    not_yet("adadelta.first_step_rho", math.sqrt(1e-5))  # forgot s_1
    assert d2l.check("adadelta.first_step_rho",
                     math.sqrt(1e-5 / (0.01 + 1e-5))).passed
    assert d2l.check("adadelta.first_step_rho", np.float32(0.031607)).passed


def test_no_rescaled_gradient(not_yet):
    def forgets_delta(params, states, hyperparams):  # never updates delta
        rho, eps = hyperparams["rho"], hyperparams.get("eps", 1e-5)
        for p, (s, delta) in zip(params, states):
            with torch.no_grad():
                s[:] = rho * s + (1 - rho) * p.grad ** 2
                p -= torch.sqrt(delta + eps) / torch.sqrt(s + eps) * p.grad

    def new_delta_first(params, states, hyperparams):  # uses Delta x_t
        rho, eps = hyperparams["rho"], hyperparams.get("eps", 1e-5)
        for p, (s, delta) in zip(params, states):
            with torch.no_grad():
                s[:] = rho * s + (1 - rho) * p.grad ** 2
                ratio = (delta + eps) / (s + eps)
                delta[:] = rho * delta + (1 - rho) * ratio * p.grad ** 2
                p -= torch.sqrt(delta + eps) / torch.sqrt(s + eps) * p.grad

    not_yet("adadelta.no_rescaled_gradient", forgets_delta, "states")
    not_yet("adadelta.no_rescaled_gradient", new_delta_first)
    not_yet("adadelta.no_rescaled_gradient", "adadelta")
    not_yet("adadelta.no_rescaled_gradient", lambda *args: None,
            "does not change")

    def from_the_change(params, states, hyperparams):  # right, another way
        rho, eps = hyperparams["rho"], hyperparams.get("eps", 1e-5)
        for p, (s, delta) in zip(params, states):
            with torch.no_grad():
                old = p.clone()
                s.mul_(rho).add_((1 - rho) * p.grad ** 2)
                p.sub_(((delta + eps) / (s + eps)).sqrt() * p.grad)
                delta.mul_(rho).add_((1 - rho) * (p - old) ** 2)

    fb = d2l.check("adadelta.no_rescaled_gradient", from_the_change)
    # The pass says what was and was not checked (memory is not measured).
    assert fb.passed and "for you to check" in fb.message


def test_eps_factor(not_yet):
    not_yet("adadelta.eps_factor", 100, "square root")
    not_yet("adadelta.eps_factor", 3.0)
    assert d2l.check("adadelta.eps_factor", 10).passed  # "about 10"
    exact = (math.sqrt(1e-3) / math.sqrt(0.1 + 1e-3)) / (
        math.sqrt(1e-5) / math.sqrt(0.1 + 1e-5))
    assert d2l.check("adadelta.eps_factor", exact).passed


def test_eps_units(not_yet):
    not_yet("adadelta.eps_units", 1000, "squared step")
    not_yet("adadelta.eps_units", 1e-6, "eps_g")
    assert d2l.check("adadelta.eps_units", 1000 ** 2).passed
    assert d2l.check("adadelta.eps_units", "1e6").passed
