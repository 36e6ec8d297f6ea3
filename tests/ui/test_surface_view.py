"""The 3-D view: mesh built once per surface, paths lifted onto it, renders offscreen.

Skipped unless Qt runs on xcb/wayland with a usable OpenGL context (gl_available).
The bowl f = (x² + 4y²)/2 on [−2, 2]² maps x ↦ x/2, y ↦ y/2 into the scene square.
"""

from __future__ import annotations

import gc

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.simulation import Run, Simulation
from optiviz_gui.core.surfaces.base import Surface
from optiviz_gui.ui.gl import gl_available


class Bowl(Surface):
    bounds = ((-2.0, 2.0), (-2.0, 2.0))
    minima = np.array([[0.0, 0.0]])
    axis_labels = ("x", "y")

    def value_and_grad_xy(self, x, y, xp=np):
        return (x * x + 4 * y * y) / 2, x, 4 * y


class HalfPlane(Surface):
    bounds = ((-1.0, 1.0), (-1.0, 1.0))

    def value_and_grad_xy(self, x, y, xp=np):
        r = xp.sqrt(x)
        return r + y * y, 0.5 / r, 2 * y


START = (1.5, 1.0)


@pytest.fixture
def make_view(qtbot, qapp):
    if not gl_available():
        pytest.skip("no OpenGL on this Qt platform (needs xcb/wayland and a GL context)")
    from optiviz_gui.ui.surface_view import SurfaceView

    made = []

    def make(sim):
        view = SurfaceView(sim)
        made.append(view)
        view.resize(480, 360)
        view.show()
        qtbot.waitExposed(view)
        return view
    yield make
    for view in made:
        view.close()
        view.deleteLater()
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
    gc.collect()


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
    from optiviz_gui.ui.surface_view import HEIGHT, LIFT

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
    assert not view.paths[0].visible()
    assert view.paths[1].visible()


def test_nan_region_is_a_hole_in_the_mesh(make_view):
    sim = Simulation(HalfPlane(), (0.5, 0.5), [Run(make_optimizer("sgd", lr=0.01))], steps=5)
    view = make_view(sim)
    md = view.mesh.opts["meshdata"]
    from optiviz_gui.ui.surface_view import MESH

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
