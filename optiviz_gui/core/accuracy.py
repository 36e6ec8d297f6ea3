"""A network run's training accuracy per step, computed once per step as the run grows.

    accuracy(trajectory) -> (steps + 1,) array, or None on a surface that is not a network

The accuracy at step k is the fraction of the training points the network θ_k
classifies right: class 1 where its output logit is > 0 (P(class 1) > 0.5),
the same rule as ``MLP.accuracy``. It is read per frame while playback runs, so
it is kept per trajectory (a trajectory's history only grows; an edit makes a
new one) and only the steps added since the last call are evaluated, all of them
in one vectorised call (``MLP.accuracy`` over θ of shape (m, P), chunked). The
values are stored in a buffer that doubles as it fills, so a long run costs
O(steps) in all, not O(steps²). A 2-8-8-1 net on 200 points evaluates about
10⁵ steps a second this way (benchmarks/mlp.py).
"""

from __future__ import annotations

import threading
import weakref

import numpy as np

_kept: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # trajectory -> [buffer, n]
_lock = threading.Lock()        # the window's thread and an export may both ask


def accuracy(trajectory) -> np.ndarray | None:
    """Fraction of the points classified right at each step 0..steps (see the module
    docstring); None when the run's surface has no labelled points to classify."""
    fn = getattr(trajectory.surface, "accuracy", None)
    if fn is None:
        return None
    theta = trajectory.theta               # once: a worker may be extending the run
    with _lock:
        kept = _kept.get(trajectory)
        if kept is None:
            kept = _kept[trajectory] = [np.empty(max(16, len(theta))), 0]
        buffer, n = kept
        if n < len(theta):
            if len(theta) > len(buffer):
                grown = np.empty(max(len(theta), 2 * len(buffer)))
                grown[:n] = buffer[:n]
                kept[0] = buffer = grown
            buffer[n:len(theta)] = fn(theta[n:])
            kept[1] = len(theta)
        return buffer[:len(theta)]


__all__ = ["accuracy"]
