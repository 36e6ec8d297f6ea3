"""The loss curve: f(θ_k) per enabled run, log scale on demand, current iteration marked.

On the bowl f = (x² + 4y²)/2 gradient descent with rate γ gives
f_k = (x_0² (1−γ)^{2k} + 4 y_0² (1−4γ)^{2k}) / 2 in closed form.
"""

from __future__ import annotations


import numpy as np
import pytest
from PySide6 import QtGui

from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.simulation import Run, Simulation
from optiviz_gui.ui.views.loss import LossView

from bowl import Bowl


class Tilted(Bowl):
    """f − 1: negative near the minimum, so log10 is undefined there."""

    def value_and_grad_xy(self, x, y, xp=np):
        return (x * x + 4 * y * y) / 2 - 1, x, 4 * y


START = (1.5, 1.0)


def gd_loss(lr, k, start=START, shift=0.0):
    i = np.arange(k + 1)
    x, y = start[0] * (1 - lr) ** i, start[1] * (1 - 4 * lr) ** i
    return (x * x + 4 * y * y) / 2 - shift


@pytest.fixture
def make_view(show_view):
    """Loss views, closed and collected at teardown (conftest.show_view)."""
    return lambda sim: show_view(LossView(sim), 640, 360)


def test_curve_is_the_loss_up_to_the_current_step(make_view):
    sim = Simulation(Bowl(), START, [Run(make_optimizer("sgd", lr=0.1))], steps=40)
    view = make_view(sim)
    sim.seek(12)
    x, y = view.drawn_curve(0)
    np.testing.assert_array_equal(x, np.arange(13))
    np.testing.assert_allclose(y, gd_loss(0.1, 12), rtol=1e-12)
    assert view.cursor.value() == 12
    cx, cy = view.current.getData()
    assert list(cx) == [12] and np.isclose(cy[0], gd_loss(0.1, 12)[-1], rtol=1e-12)
    sim.step_back()
    assert view.cursor.value() == 11
    assert view.drawn_curve(0)[0][-1] == 11


def test_log_scale_toggles(make_view):
    sim = Simulation(Bowl(), START, [Run(make_optimizer("sgd", lr=0.1))], steps=40)
    view = make_view(sim)
    sim.seek(20)
    assert not view.is_log()
    view.set_log(True)
    assert view.is_log()
    assert view.plot.getAxis("left").logMode
    x, y = view.drawn_curve(0)
    np.testing.assert_allclose(y, np.log10(gd_loss(0.1, 20)[x.astype(int)]), rtol=1e-12)
    view.set_log(False)
    assert not view.is_log() and not view.plot.getAxis("left").logMode
    x, y = view.drawn_curve(0)
    np.testing.assert_allclose(y, gd_loss(0.1, 20)[x.astype(int)], rtol=1e-12)


def test_long_curve_keeps_every_visible_point(blog_sim, make_view):
    """Inner points of flat stretches (same half-pixel row) may be left out, nothing
    else: every drawn point is exact, both ends are there, and every loss value lies
    within a pixel of the segment drawn over its iteration."""
    view = make_view(blog_sim)
    blog_sim.seek(100)
    py = view.plot.getViewBox().viewPixelSize()[1]
    for i, t in enumerate(blog_sim.trajectories):
        x, y = view.drawn_curve(i)
        loss = t.loss[:101]
        assert x[0] == 0 and x[-1] == 100
        np.testing.assert_array_equal(y, loss[x.astype(int)])
        between = np.interp(np.arange(101), x, y)
        assert np.max(np.abs(between - loss)) <= py


def test_log_scale_is_linear_while_a_loss_is_not_positive_and_says_so(make_view):
    """On f − 1 the loss goes below 0 after a few steps: log10 is undefined there, so
    the axis draws the true losses linearly and its title says why; back to log
    once every shown loss is positive again."""
    sim = Simulation(Tilted(), START, [Run(make_optimizer("sgd", lr=0.1))], steps=30)
    view = make_view(sim)
    view.set_log(True)
    sim.seek(1)                                  # f₀ = 2.125, f₁ = 0.9 − … > 0
    assert view.drawn_log() and view.plot.getAxis("left").logMode
    f = gd_loss(0.1, 30, shift=1.0)
    k = int(np.argmax(f <= 0))                   # the first step at or below 0
    sim.seek(k)
    assert view.is_log() and not view.drawn_log() and not view.plot.getAxis("left").logMode
    assert view.plot.getAxis("left").labelText == "loss (linear: some ≤ 0)"
    x, y = view.drawn_curve(0)
    np.testing.assert_allclose(y, f[x.astype(int)], rtol=1e-12)
    sim.seek(k - 1)
    assert view.drawn_log() and view.plot.getAxis("left").labelText == "loss"
    assert not view.render_image(320, 200).isNull()


def test_diverged_run_ends_where_it_went_bad(make_view):
    sim = Simulation(Bowl(), START, [Run(make_optimizer("sgd", lr=100.0)),
                                     Run(make_optimizer("sgd", lr=0.1))], steps=30)
    view = make_view(sim)
    view.set_log(True)
    sim.seek(30)
    t = sim.trajectories[0]
    x, _ = view.drawn_curve(0)
    assert t.diverged_at is not None and x[-1] == t.diverged_at - 1
    assert view.drawn_curve(1)[0][-1] == 30


def test_disabled_and_removed_runs_are_not_drawn(blog_sim, make_view):
    view = make_view(blog_sim)
    blog_sim.seek(5)
    blog_sim.update_run(2, enabled=False)
    assert view.drawn_curve(2)[0].size == 0
    assert len(view.current.getData()[0]) == 3
    blog_sim.remove_run(0)
    assert len(view.current.getData()[0]) == 2
    labels = [label.text for _sample, label in view.legend.items]
    assert labels == [blog_sim.labels()[0], blog_sim.labels()[2]]


def test_x_range_is_the_whole_run(blog_sim, make_view, qtbot):
    view = make_view(blog_sim)
    lo, hi = view.plot.getViewBox().viewRange()[0]
    assert lo <= 0 and 100 <= hi < 110
    blog_sim.set_steps(500)
    lo, hi = view.plot.getViewBox().viewRange()[0]
    assert lo <= 0 and 500 <= hi < 550
    view.set_log(True)
    blog_sim.seek(10)
    qtbot.wait(50)                           # auto-ranging, if on, happens by now
    lo, hi = view.plot.getViewBox().viewRange()[0]
    assert lo <= 0 and 500 <= hi < 550


def test_render_image_size_and_content(blog_sim, make_view):
    view = make_view(blog_sim)
    blog_sim.seek(50)
    img = view.render_image(900, 400).convertToFormat(QtGui.QImage.Format.Format_RGBA8888)
    assert (img.width(), img.height()) == (900, 400)
    a = np.frombuffer(img.constBits(), np.uint32)
    assert len(np.unique(a)) > 20
    assert (view.width(), view.height()) == (640, 360)


def y_range(view):
    """The loss axis' bounds without the padding that leaves room for the end labels."""
    lo, hi = view.plot.getViewBox().viewRange()[1]
    p = view._padding(1)
    pad = (hi - lo) * p / (1 + 2 * p)
    return lo + pad, hi - pad


def test_log_axis_spans_the_whole_decades_around_the_curve(make_view):
    sim = Simulation(Bowl(), START, [Run(make_optimizer("sgd", lr=0.1))], steps=40)
    view = make_view(sim)
    view.set_log(True)
    sim.seek(40)
    f = gd_loss(0.1, 40)                    # 2.625 at k = 0 down to about 1.6e-4
    lo, hi = y_range(view)
    assert (lo, hi) == pytest.approx((np.floor(np.log10(f.min())), np.ceil(np.log10(f.max()))))
    assert (lo, hi) == pytest.approx((-4.0, 1.0))


def test_linear_axis_ends_on_round_numbers_and_holds_still_in_a_drag(make_view):
    """f₀ = (x₀² + 4y₀²)/2 is the top of the curve and the bottom is near 0, so the
    step is the 1-2-5 number at or above f₀/8 and the top is f₀ rounded up to it."""
    sim = Simulation(Bowl(), (1.2, 0.8), [Run(make_optimizer("sgd", lr=0.1))], steps=40)
    view = make_view(sim)
    sim.seek(40)
    assert y_range(view) == pytest.approx((0.0, 2.0))      # f₀ = 2.0: steps of 0.5
    sim.set_start((1.25, 0.8))                             # f₀ = 2.06: a new bound
    assert y_range(view) == pytest.approx((0.0, 2.5))
    before = view.plot.getViewBox().viewRange()
    sim.set_start((1.26, 0.8))                             # f₀ = 2.07: the same bounds
    assert view.plot.getViewBox().viewRange() == before


def wheel(widget, pos, notches: int = 2):
    """Turn the mouse wheel forward (zoom in) over ``pos`` of ``widget``."""
    from PySide6 import QtCore, QtGui, QtWidgets
    for _ in range(notches):
        ev = QtGui.QWheelEvent(QtCore.QPointF(pos), widget.mapToGlobal(QtCore.QPointF(pos)),
                               QtCore.QPoint(), QtCore.QPoint(0, 120), QtCore.Qt.MouseButton.NoButton,
                               QtCore.Qt.KeyboardModifier.NoModifier, QtCore.Qt.ScrollPhase.NoScrollPhase,
                               False)
        QtWidgets.QApplication.sendEvent(widget, ev)


def double_click(widget, pos):
    """What Qt delivers for a real double click: press, release, double click, release."""
    from PySide6 import QtCore, QtGui, QtWidgets
    from PySide6.QtTest import QTest
    left, none = QtCore.Qt.MouseButton.LeftButton, QtCore.Qt.KeyboardModifier.NoModifier
    QTest.mousePress(widget, left, none, pos)
    QTest.mouseRelease(widget, left, none, pos)
    ev = QtGui.QMouseEvent(QtCore.QEvent.Type.MouseButtonDblClick, QtCore.QPointF(pos),
                           widget.mapToGlobal(QtCore.QPointF(pos)), left, left, none)
    QtWidgets.QApplication.sendEvent(widget, ev)
    QTest.mouseRelease(widget, left, none, pos)


def test_a_zoom_stops_the_fitting_and_a_double_click_brings_it_back(make_view):
    from PySide6 import QtCore
    sim = Simulation(Bowl(), (1.2, 0.8), [Run(make_optimizer("sgd", lr=0.1))], steps=40)
    view = make_view(sim)
    sim.seek(40)
    vb = view.plot.getViewBox()
    fitted = vb.viewRange()
    wheel(view.graphics.viewport(), vb.mapViewToScene(QtCore.QPointF(20, 1.0)).toPoint())
    zoomed = vb.viewRange()
    assert zoomed[0][1] - zoomed[0][0] < fitted[0][1] - fitted[0][0]    # the zoom holds
    assert zoomed[1][1] - zoomed[1][0] < fitted[1][1] - fitted[1][0]
    sim.set_start((1.25, 0.8))
    assert vb.viewRange() == zoomed
    double_click(view.graphics.viewport(), vb.mapViewToScene(QtCore.QPointF(20, 1.0)).toPoint())
    assert y_range(view) == pytest.approx((0.0, 2.5))


def test_short_log_axis_labels_only_1_2_5(make_view):
    """Under three decades pyqtgraph labels every 1…9 × 10ᵏ; the axis keeps 1, 2, 5."""
    sim = Simulation(Bowl(), START, [Run(make_optimizer("sgd", lr=0.1))], steps=40)
    view = make_view(sim)
    view.set_log(True)
    axis = view.plot.getAxis("left")
    levels = axis.tickValues(-2.0, 0.0, 300)
    minor = [v for spacing, values in levels if spacing is None for v in values]
    mantissas = sorted({round(10 ** (v % 1), 6) for v in minor})
    assert mantissas == [1.0, 2.0, 5.0]


def test_a_diverging_loss_keeps_the_log_labels_true(make_view):
    """lr = 1 on the bowl: y_k = (1 − 4)^k y₀ grows 3× a step, the loss 9× a step, past
    1e12 before the run leaves the runaway box. The labels still name the decades
    they sit at (no SI multiplier that would shift them all by 12 decades)."""
    sim = Simulation(Bowl(), START, [Run(make_optimizer("sgd", lr=1.0))], steps=30)
    view = make_view(sim)
    view.set_log(True)
    sim.seek(30)
    t = sim.trajectories[0]                  # stopped where it left the runaway box
    np.testing.assert_allclose(t.loss, gd_loss(1.0, t.steps), rtol=1e-12)
    top = t.loss.max()
    assert top > 1e12
    axis = view.plot.getAxis("left")
    assert axis.autoSIPrefixScale == 1.0 and "x1e" not in axis.labelString()
    lo, hi = y_range(view)
    assert hi == np.ceil(np.log10(top))
    labels = axis.tickStrings([0.0, 15.0, np.log10(2e3)], axis.autoSIPrefixScale * axis.scale, 1.0)
    assert labels == ["10⁰", "10¹⁵", "2·10³"]


def test_double_click_fits_again_even_to_the_same_bounds(make_view):
    from PySide6 import QtCore
    sim = Simulation(Bowl(), (1.2, 0.8), [Run(make_optimizer("sgd", lr=0.1))], steps=40)
    view = make_view(sim)
    sim.seek(40)
    vb = view.plot.getViewBox()
    wheel(view.graphics.viewport(), vb.mapViewToScene(QtCore.QPointF(20, 1.0)).toPoint())
    assert y_range(view) != pytest.approx((0.0, 2.0))
    double_click(view.graphics.viewport(), vb.mapViewToScene(QtCore.QPointF(20, 1.0)).toPoint())
    assert y_range(view) == pytest.approx((0.0, 2.0))


def test_a_narrow_pane_stacks_the_legend_instead_of_growing(blog_sim, show_view):
    view = show_view(LossView(blog_sim), 200, 300)
    blog_sim.seek(100)
    assert view.legend.columnCount == 1
    assert view.graphics.ci.geometry().width() <= view.graphics.width()
    right = view.plot.getViewBox().sceneBoundingRect().right()
    assert right <= view.graphics.width()          # the plot, x axis included, is on screen
    view.resize(900, 300)
    assert view.legend.columnCount == 4


def test_the_iteration_axis_labels_its_ends(blog_sim, show_view):
    """pyqtgraph leaves out a label reaching past a gridded plot; the padding keeps the
    first and the last step labelled (0 and 100 on the blog example), also in a
    narrow pane, where 2 % of the width is less than half a label."""
    from PySide6 import QtGui
    view = show_view(LossView(blog_sim), 300, 220)
    blog_sim.seek(100)
    view.grab()                                          # lays out and paints the axes
    p = QtGui.QPainter(QtGui.QImage(10, 10, QtGui.QImage.Format.Format_ARGB32))
    _, _, texts = view.plot.getAxis("bottom").generateDrawSpecs(p)
    p.end()
    shown = [float(t[2]) for t in texts]
    assert 0.0 in shown and 100.0 in shown, shown


def test_a_loss_of_1e12_keeps_readable_labels_on_a_linear_axis(show_view):
    """lr 0.13 is past the blog slope's stability limit 2/16.7: the loss reaches about
    10¹²; the linear axis says 10¹² in its labels, not "(x1e+12)" in its title."""
    from optiviz_gui.core import session
    from optiviz_gui.core.optimizers import make_optimizer
    from optiviz_gui.core.simulation import Run
    from optiviz_gui.ui.views.loss import LossView
    sim = session.load(None)
    sim.add_run(Run(make_optimizer("sgd", lr=0.13)))
    view = show_view(LossView(sim), 360, 260)
    view.set_log(False)
    sim.seek(100)
    assert sim.trajectories[-1].loss.max() > 1e11
    axis = view.plot.getAxis("left")
    assert "x1e" not in axis.labelString() and axis.autoSIPrefixScale == 1.0
    lo, hi = view.plot.getViewBox().viewRange()[1]
    values = [v for v in (0.0, 2e11, 5e11, 1e12) if lo <= v <= hi]
    labels = axis.tickStrings(values, 1.0, 1e11)
    assert labels[-1] in ("10¹²", "5·10¹¹")
    assert all("e+" not in text for text in labels)
    assert axis.tickStrings([0.5, 1.0], 1.0, 0.5) == ["0.5", "1.0"]      # plain where small
