"""The arrows drawn at each run's current point: what they mean and how long they are.

At the current point θ_k of each shown run, in data units:

    update     Δ = θ_{k+1} − θ_k: the stored step when it exists, otherwise the
               step the optimizer is about to take (``Trajectory.next_update``),
               at its true length
    gradient   −s·g_k,  s = GRAD_FRACTION · diag(window) / |∇f(θ_0)|, g_k the gradient
               the update from θ_k saw: clipped for a run that clips
               (``Trajectory.clipped_grad``): the arrow shows what the optimizer got
    velocity   the optimizer's running average of gradients (``Optimizer.velocity``
               names the state buffer): −s·b_k when it is in gradient units
               (SGD's momentum_buffer, the Adam family's exp_avg), −γ·b_k at true
               length when it averages already-scaled steps (RMSprop's
               momentum_buffer; γ the lr of the update from θ_k, the schedule's when
               there is one). Omitted when the optimizer keeps none or it is zero.

The gradient scale s comes from the first shown run's unclipped gradient, so arrows
of different runs (clipped or not) compare; lengths in gradient units are capped at
CAP_FRACTION · diag(window).

Each arrow carries the run it belongs to (``Arrows.runs``, the run's index in the
simulation), so a view draws it in that run's colour and can show one run's alone.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

ARROW_KINDS = ("gradient", "update", "velocity")
GRAD_FRACTION = 0.15
CAP_FRACTION = 0.6


class Arrows(NamedTuple):
    """The arrows of one kind: ``vectors`` (m, 4) rows x0, y0, dx, dy, and ``runs`` (m,)
    the run each row belongs to."""

    vectors: np.ndarray
    runs: np.ndarray

    def of(self, run: int) -> np.ndarray:
        """The (0 or 1, 4) rows of one run."""
        return self.vectors[self.runs == run]

    def only(self, run: int | None) -> "Arrows":
        """These arrows, or only one run's (None: all of them)."""
        if run is None:
            return self
        keep = self.runs == run
        return Arrows(self.vectors[keep], self.runs[keep])


def arrow_vectors(surface, trajectories, k: int, which, runs=None) -> dict[str, Arrows]:
    """The arrows of each kind switched on in ``which`` (gradient, update, velocity
    flags), one per trajectory that has the arrow at step k; ``runs`` gives each
    trajectory's run index (default 0, 1, ...)."""
    on = dict(zip(ARROW_KINDS, which))
    runs = list(range(len(trajectories))) if runs is None else [int(i) for i in runs]
    out: dict[str, list] = {kind: [] for kind in ARROW_KINDS}
    owner: dict[str, list] = {kind: [] for kind in ARROW_KINDS}
    if any(on.values()) and trajectories:
        (bx0, bx1), (by0, by1) = surface.bounds
        diag = math.hypot(bx1 - bx0, by1 - by0)
        g0 = float(np.hypot(*trajectories[0].grad[0]))
        s = GRAD_FRACTION * diag / g0 if g0 > 0 else 0.0
        cap = CAP_FRACTION * diag
        for i, t in zip(runs, trajectories):
            j = min(k, t.steps)
            x, y = t.params[j]
            vectors = {"gradient": _capped(-s * t.clipped_grad(j), cap)
                       if on["gradient"] and s else None,
                       "update": t.next_update(j) if on["update"] else None,
                       "velocity": velocity_arrow(t, j, s, cap) if on["velocity"] else None}
            for kind in ARROW_KINDS:
                if on[kind] and vectors[kind] is not None:
                    out[kind].append((x, y, *vectors[kind]))
                    owner[kind].append(i)
    return {kind: Arrows(np.array(out[kind], dtype=float).reshape(-1, 4),
                         np.array(owner[kind], dtype=np.int64)) for kind in ARROW_KINDS}


def velocity_arrow(t, j: int, scale: float, cap: float) -> np.ndarray | None:
    """The velocity arrow's vector at step j (see the module docstring), or None."""
    spec = type(t.optimizer).velocity
    if spec is None:
        return None
    name, units = spec
    b = t.state_at(j).get(name)
    if b is None or not np.all(np.isfinite(b)) or not np.any(b != 0):
        return None
    b = np.asarray(b, dtype=float)
    if units == "step":
        return -t.lr_at(j) * b
    return _capped(-scale * b, cap) if scale else None


def _capped(v: np.ndarray, cap: float) -> np.ndarray:
    n = float(np.hypot(*v))
    return v * (cap / n) if n > cap else v
