"""Runs sitting on one point show as one split disc with a count (issue 13, item 3).

The blog example's four runs start at (2, 9). After one step SGD and SGD-momentum are
still together: torch.optim.SGD's momentum buffer starts as the first gradient
(b₁ = g₀), so its first step is plain SGD's; the second step (b₂ = μ b₁ + g₁) parts them.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from optiviz_gui.ui.views.contour.stacks import COUNT_OFFSET, STACK_DISC_PX, stack_groups
from optiviz_gui.ui.views.contour.view import ContourView


@pytest.fixture
def view(blog_sim, show_view, qtbot):
    v = show_view(ContourView(blog_sim), 640, 480)
    qtbot.wait(20)
    return v


def device(view, x, y) -> QtCore.QPointF:
    return QtCore.QPointF(view.graphics.mapFromScene(
        view.view_box.mapViewToScene(QtCore.QPointF(x, y))))


def rgb(img, p: QtCore.QPointF) -> np.ndarray:
    return np.array(QtGui.QColor(img.pixel(int(p.x()), int(p.y()))).getRgb()[:3])


def test_four_runs_at_the_start_are_one_disc_split_four_ways(blog_sim, view):
    colors = blog_sim.colors()
    assert view.drawn_stacks() == [(2.0, 9.0, colors)]
    np.testing.assert_array_equal(view.items.current_points(), [[2.0, 9.0]] * 4)
    # as Qt drew it: a wedge per run, clockwise from twelve o'clock, in the runs' order
    img = view.graphics.viewport().grab().toImage()
    c = device(view, 2.0, 9.0)
    r = STACK_DISC_PX / 4                       # halfway out, on each wedge's bisector
    for j, color in enumerate(colors):
        a = math.radians(90 - 45 - 90 * j)      # wedge j spans 90° − 90j … 90° − 90(j+1)
        p = c + QtCore.QPointF(r * math.cos(a), -r * math.sin(a))
        want = np.array(QtGui.QColor(color).getRgb()[:3])
        assert np.abs(rgb(img, p) - want).max() <= 12, (j, color, rgb(img, p))
    # the count's badge above the disc's right: text darker than the badge around it
    x0, ym = COUNT_OFFSET
    badge = [rgb(img, c + QtCore.QPointF(x0 + dx, ym + dy)).sum()
             for dx in range(2, 22) for dy in range(-4, 5)]
    assert min(badge) < 200 and max(badge) > 700          # dark text on a light badge


def test_after_one_step_the_two_sgd_runs_are_still_stacked(blog_sim, view):
    blog_sim.seek(1)
    sgd = blog_sim.trajectories[0].params[1]
    np.testing.assert_array_equal(blog_sim.trajectories[1].params[1], sgd)   # b₁ = g₀
    colors = blog_sim.colors()
    assert view.drawn_stacks() == [(sgd[0], sgd[1], colors[:2])]
    blog_sim.seek(2)
    assert view.drawn_stacks() == []                        # b₂ = μ b₁ + g₁ parts them
    assert len(view.items.current_points()) == 4
    blog_sim.seek(0)
    assert [len(c) for _, _, c in view.drawn_stacks()] == [4]


def test_a_run_switched_off_leaves_the_stack(blog_sim, view):
    blog_sim.update_run(2, enabled=False)
    colors = blog_sim.colors()
    assert view.drawn_stacks() == [(2.0, 9.0, [colors[0], colors[1], colors[3]])]


def test_points_within_a_pixel_of_another_are_stacked():
    """Pixels 0.5 × 2 data units: points linked pairwise within a pixel form a group."""
    pixel = (0.5, 2.0)
    pts = np.array([[0.0, 0.0],
                    [0.3, 0.0],            # 0.6 px from the first
                    [0.6, 0.0],            # 0.6 px from the second, 1.2 from the first
                    [0.0, 6.0],            # 3 px up: not with them
                    [np.nan, np.nan],      # not drawn: alone
                    [0.0, 7.9]])           # 0.95 px over the fourth
    assert stack_groups(pts, pixel) == [[0, 1, 2], [3, 5], [4]]
    assert stack_groups(np.zeros((0, 2)), pixel) == []
