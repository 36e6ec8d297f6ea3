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
from optiviz_gui.core.surfaces.base import Surface
from optiviz_gui.ui.loss_view import LossView


class Bowl(Surface):
    bounds = ((-2.0, 2.0), (-2.0, 2.0))
    minima = np.array([[0.0, 0.0]])

    def value_and_grad_xy(self, x, y, xp=np):
        return (x * x + 4 * y * y) / 2, x, 4 * y


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


def test_nonpositive_loss_is_a_gap_in_log_scale(make_view):
    sim = Simulation(Tilted(), START, [Run(make_optimizer("sgd", lr=0.1))], steps=30)
    view = make_view(sim)
    view.set_log(True)
    sim.seek(30)
    x, y = view.drawn_curve(0)
    f = gd_loss(0.1, 30, shift=1.0)
    assert np.all(np.isnan(y[f[x.astype(int)] <= 0]))
    ok = f[x.astype(int)] > 0
    np.testing.assert_allclose(y[ok], np.log10(f[x.astype(int)][ok]), rtol=1e-12)
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
