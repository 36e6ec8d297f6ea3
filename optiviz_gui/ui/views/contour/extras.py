"""What some optimizers keep besides their path, drawn on the map in the run's colour.

    LBFGS   where it evaluated the loss inside the update that led to the current point
            θ_k (``Trajectory.marks_at(k − 1)``: its inner iterations and line-search
            trials): small hollow marks, joined in the order it tried them by a thin
            dotted line from θ_{k−1} to θ_k — what one "step" of L-BFGS really did
    ASGD    the averaged point θ̄ (its state ``ax``, ``Trajectory.recorded``) from step 1
            to k: a faint thin companion of the path (torch starts ``ax`` at 0, so
            step 0 is left out; θ̄ = θ until step t₀)
    Rprop   its per-coordinate step sizes η after k updates (state ``step_size``): a
            box θ_k ± η, the most each coordinate can move next (η's next factor aside)

``RunExtras`` owns these items for every run of one plot and only calls
``setData`` on them (created when a run first needs them, hidden when not), like
``MapItems``. The 3-D view draws the same (views/surface/extras.py). On a surface with more parameters (``mlp``) θ̄ and the marks are
drawn projected onto the plane and the box is left out (its sides are steps
along parameter axes, not along the plane's directions).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from ..paths import distinct_cells

COMPANION_ALPHA = 120          # of 255: faint beside the path's full colour
MARK_PX = 7.0


class RunExtras:
    """LBFGS's marks, ASGD's averaged path and Rprop's step-size box of each run."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.runs: list[dict[str, pg.GraphicsObject]] = []
        self._colors: list[str | None] = []

    def items(self) -> list:
        """Every item (for the exports' list of moving items)."""
        return [item for run in self.runs for item in run.values()]

    def _ensure(self, n: int) -> None:
        while len(self.runs) < n:
            companion = pg.PlotCurveItem(antialias=True)
            companion.setZValue(4)                       # under the paths (5)
            trials = pg.PlotCurveItem(antialias=True)
            trials.setZValue(8)
            marks = pg.ScatterPlotItem(symbol="o", size=MARK_PX, pxMode=True)
            marks.setZValue(9)
            box = pg.PlotCurveItem(antialias=True)
            box.setZValue(7)
            run = {"companion": companion, "trials": trials, "marks": marks, "box": box}
            for item in run.values():
                item.setVisible(False)
                self.plot.addItem(item)
            self.runs.append(run)
            self._colors.append(None)

    def _recolor(self, i: int, color: str) -> None:
        if color == self._colors[i]:
            return
        self._colors[i] = color
        items, c = self.runs[i], QtGui.QColor(color)
        faint = QtGui.QColor(c)
        faint.setAlpha(COMPANION_ALPHA)
        items["companion"].setPen(pg.mkPen(faint, width=1.5))
        dotted = pg.mkPen(c, width=1.2)
        dotted.setStyle(QtCore.Qt.PenStyle.DotLine)
        items["trials"].setPen(dotted)
        items["marks"].setPen(pg.mkPen(c, width=1.5))
        items["marks"].setBrush(pg.mkBrush(None))
        items["box"].setPen(pg.mkPen(c, width=1.3))

    def draw_run(self, i: int, sim, pixel) -> None:
        """Run i's extras at the current step (all hidden when the run is off)."""
        self._ensure(len(sim.runs))
        run, t, items = sim.runs[i], sim.trajectories[i], self.runs[i]
        k = min(sim.step, t.steps)
        shown = run.enabled and k >= 0
        self._recolor(i, sim.colors()[i])
        _set(items["companion"], companion(t, k, pixel) if shown else None)
        trials, marks = evaluations(t, k) if shown else (None, None)
        _set(items["trials"], trials)
        if marks is None:
            items["marks"].setVisible(False)
        else:
            items["marks"].setData(marks[:, 0], marks[:, 1])
            items["marks"].setVisible(True)
        _set(items["box"], step_box(t, k) if shown else None)

    def hide_from(self, n: int) -> None:
        """Hide the items of runs n, n+1, ... (removed runs)."""
        for run in self.runs[n:]:
            for item in run.values():
                item.setVisible(False)

    def data(self, i: int, name: str) -> np.ndarray:
        """(m, 2) points of run i's drawn ``name`` ("companion", "trials", "marks",
        "box"); empty when hidden."""
        if i >= len(self.runs) or not self.runs[i][name].isVisible():
            return np.zeros((0, 2))
        x, y = self.runs[i][name].getData()
        return np.column_stack([x, y]) if x is not None else np.zeros((0, 2))


def companion(t, k: int, pixel=None) -> np.ndarray | None:
    """ASGD's averaged points θ̄_1 … θ̄_k as drawn (with ``pixel``, the data size of a
    screen pixel: thinned to distinct half-pixel cells, the last kept), or None for an
    optimizer that keeps none."""
    if "ax" not in t.recorded_names or k < 1:
        return None
    ax = t.recorded("ax")[1:k + 1]
    if t.dim > 2:
        ax = t.surface.project(ax)[0]
    if pixel is None:
        return ax
    px, py = (abs(float(pixel[0])) or 1.0), (abs(float(pixel[1])) or 1.0)
    return ax[distinct_cells(ax, 0.5 * px, 0.5 * py, keep_last=True)]


def evaluations(t, k: int) -> tuple[np.ndarray | None, np.ndarray | None]:
    """LBFGS's tries inside the update that led to θ_k: (the dotted line θ_{k−1}, the
    evaluated points in order, θ_k; the marks), or (None, None)."""
    if not t.optimizer.needs_closure or k < 1:
        return None, None
    marks, _losses = t.marks_at(k - 1)
    if not len(marks):
        return None, None
    p = t.params
    return np.vstack([p[k - 1], marks, p[k]]), marks


def step_box(t, k: int) -> np.ndarray | None:
    """Rprop's box θ_k ± η_k as a closed outline (5 points), or None."""
    if t.dim > 2 or "step_size" not in t.optimizer.State._fields:
        return None
    eta = np.asarray(t.state_at(k)["step_size"], dtype=float)
    if not np.all(np.isfinite(eta)):
        return None
    (x, y), (ex, ey) = t.params[k], eta
    return np.array([[x - ex, y - ey], [x + ex, y - ey], [x + ex, y + ey],
                     [x - ex, y + ey], [x - ex, y - ey]])


def _set(item, points: np.ndarray | None) -> None:
    if points is None or not len(points):
        item.setVisible(False)
        return
    item.setData(points[:, 0], points[:, 1])
    item.setVisible(True)
