"""Muon, momentum orthogonalised by Newton–Schulz (torch.optim.Muon)."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ._bfloat16 import newton_schulz
from ..fused import add, lerp
from ._shared import learning_rate, require_nonnegative
from .base import Hyper, Optimizer, require

NS_COEFFICIENTS = (3.4445, -4.775, 2.0315)     # Keller Jordan's quintic, torch's default


class MuonState(NamedTuple):
    step: int
    momentum_buffer: object


class Muon(Optimizer):
    r"""torch.optim.Muon, exactly (its ``_single_tensor_muon``), on the point seen as a 1×D matrix.

    With gradient g_t at θ_{t-1}, learning rate γ, weight decay λ, momentum
    μ, and B_0 = 0::

        B_t ← B_{t-1} + (1 − μ)(g_t − B_{t-1})           (torch's lerp)
        U_t ← g_t + μ(B_t − g_t)   (nesterov)   or   B_t
        O_t ← NS_k(U_t):  X ← U/max(‖U‖, ε);  k times  A ← XXᵀ,  X ← aX + (bA + cA²)X
        θ_t ← θ_{t-1}(1 − γλ) − γ·r·O_t
        r = 1 ("original", null)  or  0.2·√max(1, D) ("match_rms_adamw")

    What it does to a single row: for a 1×D matrix XXᵀ = ‖X‖² is a number, so
    orthogonalising only rescales — O_t is the momentum direction U_t/‖U_t‖
    times p∘…∘p(1), the polynomial p(s) = as + bs³ + cs⁵ applied k times to 1:
    0.70, 1.11, 0.72, 1.09, 0.70 for k = 1…5 with the default coefficients
    (0.68–0.69 in bfloat16). Every step therefore has the same length
    γ·r·‖O‖ ≈ 0.69·γ, whatever the gradient's size: normalised momentum
    descent. Like torch it runs in bfloat16, reproduced bit for bit (see
    ``_bfloat16``). Not elementwise: ``update`` takes arrays of shape
    (..., D), one point or N at once. (torch's docstring writes
    B_t ← μB + g; its code, followed here, is the lerp above.)
    Reference: Jordan et al., "Muon: An optimizer for hidden layers in neural
    networks" (2024); Liu et al., "Muon is Scalable for LLM Training" (2025)
    for match_rms_adamw; torch/optim/_muon.py.

    >>> import numpy as np
    >>> opt = Muon(lr=0.1, weight_decay=0.0)
    >>> s = opt.init(np.zeros(2))
    >>> d, s = opt.update(np.array([3.0, 4.0]), s, np.zeros(2))
    >>> d.tolist()                    # −γ·NS(g): direction −(0.6, 0.8), length 0.1·0.68
    [-0.041015625, -0.0546875]
    """

    name = "muon"
    velocity = ("momentum_buffer", "gradient")
    title = "Muon"
    State = MuonState
    elementwise = False
    hyper = (
        learning_rate(1e-3),
        Hyper("weight_decay", 0.1, low=0.0, high=1e3,
              doc="decoupled weight decay λ: θ shrinks by γλ"),
        Hyper("momentum", 0.95, low=0.0, high=1.0, doc="momentum factor μ"),
        Hyper("nesterov", True, kind="bool", doc="orthogonalise g + μ(B − g) instead of B"),
        Hyper("ns_coefficients", NS_COEFFICIENTS, kind="triple", low=-10.0, high=10.0,
              doc="a, b, c of the Newton–Schulz polynomial as + bs³ + cs⁵"),
        Hyper("eps", 1e-7, low=0.0, high=1.0, doc="ε: the norm is at least ε before dividing"),
        Hyper("ns_steps", 5, kind="int", low=0, high=99, doc="Newton–Schulz iterations k"),
        Hyper("adjust_lr_fn", None, kind="choice", choices=(None, "original", "match_rms_adamw"),
              doc="lr scale r: null or \"original\" 1, \"match_rms_adamw\" 0.2·√D"),
    )
    note = ("On a point, a single row, orthogonalising only normalises: every step goes "
            "along the momentum direction U/‖U‖ with the same length, about 0.69·γ, "
            "however large or small the gradient.")
    rule = (
        "B ← μ·B + (1 − μ)·g,   U ← g + μ·(B − g)  (Nesterov)  or  U ← B\n"
        "O ← Newton–Schulz(U/‖U‖) in bfloat16: for one row, U/‖U‖ rescaled (‖O‖ ≈ 0.69)\n"
        "θ ← θ·(1 − γλ) − γ·r·O"
    )

    def check(self, lr, weight_decay, momentum, nesterov, ns_coefficients, eps, ns_steps,
              adjust_lr_fn):
        require_nonnegative(self.title, "lr", lr)
        require_nonnegative(self.title, "momentum", momentum)
        require_nonnegative(self.title, "weight_decay", weight_decay)
        # torch accepts it here, then refuses at the first step
        require(ns_steps < 100, self.title, "ns_steps",
                f"must be < 100 (torch refuses more at the first step), got {ns_steps}")

    def update(self, grad, state, params, xp=np):
        momentum = self.momentum
        buf = lerp(state.momentum_buffer, grad, 1 - momentum)
        update = lerp(grad, buf, momentum) if self.nesterov else buf
        ortho = newton_schulz(update, self.ns_coefficients, self.ns_steps, self.eps)
        adjusted_lr = self.lr * self._lr_ratio(params.shape[-1])
        decayed = params * (1 - self.lr * self.weight_decay)
        new = add(decayed, ortho.astype(np.float64), alpha=-adjusted_lr)
        return new - params, MuonState(state.step + 1, buf)

    def _lr_ratio(self, d: int) -> float:
        """torch's ``_adjust_lr`` for a parameter of shape (A, B) = (1, D)."""
        if self.adjust_lr_fn == "match_rms_adamw":
            return 0.2 * math.sqrt(max(1, d))
        return math.sqrt(max(1, 1 / d))
