"""Comparisons over seeds, the book's rule for every experiment.

One run says little: the order of the minibatches, the initial weights and
the gradient noise all come from a seed, and a comparison read off one
seed's final loss can reverse on the next. The book therefore

* chooses hyperparameters on one *tuning* seed (:func:`tune`), and
* reports the comparison on *other* seeds (:func:`over_seeds`), saying in
  how many of them one run ends below another (:meth:`Spread.below`).

>>> s = over_seeds(lambda seed: float(seed), seeds=[1, 2, 3])
>>> s.median, s.min, s.max
(2.0, 1.0, 3.0)
>>> print(s)
2 (median of 3 seeds; 1 to 3)
>>> over_seeds(lambda seed: 10.0 - seed, seeds=[1, 2, 3]).below(s)
0
"""

from __future__ import annotations

import math
import numbers
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Callable

__all__ = ["Spread", "over_seeds", "tune", "REPORT_SEEDS", "TUNING_SEED"]

# The book's convention: tune on seed 0, report on seeds 1 to 5.
TUNING_SEED = 0
REPORT_SEEDS = (1, 2, 3, 4, 5)


def _check_seeds(seeds: Any) -> tuple[int, ...]:
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Iterable):
        raise TypeError(f"seeds must be a list of integers, got {seeds!r}")
    out = tuple(seeds)
    if not out:
        raise ValueError("seeds is empty: give at least one seed, "
                         "e.g. seeds=range(1, 6)")
    bad = [s for s in out if isinstance(s, bool)
           or not isinstance(s, numbers.Integral)]
    if bad:
        raise TypeError(f"seeds must be integers, got {bad[0]!r} "
                        f"({type(bad[0]).__name__}) in {out!r}")
    if len(set(out)) != len(out):
        raise ValueError(f"seeds has repeated values: {out!r}; a repeated "
                         "seed repeats a run and is not a new sample")
    return tuple(int(s) for s in out)


def _number(value: Any, where: str) -> float:
    """A run's result as a float: a number, a 0-d tensor/array, or an
    object with a ``final_loss`` (:class:`d2lmini.History`)."""
    if hasattr(value, "final_loss") and not callable(value):
        value = value.final_loss
    if hasattr(value, "item") and getattr(value, "ndim", 0) == 0:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where} returned {value!r}; it must return one "
                        "number (e.g. the final loss) for a seed")
    return float(value)


@dataclass(frozen=True)
class Spread:
    """One number per seed, and what can be said across them."""

    seeds: tuple[int, ...]
    values: tuple[float, ...]

    def __post_init__(self) -> None:
        seeds = _check_seeds(self.seeds)
        if isinstance(self.values, (str, bytes)) or not isinstance(
                self.values, Sequence):
            raise TypeError(
                f"Spread values must be a tuple of numbers, one per seed, "
                f"got {self.values!r}")
        if len(seeds) != len(self.values):
            raise ValueError(
                "Spread needs one value per seed: got "
                f"{len(seeds)} seeds and {len(self.values)} values")
        for v in self.values:
            if isinstance(v, bool) or not isinstance(v, numbers.Real):
                raise TypeError(
                    f"Spread values must be numbers (one per seed), got "
                    f"{v!r} in {self.values!r}")
        object.__setattr__(self, "seeds", seeds)
        object.__setattr__(self, "values", tuple(self.values))

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.values)

    @property
    def min(self) -> float:
        return min(self.values)

    @property
    def max(self) -> float:
        return max(self.values)

    def below(self, other: Spread) -> int:
        """In how many seeds this run ended strictly below ``other``
        (both must have run on the same seeds)."""
        if not isinstance(other, Spread):
            raise TypeError(f"other must be a Spread, got {other!r}")
        if other.seeds != self.seeds:
            raise ValueError(f"the two spreads ran on different seeds: "
                             f"{self.seeds} and {other.seeds}")
        return sum(a < b for a, b in zip(self.values, other.values))

    def __str__(self) -> str:
        n = len(self.values)
        if n == 1:
            return f"{self.values[0]:.3g} (1 seed)"
        return (f"{self.median:.3g} (median of {n} seeds; "
                f"{self.min:.3g} to {self.max:.3g})")


def over_seeds(run: Callable[[int], Any],
               seeds: Iterable[int] = REPORT_SEEDS) -> Spread:
    """Call ``run(seed)`` for every seed; ``run`` returns one number (or a
    :class:`d2lmini.History`, whose final loss is taken)."""
    if not callable(run):
        raise TypeError(f"run must be a function of the seed, got {run!r}")
    seeds = _check_seeds(seeds)
    values = tuple(_number(run(s), f"run({s})") for s in seeds)
    return Spread(seeds, values)


def tune(run: Callable[[Any, int], Any], grid: Sequence[Any],
         seed: int = TUNING_SEED) -> Any:
    """The value of ``grid`` whose ``run(value, seed)`` is lowest, on the
    tuning seed only. A run that ends at NaN or infinity (diverged) never
    wins; if every run diverges, a ValueError says so."""
    if not callable(run):
        raise TypeError(f"run must be a function (value, seed), got {run!r}")
    if isinstance(grid, (str, bytes)) or not isinstance(grid, Sequence):
        raise TypeError(f"grid must be a list of candidate values, "
                        f"got {grid!r}")
    if not grid:
        raise ValueError("grid is empty: give at least one candidate")
    (seed,) = _check_seeds([seed])
    results = [_number(run(v, seed), f"run({v!r}, {seed})") for v in grid]
    finite = [(r, k) for k, r in enumerate(results) if math.isfinite(r)]
    if not finite:
        raise ValueError(f"every candidate of {list(grid)!r} diverged on "
                         f"seed {seed}; try smaller values")
    return grid[min(finite)[1]]
