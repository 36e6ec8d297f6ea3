"""A compiled loop bound to one surface and one optimizer: ``Kernel.run``.

The run loop keeps its history in arrays (row k = step k: point, loss, gradient)
and the optimizer's state as one State namedtuple per coordinate. ``run`` takes
exactly that, continues from row k0 to k1 in compiled code, and gives back the
new state and the states at every ``CHECKPOINT``-th step, as the Python path's
``Trajectory.extend`` leaves them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import NamedTuple

import numpy as np

from . import plan as plans

_NONE = np.zeros(0)
_NO_MEANS = np.zeros((0, 4))
_NO_RECORD = np.zeros((0, 0))


class Result(NamedTuple):
    steps: int                       # the last step computed (k1, or the last before divergence)
    diverged_at: int | None          # the step that went bad, as Trajectory.diverged_at
    state: tuple                     # (state x, state y) after ``steps``: the optimizer's State
    checkpoints: dict[int, tuple]    # {k: (state x, state y)} for k0 < k ≤ steps, k % CHECKPOINT == 0


class Kernel:
    """``kernels.get(surface, optimizer)`` builds one; it holds their current values."""

    def __init__(self, loop, surface_fn, rule: plans.OptimizerPlan, shape: plans.SurfacePlan,
                 surface, optimizer) -> None:
        from ..trajectory import CHECKPOINT, runaway_limit

        self._loop, self._surface_fn = loop, surface_fn
        self._hp = plans.values(optimizer, rule.hp)
        self._sp = np.array(plans.flat(plans.values(surface, shape.sp)), dtype=float)
        self._surface = surface if shape.batched else None
        self._state, self._title, self._lr = optimizer.State, optimizer.title, float(optimizer.lr)
        self._momentum = any(name in ("momentum", "betas") for name, _ in rule.hp)
        self._limit = runaway_limit(surface)
        self._every = CHECKPOINT

    def run(self, params: np.ndarray, loss: np.ndarray, grad: np.ndarray, state: tuple,
            k0: int, k1: int, *, lr=None, momentum=None,
            clip_grad_norm: float | None = None, clip_grad_value: float | None = None,
            record: tuple[str, ...] = (), recorded: np.ndarray | None = None) -> Result:
        """Steps k0 → k1 of a run whose rows k0 of ``params``, ``grad`` and ``state`` are current.

        Writes rows k0+1..steps of ``params`` (n, 2), ``loss`` (n,) and ``grad`` (n, 2)
        (float64, C order, at least k1 + 1 rows) and stops where ``Trajectory.extend``
        would. ``lr`` and ``momentum`` (β₁ for the Adam family), when given, are arrays
        whose element i is the value for the update from step k0 + i (see
        ``schedule_steps``); ``clip_grad_norm`` / ``clip_grad_value`` are torch's
        max_norm / clip_value; the state fields named in ``record`` (ASGD's ``ax``) go to
        the same rows of ``recorded``, (n, 2·len(record)): x then y of each.
        """
        n = k1 - k0
        recorded = _NO_RECORD if not record else recorded
        for name, a, ndim in (("params", params, 2), ("loss", loss, 1), ("grad", grad, 2),
                              ("recorded", recorded, 2)):
            if not (isinstance(a, np.ndarray) and a.dtype == np.float64 and a.ndim == ndim
                    and a.flags.c_contiguous and a.flags.writeable):
                raise ValueError(f"{name} must be a writable C-ordered float64 array of {ndim} dimensions")
        if n < 1 or min(len(params), len(loss), len(grad), len(recorded) if record else k1 + 1) <= k1:
            raise ValueError(f"steps {k0} → {k1} need k1 > k0 and at least {k1 + 1} rows")
        rec = np.array([self._state._fields.index(name) for name in record], dtype=np.int64)
        if momentum is not None and not self._momentum:
            raise ValueError(f"{self._title} has no momentum or betas for a schedule to move")
        if momentum is not None and lr is None:      # the loop reads both when either moves
            lr = np.full(n, self._lr)
        lr, momentum = _per_step(lr, n, "lr"), _per_step(momentum, n, "momentum")
        if self._surface is not None:
            means, batch_step = self._surface.batch_means(k0 + 1, k1 + 1), 1
        else:
            means, batch_step = _NO_MEANS, 0
        if getattr(state[0], "step", None) != getattr(state[1], "step", None):
            raise ValueError("the two coordinates' states must be at the same step")
        sx, sy = (tuple(float(v) for v in s) for s in state)
        every = self._every
        ck = np.empty((k1 // every - k0 // every, 2, len(sx)))
        k, diverged, sx, sy = self._loop(
            self._hp, self._surface_fn, self._sp, sx, sy, k0, k1, self._limit, every,
            params, loss, grad, ck, lr, momentum,
            np.inf if clip_grad_norm is None else float(clip_grad_norm),
            np.inf if clip_grad_value is None else float(clip_grad_value),
            means, batch_step, rec, recorded)
        steps = range((k0 // every + 1) * every, k + 1, every)
        as_state = self._as_state
        checkpoints = {c: (as_state(x), as_state(y)) for c, (x, y) in zip(steps, ck.tolist())}
        return Result(k, None if diverged < 0 else diverged, (as_state(sx), as_state(sy)), checkpoints)

    def _as_state(self, values) -> tuple:
        """The optimizer's State from the kernel's floats (its ``step`` back to an int)."""
        if self._state._fields[0] == "step":
            return self._state(int(values[0]), *values[1:])
        return self._state(*values)


class Schedule(NamedTuple):
    """What a schedule gives the next n updates, from ``schedule_steps``."""

    lr: np.ndarray                  # (n,): the lr of the update from step k0 + i
    momentum: np.ndarray | None     # (n,): its momentum or β₁; None when the schedule moves neither
    groups: np.ndarray              # (n, width): stepping.group_values of each update's group
    states: dict                    # the scheduler's state at k0 and at each multiple of ``every``
    scheduler: object

    def state_at(self, k: int):
        """The scheduler's state at step k (after the updates before it), replayed from the
        nearest kept one: at most ``every`` − 1 scheduler steps."""
        if k in self.states:                  # a checkpoint: asked for each of them
            return self.states[k]
        c = max(c for c in self.states if c <= k)
        state = self.states[c]
        for _ in range(k - c):
            state = self.scheduler.step(state)
        return state


def schedule_steps(scheduler, state, k0: int, n: int, every: int) -> Schedule:
    """The lr and momentum (or β₁) a schedule gives the updates from steps k0 … k0+n−1,
    as ``Kernel.run`` takes them, stepping it as the run loop does (``step`` after each
    update). ReduceLROnPlateau, which needs each step's loss, is refused: the Python
    path runs it.

    Every other schedule is a function of the step alone, so its steps are computed
    once and kept (the latest, up to ``MEMO_STEPS`` steps in all: 16–40 bytes a
    step, so at most 80 MB): an edit that recomputes the run —
    a new start point, a drag — reuses them, and pays the compiled loop alone (1 µs of
    Python per scheduler step against 0.1 µs for a compiled Adam step). A kept result
    serves only the same scheduler object from an equal state at the same k0.
    """
    from ..schedules import ReduceLROnPlateau

    if isinstance(scheduler, ReduceLROnPlateau):
        raise ValueError("ReduceLROnPlateau follows the losses step by step: run it on the Python path")
    key = (id(scheduler), k0, every)
    with _memo_lock:
        kept = _memo.get(key)
        if kept is not None:
            _memo.move_to_end(key)
    if (kept is not None and kept.scheduler is scheduler and len(kept.lr) >= n
            and kept.states[k0] == state):
        return _first(kept, k0, n)
    schedule = _schedule_steps(scheduler, state, k0, n, every)
    with _memo_lock:
        _memo[key] = schedule
        while len(_memo) > 1 and sum(len(kept.lr) for kept in _memo.values()) > MEMO_STEPS:
            _memo.popitem(last=False)
    return schedule


MEMO_STEPS = 2_000_000
_memo: OrderedDict = OrderedDict()
_memo_lock = threading.Lock()


def _first(schedule: Schedule, k0: int, n: int) -> Schedule:
    """The first n updates of a kept schedule."""
    return Schedule(schedule.lr[:n], None if schedule.momentum is None else schedule.momentum[:n],
                    schedule.groups[:n], {c: s for c, s in schedule.states.items() if c <= k0 + n},
                    schedule.scheduler)


def _schedule_steps(scheduler, state, k0: int, n: int, every: int) -> Schedule:
    from ..stepping import group_values

    moved = scheduler.public
    groups = np.empty((n, len(group_values(scheduler.group(state), moved))))
    states = {k0: state}
    for i in range(n):
        groups[i] = group_values(scheduler.group(state), moved)
        state = scheduler.step(state)
        if (k0 + i + 1) % every == 0:
            states[k0 + i + 1] = state
    momentum = groups[:, 1].copy() if len(moved) > 1 else None
    return Schedule(groups[:, 0].copy(), momentum, groups, states, scheduler)


def _per_step(values, n: int, name: str) -> np.ndarray:
    if values is None:
        return _NONE
    a = np.ascontiguousarray(values, dtype=float)
    if a.ndim != 1 or len(a) < n:
        raise ValueError(f"{name} needs one value per step: {n}, got shape {a.shape}")
    return a
