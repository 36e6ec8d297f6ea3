"""ASGD, averaged stochastic gradient descent (torch.optim.ASGD)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._shared import L2_PENALTY, MAXIMIZE, learning_rate, require_nonnegative
from .base import Hyper, Optimizer


class ASGDState(NamedTuple):
    step: int
    eta: float      # the current step size η_t: one number per run (an array with a per-point lr)
    mu: float       # the averaging weight μ_t: one number per run
    ax: object      # the averaged point θ̄_t — the app draws its path


class ASGD(Optimizer):
    r"""torch.optim.ASGD, exactly (its ``_single_tensor_asgd``).

    Plain SGD with a slowly decaying step size and an average of the points
    visited since step t₀. With gradient g_t at θ_{t-1}, learning rate γ,
    decay λ (lambd), power α, start of averaging t₀, weight decay w,
    η_0 = γ (the lr when the first step is taken), μ_0 = 1, θ̄_0 = 0::

        g_t ← g_t + w θ_{t-1}                        (if w ≠ 0)
        θ_t ← θ_{t-1}(1 − λ η_{t-1}) − η_{t-1} g_t
        θ̄_t ← θ̄_{t-1} + μ_{t-1}(θ_t − θ̄_{t-1})      (θ̄_t ← θ_t while μ = 1)
        η_t ← γ / (1 + λ γ t)^α
        μ_t ← 1 / max(1, t − t₀)

    The path is θ_t; θ̄_t is the averaged point, which equals θ_t until
    t − t₀ exceeds 1 (with torch's t₀ = 10⁶ it never does in a short run).
    ``maximize`` flips the sign of g_t first. Left out: torch's ``foreach``,
    ``capturable`` and ``differentiable``, which do not change the numbers.
    torch fuses its two ``add(alpha=)`` (see core/fused.py); they stay plain
    here, to keep the one-coordinate float path fast (340 000 steps/s), so a
    step may differ from torch's in the last bit: over 200 Rosenbrock steps,
    185 agree bit for bit and all within 5·10⁻¹⁶.
    Reference: Polyak & Juditsky, "Acceleration of Stochastic Approximation
    by Averaging" (1992); torch/optim/asgd.py.

    >>> import numpy as np
    >>> opt = ASGD(lr=0.1, lambd=0.5, t0=0.0)
    >>> s = opt.init(np.zeros(2))
    >>> d, s = opt.update(np.array([1.0, -2.0]), s, np.array([2.0, 0.0]))
    >>> d.round(12).tolist()          # θ(1 − λη) − ηg − θ = −0.1 − 0.1·g
    [-0.2, 0.2]
    >>> round(float(s.eta), 12), s.mu        # η₁ = 0.1/(1 + 0.05)^0.75,  μ₁ = 1/max(1, 1 − 0)
    (0.096406879469, 1.0)
    """

    name = "asgd"
    recorded = ("ax",)
    title = "ASGD"
    State = ASGDState
    hyper = (
        learning_rate(1e-2),
        Hyper("lambd", 1e-4, low=0.0, high=1e3, doc="decay term λ of the step size"),
        Hyper("alpha", 0.75, low=0.0, high=2.0, doc="power α of the step-size decay"),
        Hyper("t0", 1e6, low=0.0, high=1e9, doc="step t₀ at which averaging starts"),
        L2_PENALTY,
        MAXIMIZE,
    )
    note = ("The map draws the averaged point θ̄ as a faint companion path; it equals θ "
            "until step t₀ (torch's default t₀ = 10⁶ never comes in a short run).")
    rule = (
        "g ← ∇f(θ) + wθ\n"
        "θ ← θ·(1 − λη) − η·g\n"
        "θ̄ ← θ̄ + μ·(θ − θ̄)\n"
        "η ← γ/(1 + λγt)^α,  μ ← 1/max(1, t − t₀)"
    )

    def check(self, lr, lambd, alpha, t0, weight_decay, maximize):
        require_nonnegative(self.title, "lr", lr)
        require_nonnegative(self.title, "weight_decay", weight_decay)

    def init(self, params):
        """Step 0, η = lr, μ = 1, ``ax`` zero (torch's state after its first _init_group)."""
        return ASGDState(0, self.lr, 1.0, params * 0.0)

    def update(self, grad, state, params, xp=np):
        g = -grad if self.maximize else grad
        step = state.step + 1
        # torch creates the state at the first step, from the lr in effect then
        eta = self.lr if state.step == 0 else state.eta
        if self.weight_decay != 0:
            g = g + self.weight_decay * params
        new = params * (1 - self.lambd * eta) - eta * g
        ax = state.ax + (new - state.ax) * state.mu if state.mu != 1 else new
        lr = self.lr
        eta = xp.divide(lr, xp.power(1 + self.lambd * lr * step, self.alpha))   # inf, not OverflowError
        mu = 1 / max(1, step - self.t0)
        return new - params, ASGDState(step, eta, mu, ax)
