"""Adafactor for a vector parameter (torch.optim.Adafactor)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..fused import add, lerp, vector_norm
from ._shared import MAXIMIZE, learning_rate
from .base import Hyper, Optimizer, require

FLOAT64_EPS = float(np.finfo(np.float64).eps)   # torch.finfo(torch.float64).eps = 2⁻⁵²


class AdafactorState(NamedTuple):
    step: int
    variance: object


class Adafactor(Optimizer):
    r"""torch.optim.Adafactor on a vector parameter, exactly (its ``_single_tensor_adafactor``).

    A point θ ∈ ℝᴰ is a vector, so torch keeps the full second-moment
    estimate v (no row/column factoring, which is for matrices). With
    gradient g_t at θ_{t-1}, learning rate γ, decay exponent c (beta2_decay),
    eps (ε₁, ε₂), clipping threshold d, weight decay λ, and v_0 = 0::

        β̂_t ← t^c                                  (the weight of the new g², 1 at t = 1)
        ρ_t ← min(γ, 1/√t)
        α_t ← max(ε₂, RMS(θ_{t-1})) · ρ_t           (RMS(u) = ‖u‖₂/√D over the whole vector)
        θ_{t-1} ← θ_{t-1}(1 − γλ)                  (if λ ≠ 0)
        v_t ← v_{t-1} + β̂_t (g_t² − v_{t-1})
        u_t ← g_t / √max(v_t, ε₁²)
        θ_t ← θ_{t-1} − α_t / max(1, RMS(u_t)/d) · u_t

    The step is relative to the size of θ (α_t grows with RMS(θ)), and the
    update is clipped as a whole to RMS ≤ d. ε₁ = None means the dtype's
    machine epsilon, 2⁻⁵² for float64, as in torch. ``maximize`` flips the
    sign of g_t first. Not elementwise: norms run over the last axis, so
    ``update`` takes arrays of shape (..., D) — one point or N at once.
    Left out: torch's ``foreach``, an implementation switch that does not
    change the numbers.
    Reference: Shazeer & Stern, "Adafactor: Adaptive Learning Rates with
    Sublinear Memory Cost" (2018); torch/optim/_adafactor.py.

    >>> import numpy as np
    >>> opt = Adafactor(lr=0.5)
    >>> s = opt.init(np.zeros(2))
    >>> d, s = opt.update(np.array([3.0, -4.0]), s, np.array([6.0, 8.0]))
    >>> d.round(12).tolist()          # v = g², u = sign(g), α = RMS(θ)·min(γ, 1) = √50·0.5
    [-3.535533905933, 3.535533905933]
    """

    name = "adafactor"
    title = "Adafactor"
    State = AdafactorState
    elementwise = False
    hyper = (
        learning_rate(1e-2, doc="learning rate γ: the relative step size is min(γ, 1/√t)"),
        Hyper("beta2_decay", -0.8, low=-1.0, high=0.0,
              doc="c: the new g² is averaged in with weight tᶜ"),
        Hyper("eps", (None, 1e-3), kind="pair", low=0.0, high=1.0, optional=True,
              doc="ε₁ (null: the dtype's epsilon) floors v; ε₂ floors RMS(θ)"),
        Hyper("d", 1.0, low=1.0, high=1e3, doc="clipping threshold d on the update's RMS"),
        Hyper("weight_decay", 0.0, low=0.0, high=1e3, doc="weight decay λ: θ shrinks by γλ"),
        MAXIMIZE,
    )
    rule = (
        "v ← v + tᶜ·(g² − v),   u ← g/√max(v, ε₁²)\n"
        "α ← max(ε₂, RMS(θ))·min(γ, 1/√t)\n"
        "θ ← θ·(1 − γλ) − α/max(1, RMS(u)/d)·u"
    )

    def check(self, lr, beta2_decay, eps, d, weight_decay, maximize):
        require(0.0 <= lr, self.title, "lr", f"must be ≥ 0, got {lr}")
        require(0.0 >= beta2_decay, self.title, "beta2_decay", f"must be ≤ 0, got {beta2_decay}")
        require(eps[0] is None or 0.0 <= eps[0], self.title, "eps[0]", f"must be ≥ 0, got {eps[0]}")
        require(0.0 <= eps[1], self.title, "eps[1]", f"must be ≥ 0, got {eps[1]}")
        require(1.0 <= d, self.title, "d", f"must be ≥ 1, got {d}")
        require(0.0 <= weight_decay, self.title, "weight_decay", f"must be ≥ 0, got {weight_decay}")

    def update(self, grad, state, params, xp=np):
        g = -grad if self.maximize else grad
        eps1 = FLOAT64_EPS if self.eps[0] is None else self.eps[0]
        eps2 = self.eps[1]
        lr, root_d = self.lr, params.shape[-1] ** 0.5
        step = float(state.step + 1)
        one_minus_beta2_t = step**self.beta2_decay
        rho_t = np.minimum(lr, 1 / (step**0.5))
        alpha = np.maximum(eps2, vector_norm(params) / root_d) * rho_t
        decayed = params * (1 - lr * self.weight_decay) if self.weight_decay != 0 else params

        variance = lerp(state.variance, g * g, one_minus_beta2_t)
        update = 1.0 / np.sqrt(np.maximum(variance, eps1 * eps1)) * g     # torch's rsqrt
        denom = np.maximum(1.0, vector_norm(update) / (root_d * self.d))
        new = add(decayed, update, alpha=-alpha / denom)
        return new - params, AdafactorState(state.step + 1, variance)
