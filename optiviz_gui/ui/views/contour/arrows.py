"""The arrows at the current points, each in the colour of the run it belongs to.

Colour says whose an arrow is; the stroke says what it is, the same for every run
(and the legend's key shows the strokes in a neutral colour):

    update     "next step"   solid shaft, closed triangular head
    gradient   "−gradient"   dashed shaft, open head
    velocity   "momentum"    dash-dot shaft, double open head

Heads are always solid, so a dashed arrow's direction reads at any length, and
every arrow of a run lies on a thin halo in the background colour, so that a
run-coloured arrow stays apart from the level map and from the run's own path.

One item draws them all (``ArrowsItem``): per run its halo, one path per kind (the
dash pattern is a pen's) and one with all its heads, layer by layer over the runs.
The vectors come from
``core.arrows`` (in data units); heads are built in screen pixels, and an update
arrow shorter than MIN_UPDATE_PX is drawn that long so its direction can be seen.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from ....core.arrows import ARROW_KINDS, Arrows

HEAD_PX = 11.0                 # arrow-head side length in pixels
MIN_UPDATE_PX = 22.0           # shorter update arrows are drawn this long (direction kept)
HEAD_ANGLE = math.radians(24)
HALO_ALPHA = 150               # of 255: the halo quiets what is under an arrow, hides nothing

#: per kind: shaft width, dash pattern (None: solid; in pen widths, Qt's unit), head shape
STROKES = {"update": (2.5, None, "closed"),
           "gradient": (2.0, [4.0, 2.5], "open"),
           "velocity": (2.2, [1.0, 1.2, 5.0, 1.2], "double")}
HEAD_WIDTH = 2.0
HALO_EXTRA = 2.5               # the halo is this much wider than the widest stroke


def shaft_pen(kind: str, color: str) -> QtGui.QPen:
    """The pen of a ``kind`` arrow's shaft in ``color`` (the legend's key draws the same)."""
    width, dashes, _head = STROKES[kind]
    pen = pg.mkPen(color, width=width)
    pen.setCapStyle(QtCore.Qt.PenCapStyle.RoundCap if dashes else QtCore.Qt.PenCapStyle.FlatCap)
    if dashes:
        pen.setDashPattern(dashes)
    return pen


LAYERS = ("halo", *ARROW_KINDS, "heads")    # paint order: each layer over every run's


class ArrowsItem(pg.GraphicsObject):
    """Every run's arrows in one item: each layer (halos, then each kind's shafts, then
    the heads) over every run's, a run's part of a layer one path with its pen — the
    pixels of one curve item per run and layer stacked in z, at one item's cost (an
    export frame recorded and painted 20 items for 4 runs' arrows)."""

    def __init__(self) -> None:
        super().__init__()
        self._strokes: list[tuple[QtGui.QPen, QtGui.QPainterPath]] = []
        self._parts: list[tuple[int, tuple, tuple[float, float, float, float], float]] = []
        self._rect = QtCore.QRectF()

    def set_strokes(self, strokes, parts, pixel: tuple[float, float]) -> None:
        """``strokes``: (pen, x, y) point pairs in paint order; ``parts``: (run, key, data
        box, reach in pixels) per run, what changed between two frames (ui/render/dirty)."""
        self.prepareGeometryChange()
        self._strokes = [(pen, _pairs(x, y)) for pen, x, y in strokes]
        self._parts = list(parts)
        rect = QtCore.QRectF()
        for _run, _key, (x0, y0, x1, y1), reach in self._parts:
            px, py = abs(float(pixel[0])) * reach, abs(float(pixel[1])) * reach
            rect = rect.united(QtCore.QRectF(x0 - px, y0 - py, x1 - x0 + 2 * px, y1 - y0 + 2 * py))
        self._rect = rect
        self.update()

    def parts(self) -> list:
        """(run, key, (x0, y0, x1, y1) in data units, reach in pixels) of each run drawn."""
        return self._parts

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802 (Qt name)
        return self._rect

    def paint(self, p, *_args) -> None:
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        for pen, path in self._strokes:       # as PlotCurveItem strokes an antialiased curve
            p.setPen(pen)
            p.drawPath(path)


def _pairs(x: np.ndarray, y: np.ndarray) -> QtGui.QPainterPath:
    """The path of segments (x[0], y[0])–(x[1], y[1]), (x[2], y[2])–…, as pyqtgraph's
    ``connect="pairs"`` makes it (pairs with a non-finite end left out); a few points,
    so built directly (a third of ``arrayToQPath``'s cost)."""
    path = QtGui.QPainterPath()
    for x0, y0, x1, y1 in zip(x[0::2].tolist(), y[0::2].tolist(), x[1::2].tolist(), y[1::2].tolist()):
        if math.isfinite(x0 + y0 + x1 + y1):
            path.moveTo(x0, y0)
            path.lineTo(x1, y1)
    return path


class ArrowItems:
    """Every run's arrows in one plot; see the module docstring."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.item = ArrowsItem()
        self.item.setZValue(10)          # over the paths (5, 6), under the points (20)
        self.item.setVisible(False)
        plot.addItem(self.item)
        self._pens: dict[str, dict[str, QtGui.QPen]] = {}          # per colour, per layer
        self._colors: dict[int, str] = {}
        self._arrows = {k: Arrows(np.zeros((0, 4)), np.zeros(0, np.int64)) for k in ARROW_KINDS}
        self._halo_color = QtGui.QColor("#ffffff")
        self._halo = self._halo_pen()

    def apply_theme(self, theme) -> None:
        self._halo_color = QtGui.QColor(theme.background)
        self._halo_color.setAlpha(HALO_ALPHA)
        self._halo = self._halo_pen()

    def _halo_pen(self) -> QtGui.QPen:
        pen = pg.mkPen(self._halo_color, width=max(w for w, _, _ in STROKES.values()) + HALO_EXTRA)
        pen.setCapStyle(QtCore.Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(QtCore.Qt.PenJoinStyle.RoundJoin)
        return pen

    def _pens_of(self, color: str) -> dict[str, QtGui.QPen]:
        pens = self._pens.get(color)
        if pens is None:
            pens = {kind: shaft_pen(kind, color) for kind in ARROW_KINDS}
            pens["heads"] = pg.mkPen(color, width=HEAD_WIDTH)
            pens["heads"].setJoinStyle(QtCore.Qt.PenJoinStyle.MiterJoin)
            self._pens[color] = pens
        return pens

    def set_arrows(self, arrows: dict[str, Arrows], colors: list[str],
                   pixel: tuple[float, float]) -> None:
        """Draw ``arrows`` (per kind, from core.arrows) with run i in ``colors[i]``;
        ``pixel`` is the data size of one screen pixel (x, y), which shapes the heads."""
        none = Arrows(np.zeros((0, 4)), np.zeros(0, np.int64))
        self._arrows = {k: arrows.get(k, none) for k in ARROW_KINDS}
        owners = sorted({int(i) for a in self._arrows.values() for i in a.runs})
        layers: dict[str, list] = {name: [] for name in LAYERS}
        self._colors = {i: colors[i] for i in owners}
        pens = {i: self._pens_of(colors[i]) for i in owners}
        mine = {i: ([], [], [], []) for i in owners}          # per run: xs, ys, heads x, y
        for kind in ARROW_KINDS:                              # every run's at once, per kind
            a = self._arrows[kind]
            if not len(a.runs):
                continue
            stretch = MIN_UPDATE_PX if kind == "update" else 0.0
            (sx, sy), (hx, hy) = arrow_segments(a.vectors, pixel, stretch, STROKES[kind][2])
            per = len(hx) // len(a.runs)                      # head points per arrow
            for j, i in enumerate(a.runs.tolist()):
                shaft = sx[2 * j:2 * j + 2], sy[2 * j:2 * j + 2]
                head = hx[per * j:per * (j + 1)], hy[per * j:per * (j + 1)]
                layers[kind].append((i, pens[i][kind], *shaft))
                xs, ys, heads_x, heads_y = mine[i]
                xs += [shaft[0], head[0]]
                ys += [shaft[1], head[1]]
                heads_x.append(head[0])
                heads_y.append(head[1])
        parts = []
        reach = 0.5 * self._halo.widthF() + 1.0
        for i in owners:
            xs, ys, heads_x, heads_y = mine[i]
            x, y = np.concatenate(xs), np.concatenate(ys)
            layers["heads"].append((i, pens[i]["heads"], np.concatenate(heads_x),
                                    np.concatenate(heads_y)))
            layers["halo"].append((i, self._halo, x, y))
            key = (colors[i], self._halo_color.rgba(), x.tobytes(), y.tobytes())
            parts.append((i, key, (float(x.min()), float(y.min()), float(x.max()), float(y.max())),
                          reach))
        strokes = [stroke[1:] for name in LAYERS           # layer by layer, runs in order
                   for stroke in sorted(layers[name], key=lambda stroke: stroke[0])]
        self.item.set_strokes(strokes, parts, pixel)
        self.item.setVisible(bool(owners))

    # ---------------------------------------------------------- inspection
    def data(self, kind: str) -> np.ndarray:
        """(m, 4) vectors behind the drawn arrows of one kind (before any stretching)."""
        return self._arrows[kind].vectors.copy()

    def runs(self, kind: str) -> np.ndarray:
        """(m,) the run of each row of ``data(kind)``."""
        return self._arrows[kind].runs.copy()

    def pen(self, i: int, kind: str) -> QtGui.QPen:
        """The pen of run i's arrows of one kind (its shafts; "heads": its heads)."""
        return self._pens_of(self._colors[i])[kind]

    def items(self) -> list:
        return [self.item]


def arrow_segments(v: np.ndarray, pixel, min_px: float = 0.0, head: str = "open"
                   ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Point pairs for ``connect="pairs"``: ((shaft xs, ys), (head xs, ys)) of the rows
    x0, y0, dx, dy of ``v``. Heads are built in screen pixels so they look the same
    whatever the axes' scales: "open" (two strokes back from the tip), "closed" (a
    triangle) or "double" (two open heads, one behind the other). Arrows between 1.5
    and ``min_px`` pixels long are stretched to ``min_px`` along their own direction
    (so a small step still shows which way it goes)."""
    if len(v) == 0:
        empty = np.zeros(0)
        return (empty, empty), (empty, empty)
    sx, sy = (abs(float(pixel[0])) or 1.0), (abs(float(pixel[1])) or 1.0)
    x0, y0, dx, dy = np.asarray(v, dtype=float).T
    if min_px > 0:
        length = np.hypot(dx / sx, dy / sy)
        grow = np.where((length >= 1.5) & (length < min_px),
                        min_px / np.maximum(length, 1e-300), 1.0)
        dx, dy = dx * grow, dy * grow
    x1, y1 = x0 + dx, y0 + dy
    ux, uy = dx / sx, dy / sy                       # direction in pixels
    n = np.hypot(ux, uy)
    size = np.minimum(HEAD_PX, 0.5 * n)
    n[n == 0] = 1.0
    ux, uy = ux / n, uy / n
    barbs = []                                      # (x, y) of each barb's end
    for a in (HEAD_ANGLE, -HEAD_ANGLE):
        c, s = math.cos(a), math.sin(a)
        barbs.append((x1 - (c * ux - s * uy) * size * sx, y1 - (s * ux + c * uy) * size * sy))
    (ax, ay), (bx, by) = barbs
    hx, hy = [x1, ax, x1, bx], [y1, ay, y1, by]          # open: tip-barb, tip-barb
    if head == "closed":
        hx += [ax, bx]
        hy += [ay, by]
    elif head == "double":                          # a second open head behind the first
        back_x, back_y = -ux * 0.55 * size * sx, -uy * 0.55 * size * sy
        hx += [x1 + back_x, ax + back_x, x1 + back_x, bx + back_x]
        hy += [y1 + back_y, ay + back_y, y1 + back_y, by + back_y]
    shaft = np.stack([x0, x1], axis=1).ravel(), np.stack([y0, y1], axis=1).ravel()
    return shaft, (np.stack(hx, axis=1).ravel(), np.stack(hy, axis=1).ravel())
