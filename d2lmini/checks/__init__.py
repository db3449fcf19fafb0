"""Automatic checks for the exercises.

A student calls ``d2l.check("gd.lr_bound", answer)`` in an exercise cell.
The answer goes to the check of that exercise, which lives in the module of
its chapter (``d2lmini/checks/gd.py`` for ``"gd.*"``). The result is a
:class:`Feedback`: it shows "Passed" or "Not yet" with a hint, both in a
notebook and as plain text, and never a traceback: a student's function
that raises is reported as a hint, not as a crash.

Two kinds of checks
-------------------
A check whose answer is a number, a pair or list of numbers, a matrix or a
short text is *declared as data* with :func:`declare`; the same data runs
in Python (``d2l.check``) and in the page (``d2lmini/js/checks.js``, which
reads ``export()``), so the website answers it without a kernel. A check
whose answer is a function is a Python function decorated with
``@exercise("CHAPTER.name")`` that returns ``passed(...)`` or
``not_yet(...)``; it runs in a kernel only.

How to declare a check
----------------------
In ``d2lmini/checks/CHAPTER.py``, at module level::

    from . import close, declare, mistake, right, shape_is, when

    # f(x) = 2 x**2 has lambda = 4; the bound is 2 / lambda. rtol 1e-3:
    # three significant digits, what a reader copies from a printout.
    declare(
        "gd.lr_bound",
        what="the bound on eta",             # for the default messages
        hint="write one step as ...",        # fall-through hint
        cases=[
            mistake(close(1.0, atol=0.0),    # a recognized mistake
                    "1 = 2 / lambda for f = x**2, ...",
                    "its own hint (or None: the hint above)"),
            right(close(0.5)),               # the expected value
        ],
    )

- ``cases`` are tried in order and the first that matches decides, so a
  mistake that lies within the tolerance of the answer goes before it.
  ``right(rule, message)`` passes; ``mistake(rule, message, hint)`` does
  not. Without a message, a number's ``right`` says "WHAT = 0.5 is right."
  and the fall-through says "WHAT = 0.7 is not right yet." (the wording of
  :func:`close_to`); pass ``otherwise="..."`` for another fall-through.
- Rules: ``close(value, rtol=1e-3, atol=1e-12, abs=False)`` (every entry
  ``math.isclose``; ``None`` entries match anything; ``abs=True`` compares
  the absolute value), ``when("expression")``, ``shape_is(())`` (e.g. a
  number where a matrix is asked: goes before the shape check),
  ``text_is("adam", "sgd")`` (a choice, case and spaces ignored) and
  ``always()``. Write each tolerance's reason in a comment next to it.
- ``shape=(2,)`` for a pair, ``(2, 2)`` for a matrix (default ``()``: a
  number). An answer that is not finite numbers of that shape gets
  ``invalid`` (default "WHAT should be a finite number, got 'abc'"), with
  ``invalid_hint`` (default ``hint``); non-scalar checks give their own
  ``otherwise`` and passing messages.
- Messages are templates: ``{{v}}`` is the answer (six significant
  digits), ``{{v0}}``, ``{{v1}}`` its entries, ``{{EXPR:.4f}}`` any
  expression with a format (``.Ng``, ``.Nf``, ``.Ne``, ``.N%``),
  ``{{answer}}`` the answer as given. Numbers known in advance are
  computed in Python when the module is imported and written into the
  text with an f-string (double the braces of a template field there:
  ``f"... {{{{v}}}} ... {best:.6f}"``).
- Quantities of the answer go in ``let=[("rate", "max(abs(1 - v * 2.0),
  abs(1 - v * 100.0))")]``, for ``when`` rules and messages. Expressions
  know ``+ - * / **``, comparisons, ``and or not`` and ``abs sqrt log exp
  floor ceil min max``; write float literals with ``repr`` so that the page
  gets the same double. ``gd.rate_check`` is an example.
- ``flat=True`` reads any array with the right number of entries (a
  1 x 2 tensor for a pair); ``keys=[(key, hint), ...]`` takes a dict
  answer by its keys (``minibatch.genie``); ``declare_later(name, build)``
  declares a check whose data cost time when it is first needed
  (``minibatch.best_lr`` trains five runs).
- Anything the data cannot say (an answer that is a function) stays an
  ``@exercise`` function. Computed mistake
  values are fine: ``close(float(kappa_of_M), atol=0.0)`` with
  ``kappa_of_M`` computed at import.

``declare`` validates the data (a ``ValueError`` names what is wrong) and
registers the check, so ``d2l.check`` is unchanged for students. Test it in
``tests/test_checks_CHAPTER.py`` with the ``not_yet``/``passes`` fixtures;
``tests/test_checks_js.py`` then runs every such answer, also typed as
text, through checks.js and compares the verdict, message and hint.

``export(chapter=None, names=None)`` returns ``{name: spec}`` of the
declared checks, sorted and JSON-serializable, for a page's
``<script type="application/json" id="d2lmini-checks-data">`` (see the top
of ``d2lmini/js/checks.js``); ``kernel_only(chapter)`` lists the function
checks. The data's format is described in ``d2lmini/checks/_spec.py``.

Introduced in ``chapters/gd.ipynb``.
"""

from __future__ import annotations

import dis
import html
import importlib
import math
import sysconfig
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

# The tools for declaring checks (declare, right, mistake, close, when,
# shape_is, text_is, always) and export/kernel_only are imported at the end
# from ._spec and reached as d2lmini.checks.NAME, like exercise and not_yet.
__all__ = ["Feedback", "check", "close_to", "exercise", "not_yet",
           "number", "passed"]

_REGISTRY: dict[str, Callable[[Any], Feedback]] = {}
# Set to a list to record every (name, answer) that check() receives
# (tests/conftest.py does, for the parity test of checks.js).
_RECORDED: list[tuple[Any, Any]] | None = None


@dataclass(frozen=True)
class Feedback:
    """The verdict of a check: passed or not yet, a message and a hint."""

    exercise: str
    passed: bool
    message: str
    hint: str = ""

    @property
    def verdict(self) -> str:
        return "Passed" if self.passed else "Not yet"

    def __str__(self) -> str:
        text = f"[{self.exercise}] {self.verdict}: {self.message}"
        if self.hint and not self.passed:
            text += f"\nHint: {self.hint}"
        return text

    __repr__ = __str__

    def _repr_html_(self) -> str:
        # Light colours with dark text wherever no stylesheet says otherwise
        # (JupyterLab and Colab, light or dark); the book's website sets the
        # CSS variables for its dark mode (_static/d2lmini-theme.css).
        kind, color, border = (
            ("passed", "#e8f5e9", "#2e7d32") if self.passed
            else ("not-yet", "#fff8e1", "#f9a825")
        )
        hint = (
            f"<br><em>Hint:</em> {html.escape(self.hint)}"
            if self.hint and not self.passed
            else ""
        )
        return (
            f'<div class="d2lmini-feedback d2lmini-feedback-{kind}" style="'
            f"background:var(--d2lmini-feedback-{kind}-bg,{color});"
            "color:var(--d2lmini-feedback-fg,#1f2328);"
            f"border-left:4px solid var(--d2lmini-feedback-{kind}-border,"
            f'{border});padding:6px 10px;margin:4px 0">'
            f"<strong>{self.verdict}</strong> "
            '<code style="color:inherit;background:none">'
            f"{html.escape(self.exercise)}</code>: "
            f"{html.escape(self.message)}{hint}</div>"
        )


def passed(message: str) -> Feedback:
    """A passing verdict (the exercise name is filled in by :func:`check`)."""
    return Feedback("", True, message)


def not_yet(message: str, hint: str = "") -> Feedback:
    """A not-yet verdict with a hint (the name is filled in by check)."""
    return Feedback("", False, message, hint)


def number(answer: Any) -> float | None:
    """``answer`` as a finite float, or ``None`` (for a bool too).

    A string is read as an exact number: ``"0.5"``, ``"1e-3"`` and the
    fractions ``"1/2"`` or ``"31/17"`` (spaces allowed) all work.
    """
    if isinstance(answer, bool):
        return None
    if isinstance(answer, str):
        try:
            answer = Fraction("".join(answer.split()))
        except (ValueError, ZeroDivisionError):
            return None
    try:
        value = float(answer)
    except (TypeError, ValueError, OverflowError):
        return None
    return value if math.isfinite(value) else None


def close_to(answer: Any, expected: float, what: str, hint: str,
             rtol: float = 1e-3, atol: float = 1e-12) -> Feedback:
    """Passed when ``answer`` is a number within ``rtol`` of ``expected``."""
    value = number(answer)
    if value is None:
        return not_yet(f"{what} should be a finite number, got {answer!r}",
                       hint)
    if math.isclose(value, expected, rel_tol=rtol, abs_tol=atol):
        return passed(f"{what} = {value:.6g} is right.")
    return not_yet(f"{what} = {value:.6g} is not right yet.", hint)


def exercise(name: str) -> Callable[[Callable[[Any], Feedback]],
                                    Callable[[Any], Feedback]]:
    """Register the decorated function as the check of exercise ``name``."""

    def register(fn: Callable[[Any], Feedback]) -> Callable[[Any], Feedback]:
        _REGISTRY[name] = fn
        return fn

    return register


def _lookup(name: str) -> Callable[[Any], Feedback] | None:
    chapter = name.split(".", 1)[0]
    if name not in _REGISTRY and chapter.isidentifier():
        try:
            importlib.import_module(f"{__name__}.{chapter}")
        except ModuleNotFoundError:
            return None
    return _REGISTRY.get(name)


def check(name: str, answer: Any) -> Feedback:
    """Check the answer to exercise ``name`` and say what to do next.

    Args:
        name: the exercise, as ``"chapter.exercise"`` (the exercise cell
            gives it).
        answer: a number, an array or a function, as the exercise asks.

    Returns:
        A :class:`Feedback`; it displays itself.
    """
    if _RECORDED is not None:
        _RECORDED.append((name, answer))
    fn = _lookup(name) if isinstance(name, str) else None
    if fn is None:
        known = ", ".join(sorted(_REGISTRY)) or "none loaded yet"
        return Feedback(
            str(name), False, "there is no check with this name",
            f"copy the name from the exercise cell (known: {known})",
        )
    if _unanswered(answer):
        return Feedback(
            name, False, "no answer yet",
            "write the body of your function in the cell above (it is "
            "still ...) and run this cell again" if callable(answer) else
            "replace the ... in the cell above with your answer and run "
            "this cell again",
        )
    try:
        result = fn(answer)
    except Exception as err:  # the student's code raised: report, not crash
        frames = traceback.extract_tb(err.__traceback__)
        mine = [f for f in frames if not _in_library(f.filename)]
        if not mine:  # no line of the student's: say so without lines
            return Feedback(
                name, False,
                f"the check could not use your answer "
                f"({type(err).__name__}: {err})",
                "give the kind of answer the exercise asks for (a number, "
                "a list of numbers or a function returning them)",
            )
        where = mine[-1]
        return Feedback(
            name, False,
            f"your answer raised {type(err).__name__}: {err}",
            f"the error came from line {where.lineno} of {where.name}(); "
            "run your function on a small input by hand to see why",
        )
    return Feedback(name, result.passed, result.message, result.hint)


_LIBRARY = tuple(
    {Path(__file__).resolve().parent.parent}  # d2lmini itself
    | {Path(sysconfig.get_paths()[key]).resolve()
       for key in ("stdlib", "platstdlib", "purelib", "platlib")})
_IGNORED = {"RESUME", "NOP", "CACHE", "PRECALL"}


def _in_library(filename: str) -> bool:
    """Whether a traceback frame is in d2lmini, the checks or an installed
    library (torch, numpy) rather than in the student's own code."""
    try:
        path = Path(filename).resolve()
    except (OSError, ValueError):
        return False
    return any(path.is_relative_to(root) for root in _LIBRARY)


def _is_stub(fn: Any) -> bool:
    """A function whose body is only ``...`` or ``pass`` (a docstring
    allowed): it does nothing and returns None."""
    code = getattr(fn, "__code__", None)
    if code is None or code.co_name == "<lambda>":  # a lambda is written
        return False
    ops = [(i.opname, i.argval) for i in dis.get_instructions(code)
           if i.opname not in _IGNORED]
    return ops in ([("LOAD_CONST", None), ("RETURN_VALUE", None)],
                   [("RETURN_CONST", None)])


def _unanswered(answer: Any, depth: int = 0) -> bool:
    """The cell's placeholder is still there: ``...`` or None, a list,
    tuple or dict holding a ``...``, or a function whose body is ``...``."""
    if answer is Ellipsis or answer is None:
        return True
    if isinstance(answer, dict):
        answer = list(answer.values())
    if depth < 3 and isinstance(answer, (list, tuple)):
        return any(_unanswered(a, depth + 1) for a in answer
                   if a is Ellipsis or isinstance(a, (list, tuple, dict)))
    return callable(answer) and _is_stub(answer)


# (after Feedback, which the declarations use; reached as
# d2lmini.checks.NAME, not in __all__)
from . import _spec  # noqa: E402

always, close, declare, evaluate = (_spec.always, _spec.close, _spec.declare,
                                    _spec.evaluate)
declare_later = _spec.declare_later
export, kernel_only, mistake, right = (_spec.export, _spec.kernel_only,
                                       _spec.mistake, _spec.right)
shape_is, text_is, when = _spec.shape_is, _spec.text_is, _spec.when
