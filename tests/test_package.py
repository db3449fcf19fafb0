"""Unit tests of d2lmini's core: exports, devices, timer, data, traces,
plotting, explorers and exercise checks."""

from __future__ import annotations

import hashlib
import importlib
import inspect
import shutil
import subprocess
import sys
import time

import matplotlib

# Tests draw without a screen (set here, never in d2lmini).
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import d2lmini as d2l  # noqa: E402
from d2lmini import data as data_mod  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- exports ---


@pytest.mark.parametrize("name", sorted(d2l._all_exports()))
def test_every_export_resolves(name):
    assert getattr(d2l, name) is not None
    assert name in dir(d2l)


def test_every_public_function_is_exported():
    missing = []
    for module_name in sorted(set(d2l._all_exports().values())):
        module = importlib.import_module(f"d2lmini.{module_name}")
        for name in getattr(module, "__all__", []):
            if name not in d2l._all_exports():
                missing.append(f"{module_name}.{name}")
    # the tools for writing checks are reached as d2lmini.checks.NAME
    allowed = {"data.ArrayLoader", "checks.exercise", "checks.not_yet",
               "checks.passed", "checks.number", "checks.close_to"}
    assert sorted(set(missing) - allowed) == []


def test_unknown_attribute_is_a_clear_error():
    with pytest.raises(AttributeError, match="no attribute 'trian_2d'"):
        d2l.trian_2d  # noqa: B018


def test_import_is_cheap_and_has_no_side_effects():
    # (reading rcParams['backend'] would itself import pyplot: skip it)
    code = (
        "import time, torch, matplotlib, sys;"
        "rc = matplotlib.rcParams;"
        "snap = lambda: {k: rc._get(k) for k in rc if k != 'backend'};"
        "before = snap();"
        "t = time.perf_counter(); import d2lmini;"
        "dt = time.perf_counter() - t;"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported';"
        "assert snap() == before, 'rcParams changed';"
        "print(dt)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True)
    assert float(out.stdout) < 0.5


# --- devices and timer ---


def test_devices_on_this_machine():
    assert d2l.cpu() == torch.device("cpu")
    n = d2l.num_gpus()
    assert n >= 0
    devices = d2l.try_all_gpus()
    if n == 0:
        assert d2l.try_gpu() == d2l.cpu()
        assert devices == [d2l.cpu()]
    else:
        assert len(devices) == n
        assert d2l.try_gpu(n + 5) == d2l.cpu() or n == 1


def test_try_gpu_falls_back_to_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    from d2lmini import device

    monkeypatch.setattr(device, "_mps_available", lambda: False)
    assert device.try_gpu() == torch.device("cpu")
    assert device.try_all_gpus() == [torch.device("cpu")]
    monkeypatch.setattr(device, "_mps_available", lambda: True)
    assert device.try_gpu() == torch.device("mps")
    assert device.try_gpu(1) == torch.device("cpu")
    assert device.num_gpus() == 1


@pytest.mark.parametrize(("bad", "error"), [
    (-1, ValueError), (1.5, TypeError), ("0", TypeError), (True, TypeError)])
def test_try_gpu_rejects_bad_index(bad, error):
    with pytest.raises(error, match="i must be a whole number >= 0"):
        d2l.try_gpu(bad)


def test_timer_records_runs():
    timer = d2l.Timer()
    time.sleep(0.01)
    first = timer.stop()
    timer.start()
    time.sleep(0.02)
    second = timer.stop()
    assert first >= 0.009 and second >= 0.019
    assert timer.times == [first, second]
    assert timer.sum() == pytest.approx(first + second)
    assert timer.avg() == pytest.approx((first + second) / 2)
    assert timer.cumsum() == pytest.approx([first, first + second])
    with pytest.raises(RuntimeError, match="without start"):
        timer.stop()


def test_timer_avg_without_runs():
    timer = d2l.Timer()
    with pytest.raises(RuntimeError, match="no run recorded"):
        timer.avg()


# --- data ---


def test_shipped_files_match_their_checksums():
    for name, sha1 in data_mod.SHA1.items():
        path = d2l.data_path(name)
        assert hashlib.sha1(path.read_bytes()).hexdigest() == sha1


def test_airfoil_is_standardized_and_batched():
    data_iter, feature_dim = d2l.get_data_ch11(batch_size=10)
    assert feature_dim == 5
    assert len(data_iter) == 150
    X = torch.cat([x for x, _ in data_iter])
    y = torch.cat([y for _, y in data_iter])
    assert X.shape == (1500, 5) and y.shape == (1500,)
    assert X.dtype == torch.float32
    both = torch.cat([X, y[:, None]], 1).double()
    zeros, ones = torch.zeros(6, dtype=both.dtype), torch.ones(6).double()
    assert torch.allclose(both.mean(0), zeros, atol=1e-5)
    assert torch.allclose(both.std(0, unbiased=False), ones, atol=1e-4)


def test_airfoil_uses_the_first_n_rows():
    raw = d2l.load_airfoil()
    assert raw.shape == (1503, 6)
    data_iter, _ = d2l.get_data_ch11(batch_size=7, n=7)
    X = torch.cat([x for x, _ in data_iter])
    first = raw[:7].astype(np.float64)
    std = first.std(0)
    assert (std == 0).any()  # constant columns in the first rows...
    std[std == 0] = 1.0  # ...are centred, not divided by zero
    expected = (first - first.mean(0)) / std
    got = sorted(map(tuple, X.numpy().round(4)))
    assert got == sorted(map(tuple, expected[:, :5].astype(np.float32)
                             .round(4)))


def test_last_batch_is_short():
    data_iter, _ = d2l.get_data_ch11(batch_size=100, n=250)
    sizes = [len(y) for _, y in data_iter]
    assert sizes == [100, 100, 50]


def test_shuffling_is_seeded_per_epoch():
    a, _ = d2l.get_data_ch11(batch_size=50, seed=3)
    b, _ = d2l.get_data_ch11(batch_size=50, seed=3)
    a.set_epoch(2)
    b.set_epoch(2)
    assert all(torch.equal(x, y) for (x, _), (y, _) in zip(a, b))
    a.set_epoch(0)
    b.set_epoch(1)
    first_a = next(iter(a))[0]
    first_b = next(iter(b))[0]
    assert not torch.equal(first_a, first_b)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"batch_size": 0}, ValueError, "batch_size must be between 1"),
        ({"batch_size": 1501}, ValueError, "larger than the 1500 examples"),
        ({"batch_size": 2.5}, TypeError, "batch_size must be an integer"),
        ({"n": 0}, ValueError, "n must be between 1 and 1503"),
        ({"n": 2000}, ValueError, "n must be between 1 and 1503"),
        ({"n": "1500"}, TypeError, "n must be an integer"),
    ],
)
def test_get_data_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        d2l.get_data_ch11(**kwargs)


def test_missing_data_file_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(data_mod, "DATA_DIRS", [tmp_path])
    with pytest.raises(d2l.DataError, match="missing.*git checkout"):
        d2l.get_data_ch11()


def test_corrupted_data_file_says_what_to_do(tmp_path, monkeypatch):
    good = d2l.data_path(data_mod.AIRFOIL)
    bad = tmp_path / data_mod.AIRFOIL
    shutil.copy(good, bad)
    with bad.open("ab") as fh:
        fh.write(b"1\t2\t3\t4\t5\t6\r\n")
    monkeypatch.setattr(data_mod, "DATA_DIRS", [tmp_path])
    with pytest.raises(d2l.DataError, match="corrupted.*SHA-1"):
        d2l.get_data_ch11()


def test_unknown_data_file():
    with pytest.raises(ValueError, match="unknown data file"):
        d2l.data_path("mnist.gz")


def test_digits():
    X, y = d2l.load_digits()
    assert X.shape == (1797, 64) and X.dtype == torch.float32
    assert y.shape == (1797,) and y.dtype == torch.int64
    assert float(X.min()) == 0.0 and float(X.max()) == 1.0
    assert sorted(torch.unique(y).tolist()) == list(range(10))


def test_load_array_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="same length"):
        d2l.load_array((torch.zeros(3), torch.zeros(4)), 2)


# --- traces ---


def f_2d(x1, x2):
    return x1**2 + 2 * x2**2


def make_gd(eta):
    def trainer(x1, x2, s1, s2):
        return x1 - eta * 2 * x1, x2 - eta * 4 * x2, 0, 0

    return trainer


def test_train_2d_matches_closed_form():
    trace = d2l.train_2d(make_gd(0.1), steps=20)
    assert len(trace) == 21
    assert trace[0] == (-5.0, -2.0)
    expected = (-5.0 * 0.8**20, -2.0 * 0.6**20)
    assert trace.final == pytest.approx(expected, rel=1e-12)
    assert not trace.diverges()
    # the sources' list-of-pairs interface still works
    x1, x2 = zip(*trace)
    assert len(x1) == 21


def test_train_2d_passes_f_grad_and_state():
    seen = []

    def trainer(x1, x2, s1, s2, f_grad):
        g1, g2 = f_grad(x1, x2)
        seen.append((s1, s2))
        return x1 - 0.1 * g1, x2 - 0.1 * g2, s1 + 1, s2 + 2

    d2l.train_2d(trainer, steps=3, f_grad=lambda a, b: (2 * a, 4 * b))
    assert seen == [(0, 0), (1, 2), (2, 4)]


def test_train_2d_stops_when_blowing_up():
    trace = d2l.train_2d(make_gd(5.0), steps=100)
    assert trace.stopped_at is not None and trace.stopped_at < 100
    assert trace.diverges()
    assert np.isfinite(trace.points).all()


def test_train_2d_non_finite():
    trace = d2l.train_2d(lambda *s: (float("nan"), 0.0, 0, 0), steps=5)
    assert trace.stopped_at == 1 and len(trace) == 1


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((make_gd(0.1), 0), ValueError, "steps must be a whole number"),
        ((make_gd(0.1), 2.0), TypeError, "steps must be a whole number"),
        (("gd", 5), TypeError, "needs a function"),
        ((lambda *s: (1.0, 2.0), 5), TypeError, "4-tuple"),
    ],
)
def test_train_2d_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        d2l.train_2d(*args)


def test_diverging_trace_is_labelled_and_framed():
    trace = d2l.train_2d(make_gd(0.6), steps=20)  # factor -1.4 on x2
    assert trace.diverges()
    ax = d2l.show_trace_2d(f_2d, trace)
    assert "diverging" in ax.get_title()
    # the frame follows the trace but is capped: it stays readable
    r0 = np.hypot(5, 2)
    assert max(map(abs, ax.get_ylim())) < 10 * r0
    # and an arrow shows where the trace leaves the frame
    assert any(type(c).__name__ == "Annotation" for c in ax.get_children())


def test_converging_trace_has_no_warning_and_frame_contains_it():
    trace = d2l.train_2d(make_gd(0.1), steps=20)
    ax = d2l.show_trace_2d(f_2d, trace, title="gd")
    assert ax.get_title() == "gd"
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    pts = trace.points
    assert x0 < pts[:, 0].min() and pts[:, 0].max() < x1
    assert y0 < pts[:, 1].min() and pts[:, 1].max() < y1


def test_show_trace_1d_labels_divergence():
    xs = [10.0]
    for _ in range(10):
        xs.append(xs[-1] - 1.1 * 2 * xs[-1])
    ax = d2l.show_trace(xs, lambda x: x**2)
    assert "diverging" in ax.get_title()
    good = [10.0 * 0.6**t for t in range(11)]
    assert d2l.show_trace(good, lambda x: x**2).get_title() == ""


def test_show_trace_checks_dimension():
    with pytest.raises(ValueError, match="show_trace_2d"):
        d2l.show_trace([(1.0, 2.0)], f_2d)
    with pytest.raises(ValueError, match="show_trace for 1-D"):
        d2l.show_trace_2d(f_2d, [1.0, 2.0])
    with pytest.raises(ValueError, match="at least one point"):
        d2l.show_trace([], f_2d)


def test_uphill_run_is_labelled():
    # converges to a maximum of -f: ends higher than it started
    trace = d2l.Trace.from_points([(-1.0, 0.0), (-2.0, 0.0), (-2.1, 0.0)])
    ax = d2l.show_trace_2d(f_2d, trace)
    assert "uphill" in ax.get_title()


def test_animation_is_self_contained_html():
    trace = d2l.train_2d(make_gd(0.1), steps=5)
    html = d2l.animate_trace_2d(f_2d, trace).data
    assert "<img" in html and "animation" in html.lower()
    # every frame is embedded and nothing is fetched from the internet
    # (not even matplotlib's icon font: the website's theme has one)
    assert html.count("data:image/png;base64") == len(trace)
    assert "https://" not in html and "font-awesome" not in html
    assert plt.get_fignums() == []  # no stray static figure


def test_trace_grid_and_bad_values():
    axes = d2l.trace_grid_2d(f_2d, make_gd, eta=[0.1, 0.3, 0.6, 0.2])
    assert axes.shape == (2, 3)
    titles = [ax.get_title() for ax in axes.flat if ax.get_visible()]
    assert len(titles) == 4 and "diverging" in titles[2]
    with pytest.raises(ValueError, match="at least one"):
        d2l.trace_grid_2d(f_2d, make_gd)
    with pytest.raises(TypeError, match="list of values"):
        d2l.trace_grid_2d(f_2d, make_gd, eta=0.1)


def test_explorer_builds_sliders():
    box = d2l.explore_2d(f_2d, make_gd, eta=(0.01, 0.6, 0.01, 0.1))
    slider = box.children[0].children[0]
    assert slider.description == "eta" and slider.value == 0.1
    slider.value = 0.3  # redraws without error
    with pytest.raises(ValueError, match="outside"):
        d2l.explore_2d(f_2d, make_gd, eta=(0.01, 0.6, 0.01, 0.9))
    with pytest.raises(ValueError, match="at least one slider"):
        d2l.explore_2d(f_2d, make_gd)


# --- plotting ---


def test_plot_several_series_and_returns_axes():
    ax = d2l.plot(np.arange(5), [np.arange(5), np.arange(5) ** 2],
                  xlabel="t", ylabel="v", legend=["a", "b"], yscale="log")
    assert len(ax.lines) == 2
    assert ax.get_xlabel() == "t" and ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]


def test_plot_single_series_against_index_and_tensor():
    ax = d2l.plot(torch.tensor([3.0, 1.0, 2.0]))
    x, y = ax.lines[0].get_data()
    assert list(x) == [0, 1, 2] and list(y) == [3.0, 1.0, 2.0]


def test_plot_mismatch():
    with pytest.raises(ValueError, match="x-series"):
        d2l.plot([[1, 2], [1, 2], [3, 4]], [[1, 2], [3, 4]])


# --- exercise checks ---


def test_check_passes_and_fails_with_hint():
    ok = d2l.check("gd.lr_bound", 0.5)
    assert ok.passed and "Passed" in str(ok) and "Passed" in ok._repr_html_()
    wrong = d2l.check("gd.lr_bound", 0.25)
    assert not wrong.passed and "Hint" in str(wrong)
    assert not isinstance(ok, bool)


@pytest.mark.parametrize("answer", [..., None])
def test_check_without_answer(answer):
    fb = d2l.check("gd.best_eta", answer)
    assert not fb.passed and "no answer yet" in fb.message


def test_check_reports_student_errors_without_traceback():
    def broken(f, f_grad, x):
        return 1 / 0

    fb = d2l.check("gd.line_search", broken)
    assert not fb.passed
    assert "ZeroDivisionError" in fb.message and "broken" in fb.hint


def test_check_unknown_name():
    fb = d2l.check("gd.nope", 1)
    assert not fb.passed and "no check with this name" in fb.message
    fb = d2l.check("nochapter.x", 1)
    assert not fb.passed


def test_check_non_numeric_answer():
    fb = d2l.check("gd.rotated", "two")
    assert not fb.passed and "finite number" in fb.message


# The checks of each chapter are tested in tests/test_checks_NAME.py.


def test_docstrings_name_their_chapter():
    for name in ["train_2d", "show_trace_2d", "get_data_ch11", "Timer",
                 "try_gpu", "check", "explore_2d", "animate_trace_2d"]:
        doc = inspect.getdoc(getattr(d2l, name)) or ""
        module_doc = inspect.getdoc(inspect.getmodule(getattr(d2l, name)))
        assert "chapters/" in doc + (module_doc or ""), name
