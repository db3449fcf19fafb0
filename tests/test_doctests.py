"""Every example in d2lmini's docstrings runs and prints what it shows.

Each module's examples run as one doctest session (as ``python -m doctest``
would), with matplotlib drawing off screen. Only the modules that have
examples get a test; the last test checks that the finder sees them.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import matplotlib
import pytest

import d2lmini
import d2lmini.checks

matplotlib.use("Agg")  # set here, never in d2lmini

MODULES = sorted(
    ["d2lmini"]
    + [f"d2lmini.{m.name}" for m in pkgutil.iter_modules(d2lmini.__path__)]
    + [f"d2lmini.checks.{m.name}"
       for m in pkgutil.iter_modules(d2lmini.checks.__path__)]
)


def _examples(module) -> list[doctest.DocTest]:
    finder = doctest.DocTestFinder(exclude_empty=True)
    return [t for t in finder.find(module) if t.examples]


WITH_EXAMPLES = [name for name in MODULES
                 if _examples(importlib.import_module(name))]


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_docstring_examples_run(name):
    tests = _examples(importlib.import_module(name))
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    for test in tests:
        runner.run(test, out=report.append)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, "".join(report)


def test_the_examples_are_found():
    """The finder sees the package's examples (so the test above cannot
    pass by finding none)."""
    found = {name: len(_examples(importlib.import_module(name)))
             for name in MODULES}
    assert found["d2lmini.optim"] >= 2, found
    assert found["d2lmini.train"] >= 1, found
    assert sum(found.values()) >= 10, found
