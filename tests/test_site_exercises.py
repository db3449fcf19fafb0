"""Exercises answered in the page (scripts/book_exercises.py,
_static/d2lmini-exercises.{js,css}; issue 20).

The first tests take the build step alone: a page body holding the very
outputs that ``d2l.check`` gives on an unanswered cell goes through
:func:`book_exercises.answer_boxes`. The tests marked ``site`` build one
chapter (``scripts/build_one.py``, into test-output/one-exercises) and
answer its exercises in Chromium: wrong, right, after a reload, by
keyboard, on the front page, and against Python's verdicts.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import book_exercises as bx
import pytest
from conftest import CHAPTERS, OUTPUT, local_server

import d2lmini as d2l


def backtracking_step(f, f_grad, x):
    ...  # an unanswered code exercise, as its cell has it


def _unanswered(name, answer=...):
    """What the website shows for an unanswered check cell."""
    return d2l.check(name, answer)._repr_html_()


def _page(*outputs):
    """A body shaped as a built chapter: an Exercises heading, then one
    exercise per output, each with its check cell's output."""
    parts = ['<section id="exercises">\n<h2><span class="section-number">'
             '1.6. </span>Exercises<a class="headerlink" href="#exercises">'
             "#</a></h2>\n"]
    for k, out in enumerate(outputs, start=1):
        parts.append(
            f'<div class="exercise admonition" id="ex-{k}">\n'
            '<p class="admonition-title"><span class="caption-number">'
            f"Exercise 1.{k} </span></p>\n<section id=\"exercise-content\">"
            '<p>The question.</p><div class="cell docutils container">'
            '<div class="cell_input docutils container"><pre>d2l.check(...)'
            '</pre></div><div class="cell_output docutils container">'
            f'<div class="output text_html">{out}</div></div></div>'
            "</section></div>\n")
    parts.append("</section>")
    return "".join(parts)


SCRIPT = '<script src="_static/d2lmini-checks-0123456789ab.js"></script>'


def test_unanswered_outputs_are_recognized():
    """The pattern finds d2l.check's own unanswered outputs, tells a
    function's from a value's, and reads the exercise's caption."""
    body = _page(_unanswered("gd.lr_bound"),
                 _unanswered("gd.line_search", backtracking_step))
    assert bx.find_checks(body) == [
        bx.Check("gd.lr_bound", False, "Exercise 1.1"),
        bx.Check("gd.line_search", True, "Exercise 1.2")]
    # An answered check's output is not an unanswered cell.
    assert bx.find_checks(_page(d2l.check("gd.lr_bound", 0.5)
                                ._repr_html_())) == []


def test_box_replaces_the_verdict():
    """A check in the data gets a labelled box in place of the yellow
    verdict; the code cell stays; the data of that check and the script
    come once, before the first box; the count goes under the heading."""
    body = _page(_unanswered("gd.lr_bound"), _unanswered("gd.best_eta"))
    data = {"gd.lr_bound": {"kind": "fake", "x": 1},
            "gd.best_eta": {"kind": "fake", "x": "</script>"},
            "gd.rotated": {"kind": "fake"}}  # not on this page
    out, answerable = bx.answer_boxes(body, data, SCRIPT)
    assert answerable == ["gd.lr_bound", "gd.best_eta"]
    assert "no answer yet" not in out
    assert out.count("<pre>d2l.check(...)</pre>") == 2  # the cells stay
    assert out.count(SCRIPT) == 1
    boxes = re.findall(r'<form class="d2lmini-answer" data-check="([^"]*)"',
                       out)
    assert boxes == ["gd.lr_bound", "gd.best_eta"]
    # Each input has its label, naming the exercise above it.
    for name, k in (("gd.lr_bound", 1), ("gd.best_eta", 2)):
        ident = "d2lmini-answer-" + name.replace(".", "-")
        assert (f'<label for="{ident}">Your answer to Exercise 1.{k}'
                f"</label>") in out
        assert f'<input id="{ident}"' in out
    assert out.count('aria-live="polite"') == 2
    # The page's data: its own checks only, and no "</script>" inside.
    found = re.search(r'<script type="application/json" '
                      r'id="d2lmini-checks-data">(.*?)</script>', out, re.S)
    assert found and found.start() < out.index(SCRIPT) < out.index("<form")
    assert json.loads(found.group(1)) == {
        "gd.lr_bound": data["gd.lr_bound"], "gd.best_eta": data["gd.best_eta"]}
    # The count, under the Exercises heading, before the first exercise.
    count = re.search(r'</h2>\n<p class="d2lmini-progress" '
                      r'data-checks="([^"]*)">(.*?)</p>\n<div class="exercise',
                      out)
    assert count, out[:600]
    assert json.loads(html.unescape(count.group(1))) == answerable
    assert "0</span> of 2 exercises answered in the page" in count.group(2)


def test_count_follows_the_opening_words():
    """The count goes before the section's first exercise, after the
    words that open the Exercises section, even when that exercise has no
    check."""
    body = _page("<p>no check here</p>", _unanswered("gd.lr_bound"))
    body = body.replace("</h2>\n", "</h2>\n<p>How to answer.</p>\n", 1)
    out, _ = bx.answer_boxes(body, {"gd.lr_bound": {}}, SCRIPT)
    assert re.search(r'</h2>\n<p>How to answer.</p>\n<p class="d2lmini-'
                     r'progress"[^>]*>.*?</p>\n<div class="exercise '
                     r'admonition" id="ex-1">', out)


def test_function_check_gets_a_note_and_unknown_stays():
    """A function's check gets the one-line note on where to run it, and
    is counted apart; a value check the data does not know stays as it
    is; a page with no known check gets no count and no script."""
    body = _page(_unanswered("gd.lr_bound"),
                 _unanswered("gd.line_search", backtracking_step),
                 _unanswered("gd.best_eta"))
    out, answerable = bx.answer_boxes(
        body, {"gd.lr_bound": {"kind": "fake"}}, SCRIPT)
    assert answerable == ["gd.lr_bound"]
    assert out.count(bx.CODE_NOTE) == 1
    assert "make lab" in bx.CODE_NOTE and "notebook" in bx.CODE_NOTE
    unknown = _unanswered("gd.best_eta")
    assert out.count(unknown) == 1  # left as it was
    assert out.count("no answer yet") == 1
    assert ("1 code exercise is checked in a notebook and not counted"
            in out)
    # No data at all: the function's note only.
    out, answerable = bx.answer_boxes(body, {}, SCRIPT)
    assert answerable == [] and SCRIPT not in out
    assert "d2lmini-progress" not in out and out.count(bx.CODE_NOTE) == 1
    # No check cell: the body is returned as it came.
    plain = _page("<p>a table</p>")
    assert bx.answer_boxes(plain, {"gd.lr_bound": {}}, SCRIPT) == (plain, [])


def test_help_says_what_to_type():
    """The line under the input follows the check's data: a number, n
    numbers, a matrix, or a word; for every check declared as data."""
    assert "A number" in bx.answer_help({"shape": [], "cases": []})
    assert "2 numbers separated by commas" in bx.answer_help(
        {"shape": [2], "cases": []})
    assert "A 2 \u00d7 3 matrix" in bx.answer_help(
        {"shape": [2, 3], "cases": []})
    assert "word" in bx.answer_help(
        {"shape": [], "cases": [{"rule": {"kind": "text"}}]})
    for name, spec in d2l.checks.export().items():
        assert bx.answer_help(spec), name


def test_export_leaves_out_functions_and_unknown_names():
    data = bx.export(["gd.lr_bound", "gd.line_search", "gd.no_such"])
    assert list(data) == ["gd.lr_bound"]
    assert data["gd.lr_bound"] == d2l.checks.export(names=["gd.lr_bound"])[
        "gd.lr_bound"]


# Typed answers for the stripped-evaluator test: numbers, fractions,
# pairs, matrices, words, nothing readable.
TYPED = ["0.5", "1e-3", "2/3", "-1", "0", "100", "1e4", "0.5, 0.9",
         "1, 0; 0, 1", "[[1, -0.905], [-0.905, 1]]", "1, 2, 3", "adam",
         "", "1/0", "\u22120.5"]


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_stripped_evaluator_gives_the_same_verdicts(tmp_path):
    """The page's copy of d2lmini/js/checks.js, without comments and
    indentation, judges every declared check as the file does."""
    from conftest import REPO

    source = (REPO / "d2lmini" / "js" / "checks.js").read_text()
    stripped = tmp_path / "checks.js"
    stripped.write_text(bx.strip(source))
    assert len(stripped.read_text()) < 0.9 * len(source)
    assert not re.search(r"^\s*(//|/\*)", stripped.read_text(), re.M)
    data = d2l.checks.export()
    payload = json.dumps({"data": data, "cases": [
        [n, t] for n in data for t in TYPED]})
    runner = REPO / "tests" / "js" / "checks_run.js"
    results = [subprocess.run(
        ["node", str(runner), str(path)], input=payload, text=True,
        capture_output=True, check=True).stdout
        for path in (REPO / "d2lmini" / "js" / "checks.js", stripped)]
    assert results[0] == results[1]
    assert len(json.loads(results[0])["checks"]) == len(data) * len(TYPED)


def test_the_two_scripts():
    """The boxes' script and the evaluator, each stripped, each named by
    its own hash."""
    ui, evaluator = bx.scripts()
    assert "d2lmini:exercises" in ui and "data-evaluator" in ui
    assert "d2lmini-checks-data" in evaluator
    assert bx.static_name("checks", evaluator).startswith("d2lmini-checks-")
    assert bx.static_name("checks", evaluator) != bx.static_name(
        "checks", evaluator + ";")
    tag = bx.script_tag("../_static/a.js", "../_static/b.js")
    assert tag == ('<script src="../_static/a.js" data-evaluator='
                   '"../_static/b.js"></script>')


def test_front_page_list():
    """One item per chapter with its count (answerable checks only) and
    its code exercises, and the reset button."""
    out = bx.progress_list([
        ("chapters/gd.html", "1. Gradient descent",
         ["gd.lr_bound", "gd.best_eta"], 2),
        ("chapters/sgd.html", "2. SGD", [], 4)])
    items = re.findall(r"<li>(.*?)</li>", out)
    assert len(items) == 2
    assert '<a href="chapters/gd.html">1. Gradient descent</a>' in items[0]
    assert "of 2 passed" in items[0] and "2 code exercises" in items[0]
    names = re.search(r'data-checks="([^"]*)"', items[0]).group(1)
    assert json.loads(html.unescape(names)) == ["gd.lr_bound", "gd.best_eta"]
    assert "data-checks" not in items[1] and "4 code exercises" in items[1]
    assert 'class="d2lmini-progress-reset"' in out


def test_config_loads_the_extension():
    import yaml
    from conftest import REPO

    config = yaml.safe_load((REPO / "_config.yml").read_text())
    assert config["sphinx"]["local_extensions"]["book_exercises"] == "scripts"
    assert bx.PLACEHOLDER in (REPO / "intro.md").read_text()


@pytest.mark.parametrize("bad", ["", "gd.", "no such"])
def test_unrecognized_text_is_left_alone(bad):
    body = _page(f"<div>{bad}</div>")
    assert bx.answer_boxes(body, {"gd.lr_bound": {}}, SCRIPT) == (body, [])


# -- in Chromium ------------------------------------------------------------
# On the site built once per run (conftest's site_build), or on a small
# build named by D2LMINI_SITE_HTML, for a quick look while working:
#   .venv/bin/python scripts/build_one.py chapters/adagrad
#   D2LMINI_SITE_HTML=test-output/one-adagrad/_build/html \
#     .venv/bin/python -m pytest -o addopts="" -p no:xdist -m site \
#     tests/test_site_exercises.py

CHAPTER = "chapters/adagrad"
SHOTS = OUTPUT / "screenshots"
PHONE, DESKTOP = 390, 1280
# The exercise the flow test answers: a wrong answer with its own hint,
# then right answers typed two ways.
FLOW = ("adagrad.steps_to_one_percent", "100", ["1e4", "10000"])
# Answers typed into the page, per check of CHAPTER: right and wrong ones,
# the mistakes the checks recognize, and forms of writing (fractions,
# tuples, brackets). Their verdicts are not written here: Python's
# d2l.check gives them.
ANSWERS = {
    "adagrad.rotated_kappa": [
        "[[1, -0.905], [-0.905, 1]]", "1, -19/21; -19/21, 1",
        "[[4.2, -3.8], [-3.8, 4.2]]", "[[2.1, -1.9], [-1.9, 2.1]]", "20",
        "[[1, 0], [0, 1]]", "[[1, -0.905]]", "twenty"],
    "adagrad.gershgorin_bound": ["1.82353", "31/17", "4.5", "2/3", "x"],
    "adagrad.steps_to_one_percent": ["100", "1e4", "10000", "1e6", "-1"],
    "adagrad.first_step": [
        "-0.5, 0.5", "-0.5, -0.35355", "(0.5, -0.35355)", "0.35",
        "-0.4999999444, 0.3535533906", "[-0.4999999444, 0.3535533906]"],
}


def as_python(text):
    """What a notebook cell ``answer = TEXT`` holds, for the answers above:
    numbers, + and - signs, a / b and tuples or lists of them; any
    other text is taken as a string (a word the check may be asked)."""
    import ast
    import operator

    ops = {ast.Div: operator.truediv, ast.USub: operator.neg,
           ast.UAdd: operator.pos}

    def value(node):
        if isinstance(node, ast.Constant) and type(node.value) in (int,
                                                                     float):
            return node.value
        if isinstance(node, ast.UnaryOp) and type(node.op) in ops:
            return ops[type(node.op)](value(node.operand))
        if isinstance(node, ast.BinOp) and type(node.op) in ops:
            return ops[type(node.op)](value(node.left), value(node.right))
        if isinstance(node, ast.Tuple):
            return tuple(value(e) for e in node.elts)
        if isinstance(node, ast.List):
            return [value(e) for e in node.elts]
        raise ValueError(ast.dump(node))

    try:
        return value(ast.parse(text.strip(), mode="eval").body)
    except (SyntaxError, ValueError):
        return text.strip()


def _feedback_text(fb):
    """The verdict region's text for Python's verdict (see
    _static/d2lmini-exercises.js: show)."""
    text = f"{fb.verdict} {fb.message}"
    return text + (f"Hint: {fb.hint}" if fb.hint and not fb.passed else "")


@pytest.fixture(scope="module")
def html_dir(request):
    built = os.environ.get("D2LMINI_SITE_HTML")
    if built:
        return Path(built).resolve()
    return request.getfixturevalue("site_build")[2]


@pytest.fixture(scope="module")
def server(html_dir):
    """The site of this module (overrides conftest's for its `page`)."""
    with local_server(html_dir) as url:
        yield url


def _box(page, name):
    box = page.locator(f'form.d2lmini-answer[data-check="{name}"]')
    assert box.count() == 1, f"{CHAPTER}: no answer box for {name}"
    return box


def _use_a_box(page):
    """Focus the first box and wait for the evaluator (it loads after the
    page)."""
    page.locator("form.d2lmini-answer input").first.focus()
    page.wait_for_function("window.d2lmini && "
                           "typeof window.d2lmini.check === 'function'")


def _verdict(box):
    return box.locator(".d2lmini-verdict")


def _wait_verdict(page, box, start):
    """The verdict once shown (the script empties the region first, so
    that a screen reader hears the same verdict twice)."""
    box.locator(".d2lmini-verdict strong").wait_for()
    text = _verdict(box).text_content()
    assert text.startswith(start), text
    return text


@pytest.mark.site
@pytest.mark.xdist_group("site")
def test_answer_in_the_page(page, server):
    """Wrong, then right, by keyboard only; the count; a reload; the front
    page; reset (cancelled, then confirmed)."""
    name, wrong, rights = FLOW
    page.goto(f"{server}/{CHAPTER}.html", wait_until="load")
    box = _box(page, name)
    region = _verdict(box)
    assert region.get_attribute("aria-live") == "polite"
    assert region.get_attribute("role") == "status"
    field = box.locator("input")
    ident = field.get_attribute("id")
    label = box.locator(f'label[for="{ident}"]')
    assert label.text_content().startswith("Your answer to Exercise")
    # The code cell stays above the box.
    cell = box.locator("xpath=ancestor::div[contains(@class, 'cell ')]")
    assert "d2l.check" in cell.locator(".cell_input").text_content()
    count = page.locator("p.d2lmini-progress .d2lmini-progress-done")
    assert count.text_content() == "0"

    # Keyboard only: Tab from the element before the box reaches the input.
    field.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == ident
    page.keyboard.type(wrong)
    page.keyboard.press("Enter")
    fb = d2l.check(name, wrong)
    assert not fb.passed and fb.hint
    assert _wait_verdict(page, box, "Not yet") == _feedback_text(fb)
    assert count.text_content() == "0"
    # Right, checked with Tab to the button and Enter on it.
    page.keyboard.press("Control+A")
    page.keyboard.type(rights[0])
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Check"
    page.keyboard.press("Enter")
    fb = d2l.check(name, rights[0])
    assert fb.passed
    assert _wait_verdict(page, box, "Passed") == _feedback_text(fb)
    assert count.text_content() == "1"
    total = len(json.loads(page.locator("p.d2lmini-progress")
                           .get_attribute("data-checks")))
    assert f"1 of {total} exercise" in page.locator(
        "p.d2lmini-progress").text_content()

    # A later visit: still passed, the answer kept.
    page.reload(wait_until="load")
    box = _box(page, name)
    assert box.locator("input").input_value() == rights[0]
    text = _wait_verdict(page, box, "Passed")
    assert "earlier visit" in text
    assert count.text_content() == "1"

    # The front page counts it under the chapter.
    page.goto(f"{server}/intro.html", wait_until="load")
    item = page.locator(".d2lmini-progress-list li",
                        has=page.locator(f'a[href="{CHAPTER}.html"]'))
    assert item.count() == 1
    assert item.locator(".d2lmini-progress-done").text_content() == "1"
    assert f"1 of {total} passed" in item.text_content()
    # Reset: cancelled keeps, confirmed clears.
    reset = page.locator("button.d2lmini-progress-reset")
    page.once("dialog", lambda dialog: dialog.dismiss())
    reset.click()
    assert item.locator(".d2lmini-progress-done").text_content() == "1"
    page.once("dialog", lambda dialog: dialog.accept())
    reset.click()
    assert item.locator(".d2lmini-progress-done").text_content() == "0"
    page.goto(f"{server}/{CHAPTER}.html", wait_until="load")
    box = _box(page, name)
    assert box.locator("input").input_value() == ""
    assert _verdict(box).text_content() == ""
    assert count.text_content() == "0"
    assert not page.errors, page.errors


@pytest.mark.site
@pytest.mark.xdist_group("site")
def test_page_verdicts_equal_python(page, server):
    """Every check of the chapter answered in the page gives, for each
    answer of ANSWERS as typed, the verdict, message and hint of
    d2l.check on that text, and the verdict of d2l.check on the value a
    notebook cell would hold; every box's check has answers here, a right
    one among them."""
    page.goto(f"{server}/{CHAPTER}.html", wait_until="load")
    _use_a_box(page)
    data = json.loads(page.locator("#d2lmini-checks-data").text_content())
    boxes = page.locator("form.d2lmini-answer").evaluate_all(
        "forms => forms.map(f => f.dataset.check)")
    assert sorted(boxes) == sorted(data), "a box without data, or data "
    assert set(boxes) <= set(ANSWERS), (
        f"{CHAPTER}: give ANSWERS for {sorted(set(boxes) - set(ANSWERS))}")
    cases = [(n, t) for n in boxes for t in ANSWERS[n]]
    got = page.evaluate(
        "cases => cases.map(([name, text]) => window.d2lmini.check(name, "
        "text))", cases)
    right = set()
    for (name, text), result in zip(cases, got, strict=True):
        fb = d2l.check(name, text)  # the same text, read by Python
        assert (result["passed"], result["message"], result["hint"]) == (
            fb.passed, fb.message, fb.hint), (name, text)
        # and the verdict of the value a notebook cell would hold
        assert result["passed"] == d2l.check(name, as_python(text)).passed, (
            name, text, as_python(text))
        if fb.passed:
            right.add(name)
    assert right == set(boxes), f"no right answer for {set(boxes) - right}"
    # The code exercises: a one-line note each, counted apart.
    notes = page.locator(".d2lmini-answer-code").count()
    line = page.locator("p.d2lmini-progress").text_content()
    if notes:
        assert f"{notes} code exercise" in line
    assert not page.locator(".d2lmini-feedback-not-yet").count(), (
        "an unanswered cell is left with its yellow box")
    assert not page.errors, page.errors


def _shot(page, element, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    element.scroll_into_view_if_needed()
    element.screenshot(path=str(SHOTS / f"exercises-{name}.png"))


@pytest.mark.site
@pytest.mark.xdist_group("site")
def test_boxes_readable_in_both_themes_and_on_a_phone(page, server):
    """An answer wrong and one right, light and dark, desktop and phone:
    every text of the exercise >= 4.5:1, nothing wider than the column;
    screenshots in test-output/screenshots/exercises-*.png."""
    from test_site_theme import CONTRAST_JS, MIN_CONTRAST

    name, wrong, rights = FLOW
    for width in (DESKTOP, PHONE):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{server}/{CHAPTER}.html", wait_until="load")
        box = _box(page, name)
        exercise = page.locator("div.exercise", has=box)
        for mode in ("light", "dark"):
            page.evaluate(f"document.documentElement.dataset.theme = "
                          f"'{mode}'")
            for answer, start, kind in ((wrong, "Not yet", "wrong"),
                                        (rights[-1], "Passed", "right")):
                box.locator("input").fill(answer)
                box.locator("button").click()
                _wait_verdict(page, box, start)
                _shot(page, exercise, f"{kind}-{mode}-{width}")
                low = page.evaluate(CONTRAST_JS, [".d2lmini-live",
                                                  MIN_CONTRAST])["low"]
                assert not low, (mode, width, low)
                overflow = box.evaluate(
                    """f => { const a = f.closest('article')
                                  .getBoundingClientRect();
                              return [...f.querySelectorAll('*')].filter(e =>
                                e.getBoundingClientRect().right > a.right + 1)
                                .map(e => e.tagName); }""")
                assert not overflow, (mode, width, overflow)
    assert not page.errors, page.errors


@pytest.mark.site
@pytest.mark.xdist_group("site")
def test_printed_as_an_empty_box(page, server):
    """Printed: the question, the label and an empty box; no button, no
    verdict, no count, not the saved answer."""
    name, _, rights = FLOW
    page.goto(f"{server}/{CHAPTER}.html", wait_until="load")
    box = _box(page, name)
    box.locator("input").fill(rights[0])
    box.locator("button").click()
    _wait_verdict(page, box, "Passed")
    page.emulate_media(media="print")
    assert box.locator("label").is_visible()
    assert box.locator("input").is_visible()
    assert not box.locator("button").is_visible()
    assert not _verdict(box).is_visible()
    assert not page.locator("p.d2lmini-progress").is_visible()
    color = box.locator("input").evaluate("e => getComputedStyle(e).color")
    assert color == "rgba(0, 0, 0, 0)", color  # the typed answer unseen
    page.emulate_media(media="screen")


@pytest.mark.site
@pytest.mark.xdist_group("site")
def test_works_from_file_urls(browser, html_dir):
    """Opened from the disk (file://), with no server: the box answers
    and the progress is kept."""
    name, wrong, rights = FLOW
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto((html_dir / f"{CHAPTER}.html").as_uri(), wait_until="load")
        box = _box(page, name)
        box.locator("input").fill(rights[0])
        box.locator("input").press("Enter")
        assert _wait_verdict(page, box, "Passed") == _feedback_text(
            d2l.check(name, rights[0]))
        page.reload(wait_until="load")
        _wait_verdict(page, _box(page, name), "Passed")
    finally:
        context.close()
    assert not errors, errors


@pytest.mark.site
@pytest.mark.xdist_group("site")
def test_evaluator_loads_once_with_the_page(page, server):
    """The evaluator comes after the page, once, without a box being used:
    window.d2lmini.check answers as the boxes do (for tests and readers'
    own scripts); a box then needs no second copy."""
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{server}/{CHAPTER}.html", wait_until="load")
    page.wait_for_function("window.d2lmini && "
                           "typeof window.d2lmini.check === 'function'")

    def ours(kind):
        return [u for u in requested if f"/_static/d2lmini-{kind}-" in u]

    name, _, rights = FLOW
    result = page.evaluate("([n, a]) => window.d2lmini.check(n, a)",
                           [name, rights[0]])
    assert result["passed"], result
    box = _box(page, name)
    box.locator("input").fill(rights[0])
    box.locator("input").press("Enter")
    _wait_verdict(page, box, "Passed")
    assert len(ours("exercises")) == 1, requested
    assert len(ours("checks")) == 1, requested
    assert not page.errors, page.errors


@pytest.mark.site
@pytest.mark.xdist_group("site")
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_answers_in_the_page(page, server, html_dir, chapter):
    """On every chapter: no unanswered cell left with its yellow box (a
    check is answered in the page or is a function's, with its note); the
    page's data are d2lmini.checks.export's for its boxes; and the page
    judges the typed answers of TYPED as d2l.check does."""
    if not (html_dir / f"{chapter}.html").is_file():
        pytest.skip(f"{chapter} is not in this build")
    page.goto(f"{server}/{chapter}.html", wait_until="load")
    assert not page.locator(".d2lmini-feedback-not-yet").count(), (
        f"{chapter}: an exercise cell is left unanswered, neither declared "
        "as data nor a function's check")
    boxes = page.locator("form.d2lmini-answer").evaluate_all(
        "forms => forms.map(f => f.dataset.check)")
    if not boxes:
        assert not page.locator("#d2lmini-checks-data").count()
        return
    data = json.loads(page.locator("#d2lmini-checks-data").text_content())
    assert data == bx.export(boxes), f"{chapter}: the page's data are stale"
    _use_a_box(page)
    cases = [(n, t) for n in boxes for t in TYPED]
    got = page.evaluate(
        "cases => cases.map(([name, text]) => window.d2lmini.check(name, "
        "text))", cases)
    for (name, text), result in zip(cases, got, strict=True):
        fb = d2l.check(name, text)
        assert (result["passed"], result["message"], result["hint"]) == (
            fb.passed, fb.message, fb.hint), (chapter, name, text)
    assert not page.errors, page.errors
