"""Adam and AdamW, with AMSGrad (torch.optim.Adam, torch.optim.AdamW)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._shared import (
    BETAS, MAXIMIZE, WEIGHT_DECAY, decayed_grad, learning_rate,
    lerp, require_betas, require_nonnegative,
)
from .base import Hyper, Optimizer


class AdamState(NamedTuple):
    step: int
    exp_avg: object
    exp_avg_sq: object
    max_exp_avg_sq: object


class Adam(Optimizer):
    r"""torch.optim.Adam, exactly (its ``_single_tensor_adam``).

    With gradient g_t at θ_{t-1}, learning rate γ, betas (β₁, β₂), weight
    decay λ, and m_0 = v_0 = v^{max}_0 = 0::

        θ_{t-1} ← θ_{t-1}(1 − γλ)                (decoupled_weight_decay, λ ≠ 0)
        g_t ← g_t + λ θ_{t-1}                    (otherwise, λ ≠ 0)
        m_t ← m_{t-1} + (1 − β₁)(g_t − m_{t-1})
        v_t ← β₂ v_{t-1} + (1 − β₂) g_t²
        v^{max}_t ← max(v^{max}_{t-1}, v_t)  and use it for v_t      (amsgrad)
        θ_t ← θ_{t-1} − γ/(1 − β₁ᵗ) · m_t / (√v_t / √(1 − β₂ᵗ) + ε)

    ε is added after the bias correction of √v_t. ``maximize`` flips the sign
    of g_t first. The first step is −γ·sign(g_1) up to ε.
    Reference: Kingma & Ba, "Adam: A Method for Stochastic Optimization"
    (2015); Reddi et al., "On the Convergence of Adam and Beyond" (2018) for
    AMSGrad; torch/optim/adam.py.

    >>> import numpy as np
    >>> opt = Adam(lr=0.1)
    >>> s = opt.init(np.zeros(2))
    >>> d, s = opt.update(np.array([3.0, -0.5]), s, np.zeros(2))
    >>> d.round(6).tolist()
    [-0.1, 0.1]
    """

    name = "adam"
    velocity = ("exp_avg", "gradient")
    title = "Adam"
    State = AdamState
    hyper = (
        learning_rate(1e-3),
        BETAS,
        Hyper("eps", 1e-8, low=0.0, high=1.0, doc="ε added to the denominator"),
        WEIGHT_DECAY,
        Hyper("amsgrad", False, kind="bool", doc="divide by the running maximum of v (AMSGrad)"),
        MAXIMIZE,
        Hyper("decoupled_weight_decay", False, kind="bool",
              doc="shrink θ by γλ directly instead of adding λθ to the gradient (AdamW)"),
    )
    rule = (
        "g ← ∇f(θ) + λθ\n"
        "m ← β₁·m + (1 − β₁)·g\n"
        "v ← β₂·v + (1 − β₂)·g²   (AMSGrad: v̂ ← max(v̂, v))\n"
        "θ ← θ − γ/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)"
    )

    def check(self, **hp):
        require_nonnegative(self.title, "lr", hp["lr"])
        require_nonnegative(self.title, "eps", hp["eps"])
        require_betas(self.title, hp["betas"])
        require_nonnegative(self.title, "weight_decay", hp["weight_decay"])

    def update(self, grad, state, params, xp=np):
        g, decay = decayed_grad(self, grad, params)
        step = state.step + 1
        lr, (beta1, beta2) = self.lr, self.betas
        exp_avg = lerp(state.exp_avg, g, 1 - beta1)
        exp_avg_sq = beta2 * state.exp_avg_sq + (1 - beta2) * g * g

        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = bias_correction2**0.5

        max_exp_avg_sq = state.max_exp_avg_sq
        if self.amsgrad:
            max_exp_avg_sq = xp.maximum(max_exp_avg_sq, exp_avg_sq)
            denom = xp.sqrt(max_exp_avg_sq) / bias_correction2_sqrt + self.eps
        else:
            denom = xp.sqrt(exp_avg_sq) / bias_correction2_sqrt + self.eps
        delta = xp.divide(-step_size * exp_avg, denom)
        if decay is not None:
            delta = decay + delta
        return delta, AdamState(step, exp_avg, exp_avg_sq, max_exp_avg_sq)


class AdamW(Adam):
    r"""torch.optim.AdamW: Adam with decoupled weight decay, λ = 10⁻² by default.

    Before the Adam step θ shrinks by the factor (1 − γλ); λ never enters the
    moment estimates m and v (torch's AdamW is Adam with
    ``decoupled_weight_decay=True``)::

        θ_{t-1} ← θ_{t-1}(1 − γλ)
        m_t, v_t, θ_t as in Adam, with g_t the raw gradient

    Reference: Loshchilov & Hutter, "Decoupled Weight Decay Regularization"
    (2019); torch/optim/adamw.py.

    >>> import numpy as np
    >>> opt = AdamW(lr=0.1, weight_decay=0.5)
    >>> s = opt.init(np.ones(2))
    >>> d, s = opt.update(np.array([2.0, -2.0]), s, np.ones(2))
    >>> d.round(6).tolist()           # −γλθ − γ·sign(g) = −0.05 ∓ 0.1
    [-0.15, 0.05]
    """

    name = "adamw"
    title = "AdamW"
    decoupled_weight_decay = True
    hyper = tuple(
        Hyper(h.name, 1e-2, low=h.low, high=h.high, doc=h.doc) if h.name == "weight_decay" else h
        for h in Adam.hyper if h.name != "decoupled_weight_decay"
    )
    rule = (
        "θ ← θ − γλθ\n"
        "m ← β₁·m + (1 − β₁)·g\n"
        "v ← β₂·v + (1 − β₂)·g²   (AMSGrad: v̂ ← max(v̂, v))\n"
        "θ ← θ − γ/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)"
    )
