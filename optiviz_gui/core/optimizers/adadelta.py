"""Adadelta (torch.optim.Adadelta)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._shared import L2_PENALTY, MAXIMIZE, require_nonnegative
from .base import Hyper, Optimizer, require


class AdadeltaState(NamedTuple):
    step: int
    square_avg: object
    acc_delta: object


class Adadelta(Optimizer):
    r"""torch.optim.Adadelta, exactly (its ``_single_tensor_adadelta``).

    With gradient g_t at θ_{t-1}, learning rate γ (torch scales the step by it;
    the paper has γ = 1), decay ρ, weight decay λ, and v_0 = u_0 = 0::

        g_t ← g_t + λ θ_{t-1}                    (if λ ≠ 0)
        v_t ← ρ v_{t-1} + (1 − ρ) g_t²
        Δx_t ← √(u_{t-1} + ε) / √(v_t + ε) · g_t
        u_t ← ρ u_{t-1} + (1 − ρ) Δx_t²
        θ_t ← θ_{t-1} − γ Δx_t

    v is ``square_avg``, u is ``acc_delta``; ε sits inside both square roots.
    ``maximize`` flips the sign of g_t first.
    Reference: Zeiler, "ADADELTA: An Adaptive Learning Rate Method" (2012);
    torch/optim/adadelta.py.

    >>> import numpy as np
    >>> opt = Adadelta(lr=0.5, rho=0.25, eps=1.0)
    >>> s = opt.init(np.zeros(1))
    >>> d, s = opt.update(np.array([2.0]), s, np.zeros(1))
    >>> s.square_avg.tolist(), s.acc_delta.tolist()   # v = 0.75·4, Δx = √1/√4·2 = 1
    ([3.0], [0.75])
    >>> d.tolist()
    [-0.5]
    """

    name = "adadelta"
    title = "Adadelta"
    State = AdadeltaState
    hyper = (
        Hyper("lr", 1.0, low=0.0, high=1e3, doc="learning rate γ (scales Δx)"),
        Hyper("rho", 0.9, low=0.0, high=1.0, doc="decay ρ of the running averages"),
        Hyper("eps", 1e-6, low=0.0, high=1.0, doc="ε inside the square roots"),
        L2_PENALTY,
        MAXIMIZE,
    )
    rule = (
        "g ← ∇f(θ) + λθ\n"
        "v ← ρ·v + (1 − ρ)·g²\n"
        "Δ ← √(u + ε) / √(v + ε) · g,   u ← ρ·u + (1 − ρ)·Δ²\n"
        "θ ← θ − γ·Δ"
    )

    def check(self, lr, rho, eps, weight_decay, maximize):
        require_nonnegative(self.title, "lr", lr)
        require(0.0 <= rho <= 1.0, self.title, "rho", f"must be in [0, 1], got {rho}")
        require_nonnegative(self.title, "eps", eps)
        require_nonnegative(self.title, "weight_decay", weight_decay)

    def update(self, grad, state, params, xp=np):
        g = -grad if self.maximize else grad
        if self.weight_decay != 0:
            g = g + self.weight_decay * params
        rho, eps = self.rho, self.eps
        square_avg = rho * state.square_avg + (1 - rho) * g * g
        std = xp.sqrt(square_avg + eps)
        delta = xp.divide(xp.sqrt(state.acc_delta + eps), std) * g
        acc_delta = rho * state.acc_delta + (1 - rho) * delta * delta
        return -self.lr * delta, AdadeltaState(state.step + 1, square_avg, acc_delta)
