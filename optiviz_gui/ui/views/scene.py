"""Rendering a 2-D view at any size, offscreen, without disturbing it on screen.

The view's central layout is laid out at the image size (scaled down for big
images, see ``REFERENCE``), the scene is painted into a QImage, and the
on-screen geometry is put back if the view is visible (a hidden view, as an
export uses, stays laid out for the next frame, which then costs no layout).

For a sequence of frames the items that do not move (level map, iso-lines,
axes, colour bar) can be painted once into a cached background: each frame
then copies it and paints only the moving items on top, which is what makes
an export of a hundred 2000 × 1125 frames take a second or two, not several.
"""

from __future__ import annotations

from typing import Callable, Sequence

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

_NO_CACHE = QtWidgets.QGraphicsItem.CacheMode.NoCache

REFERENCE = (960, 720)


class LayoutRenderer:
    """Renders one GraphicsLayoutWidget; keeps the cached static background."""

    def __init__(self, graphics: pg.GraphicsLayoutWidget, relayout: Callable[[], None]) -> None:
        self.graphics = graphics
        self.relayout = relayout          # redo pixel-sized details after a size change
        self._static_key = None
        self._static: QtGui.QImage | None = None
        self.static_renders = 0

    def render(self, w: int, h: int, background: str, static: Sequence = (),
               moving: Sequence = (), static_key=None) -> QtGui.QImage:
        """The view at w × h. With ``static``/``moving`` item lists and a ``static_key``
        (anything that changes whenever a static item changes), static items come
        from the cache and only moving items are painted."""
        w, h = int(w), int(h)
        s = max(1.0, min(w / REFERENCE[0], h / REFERENCE[1]))
        lw, lh = w / s, h / s                 # laid out at this size, painted scaled by s
        ci = self.graphics.ci
        old = QtCore.QRectF(ci.geometry())
        target = QtCore.QRectF(0, 0, lw, lh)
        moved = old != target
        try:
            if moved:
                self.lay_out(target)
            if not static:
                img = self._paint(w, h, lw, lh, background)
            else:
                # the layout can shift with the moving items (a legend that wraps to
                # another line moves the plot): where the static items sit is key too
                where = tuple(_rect(it.sceneBoundingRect()) for it in static)
                key = (static_key, w, h, background, where)
                if key != self._static_key or self._static is None:
                    self._static = self._paint(w, h, lw, lh, background, hide=moving)
                    self._static_key = key
                    self.static_renders += 1
                img = self._static.copy()
                self._paint(w, h, lw, lh, None, hide=static, into=img)
        finally:
            if moved and self.graphics.isVisible():
                self.lay_out(old)
        return img

    def invalidate(self) -> None:
        """Forget the cached background: the next render paints it afresh (the layout
        moved the static items in a way their key cannot see)."""
        self._static_key = None

    def lay_out(self, rect: QtCore.QRectF) -> None:
        """Lay the view's central item out in ``rect`` (scene units), settling text wraps."""
        ci = self.graphics.ci
        ci.setGeometry(rect)
        ci.layout.activate()
        self.relayout()                       # may change sizes (text wrapping): once more
        ci.layout.activate()
        self.relayout()

    def _paint(self, w, h, lw, lh, background, hide=(), into=None) -> QtGui.QImage:
        img = into
        if img is None:
            img = QtGui.QImage(w, h, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
            img.fill(QtGui.QColor(background))
        shown = [it for it in hide if it.isVisible()]
        for it in shown:
            it.setVisible(False)
        try:
            p = QtGui.QPainter(img)
            p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
            p.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing)
            render_scene(self.graphics.scene(), p, (w, h), (lw, lh))
            p.end()
        finally:
            for it in shown:
                it.setVisible(True)
        return img


def render_scene(scene: QtWidgets.QGraphicsScene, p: QtGui.QPainter,
                 size: tuple[float, float], layout_size: tuple[float, float]) -> None:
    """Paint the scene's (0, 0, *layout_size) into (0, 0, *size) of ``p``, every item
    painted afresh: Qt's item caches (which keep axes, the level map and the
    legend as pixmaps on screen) are off meanwhile, since a cached item is clipped
    to its bounding box and pyqtgraph's axis labels can reach a pixel past it."""
    cached = [(it, it.cacheMode()) for it in scene.items() if it.cacheMode() != _NO_CACHE]
    for it, _ in cached:
        it.setCacheMode(_NO_CACHE)
    try:
        scene.render(p, QtCore.QRectF(0, 0, *size), QtCore.QRectF(0, 0, *layout_size))
    finally:
        for it, mode in cached:
            it.setCacheMode(mode)


def render_layout(graphics: pg.GraphicsLayoutWidget, background: str, w: int, h: int,
                  relayout: Callable[[], None] = lambda: None) -> QtGui.QImage:
    """One-off render of a whole view (no static cache)."""
    return LayoutRenderer(graphics, relayout).render(w, h, background)


def _rect(r: QtCore.QRectF) -> tuple[float, float, float, float]:
    return (round(r.x(), 3), round(r.y(), 3), round(r.width(), 3), round(r.height(), 3))
