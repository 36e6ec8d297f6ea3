"""Many runs advanced together on numpy arrays, each decided exactly as a lone Trajectory.

A *cell* is one run: one start point, one step rule. ``CellRun`` advances n
cells that share a step rule (an object with torch-style ``init(params)`` and
``update(grad, state, params, xp)``: an optimizer, or anything that wraps one,
such as a schedule or gradient clipping) on arrays of shape (2, n), one row per
coordinate. It keeps no history, only what the verdicts need, per cell:

* divergence — as ``Trajectory.extend``: the step whose point leaves the
  ``runaway_limit`` box or whose point, loss or gradient is not finite; the
  result is then the last good point and its loss;
* convergence — as ``Trajectory.converged_at``: the run is *still* at step k when
  ‖∇f(θ_k)‖ ≤ gtol·max(1, ‖∇f(θ₀)‖) and ‖θ_k − θ_{k−1}‖ ≤ xtol·(1 + ‖θ_k‖); it
  converged at k when it is still at k and every later step. Tracking the last
  step that was not still is enough: converged at (that step + 1) if the last
  step is still.

Same operations in the same order as a lone run, element by element: numpy's
+ − × ÷, sqrt and hypot on float64 round exactly like Python's floats, so a
cell's numbers are the lone run's to the bit. Transcendental functions are the
exception: numpy's sin, cos, exp, log and power may use SIMD code (AVX-512
here) that differs from libm's by an ulp, so surfaces built from them
(rastrigin, ackley, formulas with sin/exp/...) agree to a few ulps per step,
which a chaotic run can grow.

Mini-batch regression surfaces: the batch sequence belongs to the run (update k
uses batch k of the seeded shuffle), so every cell uses the same batch at the
same step, as each run would alone; the cells share one batch gradient
computation per step. The surface is copied first, because ``batch_indices``
caches an epoch on the instance and the app's own trajectories may use the
original from another thread.
"""

from __future__ import annotations

import copy

import numpy as np

from .surfaces import Surface
from .trajectory import runaway_limit

GTOL = 1e-6   # Trajectory.converged_at's defaults
XTOL = 1e-9

# status codes of a cell; STATUS[code] is the name written to files
RUNNING, CONVERGED, DIVERGED, INVALID = 0, 1, 2, 3
STATUS = ("running", "converged", "diverged", "invalid")


class CellRun:
    """n runs of one step rule from ``starts`` (shape (n, 2)); ``advance(k)`` steps them to k."""

    def __init__(self, surface: Surface, rule, starts) -> None:
        if surface.batch_size:
            surface = surface.minibatches(surface.batch_size, surface.batch_seed)
        self.surface, self.rule = surface, rule
        self.k = 0
        self._limit = runaway_limit(surface)
        P = np.array(starts, dtype=float).reshape(-1, 2).T.copy()
        n = P.shape[1]
        with np.errstate(all="ignore"):
            f, gx, gy = surface.value_and_grad_xy(P[0], P[1], np)
            if surface.batch_size:
                gx, gy = surface.batch_grad_xy(P[0], P[1], surface.batch_indices(0), np)
            G = _stack(gx, gy, n)
            F = _row(f, n)
            self._P, self._F, self._G = P, F, G
            self._state = rule.init(P)
            self.alive = self._good(P, F, G)
            self._gtol = GTOL * np.maximum(1.0, np.hypot(G[0], G[1]))
        self.diverged_at = np.where(self.alive, -1, 0)
        self._final = P.copy()          # where each dead run stopped, and its loss
        self._final_loss = F.copy()
        self._last_moving = np.zeros(n, dtype=np.int64)   # step 0 always "moves" (from nowhere)

    def advance(self, to_step: int) -> None:
        """Run every cell up to step ``to_step`` (cells that diverged just idle)."""
        surface, update = self.surface, self.rule.update
        P, F, G, state = self._P, self._F, self._G, self._state
        n = P.shape[1]
        alive, last_moving = self.alive, self._last_moving
        batches = bool(surface.batch_size)
        with np.errstate(all="ignore"):
            for k in range(self.k + 1, to_step + 1):
                if not alive.any():
                    break
                delta, state = update(G, state, P, np)
                Pn = P + delta
                x, y = Pn
                if batches:
                    f = surface.value_xy(x, y, np)
                    gx, gy = surface.batch_grad_xy(x, y, surface.batch_indices(k), np)
                else:
                    f, gx, gy = surface.value_and_grad_xy(x, y, np)
                G = _stack(gx, gy, n)      # a new array: a state may keep the last one (SGD's buffer)
                Fn = _row(f, n)
                bad = alive & ~self._good(Pn, Fn, G)
                if bad.any():
                    self._final[:, bad] = P[:, bad]
                    self._final_loss[bad] = F[bad]
                    self.diverged_at[bad] = k
                    alive &= ~bad
                np.putmask(last_moving, ~self._still(P, Pn, G), k)
                P, F = Pn, Fn
        self._P, self._F, self._G, self._state = P, F, G, state
        self.k = max(self.k, to_step)

    def _still(self, P, Pn, G) -> np.ndarray:
        """Trajectory's test, ‖∇f‖ ≤ gtol·max(1, ‖∇f₀‖) and ‖θ_k − θ_{k−1}‖ ≤ xtol·(1 + ‖θ_k‖),
        with np.hypot's own roundings; the move is looked at only where the gradient passes."""
        gtol = self._gtol
        still = hypot_at_most(G[0], G[1], gtol, gtol, lambda i: gtol[i])
        i = np.flatnonzero(still)
        if i.size:
            x, y = Pn[0, i], Pn[1, i]
            m = np.maximum(np.abs(x), np.abs(y))      # ≤ hypot(x, y) ≤ 2m, once rounded
            still[i] = hypot_at_most(x - P[0, i], y - P[1, i], XTOL * (1 + m), XTOL * (1 + 2 * m),
                                     lambda j: XTOL * (1 + np.hypot(x[j], y[j])))
        return still

    def _good(self, P, F, G) -> np.ndarray:
        """Trajectory's test: inside the runaway box, loss and gradient finite (nan fails all)."""
        lim = self._limit
        return ((np.abs(P[0]) < lim) & (np.abs(P[1]) < lim) & np.isfinite(F)
                & np.isfinite(G[0]) & np.isfinite(G[1]))

    def result(self):
        """(point (n, 2), loss (n,), status codes (n,), step (n,)) after ``self.k`` steps.

        point and loss are the last good ones of a diverged run (its start, with the
        start's loss, when even the start was bad); step is where it diverged or
        converged, −1 while still running.
        """
        dead = ~self.alive
        point = np.where(dead, self._final, self._P).T.copy()
        loss = np.where(dead, self._final_loss, self._F)
        still = (self._last_moving < self.k) & (self.k >= 1)
        status = np.where(dead, DIVERGED, np.where(still, CONVERGED, RUNNING)).astype(np.int8)
        step = np.where(dead, self.diverged_at, np.where(still, self._last_moving + 1, -1))
        return point, loss, status, step


def with_lr(optimizer, lrs):
    """A copy of ``optimizer`` whose lr is an array, one learning rate per cell.

    Every update rule uses lr only in arithmetic (never in a branch), so one
    optimizer with lr = [γ₁ … γₙ] (shape (n,), broadcast against the (2, n)
    arrays) runs n optimizers at once, each element through the same float
    operations as that cell's own optimizer, bit for bit.
    """
    out = copy.copy(optimizer)
    out.lr = np.asarray(lrs, dtype=float)
    return out


def hypot_at_most(a, b, lo, hi, exact_t) -> np.ndarray:
    """``np.hypot(a, b) <= t`` elementwise, for a threshold t ≥ 1e-100 known to lie in [lo, hi].

    np.hypot costs about 13 ns an element (a product, 0.2 ns), so it is called
    only where the answer is not sure without it (``exact_t(indices)`` gives t
    there), which is rare. hypot is rounded faithfully, so with s = a² + b²
    rounded and m = max(|a|, |b|), both floats:

    * a finite s ≤ lo²·(1 − 2⁻⁴⁰) makes the exact √(a² + b²) < lo ≤ t (the
      margin covers the three roundings of s and lo²; squares that underflow
      are off by < 2⁻¹⁰⁷⁴, nothing beside t² ≥ 1e-200), so the rounded hypot ≤ t;
    * m > hi ≥ t makes the rounded hypot ≥ m > t (m ≤ √(a² + b²) and is a float).
    A nan in a or b fails both and the exact test, as it fails ``<=``.
    """
    out = a * a + b * b <= np.minimum(lo * lo * _SURE, _MAX)   # an overflowed s is never sure
    unsure = ~out & (np.maximum(np.abs(a), np.abs(b)) <= hi)
    if unsure.any():
        i = np.flatnonzero(unsure)
        out[i] = np.hypot(a[i], b[i]) <= exact_t(i)
    return out


_SURE = 1.0 - 2.0**-40
_MAX = np.finfo(float).max


def _stack(gx, gy, n: int) -> np.ndarray:
    """(2, n) from two rows; a constant (a formula's gradient may be one) is repeated."""
    G = np.empty((2, n))
    G[0] = gx
    G[1] = gy
    return G


def _row(f, n: int) -> np.ndarray:
    f = np.asarray(f, dtype=float)
    return f if f.shape == (n,) else np.broadcast_to(f, (n,)).copy()
