"""What every exercise check does, whatever its chapter: an unanswered
placeholder gets "no answer yet" (never an internal error with a line
number), and a number may be given as an exact fraction string."""

from __future__ import annotations

import importlib
import math
import pkgutil
import re
from fractions import Fraction
from pathlib import Path

import nbformat
import pytest

import d2lmini as d2l
import d2lmini.checks as checks
from d2lmini.checks import number

REPO = Path(__file__).resolve().parent.parent

for _mod in pkgutil.iter_modules(checks.__path__):
    importlib.import_module(f"d2lmini.checks.{_mod.name}")
ALL_CHECKS = sorted(checks._REGISTRY)
CALL = re.compile(r"""d2l\.check\(\s*["']([\w.]+)["']\s*,\s*(\w+)\s*\)""")


def placeholder_cells():
    """Every exercise cell of the chapters that still holds its `...`:
    (chapter, check name, the cell's source)."""
    found = []
    for path in sorted((REPO / "chapters").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "code" or "# your" not in cell.source:
                continue
            for name, _ in CALL.findall(cell.source):
                found.append((path.stem, name, cell.source))
    return found


PLACEHOLDERS = placeholder_cells()


def test_placeholders_found():
    # The chapters have more than thirty exercise cells with a check.
    assert len(PLACEHOLDERS) >= 30, len(PLACEHOLDERS)


@pytest.mark.parametrize("chapter,name,source", PLACEHOLDERS,
                         ids=[f"{c}:{n}" for c, n, _ in PLACEHOLDERS])
def test_chapter_placeholder_says_no_answer_yet(chapter, name, source):
    """Run the exercise cell exactly as the page has it, untouched."""
    seen = []

    class Recorder:
        @staticmethod
        def check(check_name, answer):
            seen.append(d2l.check(check_name, answer))

        def __getattr__(self, attr):
            return getattr(d2l, attr)

    import numpy as np
    import torch
    exec(compile(source, f"<{chapter}>", "exec"),
         {"d2l": Recorder(), "np": np, "torch": torch, "math": math})
    assert seen, source
    for fb in seen:
        assert not fb.passed and fb.message == "no answer yet", str(fb)
        assert "line" not in fb.hint, str(fb)


def _stub(*args, **kwargs):
    ...


def _documented_stub(params, states, hyperparams):
    """A docstring and nothing else."""
    pass


@pytest.mark.parametrize("name", ALL_CHECKS)
@pytest.mark.parametrize("answer", [..., None, (..., ...), [..., 1.0],
                                    _stub, _documented_stub],
                         ids=["ellipsis", "none", "pair", "half-pair",
                              "stub", "documented-stub"])
def test_every_check_unanswered(name, answer):
    fb = d2l.check(name, answer)
    assert not fb.passed and fb.message == "no answer yet", str(fb)


@pytest.mark.parametrize("name", ALL_CHECKS)
@pytest.mark.parametrize("answer", ["abc", {}, object(), [[1, 2], [3]],
                                    float("nan")],
                         ids=["text", "dict", "object", "ragged", "nan"])
def test_every_check_wrong_kind_no_internal_line(name, answer):
    """A wrong kind of answer is "Not yet" with a hint, never a crash or
    a line number of the check's own code."""
    fb = d2l.check(name, answer)
    assert not fb.passed, str(fb)
    assert "line" not in fb.hint, str(fb)


def test_student_error_keeps_its_line():
    """An error in the student's own function still names its line, which
    is in the student's cell and helps."""
    def grad(t):
        return 1 / 0
    fb = d2l.check("adam.adam_vs_yogi", grad)
    assert not fb.passed and "ZeroDivisionError" in fb.message
    assert "of grad()" in fb.hint


def test_a_function_that_does_something_is_not_a_placeholder():
    def grad(t):
        return 0.0
    fb = d2l.check("adam.adam_vs_yogi", grad)
    assert fb.message != "no answer yet"


@pytest.mark.parametrize("text,value", [
    ("1/2", Fraction(1, 2)), ("31/17", Fraction(31, 17)),
    (" 31 / 17 ", Fraction(31, 17)), ("-3/4", Fraction(-3, 4)),
    ("0.5", Fraction(1, 2)), ("1e-3", Fraction(1, 1000)), ("7", 7)])
def test_fraction_strings_are_numbers(text, value):
    # float() of the exact fraction is the float nearest to it, so equality
    # is exact here, no tolerance needed.
    assert number(text) == float(value)


@pytest.mark.parametrize("text", ["1/0", "one half", "1/2/3", "", "nan",
                                  "inf", "1//2"])
def test_bad_strings_are_not_numbers(text):
    assert number(text) is None


def test_fraction_string_through_a_check(passes, not_yet):
    # The Gershgorin bound of the Adagrad exercise is exactly 31/17.
    passes("adagrad.gershgorin_bound", "31/17")
    passes("adagrad.gershgorin_bound", 31 / 17)
    not_yet("adagrad.gershgorin_bound", "17/31")
