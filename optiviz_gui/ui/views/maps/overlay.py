"""The basin overlay: a start map laid translucently under the contour map's paths.

Where each start point ends (the "which minimum" or "outcome" colours) drawn
over the level map and under the iso-lines and paths, so the start point a
person drags can be seen crossing from one basin into another. It is one
image item in the contour view's plot (z between the level map and the
iso-lines), fed by the Maps view (``MapView.overlay``): the on-screen contour
only, exports draw their own views without it.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore

OPACITY = 0.5
Z = 0.5          # over the level map (0), under the iso-lines (1) and the paths


class BasinOverlay:
    """``BasinOverlay(plot)``; ``show(overlay)`` with MapView.overlay()'s value or None."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.image = pg.ImageItem(axisOrder="col-major")
        self.image.setOpacity(OPACITY)
        self.image.setZValue(Z)
        self.image.setAcceptedMouseButtons(QtCore.Qt.MouseButton.NoButton)
        self.image.setVisible(False)
        plot.addItem(self.image, ignoreBounds=True)

    def show(self, overlay) -> None:  # noqa: A003 - the verb
        """(RGBA (N, M, 4), (x0, y0, width, height)) to draw, or None to hide."""
        if overlay is None:
            self.image.setVisible(False)
            return
        rgba, rect = overlay
        self.image.setImage(rgba, autoLevels=False)
        self.image.setRect(QtCore.QRectF(*rect))
        self.image.setVisible(True)

    @property
    def shown(self) -> bool:
        return self.image.isVisible()


def cells_rect(spec) -> tuple[float, float, float, float]:
    """(x0, y0, width, height) a start map's cells cover: the grid plus half a cell."""
    n, m = spec.shape
    du = (spec.u[-1] - spec.u[0]) / (n - 1)
    dv = (spec.v[-1] - spec.v[0]) / (m - 1)
    return (float(spec.u[0] - du / 2), float(spec.v[0] - dv / 2), float(n * du), float(m * dv))
