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

from ._args import check_labels

__all__ = ["new_axes", "plot", "set_axes"]

FIGSIZE = (3.5, 2.5)


def new_axes(figsize: tuple[float, float] = FIGSIZE) -> Axes:
    """Create a figure with one ``Axes`` and return the ``Axes``."""
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
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
    """Set labels, limits, scales and legend of ``ax`` and return it."""
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
    ax = axes if axes is not None else new_axes(figsize)
    for i, (x, y) in enumerate(zip(xs, ys)):
        ax.plot(x, y, fmts[i % len(fmts)])
    return set_axes(ax, xlabel, ylabel, xlim, ylim, xscale, yscale, legend)
