/*
 * d2lmini live 2-D traces: every optimizer of d2lmini.optim, run in the
 * page, in double precision, under sliders. No kernel, no network.
 *
 * This file is not loaded on its own: d2lmini/live.py concatenates
 *   vendor/d3-contour.min.js   (defines d2lminiD3.contours)
 *   var D2LMINI_TABLES = {...}  (Python's tables: hyperparameter names,
 *                                defaults, ranges, objectives, BLOWUP)
 *   this file
 * inside a function run once per page (or per Colab output frame).
 * The update rules below follow d2lmini/optim.py operation by operation;
 * tests/test_live.py checks in Node that the paths agree with the same
 * rules on Python floats (tests/live_reference.py), bit for bit where no
 * pow/exp/log/cos/sin is called, for every optimizer.
 *
 * Public: window.d2lmini.trace({optimizer, hyperparams, f, start, steps,
 * schedule}) -> [[x1, x2], ...] (start first; fewer than steps + 1 points
 * when the run blows up, as in Python; the step is in .stoppedAt).
 * hyperparams may hold noise (sigma >= 0) and seed (an integer): then
 * update t uses g_t = grad f(x_{t-1}) + sigma xi_t, xi_t drawn as in
 * d2lmini/noise.py (Mulberry32 + Box-Muller); window.d2lmini.noise2d(seed,
 * steps) gives the xi_t, window.d2lmini.mulberry32(seed) the raw stream.
 */
/* global D2LMINI_TABLES, d2lminiD3 */
(function (root) {
  "use strict";
  var T = D2LMINI_TABLES;
  var D3 = typeof d2lminiD3 !== "undefined" ? d2lminiD3 : null;

  // ---- objectives (same expressions as d2lmini/objectives.py) ----------
  var FORMS = '{quadratic: [a, b, c]}, {rosenbrock: [a, b]}, ' +
    '{saddle: []} or {multimodal: []}';

  function objective(f) {
    if (!f || typeof f !== "object" || Array.isArray(f) ||
        Object.keys(f).length !== 1) {
      throw new Error("f must be one of " + FORMS + ", got " +
                      JSON.stringify(f));
    }
    var name = Object.keys(f)[0];
    var p = f[name] || [];
    if (!Object.prototype.hasOwnProperty.call(T.objectives, name)) {
      throw new Error("unknown objective '" + name + "'; f must be one of " +
                      FORMS);
    }
    var names = T.objectives[name];
    if (!Array.isArray(p) || p.length !== names.length) {
      throw new Error(name + " takes " + names.length + " coefficients (" +
                      (names.join(", ") || "none") + ")");
    }
    for (var i = 0; i < p.length; i++) {
      if (typeof p[i] !== "number" || !isFinite(p[i])) {
        throw new Error("coefficient " + names[i] + " of " + name +
                        " must be a finite number");
      }
    }
    var value, grad, minima, lower;
    if (name === "quadratic") {
      var a = p[0], b = p[1], c = p[2];
      value = function (x1, x2) {
        return a * x1 * x1 + b * x2 * x2 + c * x1 * x2;
      };
      grad = function (x1, x2) {
        return [2 * a * x1 + c * x2, 2 * b * x2 + c * x1];
      };
      minima = [[0, 0]];
      // Bounded below (by 0) exactly when the form is semi-definite.
      lower = a >= 0 && b >= 0 && 4 * a * b - c * c >= 0 ? 0 : null;
    } else if (name === "rosenbrock") {
      var ra = p[0], rb = p[1];
      value = function (x1, x2) {
        return (ra - x1) * (ra - x1) +
          rb * (x2 - x1 * x1) * (x2 - x1 * x1);
      };
      grad = function (x1, x2) {
        var r = x2 - x1 * x1;
        return [-2 * (ra - x1) - 4 * rb * x1 * r, 2 * rb * r];
      };
      minima = [[ra, ra * ra]];
      lower = rb >= 0 ? 0 : null;
    } else if (name === "saddle") {
      value = function (x1, x2) { return x1 * x1 - x2 * x2; };
      grad = function (x1, x2) { return [2 * x1, -2 * x2]; };
      minima = [];
      lower = null;
    } else {  // multimodal: Himmelblau's function
      value = function (x1, x2) {
        var u = x1 * x1 + x2 - 11, w = x1 + x2 * x2 - 7;
        return u * u + w * w;
      };
      grad = function (x1, x2) {
        var u = x1 * x1 + x2 - 11, w = x1 + x2 * x2 - 7;
        return [4 * x1 * u + 2 * w, 2 * u + 4 * x2 * w];
      };
      minima = [[3, 2], [-2.805118, 3.131312], [-3.77931, -3.283186],
                [3.584428, -1.848127]];
      lower = 0;
    }
    // lower: the infimum of f, or null when f is not bounded below (as
    // lower_bound in d2lmini/objectives.py).
    return {name: name, params: p, value: value, grad: grad,
            minima: minima, lower: lower};
  }

  // ---- hyperparameters (Python's _SPECS and _RULES) --------------------
  var CHECKS = {
    ">= 0": function (v) { return v >= 0; },
    "> 0": function (v) { return v > 0; },
    "in [0, 1)": function (v) { return v >= 0 && v < 1; },
    ">= 0 or None": function (v) { return v === null || v >= 0; },
    "<= 0": function (v) { return v <= 0; },
    ">= 1": function (v) { return v >= 1; },
    "a whole number in [0, 100)": function (v) {
      return Number.isInteger(v) && v >= 0 && v < 100;
    }
  };
  Object.keys(T.rules).forEach(function (k) {
    if (!CHECKS[T.rules[k]]) {
      throw new Error("d2lmini: no JavaScript check for the rule '" +
                      T.rules[k] + "' of " + k);
    }
  });

  function optimizerNames() { return Object.keys(T.specs).sort(); }

  function checkHyperparams(name, hp) {
    var spec = T.specs[name];
    if (!spec) {
      throw new Error("unknown optimizer '" + name + "'; expected one of " +
                      optimizerNames().join(", "));
    }
    hp = hp || {};
    Object.keys(hp).forEach(function (k) {
      if (spec.order.indexOf(k) < 0) {
        throw new Error("unknown hyperparameter '" + k + "' for " + name +
                        "; expected one of " +
                        spec.order.slice().sort().join(", "));
      }
    });
    var out = {};
    spec.order.forEach(function (k) {
      var has = Object.prototype.hasOwnProperty.call(hp, k);
      if (!has && spec.required.indexOf(k) >= 0) {
        throw new Error(name + " needs the hyperparameter '" + k + "' (" +
                        k + " " + T.rules[k] + ")");
      }
      var v = has ? hp[k] : spec.defaults[k];
      if (T.rules[k] === undefined) {
        if (typeof v !== "boolean") {
          throw new Error(k + " must be true or false, got " + v);
        }
      } else if (!(v === null && T.rules[k] === ">= 0 or None") &&
                 (typeof v !== "number" || !CHECKS[T.rules[k]](v))) {
        throw new Error(k + " must be " + T.rules[k] + ", got " + v);
      }
      out[k] = v;
    });
    return out;
  }

  // ---- the update rules, 2-D, as in d2lmini/optim.py -------------------
  // step(x, g, st, h): x, g arrays of two numbers; st the state; h the
  // checked hyperparameters (lr already scheduled). Updates x in place.
  function zeros() { return [0, 0]; }
  function adamState() { return {v: zeros(), s: zeros(), t: 0}; }
  var RULES = {
    sgd: {
      init: function () { return {}; },
      step: function (x, g, st, h) {
        for (var i = 0; i < 2; i++) x[i] = x[i] - h.lr * g[i];
      }
    },
    sgd_momentum: {
      init: function () { return {v: zeros()}; },
      step: function (x, g, st, h) {
        for (var i = 0; i < 2; i++) {
          st.v[i] = h.momentum * st.v[i] + g[i];
          x[i] = x[i] - h.lr * st.v[i];
        }
      }
    },
    sgd_nesterov: {
      init: function () { return {v: zeros()}; },
      step: function (x, g, st, h) {
        for (var i = 0; i < 2; i++) {
          st.v[i] = h.momentum * st.v[i] + g[i];
          x[i] = x[i] - h.lr * (g[i] + h.momentum * st.v[i]);
        }
      }
    },
    adagrad: {
      init: function () { return {s: zeros()}; },
      step: function (x, g, st, h) {
        for (var i = 0; i < 2; i++) {
          st.s[i] = st.s[i] + g[i] * g[i];
          x[i] = x[i] - (h.eps_inside_sqrt ?
            h.lr * g[i] / Math.sqrt(st.s[i] + h.eps) :
            h.lr * g[i] / (Math.sqrt(st.s[i]) + h.eps));
        }
      }
    },
    rmsprop: {
      init: function () { return {s: zeros()}; },
      step: function (x, g, st, h) {
        for (var i = 0; i < 2; i++) {
          st.s[i] = h.gamma * st.s[i] + (1 - h.gamma) * (g[i] * g[i]);
          x[i] = x[i] - (h.eps_inside_sqrt ?
            h.lr * g[i] / Math.sqrt(st.s[i] + h.eps) :
            h.lr * g[i] / (Math.sqrt(st.s[i]) + h.eps));
        }
      }
    },
    adadelta: {
      init: function () { return {s: zeros(), delta: zeros()}; },
      step: function (x, g, st, h) {
        for (var i = 0; i < 2; i++) {
          st.s[i] = h.rho * st.s[i] + (1 - h.rho) * (g[i] * g[i]);
          var gp = Math.sqrt(st.delta[i] + h.eps) /
            Math.sqrt(st.s[i] + h.eps) * g[i];
          x[i] = x[i] - h.lr * gp;
          st.delta[i] = h.rho * st.delta[i] + (1 - h.rho) * (gp * gp);
        }
      }
    },
    adam: {
      init: adamState,
      step: function (x, g, st, h) {
        st.t += 1;
        var c1 = 1 - Math.pow(h.beta1, st.t), c2 = 1 - Math.pow(h.beta2, st.t);
        for (var i = 0; i < 2; i++) {
          st.v[i] = h.beta1 * st.v[i] + (1 - h.beta1) * g[i];
          st.s[i] = h.beta2 * st.s[i] + (1 - h.beta2) * (g[i] * g[i]);
          var vh = st.v[i] / c1, sh = st.s[i] / c2;
          x[i] = x[i] - h.lr * vh / (Math.sqrt(sh) + h.eps);
        }
      }
    },
    adamw: {
      init: adamState,
      step: function (x, g, st, h) {
        st.t += 1;
        var c1 = 1 - Math.pow(h.beta1, st.t), c2 = 1 - Math.pow(h.beta2, st.t);
        for (var i = 0; i < 2; i++) {
          x[i] = x[i] - h.lr * h.weight_decay * x[i];  // decoupled decay
          st.v[i] = h.beta1 * st.v[i] + (1 - h.beta1) * g[i];
          st.s[i] = h.beta2 * st.s[i] + (1 - h.beta2) * (g[i] * g[i]);
          var vh = st.v[i] / c1, sh = st.s[i] / c2;
          x[i] = x[i] - h.lr * vh / (Math.sqrt(sh) + h.eps);
        }
      }
    },
    yogi: {
      init: adamState,
      step: function (x, g, st, h) {
        st.t += 1;
        var c1 = 1 - Math.pow(h.beta1, st.t), c2 = 1 - Math.pow(h.beta2, st.t);
        for (var i = 0; i < 2; i++) {
          var g2 = g[i] * g[i];
          st.v[i] = h.beta1 * st.v[i] + (1 - h.beta1) * g[i];
          st.s[i] = st.s[i] + (1 - h.beta2) * Math.sign(g2 - st.s[i]) * g2;
          var vh = st.v[i] / c1, sh = st.s[i] / c2;
          x[i] = x[i] - h.lr * vh / (Math.sqrt(sh) + h.eps);
        }
      }
    },
    adamax: {
      init: function () { return {v: zeros(), u: zeros(), t: 0}; },
      step: function (x, g, st, h) {
        st.t += 1;
        var c1 = 1 - Math.pow(h.beta1, st.t);
        for (var i = 0; i < 2; i++) {
          st.v[i] = h.beta1 * st.v[i] + (1 - h.beta1) * g[i];
          var vh = st.v[i] / c1;
          if (h.eps_in_max) {  // PyTorch
            st.u[i] = nanMax(h.beta2 * st.u[i], Math.abs(g[i]) + h.eps);
            x[i] = x[i] - h.lr * vh / st.u[i];
          } else {  // the sources, eps guarding u = 0
            st.u[i] = nanMax(h.beta2 * st.u[i], Math.abs(g[i]));
            x[i] = x[i] - h.lr * vh / (st.u[i] + h.eps);
          }
        }
      }
    },
    nadam: {
      init: function () { return {v: zeros(), s: zeros(), t: 0, prod: 1}; },
      step: function (x, g, st, h) {
        st.t += 1;
        var c2 = 1 - Math.pow(h.beta2, st.t), psi = h.momentum_decay;
        var mu, muNext, c1;
        if (psi === null) {
          c1 = 1 - Math.pow(h.beta1, st.t);
        } else {
          mu = h.beta1 * (1 - 0.5 * Math.pow(0.96, st.t * psi));
          muNext = h.beta1 * (1 - 0.5 * Math.pow(0.96, (st.t + 1) * psi));
          st.prod = st.prod * mu;
        }
        for (var i = 0; i < 2; i++) {
          st.v[i] = h.beta1 * st.v[i] + (1 - h.beta1) * g[i];
          st.s[i] = h.beta2 * st.s[i] + (1 - h.beta2) * (g[i] * g[i]);
          var sh = st.s[i] / c2, vh, gh;
          if (psi === null) {  // the sources: constant momentum beta1
            vh = h.beta1 * st.v[i] / c1;
            gh = (1 - h.beta1) * g[i] / c1;
          } else {  // PyTorch: momentum schedule mu_t
            vh = muNext * st.v[i] / (1 - st.prod * muNext);
            gh = (1 - mu) * g[i] / (1 - st.prod);
          }
          x[i] = x[i] - h.lr * (vh + gh) / (Math.sqrt(sh) + h.eps);
        }
      }
    },
    radam: {
      init: adamState,
      step: function (x, g, st, h) {
        st.t += 1;
        var c1 = 1 - Math.pow(h.beta1, st.t), c2 = 1 - Math.pow(h.beta2, st.t);
        var rhoInf = 2 / (1 - h.beta2) - 1;
        var rho = rhoInf - 2 * st.t * Math.pow(h.beta2, st.t) / c2;
        var r = Math.sqrt((rho - 4) * (rho - 2) * rhoInf /
                          ((rhoInf - 4) * (rhoInf - 2) * rho));
        for (var i = 0; i < 2; i++) {
          var gi = g[i];
          if (h.decoupled_weight_decay) {
            x[i] = x[i] - h.lr * h.weight_decay * x[i];
          } else {
            gi = gi + h.weight_decay * x[i];
          }
          st.v[i] = h.beta1 * st.v[i] + (1 - h.beta1) * gi;
          st.s[i] = h.beta2 * st.s[i] + (1 - h.beta2) * (gi * gi);
          var vh = st.v[i] / c1;
          if (rho > 5) {  // rectified adaptive step
            x[i] = x[i] - h.lr * r * vh * Math.sqrt(c2) /
              (Math.sqrt(st.s[i]) + h.eps);
          } else {  // momentum SGD while rho_t <= 5
            x[i] = x[i] - h.lr * vh;
          }
        }
      }
    },
    schedule_free_adamw: {
      init: function () {
        return {z: zeros(), x: zeros(), s: zeros(), t: 0, wsum: 0};
      },
      step: function (x, g, st, h) {  // x holds y_t
        st.t += 1;
        if (st.t === 1) { st.z = x.slice(); st.x = x.slice(); }
        var ramp = h.warmup_steps > 0 ? Math.min(1, st.t / h.warmup_steps) : 1;
        var lrT = h.lr * Math.sqrt(1 - Math.pow(h.beta2, st.t)) * ramp;
        st.wsum += lrT * lrT;
        var c = st.wsum > 0 ? lrT * lrT / st.wsum : 0;
        for (var i = 0; i < 2; i++) {
          st.s[i] = h.beta2 * st.s[i] + (1 - h.beta2) * (g[i] * g[i]);
          st.z[i] = st.z[i] - lrT * (g[i] / (Math.sqrt(st.s[i]) + h.eps) +
                                     h.weight_decay * x[i]);
          st.x[i] = (1 - c) * st.x[i] + c * st.z[i];
          x[i] = (1 - h.beta1) * st.z[i] + h.beta1 * st.x[i];
        }
      }
    },
    // Adafactor on a vector: the full second moment (no factoring).
    adafactor: {
      init: function () { return {r: zeros(), t: 0}; },
      step: function (x, g, st, h) {
        st.t += 1;
        var w = Math.pow(st.t, h.beta2_decay);
        var rmsX = Math.sqrt(x[0] * x[0] + x[1] * x[1]) / Math.pow(2, 0.5);
        var alpha = Math.max(h.eps2, rmsX) *
          Math.min(h.lr, 1 / Math.pow(st.t, 0.5));
        var u = zeros();
        for (var i = 0; i < 2; i++) {
          x[i] = x[i] - h.lr * h.weight_decay * x[i];
          st.r[i] = st.r[i] + w * (g[i] * g[i] - st.r[i]);
          u[i] = g[i] / Math.sqrt(Math.max(st.r[i], h.eps1 * h.eps1));
        }
        var rmsU = Math.sqrt(u[0] * u[0] + u[1] * u[1]) / Math.pow(2, 0.5);
        var scale = alpha / Math.max(1, rmsU / h.d);
        for (var j = 0; j < 2; j++) x[j] = x[j] - scale * u[j];
      }
    },
    lion: {
      init: function () { return {m: zeros()}; },
      step: function (x, g, st, h) {
        for (var i = 0; i < 2; i++) {
          var c = h.beta1 * st.m[i] + (1 - h.beta1) * g[i];
          x[i] = x[i] - h.lr * (Math.sign(c) + h.weight_decay * x[i]);
          st.m[i] = h.beta2 * st.m[i] + (1 - h.beta2) * g[i];
        }
      }
    },
    // Muon on a vector, which is not a matrix: AdamW, as in optim.muon.
    muon: {
      init: adamState,
      step: function (x, g, st, h) {
        RULES.adamw.step(x, g, st, {lr: h.adamw_lr, beta1: 0.9,
          beta2: 0.999, eps: 1e-8, weight_decay: h.weight_decay});
      }
    },
    // Shampoo on a vector: full-matrix Adagrad, (H + eps I)^(-1/2) g.
    shampoo: {
      init: function () { return {h00: 0, h01: 0, h11: 0}; },
      step: function (x, g, st, h) {
        st.h00 = st.h00 + g[0] * g[0];
        st.h01 = st.h01 + g[0] * g[1];
        st.h11 = st.h11 + g[1] * g[1];
        var a = st.h00 + h.eps, b = st.h01, c = st.h11 + h.eps;
        var r = Math.hypot((a - c) / 2, b), l1 = (a + c) / 2 + r;
        var l2 = (a * c - b * b) / l1;  // no cancellation in l1 - 2r
        var p1 = Math.pow(Math.max(l1, h.eps), -1 / 2);
        var p2 = Math.pow(Math.max(l2, h.eps), -1 / 2);
        var q0 = 1, q1 = 0;  // unit eigenvector of l1 (any, if r = 0)
        if (r > 0) {
          var u0 = b, u1 = l1 - a, v0 = l1 - c, v1 = b;
          if (Math.hypot(v0, v1) > Math.hypot(u0, u1)) { u0 = v0; u1 = v1; }
          var n = Math.hypot(u0, u1);
          q0 = u0 / n; q1 = u1 / n;
        }
        // P = p1 q q^T + p2 (I - q q^T)
        var P00 = p2 + (p1 - p2) * q0 * q0, P01 = (p1 - p2) * q0 * q1;
        var P11 = p2 + (p1 - p2) * q1 * q1;
        var d0 = P00 * g[0] + P01 * g[1], d1 = P01 * g[0] + P11 * g[1];
        x[0] = x[0] - h.lr * d0;
        x[1] = x[1] - h.lr * d1;
      }
    },
    amsgrad: {
      init: function () {
        return {v: zeros(), s: zeros(), smax: zeros(), t: 0};
      },
      step: function (x, g, st, h) {
        st.t += 1;
        var c1 = 1 - Math.pow(h.beta1, st.t), c2 = 1 - Math.pow(h.beta2, st.t);
        for (var i = 0; i < 2; i++) {
          st.v[i] = h.beta1 * st.v[i] + (1 - h.beta1) * g[i];
          st.s[i] = h.beta2 * st.s[i] + (1 - h.beta2) * (g[i] * g[i]);
          st.smax[i] = nanMax(st.smax[i], st.s[i]);
          var vh = st.v[i], sh = st.smax[i];
          if (h.bias_correction) { vh = vh / c1; sh = sh / c2; }
          x[i] = x[i] - h.lr * vh / (Math.sqrt(sh) + h.eps);
        }
      }
    }
  };

  function nanMax(a, b) {  // torch.maximum: NaN wins
    return (a !== a || b !== b) ? NaN : Math.max(a, b);
  }

  // ---- gradient noise (same as d2lmini/noise.py) -----------------------
  // Mulberry32 (Tommy Ettinger, public domain) on unsigned 32-bit
  // integers: Math.imul multiplies mod 2^32, >>> 0 reads a result as
  // unsigned. next() returns the raw draw n; uniform() (n + 0.5) / 2^32.
  var SEED_MAX = 4294967295;
  function checkSeed(seed) {
    if (typeof seed !== "number" || !Number.isInteger(seed)) {
      throw new Error("seed must be a whole number such as 0 or 42, got " +
                      seed);
    }
    if (seed < 0 || seed > SEED_MAX) {
      throw new Error("seed must be between 0 and " + SEED_MAX +
                      " (2**32 - 1), got " + seed);
    }
    return seed;
  }
  function mulberry32(seed) {
    var a = checkSeed(seed) >>> 0;
    var gen = {
      next: function () {
        a = (a + 0x6D2B79F5) >>> 0;
        var t = Math.imul(a ^ (a >>> 15), a | 1) >>> 0;
        t = ((t + (Math.imul(t ^ (t >>> 7), t | 61) >>> 0)) >>> 0) ^ t;
        return (t ^ (t >>> 14)) >>> 0;
      },
      uniform: function () { return (gen.next() + 0.5) / 4294967296; },
      // Box-Muller: two standard normals from the next two uniforms.
      normalPair: function () {
        var u1 = gen.uniform();
        var u2 = gen.uniform();
        var r = Math.sqrt(-2.0 * Math.log(u1));
        var angle = 2.0 * Math.PI * u2;
        return [r * Math.cos(angle), r * Math.sin(angle)];
      }
    };
    return gen;
  }
  function noise2d(seed, steps) {
    var gen = mulberry32(seed), out = [];
    for (var t = 0; t < steps; t++) out.push(gen.normalPair());
    return out;
  }
  // Split noise and seed off the optimizer's hyperparameters.
  function splitNoise(hp) {
    hp = Object.assign({}, hp || {});
    var has = "noise" in hp || "seed" in hp;
    var sigma = "noise" in hp ? hp.noise : 0, seed = "seed" in hp ? hp.seed : 0;
    delete hp.noise;
    delete hp.seed;
    if (!has) return {hp: hp, noise: null};
    if (typeof sigma !== "number" || !isFinite(sigma) || sigma < 0) {
      throw new Error("noise (sigma) must be a finite number >= 0, got " +
                      sigma);
    }
    return {hp: hp, noise: {noise: sigma, seed: checkSeed(seed)}};
  }

  // ---- learning-rate schedules (same as d2lmini/live.py) ---------------
  // The update t = 1, 2, ... uses lr_t = schedule(lr, t).
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
    throw new Error("unknown schedule " + JSON.stringify(spec) +
                    "; use {exponential: delta}, {polynomial: [delta, " +
                    "alpha]} or {piecewise: [[t, factor], ...]}");
  }

  // ---- a run ------------------------------------------------------------
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
                      "d2lmini/js/live.js yet");
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

  // ---- how a run ends, in words (as traces._status in Python) ----------
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
  if (typeof document === "undefined") return;  // Node: no widget

  // ==== the widget ======================================================
  var SVGNS = "http://www.w3.org/2000/svg";
  var SYMBOLS = {lr: "η", momentum: "β", gamma: "γ", rho: "ρ",
                 beta1: "β₁", beta2: "β₂", eps: "ε", momentum_decay: "ψ",
                 weight_decay: "ν", noise: "σ", seed: "seed"};
  var W = 420, H = 320, M = {l: 40, r: 10, t: 10, b: 30};
  var SW = 260, SH = 210, SM = {l: 56, r: 10, t: 22, b: 30};
  var CSS = [
    // The widget paints its own background and text, so that every text
    // keeps a contrast of at least 4.5:1 whatever the page behind it
    // (tests/test_live_browser.py measures it in both palettes).
    ".d2lmini-live{--d2l-c0:#d55e00;--d2l-c1:#0072b2;--d2l-c2:#009e73;",
    "--d2l-c3:#cc79a7;--d2l-c4:#8a6d00;--d2l-bad:#b3261e;",
    "--d2l-contour:#5b7fa6;--d2l-bg:#ffffff;--d2l-fg:#1f2328;",
    "color:var(--d2l-fg);background:var(--d2l-bg);color-scheme:light;",
    "font:14px/1.4 system-ui,-apple-system,'Segoe UI',",
    "sans-serif;max-width:720px;margin:.5em 0;padding:.3em;",
    "border-radius:6px;box-sizing:border-box}",
    // Dark palette: when the page is dark (the book's theme button,
    // JupyterLab's dark themes, a dark page or system); see shade().
    ".d2lmini-live.d2l-dark{--d2l-c0:#ff8c42;--d2l-c1:#56b4e9;",
    "--d2l-c2:#3ddc97;--d2l-c3:#f0a0d0;--d2l-c4:#f0e442;--d2l-bad:#ff7b72;",
    "--d2l-contour:#7f9fc4;--d2l-bg:#14181e;--d2l-fg:#e6e9ec;",
    "color-scheme:dark}",
    ".d2lmini-live .d2l-cap{font-weight:600;margin:0 0 .25em}",
    ".d2lmini-live .d2l-plots{display:flex;flex-wrap:wrap;gap:4px;align-items:flex-start}",
    ".d2lmini-live .d2l-main{flex:3 1 300px;min-width:0}",
    ".d2lmini-live .d2l-side{flex:2 1 200px;min-width:0}",
    ".d2lmini-live svg{width:100%;height:auto;display:block;",
    "overflow:hidden;user-select:none;-webkit-user-select:none}",
    // Touch: the plot lets the page scroll (a tap moves the start point);
    // only the start point's handle takes a drag.
    ".d2lmini-live .d2l-main svg{cursor:crosshair;touch-action:pan-x pan-y ",
    "pinch-zoom}",
    ".d2lmini-live .d2l-handle{fill:transparent;stroke:none;cursor:move;",
    "touch-action:none}",
    ".d2lmini-live text{fill:currentColor;font-size:12px}",
    ".d2lmini-live .d2l-axis{stroke:currentColor;stroke-opacity:.5;",
    "fill:none}",
    ".d2lmini-live .d2l-contours path{fill:none;stroke:var(--d2l-contour);",
    "stroke-width:.9;stroke-opacity:.75}",
    ".d2lmini-live .d2l-path{fill:none;stroke-width:2}",
    ".d2lmini-live .d2l-start{fill:currentColor;stroke:none;cursor:move;",
    "touch-action:none}",
    ".d2lmini-live button[aria-pressed=true]{background:var(--d2l-fg);",
    "color:var(--d2l-bg)}",
    ".d2lmini-live .d2l-start:focus{outline:none;stroke:var(--d2l-c1);",
    "stroke-width:3}",
    ".d2lmini-live .d2l-controls{display:grid;grid-template-columns:",
    "repeat(auto-fill,minmax(250px,1fr));gap:.2em 1em;margin:.3em 0}",
    ".d2lmini-live label{display:flex;align-items:center;gap:.4em;",
    "margin:0;font-weight:normal}",
    ".d2lmini-live label .d2l-name{flex:none;min-width:3em;white-space:nowrap}",
    ".d2lmini-live input[type=range]{flex:1 1 auto;min-width:80px;",
    "margin:0;accent-color:var(--d2l-c1)}",
    ".d2lmini-live output{flex:none;min-width:3.6em;font-variant-numeric:",
    "tabular-nums;text-align:right}",
    ".d2lmini-live .d2l-buttons{display:flex;flex-wrap:wrap;gap:.3em;",
    "align-items:center;margin:.3em 0}",
    ".d2lmini-live button{font:inherit;color:inherit;background:none;",
    "border:1px solid currentColor;border-radius:4px;padding:.1em .6em;",
    "cursor:pointer;min-height:2em}",
    ".d2lmini-live .d2l-legend{list-style:none;margin:.2em 0;padding:0}",
    ".d2lmini-live .d2l-legend li{margin:.1em 0;padding:0}",
    ".d2lmini-live .d2l-swatch{display:inline-block;width:1.4em;",
    "height:.25em;vertical-align:middle;margin-right:.4em}",
    ".d2lmini-live .d2l-bad{color:var(--d2l-bad);fill:var(--d2l-bad)}",
    ".d2lmini-live .d2l-note{font-style:italic}",
    // The words over the plot keep a halo of the background around them,
    // readable over contour lines and paths.
    ".d2lmini-live text.d2l-status{paint-order:stroke;stroke:var(--d2l-bg);",
    "stroke-width:4px;stroke-linejoin:round}",
    ".d2lmini-live .d2l-end{font-variant-numeric:tabular-nums}"
  ].join("");

  function addStyle(doc) {
    if (doc.getElementById("d2lmini-live-style")) return;
    var s = doc.createElement("style");
    s.id = "d2lmini-live-style";
    s.textContent = CSS;
    (doc.head || doc.documentElement).appendChild(s);
  }

  function el(tag, attrs, parent, text) {
    var e = tag.indexOf("svg:") === 0 ?
      document.createElementNS(SVGNS, tag.slice(4)) :
      document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      e.setAttribute(k, attrs[k]);
    });
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }

  function ticks(lo, hi, n) {
    var step = Math.pow(10, Math.floor(Math.log10((hi - lo) / n)));
    var err = (hi - lo) / n / step;
    if (err >= 7.5) step *= 10;
    else if (err >= 3.5) step *= 5;
    else if (err >= 1.5) step *= 2;
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step;
         v += step) {
      out.push(Math.abs(v) < 1e-12 * step ? 0 : v);
    }
    return out;
  }

  function quantileLevels(values, n) {
    var sorted = values.filter(isFinite).sort(function (a, b) {
      return a - b;
    });
    var levels = [];
    for (var k = 1; k <= n; k++) {
      // More levels near the minimum: quantiles spaced quadratically.
      var q = Math.pow(k / (n + 1), 2);
      var v = sorted[Math.min(sorted.length - 1,
                              Math.floor(q * sorted.length))];
      if (levels.length === 0 || v > levels[levels.length - 1]) {
        levels.push(v);
      }
    }
    return levels;
  }

  var counter = 0, mounted = [];

  // Whether the page is dark. First what the page says: the book's theme
  // (pydata-sphinx-theme sets data-theme="dark"|"light" on <html> and its
  // button switches it), JupyterLab (data-jp-theme-light on <body>). Else
  // what it shows: the first opaque background up the tree, or light
  // text; last, the system's setting (prefers-color-scheme).
  function luminance(css) {
    var m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?/
      .exec(css || "");
    if (!m) return null;
    return {l: (0.2126 * m[1] + 0.7152 * m[2] + 0.0722 * m[3]) / 255,
            a: m[4] === undefined ? 1 : +m[4]};
  }
  function pageIsDark(node) {
    var doc = node.ownerDocument, view = doc.defaultView;
    var theme = doc.documentElement.getAttribute("data-theme");
    if (theme === "dark" || theme === "light") return theme === "dark";
    var jp = doc.body && doc.body.getAttribute("data-jp-theme-light");
    if (jp === "true" || jp === "false") return jp === "false";
    var parent = node.parentElement;
    for (var n = parent; n && n.nodeType === 1; n = n.parentElement) {
      var bg = luminance(view.getComputedStyle(n).backgroundColor);
      if (bg && bg.a > 0.5) return bg.l < 0.45;
    }
    var fg = parent && luminance(view.getComputedStyle(parent).color);
    if (fg && fg.l > 0.6) return true;
    return !!(view.matchMedia &&
              view.matchMedia("(prefers-color-scheme: dark)").matches);
  }
  function shade(node) {
    node.classList.toggle("d2l-dark", pageIsDark(node));
  }
  function reshade() {
    mounted.forEach(shade);
    // Once more after the page's own styles have switched (a background
    // that changes with a transition).
    setTimeout(function () { mounted.forEach(shade); }, 120);
  }
  if (typeof MutationObserver !== "undefined") {
    var obs = new MutationObserver(reshade);
    var watched = ["data-theme", "data-mode", "data-jp-theme-light",
                   "class", "style"];
    obs.observe(document.documentElement,
                {attributes: true, attributeFilter: watched});
    if (document.body) {
      obs.observe(document.body, {attributes: true, attributeFilter: watched});
    }
  }
  if (root.matchMedia) {
    var mq = root.matchMedia("(prefers-color-scheme: dark)");
    if (mq.addEventListener) mq.addEventListener("change", reshade);
  }

  function mount(root, cfg) {
    addStyle(root.ownerDocument || document);
    root.classList.add("d2lmini-live");
    root.innerHTML = "";
    var uid = "d2l" + (++counter) + "-" + Math.random().toString(36).slice(2, 7);
    var obj = objective(cfg.f);
    // The frame the trace was given, and the view shown: the same, or
    // zoomed out to every path when "fit view" is pressed.
    var frame0 = [cfg.xlim.slice(), cfg.ylim.slice()];
    var xlim = frame0[0], ylim = frame0[1], fit = false;
    var start = cfg.start.slice();
    var steps = cfg.steps, frame = steps, timer = null;
    var runs = cfg.runs.map(function (r, i) {
      return {optimizer: r.optimizer, label: r.label,
              hyperparams: Object.assign({}, r.hyperparams),
              sliders: r.sliders || {}, color: "var(--d2l-c" + (i % 5) + ")",
              result: null, inputs: {}};
    });
    if (cfg.label) el("p", {"class": "d2l-cap"}, root, cfg.label);

    // -- the contour plot --
    var plots = el("div", {"class": "d2l-plots"}, root);
    var mainBox = el("div", {"class": "d2l-main"}, plots);
    var svg = el("svg:svg", {viewBox: "0 0 " + W + " " + H, role: "img",
      "aria-label": "contour lines of f with the path of each optimizer; " +
      "click or drag to move the start point"}, mainBox);
    var pw = W - M.l - M.r, ph = H - M.t - M.b;
    var sx = function (v) { return M.l + (v - xlim[0]) / (xlim[1] - xlim[0]) * pw; };
    var sy = function (v) { return M.t + (1 - (v - ylim[0]) / (ylim[1] - ylim[0])) * ph; };
    var ix = function (px) { return xlim[0] + (px - M.l) / pw * (xlim[1] - xlim[0]); };
    var iy = function (py) { return ylim[0] + (1 - (py - M.t) / ph) * (ylim[1] - ylim[0]); };
    var defs = el("svg:defs", {}, svg);
    var clip = el("svg:clipPath", {id: uid + "-clip"}, defs);
    el("svg:rect", {x: M.l, y: M.t, width: pw, height: ph}, clip);
    var gc = el("svg:g", {"class": "d2l-contours",
                          "clip-path": "url(#" + uid + "-clip)"}, svg);
    var gAxes = el("svg:g", {}, svg);
    function drawFrame() {
      while (gc.firstChild) gc.removeChild(gc.firstChild);
      while (gAxes.firstChild) gAxes.removeChild(gAxes.firstChild);
      drawContours(gc);
      drawAxes(gAxes, xlim, ylim, sx, sy, M, pw, ph, "x₁", "x₂");
    }
    drawFrame();
    // The paths, cut at the frame's edge by the clip path.
    var gp = el("svg:g", {"clip-path": "url(#" + uid + "-clip)"}, svg);
    // The start point, and a larger invisible handle around it that takes
    // a drag (by finger too).
    var handle = el("svg:circle", {r: 16, "class": "d2l-handle"}, svg);
    var startDot = el("svg:circle", {r: 6, "class": "d2l-start", tabindex: 0,
      role: "button", "aria-label": "start point: arrow keys move it"}, svg);
    var statusText = el("svg:text", {x: M.l + 6, y: M.t + 16,
                                     "class": "d2l-status"}, svg);

    // -- the side plot: f against the step --
    var sideBox = el("div", {"class": "d2l-side"}, plots);
    var side = el("svg:svg", {viewBox: "0 0 " + SW + " " + SH, role: "img",
      "aria-label": "f against the step"}, sideBox);

    // -- legend with end points --
    var legend = el("ul", {"class": "d2l-legend", "aria-live": "polite"}, root);
    runs.forEach(function (r) {
      var li = el("li", {}, legend);
      el("span", {"class": "d2l-swatch",
                  style: "background:" + r.color}, li);
      el("span", {}, li, r.label + ": ");
      r.endEl = el("span", {"class": "d2l-end"}, li);
      r.statusEl = el("span", {"class": "d2l-note"}, li);
    });

    // -- controls --
    var controls = el("div", {"class": "d2l-controls"}, root);
    runs.forEach(function (r) {
      Object.keys(r.sliders).forEach(function (name) {
        var s = r.sliders[name];
        var lab = el("label", {}, controls);
        var nameEl = el("span", {"class": "d2l-name"}, lab,
          (runs.length > 1 ? r.label + " " : "") + (SYMBOLS[name] || name));
        nameEl.title = name;
        var input = el("input", {type: "range", min: s[0], max: s[1],
          step: s[2], value: r.hyperparams[name],
          "aria-label": (runs.length > 1 ? r.label + " " : "") + name +
          " (" + (SYMBOLS[name] || name) + ")",
          "data-run": r.label, "data-name": name}, lab);
        var out = el("output", {}, lab, input.value);
        r.inputs[name] = {input: input, out: out};
        input.addEventListener("input", function () {
          r.hyperparams[name] = parseFloat(input.value);
          out.textContent = input.value;
          if (name === "seed" && seedOut) showSeeds();
          recompute(true);
        });
      });
    });
    var stepsLab = el("label", {}, controls);
    el("span", {"class": "d2l-name"}, stepsLab, "steps T");
    var stepsInput = el("input", {type: "range", min: 1,
      max: cfg.max_steps, step: 1, value: steps, "aria-label": "steps",
      "data-name": "steps"}, stepsLab);
    var stepsOut = el("output", {}, stepsLab, String(steps));
    stepsInput.addEventListener("input", function () {
      steps = parseInt(stepsInput.value, 10);
      stepsOut.textContent = stepsInput.value;
      recompute(true);
    });

    var buttons = el("div", {"class": "d2l-buttons"}, root);
    var back = el("button", {type: "button", "aria-label": "one step back"},
                  buttons, "◀");
    var play = el("button", {type: "button"}, buttons, "▶ play");
    var fwd = el("button", {type: "button", "aria-label": "one step forward"},
                 buttons, "▶|");
    // Fit view: zoom out to every path (and back to the given frame).
    var fitButton = el("button", {type: "button", "data-name": "fit-view",
      "aria-pressed": "false"}, buttons, "fit view");
    fitButton.addEventListener("click", function () {
      fit = !fit;
      fitButton.setAttribute("aria-pressed", String(fit));
      refit();
      show(frame);
    });
    var frameOut = el("span", {"aria-live": "off"}, buttons);
    // -- new noise: the next seed for every noisy run --
    var noisy = runs.filter(function (r) {
      return "noise" in r.hyperparams || "seed" in r.hyperparams;
    });
    var seedOut = null;
    function showSeeds() {
      var seeds = noisy.map(function (r) { return r.hyperparams.seed || 0; });
      var same = seeds.every(function (v) { return v === seeds[0]; });
      seedOut.textContent = same ? "seed " + seeds[0] :
        "seeds " + seeds.join(", ");
      seedOut.setAttribute("data-seed", seeds.join(","));
    }
    if (noisy.length) {
      var redraw = el("button", {type: "button", "data-name": "new-noise",
        "aria-label": "new noise: draw the gradient noise again (next seed)"},
        buttons, "new noise");
      seedOut = el("span", {"class": "d2l-seed", "aria-live": "polite"},
                   buttons);
      showSeeds();
      redraw.addEventListener("click", function () {
        noisy.forEach(function (r) {
          var seed = ((r.hyperparams.seed || 0) + 1) % (SEED_MAX + 1);
          var s = r.inputs.seed;
          if (s) {  // keep a seed slider in its range
            var lo = +s.input.min, hi = +s.input.max;
            if (seed > hi) seed = lo;
            s.input.value = seed;
            s.out.textContent = String(seed);
          }
          r.hyperparams.seed = seed;
        });
        showSeeds();
        recompute(true);
      });
    }
    back.addEventListener("click", function () { stop(); show(frame - 1); });
    fwd.addEventListener("click", function () { stop(); show(frame + 1); });
    play.addEventListener("click", function () {
      if (timer) { stop(); return; }
      if (frame >= steps) frame = 0;
      play.textContent = "❚❚ pause";
      show(frame);
      timer = setInterval(function () {
        if (frame >= steps) { stop(); return; }
        show(frame + 1);
      }, 150);
    });
    function stop() {
      if (timer) clearInterval(timer);
      timer = null;
      play.textContent = "▶ play";
    }

    // -- moving the start point --
    // A mouse moves it where it is pressed, and drags it anywhere. A finger
    // (or pen) must not move it while scrolling the page: it moves it with
    // a tap (lifted within TAP px of where it touched) or by a drag that
    // starts on the start point's handle.
    var TAP = 10;
    function svgPoint(evt) {
      var rect = svg.getBoundingClientRect();
      return [(evt.clientX - rect.left) / rect.width * W,
              (evt.clientY - rect.top) / rect.height * H];
    }
    function inPlot(p) {
      return p[0] >= M.l && p[0] <= W - M.r && p[1] >= M.t && p[1] <= H - M.b;
    }
    function moveStart(x1, x2) {
      start = [Math.min(Math.max(x1, xlim[0]), xlim[1]),
               Math.min(Math.max(x2, ylim[0]), ylim[1])];
      recompute(true);
    }
    function moveTo(evt) {
      var p = svgPoint(evt);
      moveStart(round3(ix(p[0])), round3(iy(p[1])));
    }
    var dragging = false, tap = null;
    svg.addEventListener("pointerdown", function (evt) {
      tap = null;
      var onHandle = evt.target === startDot || evt.target === handle;
      if (!onHandle && !inPlot(svgPoint(evt))) return;
      if (evt.pointerType === "mouse" || onHandle) {
        dragging = true;
        svg.setPointerCapture(evt.pointerId);
        if (!onHandle) moveTo(evt);
        evt.preventDefault();
      } else {  // a touch that may become a scroll: wait for its end
        tap = {id: evt.pointerId, x: evt.clientX, y: evt.clientY};
      }
    });
    svg.addEventListener("pointermove", function (evt) {
      if (dragging) { moveTo(evt); return; }
      if (tap && tap.id === evt.pointerId &&
          Math.hypot(evt.clientX - tap.x, evt.clientY - tap.y) > TAP) {
        tap = null;  // it moved: a scroll, not a tap
      }
    });
    svg.addEventListener("pointerup", function (evt) {
      if (tap && tap.id === evt.pointerId &&
          Math.hypot(evt.clientX - tap.x, evt.clientY - tap.y) <= TAP &&
          inPlot(svgPoint(evt))) {
        moveTo(evt);
      }
      tap = null;
      dragging = false;
    });
    svg.addEventListener("pointercancel", function () {
      tap = null;  // the browser took the touch over (a scroll)
      dragging = false;
    });
    startDot.addEventListener("keydown", function (evt) {
      var dx = (xlim[1] - xlim[0]) / 50, dy = (ylim[1] - ylim[0]) / 50;
      var moves = {ArrowLeft: [-dx, 0], ArrowRight: [dx, 0],
                   ArrowUp: [0, dy], ArrowDown: [0, -dy]};
      var m = moves[evt.key];
      if (!m) return;
      evt.preventDefault();
      moveStart(round3(start[0] + m[0]), round3(start[1] + m[1]));
    });
    function round3(v) { return Math.round(v * 1000) / 1000; }

    // -- drawing --
    function drawContours(g) {
      var nx = 96, ny = 80, vals = new Array(nx * ny);
      for (var j = 0; j < ny; j++) {
        var x2 = ylim[0] + j / (ny - 1) * (ylim[1] - ylim[0]);
        for (var i = 0; i < nx; i++) {
          var x1 = xlim[0] + i / (nx - 1) * (xlim[1] - xlim[0]);
          vals[j * nx + i] = obj.value(x1, x2);
        }
      }
      var levels = quantileLevels(vals, 14);
      if (!D3) return;
      var cs = D3.contours().size([nx, ny]).thresholds(levels)(vals);
      // Grid point i sits at i + 0.5 in d3-contour's coordinates.
      var gx = function (u) { return sx(xlim[0] + (u - 0.5) / (nx - 1) * (xlim[1] - xlim[0])); };
      var gy = function (v) { return sy(ylim[0] + (v - 0.5) / (ny - 1) * (ylim[1] - ylim[0])); };
      cs.forEach(function (c) {
        var d = "";
        c.coordinates.forEach(function (poly) {
          poly.forEach(function (ring) {
            // The frame's edges are not contour lines: leave them out.
            var open = true;
            ring.forEach(function (pt) {
              var edge = pt[0] <= 0 || pt[0] >= nx || pt[1] <= 0 || pt[1] >= ny;
              if (edge) { open = true; return; }
              d += (open ? "M" : "L") + gx(pt[0]).toFixed(1) + "," +
                gy(pt[1]).toFixed(1);
              open = false;
            });
          });
        });
        if (d) el("svg:path", {d: d}, g);
      });
    }

    function recompute(full) {
      runs.forEach(function (r) {
        try {
          r.result = run({optimizer: r.optimizer, hyperparams: r.hyperparams,
                          f: cfg.f, start: start, steps: steps,
                          schedule: cfg.schedule});
          r.error = null;
        } catch (e) {
          r.result = null;
          r.error = e.message;
        }
      });
      if (timer && full) stop();
      if (fit) refit();
      show(full ? steps : frame);
    }

    // The view: the given frame, or with "fit view" the smallest box that
    // holds it, the start and every point of every run (5% margin).
    function refit() {
      var x = frame0[0].slice(), y = frame0[1].slice();
      if (fit) {
        var pts = [start];
        runs.forEach(function (r) {
          if (r.result) pts = pts.concat(r.result.points);
        });
        pts.forEach(function (q) {
          x = [Math.min(x[0], q[0]), Math.max(x[1], q[0])];
          y = [Math.min(y[0], q[1]), Math.max(y[1], q[1])];
        });
        var mx = (x[1] - x[0]) * 0.05, my = (y[1] - y[0]) * 0.05;
        if (x[0] < frame0[0][0]) x[0] -= mx;
        if (x[1] > frame0[0][1]) x[1] += mx;
        if (y[0] < frame0[1][0]) y[0] -= my;
        if (y[1] > frame0[1][1]) y[1] += my;
      }
      if (x[0] !== xlim[0] || x[1] !== xlim[1] || y[0] !== ylim[0] ||
          y[1] !== ylim[1]) {
        xlim = x;
        ylim = y;
        drawFrame();
      }
    }

    function inView(p) {
      return p[0] >= xlim[0] && p[0] <= xlim[1] && p[1] >= ylim[0] &&
        p[1] <= ylim[1];
    }

    // The part of the segment a-b inside the view widened by one view on
    // every side (Liang-Barsky), or null: the clip path then cuts it at
    // the frame's edge, and no coordinate handed to the SVG is huge.
    function clipSegment(a, b) {
      var wx = xlim[1] - xlim[0], wy = ylim[1] - ylim[0];
      var box = [xlim[0] - wx, xlim[1] + wx, ylim[0] - wy, ylim[1] + wy];
      var dx = b[0] - a[0], dy = b[1] - a[1], t0 = 0, t1 = 1;
      var ps = [-dx, dx, -dy, dy];
      var qs = [a[0] - box[0], box[1] - a[0], a[1] - box[2], box[3] - a[1]];
      for (var i = 0; i < 4; i++) {
        if (ps[i] === 0) {
          if (qs[i] < 0) return null;
        } else {
          var t = qs[i] / ps[i];
          if (ps[i] < 0) t0 = Math.max(t0, t); else t1 = Math.min(t1, t);
        }
      }
      if (t0 > t1) return null;
      return [[a[0] + t0 * dx, a[1] + t0 * dy],
              [a[0] + t1 * dx, a[1] + t1 * dy]];
    }

    var WORDS = {diverged: "blew up", diverging: "diverging",
                 escapes: obj.name === "saddle" ? "leaving the saddle" :
                   "falling without bound",
                 uphill: "ending uphill", view: "leaving the view"};

    function show(k) {
      frame = Math.max(0, Math.min(steps, k));
      while (gp.firstChild) gp.removeChild(gp.firstChild);
      [startDot, handle].forEach(function (c) {
        c.setAttribute("cx", sx(start[0]));
        c.setAttribute("cy", sy(start[1]));
      });
      startDot.setAttribute("data-x1", String(start[0]));
      startDot.setAttribute("data-x2", String(start[1]));
      var msgs = [];
      runs.forEach(function (r) {
        r.statusEl.setAttribute("class", "d2l-bad");
        if (!r.result) {
          r.endEl.textContent = "";
          r.statusEl.textContent = " " + r.error;
          msgs.push({kind: "error", bad: true, text: r.error,
                     label: r.label});
          return;
        }
        var pts = r.result.points.slice(0, frame + 1);
        var d = "", left = null, pen = false;
        for (var i = 0; i < pts.length; i++) {
          if (left === null && !inView(pts[i])) left = i;
          if (i === 0) continue;
          var seg = clipSegment(pts[i - 1], pts[i]);
          if (!seg) { pen = false; continue; }
          if (!pen || seg[0][0] !== pts[i - 1][0] ||
              seg[0][1] !== pts[i - 1][1]) {
            d += "M" + sx(seg[0][0]).toFixed(2) + "," +
              sy(seg[0][1]).toFixed(2);
          }
          d += "L" + sx(seg[1][0]).toFixed(2) + "," + sy(seg[1][1]).toFixed(2);
          pen = seg[1][0] === pts[i][0] && seg[1][1] === pts[i][1];
        }
        el("svg:path", {d: d, "class": "d2l-path", stroke: r.color,
                        style: "stroke:" + r.color}, gp);
        pts.forEach(function (q) {
          if (!inView(q)) return;
          el("svg:circle", {cx: sx(q[0]).toFixed(2), cy: sy(q[1]).toFixed(2),
            r: 2.6, style: "fill:" + r.color}, gp);
        });
        var q = pts[pts.length - 1];
        var fq = r.result.objective.value(q[0], q[1]);
        var t = pts.length - 1;
        r.endEl.textContent = "x" + sub(t) + " = (" + num(q[0]) + ", " +
          num(q[1]) + "), f = " + num(fq);
        r.endEl.setAttribute("data-x1", String(q[0]));
        r.endEl.setAttribute("data-x2", String(q[1]));
        r.endEl.setAttribute("data-t", String(t));
        var st = frame >= r.result.points.length - 1 ?
          status(r.result, frame0) : null;
        if (!st && left !== null) {
          st = {kind: "view", bad: false, text: "leaves the view at step " +
                left + (fit ? "" : ": press fit view")};
        }
        r.statusEl.textContent = st ? " — " + st.text : "";
        r.statusEl.setAttribute("data-kind", st ? st.kind : "");
        r.statusEl.setAttribute("class", st && !st.bad ? "d2l-note" :
                                "d2l-bad");
        if (st) msgs.push(Object.assign({label: r.label}, st));
      });
      // Over the plot: the one run's words, or how many runs did what.
      var text = "";
      if (msgs.length === 1) {
        text = (runs.length > 1 ? msgs[0].label + " " : "") + msgs[0].text;
      } else if (msgs.length) {
        var counts = {}, order = [];
        msgs.forEach(function (m) {
          if (!counts[m.kind]) { counts[m.kind] = 0; order.push(m.kind); }
          counts[m.kind] += 1;
        });
        text = order.map(function (kind) {
          return counts[kind] + (counts[kind] > 1 ? " runs " : " run ") +
            (WORDS[kind] || "failing");
        }).join(", ");
      }
      statusText.textContent = text;
      statusText.setAttribute("class", msgs.some(function (m) {
        return m.bad;
      }) ? "d2l-status d2l-bad" : "d2l-status d2l-note");
      frameOut.textContent = "step " + frame + " of " + steps;
      drawSide();
    }

    function drawSide() {
      while (side.firstChild) side.removeChild(side.firstChild);
      var series = [], all = [];
      runs.forEach(function (r) {
        if (!r.result) return;
        var fs = r.result.points.slice(0, frame + 1).map(function (p) {
          return r.result.objective.value(p[0], p[1]);
        });
        series.push({color: r.color, fs: fs});
        fs.forEach(function (v) { if (isFinite(v)) all.push(v); });
      });
      if (!all.length) return;
      var log = all.every(function (v) { return v > 0; });
      var tr = log ? Math.log10 : function (v) { return v; };
      var lo = Math.min.apply(null, all.map(tr));
      var hi = Math.max.apply(null, all.map(tr));
      if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
      var pw2 = SW - SM.l - SM.r, ph2 = SH - SM.t - SM.b;
      var X = function (t) { return SM.l + t / Math.max(steps, 1) * pw2; };
      var Y = function (v) { return SM.t + (1 - (tr(v) - lo) / (hi - lo)) * ph2; };
      var yt = ticks(lo, hi, 5);
      if (log) {  // decades only
        yt = [];
        var step = Math.max(1, Math.ceil((hi - lo) / 5));
        for (var e = Math.ceil(lo); e <= hi; e += step) yt.push(e);
      }
      el("svg:rect", {x: SM.l, y: SM.t, width: pw2, height: ph2,
                      "class": "d2l-axis"}, side);
      yt.forEach(function (v) {
        var y = SM.t + (1 - (v - lo) / (hi - lo)) * ph2;
        el("svg:line", {x1: SM.l - 4, x2: SM.l, y1: y, y2: y,
                        "class": "d2l-axis"}, side);
        el("svg:text", {x: SM.l - 6, y: y + 4, "text-anchor": "end"}, side,
           log ? pow10(v) : num(v, 4));
      });
      ticks(0, steps, 4).forEach(function (t) {
        if (t !== Math.round(t)) return;
        el("svg:line", {x1: X(t), x2: X(t), y1: SH - SM.b, y2: SH - SM.b + 4,
                        "class": "d2l-axis"}, side);
        el("svg:text", {x: X(t), y: SH - SM.b + 16, "text-anchor": "middle"},
           side, String(t));
      });
      el("svg:text", {x: SM.l + pw2 / 2, y: SH - 2, "text-anchor": "middle"},
         side, "step t");
      // The title above the plot, where no curve can run into it.
      el("svg:text", {x: SM.l, y: SM.t - 8}, side,
         log ? "f(xₜ), log scale" : "f(xₜ)");
      series.forEach(function (s) {
        var d = "";
        s.fs.forEach(function (v, t) {
          if (!isFinite(v)) return;
          var y = Math.max(SM.t, Math.min(SH - SM.b, Y(v)));
          d += (d ? "L" : "M") + X(t).toFixed(1) + "," + y.toFixed(1);
        });
        el("svg:path", {d: d, "class": "d2l-path",
                        style: "stroke:" + s.color}, side);
      });
    }

    recompute(true);
    mounted.push(root);
    shade(root);
    root.d2lminiWidget = {
      setStart: function (x1, x2) { moveStart(x1, x2); },
      runs: runs
    };
    return root.d2lminiWidget;
  }

  function sub(n) {
    var digits = "₀₁₂₃₄₅₆₇₈₉";
    return String(n).split("").map(function (c) {
      return digits[+c];
    }).join("");
  }

  function drawAxes(svg, xlim, ylim, sx, sy, M, pw, ph, xl, yl) {
    // svg: the group the axes go into (redrawn when the view changes).
    el("svg:rect", {x: M.l, y: M.t, width: pw, height: ph,
                    "class": "d2l-axis"}, svg);
    ticks(xlim[0], xlim[1], 6).forEach(function (v) {
      el("svg:line", {x1: sx(v), x2: sx(v), y1: M.t + ph, y2: M.t + ph + 4,
                      "class": "d2l-axis"}, svg);
      el("svg:text", {x: sx(v), y: M.t + ph + 16, "text-anchor": "middle"},
         svg, num(v));
    });
    ticks(ylim[0], ylim[1], 5).forEach(function (v) {
      el("svg:line", {x1: M.l - 4, x2: M.l, y1: sy(v), y2: sy(v),
                      "class": "d2l-axis"}, svg);
      el("svg:text", {x: M.l - 6, y: sy(v) + 4, "text-anchor": "end"}, svg,
         num(v));
    });
    el("svg:text", {x: M.l + pw - 2, y: M.t + ph - 4, "text-anchor": "end"},
       svg, xl);
    el("svg:text", {x: M.l + 4, y: M.t + ph - 4}, svg, "");
    el("svg:text", {x: M.l - 30, y: M.t + 10}, svg, yl);
  }

  api.mount = mount;
  // Mount every widget of the page that is not mounted yet.
  api.mountAll = function (doc) {
    doc = doc || document;
    var nodes = doc.querySelectorAll("[data-d2lmini-live]");
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      if (node.d2lminiWidget) continue;
      try {
        mount(node, JSON.parse(node.getAttribute("data-d2lmini-live")));
      } catch (e) {
        node.textContent = "live trace: " + e.message;
        node.className += " d2l-bad";
      }
    }
  };
})(typeof window !== "undefined" ? window : globalThis);
