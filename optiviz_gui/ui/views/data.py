"""The data panel: the regression's points and each run's current fitted line, or a
network's points and each run's decision boundary (boundary.py).

On the linear-regression surface a point of the map is a line: θ = (a, b)
is y = a + b·x. This panel draws the data (xᵢ, yᵢ) as a scatter and, for
every enabled run, the line its current parameters (a_k, b_k) stand for, so
playback shows the lines swinging onto the data (the blog's own picture). A
dashed line marks the least-squares fit (a*, b*), where every run is going.

For speed at most ``MAX_POINTS`` (2000) points are drawn: a larger data set
is shown as a fixed random subset of that many (seed 0, so the picture does
not change between redraws), and the legend says "2,000 of N points".
The lines are recomputed on every step (two points per run); the scatter
only when the data change.

The plot's window is fixed on the data (lines leaving it are cut), so a wild
early line does not rescale the view. Each line is clipped analytically to a
box ten times the window's size around it: a diverging run's line (|b| of
10³⁰⁰, say) never hands Qt coordinates it cannot draw, and a pan or zoom
still finds the line where it belongs.

On a network surface (kind ``mlp``) the panel draws the labelled points and
each run's decision boundary instead (``boundary.Boundaries``), in the
points' window. Other surfaces have no data: the panel then shows a short
centred note.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from ...core.simulation import Simulation
from ...core.surfaces.regression import LinearRegression
from ..style.theme import get_theme, style_plot
from .base import ModelView
from .boundary import Boundaries
from .scene import REFERENCE, render_layout

MAX_POINTS = 2000
NOTE = ("The data panel shows the points and fitted lines of the linear-regression surface, "
        "and the points and decision boundaries of a neural network.")
TOOLTIPS = {"regression": "The regression's data points and each run's fitted line",
            "network": "The network's labelled points and each run's decision boundary "
                       "(where it says class 1 with probability ½) at this step; shaded "
                       "under them, the selected run's probability of class 1",
            None: NOTE}
_CLIP = 5.0        # the clip box reaches this many window widths/heights beyond each side


class DataView(ModelView, QtWidgets.QWidget):
    """Data points and fitted lines y = a + b·x; see the module docstring."""

    def __init__(self, sim: Simulation, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.sim = sim
        self._theme = get_theme("light")
        self._data_key = None          # the data arrays the scatter was made from
        self._window = None            # ((x0, x1), (y0, y1)) of the plot
        self._points_label = ""
        self._has_best = False
        self._render_width = None      # the layout width while render_image lays it out

        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.ci.setContentsMargins(4, 4, 8, 4)
        self.legend = pg.LegendItem(offset=None, labelTextSize="9pt", verSpacing=-6,
                                    horSpacing=12, colCount=2)
        self.graphics.ci.addItem(self.legend, row=0, col=0)
        self.graphics.ci.layout.setAlignment(self.legend, QtCore.Qt.AlignmentFlag.AlignRight)
        fixed = QtWidgets.QSizePolicy.Policy.Fixed
        self.legend.setSizePolicy(fixed, fixed)
        self.legend.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._legend_key = None
        self.plot = self.graphics.addPlot(row=1, col=0)
        self.graphics.ci.layout.setRowStretchFactor(1, 1)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setLabel("bottom", "x")
        self.plot.setLabel("left", "y")
        self.plot.showGrid(x=True, y=True, alpha=0.12)
        for side in ("left", "bottom"):
            self.plot.getAxis(side).setStyle(maxTickLevel=0)
        self.plot.enableAutoRange(False)
        self.scatter = pg.ScatterPlotItem(size=4, pen=None)
        self.plot.addItem(self.scatter)
        self.best = pg.PlotCurveItem(antialias=True)          # the least-squares line
        self.best.setZValue(5)
        self.plot.addItem(self.best)
        self.lines: list[pg.PlotCurveItem] = []
        self.boundaries = Boundaries(self.plot)
        self._kind = None              # "regression", "network" or None (the note)

        self.note = QtWidgets.QLabel(NOTE)
        self.note.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.note.setWordWrap(True)
        self.note.setMargin(12)
        self.note.setEnabled(False)                 # dim text from the current palette
        self.stack = QtWidgets.QStackedLayout(self)
        self.stack.setContentsMargins(0, 0, 0, 0)
        self.stack.addWidget(self.graphics)
        self.stack.addWidget(self.note)
        self.setMinimumSize(200, 120)

        self.listen(sim)
        self.apply_theme("light")
        self.draw_static()
        self.redraw()

    # ------------------------------------------------------------- state
    def has_data(self) -> bool:
        """True when the surface has data (the plot is shown, not the note)."""
        return _kind(self.sim.surface) is not None

    def tooltip(self) -> str:
        """What the panel shows for the current surface, for its tab's tooltip."""
        return TOOLTIPS[_kind(self.sim.surface)]

    def apply_theme(self, name: str) -> None:
        self._theme = t = get_theme(name)
        style_plot(t, self.graphics, self.plot)
        self.scatter.setBrush(pg.mkBrush(t.muted))
        self.best.setPen(pg.mkPen(t.foreground, width=1, style=QtCore.Qt.PenStyle.DashLine))
        self.legend.setBrush(pg.mkBrush(None))
        self.legend.setPen(pg.mkPen(None))
        self.legend.setLabelTextColor(t.foreground)
        self.boundaries.apply_theme(t)
        self._legend_key = None
        self._update_legend()

    # ----------------------------------------------------------- drawing
    def draw_static(self) -> None:
        kind = self._kind = _kind(self.sim.surface)
        self.stack.setCurrentIndex(0 if kind is not None else 1)
        if kind == "network":
            self._show_network()
            return
        self.boundaries.hide()
        self.plot.setLabel("bottom", "x")
        self.plot.setLabel("left", "y")
        data = _data(self.sim.surface)
        if data is None:
            self._data_key = self._window = None
            self._has_best = False
            self.scatter.setData([], [])
            self.best.setData([], [])
        elif self._data_key is None or data[0] is not self._data_key[0] \
                or data[1] is not self._data_key[1]:
            self._show_data(*data)

    def _show_network(self) -> None:
        """The network's points and window; no regression line or fitted lines."""
        self._data_key = None
        self._has_best = False
        self._points_label = ""
        self.scatter.setData([], [])
        self.best.setData([], [])
        for c in self.lines:
            c.setData([], [])
            c.setVisible(False)
        self._window = (x0, x1), (y0, y1) = self.boundaries.show(self.sim.surface)
        self.plot.setLabel("bottom", "x₁")
        self.plot.setLabel("left", "x₂")
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self._legend_key = None

    def _show_data(self, x: np.ndarray, y: np.ndarray) -> None:
        """Scatter (a fixed subset of at most MAX_POINTS), window, point-count label
        and least-squares line."""
        self._data_key = (x, y)
        n = len(x)
        idx = np.arange(n)
        if n > MAX_POINTS:
            idx = np.sort(np.random.default_rng(0).choice(n, MAX_POINTS, replace=False))
        self.scatter.setData(x[idx], y[idx])
        self._points_label = (f"{n:,} points" if n <= MAX_POINTS
                       else f"{MAX_POINTS:,} of {n:,} points")
        self._window = (_padded(float(x.min()), float(x.max())),
                        _padded(float(y.min()), float(y.max())))
        (x0, x1), (y0, y1) = self._window
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        minima = getattr(self.sim.surface, "minima", None)
        seg = (np.zeros(0), np.zeros(0))
        if minima is not None and len(minima):
            seg = self._segment(*(float(v) for v in minima[0]))
        self.best.setData(*seg)
        self._has_best = bool(len(seg[0]))
        self._legend_key = None

    def draw_run(self, i: int) -> None:
        """Run i's line y = a_k + b_k·x at the current step k (hidden when off)."""
        sim, k = self.sim, self.sim.step
        if self._kind == "network":
            self.boundaries.draw_run(i, sim)
            return
        while len(self.lines) < len(sim.runs):
            c = pg.PlotCurveItem(antialias=True)
            c.setZValue(10)
            self.plot.addItem(c)
            self.lines.append(c)
        c, t, seg = self.lines[i], sim.trajectories[i], None
        if self._window is not None and sim.runs[i].enabled and t.steps >= 0:
            a, b = (float(v) for v in t.params[min(k, t.steps)])
            seg = self._segment(a, b)
        if seg is None or not len(seg[0]):
            c.setData([], [])
            c.setVisible(False)
            return
        c.setPen(pg.mkPen(sim.colors()[i], width=2))
        c.setData(*seg)
        c.setVisible(True)

    def draw_shared(self) -> None:
        for c in self.lines[len(self.sim.runs):]:
            c.setData([], [])
            c.setVisible(False)
        self.boundaries.hide_from(len(self.sim.runs))
        self._update_legend()

    def _segment(self, a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
        """The part of y = a + b·x inside the clip box: two points, or none."""
        (x0, x1), (y0, y1) = self._window
        w, h = x1 - x0, y1 - y0
        lo, hi = x0 - _CLIP * w, x1 + _CLIP * w
        ylo, yhi = y0 - _CLIP * h, y1 + _CLIP * h
        if not (math.isfinite(a) and math.isfinite(b)):
            return np.zeros(0), np.zeros(0)
        if b != 0.0:
            with np.errstate(all="ignore"):
                u, v = (ylo - a) / b, (yhi - a) / b
            if math.isfinite(u) and math.isfinite(v):
                lo, hi = max(lo, min(u, v)), min(hi, max(u, v))
            elif not ylo <= a <= yhi:           # |b| so small that 1/b overflows
                return np.zeros(0), np.zeros(0)
        elif not ylo <= a <= yhi:
            return np.zeros(0), np.zeros(0)
        if not lo < hi:
            return np.zeros(0), np.zeros(0)
        xs = np.array([lo, hi])
        return xs, a + b * xs

    def _update_legend(self) -> None:
        sim = self.sim
        key = tuple((lab, col, r.enabled) for lab, col, r in zip(sim.labels(), sim.colors(), sim.runs))
        network = self._kind == "network"
        key += (self._has_best, self._points_label, network)
        if key == self._legend_key:
            return
        self._legend_key = key
        self.legend.clear()
        samples = self.boundaries.curves if network else self.lines
        for (label, _color, enabled), line in zip(key[:-3], samples):
            if enabled:
                self.legend.addItem(line, label)
        if network:
            for item, label in zip(self.boundaries.points, self.boundaries.labels):
                self.legend.addItem(item, label)
        elif self._window is not None:
            self.legend.addItem(self.scatter, self._points_label)
        if self._has_best:
            self.legend.addItem(self.best, "least squares")
        self._fit_legend()

    def _fit_legend(self) -> None:
        """As many legend columns (up to 3) as fit the view's width, so a long
        legend takes more rows instead of widening the plot past the pane."""
        items = self.legend.items
        if not items:
            return
        room = (self._render_width or self.graphics.width()) - 16
        gap = self.legend.layout.horizontalSpacing()      # the labels' own text widths:
        widths = [sample.width() + label.item.boundingRect().width() + 6 + gap
                  for sample, label in items]                # (a column stretches labels)
        cols = 1
        for n in (3, 2):
            per_col = [max(widths[c::n]) for c in range(n) if widths[c::n]]
            if sum(per_col) <= room:
                cols = n
                break
        if cols != self.legend.columnCount:
            self.legend.setColumnCount(cols)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_legend()

    # ---------------------------------------------------------- inspection
    def drawn_line(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Run i's drawn line as (x, y) end points; empty when not drawn."""
        if i >= len(self.lines) or not self.lines[i].isVisible():
            return np.zeros(0), np.zeros(0)
        x, y = self.lines[i].getData()
        return (np.zeros(0), np.zeros(0)) if x is None else (x, y)

    def show_run(self, i: int) -> None:
        """On a network, shade run i's probability of class 1 under the boundaries (the
        run list's selection, UI state the window hands in; -1: none)."""
        self.boundaries.select(i, self.sim)

    def drawn_boundary(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Run i's drawn decision boundary as point pairs (x, y); empty when not drawn."""
        return self.boundaries.drawn(i)

    def drawn_points(self) -> tuple[np.ndarray, np.ndarray]:
        """The data points drawn (x, y)."""
        x, y = self.scatter.getData()
        return (np.zeros(0), np.zeros(0)) if x is None else (np.asarray(x), np.asarray(y))

    # -------------------------------------------------------------- export
    def render_image(self, w: int, h: int) -> QtGui.QImage:
        """This view rendered at w × h pixels, offscreen; the widget is left as it was."""
        if self.has_data():
            scale = max(1.0, min(w / REFERENCE[0], h / REFERENCE[1]))
            self._render_width = w / scale              # the width render_layout lays out
            try:
                return render_layout(self.graphics, self._theme.background, w, h, self.redraw)
            finally:
                self._render_width = None
                self._fit_legend()
        img = QtGui.QImage(int(w), int(h), QtGui.QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(QtGui.QColor(self._theme.background))
        p = QtGui.QPainter(img)
        p.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing)
        p.setPen(QtGui.QColor(self._theme.foreground))
        margin = max(12, int(w) // 12)
        p.drawText(QtCore.QRectF(margin, 0, int(w) - 2 * margin, int(h)),
                   int(QtCore.Qt.AlignmentFlag.AlignCenter | QtCore.Qt.TextFlag.TextWordWrap), NOTE)
        p.end()
        return img


def _data(surface):
    """(x, y) of a regression surface, None for any other."""
    return (surface.x, surface.y) if isinstance(surface, LinearRegression) else None


def _kind(surface) -> str | None:
    """"regression", "network" (labelled points to classify) or None (no data)."""
    if isinstance(surface, LinearRegression):
        return "regression"
    return "network" if hasattr(surface, "decision_grid") else None


def _padded(lo: float, hi: float, frac: float = 0.06) -> tuple[float, float]:
    """[lo, hi] widened by ``frac`` of its span on each side (by 1 if it is a point)."""
    pad = (hi - lo) * frac if hi > lo else max(abs(lo), 1.0) * frac
    return lo - pad, hi + pad
