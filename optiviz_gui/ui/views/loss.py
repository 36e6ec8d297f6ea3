"""The loss curve: f(θ_k) against iteration k for every enabled run.

The x range is the whole run (0..steps), so curves grow into it as playback
goes on; a vertical line and a dot on each curve mark the current iteration.
``set_log(True)`` shows log10 of the loss. While a shown loss is 0 or
negative (some built-ins and typed formulas go below zero) the axis is linear
instead and its title says why; a diverged run simply ends where it went bad.

The loss axis fits the curves to round bounds (``nice_range``): whole decades
on the log scale, multiples of 1, 2 or 5 × 10ᵏ on the linear one. So it holds
still while a drag moves the start point (the axis is redrawn only when a
bound changes) and its ends are numbers a reader can take in. A wheel zoom or
pan of the plot stops the fitting; a double click brings it back.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from ...core.simulation import Simulation
from ..style.theme import brush, get_theme, style_plot
from .base import DRAWN_FIELDS, ModelView
from .paths import ColumnEnvelope, PrefixRange, grown
from .hover import loss_readout
from .fans import legend_runs, thin_runs
from .axes import LogFriendlyAxis, nice_range, thin_curve
from .scene import render_layout


class LossView(ModelView, QtWidgets.QWidget):
    """Loss against iteration, one curve per enabled run."""

    hovered = QtCore.Signal(str)     # "iteration i: each run's loss" ("" when the mouse leaves)

    def __init__(self, sim: Simulation, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.sim = sim
        self._log = False
        self._theme = get_theme("light")
        self.graphics = pg.GraphicsLayoutWidget()
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.graphics)
        self.setMinimumSize(200, 120)
        self.graphics.ci.setContentsMargins(4, 4, 8, 4)
        # the legend is a row above the plot: it never hides a curve and costs no width
        self.legend = pg.LegendItem(offset=None, labelTextSize="9pt", verSpacing=-6,
                                    horSpacing=12, colCount=2)   # columns: _fit_legend
        self.graphics.ci.addItem(self.legend, row=0, col=0)
        self.graphics.ci.layout.setAlignment(self.legend, QtCore.Qt.AlignmentFlag.AlignRight)
        self.plot = self.graphics.addPlot(row=1, col=0, axisItems={"left": LogFriendlyAxis("left")})
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setLabel("bottom", "iteration")
        self.plot.setLabel("left", "loss")
        self.plot.showGrid(x=True, y=True, alpha=0.12)
        for side in ("left", "bottom"):
            self.plot.getAxis(side).setStyle(maxTickLevel=0)   # grid at major ticks only
        fixed = QtWidgets.QSizePolicy.Policy.Fixed
        self.legend.setSizePolicy(fixed, fixed)
        self.graphics.ci.layout.setRowStretchFactor(1, 1)
        # the legend changes only with the runs: keep it as a pixmap between repaints
        self.legend.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._legend_key = None
        self.cursor = pg.InfiniteLine(angle=90, movable=False)
        self.plot.addItem(self.cursor)
        self.hover_line = pg.InfiniteLine(angle=90, movable=False)   # follows the mouse
        self.hover_line.setVisible(False)
        self.plot.addItem(self.hover_line, ignoreBounds=True)
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.current = pg.ScatterPlotItem(size=9)
        self.current.setZValue(10)
        self.plot.addItem(self.current)
        self.curves: list[pg.PlotCurveItem] = []
        self._px = (0.0, 0.0)        # pixel size the curves were thinned for
        self._drawn_log = False      # the axis' log mode (off while a loss is ≤ 0)
        self._title = "loss"
        self._rendering = False
        self._fit_y = True           # False once the user zooms or pans the plot
        self._y_range: tuple[float, float] | None = None
        vb = self.plot.getViewBox()
        vb.enableAutoRange(y=False)
        vb.sigRangeChanged.connect(self._on_range)
        vb.sigRangeChangedManually.connect(self._on_manual_range)
        vb.sigResized.connect(self._on_resized)
        self.graphics.scene().sigMouseClicked.connect(self._on_click)
        self._stats: list = []      # per run: (all losses > 0, lowest, highest), or None
        self._caches: dict = {}     # per run: running ranges and envelopes (views/paths.py)
        self._settling = False      # the view changes its own range: no redraw for it
        self.listen(sim)
        self.apply_theme("light")
        self.on_steps_changed(sim.steps)
        self.redraw()

    # ------------------------------------------------------------- options
    def set_log(self, on: bool) -> None:
        """Logarithmic loss axis on or off (linear anyway while a shown loss is ≤ 0)."""
        self._log = bool(on)
        self.redraw()

    def is_log(self) -> bool:
        """The log scale is asked for (``drawn_log`` says whether it is drawn)."""
        return self._log

    def drawn_log(self) -> bool:
        return self._drawn_log

    def _draw_log(self, on: bool) -> None:
        if on != self._drawn_log:
            self._drawn_log = on
            self._y_range = None
            self.plot.setLogMode(y=on)
            self.on_steps_changed(self.sim.steps)   # setLogMode turns auto-range back on for x
        title = "loss (linear: some ≤ 0)" if self._log and not on else "loss"
        if title != self._title:
            self._title = title
            self.plot.setLabel("left", title)

    def apply_theme(self, name: str) -> None:
        self._theme = t = get_theme(name)
        style_plot(t, self.graphics, self.plot)
        self.cursor.setPen(pg.mkPen(t.muted, width=1.5))
        self.hover_line.setPen(pg.mkPen(t.muted, width=1, style=QtCore.Qt.PenStyle.DashLine))
        self.current.setPen(pg.mkPen(t.background, width=1.5))
        self.legend.setBrush(pg.mkBrush(None))
        self.legend.setPen(pg.mkPen(None))
        self.legend.setLabelTextColor(t.foreground)
        self._legend_key = None
        if hasattr(self, "curves"):
            self._update_legend()

    # ------------------------------------------------------------- drawing
    def on_steps_changed(self, n: int) -> None:
        self.plot.setXRange(0, max(1, n), padding=self._padding(0))

    def _padding(self, axis: int) -> float:
        """Room at the ends of an axis for half an end label (pyqtgraph leaves out a
        label that reaches past the plot when the grid is on): 14 px along x, 8 px
        along y, as a fraction of the plot's size (at least 2 %)."""
        size = self.plot.getViewBox().size()
        length = size.width() if axis == 0 else size.height()
        return min(0.2, max(0.02, (14.0 if axis == 0 else 8.0) / max(length, 1.0)))

    def _on_range(self, *_args) -> None:
        """Re-thin the curves after a zoom (not after every small auto-range change)."""
        if not self._settling and not _similar(self.plot.getViewBox().viewPixelSize(), self._px):
            self.redraw()

    def _on_resized(self, *_args) -> None:
        """A new plot size: new padding for the end labels (unless the user zoomed)."""
        if self._fit_y:
            self._y_range = None
            self.on_steps_changed(self.sim.steps)
            self.redraw()

    def _on_manual_range(self, *_args) -> None:
        self._fit_y = False

    def _on_click(self, ev) -> None:
        if ev.double():
            self._fit_y = True
            self._y_range = None
            self.on_steps_changed(self.sim.steps)
            self.redraw()

    # The y range depends on every shown curve and the thinning of a curve on the y
    # range's pixel size, so an edit first measures the runs it changed, settles the
    # axis (log or linear, round bounds) and only then draws: each curve once.
    def _measure(self, i: int) -> None:
        """Run i's (all losses > 0, lowest, highest) up to the current step, or None."""
        sim, k = self.sim, self.sim.step
        self._stats.extend([None] * (len(sim.runs) - len(self._stats)))
        run, t = sim.runs[i], sim.trajectories[i]
        if not run.enabled or t.steps < 0:
            self._stats[i] = None
            return
        n = t.steps                   # once: a worker may be extending the run
        ranges = grown(self._caches, (i, "range"), t, PrefixRange, t.loss, n)
        self._stats[i] = ranges.at(min(k, n))

    def _settle(self) -> bool:
        """Log or linear, and the y range, from every run's stats; True when the curves
        drawn before must be drawn again (a new mode, or a new pixel size to thin for)."""
        stats = [st for st in self._stats[: len(self.sim.runs)] if st is not None]
        before = (self._drawn_log, self._px)
        self._settling = True
        try:
            self._draw_log(self._log and all(st[0] for st in stats))
            lows = [st[1] for st in stats if st[1] is not None]
            highs = [st[2] for st in stats if st[2] is not None]
            if self._fit_y and lows:
                lo, hi = min(lows), max(highs)
                if self._drawn_log:
                    lo, hi = math.log10(lo), math.log10(hi)
                y_range = nice_range(lo, hi, self._drawn_log)
                if y_range != self._y_range:
                    self._y_range = y_range
                    self.plot.getViewBox().setYRange(*y_range, padding=self._padding(1))
        finally:
            self._settling = False
        px = self.plot.getViewBox().viewPixelSize()
        if not _similar(px, self._px):
            self._px = px
        return (self._drawn_log, self._px) != before

    def draw_run(self, i: int) -> None:
        """Run i's curve up to the current step, on the axis as it is."""
        sim, k = self.sim, self.sim.step
        while len(self.curves) < len(sim.runs):
            c = pg.PlotCurveItem(antialias=True)
            self.plot.addItem(c)
            self.curves.append(c)
        c, run, t = self.curves[i], sim.runs[i], sim.trajectories[i]
        if not run.enabled or t.steps < 0:
            c.setData([], [])
            c.setVisible(False)
            return
        losses = t.loss                         # once: a worker may be extending the run
        k = min(k, len(losses) - 1)
        per_pixel = int(abs(self._px[0]))       # iterations a pixel column holds
        if per_pixel >= ENVELOPE_FROM:          # a long run: each column's envelope
            env = grown(self._caches, (i, "envelope", per_pixel), t,
                        lambda: ColumnEnvelope(per_pixel), losses, len(losses) - 1)
            idx = env.prefix(losses, k)
            x, loss = idx.astype(float), losses[idx]
        else:
            x, loss = np.arange(k + 1, dtype=float), losses[: k + 1]
        if self._drawn_log:                     # the axis is in log mode; items get log10
            with np.errstate(all="ignore"):
                loss = np.log10(loss)
        c.setPen(pg.mkPen(sim.colors()[i], width=1 if i in thin_runs(sim) else 2))
        x, y = thin_curve(x, loss, self._px)
        # an envelope is a zig-zag up and down each column: stroked as one wide
        # antialiased path it costs Qt ~130 ms (measured, 862 points), drawn as separate
        # lines 12 ms, the same pixels
        c.setSegmentedLineMode("on" if per_pixel >= ENVELOPE_FROM else "auto")
        c.setData(x, y, connect="finite")
        c.setVisible(True)

    def on_history_changed(self, runs) -> None:
        for i in runs:
            self._measure(i)
        if self._settle():
            runs = range(len(self.sim.runs))
        for i in runs:
            self.draw_run(i)
        self.draw_shared()

    def on_run_changed(self, i: int, fields) -> None:
        if fields & DRAWN_FIELDS:
            self.on_history_changed((i,))

    def redraw(self) -> None:
        for i in range(len(self.sim.runs)):
            self._measure(i)
        self._settle()
        super().redraw()

    def draw_shared(self) -> None:
        """The current points, the cursor and the legend."""
        sim, k = self.sim, self.sim.step
        for c in self.curves[len(sim.runs):]:
            c.setVisible(False)
        del self._stats[len(sim.runs):]
        xs, ys, brushes = [], [], []
        for i, c in enumerate(self.curves[: len(sim.runs)]):
            if not c.isVisible():
                continue
            x, y = c.getData()
            if x is not None and len(y) and np.isfinite(y[-1]):   # the last point is kept
                xs.append(x[-1])
                ys.append(y[-1])
                brushes.append(brush(sim.colors()[i]))
        self.current.setData(xs, ys, brush=brushes)
        self.cursor.setValue(k)
        self._update_legend()
        self._fit_legend()

    def _update_legend(self) -> None:
        sim = self.sim
        key = tuple((entry, col, r.enabled) for entry, col, r in
                    zip(legend_runs(sim), sim.colors(), sim.runs))
        if key == self._legend_key or len(self.curves) < len(key):   # redraw makes the curves
            return
        self._legend_key = key
        self.legend.clear()
        for (entry, _color, enabled), curve in zip(key, self.curves):
            if enabled and entry is not None:          # a seed fan: one entry
                self.legend.addItem(curve, entry[0])
        self._fit_legend()

    def _fit_legend(self) -> None:
        """As many legend columns as fit the pane's width (at least one): a narrow pane
        stacks the entries instead of being pushed wider than it is."""
        items = self.legend.items
        if not items:
            return
        widest = max(s.boundingRect().width() + lab.boundingRect().width() for s, lab in items)
        # on screen the widget's width (the layout may be wider: that is what this
        # fixes); in an export the size it is laid out at
        width = (self.graphics.ci.geometry().width() if self._rendering
                 else self.graphics.viewport().width())
        cols = int((width - 24) // (widest + 16))
        cols = max(1, min(len(items), cols))
        if cols != self.legend.columnCount:
            self.legend.setColumnCount(cols)
            if not self._rendering:          # the layout may shrink back to the widget now
                self.legend.updateGeometry()
                self.graphics.ci.layout.activate()
                self.graphics.ci.setGeometry(QtCore.QRectF(self.graphics.viewport().rect()))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        self._fit_legend()

    def _on_mouse_moved(self, scene_pos) -> None:
        vb = self.plot.getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos) or self.sim.step < 0:
            self.hover_line.setVisible(False)
            self.hovered.emit("")
            return
        i, text = loss_readout(self.sim, vb.mapSceneToView(scene_pos).x())
        self.hover_line.setValue(i)
        self.hover_line.setVisible(True)
        self.hovered.emit(text)

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().leaveEvent(event)
        self.hover_line.setVisible(False)
        self.hovered.emit("")

    # ---------------------------------------------------------- inspection
    def drawn_curve(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Run i's drawn curve (x = iterations, y = loss or log10 loss, NaN = gap)."""
        x, y = self.curves[i].getData()
        return (np.zeros(0), np.zeros(0)) if x is None else (x, y)

    # -------------------------------------------------------------- export
    def render_image(self, w: int, h: int) -> QtGui.QImage:
        """This view rendered at w × h pixels, offscreen; the widget is left as it was."""
        self._rendering = True
        try:
            return render_layout(self.graphics, self._theme.background, w, h, self.redraw)
        finally:
            self._rendering = False
            self._fit_legend()


ENVELOPE_FROM = 4       # iterations a pixel column holds from which a curve is its envelope


def _similar(a, b) -> bool:
    """Pixel sizes within a factor 1.5 of each other: the curves' thinning still holds."""
    return all(0.67 < (u / v if v else 0) < 1.5 for u, v in zip(a, b))
