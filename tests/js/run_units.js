// Calls the top-level functions of one or more files of d2lmini/js in
// Node, for the per-file tests (tests/test_live_js.py).
// Usage: node run_units.js BUNDLE.js < calls.json > results.json
// BUNDLE: live._join(files, expose) after the tables, which hands the
// exposed names out as window.d2lminiTest.
// calls: [{fn, args}, ...]; fn names an exposed function, or one of the
// adapters below (a function that returns functions, called here).
// results: [{value} | {error}, ...]; Infinity and NaN as strings, so that
// they survive JSON (other numbers do exactly: both sides print the
// shortest decimal that reads back as the same double).
"use strict";
const fs = require("fs");
const vm = require("vm");

const context = {};
context.window = context;
vm.createContext(context);
vm.runInContext(fs.readFileSync(process.argv[2], "utf8"), context);
const t = context.d2lminiTest;
if (!t) throw new Error("the bundle did not define window.d2lminiTest");

const adapters = {
  loaded() { return true; },  // the bundle ran
  keysOf(name) { return Object.keys(t[name]); },
  valueOf(name) { return t[name]; },
  // objectives.js: value, gradient, minima and lower bound at points.
  objectiveAt(f, points) {
    const o = t.objective(f);
    return {name: o.name, lower: o.lower, minima: o.minima,
            values: points.map((p) => o.value(p[0], p[1])),
            grads: points.map((p) => o.grad(p[0], p[1]))};
  },
  // rules.js: the iterate and state after the updates with gradients gs.
  ruleSteps(name, h, x, gs) {
    const rule = t.RULES[name];
    const st = rule.init();
    x = x.slice();
    gs.forEach((g) => rule.step(x, g, st, h));
    return {x, state: st};
  },
  ruleNames() { return Object.keys(t.RULES); },
  // schedules.js: the rate of updates ts.
  scheduleRates(spec, lr, ts) {
    const at = t.schedule(spec);
    return ts.map((k) => (at ? at(lr, k) : lr));
  },
  // noise.js: a generator's first uniforms.
  uniforms(seed, count) {
    const gen = t.mulberry32(seed);
    const out = [];
    for (let i = 0; i < count; i++) out.push(gen.uniform());
    return out;
  },
};

const calls = JSON.parse(fs.readFileSync(0, "utf8"));
const out = calls.map((c) => {
  try {
    const fn = adapters[c.fn] || t[c.fn];
    if (typeof fn !== "function") throw new Error("no function " + c.fn);
    return {value: fn.apply(null, c.args || [])};
  } catch (e) {
    return {error: String(e.message)};
  }
});
process.stdout.write(JSON.stringify(out, (k, v) =>
  (typeof v === "number" && !isFinite(v) ? String(v) : v)));
