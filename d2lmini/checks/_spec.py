"""Checks declared as data, and the one evaluator that runs them.

A declared check is a plain, JSON-serializable dictionary (a *spec*): the
shape of the answer, an ordered list of *cases* (each a rule, a verdict, a
message and a hint) and the fall-through message and hint. Python judges
an answer with :func:`evaluate`; the website judges it with the twin in
``d2lmini/js/checks.js``, from the same data (:func:`export`). The module
docstring of :mod:`d2lmini.checks` says how to declare a check.

The spec, field by field (:func:`declare` builds it):

``shape``
    ``[]`` for a number, ``[2]`` for a pair, ``[2, 2]`` for a 2 x 2 matrix.
``let``
    ``[[name, expression], ...]``: quantities computed from the answer, in
    order, for the rules and the messages (see *Expressions* below).
``cases``
    Tried in order; the first whose rule matches decides. A case is
    ``{"rule": ..., "passed": bool, "message": ..., "hint": ...}`` with
    the rule one of

    - ``{"kind": "shape", "shape": [...]}``: the answer is finite numbers
      of this shape (a number where a matrix is asked, say);
    - ``{"kind": "text", "words": [...]}``: the answer is one of these
      texts (compared lowercased, spaces collapsed);
    - ``{"kind": "invalid"}``: the answer is not finite numbers of the
      spec's shape (every spec has one, before its value rules);
    - ``{"kind": "close", "value": V, "rtol": r, "atol": a, "abs": b}``:
      every entry x of the answer (|x| when ``abs``) has
      ``math.isclose(x, v, rel_tol=r, abs_tol=a)`` with the entry v of V
      (``None`` entries of V match anything);
    - ``{"kind": "expr", "expr": "..."}``: a boolean expression is true;
    - ``{"kind": "always"}``.

    The value rules (close, expr) match only an answer of the spec's shape.
``otherwise``
    ``{"message": ..., "hint": ...}`` when no case matched.
``flat`` (optional, ``true``)
    Any array with as many entries as the (one-dimensional) shape is read
    flat: a 1 x 2 tensor is a pair.
``keys`` (optional)
    ``[[key, hint], ...]``, one per entry of the shape: a dict (a JS
    object) answer is read as its values at these keys, in order; a
    missing key gets "the key 'KEY' is missing" with its hint, a value
    that is not a finite number "KEY should be a number, got ...".

Messages are templates: ``{{answer}}`` is the answer as given (a text in
quotes, numbers to six significant digits); ``{{EXPR}}`` or
``{{EXPR:FORMAT}}`` is an expression formatted as Python's ``format``
does, with FORMAT one of ``.Ng``, ``.Nf``, ``.Ne``, ``.N%`` (default
``.6g``).

Expressions: numbers, the answer ``v`` (a number) or its entries ``v0``,
``v1``, ... (row by row), the names of ``let``; ``+ - * / **``, comparisons,
``and``, ``or``, ``not``, parentheses, ``abs sqrt log exp floor ceil min
max`` and ``isclose(a, b, rtol, atol)`` (Python's ``math.isclose``).
They compute in float64 as JavaScript does: a division by zero or a
logarithm of zero gives an infinity or NaN, never an error.

A check whose data cost time (training runs) is registered with
:func:`declare_later`: its declaration runs when it is first used or
exported.

Typed text (a string answer) is read as numbers: ``0.5``, ``1e-3``, an
exact fraction ``2/3`` (integer numerator and denominator), a pair or list
``0.5, 0.9``, a matrix with rows separated by ``;`` (``1, 0; 0, 1``) or
written with brackets (``[[1, 0], [0, 1]]``); spaces are ignored inside a
number and U+2212 (the minus sign) counts as ``-``. A text that does not
read as numbers stays a text (for ``text`` rules and for the message).
"""

from __future__ import annotations

import copy
import importlib
import json
import math
import numbers
import pkgutil
import re
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

__all__ = ["always", "close", "declare", "declare_later", "evaluate",
           "export", "kernel_only", "mistake", "right", "shape_is", "text_is",
           "when"]

SPECS: dict[str, dict[str, Any]] = {}
# Checks whose data are costly to compute (training runs): name -> a
# function that declares it, called when the check is first needed.
LATER: dict[str, Callable[[], Any]] = {}

_RULE_KINDS = ("shape", "text", "invalid", "close", "expr", "always")
_VALUE_KINDS = ("close", "expr")
_FUNCTIONS = ("abs", "sqrt", "log", "exp", "floor", "ceil", "min", "max",
              "isclose")
_ARITY = {"min": None, "max": None, "isclose": 4}


# -- building a spec ---------------------------------------------------------

def close(value: Any, rtol: float = 1e-3, atol: float = 1e-12,
          abs: bool = False) -> dict[str, Any]:  # noqa: A002
    """Rule: every entry is ``math.isclose`` to ``value``'s (None: any)."""
    return {"kind": "close", "value": _plain(value), "rtol": float(rtol),
            "atol": float(atol), "abs": bool(abs)}


def when(expr: str) -> dict[str, Any]:
    """Rule: the boolean expression ``expr`` holds (see the module doc)."""
    return {"kind": "expr", "expr": expr}


def shape_is(shape: Sequence[int]) -> dict[str, Any]:
    """Rule: the answer is finite numbers of this shape."""
    return {"kind": "shape", "shape": [int(n) for n in shape]}


def text_is(*words: str) -> dict[str, Any]:
    """Rule: the answer is one of these texts (case and spaces ignored)."""
    return {"kind": "text", "words": [_normal_text(w) for w in words]}


def always() -> dict[str, Any]:
    """Rule: matches every answer that reaches it."""
    return {"kind": "always"}


def right(rule: dict[str, Any], message: str | None = None
          ) -> dict[str, Any]:
    """A passing case (message None: "WHAT = {{v}} is right.")."""
    return {"rule": rule, "passed": True, "message": message, "hint": ""}


def mistake(rule: dict[str, Any], message: str, hint: str | None = None
            ) -> dict[str, Any]:
    """A recognized mistake (hint None: the spec's hint)."""
    return {"rule": rule, "passed": False, "message": message, "hint": hint}


def _shape_words(shape: Sequence[int]) -> str:
    if not shape:
        return "a finite number"
    if len(shape) == 1:
        return ("a pair of numbers" if shape[0] == 2
                else f"{shape[0]} numbers")
    return " x ".join(map(str, shape)) + " matrix of numbers"


def declare(name: str, *, what: str, hint: str,
            cases: Sequence[dict[str, Any]], shape: Sequence[int] = (),
            let: Sequence[tuple[str, str]] = (),
            otherwise: str | None = None, invalid: str | None = None,
            invalid_hint: str | None = None, flat: bool = False,
            keys: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    """Declare the check of exercise ``name`` as data and register it.

    Args:
        name: ``"chapter.exercise"``.
        what: what the answer is, for the default messages ("the bound on
            eta").
        hint: the hint of the fall-through and of every mistake that gives
            none.
        cases: built with :func:`right` and :func:`mistake`, tried in
            order; shape and text rules go before the invalid-answer case,
            which this function inserts.
        shape: the answer's shape, ``()`` for a number.
        let: ``(name, expression)`` pairs, quantities for rules and
            messages.
        otherwise: the fall-through message (default "WHAT = {{v}} is not
            right yet." for a number).
        invalid: the message for an answer that is not finite numbers of
            the shape (default "WHAT should be ..., got {{answer}}").
        invalid_hint: its hint (default ``hint``).
        flat: read any array with the right number of entries (a 1 x 2
            tensor for a pair) as the flat shape.
        keys: ``(key, hint)`` pairs: a dict answer is read as its values at
            these keys, in this order (a missing key gets "the key ... is
            missing" and its hint); a list of the values works too.

    Returns:
        The spec (also registered: ``d2l.check(name, answer)`` runs it).
    """
    shape = [int(n) for n in shape]
    scalar = not shape
    default_right = f"{what} = {{{{v}}}} is right." if scalar else None
    first, rest = [], []
    for case in cases:
        case = dict(case)
        if case.get("passed") and case.get("message") is None:
            if default_right is None:
                raise ValueError(f"{name}: a passing case of a non-scalar "
                                 "check needs its own message")
            case["message"] = default_right
        if case.get("hint") is None:
            case["hint"] = hint
        kind = case.get("rule", {}).get("kind")
        (first if kind in ("shape", "text") else rest).append(case)
    bad = {"rule": {"kind": "invalid"}, "passed": False,
           "message": invalid or f"{what} should be {_shape_words(shape)}, "
                                 "got {{answer}}",
           "hint": invalid_hint or hint}
    if otherwise is None:
        if not scalar:
            raise ValueError(f"{name}: a non-scalar check needs its own "
                             "fall-through message")
        otherwise = f"{what} = {{{{v}}}} is not right yet."
    spec = {"shape": shape, "let": [[n, e] for n, e in let],
            "cases": first + [bad] + rest,
            "otherwise": {"message": otherwise, "hint": hint}}
    if flat:
        spec["flat"] = True
    if keys:
        spec["keys"] = [[k, h] for k, h in keys]
    LATER.pop(name, None)
    validate(spec, name)
    SPECS[name] = spec

    from . import exercise

    def run(answer: Any, spec: dict[str, Any] = spec):
        from . import Feedback
        ok, message, hint_ = evaluate(spec, answer)
        return Feedback("", ok, message, hint_)

    run.__doc__ = f"The declared check of {name} (see d2lmini.checks)."
    run.spec = spec
    exercise(name)(run)
    return spec


def declare_later(name: str, build: Callable[[], Any]) -> None:
    """Register check ``name``, whose ``build()`` calls :func:`declare`
    for it when it is first used or exported (its data cost time)."""
    from . import exercise

    LATER[name] = build

    def run(answer: Any):
        from . import _REGISTRY
        _build(name)
        return _REGISTRY[name](answer)

    run.__doc__ = f"The declared check of {name}, built on first use."
    exercise(name)(run)


def _build(name: str) -> None:
    build = LATER.get(name)
    if build is not None:
        build()
        if name not in SPECS:
            raise ValueError(f"building {name!r} declared no check of "
                             "that name")


def _plain(value: Any) -> Any:
    """Numbers (arrays, tensors) as nested lists of floats; None kept."""
    if value is None:
        return None
    if hasattr(value, "detach"):
        value = value.detach().cpu().tolist()
    elif hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return float(value)


# -- validating a spec (bad data: a clear ValueError) ------------------------

def _shape_of(value: Any) -> list[int] | None:
    if not isinstance(value, list):
        return []
    shapes = [_shape_of(v) for v in value]
    if not value or any(s is None or s != shapes[0] for s in shapes):
        return None
    return [len(value)] + shapes[0]


def _entries(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [x for v in value for x in _entries(v)]
    return [value]


def validate(spec: Any, name: str = "?") -> None:
    """Raise ValueError when ``spec`` is not a well-formed check spec."""
    def fail(why: str) -> None:
        raise ValueError(f"check spec {name!r}: {why}")

    if not isinstance(spec, dict):
        fail(f"a spec is a dict, got {type(spec).__name__}")
    missing = {"shape", "let", "cases", "otherwise"} - set(spec)
    if missing:
        fail(f"missing {sorted(missing)}")
    extra = set(spec) - {"shape", "let", "cases", "otherwise", "flat",
                         "keys"}
    if extra:
        fail(f"unknown fields {sorted(extra)}")
    if spec.get("flat", True) is not True:
        fail("flat is true or absent")
    shape = spec["shape"]
    if not (isinstance(shape, list) and all(
            isinstance(n, int) and n > 0 for n in shape)):
        fail(f"shape should be a list of positive integers, got {shape!r}")
    size = math.prod(shape)
    if "keys" in spec:
        keys = spec["keys"]
        if not (isinstance(keys, list) and keys and shape == [len(keys)]
                and all(isinstance(k, list) and len(k) == 2 and all(
                    isinstance(x, str) for x in k) for k in keys)):
            fail(f"keys are [key, hint] pairs, one per entry of the shape: "
                 f"{keys!r}")
    if "flat" in spec and len(shape) != 1:
        fail("flat needs a shape of one dimension")
    names = {"v"} if not shape else set()
    names |= {f"v{i}" for i in range(size)}
    for item in spec["let"]:
        if not (isinstance(item, list) and len(item) == 2
                and isinstance(item[0], str) and item[0].isidentifier()):
            fail(f"let entries are [name, expression], got {item!r}")
        _check_expr(item[1], names, fail)
        names.add(item[0])
    if not isinstance(spec["cases"], list) or not spec["cases"]:
        fail("cases should be a non-empty list")
    kinds = []
    for case in spec["cases"]:
        if not isinstance(case, dict) or set(case) != {
                "rule", "passed", "message", "hint"}:
            fail(f"a case has rule, passed, message and hint: {case!r}")
        rule = case["rule"]
        kind = rule.get("kind") if isinstance(rule, dict) else None
        if kind not in _RULE_KINDS:
            fail(f"unknown rule {rule!r} (known: {', '.join(_RULE_KINDS)})")
        if not isinstance(case["passed"], bool):
            fail(f"passed should be true or false: {case!r}")
        # Up to the invalid case the answer may be anything: its messages
        # can show {{answer}} only.
        known = names if "invalid" in kinds else set()
        kinds.append(kind)
        for key in ("message", "hint"):
            if not isinstance(case[key], str):
                fail(f"{key} should be a text: {case!r}")
            _check_template(case[key], known, fail)
        if kind == "close":
            if _shape_of(rule.get("value")) != shape:
                fail(f"close value {rule.get('value')!r} is not of shape "
                     f"{shape}")
            for x in _entries(rule["value"]) + [rule.get("rtol"),
                                                rule.get("atol")]:
                if x is not None and not (isinstance(x, float)
                                          and math.isfinite(x)):
                    fail(f"close needs finite float values and "
                         f"tolerances: {rule!r}")
            if rule["rtol"] < 0 or rule["atol"] < 0:
                fail(f"negative tolerance: {rule!r}")
        elif kind == "expr":
            _check_expr(rule.get("expr"), names, fail)
        elif kind == "shape":
            if not (isinstance(rule.get("shape"), list) and all(
                    isinstance(n, int) and n > 0 for n in rule["shape"])):
                fail(f"shape rule needs a shape: {rule!r}")
        elif kind == "text":
            if not all(isinstance(w, str) for w in rule.get("words", [1])):
                fail(f"text rule needs words: {rule!r}")
    if kinds.count("invalid") != 1:
        fail("exactly one invalid case is needed")
    if any(k in _VALUE_KINDS for k in kinds[:kinds.index("invalid")]):
        fail("value rules must come after the invalid case")
    other = spec["otherwise"]
    if not (isinstance(other, dict) and set(other) == {"message", "hint"}
            and all(isinstance(other[k], str) for k in other)):
        fail(f"otherwise is {{message, hint}}: {other!r}")
    _check_template(other["message"], names, fail)
    _check_template(other["hint"], names, fail)
    try:
        json.dumps(spec, allow_nan=False)
    except (TypeError, ValueError) as err:
        fail(f"not JSON-serializable ({err})")


def _check_expr(expr: Any, names: set[str], fail: Callable) -> None:
    if not isinstance(expr, str):
        fail(f"an expression is a text, got {expr!r}")
    try:
        tree = _parse(expr)
    except ValueError as err:
        fail(f"{expr!r}: {err}")
    unknown = _names(tree) - names
    if unknown:
        fail(f"{expr!r} uses unknown names {sorted(unknown)} "
             f"(known: {sorted(names)})")


def _check_template(text: str, names: set[str], fail: Callable) -> None:
    for field in _FIELD.findall(text):
        if field == "answer":
            continue
        expr, fmt = _split_field(field)
        if not _FORMAT.fullmatch(fmt):
            fail(f"unknown format {fmt!r} in {text!r}")
        _check_expr(expr, names, fail)


# -- reading an answer -------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_FRACTION = re.compile(r"([+-]?\d+)/(\d+)")


def _text_number(token: str) -> float | None:
    """One typed number: a decimal, 1e-3, or an exact fraction p/q."""
    token = "".join(token.split()).replace("\u2212", "-")
    if _NUMBER.fullmatch(token):
        value = float(token)
    else:
        match = _FRACTION.fullmatch(token)
        if not match or int(match[2]) == 0:
            return None
        value = float(Fraction(int(match[1]), int(match[2])))
    return value if math.isfinite(value) else None


def _bracketed(text: str) -> Any:
    """``[[1, 2], [3, 4]]`` or ``(0.5, 0.9)``: nested lists, or None."""
    pos = 0

    def item() -> Any:
        nonlocal pos
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos < len(text) and text[pos] in "[(":
            close_ = "]" if text[pos] == "[" else ")"
            pos += 1
            out = [item()]
            while True:
                while pos < len(text) and text[pos].isspace():
                    pos += 1
                if pos < len(text) and text[pos] == ",":
                    pos += 1
                    out.append(item())
                elif pos < len(text) and text[pos] == close_:
                    pos += 1
                    return out
                else:
                    raise ValueError
        start = pos
        while pos < len(text) and text[pos] not in ",[]()":
            pos += 1
        value = _text_number(text[start:pos])
        if value is None:
            raise ValueError
        return value

    try:
        out = item()
        if text[pos:].strip():
            return None
        return out
    except (ValueError, IndexError):
        return None


def read_text(text: str) -> Any:
    """Typed text as a number or nested lists of numbers, or None."""
    text = text.strip()
    if text[:1] in ("[", "("):
        return _bracketed(text)
    if ";" in text:
        rows = [[_text_number(t) for t in row.split(",")]
                for row in text.split(";")]
    elif "," in text:
        rows = [_text_number(t) for t in text.split(",")]
    else:
        return _text_number(text)
    return None if None in _entries(rows) else rows


def _value(answer: Any, depth: int = 0) -> Any:
    """A Python answer as a float or nested lists of floats (non-finite
    kept); raises TypeError for anything else."""
    if isinstance(answer, bool) or depth > 8:
        raise TypeError
    if isinstance(answer, str):
        out = read_text(answer)
        if out is None:
            raise TypeError
        return out
    if hasattr(answer, "detach"):  # a torch tensor
        answer = answer.detach().cpu().tolist()
    elif hasattr(answer, "tolist") and hasattr(answer, "dtype"):  # numpy
        if answer.dtype.kind not in "iuf":
            raise TypeError
        answer = answer.tolist()
    if isinstance(answer, bool):
        raise TypeError
    if isinstance(answer, (list, tuple)):
        return [_value(a, depth + 1) for a in answer]
    if isinstance(answer, numbers.Real):
        return float(answer)
    raise TypeError


def read(answer: Any) -> dict[str, Any]:
    """``{"kind": "numbers", "value", "shape", "finite"}``, ``{"kind":
    "text", "text"}`` or ``{"kind": "other"}``, and ``"described"``: the
    answer as the messages show it."""
    try:
        value = _value(answer)
    except (TypeError, ValueError, OverflowError, RuntimeError):
        value = None
    if isinstance(answer, str):
        described = repr(answer)
    elif value is not None:
        described = _describe(value)
    else:
        described = _describe_other(answer)
    if value is None:
        if isinstance(answer, str):
            return {"kind": "text", "text": answer, "described": described}
        return {"kind": "other", "described": described}
    shape = _shape_of(value)
    entries = _entries(value)
    return {"kind": "numbers", "value": value, "shape": shape,
            "entries": entries, "described": described,
            "finite": all(math.isfinite(x) for x in entries)}


def _describe(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_describe(v) for v in value) + "]"
    return format(value, ".6g")


def _describe_other(answer: Any) -> str:
    """An answer that is not numbers: numbers, texts, None and booleans
    as the page can show them too, anything else by its repr."""
    if answer is None or isinstance(answer, (bool, str)):
        return repr(answer)
    if isinstance(answer, numbers.Real):
        return format(float(answer), ".6g")
    if isinstance(answer, (list, tuple)):
        return "[" + ", ".join(_describe_other(a) for a in answer) + "]"
    if isinstance(answer, dict) and all(isinstance(k, str) for k in answer):
        return "{" + ", ".join(f"{k!r}: {_describe_other(v)}"
                               for k, v in answer.items()) + "}"
    return repr(answer)


def _normal_text(text: str) -> str:
    return " ".join(text.split()).lower()


# -- expressions -------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?"
                    r"|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_]\w*)|(\*\*|<=|>=|==|!=|[-+*/()<>,]))")
_PARSED: dict[str, Any] = {}


def _tokens(expr: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(expr):
        if expr[pos:].isspace():
            break
        match = _TOKEN.match(expr, pos)
        if not match:
            raise ValueError(f"cannot read {expr[pos:]!r}")
        number, name, op = match.groups()
        out.append(("num", number) if number else ("name", name) if name
                   else ("op", op))
        pos = match.end()
    return out


def _parse(expr: str) -> Any:
    """The syntax tree of an expression (cached); ValueError if bad."""
    if expr in _PARSED:
        return _PARSED[expr]
    toks = _tokens(expr)
    pos = 0

    def peek() -> tuple[str, str] | None:
        return toks[pos] if pos < len(toks) else None

    def take(value: str | None = None) -> tuple[str, str]:
        nonlocal pos
        tok = peek()
        if tok is None or (value is not None and tok[1] != value):
            raise ValueError(f"expected {value or 'more'} in {expr!r}")
        pos += 1
        return tok

    def or_() -> Any:
        node = and_()
        while peek() == ("name", "or"):
            take()
            node = ("or", node, and_())
        return node

    def and_() -> Any:
        node = not_()
        while peek() == ("name", "and"):
            take()
            node = ("and", node, not_())
        return node

    def not_() -> Any:
        if peek() == ("name", "not"):
            take()
            return ("not", not_())
        return cmp()

    def cmp() -> Any:
        node = add()
        tok = peek()
        if tok and tok[0] == "op" and tok[1] in ("<", "<=", ">", ">=",
                                                 "==", "!="):
            take()
            node = ("cmp", tok[1], node, add())
        return node

    def add() -> Any:
        node = mul()
        while peek() in (("op", "+"), ("op", "-")):
            node = ("bin", take()[1], node, mul())
        return node

    def mul() -> Any:
        node = unary()
        while peek() in (("op", "*"), ("op", "/")):
            node = ("bin", take()[1], node, unary())
        return node

    def unary() -> Any:
        if peek() == ("op", "-"):
            take()
            return ("neg", unary())
        if peek() == ("op", "+"):
            take()
            return unary()
        return power()

    def power() -> Any:
        node = atom()
        if peek() == ("op", "**"):
            take()
            node = ("bin", "**", node, unary())
        return node

    def atom() -> Any:
        tok = take()
        if tok[0] == "num":
            return ("num", float(tok[1]))
        if tok == ("op", "("):
            node = or_()
            take(")")
            return node
        if tok[0] == "name" and tok[1] not in ("and", "or", "not"):
            if peek() == ("op", "("):
                if tok[1] not in _FUNCTIONS:
                    raise ValueError(f"unknown function {tok[1]!r}")
                take()
                args = [or_()]
                while peek() == ("op", ","):
                    take()
                    args.append(or_())
                take(")")
                arity = _ARITY.get(tok[1], 1)
                if arity is not None and len(args) != arity:
                    raise ValueError(f"{tok[1]} takes {arity} argument(s)")
                return ("call", tok[1], args)
            return ("name", tok[1])
        raise ValueError(f"unexpected {tok[1]!r} in {expr!r}")

    tree = or_()
    if pos != len(toks):
        raise ValueError(f"unexpected {toks[pos][1]!r} in {expr!r}")
    _PARSED[expr] = tree
    return tree


def _names(tree: Any) -> set[str]:
    if tree[0] == "name":
        return {tree[1]}
    if tree[0] == "num":
        return set()
    if tree[0] == "call":
        return set().union(*(_names(a) for a in tree[2]))
    return set().union(*(_names(t) for t in tree[1:]
                         if isinstance(t, tuple)))


def _div(a: float, b: float) -> float:
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _pow(a: float, b: float) -> float:
    """a ** b as JavaScript's Math.pow gives it (no error, no complex)."""
    if math.isnan(b) or (math.isnan(a) and b != 0):
        return math.nan
    if (a == 1 or a == -1) and math.isinf(b):
        return math.nan  # JavaScript; C's pow gives 1
    try:
        return math.pow(a, b)
    except ZeroDivisionError:
        return math.inf
    except OverflowError:
        odd = b == math.floor(b) and b % 2 == 1
        return -math.inf if a < 0 and odd else math.inf
    except ValueError:
        if a == 0:  # 0 ** negative
            odd = b == math.floor(b) and b % 2 == 1
            return math.copysign(math.inf, a) if odd else math.inf
        return math.nan


def _log(x: float) -> float:
    if math.isnan(x) or x < 0:
        return math.nan
    return -math.inf if x == 0 else math.log(x)


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _round_fn(fn: Callable[[float], int]) -> Callable[[float], float]:
    def apply(x: float) -> float:
        return x if not math.isfinite(x) else float(fn(x))
    return apply


def _minmax(pick: Callable) -> Callable[..., float]:
    def apply(*xs: float) -> float:
        return math.nan if any(math.isnan(x) for x in xs) else pick(xs)
    return apply


_CALLS = {"abs": abs, "sqrt": lambda x: math.sqrt(x) if x >= 0 else math.nan,
          "log": _log, "exp": _exp, "floor": _round_fn(math.floor),
          "ceil": _round_fn(math.ceil), "min": _minmax(min),
          "max": _minmax(max),
          "isclose": lambda a, b, r, t: math.isclose(
              a, b, rel_tol=max(r, 0.0), abs_tol=max(t, 0.0))}
_COMPARE = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
            "==": lambda a, b: a == b, "!=": lambda a, b: a != b}


def _eval(tree: Any, env: dict[str, Any]) -> Any:
    op = tree[0]
    if op == "num":
        return tree[1]
    if op == "name":
        return env[tree[1]]
    if op == "neg":
        return -_eval(tree[1], env)
    if op == "not":
        return not _eval(tree[1], env)
    if op == "and":
        return bool(_eval(tree[1], env)) and bool(_eval(tree[2], env))
    if op == "or":
        return bool(_eval(tree[1], env)) or bool(_eval(tree[2], env))
    if op == "cmp":
        return _COMPARE[tree[1]](_eval(tree[2], env), _eval(tree[3], env))
    if op == "call":
        return float(_CALLS[tree[1]](*(float(_eval(a, env))
                                       for a in tree[2])))
    a, b = float(_eval(tree[2], env)), float(_eval(tree[3], env))
    if tree[1] == "+":
        return a + b
    if tree[1] == "-":
        return a - b
    if tree[1] == "*":
        return a * b
    if tree[1] == "/":
        return _div(a, b)
    return _pow(a, b)


# -- messages ----------------------------------------------------------------

_FIELD = re.compile(r"\{\{(.*?)\}\}")
_FORMAT = re.compile(r"\.?\d*[gfe%]")


def _split_field(field: str) -> tuple[str, str]:
    expr, _, fmt = field.rpartition(":")
    if not expr:
        return field.strip(), ".6g"
    return expr.strip(), fmt.strip()


def _render(text: str, env: dict[str, Any], described: str) -> str:
    def field(match: re.Match) -> str:
        if match[1].strip() == "answer":
            return described
        expr, fmt = _split_field(match[1])
        return format(float(_eval(_parse(expr), env)), fmt)
    return _FIELD.sub(field, text)


# -- the evaluator -----------------------------------------------------------

def _close(got: Any, want: Any, rule: dict[str, Any]) -> bool:
    if isinstance(want, list):
        return all(_close(g, w, rule) for g, w in zip(got, want))
    if want is None:
        return True
    return math.isclose(abs(got) if rule["abs"] else got, want,
                        rel_tol=rule["rtol"], abs_tol=rule["atol"])


def _matches(rule: dict[str, Any], seen: dict[str, Any],
             shape: list[int], env: dict[str, Any]) -> bool:
    kind = rule["kind"]
    numbers_ = seen["kind"] == "numbers" and seen["finite"]
    if kind == "always":
        return True
    if kind == "shape":
        return numbers_ and seen["shape"] == rule["shape"]
    if kind == "text":
        return (seen["kind"] == "text"
                and _normal_text(seen["text"]) in rule["words"])
    if kind == "invalid":
        return not (numbers_ and seen["shape"] == shape)
    if kind == "close":
        return _close(seen["value"], rule["value"], rule)
    return bool(_eval(_parse(rule["expr"]), env))


def evaluate(spec: dict[str, Any], answer: Any) -> tuple[bool, str, str]:
    """Judge ``answer`` by a declared spec: (passed, message, hint).

    The twin of ``evaluate`` in ``d2lmini/js/checks.js``.
    """
    if "keys" in spec and isinstance(answer, Mapping):
        for key, hint in spec["keys"]:
            if key not in answer:
                return False, f"the key {key!r} is missing", hint
            seen = read(answer[key])
            if not (seen["kind"] == "numbers" and seen["finite"]
                    and seen["shape"] == []):
                return (False, f"{key} should be a number, got "
                        f"{seen['described']}", hint)
        answer = [answer[key] for key, _ in spec["keys"]]
    seen = read(answer)
    if spec.get("flat") and seen["kind"] == "numbers" and seen["shape"]:
        seen["value"] = seen["entries"]
        seen["shape"] = [len(seen["entries"])]
    env = _environment(spec, seen)
    for case in spec["cases"]:
        if _matches(case["rule"], seen, spec["shape"], env):
            passed = case["passed"]
            return (passed, _render(case["message"], env, seen["described"]),
                    "" if passed else _render(case["hint"], env,
                                              seen["described"]))
    other = spec["otherwise"]
    return (False, _render(other["message"], env, seen["described"]),
            _render(other["hint"], env, seen["described"]))


def _environment(spec: dict[str, Any], seen: dict[str, Any]
                 ) -> dict[str, Any]:
    """v (a number), v0, v1, ... and the let quantities, for an answer of
    the spec's shape (empty otherwise)."""
    if not (seen["kind"] == "numbers" and seen["finite"]
            and seen["shape"] == spec["shape"]):
        return {}
    env: dict[str, Any] = {f"v{i}": x for i, x in enumerate(seen["entries"])}
    if not spec["shape"]:
        env["v"] = seen["value"]
    for name, expr in spec["let"]:
        env[name] = _eval(_parse(expr), env)
    return env


# -- export ------------------------------------------------------------------

def _load_all() -> list[str]:
    """Import every chapter's check module; their names, sorted."""
    from . import __path__ as path
    chapters = sorted(m.name for m in pkgutil.iter_modules(path)
                      if not m.name.startswith("_"))
    for chapter in chapters:
        importlib.import_module(f"{__package__}.{chapter}")
    return chapters


def export(chapter: str | None = None,
           names: Sequence[str] | None = None) -> dict[str, Any]:
    """The data of the declared checks, for a page: ``{name: spec}``,
    sorted by name, JSON-serializable and deterministic.

    Args:
        chapter: only this chapter's checks (``"gd"``, or a notebook name
            such as ``"minibatch-sgd"`` or ``"adam-paper"``: hyphens read
            as underscores).
        names: only these checks (each must be a declared check).

    Raises:
        ValueError: an unknown chapter, an unknown name, or a name whose
            check takes a function (it runs in a kernel only).
    """
    from . import _REGISTRY

    chapters = _load_all()
    selected = sorted(set(SPECS) | set(LATER))
    if chapter is not None:
        if not isinstance(chapter, str):
            raise TypeError(f"chapter should be a string, got {chapter!r}")
        key = {"minibatch-sgd": "minibatch"}.get(chapter,
                                                  chapter.replace("-", "_"))
        if key not in chapters:
            raise ValueError(f"no checks for chapter {chapter!r} (known: "
                             f"{', '.join(chapters)})")
        selected = [n for n in selected if n.split(".", 1)[0] == key]
    if names is not None:
        if isinstance(names, str):
            raise TypeError("names should be a list of check names, not "
                            "one string")
        for name in names:
            if name not in _REGISTRY:
                raise ValueError(f"there is no check named {name!r}")
            if name not in SPECS and name not in LATER:
                raise ValueError(f"{name!r} takes a function: it is checked "
                                 "in a kernel only, not declared as data")
        selected = [n for n in selected if n in set(names)]
    for name in selected:
        _build(name)
    out = {name: copy.deepcopy(SPECS[name]) for name in sorted(selected)}
    for name, spec in out.items():
        validate(spec, name)
    return out


def kernel_only(chapter: str | None = None) -> list[str]:
    """The checks whose answer is a function (not declared as data)."""
    from . import _REGISTRY

    _load_all()
    key = None if chapter is None else {"minibatch-sgd": "minibatch"}.get(
        chapter, chapter.replace("-", "_"))
    return sorted(n for n in _REGISTRY if n not in SPECS and n not in LATER
                  and (key is None or n.split(".", 1)[0] == key))
