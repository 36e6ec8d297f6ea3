"""NAdam, Adam with Nesterov momentum (torch.optim.NAdam)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._shared import (
    BETAS, DECOUPLED, MAXIMIZE, WEIGHT_DECAY, decayed_grad,
    learning_rate, lerp, require_betas, require_nonnegative,
)
from .base import Hyper, Optimizer


class NAdamState(NamedTuple):
    step: int
    mu_product: float      # ∏ μ_i: one number per run, the same for every element
    exp_avg: object
    exp_avg_sq: object


def momentum_schedule(beta1: float, momentum_decay: float, step: int) -> float:
    """μ_t = β₁ (1 − ½·0.96^(t·ψ)), torch's (and Dozat's) momentum warm-up."""
    return beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))


class NAdam(Optimizer):
    r"""torch.optim.NAdam, exactly (its ``_single_tensor_nadam``).

    With gradient g_t at θ_{t-1}, learning rate γ, betas (β₁, β₂), momentum
    decay ψ, weight decay λ, m_0 = v_0 = 0 and the product Π_0 = 1::

        θ_{t-1} ← θ_{t-1}(1 − γλ)                (decoupled_weight_decay, λ ≠ 0)
        g_t ← g_t + λ θ_{t-1}                    (otherwise, λ ≠ 0)
        μ_t ← β₁(1 − ½·0.96^{tψ}),   μ_{t+1} ← β₁(1 − ½·0.96^{(t+1)ψ})
        Π_t ← Π_{t-1} μ_t
        m_t ← m_{t-1} + (1 − β₁)(g_t − m_{t-1})
        v_t ← β₂ v_{t-1} + (1 − β₂) g_t²
        d_t ← √(v_t / (1 − β₂ᵗ)) + ε
        θ_t ← θ_{t-1} − γ(1 − μ_t)/(1 − Π_t) · g_t/d_t
                      − γ μ_{t+1}/(1 − Π_t μ_{t+1}) · m_t/d_t

    ``maximize`` flips the sign of g_t first.
    Reference: Dozat, "Incorporating Nesterov Momentum into Adam" (2016);
    torch/optim/nadam.py.

    >>> import numpy as np
    >>> opt = NAdam(lr=0.1, betas=(0.0, 0.999), eps=0.0)   # β₁ = 0: μ = 0, RMS-normalised step
    >>> s = opt.init(np.zeros(2))
    >>> s.mu_product
    1.0
    >>> d, s = opt.update(np.array([3.0, -0.5]), s, np.zeros(2))
    >>> d.round(12).tolist()
    [-0.1, 0.1]
    """

    name = "nadam"
    velocity = ("exp_avg", "gradient")
    title = "NAdam"
    State = NAdamState
    hyper = (
        learning_rate(2e-3),
        BETAS,
        Hyper("eps", 1e-8, low=0.0, high=1.0, doc="ε added to the denominator"),
        WEIGHT_DECAY,
        Hyper("momentum_decay", 4e-3, low=0.0, high=1.0, doc="ψ in the momentum schedule μ_t"),
        DECOUPLED,
        MAXIMIZE,
    )
    rule = (
        "g ← ∇f(θ) + λθ\n"
        "μₜ ← β₁·(1 − ½·0.96^(t·ψ)),  Π ← Π·μₜ\n"
        "m ← β₁·m + (1 − β₁)·g,  v ← β₂·v + (1 − β₂)·g²,  d ← √(v/(1 − β₂ᵗ)) + ε\n"
        "θ ← θ − γ(1 − μₜ)/(1 − Π)·g/d − γμₜ₊₁/(1 − Π·μₜ₊₁)·m/d"
    )

    def check(self, lr, betas, eps, weight_decay, momentum_decay, decoupled_weight_decay, maximize):
        require_nonnegative(self.title, "lr", lr)
        require_nonnegative(self.title, "eps", eps)
        require_betas(self.title, betas)
        require_nonnegative(self.title, "weight_decay", weight_decay)
        require_nonnegative(self.title, "momentum_decay", momentum_decay)

    def init(self, params):
        """Step 0, ``mu_product`` = 1.0 (a plain float), both moments zero."""
        zero = params * 0.0
        return NAdamState(0, 1.0, zero, zero)

    def update(self, grad, state, params, xp=np):
        g, decay = decayed_grad(self, grad, params)
        step = state.step + 1
        lr, (beta1, beta2) = self.lr, self.betas
        bias_correction2 = 1 - beta2**step

        mu = momentum_schedule(beta1, self.momentum_decay, step)
        mu_next = momentum_schedule(beta1, self.momentum_decay, step + 1)
        mu_product = state.mu_product * mu

        exp_avg = lerp(state.exp_avg, g, 1 - beta1)
        exp_avg_sq = beta2 * state.exp_avg_sq + (1 - beta2) * g * g
        denom = xp.sqrt(exp_avg_sq / bias_correction2) + self.eps

        mu_product_next = mu_product * mu_next
        delta = xp.divide((-lr * (1.0 - mu) / (1.0 - mu_product)) * g, denom)
        delta = delta + xp.divide(((-lr * mu_next) / (1.0 - mu_product_next)) * exp_avg, denom)
        if decay is not None:
            delta = decay + delta
        return delta, NAdamState(step, mu_product, exp_avg, exp_avg_sq)
