"""The data panel on a network surface: the labelled points and each run's decision boundary.

As TensorFlow Playground draws it, but for every run at once: the two classes
of points (class 0 light blue circles, class 1 light orange squares — Paul Tol's
colour-blind-safe "light" pair, paler than the runs' saturated Okabe & Ito
colours and told apart by shape as well), and for every enabled run the line
where its network θ_k at the current step k says "class 1 with probability ½",
net(x) = 0, in the run's colour. Playback shows the boundaries forming. Under
them, faintly, the selected run's (the run list's) probability of class 1 over
the window: the class colours fading to the background at ½.

A boundary is the level 0 of the network's logits on a ``GRID`` × ``GRID`` grid
over the data's window (``MLPSurface.decision_grid(θ, logits=True)``; the logit,
not σ of it, is interpolated: it is linear in x for a net without hidden layers,
and σ saturates), traced by the contour view's marching squares
(levels.isolines). One costs under 1 ms for a 2-8-8-1 net at 100 × 100 (grid
0.3–0.5 ms, iso-line 0.15–0.2 ms; benchmarks/mlp.py), so a frame of three runs
stays far under the 33 ms of 30 fps; it is still kept per (trajectory, step), so stepping
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

from ..style.theme import hex_rgb
from .levels import isolines

GRID = 100                         # decision grid points per side
KEEP = 4096                        # boundaries kept per trajectory (about 6 kB each)
CLASS_COLORS = ("#77AADD", "#EE8866")      # Tol's light blue and light orange
CLASS_SYMBOLS = ("o", "s")
SHADE_ALPHA = 70                   # the background's opacity at P = 0 and 1 (of 255)


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
        self.shade = pg.ImageItem(axisOrder="col-major")      # the selected run's P(class 1)
        self.shade.setZValue(-10)
        plot.addItem(self.shade)
        self.selected = 0
        self.curves: list[pg.PlotCurveItem] = []
        self.surface = None
        self.window = None
        self.labels = ("", "")            # the classes' legend texts
        self._cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def apply_theme(self, theme) -> None:
        for item in self.points:
            item.setPen(pg.mkPen(theme.background, width=0.8))
        self.shade.setLookupTable(shade_colors(theme.background))

    # ---------------------------------------------------------- drawing
    def show(self, surface) -> tuple[tuple[float, float], tuple[float, float]]:
        """Draw ``surface``'s points; returns the window the boundaries are traced in."""
        self.surface = surface
        self.window = surface.data_bounds()
        X, y = surface.data
        for label, item in enumerate(self.points):
            mine = X[y == label]
            item.setData(mine[:, 0], mine[:, 1])
        (x0, x1), (y0, y1) = self.window
        cell_x, cell_y = (x1 - x0) / (GRID - 1), (y1 - y0) / (GRID - 1)
        self.shade.setImage(np.full((GRID, GRID), 0.5), autoLevels=False, levels=(0.0, 1.0))
        self.shade.setRect(QtCore.QRectF(x0 - cell_x / 2, y0 - cell_y / 2,
                                         x1 - x0 + cell_x, y1 - y0 + cell_y))
        self.labels = ("class 0", "class 1")
        return self.window

    def hide(self) -> None:
        """Nothing of a network drawn (another surface is shown)."""
        self.surface = self.window = None
        self.shade.setVisible(False)
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
        k = min(sim.step, t.steps)
        if i == self.selected:
            self._draw_shade(t.theta[k])
        x, y = self.boundary(t, k)
        curve = self.curves[i]
        curve.setPen(pg.mkPen(sim.colors()[i], width=2.5, cap=QtCore.Qt.PenCapStyle.RoundCap))
        curve.setData(x, y, connect="pairs")
        curve.setVisible(bool(len(x)))

    def hide_from(self, n: int) -> None:
        """Hide the curves of runs n and later (removed runs)."""
        for i in range(n, len(self.curves)):
            self._clear(i)

    def select(self, i: int, sim) -> None:
        """Shade run i's probability (the run list's selection); -1: none."""
        self.selected = i
        if 0 <= i < len(sim.runs):
            self.draw_run(i, sim)
        else:
            self.shade.setVisible(False)

    def _draw_shade(self, theta) -> None:
        """P(class 1) = σ(net(x)) of θ over the window, as the faint background."""
        z = self.surface.decision_grid(theta, GRID, self.window, logits=True)[2]
        with np.errstate(over="ignore"):
            p = 1.0 / (1.0 + np.exp(-z))
        self.shade.setImage(p, autoLevels=False, levels=(0.0, 1.0))
        self.shade.setVisible(True)

    def _clear(self, i: int) -> None:
        self.curves[i].setData([], [])
        self.curves[i].setVisible(False)
        if i == self.selected:
            self.shade.setVisible(False)

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


def shade_colors(background: str, n: int = 256) -> np.ndarray:
    """RGBA lookup table for P in [0, 1]: class 0's colour at 0, the background at ½
    (transparent), class 1's colour at 1, at most SHADE_ALPHA opaque."""
    p = np.linspace(0.0, 1.0, n)[:, None]
    low, high, back = (np.array(hex_rgb(c), dtype=float) for c in (*CLASS_COLORS, background))
    rgb = np.where(p < 0.5, low + (back - low) * (2 * p), back + (high - back) * (2 * p - 1))
    alpha = SHADE_ALPHA * np.abs(2 * p - 1)
    return np.concatenate([rgb, alpha], axis=1).round().astype(np.uint8)


__all__ = ["CLASS_COLORS", "GRID", "Boundaries", "shade_colors"]
