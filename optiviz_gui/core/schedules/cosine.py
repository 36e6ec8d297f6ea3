"""Cosine annealing: CosineAnnealingLR and CosineAnnealingWarmRestarts (SGDR).

Reference: Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm
Restarts" (2017).
"""

from __future__ import annotations

import math
from typing import NamedTuple

from ..optimizers.base import Hyper
from .base import LRScheduler, Scheduler, require

_cos, _PI = math.cos, math.pi      # the run loop's path: no module lookups (0.1 µs a step)
ETA_MIN = Hyper("eta_min", 0.0, low=0.0, high=1e3, doc="the lowest lr η_min")


class CosineAnnealingLR(LRScheduler):
    r"""torch.optim.lr_scheduler.CosineAnnealingLR, with torch's recursive form.

    Closed form η_e = η_min + ½(η₀ − η_min)(1 + cos(πe/T_max)); torch (and
    this) steps it recursively from the current lr::

        η_e = η_min + (η_{e-1} − η_min)·(1 + cos(πe/T))/(1 + cos(π(e − 1)/T))
        η_e = η_{e-1} + ½(η₀ − η_min)(1 − cos(π/T))     when (e − 1 − T) mod 2T = 0

    so past T_max the lr climbs back (a period of 2·T_max), and an lr
    changed by another scheduler is annealed from where it is.

    >>> from optiviz_gui.core.optimizers import SGD
    >>> s = CosineAnnealingLR(SGD(lr=1.0), T_max=2)
    >>> state, lrs = s.init(), []
    >>> for _ in range(5):
    ...     lrs.append(round(s.group(state)["lr"], 12)); state = s.step(state)
    >>> lrs
    [1.0, 0.5, 0.0, 0.5, 1.0]
    """

    name, title = "cosineannealinglr", "CosineAnnealingLR"
    summary = "anneals the lr along a half cosine to eta_min over T_max steps (and back)"
    hyper = (
        Hyper("T_max", 100, kind="int", low=1, high=1_000_000, required=True,
              doc="steps from the initial lr down to η_min"),
        ETA_MIN,
    )

    def check(self, optimizer, T_max, eta_min):
        require(T_max >= 1, self.title, "T_max", f"must be ≥ 1 (torch divides by it), got {T_max}")

    def get_lr(self, node, group, initial):
        (e, step_count, base_lr), t, eta_min = node, self.T_max, self.eta_min
        if initial:
            return group["lr"], group
        if step_count == 1 and e > 0:
            return eta_min + (base_lr - eta_min) * (1 + math.cos((e) * math.pi / t)) / 2, group
        if (e - 1 - t) % (2 * t) == 0:
            return group["lr"] + (base_lr - eta_min) * (1 - _cos(_PI / t)) / 2, group
        return ((1 + _cos(_PI * e / t)) / (1 + _cos(_PI * (e - 1) / t))
                * (group["lr"] - eta_min) + eta_min), group

    def closed_form(self, node):
        eta_min = self.eta_min
        return eta_min + (node.base_lr - eta_min) * (1 + math.cos(math.pi * node.last_epoch
                                                                  / self.T_max)) / 2


class Restarts(NamedTuple):
    last_epoch: int
    T_i: int             # steps in the current cycle
    T_cur: int           # steps since the last restart
    base_lr: float


class CosineAnnealingWarmRestarts(LRScheduler):
    r"""torch.optim.lr_scheduler.CosineAnnealingWarmRestarts (SGDR).

    η = η_min + ½(η₀ − η_min)(1 + cos(π·T_cur/T_i)); T_cur counts the steps
    since the last restart; when it reaches T_i the lr jumps back to η₀
    (T_cur ← 0) and the next cycle is T_mult times longer (T_i ← T_i·T_mult,
    T_0 for the first).

    >>> from optiviz_gui.core.optimizers import SGD
    >>> s = CosineAnnealingWarmRestarts(SGD(lr=1.0), T_0=2, T_mult=2)
    >>> state, lrs = s.init(), []
    >>> for _ in range(7):
    ...     lrs.append(round(s.group(state)["lr"], 12)); state = s.step(state)
    >>> lrs
    [1.0, 0.5, 1.0, 0.853553390593, 0.5, 0.146446609407, 1.0]
    """

    name, title = "cosineannealingwarmrestarts", "CosineAnnealingWarmRestarts"
    summary = "cosine annealing restarted every T_i steps, each cycle T_mult times longer"
    hyper = (
        Hyper("T_0", 50, kind="int", low=1, high=1_000_000, required=True,
              doc="steps until the first restart"),
        Hyper("T_mult", 1, kind="int", low=1, high=100, doc="growth factor of the cycle length"),
        ETA_MIN,
    )

    def check(self, optimizer, T_0, T_mult, eta_min):
        require(T_0 > 0, self.title, "T_0", f"must be a positive whole number, got {T_0}")
        require(T_mult >= 1, self.title, "T_mult", f"must be a whole number ≥ 1, got {T_mult}")

    step = Scheduler.step                         # its node is not LRScheduler's Epoch

    def construct(self, group):
        if "initial_lr" not in group:
            group = {**group, "initial_lr": group["lr"]}
        return self.initial_step(Restarts(-1, self.T_0, -1, group["initial_lr"]), group)

    def initial_step(self, node, group):
        return self.advance(node, group)          # torch's _initial_step calls its own step()

    def advance(self, node, group, loss=None):
        last_epoch, t_i, t_cur, base_lr = node
        if last_epoch < 0:                        # torch's step(epoch=0)
            epoch, t_i, t_cur = 0, self.T_0, 0
        else:
            epoch, t_cur = last_epoch + 1, t_cur + 1
            if t_cur >= t_i:
                t_cur, t_i = t_cur % t_i, t_i * self.T_mult
        node = Restarts(epoch, t_i, t_cur, base_lr)
        return node, {**group, "lr": self._lr(node)}

    def update_lr0(self, node, group):
        node = node._replace(last_epoch=0)       # no closed form: get_lr at the current T_cur
        return node, {**group, "lr": self._lr(node)}

    def _lr(self, node):
        eta_min = self.eta_min
        return eta_min + (node.base_lr - eta_min) * (1 + math.cos(math.pi * node.T_cur / node.T_i)) / 2
