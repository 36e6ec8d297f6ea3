"""The current points, where runs that sit on one another show as one split disc and a count.

Runs that start together all sit on the start at step 0 (and runs that agree stay
together for a while): drawn as plain discs only the top one would show. Points
within STACK_PX screen pixels of each other (linked pairwise) form a stack, drawn
as one disc split into a wedge per run, in the runs' colours and order clockwise
from twelve o'clock, with a small badge "×n" above its right.

Everything is two scatter items (a disc or wedge per run; a badge and its text per
stack) whose symbols are cached paths, so a step only calls ``setData``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from ...style.theme import Theme, brush

STACK_PX = 1.0          # points closer than this (screen pixels) are stacked
DISC_PX = 13            # a lone current point
STACK_DISC_PX = 16      # a stack's split disc: a little larger, so it reads as several
COUNT_FONT_PX = 11
COUNT_OFFSET = (9.0, -10.0)     # the badge's left middle from the disc's centre, in pixels


def stack_groups(points: np.ndarray, pixel: tuple[float, float],
                 within: float = STACK_PX) -> list[list[int]]:
    """Indices of ``points`` (n, 2) in data units grouped by being within ``within``
    screen pixels of another member (``pixel`` = the data size of one pixel); groups
    in the order of their first member, members in order. Non-finite points stand alone."""
    p = np.asarray(points, dtype=float).reshape(-1, 2)
    px, py = (abs(float(v)) or 1.0 for v in pixel)
    q = p / [px, py]
    parent = list(range(len(q)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    with np.errstate(invalid="ignore"):
        near = np.hypot(q[:, None, 0] - q[None, :, 0], q[:, None, 1] - q[None, :, 1]) <= within
    for i, j in zip(*np.nonzero(np.triu(near, 1))):
        a, b = root(int(i)), root(int(j))
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for i in range(len(q)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


@lru_cache(maxsize=256)
def wedge(j: int, n: int) -> QtGui.QPainterPath:
    """Wedge j of a unit disc cut into n, clockwise from twelve o'clock (a scatter symbol:
    unit size, centred, y down)."""
    path = QtGui.QPainterPath()
    path.moveTo(0.0, 0.0)
    path.arcTo(QtCore.QRectF(-0.5, -0.5, 1.0, 1.0), 90.0 - 360.0 * j / n, -360.0 / n)
    path.closeSubpath()
    return path


@lru_cache(maxsize=64)
def count_symbols(n: int, family: str) -> tuple[QtGui.QPainterPath, QtGui.QPainterPath, float]:
    """The badge and the text "×n" as scatter symbols (unit-size paths, centred on the
    disc) and the symbol size in pixels that makes them COUNT_FONT_PX text."""
    font = QtGui.QFont(family)
    font.setPixelSize(COUNT_FONT_PX)
    font.setBold(True)
    text = QtGui.QPainterPath()
    text.addText(0.0, 0.0, font, f"×{n}")
    r = text.boundingRect()
    x0, ym = COUNT_OFFSET
    text.translate(x0 + 3 - r.left(), ym - r.center().y())
    badge = QtGui.QPainterPath()
    badge.addRoundedRect(text.boundingRect().adjusted(-3, -2, 3, 2), 3, 3)
    b = badge.boundingRect()
    size = 2 * max(abs(b.left()), abs(b.right()), abs(b.top()), abs(b.bottom())) + 2
    scale = QtGui.QTransform.fromScale(1 / size, 1 / size)
    return scale.map(badge), scale.map(text), size


class CurrentMarkers:
    """The current point of each shown run, stacks split; see the module docstring."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.discs = pg.ScatterPlotItem(size=DISC_PX)
        self.discs.setZValue(20)
        self.counts = pg.ScatterPlotItem()
        self.counts.setZValue(21)
        for item in (self.discs, self.counts):
            plot.addItem(item)
        self._pens = (None, None)          # badge outline; none (the text)
        self._colors = ("#000000", "#ffffff")   # count text, badge fill
        self._stacks: list[tuple[float, float, list[str]]] = []

    def apply_theme(self, t: Theme) -> None:
        self.discs.setPen(pg.mkPen(t.background, width=2))
        self._pens = (pg.mkPen(t.muted, width=1), pg.mkPen(None))
        self._colors = (t.foreground, t.background)
        self._draw_counts()

    def set_points(self, points: list[tuple[np.ndarray, str]], pixel: tuple[float, float]) -> None:
        """The current point of each shown run: [((x, y), colour), ...]; ``pixel`` = the
        data size of one screen pixel (x, y)."""
        xy = np.array([p for p, _ in points], dtype=float).reshape(-1, 2)
        colors = [c for _, c in points]
        xs, ys, symbols, sizes, brushes = [], [], [], [], []
        had_stacks, self._stacks = bool(self._stacks), []
        for group in stack_groups(xy, pixel):
            x, y = xy[group[0]]
            n = len(group)
            if n > 1:
                self._stacks.append((float(x), float(y), [colors[i] for i in group]))
            for j, i in enumerate(group):          # each wedge at its own run's point
                xs.append(xy[i, 0])                # (within a pixel of the others)
                ys.append(xy[i, 1])
                symbols.append("o" if n == 1 else wedge(j, n))
                sizes.append(DISC_PX if n == 1 else STACK_DISC_PX)
                brushes.append(brush(colors[i]))
        self.discs.setData(xs, ys, symbol=symbols, size=sizes, brush=brushes)
        self.discs.setVisible(bool(xs))
        if self._stacks or had_stacks:
            self._draw_counts()

    def _draw_counts(self) -> None:
        xs, ys, symbols, sizes, brushes, pens = [], [], [], [], [], []
        family = QtGui.QFont().family()
        text_color, fill = self._colors
        for x, y, colors in self._stacks:
            badge, text, size = count_symbols(len(colors), family)
            xs += [x, x]
            ys += [y, y]
            symbols += [badge, text]
            sizes += [size, size]
            brushes += [brush(fill), brush(text_color)]
            pens += list(self._pens)
        if xs:
            self.counts.setData(xs, ys, symbol=symbols, size=sizes, brush=brushes, pen=pens)
        else:
            self.counts.setData([], [])
        self.counts.setVisible(bool(xs))

    def points(self) -> np.ndarray:
        """(m, 2) where the disc or wedge of each shown run is drawn: at its point."""
        x, y = self.discs.getData()
        return np.column_stack([x, y]) if x is not None else np.zeros((0, 2))

    def stacks(self) -> list[tuple[float, float, list[str]]]:
        """The drawn stacks: (x, y, the colours of its runs in order)."""
        return [(x, y, list(c)) for x, y, c in self._stacks]

    def items(self) -> list:
        return [self.discs, self.counts]
