"""d2l.explore_airfoil: the widget that retrains the airfoil model on
request (chapters/momentum.ipynb)."""

from __future__ import annotations

import matplotlib
import pytest

import d2lmini as d2l
from d2lmini import optim
from d2lmini.explore import _INIT_STATES, AirfoilExplorer

matplotlib.use("Agg")

MOMENTUM = {"lr": (0.001, 0.05, 0.001), "momentum": (0.0, 0.95, 0.05)}


def explorer(**kwargs):
    options = {"batch_size": (10, 100), **MOMENTUM, **kwargs}
    return d2l.explore_airfoil(
        "sgd_momentum", {"lr": 0.02, "momentum": 0.5}, **options)


def by_hand(update_rule, init_states, hyperparams, batch_size,
            num_epochs=2):
    """What a reader writes (explore_airfoil's docstring)."""
    data_iter, feature_dim = d2l.get_data_ch11(batch_size)
    return d2l.train_ch11(update_rule, init_states(feature_dim),
                          hyperparams, data_iter, feature_dim, num_epochs,
                          plot=False)


def same_run(a, b):
    return (a.epochs == b.epochs and a.losses == b.losses
            and a.initial_loss == b.initial_loss and a.steps == b.steps
            and a.diverged_at == b.diverged_at)


# --- the widgets ---


def test_widgets_start_from_the_given_values_and_train_nothing():
    ex = explorer()
    assert [s.description for s in ex.sliders.values()] == ["η", "β"]
    assert ex.sliders["lr"].value == 0.02
    assert (ex.sliders["lr"].min, ex.sliders["lr"].max) == (0.001, 0.05)
    assert ex.sliders["momentum"].step == 0.05
    assert list(ex.batch_size.options) == [10, 100]
    assert ex.batch_size.value == 10
    assert ex.train_button.description == "Train"
    assert ex.clear_button.description == "Clear"
    assert ex.runs == []
    assert ex.values() == {"lr": 0.02, "momentum": 0.5}
    assert [type(w).__name__ for w in ex.widget.children] == [
        "HBox", "HBox", "Output"]


def test_displaying_the_explorer_displays_its_widgets(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    ex = explorer()
    ex._ipython_display_()
    assert shown == [ex.widget]
    bundle = ex.widget._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"][
        "model_id"] == ex.widget.model_id


def test_nothing_is_written_into_the_output_area_before_a_press(
        monkeypatch):
    """A headless execution of the chapter then sends the kernel no comm
    message (scripts/book_execution.py, _repolling)."""
    shown = []
    monkeypatch.setattr(AirfoilExplorer, "_show",
                        lambda self: shown.append(len(self.runs)))
    ex = explorer()
    assert shown == [] and ex.status.value.startswith("Press Train")
    ex.train()
    ex.clear()
    assert shown == [1, 0]
    assert ex.status.value.startswith("Press Train")


def test_a_slider_without_a_value_starts_in_its_middle_on_its_grid():
    ex = d2l.explore_airfoil(**MOMENTUM)
    assert ex.values() == {"lr": 0.025, "momentum": 0.45}
    assert ex.batch_size.value == 10  # the default menu's first choice


def test_pressing_train_runs_train_ch11_with_the_chosen_values():
    ex = explorer()
    ex.sliders["lr"].value = 0.01
    ex.sliders["momentum"].value = 0.9
    ex.batch_size.value = 100
    ex.train_button.click()  # the button's click handler
    assert len(ex.runs) == 1
    expected = by_hand(d2l.sgd_momentum, d2l.init_momentum_states,
                       {"lr": 0.01, "momentum": 0.9}, 100)
    assert same_run(ex.runs[0], expected)
    assert ex.runs[0].label == "η=0.01, β=0.9, |B|=100"
    assert ex.train_button.description == "Train"
    assert not ex.train_button.disabled


def test_train_method_is_the_button_and_moves_the_sliders():
    ex = explorer()
    history = ex.train(lr=0.005, momentum=0.9, batch_size=10)
    assert ex.sliders["lr"].value == 0.005
    assert ex.sliders["momentum"].value == 0.9
    assert history is ex.runs[-1]
    expected = by_hand(d2l.sgd_momentum, d2l.init_momentum_states,
                       {"lr": 0.005, "momentum": 0.9}, 10)
    assert same_run(history, expected)
    # a second press with other values: a different curve, kept
    other = ex.train(momentum=0.0)
    assert other.losses != history.losses and len(ex.runs) == 2


def test_other_optimizer_with_fixed_hyperparameters_and_epochs():
    ex = d2l.explore_airfoil("adam", {"eps": 1e-8, "beta2": 0.99},
                             lr=(0.01, 0.2, 0.01), beta1=(0.5, 0.95, 0.05),
                             batch_size=50, num_epochs=1)
    assert list(ex.batch_size.options) == [50]
    history = ex.train(lr=0.1, beta1=0.9)
    expected = by_hand(d2l.adam, d2l.init_adam_states,
                       {"lr": 0.1, "beta1": 0.9, "eps": 1e-8,
                        "beta2": 0.99}, 50, num_epochs=1)
    assert same_run(history, expected)
    assert history.epochs[-1] == 1.0
    assert history.label == "η=0.1, β1=0.9, |B|=50"


def test_a_diverging_run_is_kept_and_drawn_as_diverging():
    ex = d2l.explore_airfoil("sgd", lr=(0.1, 5.0, 0.1), batch_size=(10,))
    history = ex.train(lr=5.0)
    assert history.diverged_at is not None
    assert "diverged at step" in repr(history)
    ax = ex.plot()
    assert ax.get_yscale() == "log"  # plot_histories' divergence axis
    matplotlib.pyplot.close(ax.figure)


def test_runs_are_kept_on_one_plot_until_cleared():
    ex = explorer()
    with pytest.raises(ValueError, match="press Train"):
        ex.plot()
    ex.train(lr=0.02)
    ex.train(lr=0.01)
    ax = ex.plot()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["η=0.02, β=0.5, |B|=10", "η=0.01, β=0.5, |B|=10"]
    assert len(ax.lines) == 2
    matplotlib.pyplot.close(ax.figure)
    ex.clear_button.click()
    assert ex.runs == []
    with pytest.raises(ValueError, match="no runs"):
        ex.plot()
    ex.train()
    assert len(ex.runs) == 1


def test_every_optimizer_has_its_states():
    assert set(_INIT_STATES) == set(optim._SPECS)
    for name, init in _INIT_STATES.items():
        assert init.__name__.startswith("init_"), name


# --- bad arguments: clear errors ---


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"optimizer": "momentum"}, "unknown optimizer 'momentum'.*sgd_momentum"),
    ({"optimizer": d2l.sgd}, "name of an update rule"),
    ({"sliders": {}}, "at least one slider"),
    ({"sliders": {"beta": (0.0, 0.9, 0.1)}},
     "unknown hyperparameter 'beta'.*momentum"),
    ({"sliders": {"momentum": (0.0, 1.0, 0.05)}},
     r"its max 1 is out of range \(momentum must be in \[0, 1\)\)"),
    ({"sliders": {"lr": (-0.1, 0.1, 0.01)}},
     r"its min -0.1 is out of range \(lr must be >= 0\)"),
    ({"sliders": {"lr": (0.1, 0.01, 0.01)}}, "min must be less than max"),
    ({"sliders": {"lr": (0.01, 0.1, 0.0)}}, "step must be > 0"),
    ({"sliders": {"lr": (0.01, 0.1)}}, r"must be \(min, max, step\)"),
    ({"sliders": {"lr": "0.1"}}, r"must be \(min, max, step\)"),
    ({"hyperparams": {}, "sliders": {"lr": (0.01, 0.1, 0.01)}},
     "sgd_momentum needs momentum: give each a slider"),
    ({"hyperparams": {"lr": 0.2}}, r"lr=0.2 in hyperparams is outside"),
    ({"hyperparams": {"lr": 0.02, "momentum": 1.5},
      "sliders": {"lr": (0.001, 0.05, 0.001)}},
     r"momentum must be in \[0, 1\)"),
    ({"hyperparams": {"lr": 0.02, "nesterov": True}},
     "unknown hyperparameter 'nesterov'"),
    ({"hyperparams": [0.02]}, "must be a dict"),
    ({"batch_size": 0}, "whole numbers from 1 to 1500"),
    ({"batch_size": (10, 2000)}, "whole numbers from 1 to 1500"),
    ({"batch_size": (10, 2.5)}, "got 2.5"),
    ({"batch_size": (True,)}, "whole numbers"),
    ({"batch_size": ()}, "at least one choice"),
    ({"batch_size": (10, 10)}, "twice"),
    ({"num_epochs": 0}, "num_epochs must be a whole number between 1 and"),
    ({"num_epochs": 1.5}, "num_epochs"),
])
def test_bad_arguments(kwargs, match):
    args = {"optimizer": "sgd_momentum",
            "hyperparams": {"lr": 0.02, "momentum": 0.5},
            "sliders": MOMENTUM, **kwargs}
    sliders = args.pop("sliders")
    # a value of the wrong kind (num_epochs=1.5) is a TypeError
    with pytest.raises((TypeError, ValueError), match=match):
        d2l.explore_airfoil(args.pop("optimizer"), args.pop("hyperparams"),
                            **args, **sliders)


def test_a_switch_cannot_have_a_slider():
    with pytest.raises(ValueError, match="switch.*pass it in hyperparams"):
        d2l.explore_airfoil("rmsprop", lr=(0.001, 0.05, 0.001),
                            gamma=(0.5, 0.95, 0.05),
                            eps_inside_sqrt=(0, 1, 1))


@pytest.mark.parametrize(("values", "match"), [
    ({"lr": 0.2}, r"outside its slider \(0.001, 0.05\)"),
    ({"lr": "0.02"}, "outside its slider"),
    ({"eps": 1e-3}, "'eps' has no slider; the sliders are lr, momentum"),
    ({"batch_size": 5}, r"not in the menu \[10, 100\]"),
])
def test_train_rejects_values_off_the_widgets(values, match):
    ex = explorer()
    with pytest.raises(ValueError, match=match):
        ex.train(**values)
    assert ex.runs == [] and ex.values() == {"lr": 0.02, "momentum": 0.5}
