"""The page's evaluator (d2lmini/js/checks.js) gives the verdict, message
and hint that d2l.check gives, for every answer of the check tests that a
page can hold, given as a value and as the text a reader types.

The cases are the (name, answer) pairs that d2l.check receives while
tests/test_checks_*.py run: this module runs them once in a subprocess with
D2LMINI_RECORD_CHECKS set (tests/conftest.py records), so it depends on no
other test of its own process or pytest-xdist worker. Python's side of each
comparison is d2l.check on the same JSON value that Node gets.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import EXECUTIONS, RUN_ID, _locked

import d2lmini as d2l
from d2lmini import checks
from d2lmini.checks import _spec

REPO = Path(__file__).resolve().parent.parent
CHECKS_JS = REPO / "d2lmini" / "js" / "checks.js"
RUNNER = REPO / "tests" / "js" / "checks_run.js"
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="needs Node.js")


def _node(payload: dict) -> dict:
    out = subprocess.run([NODE, str(RUNNER), str(CHECKS_JS)],
                         input=json.dumps(payload), capture_output=True,
                         text=True, timeout=120, check=True)
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def recorded() -> list[list]:
    """Every (name, answer) of the check tests a page could receive.

    Recorded once per test run (under a lock shared by the pytest-xdist
    workers of the run, test-output/executions/RUN_ID/), by a subprocess
    that runs the check tests themselves: nothing depends on which tests
    ran before in this process."""
    path = EXECUTIONS / RUN_ID / "check-cases.json"
    with _locked("check-cases"):
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            files = sorted(str(p) for p in (REPO / "tests").glob(
                "test_checks_*.py") if p.name != Path(__file__).name)
            partial = path.with_suffix(".partial")
            env = dict(os.environ, D2LMINI_RECORD_CHECKS=str(partial))
            env.pop("PYTEST_XDIST_WORKER", None)
            proc = subprocess.run(
                [sys.executable, "-m", "pytest", "-o", "addopts=", "-p",
                 "no:xdist", "-p", "no:cacheprovider", "-q", *files],
                cwd=REPO, env=env, capture_output=True, text=True,
                timeout=600)
            assert proc.returncode == 0, (proc.stdout[-3000:]
                                          + proc.stderr[-3000:])
            partial.replace(path)
    return json.loads(path.read_text(encoding="utf-8"))


def _typed(value) -> list[str]:
    """The texts a reader may type for a value: str() of the numbers, the
    rows separated by ';', the Python list, and an exact fraction."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return []
    if isinstance(value, (int, float)):
        texts = [str(value)]
        frac = Fraction(value).limit_denominator(1000)
        if frac.denominator > 1 and float(frac) == value:
            texts.append(f"{frac.numerator}/{frac.denominator}")
            texts.append(f"\u2212{-frac.numerator}/{frac.denominator}"
                         if frac < 0 else f" {frac} ")
        return texts
    if all(isinstance(v, (int, float)) and not isinstance(v, bool)
           for v in value):
        return [", ".join(map(str, value)), str(value)]
    if all(isinstance(row, list) and all(
            isinstance(v, (int, float)) and not isinstance(v, bool)
            for v in row) for row in value):
        return ["; ".join(", ".join(map(str, row)) for row in value),
                str(value)]
    return []


def _all_cases(recorded: list[list]) -> list[list]:
    declared = set(checks.export())
    cases = []
    for name, answer in recorded:
        cases.append([name, answer])
        if name in declared:
            cases.extend([name, text] for text in _typed(answer))
    return cases


@needs_node
def test_page_gives_pythons_feedback_on_every_recorded_case(recorded):
    data = checks.export()
    cases = _all_cases(recorded)
    covered = {name for name, _ in cases if name in data}
    # Every declared check has test cases (the recorder works).
    assert covered == set(data), sorted(set(data) - covered)
    results = _node({"data": data, "cases": cases})["checks"]
    assert len(results) == len(cases)
    compared = 0
    for (name, answer), page in zip(cases, results):
        if name not in data:
            continue  # a function check: kernel only
        fb = d2l.check(name, answer)
        assert (page["passed"], page["message"], page["hint"]) == (
            fb.passed, fb.message, fb.hint), (name, answer)
        assert page["verdict"] == fb.verdict
        compared += 1
    assert compared >= 2 * len(data), compared


def test_recorded_values_keep_their_verdict(recorded):
    """The JSON value the page gets (a tensor as a nested list, a numpy
    float as a float) has the verdict of the answer the test gave."""
    by_name: dict[str, set[bool]] = {}
    for name, answer in recorded:
        by_name.setdefault(name, set()).add(d2l.check(name, answer).passed)
    for name in checks.export():
        assert by_name.get(name) == {True, False}, name


@needs_node
def test_unknown_name_and_no_answer():
    data = checks.export("gd")
    res = _node({"data": data, "cases": [
        ["gd.nothing", 1.0], [3, 1.0], ["gd.lr_bound", None],
        ["gd.line_search", 0.5]]})["checks"]
    for page in res[:2]:
        assert not page["passed"]
        assert page["message"] == d2l.check("gd.nothing", 1.0).message
        assert page["hint"] == ("copy the name from the exercise cell "
                                f"(known: {', '.join(sorted(data))})")
    fb = d2l.check("gd.lr_bound", None)
    assert (res[2]["message"], res[2]["hint"]) == (fb.message, fb.hint)
    # a function check is not in the page's data: the page says so
    assert res[3]["message"] == "there is no check with this name"


# -- typed text and number formatting, edge cases ----------------------------

TEXTS = ["0.5", " 0.5 ", "1e-3", "1E+2", ".5", "5.", "-3", "+2", "2/3",
         "-3/4", " 31 / 17 ", "\u22120.25", "\u22121/2", "1 000", "0.5, 0.9",
         "0.5,0.9", "1, 0; 0, 1", "1, 0; 0", "[[1, -0.905], [-0.905, 1]]",
         "(0.5, 0.9)", "[1, [2]]", "[1, 2", "1/0", "1//2", "1/2/3", "1.5/2",
         "3/-4", "nan", "inf", "1e400", "abc", "", ";", "1,", "[]", "0x10",
         "1e-5", "0.1, 0.2, 0.3"]


@needs_node
def test_typed_text_reads_as_python_reads_it():
    page = _node({"read": TEXTS})["read"]
    for text, got in zip(TEXTS, page):
        assert got == _spec.read_text(text), text
    # spot checks of the reading itself, exact (float of the fraction)
    assert _spec.read_text("2/3") == float(Fraction(2, 3))
    assert _spec.read_text("\u22121/2") == -0.5
    assert _spec.read_text("1, 0; 0, 1") == [[1.0, 0.0], [0.0, 1.0]]
    assert _spec.read_text("1e400") is None  # not finite
    assert _spec.read_text("3/-4") is None


def test_a_typed_fraction_through_a_check(passes, not_yet):
    passes("adagrad.gershgorin_bound", "31/17")
    passes("adagrad.first_step", "-0.5, 0.353553")
    passes("adagrad.rotated_kappa", "1, -19/21; -19/21, 1")
    passes("adagrad.rotated_kappa", "[[1, \u221219/21], [\u221219/21, 1]]")
    not_yet("adagrad.rotated_kappa", "1, -19/21", "2 x 2")


AWKWARD = [1e-5, 123456789.0, 0.1 + 0.2, -0.0, 0.0, 0.125, 2.5, 0.5, 1.5,
           1e16, 1e-300, 5e-324, 1.7976931348623157e308, 999999.5, 9999995.0,
           0.00012345, -1e-10, 12345.678, 1 / 3, -2 / 3, 0.0196, 100.0,
           0.9607843137254902, 458.2105, 1e21, 123.456e-7, 0.05]
FORMATS = [".6g", ".4g", ".1g", ".0g", "g", ".4f", ".0f", ".2f", ".6f",
           ".1%", ".0%", ".3e", ".0e"]


@needs_node
def test_number_formatting_matches_python():
    values = AWKWARD + [-x for x in AWKWARD] + [math.nan, math.inf,
                                                -math.inf]
    cases, want = [], []
    for x in values:
        for spec in FORMATS:
            key = ("nan" if math.isnan(x) else "inf" if x == math.inf
                   else "-inf" if x == -math.inf
                   else "-0" if x == 0 and math.copysign(1, x) < 0 else x)
            cases.append([key, spec])
            want.append(format(x, spec))
    got = _node({"format": cases})["format"]
    assert got == want


@needs_node
def test_repr_of_texts_matches_python():
    texts = ["fifty", "it's", 'say "hi"', "both ' and \"", "back\\slash",
             "tab\there", "new\nline", "nbsp\u00a0", "\u2212", "caf\u00e9"]
    data = checks.export("gd")
    res = _node({"data": data, "cases": [["gd.lr_bound", t]
                                         for t in texts]})["checks"]
    for text, page in zip(texts, res):
        assert page["message"] == d2l.check("gd.lr_bound", text).message
        assert repr(text) in page["message"]


# -- the expressions, both sides ---------------------------------------------

EXPRESSIONS = ["-2 ** 2", "2 ** -1", "1 / 0", "-1 / 0", "0 / 0", "log(0)",
               "log(-1)", "sqrt(-1)", "exp(1000)", "10 ** 400",
               "(-8) ** (1 / 3)", "0 ** -1", "max(1, 3, 2)", "min(-0.0, 0)",
               "floor(-0.5)", "ceil(-0.5)", "abs(-3) + 1 * 2 - 4 / 8",
               "1 < 2 and not 3 < 2", "1 > 2 or 2 >= 2", "2 == 2.0",
               "log(0.96) / log(0.98) - 1"]


@needs_node
def test_expressions_agree():
    data = {}
    for i, expr in enumerate(EXPRESSIONS):
        data[f"x.e{i}"] = {
            "shape": [], "let": [["r", expr]],
            "cases": [{"rule": {"kind": "invalid"}, "passed": False,
                       "message": "bad", "hint": "h"}],
            "otherwise": {"message": "{{r:.17g}} {{r:.3f}}", "hint": "h"}}
    for name, spec in data.items():
        _spec.validate(spec, name)
    res = _node({"data": data, "cases": [[n, 1] for n in data]})["checks"]
    for spec, page in zip(data.values(), res):
        assert page["message"] == _spec.evaluate(spec, 1)[1], spec["let"]


# -- bad data ----------------------------------------------------------------

def _spec_ok() -> dict:
    return json.loads(json.dumps(checks.export("gd")["gd.lr_bound"]))


@pytest.mark.parametrize("breaks,words", [
    (lambda s: s.pop("cases"), "missing"),
    (lambda s: s.update(shape=[0]), "shape"),
    (lambda s: s["cases"][1]["rule"].update(kind="nearly"),
     "unknown rule"),
    (lambda s: s["cases"][1]["rule"].update(value=[0.5, 1.0]),
     "not of shape"),
    (lambda s: s["cases"][1]["rule"].update(rtol=-1.0), "negative"),
    (lambda s: s["cases"][1]["rule"].update(value=math.nan), "finite"),
    (lambda s: s["cases"].insert(0, dict(s["cases"].pop(1), message="ok")),
     "after the invalid case"),
    (lambda s: s["cases"][0].update(message="{{v}} is bad"),
     "unknown names"),
    (lambda s: s["otherwise"].update(message="{{w}}"), "unknown names"),
    (lambda s: s["otherwise"].update(message="{{v:x}}"), "unknown format"),
    (lambda s: s["let"].append(["r", "v +"]), "expected"),
    (lambda s: s["let"].append(["r", "pow(v, 2)"]), "unknown function"),
    (lambda s: s["cases"][1].update(passed="yes"), "true or false"),
])
def test_bad_spec_is_a_clear_error(breaks, words):
    spec = _spec_ok()
    _spec.validate(spec, "gd.lr_bound")  # the unbroken spec is fine
    breaks(spec)
    with pytest.raises(ValueError, match=words):
        _spec.validate(spec, "gd.lr_bound")


def test_export_filters_and_errors():
    everything = checks.export()
    assert list(everything) == sorted(everything)
    assert json.dumps(everything, sort_keys=True) == json.dumps(
        checks.export(), sort_keys=True)  # deterministic
    gd = checks.export("gd")
    assert set(gd) == {"gd.lr_bound", "gd.best_eta", "gd.rotated"}
    assert set(checks.export("gd", names=["gd.rotated"])) == {"gd.rotated"}
    assert "gd.line_search" in checks.kernel_only("gd")
    with pytest.raises(ValueError, match="no checks for chapter"):
        checks.export("nosuch")
    with pytest.raises(ValueError, match="no check named"):
        checks.export(names=["gd.nosuch"])
    with pytest.raises(ValueError, match="kernel only"):
        checks.export(names=["gd.line_search"])
    with pytest.raises(TypeError):
        checks.export(names="gd.rotated")
    # an export is a copy: changing it changes no check
    gd["gd.lr_bound"]["cases"].clear()
    assert d2l.check("gd.lr_bound", 0.5).passed


# -- rules no chapter uses yet, on made-up checks, both sides -----------------

def _made_up() -> dict:
    specs = {}
    saved = dict(_spec.SPECS)
    try:
        specs["x.choice"] = _spec.declare(
            "x.choice", what="the method", hint="think again",
            cases=[_spec.right(_spec.text_is("Adam", "adam w"),
                               "{{answer}} is right."),
                   _spec.mistake(_spec.text_is("sgd"), "not SGD")],
            invalid="name a method, got {{answer}}")
        specs["x.keyed"] = _spec.declare(
            "x.keyed", shape=(2,), keys=[("a", "a's hint"), ("b", "b's")],
            what="the two", hint="h", flat=True,
            cases=[_spec.mistake(_spec.close([1.0, None], atol=0.0),
                                 "a = {{v0}} is the old one"),
                   _spec.right(_spec.close([2.0, 3.0], abs=True),
                               "right: {{abs(v1):.2f}}")],
            otherwise="({{v0}}, {{v1}}) is not it")
    finally:  # leave the registry as it was
        _spec.SPECS.clear()
        _spec.SPECS.update(saved)
        checks._REGISTRY.pop("x.choice", None)
        checks._REGISTRY.pop("x.keyed", None)
    return specs


MADE_UP_ANSWERS = {
    "x.choice": ["Adam", "  ADAM   w ", "sgd", "rmsprop", 3.0, [1, 2],
                 "1/2", None],
    "x.keyed": [{"a": 1, "b": 5}, {"a": 2, "b": 3}, {"b": 3}, {"a": 2},
                [[2, 3]], [2, -3], "2, 3", "-2; 3", [1, 2, 3],
                {"a": "2", "b": [3]}, {"a": "x", "b": 1}, 2.0],
}


@needs_node
def test_made_up_rules_agree():
    data = _made_up()
    cases = [[n, a] for n, answers in MADE_UP_ANSWERS.items()
             for a in answers]
    results = _node({"data": data, "cases": cases})["checks"]
    verdicts = []
    for (name, answer), page in zip(cases, results):
        passed, message, hint = (_spec.evaluate(data[name], answer)
                                 if answer is not None else
                                 (False, "no answer yet", page["hint"]))
        assert (page["passed"], page["message"], page["hint"]) == (
            passed, message, hint), (name, answer)
        verdicts.append(passed)
    # the rules do decide: both verdicts occur, and the words of a case
    assert True in verdicts and False in verdicts
    assert _spec.evaluate(data["x.choice"], " adam w")[0]
    assert _spec.evaluate(data["x.keyed"], {"a": 1, "b": 5})[1] == (
        "a = 1 is the old one")
    assert _spec.evaluate(data["x.keyed"], {"b": 5})[1:] == (
        "the key 'a' is missing", "a's hint")
    assert _spec.evaluate(data["x.keyed"], [[-2.0, 3.0]])[1] == "right: 3.00"
    assert _spec.evaluate(data["x.keyed"], {"a": "x", "b": 1})[1:] == (
        "a should be a number, got 'x'", "a's hint")


@needs_node
def test_page_api_reads_the_pages_data():
    """On a page, window.d2lmini.check reads the JSON element of the
    convention, and checkNames lists what the page can answer."""
    data = checks.export("gd")
    script = f"""
      const vm = require("vm"), fs = require("fs");
      const el = {{textContent: {json.dumps(json.dumps(data))}}};
      const ctx = {{document: {{getElementById: (id) =>
        id === "d2lmini-checks-data" ? el : null}}}};
      ctx.window = ctx;
      vm.createContext(ctx);
      vm.runInContext(fs.readFileSync({json.dumps(str(CHECKS_JS))}, "utf8"),
                      ctx);
      process.stdout.write(JSON.stringify({{
        names: ctx.d2lmini.checkNames(),
        right: ctx.d2lmini.check("gd.lr_bound", "1/2"),
        wrong: ctx.d2lmini.check("gd.rotated", 1)}}));
    """
    out = subprocess.run([NODE, "-e", script], capture_output=True,
                         text=True, timeout=60, check=True)
    got = json.loads(out.stdout)
    assert got["names"] == sorted(data)
    fb = d2l.check("gd.lr_bound", "1/2")
    assert got["right"] == {"passed": True, "verdict": "Passed",
                            "message": fb.message, "hint": ""}
    fb = d2l.check("gd.rotated", 1)
    assert got["wrong"]["message"] == fb.message and not fb.passed


@needs_node
def test_typed_text_fuzz_reads_alike():
    """Random short texts over the characters of typed numbers read the
    same on both sides (2000 texts, one fixed seed)."""
    import random

    rng = random.Random(20)
    alphabet = "0123456789.,;/[]()-+eE \u2212 1 2 5 0"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 9)))
             for _ in range(2000)]
    page = _node({"read": texts})["read"]
    mine = [_spec.read_text(t) for t in texts]
    assert page == mine
    assert sum(m is not None for m in mine) > 100  # many do read
