/*
 * Learning-rate schedules of the live traces: the twin of live.py's
 * _scheduled_lr, which runs
 *   - the factor forms of live.py: {exponential: delta},
 *     {polynomial: [delta, alpha]}, {piecewise: [[t, factor], ...]};
 *   - the schedules of d2lmini/schedules.py, {kind: [arg, ...]} with the
 *     arguments that follow lr there (the peak rate is the run's lr): each
 *     function of RATES below is the rate(t) of the Python function of the
 *     same name, operation by operation, and checkArgs its argument checks
 *     (the same messages). tests/test_live_js.py compares the rates.
 *
 * One part of the live-trace library: d2lmini/live.py joins the files of
 * its JS_FILES, in that order, inside one function that defines root (the
 * window), T (Python's tables, D2LMINI_TABLES) and D3 (d3-contour), so
 * every name declared at the top of one file is seen by the others.
 */

// schedules._cos_between: from high (fraction 0) to low (fraction 1).
function cosBetween(high, low, fraction) {
  return low + (high - low) * (1 + Math.cos(Math.PI * fraction)) / 2;
}

// The arguments after lr of each schedule, with their defaults (undefined:
// required), as in the signatures of d2lmini/schedules.py.
var SCHEDULE_ARGS = {
  constant_lr: [],
  step_decay: [["step_size"], ["gamma", 0.1]],
  exponential_decay: [["gamma"]],
  cosine_decay: [["num_steps"], ["min_lr", 0]],
  cosine_restarts: [["period"], ["mult", 1], ["min_lr", 0]],
  linear_warmup: [["warmup"]],
  warmup_cosine: [["warmup"], ["num_steps"], ["min_lr", 0]],
  wsd: [["warmup"], ["num_steps"], ["decay_steps"]],
  one_cycle: [["num_steps"], ["pct_start", 0.3], ["div_factor", 25],
              ["final_div_factor", 1e4]]
};

// _args.check_int and check_number, with their messages.
function wholeIn(name, v, low, high) {
  var allowed = high === undefined ? "a whole number >= " + low :
    "a whole number between " + low + " and " + high;
  if (typeof v !== "number" || !Number.isInteger(v) || v < low ||
      (high !== undefined && v > high)) {
    throw new Error(name + " must be " + allowed + ", got " + v);
  }
  return v;
}
function numberIn(name, v, low, high, openLow, openHigh) {
  var parts = [];
  if (low !== undefined) parts.push((openLow ? "> " : ">= ") + low);
  if (high !== undefined) parts.push((openHigh ? "< " : "<= ") + high);
  var ok = typeof v === "number" && isFinite(v) &&
    (low === undefined || (openLow ? v > low : v >= low)) &&
    (high === undefined || (openHigh ? v < high : v <= high));
  if (!ok) {
    throw new Error(name + " must be a finite number" +
                    (parts.length ? " " + parts.join(" and ") : "") +
                    ", got " + v);
  }
  return v;
}

// The checks of each schedules.py function that do not depend on lr
// (min_lr <= lr is checked with the run's lr, in RATES).
function checkArgs(kind, a) {
  var budget = function () {  // schedules._check_budget
    wholeIn("warmup", a.warmup, 0);
    wholeIn("num_steps", a.num_steps, 1);
    if (a.warmup >= a.num_steps) {
      throw new Error("warmup must be < num_steps (" + a.num_steps +
                      "), got " + a.warmup);
    }
  };
  if (kind === "step_decay") {
    wholeIn("step_size", a.step_size, 1);
    numberIn("gamma", a.gamma, 0, 1);
  } else if (kind === "exponential_decay") {
    numberIn("gamma", a.gamma, 0, 1);
  } else if (kind === "cosine_decay") {
    wholeIn("num_steps", a.num_steps, 1);
  } else if (kind === "cosine_restarts") {
    wholeIn("period", a.period, 1);
    wholeIn("mult", a.mult, 1);
  } else if (kind === "linear_warmup") {
    wholeIn("warmup", a.warmup, 1);
  } else if (kind === "warmup_cosine") {
    budget();
  } else if (kind === "wsd") {
    budget();
    wholeIn("decay_steps", a.decay_steps, 1, a.num_steps - a.warmup);
  } else if (kind === "one_cycle") {
    wholeIn("num_steps", a.num_steps, 2);
    numberIn("pct_start", a.pct_start, 0, 1, true, true);
    numberIn("div_factor", a.div_factor, 1);
    numberIn("final_div_factor", a.final_div_factor, 1);
    if (!(a.pct_start * a.num_steps - 1 > 0)) {
      throw new Error("pct_start * num_steps must be > 1 (a warmup of at " +
                      "least one update), got pct_start=" + a.pct_start +
                      ", num_steps=" + a.num_steps);
    }
  }
  if ("min_lr" in a) numberIn("min_lr", a.min_lr, 0);
}

// rate(lr, a, t): the rate of update t, as the rate(t) of each function
// of d2lmini/schedules.py (lr its first argument, a the others by name).
var RATES = {
  // schedules.constant_lr
  constant_lr: function (lr) { return lr; },
  // schedules.step_decay
  step_decay: function (lr, a, t) {
    return lr * Math.pow(a.gamma, Math.floor((t - 1) / a.step_size));
  },
  // schedules.exponential_decay
  exponential_decay: function (lr, a, t) {
    return lr * Math.pow(a.gamma, t - 1);
  },
  // schedules.cosine_decay
  cosine_decay: function (lr, a, t) {
    return cosBetween(lr, a.min_lr,
                      Math.min(t - 1, a.num_steps) / a.num_steps);
  },
  // schedules.cosine_restarts
  cosine_restarts: function (lr, a, t) {
    var k = t - 1, length = a.period;  // k: updates since the cycle began
    while (k >= length) { k = k - length; length = length * a.mult; }
    return cosBetween(lr, a.min_lr, k / length);
  },
  // schedules.linear_warmup
  linear_warmup: function (lr, a, t) {
    return lr * Math.min(1.0, t / a.warmup);
  },
  // schedules.warmup_cosine
  warmup_cosine: function (lr, a, t) {
    var decay = a.num_steps - a.warmup;
    if (t <= a.warmup) return lr * t / a.warmup;
    return cosBetween(lr, a.min_lr,
                      Math.min(t - 1 - a.warmup, decay) / decay);
  },
  // schedules.wsd
  wsd: function (lr, a, t) {
    var start = a.num_steps - a.decay_steps;  // the last full-rate update
    if (t <= a.warmup) return lr * t / a.warmup;
    if (t <= start) return lr;
    return lr * Math.max(0.0, 1 - (t - 1 - start) / a.decay_steps);
  },
  // schedules.one_cycle
  one_cycle: function (lr, a, t) {
    var low = lr / a.div_factor, fin = low / a.final_div_factor;
    var peakAt = a.pct_start * a.num_steps - 1, end = a.num_steps - 1;
    var k = Math.min(t - 1, end);  // scheduler steps so far
    if (k <= peakAt) return cosBetween(low, lr, k / peakAt);
    return cosBetween(lr, fin, (k - peakAt) / (end - peakAt));
  }
};

// The update t = 1, 2, ... uses lr_t = schedule(spec)(lr, t); null: no
// schedule.
function schedule(spec) {
  if (spec === undefined || spec === null) return null;
  var name = Object.keys(spec)[0], p = spec[name];
  if (name === "exponential") {
    return function (lr, t) { return lr * Math.exp(-p * t); };
  }
  if (name === "polynomial") {
    return function (lr, t) { return lr * Math.pow(1 + p[0] * t, -p[1]); };
  }
  if (name === "piecewise") {
    return function (lr, t) {
      var factor = 1;
      for (var i = 0; i < p.length; i++) if (t >= p[i][0]) factor = p[i][1];
      return lr * factor;
    };
  }
  if (Object.prototype.hasOwnProperty.call(RATES, name)) {
    var names = SCHEDULE_ARGS[name], a = {};
    if (!Array.isArray(p) || p.length > names.length) {
      throw new Error(name + " takes at most " + names.length +
                      " arguments after lr (" +
                      names.map(function (n) { return n[0]; }).join(", ") +
                      "), got " + JSON.stringify(p));
    }
    names.forEach(function (n, i) {
      if (i >= p.length && n.length < 2) {
        throw new Error(name + " needs " + n[0]);
      }
      a[n[0]] = i < p.length ? p[i] : n[1];
    });
    checkArgs(name, a);
    var rate = RATES[name];
    return function (lr, t) {
      if ("min_lr" in a && a.min_lr > lr) {
        throw new Error("min_lr must be a finite number >= 0 and <= " + lr +
                        ", got " + a.min_lr);
      }
      return rate(lr, a, t);
    };
  }
  throw new Error("unknown schedule " + JSON.stringify(spec) +
                  "; use {exponential: delta}, {polynomial: [delta, " +
                  "alpha]}, {piecewise: [[t, factor], ...]} or {KIND: " +
                  "[arg, ...]} with KIND one of " +
                  Object.keys(RATES).join(", "));
}
