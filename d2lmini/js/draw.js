/*
 * The drawing helpers of the widget: its stylesheet and colours (light and
 * dark palettes, which follow the page's theme), SVG elements, axis ticks,
 * the axes and the contour lines (d3-contour). Nothing here knows about
 * optimizers. Its top level runs in Node too (tests), where no page is.
 *
 * One part of the live-trace library: d2lmini/live.py joins the files of
 * its JS_FILES, in that order, inside one function that defines root (the
 * window), T (Python's tables, D2LMINI_TABLES) and D3 (d3-contour), so
 * every name declared at the top of one file is seen by the others.
 */
/* global D3 */
var SVGNS = "http://www.w3.org/2000/svg";
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
  ".d2lmini-live .d2l-end{font-variant-numeric:tabular-nums}",
  ".d2lmini-live [hidden]{display:none}",
  ".d2lmini-live select{font:inherit;color:inherit;background:",
  "var(--d2l-bg);border:1px solid currentColor;border-radius:4px;",
  "min-height:2em;flex:1 1 auto}",
  ".d2lmini-live .d2l-later{stroke-width:1;stroke-dasharray:3 3}",
  ".d2lmini-live .d2l-rates{margin-top:6px}"
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
// (None in Node, where there is no page either.)
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

// Contour lines of value over the view xlim x ylim into the group g:
// 14 levels at quantiles of a 96 x 80 grid, denser near the minimum.
function drawContours(g, value, xlim, ylim, sx, sy) {
  var nx = 96, ny = 80, vals = new Array(nx * ny);
  for (var j = 0; j < ny; j++) {
    var x2 = ylim[0] + j / (ny - 1) * (ylim[1] - ylim[0]);
    for (var i = 0; i < nx; i++) {
      var x1 = xlim[0] + i / (nx - 1) * (xlim[1] - xlim[0]);
      vals[j * nx + i] = value(x1, x2);
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
