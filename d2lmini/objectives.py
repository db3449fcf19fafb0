"""The 2-D test functions of the live traces, in Python.

Each objective is named by a small spec, the same in Python and in the
page's JavaScript (``d2lmini/js/objectives.js``), so a path can be computed on
both sides and compared:

==============================  =========================================
spec                            f(x1, x2)
==============================  =========================================
``{"quadratic": [a, b, c]}``    a x1² + b x2² + c x1 x2
``{"rosenbrock": [a, b]}``      (a - x1)² + b (x2 - x1²)²
``{"saddle": []}``              x1² - x2²
``{"multimodal": []}``          Himmelblau's function
                                (x1² + x2 - 11)² + (x1 + x2² - 7)²
==============================  =========================================

Himmelblau's function (Himmelblau, *Applied Nonlinear Programming*, 1972)
is the non-convex one: four minima, all with f = 0, at (3, 2),
(-2.805118, 3.131312), (-3.779310, -3.283186) and (3.584428, -1.848127),
a local maximum near (-0.27, -0.92) and four saddle points between. Which
minimum a run ends in depends on where it starts and on its step sizes.

The gradients are written out by hand in the same order of operations as
the JavaScript, so both sides compute the same floating-point numbers.

Introduced in ``chapters/gd.ipynb`` (the live traces).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["check_objective", "lower_bound", "objective_2d"]

# name -> number of coefficients, their names, and a default.
OBJECTIVES: dict[str, tuple[tuple[str, ...], list[float]]] = {
    "quadratic": (("a", "b", "c"), [0.1, 2.0, 0.0]),
    "rosenbrock": (("a", "b"), [1.0, 100.0]),
    "saddle": ((), []),
    "multimodal": ((), []),
}


def check_objective(f: Any) -> tuple[str, list[float]]:
    """Check an objective spec; return its name and its coefficients.

    Raises:
        ValueError: the spec is not one of the four forms, or a
            coefficient is not a finite number.
    """
    forms = ('{"quadratic": [a, b, c]}, {"rosenbrock": [a, b]}, '
             '{"saddle": []} or {"multimodal": []}')
    if callable(f):
        raise ValueError(
            "the live trace runs in the browser, so f is given by name, "
            f"not as a Python function: use {forms}")
    if not isinstance(f, Mapping) or len(f) != 1:
        raise ValueError(f"f must be one of {forms}, got {f!r}")
    ((name, coeffs),) = f.items()
    if name not in OBJECTIVES:
        raise ValueError(
            f"unknown objective {name!r}; f must be one of {forms}")
    names, _ = OBJECTIVES[name]
    if coeffs is None:
        coeffs = []
    if isinstance(coeffs, (str, bytes)) or not hasattr(coeffs, "__len__"):
        raise ValueError(
            f"{name} takes a list of {len(names)} numbers "
            f"({', '.join(names) or 'none'}), got {coeffs!r}")
    if len(coeffs) != len(names):
        raise ValueError(
            f"{name} takes {len(names)} coefficients "
            f"({', '.join(names) or 'none: write []'}), got {len(coeffs)}")
    out = []
    for n, c in zip(names, coeffs):
        if (isinstance(c, bool) or not isinstance(c, numbers.Real)
                or not math.isfinite(c)):
            raise ValueError(
                f"coefficient {n} of {name} must be a finite number, "
                f"got {c!r}")
        out.append(float(c))
    return name, out


def lower_bound(f: Mapping[str, Any]) -> float | None:
    """The infimum of f when f is bounded below, else ``None``.

    A live trace calls a run "diverging" only on an objective that is
    bounded below (f cannot fall for ever, so a rising f is a failure); on
    one that is not (the saddle), a run whose f falls away is escaping,
    which is the lesson, not an error.

    - quadratic a x1² + b x2² + c x1 x2: bounded below (by 0, its value
      at the origin) exactly when the quadratic form is positive
      semi-definite, a >= 0, b >= 0 and 4ab - c² >= 0; otherwise f falls
      without bound along some line through the origin;
    - rosenbrock (a - x1)² + b (x2 - x1²)²: bounded below by 0 when
      b >= 0; with b < 0, f falls without bound along x1 = 0;
    - saddle x1² - x2²: not bounded below (along the x2 axis);
    - multimodal (Himmelblau's function): a sum of squares, bounded below
      by 0 (reached at its four minima).

    ``tests/test_math_objectives.py`` checks each case.

    Example:
        >>> lower_bound({"quadratic": [0.1, 2.0, 0.0]})
        0.0
        >>> lower_bound({"saddle": []}) is None
        True

    Introduced in ``chapters/gd.ipynb`` (the live traces).
    """
    name, p = check_objective(f)
    if name == "quadratic":
        a, b, c = p
        return 0.0 if a >= 0 and b >= 0 and 4 * a * b - c * c >= 0 else None
    if name == "rosenbrock":
        return 0.0 if p[1] >= 0 else None
    if name == "saddle":
        return None
    return 0.0


def objective_2d(
    f: Mapping[str, Any],
) -> tuple[Callable[[Any, Any], Any], Callable[[Any, Any], tuple[Any, Any]]]:
    """The function and its gradient for an objective spec.

    Args:
        f: ``{"quadratic": [a, b, c]}``, ``{"rosenbrock": [a, b]}``,
            ``{"saddle": []}`` or ``{"multimodal": []}``.

    Returns:
        ``(f, f_grad)``: ``f(x1, x2)`` works on numbers and on tensors (for
        :func:`d2lmini.show_trace_2d`), ``f_grad(x1, x2) -> (g1, g2)``.
        ``f.spec`` is the spec, so a static trace plot of ``f`` judges a
        run by the spec's :func:`lower_bound`, as the live traces do.

    Example:
        >>> f, f_grad = objective_2d({"quadratic": [0.1, 2.0, 0.0]})
        >>> f_grad(-5.0, -2.0)
        (-1.0, -8.0)

    Introduced in ``chapters/gd.ipynb``.
    """
    name, p = check_objective(f)
    if name == "quadratic":
        a, b, c = p

        def value(x1, x2):
            return a * x1 * x1 + b * x2 * x2 + c * x1 * x2

        def grad(x1, x2):
            return 2 * a * x1 + c * x2, 2 * b * x2 + c * x1
    elif name == "rosenbrock":
        a, b = p

        def value(x1, x2):
            return (a - x1) * (a - x1) + b * (x2 - x1 * x1) * (x2 - x1 * x1)

        def grad(x1, x2):
            r = x2 - x1 * x1
            return -2 * (a - x1) - 4 * b * x1 * r, 2 * b * r
    elif name == "saddle":

        def value(x1, x2):
            return x1 * x1 - x2 * x2

        def grad(x1, x2):
            return 2 * x1, -2 * x2
    else:  # multimodal: Himmelblau's function

        def value(x1, x2):
            u = x1 * x1 + x2 - 11
            w = x1 + x2 * x2 - 7
            return u * u + w * w

        def grad(x1, x2):
            u = x1 * x1 + x2 - 11
            w = x1 + x2 * x2 - 7
            return 4 * x1 * u + 2 * w, 2 * u + 4 * x2 * w

    value.__name__ = value.__qualname__ = f"f_{name}"
    value.spec = {name: list(p)}  # type: ignore[attr-defined]
    grad.__name__ = grad.__qualname__ = f"f_grad_{name}"
    return value, grad
