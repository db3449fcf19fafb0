"""Facts of mathematics behind the live traces' status words: which
objectives are bounded below (d2lmini.objectives.lower_bound)."""

from __future__ import annotations

import numpy as np
import pytest

from d2lmini.objectives import lower_bound, objective_2d

BOUNDED = [{"quadratic": [0.1, 2.0, 0.0]}, {"quadratic": [1.0, 1.0, 1.5]},
           {"quadratic": [1.0, 1.0, 2.0]},  # semi-definite: 4ab = c^2
           {"rosenbrock": [1.0, 100.0]}, {"rosenbrock": [2.0, 0.0]},
           {"multimodal": []}]
UNBOUNDED = [({"saddle": []}, (0.0, 1.0)),
             ({"quadratic": [1.0, -0.5, 0.0]}, (0.0, 1.0)),
             ({"quadratic": [1.0, 1.0, 2.5]}, (1.0, -1.0)),
             ({"rosenbrock": [1.0, -1.0]}, (0.0, 1.0))]


@pytest.mark.parametrize("f", BOUNDED)
def test_bounded_objectives_never_go_below_their_bound(f):
    value, _ = objective_2d(f)
    bound = lower_bound(f)
    assert bound == 0.0
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20_000, 2)) * np.logspace(-3, 3, 20_000)[:, None]
    # Exact arithmetic gives f >= 0; rounding can take a value that is
    # exactly 0 (a semi-definite form on its null line) to about 1e-16 of
    # its terms below, hence the relative slack.
    terms = np.abs(x).max(axis=1) ** 4 + 1
    assert np.all(value(x[:, 0], x[:, 1]) >= -1e-12 * terms)
    # The bound is reached: it is the infimum, not just a bound.
    where = {"rosenbrock": (f.get("rosenbrock", [0])[0],
                            f.get("rosenbrock", [0])[0] ** 2),
             "multimodal": (3.0, 2.0)}.get(next(iter(f)), (0.0, 0.0))
    assert value(*where) == 0.0


@pytest.mark.parametrize("f, direction", UNBOUNDED)
def test_unbounded_objectives_fall_without_bound(f, direction):
    value, _ = objective_2d(f)
    assert lower_bound(f) is None
    # Along the direction, f falls like -s^2 (or -s^4): below any level.
    s = np.array([1e1, 1e3, 1e6])
    vals = value(s * direction[0], s * direction[1])
    assert np.all(np.diff(vals) < 0) and vals[-1] < -1e11
