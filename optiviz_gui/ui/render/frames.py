"""Frames drawn by the app's own views, one per step, at a fixed size (the Qt side of export).

``ViewFrames(sim, view, size)`` is a frame source for ``writers.export_frames``:
frame k is the view(s) of ``sim`` at step k rendered offscreen at ``size``
with the legend and the iteration counter drawn in (they are part of the
view's scene). ``view`` is "contour", "surface" (the 3-D view) or "both",
contour on the left and 3-D on the right, each half the width.

The views listen to ``sim``, and frame k seeks it to step k, so give it a
simulation of its own (``Simulation.copy()``) when the on-screen one must not
move. The 2-D view is drawn incrementally (incremental.py): only the
rectangles where step k differs from the frame drawn before are repainted,
which ``patches(k)`` hands on as they are (a GIF stores just those), so a
step of the blog example at 2000×1125 costs a few milliseconds.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from ...core.simulation import Simulation
from ..views.options import ViewOptions

VIEWS = ("contour", "surface", "both")


def qimage_to_array(img: QtGui.QImage) -> np.ndarray:
    """A QImage as an (h, w, 4) uint8 RGBX array (a copy)."""
    img = img.convertToFormat(QtGui.QImage.Format.Format_RGBX8888)
    w, h, bpl = img.width(), img.height(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=h * bpl)
    return buf.reshape(h, bpl)[:, : 4 * w].reshape(h, w, 4).copy()


def settle_layout(view) -> None:
    """Apply now the layout changes that the step (or the last paint) asked for.

    A legend that wraps to one more line moves the plot down, and an axis
    resizes itself to the tick labels it last drew. Qt applies such changes
    on the next event-loop pass, which a headless export never runs (the
    legend then overlaps the plot), and the 2-D view's cached background is
    keyed on what it shows, not on where the layout put it. Here the pending
    layout requests (only those) are processed, and when the plot moved, the
    cached background is dropped and the pixel-sized details redrawn.
    """
    graphics = getattr(view, "graphics", None)
    if graphics is None:
        return
    before = _geometry(view)
    for _ in range(3):
        QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.LayoutRequest)
        graphics.ci.layout.activate()
        now = _geometry(view)
        if now == before:
            return
        renderer = getattr(view, "renderer", None)
        if renderer is not None:
            renderer.invalidate()                # the background is out of date
        view.redraw()
        before = now


def _geometry(view) -> list:
    """Where the layout put things: its cells and the plot area."""
    layout = view.graphics.ci.layout
    cells = [layout.itemAt(i).geometry().getRect() for i in range(layout.count())]
    box = getattr(view, "view_box", None)
    if box is not None:
        cells.append(box.sceneBoundingRect().getRect())
    return cells


class ViewFrames:
    """A frame source (count, size, frame(k), patches(k)) drawing ``sim`` with the app's views."""

    def __init__(self, sim: Simulation, view: str = "contour", size: tuple[int, int] = (800, 600),
                 options: ViewOptions | None = None) -> None:
        if view not in VIEWS:
            raise ValueError(f"view must be one of {', '.join(VIEWS)}, got {view!r}")
        self.sim = sim
        self.view = view
        self.size = (int(size[0]), int(size[1]))
        self.count = sim.steps + 1
        w, h = self.size
        self._parts: list[tuple[object, int, object]] = []   # (view widget, width, renderer)
        self._warm = False
        options = options or ViewOptions()
        if view in ("contour", "both"):
            from ..views.contour.view import ContourView
            from .incremental import IncrementalRenderer
            cv = ContourView(sim)
            cv.apply_options(options)
            pw = w if view == "contour" else w // 2
            self._parts.append((cv, pw, IncrementalRenderer(cv, pw, h)))
        if view in ("surface", "both"):
            from ..views.surface.view import SurfaceView
            sv = SurfaceView(sim)
            sv.apply_options(options)
            pw = w if view == "surface" else w - w // 2
            # an OpenGL widget gets its context when first shown: show it, off screen
            sv.setAttribute(QtCore.Qt.WidgetAttribute.WA_DontShowOnScreen, True)
            sv.resize(pw, h)
            sv.show()
            QtWidgets.QApplication.processEvents()
            self._parts.append((sv, pw, None))

    @property
    def key_colors(self) -> list[str]:
        """Colours that must survive a GIF palette exactly: paths (and so arrows) and the
        theme's text."""
        colors = list(self.sim.colors())
        for v, _, _ in self._parts:
            t = v.theme
            colors += [t.background, t.foreground, t.minimum]
        return colors

    def frame(self, k: int) -> np.ndarray:
        """The picture at step k, (h, w, 4) RGBX."""
        images = self._draw(k)
        arrays = [inc.rgbx() if inc is not None else qimage_to_array(img)
                  for (_, _, inc), (img, _) in zip(self._parts, images)]
        return arrays[0] if len(arrays) == 1 else np.concatenate(arrays, axis=1)

    def patches(self, k: int) -> list[tuple[int, int, np.ndarray]]:
        """The picture at step k as what changed since the frame drawn before it
        (by ``frame`` or ``patches``): [(x, y, (h, w, 4) RGBX), ...]."""
        out, x = [], 0
        for (_, pw, inc), (img, rects) in zip(self._parts, self._draw(k)):
            if inc is None:
                out.append((x, 0, qimage_to_array(img)))
            else:
                out += [(x + r[0], r[1], inc.rgbx(r)) for r in rects]
            x += pw
        return out

    def _draw(self, k: int) -> list[tuple[object, list]]:
        """Bring every part to step k: (QImage or None, repainted rectangles) per part."""
        h = self.size[1]
        if not self._warm:
            # axes size themselves to the labels they drew last: one render at this
            # size settles them, as repeated paints on screen do
            for v, pw, inc in self._parts:
                if inc is None:
                    v.render_image(pw, h)
                    settle_layout(v)
                else:
                    inc.settle()
                    settle_layout(v)
            self._warm = True
        self.sim.seek(k)
        for v, _, _ in self._parts:
            settle_layout(v)
        out = []
        for v, pw, inc in self._parts:
            if inc is None:
                out.append((v.render_image(pw, h), None))
            else:
                out.append((None, inc.render()))
        return out

    def close(self) -> None:
        """Delete the views. They stay connected to ``sim``: do not step it afterwards."""
        for v, _, _ in self._parts:
            v.hide()
            v.deleteLater()
        self._parts = []
        # delete them now, not whenever an event loop runs next (a headless export has
        # none, and Qt objects outliving the application crash the interpreter's exit)
        QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)

    def __enter__(self) -> "ViewFrames":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
