"""The contour view's plot items: iso-lines, minima, start, paths and arrows.

``MapItems`` owns every item drawn over the level map and only ever calls
``setData`` on them; items for runs are created when a run first appears and
hidden (never deleted) when it goes, so no redraw re-creates anything.

The arrows' vectors come from ``core.arrows``; here they get their heads, built
in screen pixels, and an update arrow shorter than MIN_UPDATE_PX is drawn that
long so its direction can be seen.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from ....core.arrows import ARROW_KINDS
from ..paths import cached
from .dots import Dots
from ...style.theme import Theme, brush

HEAD_PX = 11.0                 # arrow-head side length in pixels
MIN_UPDATE_PX = 22.0           # shorter update arrows are drawn this long (direction kept)
HEAD_ANGLE = math.radians(24)


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
        self.arrows = {k: pg.PlotCurveItem(connect="pairs", antialias=True) for k in ARROW_KINDS}
        self._vectors = {k: np.zeros((0, 4)) for k in ARROW_KINDS}
        for z, it in enumerate(self.arrows.values()):
            it.setZValue(10 + z)
        for it in (self.isolines, self.minima, self.start, *self.arrows.values()):
            plot.addItem(it)
        self.current = pg.ScatterPlotItem(size=13)
        self.current.setZValue(20)
        plot.addItem(self.current)
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
        self.arrows["update"].setPen(pg.mkPen(t.update, width=2.5))
        self.arrows["gradient"].setPen(_dashed(t.gradient, 2.0, [4, 2.5]))
        self.arrows["velocity"].setPen(_dashed(t.velocity, 2.2, [1.0, 1.2, 5.0, 1.2]))
        self.current.setPen(pg.mkPen(t.background, width=2))

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

    def set_current(self, points: list[tuple[np.ndarray, str]]) -> None:
        """The current point of each shown run: [((x, y), colour), ...]."""
        self.current.setData([p[0] for p, _ in points], [p[1] for p, _ in points],
                             brush=[brush(c) for _, c in points])
        self.current.setVisible(bool(points))

    def path_data(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        curve = self.runs[i][0]
        x, y = curve.getData()
        if x is None or not curve.isVisible():
            return np.zeros(0), np.zeros(0)
        return x, y

    def current_points(self) -> np.ndarray:
        """(m, 2) drawn current points, one per shown run."""
        x, y = self.current.getData()
        return np.column_stack([x, y]) if x is not None else np.zeros((0, 2))

    # ------------------------------------------------------------------ arrows
    def set_arrows(self, vectors: dict[str, np.ndarray], pixel: tuple[float, float]) -> None:
        """Draw (m, 4) rows x0, y0, dx, dy per kind as shaft + open head; ``pixel``
        is the data size of one screen pixel (x, y), which shapes the heads."""
        for kind, item in self.arrows.items():
            v = vectors.get(kind, np.zeros((0, 4)))
            self._vectors[kind] = v
            xs, ys = arrow_segments(v, pixel, MIN_UPDATE_PX if kind == "update" else 0.0)
            item.setData(xs, ys)
            item.setVisible(len(v) > 0)

    def arrow_data(self, kind: str) -> np.ndarray:
        """The vectors behind the drawn arrows (before any stretching to MIN_UPDATE_PX)."""
        return self._vectors[kind].copy()


def _dashed(color: str, width: float, pattern) -> QtGui.QPen:
    pen = pg.mkPen(color, width=width)
    pen.setCapStyle(QtCore.Qt.PenCapStyle.RoundCap)
    pen.setDashPattern(pattern)
    return pen


def arrow_segments(v: np.ndarray, pixel, min_px: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Point pairs for ``connect="pairs"``: the shaft and two head strokes of each arrow.
    The head is built in screen pixels so it looks the same whatever the axes' scales.
    Arrows between 1.5 and ``min_px`` pixels long are stretched to ``min_px`` along
    their own direction (so a small step still shows which way it goes)."""
    if len(v) == 0:
        return np.zeros(0), np.zeros(0)
    sx, sy = (abs(float(pixel[0])) or 1.0), (abs(float(pixel[1])) or 1.0)
    x0, y0, dx, dy = v.T
    if min_px > 0:
        length = np.hypot(dx / sx, dy / sy)
        grow = np.where((length >= 1.5) & (length < min_px), min_px / np.maximum(length, 1e-300), 1.0)
        dx, dy = dx * grow, dy * grow
    x1, y1 = x0 + dx, y0 + dy
    ux, uy = dx / sx, dy / sy                       # direction in pixels
    n = np.hypot(ux, uy)
    n[n == 0] = 1.0
    ux, uy = ux / n, uy / n
    head = np.minimum(HEAD_PX, 0.5 * np.hypot(dx / sx, dy / sy))
    xs, ys = [x0, x1], [y0, y1]
    for a in (HEAD_ANGLE, -HEAD_ANGLE):
        c, s = math.cos(a), math.sin(a)
        hx = -(c * ux - s * uy) * head
        hy = -(s * ux + c * uy) * head
        xs += [x1, x1 + hx * sx]
        ys += [y1, y1 + hy * sy]
    # interleave into pairs: shaft, head 1, head 2 for each arrow
    return np.stack(xs, axis=1).ravel(), np.stack(ys, axis=1).ravel()
