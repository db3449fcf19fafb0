"""Checks for the exercises of ``chapters/sgd.ipynb``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from . import (
    Feedback,
    close,
    declare,
    exercise,
    mistake,
    not_yet,
    number,
    passed,
    right,
    when,
)


def _array(value: Any) -> np.ndarray | None:
    """``value`` as a float64 array, or ``None`` if it is not numeric."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return arr if np.all(np.isfinite(arr)) else None


def _not_callable(what: str) -> Feedback:
    return not_yet(f"the answer should be your function {what}",
                   "pass the function itself, without calling it")


# -- exercise 1: a cosine schedule -------------------------------------------

def _cosine(t: float, T: float) -> float:
    return 0.5 * (1 + math.cos(math.pi * t / T)) if t <= T else 0.0


@exercise("sgd.cosine")
def cosine(answer: Callable[[float, float], float]) -> Feedback:
    """The factor 1/2 (1 + cos(pi t / T)) for t <= T, and 0 after T."""
    if not callable(answer):
        return _not_callable("cosine(t, T)")
    cases = [(0, 100), (50, 100), (100, 100), (25, 100), (3, 7),
             (130, 100), (1000, 50), (0, 1), (999, 1000)]
    for t, T in cases:
        got = number(answer(t, T))
        want = _cosine(t, T)
        if got is None:
            return not_yet(f"cosine({t}, {T}) returned no finite number",
                           "return the factor as a float")
        # An answer computed in float32 is right to float32 precision: the
        # factor and every intermediate value (pi t / T <= pi, cos, 1 + cos)
        # are at most 4 in size, each of the four roundings errs by at most
        # half an ulp of 4, 2**-22, and cos changes by at most the change
        # of its argument, so the error is below 4 * 2**-22 < 1e-6. Every
        # wrong formula misses at least one case by more than 1e-3.
        if not math.isclose(got, want, rel_tol=0, abs_tol=1e-6):
            hint = (
                "after the horizon T the factor stays at 0"
                if t > T else
                "the factor falls from 1 at t = 0 to 0 at t = T along "
                "half a cosine wave: (1 + cos(pi t / T)) / 2"
            )
            return not_yet(
                f"cosine({t}, {T}) = {got:.6g}, expected {want:.6g}", hint)
    return passed("your schedule matches (1 + cos(pi t / T)) / 2 and stays "
                  "at 0 after T.")


# -- exercise 2: the data distribution behind additive noise -----------------

@exercise("sgd.noise_as_data")
def noise_as_data(answer: Callable[[Any, Any], tuple[Any, Any]]) -> Feedback:
    """For f = 1/2 (x - x*)^T Q (x - x*) and unit gradient noise, the data
    a of l(x, a) = 1/2 (x - a)^T Q (x - a) is N(x*, Q^{-2}); the student's
    function takes Q and x* (x_star), as in the chapter."""
    if not callable(answer):
        return _not_callable("data_distribution(Q, x_star)")
    gen = np.random.default_rng(0)
    A = gen.standard_normal((3, 3))
    problems = [
        (np.diag([2.0, 4.0]), np.zeros(2)),
        (np.diag([1.0, 9.0]), np.array([1.0, -2.0])),
        (A @ A.T + 3 * np.eye(3), gen.standard_normal(3)),
    ]
    for Q, x_star in problems:
        out = answer(torch.tensor(Q), torch.tensor(x_star))
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            return not_yet("return the pair (mean, covariance)",
                           "e.g. return x_star, cov")
        mean, cov = _array(out[0]), _array(out[1])
        d = len(x_star)
        if mean is None or cov is None or mean.reshape(-1).shape != (d,) \
                or cov.shape != (d, d):
            return not_yet(
                f"for a {d}x{d} Q the mean should have {d} entries and the "
                f"covariance shape ({d}, {d})",
                "return a vector and a matrix (tensors or arrays)")
        if not np.allclose(mean.reshape(-1), x_star, atol=1e-8):
            return not_yet(
                "the mean is not right yet",
                "E[grad] must equal the true gradient Q (x - x*), so "
                "E[a] = x*, your x_star")
        Q_inv = np.linalg.inv(Q)
        if not np.allclose(cov, Q_inv @ Q_inv, rtol=1e-6, atol=1e-10):
            return not_yet(
                f"for Q = {np.round(Q, 3).tolist()} the covariance is not "
                "right yet",
                "the gradient of l is Q (x - a); its noise -Q (a - x*) has "
                "covariance Q Sigma Q, which must be the identity")
    return passed("the data are distributed as N(x*, Q^-2) for every Q "
                  "tried.")


# -- exercise 3: one epoch of indices ----------------------------------------

@exercise("sgd.epoch_indices")
def epoch_indices(answer: Callable[..., Any]) -> Feedback:
    """Indices of one epoch, drawn with or without replacement, using the
    generator passed in."""
    if not callable(answer):
        return _not_callable("epoch_indices(n, replace, generator)")
    n = 5000
    for replace in (False, True):
        runs = []
        for seed in (0, 0, 1):
            gen = torch.Generator().manual_seed(seed)
            idx = _array(answer(n, replace, gen))
            if idx is None or idx.shape != (n,):
                return not_yet(
                    f"epoch_indices({n}, {replace}, generator) should "
                    f"return {n} indices",
                    "return a 1-D tensor of length n")
            if np.any(idx != np.round(idx)) or idx.min() < 0 \
                    or idx.max() >= n:
                return not_yet("the indices must be integers in "
                               f"0, ..., {n - 1}",
                               "torch.randint(n, (n,)) or torch.randperm(n)")
            runs.append(idx.astype(np.int64))
        name = "with" if replace else "without"
        # Training calls the sampler once per epoch with one generator: two
        # calls with the same generator must give two different epochs.
        gen = torch.Generator().manual_seed(0)
        first = _array(answer(n, replace, gen))
        second = _array(answer(n, replace, gen))
        if first is not None and second is not None and \
                np.array_equal(first, second):
            return not_yet(
                f"sampling {name} replacement: two calls with the same "
                "generator gave the same indices, so every epoch would "
                "repeat the first one",
                "draw from the generator you are given and do not reseed "
                "it inside the function")
        if not np.array_equal(runs[0], runs[1]):
            return not_yet(
                f"sampling {name} replacement: two generators with the same "
                "seed gave different indices",
                "draw the random numbers with generator=generator, so that "
                "a run can be repeated")
        if np.array_equal(runs[0], runs[2]):
            return not_yet(
                f"sampling {name} replacement: generators with different "
                "seeds gave the same indices",
                "the order must be random: draw it from the generator")
        distinct = len(np.unique(runs[0])) / n
        if not replace:
            if distinct != 1.0:
                return not_yet(
                    "without replacement every example must appear exactly "
                    "once per epoch",
                    "a random permutation: torch.randperm(n, generator=...)")
            if np.array_equal(runs[0], np.arange(n)):
                return not_yet("without replacement the order should be "
                               "shuffled, not 0, 1, 2, ...",
                               "use torch.randperm")
        elif abs(distinct - (1 - math.exp(-1))) > 0.03:
            return not_yet(
                f"with replacement {distinct:.1%} of the examples were "
                "drawn, but about 63% should be",
                "draw each of the n indices independently and uniformly: "
                "torch.randint(n, (n,), generator=...)")
    return passed("a permutation without replacement, about 63% distinct "
                  "examples with replacement, reproducible from the "
                  "generator.")


# -- exercise 4: per-coordinate learning rates -------------------------------

@exercise("sgd.coordinate_lrs")
def coordinate_lrs(answer: Callable[[Any, float], Any]) -> Feedback:
    """eta / RMS of each coordinate's past gradients: every coordinate then
    takes steps of typical size eta."""
    if not callable(answer):
        return _not_callable("coordinate_lrs(grads, eta)")
    gen = torch.Generator().manual_seed(0)
    base = torch.randn(200, 3, generator=gen, dtype=torch.float64)
    for scales, eta in [((1.0, 1.0, 1.0), 0.1), ((1.0, 30.0, 0.2), 0.1),
                        ((5.0, 1.0, 1000.0), 0.02)]:
        grads = base * torch.tensor(scales, dtype=torch.float64)
        lrs = _array(answer(grads.clone(), eta))
        if lrs is None or lrs.reshape(-1).shape != (3,):
            return not_yet("for gradients of shape (T, 3) return 3 "
                           "learning rates, one per coordinate",
                           "reduce over the time axis (dim=0)")
        lrs = lrs.reshape(-1)
        steps = lrs * grads.numpy()
        rms_steps = np.sqrt(np.mean(steps ** 2, axis=0))
        if not np.allclose(rms_steps, eta, rtol=1e-3):
            return not_yet(
                f"with coordinate scales {scales} the typical steps "
                f"lr_i * g_i have sizes {np.round(rms_steps, 4).tolist()}, "
                f"not all eta = {eta}",
                "divide eta by the root mean square of each coordinate's "
                "gradients: eta / sqrt(mean(g_i^2))")
    return passed("every coordinate now takes steps of typical size eta, "
                  "however large its gradients are.")


# -- exercise 5: local minima of x^2 (1 + sin x) -----------------------------

LOW, HIGH = -20.0, 20.0


def _minima_count(low: float = LOW, high: float = HIGH) -> int:
    """Local minima of x^2 (1 + sin x) in [low, high]: x = 0 and the zeros
    x = -pi/2 + 2 pi k of 1 + sin x (f >= 0 vanishes only there)."""
    k_lo = math.ceil((low + math.pi / 2) / (2 * math.pi))
    k_hi = math.floor((high + math.pi / 2) / (2 * math.pi))
    return (k_hi - k_lo + 1) + (1 if low <= 0 <= high else 0)


# Number of local minima of x^2 (1 + sin x) in [-20, 20]: a whole number,
# judged exactly.
_MINIMA = _minima_count()
declare(
    "sgd.local_minima",
    what="the number of local minima",
    hint="f >= 0 everywhere; look for the points where f = 0 (x = 0 and "
         "where sin x = -1), and check on a fine grid that there are no "
         "others",
    invalid="the answer should be a whole number, got {{answer}}",
    invalid_hint="count the local minima in [-20, 20]",
    cases=[
        mistake(when("v != floor(v)"),
                "the answer should be a whole number, got {{answer}}",
                "count the local minima in [-20, 20]"),
        right(close(float(_MINIMA), rtol=0.0, atol=0.0),
              f"{_MINIMA} local minima in [-20, 20] is right; all of them "
              "have f = 0."),
    ],
    otherwise="{{v:.0f}} is not the number of local minima in [-20, 20]",
)
