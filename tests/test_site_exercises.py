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
import re

import book_exercises as bx
import pytest

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
    # The count, right under the Exercises heading.
    count = re.search(r'</h2>\n<p class="d2lmini-progress" '
                      r'data-checks="([^"]*)">(.*?)</p>', out)
    assert count, out[:600]
    assert json.loads(html.unescape(count.group(1))) == answerable
    assert "0</span> of 2 exercises answered in the page" in count.group(2)


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
