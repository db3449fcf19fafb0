// Runs d2lmini/js/checks.js in Node for tests/test_checks_js.py.
// Usage: node checks_run.js CHECKS.js < input.json > results.json
// input: {"data": {name: spec, ...}, "cases": [[name, answer], ...],
//         "format": [[number or "nan"/"inf"/"-inf"/"-0", spec], ...],
//         "read": [text, ...]}
// results: {"checks": [{passed, verdict, message, hint}, ...],
//           "format": [string, ...], "read": [value or null, ...]}
"use strict";
const fs = require("fs");
const checks = require(require("path").resolve(process.argv[2]));

const SPECIAL = {nan: NaN, inf: Infinity, "-inf": -Infinity, "-0": -0};
const input = JSON.parse(fs.readFileSync(0, "utf8"));
const out = {
  checks: (input.cases || []).map(([name, answer]) =>
    checks.check(name, answer, input.data)),
  format: (input.format || []).map(([x, spec]) =>
    checks.pyFormat(x in SPECIAL ? SPECIAL[x] : x, spec)),
  read: (input.read || []).map((text) => checks.readText(text)),
};
process.stdout.write(JSON.stringify(out));
