"""The contour view's plot items: iso-lines, minima, start, paths, current points, arrows.

``MapItems`` owns every item drawn over the level map and only ever calls
``setData`` on them; items for runs are created when a run first appears and
hidden (never deleted) when it goes, so no redraw re-creates anything. The
arrows are arrows.py's, the current points' stacks stacks.py's.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtWidgets

from ..paths import cached
from .arrows import ArrowItems
from .dots import Dots
from .stacks import CurrentMarkers
from ...style.theme import Theme


class MapItems:
    """Iso-lines, minima, start marker, per-run paths and the arrows of one plot."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.isolines = pg.PlotCurveItem(connect="pairs")
        self.isolines.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.isolines.setZValue(1)
        self.minima = pg.ScatterPlotItem(symbol="star", size=19)
        self.minima.setZValue(25)            # over everything, hollow: never hides a point
        self.start = pg.ScatterPlotItem(symbol="o", size=11)
        self.start.setZValue(7)
        for it in (self.isolines, self.minima, self.start):
            plot.addItem(it)
        self.arrows = ArrowItems(plot)
        self.markers = CurrentMarkers(plot)
        self.runs: list[tuple[pg.PlotCurveItem, Dots]] = []   # line, dots
        self._paths: dict = {}            # run -> paths.CellPath (line and dots)
        self._colors: list[tuple[str, bool] | None] = []   # pen of each run: colour, thin
        self._theme: Theme | None = None
        self._start_xy: tuple[float, float] | None = None

    # ------------------------------------------------------------------ theme
    def apply_theme(self, t: Theme) -> None:
        self._theme = t
        self.isolines.setPen(pg.mkPen(t.muted, width=1))
        self.minima.setPen(pg.mkPen(t.minimum, width=1.6))
        self.minima.setBrush(pg.mkBrush(None))
        self.start.setPen(pg.mkPen(t.foreground, width=2))
        self.start.setBrush(pg.mkBrush(None))
        self.arrows.apply_theme(t)
        self.markers.apply_theme(t)

    # ------------------------------------------------------------- static bits
    def set_isolines(self, xy: tuple[np.ndarray, np.ndarray]) -> None:
        self.isolines.setData(*xy)

    def set_minima(self, minima: np.ndarray) -> None:
        self.minima.setData(minima[:, 0], minima[:, 1])

    def set_start(self, start) -> None:
        xy = (float(start[0]), float(start[1]))
        if xy != self._start_xy:
            self._start_xy = xy
            self.start.setData([xy[0]], [xy[1]])

    # ------------------------------------------------------------------- paths
    def ensure_runs(self, n: int) -> None:
        """Have line + dots items for n runs (created once, reused after)."""
        while len(self.runs) < n:
            curve = pg.PlotCurveItem(antialias=True)
            dots = Dots(diameter=4.5)
            curve.setZValue(5)
            dots.setZValue(6)
            self.plot.addItem(curve)
            self.plot.addItem(dots)
            self.runs.append((curve, dots))
            self._colors.append(None)

    def set_path(self, i: int, source, points: np.ndarray | None, k: int, color: str,
                 pixel: tuple[float, float], thin: bool = False) -> None:
        """Run i's path up to step k of ``points`` (its whole computed path, (n, 2)), or
        hidden (None, or no point); ``source`` identifies the run's history (its
        trajectory: a new one after an edit); ``pixel`` = the data size (x, y) of one
        screen pixel; ``thin``: a seed fan's member, a thin line without dots
        (views/fans.py).

        The line gets every point except those in the same half-pixel cell as the
        point before (invisible, and a converged run has hundreds of them); the
        last point is always kept. The dots (dots.py) leave out a point in the
        same 2-pixel cell as the one before. Both are worked out once per point as
        the run grows (paths.CellPath), so a frame of a 10⁶-step run costs what its
        pixels cost; a path that crosses the same pixels over and over is drawn as
        its distinct pixel-to-pixel segments."""
        curve, dots = self.runs[i]
        if points is None or k < 0 or len(points) == 0:
            curve.setVisible(False)
            dots.setVisible(False)
            return
        k = min(k, len(points) - 1)
        px, py = (abs(float(pixel[0])) or 1.0), (abs(float(pixel[1])) or 1.0)
        if (color, thin) != self._colors[i]:
            self._colors[i] = (color, thin)
            curve.setPen(pg.mkPen(color, width=1 if thin else 2))
            dots.set_color(color)
        # half-pixel cells for the line, 2-pixel cells (4 × 4 of those) for the dots
        line = cached(self._paths, i, source, points, k, (0.5 * px, 0.5 * py), coarse=4)
        idx = line.polyline(k)
        if idx is not None:
            curve.setData(points[idx, 0], points[idx, 1], connect="all")
        else:                                   # the distinct segments, as pairs
            seg = line.segments(k)
            ends = np.empty(2 * len(seg), dtype=np.int64)
            ends[0::2], ends[1::2] = seg - 1, seg
            curve.setData(points[ends, 0], points[ends, 1], connect="pairs")
        if not thin:
            dots.set_points(points[line.dots(k)], (px, py))
        curve.setVisible(True)
        dots.setVisible(not thin)

    def hide_runs_from(self, n: int) -> None:
        """Hide the items of runs n, n+1, ... (runs that were removed)."""
        for curve, dots in self.runs[n:]:
            curve.setVisible(False)
            dots.setVisible(False)

    def set_current(self, points: list[tuple[np.ndarray, str]], pixel) -> None:
        """The current point of each shown run: [((x, y), colour), ...], stacked ones as
        one split disc (stacks.py); ``pixel`` = the data size of one screen pixel."""
        self.markers.set_points(points, pixel)

    def path_data(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        curve = self.runs[i][0]
        x, y = curve.getData()
        if x is None or not curve.isVisible():
            return np.zeros(0), np.zeros(0)
        return x, y

    def current_points(self) -> np.ndarray:
        """(m, 2) drawn current points, one per shown run (a stack's wedges too)."""
        return self.markers.points()
