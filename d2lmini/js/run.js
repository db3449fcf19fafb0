/*
 * A run and how it ends: the twin of live.live_path_2d (train_2d of
 * trainer_2d: the objective's gradient, the noise, the scheduled rate and
 * the rule of each update, stopped where it blows up) and of
 * live.run_status (the words the widget shows); then window.d2lmini.
 *
 * Public: window.d2lmini.trace({optimizer, hyperparams, f, start, steps,
 * schedule}) -> [[x1, x2], ...] (start first; fewer than steps + 1 points
 * when the run blows up, as in Python; the step is in .stoppedAt).
 * hyperparams may hold noise (sigma >= 0) and seed (an integer): then
 * update t uses g_t = grad f(x_{t-1}) + sigma xi_t, xi_t drawn as in
 * d2lmini/noise.py (Mulberry32 + Box-Muller); window.d2lmini.noise2d(seed,
 * steps) gives the xi_t, window.d2lmini.mulberry32(seed) the raw stream.
 *
 * One part of the live-trace library: d2lmini/live.py joins the files of
 * its JS_FILES, in that order, inside one function that defines root (the
 * window), T (Python's tables, D2LMINI_TABLES) and D3 (d3-contour), so
 * every name declared at the top of one file is seen by the others.
 */
/* global T */
function run(opts) {
  opts = opts || {};
  var name = opts.optimizer;
  var split = splitNoise(opts.hyperparams);
  var h = checkHyperparams(name, split.hp);
  var noise = split.noise, gen = null;
  if (noise && noise.noise > 0) gen = mulberry32(noise.seed);
  var rule = RULES[name];
  if (!rule) {
    throw new Error("optimizer '" + name + "' has no JavaScript twin in " +
                    "d2lmini/js/rules.js yet");
  }
  var obj = objective(opts.f || {quadratic: [0.1, 2, 0]});
  var steps = opts.steps === undefined ? 20 : opts.steps;
  if (!(Number.isInteger(steps) && steps >= 1)) {
    throw new Error("steps must be a positive integer, got " + steps);
  }
  var start = opts.start || [-5, -2];
  var lrAt = schedule(opts.schedule);
  var x = [+start[0], +start[1]], st = rule.init();
  var points = [[x[0], x[1]]], stoppedAt = null;
  for (var t = 1; t <= steps; t++) {
    var g = obj.grad(x[0], x[1]);
    if (gen) {  // g_t = grad f(x_{t-1}) + sigma xi_t
      var xi = gen.normalPair();
      g = [g[0] + noise.noise * xi[0], g[1] + noise.noise * xi[1]];
    }
    var ht = h;
    if (lrAt) {
      ht = Object.assign({}, h);
      ht.lr = lrAt(h.lr, t);
    }
    rule.step(x, g, st, ht);
    var finite = isFinite(x[0]) && isFinite(x[1]);
    if (!finite || Math.max(Math.abs(x[0]), Math.abs(x[1])) > T.blowup) {
      stoppedAt = t;
      if (finite) points.push([x[0], x[1]]);
      break;
    }
    points.push([x[0], x[1]]);
  }
  return {points: points, stoppedAt: stoppedAt, hyperparams: h,
          noise: noise, objective: obj};
}

function trace(opts) {
  var r = run(opts);
  r.points.stoppedAt = r.stoppedAt;
  return r.points;
}

// ---- how a run ends, in words (as live.run_status) --------------------
function fmtG(v, digits) {  // Python's format(v, ".3g")
  if (!isFinite(v)) return String(v);
  if (v === 0) return "0";
  var e = Math.floor(Math.log10(Math.abs(v)));
  var s = Number(v.toPrecision(digits));
  e = Math.floor(Math.log10(Math.abs(s)));
  if (e < -4 || e >= digits) {
    var m = s.toExponential(digits - 1).split("e");
    var mant = m[0].indexOf(".") >= 0 ?
      m[0].replace(/0+$/, "").replace(/\.$/, "") : m[0];
    var ex = parseInt(m[1], 10);
    return mant + "e" + (ex < 0 ? "-" : "+") +
      (Math.abs(ex) < 10 ? "0" : "") + Math.abs(ex);
  }
  var fixed = s.toFixed(Math.max(0, digits - 1 - e));
  return fixed.indexOf(".") >= 0 ?
    fixed.replace(/0+$/, "").replace(/\.$/, "") : fixed;
}

// Every number the widget shows goes through num(): one minus sign,
// U+2212, everywhere (axes, legend, status words).
function num(v, digits) {
  return fmtG(v, digits || 4).replace(/-/g, "\u2212");
}
function pow10(e) {  // 10^e as text: 0.01, 0.1, 1, 10, 100, 10³, 10⁻³
  if (e >= -2 && e <= 2) return String(Math.pow(10, e));
  var sup = "⁰¹²³⁴⁵⁶⁷⁸⁹";
  return "10" + (e < 0 ? "⁻" : "") + String(Math.abs(e)).split("")
    .map(function (c) { return sup[+c]; }).join("");
}
function inFrame(q, frame) {
  return q[0] >= frame[0][0] && q[0] <= frame[0][1] &&
    q[1] >= frame[1][0] && q[1] <= frame[1][1];
}

// What happened to a run, in words, or null when it went as a descent
// should (as run_status in d2lmini/live.py, which tests/test_live.py
// checks it against). r: a result of run(); frame: [xlim, ylim], the
// frame the trace was given (not a view the reader zoomed out to).
//   diverged   the iterate blew up: not finite, or |x| > BLOWUP;
//   diverging  f bounded below, and f is at its highest at the end, at
//              least 10 times as far above the bound as at the start,
//              and the iterate has left the frame;
//   escapes    f not bounded below (the saddle) and the run went below
//              the stationary point's level 0 and below its start: the
//              escape the saddle teaches (blowing up on the way down
//              included), not a failure;
//   uphill     f ends above where it started.
// Only the first two are failures (bad: drawn in red).
function status(r, frame) {
  var p = r.points, obj = r.objective, n = p.length - 1;
  var v = function (q) { return obj.value(q[0], q[1]); };
  var f0 = v(p[0]), fT = v(p[n]);
  var fall = obj.name === "saddle" ? "leaves the saddle" :
    "f falls without bound";
  if (r.stoppedAt !== null) {
    if (obj.lower === null && fT < f0) {
      return {kind: "escapes", bad: false, text: fall + ": f fell to " +
              num(fT, 3) + ", |x| passed " + pow10(Math.log10(T.blowup)) +
              " at step " + r.stoppedAt};
    }
    return {kind: "diverged", bad: true,
            text: "diverged: blew up at step " + r.stoppedAt};
  }
  var level = obj.lower === null ? 0 : obj.lower, top = -Infinity;
  for (var i = 0; i < n; i++) top = Math.max(top, v(p[i]));
  if (obj.lower !== null && n >= 3 && fT > top && fT > f0 &&
      fT - level >= 10 * (f0 - level) && !inFrame(p[n], frame)) {
    return {kind: "diverging", bad: true, text: "diverging: f rose from " +
            num(f0, 3) + " to " + num(fT, 3) + " in " + n + " steps"};
  }
  if (obj.lower === null && fT < f0 && fT < level) {
    return {kind: "escapes", bad: false, text: fall + ": f fell from " +
            num(f0, 3) + " to " + num(fT, 3)};
  }
  if (fT > f0) {
    return {kind: "uphill", bad: false, text: "ends uphill: f rose from " +
            num(f0, 3) + " to " + num(fT, 3)};
  }
  return null;
}

var api = {
  version: T.version,
  optimizers: optimizerNames(),
  objectives: Object.keys(T.objectives),
  checkHyperparams: checkHyperparams,
  objective: objective,
  run: run,
  trace: trace,
  mulberry32: mulberry32,
  noise2d: noise2d,
  status: status,
  fmtG: fmtG,
  num: num
};
root.d2lmini = api;
