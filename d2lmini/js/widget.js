/*
 * The trace widget: mount(node, cfg) builds one live trace (contour plot,
 * paths, f against the step, legend, sliders, buttons, the start point
 * moved by mouse, touch or keys) from the config that live.py's
 * LiveTrace puts in data-d2lmini-live; mountAll(document) mounts every one
 * of a page not mounted yet.
 *
 * One part of the live-trace library: d2lmini/live.py joins the files of
 * its JS_FILES, in that order, inside one function that defines root (the
 * window), T (Python's tables, D2LMINI_TABLES) and D3 (d3-contour), so
 * every name declared at the top of one file is seen by the others.
 */
var SYMBOLS = {lr: "η", momentum: "β", gamma: "γ", rho: "ρ",
               beta1: "β₁", beta2: "β₂", eps: "ε", momentum_decay: "ψ",
               weight_decay: "ν", noise: "σ", seed: "seed"};
var W = 420, H = 320, M = {l: 40, r: 10, t: 10, b: 30};
var SW = 260, SH = 210, SM = {l: 56, r: 10, t: 22, b: 30}, RH = 96;

function mount(root, cfg) {
  addStyle(root.ownerDocument || document);
  root.classList.add("d2lmini-live");
  root.innerHTML = "";
  // The keys a control uses stay with it: JupyterLab's notebook (command
  // mode) and the site's shortcuts would otherwise take an arrow key
  // pressed on a slider. Tab and Escape still leave the widget.
  root.addEventListener("keydown", function (evt) {
    var tag = evt.target && evt.target.tagName;
    var control = /^(INPUT|SELECT|BUTTON)$/.test(tag) ||
      (evt.target && evt.target.getAttribute &&
       evt.target.getAttribute("tabindex") !== null);
    if (control && evt.key !== "Tab" && evt.key !== "Escape") {
      evt.stopPropagation();
    }
  });
  var uid = "d2l" + (++counter) + "-" + Math.random().toString(36).slice(2, 7);
  var obj = objective(cfg.f);
  // The frame the trace was given, and the view shown: the same, or
  // zoomed out to every path when "fit view" is pressed.
  var frame0 = [cfg.xlim.slice(), cfg.ylim.slice()];
  var xlim = frame0[0], ylim = frame0[1], fit = false;
  var start = cfg.start.slice();
  var steps = cfg.steps, frame = steps, timer = null;
  var sched = cfg.schedule || null;  // the schedule the runs use now
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
    drawContours(gc, obj.value, xlim, ylim, sx, sy);
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
  // Under it, with a schedule: the learning rate of each run.
  var rateSvg = sched || cfg.schedules ? el("svg:svg", {
    viewBox: "0 0 " + SW + " " + RH, role: "img", "class": "d2l-rates",
    "aria-label": "learning rate against the step"}, sideBox) : null;

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

  // -- the schedule selector: a schedule of d2lmini.schedules (by its
  // label) and the sliders of its arguments, shown while it is chosen --
  if (cfg.schedules) {
    var schedBox = el("div", {"class": "d2l-controls d2l-schedule"}, root);
    var selLab = el("label", {}, schedBox);
    el("span", {"class": "d2l-name"}, selLab, "schedule");
    var select = el("select", {"aria-label": "learning-rate schedule",
                               "data-name": "schedule"}, selLab);
    var groups = {};
    cfg.schedules.forEach(function (c) {
      var args = c.args.slice(), labs = [];
      groups[c.kind] = {args: args, labs: labs};
      el("option", {value: c.kind}, select, c.label);
      Object.keys(c.sliders).forEach(function (name) {
        var s = c.sliders[name], i = c.names.indexOf(name);
        var lab = el("label", {}, schedBox);
        labs.push(lab);
        el("span", {"class": "d2l-name"}, lab, name);
        var input = el("input", {type: "range", min: s[0], max: s[1],
          step: s[2], value: args[i], "aria-label": c.label + ": " + name,
          "data-schedule": c.kind, "data-name": name}, lab);
        var out = el("output", {}, lab, input.value);
        input.addEventListener("input", function () {
          args[i] = parseFloat(input.value);
          out.textContent = input.value;
          if (select.value === c.kind) choose(c.kind);
        });
      });
    });
    var choose = function (kind) {
      sched = {};
      sched[kind] = groups[kind].args.slice();
      Object.keys(groups).forEach(function (k) {
        groups[k].labs.forEach(function (lab) { lab.hidden = k !== kind; });
      });
    };
    select.value = Object.keys(sched)[0];
    choose(select.value);
    select.addEventListener("change", function () {
      choose(select.value);
      recompute(true);
    });
    schedBox.addEventListener("input", function (evt) {
      if (evt.target !== select) recompute(true);
    });
  }

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
  function recompute(full) {
    runs.forEach(function (r) {
      try {
        r.result = run({optimizer: r.optimizer, hyperparams: r.hyperparams,
                        f: cfg.f, start: start, steps: steps,
                        schedule: sched});
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
    if (rateSvg) drawRates();
  }

  // The rate eta_t of each run against the step (its x axis is the side
  // plot's), up to the frame shown; dashed on to the end.
  function drawRates() {
    while (rateSvg.firstChild) rateSvg.removeChild(rateSvg.firstChild);
    var at = null, series = [], top = 0;
    try { at = schedule(sched); } catch (e) { return; }  // in the legend
    runs.forEach(function (r) {
      if (!r.result || !at || !("lr" in r.result.hyperparams)) return;
      var rates = [];
      for (var t = 1; t <= steps; t++) {
        rates.push(at(r.result.hyperparams.lr, t));
      }
      series.push({color: r.color, rates: rates});
      top = Math.max.apply(null, [top].concat(rates));
    });
    if (!series.length || !(top > 0)) return;
    var b = 18, pw2 = SW - SM.l - SM.r, ph2 = RH - 16 - b;
    var X = function (t) { return SM.l + t / Math.max(steps, 1) * pw2; };
    var Y = function (v) { return 16 + (1 - v / top) * ph2; };
    el("svg:rect", {x: SM.l, y: 16, width: pw2, height: ph2,
                    "class": "d2l-axis"}, rateSvg);
    [0, top].forEach(function (v) {
      el("svg:text", {x: SM.l - 6, y: Y(v) + 4, "text-anchor": "end"},
         rateSvg, num(v, 3));
    });
    el("svg:text", {x: SM.l, y: 11}, rateSvg, "learning rate ηₜ");
    series.forEach(function (s) {
      var seen = "", rest = "";
      s.rates.forEach(function (v, i) {
        var p = X(i + 1).toFixed(1) + "," + Y(v).toFixed(1);
        if (i + 1 <= Math.max(frame, 1)) seen += (seen ? "L" : "M") + p;
        if (i + 1 >= frame) rest += (rest ? "L" : "M") + p;
      });
      el("svg:path", {d: seen, "class": "d2l-path",
                      style: "stroke:" + s.color}, rateSvg);
      el("svg:path", {d: rest, "class": "d2l-path d2l-later",
                      style: "stroke:" + s.color}, rateSvg);
    });
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
