"""The arrows at the current points, each in the colour of the run it belongs to.

Colour says whose an arrow is; the stroke says what it is, the same for every run
(and the legend's key shows the strokes in a neutral colour):

    update     "next step"   solid shaft, closed triangular head
    gradient   "−gradient"   dashed shaft, open head
    velocity   "momentum"    dash-dot shaft, double open head

Heads are always solid, so a dashed arrow's direction reads at any length, and
every arrow of a run lies on a thin halo in the background colour, so that a
run-coloured arrow stays apart from the level map and from the run's own path.

Items per run: its halo, one shaft curve per kind (the dash pattern is a pen's) and
one curve with all its heads; created when a run first has arrows and hidden (never
deleted) when it has none, so a redraw only calls ``setData``. The vectors come from
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


class ArrowItems:
    """Every run's arrows in one plot; see the module docstring."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self._runs: list[dict[str, pg.PlotCurveItem]] = []     # per run: halo, kinds, heads
        self._colors: list[str | None] = []
        self._arrows = {k: Arrows(np.zeros((0, 4)), np.zeros(0, np.int64)) for k in ARROW_KINDS}
        self._halo_color = QtGui.QColor("#ffffff")

    def apply_theme(self, theme) -> None:
        self._halo_color = QtGui.QColor(theme.background)
        self._halo_color.setAlpha(HALO_ALPHA)
        for items in self._runs:
            items["halo"].setPen(self._halo_pen())

    def _halo_pen(self) -> QtGui.QPen:
        pen = pg.mkPen(self._halo_color, width=max(w for w, _, _ in STROKES.values()) + HALO_EXTRA)
        pen.setCapStyle(QtCore.Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(QtCore.Qt.PenJoinStyle.RoundJoin)
        return pen

    def _ensure(self, n: int) -> None:
        while len(self._runs) < n:
            items = {"halo": pg.PlotCurveItem(connect="pairs", antialias=True)}
            items["halo"].setPen(self._halo_pen())
            for kind in ARROW_KINDS:
                items[kind] = pg.PlotCurveItem(connect="pairs", antialias=True)
            items["heads"] = pg.PlotCurveItem(connect="pairs", antialias=True)
            for z, item in enumerate(items.values()):
                item.setZValue(10 + z / 10)     # over the paths (5, 6), under the points (20)
                item.setVisible(False)
                self.plot.addItem(item)
            self._runs.append(items)
            self._colors.append(None)

    def set_arrows(self, arrows: dict[str, Arrows], colors: list[str],
                   pixel: tuple[float, float]) -> None:
        """Draw ``arrows`` (per kind, from core.arrows) with run i in ``colors[i]``;
        ``pixel`` is the data size of one screen pixel (x, y), which shapes the heads."""
        none = Arrows(np.zeros((0, 4)), np.zeros(0, np.int64))
        self._arrows = {k: arrows.get(k, none) for k in ARROW_KINDS}
        owners = set()
        for a in self._arrows.values():
            owners.update(int(i) for i in a.runs)
        self._ensure(max(owners, default=-1) + 1)
        for i, items in enumerate(self._runs):
            if i not in owners:
                for item in items.values():
                    item.setVisible(False)
                continue
            if colors[i] != self._colors[i]:
                self._colors[i] = colors[i]
                for kind in ARROW_KINDS:
                    items[kind].setPen(shaft_pen(kind, colors[i]))
                heads = pg.mkPen(colors[i], width=HEAD_WIDTH)
                heads.setJoinStyle(QtCore.Qt.PenJoinStyle.MiterJoin)
                items["heads"].setPen(heads)
            all_x, all_y, head_x, head_y = [], [], [], []
            for kind in ARROW_KINDS:
                v = self._arrows[kind].of(i)
                if not len(v):
                    items[kind].setVisible(False)      # its old data stays, unseen
                    continue
                stretch = MIN_UPDATE_PX if kind == "update" else 0.0
                (sx, sy), (hx, hy) = arrow_segments(v, pixel, stretch, STROKES[kind][2])
                items[kind].setData(sx, sy)
                items[kind].setVisible(True)
                all_x += [sx, hx]
                all_y += [sy, hy]
                head_x.append(hx)
                head_y.append(hy)
            items["heads"].setData(np.concatenate(head_x), np.concatenate(head_y))
            items["halo"].setData(np.concatenate(all_x), np.concatenate(all_y))
            items["heads"].setVisible(True)
            items["halo"].setVisible(True)

    # ---------------------------------------------------------- inspection
    def data(self, kind: str) -> np.ndarray:
        """(m, 4) vectors behind the drawn arrows of one kind (before any stretching)."""
        return self._arrows[kind].vectors.copy()

    def runs(self, kind: str) -> np.ndarray:
        """(m,) the run of each row of ``data(kind)``."""
        return self._arrows[kind].runs.copy()

    def shaft(self, i: int, kind: str) -> pg.PlotCurveItem:
        """Run i's shaft item of one kind."""
        return self._runs[i][kind]

    def items(self) -> list:
        return [item for items in self._runs for item in items.values()]


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
