"""Rendering a 2-D view at any size, offscreen, without disturbing it on screen."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore, QtGui

REFERENCE = (960, 720)


def render_layout(graphics: pg.GraphicsLayoutWidget, background: str, w: int, h: int,
                  before=None) -> QtGui.QImage:
    """Render a GraphicsLayoutWidget's scene at w × h by laying its central item out at
    that size, painting, and restoring the on-screen geometry. ``before()`` runs after
    each re-layout (to redo pixel-sized details).

    Images larger than ``REFERENCE`` are laid out at the reference size's scale
    and painted magnified, so text and lines grow with the image (a 2000 × 1125
    export reads like the view on screen, not like a page of tiny print)."""
    w, h = int(w), int(h)
    s = max(1.0, min(w / REFERENCE[0], h / REFERENCE[1]))
    lw, lh = w / s, h / s                     # laid out at this size, painted scaled by s
    ci = graphics.ci
    old = ci.geometry()
    img = QtGui.QImage(w, h, QtGui.QImage.Format.Format_ARGB32)
    img.fill(QtGui.QColor(background))
    try:
        ci.setGeometry(QtCore.QRectF(0, 0, lw, lh))
        ci.layout.activate()
        if before:                 # may change sizes (text wrapping): lay out once more
            before()
            ci.layout.activate()
            before()
        p = QtGui.QPainter(img)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing)
        graphics.scene().render(p, QtCore.QRectF(0, 0, w, h), QtCore.QRectF(0, 0, lw, lh))
        p.end()
    finally:
        ci.setGeometry(old)
        ci.layout.activate()
        if before:
            before()
            ci.layout.activate()
    return img
