"""Stochastic gradient descent, with momentum, dampening and Nesterov (torch.optim.SGD)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._shared import L2_PENALTY, MAXIMIZE, learning_rate
from .base import Hyper, Optimizer, require


class SGDState(NamedTuple):
    step: int
    momentum_buffer: object


class SGD(Optimizer):
    r"""torch.optim.SGD, exactly.

    With gradient g_t at θ_{t-1}, learning rate γ, momentum μ, dampening τ,
    weight decay λ::

        g_t ← g_t + λ θ_{t-1}                      (if λ ≠ 0)
        b_t ← g_t                                  (t = 1)
        b_t ← μ b_{t-1} + (1 − τ) g_t              (t > 1)
        g_t ← g_t + μ b_t   (nesterov)   or   g_t ← b_t   (if μ ≠ 0)
        θ_t ← θ_{t-1} − γ g_t

    ``maximize`` flips the sign of g_t first. Nesterov needs μ > 0 and τ = 0.
    Reference: Sutskever et al., "On the importance of initialization and
    momentum in deep learning" (2013); torch/optim/sgd.py.

    >>> import numpy as np
    >>> opt = SGD(lr=0.1, momentum=0.9)
    >>> s = opt.init(np.zeros(2))
    >>> d, s = opt.update(np.array([1.0, 2.0]), s, np.zeros(2))
    >>> d.tolist(), s.momentum_buffer.tolist()
    ([-0.1, -0.2], [1.0, 2.0])
    """

    name = "sgd"
    velocity = ("momentum_buffer", "gradient")
    title = "SGD"
    State = SGDState
    hyper = (
        learning_rate(1e-3),
        Hyper("momentum", 0.0, low=0.0, high=1.0, doc="momentum factor μ"),
        Hyper("dampening", 0.0, low=0.0, high=1.0, doc="dampening τ for momentum"),
        L2_PENALTY,
        Hyper("nesterov", False, kind="bool", doc="Nesterov momentum (needs μ > 0, τ = 0)"),
        MAXIMIZE,
    )
    rule = (
        "g ← ∇f(θ) + λθ\n"
        "b ← g  (first step),  b ← μ·b + (1 − τ)·g  (after)\n"
        "g ← g + μ·b  (Nesterov)  or  g ← b  (μ ≠ 0)\n"
        "θ ← θ − γ·g"
    )

    def check(self, lr, momentum, dampening, weight_decay, nesterov, maximize):
        require(lr >= 0.0, self.title, "lr", f"must be ≥ 0, got {lr}")
        require(momentum >= 0.0, self.title, "momentum", f"must be ≥ 0, got {momentum}")
        require(weight_decay >= 0.0, self.title, "weight_decay", f"must be ≥ 0, got {weight_decay}")
        require(not nesterov or (momentum > 0 and dampening == 0), self.title, "nesterov",
                "needs momentum > 0 and dampening = 0")

    def update(self, grad, state, params, xp=np):
        g = -grad if self.maximize else grad
        if self.weight_decay != 0:
            g = g + self.weight_decay * params
        buf = state.momentum_buffer
        if self.momentum != 0:
            buf = g if state.step == 0 else self.momentum * buf + (1 - self.dampening) * g
            g = g + self.momentum * buf if self.nesterov else buf
        return -self.lr * g, SGDState(state.step + 1, buf)
