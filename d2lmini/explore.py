"""Live explorers: sliders that redraw a trace in a running notebook.

Sliders need a running kernel. On the static website they would look live
and do nothing, so chapters hide this cell's output there and show
:func:`d2lmini.trace_grid_2d` (a grid of precomputed traces) instead.

Introduced in ``chapters/gd.ipynb``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .traces import Objective, Trainer2D, show_trace_2d, train_2d

__all__ = ["explore_2d"]

Slider = tuple[float, float, float, float]


def _widgets() -> Any:
    try:
        import ipywidgets
    except ImportError as err:  # pragma: no cover - depends on the env
        raise ImportError(
            "The live explorer needs ipywidgets: run "
            "`pip install ipywidgets` and restart the kernel."
        ) from err
    return ipywidgets


def explore_2d(
    f: Objective,
    make_trainer: Callable[..., Trainer2D],
    steps: int = 20,
    f_grad: Callable[..., Any] | None = None,
    x0: tuple[float, float] = (-5.0, -2.0),
    **sliders: Slider,
) -> Any:
    """Sliders for the hyperparameters of a 2-D trainer, redrawing its trace.

    Args:
        f: objective ``f(x1, x2)``.
        make_trainer: builds a trainer from the hyperparameters, e.g.
            ``make_gd(eta)``.
        steps: number of steps of each run.
        f_grad: gradient, passed on to the trainer.
        x0: starting point.
        **sliders: one ``(min, max, step, start)`` tuple per hyperparameter
            of ``make_trainer``, e.g. ``eta=(0.01, 1.0, 0.01, 0.1)``.

    Returns:
        The ipywidgets box; display it (or make it the cell's last line).

    Introduced in ``chapters/gd.ipynb``.
    """
    widgets = _widgets()
    if not sliders:
        raise ValueError(
            "explore_2d needs at least one slider, "
            "e.g. eta=(0.01, 1.0, 0.01, 0.1)"
        )
    controls = {}
    for name, spec in sliders.items():
        if len(spec) != 4:
            raise ValueError(
                f"slider {name} must be (min, max, step, start), got {spec}"
            )
        low, high, step, start = (float(v) for v in spec)
        if not low <= start <= high:
            raise ValueError(
                f"slider {name}: start {start} is outside [{low}, {high}]"
            )
        controls[name] = widgets.FloatSlider(
            value=start, min=low, max=high, step=step, description=name,
            continuous_update=False, readout_format=".3g",
        )

    def redraw(**params: float) -> None:
        import matplotlib.pyplot as plt

        trace = train_2d(make_trainer(**params), steps, f_grad, x0)
        show_trace_2d(f, trace)
        plt.show()

    out = widgets.interactive_output(redraw, controls)
    return widgets.VBox([widgets.HBox(list(controls.values())), out])
