"""One run from one start point, step by step, keeping its history.

The history holds, for every step k = 0..n (0 = the start, k = after k updates),
the point θ_k, the loss f(θ_k) and the gradient the update from θ_k used (the
mini-batch's with batches, before clipping); the actual update is θ_{k+1} − θ_k.
A scheduled run also keeps, per update, the group it used (lr, and momentum or
betas where the schedule moves them; groups.py reads them back);
LBFGS keeps the points where it evaluated the loss inside each step. The
optimizer's state is checkpointed every ``CHECKPOINT`` steps and replayed from
the stored gradients and groups on demand, so a 10⁶-step run costs about 40
bytes a step (48 scheduled) and any step's state is at most 255 updates away
(the current step's is kept).

The iterations themselves — torch's loop: loss and gradient, clipping, the
scheduled optimizer step, the scheduler step — are core/stepping.py. On a
surface with more than two parameters (the ``mlp`` kind) θ_k is the whole
parameter vector: ``theta`` holds it, while ``params`` and ``grad`` are its
projection onto the surface's plane, which the views draw.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import replace

import numpy as np

from ..stepping import NUMERIC_ERRORS, Live, Plan, Rows, group_values, run_closure, \
    run_scalar, run_vector
from .closures import ClosuresMixin
from .groups import GroupsMixin
from .state import CHECKPOINT, StateMixin
from .status import StatusMixin
from ..surfaces import Surface

MAX_STEPS = 1_000_000
# kernels hook: a ready kernel extends runs of KERNEL_STEPS+ steps (a call costs about 55 µs,
# 18 Python steps); one is compiled for KERNEL_START+ (2.5 ms of Python: four such runs, the
# blog's, fill a 60 Hz frame; with kernels an edit of 4 × 1000 steps costs 0.7 ms, not 9);
# a long Python extension looks for a ready kernel every KERNEL_CHUNK steps
KERNEL_STEPS, KERNEL_START, KERNEL_CHUNK = 64, 1000, 16_384


def runaway_limit(surface: Surface) -> float:
    """How far from the view window a point may go before the run counts as diverged."""
    (x0, x1), (y0, y1) = surface.bounds
    return 1e6 * max(x1 - x0, y1 - y0, 1.0) + max(abs(x0), abs(x1), abs(y0), abs(y1))


class Trajectory(StatusMixin, GroupsMixin, StateMixin, ClosuresMixin):
    """The growing history of one run; ``extend(k)`` computes up to step k.

    ``Trajectory(surface, run_or_optimizer, start)`` (``surface`` as the run sees it:
    ``Run.surface_for``, its own batch seed). A run whose point, loss or
    gradient stops being finite, or leaves the ``runaway_limit`` box, is stopped
    there: ``diverged_at`` is the step that went bad and the history ends one
    step before it. So is a run whose schedule ends (OneCycleLR past its
    total_steps, where torch raises); ``stopped`` then says so in torch's words.
    """

    def __init__(self, surface: Surface, run, start) -> None:
        from ..simulation import Run
        run = run if isinstance(run, Run) else Run(run)
        surface = run.surface_for(surface)          # its own mini-batch seed, if any
        self.surface, self.run, self.optimizer = surface, run, run.optimizer
        self.dim = int(getattr(surface, "dim", 2))
        scheduler = run.scheduler
        self.plan = Plan(surface, run.optimizer, scheduler, run.clip_grad_norm,
                         run.clip_grad_value, self.dim)
        self.scheduled = scheduler is not None
        self.recorded_names: tuple[str, ...] = tuple(type(run.optimizer).recorded)
        self.diverged_at: int | None = None
        self.stopped: str | None = None     # the schedule's refusal when it ended the run
        self._n = -1                   # index of the last stored step
        self._extending = threading.Lock()      # one extension at a time (a worker's, or ours)
        self._ends: deque = deque()             # (n, end, diverged_at, stopped) not yet shown
        self._marks: list = []         # LBFGS: per update, [(point, loss), ...]
        self._checkpoints: dict[int, tuple] = {}
        self._converged: tuple = (None, None)
        self._projection: dict = {}
        theta = np.asarray(surface.lift(start) if self.dim > 2 else start, dtype=float)
        self._limit = (runaway_limit(surface) if self.dim == 2
                       else 1e6 * (1.0 + float(np.max(np.abs(theta)))))
        stored_dim = 2 if self.dim > 2 else self.dim
        self._P = np.empty((16, self.dim))
        self._L = np.empty(16)
        self._G = np.empty((16, stored_dim))
        width = len(group_values(scheduler.group(scheduler.init()), self.plan.moved)) \
            if scheduler else 0
        self._groups = np.empty((16, width))
        self._rec = np.empty((16, len(self.recorded_names) * self.dim))
        try:
            with np.errstate(all="ignore"):
                f, g = self._f_and_g_vector(theta, 0)
                b = self._batch_loss(theta, 0) if self.plan.needs_batch_loss else None
            ok = bool(math.isfinite(f) and np.all(np.isfinite(g))
                      and np.all(np.abs(theta) < self._limit))
        except NUMERIC_ERRORS:
            ok = False
        if not ok:
            self.diverged_at = 0
            return
        opt = run.optimizer
        if self.plan.loop == "scalar":
            state = (opt.init(float(theta[0])), opt.init(float(theta[1])))
        else:
            state = opt.init(theta)
        ss = scheduler.init() if scheduler else None
        rows = Rows(theta=[theta], f=[float(f)], g=[g])
        if self.recorded_names:
            rows.recorded.append(self._recorded_of(state))
        self._checkpoints[0] = (state, ss)
        self._publish(self._store(rows, -1), Live(0, theta, float(f), g, state, ss, b))

    # ------------------------------------------------------------- history
    @property
    def steps(self) -> int:
        """Number of updates computed (the last stored step); -1 if even the start is bad."""
        return self._n

    @property
    def theta(self) -> np.ndarray:
        """Every θ_k, (steps + 1, D): the whole parameter vector."""
        n = self._n                    # read before the array: a worker may grow it meanwhile
        return self._P[: n + 1]

    @property
    def params(self) -> np.ndarray:
        """Every θ_k as the views draw it, (steps + 1, 2): θ itself on a 2-D surface,
        its (α, β) on the plane otherwise."""
        if self.dim == 2:
            n = self._n
            return self._P[: n + 1]
        return self._projected()[0]

    @property
    def distance(self) -> np.ndarray:
        """How far each θ_k is from the surface's plane (zeros on a 2-D surface)."""
        if self.dim == 2:
            return np.zeros(self._n + 1)
        return self._projected()[1]

    @property
    def loss(self) -> np.ndarray:
        n = self._n
        return self._L[: n + 1]

    @property
    def grad(self) -> np.ndarray:
        """The gradient each update used, before clipping, (steps + 1, 2) — on a surface
        with more parameters, projected onto its plane."""
        n = self._n
        return self._G[: n + 1]

    @property
    def updates(self) -> np.ndarray:
        """The actual update taken at each step: θ_{k+1} − θ_k, shape (steps, 2)."""
        return np.diff(self.params, axis=0)

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    def recorded(self, name: str) -> np.ndarray:
        """A state field the optimizer asks to keep per step (ASGD's ``ax``), (steps + 1, D)."""
        i, n = self.recorded_names.index(name), self._n
        return self._rec[: n + 1, i * self.dim:(i + 1) * self.dim]

    def marks_at(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """LBFGS: where it evaluated the loss inside the update from step k, and the losses
        ((m, 2) points as the views draw them, (m,)); empty for other optimizers."""
        if not 0 <= k < len(self._marks) or not self._marks[k]:
            return np.zeros((0, 2)), np.zeros(0)
        pts = np.array([p for p, _ in self._marks[k]], dtype=float)
        loss = np.array([f for _, f in self._marks[k]], dtype=float)
        if self.dim > 2:
            pts = self.surface.project(pts)[0]
        return pts, loss

    def clipped_grad(self, k: int) -> np.ndarray:
        """The gradient the update from step k saw, after clipping (as ``grad``)."""
        return np.asarray(self.plan.clip(self.grad[k]), dtype=float)

    # ------------------------------------------------------------ stepping
    def extend(self, to_step: int, defer: bool = False) -> None:
        """Compute the history up to step ``to_step`` (or up to divergence).

        ``defer`` (the model's worker thread): keep what was computed for ``publish``
        to make visible, on the thread that draws, as much at a time as it can take."""
        to_step = min(int(to_step), MAX_STEPS)
        if self._n < 0:                         # even the start was bad
            return
        with self._extending:
            # the compiled loop when one is ready, asked again every KERNEL_CHUNK steps
            while to_step - self._end()[0].k >= KERNEL_STEPS and self._end()[1] is None:
                if self._extend_compiled(to_step):
                    break
                self._extend_python(min(to_step, self._end()[0].k + KERNEL_CHUNK))
            self._extend_python(to_step)
            if not defer:
                self.publish()

    @property
    def computed(self) -> int:
        """The last step computed, visible or not (``steps`` is the last visible one)."""
        return self._end()[0].k if self._n >= 0 else -1

    @property
    def computed_diverged(self) -> bool:
        return self._n < 0 or self._end()[1] is not None

    @property
    def pending(self) -> bool:
        """Steps computed by a deferred extension and not published yet."""
        return bool(self._ends)

    def publish(self, max_steps: int | None = None, until: int | None = None) -> int:
        """Make computed steps visible, a computed chunk at a time: all of them, or chunks
        of at most ``max_steps`` steps in all (one at least), or until step ``until`` is
        visible. Returns the steps made visible."""
        start = self._n
        while self._ends:
            n, live, diverged_at, stopped = self._ends[0]
            if until is not None and self._n >= until:
                break
            if max_steps is not None and self._n > start and n - start > max_steps:
                break
            self._ends.popleft()
            self._publish(n, live)
            if diverged_at is not None:
                self.diverged_at, self.stopped = diverged_at, stopped
        return self._n - start

    def _end(self) -> tuple[Live, int | None]:
        """The end the next extension grows from: computed (perhaps not published yet),
        and where it diverged."""
        if self._ends:
            return self._ends[-1][1], self._ends[-1][2]
        return self._live, self.diverged_at

    def _extend_python(self, to_step: int) -> None:
        start, diverged_at = self._end()
        if diverged_at is not None or to_step <= start.k:
            return
        plan, live = self.plan, replace(start)       # the published end stays as it is
        if plan.loop == "scalar":
            rows = run_scalar(plan, self._f_and_g_xy(), live, to_step, self._limit, CHECKPOINT,
                              self.recorded_names)
        elif plan.loop == "vector":
            rows = run_vector(plan, self._vector_fn(), live, to_step, self._limit, CHECKPOINT,
                              self.recorded_names)
        else:
            rows = run_closure(plan, self._vector_fn(), self._closure_at, live, to_step,
                               self._limit, CHECKPOINT)
        n = self._store(rows, start.k)
        self._checkpoints.update(rows.checkpoints)
        self._ends.append((n, live, rows.diverged_at, rows.stopped))

    # ------------------------------------------------ the compiled loop (core/kernels)
    def _extend_compiled(self, to_step: int) -> bool:
        """Extend with the compiled loop if one is ready (the same numbers); False: it is not."""
        from .. import kernels

        start, _ = self._end()
        plan, live = self.plan, replace(start)
        if plan.loop != "scalar" or plan.needs_batch_loss:
            return False
        k0 = start.k
        kernel = kernels.get(self.surface, self.optimizer, start=to_step - k0 >= KERNEL_START)
        if kernel is None:
            return False
        try:
            steps = (kernels.schedule_steps(plan.scheduler, live.sched, k0, to_step - k0,
                                            CHECKPOINT) if self.scheduled else None)
        except ValueError:     # ReduceLROnPlateau (it needs each loss), or a schedule that
            return False       # ends on the way (ConfigError): the Python loop runs those
        self._reserve(to_step + 1)
        done = kernel.run(self._P, self._L, self._G, live.state, k0, to_step,
                          lr=steps and steps.lr, momentum=steps and steps.momentum,
                          clip_grad_norm=plan.clip_norm, clip_grad_value=plan.clip_value,
                          record=self.recorded_names, recorded=self._rec)
        k = done.steps
        if steps is not None:
            self._groups[k0:k] = steps.groups[:k - k0]
            live.sched = steps.state_at(k)
        self._checkpoints.update({c: (s, steps and steps.state_at(c))
                                  for c, s in done.checkpoints.items()})
        live.k, live.state = k, done.state
        live.theta, live.f, live.g = self._P[k].copy(), float(self._L[k]), self._G[k].copy()
        self._ends.append((k, live, done.diverged_at, None))
        return True

    def _reserve(self, rows: int) -> None:
        if rows > len(self._L):
            cap = max(rows, 2 * len(self._L))
            self._P, self._L, self._G = (_grow(a, cap) for a in (self._P, self._L, self._G))
            self._groups, self._rec = _grow(self._groups, cap), _grow(self._rec, cap)
    def _publish(self, n: int, live: Live) -> None:
        """Make steps up to n (written already) and the end they grew to visible: the end
        first, so a reader that sees step n finds its state (readers take ``_live.k``)."""
        self._live = live
        self._n = n

    def _store(self, rows: Rows, after: int) -> int:
        """Write the new steps of ``rows`` after step ``after``; returns the new last step
        (``_publish`` makes it visible)."""
        if rows.flat:
            block = np.array(rows.flat, dtype=float).reshape(-1, 5)
            P, L, G = block[:, 0:2], block[:, 2], block[:, 3:5]
        elif rows.f:
            P, L = np.array(rows.theta, dtype=float), np.array(rows.f, dtype=float)
            G = np.array(rows.g, dtype=float)
            if self.dim > 2:
                G = G @ self.surface.directions.T
        else:
            return after
        m = len(L)
        n0, n1 = after + 1, after + 1 + m
        if n1 > len(self._L):
            cap = max(n1, 2 * len(self._L))
            self._P, self._L, self._G = (_grow(a, cap) for a in (self._P, self._L, self._G))
            self._groups, self._rec = _grow(self._groups, cap), _grow(self._rec, cap)
        self._P[n0:n1], self._L[n0:n1], self._G[n0:n1] = P, L, G
        if rows.groups:
            self._groups[n0 - 1:n1 - 1] = rows.groups
        if rows.recorded:
            self._rec[n0:n1] = rows.recorded
        self._marks.extend(rows.marks)
        return n1 - 1

    # ------------------------------------------------------------ helpers
    def _recorded_of(self, state) -> np.ndarray:
        if self.plan.loop == "scalar":
            return np.array([v for name in self.recorded_names
                             for v in (getattr(state[0], name), getattr(state[1], name))])
        return np.concatenate([np.asarray(getattr(state, n), dtype=float)
                               for n in self.recorded_names])

    def _projected(self) -> tuple[np.ndarray, np.ndarray]:
        """(α, β) and distance of every θ_k, projected once and kept."""
        n = self._n + 1
        done = self._projection.get("n", 0)
        if done < n:
            ab, dist = self.surface.project(self._P[done:n])
            old_ab = self._projection.get("ab", np.zeros((0, 2)))
            old_d = self._projection.get("d", np.zeros(0))
            self._projection = {"n": n, "ab": np.concatenate([old_ab, ab]),
                                "d": np.concatenate([old_d, dist])}
        return self._projection["ab"][:n], self._projection["d"][:n]


def _grow(a: np.ndarray, cap: int) -> np.ndarray:
    out = np.empty((cap,) + a.shape[1:])
    out[: len(a)] = a
    return out


def run_many(surface: Surface, optimizer, starts, steps: int):
    """Run one optimizer from many start points at once (numpy arrays).

    Returns (params, loss) of shapes (steps+1, n, 2) and (steps+1, n). No early
    stop: a diverged point simply carries inf/nan from where it went bad.
    """
    p = np.array(starts, dtype=float).reshape(-1, 2)
    params = np.empty((steps + 1, len(p), 2))
    loss = np.empty((steps + 1, len(p)))
    state = optimizer.init(p)
    with np.errstate(all="ignore"):
        f, g = surface.value_and_grad(p)
        params[0], loss[0] = p, f
        for k in range(1, steps + 1):
            delta, state = optimizer.update(g, state, p, np)
            p = p + delta
            f, g = surface.value_and_grad(p)
            params[k], loss[k] = p, f
    return params, loss
