"""The learning-rate curve: the lr of each update against iteration, one curve per enabled run.

It shows what a schedule does to the lr — a warm-up's ramp, a cosine's fall,
a step decay's stairs — on the same iterations as the loss curve. The lr of
iteration k is the one the update from θ_k used (``Trajectory.group_history``:
the scheduler's param group, torch's ``optimizer.param_groups[0]["lr"]`` during
that step); a run without a schedule is a flat line at its lr. The y axis is
logarithmic (round decades, like the loss axis; an lr of 0 is a gap), the x
axis the whole run, a vertical line and a dot on each curve mark the current
step — at the last step, the last update's lr (there is no next one).

When a schedule also moves the momentum (CyclicLR and OneCycleLR cycle
``momentum``, or β₁ for the Adam family, inversely to the lr) a second plot
under the first shows it, linear, in the same colours and on the same x axis.

``has_schedules(bool)`` says whether any enabled run has a schedule, when that
changes: the window shows the view's tab only then (a flat line per run would
only repeat the optimizers' lr settings). While the view is hidden (another tab
in front) it draws nothing and catches up when shown, so it costs an edit or a
step nothing then; curves leave out the points that draw nothing new (a
schedule's flat stretches), as the loss curve does.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from ...core.simulation import Simulation
from ..style.theme import brush, get_theme, style_plot
from .base import ModelView
from .axes import LogFriendlyAxis, nice_range, thin_curve

KEYS = ("lr", "momentum")


class LrView(ModelView, QtWidgets.QWidget):
    """lr (log) and, when a schedule moves it, momentum / β₁ against iteration."""

    has_schedules = QtCore.Signal(bool)

    def __init__(self, sim: Simulation, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.sim = sim
        self._theme = get_theme("light")
        self.graphics = pg.GraphicsLayoutWidget()
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.graphics)
        self.setMinimumSize(200, 90)
        self.graphics.ci.setContentsMargins(4, 2, 8, 4)
        self.graphics.ci.setSpacing(0)
        self.plots = {
            "lr": self.graphics.addPlot(row=0, col=0, axisItems={"left": LogFriendlyAxis("left")}),
            "momentum": self.graphics.addPlot(row=1, col=0),
        }
        self.plots["lr"].setLogMode(y=True)
        self.plots["momentum"].setXLink(self.plots["lr"])
        self.graphics.ci.layout.setRowStretchFactor(0, 3)
        self.graphics.ci.layout.setRowStretchFactor(1, 2)
        self.curves: dict[str, list[pg.PlotCurveItem]] = {key: [] for key in KEYS}
        self.cursors, self.current = {}, {}
        for key, plot in self.plots.items():
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setMouseEnabled(x=False, y=False)
            plot.showGrid(x=True, y=True, alpha=0.12)
            for side in ("left", "bottom"):
                plot.getAxis(side).setStyle(maxTickLevel=0)
            plot.getAxis("left").setWidth(52)          # the loss plot's width: x axes align
            plot.getViewBox().enableAutoRange(y=False)
            plot.getViewBox().sigResized.connect(self._resized)
            self.cursors[key] = pg.InfiniteLine(angle=90, movable=False)
            self.current[key] = pg.ScatterPlotItem(size=8)
            self.current[key].setZValue(10)
            plot.addItem(self.cursors[key])
            plot.addItem(self.current[key])
        self.plots["lr"].setLabel("left", "lr")
        self.plots["momentum"].getAxis("left").enableAutoSIPrefix(False)
        self._scheduled = None
        self._ranges: dict[str, tuple | None] = {key: None for key in KEYS}
        self._series: list[dict | None] = []     # per run: what draw_run drew ("lr", "momentum")
        self._stale = False                       # runs went undrawn while hidden
        self._momentum_row = True
        self.listen(sim)
        self.apply_theme("light")
        self.on_steps_changed(sim.steps)
        self.redraw()

    # ------------------------------------------------------------- options
    def apply_theme(self, name: str) -> None:
        self._theme = t = get_theme(name)
        for key, plot in self.plots.items():
            style_plot(t, self.graphics, plot)
            self.cursors[key].setPen(pg.mkPen(t.muted, width=1.5))
            self.current[key].setPen(pg.mkPen(t.background, width=1.5))

    def on_steps_changed(self, n: int) -> None:
        """The whole run on x, with room at its ends for half an end label (14 px, as
        the loss curve leaves: pyqtgraph leaves out a label that would stick out)."""
        width = self.plots["lr"].getViewBox().size().width()
        self.plots["lr"].setXRange(0, max(1, n), padding=min(0.2, max(0.02, 14.0 / max(width, 1.0))))

    # ------------------------------------------------------------- drawing
    def draw_run(self, i: int) -> None:
        """Run i's lr (and moved momentum) up to the current step, on the axes as they are."""
        sim = self.sim
        self._series.extend([None] * (len(sim.runs) - len(self._series)))
        for key in KEYS:
            while len(self.curves[key]) < len(sim.runs):
                c = pg.PlotCurveItem(antialias=True)
                self.plots[key].addItem(c)
                self.curves[key].append(c)
        if not self.isVisible():
            self._stale = True
            return
        run, t = sim.runs[i], sim.trajectories[i]
        series = None
        if run.enabled and t.steps >= 0:
            series = t.group_history(min(sim.step, sim.steps - 1, t.steps))
        self._series[i] = series
        pen = pg.mkPen(sim.colors()[i], width=2)
        for key in KEYS:
            c = self.curves[key][i]
            y = None if series is None else series.get(key)
            if y is None:
                c.setData([], [])
                c.setVisible(False)
                continue
            if key == "lr":
                with np.errstate(all="ignore"):
                    y = np.where(y > 0, np.log10(y), np.nan)   # the axis is in log mode
            c.setPen(pen)
            px = self.plots[key].getViewBox().viewPixelSize()
            c.setData(*thin_curve(np.arange(len(y), dtype=float), y, px), connect="finite")
            c.setVisible(True)

    def draw_shared(self) -> None:
        """Visibility, the axes' ranges, the cursor and the current dots."""
        sim = self.sim
        n = len(sim.runs)
        del self._series[n:]
        for key in KEYS:
            for c in self.curves[key][n:]:
                c.setVisible(False)
        scheduled = any(r.enabled and r.scheduler is not None for r in sim.runs)
        if scheduled != self._scheduled:
            self._scheduled = scheduled
            self.has_schedules.emit(scheduled)
        if not self.isVisible():
            return
        moved = any(s is not None and "momentum" in s for s in self._series)
        self._show_momentum(moved)
        self.plots["momentum"].setLabel("left", momentum_title(sim.runs))
        self.plots["lr"].getAxis("bottom").setStyle(showValues=not moved)
        self.plots["lr"].setLabel("bottom", None if moved else "iteration")
        self.plots["momentum"].setLabel("bottom", "iteration")
        k = min(sim.step, sim.steps - 1)
        for key in KEYS:
            xs, ys, brushes = [], [], []
            values = []
            for i, s in enumerate(self._series):
                c = self.curves[key][i] if i < len(self.curves[key]) else None
                if s is None or key not in s or c is None or not c.isVisible():
                    continue
                x, y = c.getData()
                finite = y[np.isfinite(y)]
                values.append(finite)
                if len(y) and np.isfinite(y[-1]):
                    xs.append(x[-1])
                    ys.append(y[-1])
                    brushes.append(brush(sim.colors()[i]))
            self.current[key].setData(xs, ys, brush=brushes)
            self.cursors[key].setValue(max(k, 0))
            self._fit(key, np.concatenate(values) if values else np.zeros(0))

    def _show_momentum(self, on: bool) -> None:
        """The momentum plot and its row: a hidden item keeps its row in the layout, so
        the row is closed too (no height, no stretch) and the lr plot takes the pane."""
        plot = self.plots["momentum"]
        if plot.isVisible() == on and self._momentum_row == on:
            return
        self._momentum_row = on
        plot.setVisible(on)
        plot.setMaximumHeight(1e6 if on else 0)
        self.graphics.ci.layout.setRowStretchFactor(1, 2 if on else 0)

    def _fit(self, key: str, values: np.ndarray) -> None:
        """Round bounds around what is drawn, changed only when a bound changes."""
        if not len(values):
            return
        lo, hi = float(values.min()), float(values.max())
        if key == "lr":
            y_range = nice_range(lo, hi, log=True)
        else:
            y_range = nice_range(lo, hi, log=False) if hi > lo else (math.floor(lo * 10) / 10,
                                                                     math.floor(lo * 10) / 10 + 0.1)
        if y_range != self._ranges[key]:
            self._ranges[key] = y_range
            self.plots[key].getViewBox().setYRange(*y_range, padding=0.05)

    def _resized(self, *_args) -> None:
        """A new size: the curves are thinned for the new pixel size."""
        if self.isVisible() and self.sim is not None:
            self.on_steps_changed(self.sim.steps)
            self.redraw()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.redraw()

    @property
    def scheduled(self) -> bool:
        """Whether any enabled run has a schedule (the view has something to show)."""
        return bool(self._scheduled)

    # ---------------------------------------------------------- inspection
    def drawn_curve(self, i: int, key: str = "lr") -> tuple[np.ndarray, np.ndarray]:
        """Run i's drawn curve: x = iterations, y = log10 lr (or the momentum), NaN = gap."""
        c = self.curves[key][i]
        x, y = c.getData()
        if x is None or not c.isVisible():
            return np.zeros(0), np.zeros(0)
        return x, y

    def current_points(self, key: str = "lr") -> np.ndarray:
        """(m, 2) the current dots: iteration, log10 lr (or momentum)."""
        x, y = self.current[key].getData()
        return np.column_stack([x, y]) if x is not None else np.zeros((0, 2))


def momentum_title(runs) -> str:
    """"momentum", "β₁" or "momentum, β₁": what the shown schedules move."""
    moved = {key for r in runs if r.enabled and r.scheduler is not None
             for key in r.scheduler.public[1:]}
    names = [name for key, name in (("momentum", "momentum"), ("betas", "β₁")) if key in moved]
    return ", ".join(names) or "momentum"
