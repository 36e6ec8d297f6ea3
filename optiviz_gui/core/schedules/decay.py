"""Step-wise and smooth decays: StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR.

Each ``get_lr`` is torch's chainable rule, written from the CURRENT lr (the
group's) rather than from a closed form: ``lr ← lr·γ`` at a milestone, not
``base_lr·γ^k``, exactly as ``scheduler.step()`` computes it, so the numbers
agree with torch to the last bit (the closed forms differ there). Below, e
is ``last_epoch`` (the number of ``step()`` calls so far) and η the lr.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter

from ..optimizers.base import Hyper
from .base import LRScheduler, require

GAMMA = Hyper("gamma", 0.1, low=0.0, high=10.0, doc="factor γ the lr is multiplied by")


def _total_iters(default: int, doc: str) -> Hyper:
    return Hyper("total_iters", default, kind="int", low=1, high=1_000_000, doc=doc)


class StepLR(LRScheduler):
    r"""torch.optim.lr_scheduler.StepLR: η ← η·γ every ``step_size`` steps.

    η_e = η_{e-1}·γ if e > 0 and e mod step_size = 0, else η_{e-1}.

    >>> from optiviz_gui.core.optimizers import SGD
    >>> s = StepLR(SGD(lr=1.0), step_size=2, gamma=0.5)
    >>> state, lrs = s.init(), []
    >>> for _ in range(5):
    ...     lrs.append(s.group(state)["lr"]); state = s.step(state)
    >>> lrs
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    name, title = "steplr", "StepLR"
    summary = "multiplies the lr by gamma every step_size steps"
    hyper = (
        Hyper("step_size", 30, kind="int", low=1, high=1_000_000, required=True,
              doc="steps between two decays"),
        GAMMA,
    )

    def check(self, optimizer, step_size, gamma):
        require(step_size >= 1, self.title, "step_size",
                f"must be ≥ 1 (torch divides by it), got {step_size}")

    def get_lr(self, node, group, initial):
        e = node.last_epoch
        if e == 0 or e % self.step_size != 0:
            return group["lr"], group
        return group["lr"] * self.gamma, group

    def closed_form(self, node):
        return node.base_lr * self.gamma ** (node.last_epoch // self.step_size)


class MultiStepLR(LRScheduler):
    r"""torch.optim.lr_scheduler.MultiStepLR: η ← η·γⁿ when e is a milestone (listed n times).

    >>> from optiviz_gui.core.optimizers import SGD
    >>> s = MultiStepLR(SGD(lr=1.0), milestones=[1, 3, 3])
    >>> state, lrs = s.init(), []
    >>> for _ in range(4):
    ...     lrs.append(round(s.group(state)["lr"], 12)); state = s.step(state)
    >>> lrs
    [1.0, 0.1, 0.1, 0.001]
    """

    name, title = "multisteplr", "MultiStepLR"
    summary = "multiplies the lr by gamma at each milestone step"
    hyper = (
        Hyper("milestones", (30, 80), kind="ints", low=0, high=1_000_000, required=True,
              doc="the steps at which the lr decays (a step listed twice decays twice)"),
        GAMMA,
    )

    def __init__(self, optimizer, **spec):
        super().__init__(optimizer, **spec)
        self._counts = Counter(self.milestones)        # torch keeps a Counter
        self._sorted = sorted(self.milestones)

    def check(self, optimizer, milestones, gamma):
        require(all(m >= 0 for m in milestones), self.title, "milestones",
                f"must be steps ≥ 0, got {list(milestones)}")

    def get_lr(self, node, group, initial):
        count = self._counts.get(node.last_epoch)
        if count is None:
            return group["lr"], group
        return group["lr"] * self.gamma ** count, group

    def closed_form(self, node):
        return node.base_lr * self.gamma ** bisect_right(self._sorted, node.last_epoch)


class ConstantLR(LRScheduler):
    r"""torch.optim.lr_scheduler.ConstantLR: η·factor for the first ``total_iters`` steps.

    η_0 = η·factor; at e = total_iters η ← η·(1/factor); otherwise unchanged.
    """

    name, title = "constantlr", "ConstantLR"
    summary = "multiplies the lr by factor until total_iters, then restores it"
    hyper = (
        Hyper("factor", 1.0 / 3, low=0.0, high=1.0, doc="the lr's factor until total_iters"),
        _total_iters(5, "steps with the reduced lr"),
    )

    def check(self, optimizer, factor, total_iters):
        require(0 <= factor <= 1.0, self.title, "factor", f"must be in [0, 1], got {factor}")
        # torch multiplies by 1/factor at total_iters: 0 divides by zero, and a factor so
        # small that 1/factor overflows turns the lr into 0·inf = nan
        require(factor != 0 and 1.0 / factor < math.inf, self.title, "factor",
                f"must be > 0 with a finite 1/factor (torch divides by it at total_iters), "
                f"got {factor}")
        require(total_iters >= 1, self.title, "total_iters", f"must be ≥ 1, got {total_iters}")

    def get_lr(self, node, group, initial):
        e = node.last_epoch
        if e == 0:
            return group["lr"] * self.factor, group
        if e != self.total_iters:
            return group["lr"], group
        return group["lr"] * (1.0 / self.factor), group

    def closed_form(self, node):
        return node.base_lr * (self.factor + (node.last_epoch >= self.total_iters) * (1 - self.factor))


class LinearLR(LRScheduler):
    r"""torch.optim.lr_scheduler.LinearLR: the factor goes linearly from start_factor to end_factor.

    η_0 = η·s; for 1 ≤ e ≤ T (T = total_iters, s, f the factors):
    η_e = η_{e-1}·(1 + (f − s)/(T·s + (e − 1)(f − s))), i.e. η·(s + (f − s)·e/T).
    """

    name, title = "linearlr", "LinearLR"
    summary = "ramps the lr's factor linearly from start_factor to end_factor over total_iters"
    hyper = (
        Hyper("start_factor", 1.0 / 3, low=0.0, high=1.0, doc="factor at step 0"),
        Hyper("end_factor", 1.0, low=0.0, high=1.0, doc="factor from total_iters on"),
        _total_iters(5, "steps of the ramp"),
    )

    def check(self, optimizer, start_factor, end_factor, total_iters):
        require(0 < start_factor <= 1.0, self.title, "start_factor",
                f"must be in (0, 1], got {start_factor}")
        require(0 <= end_factor <= 1.0, self.title, "end_factor",
                f"must be in [0, 1], got {end_factor}")
        require(total_iters >= 1, self.title, "total_iters", f"must be ≥ 1, got {total_iters}")
        # torch's first ratio (f − s)/(T·s): a start_factor near 5e-324 overflows it, and
        # the lr (s·η, underflowed to 0) becomes 0·inf = nan
        require(abs((end_factor - start_factor) / (total_iters * start_factor)) < math.inf,
                self.title, "start_factor",
                f"is too small for torch's arithmetic (it divides by it), got {start_factor}")

    def get_lr(self, node, group, initial):
        e, s, f = node.last_epoch, self.start_factor, self.end_factor
        if e == 0:
            return group["lr"] * s, group
        if initial or e > self.total_iters:
            return group["lr"], group
        return group["lr"] * (1.0 + (f - s) / (self.total_iters * s + (e - 1) * (f - s))), group

    def closed_form(self, node):
        s, f = self.start_factor, self.end_factor
        return node.base_lr * (s + (f - s) * min(self.total_iters, node.last_epoch) / self.total_iters)


class ExponentialLR(LRScheduler):
    r"""torch.optim.lr_scheduler.ExponentialLR: η ← η·γ every step."""

    name, title = "exponentiallr", "ExponentialLR"
    summary = "multiplies the lr by gamma every step"
    hyper = (Hyper("gamma", 0.95, low=0.0, high=10.0, required=True,
                   doc="factor γ the lr is multiplied by each step"),)

    def get_lr(self, node, group, initial):
        if initial:
            return group["lr"], group
        return group["lr"] * self.gamma, group

    def closed_form(self, node):
        return node.base_lr * self.gamma**node.last_epoch


class PolynomialLR(LRScheduler):
    r"""torch.optim.lr_scheduler.PolynomialLR: η·(1 − e/T)^power, reaching 0 at e = T.

    For 1 ≤ e ≤ T: η_e = η_{e-1}·((1 − e/T)/(1 − (e − 1)/T))^power; then unchanged.
    """

    name, title = "polynomiallr", "PolynomialLR"
    summary = "decays the lr as (1 − t/total_iters)^power, to 0 at total_iters"
    hyper = (
        _total_iters(5, "steps until the lr reaches 0"),
        Hyper("power", 1.0, low=0.0, high=10.0, doc="the polynomial's power"),
    )

    def check(self, optimizer, total_iters, power):
        require(total_iters >= 1, self.title, "total_iters",
                f"must be ≥ 1 (torch divides by it), got {total_iters}")
        require(power >= 0, self.title, "power",
                f"must be ≥ 0 (torch raises 0 to it at total_iters), got {power}")

    def get_lr(self, node, group, initial):
        e, t = node.last_epoch, self.total_iters
        if initial or e > t:
            return group["lr"], group
        decay_factor = ((1.0 - e / t) / (1.0 - (e - 1) / t)) ** self.power
        return group["lr"] * decay_factor, group

    def closed_form(self, node):
        t = self.total_iters
        return node.base_lr * (1.0 - min(t, node.last_epoch) / t) ** self.power
