"""A stopwatch that records several runs.

Introduced in ``chapters/minibatch-sgd.ipynb``.
"""

from __future__ import annotations

import time

import torch

__all__ = ["Timer"]


def _synchronize() -> None:
    # Kernels on a GPU run asynchronously: wait for them before reading the
    # clock, or the timer measures only how long it took to queue them.
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()
    mps = getattr(torch, "mps", None)
    if (
        mps is not None
        and getattr(torch.backends, "mps", None) is not None
        and torch.backends.mps.is_available()
    ):
        mps.synchronize()


class Timer:
    """Record the durations of several runs.

    The timer starts when it is created. ``stop()`` records the time since
    the last ``start()`` and returns it.

    Example:
        >>> timer = Timer()
        >>> _ = sum(range(1000))
        >>> seconds = timer.stop()
        >>> timer.times == [seconds]
        True
    """

    def __init__(self) -> None:
        self.times: list[float] = []
        self._tik: float | None = None
        self.start()

    def start(self) -> None:
        """Start (or restart) the clock."""
        _synchronize()
        self._tik = time.perf_counter()

    def stop(self) -> float:
        """Stop the clock, record the duration and return it in seconds."""
        if self._tik is None:
            raise RuntimeError("Timer.stop() called without start()")
        _synchronize()
        elapsed = time.perf_counter() - self._tik
        self.times.append(elapsed)
        self._tik = None
        return elapsed

    def avg(self) -> float:
        """Average duration of the recorded runs."""
        if not self.times:
            raise RuntimeError("Timer.avg(): no run recorded yet")
        return self.sum() / len(self.times)

    def sum(self) -> float:
        """Total duration of the recorded runs."""
        return float(sum(self.times))

    def cumsum(self) -> list[float]:
        """Running totals of the recorded durations."""
        total, out = 0.0, []
        for t in self.times:
            total += t
            out.append(total)
        return out
