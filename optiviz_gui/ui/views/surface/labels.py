"""Where the 3-D view's axis labels go: the ends and names of the two floor edges
facing the camera, laid out on screen so that no two labels overlap.

Each axis' end values sit just outside its floor edge. The two edges meet at the
floor corner nearest the camera, and there the x-axis' end and the y-axis' end
are only a few pixels apart on screen; centred on their anchors they would run
into each other ("-1212"). So each is put on its own side — the one whose anchor
is further left ends at its anchor, the other starts at its anchor, at least
half a line height apart — and both read as separate numbers next to their
edge. Anything that would still overlap a label already placed (a name squeezed
between ends in a tiny view) is left out, ends first in priority, so the
picture never shows overlapping text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6 import QtCore, QtGui

from ..levels import fmt

OUT = 1.12          # anchors sit this far out from the centre (the floor is [-1, 1]²)


@dataclass(frozen=True)
class AxisLabel:
    point: tuple[float, float, float]   # scene point of the anchor
    text: str
    corner: bool                        # the end at the corner nearest the camera


@dataclass(frozen=True)
class Placed:
    rect: QtCore.QRectF                 # the text's bounding box in the painter's coordinates
    origin: QtCore.QPointF              # where drawText puts the baseline's start
    text: str
    corner: bool = False                # an end at the corner nearest the camera


def axis_labels(bounds, names, azimuth: float) -> list[AxisLabel]:
    """Both axes' ends and names, on the floor edges nearer the camera at ``azimuth``
    degrees; ends before names (they are placed first)."""
    (x0, x1), (y0, y1) = bounds
    az = np.radians(azimuth)
    ey = OUT if np.sin(az) > 0 else -OUT       # the x-axis edge nearer the camera
    ex = OUT if np.cos(az) > 0 else -OUT       # the y-axis edge nearer the camera
    xl, yl = names
    x_ends = [AxisLabel((-1, ey, 0), fmt(x0), ex < 0), AxisLabel((1, ey, 0), fmt(x1), ex > 0)]
    y_ends = [AxisLabel((ex, -1, 0), fmt(y0), ey < 0), AxisLabel((ex, 1, 0), fmt(y1), ey > 0)]
    names = [AxisLabel((0, ey * OUT, 0), xl, False), AxisLabel((ex * OUT, 0, 0), yl, False)]
    return x_ends + y_ends + names


def layout(labels: list[AxisLabel], project, metrics: QtGui.QFontMetricsF) -> list[Placed]:
    """The labels placed on screen: ``project(x, y, z)`` gives a scene point's position
    in the painter's coordinates (None behind the camera). Centred on their anchors,
    but the shared corner's two ends on either side of each other; a label that
    still overlaps one placed before it is left out."""
    corner, rest = [], []
    for lab in labels:
        pt = project(*lab.point)
        if pt is not None:
            box = metrics.boundingRect(lab.text)
            origin = QtCore.QPointF(pt[0] - box.width() / 2, pt[1] + box.height() / 3)
            (corner if lab.corner else rest).append(
                Placed(box.translated(origin), origin, lab.text, lab.corner))
    placed: list[Placed] = []
    for item in _apart(corner, metrics.height() / 2) + rest:
        if not any(item.rect.intersects(p.rect) for p in placed):
            placed.append(item)
    return placed


def _apart(corner: list[Placed], gap: float) -> list[Placed]:
    """The shared corner's ends, the left one ending and the right one starting at its
    anchor (the centre it had), at least ``gap`` apart."""
    if len(corner) != 2:
        return corner
    left, right = sorted(corner, key=lambda c: c.rect.center().x())
    a, b = left.rect.center().x(), right.rect.center().x()
    short = max(0.0, gap - (b - a)) / 2
    return [_shift(left, a - short - left.rect.right()),
            _shift(right, b + short - right.rect.left())]


def _shift(item: Placed, dx: float) -> Placed:
    return Placed(item.rect.translated(dx, 0), item.origin + QtCore.QPointF(dx, 0), item.text,
                  item.corner)
