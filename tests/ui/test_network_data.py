"""The data panel on a network surface: the labelled points and each run's decision boundary.

The boundary is where the network's output logit is 0. For a net without hidden
layers (logistic regression, θ = (w₁, w₂, b)) that is the line w₁x₁ + w₂x₂ + b = 0;
for a 2-8-8-1 tanh net it is checked with a forward pass written here.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from optiviz_gui.core import session
from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.simulation import PALETTE, Run, Simulation
from optiviz_gui.core.surfaces.mlp import MLPSurface
from optiviz_gui.ui.views import boundary
from optiviz_gui.ui.views.data import DataView


@pytest.fixture
def make_view(show_view):
    return lambda sim: show_view(DataView(sim), 480, 360)


def network_sim(hidden=(8, 8), steps=40):
    surface = MLPSurface.generated("moons", 120, 0.2, hidden=hidden, activation="tanh", seed=3)
    runs = [Run(make_optimizer("sgd", lr=0.5)), Run(make_optimizer("adam", lr=0.02)),
            Run(make_optimizer("adamw", lr=0.05))]
    return Simulation(surface, (0.0, 0.0), runs, steps)


def forward(surface, theta, points):
    """The logits at points (M, 2) of a tanh net, layer by layer from θ's layout."""
    h, start = points.T, 0
    sizes = surface.sizes
    for k, (fan_in, fan_out) in enumerate(pairwise(sizes)):
        w = theta[start:start + fan_in * fan_out].reshape(fan_out, fan_in)
        b = theta[start + fan_in * fan_out:start + fan_in * fan_out + fan_out]
        start += fan_in * fan_out + fan_out
        h = w @ h + b[:, None]
        if k < len(sizes) - 2:
            h = np.tanh(h)
    return h[0]


def test_the_points_are_drawn_by_class_in_colours_no_run_has(make_view):
    sim = network_sim()
    view = make_view(sim)
    X, y = sim.surface.data
    assert view.has_data() and view.stack.currentIndex() == 0
    for label, item in enumerate(view.boundaries.points):
        px, py = item.getData()
        np.testing.assert_array_equal(np.column_stack([px, py]), X[y == label])
    assert not {c.lower() for c in boundary.CLASS_COLORS} & {c.lower() for c in PALETTE}
    labels = [label.text for _, label in view.legend.items]
    assert labels[-2:] == ["class 0", "class 1"]
    assert labels[:3] == sim.labels()
    (x0, x1), (y0, y1) = view.plot.getViewBox().viewRange()
    assert x0 < X[:, 0].min() and X[:, 0].max() < x1 and y0 < X[:, 1].min() and X[:, 1].max() < y1


@pytest.mark.parametrize("k", [0, 7, 25])
def test_a_logistic_regressions_boundary_is_its_line(make_view, k):
    sim = network_sim(hidden=())
    view = make_view(sim)
    sim.seek(k)
    for i, t in enumerate(sim.trajectories):
        w1, w2, b = t.theta[k]
        x, y = view.drawn_boundary(i)
        assert len(x) >= 2
        # exact up to rounding: marching squares interpolates a linear function exactly
        np.testing.assert_allclose(w1 * x + w2 * y + b, 0.0, atol=1e-12 * (abs(w1) + abs(w2) + abs(b)) * 10)
        # and it crosses the whole window: the segments add up to the line's chord
        (x0, x1), (y0, y1) = view.boundaries.window
        crossings = [(u, -(w1 * u + b) / w2) for u in (x0, x1)] + \
                    [(-(w2 * v + b) / w1, v) for v in (y0, y1)]
        inside = np.array([p for p in crossings
                           if x0 - 1e-12 <= p[0] <= x1 + 1e-12 and y0 - 1e-12 <= p[1] <= y1 + 1e-12])
        chord = np.max(np.hypot(*(inside[:, None] - inside[None, :]).transpose(2, 0, 1)))
        drawn = np.sum(np.hypot(x[1::2] - x[::2], y[1::2] - y[::2]))
        assert drawn == pytest.approx(chord, rel=1e-9)


def test_a_hidden_nets_boundary_is_where_its_logit_is_zero(make_view):
    sim = network_sim()
    view = make_view(sim)
    sim.seek(40)
    (x0, x1), _ = view.boundaries.window
    cell = (x1 - x0) / (boundary.GRID - 1)
    for i, t in enumerate(sim.trajectories):
        x, y = view.drawn_boundary(i)
        assert len(x) > 20
        z = forward(sim.surface, t.theta[40], np.column_stack([x, y]))
        # the logit's slope bounds how far from 0 a point a fraction of a cell away can be
        g = np.gradient(sim.surface.decision_grid(t.theta[40], boundary.GRID,
                                                  view.boundaries.window, logits=True)[2], cell)
        slope = float(np.max(np.hypot(*g)))
        assert np.max(np.abs(z)) < 0.05 * slope * cell
        # the points on each side are the classes the network gives them
        X, _ = sim.surface.data
        logits = forward(sim.surface, t.theta[40], X)
        assert np.any(logits > 0) and np.any(logits < 0)


def test_disabled_and_removed_runs_draw_no_boundary(make_view):
    sim = network_sim()
    view = make_view(sim)
    sim.seek(10)
    sim.update_run(1, enabled=False)
    assert view.drawn_boundary(1)[0].size == 0 and view.drawn_boundary(0)[0].size > 0
    sim.remove_run(2)
    assert view.drawn_boundary(2)[0].size == 0


def test_each_boundary_is_computed_once_per_step_and_an_edit_redoes_that_run_alone(
        make_view, monkeypatch):
    sim = network_sim()
    view = make_view(sim)
    calls = []
    original = MLPSurface.decision_grid
    monkeypatch.setattr(MLPSurface, "decision_grid",
                        lambda self, theta, *a, **k: calls.append(theta.copy()) or
                        original(self, theta, *a, **k))
    view.show_run(-1)                            # no shading: the boundaries alone
    for k in (1, 2, 3, 2, 1, 2, 3):
        sim.seek(k)
    assert len(calls) == 3 * 3                  # three runs, three new steps
    view.show_run(0)                             # run 0's probability shaded (one grid)
    calls.clear()
    sim.update_run(1, optimizer=make_optimizer("adam", lr=0.05))
    assert len(calls) == 1                      # run 1's new boundary; run 0's shade stays
    np.testing.assert_array_equal(calls[0], sim.trajectories[1].theta[3])


def test_back_on_the_regression_the_lines_return(make_view, blog_sim):
    sim = network_sim()
    view = make_view(sim)
    sim.seek(5)
    sim.set_surface(blog_sim.surface, start=blog_sim.start)
    assert view.drawn_boundary(0)[0].size == 0
    assert all(item.getData()[0].size == 0 for item in view.boundaries.points)
    assert view.drawn_line(0)[0].size == 2
    assert view.plot.getAxis("bottom").labelText == "x"


def test_the_data_tabs_tooltip_fits_the_surface(make_window):
    w = make_window(session.load(None))
    index = w.tabs.indexOf(w.data)
    assert "fitted line" in w.tabs.tabToolTip(index)
    w.sim.set_surface(network_sim().surface, start=(0.0, 0.0))
    assert "decision boundary" in w.tabs.tabToolTip(index)
    w.sim.set_surface(session.load(None).surface)
    assert "fitted line" in w.tabs.tabToolTip(index)


def test_the_selected_runs_probability_is_shaded_under_the_boundaries(make_window):
    sim = network_sim()
    w = make_window(sim)
    sim.seek(12)
    shade = w.data.boundaries.shade
    (x0, x1), (y0, y1) = w.data.boundaries.window
    xs, ys = np.linspace(x0, x1, boundary.GRID), np.linspace(y0, y1, boundary.GRID)
    grid = np.stack(np.meshgrid(xs, ys, indexing="ij"), axis=-1).reshape(-1, 2)

    def expected(i):
        z = forward(sim.surface, sim.trajectories[i].theta[12], grid).reshape(boundary.GRID, -1)
        return 1 / (1 + np.exp(-z))
    assert shade.isVisible()
    np.testing.assert_allclose(shade.image, expected(0), rtol=1e-12, atol=1e-15)
    w.controls.runs.list.setCurrentRow(2)
    np.testing.assert_allclose(shade.image, expected(2), rtol=1e-12, atol=1e-15)
    sim.update_run(2, enabled=False)
    assert not shade.isVisible()
    # the colours: class 0's at P = 0, the background (transparent) at ½, class 1's at 1
    lut = boundary.shade_colors("#ffffff", 3)
    assert [tuple(c) for c in lut] == [(0x77, 0xAA, 0xDD, boundary.SHADE_ALPHA),
                                       (255, 255, 255, 0), (0xEE, 0x88, 0x66, boundary.SHADE_ALPHA)]
