r"""Seeded gradient noise for the 2-D traces, the same in Python and in the
page.

A noisy run replaces the gradient by

.. math::
    \mathbf{g}_t = \nabla f(\mathbf{x}_{t-1}) + \sigma\,\boldsymbol{\xi}_t,
    \qquad \boldsymbol{\xi}_t \sim N(\mathbf{0}, \mathbf{I}),

independently at every update :math:`t = 1, 2, \ldots` So that a live
trace (:func:`d2lmini.live_trace_2d`, which runs in the browser) draws the
same :math:`\boldsymbol{\xi}_t` as Python, neither side uses its usual
generator (NumPy's, ``Math.random``). Both run the small generator below,
written out in ``d2lmini/js/noise.js`` operation by operation, and
``tests/test_live.py`` checks that the two agree.

**Uniforms: Mulberry32** (Tommy Ettinger, 2017, public domain), a 32-bit
state :math:`a` (the seed, an integer in :math:`[0, 2^{32})`). Each draw,
with every operation on unsigned 32-bit integers (mod :math:`2^{32}`)::

    a = a + 0x6D2B79F5
    t = (a ^ (a >> 15)) * (a | 1)
    t = (t + (t ^ (t >> 7)) * (t | 61)) ^ t
    n = t ^ (t >> 14)

and the uniform number is :math:`u = (n + 1/2) / 2^{32}`, which lies
strictly inside :math:`(0, 1)` and is exact in double precision.
Mulberry32 passes the usual statistical test batteries but has a period of
only :math:`2^{32}` draws and 32 bits of state: plenty for pictures of a few
thousand steps, not a generator for serious simulation (use
``numpy.random.default_rng`` there).

**Gaussians: Box–Muller.** Update :math:`t` takes the next two uniforms
:math:`u_1, u_2` (in that order) and sets

.. math::
    \xi_{t,1} = \sqrt{-2\ln u_1}\,\cos(2\pi u_2), \qquad
    \xi_{t,2} = \sqrt{-2\ln u_1}\,\sin(2\pi u_2),

two independent standard normals (Box and Muller, 1958). So the noise of
update :math:`t` is the pair made from uniforms :math:`2t - 1` and
:math:`2t` of the stream, whatever the optimizer, and every run started
from the same seed sees the same noise.

All seeds lie on one cycle of :math:`2^{32}` states (the state just adds
an odd constant), seed :math:`s + d` starting :math:`d \cdot
\mathtt{0x6D2B79F5}^{-1} \bmod 2^{32}` draws after seed :math:`s`. For the
seeds below 100,000 these offsets keep any two streams more than 2000
draws (1000 updates) apart, so runs with different such seeds share no
noise (``tests/test_live.py`` checks it).

To reproduce the noise of a live trace with seed ``s``:
``noise_2d(s, steps)``; its path: ``train_2d(trainer_2d(OPT,
init_OPT_states, noisy_grad_2d(f_grad, sigma, s), **hyperparams), steps)``,
which is what :func:`d2lmini.live_path_2d` runs.

Introduced in ``chapters/sgd.ipynb``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["Mulberry32", "check_noise", "check_seed", "noise_2d",
           "noisy_grad_2d"]

MASK = 0xFFFFFFFF
SEED_MAX = MASK  # seeds are the integers 0, ..., 2**32 - 1
# The most rows noise_2d draws in one call: about 3 s of pure Python here,
# and 2,000,000 of the stream's 2**32 uniforms, far from its period.
MAX_NOISE_STEPS = 1_000_000


def check_seed(seed: Any) -> int:
    """Check a noise seed: a whole number in ``[0, 2**32)``.

    Raises:
        ValueError: a float, a bool, a string, or a number out of range.
    """
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ValueError(
            f"seed must be a whole number such as 0 or 42, got {seed!r}")
    if not 0 <= seed <= SEED_MAX:
        raise ValueError(
            f"seed must be between 0 and {SEED_MAX} (2**32 - 1), got {seed}")
    return int(seed)


def check_noise(sigma: Any) -> float:
    """Check a noise level: a finite number ``sigma >= 0``.

    Raises:
        ValueError: a negative, infinite or non-numeric ``sigma``.
    """
    if (isinstance(sigma, bool) or not isinstance(sigma, numbers.Real)
            or not math.isfinite(sigma)):
        raise ValueError(
            f"noise (sigma) must be a finite number >= 0, got {sigma!r}")
    if sigma < 0:
        raise ValueError(
            f"noise (sigma) must be >= 0, got {sigma}: it is the standard "
            "deviation of the noise added to each gradient coordinate")
    return float(sigma)


class Mulberry32:
    """The Mulberry32 generator with Box–Muller normals (see the module).

    Example:
        >>> gen = Mulberry32(0)
        >>> [gen.next_uint32() for _ in range(3)]
        [1144304738, 1416247, 958946056]
        >>> round(gen.uniform(), 6)
        0.146202

    Introduced in ``chapters/sgd.ipynb``.
    """

    def __init__(self, seed: int = 0) -> None:
        self.state = check_seed(seed)

    def next_uint32(self) -> int:
        """The next raw draw, an integer in ``[0, 2**32)``."""
        self.state = a = (self.state + 0x6D2B79F5) & MASK
        t = ((a ^ (a >> 15)) * (a | 1)) & MASK
        t = ((t + (((t ^ (t >> 7)) * (t | 61)) & MASK)) & MASK) ^ t
        return t ^ (t >> 14)

    def uniform(self) -> float:
        """The next uniform number, ``(n + 0.5) / 2**32``, in ``(0, 1)``."""
        return (self.next_uint32() + 0.5) / 4294967296.0

    def normal_pair(self) -> tuple[float, float]:
        """Two independent standard normals from the next two uniforms."""
        u1 = self.uniform()
        u2 = self.uniform()
        r = math.sqrt(-2.0 * math.log(u1))
        angle = 2.0 * math.pi * u2
        return r * math.cos(angle), r * math.sin(angle)


def noise_2d(seed: int, steps: int) -> np.ndarray:
    r"""The noise :math:`\boldsymbol{\xi}_1, \ldots, \boldsymbol{\xi}_T` of
    a noisy 2-D run with this seed, one row per update.

    Args:
        seed: an integer in ``[0, 2**32)``.
        steps: the number of updates :math:`T`, a whole number from 0 to
            ``MAX_NOISE_STEPS`` (1,000,000).

    Returns:
        An array of shape ``(steps, 2)``; row ``t - 1`` is
        :math:`\boldsymbol{\xi}_t`.

    Example:
        >>> noise_2d(0, 2).round(4).tolist()
        [[1.6264, 0.0034], [1.051, 1.3763]]

    Introduced in ``chapters/sgd.ipynb``.
    """
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral):
        raise TypeError(f"steps must be a whole number from 0 to "
                        f"{MAX_NOISE_STEPS}, got {steps!r}")
    if not 0 <= steps <= MAX_NOISE_STEPS:
        raise ValueError(f"steps must be a whole number from 0 to "
                         f"{MAX_NOISE_STEPS}, got {steps!r}")
    gen = Mulberry32(seed)
    return np.array([gen.normal_pair() for _ in range(steps)],
                    dtype=float).reshape(int(steps), 2)


def noisy_grad_2d(
    f_grad: Callable[[Any, Any], tuple[Any, Any]],
    sigma: float,
    seed: int = 0,
) -> Callable[[Any, Any], tuple[float, float]]:
    r"""A gradient with seeded noise: call ``t`` returns
    :math:`\nabla f + \sigma\boldsymbol{\xi}_t`.

    Each call draws the next pair of :func:`noise_2d`'s stream, so give a
    fresh one to every run (:func:`d2lmini.trainer_2d` calls the gradient
    once per update).

    Args:
        f_grad: the exact gradient ``(x1, x2) -> (g1, g2)``.
        sigma: the noise level :math:`\sigma \ge 0`.
        seed: an integer in ``[0, 2**32)``.

    Example:
        >>> g = noisy_grad_2d(lambda x1, x2: (2 * x1, 4 * x2), 1.0, seed=0)
        >>> [round(v, 4) for v in g(-5.0, -2.0)]
        [-8.3736, -7.9966]

    Introduced in ``chapters/sgd.ipynb``.
    """
    if not callable(f_grad):
        raise ValueError(
            "noisy_grad_2d needs the gradient (x1, x2) -> (g1, g2) as a "
            f"function, got {type(f_grad).__name__}")
    sigma = check_noise(sigma)
    gen = Mulberry32(seed)

    def noisy_grad(x1: Any, x2: Any) -> tuple[float, float]:
        g1, g2 = f_grad(x1, x2)
        xi1, xi2 = gen.normal_pair()
        return g1 + sigma * xi1, g2 + sigma * xi2

    noisy_grad.__name__ = noisy_grad.__qualname__ = (
        f"noisy_{getattr(f_grad, '__name__', 'grad')}")
    return noisy_grad
