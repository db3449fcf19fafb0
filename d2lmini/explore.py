"""Live explorers: widgets that need a running kernel.

:func:`explore_2d` puts sliders on a 2-D trace; :func:`explore_airfoil`
retrains the airfoil model with the hyperparameters and the batch size a
reader picks, and keeps the loss curves of the earlier runs for comparison.

Widgets need a running kernel. On the static website they would look live
and do nothing, so chapters tag such a cell ``remove-output`` and follow it
with a static stand-in (tests/test_chapters.py checks both).

``explore_airfoil`` is introduced in ``chapters/momentum.ipynb``.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from . import optim
from ._args import check_callable, check_int, check_point
from .data import get_data_ch11
from .live import _is_number, _slider_triple
from .traces import MAX_STEPS_2D, Objective, Trainer2D, show_trace_2d, train_2d
from .train import MAX_EPOCHS, History, plot_histories, train_ch11

__all__ = ["AirfoilExplorer", "explore_2d", "explore_airfoil"]

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
    if not sliders:
        raise ValueError(
            "explore_2d needs at least one slider, "
            "e.g. eta=(0.01, 1.0, 0.01, 0.1)"
        )
    check_callable("make_trainer", make_trainer,
                   "a function of the hyperparameters that returns a 2-D "
                   "trainer, e.g. make_gd")
    check_int("steps", steps, 1, MAX_STEPS_2D)
    check_point("x0", x0)
    specs = {}
    for name, spec in sliders.items():
        if (isinstance(spec, (str, bytes)) or not isinstance(spec, Sequence)
                or len(spec) != 4 or not all(_is_number(v) for v in spec)):
            raise ValueError(
                f"slider {name} must be four numbers (min, max, step, "
                f"start), got {spec!r}"
            )
        low, high, step, start = (float(v) for v in spec)
        if not low <= start <= high:
            raise ValueError(
                f"slider {name}: start {start} is outside [{low}, {high}]"
            )
        if step <= 0:
            raise ValueError(f"slider {name}: step must be > 0, got {step}")
        specs[name] = (low, high, step, start)
    widgets = _widgets()
    controls = {}
    for name, (low, high, step, start) in specs.items():
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


# ---------------------------------------------------------------------------
# Retraining the airfoil model on request.
# ---------------------------------------------------------------------------

# The states each update rule of d2lmini.optim starts from (its
# registration, optim.REGISTRY).
_INIT_STATES: dict[str, Callable[..., Any]] = optim.INIT_STATES

# The book's symbols (notation.md), for legends.
_SYMBOLS = {"lr": "η", "momentum": "β", "gamma": "γ", "rho": "ρ",
            "beta1": "β1", "beta2": "β2", "eps": "ε"}

MAX_BATCH_SIZE = 1500  # get_data_ch11's default number of examples
_PRESS_TRAIN = "Press Train to train with these values."
_EXAMPLE = ('explore_airfoil("sgd_momentum", lr=(0.001, 0.05, 0.001), '
            'momentum=(0.0, 0.95, 0.05))')


def _check_optimizer(optimizer: Any) -> str:
    if not isinstance(optimizer, str):
        raise ValueError(
            "optimizer must be the name of an update rule of d2lmini.optim "
            f"as a string, e.g. 'sgd_momentum'; got {optimizer!r}")
    if optimizer not in _INIT_STATES:
        raise ValueError(
            f"unknown optimizer {optimizer!r}; expected one of "
            + ", ".join(sorted(_INIT_STATES)))
    return optimizer


def _check_range(name: str, optimizer: str,
                 spec: Any) -> tuple[float, float, float]:
    """A slider ``(min, max, step)`` whose whole range the rule allows."""
    lo, hi, step = _slider_triple(optimizer, name, spec)
    rule = optim._RULES[name][0]
    for end, value in (("min", lo), ("max", hi)):
        try:
            optim._check_value(name, value)
        except ValueError:
            raise ValueError(
                f"slider {name} of {optimizer}: its {end} {value:g} is out "
                f"of range ({name} must be {rule}); narrow the slider"
            ) from None
    return lo, hi, step


def _check_batch_sizes(batch_size: Any) -> tuple[int, ...]:
    choices = ((batch_size,) if not isinstance(batch_size, Sequence)
               or isinstance(batch_size, (str, bytes)) else
               tuple(batch_size))
    if not choices:
        raise ValueError("batch_size needs at least one choice, "
                         "e.g. batch_size=(10, 100)")
    for b in choices:
        if (isinstance(b, bool) or not isinstance(b, numbers.Integral)
                or not 1 <= b <= MAX_BATCH_SIZE):
            raise ValueError(
                f"batch sizes must be whole numbers from 1 to "
                f"{MAX_BATCH_SIZE} (the airfoil examples used), e.g. "
                f"batch_size=(10, 100, 1500); got {b!r}")
    if len(set(choices)) != len(choices):
        raise ValueError(f"batch_size lists a choice twice: {choices}")
    return tuple(int(b) for b in choices)


def _label(values: Mapping[str, Any], batch_size: int) -> str:
    parts = [f"{_SYMBOLS.get(k, k)}={v:g}" for k, v in values.items()]
    return ", ".join([*parts, f"|B|={batch_size}"])


class AirfoilExplorer:
    """Sliders, a batch-size menu and a Train button for the airfoil model.

    Made by :func:`explore_airfoil`; displaying it shows the widgets. Each
    press of *Train* (or a call of :meth:`train`) retrains the model from
    the same initial weights with the chosen values and adds the loss
    curve to the plot; *Clear* forgets the earlier runs.

    Attributes:
        optimizer: the name of the update rule, e.g. ``"sgd_momentum"``.
        hyperparams: the hyperparameters without a slider.
        num_epochs: epochs per run.
        sliders: one ``ipywidgets.FloatSlider`` per hyperparameter.
        batch_size: the ``ipywidgets.Dropdown`` of batch sizes.
        train_button, clear_button: the two ``ipywidgets.Button``.
        status: an ``ipywidgets.Label`` that says what to do.
        output: the ``ipywidgets.Output`` that shows the plot of the runs
            and a line per run (empty before the first press).
        runs: the :class:`~d2lmini.History` of every run since the last
            clear, oldest first.

    Introduced in ``chapters/momentum.ipynb``.
    """

    def __init__(
        self,
        optimizer: str,
        hyperparams: Mapping[str, Any],
        ranges: Mapping[str, tuple[float, float, float]],
        batch_sizes: Sequence[int],
        num_epochs: int,
    ) -> None:
        widgets = _widgets()
        self.optimizer = optimizer
        self.update_rule = getattr(optim, optimizer)
        self.init_states = _INIT_STATES[optimizer]
        self.hyperparams = {k: v for k, v in hyperparams.items()
                            if k not in ranges}
        self.num_epochs = num_epochs
        self.ranges = dict(ranges)
        self.sliders = {
            name: widgets.FloatSlider(
                value=hyperparams[name], min=lo, max=hi, step=step,
                description=_SYMBOLS.get(name, name),
                continuous_update=False, readout_format=".4g")
            for name, (lo, hi, step) in ranges.items()
        }
        self.batch_size = widgets.Dropdown(
            options=list(batch_sizes), value=batch_sizes[0],
            description="|B|")
        self.train_button = widgets.Button(
            description="Train", button_style="primary",
            tooltip=f"train {num_epochs} epoch(s) with these values")
        self.clear_button = widgets.Button(
            description="Clear", tooltip="forget the earlier runs")
        self.status = widgets.Label(_PRESS_TRAIN)
        self.output = widgets.Output()
        self.runs: list[History] = []
        self.train_button.on_click(lambda _: self.train())
        self.clear_button.on_click(lambda _: self.clear())
        self.widget = widgets.VBox([
            widgets.HBox([*self.sliders.values(), self.batch_size]),
            widgets.HBox([self.train_button, self.clear_button,
                          self.status]),
            self.output,
        ])
        # Nothing goes into the Output widget until a press: a headless
        # execution of the chapter then sends no comm message to the
        # kernel (scripts/book_execution.py, _repolling, says why that
        # matters).

    def values(self) -> dict[str, Any]:
        """The hyperparameters the next run uses (sliders and fixed)."""
        # A slider's value can carry float noise (0.30000000000000004).
        slid = {k: float(f"{s.value:.12g}") for k, s in self.sliders.items()}
        return {**slid, **self.hyperparams}

    def train(self, **values: float) -> History:
        """Train once, as the Train button does, and add the curve.

        Args:
            **values: move sliders first, e.g. ``lr=0.02``, or pick a
                batch size, ``batch_size=100``; values must lie on the
                sliders and in the batch-size menu.

        Returns:
            The run's :class:`~d2lmini.History` (also in :attr:`runs`).
        """
        self._set(values)
        hyperparams = self.values()
        batch_size = self.batch_size.value
        label = _label({k: hyperparams[k] for k in self.sliders}, batch_size)
        self.train_button.disabled = True
        self.train_button.description = "Training..."
        self.status.value = f"training with {label}"
        try:
            # The code a reader would write (see explore_airfoil).
            data_iter, feature_dim = get_data_ch11(batch_size)
            with warnings.catch_warnings():
                # A diverging run is marked in the plot and in its line
                # under the plot (History prints "diverged at step N").
                warnings.simplefilter("ignore", RuntimeWarning)
                history = train_ch11(
                    self.update_rule, self.init_states(feature_dim),
                    hyperparams, data_iter, feature_dim, self.num_epochs,
                    plot=False, label=label)
        finally:
            self.train_button.disabled = False
            self.train_button.description = "Train"
            self.status.value = _PRESS_TRAIN
        self.runs.append(history)
        self._show()
        return history

    def clear(self) -> None:
        """Forget the earlier runs, as the Clear button does."""
        self.runs.clear()
        self._show()

    def plot(self, ax: Any = None) -> Any:
        """Draw the runs so far with :func:`~d2lmini.plot_histories`."""
        if not self.runs:
            raise ValueError("no runs yet: press Train (or call train())")
        return plot_histories(self.runs, ax=ax)

    def _set(self, values: Mapping[str, Any]) -> None:
        for name, value in values.items():
            if name == "batch_size":
                if value not in self.batch_size.options:
                    raise ValueError(
                        f"batch_size={value!r} is not in the menu "
                        f"{list(self.batch_size.options)}")
                continue
            if name not in self.sliders:
                raise ValueError(
                    f"{name!r} has no slider; the sliders are "
                    f"{', '.join(self.sliders)} (and batch_size)")
            lo, hi, _ = self.ranges[name]
            if not _is_number(value) or not lo <= value <= hi:
                raise ValueError(
                    f"{name}={value!r} is outside its slider ({lo:g}, "
                    f"{hi:g})")
        for name, value in values.items():
            if name == "batch_size":
                self.batch_size.value = value
            else:
                self.sliders[name].value = value

    def _show(self) -> None:
        """Redraw the plot of all runs in the output area."""
        import matplotlib.pyplot as plt
        from IPython.display import display

        with self.output:
            self.output.clear_output(wait=True)
            if not self.runs:
                return
            ax = self.plot()
            display(ax.figure)
            plt.close(ax.figure)
            for h in self.runs:
                print(f"{h.label}: {h}")

    def _ipython_display_(self) -> None:
        # display() of the box works with ipywidgets 7 and 8 alike (7 has
        # no _repr_mimebundle_).
        from IPython.display import display

        display(self.widget)


def explore_airfoil(
    optimizer: str = "sgd_momentum",
    hyperparams: Mapping[str, Any] | None = None,
    *,
    batch_size: int | Sequence[int] = (10, 100, 1500),
    num_epochs: int = 2,
    **sliders: tuple[float, float, float],
) -> AirfoilExplorer:
    """Retrain the airfoil model with hyperparameters picked on sliders.

    Shows a slider per hyperparameter named in ``sliders``, a menu of
    batch sizes and the buttons *Train* and *Clear*. Nothing is trained
    until *Train* is pressed; each press trains from the same initial
    weights and adds the loss curve to those of the earlier runs, for
    comparison; *Clear* forgets them. A press runs exactly what a reader
    would write (here for momentum)::

        data_iter, feature_dim = d2l.get_data_ch11(batch_size)
        history = d2l.train_ch11(
            d2l.sgd_momentum, d2l.init_momentum_states(feature_dim),
            {"lr": lr, "momentum": momentum}, data_iter, feature_dim,
            num_epochs, plot=False, label=...)
        runs.append(history)
        d2l.plot_histories(runs)

    The widgets need a running kernel (Jupyter, Colab); on the static
    website they do nothing, so a chapter tags this cell ``remove-output``
    and shows a static stand-in after it.

    Args:
        optimizer: the name of an update rule of :mod:`d2lmini.optim`,
            e.g. ``"sgd_momentum"``, ``"adam"``.
        hyperparams: values of the hyperparameters: the start of a
            slider, or a fixed value for one without a slider (e.g.
            ``{"eps": 1e-8}``). A slider without a value starts in its
            middle.
        batch_size: the choices of the batch-size menu (whole numbers from
            1 to 1500), the first one selected; or a single batch size.
        num_epochs: epochs per run.
        **sliders: ``name=(min, max, step)`` for each hyperparameter that
            gets a slider, e.g. ``lr=(0.001, 0.05, 0.001)``; the whole
            range must be allowed for it (``momentum`` below 1, say).

    Returns:
        An :class:`AirfoilExplorer`; make it the cell's last line to show
        it. Its ``train(lr=..., batch_size=...)`` does what a press of
        *Train* does, and ``runs`` holds the histories.

    Raises:
        ValueError: an unknown optimizer or hyperparameter, no slider, a
            slider range the hyperparameter does not allow, a start value
            outside its slider, a required hyperparameter with neither a
            slider nor a value, bad batch sizes or a bad ``num_epochs``.

    Example:
        >>> import d2lmini as d2l
        >>> explorer = d2l.explore_airfoil(
        ...     "sgd_momentum", {"lr": 0.02, "momentum": 0.5},
        ...     lr=(0.001, 0.05, 0.001), momentum=(0.0, 0.95, 0.05),
        ...     batch_size=(10, 100))
        >>> round(explorer.train().final_loss, 2)  # doctest: +SKIP
        0.25

    Introduced in ``chapters/momentum.ipynb``.
    """
    name = _check_optimizer(optimizer)
    if hyperparams is None:
        hyperparams = {}
    if not isinstance(hyperparams, Mapping):
        raise ValueError(
            "hyperparams must be a dict such as {'lr': 0.02}, got "
            f"{type(hyperparams).__name__}")
    if not sliders:
        raise ValueError(
            "explore_airfoil needs at least one slider (min, max, step), "
            f"e.g. {_EXAMPLE}")
    ranges = {k: _check_range(k, name, v) for k, v in sliders.items()}
    batch_sizes = _check_batch_sizes(batch_size)
    check_int("num_epochs", num_epochs, 1, MAX_EPOCHS)
    values = dict(hyperparams)
    for k, (lo, hi, step) in ranges.items():
        middle = lo + step * round((hi - lo) / 2 / step)  # on the grid
        values.setdefault(k, float(f"{middle:.12g}"))
    missing = [k for k, v in optim._SPECS[name].items()
               if v is optim._REQUIRED and k not in values]
    if missing:
        raise ValueError(
            f"{name} needs {', '.join(missing)}: give each a slider, e.g. "
            f"{missing[0]}=(0.001, 0.05, 0.001), or a value in hyperparams")
    optim.check_hyperparams(name, values)  # names and values allowed
    for k, (lo, hi, _) in ranges.items():
        if not _is_number(values[k]) or not lo <= values[k] <= hi:
            raise ValueError(
                f"{k}={values[k]!r} in hyperparams is outside its slider "
                f"({lo:g}, {hi:g}); move it inside or widen the slider")
    return AirfoilExplorer(name, values, ranges, batch_sizes,
                           int(num_epochs))
