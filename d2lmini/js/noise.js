/*
 * Gradient noise: the twin of d2lmini/noise.py (check_seed, the
 * Mulberry32 stream, Box-Muller, noise_2d) and of live.py's splitting of
 * noise and seed off an optimizer's hyperparameters.
 *
 * One part of the live-trace library: d2lmini/live.py joins the files of
 * its JS_FILES, in that order, inside one function that defines root (the
 * window), T (Python's tables, D2LMINI_TABLES) and D3 (d3-contour), so
 * every name declared at the top of one file is seen by the others.
 */
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
