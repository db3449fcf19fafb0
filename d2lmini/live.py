"""Live 2-D traces: the path of an optimizer, recomputed in the page.

:func:`live_trace_2d` returns an object whose cell output is a small
self-contained widget: contour lines of f, the path of one or several
optimizers, a slider per hyperparameter, the number of steps, play/pause
and step buttons, the start point moved by a click or a drag (or the arrow
keys), and f against the step. It runs the update rules in JavaScript in
the page (the files of ``d2lmini/js/``, joined in the order of
:data:`LIB_FILES`), so it works with no kernel: on the static website, in
JupyterLab/Notebook and on Colab, and offline (the only library it uses,
d3-contour, is vendored in ``d2lmini/js/vendor/`` and inlined into the
output).

Python stays the reference. The JavaScript reads the hyperparameter names,
defaults and ranges from :mod:`d2lmini.optim`'s table (serialised into the
page), its update rules follow :mod:`d2lmini.optim` operation by operation,
and ``tests/test_live.py`` checks in Node that every optimizer's path equals
a pure-Python reference of the same rules (``tests/live_reference.py``: bit
for bit, or within the derived effect of pow, exp, log, cos and sin being
rounded differently), against which ``train_2d(trainer_2d(...))`` is
checked too. :func:`live_path_2d` gives the Python path of a live trace's
settings, :func:`run_status` the words the widget shows for how it ended.

Gradient noise: two more hyperparameters, accepted by every optimizer,
``noise`` (:math:`\\sigma \\ge 0`, default 0) and ``seed`` (an integer,
default 0), make update t use :math:`\\mathbf{g}_t = \\nabla
f(\\mathbf{x}_{t-1}) + \\sigma\\boldsymbol{\\xi}_t`, with the standard normal
:math:`\\boldsymbol{\\xi}_t` drawn by the small generator of
:mod:`d2lmini.noise`, which ``js/noise.js`` runs too (so the page and
Python draw the same noise). Every run that starts from the same seed
sees the same :math:`\\boldsymbol{\\xi}_1, \\boldsymbol{\\xi}_2,
\\ldots`; give runs different seeds for independent noise.

Introduced in ``chapters/gd.ipynb``.
"""

from __future__ import annotations

import functools
import html
import json
import math
import numbers
import re
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import optim
from . import schedules as _schedules
from ._args import check_int, check_number
from .noise import check_noise, check_seed, noisy_grad_2d
from .objectives import OBJECTIVES, check_objective, lower_bound, objective_2d
from .traces import BLOWUP, Trace, _frame, _limits, train_2d

__all__ = ["LiveTrace", "live_path_2d", "live_trace_2d", "run_status"]

JS_DIR = Path(__file__).parent / "js"
MAX_STEPS = 1000
RUN_KEYS = ("optimizer", "hyperparams", "sliders", "label")
# Hyperparameters of every live run, on top of the optimizer's own.
NOISE_KEYS = ("noise", "seed")
NOISE_DEFAULTS = {"noise": 0.0, "seed": 0}


# ---------------------------------------------------------------------------
# The JavaScript: vendored d3-contour + Python's tables + d2lmini/js/*.js.
# ---------------------------------------------------------------------------

# Every JavaScript file of d2lmini/js (vendor/ aside), one job per file:
# the one place to add a file (tests/test_live_js.py fails on a file that
# is not listed). True: the file is part of the live-trace library, the
# one script a live trace's notebook output carries (_library(); on the
# website the same script is _static/d2lmini-live-HASH.js,
# scripts/book_live.py); False: it is not in that bundle (a script the
# website loads on its own, with its own tests). The library's files are
# joined in this order inside one function (_join), after
# vendor/d3-contour.min.js and Python's tables (D2LMINI_TABLES), so that a
# name declared at the top of one is seen by every other; a file may use
# the names of any of them at call time, but at its own top level only
# those of the files before it (window.d2lmini, say, exists from run.js
# on). Nothing at a top level may need a page: the library runs in Node
# too (tests/test_live.py).
JS_FILES: dict[str, bool] = {
    "objectives.js": True,  # objectives.py: objective_2d, lower_bound
    "rules.js": True,       # optim.py: check_hyperparams, each update rule
    "noise.js": True,       # noise.py: Mulberry32, Box-Muller, noise_2d
    "schedules.js": True,   # live.py's schedules and d2lmini.schedules
    "run.js": True,         # live_path_2d, run_status; window.d2lmini
    "draw.js": True,        # stylesheet, palettes, ticks, axes, contours
    "widget.js": True,      # the trace widget: mount, mountAll
    # The exercise evaluator (d2lmini/checks/_spec.py's twin): the website
    # loads it on its own (scripts/book_exercises.py); a notebook checks
    # answers in its kernel.
    "checks.js": False,
}
# The library's files, in order.
LIB_FILES = tuple(name for name, lib in JS_FILES.items() if lib)
# What the function around the files defines for them.
_HEAD = ('(function (root) {\n"use strict";\nvar T = D2LMINI_TABLES;\n'
         'var D3 = typeof d2lminiD3 !== "undefined" ? d2lminiD3 : null;\n')
_TAIL = '})(typeof window !== "undefined" ? window : globalThis);\n'


def _tables() -> dict[str, Any]:
    """Python's tables, as the JavaScript reads them (one source of truth)."""
    specs = {}
    for name, spec in optim._SPECS.items():
        specs[name] = {
            "order": list(spec),
            "required": [k for k, v in spec.items() if v is optim._REQUIRED],
            "defaults": {k: v for k, v in spec.items()
                         if v is not optim._REQUIRED},
        }
    from . import __version__

    return {
        "version": __version__,
        "specs": specs,
        "rules": {k: rule for k, (rule, _) in optim._RULES.items()},
        "objectives": {k: list(names) for k, (names, _) in
                       OBJECTIVES.items()},
        "blowup": BLOWUP,
    }


def _strip(js: str) -> str:
    """A library file without its comment lines, indentation and blank
    lines.

    A light squeeze (about 40% of the bytes) that cannot change what the
    code does: only whole lines that are comments go, and the leading
    spaces of the others (the files have no multi-line strings).
    """
    out, in_block = [], False
    for line in js.splitlines():
        text = line.strip()
        if in_block:
            in_block = "*/" not in text
            continue
        if text.startswith("/*"):
            in_block = "*/" not in text
            continue
        if not text or text.startswith("//"):
            continue
        out.append(text)
    return "\n".join(out) + "\n"


def _join(files: Sequence[str] = LIB_FILES,
          expose: Sequence[str] = ()) -> str:
    """The library files, stripped, inside the one function that holds
    them. ``expose`` (tests only): names of the files' top level to hand
    out as ``window.d2lminiTest``, so that one file can be tested alone."""
    parts = [_strip((JS_DIR / name).read_text()) for name in files]
    if expose:
        parts.append("root.d2lminiTest = {"
                     + ", ".join(f"{n}: {n}" for n in expose) + "};\n")
    return _HEAD + "".join(parts) + _TAIL


@functools.lru_cache(maxsize=1)
def _javascript() -> str:
    """The whole script a widget needs, minus the call that mounts it."""
    vendor = (JS_DIR / "vendor" / "d3-contour.min.js").read_text()
    tables = json.dumps(_tables(), separators=(",", ":"))
    js = (f"{vendor}\nvar D2LMINI_TABLES = {tables};\n{_join()}")
    if "</script" in js.lower() or "<!--" in js:
        raise RuntimeError("the live-trace script must not contain "
                           "'</script' or '<!--'")
    return js


LIB_ATTR = "data-d2lmini-live-lib"


@functools.lru_cache(maxsize=1)
def _library() -> str:
    """The script of a widget's output, without its ``<script>`` tag.

    It defines ``window.d2lmini`` unless this very version is there
    already (several widgets in one page or one Colab frame run the
    library once), then mounts every widget of the page not yet mounted.
    The website loads it once per page from ``_static`` instead
    (``scripts/book_live.py`` replaces the inline copies); a notebook
    output carries its own copy, so it works alone.
    """
    version = json.dumps(_tables()["version"])
    return ("(function(){var w=window;"
            f"if(!(w.d2lmini&&w.d2lmini.version==={version}"
            "&&w.d2lmini.mountAll)){\n"
            f"{_javascript()}\n}}w.d2lmini.mountAll(document);}})();")


def _library_hash() -> str:
    """The first 12 hex digits of the library's sha256."""
    import hashlib

    return hashlib.sha256(_library().encode()).hexdigest()[:12]


@functools.lru_cache(maxsize=1)
def _js_optimizers() -> frozenset[str]:
    """The optimizers that have a twin in js/rules.js (its RULES table)."""
    rules = (JS_DIR / "rules.js").read_text()
    block = rules.split("var RULES = {", 1)[1].split("\n};", 1)[0]
    return frozenset(re.findall(r"^  (\w+): \{$", block, re.M))


# ---------------------------------------------------------------------------
# Checking the arguments.
# ---------------------------------------------------------------------------


def _is_number(v: Any) -> bool:
    return (isinstance(v, numbers.Real) and not isinstance(v, bool)
            and math.isfinite(v))


def _plain(v: Any) -> Any:
    """A NumPy scalar as the Python number it holds; anything else as is."""
    return v.item() if isinstance(v, np.generic) else v


def _sequence(v: Any) -> Any:
    """A 1-D NumPy array as a list (start=np.array([1.0, 2.0]) is fine)."""
    return v.tolist() if isinstance(v, np.ndarray) and v.ndim == 1 else v


def _check_optimizer(optimizer: Any) -> str:
    name = optimizer if isinstance(optimizer, str) else getattr(
        optimizer, "__name__", None)
    if name not in optim.OPTIMIZERS:
        raise ValueError(
            f"unknown optimizer {optimizer!r}; expected the name of one of "
            f"d2lmini.optim's: {', '.join(sorted(optim.OPTIMIZERS))}")
    if name not in _js_optimizers():
        raise ValueError(
            f"optimizer {name!r} has no JavaScript twin in "
            "d2lmini/js/rules.js yet, so it cannot run live; use "
            "show_trace_2d for it")
    return name


def _split_noise(
    opt: str, hyperparams: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The optimizer's hyperparameters, and the checked noise settings
    (``None`` when neither ``noise`` nor ``seed`` is given)."""
    hp = dict(hyperparams)
    if not any(k in hp for k in NOISE_KEYS):
        return hp, None
    clash = [k for k in NOISE_KEYS if k in optim._SPECS[opt]]
    if clash:  # pragma: no cover - no optimizer has these names today
        raise ValueError(f"{opt} has its own {clash[0]!r}")
    noise = {"noise": check_noise(hp.pop("noise", 0.0)),
             "seed": check_seed(hp.pop("seed", 0))}
    return hp, noise


def _check_noise_slider(name: str, rng: Any) -> tuple[float, ...]:
    """A slider for the noise level sigma or for the seed."""
    rng = _sequence(rng)
    if (isinstance(rng, (str, bytes)) or not isinstance(rng, Sequence)
            or len(rng) != 3 or not all(_is_number(v) for v in rng)):
        example = "(0, 3, 0.1)" if name == "noise" else "(0, 20, 1)"
        raise ValueError(
            f"slider {name!r} must be (min, max, step) with finite numbers, "
            f"e.g. {example}; got {rng!r}")
    lo, hi, step = rng
    if not lo < hi:
        raise ValueError(
            f"slider {name!r}: min must be less than max, got ({lo}, {hi})")
    if not 0 < step <= hi - lo:
        raise ValueError(
            f"slider {name!r}: step must be > 0 and at most max - min, "
            f"got {step}")
    if name == "noise":
        if lo < 0:
            raise ValueError(
                f"slider 'noise' reaches {lo}, but noise (sigma) must be "
                ">= 0: narrow its range")
    else:
        for v in (lo, hi, step):
            if isinstance(v, bool) or not isinstance(v, numbers.Integral):
                raise ValueError(
                    f"slider 'seed' must have whole numbers (min, max, "
                    f"step), e.g. (0, 20, 1); got {rng!r}")
        check_seed(lo)
        check_seed(hi)
    if (hi - lo) / step > 10000:
        raise ValueError(
            f"slider {name!r}: {int((hi - lo) / step)} positions is too "
            "many; use a larger step")
    return float(lo), float(hi), float(step)


def _slider_triple(opt: str, name: str,
                   rng: Any) -> tuple[float, float, float]:
    """``(min, max, step)`` of a slider for hyperparameter ``name`` of the
    update rule ``opt``: a known, numeric hyperparameter and a well-formed
    range. Whether the range's ends are allowed values is the caller's
    check (shared by :func:`live_trace_2d` and ``explore_airfoil``)."""
    rng = _sequence(rng)
    spec = optim._SPECS[opt]
    if name not in spec:
        raise ValueError(
            f"unknown hyperparameter {name!r} for a slider of {opt}; "
            f"expected one of {', '.join(sorted(spec))}")
    if name not in optim._RULES:
        raise ValueError(
            f"{name} of {opt} is a switch (True/False), not a number: pass "
            "it in hyperparams, it cannot have a slider")
    if (isinstance(rng, (str, bytes)) or not isinstance(rng, Sequence)
            or len(rng) != 3 or not all(_is_number(v) for v in rng)):
        raise ValueError(
            f"slider {name!r} must be (min, max, step) with finite numbers, "
            f"e.g. {name}=(0.01, 1.0, 0.01); got {rng!r}")
    lo, hi, step = (float(v) for v in rng)
    if not lo < hi:
        raise ValueError(
            f"slider {name!r}: min must be less than max, got ({lo}, {hi})")
    if not 0 < step <= hi - lo:
        raise ValueError(
            f"slider {name!r}: step must be > 0 and at most max - min, "
            f"got {step}")
    return lo, hi, step


def _check_slider(opt: str, name: str, rng: Any) -> tuple[float, ...]:
    if name in NOISE_KEYS:
        return _check_noise_slider(name, rng)
    spec = optim._SPECS[opt]
    if name not in spec:
        raise ValueError(
            f"unknown hyperparameter {name!r} for a slider of {opt}; "
            f"expected one of {', '.join(sorted(spec))} (or noise, seed)")
    lo, hi, step = _slider_triple(opt, name, rng)
    rule, ok = optim._RULES[name]
    for v in (lo, hi):
        if not ok(v):
            raise ValueError(
                f"slider {name!r} of {opt} reaches {v}, but {name} must be "
                f"{rule}: narrow its range")
    if (hi - lo) / step > 10000:
        raise ValueError(
            f"slider {name!r}: {int((hi - lo) / step)} positions is too "
            "many; use a larger step")
    return lo, hi, step


def _check_run(run: Mapping[str, Any], index: int | None) -> dict[str, Any]:
    where = "" if index is None else f"runs[{index}]: "
    try:
        name = _check_optimizer(run.get("optimizer"))
        hp = run.get("hyperparams") or {}
        if not isinstance(hp, Mapping):
            raise ValueError(
                "hyperparams must be a dict such as {'lr': 0.1}, got "
                f"{type(hp).__name__}")
        sliders = run.get("sliders") or {}
        if not isinstance(sliders, Mapping):
            raise ValueError(
                "sliders must be a dict {name: (min, max, step)}, e.g. "
                "{'lr': (0.01, 1.0, 0.01)}")
        ranges = {k: _check_slider(name, k, v) for k, v in sliders.items()}
        hp = dict(hp)
        for k, (lo, hi, step) in ranges.items():
            if k not in hp:
                default = (NOISE_DEFAULTS[k] if k in NOISE_KEYS
                           else optim._SPECS[name][k])
                if (default is optim._REQUIRED or default is None
                        or (k in NOISE_KEYS and not lo <= default <= hi)):
                    # The middle of the slider, on its grid.
                    default = lo + step * round((hi - lo) / 2 / step)
                    if k == "seed":
                        default = int(default)
                hp[k] = default
        hp, noise = _split_noise(name, hp)
        # NumPy scalars (a value from np.linspace) become Python numbers,
        # which the page's JSON can hold.
        checked = {k: _plain(v) for k, v in
                   optim.check_hyperparams(name, hp).items()}
        if noise is not None:
            checked.update(noise)
        for k, (lo, hi, _) in ranges.items():
            if not lo <= checked[k] <= hi:
                raise ValueError(
                    f"{k} = {checked[k]} is outside its slider "
                    f"({lo}, {hi}); move it inside or widen the slider")
        label = run.get("label")
        if label is None:
            label = name
        if not isinstance(label, str):
            raise ValueError(f"label must be a string, got {label!r}")
    except ValueError as err:
        raise ValueError(where + str(err)) from None
    return {"optimizer": name, "hyperparams": checked,
            "sliders": {k: list(v) for k, v in ranges.items()},
            "label": label}


# The schedules of d2lmini.schedules a live trace runs, {kind: [arg, ...]}
# with the arguments after lr (the peak rate is each run's lr), and their
# names in the widget's selector.
SCHEDULE_LABELS = {
    "constant_lr": "constant", "step_decay": "step",
    "exponential_decay": "exponential", "cosine_decay": "cosine",
    "cosine_restarts": "cosine with restarts",
    "linear_warmup": "linear warmup", "warmup_cosine": "warmup + cosine",
    "wsd": "warmup-stable-decay", "one_cycle": "one-cycle"}
# Every argument after lr: (whole number?, low, high, open ends) as the
# functions of d2lmini.schedules check it alone (checks that tie two
# arguments, such as warmup < num_steps, are theirs).
_SCHEDULE_ARG_BOUNDS = {
    "step_size": (True, 1, None), "gamma": (False, 0, 1),
    "num_steps": (True, 1, None), "period": (True, 1, None),
    "mult": (True, 1, None), "warmup": (True, 0, None),
    "decay_steps": (True, 1, None), "min_lr": (False, 0, None),
    "pct_start": (False, 0, 1, True), "div_factor": (False, 1, None),
    "final_div_factor": (False, 1, None)}


def _schedule_arg_names(kind: str) -> list[str]:
    """The arguments of ``d2lmini.schedules.KIND`` after ``lr``."""
    import inspect

    names = list(inspect.signature(_schedules.SCHEDULES[kind]).parameters)
    assert names[0] == "lr", kind
    return names[1:]


def _check_schedule_args(kind: str, p: Any) -> list[float | int]:
    """The arguments after lr of schedule ``kind``, checked by
    d2lmini.schedules itself and completed with its defaults."""
    names = _schedule_arg_names(kind)
    if (isinstance(p, (str, bytes, Mapping)) or not isinstance(p, Sequence)
            or len(p) > len(names)):
        raise ValueError(
            f"schedule[{kind!r}] must be a list of its arguments after lr, "
            f"[{', '.join(names)}] (the peak rate is each run's lr), got "
            f"{p!r}")
    try:
        # Any finite lr: the checks that involve it (min_lr <= lr) run
        # with each run's lr, in live_path_2d.
        made = _schedules.SCHEDULES[kind](float(np.finfo(float).max),
                                          *[_plain(v) for v in p])
    except (TypeError, ValueError) as err:
        raise ValueError(f"schedule[{kind!r}]: {err}") from None
    return list(made.args.values())


def _check_schedule_lr(schedule: dict[str, Any] | None, lr: float,
                       where: str = "") -> None:
    """A schedule of d2lmini.schedules accepts ``lr`` as its peak rate
    (its min_lr is at most lr)."""
    if not schedule:
        return
    ((kind, p),) = schedule.items()
    if kind in SCHEDULE_LABELS:
        try:
            _schedules.SCHEDULES[kind](lr, *p)
        except ValueError as err:
            raise ValueError(f"{where}schedule[{kind!r}] with lr = {lr}: "
                             f"{err}") from None


def _schedule_defaults(kind: str, steps: int, max_steps: int,
                       ) -> dict[str, tuple[Any, tuple[float, ...]]]:
    """The selector's value and slider ``(min, max, step)`` of each
    argument of ``kind`` that gets one, for a run of ``steps`` updates."""
    tenth, fifth, quarter = max(1, steps // 10), max(1, steps // 5), \
        max(1, steps // 4)
    count = (1, max_steps, 1)
    # exponential: gamma ** steps = 0.05 at the end of the run.
    gamma = min(1.0, max(0.9, round(0.05 ** (1 / steps), 3)))
    table = {
        "step_decay": {"step_size": (quarter, count),
                       "gamma": (0.3, (0.05, 1.0, 0.05))},
        "exponential_decay": {"gamma": (gamma, (0.9, 1.0, 0.001))},
        "cosine_decay": {"num_steps": (steps, count)},
        "cosine_restarts": {"period": (quarter, count),
                            "mult": (1, (1, 4, 1))},
        "linear_warmup": {"warmup": (tenth, count)},
        "warmup_cosine": {"warmup": (tenth, (0, max_steps - 1, 1)),
                          "num_steps": (steps, count)},
        "wsd": {"warmup": (tenth, (0, max_steps - 1, 1)),
                "num_steps": (steps, count),
                "decay_steps": (fifth, count)},
        "one_cycle": {"num_steps": (max(2, steps), (2, max_steps, 1)),
                      "pct_start": (0.3, (0.05, 0.95, 0.05)),
                      "div_factor": (25.0, (1.0, 100.0, 1.0))},
    }
    return table.get(kind, {})


def _check_schedule_slider(kind: str, name: str, rng: Any,
                           ) -> tuple[float, float, float]:
    """``(min, max, step)`` of the slider of argument ``name`` of schedule
    ``kind``: well formed, on whole numbers for a count, and its ends
    allowed values of the argument."""
    where = f"schedules[{kind!r}][{name!r}]"
    names = _schedule_arg_names(kind)
    if name not in names:
        raise ValueError(
            f"{where}: {kind} has no argument {name!r} after lr; expected "
            f"one of {', '.join(names) or '(none)'}")
    rng = _sequence(rng)
    if (isinstance(rng, (str, bytes)) or not isinstance(rng, Sequence)
            or len(rng) != 3 or not all(_is_number(v) for v in rng)):
        raise ValueError(f"{where} must be (min, max, step) with finite "
                         f"numbers, got {rng!r}")
    lo, hi, step = (_plain(v) for v in rng)
    if not lo < hi:
        raise ValueError(f"{where}: min must be less than max, got "
                         f"({lo}, {hi})")
    if not 0 < step <= hi - lo:
        raise ValueError(f"{where}: step must be > 0 and at most max - min, "
                         f"got {step}")
    if (hi - lo) / step > 10000:
        raise ValueError(f"{where}: {int((hi - lo) / step)} positions is "
                         "too many; use a larger step")
    whole, low, high, *open_ = _SCHEDULE_ARG_BOUNDS[name]
    for v in (lo, hi, step) if whole else (lo, hi):
        try:
            if whole:
                check_int(name, v, low if v != step else 1, high)
            else:
                check_number(name, v, low, high, open_low=bool(open_),
                             open_high=bool(open_))
        except (TypeError, ValueError) as err:
            raise ValueError(f"{where}: {err}: narrow the slider") from None
    return float(lo), float(hi), float(step)


def _check_schedules(
    schedules: Any, schedule: dict[str, Any] | None, steps: int,
    max_steps: int,
) -> tuple[list[dict[str, Any]] | None, dict[str, Any] | None]:
    """The selector's choices (``None``: no selector) and the schedule it
    starts with."""
    if schedules is None:
        return None, schedule
    if isinstance(schedules, (str, bytes)):
        schedules = [schedules]
    if isinstance(schedules, Mapping):
        given = dict(schedules)
    elif isinstance(schedules, Sequence) and schedules:
        given = {k: None for k in schedules}
        if len(given) != len(schedules):
            raise ValueError(f"schedules lists a schedule twice: "
                             f"{list(schedules)!r}")
    else:
        raise ValueError(
            "schedules must be a list of schedule names such as "
            "['constant_lr', 'cosine_decay', 'wsd'], or a dict {name: "
            "{argument: (min, max, step)}}, got " + repr(schedules))
    for kind in given:
        if kind not in SCHEDULE_LABELS:
            raise ValueError(
                f"schedules: unknown schedule {kind!r}; expected names of "
                f"d2lmini.schedules: {', '.join(SCHEDULE_LABELS)}")
    if schedule is not None:
        ((kind0, args0),) = schedule.items()
        if kind0 not in given:
            raise ValueError(
                f"schedule {schedule!r} must be one of the selector's "
                f"schedules ({', '.join(given)})")
    else:
        kind0, args0 = next(iter(given)), None
    choices = []
    for kind, sliders in given.items():
        names = _schedule_arg_names(kind)
        defaults = _schedule_defaults(kind, steps, max_steps)
        if sliders is None:
            sliders = {k: rng for k, (_, rng) in defaults.items()}
        elif not isinstance(sliders, Mapping):
            raise ValueError(
                f"schedules[{kind!r}] must be a dict {{argument: (min, max, "
                f"step)}} of its sliders, got {sliders!r}")
        ranges = {k: _check_schedule_slider(kind, k, v)
                  for k, v in sliders.items()}
        if kind == kind0 and args0 is not None:
            args = list(args0)
        else:
            values = {k: v for k, (v, _) in defaults.items()}
            args = _check_schedule_args(
                kind, [values[k] if k in values
                       else _signature_default(kind, k) for k in names])
        for k, (lo, hi, _) in ranges.items():
            v = args[names.index(k)]
            if not lo <= v <= hi:
                raise ValueError(
                    f"schedules[{kind!r}]: {k} = {v} is outside its slider "
                    f"({lo}, {hi}); move it inside or widen the slider")
        choices.append({"kind": kind, "label": SCHEDULE_LABELS[kind],
                        "names": names, "args": args,
                        "sliders": {k: list(v) for k, v in ranges.items()}})
    start = next(c for c in choices if c["kind"] == kind0)
    return choices, {kind0: list(start["args"])}


def _signature_default(kind: str, name: str) -> Any:
    """The default of argument ``name`` of ``d2lmini.schedules.KIND``."""
    import inspect

    default = inspect.signature(
        _schedules.SCHEDULES[kind]).parameters[name].default
    if default is inspect.Parameter.empty:  # pragma: no cover - in table
        raise ValueError(f"schedules[{kind!r}]: {name} has no default; "
                         "give the schedule's arguments in schedule=")
    return default


def _check_schedule(schedule: Any) -> dict[str, Any] | None:
    """A learning-rate schedule: every factor it gives is >= 0, so no
    update runs uphill, and a piecewise schedule's phases are in order."""
    forms = ('{"exponential": delta}, {"polynomial": [delta, alpha]}, '
             '{"piecewise": [[t, factor], ...]} or {KIND: [arg, ...]} with '
             'KIND a schedule of d2lmini.schedules ('
             + ", ".join(SCHEDULE_LABELS) + ")")
    if schedule is None:
        return None
    if isinstance(schedule, _schedules.Schedule):
        raise ValueError(
            f"schedule must be a spec such as "
            f"{{{schedule.kind!r}: {list(schedule.args.values())}}}, the "
            "arguments after lr (the live trace's peak rate is each run's "
            f"lr, its slider), not the function {schedule!r}")
    if not isinstance(schedule, Mapping) or len(schedule) != 1:
        raise ValueError(f"schedule must be one of {forms}, got {schedule!r}")
    ((kind, p),) = schedule.items()
    p = _sequence(p)
    if kind in SCHEDULE_LABELS:
        return {kind: _check_schedule_args(kind, p)}
    if kind == "exponential" and _is_number(p) and p >= 0:
        return {kind: float(p)}
    if (kind == "polynomial" and isinstance(p, Sequence) and len(p) == 2
            and all(_is_number(v) and v >= 0 for v in p)):
        return {kind: [float(v) for v in p]}
    if (kind == "piecewise" and isinstance(p, Sequence)
            and not isinstance(p, (str, bytes))):
        out = []
        for i, q in enumerate(p):
            q = _sequence(q)
            if (isinstance(q, (str, bytes)) or not isinstance(q, Sequence)
                    or len(q) != 2 or not all(_is_number(v) for v in q)):
                raise ValueError(
                    f"schedule['piecewise'][{i}] must be [t, factor] with "
                    f"numbers, got {q!r}")
            t, factor = q
            if isinstance(t, bool) or not isinstance(t, numbers.Integral) \
                    or t < 1:
                raise ValueError(
                    f"schedule['piecewise'][{i}]: t must be a whole number "
                    f">= 1 (the first update that uses the factor), got "
                    f"{t!r}")
            if factor < 0:
                raise ValueError(
                    f"schedule['piecewise'][{i}]: factor must be >= 0 (a "
                    f"negative learning rate climbs f), got {factor!r}")
            if out and t <= out[-1][0]:
                raise ValueError(
                    f"schedule['piecewise'] must list its phases in order "
                    f"of t, each t larger than the one before; got t = {t} "
                    f"after t = {out[-1][0]}")
            out.append([int(t), float(factor)])
        return {kind: out}
    raise ValueError(
        f"schedule must be one of {forms} with numbers >= 0, got "
        f"{schedule!r}")


def _scheduled_lr(schedule: Mapping[str, Any], lr: float, t: int) -> float:
    """The learning rate of update ``t`` (1, 2, ...), as js/schedules.js
    has it."""
    ((kind, p),) = schedule.items()
    if kind in SCHEDULE_LABELS:
        return _schedules.SCHEDULES[kind](lr, *p)(t)
    if kind == "exponential":
        return lr * math.exp(-p * t)
    if kind == "polynomial":
        return lr * (1 + p[0] * t) ** -p[1]
    factor = 1.0
    for t0, f in p:
        if t >= t0:
            factor = f
    return lr * factor


def _check_point(name: str, v: Any) -> tuple[float, float]:
    v = _sequence(v)
    if (isinstance(v, (str, bytes)) or not isinstance(v, Sequence)
            or len(v) != 2 or not all(_is_number(c) for c in v)):
        raise ValueError(f"{name} must be two finite numbers, got {v!r}")
    return float(v[0]), float(v[1])


def _check_lim(name: str, v: Any) -> tuple[float, float] | None:
    if v is None:
        return None
    lo, hi = _check_point(name, v)
    if not lo < hi:
        raise ValueError(f"{name} must be (low, high) with low < high, "
                         f"got {v!r}")
    return lo, hi


def _check_steps(steps: Any, name: str = "steps") -> int:
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral):
        raise ValueError(f"{name} must be a whole number, got {steps!r}")
    if not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"{name} must be between 1 and {MAX_STEPS}, "
                         f"got {steps}")
    return int(steps)


# ---------------------------------------------------------------------------
# Python's path (the reference).
# ---------------------------------------------------------------------------


def _init_states(name: str) -> Any:
    init = {"sgd_momentum": "momentum", "sgd_nesterov": "momentum",
            "yogi": "adam"}.get(name, name)
    try:
        return getattr(optim, f"init_{init}_states")
    except AttributeError:
        raise ValueError(
            f"d2lmini.optim has no init_{init}_states for {name}") from None


def live_path_2d(
    optimizer: str,
    hyperparams: Mapping[str, Any],
    f: Mapping[str, Any],
    start: Sequence[float] = (-5.0, -2.0),
    steps: int = 20,
    schedule: Mapping[str, Any] | None = None,
) -> Trace:
    """The path a live trace shows, computed in Python.

    Without a schedule this is exactly ``train_2d(trainer_2d(OPT,
    init_OPT_states, f_grad, **hyperparams), steps, x0=start)``. With
    ``noise`` :math:`\\sigma > 0` among the hyperparameters (and ``seed``,
    default 0), ``f_grad`` is replaced by ``noisy_grad_2d(f_grad, sigma,
    seed)`` (:mod:`d2lmini.noise`): update t uses
    :math:`\\nabla f(\\mathbf{x}_{t-1}) + \\sigma\\boldsymbol{\\xi}_t`, with
    :math:`\\boldsymbol{\\xi}_t` the row ``t - 1`` of ``noise_2d(seed,
    steps)``; ``noise`` 0 is the exact gradient. With a schedule,
    update ``t`` (1, 2, ...) runs with ``lr`` replaced by
    :math:`\\eta_t`: ``{"exponential": delta}`` gives
    :math:`\\eta_0 e^{-\\delta t}`, ``{"polynomial": [delta, alpha]}``
    :math:`\\eta_0 (1 + \\delta t)^{-\\alpha}`, and ``{"piecewise":
    [[t1, m1], ...]}`` :math:`\\eta_0 m_k` from update :math:`t_k` on;
    a schedule of :mod:`d2lmini.schedules`, ``{name: [arg, ...]}`` with
    its arguments after ``lr``, gives ``SCHEDULES[name](lr, *args)(t)``
    (``{"wsd": [10, 100, 20]}`` is ``wsd(lr, 10, 100, 20)``).

    Introduced in ``chapters/gd.ipynb``.
    """
    name = _check_optimizer(optimizer)
    if not isinstance(hyperparams, Mapping):
        raise ValueError(
            "hyperparams must be a dict such as {'lr': 0.1}, got "
            f"{type(hyperparams).__name__}")
    hp, noise = _split_noise(name, hyperparams)
    hp = optim.check_hyperparams(name, hp)
    _, f_grad = objective_2d(f)
    if noise is not None and noise["noise"] > 0:
        # A fresh stream for this run: update t draws xi_t.
        f_grad = noisy_grad_2d(f_grad, noise["noise"], noise["seed"])
    start = _check_point("start", start)
    steps = _check_steps(steps)
    schedule = _check_schedule(schedule)
    if schedule is not None:
        _check_schedule_lr(schedule, hp["lr"])
    opt, init = optim.OPTIMIZERS[name], _init_states(name)
    if schedule is None:
        trainer = optim.trainer_2d(opt, init, f_grad, **hp)
        return train_2d(trainer, steps, x0=start)
    # Same trainer, one update per call, with the learning rate of step t.
    counter = {"t": 0}

    def trainer(x1, x2, s1, s2):
        counter["t"] += 1
        lr_t = _scheduled_lr(schedule, hp["lr"], counter["t"])
        return optim.trainer_2d(opt, init, f_grad, **{**hp, "lr": lr_t})(
            x1, x2, s1, s2)

    return train_2d(trainer, steps, x0=start)


# ---------------------------------------------------------------------------
# How a run ends, in words (the widget's status(), which must agree).
# ---------------------------------------------------------------------------


def _num(v: float, digits: int = 3) -> str:
    """A number as the widget shows it: ``.3g``, with the minus sign
    U+2212 (one sign everywhere)."""
    return format(v, f".{digits}g").replace("-", "\u2212")


def run_status(
    trace: Trace,
    f: Mapping[str, Any],
    xlim: Sequence[float],
    ylim: Sequence[float],
) -> dict[str, Any] | None:
    """What happened to a live run, in the widget's words.

    Returns ``None`` when the run went as a descent should, else
    ``{"kind", "bad", "text"}``; ``bad`` runs are drawn in red:

    - ``"diverged"`` (bad): the iterate blew up, not finite or beyond
      ``BLOWUP`` (:func:`d2lmini.train_2d` stops it there);
    - ``"diverging"`` (bad): f is bounded below
      (:func:`d2lmini.objectives.lower_bound`) and, at the last step, at
      its highest, at least 10 times as far above its bound as at the
      start, with the iterate outside the frame ``xlim`` x ``ylim``;
    - ``"escapes"``: f is not bounded below (the saddle) and the run fell
      below the stationary point's level 0 and below its start, so it is
      leaving the saddle (blowing up on the way down included);
    - ``"uphill"``: f ends above its start.

    The widget computes the same in JavaScript (``status`` in
    ``d2lmini/js/run.js``; ``tests/test_live.py`` compares them).

    Introduced in ``chapters/gd.ipynb``.
    """
    if not isinstance(trace, Trace):
        raise TypeError(f"trace must be a d2lmini Trace (what live_path_2d "
                        f"returns), got {type(trace).__name__}")
    value, _ = objective_2d(f)
    name, _ = check_objective(f)
    lower = lower_bound(f)
    (x0, x1), (y0, y1) = _check_lim("xlim", xlim), _check_lim("ylim", ylim)
    pts = trace.points
    n = len(pts) - 1
    vals = [value(float(p[0]), float(p[1])) for p in pts]
    f0, ft = vals[0], vals[-1]
    fall = ("leaves the saddle" if name == "saddle"
            else "f falls without bound")
    if trace.stopped_at is not None:
        if lower is None and ft < f0:
            exp = round(math.log10(BLOWUP))
            sup = "".join("⁰¹²³⁴⁵⁶⁷⁸⁹"[int(c)] for c in str(exp))
            return {"kind": "escapes", "bad": False,
                    "text": f"{fall}: f fell to {_num(ft)}, |x| passed "
                            f"10{sup} at step {trace.stopped_at}"}
        return {"kind": "diverged", "bad": True,
                "text": f"diverged: blew up at step {trace.stopped_at}"}
    level = 0.0 if lower is None else lower
    top = max(vals[:-1], default=-math.inf)
    last = pts[-1]
    inside = x0 <= last[0] <= x1 and y0 <= last[1] <= y1
    if (lower is not None and n >= 3 and ft > top and ft > f0
            and ft - level >= 10 * (f0 - level) and not inside):
        return {"kind": "diverging", "bad": True,
                "text": f"diverging: f rose from {_num(f0)} to {_num(ft)} "
                        f"in {n} steps"}
    if lower is None and ft < f0 and ft < level:
        return {"kind": "escapes", "bad": False,
                "text": f"{fall}: f fell from {_num(f0)} to {_num(ft)}"}
    if ft > f0:
        return {"kind": "uphill", "bad": False,
                "text": f"ends uphill: f rose from {_num(f0)} to "
                        f"{_num(ft)}"}
    return None


# ---------------------------------------------------------------------------
# The widget.
# ---------------------------------------------------------------------------


class LiveTrace:
    """A live 2-D trace: display it (last line of a cell) to get the widget.

    Attributes:
        config: the checked settings the page receives (JSON-able).
        paths: Python's :class:`~d2lmini.Trace` of each run at the initial
            settings (what the widget shows before anything is moved).
    """

    def __init__(self, config: dict[str, Any], paths: list[Trace]) -> None:
        self.config = config
        self.paths = paths

    def __repr__(self) -> str:
        f = self.config["f"]
        ((name, p),) = f.items()
        lines = [f"LiveTrace on {name} {p}, start "
                 f"{tuple(self.config['start'])}, "
                 f"{self.config['steps']} steps (displays as a widget)"]
        for run, path in zip(self.config["runs"], self.paths):
            end = ", ".join(f"{v:.6g}" for v in path.final)
            status = run_status(path, f, self.config["xlim"],
                                self.config["ylim"])
            lines.append(f"  {run['label']}: ends at ({end})"
                         + (f" - {status['text']}" if status else ""))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return self.html()

    def html(self) -> str:
        """The cell output: a placeholder and the script that fills it."""
        cfg = html.escape(json.dumps(self.config, allow_nan=False),
                          quote=True)
        ident = f"d2lmini-live-{uuid.uuid4().hex[:12]}"
        ends = "; ".join(
            f"{r['label']} ends at ("
            + ", ".join(_num(v, 4) for v in p.final) + ")"
            for r, p in zip(self.config["runs"], self.paths))
        # The library in a tag the website's build recognises
        # (scripts/book_live.py loads it once per page instead).
        return (
            f'<div class="d2lmini-live" id="{ident}" '
            f'data-d2lmini-live="{cfg}">'
            "<p>Live trace (needs JavaScript; no kernel). Python's path: "
            f"{html.escape(ends)}.</p></div>\n"
            f'<script {LIB_ATTR}="{_library_hash()}">{_library()}</script>'
        )

    def save(self, path: str | Path) -> Path:
        """Write a standalone HTML page with this widget (works offline)."""
        path = Path(path)
        path.write_text(
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width,"
            "initial-scale=1'><title>live trace</title></head><body>"
            f"{self.html()}</body></html>", encoding="utf-8")
        return path


def live_trace_2d(
    f: Mapping[str, Any],
    optimizer: str | None = None,
    hyperparams: Mapping[str, Any] | None = None,
    *,
    sliders: Mapping[str, Sequence[float]] | None = None,
    runs: Sequence[Mapping[str, Any]] | None = None,
    start: Sequence[float] = (-5.0, -2.0),
    steps: int = 20,
    xlim: Sequence[float] | None = None,
    ylim: Sequence[float] | None = None,
    label: str | None = None,
    schedule: Mapping[str, Any] | None = None,
    max_steps: int | None = None,
    schedules: Sequence[str] | Mapping[str, Any] | None = None,
) -> LiveTrace:
    """A live 2-D trace that runs in the page, with sliders.

    Args:
        f: the objective by name: ``{"quadratic": [a, b, c]}`` for
            a x1² + b x2² + c x1 x2, ``{"rosenbrock": [a, b]}`` for
            (a - x1)² + b (x2 - x1²)², ``{"saddle": []}`` for x1² - x2²,
            ``{"multimodal": []}`` for Himmelblau's function (four minima;
            see :mod:`d2lmini.objectives`).
        optimizer: the name of a :mod:`d2lmini.optim` optimizer, e.g.
            ``"sgd_momentum"``.
        hyperparams: its hyperparameters, e.g. ``{"lr": 0.4}``; the
            defaults of :mod:`d2lmini.optim` fill in the rest.
            With ``"noise": sigma`` (any optimizer) the gradient gets
            seeded Gaussian noise, :math:`\\mathbf{g}_t = \\nabla
            f(\\mathbf{x}_{t-1}) + \\sigma\\boldsymbol{\\xi}_t`; ``"seed"``
            (an integer, default 0) picks the draw (see
            :mod:`d2lmini.noise`). The widget then has a "new noise"
            button, which adds 1 to the seed of every noisy run.
        sliders: ``{name: (min, max, step)}`` for the hyperparameters that
            get a slider (``noise`` and ``seed`` too); one without a value
            in ``hyperparams`` starts at its default, or in the middle of
            the slider if it has none.
        runs: instead of ``optimizer``/``hyperparams``/``sliders``, a list
            of ``{"optimizer", "hyperparams", "sliders", "label"}`` drawn
            on the same contours in different colours. Noisy runs with
            the same ``seed`` get the same noise (a fair comparison of,
            say, noisy SGD and noisy Adam); different seeds, unrelated
            noise.
        start: the starting point (the reader can move it).
        steps: the number of updates (the reader can change it).
        xlim, ylim: the frame; by default it follows the initial paths
            as :func:`d2lmini.show_trace_2d` does.
        label: a caption above the widget.
        schedule: optional learning-rate schedule for every run:
            ``{"exponential": delta}``, ``{"polynomial": [delta, alpha]}``
            or ``{"piecewise": [[t, factor], ...]}``, or a schedule of
            :mod:`d2lmini.schedules` as ``{name: [arg, ...]}`` with its
            arguments after ``lr`` (``{"wsd": [10, 100, 20]}``: the peak
            rate is each run's ``lr``); see :func:`live_path_2d`.
        max_steps: the end of the steps slider (default ``max(50,
            2 * steps)``).
        schedules: a schedule selector: the names of the
            :mod:`d2lmini.schedules` it offers (``["constant_lr",
            "warmup_cosine", "wsd"]``), each with sliders for its
            arguments (ranges and first values scaled to ``steps``), or
            a dict ``{name: {argument: (min, max, step)}}`` that picks
            the sliders. It starts at ``schedule`` (one of them) or the
            first; the reader switches and moves them in the page.

    Returns:
        A :class:`LiveTrace`; as the last expression of a cell it shows the
        widget, whose paths equal :func:`live_path_2d`'s (``.paths``).

    Raises:
        ValueError: an unknown optimizer, objective or hyperparameter, a
            value or slider range out of bounds, and the like; the message
            says what is allowed.

    Example:
        >>> w = live_trace_2d({"quadratic": [0.1, 2, 0]}, "sgd",
        ...                   {"lr": 0.4}, sliders={"lr": (0.05, 0.6, 0.05)})
        >>> [round(v, 4) for v in w.paths[0].final]
        [-0.9435, -0.0001]
        >>> noisy = live_trace_2d({"quadratic": [1, 2, 0]}, "sgd",
        ...                       {"lr": 0.1, "noise": 1.0, "seed": 0},
        ...                       sliders={"noise": (0, 3, 0.1)}, steps=50)
        >>> noisy.config["runs"][0]["hyperparams"]
        {'lr': 0.1, 'noise': 1.0, 'seed': 0}

    Introduced in ``chapters/gd.ipynb``.
    """
    name, coeffs = check_objective(f)
    f = {name: coeffs}
    if runs is None:
        if optimizer is None:
            raise ValueError(
                "live_trace_2d needs an optimizer (e.g. 'sgd') or runs=[...]"
                " (several optimizers on the same contours)")
        runs_in: list[Mapping[str, Any]] = [
            {"optimizer": optimizer, "hyperparams": hyperparams,
             "sliders": sliders}]
        single = True
    else:
        if optimizer is not None or hyperparams is not None or sliders:
            raise ValueError(
                "give either optimizer/hyperparams/sliders or runs=[...], "
                "not both")
        if (isinstance(runs, (str, bytes, Mapping))
                or not isinstance(runs, Sequence) or not runs):
            raise ValueError(
                "runs must be a non-empty list of dicts such as "
                "{'optimizer': 'adam', 'hyperparams': {'lr': 0.1}}")
        if len(runs) > 5:
            raise ValueError("at most 5 runs fit on one set of contours")
        runs_in = list(runs)
        single = False
    checked = []
    for i, run in enumerate(runs_in):
        if not isinstance(run, Mapping):
            raise ValueError(f"runs[{i}] must be a dict, got {run!r}")
        extra = set(run) - set(RUN_KEYS)
        if extra:
            raise ValueError(
                f"runs[{i}]: unknown key(s) {', '.join(sorted(extra))}; "
                f"expected {', '.join(RUN_KEYS)}")
        checked.append(_check_run(run, None if single else i))
    labels = [r["label"] for r in checked]
    if len(set(labels)) != len(labels):
        raise ValueError(
            f"two runs have the same label ({labels}); give each a label")
    start = _check_point("start", start)
    steps = _check_steps(steps)
    max_steps = _check_steps(
        max(50, 2 * steps) if max_steps is None else max_steps,
        "max_steps")
    if max_steps < steps:
        raise ValueError(f"max_steps ({max_steps}) must be >= steps "
                         f"({steps})")
    schedule = _check_schedule(schedule)
    choices, schedule = _check_schedules(schedules, schedule, steps,
                                         max_steps)
    # Every schedule the reader can pick, at every lr a run can have.
    for r in checked:
        lows = [r["hyperparams"]["lr"]]
        if "lr" in r["sliders"]:
            lows.append(r["sliders"]["lr"][0])
        for spec in ([schedule] if choices is None else
                     [{c["kind"]: c["args"]} for c in choices]):
            for lr in lows:
                _check_schedule_lr(spec, lr, f"{r['label']}: ")
    if label is not None and not isinstance(label, str):
        raise ValueError(f"label must be a string, got {label!r}")
    xlim, ylim = _check_lim("xlim", xlim), _check_lim("ylim", ylim)
    paths = [live_path_2d(r["optimizer"], r["hyperparams"], f, start, steps,
                          schedule) for r in checked]
    if xlim is None or ylim is None:
        if name == "multimodal":
            auto = ((-6.0, 6.0), (-6.0, 6.0))
        else:
            # The paths as show_trace_2d frames them, the start, and the
            # minimum (or the saddle point), so the target is in view.
            target = ((coeffs[0], coeffs[0] ** 2) if name == "rosenbrock"
                      else (0.0, 0.0))
            shown = np.vstack([_frame(p.points)[0] for p in paths]
                              + [np.array([start, target])])
            auto = _limits(shown)
        xlim = xlim or auto[0]
        ylim = ylim or auto[1]
    config = {"f": f, "start": list(start), "steps": steps,
              "max_steps": max_steps, "xlim": list(xlim),
              "ylim": list(ylim), "runs": checked, "label": label,
              "schedule": schedule}
    if choices is not None:
        config["schedules"] = choices
    return LiveTrace(config, paths)
