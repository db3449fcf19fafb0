"""Tests of d2lmini.digits: the seeded split, the training helper and the
Adam variant without bias correction."""

from __future__ import annotations

import math
import warnings

import pytest
import torch

import d2lmini as d2l

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def data():
    return d2l.split_digits()


def small(data, n_train=200, n_test=100):
    """A small split, so that the tests run in a fraction of a second."""
    return d2l.DigitsSplit(data.X_train[:n_train], data.y_train[:n_train],
                           data.X_test[:n_test], data.y_test[:n_test])


# --- the split ---------------------------------------------------------------


def test_split_is_seeded_deterministic_and_disjoint():
    a, b = d2l.split_digits(seed=3), d2l.split_digits(seed=3)
    for x, y in zip(a, b):
        assert torch.equal(x, y)
    X, y = d2l.load_digits()
    assert len(a.X_train) + len(a.X_test) == len(X) == 1797
    assert len(a.X_test) == 500
    # Every example lands in exactly one part: match rows back to the data.
    rows = {tuple(r.tolist()): i for i, r in enumerate(X)}
    train = [rows[tuple(r.tolist())] for r in a.X_train]
    test = [rows[tuple(r.tolist())] for r in a.X_test]
    assert not set(train) & set(test)
    assert sorted(train + test) == sorted(rows.values())
    assert torch.equal(y[train], a.y_train) and torch.equal(y[test],
                                                            a.y_test)
    other = d2l.split_digits(seed=4)
    assert not torch.equal(other.y_test, a.y_test)


def test_split_keeps_the_global_random_state():
    torch.manual_seed(123)
    before = torch.rand(3)
    torch.manual_seed(123)
    d2l.split_digits(seed=9)
    assert torch.equal(torch.rand(3), before)


@pytest.mark.parametrize("bad", [0, 1797, -5, 2.5, True])
def test_split_rejects_bad_sizes(bad):
    with pytest.raises(ValueError, match="test_size"):
        d2l.split_digits(test_size=bad)


# --- the models --------------------------------------------------------------


def test_models_have_the_documented_shapes():
    logreg = d2l.digits_net("logreg", 64)
    assert [tuple(p.shape) for p in logreg.parameters()] == [(10, 64),
                                                            (10,)]
    mlp = d2l.digits_net("mlp", 64, hidden=7, dropout=0.3)
    assert [tuple(p.shape) for p in mlp.parameters()] == [
        (7, 64), (7,), (7, 7), (7,), (10, 7), (10,)]
    assert sum(isinstance(m, torch.nn.Dropout) for m in mlp) == 2
    assert sum(isinstance(m, torch.nn.ReLU) for m in mlp) == 2


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"model": "cnn"}, "model must be one of"),
    ({"model": "mlp", "dropout": 1.0}, "dropout"),
    ({"model": "mlp", "hidden": 0}, "hidden"),
])
def test_models_reject_bad_settings(kwargs, match):
    model = kwargs.pop("model")
    with pytest.raises(ValueError, match=match):
        d2l.digits_net(model, 64, **kwargs)


# --- training ----------------------------------------------------------------


@pytest.mark.parametrize("model", ["logreg", "mlp"])
def test_from_scratch_adam_equals_torch_adam(data, model):
    """Same seed: same weights, minibatches and dropout masks; the update
    rule written from scratch follows torch.optim.Adam."""
    hp = {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    d = small(data)
    kw = {"model": model, "num_epochs": 1, "batch_size": 50,
          "evals_per_epoch": 4, "device": CPU, "seed": 5}
    mine = d2l.train_digits(d2l.adam, d2l.init_adam_states, hp, d, **kw)
    ref = d2l.train_digits(
        torch.optim.Adam, None,
        {"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-8}, d, **kw)
    assert mine.steps == ref.steps == 4
    assert mine.losses == pytest.approx(ref.losses, abs=1e-6, rel=1e-5)
    for p, q in zip(mine.net.parameters(), ref.net.parameters()):
        torch.testing.assert_close(p, q, atol=1e-6, rtol=1e-5)


def test_loss_decreases_and_history_is_complete(data):
    hist = d2l.train_digits(d2l.sgd_nesterov, d2l.init_momentum_states,
                            {"lr": 0.1, "momentum": 0.9}, small(data),
                            num_epochs=3, batch_size=20, evals_per_epoch=2,
                            device=CPU, label="nesterov")
    assert isinstance(hist, d2l.History)
    assert hist.steps == 30 and hist.diverged_at is None
    assert hist.epochs == pytest.approx([0.5, 1, 1.5, 2, 2.5, 3])
    n = len(hist.epochs)
    for values in (hist.losses, hist.times, hist.train_accuracies,
                   hist.test_losses, hist.test_accuracies):
        assert len(values) == n
    assert hist.final_loss < 0.5 * hist.initial_loss
    assert hist.losses[-1] < hist.losses[0]
    assert all(0 <= a <= 1 for a in hist.test_accuracies)
    assert hist.final_test_accuracy > 0.5
    assert hist.times == sorted(hist.times) and hist.sec_per_epoch > 0
    assert "test accuracy" in repr(hist) and hist.label == "nesterov"
    times, losses = hist  # the sources' unpacking
    assert losses == hist.losses


def test_training_loss_is_the_cross_entropy_on_all_training_data(data):
    d = small(data)
    hist = d2l.train_digits(d2l.sgd, None, {"lr": 0.5}, d, num_epochs=1,
                            batch_size=40, evals_per_epoch=1, device=CPU)
    net = hist.net.eval()
    with torch.no_grad():
        scores = net(d.X_train)
        loss = torch.nn.functional.cross_entropy(scores, d.y_train)
        acc = (scores.argmax(1) == d.y_train).float().mean()
    assert hist.final_loss == pytest.approx(float(loss), rel=1e-6)
    assert hist.train_accuracies[-1] == pytest.approx(float(acc))


def test_runs_are_reproducible_and_leave_global_state_alone(data):
    d = small(data)
    threads = torch.get_num_threads()
    torch.manual_seed(0)
    expected = torch.rand(2)
    torch.manual_seed(0)
    kw = {"model": "mlp", "num_epochs": 1, "batch_size": 50, "device": CPU}
    a = d2l.train_digits(d2l.rmsprop, d2l.init_rmsprop_states,
                         {"lr": 0.01, "gamma": 0.9}, d, **kw)
    assert torch.equal(torch.rand(2), expected)
    assert torch.get_num_threads() == threads
    b = d2l.train_digits(d2l.rmsprop, d2l.init_rmsprop_states,
                         {"lr": 0.01, "gamma": 0.9}, d, **kw)
    c = d2l.train_digits(d2l.rmsprop, d2l.init_rmsprop_states,
                         {"lr": 0.01, "gamma": 0.9}, d, seed=1, **kw)
    assert a.losses == b.losses
    assert a.losses != c.losses


def test_schedule_sets_the_learning_rate_of_every_step(data):
    """With lr(t) = 0 after the first update only one step moves."""
    d = small(data)
    kw = {"num_epochs": 1, "batch_size": 50, "evals_per_epoch": 4,
          "device": CPU}
    for fn, init, hp in [(d2l.sgd, None, {"lr": 0.5}),
                         (torch.optim.SGD, None, {"lr": 0.5})]:
        hist = d2l.train_digits(fn, init, hp, d,
                                schedule=lambda t: 0.5 if t == 1 else 0.0,
                                **kw)
        assert hist.losses[0] != hist.initial_loss
        assert hist.losses[1:] == [hist.losses[0]] * 3


def test_divergence_is_reported(data):
    """An update rule that blows the weights up: the run stops at the
    first non-finite minibatch loss and says so."""

    def explode(params, states, hyperparams):
        with torch.no_grad():
            for p in params:
                p.mul_(1e20)

    d = small(data)
    with pytest.warns(RuntimeWarning, match="diverged"):
        hist = d2l.train_digits(explode, None, {}, d, num_epochs=3,
                                batch_size=20, evals_per_epoch=1,
                                device=CPU)
    assert hist.diverged_at is not None and 1 <= hist.diverged_at <= 10
    assert not math.isfinite(hist.final_loss)
    assert hist.steps == 10  # it stopped at the end of the first epoch


# --- clear errors ----------------------------------------------------------


@pytest.mark.parametrize(("args", "kwargs", "match"), [
    ((d2l.adam, None, {"lr": 0.01}), {}, "init_adam_states"),
    ((d2l.sgd_nesterov, None, {"lr": 0.01, "momentum": 0.9}), {},
     "init_momentum_states"),
    ((d2l.adam, d2l.init_adam_states, {"lr": -1}), {}, "lr must be"),
    ((d2l.adam, d2l.init_adam_states, {"learning_rate": 0.1}), {},
     "unknown hyperparameter"),
    ((torch.optim.Adam, d2l.init_adam_states, {"lr": 0.01}), {},
     "init_states=None"),
    ((torch.optim.Adam, None, {"learning_rate": 0.01}), {},
     "does not take"),
    (("adam", None, {"lr": 0.01}), {}, "update rule"),
    ((d2l.sgd, 3, {"lr": 0.01}), {}, "init_states must be"),
    ((d2l.sgd, None, {"lr": 0.01}), {"model": "resnet"}, "model"),
    ((d2l.sgd, None, {"lr": 0.01}), {"num_epochs": 0}, "num_epochs"),
    ((d2l.sgd, None, {"lr": 0.01}), {"batch_size": 5000}, "batch_size"),
    ((d2l.sgd, None, {"lr": 0.01}), {"schedule": 0.1}, "schedule"),
    ((d2l.adam_no_correction, None, {"lr": 0.01}), {}, "init_adam_states"),
])
def test_bad_input_gets_a_clear_error(data, args, kwargs, match):
    # TypeError for a value of the wrong kind (init_states=3,
    # schedule=0.1), ValueError for the rest; tests/test_bad_input.py
    # pins the type of each case
    with pytest.raises((TypeError, ValueError), match=match):
        d2l.train_digits(*args, small(data), device=CPU, **kwargs)


def test_bad_data_gets_a_clear_error(data):
    d = small(data)
    fit = lambda bad: d2l.train_digits(d2l.sgd, None,  # noqa: E731
                                       {"lr": 0.1}, bad, device=CPU)
    with pytest.raises(ValueError, match="DigitsSplit"):
        fit((d.X_train, d.y_train))
    with pytest.raises(ValueError, match="int64 labels"):
        fit(d._replace(y_train=d.y_train.float()))
    with pytest.raises(ValueError, match="labels 0..9"):
        fit(d._replace(y_test=d.y_test + 10))
    with pytest.raises(ValueError, match="float tensor"):
        fit(d._replace(X_train=d.X_train[:, 0]))
    with pytest.raises(ValueError, match="as many columns"):
        fit(d._replace(X_test=d.X_test[:, :10]))


# --- Adam without bias correction ------------------------------------------


def test_adam_no_correction_is_adam_without_the_two_divisions():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(5, generator=gen, dtype=torch.float64)
    y = x.clone()
    sx = d2l.init_adam_states([x])
    hp = {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-8}
    v = torch.zeros_like(x)
    s = torch.zeros_like(x)
    for _ in range(5):
        g = torch.randn(5, generator=gen, dtype=torch.float64)
        x.grad = g.clone()
        d2l.adam_no_correction([x], sx, hp)
        v = 0.8 * v + 0.2 * g
        s = 0.99 * s + 0.01 * g**2
        y -= 0.01 * v / (s.sqrt() + 1e-8)
        # The same ~10 float64 operations per step in another order (or
        # fused by another CPU): each step ~0.01 is off by <= 10 u, and 5
        # steps add <= 5 * 10 * 1.1e-16 * 0.01 = 6e-17 to x ~ 1; this CPU
        # uses 1.9e-4 of rtol 1e-12. An eps inside the sqrt or a bias
        # correction left in moves x by >= 1e-4 relative.
        torch.testing.assert_close(x, y, rtol=1e-12, atol=1e-14)
    assert float(sx[0][2]) == 5  # the step counter moves as in adam


def test_adam_no_correction_trains_with_the_helper(data):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hist = d2l.train_digits(d2l.adam_no_correction, d2l.init_adam_states,
                                {"lr": 0.003}, small(data), num_epochs=2,
                                device=CPU)
    assert hist.final_loss < hist.initial_loss


# --- a schedule sets every update's rate -------------------------------------


def test_with_a_schedule_lr_comes_from_schedule_1(data):
    """A torch.optim class is made with lr = schedule(1); a rule gets
    schedule(t) at update t; no lr in hyperparams is needed."""
    d = small(data)
    kw = {"num_epochs": 1, "batch_size": 50, "evals_per_epoch": 1,
          "device": CPU}
    made = []

    class Recording(torch.optim.SGD):
        def __init__(self, params, **hp):
            made.append(hp["lr"])
            super().__init__(params, **hp)

    d2l.train_digits(Recording, None, {}, d, schedule=lambda t: 0.3 / t,
                     **kw)
    assert made == [0.3]
    seen = []

    def recording_sgd(params, states, hyperparams):
        seen.append(hyperparams["lr"])
        d2l.sgd(params, states, hyperparams)

    d2l.train_digits(recording_sgd, None, {}, d, schedule=lambda t: 0.3 / t,
                     **kw)
    assert seen == [0.3 / t for t in range(1, 5)]  # 200 examples / 50
    # An lr that is the schedule's peak is accepted, and changes nothing.
    a = d2l.train_digits(d2l.sgd, None, {}, d, schedule=lambda t: 0.3 / t,
                         **kw)
    b = d2l.train_digits(d2l.sgd, None, {"lr": 0.3}, d,
                         schedule=lambda t: 0.3 / t, **kw)
    assert a.losses == b.losses


@pytest.mark.parametrize("lr", [0.1, 0.01, 0.5])
def test_an_lr_that_disagrees_with_the_schedule_is_refused(data, lr):
    # The schedule peaks at 0.3 (update 1): 0.1 and 0.01 are below it,
    # 0.5 is a peak it never comes near.
    with pytest.raises(ValueError, match=r"lr=.*largest rate.* 0\.3"):
        d2l.train_digits(d2l.sgd, None, {"lr": lr}, small(data),
                         schedule=lambda t: 0.3 / t, device=CPU)


def test_one_cycle_made_from_lr_is_accepted_with_that_lr(data):
    # one_cycle's peak falls between two updates: max_t < lr, by < 10%.
    d = small(data)
    updates = 2 * math.ceil(len(d.X_train) / 32)
    schedule = d2l.one_cycle(0.05, updates)
    peak = max(schedule(t) for t in range(1, updates + 1))
    assert 0.9 * 0.05 < peak < 0.05
    d2l.train_digits(d2l.sgd, None, {"lr": 0.05}, d, num_epochs=2,
                     schedule=schedule, device=CPU)
