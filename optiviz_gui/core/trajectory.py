"""Running one optimizer from one start point, step by step, keeping its history.

The history holds, for every step k = 0..n (0 = the start, k = after k updates),
the point θ_k, the loss f(θ_k) and the gradient ∇f(θ_k); the actual update is
θ_{k+1} − θ_k. The optimizer's state is checkpointed every ``CHECKPOINT``
steps and replayed from the stored gradients on demand, so a 10⁶-step run costs
about 40 bytes a step and any step's state is at most 255 updates away (the
current step's state is kept, not replayed).

One start point runs on Python floats, one coordinate at a time
(``optiviz_gui.core.scalar``), which is several times faster than numpy on
arrays of two; ``run_many`` runs the same rules on numpy arrays of many start
points at once.
"""

from __future__ import annotations

import math

import numpy as np

from . import scalar
from .optimizers import Optimizer
from .surfaces import Surface

CHECKPOINT = 256
MAX_STEPS = 1_000_000
GTOL = 1e-6      # converged: gradient below GTOL of the start's (at least 1)
XTOL = 1e-9      # ... and steps below XTOL·(1 + ‖θ‖)
# kernels hook: a ready kernel extends runs of KERNEL_STEPS+ steps (a call costs about 55 µs,
# 18 Python steps); one is compiled for KERNEL_START+ (12 ms of Python: about a 60 Hz frame);
# a long Python extension looks for a ready kernel every KERNEL_CHUNK steps
KERNEL_STEPS, KERNEL_START, KERNEL_CHUNK = 64, 4096, 16_384
_NUMERIC_ERRORS = (ArithmeticError, ValueError)


def runaway_limit(surface: Surface) -> float:
    """How far from the view window a point may go before the run counts as diverged."""
    (x0, x1), (y0, y1) = surface.bounds
    return 1e6 * max(x1 - x0, y1 - y0, 1.0) + max(abs(x0), abs(x1), abs(y0), abs(y1))


class Trajectory:
    """The growing history of one run; ``extend(k)`` computes up to step k.

    A run whose point, loss or gradient stops being finite, or leaves the
    ``runaway_limit`` box, is stopped there: ``diverged_at`` is the step that
    went bad and the history ends one step before it.
    """

    def __init__(self, surface: Surface, optimizer: Optimizer, start) -> None:
        self.surface = surface
        self.optimizer = optimizer
        self.diverged_at: int | None = None
        self._limit = runaway_limit(surface)
        x, y = (float(v) for v in start)
        self._P = np.empty((16, 2))
        self._L = np.empty(16)
        self._G = np.empty((16, 2))
        self._n = -1  # index of the last stored step
        self._checkpoints: dict[int, tuple] = {}
        self._converged: tuple = (None, None)     # (key, converged_at) of the last question
        try:
            f, gx, gy = surface.value_and_grad_xy(x, y, scalar)
            if surface.batch_size:
                gx, gy = surface.batch_grad_xy(x, y, surface.batch_indices(0), scalar)
            ok = self._finite(x, y, f, gx, gy)
        except _NUMERIC_ERRORS:
            ok = False
        if not ok:
            self.diverged_at = 0
            return
        self._store([x, y, f, gx, gy])
        self._state = (optimizer.init(x), optimizer.init(y))
        self._checkpoints[0] = self._state

    # ------------------------------------------------------------- history
    @property
    def steps(self) -> int:
        """Number of updates computed (the last stored step); -1 if even the start is bad."""
        return self._n

    @property
    def params(self) -> np.ndarray:
        return self._P[: self._n + 1]

    @property
    def loss(self) -> np.ndarray:
        return self._L[: self._n + 1]

    @property
    def grad(self) -> np.ndarray:
        return self._G[: self._n + 1]

    @property
    def updates(self) -> np.ndarray:
        """The actual update taken at each step: θ_{k+1} − θ_k, shape (steps, 2)."""
        return np.diff(self.params, axis=0)

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    # ------------------------------------------------------------ stepping
    def extend(self, to_step: int) -> None:
        """Compute the history up to step ``to_step`` (or up to divergence)."""
        to_step = min(int(to_step), MAX_STEPS)
        # kernels hook: the compiled loop when one is ready, asked again every KERNEL_CHUNK steps
        while to_step - self._n >= KERNEL_STEPS and not self.diverged:
            if self._extend_compiled(to_step):
                return
            self._extend_python(min(to_step, self._n + KERNEL_CHUNK))
        self._extend_python(to_step)

    def _extend_python(self, to_step: int) -> None:
        if self.diverged or to_step <= self._n:
            return
        f_and_g = self.surface.value_and_grad_xy
        if self.surface.batch_size:
            f_and_g = self._minibatch_f_and_g(self._n + 1)
        update = self.optimizer.update
        lim, isfinite = self._limit, math.isfinite
        x, y = self._P[self._n]
        gx, gy = self._G[self._n]
        x, y, gx, gy = float(x), float(y), float(gx), float(gy)
        state = self._state            # the state after the last stored step
        rows: list[float] = []         # x, y, f, gx, gy of each step, flat (cheapest to convert)
        add = rows.extend
        k = self._n
        while k < to_step:
            try:
                dx, sx = update(gx, state[0], x, scalar)
                dy, sy = update(gy, state[1], y, scalar)
                x = x + dx
                y = y + dy
                f, gx, gy = f_and_g(x, y, scalar)
            except _NUMERIC_ERRORS:
                f = math.nan
            # inlined _finite: this loop is the hot path of every edit
            if not (-lim < x < lim and -lim < y < lim and isfinite(f)
                    and isfinite(gx) and isfinite(gy)):
                self.diverged_at = k + 1
                break
            k += 1
            state = (sx, sy)
            add((x, y, f, gx, gy))
            if k % CHECKPOINT == 0:
                self._checkpoints[k] = state
        self._store(rows)
        self._state = state

    # ---- compiled-loop hook (core/kernels), to be folded into the reworked run loop ----
    def _extend_compiled(self, to_step: int) -> bool:
        """Extend with the compiled loop if one is ready (same numbers); False: it is not."""
        from . import kernels

        kernel = kernels.get(self.surface, self.optimizer, start=to_step - self._n >= KERNEL_START)
        if kernel is None:
            return False
        if to_step >= len(self._L):
            cap = max(to_step + 1, 2 * len(self._L))
            self._P, self._L, self._G = _grow(self._P, cap), _grow(self._L, cap), _grow(self._G, cap)
        done = kernel.run(self._P, self._L, self._G, self._state, self._n, to_step)
        self._n, self._state, self.diverged_at = done.steps, done.state, done.diverged_at
        self._checkpoints.update(done.checkpoints)
        return True
    # ---- end of the hook ----

    def _minibatch_f_and_g(self, k: int):
        """f_and_g for the loop: full-data loss, and the gradient of the mini-batch
        that the update from this point will use (batches k, k+1, ... in turn)."""
        surface = self.surface
        counter = iter(range(k, MAX_STEPS + 1))

        def f_and_g(x, y, xp):
            idx = surface.batch_indices(next(counter))
            return (surface.value_xy(x, y, xp), *surface.batch_grad_xy(x, y, idx, xp))
        return f_and_g

    def _finite(self, x, y, f, gx, gy) -> bool:
        lim = self._limit
        return (abs(x) < lim and abs(y) < lim and math.isfinite(f)
                and math.isfinite(gx) and math.isfinite(gy))

    def _store(self, rows: list[float]) -> None:
        """Append steps given flat: x, y, f, gx, gy of each in turn."""
        if not rows:
            return
        n0, n1 = self._n + 1, self._n + 1 + len(rows) // 5
        if n1 > len(self._L):
            cap = max(n1, 2 * len(self._L))
            self._P = _grow(self._P, cap)
            self._L = _grow(self._L, cap)
            self._G = _grow(self._G, cap)
        block = np.array(rows, dtype=float).reshape(-1, 5)
        self._P[n0:n1] = block[:, 0:2]
        self._L[n0:n1] = block[:, 2]
        self._G[n0:n1] = block[:, 3:5]
        self._n = n1 - 1

    # --------------------------------------------------------------- state
    def state_at(self, k: int) -> dict[str, object]:
        """The optimizer's state after k updates, under torch's names.

        Buffers come back as arrays of shape (2,); ``step`` as an int.
        Replayed from the nearest checkpoint with the stored gradients.
        """
        if not 0 <= k <= self._n:
            raise IndexError(f"step {k} is not in this run (0..{self._n})")
        if k == self._n:               # the live state: what the views ask for while playing
            c, (sx, sy) = k, self._state
        else:
            c = (k // CHECKPOINT) * CHECKPOINT
            sx, sy = self._checkpoints[c]
        update = self.optimizer.update
        P, G = self._P, self._G
        for j in range(c, k):
            _, sx = update(float(G[j, 0]), sx, float(P[j, 0]), scalar)
            _, sy = update(float(G[j, 1]), sy, float(P[j, 1]), scalar)
        out: dict[str, object] = {}
        for name, a, b in zip(sx._fields, sx, sy):
            out[name] = a if name == "step" else np.array([a, b], dtype=float)
        return out

    def next_update(self, j: int) -> np.ndarray | None:
        """θ_{j+1} − θ_j: the stored step, or at the last computed step the step the
        optimizer would take next from its state after j updates (None if that is not
        finite, or the run diverged there)."""
        if j < self._n:
            return self._P[j + 1] - self._P[j]
        if self.diverged or not 0 <= j <= self._n:
            return None
        state = self.state_at(j)
        opt = self.optimizer
        d = []
        try:
            for c in range(2):
                st = opt.State(*(v if name == "step" else float(v[c]) for name, v in state.items()))
                dc, _ = opt.update(float(self._G[j, c]), st, float(self._P[j, c]), scalar)
                d.append(float(dc))
        except _NUMERIC_ERRORS:
            return None
        d = np.array(d)
        return d if np.all(np.isfinite(d)) else None

    # -------------------------------------------------------------- status
    def converged_at(self, k: int | None = None, gtol: float = GTOL,
                     xtol: float = XTOL) -> int | None:
        """The step c ≤ k from which the run has stayed put up to step k (default: the
        last computed step): ‖∇f(θ_i)‖ ≤ gtol·max(1, ‖∇f(θ₀)‖) and
        ‖θ_i − θ_{i−1}‖ ≤ xtol·(1 + ‖θ_i‖) for every i in c..k; None if it moves at k."""
        k = self._n if k is None else min(int(k), self._n)
        if k < 1:
            return None
        key = (self._n, gtol, xtol)
        if self._converged[0] != key:  # the legend, status bar and header all ask
            self._converged = (key, self._still_since(gtol, xtol))
        c = int(self._converged[1][k])
        return c if c >= 0 else None

    def status_at(self, k: int) -> tuple[str, int] | None:
        """("diverged", n) once step k has reached the step n that went bad,
        ("converged", c) when it has stayed put from c up to k, else None."""
        if self.diverged_at is not None and k >= self.diverged_at:
            return ("diverged", self.diverged_at)
        c = self.converged_at(k)
        return ("converged", c) if c is not None else None

    def status_text(self, k: int) -> str:
        """The status in words, the same in the legend and the status bar:
        "diverged at start", "diverged at 12", "converged at 40" or ""."""
        status = self.status_at(k)
        if status is None:
            return ""
        what, n = status
        return f"{what} at {'start' if n == 0 else n}"

    def _still_since(self, gtol: float, xtol: float) -> np.ndarray:
        """For each step i, the first step of the still stretch that reaches i (-1 when
        step i moves). Step 0 counts as moving: there is no step before it."""
        g = np.hypot(self.grad[:, 0], self.grad[:, 1])
        p = self.params
        move = np.r_[np.inf, np.hypot(*np.diff(p, axis=0).T)]
        still = (g <= gtol * max(1.0, g[0])) & (move <= xtol * (1 + np.hypot(p[:, 0], p[:, 1])))
        idx = np.arange(len(still))
        last_moving = np.maximum.accumulate(np.where(still, -1, idx))
        return np.where(still, last_moving + 1, -1)


def _grow(a: np.ndarray, cap: int) -> np.ndarray:
    out = np.empty((cap,) + a.shape[1:])
    out[: len(a)] = a
    return out


def run_many(surface: Surface, optimizer: Optimizer, starts, steps: int):
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
