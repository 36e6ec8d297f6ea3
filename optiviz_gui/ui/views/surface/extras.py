"""LBFGS's evaluations, ASGD's averaged path and Rprop's step sizes in the 3-D view.

The same things as on the map (views/contour/extras.py, which computes them), lifted
onto the surface like the paths: ASGD's θ̄ path faint and thin at the loss of each
averaged point, LBFGS's evaluation marks as small points at the loss it computed
there with the dotted line of its tries drawn solid and thin, Rprop's box θ ± η with
each corner at its own loss. Every run's lines go into one line item and every mark
into one scatter item, so the extras cost two draw calls whatever the number of runs.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph.opengl as gl
from PySide6 import QtGui

from ..contour.extras import COMPANION_ALPHA, companion, evaluations, step_box
from .mesh import clip_segments, thin_path

NONE = np.zeros((0, 3), dtype=np.float32)


class SceneExtras:
    """The extras of every run of one SurfaceView (``view``: for ``_to_scene`` and LIFT)."""

    def __init__(self, view, lift: float, thin: float) -> None:
        self.view, self.lift, self.thin = view, lift, thin
        self.lines = gl.GLLinePlotItem(width=1.5, antialias=True, mode="lines")
        self.lines.setGLOptions("translucent")
        self.marks = gl.GLScatterPlotItem(size=6, pxMode=True)
        self.marks.setGLOptions("translucent")
        for item in (self.lines, self.marks):
            item.setVisible(False)
            view.addItem(item)
        self._runs: list[tuple] = []          # per run: (segments, colours, marks, colours)

    def draw_run(self, i: int, sim) -> None:
        """Run i's extras at the current step, in scene coordinates."""
        self._runs.extend([(NONE, NONE, NONE, NONE)] * (len(sim.runs) - len(self._runs)))
        run, t = sim.runs[i], sim.trajectories[i]
        k = min(sim.step, t.steps)
        if not run.enabled or k < 0:
            self._runs[i] = (NONE, NONE, NONE, NONE)
            return
        rgba = np.array(QtGui.QColor(sim.colors()[i]).getRgbF(), dtype=np.float32)
        faint = rgba * np.array([1, 1, 1, COMPANION_ALPHA / 255], dtype=np.float32)
        segs, colors = [], []
        for points, color in ((companion(t, k), faint), (evaluations(t, k)[0], rgba),
                              (step_box(t, k), rgba)):
            if points is None or len(points) < 2:
                continue
            p = self._lifted(points, t.surface.value(points))
            seg = clip_segments(thin_path(p, self.thin))[0]
            segs.append(seg)
            colors.append(np.broadcast_to(color, (len(seg), 4)))
        marks = evaluations(t, k)[1]
        mark_pos = NONE if marks is None else self._lifted(marks, t.marks_at(k - 1)[1])
        inside = np.all(np.abs(mark_pos[:, :2]) <= 1.0, axis=1)
        mark_pos = mark_pos[inside]
        self._runs[i] = (np.concatenate(segs) if segs else NONE,
                         np.concatenate(colors) if colors else NONE,
                         mark_pos, np.broadcast_to(rgba, (len(mark_pos), 4)))

    def draw_shared(self, n: int) -> None:
        """Every run's extras into the two items (runs n, n+1, … are gone)."""
        del self._runs[n:]
        for item, (pos, col) in ((self.lines, (0, 1)), (self.marks, (2, 3))):
            parts = [r for r in self._runs if len(r[pos])]
            if parts:
                item.setData(pos=np.concatenate([r[pos] for r in parts]),
                             color=np.concatenate([r[col] for r in parts]))
            item.setVisible(bool(parts))

    def data(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Run i's (line segment end points, marks) in scene coordinates."""
        segs, _, marks, _ = self._runs[i]
        return segs.copy(), marks.copy()

    def _lifted(self, points: np.ndarray, losses) -> np.ndarray:
        p = self.view._to_scene(np.asarray(points, dtype=float), np.asarray(losses, dtype=float))
        p[:, 2] += self.lift
        return p
