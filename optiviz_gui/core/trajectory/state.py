"""A trajectory's optimizer state at any step, replayed from checkpoints.

The run loop keeps the state every ``CHECKPOINT`` steps (and the live one at
the end); the state after k updates is the nearest checkpoint at or before k
advanced with the stored gradients and param groups — the same update rule on
the same numbers, so it is the state the run had (LBFGS re-evaluates its closure).
"""

from __future__ import annotations

import numpy as np

from .. import scalar
from ..stepping import NUMERIC_ERRORS

CHECKPOINT = 256


class StateMixin:
    """For Trajectory: needs ``plan``, ``scheduled``, ``dim``, ``surface``, ``params``,
    ``diverged``, ``group_at``, ``_checkpoints``, ``_live``, ``_n``, ``_P``, ``_G``,
    ``_closure_at`` and ``_f_and_g_vector``."""

    def state_at(self, k: int) -> dict[str, object]:
        """The optimizer's state after k updates, under torch's names.

        Buffers come back as arrays of shape (D,); ``step`` as an int; LBFGS's
        history as it keeps it. Replayed from the nearest checkpoint with the
        stored gradients and groups (LBFGS: with its closure).
        """
        if not 0 <= k <= self._n:
            raise IndexError(f"step {k} is not in this run (0..{self._n})")
        return self._state_dict(self._raw_state(k))

    def states(self):
        """The state after every step 0..n (as ``state_at``), in one forward pass."""
        if self._n < 0:
            return
        state = self._checkpoints[0][0]
        for k in range(self._n + 1):
            if k:
                state = self._advance(k - 1, state)[1]
            yield self._state_dict(state)

    def _state_dict(self, state) -> dict[str, object]:
        if self.plan.loop == "scalar":
            sx, sy = state
            return {name: a if name == "step" else np.array([a, b], dtype=float)
                    for name, a, b in zip(sx._fields, sx, sy)}
        return {name: (np.asarray(v, dtype=float) if isinstance(v, np.ndarray) else v)
                for name, v in zip(state._fields, state)}

    def _raw_state(self, k: int):
        live = self._live
        if k == live.k:                 # the live state: what the views ask for while playing
            return live.state
        c = (k // CHECKPOINT) * CHECKPOINT
        state = self._checkpoints[c][0]
        for j in range(c, k):
            state = self._advance(j, state)[1]
        return state

    def _advance(self, j: int, state):
        """(θ_{j+1} − θ_j, state after the update from step j), from the stored step j."""
        plan = self.plan
        cur = plan.optimizer.scheduled(**self.group_at(j)) if self.scheduled else plan.optimizer
        theta = self._P[j]
        if plan.loop == "closure":
            new, state, _ = cur.step(theta, state, self._closure_at(j))
            return np.asarray(new) - theta, state
        if plan.loop == "scalar":
            gx, gy = plan.clip_xy(float(self._G[j, 0]), float(self._G[j, 1]))
            dx, sx = cur.update(gx, state[0], float(theta[0]), scalar)
            dy, sy = cur.update(gy, state[1], float(theta[1]), scalar)
            return np.array([dx, dy], dtype=float), (sx, sy)
        live = self._live
        g = live.g if j == live.k else self._full_grad(j)
        with np.errstate(all="ignore"):
            return cur.update(plan.clip(g), state, theta, np)

    def _full_grad(self, j: int) -> np.ndarray:
        if self.dim == 2:
            return self._G[j]
        return self._f_and_g_vector(self._P[j], j)[1]

    def next_update(self, j: int) -> np.ndarray | None:
        """θ_{j+1} − θ_j as the views draw it: the stored step, or at the last computed
        step the step the optimizer would take next (None if that is not finite, or the
        run diverged there)."""
        live = self._live
        if j < live.k:
            p = self.params
            return p[j + 1] - p[j]
        if self.diverged or not 0 <= j <= live.k:
            return None
        try:
            with np.errstate(all="ignore"):
                d = np.asarray(self._advance(j, live.state)[0], dtype=float)
        except NUMERIC_ERRORS:
            return None
        if self.dim > 2:                       # as drawn: on the plane
            d = self.surface.project(self._P[j] + d)[0] - self.params[j]
        return d if np.all(np.isfinite(d)) else None
