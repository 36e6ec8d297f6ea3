"""Dots: discs of the pen's width, centred where the plot maps each data point.

The reference for where a point lands is pyqtgraph's own data-to-pixel mapping
(ViewBox.mapViewToScene); the disc is a 4.5-pixel round pen, so pixels within
1.5 px of the centre are the dot's colour and pixels 4 px away are background,
however unequal the axes' scales are.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from optiviz_gui.ui.views.contour.dots import Dots

RED = (213, 94, 0)


def render(plot: pg.PlotWidget) -> np.ndarray:
    img = QtGui.QImage(plot.width(), plot.height(), QtGui.QImage.Format.Format_RGB32)
    img.fill(QtGui.QColor("white"))
    p = QtGui.QPainter(img)
    plot.scene().render(p, QtCore.QRectF(img.rect()), QtCore.QRectF(plot.viewport().rect()))
    p.end()
    a = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.width(), 4)
    return a[:, :, [2, 1, 0]].astype(int)


def bare_plot(show_view, w, h) -> pg.PlotWidget:
    plot = show_view(pg.PlotWidget(background="w"), w, h)
    plot.hideAxis("left")
    plot.hideAxis("bottom")
    return plot


def test_each_point_is_a_round_disc_whatever_the_axes_scales(show_view):
    plot = bare_plot(show_view, 400, 300)
    vb = plot.getViewBox()
    vb.setRange(xRange=(0, 1), yRange=(0, 1000), padding=0)   # y squeezed 1000:1
    dots = Dots(diameter=4.5)
    dots.set_color("#D55E00")
    xy = np.array([[0.2, 300.0], [0.5, 500.0], [0.8, 700.0]])
    dots.set_points(xy, vb.viewPixelSize())
    plot.addItem(dots)
    img = render(plot)
    for x, y in xy:
        c = vb.mapViewToScene(QtCore.QPointF(x, y))
        cx, cy = c.x(), c.y()
        for dx, dy in [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, -1)]:
            px = img[int(cy + dy), int(cx + dx)]
            assert np.abs(px - RED).max() <= 40, (x, y, dx, dy, px)
        for dx, dy in [(4, 0), (-4, 0), (0, 4), (0, -4), (3, 3), (-3, -3)]:
            assert tuple(img[int(round(cy + dy)), int(round(cx + dx))]) == (255, 255, 255)
    assert (np.abs(img - RED).max(axis=2) <= 40).sum() < 3 * 25   # three small discs only
    np.testing.assert_array_equal(dots.points(), xy)


def test_bounding_box_holds_the_discs_and_an_empty_set_draws_nothing(show_view):
    plot = bare_plot(show_view, 300, 300)
    vb = plot.getViewBox()
    vb.setRange(xRange=(0, 10), yRange=(0, 10), padding=0)
    px = vb.viewPixelSize()
    dots = Dots(diameter=4.5)
    dots.set_color("#D55E00")
    dots.set_points(np.array([[2.0, 3.0], [7.0, 9.0]]), px)
    r = dots.boundingRect()
    assert r.left() <= 2.0 - 2.25 * px[0] and r.right() >= 7.0 + 2.25 * px[0]
    assert r.top() <= 3.0 - 2.25 * px[1] and r.bottom() >= 9.0 + 2.25 * px[1]
    dots.set_points(np.zeros((0, 2)), px)
    plot.addItem(dots)
    assert dots.boundingRect().isEmpty()
    assert (render(plot) == 255).all()
