"""The live traces in a real browser, offline.

An offline page is made of ``live_trace_2d(...)._repr_html_()`` outputs
(what a notebook shows), served from 127.0.0.1; every other request is
blocked and recorded. A slider moved with the keyboard changes the path and
its printed end point, which then agree with the reference path for the new
value (``tests/live_reference.py``, within its derived tolerance); so do
the start point moved by a click and the step buttons. A noisy SGD run
(seeded gradient noise) answers its sigma slider and its "new noise" button
with the reference's noisy path. The status words say what happened: a
diverging run, a converging run that leaves the view (drawn to the frame's
edge; "fit view" follows it), the saddle's escape. The palette follows the
page's theme (``data-theme`` on ``<html>``, switched live) with every text
at 4.5:1 or more; a finger scrolling over the plot leaves the start point
where it is. A small site built with ``scripts/book_live.py`` carries the
library once per page. Screenshots (light and dark, desktop and phone
width, a diverging run, three optimizers compared, the saddle, the view
left) land in test-output/screenshots/live-*.png.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import live_reference as ref_
import numpy as np
import pytest
from conftest import OUTPUT, local_server

import d2lmini as d2l
from d2lmini import live

pytestmark = [pytest.mark.site]

SHOTS = OUTPUT / "screenshots"
F = {"quadratic": [0.1, 2.0, 0.0]}
WIDGETS = {
    "momentum": dict(f=F, optimizer="sgd_momentum",
                     hyperparams={"lr": 0.4, "momentum": 0.5},
                     sliders={"lr": (0.05, 1.0, 0.05),
                              "momentum": (0.0, 0.95, 0.05)},
                     label="Momentum on an ill-conditioned quadratic"),
    "diverging": dict(f=F, optimizer="sgd", hyperparams={"lr": 0.55},
                      sliders={"lr": (0.05, 0.6, 0.05)},
                      xlim=(-6, 2), ylim=(-4, 4),
                      label="Gradient descent with too large a step"),
    "three": dict(f={"rosenbrock": [1.0, 100.0]}, runs=[
        {"optimizer": "adam", "hyperparams": {"lr": 0.1},
         "sliders": {"lr": (0.01, 0.5, 0.01)}},
        {"optimizer": "rmsprop", "hyperparams": {"lr": 0.01, "gamma": 0.9},
         "sliders": {"lr": (0.001, 0.05, 0.001)}},
        {"optimizer": "sgd_momentum",
         "hyperparams": {"lr": 0.0005, "momentum": 0.9},
         "label": "momentum"},
    ], start=(-1.5, 2.0), steps=100, xlim=(-2, 2), ylim=(-1, 3),
        label="Three optimizers on Rosenbrock's function"),
    "noisy": dict(f={"quadratic": [1.0, 2.0, 0.0]}, optimizer="sgd",
                  hyperparams={"lr": 0.1, "noise": 1.0, "seed": 0},
                  sliders={"lr": (0.01, 0.45, 0.01),
                           "noise": (0.0, 3.0, 0.1)},
                  steps=50, xlim=(-6, 2), ylim=(-3, 3),
                  label="SGD with a noisy gradient"),
    # Converges, but its first step jumps out of the frame (x1 -> -0.8 x1).
    "view": dict(f={"quadratic": [1.0, 1.0, 0.0]}, optimizer="sgd",
                 hyperparams={"lr": 0.9}, start=(-1.0, 0.5), steps=30,
                 xlim=(-1.2, 0.2), ylim=(-0.2, 0.7),
                 label="A converging run that leaves the view"),
    "saddle": dict(f={"saddle": []}, runs=[
        {"optimizer": "sgd", "hyperparams": {"lr": 0.1}, "label": "GD"},
        {"optimizer": "sgd_momentum",
         "hyperparams": {"lr": 0.1, "momentum": 0.5}, "label": "momentum"},
    ], start=(-2.0, 0.01), steps=30, xlim=(-2.5, 0.5), ylim=(-1.5, 1.5),
        label="Escaping the saddle"),
    # The schedule selector, on noisy SGD.
    "schedule": dict(f={"quadratic": [1.0, 2.0, 0.0]}, optimizer="sgd",
                     hyperparams={"lr": 0.2, "noise": 1.0, "seed": 0},
                     sliders={"lr": (0.01, 0.45, 0.01)}, start=(-4.0, -2.0),
                     steps=60, xlim=(-5, 2), ylim=(-3, 3),
                     schedules=["constant_lr", "step_decay", "cosine_decay",
                                "warmup_cosine", "wsd", "one_cycle"],
                     label="SGD with a noisy gradient under a schedule"),
}
PAGE = ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        "<style>body{{max-width:760px;margin:1em auto;padding:0 8px;"
        "font-family:sans-serif}}@media (prefers-color-scheme:dark){{"
        "body{{background:#121212;color:#ced6dd}}}}</style></head>"
        "<body>{}</body></html>")


def _widget(name):
    kw = dict(WIDGETS[name])
    return d2l.live_trace_2d(kw.pop("f"), **kw)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("live")
    body = "\n".join(_widget(n)._repr_html_() for n in WIDGETS)
    (root / "live.html").write_text(PAGE.format(body), encoding="utf-8")
    with local_server(root) as url:
        yield f"{url}/live.html"


def _open(browser, url, width=1000, scheme="light"):
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  color_scheme=scheme)
    blocked, errors = [], []

    def only_local(route):
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(url)
    page.wait_for_selector(".d2lmini-live svg")
    return context, page, blocked, errors


def _case(name, run=0, **changes):
    """The reference case of run ``run`` of widget ``name``."""
    kw = WIDGETS[name]
    r = kw["runs"][run] if "runs" in kw else kw
    case = {"optimizer": r["optimizer"],
            "hyperparams": dict(r.get("hyperparams") or {}), "f": kw["f"],
            "start": list(kw.get("start", (-5.0, -2.0))),
            "steps": kw.get("steps", 20)}
    hp = changes.pop("hyperparams", {})
    case["hyperparams"].update(hp)
    case.update(changes)
    return case


def _agrees(point, t, case):
    """The page's point t of a run is the reference's (its tolerance:
    bit for bit without pow/exp/log/cos/sin, see tests/live_reference.py)."""
    ref, tol = ref_.tolerance(case)
    for i in range(2):
        assert abs(point[i] - ref["points"][t][i]) <= tol[t][i], (
            case, t, point, ref["points"][t])
    return ref


def _end(page, widget, run=0):
    end = page.locator(".d2lmini-live").nth(widget).locator(
        ".d2l-end").nth(run)
    return (float(end.get_attribute("data-x1")),
            float(end.get_attribute("data-x2")),
            int(end.get_attribute("data-t")), end.inner_text())


def test_keyboard_slider_moves_path_and_agrees_with_python(browser, server):
    context, page, blocked, errors = _open(browser, server)
    widgets = page.locator(".d2lmini-live")
    assert widgets.count() == len(WIDGETS)
    w = widgets.nth(0)
    path = w.locator(".d2l-main path.d2l-path")
    before_d = path.get_attribute("d")
    x1, x2, t, text = _end(page, 0)
    _agrees((x1, x2), t, _case("momentum"))
    slider = w.locator("input[data-name=lr]")
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    value = float(slider.input_value())
    assert value == pytest.approx(0.5)
    assert w.locator("output").first.inner_text() == slider.input_value()
    assert path.get_attribute("d") != before_d
    y1, y2, t2, text2 = _end(page, 0)
    assert text2 != text and t2 == 20
    case = _case("momentum", hyperparams={"lr": value})
    ref = _agrees((y1, y2), t2, case)
    # The printed end point is the reference's, to the digits shown, with
    # one minus sign (U+2212) and never a hyphen.
    shown = text2.split("(")[1].split(")")[0]
    assert "-" not in text2
    np.testing.assert_allclose(
        [float(v) for v in shown.replace("\u2212", "-").split(", ")],
        ref["points"][-1], rtol=1e-3)
    # Step back and play: the end point follows the frame shown.
    w.get_by_role("button", name="one step back").click()
    z1, z2, t3, _ = _end(page, 0)
    assert t3 == 19
    _agrees((z1, z2), 19, case)
    assert "step 19 of 20" in w.inner_text()
    # Moving the start point with a click.
    box = w.locator(".d2l-main svg").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5,
                     box["y"] + box["height"] * 0.3)
    dot = w.locator(".d2l-start")
    start = [float(dot.get_attribute("data-x1")),
             float(dot.get_attribute("data-x2"))]
    s1, s2, t4, _ = _end(page, 0)
    assert t4 == 20
    _agrees((s1, s2), 20, dict(case, start=start))
    # The page's entry point gives the reference path too.
    adam = {"optimizer": "adam", "hyperparams": {"lr": 0.1},
            "f": {"rosenbrock": [1, 100]}, "start": [-1, 1], "steps": 30}
    pts = page.evaluate(
        "window.d2lmini.trace({optimizer: 'adam', hyperparams: {lr: 0.1},"
        " f: {rosenbrock: [1, 100]}, start: [-1, 1], steps: 30})")
    ref_.assert_matches(adam, pts, None)
    assert blocked == [] and errors == []
    context.close()


def _status(w):
    return w.locator(".d2l-main svg text.d2l-status")


def test_status_words_and_three_optimizers(browser, server):
    context, page, blocked, errors = _open(browser, server)
    names = list(WIDGETS)
    # A diverging run: red words, and the path drawn up to the frame's
    # edge (no arrow instead of it).
    w = page.locator(".d2lmini-live").nth(names.index("diverging"))
    status = _status(w)
    assert status.text_content().startswith("diverging: f rose from 10.5 "
                                            "to 1.18e+04 in 20 steps")
    assert "d2l-bad" in status.get_attribute("class")
    assert w.locator("line.d2l-bad, marker").count() == 0  # no arrow
    d = w.locator(".d2l-main path.d2l-path").get_attribute("d")
    assert d.count("L") >= 5
    w.locator("input[data-name=lr]").focus()
    page.keyboard.press("Home")  # lr = 0.05: converges, no words
    assert status.text_content() == ""
    # A converging run whose first step leaves the view: its path is drawn
    # (clipped at the frame), the legend says it leaves the view, in the
    # note style, and "fit view" zooms out until it is all in view.
    w = page.locator(".d2lmini-live").nth(names.index("view"))
    note = w.locator(".d2l-legend [data-kind]")
    assert note.get_attribute("data-kind") == "view"
    assert "leaves the view at step 1: press fit view" in note.inner_text()
    assert note.get_attribute("class") == "d2l-note"
    assert "d2l-bad" not in _status(w).get_attribute("class")
    assert "diverg" not in w.inner_text()
    d = w.locator(".d2l-main path.d2l-path").get_attribute("d")
    assert d.count("L") == 30  # every step, cut at the frame by the clip
    x1, x2, t, text = _end(page, names.index("view"))
    assert abs(x1) < 1e-2 and abs(x2) < 1e-2 and t == 30
    SHOTS.mkdir(parents=True, exist_ok=True)
    w.screenshot(path=str(SHOTS / "live-view-left.png"))
    fit = w.locator("button[data-name=fit-view]")
    fit.click()
    assert fit.get_attribute("aria-pressed") == "true"
    assert note.inner_text() == "" and _status(w).text_content() == ""
    ticks = w.locator(".d2l-main svg text").all_text_contents()
    assert "\u22121" in ticks or "\u22121.2" in ticks
    w.screenshot(path=str(SHOTS / "live-view-fitted.png"))
    fit.click()
    assert "press fit view" in note.inner_text()
    # The saddle: escaping is the lesson, not a failure.
    w = page.locator(".d2lmini-live").nth(names.index("saddle"))
    assert _status(w).text_content() == "2 runs leaving the saddle"
    assert "d2l-bad" not in _status(w).get_attribute("class")
    legend = w.locator(".d2l-legend").inner_text()
    assert legend.count("leaves the saddle: f fell from 4 to \u2212") == 2
    assert "diverg" not in w.inner_text()
    w.screenshot(path=str(SHOTS / "live-saddle.png"))
    # Three optimizers on Rosenbrock's function.
    i3 = names.index("three")
    three = page.locator(".d2lmini-live").nth(i3)
    items = three.locator(".d2l-legend li")
    assert items.count() == 3
    colours = {three.locator(".d2l-main path.d2l-path").nth(i)
               .evaluate("p => getComputedStyle(p).stroke")
               for i in range(3)}
    assert len(colours) == 3
    for i in range(3):
        x1, x2, t, _ = _end(page, i3, i)
        _agrees((x1, x2), t, _case("three", i))
    assert blocked == [] and errors == []
    context.close()


def test_noise_slider_and_new_noise_button_agree_with_python(browser,
                                                             server):
    context, page, blocked, errors = _open(browser, server)
    index = list(WIDGETS).index("noisy")
    w = page.locator(".d2lmini-live").nth(index)
    path = w.locator(".d2l-main path.d2l-path")

    def check(hp):
        x1, x2, t, _ = _end(page, index)
        assert t == 50
        return _agrees((x1, x2), t, _case("noisy", hyperparams=hp))

    check({"lr": 0.1, "noise": 1.0, "seed": 0})
    assert w.locator(".d2l-seed").inner_text() == "seed 0"
    assert "σ" in w.locator("label").nth(1).inner_text()
    before = path.get_attribute("d")
    # sigma 1.0 -> 1.2 with the keyboard: another path, the reference's.
    slider = w.locator("input[data-name=noise]")
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert float(slider.input_value()) == pytest.approx(1.2)
    after = path.get_attribute("d")
    assert after != before
    check({"lr": 0.1, "noise": 1.2, "seed": 0})
    # New noise: seed 1, another path, the reference's.
    w.locator("button[data-name=new-noise]").click()
    assert w.locator(".d2l-seed").inner_text() == "seed 1"
    assert path.get_attribute("d") not in (before, after)
    check({"lr": 0.1, "noise": 1.2, "seed": 1})
    SHOTS.mkdir(parents=True, exist_ok=True)
    w.screenshot(path=str(SHOTS / "live-noisy.png"))
    # sigma 0: the exact gradient's path (no transcendental call: the
    # reference's bits).
    slider.focus()
    page.keyboard.press("Home")
    exact = check({"lr": 0.1, "noise": 0.0, "seed": 1})
    assert exact["calls"] == 0
    # The page's noise is Python's: log, cos, sin within 1 ulp on either
    # side, a few ulp (1e-15 relative) at most; 1e-12 leaves room.
    xi = page.evaluate("window.d2lmini.noise2d(3, 40)")
    np.testing.assert_allclose(xi, d2l.noise_2d(3, 40), rtol=1e-12,
                               atol=1e-15)
    assert blocked == [] and errors == []
    context.close()


# -- the page's theme, and contrast ------------------------------------------

CONTRAST_JS = """root => {
  function rgb(css) {
    const num = "([0-9.]+)";
    const m = new RegExp("rgba?[(]" + [num, num, num].join(", *") +
                         "(?:, *" + num + ")?").exec(css || "");
    return m ? {c: [+m[1], +m[2], +m[3]], a: m[4] === undefined ? 1 : +m[4]}
      : null;
  }
  function lum(c) {
    const l = c.map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
  }
  function background(el) {
    for (let n = el; n; n = n.parentElement) {
      const bg = rgb(getComputedStyle(n).backgroundColor);
      if (bg && bg.a > 0.99) return bg.c;
    }
    return [255, 255, 255];
  }
  const out = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    if (!t.textContent.trim()) continue;
    const el = t.parentElement;
    const st = getComputedStyle(el);
    if (st.display === "none" || st.visibility === "hidden") continue;
    const isSvg = el instanceof SVGElement;
    const fg = rgb(isSvg ? st.fill : st.color);
    const bg = background(el);
    const a = lum(fg.c), b = lum(bg);
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    out.push({text: t.textContent.trim().slice(0, 40), ratio: ratio,
              fg: fg.c, bg: bg});
  }
  return out;
}"""


def _contrast(widget):
    texts = widget.evaluate(CONTRAST_JS)
    assert len(texts) > 20  # ticks, legend, labels, buttons, status
    low = [t for t in texts if t["ratio"] < 4.5]
    assert low == [], low
    return min(t["ratio"] for t in texts)


def test_schedule_selector_changes_the_path_as_python(browser, server):
    # Switch the schedule, then move one of its sliders with the keyboard:
    # each time another path and end point, the reference's for that
    # schedule (tests/live_reference.py, within its tolerance), and the
    # learning-rate plot follows.
    context, page, blocked, errors = _open(browser, server)
    index = list(WIDGETS).index("schedule")
    w = page.locator(".d2lmini-live").nth(index)
    path = w.locator(".d2l-main path.d2l-path")
    rates = w.locator(".d2l-rates path.d2l-path").first
    hp = {"lr": 0.2, "noise": 1.0, "seed": 0}

    def check(schedule):
        x1, x2, t, text = _end(page, index)
        assert t == 60
        _agrees((x1, x2), t, _case("schedule", hyperparams=hp,
                                   schedule=schedule))
        return text

    select = w.locator("select[data-name=schedule]")
    assert select.input_value() == "constant_lr"
    assert w.locator("input[data-schedule]:visible").count() == 0
    end0, path0, rate0 = check(None), path.get_attribute("d"), \
        rates.get_attribute("d")
    select.select_option("wsd")
    # Python's defaults for 60 steps: warmup 6, decay over the last 12.
    end1 = check({"wsd": [6, 60, 12]})
    assert end1 != end0 and path.get_attribute("d") != path0
    assert rates.get_attribute("d") != rate0
    shown = w.locator("input[data-schedule]:visible")
    assert [shown.nth(i).get_attribute("data-name")
            for i in range(shown.count())] == [
        "warmup", "num_steps", "decay_steps"]
    # A longer decay: 12 -> 14 updates.
    decay = w.locator("input[data-schedule=wsd][data-name=decay_steps]")
    decay.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    end2 = check({"wsd": [6, 60, 14]})
    assert end2 != end1
    # A schedule that cannot be (warmup past the end): the page says why,
    # as Python would, and draws no path.
    warm = w.locator("input[data-schedule=wsd][data-name=warmup]")
    warm.focus()
    page.keyboard.press("End")
    status = w.locator(".d2l-legend .d2l-bad").first.inner_text()
    assert "warmup must be < num_steps (60)" in status
    select.select_option("one_cycle")
    check({"one_cycle": [60, 0.3, 25.0, 10000.0]})
    SHOTS.mkdir(parents=True, exist_ok=True)
    w.screenshot(path=str(SHOTS / "live-schedule.png"))
    assert blocked == [] and errors == []
    context.close()


def test_theme_follows_the_page_and_every_text_is_readable(browser, server):
    # The book's theme sets data-theme on <html> and its button switches
    # it while the page is open; the system preference is light here, so
    # only the attribute can make the widgets dark.
    context, page, blocked, errors = _open(browser, server, scheme="light")
    widgets = page.locator(".d2lmini-live")
    n = widgets.count()

    def dark():
        return [widgets.nth(i).evaluate(
            "e => e.classList.contains('d2l-dark')") for i in range(n)]

    assert dark() == [False] * n
    light = [_contrast(widgets.nth(i)) for i in range(n)]
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    page.wait_for_function(
        "document.querySelectorAll('.d2lmini-live.d2l-dark').length === "
        f"{n}")
    bg = widgets.nth(0).evaluate("e => getComputedStyle(e).backgroundColor")
    assert bg == "rgb(20, 24, 30)"
    night = [_contrast(widgets.nth(i)) for i in range(n)]
    SHOTS.mkdir(parents=True, exist_ok=True)
    widgets.nth(1).screenshot(path=str(SHOTS / "live-diverging-dark.png"))
    page.evaluate("document.documentElement.dataset.theme = 'light'")
    page.wait_for_function(
        "document.querySelectorAll('.d2lmini-live.d2l-dark').length === 0")
    # JupyterLab's dark themes say so on <body>.
    page.evaluate("document.documentElement.removeAttribute('data-theme');"
                  "document.body.dataset.jpThemeLight = 'false'")
    page.wait_for_function(
        "document.querySelectorAll('.d2lmini-live.d2l-dark').length === "
        f"{n}")
    print(f"lowest contrast: light {min(light):.2f}, dark {min(night):.2f}")
    assert blocked == [] and errors == []
    context.close()


# -- touch -------------------------------------------------------------------

def test_a_finger_scrolling_over_the_plot_leaves_the_start(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 700},
                                  has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(server)
    page.wait_for_selector(".d2lmini-live svg")
    w = page.locator(".d2lmini-live").nth(0)
    svg = w.locator(".d2l-main svg")
    svg.scroll_into_view_if_needed()
    dot = w.locator(".d2l-start")

    def start():
        return (dot.get_attribute("data-x1"), dot.get_attribute("data-x2"))

    before, scroll0 = start(), page.evaluate("window.scrollY")
    box = svg.bounding_box()
    x, y = box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.7
    cdp = context.new_cdp_session(page)
    # A swipe up over the plot, as a finger scrolls the page.
    cdp.send("Input.dispatchTouchEvent", {
        "type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for k in range(1, 11):
        cdp.send("Input.dispatchTouchEvent", {
            "type": "touchMove", "touchPoints": [{"x": x, "y": y - 20 * k}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd",
                                          "touchPoints": []})
    # Until the fling has stopped (a touch during one only stops it).
    last = None
    while last != page.evaluate("window.scrollY"):
        last = page.evaluate("window.scrollY")
        page.wait_for_timeout(250)
    assert start() == before
    assert page.evaluate("window.scrollY") > scroll0  # the page scrolled
    # A tap moves it.
    page.evaluate("window.scrollTo(0, 0)")
    box = svg.bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] * 0.5,
                         box["y"] + box["height"] * 0.3)
    assert start() != before
    # A drag that starts on the start point moves it with the finger.
    moved = start()
    c = dot.bounding_box()
    cx, cy = c["x"] + c["width"] / 2, c["y"] + c["height"] / 2
    cdp.send("Input.dispatchTouchEvent", {
        "type": "touchStart", "touchPoints": [{"x": cx, "y": cy}]})
    for k in range(1, 6):
        cdp.send("Input.dispatchTouchEvent", {
            "type": "touchMove",
            "touchPoints": [{"x": cx + 8 * k, "y": cy + 4 * k}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd",
                                          "touchPoints": []})
    assert start() != moved
    context.close()


@pytest.mark.parametrize("width, scheme", [(1280, "light"), (1280, "dark"),
                                           (390, "light"), (390, "dark")])
def test_screenshots(browser, server, width, scheme):
    context, page, blocked, errors = _open(browser, server, width, scheme)
    SHOTS.mkdir(parents=True, exist_ok=True)
    kind = "phone" if width < 600 else "desktop"
    page.screenshot(path=str(SHOTS / f"live-{kind}-{scheme}.png"),
                    full_page=True)
    widgets = page.locator(".d2lmini-live")
    # A page without a theme attribute: the widgets read its background
    # (dark under prefers-color-scheme: dark).
    dark = [widgets.nth(i).evaluate(
        "e => e.classList.contains('d2l-dark')") for i in range(3)]
    assert dark == [scheme == "dark"] * 3
    if kind == "desktop" and scheme == "light":
        widgets.nth(1).screenshot(path=str(SHOTS / "live-diverging.png"))
        widgets.nth(2).screenshot(path=str(SHOTS / "live-three.png"))
    # Nothing is wider than the phone's screen.
    assert page.evaluate(
        "document.documentElement.scrollWidth") <= width
    assert blocked == [] and errors == []
    context.close()


# -- the script once per page on a built site -------------------------------

MINI_CONF = """
extensions = ["myst_parser", "book_live"]
exclude_patterns = ["_build"]
html_theme = "basic"
"""


@pytest.fixture(scope="module")
def mini_site(tmp_path_factory):
    """A two-page Sphinx site with the book's extension: three live traces
    on one page, one on the other (raw HTML, as myst-nb writes outputs)."""
    root = tmp_path_factory.mktemp("mini")
    scripts = str(Path(live.__file__).parents[1] / "scripts")
    (root / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {scripts!r})\n" + MINI_CONF)
    outputs = [_widget(n)._repr_html_() for n in ("momentum", "diverging",
                                                  "three")]
    (root / "index.md").write_text(
        "# Three traces\n\n```{toctree}\nother\n```\n\n"
        + "\n\n".join("```{raw} html\n" + o + "\n```" for o in outputs))
    (root / "other.md").write_text(
        "# One trace\n\n```{raw} html\n" + _widget("saddle")._repr_html_()
        + "\n```\n")
    out = root / "_build"
    subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html",
                    str(root), str(out)], check=True, timeout=300)
    return out


def test_the_script_is_loaded_once_per_page(browser, mini_site):
    lib = live._library()
    name = f"d2lmini-live-{live._library_hash()}.js"
    assert (mini_site / "_static" / name).read_text() == lib
    for page_name, traces in (("index", 3), ("other", 1)):
        text = (mini_site / f"{page_name}.html").read_text()
        assert "data-d2lmini-live-lib" not in text
        assert text.count(f'src="_static/{name}"') == 1
        assert text.count("D2LMINI_TABLES") == 0
        assert text.count("data-d2lmini-live=") == traces
        assert len(re.findall(r"mountAll\(document\)", text)) == traces - 1
    # Every trace mounts, from file:// too.
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((mini_site / "index.html").as_uri())
    page.wait_for_function(
        "document.querySelectorAll('.d2lmini-live svg').length === 6")
    assert errors == []
    context.close()


def test_the_book_site_loads_the_script_once_per_page(site_build):
    # The real build (the site tests' fixture): each chapter page with
    # live traces loads one file, and no inline copy is left.
    html_dir = site_build[2]
    pages = sorted(html_dir.glob("chapters/*.html"))
    with_traces = 0
    for path in pages:
        text = path.read_text(encoding="utf-8")
        traces = text.count("data-d2lmini-live=")
        assert "data-d2lmini-live-lib" not in text, path.name
        assert text.count("D2LMINI_TABLES") == 0, path.name
        assert "application/vnd.jupyter.widget-state+json" not in text
        srcs = re.findall(r'src="\.\./_static/(d2lmini-live-[0-9a-f]{12}'
                          r'\.js)"', text)
        assert len(srcs) == (1 if traces else 0), path.name
        if traces:
            with_traces += 1
            assert (html_dir / "_static" / srcs[0]).read_text() == \
                live._library()
    assert with_traces >= 10


def check_site_page_in_both_themes(browser, html_dir, chapter, width):
    """On a built chapter page: every live trace light, then dark after the
    theme's own button is pressed (pydata-sphinx-theme switches
    data-theme on <html>), every text at 4.5:1 or more in both;
    screenshots in test-output/screenshots/live-site-*.png."""
    with local_server(html_dir) as base:
        url = f"{base}/chapters/{chapter}.html"
        context, page, blocked, errors = _open(browser, url, width)
        widgets = page.locator("article .d2lmini-live")
        n = widgets.count()
        assert n >= 1
        page.evaluate("document.documentElement.dataset.theme = 'light'")
        page.wait_for_function(
            "document.querySelectorAll('.d2lmini-live.d2l-dark').length "
            "=== 0")
        kind = "phone" if width < 600 else "desktop"
        SHOTS.mkdir(parents=True, exist_ok=True)
        lowest = {}
        for theme in ("light", "dark"):
            if theme == "dark":
                page.evaluate(
                    "document.documentElement.dataset.theme = 'dark'")
                page.wait_for_function(
                    "document.querySelectorAll('.d2lmini-live.d2l-dark')"
                    f".length === {n}")
            # (a trace inside a closed solution is not shown: not judged)
            lowest[theme] = min(_contrast(widgets.nth(i)) for i in range(n)
                                if widgets.nth(i).is_visible())
            widgets.first.scroll_into_view_if_needed()
            widgets.first.screenshot(path=str(
                SHOTS / f"live-site-{chapter}-{kind}-{theme}.png"))
        assert blocked == []
        context.close()
        return lowest


@pytest.mark.parametrize("width", [1280, 390])
def test_book_pages_live_traces_follow_the_theme(browser, site_build, width):
    lowest = check_site_page_in_both_themes(browser, site_build[2],
                                            "momentum", width)
    print(f"momentum at {width} px, lowest contrast: {lowest}")
