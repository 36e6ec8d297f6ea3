"""ReduceLROnPlateau: cut the lr when the loss stops improving — per start point when there are many."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .. import scalar
from ..optimizers.base import Hyper
from .base import Scheduler, require


class Plateau(NamedTuple):
    last_epoch: int
    best: object               # the best loss so far (an array of one per start point, or a float)
    num_bad_epochs: object     # steps since the last improvement
    cooldown_counter: object   # steps of cooldown left


class ReduceLROnPlateau(Scheduler):
    r"""torch.optim.lr_scheduler.ReduceLROnPlateau, stepped with the loss at θ_k.

    After each step, with L the loss (mode "min"; "max" mirrors it)::

        better ← L < best·(1 − threshold)  ("rel")   or   L < best − threshold  ("abs")
        best ← L and bad ← 0 if better, else bad ← bad + 1
        in cooldown (counter > 0): counter ← counter − 1, bad ← 0
        if bad > patience:  η ← max(η·factor, min_lr) unless that changes η by ≤ eps;
                            counter ← cooldown, bad ← 0

    Unlike the other schedulers it has no initial step and leaves
    ``initial_lr`` alone, as in torch. ``loss`` may be an array (one loss per
    start point, shape (N,)): each point then keeps its own best, counters
    and lr, and ``group()`` gives ``lr`` of shape (N, 1), which broadcasts
    against the points (N, D) in every optimizer's numpy path.

    >>> from optiviz_gui.core.optimizers import SGD
    >>> s = ReduceLROnPlateau(SGD(lr=1.0), patience=1, factor=0.5)
    >>> state, lrs = s.init(), []
    >>> for loss in [3.0, 2.0, 2.0, 2.0, 2.0, 1.0]:
    ...     state = s.step(state, loss); lrs.append(s.group(state)["lr"])
    >>> lrs                 # two steps without improvement, then halve
    [1.0, 1.0, 1.0, 0.5, 0.5, 0.5]
    """

    name, title = "reducelronplateau", "ReduceLROnPlateau"
    summary = "multiplies the lr by factor once the loss has not improved for patience steps"
    hyper = (
        Hyper("mode", "min", kind="choice", choices=("min", "max"),
              doc="the loss should decrease (min) or increase (max)"),
        Hyper("factor", 0.1, low=0.0, high=1.0, doc="the lr's factor at a plateau (< 1)"),
        Hyper("patience", 10, kind="int", low=0, high=1_000_000,
              doc="steps without improvement tolerated before the cut"),
        Hyper("threshold", 1e-4, low=0.0, high=1.0, doc="smallest change that counts as better"),
        Hyper("threshold_mode", "rel", kind="choice", choices=("rel", "abs"),
              doc="threshold relative to the best loss, or absolute"),
        Hyper("cooldown", 0, kind="int", low=0, high=1_000_000,
              doc="steps after a cut before counting bad steps again"),
        Hyper("min_lr", 0.0, low=0.0, high=1e3, doc="the lr never goes below this"),
        Hyper("eps", 1e-8, low=0.0, high=1.0, doc="a cut smaller than this is skipped"),
    )

    def check(self, optimizer, mode, factor, patience, threshold, threshold_mode, cooldown,
              min_lr, eps):
        require(factor < 1.0, self.title, "factor", f"must be < 1, got {factor}")
        require(patience >= 0, self.title, "patience", f"must be ≥ 0, got {patience}")
        require(cooldown >= 0, self.title, "cooldown", f"must be ≥ 0, got {cooldown}")

    def construct(self, group):
        return Plateau(0, math.inf if self.mode == "min" else -math.inf, 0, 0), group

    def advance(self, node, group, loss=None):
        if loss is None:
            raise TypeError("ReduceLROnPlateau steps with the loss: step(state, loss).")
        if isinstance(loss, np.ndarray) and loss.ndim:
            xp, current = np, loss.astype(float)[..., None]     # (N, 1), like the lr
        else:
            xp, current = scalar, float(loss)
        better = self._is_better(current, node.best)
        best = xp.where(better, current, node.best)
        bad = xp.where(better, 0, node.num_bad_epochs + 1)
        in_cooldown = node.cooldown_counter > 0
        counter = xp.where(in_cooldown, node.cooldown_counter - 1, node.cooldown_counter)
        bad = xp.where(in_cooldown, 0, bad)
        reduce = bad > self.patience
        old_lr = group["lr"]
        new_lr = xp.maximum(old_lr * self.factor, self.min_lr)
        lr = xp.where(reduce & (old_lr - new_lr > self.eps), new_lr, old_lr)
        counter = xp.where(reduce, self.cooldown, counter)
        bad = xp.where(reduce, 0, bad)
        return Plateau(node.last_epoch + 1, best, bad, counter), {**group, "lr": lr}

    def _is_better(self, a, best):
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold
