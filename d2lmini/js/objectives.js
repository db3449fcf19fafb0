/*
 * The objectives of the live traces: the twin of d2lmini/objectives.py
 * (objective_2d, its gradient and lower_bound), the same expressions.
 *
 * One part of the live-trace library: d2lmini/live.py joins the files of
 * its JS_FILES, in that order, inside one function that defines root (the
 * window), T (Python's tables, D2LMINI_TABLES) and D3 (d3-contour), so
 * every name declared at the top of one file is seen by the others.
 */
/* global T */
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
