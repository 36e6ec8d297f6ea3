"""A trajectory's param groups: the lr (and the momentum or betas a schedule moves) of each update.

A scheduled run keeps, per update, the numbers of the group it used
(``stepping.group_values``: lr, then momentum or β₁, β₂); the live end's group
is the scheduler's now. Without a schedule every update has the optimizer's lr.
"""

from __future__ import annotations

import numpy as np

from ..stepping import group_values


class GroupsMixin:
    """For Trajectory: needs ``plan``, ``scheduled``, ``optimizer``, ``_groups``, ``_n``
    and ``_live``."""

    def lr_at(self, k: int) -> float:
        """The learning rate of the update from step k (the scheduler's, when there is one)."""
        return self.group_at(k)["lr"]

    def group_at(self, k: int) -> dict:
        """{"lr": …} (and the momentum or betas a schedule moves) of the update from step k."""
        plan = self.plan
        if not self.scheduled:
            return {"lr": self.optimizer.lr}
        k_live, sched = self._live_end()
        if k < k_live:
            values = tuple(self._groups[k])
        else:
            values = group_values(plan.scheduler.group(sched), plan.moved)
        return group_dict(values, plan.moved)

    def _live_end(self):
        """(step, scheduler state) of the published end — one read, as a worker may publish
        meanwhile (it sets ``_live`` before ``_n``); the initial state if even the start was bad."""
        if self._n < 0:
            return 0, self.plan.scheduler.init()
        live = self._live
        return live.k, live.sched

    @property
    def lrs(self) -> np.ndarray:
        """The learning rate of every update so far, (steps,) — constant without a schedule."""
        n = max(self._n, 0)
        if self.scheduled:
            return self._groups[:n, 0]
        return np.full(n, float(self.optimizer.lr))

    def group_history(self, k: int) -> dict[str, np.ndarray]:
        """The group of every update from steps 0..k (k ≤ ``steps``), arrays of k + 1:
        "lr", and "momentum" — the momentum, or β₁ for the Adam family — when the
        schedule moves it. The last entry is the update from step k: at the live end,
        the scheduler's group now (``group_at``)."""
        k = max(0, min(int(k), self._n))
        if not self.scheduled:
            return {"lr": np.full(k + 1, float(self.optimizer.lr))}
        moved = self.plan.moved
        stored = self._groups[:k]
        k_live, sched = self._live_end()
        last = group_values(self.plan.scheduler.group(sched), moved) \
            if k >= k_live else self._groups[k]
        out = {"lr": np.append(stored[:, 0], last[0])}
        if len(moved) > 1:
            out["momentum"] = np.append(stored[:, 1], last[1])
        return out


def group_dict(values, moved: tuple[str, ...]) -> dict:
    """The stored numbers of a group (stepping.group_values) back as a param group."""
    out = {"lr": float(values[0])}
    if "momentum" in moved:
        out["momentum"] = float(values[1])
    if "betas" in moved:
        out["betas"] = (float(values[1]), float(values[2]))
    return out
