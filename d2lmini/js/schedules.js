/*
 * Learning-rate schedules of the live traces: the twin of live.py's
 * _scheduled_lr.
 *
 * One part of the live-trace library: d2lmini/live.py joins the files of
 * its JS_FILES, in that order, inside one function that defines root (the
 * window), T (Python's tables, D2LMINI_TABLES) and D3 (d3-contour), so
 * every name declared at the top of one file is seen by the others.
 */
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
