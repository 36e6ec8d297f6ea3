"""A run's step rule for many cells at once: what a map's cells do each iteration.

A map advances n cells on arrays of shape (2, n), one row per coordinate
(cells.CellRun), calling ``rule.update(grad, state, params, xp)`` once a
step. ``cell_rule(surface, run)`` gives, for an optimizer, the rule that makes
each cell do exactly what the run does alone (core/stepping.py):

    elementwise optimizers    as they are (lr may be an array, one per cell)
    Adafactor, Muon           on the transposed arrays, (n, 2): a point's
                              coordinates last, as these rules want them
    LBFGS                     one ``step(closure)`` per cell and step (not
                              vectorised: a map of LBFGS is slow)
    clipping                  torch's clip_grad_norm / clip_grad_value per cell
    a schedule                the group of the step (per cell for
                              ReduceLROnPlateau, which steps on each cell's
                              loss at θ_k: CellRun passes ``loss`` to a rule
                              that ``wants_loss``; with mini-batches it is the
                              full data's loss, where a lone run uses the batch's)
"""

from __future__ import annotations

import numpy as np

from ..clipping import clip_grad_norm, clip_grad_value
from ..stepping import NUMERIC_ERRORS


def cell_rule(surface, run=None):
    """optimizer -> its step rule for cells on ``surface`` (with ``run``'s schedule and
    clipping when a run is given)."""
    def rule(optimizer):
        base = _base(surface, optimizer)
        if run is None or (run.scheduler is None and run.clip_grad_norm is None
                           and run.clip_grad_value is None):
            return base
        return Planned(surface, optimizer, run)
    return rule


def _base(surface, optimizer):
    if optimizer.needs_closure:
        return ClosureCells(surface, optimizer)
    if not optimizer.elementwise:
        return PointsLast(optimizer)
    return optimizer


class PointsLast:
    """A rule whose arrays carry a point's coordinates on the last axis: the cells'
    (2, n) arrays transposed to (n, 2), and an lr array per cell as (n, 1)."""

    def __init__(self, optimizer) -> None:
        lr = optimizer.lr
        self.inner = optimizer.scheduled(lr=np.reshape(lr, (-1, 1))) if np.ndim(lr) else optimizer

    def init(self, params):
        return self.inner.init(params.T)

    def update(self, grad, state, params, xp=np):
        delta, state = self.inner.update(grad.T, state, params.T, xp)
        return delta.T, state


class ClosureCells:
    """LBFGS for each cell: one ``step(closure)`` per cell and step, the closure
    evaluating that cell's (mini-batch) loss and gradient. ``update`` gives the new
    points themselves (``returns_points``): θ + (θ′ − θ) can differ from θ′ in the
    last bit, and a lone LBFGS run keeps θ′."""

    returns_points = True

    def __init__(self, surface, optimizer) -> None:
        self.surface, self.optimizer, self.k = surface, optimizer, 0

    def init(self, params):
        self.k = 0
        return tuple(self.optimizer.init(params[:, i]) for i in range(params.shape[1]))

    def update(self, grad, state, params, xp=np):
        s, k = self.surface, self.k
        idx = s.batch_indices(k) if s.batch_size else None

        def closure(p):
            if idx is None:
                f, g = s.value_and_grad(p)
                return float(f), g
            return (s.batch_value_xy(p[0], p[1], idx),
                    np.array(s.batch_grad_xy(p[0], p[1], idx, np)))

        lr = np.broadcast_to(np.asarray(self.optimizer.lr, dtype=float), params.shape[1:])
        points, new = np.full_like(params, np.nan), []
        for i, st in enumerate(state):
            opt = self.optimizer.scheduled(lr=float(lr[i])) if np.ndim(self.optimizer.lr) \
                else self.optimizer
            try:
                p, st, _ = opt.step(params[:, i].copy(), st, closure)
                points[:, i] = p
            except NUMERIC_ERRORS:
                pass
            new.append(st)
        self.k = k + 1
        return points, tuple(new)


class Planned:
    """Clipping and a schedule around an optimizer's cell rule (torch's loop order:
    clip, the scheduled update, the scheduler's step on the loss at θ_k)."""

    wants_loss = True

    def __init__(self, surface, optimizer, run) -> None:
        from ..schedules import make_scheduler
        self.surface, self.optimizer = surface, optimizer
        self.clip_norm, self.clip_value = run.clip_grad_norm, run.clip_grad_value
        self.scheduler = (make_scheduler(run.scheduler.to_dict(), optimizer)
                          if run.scheduler is not None else None)
        self.returns_points = optimizer.needs_closure

    def init(self, params):
        self._k = 0
        ss = self.scheduler.init() if self.scheduler is not None else None
        return _base(self.surface, self.optimizer).init(params), ss

    def update(self, grad, state, params, xp=np, loss=None):
        inner, ss = state
        g = grad.T
        if self.clip_norm is not None:
            g = clip_grad_norm(g, self.clip_norm)
        if self.clip_value is not None:
            g = clip_grad_value(g, self.clip_value)
        opt = self.optimizer
        if self.scheduler is not None:
            group = {key: _per_cell(v) for key, v in self.scheduler.group(ss).items()}
            opt = opt.scheduled(**group)
        base = _base(self.surface, opt)
        if isinstance(base, ClosureCells):
            base.k = getattr(self, "_k", 0)
        delta, inner = base.update(np.ascontiguousarray(g.T), inner, params, xp)
        self._k = getattr(self, "_k", 0) + 1
        if self.scheduler is not None:
            ss = self.scheduler.step(ss, loss)
        return delta, (inner, ss)


def _per_cell(value):
    """A group value for the (2, n) cells: a per-cell (n, 1) array becomes (n,)."""
    if isinstance(value, np.ndarray) and value.ndim == 2:
        return value.reshape(-1)
    return value
