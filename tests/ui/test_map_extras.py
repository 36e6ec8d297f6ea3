"""What the map draws besides the paths: LBFGS's evaluations, ASGD's averaged path, Rprop's
step sizes, and the clipped gradient arrow — each read from the drawn items' data.

References: the points where torch's own LBFGS called its closure; ASGD's averaged
point and Rprop's first steps by hand; torch.nn.utils.clip_grad_norm_'s rule.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from optiviz_gui.core import session
from optiviz_gui.core.arrows import GRAD_FRACTION
from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.simulation import Run, Simulation
from optiviz_gui.ui.views.contour.view import ContourView

BLOG = session.load(None)


def view_of(show_view, *runs, steps=20):
    sim = Simulation(BLOG.surface, BLOG.start, list(runs), steps)
    return sim, show_view(ContourView(sim), 640, 480)


def test_lbfgs_marks_are_where_torch_evaluated_the_loss(show_view):
    torch = pytest.importorskip("torch")
    sim, view = view_of(show_view, Run(make_optimizer("lbfgs", lr=0.1, max_iter=4)))
    x, y = torch.tensor(BLOG.surface.x), torch.tensor(BLOG.surface.y)
    p = torch.tensor(BLOG.start, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([p], lr=0.1, max_iter=4)
    calls = []

    def closure():
        opt.zero_grad()
        calls.append(p.detach().clone().numpy())
        loss = ((p[0] + p[1] * x - y) ** 2).mean()
        loss.backward()
        return loss
    for k in range(3):
        calls.clear()
        start = p.detach().clone().numpy()
        opt.step(closure)
        sim.seek(k + 1)
        marks = view.extras.data(0, "marks")
        np.testing.assert_allclose(marks, np.array(calls[1:]), rtol=1e-9)   # the first is θ_k
        trials = view.extras.data(0, "trials")
        np.testing.assert_allclose(trials[0], start, rtol=1e-9)            # from θ_k …
        np.testing.assert_allclose(trials[-1], p.detach().numpy(), rtol=1e-9)   # … to θ_k+1
        assert len(trials) == len(calls) + 1
    sim.seek(0)
    assert len(view.extras.data(0, "marks")) == 0                     # no update yet


def test_asgd_companion_is_the_average_of_the_points_since_t0(show_view):
    sim, view = view_of(show_view, Run(make_optimizer("asgd", lr=0.02, t0=0.0)))
    sim.seek(12)
    p = sim.trajectories[0].params
    drawn = view.extras.data(0, "companion")
    # by hand, t₀ = 0: μ_t = 1/max(1, t), so θ̄_1 = θ_1, θ̄_2 = θ_2 and θ̄_t = mean(θ_2 … θ_t)
    want = np.array([p[1], p[2]] + [p[2:t + 1].mean(axis=0) for t in range(3, 13)])
    np.testing.assert_allclose(drawn, want, rtol=1e-12)
    other, view2 = view_of(show_view, Run(make_optimizer("sgd", lr=0.02)))
    other.seek(5)
    assert len(view2.extras.data(0, "companion")) == 0              # SGD keeps no average


def test_rprop_box_is_the_step_sizes_around_the_point(show_view):
    sim, view = view_of(show_view, Run(make_optimizer("rprop", lr=0.2, etas=(0.5, 1.5))))
    g0 = BLOG.surface.value_and_grad(np.array(BLOG.start))[1]
    box = view.extras.data(0, "box")                               # step 0: η = lr
    np.testing.assert_allclose(box[0], np.array(BLOG.start) - 0.2)
    np.testing.assert_allclose(box[2], np.array(BLOG.start) + 0.2)
    sim.seek(1)
    theta1 = np.array(BLOG.start) - 0.2 * np.sign(g0)              # by hand: −η·sign(g)
    np.testing.assert_allclose(sim.trajectories[0].params[1], theta1)
    box = view.extras.data(0, "box")
    np.testing.assert_allclose(box[0], theta1 - 0.2)               # the first step keeps η
    sim.seek(2)
    g1 = BLOG.surface.value_and_grad(theta1)[1]
    eta2 = np.where(np.sign(g1) == np.sign(g0), 0.2 * 1.5, 0.2 * 0.5)
    theta2 = sim.trajectories[0].params[2]
    np.testing.assert_allclose(view.extras.data(0, "box")[2], theta2 + eta2)
    sim.update_run(0, enabled=False)
    assert len(view.extras.data(0, "box")) == 0


def test_the_gradient_arrow_of_a_clipping_run_is_clipped_and_says_so(show_view):
    c = 10.0
    sim, view = view_of(show_view, Run(make_optimizer("sgd", lr=0.05), clip_grad_norm=c))
    view.set_arrows(True, False, False)
    g0 = BLOG.surface.value_and_grad(np.array(BLOG.start))[1]
    n0 = math.hypot(*g0)
    (x0, x1), (y0, y1) = BLOG.surface.bounds
    diag = math.hypot(x1 - x0, y1 - y0)
    (row,) = view.drawn_arrows("gradient")
    # s = 0.15·diag/‖g₀‖ from the unclipped gradient; torch's clip: g·c/(‖g‖ + 1e-6)
    want = GRAD_FRACTION * diag / n0 * n0 * c / (n0 + 1e-6)
    assert math.hypot(row[2], row[3]) == pytest.approx(want, rel=1e-12)
    assert np.dot(row[2:], -g0) > 0                                # still downhill
    assert "(clipped)" in view.header.text
    # beside a run that does not clip: only the clipping one is marked
    sim.add_run(Run(make_optimizer("sgd", lr=0.05)))
    assert "✂" in view.header.text and "(clipped)" not in view.header.text
    rows = view.drawn_arrows("gradient")
    assert math.hypot(*rows[1, 2:]) == pytest.approx(GRAD_FRACTION * diag, rel=1e-12)


def test_the_3d_view_draws_them_on_the_surface(show_view, qapp):
    """On the bowl f = (x² + 4y²)/2 over [−2, 2]², scene x, y are data x/2, y/2."""
    from optiviz_gui.ui.views.surface.gl import gl_available
    if not gl_available():
        pytest.skip("no OpenGL on this Qt platform (needs xcb/wayland and a GL context)")
    from bowl import Bowl
    from optiviz_gui.ui.views.surface.view import SurfaceView

    runs = [Run(make_optimizer("rprop", lr=0.25)), Run(make_optimizer("lbfgs", lr=0.1, max_iter=3))]
    sim = Simulation(Bowl(), (1.5, 1.0), runs, 10)
    view = show_view(SurfaceView(sim), 480, 360)
    segs, marks = view.extras.data(0)                    # Rprop at step 0: (1.5, 1) ± 0.25
    corners = np.unique(np.round(segs[:, :2], 6), axis=0)
    np.testing.assert_allclose(corners, [[0.625, 0.375], [0.625, 0.625], [0.875, 0.375],
                                         [0.875, 0.625]])
    assert len(marks) == 0 and np.all(segs[:, 2] > 0)
    sim.seek(1)
    segs, marks = view.extras.data(1)
    pts, losses = sim.trajectories[1].marks_at(0)
    assert len(marks) == len(pts) > 0
    np.testing.assert_allclose(marks[:, :2], pts / 2, rtol=1e-6)
    sim.update_run(1, enabled=False)
    assert all(len(a) == 0 for a in view.extras.data(1))
