"""Every optimizer of the book, written from scratch the way the sources do.

Each algorithm is one function ``NAME(params, states, hyperparams)`` that
reads the gradients ``p.grad`` and updates the parameters ``params`` and the
optimizer's memory ``states`` in place. It neither zeroes the gradients nor
touches ``hyperparams``: the step counter ``t`` of the Adam family lives in
the state, next to the moments. ``init_NAME_states`` makes that memory,
either for the airfoil model (``feature_dim``: a weight of shape
``(feature_dim, 1)`` and a bias of shape ``(1,)``) or shaped like a list of
tensors.

The same functions drive :func:`d2lmini.train_ch11` on the airfoil data and,
through :func:`trainer_2d`, the 2-D traces of every chapter.

Conventions. Defaults follow the book's sources. Where the sources and
``torch.optim`` disagree, a hyperparameter switches between the two forms:

===========  ==========================  ==================================
optimizer    sources (default)           to match ``torch.optim``
===========  ==========================  ==================================
adagrad      ``eps`` inside the root     ``eps_inside_sqrt=False``
rmsprop      ``eps`` inside the root     ``eps_inside_sqrt=False``
adadelta     no learning rate            ``lr`` (PyTorch's default is 1)
adamax       ``u + eps`` in the divisor  ``eps_in_max=True``
nadam        constant momentum beta1     ``momentum_decay=0.004``
amsgrad      no bias correction          ``bias_correction=True``
===========  ==========================  ==================================

Only ``eps`` defaults differ otherwise (PyTorch: ``1e-10`` for Adagrad,
``1e-8`` for RMSprop and Adam, ``1e-6`` for Adadelta); pass it explicitly.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple, Union

import numpy as np
import torch

from ._args import check_callable, is_number

Params = Sequence[torch.Tensor]
Hyperparams = Mapping[str, Any]
ParamsOrDim = Union[int, Sequence[torch.Tensor]]

# ---------------------------------------------------------------------------
# Hyperparameters: defaults (the sources' values) and allowed ranges.
# ---------------------------------------------------------------------------

_REQUIRED = object()

# _SPECS (name -> {hyperparameter: default or _REQUIRED}) is derived from
# the one registration of each optimizer, REGISTRY, at the end of this file.

_UNIT = ("in [0, 1)", lambda v: 0 <= v < 1)
_RULES: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "lr": (">= 0", lambda v: v >= 0),
    "eps": ("> 0", lambda v: v > 0),
    "momentum": _UNIT,
    "gamma": _UNIT,
    "rho": _UNIT,
    "beta1": _UNIT,
    "beta2": _UNIT,
    "momentum_decay": (">= 0 or None", lambda v: v >= 0),
    "weight_decay": (">= 0", lambda v: v >= 0),
    "warmup_steps": (">= 0", lambda v: v >= 0),
    "beta2_decay": ("<= 0", lambda v: v <= 0),
    "eps1": ("> 0", lambda v: v > 0),
    "eps2": (">= 0", lambda v: v >= 0),
    "d": (">= 1", lambda v: v >= 1),
    "ns_steps": ("a whole number in [0, 100)",
                 lambda v: isinstance(v, numbers.Integral) and 0 <= v < 100),
    "adamw_lr": (">= 0", lambda v: v >= 0),
}


def _check_value(name: str, value: Any) -> Any:
    if name not in _RULES:  # a convention switch
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError(f"{name} must be True or False, got {value!r}")
        return bool(value)
    if value is None and name == "momentum_decay":
        return value
    rule, ok = _RULES[name]
    # NumPy scalars (np.float32 from np.linspace, say) are numbers; arrays
    # and tensors are not: a learning rate is one number.
    if not is_number(value):
        shown = (f"an array of shape {tuple(value.shape)}"
                 if getattr(value, "shape", ()) else repr(value))
        raise ValueError(f"{name} must be {rule}, got {shown}")
    if not ok(value):
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    return value


def _optimizer_name(optimizer: str | Callable[..., Any]) -> str:
    name = optimizer if isinstance(optimizer, str) else getattr(
        optimizer, "__name__", repr(optimizer))
    if name not in _SPECS:
        raise ValueError(
            f"unknown optimizer {name!r}; expected one of "
            + ", ".join(sorted(_SPECS))
        )
    return name


def check_hyperparams(
    optimizer: str | Callable[..., Any], hyperparams: Hyperparams
) -> dict[str, Any]:
    """Check hyperparameters and fill in the defaults.

    Args:
        optimizer: one of the package's optimizers, or its name.
        hyperparams: the dictionary passed to it, e.g. ``{"lr": 0.01}``.

    Returns:
        A new dictionary with every hyperparameter of ``optimizer``.

    Raises:
        ValueError: a name is unknown, a required one is missing, or a
            value is out of range (``"lr must be >= 0, got -0.1"``).

    Example:
        >>> check_hyperparams("adam", {"lr": 0.01})["beta2"]
        0.999

    Introduced in ``chapters/minibatch-sgd.ipynb``.
    """
    name = _optimizer_name(optimizer)
    spec = _SPECS[name]
    if not isinstance(hyperparams, Mapping):
        raise ValueError(
            f"hyperparams for {name} must be a dict such as {{'lr': 0.01}}, "
            f"got {type(hyperparams).__name__}"
        )
    for key in hyperparams:
        if key not in spec:
            hint = (
                " (the step counter t lives in the states made by "
                f"init_{'adam' if name == 'yogi' else name}_states)"
                if key == "t" else ""
            )
            raise ValueError(
                f"unknown hyperparameter {key!r} for {name}; expected one "
                f"of {', '.join(sorted(spec))}{hint}"
            )
    values = {}
    for key, default in spec.items():
        value = hyperparams.get(key, default)
        if value is _REQUIRED:
            raise ValueError(
                f"{name} needs the hyperparameter {key!r} "
                f"({key} {_RULES[key][0]})"
            )
        values[key] = _check_value(key, value)
    return values


def read_hyperparams(
    hyperparams: Hyperparams, name: str
) -> tuple[Any, ...]:
    """The hyperparameters of optimizer ``name``: checked, with defaults.

    Every optimizer of the package starts with this line, e.g.
    ``lr, beta1, beta2, eps = read_hyperparams(hyperparams, "adam")``: an
    unknown name, a missing or out-of-range value raises a ``ValueError``
    that says what is allowed (see :func:`check_hyperparams`). The values
    come in the order of the optimizer's table of defaults.

    Introduced in ``chapters/minibatch-sgd.ipynb``.
    """
    return tuple(check_hyperparams(name, hyperparams).values())


# ---------------------------------------------------------------------------
# States.
# ---------------------------------------------------------------------------


def _like(params_or_dim: ParamsOrDim) -> list[torch.Tensor]:
    """Zero tensors shaped like the parameters the states are for."""
    if isinstance(params_or_dim, numbers.Integral) and not isinstance(
        params_or_dim, bool
    ):
        if params_or_dim < 1:
            raise ValueError(
                f"feature_dim must be >= 1, got {params_or_dim}"
            )
        dim = int(params_or_dim)
        return [torch.zeros((dim, 1)), torch.zeros(1)]
    if isinstance(params_or_dim, torch.Tensor) or not isinstance(
        params_or_dim, Sequence
    ) or not all(isinstance(p, torch.Tensor) for p in params_or_dim):
        raise ValueError(
            "states are made for feature_dim (a positive int, the airfoil "
            "model [w, b]) or for a list of tensors, got "
            f"{type(params_or_dim).__name__}"
        )
    return [torch.zeros_like(p, memory_format=torch.preserve_format)
            for p in params_or_dim]


def _counter(like: torch.Tensor, value: float = 0.0) -> torch.Tensor:
    """A 0-dim tensor (a step counter or a running product) in the state."""
    return torch.full((), value, dtype=like.dtype, device=like.device)


def init_sgd_states(params_or_dim: ParamsOrDim) -> tuple[None, ...]:
    """SGD remembers nothing: one ``None`` per parameter.

    Introduced in ``chapters/minibatch-sgd.ipynb``.
    """
    return tuple(None for _ in _like(params_or_dim))


def init_momentum_states(
    params_or_dim: ParamsOrDim,
) -> tuple[torch.Tensor, ...]:
    """Velocities ``v = 0``, one per parameter (momentum and Nesterov).

    Introduced in ``chapters/momentum.ipynb``.
    """
    return tuple(_like(params_or_dim))


def init_adagrad_states(
    params_or_dim: ParamsOrDim,
) -> tuple[torch.Tensor, ...]:
    """Sums of squared gradients ``s = 0``, one per parameter.

    Introduced in ``chapters/adagrad.ipynb``.
    """
    return tuple(_like(params_or_dim))


def init_rmsprop_states(
    params_or_dim: ParamsOrDim,
) -> tuple[torch.Tensor, ...]:
    """Leaky averages of squared gradients ``s = 0``, one per parameter.

    Introduced in ``chapters/rmsprop.ipynb``.
    """
    return tuple(_like(params_or_dim))


def init_adadelta_states(
    params_or_dim: ParamsOrDim,
) -> tuple[tuple[torch.Tensor, torch.Tensor], ...]:
    """Pairs ``(s, delta)`` of zeros, one per parameter.

    Introduced in ``chapters/adadelta.ipynb``.
    """
    return tuple((z, z.clone()) for z in _like(params_or_dim))


def init_adam_states(
    params_or_dim: ParamsOrDim,
) -> tuple[tuple[torch.Tensor, torch.Tensor, torch.Tensor], ...]:
    """Triples ``(v, s, t)``: moments and a 0-dim step counter (Adam, Yogi).

    Introduced in ``chapters/adam.ipynb``.
    """
    return tuple((z, z.clone(), _counter(z)) for z in _like(params_or_dim))


def init_adamax_states(
    params_or_dim: ParamsOrDim,
) -> tuple[tuple[torch.Tensor, torch.Tensor, torch.Tensor], ...]:
    """Triples ``(v, u, t)``: momentum, infinity norm and step counter.

    Introduced in ``chapters/adamax-nadam-amsgrad.ipynb``.
    """
    return tuple((z, z.clone(), _counter(z)) for z in _like(params_or_dim))


def init_nadam_states(
    params_or_dim: ParamsOrDim,
) -> tuple[tuple[torch.Tensor, ...], ...]:
    """Quadruples ``(v, s, t, mu_prod)``; ``mu_prod`` starts at 1.

    Introduced in ``chapters/adamax-nadam-amsgrad.ipynb``.
    """
    return tuple((z, z.clone(), _counter(z), _counter(z, 1.0))
                 for z in _like(params_or_dim))


def init_amsgrad_states(
    params_or_dim: ParamsOrDim,
) -> tuple[tuple[torch.Tensor, ...], ...]:
    """Quadruples ``(v, s, s_max, t)`` of zeros.

    Introduced in ``chapters/adamax-nadam-amsgrad.ipynb``.
    """
    return tuple((z, z.clone(), z.clone(), _counter(z))
                 for z in _like(params_or_dim))


# ---------------------------------------------------------------------------
# The update rules.
# ---------------------------------------------------------------------------


def sgd(params: Params, states: Any, hyperparams: Hyperparams) -> None:
    r"""Minibatch stochastic gradient descent.

    .. math:: \mathbf{x} \leftarrow \mathbf{x} - \eta \mathbf{g}

    Args:
        params: leaf tensors with their gradients in ``p.grad``.
        states: ignored (SGD remembers nothing); ``None`` is fine.
        hyperparams: ``lr`` (:math:`\eta \ge 0`).

    Same as ``torch.optim.SGD(params, lr)``.

    Introduced in ``chapters/minibatch-sgd.ipynb``.
    """
    (lr,) = read_hyperparams(hyperparams, "sgd")
    for p in params:
        with torch.no_grad():
            p -= lr * p.grad


def sgd_momentum(
    params: Params, states: Sequence[torch.Tensor], hyperparams: Hyperparams
) -> None:
    r"""SGD with momentum (the heavy ball, Polyak).

    .. math::
        \mathbf{v} \leftarrow \beta \mathbf{v} + \mathbf{g}, \qquad
        \mathbf{x} \leftarrow \mathbf{x} - \eta \mathbf{v}

    With :math:`\beta = 0` this is SGD. This is PyTorch's convention; other
    texts write :math:`\mathbf{v} \leftarrow \beta\mathbf{v} + \eta
    \mathbf{g}`, which is the same for a constant learning rate.

    Args:
        params: leaf tensors with their gradients in ``p.grad``.
        states: the velocities, from :func:`init_momentum_states`.
        hyperparams: ``lr`` (:math:`\eta \ge 0`) and ``momentum``
            (:math:`\beta \in [0, 1)`).

    Same as ``torch.optim.SGD(params, lr, momentum=momentum)``.

    Introduced in ``chapters/momentum.ipynb``.
    """
    lr, momentum = read_hyperparams(hyperparams, "sgd_momentum")
    for p, v in zip(params, states):
        with torch.no_grad():
            v[:] = momentum * v + p.grad
            p -= lr * v


def sgd_nesterov(
    params: Params, states: Sequence[torch.Tensor], hyperparams: Hyperparams
) -> None:
    r"""Nesterov's accelerated gradient, in PyTorch's form.

    .. math::
        \mathbf{v} \leftarrow \beta \mathbf{v} + \mathbf{g}, \qquad
        \mathbf{x} \leftarrow \mathbf{x} - \eta (\mathbf{g} + \beta
        \mathbf{v})

    The look-ahead form (gradient taken at :math:`\mathbf{x} - \eta\beta
    \mathbf{v}`) becomes this one when :math:`\mathbf{x}` denotes the
    look-ahead point, so the gradient is always taken at the parameters.

    Args:
        params: leaf tensors with their gradients in ``p.grad``.
        states: the velocities, from :func:`init_momentum_states`.
        hyperparams: ``lr`` (:math:`\eta \ge 0`) and ``momentum``
            (:math:`\beta \in [0, 1)`).

    Same as ``torch.optim.SGD(params, lr, momentum=momentum,
    nesterov=True)``.

    Introduced in ``chapters/momentum.ipynb``.
    """
    lr, momentum = read_hyperparams(hyperparams, "sgd_nesterov")
    for p, v in zip(params, states):
        with torch.no_grad():
            v[:] = momentum * v + p.grad
            p -= lr * (p.grad + momentum * v)


def adagrad(
    params: Params, states: Sequence[torch.Tensor], hyperparams: Hyperparams
) -> None:
    r"""Adagrad: a per-coordinate learning rate from all past gradients.

    .. math::
        \mathbf{s} \leftarrow \mathbf{s} + \mathbf{g}^2, \qquad
        \mathbf{x} \leftarrow \mathbf{x} - \frac{\eta}{\sqrt{\mathbf{s} +
        \epsilon}} \odot \mathbf{g}

    Args:
        params: leaf tensors with their gradients in ``p.grad``.
        states: the sums ``s``, from :func:`init_adagrad_states`.
        hyperparams: ``lr`` (:math:`\eta \ge 0`), ``eps``
            (:math:`\epsilon > 0`, default ``1e-6``) and
            ``eps_inside_sqrt`` (default ``True``, the sources' form;
            ``False`` divides by :math:`\sqrt{\mathbf{s}} + \epsilon`
            as PyTorch does).

    Same as ``torch.optim.Adagrad(params, lr, eps=eps)`` with
    ``eps_inside_sqrt=False``.

    Introduced in ``chapters/adagrad.ipynb``.
    """
    lr, eps, eps_inside_sqrt = read_hyperparams(hyperparams, "adagrad")
    for p, s in zip(params, states):
        with torch.no_grad():
            s += torch.square(p.grad)
            if eps_inside_sqrt:  # the sources
                p -= lr * p.grad / torch.sqrt(s + eps)
            else:  # PyTorch
                p -= lr * p.grad / (torch.sqrt(s) + eps)


def rmsprop(
    params: Params, states: Sequence[torch.Tensor], hyperparams: Hyperparams
) -> None:
    r"""RMSProp: Adagrad with a leaky average of squared gradients.

    .. math::
        \mathbf{s} \leftarrow \gamma \mathbf{s} + (1 - \gamma)
        \mathbf{g}^2, \qquad
        \mathbf{x} \leftarrow \mathbf{x} - \frac{\eta}{\sqrt{\mathbf{s} +
        \epsilon}} \odot \mathbf{g}

    Args:
        params: leaf tensors with their gradients in ``p.grad``.
        states: the averages ``s``, from :func:`init_rmsprop_states`.
        hyperparams: ``lr`` (:math:`\eta \ge 0`), ``gamma``
            (:math:`\gamma \in [0, 1)`), ``eps`` (default ``1e-6``) and
            ``eps_inside_sqrt`` (default ``True``, the sources' form;
            ``False``: :math:`\sqrt{\mathbf{s}} + \epsilon`, PyTorch's).

    Same as ``torch.optim.RMSprop(params, lr, alpha=gamma, eps=eps)`` with
    ``eps_inside_sqrt=False``.

    Introduced in ``chapters/rmsprop.ipynb``.
    """
    lr, gamma, eps, eps_inside_sqrt = read_hyperparams(hyperparams, "rmsprop")
    for p, s in zip(params, states):
        with torch.no_grad():
            s[:] = gamma * s + (1 - gamma) * torch.square(p.grad)
            if eps_inside_sqrt:  # the sources
                p -= lr * p.grad / torch.sqrt(s + eps)
            else:  # PyTorch
                p -= lr * p.grad / (torch.sqrt(s) + eps)


def adadelta(
    params: Params,
    states: Sequence[tuple[torch.Tensor, torch.Tensor]],
    hyperparams: Hyperparams,
) -> None:
    r"""Adadelta: two leaky averages and no learning rate.

    .. math::
        \mathbf{s} &\leftarrow \rho \mathbf{s} + (1 - \rho) \mathbf{g}^2 \\
        \mathbf{g}' &= \frac{\sqrt{\Delta\mathbf{x} + \epsilon}}
            {\sqrt{\mathbf{s} + \epsilon}} \odot \mathbf{g} \\
        \mathbf{x} &\leftarrow \mathbf{x} - \mathbf{g}' \\
        \Delta\mathbf{x} &\leftarrow \rho \Delta\mathbf{x} + (1 - \rho)
            \mathbf{g}'^2

    Args:
        params: leaf tensors with their gradients in ``p.grad``.
        states: pairs ``(s, delta)``, from :func:`init_adadelta_states`.
        hyperparams: ``rho`` (:math:`\rho \in [0, 1)`), ``eps`` (default
            ``1e-5``, the sources'; PyTorch's is ``1e-6``) and ``lr``
            (default ``1``: the sources have none; PyTorch scales the step
            :math:`\mathbf{g}'` by ``lr`` but accumulates it unscaled).

    Same as ``torch.optim.Adadelta(params, lr, rho=rho, eps=eps)``.

    Introduced in ``chapters/adadelta.ipynb``.
    """
    rho, eps, lr = read_hyperparams(hyperparams, "adadelta")
    for p, (s, delta) in zip(params, states):
        with torch.no_grad():
            s[:] = rho * s + (1 - rho) * torch.square(p.grad)
            g = torch.sqrt(delta + eps) / torch.sqrt(s + eps) * p.grad
            p -= lr * g
            delta[:] = rho * delta + (1 - rho) * torch.square(g)


def adam(
    params: Params,
    states: Sequence[tuple[torch.Tensor, torch.Tensor, torch.Tensor]],
    hyperparams: Hyperparams,
) -> None:
    r"""Adam: momentum and RMSProp, both bias-corrected.

    .. math::
        \mathbf{v}_t &= \beta_1 \mathbf{v}_{t-1} + (1 - \beta_1)
            \mathbf{g}_t, \qquad
        \mathbf{s}_t = \beta_2 \mathbf{s}_{t-1} + (1 - \beta_2)
            \mathbf{g}_t^2 \\
        \hat{\mathbf{v}}_t &= \frac{\mathbf{v}_t}{1 - \beta_1^t}, \qquad
        \hat{\mathbf{s}}_t = \frac{\mathbf{s}_t}{1 - \beta_2^t}, \qquad
        \mathbf{x} \leftarrow \mathbf{x} - \frac{\eta \hat{\mathbf{v}}_t}
            {\sqrt{\hat{\mathbf{s}}_t} + \epsilon}

    Args:
        params: leaf tensors with their gradients in ``p.grad``.
        states: triples ``(v, s, t)`` from :func:`init_adam_states`; the
            0-dim step counter ``t`` is incremented in place.
        hyperparams: ``lr`` (:math:`\eta \ge 0`), ``beta1`` and ``beta2``
            (in :math:`[0, 1)`, defaults 0.9 and 0.999) and ``eps``
            (default ``1e-6`` as in the sources; the paper and PyTorch use
            ``1e-8``).

    Same as ``torch.optim.Adam(params, lr, betas=(beta1, beta2), eps=eps)``.

    Introduced in ``chapters/adam.ipynb``.
    """
    lr, beta1, beta2, eps = read_hyperparams(hyperparams, "adam")
    for p, (v, s, t) in zip(params, states):
        with torch.no_grad():
            t += 1
            # The bias corrections from the step as a Python float (64
            # bits), as torch.optim: 1 - beta2**t from the float32
            # counter is off by 1e-5.
            step = float(t)
            v[:] = beta1 * v + (1 - beta1) * p.grad
            s[:] = beta2 * s + (1 - beta2) * torch.square(p.grad)
            v_hat = v / (1 - beta1**step)
            s_hat = s / (1 - beta2**step)
            p -= lr * v_hat / (torch.sqrt(s_hat) + eps)


def yogi(
    params: Params,
    states: Sequence[tuple[torch.Tensor, torch.Tensor, torch.Tensor]],
    hyperparams: Hyperparams,
) -> None:
    r"""Yogi: Adam whose second moment moves by a sign, not a difference.

    .. math::
        \mathbf{s}_t = \mathbf{s}_{t-1} + (1 - \beta_2) \mathbf{g}_t^2
        \odot \operatorname{sgn}(\mathbf{g}_t^2 - \mathbf{s}_{t-1})

    (Adam: :math:`\mathbf{s}_t = \mathbf{s}_{t-1} + (1 - \beta_2)
    (\mathbf{g}_t^2 - \mathbf{s}_{t-1})`); the rest is Adam's update with
    bias correction, as in the sources. Not in ``torch.optim``.

    Args:
        params: leaf tensors with their gradients in ``p.grad``.
        states: triples ``(v, s, t)`` from :func:`init_adam_states`.
        hyperparams: ``lr``, ``beta1``, ``beta2`` (defaults 0.9, 0.999)
            and ``eps`` (default ``1e-3``, as in the sources and the paper).

    Introduced in ``chapters/adam.ipynb``.
    """
    lr, beta1, beta2, eps = read_hyperparams(hyperparams, "yogi")
    for p, (v, s, t) in zip(params, states):
        with torch.no_grad():
            t += 1
            step = float(t)  # the bias corrections in float64, as in adam
            g2 = torch.square(p.grad)
            v[:] = beta1 * v + (1 - beta1) * p.grad
            s[:] = s + (1 - beta2) * torch.sign(g2 - s) * g2
            v_hat = v / (1 - beta1**step)
            s_hat = s / (1 - beta2**step)
            p -= lr * v_hat / (torch.sqrt(s_hat) + eps)


def adamax(
    params: Params,
    states: Sequence[tuple[torch.Tensor, torch.Tensor, torch.Tensor]],
    hyperparams: Hyperparams,
) -> None:
    r"""AdaMax: Adam with the infinity norm in place of the root mean square.

    .. math::
        \mathbf{v}_t = \beta_1 \mathbf{v}_{t-1} + (1 - \beta_1)
            \mathbf{g}_t, \qquad
        \mathbf{u}_t = \max(\beta_2 \mathbf{u}_{t-1}, |\mathbf{g}_t|),
        \qquad
        \mathbf{x} \leftarrow \mathbf{x} - \frac{\eta}{1 - \beta_1^t}
            \frac{\mathbf{v}_t}{\mathbf{u}_t + \epsilon}

    ``u`` needs no bias correction. The sources divide by ``u`` alone (and
    fail where a coordinate's gradients are all zero); here ``eps`` guards
    that division. PyTorch puts it inside the maximum instead,
    :math:`\max(\beta_2 \mathbf{u}, |\mathbf{g}| + \epsilon)`, and divides
    by ``u``: pass ``eps_in_max=True``.

    Args:
        params: leaf tensors with their gradients in ``p.grad``.
        states: triples ``(v, u, t)`` from :func:`init_adamax_states`.
        hyperparams: ``lr``, ``beta1``, ``beta2`` (defaults 0.9, 0.999),
            ``eps`` (default ``1e-8``) and ``eps_in_max`` (default
            ``False``).

    Same as ``torch.optim.Adamax(params, lr, betas=(beta1, beta2),
    eps=eps)`` with ``eps_in_max=True``.

    Introduced in ``chapters/adamax-nadam-amsgrad.ipynb``.
    """
    lr, beta1, beta2, eps, eps_in_max = read_hyperparams(hyperparams, "adamax")
    for p, (v, u, t) in zip(params, states):
        with torch.no_grad():
            t += 1
            step = float(t)  # 1 - beta1**t in float64, as torch.optim
            v[:] = beta1 * v + (1 - beta1) * p.grad
            v_hat = v / (1 - beta1**step)
            if eps_in_max:  # PyTorch
                u[:] = torch.maximum(beta2 * u, torch.abs(p.grad) + eps)
                p -= lr * v_hat / u
            else:  # the sources, with eps guarding u = 0
                u[:] = torch.maximum(beta2 * u, torch.abs(p.grad))
                p -= lr * v_hat / (u + eps)


def _nadam_mu(beta1: float, momentum_decay: float, t: float) -> float:
    """PyTorch's momentum schedule ``beta1 * (1 - 0.96**(t * psi) / 2)``."""
    return beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))


def nadam(
    params: Params,
    states: Sequence[tuple[torch.Tensor, ...]],
    hyperparams: Hyperparams,
) -> None:
    r"""Nadam: Adam with Nesterov's look-ahead in the momentum term.

    The sources (constant momentum :math:`\beta_1`):

    .. math::
        \mathbf{x} \leftarrow \mathbf{x} - \frac{\eta}{\sqrt{\hat{
        \mathbf{s}}_t} + \epsilon} \Big(\beta_1 \hat{\mathbf{v}}_t +
        \frac{(1 - \beta_1) \mathbf{g}_t}{1 - \beta_1^t}\Big)

    with :math:`\hat{\mathbf{v}}_t, \hat{\mathbf{s}}_t` as in Adam.
    PyTorch (Dozat's paper) uses a momentum schedule
    :math:`\mu_t = \beta_1 (1 - \tfrac12 0.96^{t\psi})` and its products
    :math:`\Pi_t = \mu_1 \cdots \mu_t`:

    .. math::
        \mathbf{x} \leftarrow \mathbf{x} - \frac{\eta}{\sqrt{\hat{
        \mathbf{s}}_t} + \epsilon} \Big(\frac{\mu_{t+1} \mathbf{v}_t}
        {1 - \Pi_t \mu_{t+1}} + \frac{(1 - \mu_t) \mathbf{g}_t}
        {1 - \Pi_t}\Big)

    Args:
        params: leaf tensors with their gradients in ``p.grad``.
        states: quadruples ``(v, s, t, mu_prod)`` from
            :func:`init_nadam_states`.
        hyperparams: ``lr``, ``beta1``, ``beta2`` (defaults 0.9, 0.999),
            ``eps`` (default ``1e-8``) and ``momentum_decay`` (:math:`\psi
            \ge 0`; default ``None``, the sources' constant momentum).

    Same as ``torch.optim.NAdam(params, lr, betas=(beta1, beta2), eps=eps,
    momentum_decay=psi)`` with ``momentum_decay=psi`` (PyTorch's default
    is ``0.004``).

    Introduced in ``chapters/adamax-nadam-amsgrad.ipynb``.
    """
    lr, beta1, beta2, eps, psi = read_hyperparams(hyperparams, "nadam")
    for p, (v, s, t, mu_prod) in zip(params, states):
        with torch.no_grad():
            t += 1
            step = float(t)  # the scalars in float64, as torch.optim
            v[:] = beta1 * v + (1 - beta1) * p.grad
            s[:] = beta2 * s + (1 - beta2) * torch.square(p.grad)
            s_hat = s / (1 - beta2**step)
            if psi is None:  # the sources: constant momentum beta1
                v_hat = beta1 * v / (1 - beta1**step)
                g_hat = (1 - beta1) * p.grad / (1 - beta1**step)
            else:  # PyTorch: momentum schedule mu_t
                mu = _nadam_mu(beta1, psi, step)
                mu_next = _nadam_mu(beta1, psi, step + 1)
                mu_prod *= mu  # Pi_t, kept in the state
                prod = float(mu_prod)  # and used as a Python float
                v_hat = mu_next * v / (1 - prod * mu_next)
                g_hat = (1 - mu) * p.grad / (1 - prod)
            p -= lr * (v_hat + g_hat) / (torch.sqrt(s_hat) + eps)


def amsgrad(
    params: Params,
    states: Sequence[tuple[torch.Tensor, ...]],
    hyperparams: Hyperparams,
) -> None:
    r"""AMSGrad: Adam that divides by the largest second moment so far.

    .. math::
        \mathbf{s}^{\max}_t = \max(\mathbf{s}^{\max}_{t-1}, \mathbf{s}_t),
        \qquad
        \mathbf{x} \leftarrow \mathbf{x} - \frac{\eta \mathbf{v}_t}
        {\sqrt{\mathbf{s}^{\max}_t} + \epsilon}

    with :math:`\mathbf{v}_t, \mathbf{s}_t` as in Adam. Reddi et al. and
    the sources use no bias correction. PyTorch (``bias_correction=True``)
    takes the maximum of the raw :math:`\mathbf{s}_t` and then divides
    :math:`\mathbf{v}_t` by :math:`1 - \beta_1^t` and
    :math:`\mathbf{s}^{\max}_t` by :math:`1 - \beta_2^t`; a third variant,
    not provided, takes the maximum of the corrected
    :math:`\hat{\mathbf{s}}_t`.

    Args:
        params: leaf tensors with their gradients in ``p.grad``.
        states: quadruples ``(v, s, s_max, t)`` from
            :func:`init_amsgrad_states`.
        hyperparams: ``lr``, ``beta1``, ``beta2`` (defaults 0.9, 0.999),
            ``eps`` (default ``1e-8``) and ``bias_correction`` (default
            ``False``).

    Same as ``torch.optim.Adam(params, lr, betas=(beta1, beta2), eps=eps,
    amsgrad=True)`` with ``bias_correction=True``.

    Introduced in ``chapters/adamax-nadam-amsgrad.ipynb``.
    """
    lr, beta1, beta2, eps, bias_correction = read_hyperparams(
        hyperparams, "amsgrad")
    for p, (v, s, s_max, t) in zip(params, states):
        with torch.no_grad():
            t += 1
            # The bias corrections from the step as a Python float (64
            # bits), as torch.optim: 1 - beta2**t from the float32
            # counter is off by 1e-5.
            step = float(t)
            v[:] = beta1 * v + (1 - beta1) * p.grad
            s[:] = beta2 * s + (1 - beta2) * torch.square(p.grad)
            s_max[:] = torch.maximum(s_max, s)
            if bias_correction:  # PyTorch
                v_hat = v / (1 - beta1**step)
                s_hat = s_max / (1 - beta2**step)
            else:  # Reddi et al. and the sources
                v_hat, s_hat = v, s_max
            p -= lr * v_hat / (torch.sqrt(s_hat) + eps)


# ---------------------------------------------------------------------------
# The same rules on the 2-D problems.
# ---------------------------------------------------------------------------


class _State2D:
    """What a 2-D trainer carries in ``s1``: the point, its states and the
    number of updates made so far (``t``: update ``t + 1`` comes next)."""

    __slots__ = ("x", "states", "t")

    def __init__(self, x: torch.Tensor, states: Any) -> None:
        self.x = x
        self.states = states
        self.t = 0

    def __repr__(self) -> str:
        return "<optimizer state>"


# One convention for every helper that takes a ``schedule`` (train_ch11,
# trainer_2d, train_digits; the live traces count the same way): schedule(t)
# is the learning rate of update t, t = 1, 2, ...
_SCHEDULE = ("a function t -> the learning rate of update t, t = 1, 2, "
             "... (e.g. lambda t: 0.1 / t ** 0.5)")


def _schedule_lr(schedule: Callable[[int], Any], t: int) -> Any:
    """``schedule(t)``, checked to be a learning rate (a number >= 0)."""
    lr = schedule(t)
    if not is_number(lr) or lr < 0:
        raise ValueError(
            "schedule(t) must be a learning rate, a finite number >= 0, for "
            f"every update t = 1, 2, ...; schedule({t}) gave {lr!r}")
    return lr


def _check_schedule(schedule: Any, steps: int = 1) -> Any:
    """Check a schedule on updates 1..steps (before any work); return the
    learning rate of update 1."""
    check_callable("schedule", schedule, _SCHEDULE)
    first = _schedule_lr(schedule, 1)
    for t in range(2, steps + 1):
        _schedule_lr(schedule, t)
    return first


def _structure(states: Any) -> Any:
    """The nesting of a state: ``None``, ``"tensor"`` or a tuple of them."""
    if states is None or isinstance(states, torch.Tensor):
        return None if states is None else "tensor"
    if isinstance(states, (tuple, list)):
        return tuple(_structure(s) for s in states)
    return type(states).__name__


def _first_difference(got: Any, want: Any, path: str = "states") -> str:
    """Where two states of the same structure (:func:`_structure`) first
    differ in a tensor's shape, in words; ``""`` if nowhere."""
    if isinstance(got, torch.Tensor):
        if got.shape != want.shape:
            return (f"{path} has shape {tuple(got.shape)}, not "
                    f"{tuple(want.shape)}")
    elif isinstance(got, (tuple, list)):
        for i, (g, w) in enumerate(zip(got, want)):
            found = _first_difference(g, w, f"{path}[{i}]")
            if found:
                return found
    return ""


def _check_states_for(name: str, states: Any, params_or_dim: ParamsOrDim,
                      arg: str = "states") -> None:
    """States of package optimizer ``name`` must be made like the ones its
    ``init_..._states`` makes for the same parameters: the same nesting
    and, tensor by tensor, the same shapes (for Adafactor and Shampoo these
    are not the parameters' shapes: row and column statistics, Kronecker
    factors)."""
    init = INIT_STATES[name]
    made = init(params_or_dim)
    want = _structure(made)
    got = _structure(states)
    if states is None and all(w is None for w in want):
        return
    if got == want:
        found = _first_difference(states, made)
        if found:
            raise ValueError(
                f"{arg} for {name} are made like those of {init.__name__}, "
                f"but for parameters of other shapes: {found}; make them "
                f"with {init.__name__} for the same parameters (the same "
                "feature_dim)")
        return
    makers = sorted({f.__name__ for f in INIT_STATES.values()
                     if _structure(f(params_or_dim)) == got})
    made = (f"made like those of {' / '.join(makers)}" if makers
            else f"of structure {got}")
    raise ValueError(
        f"{arg} for {name} must be made by {init.__name__}, got states "
        f"{made}")


def trainer_2d(
    optimizer: Callable[..., None],
    init_states: Callable[[Any], Any],
    f_grad: Callable[[Any, Any], tuple[Any, Any]] | None,
    *,
    schedule: Callable[[int], float] | None = None,
    **hyperparams: Any,
) -> Callable[..., tuple[float, float, Any, float]]:
    """A 2-D trainer for :func:`d2lmini.train_2d` that runs ``optimizer``.

    The point :math:`(x_1, x_2)` becomes one 2-element float64 parameter
    whose gradient is ``f_grad(x1, x2)``; each call runs one step of the
    same update rule that trains the airfoil model. The optimizer's states
    (and, with a schedule, the number of updates made) travel in ``s1``:
    every run of :func:`d2lmini.train_2d` (which starts with ``s1 = 0``)
    starts fresh, even with the same trainer.

    Args:
        optimizer: an update rule such as :func:`sgd_momentum`.
        init_states: its state initialiser, e.g.
            :func:`init_momentum_states`.
        f_grad: the gradient ``(x1, x2) -> (g1, g2)``; may be ``None`` if
            it is passed to ``train_2d`` instead.
        schedule: a learning-rate schedule: update ``t`` (``t = 1, 2,
            ...`` in every run, as in the live traces) uses
            ``lr=schedule(t)``. Leave ``lr`` out then. A value that is not
            a number >= 0 raises a ``ValueError`` at that update.
        **hyperparams: e.g. ``lr=0.6, momentum=0.5``.

    Returns:
        ``trainer(x1, x2, s1, s2) -> (x1, x2, s1, s2)``.

    Raises:
        TypeError: ``optimizer``, ``init_states``, ``f_grad`` or
            ``schedule`` cannot be called.
        ValueError: bad hyperparameters, ``schedule(1)``, or states made
            for another optimizer (checked here, before any step).

    Example:
        >>> f_grad = lambda x1, x2: (0.2 * x1, 4 * x2)
        >>> t = trainer_2d(sgd_momentum, init_momentum_states, f_grad,
        ...                lr=0.6, momentum=0.5)
        >>> x1, x2, s1, s2 = t(-5.0, -2.0, 0, 0)
        >>> round(x1, 6), round(x2, 6)
        (-4.4, 2.8)
        >>> decaying = trainer_2d(sgd, init_sgd_states, f_grad,
        ...                       schedule=lambda t: 0.4 / t ** 0.5)
        >>> x1, x2, s1, s2 = decaying(-5.0, -2.0, 0, 0)  # update 1: lr 0.4
        >>> round(x1, 6), round(x2, 6)
        (-4.6, 1.2)

    Introduced in ``chapters/momentum.ipynb``.
    """
    check_callable("optimizer", optimizer,
                   "an update rule (params, states, hyperparams) such as "
                   "d2l.sgd")
    check_callable("init_states", init_states,
                   "a function that makes the states, such as "
                   "d2l.init_sgd_states")
    if f_grad is not None:
        check_callable("f_grad", f_grad,
                       "a function (x1, x2) -> (g1, g2), or None")
    full = dict(hyperparams)
    if schedule is not None:
        if "lr" in hyperparams:
            raise ValueError(
                "give the learning rate either as lr=... or by the "
                "schedule, not both: remove lr")
        full["lr"] = _check_schedule(schedule)
    name = getattr(optimizer, "__name__", None)
    if OPTIMIZERS.get(name) is optimizer:
        check_hyperparams(optimizer, full)
        _check_states_for(name, init_states([torch.zeros(2)]),
                          [torch.zeros(2)], "init_states(params)")

    def trainer(
        x1: float, x2: float, s1: Any, s2: Any, grad: Any = None
    ) -> tuple[float, float, Any, float]:
        grad = grad if grad is not None else f_grad
        if grad is None:
            raise ValueError(
                "trainer_2d needs f_grad, the gradient (x1, x2) -> (g1, g2)"
            )
        if not isinstance(s1, _State2D):  # a new run: fresh states
            x = torch.zeros(2, dtype=torch.float64)
            s1 = _State2D(x, init_states([x]))
        x = s1.x
        x[0], x[1] = float(x1), float(x2)
        g1, g2 = grad(x1, x2)
        x.grad = torch.tensor([float(g1), float(g2)], dtype=torch.float64)
        s1.t += 1  # this is update t = 1, 2, ... of the run
        if schedule is None:
            optimizer([x], s1.states, hyperparams)
        else:
            lr = _schedule_lr(schedule, s1.t)
            optimizer([x], s1.states, {**hyperparams, "lr": lr})
        return float(x[0]), float(x[1]), s1, 0.0

    return trainer


# ---------------------------------------------------------------------------
# AdamW: Adam with decoupled weight decay (appended with chapters/adam).
# ---------------------------------------------------------------------------


def init_adamw_states(
    params_or_dim: ParamsOrDim,
) -> tuple[tuple[torch.Tensor, torch.Tensor, torch.Tensor], ...]:
    """Triples ``(v, s, t)``, as for Adam (AdamW keeps the same memory).

    Introduced in ``chapters/adam.ipynb``.
    """
    return init_adam_states(params_or_dim)


def adamw(
    params: Params,
    states: Sequence[tuple[torch.Tensor, torch.Tensor, torch.Tensor]],
    hyperparams: Hyperparams,
) -> None:
    r"""AdamW: Adam with weight decay decoupled from the gradient.

    .. math::
        \mathbf{x} \leftarrow (1 - \eta\nu)\,\mathbf{x}
        - \frac{\eta \hat{\mathbf{v}}_t}{\sqrt{\hat{\mathbf{s}}_t} +
        \epsilon}

    with :math:`\hat{\mathbf{v}}_t, \hat{\mathbf{s}}_t` as in Adam, computed
    from the gradient of the loss alone (Loshchilov and Hutter). Adam with
    an L2 penalty :math:`\frac{\nu}{2}\|\mathbf{x}\|^2` instead adds
    :math:`\nu\mathbf{x}` to the gradient, so the decay is divided by
    :math:`\sqrt{\hat{\mathbf{s}}_t}` like the rest of the step.

    Args:
        params: leaf tensors with their gradients in ``p.grad``.
        states: triples ``(v, s, t)`` from :func:`init_adamw_states`.
        hyperparams: ``lr``, ``beta1``, ``beta2`` (defaults 0.9, 0.999),
            ``eps`` (default ``1e-6`` as for :func:`adam`; PyTorch's is
            ``1e-8``) and ``weight_decay`` (:math:`\nu \ge 0`,
            default ``0.01`` as in PyTorch).

    Same as ``torch.optim.AdamW(params, lr, betas=(beta1, beta2), eps=eps,
    weight_decay=weight_decay)``.

    Introduced in ``chapters/adam.ipynb``.
    """
    lr, beta1, beta2, eps, weight_decay = read_hyperparams(
        hyperparams, "adamw")
    for p, (v, s, t) in zip(params, states):
        with torch.no_grad():
            t += 1
            # The bias corrections from the step as a Python float (64
            # bits), as torch.optim: 1 - beta2**t from the float32
            # counter is off by 1e-5.
            step = float(t)
            p -= lr * weight_decay * p  # the decoupled decay
            v[:] = beta1 * v + (1 - beta1) * p.grad
            s[:] = beta2 * s + (1 - beta2) * torch.square(p.grad)
            v_hat = v / (1 - beta1**step)
            s_hat = s / (1 - beta2**step)
            p -= lr * v_hat / (torch.sqrt(s_hat) + eps)


# ---------------------------------------------------------------------------
# RAdam and schedule-free AdamW (appended with chapters/lr-schedules).
# ---------------------------------------------------------------------------


def init_radam_states(
    params_or_dim: ParamsOrDim,
) -> tuple[tuple[torch.Tensor, torch.Tensor, torch.Tensor], ...]:
    """Triples ``(v, s, t)``, as for Adam (RAdam keeps the same memory).

    Introduced in ``chapters/lr-schedules.ipynb``.
    """
    return init_adam_states(params_or_dim)


def radam(
    params: Params,
    states: Sequence[tuple[torch.Tensor, torch.Tensor, torch.Tensor]],
    hyperparams: Hyperparams,
) -> None:
    r"""RAdam: Adam whose adaptive step waits until it can be trusted.

    .. math::
        \rho_\infty = \frac{2}{1 - \beta_2} - 1, \qquad
        \rho_t = \rho_\infty - \frac{2 t \beta_2^t}{1 - \beta_2^t}, \qquad
        r_t = \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}
                         {(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}}

    and, with :math:`\mathbf{v}_t, \mathbf{s}_t, \hat{\mathbf{v}}_t` as in
    Adam, :math:`\mathbf{x} \leftarrow \mathbf{x} - \eta\, r_t
    \hat{\mathbf{v}}_t \sqrt{1 - \beta_2^t} / (\sqrt{\mathbf{s}_t} +
    \epsilon)` when :math:`\rho_t > 5`, else the momentum step
    :math:`\mathbf{x} \leftarrow \mathbf{x} - \eta \hat{\mathbf{v}}_t`
    (Liu et al., 2020). As in PyTorch, ``eps`` is added to
    :math:`\sqrt{\mathbf{s}_t}`, before the bias correction.

    Args:
        params: leaf tensors with their gradients in ``p.grad``.
        states: triples ``(v, s, t)`` from :func:`init_radam_states`.
        hyperparams: ``lr``, ``beta1``, ``beta2`` (defaults 0.9, 0.999),
            ``eps`` (default ``1e-8``), ``weight_decay`` (:math:`\nu \ge
            0`, default 0) and ``decoupled_weight_decay`` (``False``: add
            :math:`\nu\mathbf{x}` to the gradient; ``True``: multiply
            :math:`\mathbf{x}` by :math:`1 - \eta\nu` first, as AdamW).

    Same as ``torch.optim.RAdam(params, lr, betas=(beta1, beta2), eps=eps,
    weight_decay=weight_decay,
    decoupled_weight_decay=decoupled_weight_decay)``.

    Introduced in ``chapters/lr-schedules.ipynb``.
    """
    lr, beta1, beta2, eps, weight_decay, decoupled = read_hyperparams(
        hyperparams, "radam")
    rho_inf = 2 / (1 - beta2) - 1
    for p, (v, s, t) in zip(params, states):
        with torch.no_grad():
            t += 1
            # Scalars in float64 (a Python float), not from the float32
            # counter: rho_t is a difference of two numbers near rho_inf.
            step = float(t)
            g = p.grad
            if decoupled:
                p -= lr * weight_decay * p
            else:
                g = g + weight_decay * p
            v[:] = beta1 * v + (1 - beta1) * g
            s[:] = beta2 * s + (1 - beta2) * torch.square(g)
            v_hat = v / (1 - beta1**step)
            rho_t = rho_inf - 2 * step * beta2**step / (1 - beta2**step)
            if rho_t > 5:  # the variance of the adaptive step is finite
                r = ((rho_t - 4) * (rho_t - 2) * rho_inf
                     / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                p -= (lr * r * v_hat * (1 - beta2**step) ** 0.5
                      / (torch.sqrt(s) + eps))
            else:  # too few squared gradients yet: momentum SGD
                p -= lr * v_hat


def init_schedule_free_adamw_states(
    params_or_dim: ParamsOrDim,
) -> tuple[tuple[torch.Tensor, ...], ...]:
    """Quintuples ``(z, x, s, t, weight_sum)``: the base sequence, the
    average, the second moment, the step counter and the sum of the
    averaging weights. ``z`` and ``x`` are set to the parameters at the
    first update.

    Introduced in ``chapters/lr-schedules.ipynb``.
    """
    return tuple((z, z.clone(), z.clone(), _counter(z), _counter(z))
                 for z in _like(params_or_dim))


def schedule_free_adamw(
    params: Params,
    states: Sequence[tuple[torch.Tensor, ...]],
    hyperparams: Hyperparams,
) -> None:
    r"""Schedule-free AdamW (Defazio et al., 2024, Algorithm 1).

    The parameter holds :math:`\mathbf{y}_t`, where the gradient is taken;
    the state keeps the base sequence :math:`\mathbf{z}` and its weighted
    average :math:`\mathbf{x}` (the point to evaluate):

    .. math::
        \mathbf{y}_t &= (1 - \beta_1)\mathbf{z}_t + \beta_1 \mathbf{x}_t,
        \qquad \mathbf{s}_t = \beta_2 \mathbf{s}_{t-1} +
        (1 - \beta_2)\mathbf{g}_t^2 \\
        \eta_t &= \eta \sqrt{1 - \beta_2^t}\,\min(1, t / T_w), \qquad
        \mathbf{z}_{t+1} = \mathbf{z}_t - \eta_t \Bigl(
        \frac{\mathbf{g}_t}{\sqrt{\mathbf{s}_t} + \epsilon}
        + \nu \mathbf{y}_t \Bigr) \\
        c_{t+1} &= \frac{\eta_t^2}{\sum_{i \le t} \eta_i^2}, \qquad
        \mathbf{x}_{t+1} = (1 - c_{t+1})\mathbf{x}_t +
        c_{t+1}\mathbf{z}_{t+1}

    with :math:`\mathbf{g}_t = \nabla f(\mathbf{y}_t)` and
    :math:`\mathbf{z}_1 = \mathbf{x}_1 = \mathbf{y}_1`.

    Args:
        params: leaf tensors (the points :math:`\mathbf{y}_t`) with their
            gradients in ``p.grad``.
        states: from :func:`init_schedule_free_adamw_states`.
        hyperparams: ``lr``, ``beta1`` (the interpolation, default 0.9),
            ``beta2`` (default 0.999), ``eps`` (``1e-8``),
            ``weight_decay`` (:math:`\nu`, default 0) and
            ``warmup_steps`` (:math:`T_w`, default 0: no warmup).

    The authors' ``AdamWScheduleFree`` differs in two details: its
    averaging weights use the largest rate so far without the factor
    :math:`\sqrt{1-\beta_2^t}`, and it adds ``eps`` after the bias
    correction; it stores no :math:`\mathbf{x}` (it recomputes it from
    :math:`\mathbf{y}` and :math:`\mathbf{z}`).

    Introduced in ``chapters/lr-schedules.ipynb``.
    """
    lr, beta1, beta2, eps, weight_decay, warmup = read_hyperparams(
        hyperparams, "schedule_free_adamw")
    for p, (z, x, s, t, weight_sum) in zip(params, states):
        with torch.no_grad():
            t += 1
            # lr_t from the step as a Python float (64 bits): 1 - beta2**t
            # from the float32 counter is off by 1e-5.
            step = float(t)
            if t == 1:  # z_1 = x_1 = y_1, the starting point
                z[:] = p
                x[:] = p
            s[:] = beta2 * s + (1 - beta2) * torch.square(p.grad)
            ramp = min(1.0, step / warmup) if warmup > 0 else 1.0
            lr_t = lr * (1 - beta2**step) ** 0.5 * ramp
            z -= lr_t * (p.grad / (torch.sqrt(s) + eps) + weight_decay * p)
            weight_sum += lr_t**2
            c = lr_t**2 / weight_sum if weight_sum > 0 else 0.0
            x[:] = (1 - c) * x + c * z
            p[:] = (1 - beta1) * z + beta1 * x  # y_{t+1}


# ---------------------------------------------------------------------------
# Adafactor, Lion, Muon and a small Shampoo (appended with
# chapters/after-adam).
# ---------------------------------------------------------------------------


def init_adafactor_states(
    params_or_dim: ParamsOrDim,
) -> tuple[tuple[Any, Any, torch.Tensor], ...]:
    """Triples ``(r, c, t)``, one per parameter.

    For a matrix (a tensor of two or more dimensions, factored over its
    last two) ``r`` holds the mean squared gradient of each row (shape
    ``(..., m, 1)``) and ``c`` that of each column (shape ``(..., 1, n)``);
    for a vector ``r`` is the full second moment and ``c`` is ``None``.
    ``t`` is the step counter.

    Introduced in ``chapters/after-adam.ipynb``.
    """
    states = []
    for z in _like(params_or_dim):
        if z.dim() >= 2:
            r = z.new_zeros((*z.shape[:-1], 1))
            c = z.new_zeros((*z.shape[:-2], 1, z.shape[-1]))
            states.append((r, c, _counter(z)))
        else:
            states.append((z, None, _counter(z)))
    return tuple(states)


def adafactor(
    params: Params,
    states: Sequence[tuple[Any, Any, torch.Tensor]],
    hyperparams: Hyperparams,
) -> None:
    r"""Adafactor: a factored second moment and a relative step size.

    For an :math:`m \times n` gradient :math:`\mathbf{G}_t` the second
    moment is kept as row means :math:`\mathbf{r}_t` and column means
    :math:`\mathbf{c}_t` of :math:`\mathbf{G}_t^2`, averaged with
    :math:`1 - \beta_{2,t} = t^{-0.8}`; their product, divided by the
    mean of :math:`\mathbf{r}_t`, stands for :math:`\mathbf{S}_t`:

    .. math::
        \hat{\mathbf{S}}_t = \frac{\mathbf{r}_t \mathbf{c}_t}
        {\operatorname{mean}(\mathbf{r}_t)}, \qquad
        \mathbf{U}_t = \frac{\mathbf{G}_t}{\sqrt{\hat{\mathbf{S}}_t}},
        \qquad
        \mathbf{X} \leftarrow \mathbf{X} - \frac{\alpha_t}
        {\max(1, \operatorname{RMS}(\mathbf{U}_t)/d)} \mathbf{U}_t

    with the relative step :math:`\alpha_t = \max(\epsilon_2,
    \operatorname{RMS}(\mathbf{X}))\,\min(\eta, 1/\sqrt{t})`. A vector
    keeps its full second moment. No momentum (Shazeer and Stern, 2018,
    with :math:`\beta_1 = 0`, as ``torch.optim.Adafactor``).

    Args:
        params: leaf tensors with their gradients in ``p.grad``.
        states: from :func:`init_adafactor_states`.
        hyperparams: ``lr`` (:math:`\eta`, the cap of the relative step,
            default 0.01), ``beta2_decay`` (default -0.8), ``eps1`` (floor
            of :math:`\hat{\mathbf{S}}` is its square; default the machine
            epsilon of float32, PyTorch's for float32 parameters),
            ``eps2`` (floor of the parameter's RMS, default 1e-3), ``d``
            (clipping threshold, default 1) and ``weight_decay``
            (decoupled, :math:`\mathbf{X} \leftarrow (1 - \eta\nu)
            \mathbf{X}`, default 0).

    Same as ``torch.optim.Adafactor(params, lr, beta2_decay, eps=(eps1,
    eps2), d=d, weight_decay=weight_decay)``.

    Introduced in ``chapters/after-adam.ipynb``.
    """
    lr, beta2_decay, eps1, eps2, d, weight_decay = read_hyperparams(
        hyperparams, "adafactor")
    for p, (r, c, t) in zip(params, states):
        with torch.no_grad():
            t += 1
            step = float(t)
            w = step**beta2_decay  # 1 - beta2_t: 1 at t = 1, then smaller
            rms_x = float(torch.linalg.vector_norm(p)) / p.numel() ** 0.5
            alpha = max(eps2, rms_x) * min(lr, 1 / step**0.5)
            p -= lr * weight_decay * p
            g2 = torch.square(p.grad)
            if c is not None:  # a matrix: row and column means only
                r[:] = r + w * (g2.mean(dim=-1, keepdim=True) - r)
                c[:] = c + w * (g2.mean(dim=-2, keepdim=True) - c)
                mean_r = r.mean(dim=-2, keepdim=True).clamp(min=eps1)
                s_hat = r @ c / mean_r
            else:  # a vector: the full second moment
                r[:] = r + w * (g2 - r)
                s_hat = r
            u = p.grad / torch.sqrt(s_hat.clamp(min=eps1 * eps1))
            rms_u = float(torch.linalg.vector_norm(u)) / u.numel() ** 0.5
            p -= alpha / max(1.0, rms_u / d) * u


def init_lion_states(
    params_or_dim: ParamsOrDim,
) -> tuple[torch.Tensor, ...]:
    """Momenta ``m = 0``, one per parameter (Lion keeps nothing else).

    Introduced in ``chapters/after-adam.ipynb``.
    """
    return tuple(_like(params_or_dim))


def lion(
    params: Params,
    states: Sequence[torch.Tensor],
    hyperparams: Hyperparams,
) -> None:
    r"""Lion (Chen et al., 2023): the sign of a blend of momentum and
    gradient.

    .. math::
        \mathbf{c}_t = \beta_1 \mathbf{m}_{t-1} + (1 - \beta_1)
        \mathbf{g}_t, \qquad
        \mathbf{x} \leftarrow \mathbf{x} - \eta\bigl(
        \operatorname{sgn}(\mathbf{c}_t) + \nu \mathbf{x}\bigr), \qquad
        \mathbf{m}_t = \beta_2 \mathbf{m}_{t-1} + (1 - \beta_2)
        \mathbf{g}_t

    Every coordinate moves by exactly :math:`\eta` (plus the decay), or
    not at all where :math:`c_{t,i} = 0`. With ``beta1=0`` it is signSGD
    (with decay).

    Args:
        params: leaf tensors with their gradients in ``p.grad``.
        states: momenta from :func:`init_lion_states`.
        hyperparams: ``lr`` (:math:`\eta`), ``beta1`` (default 0.9),
            ``beta2`` (default 0.99) and ``weight_decay`` (:math:`\nu`,
            default 0), as in the paper's Algorithm 2. Not in
            ``torch.optim``.

    Introduced in ``chapters/after-adam.ipynb``.
    """
    lr, beta1, beta2, weight_decay = read_hyperparams(hyperparams, "lion")
    for p, m in zip(params, states):
        with torch.no_grad():
            c = beta1 * m + (1 - beta1) * p.grad
            p -= lr * (torch.sign(c) + weight_decay * p)
            m[:] = beta2 * m + (1 - beta2) * p.grad


# The quintic of Jordan et al.'s Muon (also torch.optim.Muon's default).
NS_COEFFICIENTS = (3.4445, -4.7750, 2.0315)


def newton_schulz(
    G: torch.Tensor,
    steps: int = 5,
    coefficients: tuple[float, float, float] = NS_COEFFICIENTS,
    eps: float = 1e-7,
) -> torch.Tensor:
    r"""Bring the singular values of a matrix near 1 without an SVD.

    With :math:`\mathbf{G} = \mathbf{U}\boldsymbol{\Sigma}\mathbf{V}^\top`,
    scale :math:`\mathbf{X}_0 = \mathbf{G}/\|\mathbf{G}\|_F` (so every
    singular value is at most 1) and apply ``steps`` times the odd
    polynomial

    .. math::
        \mathbf{X} \leftarrow a\mathbf{X} + b(\mathbf{X}\mathbf{X}^\top)
        \mathbf{X} + c(\mathbf{X}\mathbf{X}^\top)^2\mathbf{X},

    which maps each singular value :math:`\sigma` to
    :math:`a\sigma + b\sigma^3 + c\sigma^5` and keeps
    :math:`\mathbf{U}` and :math:`\mathbf{V}`. The classical cubic
    ``(1.5, -0.5, 0)`` converges to :math:`\mathbf{U}\mathbf{V}^\top`;
    Muon's quintic (the default) grows small singular values faster and
    leaves them between about 0.7 and 1.2. A tall matrix is transposed
    first, so that :math:`\mathbf{X}\mathbf{X}^\top` is the smaller Gram
    matrix. ``torch.optim.Muon`` runs the same steps in bfloat16; this
    one keeps the dtype of ``G``.

    Args:
        G: a 2-D floating-point tensor.
        steps: number of iterations, a whole number >= 0.
        coefficients: ``(a, b, c)``.
        eps: floor of :math:`\|\mathbf{G}\|_F` (a zero matrix stays zero).

    Returns:
        A tensor shaped like ``G``.

    Raises:
        ValueError: ``G`` is not a 2-D float tensor, ``steps`` is not a
            whole number >= 0, ``coefficients`` are not three numbers, or
            ``eps`` is not > 0.

    Introduced in ``chapters/after-adam.ipynb``.
    """
    _check_newton_schulz(G, steps, coefficients, eps)
    a, b, c = coefficients
    tall = G.shape[0] > G.shape[1]
    X = G.T if tall else G
    X = X / torch.linalg.matrix_norm(X).clamp(min=eps)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X.T if tall else X


def _check_newton_schulz(G: Any, steps: Any, coefficients: Any,
                         eps: Any) -> None:
    if (not isinstance(G, torch.Tensor) or G.dim() != 2
            or not G.is_floating_point()):
        shown = (f"a {G.dtype} tensor of shape {tuple(G.shape)}"
                 if isinstance(G, torch.Tensor) else type(G).__name__)
        raise ValueError(f"G must be a 2-D float tensor, got {shown}")
    if (isinstance(steps, bool) or not isinstance(steps, numbers.Integral)
            or steps < 0):
        raise ValueError(
            f"steps must be a whole number >= 0, got {steps!r}")
    if (not isinstance(coefficients, Sequence) or len(coefficients) != 3
            or not all(is_number(v) for v in coefficients)):
        raise ValueError(
            "coefficients must be three numbers (a, b, c), got "
            f"{coefficients!r}")
    if not is_number(eps) or eps <= 0:
        raise ValueError(f"eps must be a number > 0, got {eps!r}")


def init_muon_states(
    params_or_dim: ParamsOrDim,
) -> tuple[tuple[Any, ...], ...]:
    """Triples, one per parameter: ``(B, None, None)`` for a matrix (its
    momentum buffer) and AdamW's ``(v, s, t)`` for any other tensor, which
    Muon leaves to AdamW.

    Introduced in ``chapters/after-adam.ipynb``.
    """
    return tuple((z, None, None) if z.dim() == 2
                 else (z, z.clone(), _counter(z))
                 for z in _like(params_or_dim))


def muon(
    params: Params,
    states: Sequence[tuple[Any, ...]],
    hyperparams: Hyperparams,
) -> None:
    r"""Muon: momentum, orthogonalized, for the matrices; AdamW for the rest.

    For an :math:`m \times n` weight matrix with gradient
    :math:`\mathbf{G}_t` (momentum :math:`\mu`):

    .. math::
        \mathbf{B}_t &= \mu \mathbf{B}_{t-1} + (1 - \mu)\mathbf{G}_t,
        \qquad \tilde{\mathbf{B}}_t = (1 - \mu)\mathbf{G}_t +
        \mu\mathbf{B}_t \text{ (Nesterov) or } \mathbf{B}_t \\
        \mathbf{X} &\leftarrow (1 - \eta\nu)\mathbf{X} - \eta
        \sqrt{\max(1, m/n)}\;
        \operatorname{NS}(\tilde{\mathbf{B}}_t)

    with :math:`\operatorname{NS}` the Newton–Schulz iteration
    (:func:`newton_schulz`), which makes the singular values of the step
    about 1. Tensors that are not matrices (biases; the point of a 2-D
    trace) get :func:`adamw` with learning rate ``adamw_lr``, the same
    ``weight_decay``, betas (0.9, 0.999) and eps 1e-8.

    Args:
        params: leaf tensors with their gradients in ``p.grad``.
        states: from :func:`init_muon_states`.
        hyperparams: ``lr`` (:math:`\eta`), ``momentum`` (:math:`\mu`,
            default 0.95), ``nesterov`` (default ``True``),
            ``weight_decay`` (:math:`\nu`, default 0.1), ``ns_steps``
            (default 5) and ``adamw_lr`` (default 1e-3).

    On matrices the same as ``torch.optim.Muon(params, lr, weight_decay,
    momentum, nesterov, ns_steps=ns_steps)``, except that PyTorch runs the
    Newton–Schulz steps in bfloat16 and this keeps the parameter's dtype.

    Introduced in ``chapters/after-adam.ipynb``.
    """
    lr, momentum, nesterov, weight_decay, ns_steps, adamw_lr = (
        read_hyperparams(hyperparams, "muon"))
    for p, (B, s, t) in zip(params, states):
        if p.dim() != 2:  # not a matrix: AdamW
            adamw([p], [(B, s, t)], {"lr": adamw_lr, "eps": 1e-8,
                                     "weight_decay": weight_decay})
            continue
        with torch.no_grad():
            B[:] = momentum * B + (1 - momentum) * p.grad
            update = ((1 - momentum) * p.grad + momentum * B if nesterov
                      else B)
            ortho = newton_schulz(update, ns_steps)
            rows, cols = p.shape
            p -= lr * weight_decay * p
            p -= lr * max(1.0, rows / cols) ** 0.5 * ortho


def _inverse_root(M: torch.Tensor, root: int, eps: float) -> torch.Tensor:
    """``(M + eps I)^(-1/root)`` of a symmetric positive semidefinite M."""
    w, Q = torch.linalg.eigh(M + eps * torch.eye(len(M), dtype=M.dtype,
                                                 device=M.device))
    return Q @ torch.diag(w.clamp(min=eps) ** (-1 / root)) @ Q.T


def init_shampoo_states(
    params_or_dim: ParamsOrDim,
) -> tuple[tuple[torch.Tensor, Any], ...]:
    """Pairs ``(L, R)`` of zeros: for an ``m x n`` matrix ``L`` is
    ``m x m`` and ``R`` is ``n x n``; any other tensor, flattened to ``k``
    numbers, gets one ``k x k`` matrix ``L`` and ``R = None``.

    Introduced in ``chapters/after-adam.ipynb``.
    """
    states = []
    for z in _like(params_or_dim):
        if z.dim() == 2:
            m, n = z.shape
            states.append((z.new_zeros((m, m)), z.new_zeros((n, n))))
        else:
            k = z.numel()
            states.append((z.new_zeros((k, k)), None))
    return tuple(states)


def shampoo(
    params: Params,
    states: Sequence[tuple[torch.Tensor, Any]],
    hyperparams: Hyperparams,
) -> None:
    r"""Shampoo (Gupta et al., 2018), small: one preconditioner per side.

    For a matrix gradient :math:`\mathbf{G}_t`:

    .. math::
        \mathbf{L}_t = \mathbf{L}_{t-1} + \mathbf{G}_t\mathbf{G}_t^\top,
        \quad
        \mathbf{R}_t = \mathbf{R}_{t-1} + \mathbf{G}_t^\top\mathbf{G}_t,
        \quad
        \mathbf{X} \leftarrow \mathbf{X} - \eta
        (\mathbf{L}_t + \epsilon\mathbf{I})^{-1/4}\mathbf{G}_t
        (\mathbf{R}_t + \epsilon\mathbf{I})^{-1/4}

    and for any other tensor, as a vector :math:`\mathbf{g}_t`, full-matrix
    Adagrad: :math:`\mathbf{H}_t = \mathbf{H}_{t-1} +
    \mathbf{g}_t\mathbf{g}_t^\top`, :math:`\mathbf{x} \leftarrow
    \mathbf{x} - \eta(\mathbf{H}_t + \epsilon\mathbf{I})^{-1/2}
    \mathbf{g}_t`. The inverse roots come from an eigendecomposition at
    every step (the paper's version, without the refinements of its
    distributed form: no grafting, no momentum, no delayed roots). Not in
    ``torch.optim``.

    Args:
        params: leaf tensors with their gradients in ``p.grad``.
        states: from :func:`init_shampoo_states`.
        hyperparams: ``lr`` (:math:`\eta`) and ``eps``
            (:math:`\epsilon > 0`, default 1e-4).

    Introduced in ``chapters/after-adam.ipynb``.
    """
    lr, eps = read_hyperparams(hyperparams, "shampoo")
    for p, (L, R) in zip(params, states):
        with torch.no_grad():
            G = p.grad
            if R is not None:  # a matrix
                L += G @ G.T
                R += G.T @ G
                p -= lr * _inverse_root(L, 4, eps) @ G @ _inverse_root(
                    R, 4, eps)
            else:  # a vector: full-matrix Adagrad
                g = G.reshape(-1)
                L += torch.outer(g, g)
                p -= lr * (_inverse_root(L, 2, eps) @ g).reshape(p.shape)


# ---------------------------------------------------------------------------
# The one registration of every optimizer.
# ---------------------------------------------------------------------------


class Registration(NamedTuple):
    """An optimizer of the package: its update rule, the function that
    makes its states, and its hyperparameters with their defaults
    (``_REQUIRED`` where there is none). The allowed range of each
    hyperparameter is in ``_RULES``, by name."""

    update: Callable[..., None]
    init_states: Callable[[ParamsOrDim], Any]
    hyperparams: dict[str, Any]


_ADAM_BETAS = {"beta1": 0.9, "beta2": 0.999}

# A new optimizer is one line here (after its two functions above). The
# package's exports, its tables (OPTIMIZERS, INIT_STATES, _SPECS), the
# checks of every trainer, the explorers and the live traces' table all
# derive from it; the live traces also need the rule's twin in
# d2lmini/js/rules.js (tests/test_live.py says so until it is there).
REGISTRY: dict[str, Registration] = {
    "sgd": Registration(sgd, init_sgd_states, {"lr": _REQUIRED}),
    "sgd_momentum": Registration(sgd_momentum, init_momentum_states, {
        "lr": _REQUIRED, "momentum": _REQUIRED}),
    "sgd_nesterov": Registration(sgd_nesterov, init_momentum_states, {
        "lr": _REQUIRED, "momentum": _REQUIRED}),
    "adagrad": Registration(adagrad, init_adagrad_states, {
        "lr": _REQUIRED, "eps": 1e-6, "eps_inside_sqrt": True}),
    "rmsprop": Registration(rmsprop, init_rmsprop_states, {
        "lr": _REQUIRED, "gamma": _REQUIRED, "eps": 1e-6,
        "eps_inside_sqrt": True}),
    "adadelta": Registration(adadelta, init_adadelta_states, {
        "rho": _REQUIRED, "eps": 1e-5, "lr": 1.0}),
    "adam": Registration(adam, init_adam_states, {
        "lr": _REQUIRED, **_ADAM_BETAS, "eps": 1e-6}),
    "yogi": Registration(yogi, init_adam_states, {
        "lr": _REQUIRED, **_ADAM_BETAS, "eps": 1e-3}),
    "adamax": Registration(adamax, init_adamax_states, {
        "lr": _REQUIRED, **_ADAM_BETAS, "eps": 1e-8, "eps_in_max": False}),
    "nadam": Registration(nadam, init_nadam_states, {
        "lr": _REQUIRED, **_ADAM_BETAS, "eps": 1e-8,
        "momentum_decay": None}),
    "amsgrad": Registration(amsgrad, init_amsgrad_states, {
        "lr": _REQUIRED, **_ADAM_BETAS, "eps": 1e-8,
        "bias_correction": False}),
    "adamw": Registration(adamw, init_adamw_states, {
        "lr": _REQUIRED, **_ADAM_BETAS, "eps": 1e-6, "weight_decay": 0.01}),
    "radam": Registration(radam, init_radam_states, {
        "lr": _REQUIRED, **_ADAM_BETAS, "eps": 1e-8, "weight_decay": 0.0,
        "decoupled_weight_decay": False}),
    "schedule_free_adamw": Registration(
        schedule_free_adamw, init_schedule_free_adamw_states, {
            "lr": _REQUIRED, **_ADAM_BETAS, "eps": 1e-8,
            "weight_decay": 0.0, "warmup_steps": 0}),
    "adafactor": Registration(adafactor, init_adafactor_states, {
        "lr": 1e-2, "beta2_decay": -0.8,
        "eps1": float(torch.finfo(torch.float32).eps), "eps2": 1e-3,
        "d": 1.0, "weight_decay": 0.0}),
    "lion": Registration(lion, init_lion_states, {
        "lr": _REQUIRED, "beta1": 0.9, "beta2": 0.99, "weight_decay": 0.0}),
    "muon": Registration(muon, init_muon_states, {
        "lr": _REQUIRED, "momentum": 0.95, "nesterov": True,
        "weight_decay": 0.1, "ns_steps": 5, "adamw_lr": 1e-3}),
    "shampoo": Registration(shampoo, init_shampoo_states, {
        "lr": _REQUIRED, "eps": 1e-4}),
}

# Derived tables (never edited by hand).
OPTIMIZERS: dict[str, Callable[..., None]] = {
    name: r.update for name, r in REGISTRY.items()}
INIT_STATES: dict[str, Callable[[ParamsOrDim], Any]] = {
    name: r.init_states for name, r in REGISTRY.items()}
_SPECS: dict[str, dict[str, Any]] = {
    name: r.hyperparams for name, r in REGISTRY.items()}

__all__ = sorted(
    {"check_hyperparams", "read_hyperparams", "trainer_2d",
     "newton_schulz"}
    | set(REGISTRY)
    | {r.init_states.__name__ for r in REGISTRY.values()})
