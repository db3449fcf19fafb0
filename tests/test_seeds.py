"""d2lmini.seeds: experiments compared over seeds, tuned on one."""

import math

import pytest

import d2lmini as d2l


def test_over_seeds_calls_each_seed_once_and_summarizes():
    calls = []

    def run(seed):
        calls.append(seed)
        return seed ** 2

    s = d2l.over_seeds(run, seeds=[3, 1, 2])
    assert calls == [3, 1, 2]
    assert s.values == (9.0, 1.0, 4.0)
    assert (s.median, s.min, s.max, s.mean) == (4.0, 1.0, 9.0, 14 / 3)
    assert str(s) == "4 (median of 3 seeds; 1 to 9)"


def test_below_counts_seeds_and_needs_the_same_seeds():
    a = d2l.over_seeds(lambda s: [1, 5, 2][s], seeds=[0, 1, 2])
    b = d2l.over_seeds(lambda s: [2, 4, 2][s], seeds=[0, 1, 2])
    assert a.below(b) == 1  # ties do not count
    assert b.below(a) == 1
    with pytest.raises(ValueError, match="different seeds"):
        a.below(d2l.over_seeds(lambda s: 0.0, seeds=[0, 1, 3]))


def test_tune_uses_the_tuning_seed_and_skips_diverged_runs():
    seen = set()

    def run(lr, seed):
        seen.add(seed)
        return math.inf if lr > 1 else (lr - 0.3) ** 2

    assert d2l.tune(run, [0.1, 0.3, 2.0]) == 0.3
    assert seen == {d2l.TUNING_SEED}
    assert d2l.TUNING_SEED not in d2l.REPORT_SEEDS
    with pytest.raises(ValueError, match="diverged"):
        d2l.tune(lambda lr, seed: math.nan, [1.0, 2.0])


@pytest.mark.parametrize("call, error, phrase", [
    (lambda: d2l.over_seeds(lambda s: 0.0, seeds=[]), ValueError, "empty"),
    (lambda: d2l.over_seeds(lambda s: 0.0, seeds=[1, 1]), ValueError,
     "repeated"),
    (lambda: d2l.over_seeds(lambda s: 0.0, seeds=[1.5]), TypeError,
     "integers"),
    (lambda: d2l.over_seeds(lambda s: 0.0, seeds=5), TypeError, "list"),
    (lambda: d2l.over_seeds(lambda s: [0.0, 1.0], seeds=[1]), TypeError,
     "one number"),
    (lambda: d2l.over_seeds(3.0), TypeError, "function of the seed"),
    (lambda: d2l.tune(lambda v, s: 0.0, []), ValueError, "empty"),
    (lambda: d2l.tune(lambda v, s: 0.0, "abc"), TypeError, "list"),
])
def test_bad_input_is_refused(call, error, phrase):
    with pytest.raises(error, match=phrase):
        call()
