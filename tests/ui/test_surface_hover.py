"""Hovering the 3-D view reads the surface point under the mouse (issue 13, item 2).

Skipped unless Qt runs on xcb/wayland with a usable OpenGL context (gl_available).
The bowl f = (x² + 4y²)/2 on [−2, 2]² maps x ↦ x/2, y ↦ y/2 into the scene square.
Each pick is checked against outside facts: the camera's own projection (pyqtgraph's
matrices) carries the picked point back onto the pixel, its height is the height of
the surface's value there within one grid cell of the mesh, and OpenGL drew something
at that pixel.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.simulation import Run, Simulation
from optiviz_gui.ui.views.surface.gl import gl_available

from bowl import Bowl

W, H = 480, 360
NUMBER = r"(-?[\d.]+(?:e[-+]?\d+)?)"


def f(x, y):
    return (x * x + 4 * y * y) / 2


@pytest.fixture
def view(show_view, qapp, qtbot):
    if not gl_available():
        pytest.skip("no OpenGL on this Qt platform (needs xcb/wayland and a GL context)")
    from optiviz_gui.ui.views.surface.view import SurfaceView

    sim = Simulation(Bowl(), (1.5, 1.0), [Run(make_optimizer("sgd", lr=0.1))], steps=5)
    v = show_view(SurfaceView(sim), W, H)
    qtbot.wait(30)
    return v


def readout(text):
    m = re.fullmatch(rf"[^=]+ = {NUMBER}, [^=]+ = {NUMBER}: loss {NUMBER}", text)
    assert m, text
    return tuple(float(g) for g in m.groups())


def matrix(view) -> np.ndarray:
    m = view.projectionMatrix((0, 0, W, H), (0, 0, W, H)) * view.viewMatrix()
    return np.array(m.data(), dtype=float).reshape(4, 4).T


def test_looking_straight_down_the_middle_pixel_is_the_middle_of_the_window(view):
    view.setCameraPosition(pos=QtGui.QVector3D(0, 0, 0), distance=3.0, elevation=90, azimuth=0)
    from optiviz_gui.ui.views.surface.pick import surface_readout

    p = view.pick(W / 2, H / 2)
    x, y, loss = readout(surface_readout(view.sim.surface, p))
    cell = 4 / 199                                      # the mesh's grid step in x and y
    assert abs(x) < cell and abs(y) < cell
    assert loss == pytest.approx(f(x, y), rel=1e-3, abs=1e-6)


def test_a_picked_point_is_under_the_pixel_on_the_drawn_surface(view):
    from optiviz_gui.ui.views.surface.view import MESH

    view.reset_camera()
    view.update()
    QtWidgets.QApplication.processEvents()
    picture = view.grabFramebuffer().convertToFormat(QtGui.QImage.Format.Format_RGB32)
    background = picture.pixelColor(2, 2)
    M = matrix(view)
    heights = view._heights
    cell = 2 / (MESH - 1)
    hits = 0
    for px in range(5, W, 10):
        for py in range(5, H, 10):
            p = view.pick(px + 0.5, py + 0.5)             # the middle of pixel (px, py)
            if p is None:
                continue
            hits += 1
            v = M @ [*p, 1.0]                          # back through the camera
            assert (v[0] / v[3] + 1) / 2 * W == pytest.approx(px + 0.5, abs=0.01)
            assert (1 - v[1] / v[3]) / 2 * H == pytest.approx(py + 0.5, abs=0.01)
            # the height of the surface's own value there, within the cell's corners' span
            x, y = 2 * p[0], 2 * p[1]
            z = view._to_scene(np.array([[x, y]]), np.array([f(x, y)]))[0, 2]
            i = min(int((p[0] + 1) / cell), MESH - 2)
            j = min(int((p[1] + 1) / cell), MESH - 2)
            corners = heights[i:i + 2, j:j + 2]
            assert abs(p[2] - z) <= np.ptp(corners) + 1e-6
            # and OpenGL drew something there
            assert picture.pixelColor(px, py) != background
    assert hits > 48 * 36 // 10                     # the bowl fills a sixth of the picture
    assert view.pick(2.5, 2.5) is None              # the corner is sky


def test_hovering_shows_the_point_in_the_status_bar(make_window, qtbot):
    if not gl_available():
        pytest.skip("no OpenGL on this Qt platform (needs xcb/wayland and a GL context)")
    w = make_window(gl=None)
    w.create_surface_view()
    view = w.surface3d
    qtbot.wait(50)
    size = view.size()
    spot = None                                         # a pixel on the surface
    for fx in np.linspace(0.3, 0.7, 9):
        for fy in np.linspace(0.4, 0.8, 9):
            if view.pick(fx * size.width(), fy * size.height()) is not None:
                spot = QtCore.QPoint(int(fx * size.width()), int(fy * size.height()))
                break
        if spot is not None:
            break
    assert spot is not None
    qtbot.mouseMove(view, spot)
    qtbot.waitUntil(lambda: ": loss" in w.status.text(), timeout=2000)
    a, b, loss = readout(w.status.text())
    assert loss == pytest.approx(float(w.sim.surface.value(np.array([a, b]))), rel=1e-3)
    QtWidgets.QApplication.sendEvent(view, QtCore.QEvent(QtCore.QEvent.Type.Leave))
    assert w.status.text().startswith("<b>Step")
