"""Adagrad (torch.optim.Adagrad)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._shared import L2_PENALTY, MAXIMIZE, learning_rate, require_nonnegative
from .base import Hyper, Optimizer


class AdagradState(NamedTuple):
    step: int
    sum: object


class Adagrad(Optimizer):
    r"""torch.optim.Adagrad, exactly (its ``_single_tensor_adagrad``, dense gradients).

    With gradient g_t at θ_{t-1}, learning rate γ, learning-rate decay η,
    weight decay λ, and the accumulator starting at S_0 = initial_accumulator_value::

        g_t ← g_t + λ θ_{t-1}                    (if λ ≠ 0)
        γ̃ ← γ / (1 + (t − 1) η)
        S_t ← S_{t-1} + g_t²
        θ_t ← θ_{t-1} − γ̃ g_t / (√S_t + ε)

    ``maximize`` flips the sign of g_t first. With S_0 = 0 and ε = 0 the first
    step is −γ·sign(g_1).
    Reference: Duchi, Hazan, Singer, "Adaptive Subgradient Methods for Online
    Learning and Stochastic Optimization" (2011); torch/optim/adagrad.py.

    >>> import numpy as np
    >>> opt = Adagrad(lr=0.5, eps=0.0, initial_accumulator_value=9.0)
    >>> s = opt.init(np.zeros(2))
    >>> s.sum.tolist()
    [9.0, 9.0]
    >>> d, s = opt.update(np.array([4.0, 0.0]), s, np.zeros(2))
    >>> d.tolist(), s.sum.tolist()    # −0.5·4/√25 = −0.4
    ([-0.4, -0.0], [25.0, 9.0])
    """

    name = "adagrad"
    title = "Adagrad"
    State = AdagradState
    hyper = (
        learning_rate(1e-2),
        Hyper("lr_decay", 0.0, low=0.0, high=1e3, doc="learning-rate decay η: γ/(1 + (t−1)η)"),
        L2_PENALTY,
        Hyper("initial_accumulator_value", 0.0, low=0.0, high=1e3,
              doc="starting value of the squared-gradient sum"),
        Hyper("eps", 1e-10, low=0.0, high=1.0, doc="ε added to the denominator"),
        MAXIMIZE,
    )
    rule = (
        "g ← ∇f(θ) + λθ\n"
        "S ← S + g²\n"
        "θ ← θ − γ/(1 + (t − 1)·η) · g / (√S + ε)"
    )

    def check(self, lr, lr_decay, weight_decay, initial_accumulator_value, eps, maximize):
        require_nonnegative(self.title, "lr", lr)
        require_nonnegative(self.title, "lr_decay", lr_decay)
        require_nonnegative(self.title, "weight_decay", weight_decay)
        require_nonnegative(self.title, "initial_accumulator_value", initial_accumulator_value)
        require_nonnegative(self.title, "eps", eps)

    def init(self, params):
        """Step 0 and ``sum`` filled with ``initial_accumulator_value`` (torch's full_like)."""
        return AdagradState(0, params * 0.0 + self.initial_accumulator_value)

    def update(self, grad, state, params, xp=np):
        step = state.step + 1
        g = -grad if self.maximize else grad
        if self.weight_decay != 0:
            g = g + self.weight_decay * params
        clr = self.lr / (1 + (step - 1) * self.lr_decay)
        total = state.sum + g * g
        std = xp.sqrt(total) + self.eps
        return xp.divide(-clr * g, std), AdagradState(step, total)
