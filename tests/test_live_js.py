"""The files of the live-trace library (``d2lmini/js/``), one at a time.

``d2lmini/live.py`` joins the library's files (``LIB_FILES``, from the list
of every file, ``JS_FILES``) in that order inside one function
(``live._join``). Here each file is loaded in Node after only the
files before it, its top-level functions are handed out
(``window.d2lminiTest``, ``tests/js/run_units.js`` calls them) and compared
with their Python twins: ``objectives.js`` with
:func:`d2lmini.objectives.objective_2d`, ``rules.js`` with the update rules
of ``tests/live_reference.py`` (which follow ``d2lmini.optim``),
``noise.js`` with :mod:`d2lmini.noise`, ``schedules.js`` with the schedules
of :mod:`d2lmini.live` and of :mod:`d2lmini.schedules` (rates and argument
checks), ``draw.js``'s ticks and contour levels with what they promise.
Whole runs (``run.js``) are compared in ``tests/test_live.py``, the widget
(``widget.js``) in ``tests/test_live_browser.py``.
"""

from __future__ import annotations

import json
import math
import random
import re
import shutil
import subprocess
from pathlib import Path

import live_reference as ref_
import pytest

from d2lmini import live, noise, optim
from d2lmini.objectives import OBJECTIVES, lower_bound, objective_2d

NODE = shutil.which("node")
RUNNER = Path(__file__).parent / "js" / "run_units.js"
pytestmark = pytest.mark.skipif(NODE is None, reason="needs Node.js")


def _node(files, expose, calls, tmp_path):
    """Run ``calls`` against ``files`` (with the files before them)."""
    last = max(live.LIB_FILES.index(f) for f in files)
    bundle = tmp_path / "units.js"
    tables = json.dumps(live._tables(), separators=(",", ":"))
    bundle.write_text(f"var D2LMINI_TABLES = {tables};\n"
                      + live._join(live.LIB_FILES[:last + 1], expose))
    out = subprocess.run([NODE, str(RUNNER), str(bundle)],
                         input=json.dumps(calls), capture_output=True,
                         text=True, timeout=120, check=True)
    return [r.get("value", r) for r in json.loads(out.stdout)]


def _float(v):
    return float(v)  # "Infinity" and "NaN" come as strings


# -- the list of files ----------------------------------------------------

def test_every_file_is_in_the_list_once_and_the_library_follows_it():
    on_disk = {p.name for p in live.JS_DIR.glob("*.js")}
    assert on_disk == set(live.JS_FILES), (
        "every file of d2lmini/js is listed in live.JS_FILES (and only "
        "those): add it there, saying whether it goes into the library")
    assert live.LIB_FILES == tuple(f for f, lib in live.JS_FILES.items()
                                   if lib)
    lib = live._javascript()
    at = [lib.index(live._strip((live.JS_DIR / f).read_text()))
          for f in live.LIB_FILES]
    assert at == sorted(at)
    for f, in_lib in live.JS_FILES.items():  # and no other file
        if not in_lib:
            assert live._strip((live.JS_DIR / f).read_text()) not in lib


@pytest.mark.parametrize("k", range(len(live.LIB_FILES)))
def test_each_file_runs_after_the_ones_before_it(tmp_path, k):
    # The rule written next to JS_FILES: a top level uses only the files
    # before it, and needs no page (Node has none).
    (res,) = _node([live.LIB_FILES[k]], ["T"], [{"fn": "loaded"}],
                   tmp_path)
    assert res is True


# -- objectives.js ---------------------------------------------------------

POINTS = [[-5.0, -2.0], [0.3, 1e-3], [2.5, -1.75], [1e3, -7.0]]
SPECS = [{"quadratic": [0.1, 2.0, 0.0]}, {"quadratic": [1.0, 1.0, 1.5]},
         {"quadratic": [1.0, -1.0, 0.0]}, {"rosenbrock": [1.0, 100.0]},
         {"rosenbrock": [2.0, -1.0]}, {"saddle": []}, {"multimodal": []}]


def test_objectives_are_pythons_bit_for_bit(tmp_path):
    assert {next(iter(f)) for f in SPECS} == set(OBJECTIVES)
    calls = [{"fn": "objectiveAt", "args": [f, POINTS]} for f in SPECS]
    for f, got in zip(SPECS, _node(["objectives.js"], ["objective"], calls,
                                   tmp_path)):
        value, grad = objective_2d(f)
        # The same expressions in the same order, on doubles: equal.
        assert [_float(v) for v in got["values"]] == [
            value(*p) for p in POINTS]
        assert [[_float(v) for v in g] for g in got["grads"]] == [
            list(grad(*p)) for p in POINTS]
        assert got["lower"] == lower_bound(f)
        assert got["name"] == next(iter(f))


def test_objectives_refuse_bad_specs(tmp_path):
    bad = [{"himmelblau": []}, {"quadratic": [1, 2]},
           {"quadratic": [1, 2, "3"]}, [], {"saddle": [], "multimodal": []}]
    got = _node(["objectives.js"], ["objective"],
                [{"fn": "objective", "args": [f]} for f in bad], tmp_path)
    assert "unknown objective 'himmelblau'" in got[0]["error"]
    assert "quadratic takes 3 coefficients" in got[1]["error"]
    assert "coefficient c of quadratic must be a finite number" in \
        got[2]["error"]
    assert all(g["error"].startswith("f must be one of") for g in got[3:])


# -- rules.js --------------------------------------------------------------

def test_rules_are_the_registry_in_order_each_naming_its_twin(tmp_path):
    (names,) = _node(["rules.js"], ["RULES"], [{"fn": "ruleNames"}],
                     tmp_path)
    assert names == list(optim.REGISTRY)
    text = (live.JS_DIR / "rules.js").read_text()
    for name in optim.REGISTRY:
        # The entry's first line is the comment naming its twin.
        assert re.search(rf"^  // optim\.{name}\n(  //.*\n)*  {name}: \{{$",
                         text, re.M), name
        assert callable(getattr(optim, name))


GRADS = [[0.5, -2.0], [-0.25, 3.0], [1e-3, -1e-3], [4.0, 0.0]]


def _steps(name, h, calls=None):
    c = calls or ref_.Calls()
    x, st = [1.5, -0.5], ref_._init(name)
    for g in GRADS:
        ref_._step(name, x, list(g), st, h, c)
    return x, c.n


@pytest.mark.parametrize("name", list(optim.REGISTRY))
def test_each_rule_is_its_python_twin(tmp_path, name):
    # Four updates from (1.5, -0.5) with fixed gradients, at the default
    # hyperparameters (lr 0.1 where it has none).
    h = optim.check_hyperparams(name, {
        k: 0.1 if k == "lr" else 0.5 for k, v in optim._SPECS[name].items()
        if v is optim._REQUIRED})
    (got,) = _node(["rules.js"], ["RULES"], [
        {"fn": "ruleSteps", "args": [name, h, [1.5, -0.5], GRADS]}],
        tmp_path)
    got = [_float(v) for v in got["x"]]
    want, n = _steps(name, h)
    if n == 0:  # only + - * / sqrt: correctly rounded on both sides
        assert got == want
        return
    # pow/exp results may differ by 2 ulp each (tests/live_reference.py):
    # measured here as the largest change D of four runs with every such
    # result moved 2 ulp at random, allowed 4 sqrt(n) D as there.
    gap = max(abs(a - b) for k in range(4)
              for a, b in zip(_steps(name, h,
                                     ref_.Calls(random.Random(k)))[0], want))
    allowed = 4 * math.sqrt(n) * gap
    assert max(abs(a - b) for a, b in zip(got, want)) <= allowed
    assert allowed < 1e-12 * max(abs(v) for v in want)  # not blind


# -- noise.js --------------------------------------------------------------

def test_noise_alone_is_pythons(tmp_path):
    got = _node(["noise.js"], ["mulberry32", "noise2d"], [
        {"fn": "uniforms", "args": [7, 5]},
        {"fn": "noise2d", "args": [3, 4]},
        {"fn": "mulberry32", "args": [-1]},
        {"fn": "mulberry32", "args": [1.5]}], tmp_path)
    gen = noise.Mulberry32(7)
    assert got[0] == [gen.uniform() for _ in range(5)]  # exact arithmetic
    # Box-Muller calls log, cos and sin: 2 ulp each way (as in
    # test_live.py's parity), far below 1e-12 of values of order 1.
    want = noise.noise_2d(3, 4).tolist()
    for a, b in zip(got[1], want):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-15)
    assert "seed must be between 0 and" in got[2]["error"]
    assert "seed must be a whole number" in got[3]["error"]


# -- schedules.js ----------------------------------------------------------

@pytest.mark.parametrize("spec", [
    {"exponential": 0.1}, {"polynomial": [0.5, 0.5]},
    {"piecewise": [[5, 0.5], [12, 0.1]]}, {"piecewise": []}])
def test_schedules_are_lives(tmp_path, spec):
    ts = list(range(1, 40))
    (got,) = _node(["schedules.js"], ["schedule"], [
        {"fn": "scheduleRates", "args": [spec, 0.3, ts]}], tmp_path)
    want = [live._scheduled_lr(spec, 0.3, t) for t in ts]
    if "piecewise" in spec:  # products of the same doubles: equal
        assert got == want
    else:  # one exp or pow: 1 ulp each side, 2**-52 relative
        for a, b in zip(got, want):
            assert abs(a - b) <= 2 * 2.0**-52 * abs(b)


# -- draw.js ---------------------------------------------------------------

@pytest.mark.parametrize("lo, hi, n", [(0, 10, 5), (-5.3, 2.1, 6),
                                       (0.001, 0.0042, 4), (-1e6, 1e6, 5),
                                       (0, 100, 4)])
def test_ticks_are_round_and_inside(tmp_path, lo, hi, n):
    (got,) = _node(["draw.js"], ["ticks"],
                   [{"fn": "ticks", "args": [lo, hi, n]}], tmp_path)
    step = got[1] - got[0]
    mant = step / 10 ** math.floor(math.log10(step))
    assert round(mant, 9) in (1, 2, 5)  # 1, 2 or 5 times a power of 10
    assert lo - 1e-9 * step <= got[0] and got[-1] <= hi + 1e-9 * step
    assert got[0] - step < lo and got[-1] + step > hi  # none left out
    assert n / 2.5 <= len(got) <= 2.5 * n + 1
    for v in got:
        assert abs(v / step - round(v / step)) < 1e-6


def test_contour_levels_are_increasing_quantiles(tmp_path):
    values = [float(v * v) for v in range(-50, 51)]
    (got,) = _node(["draw.js"], ["quantileLevels"],
                   [{"fn": "quantileLevels", "args": [values, 14]}],
                   tmp_path)
    assert 1 < len(got) <= 14 and got == sorted(set(got))
    assert set(got) <= set(values)  # levels are values of the grid
    # Denser near the minimum: the first gap is the smallest.
    gaps = [b - a for a, b in zip(got, got[1:])]
    assert gaps[0] == min(gaps)


# The schedules of d2lmini.schedules, as the live traces take them: the
# arguments after lr. Each kind with two settings, t = 1 .. 60.
KIND_ARGS = [
    ("constant_lr", []), ("step_decay", [7]), ("step_decay", [5, 0.5]),
    ("exponential_decay", [0.95]), ("exponential_decay", [0.999]),
    ("cosine_decay", [40]), ("cosine_decay", [25, 0.01]),
    ("cosine_restarts", [10]), ("cosine_restarts", [6, 2, 0.02]),
    ("linear_warmup", [8]), ("linear_warmup", [1]),
    ("warmup_cosine", [5, 40]), ("warmup_cosine", [0, 30, 0.01]),
    ("wsd", [5, 40, 10]), ("wsd", [0, 50, 50]),
    ("one_cycle", [40]), ("one_cycle", [45, 0.5, 10.0, 100.0]),
]
TS = list(range(1, 61))
# Kinds whose rate calls no cos or pow: + - * / min max floor only.
EXACT = {"constant_lr", "linear_warmup", "wsd"}


def _rates_tolerance(lr):
    # One cos (or pow) per rate, within 1 ulp of the true value in V8 and
    # in the C library alike, so the two differ by at most 2 ulp: for a
    # cosine in [-1, 1] at most 2 * 2**-52 absolute, which (high - low) / 2
    # <= lr / 2 scales to lr * 2**-52; for gamma**k (a factor <= 1) 2 ulp
    # relative of the rate, at most 2 * 2**-52 * lr. The three or four
    # operations after it, fed inputs that differ, may each round to the
    # other neighbour: 1 ulp of a number below 2 lr each, 2 * 2**-52 * lr.
    # In all, below 10 * 2**-52 * lr; allowed 16 * 2**-52 * lr (3.6e-15
    # lr).
    return 16 * 2.0**-52 * lr


def test_schedule_kinds_and_arguments_are_pythons(tmp_path):
    from d2lmini import schedules

    assert list(live.SCHEDULE_LABELS) == list(schedules.SCHEDULES)
    (rates, args) = _node(["schedules.js"], ["RATES", "SCHEDULE_ARGS"], [
        {"fn": "keysOf", "args": ["RATES"]},
        {"fn": "keysOf", "args": ["SCHEDULE_ARGS"]}], tmp_path)
    assert rates == list(schedules.SCHEDULES)
    (table,) = _node(["schedules.js"], ["SCHEDULE_ARGS"], [
        {"fn": "valueOf", "args": ["SCHEDULE_ARGS"]}], tmp_path)
    import inspect

    for kind, fn in schedules.SCHEDULES.items():
        params = list(inspect.signature(fn).parameters.values())[1:]
        assert [a[0] for a in table[kind]] == [p.name for p in params]
        for a, p in zip(table[kind], params):
            if p.default is inspect.Parameter.empty:
                assert len(a) == 1, (kind, p.name)
            else:
                assert a[1] == p.default, (kind, p.name)


@pytest.mark.parametrize("lr", [0.1, 0.37])
def test_schedule_rates_are_d2lmini_schedules(tmp_path, lr):
    from d2lmini import schedules

    got = _node(["schedules.js"], ["schedule"], [
        {"fn": "scheduleRates", "args": [{kind: args}, lr, TS]}
        for kind, args in KIND_ARGS], tmp_path)
    assert {k for k, _ in KIND_ARGS} == set(schedules.SCHEDULES)
    tol = _rates_tolerance(lr)
    for (kind, args), rates in zip(KIND_ARGS, got):
        s = schedules.SCHEDULES[kind](lr, *args)
        want = [s(t) for t in TS]
        if kind in EXACT:
            assert rates == want, kind
            continue
        gap = max(abs(a - b) for a, b in zip(rates, want))
        assert gap <= tol, (kind, args, gap)
        # Not blind: the rate of the next update (an off-by-one in t)
        # is farther from this one than the tolerance, somewhere.
        assert max(abs(a - b) for a, b in zip(want, want[1:])) > 1e6 * tol


def test_schedule_arguments_are_refused_as_in_python(tmp_path):
    from d2lmini import schedules

    bad = [("wsd", [100, 100, 20]), ("wsd", [10, 100, 95]),
           ("step_decay", [2.5]), ("step_decay", [3, 1.5]),
           ("one_cycle", [3, 0.3]), ("one_cycle", [10, 1.5]),
           ("warmup_cosine", [-1, 10]), ("exponential_decay", [1.5]),
           ("cosine_decay", [0]), ("cosine_restarts", [4, 0])]
    got = _node(["schedules.js"], ["schedule"], [
        {"fn": "scheduleRates", "args": [{kind: args}, 0.1, [1]]}
        for kind, args in bad], tmp_path)
    for (kind, args), res in zip(bad, got):
        with pytest.raises((TypeError, ValueError)) as err:
            schedules.SCHEDULES[kind](0.1, *args)
        assert res["error"] == str(err.value), (kind, args)
    # min_lr is checked against the run's lr, at the rate.
    (res,) = _node(["schedules.js"], ["schedule"], [
        {"fn": "scheduleRates", "args": [{"cosine_decay": [10, 0.5]}, 0.1,
                                         [1]]}], tmp_path)
    assert "min_lr must be a finite number >= 0 and <= 0.1" in res["error"]
