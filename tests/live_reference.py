"""A pure-Python reference of the live traces' paths, for the parity tests.

Why not ``live_path_2d`` (torch) as the reference: torch runs the update
rules through its vectorized float64 kernels, whose last bits depend on the
CPU's instruction set (AVX2, AVX-512, NEON); some runs amplify one unit in
the last place (ulp) to a relative 1e-9 within 35 steps (issue 19). This
module runs the update rules of ``d2lmini/js/rules.js`` on Python floats,
operation by operation in the same order, so that:

* With only +, -, *, / and sqrt, the result is the same on every machine
  and equal, bit for bit, to the JavaScript's: IEEE 754 requires these
  operations correctly rounded, JavaScript forbids fusing them (no FMA
  contraction), and so does CPython's float arithmetic.
* The transcendental functions (pow, exp, log, cos, sin: Adam's bias
  corrections, Nadam's momentum schedule, the learning-rate schedules, the
  Box-Muller noise) are correctly rounded in neither V8 nor the C library,
  and either may pick another code path on another CPU. Each result is
  within 1 ulp of the true value on both sides, so the two may differ by
  2 ulp per call. :func:`sensitivity` measures what that does to a path.

``tolerance(case)`` turns that measurement into the allowed difference; it
is zero when the run calls no transcendental function.
"""

from __future__ import annotations

import math
import random
from typing import Any

from d2lmini import optim
from d2lmini.live import _split_noise
from d2lmini.noise import Mulberry32
from d2lmini.objectives import objective_2d
from d2lmini.traces import BLOWUP

NAN, INF = float("nan"), float("inf")


def div(a: float, b: float) -> float:
    """a / b as IEEE 754 (and JavaScript) has it: no ZeroDivisionError."""
    try:
        return a / b
    except ZeroDivisionError:
        if a != a or a == 0:
            return NAN
        return math.copysign(INF, a) * math.copysign(1.0, b)


def sqrt(v: float) -> float:
    """Math.sqrt: NaN for a negative number."""
    return math.sqrt(v) if v >= 0 or v != v else NAN


def nan_max(a: float, b: float) -> float:
    """torch.maximum and rules.js's nanMax: NaN wins."""
    return NAN if a != a or b != b else max(a, b)


def nan_min(a: float, b: float) -> float:
    """Math.min: NaN wins."""
    return NAN if a != a or b != b else min(a, b)


def sign(v: float) -> float:
    """Math.sign."""
    if v != v:
        return NAN
    return 1.0 if v > 0 else -1.0 if v < 0 else v


def nudge(v: float, k: int) -> float:
    """v moved by k units in the last place."""
    toward = INF if k > 0 else -INF
    for _ in range(abs(k)):
        v = math.nextafter(v, toward)
    return v


class Calls:
    """The transcendental functions of a run: counted, and with ``rng``
    each result moved by ``ulps`` ulp up or down at random."""

    def __init__(self, rng: random.Random | None = None, ulps: int = 2):
        self.n, self.rng, self.ulps = 0, rng, ulps

    def _out(self, y: float) -> float:
        self.n += 1
        if self.rng is None or not math.isfinite(y) or y == 0:
            return y
        return nudge(y, self.ulps * self.rng.choice((-1, 1)))

    def pow(self, a: float, b: float) -> float:
        try:
            y = math.pow(a, b)
        except OverflowError:
            y = INF
        except ValueError:  # Math.pow: 0 ** -b is Infinity, else NaN
            y = INF if a == 0 and b < 0 else NAN
        return self._out(y)

    def exp(self, v: float) -> float:
        try:
            return self._out(math.exp(v))
        except OverflowError:
            return self._out(INF)

    def log(self, v: float) -> float:
        return self._out(math.log(v))

    def cos(self, v: float) -> float:
        return self._out(math.cos(v))

    def sin(self, v: float) -> float:
        return self._out(math.sin(v))

    def hypot(self, a: float, b: float) -> float:
        return self._out(math.hypot(a, b))


def _zeros() -> list[float]:
    return [0.0, 0.0]


def _init(name: str) -> dict[str, Any]:
    if name in ("sgd_momentum", "sgd_nesterov"):
        return {"v": _zeros()}
    if name in ("adagrad", "rmsprop"):
        return {"s": _zeros()}
    if name == "adadelta":
        return {"s": _zeros(), "delta": _zeros()}
    if name in ("adam", "adamw", "yogi", "radam"):
        return {"v": _zeros(), "s": _zeros(), "t": 0}
    if name == "adamax":
        return {"v": _zeros(), "u": _zeros(), "t": 0}
    if name == "nadam":
        return {"v": _zeros(), "s": _zeros(), "t": 0, "prod": 1.0}
    if name == "amsgrad":
        return {"v": _zeros(), "s": _zeros(), "smax": _zeros(), "t": 0}
    if name == "schedule_free_adamw":
        return {"z": _zeros(), "x": _zeros(), "s": _zeros(), "t": 0,
                "wsum": 0.0}
    if name == "adafactor":
        return {"r": _zeros(), "t": 0}
    if name == "lion":
        return {"m": _zeros()}
    if name == "muon":
        return {"v": _zeros(), "s": _zeros(), "t": 0}
    if name == "shampoo":
        return {"h00": 0.0, "h01": 0.0, "h11": 0.0}
    return {}


def _step(name: str, x: list[float], g: list[float], st: dict,
          h: dict, c: Calls) -> None:
    """One update, as RULES[name].step in rules.js (x changes in place)."""
    if name == "sgd":
        for i in range(2):
            x[i] = x[i] - h["lr"] * g[i]
    elif name in ("sgd_momentum", "sgd_nesterov"):
        for i in range(2):
            st["v"][i] = h["momentum"] * st["v"][i] + g[i]
            if name == "sgd_momentum":
                x[i] = x[i] - h["lr"] * st["v"][i]
            else:
                x[i] = x[i] - h["lr"] * (g[i] + h["momentum"] * st["v"][i])
    elif name in ("adagrad", "rmsprop"):
        for i in range(2):
            if name == "adagrad":
                st["s"][i] = st["s"][i] + g[i] * g[i]
            else:
                st["s"][i] = (h["gamma"] * st["s"][i]
                              + (1 - h["gamma"]) * (g[i] * g[i]))
            if h["eps_inside_sqrt"]:
                x[i] = x[i] - div(h["lr"] * g[i], sqrt(st["s"][i] + h["eps"]))
            else:
                x[i] = x[i] - div(h["lr"] * g[i],
                                  sqrt(st["s"][i]) + h["eps"])
    elif name == "adadelta":
        for i in range(2):
            st["s"][i] = h["rho"] * st["s"][i] + (1 - h["rho"]) * (g[i] * g[i])
            gp = div(sqrt(st["delta"][i] + h["eps"]),
                     sqrt(st["s"][i] + h["eps"])) * g[i]
            x[i] = x[i] - h["lr"] * gp
            st["delta"][i] = (h["rho"] * st["delta"][i]
                              + (1 - h["rho"]) * (gp * gp))
    elif name in ("adam", "adamw", "yogi"):
        st["t"] += 1
        c1 = 1 - c.pow(h["beta1"], st["t"])
        c2 = 1 - c.pow(h["beta2"], st["t"])
        for i in range(2):
            if name == "adamw":
                x[i] = x[i] - h["lr"] * h["weight_decay"] * x[i]
            st["v"][i] = h["beta1"] * st["v"][i] + (1 - h["beta1"]) * g[i]
            if name == "yogi":
                g2 = g[i] * g[i]
                st["s"][i] = st["s"][i] + (1 - h["beta2"]) * sign(
                    g2 - st["s"][i]) * g2
            else:
                st["s"][i] = (h["beta2"] * st["s"][i]
                              + (1 - h["beta2"]) * (g[i] * g[i]))
            vh, sh = div(st["v"][i], c1), div(st["s"][i], c2)
            x[i] = x[i] - div(h["lr"] * vh, sqrt(sh) + h["eps"])
    elif name == "adamax":
        st["t"] += 1
        c1 = 1 - c.pow(h["beta1"], st["t"])
        for i in range(2):
            st["v"][i] = h["beta1"] * st["v"][i] + (1 - h["beta1"]) * g[i]
            vh = div(st["v"][i], c1)
            if h["eps_in_max"]:
                st["u"][i] = nan_max(h["beta2"] * st["u"][i],
                                     abs(g[i]) + h["eps"])
                x[i] = x[i] - div(h["lr"] * vh, st["u"][i])
            else:
                st["u"][i] = nan_max(h["beta2"] * st["u"][i], abs(g[i]))
                x[i] = x[i] - div(h["lr"] * vh, st["u"][i] + h["eps"])
    elif name == "nadam":
        st["t"] += 1
        t, psi, b1 = st["t"], h["momentum_decay"], h["beta1"]
        c2 = 1 - c.pow(h["beta2"], t)
        if psi is None:
            c1 = 1 - c.pow(b1, t)
        else:
            mu = b1 * (1 - 0.5 * c.pow(0.96, t * psi))
            mu_next = b1 * (1 - 0.5 * c.pow(0.96, (t + 1) * psi))
            st["prod"] = st["prod"] * mu
        for i in range(2):
            st["v"][i] = b1 * st["v"][i] + (1 - b1) * g[i]
            st["s"][i] = (h["beta2"] * st["s"][i]
                          + (1 - h["beta2"]) * (g[i] * g[i]))
            sh = div(st["s"][i], c2)
            if psi is None:
                vh = div(b1 * st["v"][i], c1)
                gh = div((1 - b1) * g[i], c1)
            else:
                vh = div(mu_next * st["v"][i], 1 - st["prod"] * mu_next)
                gh = div((1 - mu) * g[i], 1 - st["prod"])
            x[i] = x[i] - div(h["lr"] * (vh + gh), sqrt(sh) + h["eps"])
    elif name == "radam":
        st["t"] += 1
        t = st["t"]
        c1 = 1 - c.pow(h["beta1"], t)
        c2 = 1 - c.pow(h["beta2"], t)
        rho_inf = div(2, 1 - h["beta2"]) - 1
        rho = rho_inf - div(2 * t * c.pow(h["beta2"], t), c2)
        r = sqrt(div((rho - 4) * (rho - 2) * rho_inf,
                     (rho_inf - 4) * (rho_inf - 2) * rho))
        for i in range(2):
            gi = g[i]
            if h["decoupled_weight_decay"]:
                x[i] = x[i] - h["lr"] * h["weight_decay"] * x[i]
            else:
                gi = gi + h["weight_decay"] * x[i]
            st["v"][i] = h["beta1"] * st["v"][i] + (1 - h["beta1"]) * gi
            st["s"][i] = (h["beta2"] * st["s"][i]
                          + (1 - h["beta2"]) * (gi * gi))
            vh = div(st["v"][i], c1)
            if rho > 5:
                x[i] = x[i] - div(h["lr"] * r * vh * sqrt(c2),
                                  sqrt(st["s"][i]) + h["eps"])
            else:
                x[i] = x[i] - h["lr"] * vh
    elif name == "schedule_free_adamw":
        st["t"] += 1
        t = st["t"]
        if t == 1:
            st["z"], st["x"] = list(x), list(x)
        ramp = (min(1, div(t, h["warmup_steps"])) if h["warmup_steps"] > 0
                else 1)
        lr_t = h["lr"] * sqrt(1 - c.pow(h["beta2"], t)) * ramp
        st["wsum"] += lr_t * lr_t
        cw = div(lr_t * lr_t, st["wsum"]) if st["wsum"] > 0 else 0
        for i in range(2):
            st["s"][i] = (h["beta2"] * st["s"][i]
                          + (1 - h["beta2"]) * (g[i] * g[i]))
            st["z"][i] = st["z"][i] - lr_t * (
                div(g[i], sqrt(st["s"][i]) + h["eps"])
                + h["weight_decay"] * x[i])
            st["x"][i] = (1 - cw) * st["x"][i] + cw * st["z"][i]
            x[i] = (1 - h["beta1"]) * st["z"][i] + h["beta1"] * st["x"][i]
    elif name == "amsgrad":
        st["t"] += 1
        c1 = 1 - c.pow(h["beta1"], st["t"])
        c2 = 1 - c.pow(h["beta2"], st["t"])
        for i in range(2):
            st["v"][i] = h["beta1"] * st["v"][i] + (1 - h["beta1"]) * g[i]
            st["s"][i] = (h["beta2"] * st["s"][i]
                          + (1 - h["beta2"]) * (g[i] * g[i]))
            st["smax"][i] = nan_max(st["smax"][i], st["s"][i])
            vh, sh = st["v"][i], st["smax"][i]
            if h["bias_correction"]:
                vh, sh = div(vh, c1), div(sh, c2)
            x[i] = x[i] - div(h["lr"] * vh, sqrt(sh) + h["eps"])
    elif name == "adafactor":
        st["t"] += 1
        t = st["t"]
        w = c.pow(t, h["beta2_decay"])
        rms_x = div(sqrt(x[0] * x[0] + x[1] * x[1]), c.pow(2, 0.5))
        alpha = nan_max(h["eps2"], rms_x) * nan_min(
            h["lr"], div(1, c.pow(t, 0.5)))
        u = _zeros()
        for i in range(2):
            x[i] = x[i] - h["lr"] * h["weight_decay"] * x[i]
            st["r"][i] = st["r"][i] + w * (g[i] * g[i] - st["r"][i])
            u[i] = div(g[i], sqrt(nan_max(st["r"][i], h["eps1"] * h["eps1"])))
        rms_u = div(sqrt(u[0] * u[0] + u[1] * u[1]), c.pow(2, 0.5))
        scale = div(alpha, nan_max(1, div(rms_u, h["d"])))
        for j in range(2):
            x[j] = x[j] - scale * u[j]
    elif name == "lion":
        for i in range(2):
            m = h["beta1"] * st["m"][i] + (1 - h["beta1"]) * g[i]
            x[i] = x[i] - h["lr"] * (sign(m) + h["weight_decay"] * x[i])
            st["m"][i] = h["beta2"] * st["m"][i] + (1 - h["beta2"]) * g[i]
    elif name == "muon":  # a vector: AdamW with Muon's adamw_lr
        _step("adamw", x, g, st, {"lr": h["adamw_lr"], "beta1": 0.9,
                                  "beta2": 0.999, "eps": 1e-8,
                                  "weight_decay": h["weight_decay"]}, c)
    elif name == "shampoo":
        st["h00"] = st["h00"] + g[0] * g[0]
        st["h01"] = st["h01"] + g[0] * g[1]
        st["h11"] = st["h11"] + g[1] * g[1]
        a, b, cc = st["h00"] + h["eps"], st["h01"], st["h11"] + h["eps"]
        r = c.hypot(div(a - cc, 2), b)
        l1 = div(a + cc, 2) + r
        l2 = div(a * cc - b * b, l1)
        p1 = c.pow(nan_max(l1, h["eps"]), div(-1, 2))
        p2 = c.pow(nan_max(l2, h["eps"]), div(-1, 2))
        q0, q1 = 1.0, 0.0
        if r > 0:
            u0, u1, v0, v1 = b, l1 - a, l1 - cc, b
            if c.hypot(v0, v1) > c.hypot(u0, u1):
                u0, u1 = v0, v1
            n = c.hypot(u0, u1)
            q0, q1 = div(u0, n), div(u1, n)
        p00 = p2 + (p1 - p2) * q0 * q0
        p01 = (p1 - p2) * q0 * q1
        p11 = p2 + (p1 - p2) * q1 * q1
        d0, d1 = p00 * g[0] + p01 * g[1], p01 * g[0] + p11 * g[1]
        x[0] = x[0] - h["lr"] * d0
        x[1] = x[1] - h["lr"] * d1
    else:
        raise KeyError(f"no reference rule for {name}: add it here, as in "
                       "d2lmini/js/rules.js")


def _cos_between(high: float, low: float, fraction: float,
                 c: Calls) -> float:
    return low + (high - low) * (1 + c.cos(math.pi * fraction)) / 2


def schedule_rate(kind: str, lr: float, p: list, t: int, c: Calls) -> float:
    """The rate of update t of ``d2lmini.schedules.KIND(lr, *p)``, as
    js/schedules.js computes it (its cos and pow through ``c``)."""
    names = {"step_decay": ["step_size", "gamma"],
             "exponential_decay": ["gamma"],
             "cosine_decay": ["num_steps", "min_lr"],
             "cosine_restarts": ["period", "mult", "min_lr"],
             "linear_warmup": ["warmup"],
             "warmup_cosine": ["warmup", "num_steps", "min_lr"],
             "wsd": ["warmup", "num_steps", "decay_steps"],
             "one_cycle": ["num_steps", "pct_start", "div_factor",
                           "final_div_factor"]}.get(kind, [])
    a = dict(zip(names, p))
    a.setdefault("min_lr", 0.0)  # the defaults of d2lmini.schedules
    a.setdefault("mult", 1)
    a.setdefault("gamma", 0.1)
    a.setdefault("pct_start", 0.3)
    a.setdefault("div_factor", 25.0)
    a.setdefault("final_div_factor", 1e4)
    if kind == "constant_lr":
        return lr
    if kind == "step_decay":
        return lr * c.pow(a["gamma"], (t - 1) // a["step_size"])
    if kind == "exponential_decay":
        return lr * c.pow(a["gamma"], t - 1)
    if kind == "cosine_decay":
        return _cos_between(lr, a["min_lr"],
                            min(t - 1, a["num_steps"]) / a["num_steps"], c)
    if kind == "cosine_restarts":
        k, length = t - 1, a["period"]
        while k >= length:
            k, length = k - length, length * a["mult"]
        return _cos_between(lr, a["min_lr"], k / length, c)
    if kind == "linear_warmup":
        return lr * min(1.0, t / a["warmup"])
    if kind == "warmup_cosine":
        decay = a["num_steps"] - a["warmup"]
        if t <= a["warmup"]:
            return lr * t / a["warmup"]
        return _cos_between(lr, a["min_lr"],
                            min(t - 1 - a["warmup"], decay) / decay, c)
    if kind == "wsd":
        start = a["num_steps"] - a["decay_steps"]
        if t <= a["warmup"]:
            return lr * t / a["warmup"]
        if t <= start:
            return lr
        return lr * max(0.0, 1 - (t - 1 - start) / a["decay_steps"])
    if kind == "one_cycle":
        low = lr / a["div_factor"]
        final = low / a["final_div_factor"]
        peak_at = a["pct_start"] * a["num_steps"] - 1
        end = a["num_steps"] - 1
        k = min(t - 1, end)
        if k <= peak_at:
            return _cos_between(low, lr, k / peak_at, c)
        return _cos_between(lr, final, (k - peak_at) / (end - peak_at), c)
    raise KeyError(f"no reference schedule {kind}: add it here, as in "
                   "d2lmini/js/schedules.js")


def _lr(schedule: dict | None, lr: float, t: int, c: Calls) -> float:
    if not schedule:
        return lr
    ((kind, p),) = schedule.items()
    if kind not in ("exponential", "polynomial", "piecewise"):
        return schedule_rate(kind, lr, p, t, c)
    if kind == "exponential":
        return lr * c.exp(-p * t)
    if kind == "polynomial":
        return lr * c.pow(1 + p[0] * t, -p[1])
    factor = 1.0
    for t0, f in p:
        if t >= t0:
            factor = f
    return lr * factor


def _nudge_state(x: list, st: dict, rng: random.Random, ulps: int) -> int:
    """Every stored number moved by ulps ulp at random; returns how many."""
    count = 0

    def move(v):
        nonlocal count
        count += 1
        if not math.isfinite(v) or v == 0:
            return v
        return nudge(v, ulps * rng.choice((-1, 1)))

    for i in range(2):
        x[i] = move(x[i])
    for k, v in st.items():
        if isinstance(v, list):
            st[k] = [move(e) for e in v]
        elif isinstance(v, float):
            st[k] = move(v)
    return count


def reference(case: dict, calls: Calls | None = None,
              state_rng: random.Random | None = None,
              state_ulps: int = 2) -> dict:
    """The path of a case ``{optimizer, hyperparams, f, start, steps,
    schedule}`` as the page computes it (js/run.js): ``{points,
    stoppedAt, calls, nudged}``. With ``state_rng``, every stored number
    is moved by ``state_ulps`` ulp at random after each update
    (``nudged`` counts them): the model of a differently rounded
    implementation."""
    c = calls or Calls()
    name = case["optimizer"]
    hp, noise = _split_noise(name, case.get("hyperparams") or {})
    h = optim.check_hyperparams(name, hp)
    _, grad = objective_2d(case.get("f", {"quadratic": [0.1, 2, 0]}))
    gen = (Mulberry32(noise["seed"])
           if noise is not None and noise["noise"] > 0 else None)
    x = [float(v) for v in case.get("start", (-5.0, -2.0))]
    st = _init(name)
    points, stopped, nudged = [tuple(x)], None, 0
    for t in range(1, case.get("steps", 20) + 1):
        g = list(grad(x[0], x[1]))
        if gen is not None:
            u1, u2 = gen.uniform(), gen.uniform()
            r = sqrt(-2.0 * c.log(u1))
            angle = 2.0 * math.pi * u2
            xi = (r * c.cos(angle), r * c.sin(angle))
            g = [g[0] + noise["noise"] * xi[0], g[1] + noise["noise"] * xi[1]]
        ht = dict(h, lr=_lr(case.get("schedule"), h["lr"], t, c)) \
            if "lr" in h else h
        _step(name, x, g, st, ht, c)
        if state_rng is not None:
            nudged += _nudge_state(x, st, state_rng, state_ulps)
        finite = math.isfinite(x[0]) and math.isfinite(x[1])
        if not finite or max(abs(x[0]), abs(x[1])) > BLOWUP:
            stopped = t
            if finite:
                points.append(tuple(x))
            break
        points.append(tuple(x))
    return {"points": points, "stoppedAt": stopped, "calls": c.n,
            "nudged": nudged}


# How many ulp torch's path may be off at each stored number after each
# update ("state" model): a couple for the rules made of elementwise
# arithmetic (kernels that round in another order or fuse a multiply-add).
# Shampoo's torch path takes H^(-1/2) from an eigendecomposition
# (torch.linalg.eigh, LAPACK), accurate to a few ulp of the largest
# eigenvalue, not of each entry: on this test's grid (2026-12-03) it
# needed 13 ulp per update; 64 are allowed.
STATE_ULPS = {"shampoo": 64}


def _gap(a: list, b: list) -> list[list[float]]:
    return [[abs(p - q) for p, q in zip(u, v)] for u, v in zip(a, b)]


def tolerance(case: dict, model: str = "calls",
              draws: int = 4) -> tuple[dict, list[list[float]]]:
    """The reference path of ``case`` and the difference allowed at each
    of its coordinates for another implementation of it.

    ``model="calls"`` (the JavaScript, same operations in the same order):
    only the transcendental results may differ, by 2 ulp each (see the
    module). ``model="state"`` (torch's kernels, which round in their own
    order): every stored number may be off by a couple of ulp after each
    update. Either way the reference is run ``draws`` more times with
    those numbers moved by 2 ulp up or down at random, and D is the
    largest change seen up to each step. To first order a path moves
    by sum_i S_i e_i for errors e_i of at most 2 ulp: random signs give
    about sqrt(sum S_i^2) 2 ulp, the worst signs at most sqrt(N) times
    that (Cauchy-Schwarz, N errors). So the allowed difference is
    4 sqrt(N) D: sqrt(N) for the worst signs, 2 for errors up to twice
    what was drawn and for a draw that came out small, 2 more for the
    non-linear rest. A run with no transcendental function (calls model)
    gets 0: bit for bit.
    """
    ref = reference(case)
    n = ref["calls"]
    gaps = [[0.0, 0.0] for _ in ref["points"]]
    if model == "calls" and n == 0:
        return ref, gaps
    for k in range(draws):
        rng = random.Random(1000 + k)
        other = (reference(case, calls=Calls(rng)) if model == "calls"
                 else reference(case, state_rng=rng, state_ulps=STATE_ULPS
                                .get(case["optimizer"], 2)))
        if (other["stoppedAt"] != ref["stoppedAt"]
                or len(other["points"]) != len(ref["points"])):
            raise AssertionError(
                f"{case}: rounding alone changes where the run stops "
                f"({ref['stoppedAt']} or {other['stoppedAt']}); no "
                "implementation-independent comparison exists, pick "
                "another case")
        if model == "state":
            n = other["nudged"]
        gaps = [[max(a, b) for a, b in zip(u, v)]
                for u, v in zip(gaps, _gap(other["points"], ref["points"]))]
    # Per step, the largest change at this or any earlier step, over both
    # coordinates: a single coordinate at a single step can come out
    # unchanged in every draw by chance (the random errors cancel there).
    factor, top, out = 4 * math.sqrt(n), 0.0, []
    for u in gaps:
        top = max(top, *u)
        out.append([factor * top, factor * top])
    return ref, out


def assert_matches(case: dict, points: list, stopped_at: Any,
                   model: str = "calls") -> dict:
    """The path ``points`` (and its stop) is the reference's, within
    :func:`tolerance`; returns the reference."""
    ref, tol = tolerance(case, model)
    assert stopped_at == ref["stoppedAt"], (case, stopped_at,
                                            ref["stoppedAt"])
    assert len(points) == len(ref["points"]), (case, len(points))
    for t, (got, want, allowed) in enumerate(zip(points, ref["points"],
                                                 tol)):
        for i in range(2):
            gap = abs(float(got[i]) - want[i])
            assert gap <= allowed[i], (
                f"{case}: step {t}, x{i + 1} = {float(got[i])!r}, reference "
                f"{want[i]!r}: off by {gap:.3g}, allowed {allowed[i]:.3g}")
    return ref
