"""The loss and gradient each step of a trajectory sees, as the loops want them.

A run's update from θ_k uses the full loss f(θ_k) for its history and, with
mini-batches, the gradient of batch k's loss (``surface.batch_indices(k)``);
ReduceLROnPlateau steps on batch k's loss, and LBFGS's closure evaluates batch
k's loss and gradient at every point it tries. On a network (``dim > 2``) θ is
the whole parameter vector and the surface's ``value_and_grad_theta`` serves.
"""

from __future__ import annotations

import numpy as np

from .. import scalar


class ClosuresMixin:
    """For ``Trajectory``: the surface, per step (uses ``surface`` and ``dim``)."""

    def _batch(self, k: int):
        return self.surface.batch_indices(k) if self.surface.batch_size else None

    def _f_and_g_xy(self):
        """(x, y, k) -> (full loss, the update's gradient x, y) on floats, for the scalar loop."""
        s = self.surface
        if not s.batch_size:
            def f_and_g(x, y, k, _fg=s.value_and_grad_xy, _xp=scalar):
                return _fg(x, y, _xp)
        else:
            def f_and_g(x, y, k):
                return (s.value_xy(x, y, scalar), *s.batch_grad_xy(x, y, s.batch_indices(k), scalar))
        f_and_g.batch_loss = lambda x, y, k: self._batch_loss(np.array([x, y]), k)
        return f_and_g

    def _vector_fn(self):
        """(θ, k) -> (full loss, the update's gradient (D,)) on arrays."""
        def f_and_g(theta, k):
            return self._f_and_g_vector(theta, k)
        f_and_g.batch_loss = self._batch_loss
        return f_and_g

    def _f_and_g_vector(self, theta, k):
        s = self.surface
        if self.dim > 2:
            f, g = s.value_and_grad_theta(theta)
            return float(f), g
        f, g = s.value_and_grad(theta)
        idx = self._batch(k)
        if idx is not None:
            g = np.array(s.batch_grad_xy(theta[0], theta[1], idx, np), dtype=float)
        return float(f), g

    def _batch_loss(self, theta, k):
        """The mini-batch's loss at θ (ReduceLROnPlateau steps on it); the full loss without."""
        idx = self._batch(k)
        if idx is None:
            return self._f_and_g_vector(theta, k)[0]
        return float(self.surface.batch_value_xy(theta[0], theta[1], idx))

    def _closure_at(self, k: int):
        """The closure of LBFGS's update from step k: the batch's loss and gradient at θ."""
        s, idx = self.surface, self._batch(k)
        if idx is None:
            return lambda theta: self._f_and_g_vector(np.asarray(theta, dtype=float), k)
        return lambda theta: (s.batch_value_xy(theta[0], theta[1], idx),
                              np.array(s.batch_grad_xy(theta[0], theta[1], idx, np)))
