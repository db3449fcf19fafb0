// Runs window.d2lmini.trace in Node for tests/test_live.py.
// Usage: node run_traces.js BUNDLE.js < cases.json > results.json
// cases: [{optimizer, hyperparams, f, start, steps, schedule}, ...]
// results: [{points, stoppedAt} | {error}, ...] (numbers as repr strings
// so that no precision is lost on the way back to Python).
// A case {uint32: {seed, count}} gives the first draws of
// window.d2lmini.mulberry32(seed) ({values}), and {noise2d: {seed, steps}}
// the noise window.d2lmini.noise2d(seed, steps) ({points}); a case with a
// frame [xlim, ylim] gives window.d2lmini.status(run(case), frame)
// ({status}).
"use strict";
const fs = require("fs");
const vm = require("vm");

const context = {};
context.window = context;
vm.createContext(context);
vm.runInContext(fs.readFileSync(process.argv[2], "utf8"), context);
const d2l = context.d2lmini;
if (!d2l || typeof d2l.trace !== "function") {
  throw new Error("the bundle did not define window.d2lmini.trace");
}
const cases = JSON.parse(fs.readFileSync(0, "utf8"));
const out = cases.map((c) => {
  try {
    if (c.uint32) {
      const gen = d2l.mulberry32(c.uint32.seed);
      const values = [];
      for (let i = 0; i < c.uint32.count; i++) values.push(gen.next());
      return {values};
    }
    if (c.noise2d) {
      const xi = d2l.noise2d(c.noise2d.seed, c.noise2d.steps);
      return {points: xi.map((p) => p.map((v) => String(v)))};
    }
    if (c.frame) {  // how the run ends, in words
      return {status: d2l.status(d2l.run(c), c.frame)};
    }
    const pts = d2l.trace(c);
    return {points: pts.map((p) => p.map((v) => String(v))),
            stoppedAt: pts.stoppedAt};
  } catch (e) {
    return {error: String(e.message)};
  }
});
process.stdout.write(JSON.stringify(out));
