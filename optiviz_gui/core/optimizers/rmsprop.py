"""RMSprop, optionally centered and with momentum (torch.optim.RMSprop)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._shared import L2_PENALTY, MAXIMIZE, learning_rate, lerp, require_nonnegative
from .base import Hyper, Optimizer


class RMSpropState(NamedTuple):
    step: int
    square_avg: object
    momentum_buffer: object
    grad_avg: object


class RMSprop(Optimizer):
    r"""torch.optim.RMSprop, exactly (its ``_single_tensor_rmsprop``).

    With gradient g_t at θ_{t-1}, learning rate γ, smoothing α, momentum μ,
    weight decay λ, and v_0 = b_0 = g^{ave}_0 = 0::

        g_t ← g_t + λ θ_{t-1}                          (if λ ≠ 0)
        v_t ← α v_{t-1} + (1 − α) g_t²
        g^{ave}_t ← g^{ave}_{t-1} + (1 − α)(g_t − g^{ave}_{t-1})     (centered)
        s_t ← √(v_t − (g^{ave}_t)²) + ε   (centered)   or   √v_t + ε
        b_t ← μ b_{t-1} + g_t / s_t ;  θ_t ← θ_{t-1} − γ b_t          (μ > 0)
        θ_t ← θ_{t-1} − γ g_t / s_t                                   (μ = 0)

    ε is added outside the square root. ``maximize`` flips the sign of g_t first.
    Reference: Hinton, Srivastava, Swersky, "Neural Networks for Machine
    Learning", lecture 6e (2012); Graves, "Generating Sequences With Recurrent
    Neural Networks" (2013) for the centered form; torch/optim/rmsprop.py.

    >>> import numpy as np
    >>> opt = RMSprop(lr=0.01, alpha=0.99, eps=0.0)
    >>> s = opt.init(np.zeros(2))
    >>> d, s = opt.update(np.array([1.0, -2.0]), s, np.zeros(2))
    >>> d.round(12).tolist()          # −γ g / √(0.01 g²) = −10 γ sign(g)
    [-0.1, 0.1]
    >>> s.square_avg.round(12).tolist()
    [0.01, 0.04]
    """

    name = "rmsprop"
    velocity = ("momentum_buffer", "step")
    title = "RMSprop"
    State = RMSpropState
    hyper = (
        learning_rate(1e-2),
        Hyper("alpha", 0.99, low=0.0, high=1.0,
              doc="smoothing constant α of the squared-gradient average"),
        Hyper("eps", 1e-8, low=0.0, high=1.0, doc="ε added to the denominator"),
        L2_PENALTY,
        Hyper("momentum", 0.0, low=0.0, high=1.0, doc="momentum factor μ"),
        Hyper("centered", False, kind="bool",
              doc="divide by the estimated variance, not the raw second moment"),
        MAXIMIZE,
    )
    rule = (
        "g ← ∇f(θ) + λθ\n"
        "v ← α·v + (1 − α)·g²\n"
        "m ← m + (1 − α)·(g − m),  s ← √(v − m²) + ε  (centered)  or  s ← √v + ε\n"
        "b ← μ·b + g/s,  θ ← θ − γ·b  (μ > 0)  or  θ ← θ − γ·g/s"
    )

    def check(self, lr, alpha, eps, weight_decay, momentum, centered, maximize):
        require_nonnegative(self.title, "lr", lr)
        require_nonnegative(self.title, "eps", eps)
        require_nonnegative(self.title, "momentum", momentum)
        require_nonnegative(self.title, "weight_decay", weight_decay)
        require_nonnegative(self.title, "alpha", alpha)

    def update(self, grad, state, params, xp=np):
        g = -grad if self.maximize else grad
        if self.weight_decay != 0:
            g = g + self.weight_decay * params
        alpha = self.alpha
        square_avg = alpha * state.square_avg + (1 - alpha) * g * g
        grad_avg = state.grad_avg
        if self.centered:
            grad_avg = lerp(grad_avg, g, 1 - alpha)
            avg = xp.sqrt(square_avg - grad_avg * grad_avg)
        else:
            avg = xp.sqrt(square_avg)
        avg = avg + self.eps
        buf = state.momentum_buffer
        if self.momentum > 0:
            buf = self.momentum * buf + xp.divide(g, avg)
            delta = -self.lr * buf
        else:
            delta = xp.divide(-self.lr * g, avg)
        return delta, RMSpropState(state.step + 1, square_avg, buf, grad_avg)
