"""What the optimizer sees at step k of one run: the inspector's rows, and the
effective per-coordinate step of every iteration.

``inspect(trajectory, k)`` lists, for the point θ_k (after k updates):

    θ, loss, grad          the point, f(θ_k) and ∇f(θ_k) (the mini-batch's with batches)
    distance from plane,   on a network: ‖θ_k − θ(α, β)‖, θ_k's distance from the map's
    accuracy               plane, and the share of the points θ_k classifies right
    grad (clipped)         what the optimizer was given, when the run clips
    lr                     the learning rate of the update from θ_k (the schedule's)
    update                 Δ = θ_{k+1} − θ_k, the step taken from here
    effective step         Δᵢ / gᵢ per axis, g the (clipped) gradient: the learning
                           rate each axis actually got. SGD's is −γ on both axes;
                           Adam's and RMSprop's differ per axis, which is why they
                           take another route
    state                  every buffer torch keeps, under its name, after k updates
    derived                core/readouts.py: bias corrections, per-coordinate step sizes

``effective_steps(trajectory, n)`` is the effective step of updates 0..n−1 as an
(n, 2) array, from the stored gradients and points alone (no state replayed):
NaN where a gradient coordinate is 0 (no ratio to take).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .accuracy import accuracy
from .readouts import readouts

STATE_MEANINGS = {
    "step": "updates done so far (torch's state['step'])",
    "momentum_buffer": "the running sum of past gradients that momentum adds to each step",
    "exp_avg": "m: the moving average of gradients (first moment)",
    "exp_avg_sq": "v: the moving average of squared gradients (second moment)",
    "max_exp_avg_sq": "AMSGrad's running maximum of v, used instead of v",
    "square_avg": "the moving average of squared gradients that divides the step",
    "grad_avg": "centered RMSprop's moving average of gradients",
    "sum": "the sum of every squared gradient so far",
    "acc_delta": "the moving average of squared updates (Adadelta's own step scale)",
    "exp_inf": "u: the exponentially weighted infinity norm of the gradients",
    "mu_product": "Π μᵢ: the product of the momentum schedule so far",
    "prev": "the gradient of the previous step (Rprop compares signs)",
    "step_size": "each coordinate's own step length (grows while the sign holds)",
    "eta": "η: ASGD's current step size",
    "mu": "μ: ASGD's averaging weight",
    "ax": "θ̄: the running average of the points",
    "variance": "Adafactor's second-moment estimate",
    "func_evals": "closure calls, all steps together",
    "n_iter": "inner iterations, all steps together",
    "d": "the last search direction",
    "t": "the last step length along d",
    "old_dirs": "yᵢ = ∇fᵢ₊₁ − ∇fᵢ kept for the curvature estimate",
    "old_stps": "sᵢ = tᵢ·dᵢ kept for the curvature estimate",
    "ro": "ρᵢ = 1/(yᵢᵀsᵢ)",
    "H_diag": "yᵀs/yᵀy: the initial inverse-Hessian scale",
    "prev_flat_grad": "the gradient at the previous iterate",
    "prev_loss": "the loss at the previous iterate",
    "al": "αᵢ of the last two-loop recursion",
}


class Row(NamedTuple):
    section: str       # "point", "step", "state" or "derived"
    name: str
    value: object      # a number, an array with one entry per coordinate, a tuple, or None
    meaning: str


def inspect(t, k: int) -> list[Row]:
    """The inspector's rows for trajectory ``t`` at step k (the last computed step if k is
    past it: a run that diverged or is not computed that far)."""
    j = min(int(k), t.steps)
    if j < 0:
        return []
    g = t.grad[j]
    rows = [Row("point", "θ", t.params[j], "the point after k updates"),
            Row("point", "loss", float(t.loss[j]), "f(θ): the loss at the point"),
            Row("point", "grad", g, "∇f(θ): the gradient at the point, before any clipping")]
    if t.dim > 2:                                  # a network seen on a plane
        rows.append(Row("point", "distance from plane", float(t.distance[j]),
                        "‖θ − θ(α, β)‖: how far the network's whole θ is from the plane "
                        "the map shows, where (α, β) is its projection"))
        correct = accuracy(t)
        if correct is not None:
            rows.append(Row("point", "accuracy", float(correct[j]),
                            "the share of the training points θ classifies right"))
    clipped = g
    if t.run.clip_grad_norm is not None or t.run.clip_grad_value is not None:
        clipped = t.clipped_grad(j)
        rows.append(Row("point", "grad (clipped)", clipped,
                        "the gradient the optimizer was given, after clip_grad_norm/value"))
    update = t.next_update(j)
    rows += [Row("step", "lr", t.lr_at(j), "γ: the learning rate of the update from here"),
             Row("step", "update", update, "Δ = θₖ₊₁ − θₖ: the step taken from here"),
             Row("step", "effective step", _ratio(update, clipped),
                 "Δ ÷ gradient on each axis: the learning rate each axis actually got "
                 "(−γ for plain SGD)")]
    state = t.state_at(j)
    opt = t.optimizer
    for name, value in state.items():
        if _kept(opt, name):
            rows.append(Row("state", name, value, STATE_MEANINGS.get(name, "")))
    if t.scheduled and j >= 1:
        opt = opt.scheduled(**t.group_at(j - 1))     # the group the last update used
    rows += [Row("derived", r.name, r.value, r.meaning) for r in readouts(opt, state)]
    return rows


def effective_steps(t, n: int | None = None, start: int = 0) -> np.ndarray:
    """Δᵢ/gᵢ of updates start..n−1 (default: every stored update), shape (n − start, 2),
    from the stored points and the gradient each update was given (clipped as the run
    clips); ``start`` lets a view extend what it has without recomputing it."""
    n = t.steps if n is None else min(int(n), t.steps)
    start = max(0, int(start))
    if n <= start:
        return np.zeros((0, 2))
    g = t.grad[start:n]
    if t.run.clip_grad_norm is not None or t.run.clip_grad_value is not None:
        g = np.asarray(t.plan.clip(g), dtype=float)
    p = t.params
    return _ratio(p[start + 1:n + 1] - p[start:n], g)


def _ratio(update, g):
    if update is None:
        return None
    with np.errstate(all="ignore"):
        return np.where(np.asarray(g) != 0, np.asarray(update, dtype=float) / g, np.nan)


def _kept(opt, name: str) -> bool:
    """torch keeps these buffers only when the option that uses them is on."""
    if name == "max_exp_avg_sq":
        return bool(getattr(opt, "amsgrad", False))
    if name == "momentum_buffer" and type(opt).name in ("sgd", "rmsprop"):
        return opt.momentum != 0
    if name == "grad_avg":
        return bool(getattr(opt, "centered", False))
    return True
