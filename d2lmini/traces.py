"""Optimization traces in one and two dimensions, drawn and animated.

A *trainer* in the book's sources is a function that maps the state
``(x1, x2, s1, s2)`` to the next state, where ``s1, s2`` hold whatever the
algorithm remembers (a velocity, a sum of squared gradients, ...).
:func:`train_2d` runs such a trainer; :func:`show_trace_2d` draws the path
over the contours of the objective; :func:`animate_trace_2d` turns it into
an animation that plays on the static website.

A run that diverges is never drawn as garbage axes: the frame follows the
trace up to a cap, and the plot says in words that the run diverges, in
the sense of the live traces (:func:`d2lmini.live.run_status`): it blew
up, or f is bounded below and ends at its highest, at least ``RISE``
times as far above its bound as at the start.

Introduced in ``chapters/gd.ipynb``.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes

from ._args import check_callable, check_int, check_number, check_point
from .plotting import FIGSIZE, new_axes, set_axes

__all__ = [
    "Trace",
    "animate_trace_2d",
    "show_trace",
    "show_trace_2d",
    "trace_grid_2d",
    "train_2d",
]

Objective = Callable[..., Any]
Trainer2D = Callable[..., tuple[Any, Any, Any, Any]]

# A run stops once a coordinate is no longer finite or exceeds this size.
BLOWUP = 1e12
# The frame of a 2-D plot extends at most this many times beyond the
# starting distance from the origin; a trace that leaves it is cut there.
FRAME_CAP = 6.0
# A run is diverging when f ends at its highest, at least this many times
# as far above its lower bound as at the start (as in d2lmini.live).
RISE = 10.0


@dataclass(frozen=True)
class Trace:
    """The points visited by an optimizer, with how the run ended.

    Iterating gives the points as tuples (``(x,)`` in 1-D, ``(x1, x2)`` in
    2-D), so code that expects the sources' list of pairs keeps working.

    Attributes:
        points: array of shape ``(steps + 1, d)``, starting point first.
        stopped_at: the step at which the run stopped because the iterate
            was no longer finite or exceeded ``BLOWUP``; ``None`` if it ran
            all its steps.
    """

    points: np.ndarray
    stopped_at: int | None = None

    @classmethod
    def from_points(cls, points: Any) -> Trace:
        """Build a trace from a list of numbers or of coordinate tuples."""
        if isinstance(points, Trace):
            return points
        if len(points) == 0:
            raise ValueError(
                "a trace needs at least one point: a list of numbers (1-D) "
                "or of (x1, x2) pairs (2-D)"
            )
        rows = [_as_floats(p) for p in points]
        if len({len(r) for r in rows}) != 1:
            raise ValueError(
                "the points of a trace must all have the same number of "
                f"coordinates, got {sorted({len(r) for r in rows})}")
        arr = np.array(rows, dtype=float, ndmin=2)
        if arr.ndim != 2 or len(arr) == 0:
            raise ValueError(
                "a trace needs at least one point: a list of numbers (1-D) "
                "or of (x1, x2) pairs (2-D)"
            )
        return cls(arr)

    def __len__(self) -> int:
        return len(self.points)

    def __iter__(self) -> Iterator[tuple[float, ...]]:
        return (tuple(float(v) for v in p) for p in self.points)

    def __getitem__(self, i: int) -> tuple[float, ...]:
        return tuple(float(v) for v in self.points[i])

    @property
    def final(self) -> tuple[float, ...]:
        """The last point of the run."""
        return self[-1]

    def diverges(self, f: Any = None,
                 lower: float | str | None = "auto") -> bool:
        """Whether the run diverges, as the live traces say it
        (:func:`d2lmini.live.run_status`).

        It does when it stopped early (the iterate blew up), or when f is
        bounded below by ``lower`` and, after at least 3 steps, f is at its
        highest at the last step, above its start, and at least ``RISE``
        (10) times as far above ``lower`` as at the start. A run that
        oscillates in a slowly widening cycle near the minimum (Adadelta
        on a quadratic) is not diverging; one whose f grows tenfold is.

        Args:
            f: the objective, a function ``f(x1, x2)`` (or ``f(x)``) or a
                live-trace objective such as ``{"quadratic": [0.1, 2, 0]}``;
                by default the squared distance from the origin ``|x|^2``,
                where the book's quadratics have their minimum.
            lower: a lower bound of ``f`` (its infimum); ``None`` when f is
                not bounded below, and then only a blow-up counts.
                ``"auto"`` (the default): a live-trace objective, or a
                function :func:`d2lmini.objective_2d` made from one, brings
                its own (:func:`d2lmini.lower_bound`); any other function is
                taken to be bounded by 0, as the book's sums of squares
                are. If the run goes below the bound, it was none for this
                f, and only a blow-up counts.
        """
        lower = _check_lower(lower)
        if self.stopped_at is not None:
            return True
        return _rising(self, f, lower) is not None

    def __repr__(self) -> str:
        coords = ", ".join(f"{v:.6g}" for v in self.final)
        status = (
            f", stopped at step {self.stopped_at} (blew up)"
            if self.stopped_at is not None
            else ""
        )
        return f"Trace({len(self) - 1} steps, final=({coords}){status})"


def _as_floats(p: Any) -> list[float]:
    if isinstance(p, torch.Tensor):
        return [float(v) for v in p.detach().reshape(-1)]
    if np.ndim(p) == 0:
        return [float(p)]
    return [float(v) for v in p]


def _values(f: Objective, points: np.ndarray) -> np.ndarray:
    """Evaluate ``f`` at each row of ``points`` (via float64 tensors)."""
    cols = [torch.as_tensor(points[:, j]) for j in range(points.shape[1])]
    return np.asarray(_to_numpy(f(*cols)), dtype=float).reshape(-1)


def _to_numpy(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return value


# The most steps train_2d runs: a 2-D step costs tens of microseconds, so
# this is a few seconds; more is a typo (10**9 would run for hours).
MAX_STEPS_2D = 100_000


def _check_steps(steps: Any) -> int:
    return check_int("steps", steps, 1, MAX_STEPS_2D)


def train_2d(
    trainer: Trainer2D,
    steps: int = 20,
    f_grad: Callable[[Any, Any], tuple[Any, Any]] | None = None,
    x0: tuple[float, float] = (-5.0, -2.0),
) -> Trace:
    """Run a 2-D trainer for ``steps`` steps from ``x0``.

    Args:
        trainer: ``trainer(x1, x2, s1, s2) -> (x1, x2, s1, s2)``, or
            ``trainer(x1, x2, s1, s2, f_grad)`` when ``f_grad`` is given.
            The state ``s1, s2`` starts at 0.
        steps: number of updates.
        f_grad: gradient of the objective, passed on to the trainer.
        x0: starting point.

    Returns:
        The :class:`Trace` of the ``steps + 1`` points visited. If an
        iterate stops being finite or grows beyond ``1e12`` the run stops
        there and the trace records the step (``trace.stopped_at``).

    Introduced in ``chapters/gd.ipynb``.
    """
    if not callable(trainer):
        raise TypeError(
            "train_2d(trainer, ...) needs a function "
            "(x1, x2, s1, s2) -> (x1, x2, s1, s2), got "
            f"{type(trainer).__name__}"
        )
    steps = _check_steps(steps)
    if f_grad is not None:
        check_callable("f_grad", f_grad,
                       "a function (x1, x2) -> (g1, g2), or None")
    x1, x2 = check_point("x0", x0)
    s1: Any = 0.0
    s2: Any = 0.0
    points = [(x1, x2)]
    stopped_at = None
    for step in range(1, steps + 1):
        args = (x1, x2, s1, s2) + ((f_grad,) if f_grad is not None else ())
        out = trainer(*args)
        if not (isinstance(out, (tuple, list)) and len(out) == 4):
            raise TypeError(
                "a 2-D trainer must return the 4-tuple (x1, x2, s1, s2), "
                f"got {out!r}"
            )
        x1, x2, s1, s2 = out
        x1, x2 = float(x1), float(x2)
        if not (math.isfinite(x1) and math.isfinite(x2)) or max(
            abs(x1), abs(x2)
        ) > BLOWUP:
            stopped_at = step
            if math.isfinite(x1) and math.isfinite(x2):
                points.append((x1, x2))
            break
        points.append((x1, x2))
    return Trace(np.array(points, dtype=float), stopped_at)


def _num(v: float) -> str:
    """A number as the live traces show it: ``.3g``, minus sign U+2212."""
    return format(v, ".3g").replace("-", "\u2212")


def _objective(f: Any, lower: Any) -> tuple[Objective, float | None]:
    """A function of the coordinates and the lower bound to judge by.

    ``lower="auto"``: a live-trace objective, or a function that
    :func:`d2lmini.objective_2d` made from one (``f.spec``), brings its own
    (:func:`d2lmini.lower_bound`); any other function is taken to be
    bounded below by 0, as the book's sums of squares are."""
    spec = f if isinstance(f, Mapping) else getattr(f, "spec", None)
    if isinstance(spec, Mapping):
        from .objectives import lower_bound, objective_2d

        value = objective_2d(spec)[0] if f is spec else f
        return value, lower_bound(spec) if lower == "auto" else lower
    if f is None:
        return (lambda *xs: sum(x * x for x in xs)), 0.0
    return f, 0.0 if lower == "auto" else lower


def _rising(trace: Trace, f: Any, lower: Any
            ) -> tuple[float, float] | None:
    """``(f at the start, f at the end)`` when the run is diverging in the
    live traces' sense (:meth:`Trace.diverges`), else ``None``."""
    value, level = _objective(f, lower)
    if level is None or len(trace) < 4:
        return None
    vals = _values(value, trace.points)
    if not np.isfinite(vals).all() or vals.min() < level:
        return None
    f0, ft = float(vals[0]), float(vals[-1])
    if ft > vals[:-1].max() and ft > f0 and ft - level >= RISE * (
            f0 - level):
        return f0, ft
    return None


def _check_objective_2d(f: Any) -> None:
    if not isinstance(f, Mapping):
        check_callable("f", f, "a function f(x1, x2) or a live-trace "
                       'objective such as {"quadratic": [0.1, 2, 0]}')


def _check_lower(lower: Any) -> Any:
    if lower is None or (isinstance(lower, str) and lower == "auto"):
        return lower
    return check_number("lower", lower)


def _judge(trace: Trace, f: Any, lower: Any = "auto"
           ) -> tuple[str, bool] | None:
    """``(sentence, bad)`` for the plot when the run is not a plain
    descent, in the live traces' words and kinds
    (:func:`d2lmini.live.run_status`): diverged and diverging are bad;
    escaping (f falls below 0 and below its start, on an f with no lower
    bound) and ending uphill are not."""
    if trace.stopped_at is not None:
        return f"diverged: blew up at step {trace.stopped_at}", True
    rise = _rising(trace, f, lower)
    if rise is not None:
        return (f"diverging: f rose from {_num(rise[0])} to "
                f"{_num(rise[1])} in {len(trace) - 1} steps", True)
    value, level = _objective(f, lower)
    vals = _values(value, trace.points)
    first, last = float(vals[0]), float(vals[-1])
    if level is None:  # f has no lower bound
        if last < first and last < 0.0:
            spec = f if isinstance(f, Mapping) else getattr(f, "spec", {})
            fall = ("leaves the saddle" if "saddle" in spec
                    else "f falls without bound")
            return (f"{fall}: f fell from {_num(first)} to {_num(last)}",
                    False)
    if last > first:
        return (f"ends uphill: f rose from {_num(first)} to {_num(last)}",
                False)
    return None


def _title(ax: Axes, title: str | None,
           judged: tuple[str, bool] | None) -> None:
    """The title, with the status of :func:`_judge` under it, in red when
    the run went wrong (as the live traces draw a bad run)."""
    if judged:
        text = f"{title}\n{judged[0]}" if title else judged[0]
        ax.set_title(text, fontsize="medium",
                     color="C3" if judged[1] else "black")
    elif title:
        ax.set_title(title, fontsize="medium")


def show_trace(
    results: Any,
    f: Objective,
    ax: Axes | None = None,
    figsize: tuple[float, float] = FIGSIZE,
    *,
    lower: float | str | None = "auto",
) -> Axes:
    """Draw a 1-D trace ``x_0, x_1, ...`` on the graph of ``f``.

    The frame covers the whole trace; a run that blows up or diverges
    (:meth:`Trace.diverges`, with ``lower`` a lower bound of ``f``, or
    ``None`` if it has none) is labelled in red, one that escapes or ends
    uphill in black.

    Introduced in ``chapters/gd.ipynb``.
    """
    lower = _check_lower(lower)
    check_callable("f", f, "a function f(x) of the trace's points")
    trace = Trace.from_points(results)
    if trace.points.shape[1] != 1:
        raise ValueError(
            "show_trace draws 1-D traces; use show_trace_2d for 2-D ones"
        )
    xs = trace.points[:, 0]
    n = max(np.max(np.abs(xs)), 1e-3) * 1.05
    grid = np.linspace(-n, n, 400)
    ax = ax if ax is not None else new_axes(figsize)
    ax.plot(grid, _values(f, grid[:, None]), "-")
    ax.plot(xs, _values(f, trace.points), "-o", color="C1", ms=4)
    _title(ax, None, _judge(trace, f, lower))
    return set_axes(ax, "x", "f(x)")


def _frame(points: np.ndarray) -> tuple[np.ndarray, int]:
    """Points kept in the frame and the index of the first point cut."""
    r0 = max(float(np.linalg.norm(points[0])), 1.0)
    norms = np.linalg.norm(points, axis=1)
    outside = np.nonzero(norms > FRAME_CAP * r0)[0]
    cut = int(outside[0]) if len(outside) else len(points)
    return points[:cut], cut


def _limits(points: np.ndarray) -> tuple[tuple[float, float], ...]:
    lo, hi = points.min(axis=0), points.max(axis=0)
    span = np.maximum(hi - lo, 1.0)
    pad = 0.25 * span
    return tuple((float(a), float(b)) for a, b in zip(lo - pad, hi + pad))


def _contours(f: Objective, ax: Axes, xlim, ylim) -> None:
    x1 = torch.linspace(*xlim, 160, dtype=torch.float64)
    x2 = torch.linspace(*ylim, 160, dtype=torch.float64)
    g1, g2 = torch.meshgrid(x1, x2, indexing="ij")
    z = np.asarray(_to_numpy(f(g1, g2)), dtype=float)
    ax.contour(g1.numpy(), g2.numpy(), z, levels=12, colors="#1f77b4",
               linewidths=0.8)


def show_trace_2d(
    f: Objective,
    results: Any,
    ax: Axes | None = None,
    title: str | None = None,
    figsize: tuple[float, float] = FIGSIZE,
    *,
    lower: float | str | None = "auto",
) -> Axes:
    """Draw a 2-D trace over the contour lines of ``f``.

    The frame follows the trace (up to six times the starting distance from
    the origin). A run that leaves it keeps its part inside the frame and
    an arrow shows where it leaves. Under the title, a second line says,
    in the live traces' words, when a run blew up or diverges
    (:meth:`Trace.diverges`; in red), escapes on an f with no lower bound,
    or ends uphill.

    Args:
        f: objective ``f(x1, x2)``, called on tensors of a grid, or a
            live-trace objective such as ``{"quadratic": [0.1, 2, 0]}``.
        results: a :class:`Trace` or a list of ``(x1, x2)`` pairs.
        ax: where to draw; a new figure when omitted.
        title: title of the plot, kept when the run goes wrong.
        lower: a lower bound of ``f``, or ``None`` if f has none;
            ``"auto"``: as in :meth:`Trace.diverges`.

    Introduced in ``chapters/gd.ipynb``.
    """
    lower = _check_lower(lower)
    _check_objective_2d(f)
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None, got {title!r}")
    trace = Trace.from_points(results)
    if trace.points.shape[1] != 2:
        raise ValueError(
            "show_trace_2d draws 2-D traces (pairs (x1, x2)); "
            "use show_trace for 1-D ones"
        )
    shown, cut = _frame(trace.points)
    xlim, ylim = _limits(shown)
    ax = ax if ax is not None else new_axes(figsize)
    _contours(_objective(f, lower)[0], ax, xlim, ylim)
    ax.plot(shown[:, 0], shown[:, 1], "-o", color="#ff7f0e", ms=3.5)
    if cut < len(trace.points):
        _arrow_out(ax, shown[-1], trace.points[cut], xlim, ylim)
    _title(ax, title, _judge(trace, f, lower))
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    return set_axes(ax, "x1", "x2")


def _arrow_out(ax: Axes, start: np.ndarray, target: np.ndarray,
               xlim, ylim) -> None:
    """Arrow from the last point in the frame towards one outside it."""
    direction = target - start
    # Largest t in [0, 1] keeping start + t * direction inside the frame.
    t = 1.0
    for k, (lo, hi) in enumerate((xlim, ylim)):
        if direction[k] > 0:
            t = min(t, (hi - start[k]) / direction[k])
        elif direction[k] < 0:
            t = min(t, (lo - start[k]) / direction[k])
    end = start + 0.95 * t * direction
    ax.annotate("", xy=end, xytext=start,
                arrowprops={"arrowstyle": "->", "color": "C3", "lw": 1.5})


def animate_trace_2d(
    f: Objective,
    results: Any,
    interval: int = 250,
    figsize: tuple[float, float] = FIGSIZE,
    title: str | None = None,
) -> Any:
    """An animation of a 2-D trace that plays without a kernel.

    The contours are drawn once; each frame only moves the path. The result
    is HTML with the frames embedded (``FuncAnimation.to_jshtml``), so it
    plays on the static website and in any notebook.

    Returns:
        An ``IPython.display.HTML`` object; display it, or make it the last
        expression of a cell.

    Introduced in ``chapters/gd.ipynb``.
    """
    from IPython.display import HTML
    from matplotlib.animation import FuncAnimation

    interval = check_int("interval", interval, 1)  # milliseconds per frame
    trace = Trace.from_points(results)
    ax = show_trace_2d(f, trace, title=title, figsize=figsize)
    fig = ax.figure
    path = ax.lines[-1]
    shown = path.get_xydata()
    arrows = list(ax.texts)  # the arrow out of the frame, if any
    for artist in arrows:
        artist.set_visible(False)

    def draw(frame: int) -> list[Any]:
        path.set_data(shown[: frame + 1, 0], shown[: frame + 1, 1])
        last = frame == len(shown) - 1
        for artist in arrows:
            artist.set_visible(last)
        return [path, *arrows]

    anim = FuncAnimation(fig, draw, frames=len(shown), interval=interval,
                         blit=False)
    html = anim.to_jshtml(default_mode="once")
    plt.close(fig)
    # matplotlib links Font Awesome 4 from a CDN for the button icons; the
    # book's theme ships Font Awesome, and offline the link only fails.
    html = re.sub(r'<link rel="stylesheet"\s+href="https://[^"]*'
                  r'font-awesome[^"]*">', "", html)
    return HTML(html)


def _grid_panels(values: dict[str, Sequence[Any]]) -> list[dict[str, Any]]:
    if not values:
        raise ValueError(
            "trace_grid_2d needs at least one hyperparameter list, "
            "e.g. eta=[0.1, 0.4]"
        )
    for name, vals in values.items():
        if isinstance(vals, (str, bytes)) or not isinstance(vals, Sequence):
            raise TypeError(
                f"{name} must be a list of values to try, got {vals!r}"
            )
        if not vals:
            raise ValueError(
                f"{name} is an empty list: give at least one value to try, "
                f"e.g. {name}=[0.1, 0.4]")
    names = list(values)
    return [dict(zip(names, combo))
            for combo in itertools.product(*values.values())]


def trace_grid_2d(
    f: Objective,
    make_trainer: Callable[..., Trainer2D],
    steps: int = 20,
    f_grad: Callable[..., Any] | None = None,
    x0: tuple[float, float] = (-5.0, -2.0),
    ncols: int = 3,
    *,
    lower: float | str | None = "auto",
    **values: Sequence[Any],
) -> np.ndarray:
    """Small multiples: one trace per combination of hyperparameters.

    The static stand-in for the sliders of :func:`explore_2d` on the
    website. Example: ``trace_grid_2d(f, make_gd, eta=[0.1, 0.3, 0.5])``.
    Each panel is titled with its values, and a second line says what
    went wrong with its run (:func:`show_trace_2d`, with ``lower``).

    Returns:
        The array of ``Axes``.
    """
    check_callable("make_trainer", make_trainer,
                   "a function of the hyperparameters that returns a 2-D "
                   "trainer")
    steps = _check_steps(steps)
    check_point("x0", x0)
    ncols = check_int("ncols", ncols, 1)
    lower = _check_lower(lower)
    panels = _grid_panels(values)
    ncols = min(ncols, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(3.2 * ncols, 2.6 * nrows),
        layout="constrained", squeeze=False,
    )
    for ax, params in zip(axes.flat, panels):
        trace = train_2d(make_trainer(**params), steps, f_grad, x0)
        label = ", ".join(f"{k}={v:g}" if isinstance(v, float) else
                          f"{k}={v}" for k, v in params.items())
        show_trace_2d(f, trace, ax=ax, title=label, lower=lower)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    return axes
