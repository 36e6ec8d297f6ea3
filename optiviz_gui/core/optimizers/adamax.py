"""Adamax, Adam with the infinity norm (torch.optim.Adamax)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._shared import L2_PENALTY, MAXIMIZE, learning_rate, lerp, require_betas, require_nonnegative
from .base import Hyper, Optimizer


class AdamaxState(NamedTuple):
    step: int
    exp_avg: object
    exp_inf: object


class Adamax(Optimizer):
    r"""torch.optim.Adamax, exactly (its ``_single_tensor_adamax``).

    With gradient g_t at θ_{t-1}, learning rate γ, betas (β₁, β₂), weight decay
    λ, and m_0 = u_0 = 0::

        g_t ← g_t + λ θ_{t-1}                    (if λ ≠ 0)
        m_t ← m_{t-1} + (1 − β₁)(g_t − m_{t-1})
        u_t ← max(β₂ u_{t-1}, |g_t| + ε)
        θ_t ← θ_{t-1} − γ/(1 − β₁ᵗ) · m_t / u_t

    ε is added to |g_t| inside the max (not to the denominator as in Adam).
    ``maximize`` flips the sign of g_t first. The first step is
    −γ·g_1/(|g_1| + ε), i.e. −γ·sign(g_1) up to ε.
    Reference: Kingma & Ba, "Adam: A Method for Stochastic Optimization"
    (2015), section 7.1; torch/optim/adamax.py.

    >>> import numpy as np
    >>> opt = Adamax(lr=0.25, eps=0.0)
    >>> s = opt.init(np.zeros(2))
    >>> d, s = opt.update(np.array([2.0, -8.0]), s, np.zeros(2))
    >>> d.tolist(), s.exp_inf.tolist()
    ([-0.25, 0.25], [2.0, 8.0])
    """

    name = "adamax"
    velocity = ("exp_avg", "gradient")
    title = "Adamax"
    State = AdamaxState
    hyper = (
        learning_rate(2e-3),
        Hyper("betas", (0.9, 0.999), kind="pair", low=0.0, high=1.0,
              doc="β₁, β₂: decay rates of the gradient average and the infinity norm"),
        Hyper("eps", 1e-8, low=0.0, high=1.0, doc="ε added to |g|"),
        L2_PENALTY,
        MAXIMIZE,
    )
    rule = (
        "g ← ∇f(θ) + λθ\n"
        "m ← β₁·m + (1 − β₁)·g\n"
        "u ← max(β₂·u, |g| + ε)\n"
        "θ ← θ − γ/(1 − β₁ᵗ) · m / u"
    )

    def check(self, lr, betas, eps, weight_decay, maximize):
        require_nonnegative(self.title, "lr", lr)
        require_nonnegative(self.title, "eps", eps)
        require_betas(self.title, betas)
        require_nonnegative(self.title, "weight_decay", weight_decay)

    def update(self, grad, state, params, xp=np):
        g = -grad if self.maximize else grad
        step = state.step + 1
        if self.weight_decay != 0:
            g = g + self.weight_decay * params
        beta1, beta2 = self.betas
        exp_avg = lerp(state.exp_avg, g, 1 - beta1)
        exp_inf = xp.maximum(beta2 * state.exp_inf, xp.abs(g) + self.eps)
        clr = self.lr / (1 - beta1**step)
        return xp.divide(-clr * exp_avg, exp_inf), AdamaxState(step, exp_avg, exp_inf)
