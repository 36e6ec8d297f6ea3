"""Schedules from a formula in t: LambdaLR and MultiplicativeLR ("lr_lambda").

torch takes a Python function of the epoch; a session takes a formula in t
(t = ``last_epoch``, the number of ``step()`` calls so far) in the safe
expression language of surface formulas (core/expression/parse: a
whitelisted syntax tree, never ``eval``), e.g. ``"0.95**t"`` or
``"1/(1 + 0.05*t)"``. A value outside a function's domain is nan, not an
exception.
"""

from __future__ import annotations

from ..optimizers.base import Hyper
from .base import LRScheduler


def lr_lambda(example: str, doc: str) -> Hyper:
    return Hyper("lr_lambda", example, kind="formula", required=True, doc=doc)


class LambdaLR(LRScheduler):
    r"""torch.optim.lr_scheduler.LambdaLR: η_t = η₀·λ(t).

    >>> from optiviz_gui.core.optimizers import SGD
    >>> s = LambdaLR(SGD(lr=2.0), lr_lambda="1/(1 + t)")
    >>> state, lrs = s.init(), []
    >>> for _ in range(4):
    ...     lrs.append(s.group(state)["lr"]); state = s.step(state)
    >>> lrs
    [2.0, 1.0, 0.6666666666666666, 0.5]
    """

    name, title = "lambdalr", "LambdaLR"
    summary = "sets the lr to the initial lr times a formula in t"
    hyper = (lr_lambda("0.95**t", "the initial lr's factor at step t"),)

    def get_lr(self, node, group, initial):
        return node.base_lr * self.lr_lambda(node.last_epoch), group


class MultiplicativeLR(LRScheduler):
    r"""torch.optim.lr_scheduler.MultiplicativeLR: η_t = η_{t-1}·λ(t) (λ(0) unused).

    At a SequentialLR milestone torch steps it at t = 0 and applies λ(0): kept.

    >>> from optiviz_gui.core.optimizers import SGD
    >>> s = MultiplicativeLR(SGD(lr=1.0), lr_lambda="0.5")
    >>> state, lrs = s.init(), []
    >>> for _ in range(3):
    ...     lrs.append(s.group(state)["lr"]); state = s.step(state)
    >>> lrs
    [1.0, 0.5, 0.25]
    """

    name, title = "multiplicativelr", "MultiplicativeLR"
    summary = "multiplies the lr by a formula in t every step"
    hyper = (lr_lambda("0.95", "the lr's factor at step t"),)

    def get_lr(self, node, group, initial):
        if initial:
            return group["lr"], group
        return group["lr"] * self.lr_lambda(node.last_epoch), group
