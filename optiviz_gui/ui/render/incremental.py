"""A 2-D view's frames drawn incrementally: only what changed since the last frame is repainted.

For a sequence of steps almost nothing moves between two frames: the path
heads, the current points and the legend. ``IncrementalRenderer`` keeps the
picture in one buffer and, per frame, works out the pixel rectangles that can
differ (``dirty.py``), puts the background back in them and repaints, clipped
to each rectangle, every item that reaches into it, in the scene's own
stacking order. Painting one item clipped to a rectangle gives exactly the
pixels a whole-scene paint gives there, so frame k is the same picture as a
one-pass render of step k (the tests compare them).

Layers, fixed while the layout and the static key stay the same (the last
two layouts are kept, so a legend that gains a line and loses it again costs
one background each):

    below    everything that is neither moving nor stacked above a moving
             item it overlaps (level map, iso-lines, axes, colour bar):
             painted once into a cached buffer
    moving   ``view.dynamic_items()`` and their children
    above    the rest: items stacked above a moving item and overlapping it
             (the plot's border); repainted with the moving items

Items are painted as ``QGraphicsScene.render`` would: world transform
``sceneTransform() · S(r)``, clipped by every ancestor that clips its
children, ``paint(painter, option, None)``. Solid curves are the exception:
a wide antialiased polyline costs Qt's rasteriser time in proportion to the
whole path (about 1 ms for the blog's zig-zagging SGD path), so only the
segments within reach of the rectangle are stroked (``dirty.Curve.path_near``); the
cut ends lie outside the rectangle by more than the pen's reach, so the
pixels inside are the same.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from ..views.scene import REFERENCE, render_scene
from . import dirty

Rect = tuple[int, int, int, int]          # x0, y0, x1, y1 in pixels, end exclusive
EDGE = 4               # pixels a rectangle's painting window reaches past it (_paint)
CACHED_LAYOUTS = 2     # below layers kept: a legend that wraps and unwraps flips between two

_FLAGS = QtWidgets.QGraphicsItem.GraphicsItemFlag


class IncrementalRenderer:
    """Frames of one 2-D view (ContourView-like: ``graphics``, ``renderer``,
    ``static_items()``, ``dynamic_items()``, ``static_key()``) at w × h."""

    def __init__(self, view, w: int, h: int) -> None:
        self.view = view
        self.size = (int(w), int(h))
        w, h = self.size
        self.scale = max(1.0, min(w / REFERENCE[0], h / REFERENCE[1]))
        self.layout_size = (w / self.scale, h / self.scale)
        lw, lh = self.layout_size
        r = min(w / lw, h / lh)               # QGraphicsScene.render, KeepAspectRatio
        self.view_transform = QtGui.QTransform().translate(0, 0).scale(r, r).translate(0, 0)
        self.buffer = np.zeros((h, w, 4), np.uint8)          # B, G, R, A (ARGB32 premultiplied)
        self.image = QtGui.QImage(self.buffer.data, w, h, 4 * w,
                                  QtGui.QImage.Format.Format_ARGB32_Premultiplied)
        self.below: np.ndarray | None = None
        self.background_renders = 0
        self._key = None
        self._records: dict[int, dirty.Record] = {}
        self._cache: dict = {}           # layout key -> (below, layers), most recent last
        self._layers: list = []          # (item, moving?, clips, transform, box), paint order

    # ----------------------------------------------------------------- frame
    def render(self) -> list[Rect]:
        """Bring the buffer to the view's current state; returns rectangles outside
        which nothing changed since the last call (the whole frame after a layout
        change, none when the picture stayed the same)."""
        self._lay_out()
        moving = self._moving()
        key = self._layout_key(moving)
        vt = self.view_transform
        records = {id(it): dirty.record(it, vt) for it in moving}
        if key != self._key or self.below is None:
            self._key = key
            cached = self._cache.pop(key, None)
            if cached is None:
                self._build_layers(moving)
            else:
                self.below, self._layers = cached
                self.buffer[...] = self.below
            self._cache[key] = (self.below, self._layers)
            while len(self._cache) > CACHED_LAYOUTS:
                self._cache.pop(next(iter(self._cache)))
            self._records = records
            full = (0, 0, *self.size)
            self._paint([full])
            return [full]
        rects = []
        old = self._records
        for i, rec in records.items():
            rects += dirty.changed_rects(old.get(i), rec)
        self._records = records
        rects = merge_rects(rects, self.size)
        if not rects:
            return []
        before = [self.buffer[y0:y1, x0:x1].copy() if (x1 - x0) * (y1 - y0) >= 4096 else None
                  for x0, y0, x1, y1 in rects]
        for x0, y0, x1, y1 in rects:
            self.buffer[y0:y1, x0:x1] = self.below[y0:y1, x0:x1]
        self._paint(rects)
        tight = [_tighten(r, old, self.buffer) for r, old in zip(rects, before)]
        return [r for r in tight if r is not None]

    def settle(self) -> None:
        """Paint the whole scene once where no pixel lands (a 1 × 1 image): axes size
        themselves to the tick labels they drew, which the next frame's layout needs,
        without rasterising a frame that would be thrown away."""
        self._lay_out()
        img = QtGui.QImage(1, 1, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
        p = QtGui.QPainter(img)
        _hints(p)
        lw, lh = self.layout_size
        render_scene(self.view.graphics.scene(), p, self.size, (lw, lh))
        p.end()

    def rgbx(self, rect: Rect | None = None) -> np.ndarray:
        """A copy of the buffer (or of one rectangle of it) as (h, w, 4) RGBX."""
        w, h = self.size
        if rect is None or tuple(rect) == (0, 0, w, h):
            img = self.image.convertToFormat(QtGui.QImage.Format.Format_RGBX8888)
            bpl = img.bytesPerLine()
            return np.frombuffer(img.constBits(), np.uint8, h * bpl).reshape(h, bpl)[
                :, : 4 * w].reshape(h, w, 4).copy()
        x0, y0, x1, y1 = rect
        out = self.buffer[y0:y1, x0:x1, [2, 1, 0, 3]]
        out[:, :, 3] = 255
        return out

    # ---------------------------------------------------------------- layout
    def _lay_out(self) -> None:
        ci = self.view.graphics.ci
        target = QtCore.QRectF(0, 0, *self.layout_size)
        if QtCore.QRectF(ci.geometry()) != target:
            self.view.renderer.lay_out(target)

    def _moving(self) -> list:
        """The moving items and all their descendants."""
        out, seen = [], set()
        todo = list(self.view.dynamic_items())
        while todo:
            it = todo.pop()
            if id(it) in seen:
                continue
            seen.add(id(it))
            out.append(it)
            todo.extend(it.childItems())
        return out

    def _layout_key(self, moving) -> tuple:
        """Changes whenever the below layer or the stacking would: the view's own
        static key, where the static items and the moving items' frames sit."""
        where = tuple(_rect(it.sceneBoundingRect()) for it in self.view.static_items())
        frames = tuple(_rect(it.sceneBoundingRect()) for it in self.view.dynamic_items()
                       if isinstance(it, QtWidgets.QGraphicsLayoutItem))
        return (self.view.static_key(), self.size, where, frames,
                tuple(id(it) for it in moving))

    def _build_layers(self, moving) -> None:
        """Sort the scene into below / moving / above and paint the below layer."""
        scene = self.view.graphics.scene()
        vt = self.view_transform
        order = list(reversed(scene.items(QtCore.Qt.SortOrder.DescendingOrder)))   # paint order
        moving_ids = {id(it) for it in moving}
        areas = [(i, self._reach(it)) for i, it in enumerate(order) if id(it) in moving_ids]
        above, layers, above_ids, shared = [], [], set(), {}
        for i, it in enumerate(order):
            if id(it) not in moving_ids:
                parent = it.parentItem()
                if parent is not None and id(parent) in above_ids:
                    pass                              # hidden with its parent: above too
                elif it.flags() & _FLAGS.ItemHasNoContents:
                    continue
                else:
                    box = self._device_rect(it)
                    if not any(j < i and box.intersects(area) for j, area in areas):
                        continue
                above.append(it)
                above_ids.add(id(it))
            if it.flags() & _FLAGS.ItemHasNoContents:
                continue
            chain = _clippers(it)
            clips = shared.get(tuple(map(id, chain)))
            if clips is None:                 # one list per chain: items under it share it
                clips = shared[tuple(map(id, chain))] = [
                    (anc.sceneTransform() * vt, _clip_shape(anc)) for anc in reversed(chain)]
            if id(it) in moving_ids:
                layers.append((it, True, clips, None, None))
            else:                     # above items stay put while the layout does
                t = it.sceneTransform() * vt
                r = t.mapRect(it.boundingRect())
                layers.append((it, False, clips, t, (r.left(), r.top(), r.right(), r.bottom())))
        self._layers = layers
        # the below layer: the scene with the moving and the above items hidden
        hide = [it for it in (*moving, *above) if it.isVisible()]
        for it in hide:
            it.setVisible(False)
        try:
            self.buffer.view(np.uint32)[:] = QtGui.QColor(self.view.background_color()).rgba()
            p = QtGui.QPainter(self.image)
            _hints(p)
            lw, lh = self.layout_size
            render_scene(scene, p, self.size, (lw, lh))
            p.end()
        finally:
            for it in hide:
                it.setVisible(True)
        self.below = self.buffer.copy()
        self.background_renders += 1

    def _reach(self, item) -> QtCore.QRectF:
        """Where a moving item can ever paint: inside its clipping ancestor, if any,
        otherwise its own device bounding rectangle."""
        for anc in _clippers(item):
            return (anc.sceneTransform() * self.view_transform).mapRect(anc.boundingRect())
        return self._device_rect(item)

    def _device_rect(self, item) -> QtCore.QRectF:
        return (item.sceneTransform() * self.view_transform).mapRect(item.boundingRect())

    # ---------------------------------------------------------------- paint
    def _paint(self, rects: list[Rect]) -> None:
        """Paint the moving and above items into each rectangle (restored before).

        Each rectangle is painted through an image that is a window onto the
        buffer (its own origin, the buffer's row stride), with the transform
        moved by the window's corner; the window reaches EDGE pixels past the
        rectangle, and those pixels are put back afterwards: the window's edges
        clip everything, also items that turn clipping off (a QPicture replay
        does), and Qt's own edge handling stays outside the rectangle."""
        records = self._records
        todo = []
        for it, is_moving, clips, t, b in self._layers:
            if is_moving:
                rec = records[id(it)]
                if not rec.visible or rec.box is None:
                    continue
                t, b = rec.t, rec.box
                part = rec if isinstance(rec, dirty.Curve) and rec.fast else None
            else:
                if not it.isVisible():
                    continue
                part = None
            todo.append((it, t, b, clips, part))
        w, h = self.size
        flat = self.buffer.reshape(-1)
        for x0, y0, x1, y1 in rects:
            box = QtCore.QRect(x0, y0, x1 - x0, y1 - y0)
            jobs = []
            for it, t, b, clips, part in todo:
                if b[0] - 2 >= x1 or b[2] + 2 <= x0 or b[1] - 2 >= y1 or b[3] + 2 <= y0:
                    continue
                path = None
                if part is not None:
                    path = part.path_near(box)
                    if path is None:
                        continue
                jobs.append((it, t, clips, part, path))
            if not jobs:
                continue
            # the window reaches EDGE pixels past the rectangle, put back after painting:
            # Qt leaves out a pixmap fragment (a scatter symbol) that starts less than a
            # pixel before a device's edge, which the whole scene's paint would draw
            wx0, wy0, wx1, wy1 = max(0, x0 - EDGE), max(0, y0 - EDGE), min(w, x1 + EDGE), min(h, y1 + EDGE)
            around = self.buffer[wy0:wy1, wx0:wx1].copy()
            window = flat[4 * (wy0 * w + wx0):]
            img = QtGui.QImage(window.data, wx1 - wx0, wy1 - wy0, 4 * w,
                               QtGui.QImage.Format.Format_ARGB32_Premultiplied)
            shift = QtGui.QTransform.fromTranslate(-wx0, -wy0)
            p = QtGui.QPainter(img)
            _hints(p)
            try:
                clipped = None                   # the clips set now (shared by neighbours)
                for it, t, clips, part, path in jobs:
                    if clips is not clipped:
                        if clipped is not None:
                            p.restore()
                        clipped = clips
                        p.save()
                        for ct, shape in clips:              # outermost first, as Qt nests them
                            p.setWorldTransform(ct * shift)
                            _apply_clip(p, shape)
                    p.save()
                    p.setWorldTransform(t * shift)
                    if part is not None:                     # as PlotCurveItem.paint strokes it
                        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, part.antialias)
                        p.setPen(part.pen)
                        p.drawPath(path)
                    else:
                        opt = QtWidgets.QStyleOptionGraphicsItem()
                        opt.exposedRect = it.boundingRect()
                        if it.isEnabled():
                            opt.state |= QtWidgets.QStyle.StateFlag.State_Enabled
                        it.paint(p, opt, None)
                    p.restore()
                if clipped is not None:
                    p.restore()
            finally:
                p.end()
            del img, window
            inside = (slice(y0 - wy0, y1 - wy0), slice(x0 - wx0, x1 - wx0))
            around[inside] = self.buffer[y0:y1, x0:x1]
            self.buffer[wy0:wy1, wx0:wx1] = around


def _hints(p: QtGui.QPainter) -> None:
    p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing)


def _clippers(item) -> list:
    """Ancestors that clip their children to their shape, innermost first."""
    out = []
    a = item.parentItem()
    while a is not None:
        if a.flags() & _FLAGS.ItemClipsChildrenToShape:
            out.append(a)
        a = a.parentItem()
    return out


def _clip_shape(item):
    """Qt's own rule (QGraphicsScenePrivate::setClip): a rectangular shape clips as
    a rectangle, anything else as a path."""
    shape = item.shape()
    r = shape.boundingRect()
    return r if _is_rect(shape, r) else shape


def _apply_clip(p: QtGui.QPainter, shape) -> None:
    if isinstance(shape, QtCore.QRectF):
        p.setClipRect(shape, QtCore.Qt.ClipOperation.IntersectClip)
    else:
        p.setClipPath(shape, QtCore.Qt.ClipOperation.IntersectClip)


def _is_rect(path: QtGui.QPainterPath, r: QtCore.QRectF) -> bool:
    n = path.elementCount()
    if n not in (4, 5):
        return False
    xs = {path.elementAt(i).x for i in range(n)}
    ys = {path.elementAt(i).y for i in range(n)}
    return xs <= {r.left(), r.right()} and ys <= {r.top(), r.bottom()}


def _rect(r: QtCore.QRectF) -> tuple[float, float, float, float]:
    return (round(r.x(), 3), round(r.y(), 3), round(r.width(), 3), round(r.height(), 3))


def _tighten(rect: Rect, old: np.ndarray, buffer: np.ndarray) -> Rect | None:
    """The part of ``rect`` where ``buffer`` now differs from ``old`` (its previous
    pixels there), or None where nothing changed."""
    x0, y0, x1, y1 = rect
    if (x1 - x0) * (y1 - y0) < 4096:
        return rect                     # small: not worth the comparison
    changed = buffer[y0:y1, x0:x1].view(np.uint32)[:, :, 0] != old.view(np.uint32)[:, :, 0]
    rows = np.flatnonzero(changed.any(axis=1))
    if not len(rows):
        return None
    cols = np.flatnonzero(changed[rows[0]: rows[-1] + 1].any(axis=0))
    return (x0 + int(cols[0]), y0 + int(rows[0]), x0 + int(cols[-1]) + 1, y0 + int(rows[-1]) + 1)


def merge_rects(rects, size: tuple[int, int], gap: int = 8) -> list[Rect]:
    """Float rectangles (x0, y0, x1, y1) → pixel rectangles inside the frame, merged
    until no two are closer than ``gap`` pixels (so they are disjoint)."""
    w, h = size
    out = []
    for x0, y0, x1, y1 in rects:
        r = [max(0, int(np.floor(x0))), max(0, int(np.floor(y0))),
             min(w, int(np.ceil(x1))), min(h, int(np.ceil(y1)))]
        if r[2] > r[0] and r[3] > r[1]:
            out.append(r)
    merged = True
    while merged:
        merged = False
        for i in range(len(out)):
            for j in range(i + 1, len(out)):
                a, b = out[i], out[j]
                if (a[0] - gap < b[2] and b[0] - gap < a[2]
                        and a[1] - gap < b[3] and b[1] - gap < a[3]):
                    out[i] = [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]
                    del out[j]
                    merged = True
                    break
            if merged:
                break
    return [tuple(r) for r in out]
