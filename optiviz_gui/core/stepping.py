"""One run's iterations, as a torch training loop makes them.

Iteration k, from θ_k (DESIGN's loop; torch's order)::

    f_k, g_k   loss and gradient at θ_k — g_k the mini-batch's with batches; f_k is
               the full data's (what the views draw), b_k the batch's loss
    g_k        ← clip_grad_norm, then clip_grad_value, when asked
    θ_{k+1}    = θ_k + opt.scheduled(**group_k).update(g_k, state)     (group_k: the
               scheduler's lr, momentum or betas; the optimizer's own without one)
               LBFGS: θ_{k+1}, state = opt.step(θ_k, state, closure), the closure
               evaluating the batch's loss and gradient, every evaluation kept
    state_s    = scheduler.step(state_s, b_k)        (the loss: ReduceLROnPlateau)

A schedule that ends (OneCycleLR stepped past its total_steps) raises in torch's
loop at that ``scheduler.step()``; here the run stops there instead, as if the
update had diverged (``diverged_at`` = k + 1), with torch's reason in ``stopped``.

``Plan`` is what a run does each iteration; ``run_scalar`` / ``run_vector`` /
``run_closure`` make iterations k0 … until step ``to_step`` or divergence from a
``Live`` end (the point, its loss and gradient, the optimizer's and the
scheduler's state), appending each new row to a ``Rows`` block. Three loops for
one rule, because speed differs by an order of magnitude:

    scalar    elementwise optimizers on a 2-D surface: Python floats, one
              coordinate at a time (core/scalar.py), several times faster than
              numpy on arrays of two
    vector    numpy arrays of shape (D,): optimizers that mix coordinates
              (Adafactor, Muon) and surfaces with more than two parameters
    closure   LBFGS: one ``step(closure)`` per iteration
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import scalar
from .errors import ConfigError
from .clipping import clip_grad_norm, clip_grad_norm_xy, clip_grad_value, clip_grad_value_xy
from .schedules import ReduceLROnPlateau

NUMERIC_ERRORS = (ArithmeticError, ValueError)


@dataclass
class Plan:
    """What one run does each iteration on one surface (see the module docstring)."""

    surface: object
    optimizer: object
    scheduler: object = None
    clip_norm: float | None = None
    clip_value: float | None = None
    dim: int = 2

    @property
    def loop(self) -> str:
        if self.optimizer.needs_closure:
            return "closure"
        if self.optimizer.elementwise and self.dim == 2:
            return "scalar"
        return "vector"

    @property
    def moved(self) -> tuple[str, ...]:
        """Group keys the scheduler writes each step: ("lr",), maybe "momentum"/"betas"."""
        return () if self.scheduler is None else self.scheduler.public

    @property
    def needs_batch_loss(self) -> bool:
        """ReduceLROnPlateau on mini-batches steps on the batch's loss, which the loop then
        computes apart; on the full data it is the loss the loop computed at θ_k (as in
        torch's loop, where ``sched.step(loss.item())`` takes the loss just backpropagated)."""
        return (isinstance(self.scheduler, ReduceLROnPlateau)
                and bool(getattr(self.surface, "batch_size", None)))

    def clip(self, g):
        """The gradient the optimizer sees (arrays of shape (..., D))."""
        if self.clip_norm is not None:
            g = clip_grad_norm(g, self.clip_norm)
        if self.clip_value is not None:
            g = clip_grad_value(g, self.clip_value)
        return g

    def clip_xy(self, gx, gy):
        if self.clip_norm is not None:
            gx, gy = clip_grad_norm_xy(gx, gy, self.clip_norm)
        if self.clip_value is not None:
            gx, gy = clip_grad_value_xy(gx, gy, self.clip_value)
        return gx, gy


@dataclass
class Live:
    """The end a trajectory grows from: step k, θ_k, its loss and gradient, the states.

    ``state`` is a pair of per-coordinate states on the scalar loop, one state of
    arrays otherwise; ``sched`` the scheduler's state (None without one); ``batch_loss``
    the mini-batch's loss at θ_k when a ReduceLROnPlateau needs it."""

    k: int
    theta: np.ndarray
    f: float
    g: np.ndarray
    state: object
    sched: object = None
    batch_loss: float | None = None


@dataclass
class Rows:
    """Iterations made by one call: the new points θ_{k0+1}…, their losses and gradients,
    the group each update used, LBFGS's evaluations, and checkpoints of the states."""

    flat: list = field(default_factory=list)      # scalar loop: x, y, f, gx, gy per point
    theta: list = field(default_factory=list)
    f: list = field(default_factory=list)
    g: list = field(default_factory=list)
    groups: list = field(default_factory=list)     # per update: (lr, momentum | β₁, β₂)
    marks: list = field(default_factory=list)      # per update: LBFGS's evaluations
    recorded: list = field(default_factory=list)   # per new point: the recorded state fields
    checkpoints: dict = field(default_factory=dict)
    diverged_at: int | None = None
    stopped: str | None = None     # why, when the schedule refused to step (it ended)


def group_reader(moved: tuple[str, ...]):
    """``group_values`` for one ``moved``, as a function written out for it: the run loop
    reads a changed group with it (a third of group_values' 0.4 µs for lr alone)."""
    if len(moved) == 1:
        return lambda g: (g["lr"],)
    if moved[1] == "momentum":
        return lambda g: (g["lr"], g["momentum"])
    return lambda g: (g["lr"], *g["betas"])


def group_values(group: dict, moved: tuple[str, ...]) -> tuple:
    """A scheduler's group as the numbers stored per step: lr, then momentum or β₁, β₂."""
    out = [group["lr"]]
    for key in moved[1:]:
        value = group[key]
        out += list(value) if isinstance(value, tuple) else [value]
    return tuple(float(v) for v in out)


def regroup(opt, cur, group: dict):
    """The optimizer for the next step with the scheduler's new ``group``: the first time
    a copy of ``opt`` (``opt.scheduled``), then that same copy changed in place — the
    loop's own, which nothing else holds: 0.06 µs a change instead of 0.4 (a cosine
    changes the lr every step; benchmarks/optimizers.py)."""
    if cur is opt:
        return opt.scheduled(**group)
    cur.__dict__.update(group)
    return cur


def _finite(theta, f, g, limit: float) -> bool:
    return (bool(np.all(np.abs(theta) < limit)) and math.isfinite(f)
            and bool(np.all(np.isfinite(g))))


# ------------------------------------------------------------------ the loops
def run_scalar(plan: Plan, f_and_g, live: Live, to_step: int, limit: float, every: int,
               record: tuple[str, ...] = ()) -> Rows:
    """The fast loop: Python floats, one coordinate at a time (2-D, elementwise)."""
    out = Rows()
    opt, sched, moved = plan.optimizer, plan.scheduler, plan.moved
    read = group_reader(moved) if moved else None
    clipping = plan.clip_norm is not None or plan.clip_value is not None
    isfinite, lim = math.isfinite, limit
    x, y = (float(v) for v in live.theta)
    gx, gy = (float(v) for v in live.g)
    fk, (sx, sy), ss, b = live.f, live.state, live.sched, live.batch_loss
    add, groups = out.flat.extend, out.groups.append
    cur, last_group = opt, None
    k = live.k
    while k < to_step:
        try:
            ux, uy = plan.clip_xy(gx, gy) if clipping else (gx, gy)
            if sched is not None:
                group = ss[2]                        # sched.group(ss), inlined: the hot path
                if group is not last_group:          # regroup(), inlined
                    if cur is opt:
                        cur = opt.scheduled(**group)
                    else:
                        cur.__dict__.update(group)
                    last_group = group
                    values = read(group)
            dx, nsx = cur.update(ux, sx, x, scalar)
            dy, nsy = cur.update(uy, sy, y, scalar)
            nx, ny = x + dx, y + dy
            f, ngx, ngy = f_and_g(nx, ny, k + 1)
        except NUMERIC_ERRORS:
            f = nx = ny = ngx = ngy = math.nan
        # the finite test inlined: this loop is the hot path of every edit
        if not (-lim < nx < lim and -lim < ny < lim and isfinite(f)
                and isfinite(ngx) and isfinite(ngy)):
            out.diverged_at = k + 1
            break
        if sched is not None:
            try:
                ss = sched.step(ss, fk if b is None else b)
            except ConfigError as e:          # a schedule that ends: torch raises there too
                out.diverged_at, out.stopped = k + 1, str(e)
                break
            groups(values)
            if b is not None:
                b = f_and_g.batch_loss(nx, ny, k + 1)
        k += 1
        x, y, fk, gx, gy, sx, sy = nx, ny, f, ngx, ngy, nsx, nsy
        add((x, y, f, gx, gy))
        if record:
            out.recorded.append(tuple(v for name in record
                                      for v in (getattr(sx, name), getattr(sy, name))))
        if k % every == 0:
            out.checkpoints[k] = ((sx, sy), ss)
    live.k, live.state, live.sched, live.batch_loss = k, (sx, sy), ss, b
    live.theta, live.f, live.g = np.array([x, y]), fk, np.array([gx, gy])
    return out


def run_vector(plan: Plan, f_and_g, live: Live, to_step: int, limit: float, every: int,
               record: tuple[str, ...] = ()) -> Rows:
    """numpy arrays of shape (D,): optimizers mixing coordinates, surfaces beyond 2-D."""
    out = Rows()
    opt, sched, moved = plan.optimizer, plan.scheduler, plan.moved
    read = group_reader(moved) if moved else None
    theta, fk, g, state = live.theta, live.f, live.g, live.state
    ss, b = live.sched, live.batch_loss
    cur, last_group = opt, None
    k = live.k
    with np.errstate(all="ignore"):
        while k < to_step:
            try:
                if sched is not None:
                    group = sched.group(ss)
                    if group is not last_group:
                        cur, last_group = regroup(opt, cur, group), group
                        values = read(group)
                delta, new_state = cur.update(plan.clip(g), state, theta, np)
                new = theta + delta
                f, new_g = f_and_g(new, k + 1)
            except NUMERIC_ERRORS:
                f, new, new_g = math.nan, theta, g
            if not _finite(new, f, new_g, limit):
                out.diverged_at = k + 1
                break
            if sched is not None:
                try:
                    ss = sched.step(ss, fk if b is None else b)
                except ConfigError as e:
                    out.diverged_at, out.stopped = k + 1, str(e)
                    break
                out.groups.append(values)
                if b is not None:
                    b = f_and_g.batch_loss(new, k + 1)
            k += 1
            theta, fk, g, state = new, float(f), new_g, new_state
            out.theta.append(theta)
            out.f.append(float(f))
            out.g.append(g)
            if record:
                out.recorded.append(np.concatenate([getattr(state, n) for n in record]))
            if k % every == 0:
                out.checkpoints[k] = (state, ss)
    live.k, live.theta, live.f, live.g = k, theta, fk, g
    live.state, live.sched, live.batch_loss = state, ss, b
    return out


def run_closure(plan: Plan, f_and_g, closure_at, live: Live, to_step: int, limit: float,
                every: int) -> Rows:
    """LBFGS: one ``step(closure)`` an iteration, every closure call kept as a mark."""
    out = Rows()
    opt, sched, moved = plan.optimizer, plan.scheduler, plan.moved
    read = group_reader(moved) if moved else None
    theta, fk, g, state, ss = live.theta, live.f, live.g, live.state, live.sched
    cur, last_group = opt, None
    k = live.k
    with np.errstate(all="ignore"):
        while k < to_step:
            evaluations = []
            try:
                if sched is not None:
                    group = sched.group(ss)
                    if group is not last_group:
                        cur, last_group = regroup(opt, cur, group), group
                        values = read(group)
                new, new_state, evaluations = cur.step(theta, state, closure_at(k))
                f, new_g = f_and_g(new, k + 1)
            except NUMERIC_ERRORS:
                f, new, new_g = math.nan, theta, g
            if not _finite(new, f, new_g, limit):
                out.diverged_at = k + 1
                break
            if sched is not None:
                # the loss the closure returned at θ_k: the mini-batch's with batches
                try:
                    ss = sched.step(ss, evaluations[0].loss if evaluations else fk)
                except ConfigError as e:
                    out.diverged_at, out.stopped = k + 1, str(e)
                    break
                out.groups.append(values)
            k += 1
            theta, fk, g, state = np.asarray(new, dtype=float), float(f), new_g, new_state
            out.theta.append(theta)
            out.f.append(float(f))
            out.g.append(g)
            out.marks.append([(e.params, e.loss) for e in evaluations[1:]])
            if k % every == 0:
                out.checkpoints[k] = (state, ss)
    live.k, live.theta, live.f, live.g, live.state, live.sched = k, theta, fk, g, state, ss
    return out
