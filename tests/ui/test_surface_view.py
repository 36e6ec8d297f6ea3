"""The 3-D view: mesh built once per surface, paths lifted onto it, renders offscreen.

Skipped unless Qt runs on xcb/wayland with a usable OpenGL context (gl_available).
The bowl f = (x² + 4y²)/2 on [−2, 2]² maps x ↦ x/2, y ↦ y/2 into the scene square.
"""

from __future__ import annotations


import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.simulation import Run, Simulation
from optiviz_gui.core.surfaces.base import Surface
from optiviz_gui.ui.views.surface.gl import gl_available

from bowl import Bowl


class HalfPlane(Surface):
    bounds = ((-1.0, 1.0), (-1.0, 1.0))

    def value_and_grad_xy(self, x, y, xp=np):
        r = xp.sqrt(x)
        return r + y * y, 0.5 / r, 2 * y


START = (1.5, 1.0)


@pytest.fixture
def make_view(show_view, qapp):
    if not gl_available():
        pytest.skip("no OpenGL on this Qt platform (needs xcb/wayland and a GL context)")
    from optiviz_gui.ui.views.surface.view import SurfaceView

    return lambda sim: show_view(SurfaceView(sim), 480, 360)


@pytest.fixture
def bowl_sim():
    return Simulation(Bowl(), START, [Run(make_optimizer("sgd", lr=0.1))], steps=40)


def _paint(qtbot, view):
    view.update()
    qtbot.wait(30)


def test_mesh_is_not_rebuilt_on_step(bowl_sim, make_view, qtbot):
    view = make_view(bowl_sim)
    _paint(qtbot, view)
    builds, meshdata = view.mesh_builds, view.mesh.opts["meshdata"]
    verts = meshdata.vertexes().copy()
    renders = view.static_layer.renders
    for _ in range(5):
        bowl_sim.step_forward()
        _paint(qtbot, view)
    bowl_sim.set_start((-1.0, 0.5))
    bowl_sim.update_run(0, optimizer=bowl_sim.runs[0].optimizer.replace(lr=0.05))
    _paint(qtbot, view)
    assert view.mesh_builds == builds
    assert view.mesh.opts["meshdata"] is meshdata
    np.testing.assert_array_equal(meshdata.vertexes(), verts)
    assert view.static_layer.renders == renders        # not even redrawn: blitted


def test_mesh_is_rebuilt_on_surface_change(bowl_sim, make_view):
    view = make_view(bowl_sim)
    builds = view.mesh_builds
    bowl_sim.set_surface(HalfPlane(), start=(0.5, 0.5))
    assert view.mesh_builds == builds + 1


def test_paths_sit_on_the_surface_in_scene_coordinates(bowl_sim, make_view):
    from optiviz_gui.ui.views.surface.view import HEIGHT, LIFT

    view = make_view(bowl_sim)
    view.set_scale("linear")
    bowl_sim.seek(6)
    p = view.drawn_path(0)
    i = np.arange(7)
    x, y = START[0] * 0.9 ** i, START[1] * 0.6 ** i             # gradient descent by hand
    np.testing.assert_allclose(p[:, 0], x / 2, rtol=1e-6)
    np.testing.assert_allclose(p[:, 1], y / 2, rtol=1e-6)
    # linear height: the loss over the grid's loss range, scaled to HEIGHT, plus LIFT
    xs = np.linspace(-2, 2, 200)
    z = (xs[:, None] ** 2 + 4 * xs[None, :] ** 2) / 2
    f = (x * x + 4 * y * y) / 2
    h = HEIGHT * (f - z.min()) / (z.max() - z.min()) + LIFT
    np.testing.assert_allclose(p[:, 2], h, rtol=1e-5)


def test_paths_leaving_the_window_are_cut_at_its_edge(make_view):
    """Gradient descent with lr 0.9 on the bowl: y_k = y_0 (1 − 3.6)^k leaves the
    window [−2, 2]² at step 1; x_k = 1.5·0.1^k stays inside."""
    sim = Simulation(Bowl(), START, [Run(make_optimizer("sgd", lr=0.9))], steps=10)
    view = make_view(sim)
    sim.seek(3)
    seg = view.drawn_segments(0)
    assert len(seg) % 2 == 0 and len(seg) > 0
    assert np.all(np.abs(seg[:, :2]) <= 1.0 + 1e-6)
    # the first step starts inside, at (0.75, 0.5), and is cut where y/2 reaches −1
    np.testing.assert_allclose(seg[0, :2], [0.75, 0.5], rtol=1e-6)
    y1 = START[1] * (1 - 3.6)
    t = (-1.0 - 0.5) / (y1 / 2 - 0.5)
    np.testing.assert_allclose(seg[1, :2], [0.75 + t * (START[0] * 0.1 / 2 - 0.75), -1.0],
                               rtol=1e-5)
    assert len(view.current.pos) == 0 or np.all(np.abs(view.current.pos[:, :2]) <= 1)


def test_disabled_run_and_divergence(make_view):
    sim = Simulation(Bowl(), START, [Run(make_optimizer("sgd", lr=100.0)),
                                     Run(make_optimizer("sgd", lr=0.1))], steps=30)
    view = make_view(sim)
    sim.seek(30)
    t = sim.trajectories[0]
    assert len(view.drawn_path(0)) == t.diverged_at
    assert np.all(np.isfinite(view.drawn_path(0)))
    sim.update_run(0, enabled=False)
    assert len(view.drawn_segments(0)) == 0
    assert len(view.drawn_segments(1)) > 0


def test_nan_region_is_a_hole_in_the_mesh(make_view):
    sim = Simulation(HalfPlane(), (0.5, 0.5), [Run(make_optimizer("sgd", lr=0.01))], steps=5)
    view = make_view(sim)
    md = view.mesh.opts["meshdata"]
    from optiviz_gui.ui.views.surface.view import MESH

    full = 2 * (MESH - 1) ** 2
    faces = md.faces()
    assert 0.4 * full < len(faces) < 0.6 * full
    used = md.vertexes()[np.unique(faces)]
    assert np.all(used[:, 0] >= -1e-9)          # only x ≥ 0 (scene x ≥ 0) is meshed
    assert np.all(np.isfinite(md.vertexes()))


def test_reset_camera_after_orbit(bowl_sim, make_view):
    view = make_view(bowl_sim)
    home = (view.opts["azimuth"], view.opts["elevation"], view.opts["distance"])
    view.orbit(40, 15)
    view.opts["distance"] *= 2
    assert (view.opts["azimuth"], view.opts["elevation"], view.opts["distance"]) != home
    view.reset_camera()
    assert (view.opts["azimuth"], view.opts["elevation"], view.opts["distance"]) == home


def test_render_image_size_and_content(bowl_sim, make_view):
    view = make_view(bowl_sim)
    bowl_sim.seek(10)
    for w, h in ((640, 480), (1200, 700)):
        img = view.render_image(w, h)
        assert (img.width(), img.height()) == (w, h)
        a = img.convertToFormat(QtGui.QImage.Format.Format_RGBA8888)
        px = np.frombuffer(a.constBits(), np.uint32)
        assert len(np.unique(px)) > 50
    assert (view.width(), view.height()) == (480, 360)


def test_dark_theme_background(bowl_sim, make_view):
    view = make_view(bowl_sim)
    view.apply_theme("dark")
    img = view.render_image(200, 150).convertToFormat(QtGui.QImage.Format.Format_RGBA8888)
    a = np.frombuffer(img.constBits(), np.uint8).reshape(150, 200, 4)
    assert a[-2, -2, :3].tolist() == [0x1E, 0x1E, 0x1E]


def test_thin_path_keeps_a_point_when_it_leaves_its_predecessors_cell():
    from optiviz_gui.ui.views.surface.mesh import thin_path

    # cells of side 0.1: x = 0.00 0.00 0.05 | 0.12 0.13 | 0.31, y = z = 0
    x = np.array([0.0, 0.0, 0.05, 0.12, 0.13, 0.31])
    p = np.column_stack([x, np.zeros(6), np.zeros(6)])
    np.testing.assert_array_equal(thin_path(p, 0.1)[:, 0], [0.0, 0.12, 0.31])
    # a run that has stopped: only its first and last points are left
    still = np.tile([0.2, -0.3, 0.5], (50, 1))
    assert len(thin_path(still, 1e-5)) == 2
    # a slow crawl is kept to within one cell: every point within tol·√3 of a kept one
    crawl = np.column_stack([np.linspace(0, 0.01, 400), np.zeros(400), np.zeros(400)])
    kept = thin_path(crawl, 1e-3)
    gaps = np.abs(crawl[:, None, 0] - kept[None, :, 0]).min(axis=1)
    assert 10 <= len(kept) < 40 and gaps.max() <= 1e-3 * np.sqrt(3)


def _rgb(img: QtGui.QImage) -> np.ndarray:
    a = img.convertToFormat(QtGui.QImage.Format.Format_RGB32)
    return np.frombuffer(a.constBits(), np.uint8).reshape(a.height(), a.width(), 4)[:, :, :3]


def test_the_widget_paints_what_render_image_exports(bowl_sim, make_view):
    """On screen the view is a raster widget painting its OpenGL picture: grab()
    shows the same picture as the exported image of that size."""
    view = make_view(bowl_sim)
    bowl_sim.seek(10)
    shown = _rgb(view.grab().toImage()).astype(int)
    exported = _rgb(view.render_image(view.width(), view.height())).astype(int)
    assert shown.shape == exported.shape
    assert (np.abs(shown - exported).max(axis=2) > 24).mean() < 0.01
    assert len(np.unique(shown.reshape(-1, 3), axis=0)) > 50       # a shaded mesh, not a blank


def _mouse(view, kind, pos, buttons):
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    p = QPointF(*pos)
    button = QtCore.Qt.MouseButton.NoButton if kind == QtCore.QEvent.Type.MouseMove else buttons
    QApplication.sendEvent(view, QMouseEvent(kind, p, view.mapToGlobal(p), button, buttons,
                                             QtCore.Qt.KeyboardModifier.NoModifier))


def test_mouse_drag_rotates_and_wheel_zooms(bowl_sim, make_view, qtbot):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    view = make_view(bowl_sim)
    left, ev = QtCore.Qt.MouseButton.LeftButton, QtCore.QEvent.Type
    az, el, dist = view.opts["azimuth"], view.opts["elevation"], view.opts["distance"]
    frames = view.frames
    _mouse(view, ev.MouseButtonPress, (100, 100), left)
    _mouse(view, ev.MouseMove, (140, 90), left)
    _mouse(view, ev.MouseButtonRelease, (140, 90), left)
    # pyqtgraph's orbit: azimuth − dx, elevation + dy (in degrees per pixel)
    assert view.opts["azimuth"] == pytest.approx(az - 40)
    assert view.opts["elevation"] == pytest.approx(el - 10)
    pos = QPointF(200, 150)
    QApplication.sendEvent(view, QWheelEvent(pos, view.mapToGlobal(pos), QPoint(0, 0),
                                             QPoint(0, 120), QtCore.Qt.MouseButton.NoButton,
                                             QtCore.Qt.KeyboardModifier.NoModifier,
                                             QtCore.Qt.ScrollPhase.NoScrollPhase, False))
    assert view.opts["distance"] == pytest.approx(dist * 0.999 ** 120)     # pyqtgraph's zoom
    qtbot.waitUntil(lambda: view.frames > frames, timeout=3000)            # and it repaints


def test_clip_segments_cuts_at_the_top_of_the_box_by_hand():
    from optiviz_gui.ui.views.surface.mesh import clip_segments
    p = np.array([[0.0, 0.0, 0.5], [0.5, 0.0, 2.5], [0.6, 0.0, 3.0]])
    seg, moved = clip_segments(p, top=1.5)
    # the first segment climbs from z 0.5 to 2.5: it leaves the box halfway, at x 0.25
    np.testing.assert_allclose(seg, [[0.0, 0.0, 0.5], [0.25, 0.0, 1.5]], rtol=1e-6)
    assert not moved.any()                  # cut at the top, not moved to a side


class CappedMesh(Bowl):
    """The bowl, whose mesh is sampled from min(f, 0.5): the mesh's top (scene height
    HEIGHT) stands for loss 0.5, the box's top TOP for 0.5·TOP/HEIGHT, and a path from
    a corner, where the loss is near 6, starts far above the box."""

    def grid(self, n=200, bounds=None):
        xs, ys, z = super().grid(n, bounds)
        return xs, ys, np.minimum(z, 0.5)


def test_a_path_above_the_mesh_is_cut_where_it_enters_the_box(make_view):
    from optiviz_gui.ui.views.surface.view import HEIGHT, LIFT, TOP
    sim = Simulation(CappedMesh(), (1.9, 1.6), [Run(make_optimizer("sgd", lr=0.1))], steps=40)
    view = make_view(sim)
    view.set_scale("linear")
    sim.seek(40)
    t = sim.trajectories[0]
    path, seg = view.drawn_path(0), view.drawn_segments(0)
    assert path[0, 2] > TOP + LIFT                          # starts over the top
    assert len(seg) and seg[:, 2].max() <= TOP + LIFT + 1e-5
    # the line starts where the loss comes down to the box's top, by the scale's own map
    f_top = 0.5 * TOP / HEIGHT
    j = int(np.argmax(t.loss <= f_top))                      # first point inside the box
    z = lambda f: HEIGHT * f / 0.5 + LIFT                    # linear scale, lowest loss 0
    a, b = z(t.loss[j - 1]), z(t.loss[j])
    u = (TOP + LIFT - a) / (b - a)
    np.testing.assert_allclose(seg[0], np.r_[(path[j - 1] + u * (path[j] - path[j - 1]))[:2],
                                             TOP + LIFT], atol=1e-4)   # float32 scene
