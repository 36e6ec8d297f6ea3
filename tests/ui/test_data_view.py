"""The data panel: the regression's points and each run's current line y = a + b·x.

One SGD step on the mean squared error is written out by hand from the data:
rᵢ = a + b·xᵢ − yᵢ, ∇f = (2·mean(r), 2·mean(r·x)), θ₁ = θ₀ − γ∇f(θ₀).
"""

from __future__ import annotations


import numpy as np
import pytest
from PySide6 import QtGui

from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.simulation import Run, Simulation
from optiviz_gui.core.surfaces import BUILTINS
from optiviz_gui.core.surfaces.regression import LinearRegression
from optiviz_gui.ui.views.data import MAX_POINTS, NOTE, DataView


@pytest.fixture
def make_view(show_view):
    """Data views, closed and collected at teardown (conftest.show_view)."""
    return lambda sim: show_view(DataView(sim), 480, 360)


def line_at(view, i, xs):
    """The drawn line of run i read off at xs (linear interpolation of its segment)."""
    x, y = view.drawn_line(i)
    assert x.size == 2 and x[0] < min(xs) and max(xs) < x[1]
    return np.interp(xs, x, y)


XS = np.array([-1.0, 2.5])


def test_line_after_one_sgd_step_is_the_hand_computed_fit(blog_sim, make_view):
    view = make_view(blog_sim)
    s = blog_sim.surface
    a0, b0 = blog_sim.start
    np.testing.assert_allclose(line_at(view, 0, XS), a0 + b0 * XS, rtol=1e-12)   # step 0
    blog_sim.seek(1)
    r = a0 + b0 * s.x - s.y
    lr = blog_sim.runs[0].optimizer.lr
    a1, b1 = a0 - lr * 2 * r.mean(), b0 - lr * 2 * (r * s.x).mean()
    np.testing.assert_allclose(line_at(view, 0, XS), a1 + b1 * XS, rtol=1e-9)


@pytest.mark.parametrize("k", [5, 100])
def test_each_line_is_its_runs_parameters_at_the_current_step(blog_sim, make_view, k):
    view = make_view(blog_sim)
    blog_sim.seek(k)
    colors = blog_sim.colors()
    for i, t in enumerate(blog_sim.trajectories):
        a, b = t.params[k]
        np.testing.assert_allclose(line_at(view, i, XS), a + b * XS, rtol=1e-9, atol=1e-9)
        assert view.lines[i].opts["pen"].color().name().lower() == colors[i].lower()
    blog_sim.step_back()
    a, b = blog_sim.trajectories[3].params[k - 1]
    np.testing.assert_allclose(line_at(view, 3, XS), a + b * XS, rtol=1e-9, atol=1e-9)


def test_at_the_end_sgds_line_lies_on_the_data(blog_sim, make_view):
    """The blog data are y = −2 + 2x with noise sd 0.001; after 100 steps plain
    SGD's line is on it, and the least-squares line is drawn dashed."""
    view = make_view(blog_sim)
    blog_sim.seek(100)
    np.testing.assert_allclose(line_at(view, 0, XS), -2 + 2 * XS, atol=1e-3)
    bx, by = view.best.getData()
    np.testing.assert_allclose(np.interp(XS, bx, by), -2 + 2 * XS, atol=1e-3)


def test_disabled_and_removed_runs_draw_no_line(blog_sim, make_view):
    view = make_view(blog_sim)
    blog_sim.seek(5)
    blog_sim.update_run(2, enabled=False)
    assert view.drawn_line(2)[0].size == 0
    blog_sim.remove_run(0)
    assert [view.drawn_line(i)[0].size for i in range(4)] == [2, 0, 2, 0]
    labels = [label.text for _sample, label in view.legend.items]
    assert labels[:2] == [blog_sim.labels()[0], blog_sim.labels()[2]]


def test_the_points_drawn_are_the_data(blog_sim, make_view):
    view = make_view(blog_sim)
    x, y = view.drawn_points()
    s = blog_sim.surface
    np.testing.assert_array_equal(x, s.x)
    np.testing.assert_array_equal(y, s.y)


def test_a_large_data_set_is_drawn_as_a_subset_of_its_points(make_view):
    rng = np.random.default_rng(7)
    x = rng.uniform(-3, 3, 25_000)
    y = 1.0 - 0.5 * x + rng.normal(0, 0.3, x.size)
    sim = Simulation(LinearRegression(x, y), (0.0, 0.0), [Run(make_optimizer("sgd", lr=0.1))])
    view = make_view(sim)
    dx, dy = view.drawn_points()
    assert dx.size == MAX_POINTS
    pairs = set(zip(x.tolist(), y.tolist()))
    assert all(p in pairs for p in zip(dx.tolist(), dy.tolist()))
    assert len(set(zip(dx.tolist(), dy.tolist()))) == MAX_POINTS          # no repeats
    assert "2,000 of 25,000 points" == [label.text for _s, label in view.legend.items][-2]


def test_other_surfaces_show_the_note_and_draw_no_lines(blog_sim, make_view):
    view = make_view(blog_sim)
    blog_sim.seek(5)
    blog_sim.set_surface(BUILTINS["rosenbrock"](), start=(-1.0, 1.5))
    assert not view.has_data()
    assert view.note.isVisible() and view.note.text() == NOTE
    assert not view.graphics.isVisible()
    assert all(view.drawn_line(i)[0].size == 0 for i in range(len(blog_sim.runs)))
    assert view.drawn_points()[0].size == 0
    blog_sim.step_forward()                       # steps on the other surface: still nothing
    assert all(view.drawn_line(i)[0].size == 0 for i in range(len(blog_sim.runs)))
    img = view.render_image(400, 200)
    assert (img.width(), img.height()) == (400, 200)


def test_a_diverging_run_draws_a_clipped_piece_of_its_line(blog_sim, make_view):
    """lr = 100 explodes; whatever it reaches, the line drawn is a short piece of
    y = a + b·x (no coordinate Qt cannot paint) or nothing."""
    blog_sim.update_run(0, optimizer=blog_sim.runs[0].optimizer.replace(lr=100.0))
    view = make_view(blog_sim)
    drawn = 0
    for k in (1, 2, 3, 10, 100):
        blog_sim.seek(k)
        t = blog_sim.trajectories[0]
        a, b = t.params[min(k, t.steps)]
        x, y = view.drawn_line(0)
        if x.size:
            drawn += 1
            np.testing.assert_allclose(y, a + b * x, rtol=1e-9)
            assert np.all(np.abs(x) < 1e3) and np.all(np.abs(y) < 1e3)
    assert t.diverged_at is not None and drawn > 0


def test_theme_and_render_image(blog_sim, make_view):
    view = make_view(blog_sim)
    blog_sim.seek(5)
    view.apply_theme("dark")
    img = view.render_image(800, 500).convertToFormat(QtGui.QImage.Format.Format_RGBA8888)
    assert (img.width(), img.height()) == (800, 500)
    a = np.frombuffer(img.constBits(), np.uint8).reshape(500, 800, 4)
    assert a[..., :3].mean() < 80                              # a dark picture
    for color in blog_sim.colors():                            # every run's line is in it
        rgb = np.array(QtGui.QColor(color).getRgb()[:3])
        assert np.any(np.all(np.abs(a[..., :3].astype(int) - rgb) < 12, axis=-1)), color
    assert (view.width(), view.height()) == (480, 360)


def test_window_view_menu_shows_and_hides_the_data_tab(window):
    a = window.menu_actions
    assert window.tabs.indexOf(window.data) == 1
    a["pane_data"].setChecked(False)
    assert not window.tabs.isTabVisible(1)
    a["pane_data"].setChecked(True)                 # shown from the menu: comes to the front
    assert window.data.isVisible() and window.tabs.currentWidget() is window.data
    window.sim.seek(7)
    (a7, b7) = window.sim.trajectories[1].params[7]
    np.testing.assert_allclose(line_at(window.data, 1, XS), a7 + b7 * XS, rtol=1e-9)


def test_window_remembers_the_front_tab(make_window, qsettings):
    w1 = make_window(settings=qsettings)
    w1.tabs.setCurrentWidget(w1.data)
    w1.close_without_asking()
    w2 = make_window(settings=qsettings)
    assert w2.tabs.currentWidget() is w2.data and w2.data.isVisible()
    w2.menu_actions["pane_data"].setChecked(False)
    w2.close_without_asking()
    w3 = make_window(settings=qsettings)
    assert not w3.menu_actions["pane_data"].isChecked() and not w3.data.isVisible()
    assert w3.loss.isVisible()
