"""The other views on a network surface: accuracy on the loss pane, the distance from the
plane on hover and in the inspector, and the colour bar's labels on small losses."""

from __future__ import annotations

import numpy as np
import pytest

from optiviz_gui.core import session
from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.simulation import Run, Simulation
from optiviz_gui.core.surfaces.base import Surface
from optiviz_gui.core.surfaces.mlp import MLPSurface
from optiviz_gui.ui.views.contour.view import ContourView
from optiviz_gui.ui.views.hover import map_readout


def network_sim(steps=60):
    surface = MLPSurface.generated("moons", 100, 0.2, hidden=(6,), activation="tanh", seed=1)
    runs = [Run(make_optimizer("sgd", lr=0.5)), Run(make_optimizer("adam", lr=0.03))]
    return Simulation(surface, (0.2, -0.1), runs, steps)


def counted_accuracy(surface, theta) -> float:
    """(logit > 0) == label counted over the points, with a forward pass written here."""
    X, y = surface.data
    w1 = theta[:12].reshape(6, 2)
    b1 = theta[12:18]
    w2, b2 = theta[18:24], theta[24]
    logits = w2 @ np.tanh(w1 @ X.T + b1[:, None]) + b2
    return float(np.mean((logits > 0) == (y == 1)))


def plane_distance(surface, theta) -> float:
    """‖θ − θ(α, β)‖ with (α, β) numpy's least squares on the plane's directions."""
    offset = theta - surface.theta0
    coords = np.linalg.lstsq(surface.directions.T, offset, rcond=None)[0]
    return float(np.linalg.norm(offset - coords @ surface.directions))


# ------------------------------------------------------------------ accuracy
def test_show_accuracy_draws_each_runs_share_of_points_right(make_window):
    w = make_window(network_sim())
    action = w.menu_actions["accuracy"]
    assert action.isEnabled() and not action.isChecked()
    assert not w.accuracy.shown() and not w.loss.plot.getAxis("right").isVisible()
    action.setChecked(True)
    w.sim.seek(40)
    assert w.loss.plot.getAxis("right").isVisible()
    for i, t in enumerate(w.sim.trajectories):
        x, y = w.accuracy.drawn_curve(i)
        np.testing.assert_array_equal(x, np.arange(41))
        expected = [100 * counted_accuracy(w.sim.surface, theta) for theta in t.theta[:41]]
        np.testing.assert_allclose(y, expected, rtol=1e-15)
    assert w.settings.q.value("view/accuracy") in (True, "true")


def test_the_accuracy_axis_stays_linear_from_0_to_100_on_a_log_loss_axis(make_window):
    w = make_window(network_sim())
    w.set_accuracy(True)
    w.set_view_option("log_loss", True)
    w.sim.seek(10)
    assert w.loss.drawn_log() and not w.accuracy.axis.logMode
    low, high = w.accuracy.view_box.viewRange()[1]
    assert low <= 0.0 and 100.0 <= high < 105.0
    assert w.accuracy.view_box.viewRange()[0] == pytest.approx(w.loss.plot.viewRange()[0])


def test_accuracy_is_only_offered_on_a_network_and_remembered(make_window, qsettings):
    w = make_window(network_sim())
    w.menu_actions["accuracy"].setChecked(True)
    w.sim.seek(5)
    w.sim.set_surface(session.load(None).surface, start=(2.0, 9.0))
    assert not w.menu_actions["accuracy"].isEnabled()
    assert not w.accuracy.shown() and not w.loss.plot.getAxis("right").isVisible()
    assert all(w.accuracy.drawn_curve(i)[0].size == 0 for i in range(len(w.sim.runs)))
    again = make_window(network_sim(), settings=qsettings)
    assert again.menu_actions["accuracy"].isChecked() and again.accuracy.shown()


def test_a_one_run_edit_redraws_that_runs_accuracy_alone(make_window, monkeypatch):
    w = make_window(network_sim())
    w.set_accuracy(True)
    w.sim.seek(20)
    drawn = []
    original = w.accuracy.draw_run
    monkeypatch.setattr(w.accuracy, "draw_run", lambda i: drawn.append(i) or original(i))
    w.sim.update_run(1, optimizer=make_optimizer("adam", lr=0.01))
    assert drawn == [1]


# --------------------------------------------------------- distance from the plane
def test_the_maps_readout_near_a_path_point_gives_its_distance_from_the_plane():
    sim = network_sim()
    sim.seek(30)
    t = sim.trajectories[1]
    a, b = t.params[30]
    text = map_readout(sim, float(a), float(b), (1e-3, 1e-3))
    d = plane_distance(sim.surface, t.theta[30])
    assert d > 1e-3
    assert text.endswith(f"distance from plane ‖θ − θ(α, β)‖ = {d:.3g}")
    assert "step 30" in text
    # on a 2-D surface there is no plane to leave
    blog = session.load(None)
    blog.seek(3)
    x, y = blog.trajectories[0].params[3]
    assert "distance" not in map_readout(blog, float(x), float(y), (1e-3, 1e-3))


def test_the_inspector_shows_the_distance_and_the_accuracy(make_window):
    w = make_window(network_sim())
    w.sim.seek(25)
    w.inspector.show_run(0)
    w.inspector_dock.raise_()
    values = w.inspector.values()
    t = w.sim.trajectories[0]
    assert float(values["distance from plane"][0]) == pytest.approx(
        plane_distance(w.sim.surface, t.theta[25]), rel=1e-4)
    assert float(values["accuracy"][0]) == pytest.approx(
        counted_accuracy(w.sim.surface, t.theta[25]), rel=1e-4)


# ------------------------------------------------------------------ colour bar
class SmallBowl(Surface):
    """(x² + y²)/1000: losses of a few thousandths, like a trained network's."""
    bounds = ((-1.0, 1.0), (-1.0, 1.0))

    def value_and_grad_xy(self, x, y, xp=np):
        return (x * x + y * y) / 1000, x / 500, y / 500


def test_the_colour_bar_has_no_si_multiplier_on_small_losses(show_view):
    sim = Simulation(SmallBowl(), (0.5, 0.5), [Run(make_optimizer("sgd", lr=0.1))], 5)
    view = show_view(ContourView(sim), 480, 360)
    axis = view.colorbar.axis
    for scale in ("linear", "sqrt", "log"):
        view.set_scale(scale)
        assert "x0.001" not in axis.labelString() and "(x" not in axis.labelString()
        assert axis.autoSIPrefixScale == 1.0
        ticks = axis._tickLevels[0]
        assert ticks and all(float(text) <= 0.002 for _, text in ticks)


# ------------------------------------------------------------------ fit the plane
def test_fit_the_plane_keeps_every_runs_path_and_the_views_follow(make_window):
    w = make_window(network_sim(steps=30))
    w.sim.seek(30)
    before = [t.theta.copy() for t in w.sim.trajectories]
    w.controls.surface.network.fit.click()
    surface = w.sim.surface
    assert "principal" in surface.formula
    for t, theta in zip(w.sim.trajectories, before):
        np.testing.assert_allclose(t.theta, theta, rtol=1e-12, atol=1e-14)
        assert t.distance[0] < 1e-12                  # the start lies on the new plane
    (x0, x1), (y0, y1) = surface.bounds
    for t in w.sim.trajectories:
        assert np.all((x0 <= t.params[:, 0]) & (t.params[:, 0] <= x1))
        assert np.all((y0 <= t.params[:, 1]) & (t.params[:, 1] <= y1))
    assert w.data.drawn_boundary(0)[0].size > 0
