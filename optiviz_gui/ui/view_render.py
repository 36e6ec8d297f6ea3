"""Rendering a 2-D view at any size, offscreen, without disturbing it on screen."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore, QtGui


def render_layout(graphics: pg.GraphicsLayoutWidget, background: str, w: int, h: int,
                  before=None) -> QtGui.QImage:
    """Render a GraphicsLayoutWidget's scene at w × h by laying its central item out at
    that size, painting, and restoring the on-screen geometry. ``before()`` runs after
    each re-layout (to redo pixel-sized details)."""
    w, h = int(w), int(h)
    ci = graphics.ci
    old = ci.geometry()
    img = QtGui.QImage(w, h, QtGui.QImage.Format.Format_ARGB32)
    img.fill(QtGui.QColor(background))
    try:
        ci.setGeometry(QtCore.QRectF(0, 0, w, h))
        ci.layout.activate()
        if before:
            before()
        p = QtGui.QPainter(img)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing)
        graphics.scene().render(p, QtCore.QRectF(0, 0, w, h), QtCore.QRectF(0, 0, w, h))
        p.end()
    finally:
        ci.setGeometry(old)
        ci.layout.activate()
        if before:
            before()
    return img
