"""What an optimizer's state means: bias corrections and per-coordinate step sizes.

``readouts(optimizer, state)`` turns the state after t updates (torch's names, as
``Trajectory.state_at`` gives it) into the derived numbers torch computes inside
its step and then forgets — each with a one-line meaning for the inspector. They
describe update t, the one that produced this state, with the group (lr, betas)
that update used: pass ``optimizer.scheduled(**trajectory.group_at(t − 1))`` for
a scheduled run. One function per optimizer family, in torch's own arithmetic:

    Adam, AdamW   1 − β₁ᵗ, 1 − β₂ᵗ, γ/(1 − β₁ᵗ), and the factor on m per coordinate
                  γ/(1 − β₁ᵗ) / (√v̂ₜ/√(1 − β₂ᵗ) + ε)   (v̂ = max_exp_avg_sq with AMSGrad)
    Adamax        1 − β₁ᵗ, γ/(1 − β₁ᵗ), and γ/(1 − β₁ᵗ)/u per coordinate (u = exp_inf)
    NAdam         1 − β₂ᵗ, μₜ, μₜ₊₁ and the denominator √(vₜ/(1 − β₂ᵗ)) + ε
    RAdam         1 − β₁ᵗ, 1 − β₂ᵗ, ρₜ and the rectification rₜ (when ρₜ > 5)
    RMSprop       γ/(√v + ε) per coordinate (centered: γ/(√(v − ḡ²) + ε))
    Adagrad       γ/(1 + (t − 1)·lr_decay) and that over √sum + ε per coordinate

Other optimizers (SGD, Rprop, ...) keep nothing derived: their state says it
all. Before the first update (t = 0) nothing applies and the list is empty.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .optimizers.nadam import momentum_schedule
from .optimizers.radam import sma_length


class Readout(NamedTuple):
    name: str          # a short name: "bias_correction1" (torch's local name when it has one)
    value: object      # a float, or an array with one number per coordinate
    meaning: str       # one line for a person


def readouts(optimizer, state: dict) -> list[Readout]:
    """The derived quantities of ``state`` (after ``state["step"]`` updates); see the module."""
    t = int(state.get("step", 0) or 0)
    family = _FAMILIES.get(type(optimizer).name)
    if family is None or t < 1:
        return []
    return family(optimizer, state, t)


def _adam(opt, state, t) -> list[Readout]:
    beta1, beta2 = opt.betas
    bc1, bc2 = 1 - beta1 ** t, 1 - beta2 ** t
    step_size = opt.lr / bc1
    v = state["max_exp_avg_sq"] if opt.amsgrad else state["exp_avg_sq"]
    with np.errstate(all="ignore"):
        per = step_size / (np.sqrt(np.asarray(v, dtype=float)) / math.sqrt(bc2) + opt.eps)
    v_name = "max_exp_avg_sq" if opt.amsgrad else "exp_avg_sq"
    return [
        Readout("bias_correction1", bc1, "1 − β₁ᵗ: m started at 0, so it is divided by this"),
        Readout("bias_correction2", bc2, "1 − β₂ᵗ: v started at 0, so √v is divided by its root"),
        Readout("step_size", step_size, "γ/(1 − β₁ᵗ): the learning rate on the corrected m"),
        Readout("lr_per_coordinate", per,
                f"γ/(1 − β₁ᵗ)/(√{v_name}/√(1 − β₂ᵗ) + ε): the step is −this × exp_avg"),
    ]


def _adamax(opt, state, t) -> list[Readout]:
    bc1 = 1 - opt.betas[0] ** t
    clr = opt.lr / bc1
    with np.errstate(all="ignore"):
        per = clr / np.asarray(state["exp_inf"], dtype=float)
    return [
        Readout("bias_correction", bc1, "1 − β₁ᵗ: m started at 0, so it is divided by this"),
        Readout("clr", clr, "γ/(1 − β₁ᵗ): the learning rate on the corrected m"),
        Readout("lr_per_coordinate", per, "γ/(1 − β₁ᵗ)/exp_inf: the step is −this × exp_avg"),
    ]


def _nadam(opt, state, t) -> list[Readout]:
    beta1, beta2 = opt.betas
    bc2 = 1 - beta2 ** t
    with np.errstate(all="ignore"):
        denom = np.sqrt(np.asarray(state["exp_avg_sq"], dtype=float) / bc2) + opt.eps
    return [
        Readout("bias_correction2", bc2, "1 − β₂ᵗ: v started at 0, so it is divided by this"),
        Readout("mu", momentum_schedule(beta1, opt.momentum_decay, t),
                "μₜ = β₁(1 − ½·0.96^(tψ)): the momentum this update used"),
        Readout("mu_next", momentum_schedule(beta1, opt.momentum_decay, t + 1),
                "μₜ₊₁: the momentum of the Nesterov look-ahead"),
        Readout("denom", denom, "√(v/(1 − β₂ᵗ)) + ε: what g and m were divided by"),
    ]


def _radam(opt, state, t) -> list[Readout]:
    beta1, beta2 = opt.betas
    bc1, bc2 = 1 - beta1 ** t, 1 - beta2 ** t
    rho_inf, rho_t = sma_length(beta2, t)
    out = [
        Readout("bias_correction1", bc1, "1 − β₁ᵗ: m started at 0, so it is divided by this"),
        Readout("bias_correction2", bc2, "1 − β₂ᵗ: v started at 0, so √v is divided by its root"),
        Readout("rho_t", rho_t, "ρₜ: the length of the approximated moving average of g²; "
                                "v is used only once it is over 5"),
    ]
    if rho_t > 5.0:
        rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        out.append(Readout("rect", rect, "rₜ: the variance rectification of the adaptive step"))
    return out


def _rmsprop(opt, state, t) -> list[Readout]:
    v = np.asarray(state["square_avg"], dtype=float)
    with np.errstate(all="ignore"):
        if opt.centered:
            g_avg = np.asarray(state["grad_avg"], dtype=float)
            avg = np.sqrt(v - g_avg * g_avg) + opt.eps
        else:
            avg = np.sqrt(v) + opt.eps
        per = opt.lr / avg
    what = "√(square_avg − grad_avg²) + ε" if opt.centered else "√square_avg + ε"
    return [Readout("lr_per_coordinate", per,
                    f"γ/({what}): the step per unit of gradient on each axis")]


def _adagrad(opt, state, t) -> list[Readout]:
    clr = opt.lr / (1 + (t - 1) * opt.lr_decay)
    with np.errstate(all="ignore"):
        per = clr / (np.sqrt(np.asarray(state["sum"], dtype=float)) + opt.eps)
    return [
        Readout("clr", clr, "γ/(1 + (t − 1)·lr_decay): the decayed learning rate"),
        Readout("lr_per_coordinate", per,
                "clr/(√sum + ε): the step per unit of gradient on each axis"),
    ]


_FAMILIES = {"adam": _adam, "adamw": _adam, "adamax": _adamax, "nadam": _nadam,
             "radam": _radam, "rmsprop": _rmsprop, "adagrad": _adagrad}
