"""Drawing a 2-D view's frames fast: what does not change with the step is drawn once.

A contour frame at 2000×1125 is mostly things that never move during an
export — the level map, the iso-lines, the axes, the colour bar — and costs
about 28 ms to draw whole. Only the paths, the current points, the arrows,
the markers over them and the header (counter and legend) change from step
to step. So:

    background = the scene with the changing items made transparent (once)
    frame k    = a copy of the background + the scene with every other
                 item made transparent, painted on top

The background is drawn again whenever the layout moved (a legend that
wraps to another line shrinks the plot) or a run appears. Opacity 0 makes
Qt skip an item without touching the layout. Parents of
changing items (the plot, the view box) are left alone; they paint nothing
of their own here. The picture is the same as ``view.render_image``
pixel for pixel as long as the view's items are split correctly, and
``LayeredRenderer.verify`` checks exactly that on a real frame before an
export relies on it (the caller falls back to ``render_image`` otherwise).

The view is laid out once at the export size the way
``ui.view_render.render_layout`` does (at the reference size's scale,
painted magnified) and left that way: export views are never on screen.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui



def dynamic_items(view) -> list | None:
    """The scene items of ``view`` that change with the step, or None if unknown.

    A view may say so itself with ``dynamic_items()``; for the contour view
    they are its per-run items, the current points, the arrows, the markers
    drawn over paths (start, minima) and the header.
    """
    own = getattr(view, "dynamic_items", None)
    if callable(own):
        return list(own())
    items = getattr(view, "items", None)
    header = getattr(view, "header", None)
    if items is None or header is None or not hasattr(items, "runs"):
        return None
    out = [header]
    for name in ("current", "start", "minima"):
        if hasattr(items, name):
            out.append(getattr(items, name))
    out.extend(getattr(items, "arrows", {}).values())
    return out


class LayeredRenderer:
    """Frames of one pyqtgraph ``GraphicsLayoutWidget`` view at w × h, background drawn once."""

    def __init__(self, view, w: int, h: int) -> None:
        try:
            from ..ui.view_render import REFERENCE
        except ImportError:  # pragma: no cover - the views define it
            REFERENCE = (w, h)
        self.view = view
        self.w, self.h = int(w), int(h)
        self.scale = max(1.0, min(self.w / REFERENCE[0], self.h / REFERENCE[1]))
        self._source = QtCore.QRectF(0, 0, self.w / self.scale, self.h / self.scale)
        self._target = QtCore.QRectF(0, 0, self.w, self.h)
        self._scene = view.graphics.scene()
        self._background: QtGui.QImage | None = None
        self._static: list = []
        self._dynamic: list = []
        self._key: tuple = ()
        # Axes size themselves to the tick labels they drew last: one whole render
        # at this size lets them settle, as repeated paints on screen do.
        view.render_image(self.w, self.h)
        ci = view.graphics.ci
        ci.setGeometry(self._source)
        ci.layout.activate()
        view.redraw()          # pixel-sized details (arrow heads) for this layout

    def _split(self) -> None:
        """Static = every scene item that is not dynamic, above one, or below one."""
        dynamic = dynamic_items(self.view) + self._run_items()
        marked = set(dynamic)
        keep = set()
        for it in dynamic:
            p = it.parentItem()
            while p is not None:
                keep.add(p)
                p = p.parentItem()

        def under_dynamic(it) -> bool:
            p = it.parentItem()
            while p is not None:
                if p in marked:
                    return True
                p = p.parentItem()
            return False

        self._dynamic = dynamic
        self._static = [it for it in self._scene.items()
                        if it not in marked and it not in keep and not under_dynamic(it)]

    def _run_items(self) -> list:
        runs = getattr(getattr(self.view, "items", None), "runs", [])
        return [it for run in runs for it in run]

    def _paint(self, img: QtGui.QImage) -> None:
        p = QtGui.QPainter(img)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing)
        self._scene.render(p, self._target, self._source)
        p.end()

    def _draw_background(self) -> None:
        self._split()
        for it in self._dynamic:
            it.setOpacity(0.0)
        img = QtGui.QImage(self.w, self.h, QtGui.QImage.Format.Format_ARGB32)
        img.fill(QtGui.QColor(getattr(getattr(self.view, "_theme", None), "background", "#ffffff")))
        self._paint(img)
        for it in self._dynamic:
            it.setOpacity(1.0)
        for it in self._static:
            it.setOpacity(0.0)
        self._background = img

    def render(self) -> QtGui.QImage:
        """The view as it is now (after ``sim.seek``), at w × h."""
        layout = self.view.graphics.ci.layout
        layout.activate()                  # a longer legend may have moved the plot
        if self._background is None or self._layout_key() != self._key or self._runs_changed():
            self._restore()
            for _ in range(3):             # painting may resize an axis: until it holds
                self._key = self._layout_key()
                self._draw_background()
                layout.activate()
                if self._layout_key() == self._key:
                    break
                self._restore()
        img = self._background.copy()
        self._paint(img)
        return img

    def _layout_key(self) -> tuple:
        """Where everything static sits: the layout cells and every view box's range."""
        layout = self.view.graphics.ci.layout
        cells = []
        for i in range(layout.count()):
            r = layout.itemAt(i).geometry()
            cells.append((r.x(), r.y(), r.width(), r.height()))
        box = getattr(self.view, "view_box", None)
        ranges = tuple(map(tuple, box.viewRange())) if box is not None else ()
        return tuple(cells), ranges

    def _runs_changed(self) -> bool:
        return any(it not in self._dynamic for it in self._run_items())

    def _restore(self) -> None:
        for it in self._static:
            it.setOpacity(1.0)

    def verify(self, tolerance: int = 8) -> bool:
        """Whether a layered frame matches the view's own ``render_image`` here."""
        from .render import qimage_to_array

        layered = qimage_to_array(self.render())
        self._restore()
        try:
            whole = qimage_to_array(self.view.render_image(self.w, self.h))
        finally:
            for it in self._static:
                it.setOpacity(0.0)
        if layered.shape != whole.shape:
            return False
        bad = np.abs(layered[:, :, :3].astype(np.int16) - whole[:, :, :3]).max(axis=2) > tolerance
        return bool(bad.mean() < 1e-4)
