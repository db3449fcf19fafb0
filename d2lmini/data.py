"""The book's two data sets, read from files shipped with the package.

Nothing here downloads anything: the files travel inside the wheel
(``pip install`` from a checkout or a git URL) and, in a checkout, live in
the repository's ``data/`` folder. Each file's SHA-1 is checked on first
use, so a truncated or edited file fails loudly instead of training on
garbage.

Introduced in ``chapters/minibatch-sgd.ipynb``.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch

from ._args import check_seed

__all__ = [
    "ArrayLoader",
    "DataError",
    "data_path",
    "get_data_ch11",
    "load_airfoil",
    "load_array",
    "load_digits",
]

AIRFOIL = "airfoil_self_noise.dat"
DIGITS = "digits.csv.gz"
SHA1 = {
    AIRFOIL: "76e5be1548fd8222e5074cf0faae75edff8cf93f",
    DIGITS: "e0cd714d06606e7585101a8fd0314cbd1307e336",
}
AIRFOIL_ROWS = 1503

_HERE = Path(__file__).resolve().parent
# Installed wheel: d2lmini/data/. Checkout or editable install: ../data/.
DATA_DIRS = [_HERE / "data", _HERE.parent / "data"]

_HOW_TO_FIX = (
    "Restore it with `git checkout -- data/` in a checkout of the book, or "
    "reinstall the package (`pip install --force-reinstall d2lmini` from "
    "the book's repository)."
)


class DataError(RuntimeError):
    """A data file is missing or corrupted."""


def data_path(name: str) -> Path:
    """Return the path of a shipped data file after checking its SHA-1.

    Args:
        name: ``"airfoil_self_noise.dat"`` or ``"digits.csv.gz"``.

    Raises:
        DataError: the file is missing or its checksum is wrong.
    """
    if name not in SHA1:
        raise ValueError(
            f"unknown data file {name!r}; the book ships {sorted(SHA1)}"
        )
    for folder in DATA_DIRS:
        path = folder / name
        if path.is_file():
            _verify(path, SHA1[name])
            return path
    searched = ", ".join(str(d) for d in DATA_DIRS)
    raise DataError(
        f"The data file {name!r} is missing (looked in {searched}). "
        + _HOW_TO_FIX
    )


@functools.cache
def _verify_cached(path: str, mtime_ns: int, size: int, sha1: str) -> None:
    digest = hashlib.sha1(Path(path).read_bytes()).hexdigest()
    if digest != sha1:
        raise DataError(
            f"The data file {path} is corrupted: its SHA-1 is {digest}, "
            f"expected {sha1}. " + _HOW_TO_FIX
        )


def _verify(path: Path, sha1: str) -> None:
    stat = path.stat()
    _verify_cached(str(path), stat.st_mtime_ns, stat.st_size, sha1)


def _check_int(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"{name} must be an integer between {low} and {high}, "
            f"got {value!r}"
        )
    if not low <= value <= high:
        raise ValueError(
            f"{name} must be between {low} and {high}, got {value}"
        )
    return int(value)


def load_airfoil() -> np.ndarray:
    """All 1503 rows of the airfoil self-noise data, unscaled, float32.

    Columns: frequency (Hz), angle of attack (deg), chord length (m),
    free-stream velocity (m/s), suction-side displacement thickness (m),
    and the target, scaled sound pressure level (dB).
    """
    text = data_path(AIRFOIL).read_bytes().decode("ascii")
    data = np.loadtxt(io.StringIO(text), dtype=np.float64, delimiter="\t")
    return data.astype(np.float32)


class ArrayLoader:
    """Minibatches over in-memory tensors, reshuffled every epoch.

    A lightweight stand-in for ``torch.utils.data.DataLoader`` over a
    ``TensorDataset``: one permutation per epoch, then slices, so the cost
    per batch stays tiny even for ``batch_size=1``.

    The order of epoch ``e`` depends only on ``seed`` and ``e``: training
    loops call :meth:`set_epoch` (as with PyTorch's ``DistributedSampler``)
    and two runs over the same loader see the same batches. Iterating
    without ``set_epoch`` advances the epoch by one each time.
    """

    def __init__(
        self,
        arrays: tuple[torch.Tensor, ...],
        batch_size: int,
        shuffle: bool = True,
        seed: int = 0,
    ) -> None:
        n = len(arrays[0])
        if any(len(a) != n for a in arrays):
            raise ValueError(
                "all arrays must have the same length, got "
                f"{[len(a) for a in arrays]}"
            )
        self.arrays = arrays
        self.batch_size = _check_int("batch_size", batch_size, 1, n)
        self.shuffle = shuffle
        self.seed = seed
        self.num_examples = n
        self._epoch = 0
        self._epoch_set = False

    def set_epoch(self, epoch: int) -> None:
        """Fix the shuffling order of the next iteration to epoch ``epoch``."""
        self._epoch = epoch
        self._epoch_set = True

    def __len__(self) -> int:
        return math.ceil(self.num_examples / self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, ...]]:
        epoch = self._epoch
        if not self._epoch_set:
            self._epoch += 1
        self._epoch_set = False
        arrays = self.arrays
        if self.shuffle:
            gen = torch.Generator().manual_seed(self.seed * 100_003 + epoch)
            order = torch.randperm(self.num_examples, generator=gen)
            # index_select, not a[order]: the same rows, but a[order] on a
            # 2-D tensor runs a multithreaded kernel that costs up to 8 ms
            # (against 6 us) when the other cores are busy (measured).
            arrays = tuple(a.index_select(0, order) for a in arrays)
        b = self.batch_size
        for i in range(0, self.num_examples, b):
            yield tuple(a[i : i + b] for a in arrays)


def load_array(
    data_arrays: tuple[torch.Tensor, ...],
    batch_size: int,
    is_train: bool = True,
    seed: int = 0,
) -> ArrayLoader:
    """Minibatch iterator over tensors (shuffled when ``is_train``).

    ``data_arrays`` is a tuple of tensors of the same length, e.g.
    ``(X, y)``; each minibatch is the tuple of their slices.
    """
    if isinstance(data_arrays, torch.Tensor) or not isinstance(
            data_arrays, (tuple, list)) or not data_arrays or not all(
            isinstance(a, torch.Tensor) for a in data_arrays):
        raise TypeError(
            "data_arrays must be a tuple of tensors such as (X, y), got "
            f"{type(data_arrays).__name__}; for one tensor X write (X,)")
    if not isinstance(is_train, (bool, np.bool_)):
        raise TypeError(f"is_train must be True or False, got {is_train!r}")
    seed = check_seed(seed)
    return ArrayLoader(
        tuple(data_arrays), batch_size, shuffle=is_train, seed=seed
    )


def get_data_ch11(
    batch_size: int = 10, n: int = 1500, seed: int = 0
) -> tuple[ArrayLoader, int]:
    """Minibatches over the first ``n`` airfoil rows, standardized.

    Each column (the five features and the target) is shifted to mean 0 and
    scaled to standard deviation 1 over the rows used.

    Args:
        batch_size: examples per minibatch, between 1 and ``n``.
        n: number of rows, between 1 and 1503 (the book uses 1500).
        seed: seeds the shuffling, so a run is reproducible.

    Returns:
        ``(data_iter, feature_dim)``: an iterator of ``(X, y)`` minibatches
        with ``X`` of shape ``(b, 5)`` and ``y`` of shape ``(b,)``, and
        ``feature_dim == 5``.

    Raises:
        ValueError: ``n`` or ``batch_size`` is out of range.
        DataError: the data file is missing or corrupted.

    Introduced in ``chapters/minibatch-sgd.ipynb``.
    """
    n = _check_int("n", n, 1, AIRFOIL_ROWS)
    seed = check_seed(seed)
    if isinstance(batch_size, (int, np.integer)) and batch_size > n:
        raise ValueError(
            f"batch_size={batch_size} is larger than the {n} examples; "
            f"use at most batch_size={n} (full-batch gradient descent)"
        )
    batch_size = _check_int("batch_size", batch_size, 1, n)
    data = load_airfoil()[:n].astype(np.float64)
    std = data.std(axis=0)
    std[std == 0] = 1.0  # a single row has no spread: leave it centred
    data = ((data - data.mean(axis=0)) / std).astype(np.float32)
    tensor = torch.from_numpy(data)
    data_iter = load_array(
        (tensor[:, :-1], tensor[:, -1]), batch_size, is_train=True, seed=seed
    )
    return data_iter, tensor.shape[1] - 1


def load_digits() -> tuple[torch.Tensor, torch.Tensor]:
    """The 1797 handwritten 8x8 digits: pixels scaled to [0, 1] and labels.

    Returns:
        ``(X, y)``: ``X`` float32 of shape ``(1797, 64)``, ``y`` int64 of
        shape ``(1797,)`` with values 0..9.
    """
    raw = gzip.decompress(data_path(DIGITS).read_bytes()).decode("ascii")
    table = np.loadtxt(io.StringIO(raw), delimiter=",", dtype=np.int64)
    X = torch.from_numpy(table[:, :-1].astype(np.float32) / 16.0)
    y = torch.from_numpy(table[:, -1])
    return X, y
