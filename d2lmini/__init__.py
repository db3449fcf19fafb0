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
    "run_status": "live",
    "lower_bound": "objectives",
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
    # optimizers from scratch: their names (update rules, init_*_states)
    # come from d2lmini.optim.REGISTRY, see _all_exports()
    "check_hyperparams": "optim",
    "read_hyperparams": "optim",
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
    # learning-rate schedules t -> eta_t (chapters/lr-schedules)
    "Schedule": "schedules",
    "constant_lr": "schedules",
    "step_decay": "schedules",
    "exponential_decay": "schedules",
    "cosine_decay": "schedules",
    "cosine_restarts": "schedules",
    "linear_warmup": "schedules",
    "warmup_cosine": "schedules",
    "wsd": "schedules",
    "one_cycle": "schedules",
    "schedule_from_spec": "schedules",
    "SCHEDULES": "schedules",
}



def _all_exports() -> dict[str, str]:
    """Every public name -> its submodule: the table above, plus each
    optimizer and its state initialiser as ``d2lmini.optim`` registers
    them (one registration per optimizer, ``optim.REGISTRY``)."""
    optim = importlib.import_module(f"{__name__}.optim")
    return {**_EXPORTS, **{name: "optim" for name in optim.__all__}}


def __getattr__(name: str) -> Any:
    if name == "__all__":  # for `from d2lmini import *`
        return sorted(_all_exports()) + ["__version__"]
    module_name = _EXPORTS.get(name) or _all_exports().get(name)
    if module_name is None:
        raise AttributeError(
            f"module 'd2lmini' has no attribute {name!r}"
        )
    module = importlib.import_module(f"{__name__}.{module_name}")
    value = getattr(module, name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_all_exports()))
