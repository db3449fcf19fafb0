/*
 * The update rules: the twin of d2lmini/optim.py. Each entry of RULES is
 * one optimizer of optim.REGISTRY, in its order, and names its Python twin;
 * each follows it operation by operation, on the two coordinates of a 2-D
 * problem, in double precision. tests/test_live.py checks in Node that
 * every optimizer's path equals the same rules on Python floats
 * (tests/live_reference.py), bit for bit where no pow/exp/log/cos/sin is
 * called; a new optimizer of optim.py fails there until it has its entry.
 *
 * One part of the live-trace library: d2lmini/live.py joins the files of
 * its JS_FILES, in that order, inside one function that defines root (the
 * window), T (Python's tables, D2LMINI_TABLES) and D3 (d3-contour), so
 * every name declared at the top of one file is seen by the others.
 */
/* global T */
// ---- optim.check_hyperparams (Python's _SPECS and _RULES, from T) -----
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

// ---- the update rules, in the order of optim.REGISTRY -----------------
// step(x, g, st, h): x, g arrays of two numbers; st the state; h the
// checked hyperparameters (lr already scheduled). Updates x in place.
function zeros() { return [0, 0]; }
function adamState() { return {v: zeros(), s: zeros(), t: 0}; }
var RULES = {
  // optim.sgd
  sgd: {
    init: function () { return {}; },
    step: function (x, g, st, h) {
      for (var i = 0; i < 2; i++) x[i] = x[i] - h.lr * g[i];
    }
  },
  // optim.sgd_momentum
  sgd_momentum: {
    init: function () { return {v: zeros()}; },
    step: function (x, g, st, h) {
      for (var i = 0; i < 2; i++) {
        st.v[i] = h.momentum * st.v[i] + g[i];
        x[i] = x[i] - h.lr * st.v[i];
      }
    }
  },
  // optim.sgd_nesterov
  sgd_nesterov: {
    init: function () { return {v: zeros()}; },
    step: function (x, g, st, h) {
      for (var i = 0; i < 2; i++) {
        st.v[i] = h.momentum * st.v[i] + g[i];
        x[i] = x[i] - h.lr * (g[i] + h.momentum * st.v[i]);
      }
    }
  },
  // optim.adagrad
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
  // optim.rmsprop
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
  // optim.adadelta
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
  // optim.adam
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
  // optim.yogi
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
  // optim.adamax
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
  // optim.nadam
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
  // optim.amsgrad
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
  },
  // optim.adamw
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
  // optim.radam
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
  // optim.schedule_free_adamw
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
  // optim.adafactor
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
  // optim.lion
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
  // optim.muon
  // Muon on a vector, which is not a matrix: AdamW, as in optim.muon.
  muon: {
    init: adamState,
    step: function (x, g, st, h) {
      RULES.adamw.step(x, g, st, {lr: h.adamw_lr, beta1: 0.9,
        beta2: 0.999, eps: 1e-8, weight_decay: h.weight_decay});
    }
  },
  // optim.shampoo
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
  }
};

function nanMax(a, b) {  // torch.maximum: NaN wins
  return (a !== a || b !== b) ? NaN : Math.max(a, b);
}
