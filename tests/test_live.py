"""The live 2-D traces: the JavaScript follows Python, and bad input is
refused with a clear message.

Parity: for every optimizer of ``d2lmini.optim.OPTIMIZERS`` (a new one with
no JavaScript twin fails here), on every objective, over a grid of
hyperparameters (convention switches included), the path that
``window.d2lmini.trace`` computes in Node equals the pure-Python reference
of ``tests/live_reference.py`` (the same operations in the same order, on
Python floats): bit for bit where the run calls no transcendental function,
else within the difference that rounding of those calls can make (derived
there), including where and how a diverging run stops. Python's own path,
``live_path_2d`` = ``train_2d(trainer_2d(...))`` through torch, is checked
against the same reference, within what torch's CPU-dependent rounding can
make of it. No comparison depends on the machine's instruction set.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import shutil
import subprocess
from pathlib import Path

import live_reference as ref_
import numpy as np
import pytest

import d2lmini as d2l
from d2lmini import live, optim
from d2lmini.objectives import OBJECTIVES

NODE = shutil.which("node")
RUNNER = Path(__file__).parent / "js" / "run_traces.js"
needs_node = pytest.mark.skipif(NODE is None, reason="needs Node.js")

# One problem per objective (and a rotated quadratic); learning rates are
# scaled to each problem so that most runs converge and some diverge.
PROBLEMS = [
    ({"quadratic": [0.1, 2.0, 0.0]}, (-5.0, -2.0), 1.0),
    ({"quadratic": [1.0, 1.0, 1.5]}, (2.0, -3.0), 1.0),
    ({"rosenbrock": [1.0, 100.0]}, (-1.5, 2.0), 0.01),
    ({"saddle": []}, (-2.0, 0.01), 1.0),
    ({"multimodal": []}, (0.5, -1.0), 0.05),
]
LRS = [0.05, 0.3, 1.1]  # times the problem's scale
SECOND = {  # the second hyperparameter's grid
    "momentum": [0.0, 0.5, 0.9],
    "gamma": [0.5, 0.9, 0.99],
    "rho": [0.5, 0.9, 0.999],
    "beta1": [0.0, 0.9],
    "beta2": [0.5, 0.999],
}
SWITCHES = {
    "eps_inside_sqrt": [True, False],
    "eps_in_max": [False, True],
    "bias_correction": [False, True],
    "momentum_decay": [None, 0.004, 0.5],
    "weight_decay": [0.0, 0.01, 0.3],
}


def _grid(name: str, scale: float) -> list[dict]:
    spec = optim._SPECS[name]
    axes: dict[str, list] = {}
    if "lr" in spec and name != "adadelta":
        axes["lr"] = [lr * scale for lr in LRS]
    elif name == "adadelta":
        axes["lr"] = [1.0, 0.5]
    for key in spec:
        if key in SECOND:
            axes[key] = SECOND[key]
        elif key in SWITCHES:
            axes[key] = SWITCHES[key]
    names = list(axes)
    return [dict(zip(names, combo))
            for combo in itertools.product(*axes.values())]


def _cases(steps: int = 40) -> list[dict]:
    cases = []
    for name in optim.OPTIMIZERS:
        for f, start, scale in PROBLEMS:
            for hp in _grid(name, scale):
                cases.append({"optimizer": name, "hyperparams": hp, "f": f,
                              "start": list(start), "steps": steps})
    return cases


def _node(cases: list[dict], tmp_path: Path) -> list[dict]:
    bundle = tmp_path / "bundle.js"
    bundle.write_text(live._javascript())
    out = subprocess.run([NODE, str(RUNNER), str(bundle)],
                         input=json.dumps(cases), capture_output=True,
                         text=True, timeout=120, check=True)
    return json.loads(out.stdout)


def _compare(case: dict, result: dict) -> dict:
    """The page's path is the reference's (tests/live_reference.py: bit
    for bit without transcendental functions, else within their rounding's
    derived effect)."""
    assert "error" not in result, (case, result)
    got = [[float(v) for v in p] for p in result["points"]]
    return ref_.assert_matches(case, got, result["stoppedAt"], "calls")


def _compare_torch(case: dict) -> None:
    """Python's path (torch) is the reference's, within the effect of its
    kernels rounding in their own order (the "state" model)."""
    path = live.live_path_2d(case["optimizer"], case["hyperparams"],
                             case["f"], case["start"], case["steps"],
                             case.get("schedule"))
    ref_.assert_matches(case, path.points.tolist(), path.stopped_at,
                        "state")


def test_every_optimizer_has_a_javascript_twin():
    assert live._js_optimizers() == set(optim.OPTIMIZERS)


@needs_node
def test_parity_every_optimizer_objective_and_grid(tmp_path):
    cases = _cases()
    results = _node(cases, tmp_path)
    assert len(results) == len(cases)
    stopped = exact = 0
    for case, result in zip(cases, results):
        ref = _compare(case, result)
        stopped += result["stoppedAt"] is not None
        exact += ref["calls"] == 0
    # The rules without pow/exp (SGD, momentum, Adagrad, RMSProp,
    # Adadelta) were compared bit for bit.
    assert exact > len(cases) / 4
    covered = {(c["optimizer"], next(iter(c["f"]))) for c in cases}
    assert covered == {(o, f) for o in optim.OPTIMIZERS for f in OBJECTIVES}
    # The grid reaches diverging runs too (their early stop must agree),
    # but most runs converge.
    assert 0 < stopped < len(cases) / 2


@needs_node
@pytest.mark.parametrize("schedule", [
    {"exponential": 0.1},
    {"polynomial": [0.5, 0.5]},
    {"piecewise": [[5, 0.5], [12, 0.1]]},
    # d2lmini.schedules, the arguments after lr.
    {"step_decay": [5, 0.5]}, {"warmup_cosine": [5, 25]},
    {"wsd": [3, 25, 10]}, {"one_cycle": [25]},
    {"cosine_restarts": [6, 2]},
])
def test_parity_with_a_schedule(tmp_path, schedule):
    cases = [{"optimizer": name, "hyperparams": hp, "f": f,
              "start": list(start), "steps": 25, "schedule": schedule}
             for name in optim.OPTIMIZERS
             for f, start, scale in PROBLEMS[:3]
             for hp in _grid(name, scale)[:4]]
    for case, result in zip(cases, _node(cases, tmp_path)):
        _compare(case, result)


def test_torch_path_is_the_reference_on_every_case():
    # Python's live_path_2d runs torch's float64 kernels, whose rounding
    # depends on the CPU (issue 19: RMSProp, lr 0.3, gamma 0.9,
    # eps_inside_sqrt, rotated quadratic from (2, -3) was off by a relative
    # 1.02e-9 on an AVX-512 machine). Each case is allowed what a couple
    # of ulp of rounding at every stored number can do to its path
    # (tests/live_reference.py, tolerance(model="state")).
    cases = _cases()
    cases += [{"optimizer": name, "hyperparams": hp, "f": f,
               "start": list(start), "steps": 25, "schedule": schedule}
              for schedule in ({"exponential": 0.1},
                               {"polynomial": [0.5, 0.5]},
                               {"warmup_cosine": [5, 25, 0.0]})
              for name in optim.OPTIMIZERS
              for f, start, scale in PROBLEMS[:2]
              for hp in _grid(name, scale)[:2]]
    for case in cases:
        _compare_torch(case)


def test_reference_tolerance_is_not_blind():
    # The issue-19 case: the allowed difference is far below the size of
    # the path's coordinates (the check can fail), and a path moved by
    # a relative 1e-6 fails it.
    case = {"optimizer": "rmsprop", "hyperparams": {
        "lr": 0.3, "gamma": 0.9, "eps_inside_sqrt": True},
        "f": {"quadratic": [1.0, 1.0, 1.5]}, "start": [2.0, -3.0],
        "steps": 40}
    ref, tol = ref_.tolerance(case, "state")
    assert max(max(t) for t in tol) < 1e-6
    moved = [[v * (1 + 1e-6) for v in p] for p in ref["points"]]
    with pytest.raises(AssertionError, match="off by"):
        ref_.assert_matches(case, moved, ref["stoppedAt"], "state")
    # Without transcendental functions the page must agree bit for bit.
    _, tol = ref_.tolerance(case, "calls")
    assert max(max(t) for t in tol) == 0
    # With them, the allowed difference is a few ulp's effect, not more.
    adam = dict(case, optimizer="adam", hyperparams={"lr": 0.3})
    ref, tol = ref_.tolerance(adam, "calls")
    assert ref["calls"] == 80 and 0 < max(max(t) for t in tol) < 1e-9


def test_a_schedule_changes_the_path_as_stated():
    f = {"quadratic": [0.1, 2.0, 0.0]}
    plain = live.live_path_2d("sgd", {"lr": 0.4}, f, steps=3)
    decayed = live.live_path_2d("sgd", {"lr": 0.4}, f, steps=3,
                                schedule={"exponential": 0.5})
    # One update of gradient descent with eta_1 = 0.4 * exp(-0.5).
    x1 = -5.0 - 0.4 * np.exp(-0.5) * 2 * 0.1 * -5.0
    # Five roundings and one exp (each within 1 ulp, 2**-52 relative) on
    # either side: a relative 1e-12 is 4500 ulp, so only a wrong formula
    # fails (the undecayed step is off by a relative 0.04).
    assert decayed[1][0] == pytest.approx(x1, rel=1e-12)
    assert plain[1][0] != pytest.approx(x1)
    same = live.live_path_2d("sgd", {"lr": 0.4}, f, steps=5,
                             schedule={"piecewise": []})
    np.testing.assert_array_equal(same.points,
                                  live.live_path_2d("sgd", {"lr": 0.4}, f,
                                                    steps=5).points)


def test_reference_schedules_are_d2lmini_schedules():
    # tests/live_reference.py writes each schedule out as js/schedules.js
    # does; on Python floats it is d2lmini.schedules exactly.
    from d2lmini import schedules

    for kind, args in [("constant_lr", []), ("step_decay", [7, 0.5]),
                       ("exponential_decay", [0.97]),
                       ("cosine_decay", [40, 0.01]),
                       ("cosine_restarts", [6, 2, 0.0]),
                       ("linear_warmup", [8]), ("warmup_cosine", [5, 40, 0]),
                       ("wsd", [5, 40, 10]),
                       ("one_cycle", [45, 0.5, 10.0, 100.0])]:
        s = schedules.SCHEDULES[kind](0.3, *args)
        assert [ref_.schedule_rate(kind, 0.3, args, t, ref_.Calls())
                for t in range(1, 80)] == [s(t) for t in range(1, 80)], kind
    assert set(live.SCHEDULE_LABELS) == set(schedules.SCHEDULES)


def test_a_schedules_path_uses_its_rates():
    # Update t of SGD runs at wsd(lr, 2, 6, 3)(t): the path is
    # x_t = x_{t-1} - eta_t grad f(x_{t-1}), on a quadratic exactly.
    from d2lmini import schedules

    f = {"quadratic": [0.5, 1.0, 0.0]}  # grad (x1, 2 x2)
    path = live.live_path_2d("sgd", {"lr": 0.2}, f, (1.0, 1.0), 7,
                             schedule={"wsd": [2, 6, 3]})
    s = schedules.wsd(0.2, 2, 6, 3)
    x = [1.0, 1.0]
    for t in range(1, 8):
        x = [x[0] - s(t) * x[0], x[1] - s(t) * (2 * x[1])]
        np.testing.assert_array_equal(path.points[t], x)
    # The last update's rate is 0: the path stops moving.
    np.testing.assert_array_equal(path.points[6], path.points[7])


def test_schedule_selector_in_the_config():
    w = d2l.live_trace_2d({"quadratic": [1.0, 2.0, 0.0]}, "adam",
                          {"lr": 0.3, "noise": 1.0},
                          sliders={"lr": (0.01, 1.0, 0.01)}, steps=100,
                          schedules=["constant_lr", "warmup_cosine", "wsd",
                                     "one_cycle"],
                          schedule={"wsd": [10, 100, 30]})
    cfg = w.config
    assert [c["kind"] for c in cfg["schedules"]] == [
        "constant_lr", "warmup_cosine", "wsd", "one_cycle"]
    assert [c["label"] for c in cfg["schedules"]] == [
        "constant", "warmup + cosine", "warmup-stable-decay", "one-cycle"]
    # It starts at the given schedule, whose path Python computed.
    assert cfg["schedule"] == {"wsd": [10, 100, 30]}
    wsd = cfg["schedules"][2]
    assert wsd["args"] == [10, 100, 30]
    assert set(wsd["sliders"]) == {"warmup", "num_steps", "decay_steps"}
    ref = live.live_path_2d("adam", {"lr": 0.3, "noise": 1.0},
                            cfg["f"], steps=100,
                            schedule={"wsd": [10, 100, 30]})
    np.testing.assert_array_equal(w.paths[0].points, ref.points)
    # The others start scaled to the run's 100 steps.
    assert cfg["schedules"][1]["args"] == [10, 100, 0.0]
    assert cfg["schedules"][3]["args"][0] == 100
    # Without schedule=, the first one; as a dict, only the sliders named.
    w = d2l.live_trace_2d(F, "sgd", {"lr": 0.1}, schedules={
        "cosine_decay": {"num_steps": (1, 40, 1)}, "constant_lr": {}})
    assert w.config["schedule"] == {"cosine_decay": [20, 0.0]}
    assert w.config["schedules"][0]["sliders"] == {"num_steps": [1, 40, 1]}
    assert "schedules" not in d2l.live_trace_2d(F, "sgd", {
        "lr": 0.1}).config


def test_python_path_is_train_2d_of_trainer_2d():
    f_spec = {"rosenbrock": [1.0, 100.0]}
    _, f_grad = d2l.objective_2d(f_spec)
    ref = d2l.train_2d(d2l.trainer_2d(d2l.adam, d2l.init_adam_states, f_grad,
                                      lr=0.05), 30, x0=(-1.0, 1.0))
    got = live.live_path_2d("adam", {"lr": 0.05}, f_spec, (-1.0, 1.0), 30)
    np.testing.assert_array_equal(got.points, ref.points)


@needs_node
def test_javascript_refuses_bad_input(tmp_path):
    f = {"quadratic": [0.1, 2.0, 0.0]}
    cases = [
        {"optimizer": "adamm", "hyperparams": {"lr": 0.1}, "f": f},
        {"optimizer": "adam", "hyperparams": {"lr": 0.1, "beta": 0.9},
         "f": f},
        {"optimizer": "adam", "hyperparams": {}, "f": f},
        {"optimizer": "adam", "hyperparams": {"lr": 0.1, "beta1": 1.0},
         "f": f},
        {"optimizer": "adam", "hyperparams": {"lr": 0.1},
         "f": {"himmelblau": []}},
        {"optimizer": "adam", "hyperparams": {"lr": 0.1},
         "f": {"quadratic": [1, 2]}},
        {"optimizer": "sgd", "hyperparams": {"lr": 0.1}, "f": f,
         "steps": 0},
    ]
    errors = [r.get("error", "") for r in _node(cases, tmp_path)]
    assert "unknown optimizer 'adamm'" in errors[0]
    assert "unknown hyperparameter 'beta' for adam" in errors[1]
    assert "adam needs the hyperparameter 'lr'" in errors[2]
    assert "beta1 must be in [0, 1)" in errors[3]
    assert "unknown objective 'himmelblau'" in errors[4]
    assert "quadratic takes 3 coefficients" in errors[5]
    assert "steps must be a positive integer" in errors[6]


@needs_node
def test_javascript_fills_in_pythons_defaults(tmp_path):
    # Same path with the defaults left out and written out in full.
    f = {"quadratic": [0.1, 2.0, 0.0]}
    cases = []
    for name in optim.OPTIMIZERS:
        full = optim.check_hyperparams(
            name, {k: 0.1 if k == "lr" else 0.5
                   for k, v in optim._SPECS[name].items()
                   if v is optim._REQUIRED})
        short = {k: full[k] for k, v in optim._SPECS[name].items()
                 if v is optim._REQUIRED}
        cases += [{"optimizer": name, "hyperparams": full, "f": f},
                  {"optimizer": name, "hyperparams": short, "f": f}]
    res = _node(cases, tmp_path)
    for a, b in zip(res[::2], res[1::2]):
        assert a == b and "error" not in a


# -- the Python entry point ------------------------------------------------

F = {"quadratic": [0.1, 2.0, 0.0]}


def test_widget_output_is_self_contained():
    w = d2l.live_trace_2d(F, "sgd_momentum", {"lr": 0.4, "momentum": 0.5},
                          sliders={"lr": (0.05, 1.0, 0.05),
                                   "momentum": (0.0, 0.95, 0.05)})
    out = w._repr_html_()
    # One script, the library, marked so that the website's build can
    # load it once per page (scripts/book_live.py).
    assert out.count("<script") == 1 and "data-d2lmini-live=" in out
    assert f'<script {live.LIB_ATTR}="{live._library_hash()}">' \
        f"{live._library()}</script>" in out
    # Nothing is fetched: no external script, style, image or request.
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", out)
    for word in ("fetch(", "XMLHttpRequest", "import(", "@import"):
        assert word not in out
    # The page's copy of Python's tables, so defaults cannot drift.
    tables = json.loads(re.search(r"var D2LMINI_TABLES = (\{.*?\});\n",
                                  out).group(1))
    assert tables["specs"]["adam"]["defaults"]["beta2"] == 0.999
    assert tables["specs"]["nadam"]["defaults"]["momentum_decay"] is None
    assert tables["specs"]["sgd_momentum"]["required"] == ["lr", "momentum"]
    # Small enough for 3-4 widgets on a 1 MB page.
    # (About 60 kB; the schedules of d2lmini.schedules and their selector
    # added 8.5 kB to the 51 kB before them.)
    assert len(out.encode()) < 64_000
    # Two widgets on a page share the script (guarded by version).
    assert "w.d2lmini.version===" in out
    assert "ends at" in repr(w)


def test_widget_paths_are_pythons():
    w = d2l.live_trace_2d(F, "sgd", {"lr": 0.4})
    _, f_grad = d2l.objective_2d(F)
    ref = d2l.train_2d(d2l.trainer_2d(d2l.sgd, d2l.init_sgd_states, f_grad,
                                      lr=0.4), 20)
    np.testing.assert_array_equal(w.paths[0].points, ref.points)
    cfg = w.config
    assert cfg["runs"][0]["hyperparams"] == {"lr": 0.4}
    lo, hi = cfg["xlim"]
    assert lo <= -5.0 and hi >= ref.points[:, 0].max()


def test_slider_without_value_starts_at_default_or_middle():
    w = d2l.live_trace_2d(F, "adam", {"lr": 0.1},
                          sliders={"beta1": (0.0, 0.95, 0.05)})
    assert w.config["runs"][0]["hyperparams"]["beta1"] == 0.9
    w = d2l.live_trace_2d(F, "sgd", sliders={"lr": (0.1, 0.5, 0.1)})
    assert w.config["runs"][0]["hyperparams"]["lr"] == pytest.approx(0.3)


def test_several_runs_and_a_diverging_one():
    w = d2l.live_trace_2d(F, runs=[
        {"optimizer": "sgd", "hyperparams": {"lr": 1.1}, "label": "GD"},
        {"optimizer": "adam", "hyperparams": {"lr": 0.5},
         "sliders": {"lr": (0.1, 1.0, 0.1)}},
    ])
    assert [r["label"] for r in w.config["runs"]] == ["GD", "adam"]
    assert w.paths[0].diverges() and not w.paths[1].diverges()
    assert "diverging: f rose from" in repr(w).splitlines()[1]
    assert "diverging" not in repr(w).splitlines()[2]


@pytest.mark.parametrize("kwargs, message", [
    ({"optimizer": "adamm"}, "unknown optimizer 'adamm'"),
    ({"optimizer": "sgd", "hyperparams": {"eta": 0.1}},
     "unknown hyperparameter 'eta' for sgd"),
    ({"optimizer": "sgd"}, "sgd needs the hyperparameter 'lr'"),
    ({"optimizer": "sgd", "hyperparams": {"lr": -1}}, "lr must be >= 0"),
    ({"optimizer": "sgd", "hyperparams": {"lr": 0.1},
      "sliders": {"eta": (0, 1, 0.1)}}, "unknown hyperparameter 'eta'"),
    ({"optimizer": "sgd", "hyperparams": {"lr": 0.1},
      "sliders": {"lr": (1, 0.1, 0.1)}}, "min must be less than max"),
    ({"optimizer": "sgd", "hyperparams": {"lr": 0.1},
      "sliders": {"lr": (0, 1, 0)}}, "step must be > 0"),
    ({"optimizer": "sgd", "hyperparams": {"lr": 0.1},
      "sliders": {"lr": (0, 1)}}, "must be (min, max, step)"),
    ({"optimizer": "sgd", "hyperparams": {"lr": 0.1},
      "sliders": {"lr": (-1, 1, 0.1)}}, "lr must be >= 0: narrow"),
    ({"optimizer": "adam", "hyperparams": {"lr": 0.1},
      "sliders": {"beta1": (0.5, 1.0, 0.1)}}, "beta1 must be in [0, 1)"),
    ({"optimizer": "rmsprop", "hyperparams": {"lr": 0.1, "gamma": 0.9},
      "sliders": {"eps_inside_sqrt": (0, 1, 1)}}, "is a switch"),
    ({"optimizer": "sgd", "hyperparams": {"lr": 2.0},
      "sliders": {"lr": (0.1, 1.0, 0.1)}}, "outside its slider"),
    ({"optimizer": "sgd", "hyperparams": {"lr": 0.1}, "steps": 0},
     "steps must be between 1"),
    ({"optimizer": "sgd", "hyperparams": {"lr": 0.1}, "steps": 2.5},
     "steps must be a whole number"),
    ({"optimizer": "sgd", "hyperparams": {"lr": 0.1}, "start": (1,)},
     "start must be two finite numbers"),
    ({"optimizer": "sgd", "hyperparams": {"lr": 0.1}, "xlim": (1, -1)},
     "xlim must be (low, high)"),
    ({"optimizer": "sgd", "hyperparams": {"lr": 0.1},
      "schedule": {"cosine": 1}}, "schedule must be one of"),
    ({}, "needs an optimizer"),
    ({"optimizer": "sgd", "runs": [{"optimizer": "sgd"}]},
     "not both"),
    ({"runs": [{"optimizer": "sgd", "hyperparams": {"lr": 0.1},
                "colour": "red"}]}, "unknown key(s) colour"),
    ({"runs": [{"optimizer": "sgd", "hyperparams": {"lr": 0.1}},
               {"optimizer": "adamm"}]}, "runs[1]: unknown optimizer"),
    ({"runs": [{"optimizer": "sgd", "hyperparams": {"lr": 0.1}},
               {"optimizer": "sgd", "hyperparams": {"lr": 0.2}}]},
     "same label"),
    ({"runs": []}, "non-empty list"),
])
def test_bad_arguments_are_refused_clearly(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        d2l.live_trace_2d(F, **kwargs)


@pytest.mark.parametrize("f, message", [
    (lambda x1, x2: x1 * x1, "f is given by name"),
    ({"himmelblau": []}, "unknown objective 'himmelblau'"),
    ({"quadratic": [1, 2]}, "quadratic takes 3 coefficients"),
    ({"rosenbrock": [1, float("nan")]}, "must be a finite number"),
    ({"quadratic": [1, 2, 0], "saddle": []}, "f must be one of"),
    ("quadratic", "f must be one of"),
])
def test_bad_objectives_are_refused_clearly(f, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        d2l.live_trace_2d(f, "sgd", {"lr": 0.1})


def test_objectives_and_their_gradients():
    # Finite differences agree with the hand-written gradients.
    # Central differences with h = 1e-6: truncation h^2 |f'''| / 6 < 1e-10
    # here, rounding about 1e-16 |f| / h < 2e-6 (|f| < 1.5e4 on [-3, 3]^2,
    # Rosenbrock's largest): abs 1e-5 is five times that, rel 1e-6 of
    # gradients up to 1.5e4; a wrong factor of any gradient term fails.
    rng = np.random.default_rng(0)
    for name, (_, default) in OBJECTIVES.items():
        f, f_grad = d2l.objective_2d({name: default})
        for x1, x2 in rng.uniform(-3, 3, size=(5, 2)):
            h = 1e-6
            g1 = (f(x1 + h, x2) - f(x1 - h, x2)) / (2 * h)
            g2 = (f(x1, x2 + h) - f(x1, x2 - h)) / (2 * h)
            assert f_grad(x1, x2) == pytest.approx((g1, g2), rel=1e-6,
                                                   abs=1e-5)
    # Himmelblau's four minima, all with f = 0 (to the digits given).
    f, f_grad = d2l.objective_2d({"multimodal": []})
    for m in [(3, 2), (-2.805118, 3.131312), (-3.779310, -3.283186),
              (3.584428, -1.848127)]:
        assert f(*m) < 1e-9
        assert np.hypot(*f_grad(*m)) < 1e-4


def test_vendored_bundle_is_the_recorded_one():
    import hashlib

    vendor = Path(live.JS_DIR) / "vendor"
    record = json.loads((vendor / "VERSIONS.json").read_text())
    data = (vendor / "d3-contour.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == \
        record["d3-contour.min.js"]["sha256"]
    licenses = (vendor / "LICENSES.txt").read_text()
    for name in record["packages"]:
        assert name in licenses and "ISC" in licenses


# -- gradient noise: the same generator in Python and in the page ---------

# The first draws of Mulberry32, pinned. Seed 0's also come out of the
# generator's original JavaScript (checked in Node below).
FIRST_UINT32 = {
    0: [1144304738, 1416247, 958946056, 627933444, 2007157716],
    42: [2581720956, 1925393290, 3661312704],
    2**32 - 1: [3850105811, 813802916, 3073704848],
}
FIRST_NOISE = {  # noise_2d(seed, 3): xi_1, xi_2, xi_3
    0: [[1.6264323079191505, 0.00336973522237399],
        [1.0509958430290807, 1.3762763278932915],
        [-1.1843874013082385, -0.34449247552747997]],
    42: [[-0.9561622294378207, 0.3220702485608626],
         [-0.27302610440398517, -0.4946727576648158]],
}
# Tommy Ettinger's Mulberry32 as usually published (the state grows as a
# double; fine for a few thousand draws), for an independent check.
CANONICAL_MULBERRY32 = """
function mulberry32(a) {
  return function() {
    var t = a += 0x6D2B79F5;
    t = Math.imul(t ^ t >>> 15, t | 1);
    t ^= t + Math.imul(t ^ t >>> 7, t | 61);
    return ((t ^ t >>> 14) >>> 0);
  };
}
var out = {};
[0, 1, 42, 123456789, 4294967295].forEach(function (seed) {
  var r = mulberry32(seed), v = [];
  for (var i = 0; i < 2000; i++) v.push(r());
  out[seed] = v;
});
process.stdout.write(JSON.stringify(out));
"""


def test_prng_first_values_are_pinned_in_python():
    for seed, values in FIRST_UINT32.items():
        gen = d2l.Mulberry32(seed)
        assert [gen.next_uint32() for _ in values] == values
    # The uniforms are exact; a normal is sqrt(-2 log u1) cos(2 pi u2) (or
    # sin): log, cos and sin within 1 ulp in any C library, sqrt and three
    # products correctly rounded, so at most about 6 ulp (1.3e-15
    # relative) from the pinned values whatever the machine; 1e-14 allows
    # a library twice as bad and still catches any other formula.
    for seed, rows in FIRST_NOISE.items():
        np.testing.assert_allclose(d2l.noise_2d(seed, len(rows)), rows,
                                   rtol=1e-14, atol=0)
    # Box-Muller from the stated uniforms, written out once more (with
    # math's functions: NumPy may pick SIMD versions of log, cos and sin
    # accurate to a few ulp only, depending on the CPU).
    gen = d2l.Mulberry32(0)
    u1 = (FIRST_UINT32[0][0] + 0.5) / 2**32
    u2 = (FIRST_UINT32[0][1] + 0.5) / 2**32
    assert gen.uniform() == u1 and gen.uniform() == u2
    r = math.sqrt(-2 * math.log(u1))
    assert FIRST_NOISE[0][0] == pytest.approx(
        [r * math.cos(2 * math.pi * u2), r * math.sin(2 * math.pi * u2)],
        rel=1e-14)


@needs_node
def test_prng_first_values_are_pinned_in_javascript(tmp_path):
    cases = ([{"uint32": {"seed": s, "count": len(v)}}
              for s, v in FIRST_UINT32.items()]
             + [{"noise2d": {"seed": s, "steps": len(rows)}}
                for s, rows in FIRST_NOISE.items()])
    res = _node(cases, tmp_path)
    for (seed, values), r in zip(FIRST_UINT32.items(), res):
        assert r == {"values": values}, seed
    for (seed, rows), r in zip(FIRST_NOISE.items(), res[len(FIRST_UINT32):]):
        # V8's log, cos and sin are within 1 ulp too: the bound above.
        got = [[float(v) for v in p] for p in r["points"]]
        np.testing.assert_allclose(got, rows, rtol=1e-14, atol=0,
                                   err_msg=f"seed {seed}")


@needs_node
def test_prng_is_mulberry32_as_published(tmp_path):
    out = subprocess.run([NODE, "-e", CANONICAL_MULBERRY32],
                         capture_output=True, text=True, timeout=60,
                         check=True)
    canonical = json.loads(out.stdout)
    for seed, values in canonical.items():
        gen = d2l.Mulberry32(int(seed))
        assert [gen.next_uint32() for _ in values] == values, seed
    # And the page's copy, over the same 2000 draws.
    cases = [{"uint32": {"seed": int(s), "count": 2000}} for s in canonical]
    for seed, r in zip(canonical, _node(cases, tmp_path)):
        assert r["values"] == canonical[seed], seed


def _normal_misfits(z: np.ndarray) -> list[str]:
    """What is wrong with z as pairs of independent N(0, 1) draws.

    z has shape (n, 2). Each tolerance is about 4.5 standard errors, so a
    true sample fails with probability of order 1e-5 per check.
    """
    from math import erf, sqrt

    n = z.size
    flat = z.ravel()
    bad = []
    if abs(flat.mean()) > 4.5 / sqrt(n):
        bad.append(f"mean {flat.mean():.4f}")
    if abs(flat.var() - 1) > 4.5 * sqrt(2 / n):
        bad.append(f"variance {flat.var():.4f}")
    if abs((flat**4).mean() - 3) > 4.5 * sqrt(96 / n):
        bad.append(f"fourth moment {(flat**4).mean():.3f}")
    corr = np.corrcoef(z[:, 0], z[:, 1])[0, 1]
    if abs(corr) > 4.5 / sqrt(len(z)):
        bad.append(f"correlation of xi_1 and xi_2 {corr:.4f}")
    lag = np.corrcoef(flat[:-1], flat[1:])[0, 1]
    if abs(lag) > 4.5 / sqrt(n):
        bad.append(f"lag-1 autocorrelation {lag:.4f}")
    # Kolmogorov-Smirnov distance to the normal CDF (0.1% level: 1.95).
    s = np.sort(flat)
    cdf = np.array([0.5 * (1 + erf(v / sqrt(2))) for v in s])
    ks = max((np.arange(1, n + 1) / n - cdf).max(),
             (cdf - np.arange(n) / n).max())
    if ks > 1.95 / sqrt(n):
        bad.append(f"KS distance {ks:.4f}")
    return bad


def test_noise_is_standard_normal_and_independent():
    z = d2l.noise_2d(0, 100_000)  # 200,000 draws
    assert z.shape == (100_000, 2)
    assert _normal_misfits(z) == []
    # The check is not blind: it catches small departures.
    assert any("variance" in m for m in _normal_misfits(1.02 * z))
    assert any("mean" in m for m in _normal_misfits(z + 0.02))
    u = (np.arange(len(z)) + 0.5) / len(z)
    assert any("KS" in m for m in _normal_misfits(
        np.column_stack([z[:, 0], np.sqrt(3) * (2 * u - 1)])))
    assert any("correlation" in m for m in _normal_misfits(
        np.column_stack([z[:, 0], 0.98 * z[:, 0] + 0.2 * z[:, 1]])))


def test_consecutive_seeds_give_disjoint_streams():
    # Mulberry32's state runs through all 2**32 values in one cycle, seed
    # s + d starting d / 0x6D2B79F5 (mod 2**32) draws from seed s. For
    # the seeds below 100,000 those offsets keep every two streams more
    # than 2 * MAX_STEPS draws apart: no two runs share noise.
    inverse = pow(0x6D2B79F5, -1, 2**32)
    d = np.arange(1, 100_000, dtype=np.int64)
    offset = (d * inverse) % 2**32
    assert np.minimum(offset, 2**32 - offset).min() > 2 * live.MAX_STEPS
    # As a direct check: seed 1's stream is seed 0's, inverse draws on.
    gen0, gen1 = d2l.Mulberry32(0), d2l.Mulberry32(1)
    gen0.state = (gen0.state + inverse * 0x6D2B79F5) % 2**32
    assert [gen0.next_uint32() for _ in range(5)] == \
        [gen1.next_uint32() for _ in range(5)]
    # Different seeds, unrelated first draws (the "new noise" button).
    first = np.array([d2l.noise_2d(s, 1)[0] for s in range(2000)])
    assert _normal_misfits(first) == []


NOISY_PROBLEMS = [
    ({"quadratic": [1.0, 2.0, 0.0]}, (-5.0, -2.0), 1.0),
    ({"rosenbrock": [1.0, 100.0]}, (-1.5, 2.0), 0.01),
    ({"multimodal": []}, (0.5, -1.0), 0.05),
]


@needs_node
def test_parity_with_gradient_noise(tmp_path):
    cases = []
    for name in optim.OPTIMIZERS:
        for f, start, scale in NOISY_PROBLEMS:
            grid = _grid(name, scale)
            for k, (sigma, seed) in enumerate(
                    [(0.5, 0), (1.0, 7), (3.0, 2**32 - 1), (0.0, 3)]):
                hp = dict(grid[(3 * k) % len(grid)])
                hp.update(noise=sigma * scale * 10, seed=seed)
                cases.append({"optimizer": name, "hyperparams": hp,
                              "f": f, "start": list(start), "steps": 50})
    # With a schedule as well.
    cases += [{"optimizer": name, "hyperparams": {
        **_grid(name, 1.0)[0], "noise": 1.0, "seed": 5},
        "f": NOISY_PROBLEMS[0][0], "start": [-5.0, -2.0], "steps": 60,
        "schedule": {"polynomial": [0.1, 0.5]}} for name in optim.OPTIMIZERS]
    results = _node(cases, tmp_path)
    assert len(results) == len(cases)
    for case, result in zip(cases, results):
        _compare(case, result)
    # Most runs stay finite (their whole noisy path is compared).
    finite = sum(r["stoppedAt"] is None for r in results)
    assert finite > 0.8 * len(cases)


def test_noisy_python_path_is_train_2d_with_noisy_gradient():
    f_spec = {"quadratic": [1.0, 2.0, 0.0]}
    _, f_grad = d2l.objective_2d(f_spec)
    got = live.live_path_2d("adam", {"lr": 0.3, "noise": 2.0, "seed": 4},
                            f_spec, steps=50)
    ref = d2l.train_2d(d2l.trainer_2d(d2l.adam, d2l.init_adam_states,
                                      d2l.noisy_grad_2d(f_grad, 2.0, 4),
                                      lr=0.3), 50)
    np.testing.assert_array_equal(got.points, ref.points)
    # SGD by hand: x_t = x_{t-1} - eta (grad f(x_{t-1}) + sigma xi_t).
    xi = d2l.noise_2d(11, 50)
    x = np.array([-5.0, -2.0])
    path = [x]
    for t in range(50):
        x = x - 0.1 * (np.array([2.0, 4.0]) * x + 1.5 * xi[t])
        path.append(x)
    sgd = live.live_path_2d("sgd", {"lr": 0.1, "noise": 1.5, "seed": 11},
                            f_spec, steps=50)
    # NumPy here, torch there, each update rounding four times (2**-53
    # relative each) in whatever order its kernels take; the map contracts
    # (factors 0.8 and 0.6), so errors do not grow: at most 50 updates x 4
    # ulp of the largest coordinate (5), 2.2e-13; atol 5e-13 allows twice
    # that where a coordinate crosses 0, rtol covers the rest.
    np.testing.assert_allclose(sgd.points, path, rtol=1e-12, atol=5e-13)
    # noise 0 is the exact gradient; another seed, another path.
    exact = live.live_path_2d("sgd", {"lr": 0.1}, f_spec, steps=50)
    np.testing.assert_array_equal(
        live.live_path_2d("sgd", {"lr": 0.1, "noise": 0.0, "seed": 9},
                          f_spec, steps=50).points, exact.points)
    other = live.live_path_2d("sgd", {"lr": 0.1, "noise": 1.5, "seed": 12},
                              f_spec, steps=50)
    assert np.abs(other.points - sgd.points).max() > 0.1


def test_runs_with_the_same_seed_share_their_noise():
    f_spec = {"quadratic": [1.0, 2.0, 0.0]}
    w = d2l.live_trace_2d(f_spec, runs=[
        {"optimizer": "sgd", "hyperparams": {"lr": 0.1, "noise": 1.0},
         "label": "a"},
        {"optimizer": "sgd", "hyperparams": {"lr": 0.1, "noise": 1.0},
         "label": "b"},
        {"optimizer": "sgd", "hyperparams": {"lr": 0.1, "noise": 1.0,
                                             "seed": 1}, "label": "c"},
        {"optimizer": "adam", "hyperparams": {"lr": 0.1, "noise": 1.0},
         "label": "d"},
    ], steps=50)
    a, b, c, d = w.paths
    np.testing.assert_array_equal(a.points, b.points)
    assert np.abs(a.points - c.points).max() > 0.1
    assert [r["hyperparams"]["seed"] for r in w.config["runs"]] == \
        [0, 0, 1, 0]
    # Adam's first step sees the same g_1 (so the same sign) as SGD's.
    g1 = np.array([-10.0, -8.0]) + d2l.noise_2d(0, 1)[0]
    assert np.all(np.sign(d.points[1] - d.points[0]) == -np.sign(g1))


def test_noise_hyperparameters_in_the_widget():
    w = d2l.live_trace_2d({"quadratic": [1, 2, 0]}, "sgd",
                          {"lr": 0.1, "noise": 1.0},
                          sliders={"lr": (0.01, 0.45, 0.01),
                                   "noise": (0.0, 3.0, 0.1)}, steps=50)
    run = w.config["runs"][0]
    assert run["hyperparams"] == {"lr": 0.1, "noise": 1.0, "seed": 0}
    assert run["sliders"]["noise"] == [0.0, 3.0, 0.1]
    # A noise or seed slider without a value: 0, or the slider's middle.
    w = d2l.live_trace_2d(F, "sgd", {"lr": 0.1},
                          sliders={"noise": (0.0, 2.0, 0.5),
                                   "seed": (10, 20, 1)})
    assert w.config["runs"][0]["hyperparams"] == {
        "lr": 0.1, "noise": 0.0, "seed": 15}
    assert isinstance(w.config["runs"][0]["hyperparams"]["seed"], int)


@pytest.mark.parametrize("hp, sliders, message", [
    ({"noise": -0.5}, None, "noise (sigma) must be >= 0"),
    ({"noise": float("inf")}, None, "must be a finite number >= 0"),
    ({"noise": "1"}, None, "must be a finite number >= 0"),
    ({"noise": 1.0, "seed": 1.5}, None, "seed must be a whole number"),
    ({"noise": 1.0, "seed": True}, None, "seed must be a whole number"),
    ({"noise": 1.0, "seed": -1}, None, "seed must be between 0 and"),
    ({"noise": 1.0, "seed": 2**32}, None, "seed must be between 0 and"),
    ({}, {"noise": (-1.0, 1.0, 0.1)}, "noise (sigma) must be >= 0: narrow"),
    ({}, {"seed": (0, 10.5, 1)}, "slider 'seed' must have whole numbers"),
    ({}, {"seed": (0, 2**32, 1)}, "seed must be between 0 and"),
    ({"noise": 5.0}, {"noise": (0.0, 3.0, 0.1)}, "outside its slider"),
    ({}, {"noise": (0.0, 3.0)}, "e.g. (0, 3, 0.1)"),
])
def test_bad_noise_settings_are_refused_clearly(hp, sliders, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        d2l.live_trace_2d(F, "sgd", {"lr": 0.1, **hp}, sliders=sliders)
    if sliders is None:
        with pytest.raises(ValueError, match=re.escape(message)):
            live.live_path_2d("sgd", {"lr": 0.1, **hp}, F)


@needs_node
def test_javascript_refuses_bad_noise(tmp_path):
    bad = [{"noise": -1}, {"noise": "1"}, {"noise": 1, "seed": 1.5},
           {"noise": 1, "seed": -1}, {"noise": 1, "seed": 2**32}]
    cases = [{"optimizer": "sgd", "hyperparams": {"lr": 0.1, **hp}, "f": F}
             for hp in bad]
    errors = [r.get("error", "") for r in _node(cases, tmp_path)]
    assert "noise (sigma) must be a finite number >= 0" in errors[0]
    assert "noise (sigma) must be a finite number >= 0" in errors[1]
    assert "seed must be a whole number" in errors[2]
    assert "seed must be between 0 and 4294967295" in errors[3]
    assert "seed must be between 0 and 4294967295" in errors[4]


# -- how a run ends, in words: the page says what Python says --------------

STATUS_CASES = [
    # diverging: gradient descent with too large a step
    ({"quadratic": [0.1, 2.0, 0.0]}, "sgd", {"lr": 0.55}, (-5, -2), 20,
     ((-6, 2), (-4, 4)), "diverging"),
    # blew up
    ({"quadratic": [0.1, 2.0, 0.0]}, "sgd", {"lr": 2.0}, (-5, -2), 60,
     ((-6, 2), (-4, 4)), "diverged"),
    # converges, first step out of the frame: no status (the widget adds
    # "leaves the view", a note about the view, not about the run)
    ({"quadratic": [1.0, 1.0, 0.0]}, "sgd", {"lr": 0.9}, (-1, 0.5), 30,
     ((-1.2, 0.2), (-0.2, 0.7)), None),
    # the saddle: escaping is the lesson, and so is escaping to 1e12
    ({"saddle": []}, "sgd", {"lr": 0.1}, (-2, 0.01), 30,
     ((-2.5, 0.5), (-1, 1)), "escapes"),
    ({"saddle": []}, "sgd", {"lr": 0.4}, (-2, 0.01), 80,
     ((-2.5, 0.5), (-1, 1)), "escapes"),
    # the saddle with too large a step along x1: f rises, blows up
    ({"saddle": []}, "sgd", {"lr": 1.5}, (-2, 0.0), 60,
     ((-2.5, 2.5), (-1, 1)), "diverged"),
    # Adadelta's slowly widening cycle near the minimum (issue 15: it was
    # flagged "diverging" at |x| = 0.175)
    ({"quadratic": [0.1, 2.0, 0.0]}, "adadelta",
     {"rho": 0.9, "eps": 1e-3}, (-5, -2), 200, ((-6, 1), (-3, 3)), None),
    # momentum that ends a little above its start: uphill, not failing
    ({"quadratic": [1.0, 1.0, 0.0]}, "sgd", {"lr": 1.0}, (1, 1), 5,
     ((-2, 2), (-2, 2)), None),
    # an indefinite quadratic is unbounded below too
    ({"quadratic": [1.0, -0.5, 0.0]}, "adam", {"lr": 0.1}, (1, 0.1), 60,
     ((-2, 2), (-2, 2)), "escapes"),
    # noise from the minimum: f rises, bounded: at most "uphill"
    ({"quadratic": [1.0, 2.0, 0.0]}, "sgd",
     {"lr": 0.1, "noise": 1.0, "seed": 3}, (0, 0), 50, ((-1, 1), (-1, 1)),
     "uphill"),
]


def _status_case(f, opt, hp, start, steps, frame):
    return {"optimizer": opt, "hyperparams": hp, "f": f,
            "start": list(start), "steps": steps, "frame": frame}


def test_status_words_say_what_happened():
    for f, opt, hp, start, steps, frame, kind in STATUS_CASES:
        path = live.live_path_2d(opt, hp, f, start, steps)
        got = live.run_status(path, f, *frame)
        assert (got and got["kind"]) == kind, (f, opt, hp, got)
        if got:
            assert got["bad"] == (kind in ("diverged", "diverging"))
            # One minus sign: U+2212, never a hyphen before a number.
            assert not re.search(r"-\d", got["text"]), got["text"]
    saddle = live.run_status(live.live_path_2d(
        "sgd", {"lr": 0.1}, {"saddle": []}, (-2, 0.01), 30),
        {"saddle": []}, (-2.5, 0.5), (-1, 1))
    assert saddle["text"].startswith("leaves the saddle: f fell from 4 to "
                                     "\u2212")


@needs_node
def test_status_words_are_the_same_in_the_page(tmp_path):
    cases = [_status_case(*c[:6]) for c in STATUS_CASES]
    # And the parity grid's runs, in their own frames.
    cases += [dict(c, frame=[[-3, 3], [-3, 3]], steps=c["steps"])
              for c in _cases(steps=30)[::7]]
    results = _node(cases, tmp_path)
    kinds = set()
    for case, result in zip(cases, results):
        assert "error" not in result, (case, result)
        path = live.live_path_2d(case["optimizer"], case["hyperparams"],
                                 case["f"], case["start"], case["steps"])
        want = live.run_status(path, case["f"], *case["frame"])
        assert result["status"] == want, case
        kinds.add(want and want["kind"])
    assert kinds >= {None, "diverged", "diverging", "escapes", "uphill"}


# -- bad input, refused where it is given (issue 19) -----------------------

def test_numpy_numbers_are_numbers():
    lrs = np.linspace(0.05, 0.6, 12, dtype=np.float32)
    w = d2l.live_trace_2d(F, "sgd", {"lr": lrs[3]},
                          sliders={"lr": (lrs[0], lrs[-1], np.float32(0.05))},
                          start=np.array([-5.0, -2.0]),
                          steps=np.int64(20), xlim=np.array([-6.0, 2.0]),
                          schedule={"exponential": np.float64(0.01)})
    run = w.config["runs"][0]
    assert type(run["hyperparams"]["lr"]) is float
    assert run["hyperparams"]["lr"] == float(lrs[3])
    assert w.config["start"] == [-5.0, -2.0]
    json.loads(json.dumps(w.config))
    assert "data-d2lmini-live" in w.html()
    noisy = d2l.live_trace_2d(F, "sgd", {"lr": 0.1, "noise": np.float32(1),
                                         "seed": np.int64(4)})
    assert noisy.config["runs"][0]["hyperparams"]["seed"] == 4
    assert d2l.noise_2d(np.int32(2), np.int64(3)).shape == (3, 2)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"hyperparams": {"lr": np.array([0.1, 0.2])}}, ValueError, "lr"),
    ({"start": (np.nan, 1.0)}, ValueError,
     "start must be two finite numbers, got (nan, 1.0)"),
    ({"start": (1.0, 2.0, 3.0)}, ValueError,
     "start must be two finite numbers, got (1.0, 2.0, 3.0)"),
    ({"start": np.zeros((2, 1))}, ValueError, "start must be two finite"),
    ({"hyperparams": {"lr": 0.1, "noise": 1.0, "seed": 2.0}}, ValueError,
     "seed must be a whole number such as 0 or 42, got 2.0"),
    ({"steps": 1001}, ValueError,
     "steps must be between 1 and 1000, got 1001"),
    ({"schedule": {"piecewise": [[12, 0.1], [5, 0.5]]}}, ValueError,
     "each t larger than the one before; got t = 5 after t = 12"),
    ({"schedule": {"piecewise": [[5.5, 0.1]]}}, ValueError,
     "t must be a whole number >= 1"),
    ({"schedule": {"piecewise": [[5, -0.1]]}}, ValueError,
     "factor must be >= 0 (a negative learning rate climbs f), got -0.1"),
    ({"schedule": {"exponential": -0.1}}, ValueError,
     "schedule must be one of"),
    ({"schedule": {"polynomial": [-0.5, 1.0]}}, ValueError,
     "schedule must be one of"),
    # d2lmini.schedules: its own checks, naming the argument.
    ({"schedule": {"wsd": [20, 20, 5]}}, ValueError,
     "schedule['wsd']: warmup must be < num_steps (20), got 20"),
    ({"schedule": {"step_decay": [2.5]}}, ValueError,
     "schedule['step_decay']: step_size must be a whole number >= 1, "
     "got 2.5"),
    ({"schedule": {"one_cycle": [20, 1.5]}}, ValueError,
     "pct_start must be a finite number > 0 and < 1, got 1.5"),
    ({"schedule": {"wsd": [1, 2, 3, 4]}}, ValueError,
     "schedule['wsd'] must be a list of its arguments after lr, [warmup, "
     "num_steps, decay_steps]"),
    ({"schedule": {"cosine_decay": 20}}, ValueError,
     "schedule['cosine_decay'] must be a list of its arguments"),
    ({"schedule": d2l.cosine_decay(0.1, 20)}, ValueError,
     "schedule must be a spec such as {'cosine_decay': [20, 0.0]}"),
    ({"schedule": {"cosine_decay": [20, 0.5]}}, ValueError,
     "schedule['cosine_decay'] with lr = 0.1: min_lr must be a finite "
     "number >= 0 and <= 0.1, got 0.5"),
    ({"sliders": {"lr": (0.01, 0.5, 0.01)},
      "schedule": {"cosine_decay": [20, 0.05]}}, ValueError,
     "with lr = 0.01: min_lr must be"),
    ({"schedules": ["cosine"]}, ValueError,
     "schedules: unknown schedule 'cosine'; expected names of "
     "d2lmini.schedules"),
    ({"schedules": 3}, ValueError, "schedules must be a list of schedule"),
    ({"schedules": ["wsd", "wsd"]}, ValueError, "lists a schedule twice"),
    ({"schedules": ["constant_lr"], "schedule": {"wsd": [2, 20, 5]}},
     ValueError, "must be one of the selector's schedules (constant_lr)"),
    ({"schedules": {"step_decay": {"gamma": (0.1, 2.0, 0.1)}}}, ValueError,
     "gamma must be a finite number >= 0 and <= 1, got 2.0: narrow the "
     "slider"),
    ({"schedules": {"wsd": {"warmup": (0, 10, 0.5)}}}, ValueError,
     "schedules['wsd']['warmup']: warmup must be a whole number"),
    ({"schedules": {"wsd": {"period": (1, 10, 1)}}}, ValueError,
     "wsd has no argument 'period' after lr"),
    ({"schedules": {"step_decay": {"step_size": (1, 5, 1)}},
      "schedule": {"step_decay": [8]}}, ValueError,
     "step_size = 8 is outside its slider (1.0, 5.0)"),
    ({"schedules": {"step_decay": [1, 5, 1]}}, ValueError,
     "schedules['step_decay'] must be a dict {argument: (min, max, step)}"),
])
def test_bad_input_is_refused_where_it_is_given(kwargs, error, message):
    kw = {"hyperparams": {"lr": 0.1}, **kwargs}
    with pytest.raises(error, match=re.escape(message)):
        d2l.live_trace_2d(F, "sgd", **kw)


@pytest.mark.parametrize("call, error, message", [
    (lambda: d2l.noise_2d(0, 1_000_001), ValueError,
     "steps must be a whole number from 0 to 1000000, got 1000001"),
    (lambda: d2l.noise_2d(0, 10**9), ValueError, "from 0 to 1000000"),
    (lambda: d2l.noise_2d(0, 2.0), TypeError,
     "steps must be a whole number from 0 to 1000000, got 2.0"),
    (lambda: d2l.noise_2d(0.5, 2), ValueError,
     "seed must be a whole number such as 0 or 42, got 0.5"),
    (lambda: d2l.noise_2d(np.array([1]), 2), ValueError,
     "seed must be a whole number"),
    (lambda: d2l.noisy_grad_2d(lambda a, b: (a, b), np.array([1.0])),
     ValueError, "noise (sigma) must be a finite number >= 0"),
    (lambda: d2l.noisy_grad_2d(lambda a, b: (a, b), 1.0, seed=1.5),
     ValueError, "seed must be a whole number"),
    (lambda: d2l.noisy_grad_2d("grad", 1.0), ValueError,
     "needs the gradient (x1, x2) -> (g1, g2) as a function, got str"),
    (lambda: d2l.objective_2d({"quadratic": [1, 2, np.nan]}), ValueError,
     "coefficient c of quadratic must be a finite number, got nan"),
    (lambda: d2l.objective_2d({"quadratic": np.ones((3, 1))}), ValueError,
     "coefficient a of quadratic must be a finite number"),
    (lambda: live.live_path_2d("sgd", {"lr": 0.1}, F, start=(0, 0, 0)),
     ValueError, "start must be two finite numbers, got (0, 0, 0)"),
    (lambda: live.live_path_2d("sgd", {"lr": 0.1}, F, steps=10**9),
     ValueError, "steps must be between 1 and 1000"),
    (lambda: live.run_status([(0, 0)], F, (-1, 1), (-1, 1)), TypeError,
     "trace must be a d2lmini Trace"),
])
def test_bad_input_to_noise_objectives_and_paths(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()
