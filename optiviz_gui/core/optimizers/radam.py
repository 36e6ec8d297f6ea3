"""RAdam, Adam with a rectified adaptive learning rate (torch.optim.RAdam)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._shared import (
    BETAS, DECOUPLED, MAXIMIZE, WEIGHT_DECAY, decayed_grad,
    learning_rate, lerp, require_betas, require_nonnegative,
)
from .base import Hyper, Optimizer


class RAdamState(NamedTuple):
    step: int
    exp_avg: object
    exp_avg_sq: object


def sma_length(beta2: float, step: int) -> tuple[float, float]:
    """(ρ_∞, ρ_t): the maximum and the current length of the approximated SMA."""
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * (beta2**step) / (1 - beta2**step)
    return rho_inf, rho_t


class RAdam(Optimizer):
    r"""torch.optim.RAdam, exactly (its ``_single_tensor_radam``).

    With gradient g_t at θ_{t-1}, learning rate γ, betas (β₁, β₂), weight
    decay λ, and m_0 = v_0 = 0::

        θ_{t-1} ← θ_{t-1}(1 − γλ)                (decoupled_weight_decay, λ ≠ 0)
        g_t ← g_t + λ θ_{t-1}                    (otherwise, λ ≠ 0)
        m_t ← m_{t-1} + (1 − β₁)(g_t − m_{t-1}),   m̂_t ← m_t / (1 − β₁ᵗ)
        v_t ← β₂ v_{t-1} + (1 − β₂) g_t²
        ρ_∞ ← 2/(1 − β₂) − 1,   ρ_t ← ρ_∞ − 2t β₂ᵗ/(1 − β₂ᵗ)
        if ρ_t > 5:
            l_t ← √(1 − β₂ᵗ) / (√v_t + ε)
            r_t ← √((ρ_t − 4)(ρ_t − 2)ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2)ρ_t))
            θ_t ← θ_{t-1} − γ m̂_t l_t r_t
        else:
            θ_t ← θ_{t-1} − γ m̂_t                (plain momentum SGD while v is unreliable)

    With the default β₂ = 0.999, ρ_t > 5 from t = 6 on. ``maximize`` flips the
    sign of g_t first.
    Reference: Liu et al., "On the Variance of the Adaptive Learning Rate and
    Beyond" (2020); torch/optim/radam.py.

    >>> import numpy as np
    >>> opt = RAdam(lr=0.1)
    >>> s = opt.init(np.zeros(2))
    >>> d, s = opt.update(np.array([3.0, -0.5]), s, np.zeros(2))
    >>> d.round(12).tolist()          # ρ_1 = 1 ≤ 5: −γ·m̂_1 = −γ·g_1
    [-0.3, 0.05]
    """

    name = "radam"
    velocity = ("exp_avg", "gradient")
    title = "RAdam"
    State = RAdamState
    hyper = (
        learning_rate(1e-3),
        BETAS,
        Hyper("eps", 1e-8, low=0.0, high=1.0, doc="ε added to the denominator"),
        WEIGHT_DECAY,
        DECOUPLED,
        MAXIMIZE,
    )
    rule = (
        "g ← ∇f(θ) + λθ\n"
        "m ← β₁·m + (1 − β₁)·g,  v ← β₂·v + (1 − β₂)·g²,  m̂ ← m/(1 − β₁ᵗ)\n"
        "ρₜ ← ρ∞ − 2t·β₂ᵗ/(1 − β₂ᵗ),  ρ∞ = 2/(1 − β₂) − 1\n"
        "θ ← θ − γ·m̂·r·√(1 − β₂ᵗ)/(√v + ε)  if ρₜ > 5,  else  θ ← θ − γ·m̂"
    )

    def check(self, lr, betas, eps, weight_decay, decoupled_weight_decay, maximize):
        require_nonnegative(self.title, "lr", lr)
        require_nonnegative(self.title, "eps", eps)
        require_betas(self.title, betas)
        require_nonnegative(self.title, "weight_decay", weight_decay)

    def update(self, grad, state, params, xp=np):
        g, decay = decayed_grad(self, grad, params)
        step = state.step + 1
        lr, (beta1, beta2) = self.lr, self.betas

        exp_avg = lerp(state.exp_avg, g, 1 - beta1)
        exp_avg_sq = beta2 * state.exp_avg_sq + (1 - beta2) * g * g

        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        bias_corrected_exp_avg = exp_avg / bias_correction1
        rho_inf, rho_t = sma_length(beta2, step)

        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive_lr = xp.divide(bias_correction2**0.5, xp.sqrt(exp_avg_sq) + self.eps)
            delta = -(bias_corrected_exp_avg * lr * adaptive_lr * rect)
        else:
            delta = -(bias_corrected_exp_avg * lr)
        if decay is not None:
            delta = decay + delta
        return delta, RAdamState(step, exp_avg, exp_avg_sq)
