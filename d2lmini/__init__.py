"""d2lmini: the helper package of the book *Optimization Algorithms for Deep
Learning*.

Every helper is reachable as ``d2lmini.NAME``, so code written for the book's
sources (``import d2lmini as d2l; d2l.train_2d(...)``) reads the same.

Submodules are imported on first use (PEP 562), so ``import d2lmini`` costs
next to nothing on top of ``import torch``, and nothing happens at import:
no ``rcParams`` are changed and no random seed is set.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# Public name -> submodule that defines it. One line per helper; the test
# suite checks that every name here resolves and that every public function
# of the submodules is listed.
_EXPORTS: dict[str, str] = {
    # device selection
    "cpu": "device",
    "num_gpus": "device",
    "try_gpu": "device",
    "try_all_gpus": "device",
    # timing
    "Timer": "timer",
    # data
    "DataError": "data",
    "data_path": "data",
    "get_data_ch11": "data",
    "load_array": "data",
    "load_airfoil": "data",
    "load_digits": "data",
    # plotting
    "set_axes": "plotting",
    "plot": "plotting",
    "new_axes": "plotting",
    # 1-D and 2-D traces
    "Trace": "traces",
    "show_trace": "traces",
    "train_2d": "traces",
    "show_trace_2d": "traces",
    "animate_trace_2d": "traces",
    "trace_grid_2d": "traces",
    # interactive explorers
    "explore_2d": "explore",
    "explore_airfoil": "explore",
    "AirfoilExplorer": "explore",
    # live 2-D traces that run in the page (no kernel)
    "live_trace_2d": "live",
    "live_path_2d": "live",
    "LiveTrace": "live",
    "objective_2d": "objectives",
    "check_objective": "objectives",
    "Mulberry32": "noise",
    "noise_2d": "noise",
    "noisy_grad_2d": "noise",
    "check_noise": "noise",
    "check_seed": "noise",
    # exercise checks
    "Feedback": "checks",
    "check": "checks",
    # optimizers from scratch (one update rule per algorithm)
    "check_hyperparams": "optim",
    "read_hyperparams": "optim",
    "sgd": "optim",
    "sgd_momentum": "optim",
    "sgd_nesterov": "optim",
    "adagrad": "optim",
    "rmsprop": "optim",
    "adadelta": "optim",
    "adam": "optim",
    "yogi": "optim",
    "adamax": "optim",
    "nadam": "optim",
    "amsgrad": "optim",
    "adamw": "optim",
    "init_sgd_states": "optim",
    "init_momentum_states": "optim",
    "init_adagrad_states": "optim",
    "init_rmsprop_states": "optim",
    "init_adadelta_states": "optim",
    "init_adam_states": "optim",
    "init_adamax_states": "optim",
    "init_nadam_states": "optim",
    "init_amsgrad_states": "optim",
    "init_adamw_states": "optim",
    "trainer_2d": "optim",
    # training on airfoil
    "History": "train",
    "linreg": "train",
    "squared_loss": "train",
    "train_ch11": "train",
    "train_concise_ch11": "train",
    "plot_histories": "train",
    # comparisons over seeds
    "Spread": "seeds",
    "over_seeds": "seeds",
    "tune": "seeds",
    "TUNING_SEED": "seeds",
    "REPORT_SEEDS": "seeds",
    # classifiers on the digits (the Adam paper's experiments)
    "DigitsHistory": "digits",
    "DigitsSplit": "digits",
    "adam_no_correction": "digits",
    "digits_net": "digits",
    "split_digits": "digits",
    "train_digits": "digits",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    try:
        module_name = _EXPORTS[name]
    except KeyError:
        raise AttributeError(
            f"module 'd2lmini' has no attribute {name!r}"
        ) from None
    module = importlib.import_module(f"{__name__}.{module_name}")
    value = getattr(module, name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
