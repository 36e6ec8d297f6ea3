"""Maps as pictures, drawn by the app's own map canvas offscreen: the PNG of
``optiviz map -o OUT.png`` and of File ▸ Export map….

    panels = [Panel(spec, result, "Adam · start points, 64 × 64 · 100 steps", (2.0, 9.0)), ...]
    write_map_png("map.png", panels, scheme="outcome")

Several maps (one per run, as ``optiviz map`` makes them by default) are drawn
side by side, in as few rows as keep them near square, each at ``PANEL`` pixels,
with one shared loss scale when the cells are coloured by loss (the same colour
is the same loss in every panel). Each panel is the canvas the Maps view shows:
title, legend or colour bar, axes, the cells, the session's marker.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np
from PySide6 import QtCore

from ...core.files import atomic_path
from ...export.writers import check_destination, write_png
from ..views.maps.canvas import MapCanvas
from ..views.maps.colors import loss_span, paint
from .frames import qimage_to_array

PANEL = (900, 720)


@dataclass
class Panel:
    """One map to draw: its spec, its (finished) MapResult, its title, and the marked
    grid point (u, v) or (None, None)."""

    spec: object
    result: object
    title: str
    marker: tuple = (None, None)


def map_image(panels: list[Panel], scheme: str, theme: str = "light",
              size: tuple[int, int] = PANEL) -> np.ndarray:
    """The panels side by side, each ``size`` pixels, as one (h, w, 4) RGBX array."""
    if not panels:
        raise ValueError("no map to draw")
    shared = loss_span([p.result for p in panels]) if scheme == "loss" and len(panels) > 1 \
        else None
    w, h = size
    cols = math.ceil(math.sqrt(len(panels)))
    rows = math.ceil(len(panels) / cols)
    out = None
    for k, p in enumerate(panels):
        canvas = MapCanvas()
        try:
            canvas.apply_theme(theme)
            canvas.show(p.spec, paint(p.result, scheme, canvas.theme, shared), p.title)
            canvas.set_marker(*p.marker)
            part = qimage_to_array(canvas.render_image(w, h))
        finally:
            canvas.deleteLater()
        if out is None:
            out = np.empty((rows * h, cols * w, 4), dtype=np.uint8)
            out[...] = part[0, 0]                  # the theme's background, for empty slots
        r, c = divmod(k, cols)
        out[r * h:(r + 1) * h, c * w:(c + 1) * w] = part
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
    return out


def write_map_png(path: str | os.PathLike, panels: list[Panel], scheme: str,
                  theme: str = "light", size: tuple[int, int] = PANEL) -> None:
    """``map_image`` written to ``path`` as PNG, atomically (nothing is left on failure)."""
    check_destination(path)
    image = map_image(panels, scheme, theme, size)
    with atomic_path(path) as tmp:
        write_png(tmp, image)
