// The exercise checks, evaluated in the page: the twin of
// d2lmini/checks/_spec.py (evaluate, read, the expressions, the message
// templates and Python's number formatting), so that a reader's answer gets
// the verdict, message and hint that d2l.check gives in a kernel.
//
// Page convention (the answer boxes rely on it):
//   <script type="application/json" id="d2lmini-checks-data">
//     {"chapter.name": SPEC, ...}
//   </script>
// holds the declared checks of the page, as d2lmini.checks.export(chapter)
// returns them (one source of truth: the declarations in
// d2lmini/checks/CHAPTER.py). On the page this file sets
//   window.d2lmini.check(name, answer) -> {passed, verdict, message, hint}
//   window.d2lmini.checkNames()        -> the names answerable in the page
// and window.d2lmini.checks, the evaluator itself (check(name, answer,
// data), evaluate(spec, answer), readText, pyFormat, pyReprStr). In Node,
// require() gives the same object.
//
// An answer is typed text or a JS value: a number, an array of numbers, a
// nested array (a matrix, row by row) or a string; null or undefined is "no
// answer yet". Typed text reads as numbers the way Python's reader does:
//   0.5   -3   1e-3   .5   2/3 (exact fraction, integer numerator and
//   denominator)   0.5, 0.9 (a pair or list)   1, 0; 0, 1 (a matrix: rows
//   separated by ";")   [[1, 0], [0, 1]] or (0.5, 0.9) (brackets)
// Spaces inside a number are ignored, and U+2212 (the minus sign) counts as
// "-". A text that does not read as numbers stays a text.
// Messages format numbers as Python's format() does (".6g", ".4f", ".1%",
// ".3e"): rounded half to even from the exact binary value.
(function () {
  "use strict";

  // -- Python's number formatting -------------------------------------------

  // The exact decimal value of a finite, non-zero |x|: digits * 10^exp10.
  function exactDecimal(x) {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, Math.abs(x));
    const hi = view.getUint32(0);
    const lo = view.getUint32(4);
    let e = (hi >>> 20) & 0x7ff;
    let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
    if (e === 0) e = 1;
    else m |= 1n << 52n;
    e -= 1075;  // |x| = m * 2^e
    if (e >= 0) return {digits: (m << BigInt(e)).toString(), exp10: 0};
    return {digits: (m * 5n ** BigInt(-e)).toString(), exp10: e};
  }

  // The first k digits of `digits`, rounded half to even on the rest: a
  // BigInt (it may have k + 1 digits after a carry).
  function roundDigits(digits, k) {
    if (k >= digits.length) {
      return BigInt(digits) * 10n ** BigInt(k - digits.length);
    }
    if (k < 0) return 0n;
    const kept = k > 0 ? BigInt(digits.slice(0, k)) : 0n;
    const rest = digits.slice(k);
    const half = "5" + "0".repeat(rest.length - 1);
    let up = rest > half;  // same length: string order is number order
    if (rest === half) up = kept % 2n === 1n;
    return up ? kept + 1n : kept;
  }

  function signOf(x) {
    return x < 0 || Object.is(x, -0) ? "-" : "";
  }

  function fixed(x, p) {
    if (x === 0) return signOf(x) + (p > 0 ? "0." + "0".repeat(p) : "0");
    const {digits, exp10} = exactDecimal(x);
    const n = roundDigits(digits, digits.length + exp10 + p);
    const s = n.toString().padStart(p + 1, "0");
    const body = p > 0 ? s.slice(0, s.length - p) + "." + s.slice(-p) : s;
    return signOf(x) + body;
  }

  // p significant digits: [digit string of length p, decimal exponent].
  function significant(x, p) {
    const {digits, exp10} = exactDecimal(x);
    let exp = digits.length - 1 + exp10;
    let s = roundDigits(digits, p).toString();
    if (s.length > p) {  // a carry: 9.99... -> 10.0...
      s = s.slice(0, p);
      exp += 1;
    }
    return [s, exp];
  }

  function expPart(exp) {
    return "e" + (exp < 0 ? "-" : "+") + String(Math.abs(exp)).padStart(2, "0");
  }

  function pyFormat(x, spec) {
    x = Number(x);
    const m = /^\.?(\d*)([gfe%])$/.exec(spec || ".6g");
    if (!m) throw new Error("unsupported format " + spec);
    const type = m[2];
    let p = m[1] === "" ? 6 : Number(m[1]);
    if (type === "%") x *= 100;
    if (Number.isNaN(x)) return "nan" + (type === "%" ? "%" : "");
    if (!Number.isFinite(x)) {
      return (x < 0 ? "-inf" : "inf") + (type === "%" ? "%" : "");
    }
    if (type === "f") return fixed(x, p);
    if (type === "%") return fixed(x, p) + "%";
    if (type === "e") {
      if (x === 0) {
        return signOf(x) + "0" + (p > 0 ? "." + "0".repeat(p) : "") +
          "e+00";
      }
      const [s, exp] = significant(x, p + 1);
      return signOf(x) + s[0] + (p > 0 ? "." + s.slice(1) : "") +
        expPart(exp);
    }
    // "g"
    if (p === 0) p = 1;
    if (x === 0) return signOf(x) + "0";
    const [s, exp] = significant(x, p);
    let out;
    if (exp >= -4 && exp < p) {
      let int;
      let frac;
      if (exp >= 0) {
        int = s.slice(0, exp + 1);
        frac = s.slice(exp + 1);
      } else {
        int = "0";
        frac = "0".repeat(-exp - 1) + s;
      }
      frac = frac.replace(/0+$/, "");
      out = frac ? int + "." + frac : int;
    } else {
      const frac = s.slice(1).replace(/0+$/, "");
      out = s[0] + (frac ? "." + frac : "") + expPart(exp);
    }
    return signOf(x) + out;
  }

  // Python's repr() of a str.
  const NONPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;
  function pyReprStr(text) {
    const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
    let out = quote;
    for (const ch of text) {
      const code = ch.codePointAt(0);
      if (ch === "\\") out += "\\\\";
      else if (ch === quote) out += "\\" + quote;
      else if (ch === "\t") out += "\\t";
      else if (ch === "\n") out += "\\n";
      else if (ch === "\r") out += "\\r";
      else if (ch !== " " && NONPRINTABLE.test(ch)) {
        if (code < 0x100) out += "\\x" + code.toString(16).padStart(2, "0");
        else if (code < 0x10000) {
          out += "\\u" + code.toString(16).padStart(4, "0");
        } else out += "\\U" + code.toString(16).padStart(8, "0");
      } else out += ch;
    }
    return out + quote;
  }

  // -- reading an answer ----------------------------------------------------

  const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
  const FRACTION = /^([+-]?\d+)\/(\d+)$/;

  // The correctly rounded p / q of two integers (BigInt).
  function divide(p, q) {
    const big = 2n ** 53n;
    const neg = p < 0n;
    if (neg) p = -p;
    if (p <= big && q <= big) return (neg ? -1 : 1) * (Number(p) / Number(q));
    // 40 significant digits beyond the leading ones, then one rounding of
    // that decimal (exact enough unless p / q is within 1e-40 (relative)
    // of a halfway point between two doubles).
    const scale = 10n ** 40n;
    let intDigits = (p / q).toString().length;
    const digits = (p * scale * 10n ** BigInt(intDigits)) / q;
    const value = Number(digits.toString() + "e-" + (40 + intDigits));
    return neg ? -value : value;
  }

  function textNumber(token) {
    token = token.replace(/\s+/g, "").replace(/\u2212/g, "-");
    let value;
    if (NUMBER.test(token)) {
      value = Number(token);
    } else {
      const m = FRACTION.exec(token);
      if (!m || BigInt(m[2]) === 0n) return null;
      value = divide(BigInt(m[1]), BigInt(m[2]));
    }
    return Number.isFinite(value) ? value : null;
  }

  function bracketed(text) {
    let pos = 0;
    const space = () => {
      while (pos < text.length && /\s/.test(text[pos])) pos++;
    };
    function item() {
      space();
      if (pos < text.length && (text[pos] === "[" || text[pos] === "(")) {
        const close = text[pos] === "[" ? "]" : ")";
        pos++;
        const out = [item()];
        for (;;) {
          space();
          if (pos < text.length && text[pos] === ",") {
            pos++;
            out.push(item());
          } else if (pos < text.length && text[pos] === close) {
            pos++;
            return out;
          } else {
            throw new Error("bad");
          }
        }
      }
      const start = pos;
      while (pos < text.length && !",[]()".includes(text[pos])) pos++;
      const value = textNumber(text.slice(start, pos));
      if (value === null) throw new Error("bad");
      return value;
    }
    try {
      const out = item();
      return text.slice(pos).trim() ? null : out;
    } catch (e) {
      return null;
    }
  }

  function entries(value) {
    return Array.isArray(value) ? value.flatMap(entries) : [value];
  }

  // The reading of typed text: a number, nested arrays of numbers, or null.
  function readText(text) {
    text = text.trim();
    if (text[0] === "[" || text[0] === "(") return bracketed(text);
    let rows;
    if (text.includes(";")) {
      rows = text.split(";").map((row) => row.split(",").map(textNumber));
    } else if (text.includes(",")) {
      rows = text.split(",").map(textNumber);
    } else {
      return textNumber(text);
    }
    return entries(rows).includes(null) ? null : rows;
  }

  function shapeOf(value) {
    if (!Array.isArray(value)) return [];
    const shapes = value.map(shapeOf);
    if (!value.length ||
        shapes.some((s) => s === null || String(s) !== String(shapes[0]))) {
      return null;
    }
    return [value.length].concat(shapes[0]);
  }

  class NotNumbers extends Error {}

  function toValue(answer, depth) {
    if (depth > 8) throw new NotNumbers();
    if (typeof answer === "string") {
      const out = readText(answer);
      if (out === null) throw new NotNumbers();
      return out;
    }
    if (Array.isArray(answer) || ArrayBuffer.isView(answer)) {
      return Array.from(answer, (a) => toValue(a, depth + 1));
    }
    if (typeof answer === "number") return answer;
    throw new NotNumbers();
  }

  function describe(value) {
    if (Array.isArray(value)) return "[" + value.map(describe).join(", ") + "]";
    return pyFormat(value, ".6g");
  }

  // An answer that is not numbers, as Python's repr shows its plain parts.
  function describeOther(answer) {
    if (answer === null || answer === undefined) return "None";
    if (answer === true) return "True";
    if (answer === false) return "False";
    if (typeof answer === "number") return pyFormat(answer, ".6g");
    if (typeof answer === "string") return pyReprStr(answer);
    if (Array.isArray(answer)) {
      return "[" + answer.map(describeOther).join(", ") + "]";
    }
    if (isMapping(answer)) {
      return "{" + Object.entries(answer).map(([k, v]) =>
        pyReprStr(k) + ": " + describeOther(v)).join(", ") + "}";
    }
    return String(answer);
  }

  function read(answer) {
    let value = null;
    try {
      value = toValue(answer, 0);
    } catch (e) {
      if (!(e instanceof NotNumbers)) throw e;
    }
    let described;
    if (typeof answer === "string") described = pyReprStr(answer);
    else if (value !== null) described = describe(value);
    else described = describeOther(answer);
    if (value === null) {
      if (typeof answer === "string") {
        return {kind: "text", text: answer, described};
      }
      return {kind: "other", described};
    }
    const flat = entries(value);
    return {kind: "numbers", value, shape: shapeOf(value), entries: flat,
            described, finite: flat.every(Number.isFinite)};
  }

  function normalText(text) {
    return text.split(/\s+/).filter(Boolean).join(" ").toLowerCase();
  }

  // -- expressions ----------------------------------------------------------

  const TOKEN = /\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_]\w*)|(\*\*|<=|>=|==|!=|[-+*/()<>,]))/y;
  const FUNCTIONS = ["abs", "sqrt", "log", "exp", "floor", "ceil", "min",
    "max", "isclose"];
  const parsed = new Map();

  function tokens(expr) {
    const out = [];
    let pos = 0;
    while (pos < expr.length) {
      if (!expr.slice(pos).trim()) break;
      TOKEN.lastIndex = pos;
      const m = TOKEN.exec(expr);
      if (!m) throw new Error("cannot read " + expr.slice(pos));
      if (m[1] !== undefined) out.push(["num", m[1]]);
      else if (m[2] !== undefined) out.push(["name", m[2]]);
      else out.push(["op", m[3]]);
      pos = TOKEN.lastIndex;
    }
    return out;
  }

  function parse(expr) {
    if (parsed.has(expr)) return parsed.get(expr);
    const toks = tokens(expr);
    let pos = 0;
    const peek = () => toks[pos];
    const is = (kind, value) => pos < toks.length &&
      toks[pos][0] === kind && toks[pos][1] === value;
    const take = (value) => {
      const tok = toks[pos];
      if (!tok || (value !== undefined && tok[1] !== value)) {
        throw new Error("expected " + (value || "more") + " in " + expr);
      }
      pos++;
      return tok;
    };
    function or() {
      let node = and();
      while (is("name", "or")) { take(); node = ["or", node, and()]; }
      return node;
    }
    function and() {
      let node = not();
      while (is("name", "and")) { take(); node = ["and", node, not()]; }
      return node;
    }
    function not() {
      if (is("name", "not")) { take(); return ["not", not()]; }
      return cmp();
    }
    function cmp() {
      const node = add();
      const tok = peek();
      if (tok && tok[0] === "op" &&
          ["<", "<=", ">", ">=", "==", "!="].includes(tok[1])) {
        take();
        return ["cmp", tok[1], node, add()];
      }
      return node;
    }
    function add() {
      let node = mul();
      while (is("op", "+") || is("op", "-")) node = ["bin", take()[1], node, mul()];
      return node;
    }
    function mul() {
      let node = unary();
      while (is("op", "*") || is("op", "/")) node = ["bin", take()[1], node, unary()];
      return node;
    }
    function unary() {
      if (is("op", "-")) { take(); return ["neg", unary()]; }
      if (is("op", "+")) { take(); return unary(); }
      return power();
    }
    function power() {
      const node = atom();
      if (is("op", "**")) { take(); return ["bin", "**", node, unary()]; }
      return node;
    }
    function atom() {
      const tok = take();
      if (tok[0] === "num") return ["num", Number(tok[1])];
      if (tok[0] === "op" && tok[1] === "(") {
        const node = or();
        take(")");
        return node;
      }
      if (tok[0] === "name" && !["and", "or", "not"].includes(tok[1])) {
        if (is("op", "(")) {
          if (!FUNCTIONS.includes(tok[1])) {
            throw new Error("unknown function " + tok[1]);
          }
          take();
          const args = [or()];
          while (is("op", ",")) { take(); args.push(or()); }
          take(")");
          return ["call", tok[1], args];
        }
        return ["name", tok[1]];
      }
      throw new Error("unexpected " + tok[1] + " in " + expr);
    }
    const tree = or();
    if (pos !== toks.length) throw new Error("unexpected " + toks[pos][1]);
    parsed.set(expr, tree);
    return tree;
  }

  // Python's max and min: the first of equal values (so the sign of a zero
  // is Python's); NaN if any is NaN.
  function pick(xs, better) {
    if (xs.some(Number.isNaN)) return NaN;
    let best = xs[0];
    for (const x of xs.slice(1)) if (better(x, best)) best = x;
    return best;
  }

  const CALLS = {
    abs: Math.abs,
    sqrt: Math.sqrt,
    log: Math.log,
    exp: Math.exp,
    floor: (x) => Math.floor(x) + 0,  // Python's floor(-0.0) is 0
    ceil: (x) => Math.ceil(x) + 0,
    min: (...xs) => pick(xs, (a, b) => a < b),
    max: (...xs) => pick(xs, (a, b) => a > b),
    isclose: (a, b, r, t) => isclose(a, b, Math.max(r, 0), Math.max(t, 0)),
  };

  function run(tree, env) {
    switch (tree[0]) {
      case "num": return tree[1];
      case "name":
        if (!(tree[1] in env)) throw new Error("unknown name " + tree[1]);
        return env[tree[1]];
      case "neg": return -Number(run(tree[1], env));
      case "not": return !run(tree[1], env);
      case "and": return Boolean(run(tree[1], env)) && Boolean(run(tree[2], env));
      case "or": return Boolean(run(tree[1], env)) || Boolean(run(tree[2], env));
      case "cmp": {
        const a = Number(run(tree[2], env));
        const b = Number(run(tree[3], env));
        switch (tree[1]) {
          case "<": return a < b;
          case "<=": return a <= b;
          case ">": return a > b;
          case ">=": return a >= b;
          case "==": return a === b;
          default: return a !== b;
        }
      }
      case "call":
        return CALLS[tree[1]](...tree[2].map((a) => Number(run(a, env))));
      default: {
        const a = Number(run(tree[2], env));
        const b = Number(run(tree[3], env));
        switch (tree[1]) {
          case "+": return a + b;
          case "-": return a - b;
          case "*": return a * b;
          case "/": return a / b;
          default: return Math.pow(a, b);
        }
      }
    }
  }

  // -- messages -------------------------------------------------------------

  function render(text, env, described) {
    return text.replace(/\{\{(.*?)\}\}/g, (all, field) => {
      if (field.trim() === "answer") return described;
      const colon = field.lastIndexOf(":");
      const expr = colon < 0 ? field.trim() : field.slice(0, colon).trim();
      const fmt = colon < 0 ? ".6g" : field.slice(colon + 1).trim();
      return pyFormat(run(parse(expr), env), fmt);
    });
  }

  // -- the evaluator --------------------------------------------------------

  // Python's math.isclose.
  function isclose(a, b, rtol, atol) {
    if (a === b) return true;
    if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
    const diff = Math.abs(b - a);
    return diff <= Math.abs(rtol * b) || diff <= Math.abs(rtol * a) ||
      diff <= atol;
  }

  function close(got, want, rule) {
    if (Array.isArray(want)) return want.every((w, i) => close(got[i], w, rule));
    if (want === null) return true;
    return isclose(rule.abs ? Math.abs(got) : got, want, rule.rtol, rule.atol);
  }

  const sameShape = (a, b) => a !== null && a.length === b.length &&
    a.every((n, i) => n === b[i]);

  function matches(rule, seen, shape, env) {
    const numbers = seen.kind === "numbers" && seen.finite;
    switch (rule.kind) {
      case "always": return true;
      case "shape": return numbers && sameShape(seen.shape, rule.shape);
      case "text":
        return seen.kind === "text" && rule.words.includes(normalText(seen.text));
      case "invalid": return !(numbers && sameShape(seen.shape, shape));
      case "close": return close(seen.value, rule.value, rule);
      case "expr": return Boolean(run(parse(rule.expr), env));
      default: throw new Error("unknown rule " + rule.kind);
    }
  }

  function environment(spec, seen) {
    const env = {};
    if (!(seen.kind === "numbers" && seen.finite &&
          sameShape(seen.shape, spec.shape))) {
      return env;
    }
    seen.entries.forEach((x, i) => { env["v" + i] = x; });
    if (!spec.shape.length) env.v = seen.value;
    for (const [name, expr] of spec.let) env[name] = run(parse(expr), env);
    return env;
  }

  // Judge an answer by a declared spec: [passed, message, hint].
  function isMapping(x) {
    return x !== null && typeof x === "object" && !Array.isArray(x) &&
      !ArrayBuffer.isView(x);
  }

  function evaluate(spec, answer) {
    if (spec.keys && isMapping(answer)) {
      for (const [key, hint] of spec.keys) {
        if (!Object.prototype.hasOwnProperty.call(answer, key)) {
          return [false, "the key " + pyReprStr(key) + " is missing", hint];
        }
        const seen = read(answer[key]);
        if (!(seen.kind === "numbers" && seen.finite && seen.shape &&
              seen.shape.length === 0)) {
          return [false, key + " should be a number, got " + seen.described,
            hint];
        }
      }
      answer = spec.keys.map(([key]) => answer[key]);
    }
    const seen = read(answer);
    if (spec.flat && seen.kind === "numbers" && seen.shape && seen.shape.length) {
      seen.value = seen.entries;
      seen.shape = [seen.entries.length];
    }
    const env = environment(spec, seen);
    for (const c of spec.cases) {
      if (matches(c.rule, seen, spec.shape, env)) {
        return [c.passed, render(c.message, env, seen.described),
          c.passed ? "" : render(c.hint, env, seen.described)];
      }
    }
    return [false, render(spec.otherwise.message, env, seen.described),
      render(spec.otherwise.hint, env, seen.described)];
  }

  function feedback(passed, message, hint) {
    return {passed, verdict: passed ? "Passed" : "Not yet", message, hint};
  }

  // d2l.check in the page: the same feedback for the same answer.
  function check(name, answer, data) {
    data = data || {};
    const spec = typeof name === "string" &&
      Object.prototype.hasOwnProperty.call(data, name) ? data[name] : null;
    if (spec === null) {
      const known = Object.keys(data).sort().join(", ") || "none loaded yet";
      return feedback(false, "there is no check with this name",
        "copy the name from the exercise cell (known: " + known + ")");
    }
    if (answer === null || answer === undefined) {
      return feedback(false, "no answer yet",
        "replace the ... in the cell above with your answer and run this " +
        "cell again");
    }
    try {
      return feedback(...evaluate(spec, answer));
    } catch (err) {
      return feedback(false,
        "the check could not use your answer (" + err.name + ": " +
        err.message + ")",
        "give the kind of answer the exercise asks for (a number, a list " +
        "of numbers or a function returning them)");
    }
  }

  const api = {check, evaluate, read, readText, pyFormat, pyReprStr};

  if (typeof module !== "undefined" && module.exports) module.exports = api;
  if (typeof window !== "undefined") {
    let data = null;
    const pageData = () => {
      if (data === null && typeof document !== "undefined") {
        const el = document.getElementById("d2lmini-checks-data");
        if (el) data = JSON.parse(el.textContent);
      }
      return data || {};
    };
    window.d2lmini = window.d2lmini || {};
    window.d2lmini.checks = api;
    window.d2lmini.check = (name, answer) => check(name, answer, pageData());
    window.d2lmini.checkNames = () => Object.keys(pageData()).sort();
  }
})();
