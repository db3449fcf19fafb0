"""Plausible mistakes with every public helper (except the live traces,
noise and objectives, tested in test_live*.py): each is refused at the call,
before any work, with the exception type and a message that names the
argument and what is allowed.

One row per mistake: (what, call, exception type, phrase of the message).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import d2lmini as d2l  # noqa: E402

DATA, DIM = d2l.get_data_ch11(100)
DIGITS = d2l.split_digits()


def f_grad(x1, x2):
    return 0.2 * x1, 4 * x2


def gd(eta):
    return d2l.trainer_2d(d2l.sgd, d2l.init_sgd_states, f_grad, lr=eta)


def ch11(**kw):
    args = {"trainer_fn": d2l.sgd, "states": None, "hyperparams":
            {"lr": 0.05}, "data_iter": DATA, "feature_dim": DIM,
            "plot": False, "device": "cpu"}
    args.update(kw)
    return lambda: d2l.train_ch11(**args)


def concise(**kw):
    args = {"trainer_fn": torch.optim.SGD, "hyperparams": {"lr": 0.05},
            "data_iter": DATA, "plot": False, "device": "cpu"}
    args.update(kw)
    return lambda: d2l.train_concise_ch11(**args)


def digits(**kw):
    args = {"trainer_fn": d2l.sgd, "init_states": None,
            "hyperparams": {"lr": 0.1}, "data": DIGITS, "device": "cpu"}
    args.update(kw)
    return lambda: d2l.train_digits(**args)


def negative_lambda_lr(opt):
    return torch.optim.lr_scheduler.LambdaLR(opt, lambda e: 1 - e)


CASES = [
    # --- the training loops ---
    ("float seed", ch11(seed=0.5), TypeError, "seed must be a whole number"),
    ("negative seed", ch11(seed=-1), ValueError, "seed must be"),
    ("gpu is no device", ch11(device="gpu"), ValueError,
     "device must be None"),
    ("device of a wrong type", ch11(device=0), TypeError,
     "device must be"),
    ("one tensor as the loader", ch11(data_iter=DATA.arrays[0]), TypeError,
     "data_iter must be a loader"),
    ("epochs without end", ch11(num_epochs=10**9), ValueError,
     "between 1 and 1000"),
    ("momentum states with adam", ch11(
        trainer_fn=d2l.adam, hyperparams={"lr": 0.01},
        states=d2l.init_momentum_states(DIM)), ValueError,
     "must be made by init_adam_states"),
    ("no states for momentum", ch11(
        trainer_fn=d2l.sgd_momentum,
        hyperparams={"lr": 0.01, "momentum": 0.9}), ValueError,
     "init_momentum_states"),
    ("NaN learning rate", ch11(hyperparams={"lr": float("nan")}),
     ValueError, "lr must be >= 0"),
    ("an array as learning rate", ch11(hyperparams={"lr": np.ones(3)}),
     ValueError, "array of shape (3,)"),
    ("schedule negative later", ch11(
        hyperparams={}, schedule=lambda t: 0.05 - 0.01 * t), ValueError,
     "schedule(6) gave"),
    ("schedule not a function", ch11(hyperparams={}, schedule=0.1),
     TypeError, "schedule must be a function"),
    ("scheduler that goes negative", concise(
        num_epochs=3, scheduler=negative_lambda_lr), ValueError,
     "for epoch 2"),
    ("concise float seed", concise(seed=1.0), TypeError, "seed must be"),
    ("concise gpu", concise(device="gpu"), ValueError, "device must be"),
    ("digits float seed", digits(seed=0.0), TypeError, "seed must be"),
    ("digits gpu", digits(device="gpu"), ValueError, "device must be"),
    ("digits momentum states with adam", digits(
        trainer_fn=d2l.adam, init_states=d2l.init_momentum_states,
        hyperparams={"lr": 0.01}), ValueError,
     "must be made by init_adam_states"),
    ("digits schedule negative", digits(schedule=lambda t: 1 - t),
     ValueError, "schedule(2) gave -1"),
    # --- optimizers and 2-D trainers ---
    ("numpy array as lr", lambda: d2l.check_hyperparams(
        "sgd", {"lr": np.array([0.1, 0.2])}), ValueError, "lr must be"),
    ("infinite eps", lambda: d2l.check_hyperparams(
        "adam", {"lr": 0.1, "eps": float("inf")}), ValueError,
     "eps must be > 0"),
    ("trainer_2d with momentum states for adam", lambda: d2l.trainer_2d(
        d2l.adam, d2l.init_momentum_states, f_grad, lr=0.1), ValueError,
     "init_states(params) for adam must be made by init_adam_states"),
    ("trainer_2d optimizer by name", lambda: d2l.trainer_2d(
        "sgd", d2l.init_sgd_states, f_grad, lr=0.1), TypeError,
     "optimizer must be an update rule"),
    ("trainer_2d schedule negative at once", lambda: d2l.trainer_2d(
        d2l.sgd, d2l.init_sgd_states, f_grad, schedule=lambda t: -t),
     ValueError, "schedule(1) gave -1"),
    ("trainer_2d schedule negative later", lambda: d2l.train_2d(
        d2l.trainer_2d(d2l.sgd, d2l.init_sgd_states, f_grad,
                       schedule=lambda t: 0.3 - 0.1 * t), steps=5),
     ValueError, "schedule(3) gave"),
    # --- 2-D traces ---
    ("steps without end", lambda: d2l.train_2d(gd(0.1), steps=10**9),
     ValueError, "between 1 and 100000"),
    ("float steps", lambda: d2l.train_2d(gd(0.1), steps=5.0), TypeError,
     "steps must be a whole number"),
    ("three coordinates", lambda: d2l.train_2d(gd(0.1), x0=(1, 2, 3)),
     ValueError, "x0 must be 2 finite numbers"),
    ("NaN start", lambda: d2l.train_2d(gd(0.1), x0=(float("nan"), 0)),
     ValueError, "x0 must be 2 finite numbers"),
    ("start as a string", lambda: d2l.train_2d(gd(0.1), x0="0,0"),
     TypeError, "x0 must be 2 finite numbers"),
    ("grid with an empty list", lambda: d2l.trace_grid_2d(
        lambda x1, x2: x1 ** 2 + x2 ** 2, gd, eta=[]), ValueError,
     "eta is an empty list"),
    ("grid without a trainer maker", lambda: d2l.trace_grid_2d(
        lambda x1, x2: x1, None, eta=[0.1]), TypeError,
     "make_trainer must be"),
    # --- plotting ---
    ("legend as one string", lambda: d2l.plot([1, 2], [3, 4], legend="l"),
     TypeError, "write ['l']"),
    ("legend of the wrong length", lambda: d2l.plot(
        [1, 2], [[3, 4], [5, 6]], legend=["a"]), ValueError,
     "legend has 1 entries for 2 curves"),
    ("mismatched lengths", lambda: d2l.plot([1, 2, 3], [3, 4]), ValueError,
     "3 x values and 2 y values"),
    ("nothing to plot", lambda: d2l.plot([]), ValueError, "nothing to plot"),
    ("set_axes legend as one string", lambda: d2l.set_axes(
        d2l.new_axes(), legend="loss"), TypeError, "write ['loss']"),
    ("plot_histories of nothing", lambda: d2l.plot_histories([]),
     ValueError, "non-empty list"),
    ("plot_histories labels as one string", lambda: d2l.plot_histories(
        d2l.History(label="a"), labels="a"), TypeError, "write ['a']"),
    # --- data, devices ---
    ("one tensor to load_array", lambda: d2l.load_array(
        DATA.arrays[0], 10), TypeError, "for one tensor X write (X,)"),
    ("float seed of the data", lambda: d2l.get_data_ch11(10, seed=0.5),
     TypeError, "seed must be"),
    ("numpy float batch size", lambda: d2l.get_data_ch11(np.float32(10)),
     TypeError, "batch_size must be an integer"),
    ("try_gpu(1.0)", lambda: d2l.try_gpu(1.0), TypeError,
     "i must be a whole number"),
    # --- explorers ---
    ("explore_2d slider of 3 numbers", lambda: d2l.explore_2d(
        lambda x1, x2: x1, gd, eta=(0.1, 1.0, 0.1)), ValueError,
     "slider eta must be four numbers"),
    ("explore_2d steps without end", lambda: d2l.explore_2d(
        lambda x1, x2: x1, gd, steps=10**9, eta=(0.1, 1.0, 0.1, 0.5)),
     ValueError, "between 1 and 100000"),
    ("explore_airfoil epochs without end", lambda: d2l.explore_airfoil(
        "sgd", lr=(0.01, 0.1, 0.01), num_epochs=10**6), ValueError,
     "between 1 and 1000"),
    # --- digits helpers ---
    ("split of a float size", lambda: d2l.split_digits(100.0), ValueError,
     "test_size must be an integer"),
    ("unknown model", lambda: d2l.digits_net("resnet", 64), ValueError,
     "resnet"),
    ("split of a float seed", lambda: d2l.split_digits(100, seed=0.5),
     TypeError, "seed must be a whole number"),
    ("digits lr that is not the schedule's", digits(
        hyperparams={"lr": 1.0}, schedule=lambda t: 0.1), ValueError,
     "the schedule's largest rate"),
    ("digits hyperparams as pairs", digits(hyperparams=[("lr", 0.1)]),
     TypeError, "hyperparams must be a dict"),
    ("digits label a number", digits(label=3), TypeError,
     "label must be a string"),
    ("digits plot as a word", digits(plot="yes"), TypeError,
     "plot must be True or False"),
    # --- states of each optimizer, shapes of the model ---
    ("adafactor states for another feature_dim", ch11(
        trainer_fn=d2l.adafactor, hyperparams={},
        states=d2l.init_adafactor_states(DIM + 1)), ValueError,
     "for parameters of other shapes"),
    ("shampoo with adam states", ch11(
        trainer_fn=d2l.shampoo, hyperparams={"lr": 0.01},
        states=d2l.init_adam_states(DIM)), ValueError,
     "must be made by init_shampoo_states"),
    ("linreg with w of the wrong size", lambda: d2l.linreg(
        torch.zeros(3, 2), torch.zeros(5, 1), torch.zeros(1)), ValueError,
     "X has 2 features"),
    ("squared_loss of unequal sizes", lambda: d2l.squared_loss(
        torch.zeros(3, 1), torch.zeros(4)), ValueError,
     "y_hat has 3 values"),
    # --- hyperparameters of the newer optimizers ---
    ("lion negative beta1", lambda: d2l.check_hyperparams(
        "lion", {"lr": 0.1, "beta1": -0.1}), ValueError,
     "beta1 must be in [0, 1)"),
    ("radam beta2 of 1", lambda: d2l.check_hyperparams(
        "radam", {"lr": 0.1, "beta2": 1.0}), ValueError,
     "beta2 must be in [0, 1)"),
    ("adafactor positive beta2_decay", lambda: d2l.check_hyperparams(
        "adafactor", {"beta2_decay": 0.8}), ValueError,
     "beta2_decay must be <= 0"),
    ("adafactor eps1 of 0", lambda: d2l.check_hyperparams(
        "adafactor", {"eps1": 0.0}), ValueError, "eps1 must be > 0"),
    ("muon fractional ns_steps", lambda: d2l.check_hyperparams(
        "muon", {"lr": 0.1, "ns_steps": 2.5}), ValueError,
     "ns_steps must be a whole number"),
    ("muon nesterov as a word", lambda: d2l.check_hyperparams(
        "muon", {"lr": 0.1, "nesterov": "yes"}), ValueError,
     "nesterov must be True or False"),
    ("shampoo eps of 0", lambda: d2l.check_hyperparams(
        "shampoo", {"lr": 0.1, "eps": 0.0}), ValueError, "eps must be > 0"),
    ("schedule-free negative warmup", lambda: d2l.check_hyperparams(
        "schedule_free_adamw", {"lr": 0.1, "warmup_steps": -1}),
     ValueError, "warmup_steps must be >= 0"),
    ("adamw negative weight decay", lambda: d2l.check_hyperparams(
        "adamw", {"lr": 0.1, "weight_decay": -0.01}), ValueError,
     "weight_decay must be >= 0"),
    ("newton_schulz of a vector", lambda: d2l.newton_schulz(torch.ones(3)),
     ValueError, "G must be a 2-D float tensor"),
    # --- schedules ---
    ("step decay that grows", lambda: d2l.step_decay(0.1, 10, 2.0),
     ValueError, "gamma must be"),
    ("warmup longer than the run", lambda: d2l.warmup_cosine(0.1, 20, 10),
     ValueError, "warmup must be < num_steps"),
    ("one-cycle peak after the end", lambda: d2l.one_cycle(
        0.1, 100, pct_start=2.0), ValueError, "pct_start must be"),
    ("cosine floor above the rate", lambda: d2l.cosine_decay(
        0.1, 10, min_lr=0.5), ValueError, "min_lr must be"),
    ("schedule asked for update 0", lambda: d2l.step_decay(0.1, 10, 0.5)(0),
     ValueError, "t must be a whole number >= 1"),
    ("schedule spec as a word", lambda: d2l.schedule_from_spec("cosine"),
     ValueError, "spec must be"),
    # --- seeds ---
    ("Spread with a value missing", lambda: d2l.Spread((0, 1), (1.0,)),
     ValueError, "one value per seed"),
    ("Spread of no seeds", lambda: d2l.Spread((), ()), ValueError,
     "seeds is empty"),
    ("Spread of words", lambda: d2l.Spread((0,), ("a",)), TypeError,
     "Spread values must be numbers"),
    ("over_seeds of a float seed", lambda: d2l.over_seeds(
        lambda s: 1.0, seeds=[0.5]), TypeError, "seeds must be integers"),
    ("tune of an empty grid", lambda: d2l.tune(lambda v, s: 1.0, []),
     ValueError, "grid is empty"),
    ("tune of a word", lambda: d2l.tune(lambda v, s: 1.0, "0.1"),
     TypeError, "grid must be a list"),
    # --- 2-D traces and plotting, more ---
    ("trace of ragged points", lambda: d2l.Trace.from_points(
        [(1, 2), (3,)]), ValueError, "same number of coordinates"),
    ("show_trace of a number", lambda: d2l.show_trace([1.0, 2.0], 3),
     TypeError, "f must be a function"),
    ("show_trace_2d of a number", lambda: d2l.show_trace_2d(
        3, [(1, 2), (3, 4)]), TypeError, "f must be a function"),
    ("show_trace_2d lower as a word", lambda: d2l.show_trace_2d(
        lambda a, b: a, [(1, 2), (3, 4)], lower="0"), TypeError,
     "lower must be a finite number"),
    ("show_trace_2d title a number", lambda: d2l.show_trace_2d(
        lambda a, b: a, [(1, 2), (3, 4)], title=3), TypeError,
     "title must be a string"),
    ("animation of 0 ms frames", lambda: d2l.animate_trace_2d(
        lambda a, b: a, [(1, 2), (3, 4)], interval=0), ValueError,
     "interval must be"),
    ("new_axes of a word", lambda: d2l.new_axes("big"), TypeError,
     "figsize must be 2 finite numbers"),
    ("new_axes of a negative width", lambda: d2l.new_axes((-1, 2)),
     ValueError, "figsize must be (width, height)"),
    ("plot with a misspelt scale", lambda: d2l.plot(
        [1, 2], [3, 4], xscale="logg"), ValueError,
     "xscale must be one of linear, log"),
    ("set_axes without axes", lambda: d2l.set_axes(None, "x"), TypeError,
     "ax must be a matplotlib Axes"),
    ("set_axes limits of three", lambda: d2l.set_axes(
        d2l.new_axes(), xlim=(1, 2, 3)), ValueError,
     "xlim must be 2 finite numbers"),
]


@pytest.mark.parametrize(("call", "error", "phrase"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_plausible_mistake_gets_a_clear_error(call, error, phrase):
    try:
        with pytest.raises(error) as caught:
            call()
        assert phrase in str(caught.value), str(caught.value)
    finally:
        plt.close("all")


def test_numpy_scalars_are_numbers():
    """np.float32 and np.int64 (from np.linspace, slider lists) are
    accepted where a number is; only arrays are refused."""
    trace = d2l.train_2d(d2l.trainer_2d(
        d2l.sgd, d2l.init_sgd_states, f_grad, lr=np.float32(0.1)),
        steps=np.int64(3), x0=np.array([-5.0, -2.0]))
    assert len(trace) == 4
    h = d2l.train_ch11(d2l.sgd, None, {"lr": np.float64(0.05)}, DATA, DIM,
                       num_epochs=np.int64(1), plot=False, device="cpu",
                       seed=np.int64(0),
                       schedule=None)
    assert h.steps == 15
    assert d2l.try_gpu(np.int64(0)) is not None
