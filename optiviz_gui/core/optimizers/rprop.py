"""Rprop, resilient backpropagation (torch.optim.Rprop)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._shared import MAXIMIZE, learning_rate, require_nonnegative
from .base import Hyper, Optimizer, require


class RpropState(NamedTuple):
    step: int
    prev: object
    step_size: object


class Rprop(Optimizer):
    r"""torch.optim.Rprop, exactly (its ``_single_tensor_rprop``).

    Each coordinate has its own step size η, which only the SIGN of the
    gradient moves. With gradient g_t at θ_{t-1}, etas (η₋, η₊), step-size
    bounds (Γ_min, Γ_max), g_prev,0 = 0 and η_0 = γ (the lr when the first
    step is taken)::

        s ← sign(g_t · g_prev)
        η_t ← clamp(η_{t-1} · (η₊ if s > 0, η₋ if s < 0, 1 if s = 0), Γ_min, Γ_max)
        g_t ← 0                              where s < 0 (the last step overshot)
        θ_t ← θ_{t-1} − η_t · sign(g_t)
        g_prev ← g_t

    ``maximize`` flips the sign of g_t first. The lr only seeds η: like torch,
    a scheduler that changes lr after the first step changes nothing.
    Left out: torch's ``capturable``, ``foreach`` and ``differentiable``, which
    choose an implementation and do not change the numbers.
    Reference: Riedmiller & Braun, "A Direct Adaptive Method for Faster
    Backpropagation Learning: The RPROP Algorithm" (1993); torch/optim/rprop.py.

    >>> import numpy as np
    >>> opt = Rprop(lr=0.1)
    >>> s = opt.init(np.zeros(2))
    >>> d, s = opt.update(np.array([3.0, -0.5]), s, np.zeros(2))
    >>> d.tolist()                    # −γ·sign(g): g_prev = 0 leaves η at γ
    [-0.1, 0.1]
    >>> d, s = opt.update(np.array([2.0, 0.5]), s, d)
    >>> d.round(12).tolist(), s.step_size.round(12).tolist()   # x: same sign, y: flipped
    ([-0.12, -0.0], [0.12, 0.05])
    """

    name = "rprop"
    title = "Rprop"
    State = RpropState
    hyper = (
        learning_rate(1e-2, doc="initial step size η₀ of every coordinate"),
        Hyper("etas", (0.5, 1.2), kind="pair", low=0.0, high=10.0,
              doc="η₋, η₊: step-size factors when the gradient's sign flips / stays"),
        Hyper("step_sizes", (1e-6, 50.0), kind="pair", low=0.0, high=1e3,
              doc="Γ_min, Γ_max: bounds of the step size"),
        MAXIMIZE,
    )
    note = ("Only the gradient's sign moves the step sizes η, one per coordinate; the map "
            "draws them as a box ±η around the current point.")
    rule = (
        "s ← sign(g · g_prev)\n"
        "η ← clamp(η·η₊ if s > 0,  η·η₋ if s < 0,  Γ_min, Γ_max);  g ← 0 where s < 0\n"
        "θ ← θ − η·sign(g),  g_prev ← g"
    )

    def check(self, lr, etas, step_sizes, maximize):
        require_nonnegative(self.title, "lr", lr)
        require(0.0 < etas[0] < 1.0 < etas[1], self.title, "etas",
                f"must satisfy 0 < etas[0] < 1 < etas[1], got ({etas[0]}, {etas[1]})")

    def init(self, params):
        """Step 0, ``prev`` zero and ``step_size`` filled with lr (torch's full_like)."""
        return RpropState(0, params * 0.0, params * 0.0 + self.lr)

    def update(self, grad, state, params, xp=np):
        g = -grad if self.maximize else grad
        etaminus, etaplus = self.etas
        # torch creates the state at the first step, from the lr in effect then
        step_size = params * 0.0 + self.lr if state.step == 0 else state.step_size
        sign = xp.sign(g * state.prev)
        # torch's sign[sign > 0] = η₊; sign[sign < 0] = η₋; sign[sign == 0] = 1 (nan stays nan)
        factor = xp.where(sign > 0, etaplus,
                          xp.where(sign < 0, etaminus, xp.where(sign == 0, 1.0, sign)))
        lo, hi = self.step_sizes
        step_size = xp.minimum(xp.maximum(step_size * factor, lo), hi)   # torch's clamp_
        g = xp.where(sign < 0, 0.0, g)
        return -(xp.sign(g) * step_size), RpropState(state.step + 1, g, step_size)
