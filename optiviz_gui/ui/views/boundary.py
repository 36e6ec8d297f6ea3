"""The data panel on a network surface: the labelled points and each run's decision boundary.

As TensorFlow Playground draws it, but for every run at once: the two classes
of points (class 0 light blue circles, class 1 light orange squares — Paul Tol's
colour-blind-safe "light" pair, paler than the runs' saturated Okabe & Ito
colours and told apart by shape as well), and for every enabled run the line
where its network θ_k at the current step k says "class 1 with probability ½",
net(x) = 0, in the run's colour. Playback shows the boundaries forming.

A boundary is the level 0 of the network's logits on a ``GRID`` × ``GRID`` grid
over the data's window (``MLPSurface.decision_grid(θ, logits=True)``; the logit,
not σ of it, is interpolated: it is linear in x for a net without hidden layers,
and σ saturates), traced by the contour view's marching squares
(levels.isolines). One costs about 1 ms for a 2-8-8-1 net at 100 × 100 (grid 0.9
ms, iso-line 0.15 ms; benchmarks/mlp.py), so a frame of three runs stays far
under the 33 ms of 30 fps; it is still kept per (trajectory, step), so stepping
back and forth or replaying draws from the cache. A trajectory's history never
changes (an edit makes a new one), so the cache is keyed by the trajectory
object, weakly: an edited run's old boundaries go with its old trajectory.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from .levels import isolines

GRID = 100                         # decision grid points per side
KEEP = 4096                        # boundaries kept per trajectory (about 6 kB each)
CLASS_COLORS = ("#77AADD", "#EE8866")      # Tol's light blue and light orange
CLASS_SYMBOLS = ("o", "s")


class Boundaries:
    """The points and boundary curves of a network surface on ``plot``."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.points = []
        for label, (color, symbol) in enumerate(zip(CLASS_COLORS, CLASS_SYMBOLS)):
            item = pg.ScatterPlotItem(size=6 if symbol == "o" else 5, symbol=symbol,
                                      brush=pg.mkBrush(color))
            item.setZValue(2 + label)
            plot.addItem(item)
            self.points.append(item)
        self.curves: list[pg.PlotCurveItem] = []
        self.surface = None
        self.window = None
        self.labels = ("", "")            # the classes' legend texts
        self._cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def apply_theme(self, theme) -> None:
        for item in self.points:
            item.setPen(pg.mkPen(theme.background, width=0.8))

    # ---------------------------------------------------------- drawing
    def show(self, surface) -> tuple[tuple[float, float], tuple[float, float]]:
        """Draw ``surface``'s points; returns the window the boundaries are traced in."""
        self.surface = surface
        self.window = surface.data_bounds()
        X, y = surface.data
        for label, item in enumerate(self.points):
            mine = X[y == label]
            item.setData(mine[:, 0], mine[:, 1])
        self.labels = tuple(f"class {c} ({int(np.sum(y == c)):,} points)" for c in (0, 1))
        return self.window

    def hide(self) -> None:
        """Nothing of a network drawn (another surface is shown)."""
        self.surface = self.window = None
        for item in self.points:
            item.setData([], [])
        for i in range(len(self.curves)):
            self._clear(i)

    def draw_run(self, i: int, sim) -> None:
        """Run i's boundary at the current step (hidden when the run is off or has none)."""
        while len(self.curves) <= i:
            curve = pg.PlotCurveItem(antialias=True, connect="pairs")
            curve.setZValue(10)
            self.plot.addItem(curve)
            self.curves.append(curve)
        run, t = sim.runs[i], sim.trajectories[i]
        if self.surface is None or not run.enabled or t.steps < 0:
            self._clear(i)
            return
        x, y = self.boundary(t, min(sim.step, t.steps))
        curve = self.curves[i]
        curve.setPen(pg.mkPen(sim.colors()[i], width=2.5, cap=QtCore.Qt.PenCapStyle.RoundCap))
        curve.setData(x, y, connect="pairs")
        curve.setVisible(bool(len(x)))

    def hide_from(self, n: int) -> None:
        """Hide the curves of runs n and later (removed runs)."""
        for i in range(n, len(self.curves)):
            self._clear(i)

    def _clear(self, i: int) -> None:
        self.curves[i].setData([], [])
        self.curves[i].setVisible(False)

    def boundary(self, t, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Segments (x, y as point pairs) of net(x) = 0 for trajectory t's θ_k, cached."""
        kept = self._cache.get(t)
        if kept is None:
            kept = self._cache[t] = OrderedDict()
        segments = kept.get(k)
        if segments is None:
            xs, ys, z = self.surface.decision_grid(t.theta[k], GRID, self.window, logits=True)
            segments = kept[k] = isolines(xs, ys, z, [0.0])
            if len(kept) > KEEP:
                kept.popitem(last=False)
        return segments

    # ---------------------------------------------------------- inspection
    def drawn(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Run i's drawn boundary as point pairs (x, y); empty when not drawn."""
        if i >= len(self.curves) or not self.curves[i].isVisible():
            return np.zeros(0), np.zeros(0)
        x, y = self.curves[i].getData()
        return (np.zeros(0), np.zeros(0)) if x is None else (np.asarray(x), np.asarray(y))


__all__ = ["Boundaries", "GRID", "CLASS_COLORS"]
