"""How much of each tolerance another CPU could use: a pytest plugin.

Another CPU (other SIMD width, ARM) gives the same bits for each single
``+ - * / sqrt`` (IEEE 754 rounds them correctly) but may round differently
where it fuses ``a * b + c`` into one FMA, where a reduction (``sum``,
``@``) adds in another order, or where a vectorized ``exp``/``sinh`` differs
from libm by an ulp. We model that as one ulp of difference in every stored
number after every update, and measure what it does to each comparison.

Run (not part of the suite; it never fails a comparison)::

    ULP_NUDGE=1 .venv/bin/python -m pytest -o addopts="" -p no:xdist \
        -p tests.ulp_margin tests/test_optim.py

With ``ULP_NUDGE=1``, after every call of a registered update rule of
:mod:`d2lmini.optim`, every float parameter and state entry moves one ulp up
or down at random (``torch.nextafter``). Every ``torch.allclose``,
``torch.testing.assert_close`` and ``np.testing.assert_allclose`` records
``max |a - b| / (atol + rtol |b|)``, the fraction of its tolerance used, and
passes. The fractions go to ``test-output/ulp_margin.txt`` (or ``ULP_OUT``),
one line per test: a fraction ``f`` means the comparison still holds when
every update differs by ``1/f`` ulp instead of one. Without ``ULP_NUDGE``
the same table shows what this CPU uses.

The comments next to the tight tolerances cite these fractions (measured on
x86-64 with AVX-512 and torch 2.x, December 2026).
"""

from __future__ import annotations

import collections
import os
from pathlib import Path

import numpy as np
import pytest
import torch

import d2lmini
from d2lmini import optim

NUDGE = os.environ.get("ULP_NUDGE") == "1"
FRACTIONS: dict[str, float] = collections.defaultdict(float)
_current = ["?"]
_gen = torch.Generator().manual_seed(0)


def _nudge(t):
    if isinstance(t, torch.Tensor) and t.is_floating_point() and t.dim() > 0:
        up = torch.rand(t.shape, generator=_gen) < 0.5
        inf = torch.tensor(float("inf"), dtype=t.dtype)
        with torch.no_grad():
            t.copy_(torch.nextafter(t, torch.where(up, inf, -inf)))


def _nudge_all(states):
    if isinstance(states, torch.Tensor):
        _nudge(states)
    elif isinstance(states, (list, tuple)):
        for s in states:
            _nudge_all(s)
    elif isinstance(states, dict):
        for s in states.values():
            _nudge_all(s)


def _nudged(update):
    def wrapped(params, states, hyperparams, *args, **kwargs):
        out = update(params, states, hyperparams, *args, **kwargs)
        for p in params:
            _nudge(p.data if isinstance(p, torch.Tensor) else p)
        _nudge_all(states)
        return out

    wrapped.__name__ = update.__name__
    wrapped.__doc__ = update.__doc__
    return wrapped


if NUDGE:
    for _name, _reg in list(optim.REGISTRY.items()):
        _w = _nudged(_reg.update)
        setattr(optim, _reg.update.__name__, _w)
        setattr(d2lmini, _reg.update.__name__, _w)
        optim.REGISTRY[_name] = _reg._replace(update=_w)


def _record(a, b, rtol, atol):
    a = torch.as_tensor(np.asarray(a, dtype=np.float64)).double() \
        if not isinstance(a, torch.Tensor) else a.detach().double()
    b = torch.as_tensor(np.asarray(b, dtype=np.float64)).double() \
        if not isinstance(b, torch.Tensor) else b.detach().double()
    a, b = torch.broadcast_tensors(a, b)
    allowed = atol + rtol * b.abs()
    diff = (a - b).abs()
    used = torch.where(allowed > 0, diff / allowed.clamp_min(1e-300),
                       (diff > 0).double() * 1e300)
    used = used[~torch.isnan(used)]
    if used.numel():
        key = _current[0]
        FRACTIONS[key] = max(FRACTIONS[key], float(used.max()))


def _allclose(a, b, rtol=1e-5, atol=1e-8, equal_nan=False):
    _record(a, b, rtol, atol)
    return True


def _assert_close(a, b, rtol=None, atol=None, **kwargs):
    if rtol is None:  # torch's defaults for float64 / float32
        f64 = getattr(b, "dtype", torch.float64) == torch.float64
        rtol, atol = (1e-7, 1e-7) if f64 else (1.3e-6, 1e-5)
    _record(a, b, rtol, atol)


def _np_allclose(a, b, rtol=1e-7, atol=0, **kwargs):
    _record(a, b, rtol, atol)


torch.allclose = _allclose
torch.testing.assert_close = _assert_close
np.testing.assert_allclose = _np_allclose


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    _current[0] = item.nodeid


def pytest_sessionfinish(session):
    out = Path(os.environ.get("ULP_OUT", "test-output/ulp_margin.txt"))
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w") as f:
        for key, used in sorted(FRACTIONS.items()):
            f.write(f"{used:.2e} {key}\n")
