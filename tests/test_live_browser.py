"""The live traces in a real browser, offline.

An offline page is made of ``live_trace_2d(...)._repr_html_()`` outputs
(what a notebook or the website shows), served from 127.0.0.1; every other
request is blocked and recorded. A slider moved with the keyboard changes
the path and its printed end point, which then agree with Python's path for
the new value; so do the start point moved by a click and the step buttons.
A noisy SGD run (seeded gradient noise) answers its sigma slider and its
"new noise" button with Python's noisy path.
Screenshots (light and dark, desktop and phone width, a diverging run,
three optimizers compared) land in test-output/screenshots/live-*.png.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest
from conftest import OUTPUT
from test_site import CHROMIUM, CHROMIUM_ARGS

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


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("live")
    body = "\n".join(_widget(n)._repr_html_() for n in WIDGETS)
    (root / "live.html").write_text(PAGE.format(body), encoding="utf-8")
    handler = functools.partial(_Quiet, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/live.html"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no chromium at {CHROMIUM}")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


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
    ref = live.live_path_2d("sgd_momentum", {"lr": 0.4, "momentum": 0.5}, F)
    np.testing.assert_allclose((x1, x2), ref.final, rtol=1e-9)
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
    ref = live.live_path_2d("sgd_momentum", {"lr": value, "momentum": 0.5},
                            F)
    np.testing.assert_allclose((y1, y2), ref.final, rtol=1e-9)
    # The printed end point is Python's, to the digits shown.
    shown = text2.split("(")[1].split(")")[0].replace("−", "-").split(", ")
    np.testing.assert_allclose([float(s) for s in shown], ref.final,
                               rtol=1e-3)
    # Step back and play: the end point follows the frame shown.
    w.get_by_role("button", name="one step back").click()
    z1, z2, t3, _ = _end(page, 0)
    assert t3 == 19 and (z1, z2) == pytest.approx(ref[19], rel=1e-9)
    assert "step 19 of 20" in w.inner_text()
    # Moving the start point with a click.
    box = w.locator(".d2l-main svg").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5,
                     box["y"] + box["height"] * 0.3)
    dot = w.locator(".d2l-start")
    start = (float(dot.get_attribute("data-x1")),
             float(dot.get_attribute("data-x2")))
    ref = live.live_path_2d("sgd_momentum", {"lr": value, "momentum": 0.5},
                            F, start=start)
    s1, s2, t4, _ = _end(page, 0)
    assert t4 == 20
    np.testing.assert_allclose((s1, s2), ref.final, rtol=1e-9)
    # The page's entry point gives Python's path too.
    pts = page.evaluate(
        "window.d2lmini.trace({optimizer: 'adam', hyperparams: {lr: 0.1},"
        " f: {rosenbrock: [1, 100]}, start: [-1, 1], steps: 30})")
    ref = live.live_path_2d("adam", {"lr": 0.1}, {"rosenbrock": [1, 100]},
                            (-1.0, 1.0), 30)
    np.testing.assert_allclose(pts, ref.points, rtol=1e-9)
    assert blocked == [] and errors == []
    context.close()


def test_diverging_run_and_three_optimizers(browser, server):
    context, page, blocked, errors = _open(browser, server)
    w = page.locator(".d2lmini-live").nth(1)
    ref = live.live_path_2d("sgd", {"lr": 0.55}, F)
    assert ref.diverges()
    status = w.locator(".d2l-main svg text.d2l-bad")
    assert "diverging" in status.text_content()
    assert w.locator("line.d2l-bad").count() == 1  # the arrow out
    w.locator("input[data-name=lr]").focus()
    page.keyboard.press("Home")  # lr = 0.05: converges, no arrow
    assert w.locator("line.d2l-bad").count() == 0
    assert status.text_content() == ""
    three = page.locator(".d2lmini-live").nth(2)
    items = three.locator(".d2l-legend li")
    assert items.count() == 3
    colours = {three.locator(".d2l-main path.d2l-path").nth(i)
               .evaluate("p => getComputedStyle(p).stroke")
               for i in range(3)}
    assert len(colours) == 3
    for i, run in enumerate(WIDGETS["three"]["runs"]):
        x1, x2, _, _ = _end(page, 2, i)
        ref = live.live_path_2d(run["optimizer"], run["hyperparams"],
                                {"rosenbrock": [1.0, 100.0]}, (-1.5, 2.0),
                                100)
        np.testing.assert_allclose((x1, x2), ref.final, rtol=1e-9)
    assert blocked == [] and errors == []
    context.close()


def test_noise_slider_and_new_noise_button_agree_with_python(browser,
                                                             server):
    context, page, blocked, errors = _open(browser, server)
    index = list(WIDGETS).index("noisy")
    w = page.locator(".d2lmini-live").nth(index)
    f = WIDGETS["noisy"]["f"]
    path = w.locator(".d2l-main path.d2l-path")

    def check(hp):
        x1, x2, t, _ = _end(page, index)
        ref = live.live_path_2d("sgd", hp, f, steps=50)
        assert t == 50
        np.testing.assert_allclose((x1, x2), ref.final, rtol=1e-9,
                                   atol=1e-12)
        return ref

    check({"lr": 0.1, "noise": 1.0, "seed": 0})
    assert w.locator(".d2l-seed").inner_text() == "seed 0"
    assert "σ" in w.locator("label").nth(1).inner_text()
    before = path.get_attribute("d")
    # sigma 1.0 -> 1.2 with the keyboard: another path, Python's.
    slider = w.locator("input[data-name=noise]")
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert float(slider.input_value()) == pytest.approx(1.2)
    after = path.get_attribute("d")
    assert after != before
    check({"lr": 0.1, "noise": 1.2, "seed": 0})
    # New noise: seed 1, another path, Python's.
    w.locator("button[data-name=new-noise]").click()
    assert w.locator(".d2l-seed").inner_text() == "seed 1"
    assert path.get_attribute("d") not in (before, after)
    check({"lr": 0.1, "noise": 1.2, "seed": 1})
    SHOTS.mkdir(parents=True, exist_ok=True)
    w.screenshot(path=str(SHOTS / "live-noisy.png"))
    # sigma 0: the exact gradient's path.
    slider.focus()
    page.keyboard.press("Home")
    exact = check({"lr": 0.1, "noise": 0.0, "seed": 1})
    np.testing.assert_array_equal(
        exact.points, live.live_path_2d("sgd", {"lr": 0.1}, f,
                                        steps=50).points)
    # The page's noise is Python's.
    xi = page.evaluate("window.d2lmini.noise2d(3, 40)")
    np.testing.assert_allclose(xi, d2l.noise_2d(3, 40), rtol=1e-12,
                               atol=1e-15)
    assert blocked == [] and errors == []
    context.close()


@pytest.mark.parametrize("width, scheme", [(1000, "light"), (1000, "dark"),
                                           (390, "light"), (390, "dark")])
def test_screenshots(browser, server, width, scheme):
    context, page, blocked, errors = _open(browser, server, width, scheme)
    SHOTS.mkdir(parents=True, exist_ok=True)
    kind = "phone" if width < 600 else "desktop"
    page.screenshot(path=str(SHOTS / f"live-{kind}-{scheme}.png"),
                    full_page=True)
    widgets = page.locator(".d2lmini-live")
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
