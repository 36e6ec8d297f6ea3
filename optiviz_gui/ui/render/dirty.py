"""What changed between two frames of a 2-D view, in pixels, and a curve's part near a rectangle.

``record(item, view)`` notes what an item would paint (for the incremental
renderer in incremental.py); ``changed_rects(old, new)`` says where two such
records can differ, as float rectangles (x0, y0, x1, y1) in device pixels,
``view`` being the scene-to-image transform:

    curves    (pyqtgraph PlotCurveItem) a path that grew or lost its last
              points: with m the length of the common prefix of the old and
              the new points, only points m−1 … of either are new, so the
              box around them, widened by the pen's reach, holds every
              changed pixel (the join at m−1 included)
    scatter   a box around each old and each new symbol
    dots      (ui/dots.py) like a curve: a box around the dots past the common
              prefix of the old and the new points
    arrows    (views/contour/arrows.py, every run's arrows in one item) the old and
              the new box of each run whose arrows changed
    others    the old and the new bounding box, when anything noted
              (visibility, geometry, pen, text) differs

``Curve.path_near(box)`` is the part of a solid antialiased curve to stroke
for the pixels in ``box``: the segments that come within the pen's reach of
it. A stroke's coverage at a pixel depends only on the outline edges that
cross the pixel's row to its left, and the outlines of the left-out segments
are closed and do not enclose the pixel (their cut ends lie outside the box
by more than the pen's reach), so inside the box those pixels are the ones
the whole path gives.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from ..views.contour.arrows import ArrowsItem
from ..views.contour.dots import Dots

MARGIN = 3.0              # pixels of antialiasing and rounding around every box
MAX_FAST_POINTS = 20000   # pyqtgraph strokes longer 'all' paths in chunks: paint those whole
_SOLID = QtCore.Qt.PenStyle.SolidLine
_NOPEN = QtCore.Qt.PenStyle.NoPen
_TX_SCALE = QtGui.QTransform.TransformationType.TxScale.value

Box = tuple[float, float, float, float]


class Record:
    """What one item paints: ``visible``, ``box`` (device bounds or None), ``look``
    (everything else that changes its pixels, comparable with ==) and ``t``, the
    item-to-device transform."""

    __slots__ = ("visible", "box", "look", "t")

    def diff(self, old: "Record") -> list[Box]:
        """Rectangles that differ from ``old`` (same kind, same look, both visible)."""
        return [] if old.box == self.box else _whole(old, self)


class Curve(Record):
    __slots__ = ("x", "y", "pts", "reach", "fast", "connect", "pen", "antialias", "segments")

    def diff(self, old: "Curve") -> list[Box]:
        xo, yo, xn, yn = old.x, old.y, self.x, self.y
        if xo is None or xn is None or self.pts is None or old.pts is None:
            return _whole(old, self)
        n = min(len(xo), len(xn))
        same = (xo[:n] == xn[:n]) & (yo[:n] == yn[:n])
        return _changed_tail(same, old.pts, self.pts, self.reach, joined=True)

    def path_near(self, box: QtCore.QRect) -> QtGui.QPainterPath | None:
        """The segments that can paint into ``box`` (device pixels), as a path in the
        item's coordinates; None when none can."""
        r = self.reach
        x0, y0 = box.left() - r, box.top() - r
        x1, y1 = box.right() + 1 + r, box.bottom() + 1 + r
        if self.segments is None:               # each segment's box, once per frame
            pts = self.pts
            if self.connect == "all":
                a, b = pts[:-1], pts[1:]
            else:
                n = len(pts) // 2 * 2
                a, b = pts[0:n:2], pts[1:n:2]
            self.segments = np.minimum(a, b), np.maximum(a, b)
        lo, hi = self.segments
        segs = np.flatnonzero((lo[:, 0] < x1) & (hi[:, 0] > x0) & (lo[:, 1] < y1) & (hi[:, 1] > y0))
        if not len(segs):
            return None
        path = QtGui.QPainterPath()
        xs, ys = self.x, self.y
        if self.connect == "all":
            prev = -2
            for i in segs.tolist():
                if i != prev + 1:
                    path.moveTo(float(xs[i]), float(ys[i]))
                path.lineTo(float(xs[i + 1]), float(ys[i + 1]))
                prev = i
        else:
            for i in segs.tolist():
                path.moveTo(float(xs[2 * i]), float(ys[2 * i]))
                path.lineTo(float(xs[2 * i + 1]), float(ys[2 * i + 1]))
        return path


class Scatter(Record):
    __slots__ = ("pts", "reach")

    def diff(self, old: "Scatter") -> list[Box]:
        if old.pts.shape == self.pts.shape and bool((old.pts == self.pts).all()):
            return []
        return [(x - r, y - r, x + r, y + r)
                for rec in (old, self) for (x, y), r in zip(rec.pts.tolist(), rec.reach)]


class DotsRecord(Record):
    __slots__ = ("xy", "pts", "reach")

    def diff(self, old: "DotsRecord") -> list[Box]:
        n = min(len(old.xy), len(self.xy))
        same = (old.xy[:n] == self.xy[:n]).all(axis=1)
        return _changed_tail(same, old.pts, self.pts, self.reach, joined=False)


class ArrowsRecord(Record):
    __slots__ = ("parts",)                 # {run: (key, device box)}

    def diff(self, old: "ArrowsRecord") -> list[Box]:
        out = []
        for run in old.parts.keys() | self.parts.keys():
            a, b = old.parts.get(run), self.parts.get(run)
            if a is None or b is None or a[0] != b[0]:
                out += [part[1] for part in (a, b) if part is not None]
        return out


def _changed_tail(same: np.ndarray, old: np.ndarray, new: np.ndarray, reach: float,
                  joined: bool) -> list[Box]:
    """The box around the points of ``old`` and ``new`` (device, (n, 2)) past their common
    prefix (``same``: equal rows of the shorter), widened by ``reach``; ``joined``
    adds the prefix's last point, whose line joins the first new one."""
    m = len(same) if bool(same.all()) else int(np.argmin(same))
    if m == len(old) == len(new):
        return []
    a = max(m - 1, 0) if joined else m
    pts = np.concatenate([old[a:], new[a:]])
    if not len(pts):
        return []
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    return [(lo[0] - reach, lo[1] - reach, hi[0] + reach, hi[1] + reach)]


def record(item, view: QtGui.QTransform) -> Record:
    """Note what ``item`` paints now (see the module docstring)."""
    t = item.sceneTransform() * view
    curve = isinstance(item, pg.PlotCurveItem)
    scatter = (isinstance(item, pg.ScatterPlotItem) and item.opts.get("pxMode", True)
               and len(item.data) <= 64 and hasattr(item, "pixelPadding"))
    dots = isinstance(item, Dots)
    arrows = isinstance(item, ArrowsItem)
    if not item.isVisible():             # paints nothing: nothing else to note
        rec = (Curve() if curve else Scatter() if scatter else DotsRecord() if dots
               else ArrowsRecord() if arrows else Record())
        rec.box = rec.look = None
    elif curve:
        rec = _curve(item, t)
    elif scatter:
        rec = _scatter(item, t)
    elif dots:
        rec = _dots(item, t)
    elif arrows:
        rec = _arrows(item, t)
    else:
        rec = Record()
        rec.look = _matrix(t), _extra(item)
        rec.box = _box(t.mapRect(item.boundingRect()))
    rec.visible = item.isVisible()
    rec.t = t
    return rec


def changed_rects(old: Record | None, new: Record) -> list[Box]:
    """Device rectangles where an item noted as ``old`` and now ``new`` may differ."""
    if old is None or type(old) is not type(new):
        return _whole(old, new)
    if not old.visible and not new.visible:
        return []
    if old.visible != new.visible or old.look != new.look:
        return _whole(old, new)
    return new.diff(old)


def _whole(old: Record | None, new: Record) -> list[Box]:
    out = []
    for rec in (old, new):
        if rec is not None and rec.visible and rec.box is not None:
            b = rec.box
            out.append((b[0] - MARGIN, b[1] - MARGIN, b[2] + MARGIN, b[3] + MARGIN))
    return out


# ------------------------------------------------------------------ records
def _curve(item, t: QtGui.QTransform) -> Curve:
    o = item.opts
    pen = o.get("pen")
    rec = Curve()
    rec.x, rec.y = item.getData()
    rec.connect = o.get("connect")
    rec.pen = pen
    rec.antialias = bool(o.get("antialias"))
    rec.look = (_matrix(t), _pen_key(pen), _pen_key(o.get("shadowPen")), repr(rec.connect),
                rec.antialias, repr(o.get("fillLevel")), repr(o.get("brush")),
                repr(o.get("stepMode")), repr(o.get("compositionMode")))
    rec.reach = _pen_reach(pen, t) + MARGIN
    rec.pts = None
    rec.segments = None
    rec.box = None
    x, y = rec.x, rec.y
    if x is not None and len(x) and len(x) <= MAX_FAST_POINTS:
        pts = _map_points(t, x, y)
        if np.isfinite(pts).all():
            rec.pts = pts
            lo, hi = pts.min(axis=0), pts.max(axis=0)
            r = rec.reach
            rec.box = (lo[0] - r, lo[1] - r, hi[0] + r, hi[1] + r)
    if rec.box is None and x is not None and len(x):
        rec.box = _box(t.mapRect(item.boundingRect()))
    rec.fast = (rec.pts is not None and rec.connect in ("all", "pairs")
                and not o.get("stepMode") and o.get("fillLevel") is None
                and o.get("compositionMode") is None and rec.antialias
                and o.get("segmentedLineMode") != "on"
                and (o.get("shadowPen") is None or o["shadowPen"].style() == _NOPEN)
                and pen is not None and pen.style() == _SOLID
                and t.type().value <= _TX_SCALE)
    return rec


def _scatter(item, t: QtGui.QTransform) -> Scatter:
    d, o = item.data, item.opts
    rec = Scatter()
    rec.look = (_matrix(t),
                tuple((_brush_key(b), _pen_key(p), repr(s), float(z))
                      for b, p, s, z in zip(d["brush"], d["pen"], d["symbol"], d["size"])),
                _brush_key(o.get("brush")), _pen_key(o.get("pen")), repr(o.get("symbol")),
                o.get("size"))
    rec.pts = _map_points(t, d["x"], d["y"])
    # the widest symbol's half-diagonal, pen included (pyqtgraph's own padding)
    r = float(item.pixelPadding()) + MARGIN
    rec.reach = [r] * len(rec.pts)
    finite = rec.pts[np.isfinite(rec.pts).all(axis=1)]
    if len(finite):
        lo, hi = finite.min(axis=0), finite.max(axis=0)
        rec.box = (lo[0] - r, lo[1] - r, hi[0] + r, hi[1] + r)
    else:
        rec.box = None
    return rec


def _dots(item, t: QtGui.QTransform) -> DotsRecord:
    rec = DotsRecord()
    rec.xy = item.points()
    rec.look = (_matrix(t), _pen_key(item.pen()))
    rec.pts = _map_points(t, rec.xy[:, 0], rec.xy[:, 1])
    rec.reach = 0.5 * item.pen().widthF() + MARGIN
    rec.box = None
    if len(rec.pts):
        lo, hi = rec.pts.min(axis=0), rec.pts.max(axis=0)
        r = rec.reach
        rec.box = (lo[0] - r, lo[1] - r, hi[0] + r, hi[1] + r)
    return rec


def _arrows(item, t: QtGui.QTransform) -> ArrowsRecord:
    rec = ArrowsRecord()
    rec.look = _matrix(t)
    rec.parts = {}
    boxes = []
    for run, key, (x0, y0, x1, y1), reach in item.parts():
        r = t.mapRect(QtCore.QRectF(x0, y0, x1 - x0, y1 - y0))
        m = reach + MARGIN
        box = (r.left() - m, r.top() - m, r.right() + m, r.bottom() + m)
        rec.parts[run] = (key, box)
        boxes.append(box)
    rec.box = None
    if boxes:
        b = np.array(boxes)
        rec.box = (float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max()))
    return rec


def _extra(item):
    if isinstance(item, QtWidgets.QGraphicsTextItem):
        return item.toHtml(), item.textWidth(), item.defaultTextColor().rgba()
    if isinstance(item, QtWidgets.QAbstractGraphicsShapeItem):
        return _pen_key(item.pen()), _brush_key(item.brush())
    return None


# ------------------------------------------------------------------- helpers
def _map_points(t: QtGui.QTransform, x, y) -> np.ndarray:
    """(n, 2) device points of x, y under an affine transform."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    return np.column_stack([t.m11() * x + t.m21() * y + t.m31(),
                            t.m12() * x + t.m22() * y + t.m32()])


def _matrix(t: QtGui.QTransform) -> tuple:
    return (t.m11(), t.m12(), t.m13(), t.m21(), t.m22(), t.m23(), t.m31(), t.m32(), t.m33())


def _box(r: QtCore.QRectF) -> Box:
    return (r.left(), r.top(), r.right(), r.bottom())


_PEN_KEYS: dict[int, tuple] = {}


def _pen_key(pen) -> tuple | None:
    """Everything about a pen that shows, cached per pen object (pens are replaced, not
    changed, by pyqtgraph's setPen)."""
    if pen is None:
        return None
    hit = _PEN_KEYS.get(id(pen))
    if hit is not None and hit[0] is pen:
        return hit[1]
    key = (pen.color().rgba(), pen.widthF(), pen.style().value, pen.capStyle().value,
           pen.joinStyle().value, pen.isCosmetic(), tuple(pen.dashPattern()),
           pen.dashOffset(), pen.miterLimit(), pen.brush().style().value)
    if len(_PEN_KEYS) > 1000:
        _PEN_KEYS.clear()
    _PEN_KEYS[id(pen)] = (pen, key)
    return key


def _brush_key(brush) -> tuple | None:
    if brush is None:
        return None
    return brush.color().rgba(), brush.style().value


def _pen_reach(pen, t: QtGui.QTransform) -> float:
    """How far from its centre line a pen can paint, in device pixels (caps, miters)."""
    if pen is None or pen.style() == _NOPEN:
        return 0.0
    w = pen.widthF() or 1.0
    if not pen.isCosmetic():
        w *= math.sqrt(abs(t.determinant())) or 1.0
    return w * max(1.0, pen.miterLimit() / 2 + 0.5)
