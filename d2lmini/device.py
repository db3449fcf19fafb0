"""Device selection: CUDA first, then Apple's MPS, then the CPU.

Introduced in ``chapters/minibatch-sgd.ipynb``.
"""

from __future__ import annotations

import torch

from ._args import check_int

__all__ = ["cpu", "num_gpus", "try_gpu", "try_all_gpus"]


def cpu() -> torch.device:
    """Return the CPU device."""
    return torch.device("cpu")


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def num_gpus() -> int:
    """Number of accelerators: CUDA devices, else 1 for Apple MPS, else 0."""
    if torch.cuda.is_available():
        return torch.cuda.device_count()
    return 1 if _mps_available() else 0


def try_gpu(i: int = 0) -> torch.device:
    """Return accelerator ``i`` if it exists, else the CPU.

    CUDA devices come first; on a Mac without CUDA, ``i=0`` is the MPS
    device.

    Args:
        i: index of the accelerator, counted from 0.

    Returns:
        ``cuda:i``, ``mps`` or ``cpu``.

    Example:
        >>> x = torch.ones(3, device=try_gpu())
    """
    i = check_int("i", i, 0)
    if torch.cuda.is_available():
        if i < torch.cuda.device_count():
            return torch.device(f"cuda:{i}")
        return cpu()
    if i == 0 and _mps_available():
        return torch.device("mps")
    return cpu()


def try_all_gpus() -> list[torch.device]:
    """Return every accelerator, or ``[cpu()]`` when there is none."""
    n = num_gpus()
    if n == 0:
        return [cpu()]
    return [try_gpu(i) for i in range(n)]
