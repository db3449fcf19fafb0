"""The argument checks every public helper of d2lmini shares.

One function per idea: a whole number in a range, a finite number in a
range, a point, a seed, a device, a function, a list of labels. Each raises
at the call, before any work starts, a ``TypeError`` (wrong kind of value)
or a ``ValueError`` (right kind, wrong value) whose message names the
argument, the value it got and what is allowed. NumPy scalars (such as an
``np.float32`` from ``np.linspace``) count as numbers; arrays do not.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import torch

SEED_MAX = 2**63 - 1  # torch.Generator.manual_seed takes 0 .. 2**63 - 1


def _shown(value: Any) -> str:
    """``repr`` of a value, short, and with an array's shape instead."""
    shape = getattr(value, "shape", None)
    if shape is not None and len(shape) > 0:
        return f"an array of shape {tuple(shape)}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def is_number(value: Any) -> bool:
    """A finite real number: int, float or NumPy scalar, not a bool."""
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and math.isfinite(value))


def check_int(name: str, value: Any, low: int = 0,
              high: int | None = None) -> int:
    """``value`` as an ``int``, if it is a whole number in [low, high]."""
    allowed = (f"a whole number >= {low}" if high is None
               else f"a whole number between {low} and {high}")
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {allowed}, got {_shown(value)}")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} must be {allowed}, got {value}")
    return int(value)


def check_number(name: str, value: Any, low: float | None = None,
                 high: float | None = None, *, open_low: bool = False,
                 open_high: bool = False) -> float:
    """``value`` as a ``float``, if it is a finite number in the range."""
    parts = []
    if low is not None:
        parts.append(f"{'>' if open_low else '>='} {low}")
    if high is not None:
        parts.append(f"{'<' if open_high else '<='} {high}")
    allowed = "a finite number" + (" " + " and ".join(parts) if parts else "")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {allowed}, got {_shown(value)}")
    ok = math.isfinite(value)
    if ok and low is not None:
        ok = value > low if open_low else value >= low
    if ok and high is not None:
        ok = value < high if open_high else value <= high
    if not ok:
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return float(value)


def check_seed(seed: Any, name: str = "seed") -> int:
    """A seed of a ``torch.Generator``: a whole number in [0, 2**63 - 1]."""
    return check_int(name, seed, 0, SEED_MAX)


def check_point(name: str, value: Any, dim: int = 2) -> tuple[float, ...]:
    """``dim`` finite coordinates (a tuple, list, 1-D array or tensor)."""
    allowed = f"{dim} finite numbers such as {(-5.0, -2.0)[:dim]}"
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().tolist()
    elif hasattr(value, "tolist") and getattr(value, "ndim", 0) == 1:
        value = value.tolist()
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be {allowed}, got {_shown(value)}")
    if len(value) != dim or not all(is_number(v) for v in value):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return tuple(float(v) for v in value)


def check_callable(name: str, value: Any, allowed: str) -> Any:
    """``value`` itself, if it can be called."""
    if not callable(value):
        raise TypeError(f"{name} must be {allowed}, got {_shown(value)}")
    return value


_DEVICES = ("None (the default: d2l.try_gpu()), 'cpu', 'cuda', 'cuda:N', "
            "'mps' or a torch.device")


def check_device(device: Any, name: str = "device") -> torch.device | None:
    """``None`` or a ``torch.device`` that exists on this machine."""
    if device is None:
        return None
    if not isinstance(device, (str, torch.device)):
        raise TypeError(f"{name} must be {_DEVICES}, got {_shown(device)}")
    try:
        dev = torch.device(device)
    except RuntimeError:
        raise ValueError(
            f"{name} must be {_DEVICES}, got {device!r}") from None
    if dev.type == "cpu":
        return dev
    if dev.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if (dev.index or 0) >= count:
            raise ValueError(
                f"{name}={device!r}, but this machine has {count} CUDA "
                "device(s); use d2l.try_gpu(), which falls back to the CPU")
        return dev
    if dev.type == "mps":
        backend = getattr(torch.backends, "mps", None)
        if backend is None or not backend.is_available():
            raise ValueError(
                f"{name}={device!r}, but this machine has no MPS device; "
                "use d2l.try_gpu(), which falls back to the CPU")
        return dev
    raise ValueError(f"{name} must be {_DEVICES}, got {device!r}")


def check_labels(name: str, labels: Any, count: int) -> list[Any] | None:
    """``None``, or a list of ``count`` legend entries (not one string)."""
    if labels is None:
        return None
    if isinstance(labels, str):
        raise TypeError(
            f"{name} must be a list of {count} strings, one per curve, got "
            f"the string {labels!r}; write [{labels!r}]")
    if not isinstance(labels, Sequence):
        raise TypeError(
            f"{name} must be a list of {count} strings, got "
            f"{_shown(labels)}")
    if len(labels) != count:
        raise ValueError(
            f"{name} has {len(labels)} entries for {count} curves; give "
            "one per curve")
    return list(labels)
