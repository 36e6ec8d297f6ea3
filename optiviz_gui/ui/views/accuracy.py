"""Training accuracy on the loss pane: each run's share of points classified right, per step.

On a network surface the loss curve can carry, on a right axis from 0 to 100 %,
each enabled run's training accuracy (core/accuracy.py: the fraction of the
points with (logit > 0) == label at θ_k) up to the current step, dashed in the
run's colour so it reads apart from the solid loss curves. The loss view stays
as it is: this overlay is a second ViewBox over the loss plot, sharing its x
axis (pyqtgraph's "multiple axes" pattern), with its own items and its own
listening to the model, so a one-run edit redraws that run's accuracy alone.

The accuracies come from core, kept per trajectory and evaluated once per step
as the run grows: a frame only hands the curve its values. A long run's curve
is drawn through pyqtgraph's peak downsampling (each pixel column's min and max).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from ...core.accuracy import accuracy
from ..style.theme import get_theme, style_axes
from .base import ModelView


class AccuracyOverlay(ModelView):
    """Accuracy curves on a right axis of ``loss_view``'s plot; ``set_shown(on)``."""

    def __init__(self, sim, loss_view) -> None:
        self.plot = loss_view.plot
        main = self.plot.getViewBox()
        self.view_box = pg.ViewBox(enableMouse=False)
        self.view_box.setAcceptedMouseButtons(QtCore.Qt.MouseButton.NoButton)
        self.view_box.setZValue(main.zValue() - 1)    # under the loss view's box: its mouse
        self.plot.scene().addItem(self.view_box)
        self.view_box.setXLink(main)
        self.view_box.setYRange(0.0, 100.0, padding=0.02)
        self.axis = LinearAxis("right")
        self.plot.setAxisItems({"right": self.axis})
        self.axis.linkToView(self.view_box)
        self.axis.enableAutoSIPrefix(False)
        self.axis.setLabel("accuracy % (dashed)")
        main.sigResized.connect(self._fit)
        self.curves: list[pg.PlotDataItem] = []
        self._wanted = False
        self.listen(sim)
        self.apply_theme("light")
        self._show()

    # ------------------------------------------------------------- options
    def set_shown(self, on: bool) -> None:
        """Ask for the accuracy (drawn only while the surface is a network)."""
        self._wanted = bool(on)
        self._show()

    def available(self) -> bool:
        """The surface has labelled points to classify."""
        return hasattr(self.sim.surface, "decision_grid")

    def shown(self) -> bool:
        return self._wanted and self.available()

    def apply_theme(self, name: str) -> None:
        style_axes(get_theme(name), self.axis)

    def _show(self) -> None:
        on = self.shown()
        self.plot.showAxis("right", on)
        self.view_box.setVisible(on)
        self._fit()
        self.redraw()

    def _fit(self, *_args) -> None:
        self.view_box.setGeometry(self.plot.getViewBox().sceneBoundingRect())

    # ------------------------------------------------------------- drawing
    def draw_run(self, i: int) -> None:
        """Run i's accuracy in % up to the current step (nothing when hidden or off)."""
        sim = self.sim
        while len(self.curves) < len(sim.runs):
            c = pg.PlotDataItem(autoDownsample=True, downsampleMethod="peak", clipToView=False)
            self.view_box.addItem(c)
            self.curves.append(c)
        c, run, t = self.curves[i], sim.runs[i], sim.trajectories[i]
        values = accuracy(t) if self.shown() and run.enabled and t.steps >= 0 else None
        if values is None:
            c.setData([], [])
            c.setVisible(False)
            return
        k = min(sim.step, len(values) - 1)
        c.setPen(pg.mkPen(sim.colors()[i], width=1.5, style=QtCore.Qt.PenStyle.DashLine))
        c.setData(np.arange(k + 1, dtype=float), 100.0 * values[: k + 1])
        c.setVisible(True)

    def draw_shared(self) -> None:
        for c in self.curves[len(self.sim.runs):]:
            c.setData([], [])
            c.setVisible(False)

    def draw_static(self) -> None:
        self._show()                 # a network or not: the axis comes or goes

    # ---------------------------------------------------------- inspection
    def drawn_curve(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Run i's drawn accuracy (x = iterations, y = %); empty when not drawn."""
        if i >= len(self.curves) or not self.curves[i].isVisible():
            return np.zeros(0), np.zeros(0)
        x, y = self.curves[i].getData()
        return (np.zeros(0), np.zeros(0)) if x is None else (np.asarray(x), np.asarray(y))


class LinearAxis(pg.AxisItem):
    """An axis that stays linear when the plot it sits on turns log (the loss axis does:
    PlotItem.setLogMode sets every one of its axes)."""

    def setLogMode(self, *args, **kwargs):  # pyqtgraph's name
        pass


__all__ = ["AccuracyOverlay", "LinearAxis"]
