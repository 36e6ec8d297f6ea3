"""A trajectory's verdict at step k: diverged, converged, or still going — in one wording.

    diverged at n     the point, loss or gradient of step n was not finite, or left
                      the runaway box (the history ends at n − 1)
    converged at c    from step c up to step k the run stayed put:
                      ‖∇f(θ_i)‖ ≤ GTOL·max(1, ‖∇f(θ₀)‖) and ‖θ_i − θ_{i−1}‖ ≤ XTOL·(1 + ‖θ_i‖)
                      for every i in c..k
    still since c     the same, but the run had already stayed put for SETTLED steps or
                      more once and then moved away again: it may do so again

Why "still since": Adam at lr 0.1 on the blog example stays put from step 406 to
11 122, then bursts out (its √v has decayed with the gradient until ε no longer
keeps the step small) and keeps bursting every few hundred steps; at step 20 000
it has been put for 28 steps. "Converged at 19 972" would be a promise its own
history breaks; "still since 19 972" is what it is. A one-step pause at a turn
(the criterion holds for a single step, it happens) is not a relapse: only a
stretch of SETTLED steps counts.

The legend and the status bar read ``status_text``, so they say the same
("diverged at start", "diverged at 12", "converged at 40", "still since 19972").
``converged_at`` is the raw criterion (the maps and the exports use it).
"""

from __future__ import annotations

import numpy as np

GTOL = 1e-6      # converged: gradient below GTOL of the start's (at least 1)
XTOL = 1e-9      # ... and steps below XTOL·(1 + ‖θ‖)
SETTLED = 10     # a still stretch this long that ends is a relapse for every later one


class StatusMixin:
    """For Trajectory: needs ``params``, ``grad``, ``diverged_at``, ``_n`` and ``_converged``."""

    def converged_at(self, k: int | None = None, gtol: float = GTOL,
                     xtol: float = XTOL) -> int | None:
        """The step c ≤ k from which the run has stayed put up to step k (default: the
        last computed step); None if it moves at k."""
        n = self._n                    # once: a worker may be extending the run
        k = n if k is None else min(int(k), n)
        if k < 1:
            return None
        key = (n, gtol, xtol)
        if self._converged[0] != key:  # the legend, status bar and header all ask
            self._converged = (key, *self._still_since(n, gtol, xtol))
        c = int(self._converged[1][k])
        return c if c >= 0 else None

    def status_at(self, k: int) -> tuple[str, int] | None:
        """("diverged", n) once step k has reached the step n that went bad,
        ("converged", c) when it has stayed put from c up to k, ("still", c) when it
        has but had settled once before and moved away again, else None."""
        if self.diverged_at is not None and k >= self.diverged_at:
            return ("diverged", self.diverged_at)
        c = self.converged_at(k)
        if c is None:
            return None
        relapse = self._converged[2]
        return ("still", c) if relapse is not None and c > relapse else ("converged", c)

    def status_text(self, k: int) -> str:
        """The status in words: "diverged at start", "diverged at 12", "converged at 40",
        "still since 19972" or ""."""
        status = self.status_at(k)
        if status is None:
            return ""
        what, n = status
        if what == "still":
            return f"still since {n}"
        return f"{what} at {'start' if n == 0 else n}"

    def _still_since(self, n: int, gtol: float, xtol: float):
        """(since, first relapse): for each step i ≤ n the first step of the still
        stretch that reaches i (-1 when step i moves; step 0 counts as moving: there is
        no step before it), and ``_first_relapse`` of that. Worked out once per step as
        the run grows (a 10⁶-step run is asked at every frame while it fills in)."""
        key, since, relapse = getattr(self, "_since", (None, np.zeros(0, np.int64), None))
        if key != (gtol, xtol):
            since, relapse = np.zeros(0, np.int64), None
        m = len(since)
        if m < n + 1:
            grad, p = self.grad[: n + 1], self.params[: n + 1]
            g = np.hypot(grad[m:, 0], grad[m:, 1])
            g0 = float(np.hypot(*grad[0]))
            if m == 0:
                move = np.r_[np.inf, np.hypot(*np.diff(p, axis=0).T)]
            else:
                move = np.hypot(*(p[m:] - p[m - 1:n]).T)
            still = (g <= gtol * max(1.0, g0)) & (
                move <= xtol * (1 + np.hypot(p[m:, 0], p[m:, 1])))
            idx = np.arange(m, n + 1)
            carry = -1 if m == 0 else (since[-1] - 1 if since[-1] >= 0 else m - 1)
            last_moving = np.maximum.accumulate(np.r_[carry, np.where(still, -1, idx)])[1:]
            since = np.concatenate([since, np.where(still, last_moving + 1, -1)])
            if relapse is None:             # look again from the end of the last stretch
                start = max(0, m - 1)
                relapse = _first_relapse(since[start:], start)
            self._since = ((gtol, xtol), since, relapse)
        return since[: n + 1], (relapse if relapse is not None and relapse <= n else None)


def _first_relapse(since: np.ndarray, offset: int = 0) -> int | None:
    """The step that moved after the first still stretch of SETTLED steps or more
    (``since`` as ``_still_since`` gives it, from step ``offset`` on), or None when no
    such stretch ended."""
    still = since >= 0
    ends = np.flatnonzero(still[:-1] & ~still[1:]) + offset   # still at i, moving at i + 1
    long = ends[ends - since[ends - offset] + 1 >= SETTLED]
    return int(long[0]) + 1 if len(long) else None
