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
+ − × ÷ and sqrt on float64 round exactly like Python's floats, so a cell's
numbers are the lone run's to the bit. numpy's transcendental functions are
the exception: with AVX-512 (this machine) its exp, log, tanh and power use
SIMD code that differs from libm's by an ulp on a few per cent of arguments
(measured: exp 5 %, power x**3 3 %, log 0.1 %; sin and cos agreed), so
surfaces built from them (ackley, formulas with exp/log/tanh or powers other
than ², and rastrigin wherever sin/cos differ) agree to a few ulps a step,
which a chaotic run can grow. The built-in polynomial surfaces and the
regression surface are bit for bit.

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

from ..surfaces import Surface
from ..trajectory import runaway_limit

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
            self._gtol_squares = squares(self._gtol, self._gtol)
            self._box = squares(self._limit, self._limit)[0]    # ‖θ‖² ≤ box: |x|, |y| < limit
        self.diverged_at = np.where(self.alive, -1, 0)
        self._final = P.copy()          # where each dead run stopped, and its loss
        self._final_loss = F.copy()
        self._last_moving = np.zeros(n, dtype=np.int64)   # step 0 always "moves" (from nowhere)

    def advance(self, to_step: int) -> None:
        """Run every cell up to step ``to_step`` (cells that diverged just idle)."""
        surface, update = self.surface, self.rule.update
        wants_loss = getattr(self.rule, "wants_loss", False)
        points = getattr(self.rule, "returns_points", False)   # the new θ, not θ′ − θ
        P, F, G, state = self._P, self._F, self._G, self._state
        n = P.shape[1]
        alive, last_moving = self.alive, self._last_moving
        dead = ~alive
        n_dead = int(np.count_nonzero(dead))
        batches = bool(surface.batch_size)
        with np.errstate(all="ignore"):
            for k in range(self.k + 1, to_step + 1):
                if n_dead == n:
                    break
                if wants_loss:                 # a schedule stepping on the loss at θ_k
                    delta, state = update(G, state, P, np, loss=F)
                else:
                    delta, state = update(G, state, P, np)
                Pn = delta if points else P + delta
                x, y = Pn
                if batches:
                    f = surface.value_xy(x, y, np)
                    gx, gy = surface.batch_grad_xy(x, y, surface.batch_indices(k), np)
                else:
                    f, gx, gy = surface.value_and_grad_xy(x, y, np)
                G = _stack(gx, gy, n)      # a new array: a state may keep the last one (SGD's buffer)
                Fn = _row(f, n)
                pp = x * x + y * y         # ‖θ_k‖², ‖∇f(θ_k)‖², rounded: the tests' fast paths
                gg = G[0] * G[0] + G[1] * G[1]
                bad = self._diverged(Pn, Fn, G, pp, gg, dead)
                if bad.size:
                    self._final[:, bad] = P[:, bad]
                    self._final_loss[bad] = F[bad]
                    self.diverged_at[bad] = k
                    dead[bad] = True
                    alive[bad] = False
                    n_dead += len(bad)
                last_moving[~self._still(P, Pn, G, pp, gg)] = k
                P, F = Pn, Fn
        self._P, self._F, self._G, self._state = P, F, G, state
        self.k = max(self.k, to_step)

    def _diverged(self, Pn, F, G, pp, gg, dead) -> np.ndarray:
        """Indices of the live cells that fail Trajectory's test at this step: outside the
        runaway box (|x|, |y| < limit), or loss or gradient not finite.

        Sure to pass, without looking further: ‖θ‖² ≤ limit²·(1 − 2⁻⁴⁰) and
        F·0 + ‖∇f‖² < ∞ (F·0 is nan for an infinite F, ‖∇f‖² finite means both
        parts are). Only the others, a diverging run or a huge but finite gradient,
        get the test itself."""
        good = (pp <= self._box) & (F * 0.0 + gg < np.inf)
        good |= dead
        if good.all():
            return _NONE
        i = np.flatnonzero(~good)
        return i[~self._good(Pn[:, i], F[i], G[:, i])]

    def _still(self, P, Pn, G, pp, gg) -> np.ndarray:
        """Trajectory's test, ‖∇f‖ ≤ gtol·max(1, ‖∇f₀‖) and ‖θ_k − θ_{k−1}‖ ≤ xtol·(1 + ‖θ_k‖),
        with np.hypot's own roundings; the move is looked at only where the gradient passes.
        The move's threshold t is bounded through ‖θ_k‖²: (1 + ‖θ‖)² lies between 1 + ‖θ‖²
        and 2(1 + ‖θ‖²) (and below 1 + 10³⁰⁰ is still below, when ‖θ‖² overflowed)."""
        gtol = self._gtol
        still = hypot_at_most(G[0], G[1], gg, *self._gtol_squares, lambda i: gtol[i])
        if not still.any():
            return still
        i = np.flatnonzero(still)
        if 4 * i.size < still.size:                    # few: look at those only
            P, Pn, pp = P[:, i], Pn[:, i], pp[i]
        x, y = Pn
        d = Pn - P
        moved = hypot_at_most(d[0], d[1], d[0] * d[0] + d[1] * d[1],
                              (1.0 + np.minimum(pp, 1e300)) * _MOVE_BELOW, (1.0 + pp) * _MOVE_ABOVE,
                              lambda j: XTOL * (1 + np.hypot(x[j], y[j])))
        if len(x) < still.size:
            still[i] = moved
        else:
            still &= moved
        return still

    def _good(self, P, F, G) -> np.ndarray:
        """Trajectory's test itself: inside the runaway box, loss and gradient finite."""
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


class Columns:
    """Several step rules side by side, each on its own run of cells: one step rule.

    ``Columns([(rule, width), ...])`` updates cells 0..w₁−1 with the first rule,
    the next w₂ with the second, and so on (views of the (2, n) arrays, so each
    rule sees exactly its own cells). A hyper-parameter map runs all its
    columns in one CellRun this way: the surface and the verdicts cost one
    call per step for all of them, only the updates one call per column.
    """

    def __init__(self, parts) -> None:
        edges = np.cumsum([0] + [width for _, width in parts])
        self._parts = [(rule, slice(a, b)) for (rule, _), a, b in zip(parts, edges, edges[1:])]
        self.wants_loss = any(getattr(rule, "wants_loss", False) for rule, _ in self._parts)
        # the new points instead of steps: every part alike (one optimizer class a map)
        self.returns_points = any(getattr(rule, "returns_points", False) for rule, _ in parts)

    def init(self, params):
        return tuple(rule.init(params[:, cut]) for rule, cut in self._parts)

    def update(self, grad, state, params, xp=np, loss=None):
        steps = [rule.update(grad[:, cut], s, params[:, cut], xp, loss=loss[cut])
                 if getattr(rule, "wants_loss", False)
                 else rule.update(grad[:, cut], s, params[:, cut], xp)
                 for (rule, cut), s in zip(self._parts, state)]
        return np.concatenate([delta for delta, _ in steps], axis=1), tuple(s for _, s in steps)


def hypot_at_most(a, b, s, below, above, exact_t) -> np.ndarray:
    """``np.hypot(a, b) <= t`` elementwise, for a threshold t known to lie in [lo, hi].

    ``s`` is a² + b² rounded, ``below, above = squares(lo, hi)`` (or bounds as safe),
    ``exact_t(indices)`` gives t where needed. np.hypot costs about 13 ns an
    element (a product, 0.2 ns), so it is called only where s cannot tell, which
    is rare: s ≤ below makes the exact √(a² + b²) < lo ≤ t, so the rounded hypot
    ≤ t; s > above makes it > hi·(1 + 2⁻⁴³), past the float after t, so the
    rounded hypot > t (hypot is rounded faithfully). A nan gives False, as
    ``<=`` does; dead runs, all nan, never reach np.hypot.
    """
    out = s <= below
    unsure = (s <= above) ^ out                 # below ≤ above: out implies s ≤ above
    if unsure.any():
        i = np.flatnonzero(unsure)
        out[i] = np.hypot(a[i], b[i]) <= exact_t(i)
    return out


def squares(lo, hi):
    """The bounds on a² + b² for ``hypot_at_most``, for 1e-100 ≤ lo ≤ t ≤ hi.

    A margin of 2⁻⁴⁰ covers the three roundings of s and the two of lo², hi²
    (squares that underflow are off by < 2⁻¹⁰⁷⁴, nothing beside lo² ≥ 1e-200).
    An lo² that overflowed is capped below the largest float, which is below
    the exact lo²; an s that overflowed is never below, nor above an hi² that
    overflowed.
    """
    return np.minimum(lo * lo * _BELOW, _MAX * _BELOW), hi * hi * _ABOVE


_BELOW, _ABOVE = 1.0 - 2.0**-40, 1.0 + 2.0**-40
_MOVE_BELOW = XTOL * XTOL * _BELOW           # t² ≥ xtol²·(1 + ‖θ‖²), less the margin
_MOVE_ABOVE = 2.0 * XTOL * XTOL * _ABOVE     # t² ≤ 2·xtol²·(1 + ‖θ‖²), plus the margin
_MAX = np.finfo(float).max
_NONE = np.zeros(0, dtype=np.intp)


def _stack(gx, gy, n: int) -> np.ndarray:
    """(2, n) from two rows; a constant (a formula's gradient may be one) is repeated."""
    G = np.empty((2, n))
    G[0] = gx
    G[1] = gy
    return G


def _row(f, n: int) -> np.ndarray:
    f = np.asarray(f, dtype=float)
    return f if f.shape == (n,) else np.broadcast_to(f, (n,)).copy()
