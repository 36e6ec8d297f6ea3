"""The contour view draws what the model holds: paths, arrows, legend; clicks ask for a start.

Most checks use a hand-made bowl f(x, y) = (x² + 4y²)/2, ∇f = (x, 4y), where
plain gradient descent with learning rate γ has the closed form
x_k = x_0 (1 − γ)^k, y_k = y_0 (1 − 4γ)^k.
"""

from __future__ import annotations


import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.simulation import Run, Simulation
from optiviz_gui.core.surfaces.base import Surface
from optiviz_gui.ui.views.contour.view import ContourView
from optiviz_gui.ui.views.scene import render_layout

from bowl import Bowl


class HalfPlane(Surface):
    """√x + y²: undefined (NaN) for x < 0, as a typed formula with a log or root can be."""
    bounds = ((-1.0, 1.0), (-1.0, 1.0))

    def value_and_grad_xy(self, x, y, xp=np):
        r = xp.sqrt(x)
        return r + y * y, 0.5 / r, 2 * y


START = (1.5, 1.0)


def gd_path(lr, k, start=START):
    i = np.arange(k + 1)
    return np.column_stack([start[0] * (1 - lr) ** i, start[1] * (1 - 4 * lr) ** i])


@pytest.fixture
def bowl_sim():
    return Simulation(Bowl(), START, [Run(make_optimizer("sgd", lr=0.1))], steps=50)


@pytest.fixture
def make_view(show_view):
    """Contour views, closed and collected at teardown (conftest.show_view)."""
    return lambda sim, w=640, h=480: show_view(ContourView(sim), w, h)


def drawn(view, i=0):
    x, y = view.drawn_path(i)
    return np.column_stack([x, y])


# ------------------------------------------------------------------ paths
def test_path_is_the_trajectory_up_to_the_current_step(bowl_sim, make_view):
    view = make_view(bowl_sim)
    assert np.allclose(drawn(view), [START])
    bowl_sim.seek(5)
    np.testing.assert_allclose(drawn(view), gd_path(0.1, 5), rtol=1e-12)
    bowl_sim.step_back()
    np.testing.assert_allclose(drawn(view), gd_path(0.1, 4), rtol=1e-12)
    bowl_sim.step_forward()
    bowl_sim.step_forward()
    np.testing.assert_allclose(drawn(view), gd_path(0.1, 6), rtol=1e-12)
    np.testing.assert_allclose(view.items.current_points(), gd_path(0.1, 6)[-1:], rtol=1e-12)


def test_blog_paths_follow_every_run(blog_sim, make_view):
    view = make_view(blog_sim)
    blog_sim.seek(10)
    for i, t in enumerate(blog_sim.trajectories):
        np.testing.assert_array_equal(drawn(view, i), t.params[:11])


def test_long_path_keeps_every_visible_point(blog_sim, make_view):
    """Points closer than half a pixel to the one before may be merged, nothing more:
    every drawn vertex is a trajectory point, in order, ends included, and every
    trajectory point lies within a pixel of a drawn vertex."""
    view = make_view(blog_sim)
    blog_sim.seek(100)
    px, py = view.view_box.viewPixelSize()
    for i, t in enumerate(blog_sim.trajectories):
        p, d = t.params[:101], drawn(view, i)
        np.testing.assert_array_equal(d[0], p[0])
        np.testing.assert_array_equal(d[-1], p[-1])
        idx = [int(np.flatnonzero((p == q).all(axis=1))[0]) for q in d]
        assert idx == sorted(idx)
        gap = np.min(np.hypot((p[:, None, 0] - d[None, :, 0]) / px,
                              (p[:, None, 1] - d[None, :, 1]) / py), axis=1)
        assert gap.max() <= 1.0


def test_hyper_parameter_edit_redraws_the_path(bowl_sim, make_view):
    view = make_view(bowl_sim)
    bowl_sim.seek(8)
    before = drawn(view)
    opt = bowl_sim.runs[0].optimizer
    bowl_sim.update_run(0, optimizer=opt.replace(lr=0.05))
    after = drawn(view)
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, gd_path(0.05, 8), rtol=1e-12)


def test_start_change_and_disabled_run(bowl_sim, make_view):
    view = make_view(bowl_sim)
    bowl_sim.seek(3)
    bowl_sim.set_start((-1.0, 0.5))
    np.testing.assert_allclose(drawn(view), gd_path(0.1, 3, (-1.0, 0.5)), rtol=1e-12)
    bowl_sim.update_run(0, enabled=False)
    assert drawn(view).size == 0
    assert view.items.current_points().size == 0


def test_no_runs_draws_the_map_and_counter(make_view):
    sim = Simulation(Bowl(), START, [], steps=10)
    view = make_view(sim)
    sim.seek(4)
    assert "step 4 / 10" in view.header.text
    img = view.render_image(200, 150)
    assert img.width() == 200 and img.height() == 150


# --------------------------------------------------------------- divergence
def test_divergence_draws_up_to_the_last_good_point(make_view):
    """lr = 100 on the bowl multiplies x by −99 each step: it leaves the
    runaway box (1e6 × window) after a few steps and must stop there."""
    sim = Simulation(Bowl(), START, [Run(make_optimizer("sgd", lr=100.0))], steps=30)
    view = make_view(sim)
    view.set_arrows(True, True, True)
    sim.seek(30)
    t = sim.trajectories[0]
    assert t.diverged_at is not None and t.diverged_at < 30
    d = drawn(view)
    assert len(d) == t.diverged_at
    assert np.all(np.isfinite(d))
    np.testing.assert_allclose(d[1], [START[0] * -99, START[1] * -399])
    assert f"diverged at {t.diverged_at}" in view.header.text
    assert not view.render_image(160, 120).isNull()


# ------------------------------------------------------------------ arrows
def _unit(v):
    v = np.asarray(v, dtype=float)
    return v / np.hypot(*v)


def test_arrows_point_along_minus_gradient_and_the_next_step(bowl_sim, make_view):
    view = make_view(bowl_sim)
    bowl_sim.seek(3)
    view.set_arrows(True, True, False)
    p3 = gd_path(0.1, 4)
    x, y = p3[3]
    g = np.array([x, 4 * y])                      # ∇f by hand
    grad = view.drawn_arrows("gradient")
    upd = view.drawn_arrows("update")
    assert grad.shape == (1, 4) and upd.shape == (1, 4)
    np.testing.assert_allclose(grad[0, :2], [x, y], rtol=1e-12)
    np.testing.assert_allclose(_unit(grad[0, 2:]), _unit(-g), rtol=1e-9)
    # the update arrow is the step about to be taken, at true length: -γ∇f
    np.testing.assert_allclose(upd[0, 2:], p3[4] - p3[3], rtol=1e-9)
    # and it matches what the model stores once it gets there
    bowl_sim.seek(4)
    bowl_sim.seek(3)
    np.testing.assert_allclose(view.drawn_arrows("update")[0, 2:],
                               bowl_sim.trajectories[0].updates[3], rtol=1e-12)
    assert len(view.drawn_arrows("velocity")) == 0
    view.set_arrows(False, False, False)
    assert all(len(view.drawn_arrows(k)) == 0 for k in ("gradient", "update", "velocity"))


def test_velocity_arrow_is_the_momentum_buffer(make_view):
    """SGD momentum μ: b_1 = g_0, b_k = μ b_{k-1} + g_{k-1} (torch.optim.SGD, dampening 0)."""
    mu, lr = 0.9, 0.05
    sim = Simulation(Bowl(), START, [Run(make_optimizer("sgd", lr=lr, momentum=mu))], steps=20)
    view = make_view(sim)
    view.set_arrows(False, True, True)
    sim.seek(4)
    p, b = np.array(START), np.zeros(2)
    for k in range(4):
        g = np.array([p[0], 4 * p[1]])
        b = g if k == 0 else mu * b + g
        p = p - lr * b
    vel = view.drawn_arrows("velocity")
    np.testing.assert_allclose(vel[0, :2], p, rtol=1e-9)
    np.testing.assert_allclose(_unit(vel[0, 2:]), _unit(-b), rtol=1e-9)
    # momentum: the next step is -lr (mu b + g), not -lr g
    g = np.array([p[0], 4 * p[1]])
    np.testing.assert_allclose(view.drawn_arrows("update")[0, 2:], -lr * (mu * b + g), rtol=1e-9)


def test_adam_velocity_is_minus_exp_avg(make_view):
    b1, b2 = 0.9, 0.999
    sim = Simulation(Bowl(), START, [Run(make_optimizer("adam", lr=0.1, betas=(b1, b2)))],
                     steps=10)
    view = make_view(sim)
    view.set_arrows(False, False, True)
    sim.seek(3)
    p, m, v = np.array(START), np.zeros(2), np.zeros(2)
    for k in range(1, 4):                            # Kingma & Ba, Algorithm 1
        g = np.array([p[0], 4 * p[1]])
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        p = p - 0.1 * (m / (1 - b1 ** k)) / (np.sqrt(v / (1 - b2 ** k)) + 1e-8)
    vel = view.drawn_arrows("velocity")
    np.testing.assert_allclose(vel[0, :2], p, rtol=1e-9)
    np.testing.assert_allclose(_unit(vel[0, 2:]), _unit(-m), rtol=1e-9)


# ------------------------------------------------------------------- mouse
def _viewport_pos(view, x, y) -> QtCore.QPoint:
    scene = view.view_box.mapViewToScene(QtCore.QPointF(x, y))
    return view.graphics.mapFromScene(scene)


def test_click_asks_for_that_start_point(bowl_sim, make_view, qtbot):
    view = make_view(bowl_sim)
    px, py = view.view_box.viewPixelSize()
    with qtbot.waitSignal(view.start_requested, timeout=2000) as sig:
        qtbot.mouseClick(view.graphics.viewport(), QtCore.Qt.MouseButton.LeftButton,
                         pos=_viewport_pos(view, 0.5, -1.0))
    x, y = sig.args
    assert abs(x - 0.5) <= 2 * px and abs(y + 1.0) <= 2 * py     # integer mouse positions


def _send_mouse(widget, kind, pos, buttons):
    button = (QtCore.Qt.MouseButton.LeftButton if kind != QtCore.QEvent.Type.MouseMove
              else QtCore.Qt.MouseButton.NoButton)
    local = QtCore.QPointF(pos)
    ev = QtGui.QMouseEvent(kind, local, QtCore.QPointF(widget.mapToGlobal(pos)), button,
                           buttons, QtCore.Qt.KeyboardModifier.NoModifier)
    QtCore.QCoreApplication.sendEvent(widget, ev)


def test_drag_asks_for_start_points_along_the_way(bowl_sim, make_view, qtbot):
    view = make_view(bowl_sim)
    vp = view.graphics.viewport()
    px, py = view.view_box.viewPixelSize()
    got = []
    view.start_requested.connect(lambda x, y: got.append((x, y)))
    left = QtCore.Qt.MouseButton.LeftButton
    none = QtCore.Qt.MouseButton.NoButton
    T = QtCore.QEvent.Type
    _send_mouse(vp, T.MouseButtonPress, _viewport_pos(view, -1.0, -1.0), left)
    for x in (-0.8, -0.4, 0.0, 0.6):
        qtbot.wait(40)                     # pyqtgraph drops moves closer than ~16 ms apart
        _send_mouse(vp, T.MouseMove, _viewport_pos(view, x, 0.5 * x), left)
    _send_mouse(vp, T.MouseButtonRelease, _viewport_pos(view, 0.6, 0.3), none)
    assert len(got) >= 3
    gx, gy = got[-1]
    assert abs(gx - 0.6) <= 2 * px and abs(gy - 0.3) <= 2 * py
    # every emitted point lies on the dragged line y = x / 2, within the rounding of
    # integer mouse positions (a couple of pixels)
    for x, y in got[1:]:
        assert abs(y - 0.5 * x) <= 3 * py + 0.5 * 3 * px


# ----------------------------------------------------------- map and scale
def test_scales_colour_the_loss_as_documented(bowl_sim, make_view):
    view = make_view(bowl_sim)
    xs, ys, _ = Bowl().grid(300)
    f = (xs[:, None] ** 2 + 4 * ys[None, :] ** 2) / 2          # by hand
    view.set_scale("linear")
    np.testing.assert_allclose(view.image.image, f, rtol=1e-12)
    view.set_scale("sqrt")
    np.testing.assert_allclose(view.image.image, np.sqrt(f), rtol=1e-12)
    view.set_scale("log")
    ok = f > f.max() * 1e-12
    np.testing.assert_allclose(view.image.image[ok], np.log10(f[ok]), rtol=1e-12)
    with pytest.raises(ValueError):
        view.set_scale("cubic")


def test_colour_bar_ticks_are_loss_values(bowl_sim, make_view):
    view = make_view(bowl_sim)
    view.set_scale("log")
    ticks = view.colorbar.axis._tickLevels[0]
    assert ticks
    for pos, text in ticks:
        assert np.isclose(10 ** pos, float(text), rtol=1e-9)


def test_nan_region_is_a_gap_not_an_error(make_view):
    sim = Simulation(HalfPlane(), (0.5, 0.5), [Run(make_optimizer("sgd", lr=0.01))], steps=5)
    view = make_view(sim)
    sim.seek(5)
    xs = np.linspace(-1, 1, 300)
    img = view.image.image
    assert np.all(np.isnan(img[xs < 0]))
    assert np.all(np.isfinite(img[xs > 0]))
    for scale in ("linear", "log"):
        view.set_scale(scale)
        q = view.render_image(200, 160)
        assert q.width() == 200


def test_surface_change_moves_the_window(bowl_sim, make_view):
    view = make_view(bowl_sim)

    class Shifted(Bowl):
        bounds = ((10.0, 30.0), (-5.0, 5.0))
        axis_labels = ("intercept a", "slope b")

    bowl_sim.set_surface(Shifted(), start=(20.0, 1.0))
    (x0, x1), (y0, y1) = view.view_box.viewRange()
    assert np.isclose(x0, 10.0) and np.isclose(x1, 30.0)
    assert np.isclose(y0, -5.0) and np.isclose(y1, 5.0)
    assert view.plot.getAxis("bottom").labelText == "intercept a"
    r = view.image.mapRectToParent(view.image.boundingRect())
    assert r.left() < 10.0 < 30.0 < r.right()
    np.testing.assert_allclose(drawn(view), [(20.0, 1.0)])


def test_isolines_toggle(bowl_sim, make_view):
    view = make_view(bowl_sim)
    x, _y = view.items.isolines.getData()
    assert x is not None and len(x) > 0
    view.set_isolines(False)
    assert not view.items.isolines.isVisible()
    view.set_isolines(True)
    assert view.items.isolines.isVisible()


# ------------------------------------------------------------------ export
def test_render_image_has_the_requested_size_and_content(blog_sim, make_view):
    view = make_view(blog_sim, 500, 400)
    blog_sim.seek(10)
    for w, h in ((800, 600), (1920, 1080), (300, 500)):
        img = view.render_image(w, h)
        assert (img.width(), img.height()) == (w, h)
        a = _pixels(img)
        assert len(np.unique(a.view(np.uint32))) > 50        # many colours, not a blank

    assert (view.width(), view.height()) == (500, 400)           # the widget is untouched
    assert view.graphics.ci.geometry().width() <= 500


def test_frames_reuse_the_static_background_and_match_a_one_pass_render(blog_sim, make_view):
    view = make_view(blog_sim, 500, 400)
    blog_sim.seek(3)
    first = _pixels(view.render_image(640, 400))
    renders = view.renderer.static_renders
    blog_sim.seek(21)
    cached = _pixels(view.render_image(640, 400))
    assert view.renderer.static_renders <= renders + 1      # +1 if the legend re-wrapped
    renders = view.renderer.static_renders
    blog_sim.seek(20)
    view.render_image(640, 400)
    blog_sim.seek(21)
    assert view.renderer.static_renders == renders          # same layout: not repainted
    assert (cached != first).any()                          # the paths moved
    # the same frame painted in one pass, all items at once, is the same picture
    whole = render_layout(view.graphics, "#ffffff", 640, 400, view.redraw)
    assert np.abs(_pixels(whole).astype(int) - cached).max() <= 2
    renders = view.renderer.static_renders
    view.set_scale("log")                                   # a new map: painted again
    view.render_image(640, 400)
    assert view.renderer.static_renders == renders + 1


def test_dark_theme_changes_the_background(blog_sim, make_view):
    view = make_view(blog_sim)
    view.apply_theme("dark")
    corner = _pixels(view.render_image(300, 200))[2, 2, :3]
    assert corner.tolist() == [0x1E, 0x1E, 0x1E]
    view.apply_theme("light")
    corner = _pixels(view.render_image(300, 200))[2, 2, :3]
    assert corner.tolist() == [255, 255, 255]


def _pixels(img: QtGui.QImage) -> np.ndarray:
    img = img.convertToFormat(QtGui.QImage.Format.Format_RGBA8888)
    return np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.width(), 4).copy()


def test_a_dragged_start_is_rounded_to_what_a_pixel_resolves():
    from optiviz_gui.ui.views.contour.view import _round_to_pixel
    assert _round_to_pixel(0.4931245108, 0.04) == 0.49          # a pixel is 0.04 wide
    assert _round_to_pixel(0.4931245108, 0.004) == 0.493
    assert _round_to_pixel(123.456, 2.5) == 123.0
    assert _round_to_pixel(0.4931245108, 0.0) == 0.4931245108


def test_a_click_on_the_map_gives_a_rounded_start(qtbot, show_view):
    from optiviz_gui.core import session
    from optiviz_gui.ui.views.contour.view import ContourView
    sim = session.load(None)
    view = show_view(ContourView(sim), 640, 480)
    got = []
    view.start_requested.connect(lambda x, y: got.append((x, y)))
    vb = view.view_box
    target = vb.mapViewToScene(QtCore.QPointF(0.4931245108, 3.1234567))
    vb._pick(target)
    (x, y), = got
    px, py = vb.viewPixelSize()
    assert abs(x - 0.4931245108) <= px and abs(y - 3.1234567) <= py
    assert len(repr(x).split(".")[-1]) <= 3 and len(repr(y).split(".")[-1]) <= 3
