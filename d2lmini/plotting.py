"""Small plotting helpers that take and return a matplotlib ``Axes``.

Nothing here touches ``rcParams``: every setting is made on the ``Axes`` it
concerns. Introduced in ``chapters/gd.ipynb``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from ._args import check_labels, check_point, is_number

__all__ = ["new_axes", "plot", "set_axes"]

FIGSIZE = (3.5, 2.5)


# The scales matplotlib draws without extra arguments.
SCALES = ("linear", "log", "symlog", "logit")


def check_figsize(figsize: Any) -> tuple[float, float]:
    """A figure size: (width, height) in inches, both > 0."""
    width, height = check_point("figsize", figsize)
    if width <= 0 or height <= 0:
        raise ValueError(
            "figsize must be (width, height) in inches, both > 0, got "
            f"{figsize!r}")
    return width, height


def _check_lim(name: str, lim: Any) -> Any:
    """Axis limits: ``None`` or a pair (low, high) of finite numbers, where
    either may be ``None`` (matplotlib then keeps that end)."""
    if lim is None:
        return None
    if (isinstance(lim, (tuple, list)) and len(lim) == 2
            and None in lim):
        if not all(v is None or is_number(v) for v in lim):
            raise ValueError(
                f"{name} must be (low, high): finite numbers, or None for "
                f"an end matplotlib keeps, got {lim!r}")
        return tuple(lim)
    return check_point(name, lim)


def new_axes(figsize: tuple[float, float] = FIGSIZE) -> Axes:
    """Create a figure with one ``Axes`` and return the ``Axes``.

    Raises:
        TypeError, ValueError: ``figsize`` is not two numbers > 0.
    """
    _, ax = plt.subplots(figsize=check_figsize(figsize),
                         layout="constrained")
    return ax


def set_axes(
    ax: Axes,
    xlabel: str | None = None,
    ylabel: str | None = None,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
    xscale: str = "linear",
    yscale: str = "linear",
    legend: Sequence[str] | None = None,
) -> Axes:
    """Set labels, limits, scales and legend of ``ax`` and return it.

    Raises:
        TypeError: ``ax`` is not a matplotlib ``Axes``, a limit is not a
            pair of numbers, or ``legend`` is one string.
        ValueError: a scale not in ``SCALES``, or a limit that is not two
            finite numbers.
    """
    if not isinstance(ax, Axes):
        raise TypeError(
            "ax must be a matplotlib Axes (from d2l.new_axes() or "
            f"plt.subplots()), got {type(ax).__name__}")
    for name, scale in (("xscale", xscale), ("yscale", yscale)):
        if scale not in SCALES:
            raise ValueError(
                f"{name} must be one of {', '.join(SCALES)}, got {scale!r}")
    xlim, ylim = _check_lim("xlim", xlim), _check_lim("ylim", ylim)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    ax.set_xscale(xscale)
    ax.set_yscale(yscale)
    if xlim is not None:
        ax.set_xlim(xlim)
    if ylim is not None:
        ax.set_ylim(ylim)
    if isinstance(legend, str):
        raise TypeError(
            f"legend must be a list of strings, one per curve, got the "
            f"string {legend!r}; write [{legend!r}]")
    if legend:
        ax.legend(legend)
    ax.grid(True, alpha=0.3)
    return ax


def _as_series(X: Any) -> list[np.ndarray]:
    """Turn one series or a list of series into a list of 1-D arrays."""
    if hasattr(X, "detach"):
        X = X.detach().cpu().numpy()
    if isinstance(X, np.ndarray):
        return [X] if X.ndim == 1 else [row for row in X]
    X = list(X)
    if X and np.ndim(X[0]) == 0:
        return [np.asarray(X, dtype=float)]
    return [np.asarray(_tensor_to_numpy(x), dtype=float) for x in X]


def _tensor_to_numpy(x: Any) -> Any:
    return x.detach().cpu().numpy() if hasattr(x, "detach") else x


def plot(
    X: Any,
    Y: Any = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    legend: Sequence[str] | None = None,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
    xscale: str = "linear",
    yscale: str = "linear",
    fmts: Sequence[str] = ("-", "m--", "g-.", "r:"),
    figsize: tuple[float, float] = FIGSIZE,
    axes: Axes | None = None,
) -> Axes:
    """Plot one or several series and return the ``Axes``.

    ``X`` and ``Y`` may each be one series or a list of series (lists,
    NumPy arrays or tensors). With ``Y`` omitted, ``X`` is plotted against
    its index.
    """
    xs = _as_series(X)
    if Y is None:
        xs, ys = [np.arange(len(x)) for x in xs], xs
    else:
        ys = _as_series(Y)
    if len(xs) == 1 and len(ys) > 1:
        xs = xs * len(ys)
    if len(xs) != len(ys):
        raise ValueError(
            f"plot() got {len(xs)} x-series for {len(ys)} y-series"
        )
    if not ys or any(len(y) == 0 for y in ys):
        raise ValueError("plot() got nothing to plot: an empty series")
    for i, (x, y) in enumerate(zip(xs, ys)):
        if len(x) != len(y):
            raise ValueError(
                f"plot(): series {i} has {len(x)} x values and {len(y)} y "
                "values; give as many of each")
    check_labels("legend", legend, len(ys))
    if isinstance(fmts, str) or not fmts:
        raise TypeError(
            f"fmts must be a non-empty list of format strings such as "
            f"['-', 'm--'], got {fmts!r}")
    if axes is None:
        check_figsize(figsize)
    ax = axes if axes is not None else new_axes(figsize)
    for i, (x, y) in enumerate(zip(xs, ys)):
        ax.plot(x, y, fmts[i % len(fmts)])
    return set_axes(ax, xlabel, ylabel, xlim, ylim, xscale, yscale, legend)
