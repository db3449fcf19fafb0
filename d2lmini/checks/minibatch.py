"""Checks for the exercises of ``chapters/minibatch-sgd.ipynb``."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import torch

from . import (
    Feedback,
    always,
    close,
    declare,
    declare_later,
    exercise,
    mistake,
    not_yet,
    passed,
    right,
    when,
)

LR_GRID = (0.01, 0.03, 0.1, 0.3, 1.0)
GRID_BATCH_SIZE = 50
GRID_EPOCHS = 2



def _last_epoch_loss(lr: float) -> float:
    """Mean loss over the last epoch of the exercise's run (batch 50, two
    epochs, on the CPU): the score the chapter's ``last_epoch_loss`` gives.
    ``inf`` for a run that diverges."""
    from ..data import get_data_ch11
    from ..optim import sgd
    from ..train import train_ch11

    data_iter, feature_dim = get_data_ch11(GRID_BATCH_SIZE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        history = train_ch11(sgd, None, {"lr": lr}, data_iter, feature_dim,
                             GRID_EPOCHS, plot=False, device="cpu")
    if history.diverged_at is not None:
        return math.inf
    last = [loss for epoch, loss in zip(history.epochs, history.losses)
            if epoch > GRID_EPOCHS - 1]
    score = sum(last) / len(last)
    return score if math.isfinite(score) else math.inf


def _declare_best_lr() -> None:
    """The rate of the grid with the lowest mean loss over the last epoch
    (one final value would be decided by the noise of the last steps).

    The five runs (deterministic, about 0.3 s on a CPU) are made when the
    check is first used or exported, and their scores become data: a rate
    passes when its score is within 0.1% of the best one, and every other
    rate of the grid is a mistake with its own score in the message. A
    rate is recognized within rtol 1e-6 (the grid's rates are 3x apart).
    """
    scores = {lr: _last_epoch_loss(lr) for lr in LR_GRID}
    best = min(scores.values())
    pick = f"pick one of the rates {list(LR_GRID)}"
    cases = []
    for lr, mine in scores.items():
        rule = close(lr, rtol=1e-6, atol=0.0)
        if mine <= best * (1 + 1e-3):
            cases.append(right(rule, "lr = {{v:g}} has the lowest mean loss "
                               f"over the last epoch, {mine:.4f}."))
            continue
        if math.isinf(mine):
            what = "diverges"
            hint = ("a rate that blows up cannot be best; look at the rates "
                    "below it")
        else:
            what = f"has a mean loss of {mine:.4f} over the last epoch"
            hint = (f"run train_sgd(lr, {GRID_BATCH_SIZE}, {GRID_EPOCHS}) "
                    "for every rate and compare last_epoch_loss(history), "
                    "the mean over the second epoch, not only the final "
                    "value")
        cases.append(mistake(rule, f"with lr = {{{{v:g}}}} the run {what}; "
                             "another rate of the grid does better", hint))
    declare("minibatch.best_lr", what="the learning rate", hint=pick,
            invalid="the answer should be a learning rate, got {{answer}}",
            cases=cases, otherwise="{{v:g}} is not one of the rates to try")


declare_later("minibatch.best_lr", _declare_best_lr)


@exercise("minibatch.lr_schedule")
def lr_schedule(answer: Callable[[Any], Any]) -> Feedback:
    """make_scheduler(optimizer) divides the rate by 10 after each epoch."""
    if not callable(answer):
        return not_yet("the answer should be your function "
                       "make_scheduler(optimizer)",
                       "pass the function itself, without calling it")
    for lr0 in (0.05, 0.4, 1.0):
        param = torch.zeros(1, requires_grad=True)
        optimizer = torch.optim.SGD([param], lr=lr0)
        scheduler = answer(optimizer)
        if scheduler is None:
            return not_yet("make_scheduler returns nothing yet",
                           "return the scheduler you build, e.g. return "
                           "torch.optim.lr_scheduler.StepLR(optimizer, ...)")
        if not callable(getattr(scheduler, "step", None)):
            return not_yet(
                "make_scheduler should return a scheduler, an object with "
                f"a step() method, got {type(scheduler).__name__}",
                "build one from torch.optim.lr_scheduler, e.g. StepLR, "
                "with the optimizer you were given",
            )
        for epoch in range(5):
            lr = optimizer.param_groups[0]["lr"]
            expected = lr0 * 10.0 ** (-epoch)
            if not math.isclose(lr, expected, rel_tol=1e-6):
                if epoch == 0:
                    hint = ("the first epoch must run at the initial rate; "
                            "do not step the scheduler when creating it")
                elif math.isclose(lr, lr0 * 0.9 ** epoch, rel_tol=1e-6):
                    hint = ("gamma is the factor the rate is multiplied "
                            "by: dividing by 10 means gamma=0.1")
                elif math.isclose(lr, lr0, rel_tol=1e-6):
                    hint = ("the rate never changes: decay it at every "
                            "step() call (step_size=1)")
                else:
                    hint = ("after k calls of scheduler.step() the rate "
                            "should be lr0 * 10**(-k)")
                return not_yet(
                    f"with initial rate {lr0}, epoch {epoch} runs at "
                    f"{lr:.3g} instead of {expected:.3g}", hint,
                )
            # One epoch: an optimizer step, then the scheduler's step.
            param.grad = torch.zeros_like(param)
            optimizer.step()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                scheduler.step()
    return passed("the rate is divided by 10 after every epoch, for "
                  "several initial rates.")


def _indices(out: Any, n: int, batch_size: int) -> torch.Tensor | str:
    """The sampler's output as a 1-D integer tensor, or what is wrong."""
    try:
        idx = torch.as_tensor(out)
    except (TypeError, ValueError, RuntimeError):
        return f"returned {type(out).__name__}, not indices"
    if idx.shape != (batch_size,):
        return (f"sample_batch({n}, {batch_size}) returned shape "
                f"{tuple(idx.shape)} instead of ({batch_size},)")
    if idx.dtype.is_floating_point or idx.dtype.is_complex or \
            idx.dtype == torch.bool:
        return f"the indices should be integers, got dtype {idx.dtype}"
    if idx.numel() and (idx.min() < 0 or idx.max() >= n):
        return (f"sample_batch({n}, {batch_size}) returned indices outside "
                f"0..{n - 1}")
    return idx.long()


@exercise("minibatch.sampler")
def sampler(answer: Callable[[int, int], Any]) -> Feedback:
    """sample_batch(n, b): b uniform indices in 0..n-1, with replacement."""
    if not callable(answer):
        return not_yet("the answer should be your function "
                       "sample_batch(n, batch_size)",
                       "pass the function itself, without calling it")
    shape_hint = "return a tensor of batch_size integers between 0 and n-1"
    for n, b in [(10, 4), (1500, 10), (7, 7), (3, 8)]:
        try:
            out = answer(n, b)
        except Exception as err:  # report, do not crash
            hint = shape_hint
            if b > n:
                hint = ("with replacement a batch may be larger than n: "
                        "draw each index independently")
            return not_yet(f"sample_batch({n}, {b}) raised "
                           f"{type(err).__name__}: {err}", hint)
        idx = _indices(out, n, b)
        if isinstance(idx, str):
            return not_yet(idx, shape_hint)
    # With replacement, a batch of 5 from 5 repeats an index with
    # probability 1 - 5!/5**5 (about 0.96).
    repeats = sum(len(set(_indices(answer(5, 5), 5, 5).tolist())) < 5
                  for _ in range(300))
    if repeats < 0.8 * 300:
        return not_yet(
            f"only {repeats} of 300 batches of 5 indices out of 5 repeated "
            "an index; with replacement almost all of them should",
            "draw each index independently (torch.randint), not a slice "
            "of a permutation",
        )
    draws = torch.cat([_indices(answer(6, 6), 6, 6) for _ in range(2000)])
    counts = torch.bincount(draws, minlength=6).double()
    if (counts - 2000).abs().max() > 300:
        return not_yet(
            f"over 12000 draws from 0..5 the counts are "
            f"{counts.long().tolist()}; they should all be close to 2000",
            "every index should be equally likely",
        )
    first = _indices(answer(1000, 20), 1000, 20)
    second = _indices(answer(1000, 20), 1000, 20)
    if torch.equal(first, second):
        return not_yet("two calls returned the same batch",
                       "draw new random indices at every call")
    return passed("batches have the right shape and range, repeat indices "
                  "as sampling with replacement does, and are uniform.")


GENIE_N, GENIE_B = 1500, 100
GENIE = {
    "updates_per_epoch": (
        math.ceil(2 * GENIE_N / GENIE_B),
        "one epoch of the doubled data holds 2n examples, b per update",
    ),
    "gd_gradient_ratio": (
        1.0,
        "the full gradient is an average; averaging every term twice "
        "gives the same average",
    ),
    "variance_ratio": (
        ((2 * GENIE_N - GENIE_B) / (2 * GENIE_N - 1))
        / ((GENIE_N - GENIE_B) / (GENIE_N - 1)),
        "use the chapter's theorem: the spread sigma^2 of the per-example "
        "gradients is unchanged, only n becomes 2n in (n - b) / (n - 1)",
    ),
}


# Duplicated data: updates per epoch, GD gradient, minibatch variance, as
# a dictionary (or the three values in this order); each within rtol 1e-3.
declare(
    "minibatch.genie",
    shape=(3,),
    keys=[(key, hint) for key, (_, hint) in GENIE.items()],
    what="the three answers",
    hint="fill in the dictionary of the exercise cell",
    invalid="the answer should be a dictionary with the keys "
            + ", ".join(GENIE) + " (or their three values in this order), "
            "got {{answer}}",
    cases=[
        *(mistake(when(f"not isclose(v{i}, {expected!r}, 0.001, 0)"),
                  f"{key} = {{{{v{i}}}}} is not right yet", hint)
          for i, (key, (expected, hint)) in enumerate(GENIE.items())),
        right(always(), "all three answers are right."),
    ],
    otherwise="all three answers are right.",
)
