"""The 3-D view's axis labels: both axes' end values readable, no two labels overlapping.

The x-axis' and y-axis' end labels meet at the floor corner nearest the camera;
the reviewer saw them run together ("-1212" on the blog example, "-5.125.12" on
Rastrigin, "4.5-4.5" on Beale, "-1010" on Booth). These tests check the boxes the
labels are drawn in (and that the drawn text stays inside them) from every side.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from optiviz_gui.core import session
from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.simulation import Run, Simulation
from optiviz_gui.core.surfaces.factory import make_surface
from optiviz_gui.ui.views.surface.gl import gl_available
from optiviz_gui.ui.views.surface.labels import axis_labels, layout

# (session or built-in, the end texts meeting at the reviewer's corner)
CASES = [(None, ("-12", "12")), ("rastrigin", ("-5.12", "5.12")),
         ("beale", ("4.5", "-4.5")), ("booth", ("-10", "10"))]


def _sim(kind):
    if kind is None:
        return session.load(None)            # the blog example
    return Simulation(make_surface({"kind": kind}, Path(".")), (1.0, 1.0),
                      [Run(make_optimizer("sgd", lr=0.01))], steps=5)


def _disjoint(rects):
    return not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:])


@pytest.fixture
def surface_view(show_view, qapp):
    if not gl_available():
        pytest.skip("no OpenGL on this Qt platform (needs xcb/wayland and a GL context)")
    from optiviz_gui.ui.views.surface.view import SurfaceView

    return lambda sim, w=480, h=360: show_view(SurfaceView(sim), w, h)


def test_corner_ends_with_the_same_anchor_are_put_side_by_side(qapp):
    """Pure layout: whatever the projection, the two corner ends never share pixels
    and stay at least half a line apart."""
    metrics = QtGui.QFontMetricsF(QtGui.QFont())
    labels = axis_labels(((-12, 8), (-8, 12)), ("intercept a", "slope b"), 150.0)
    corner = [lab.text for lab in labels if lab.corner]
    assert sorted(corner) == ["-12", "12"]
    # both corner anchors (x = -1, y = 1 and x = -1.12, y = 1) projected to one pixel
    placed = layout(labels, lambda x, y, z: (100.0, 100.0) if x < -0.99 and y > 0.99
                    else (100 + 300 * x, 100 + 300 * y), metrics)
    assert len(placed) == 6
    by_text = {p.text: p.rect for p in placed}
    a, b = sorted((by_text["-12"], by_text["12"]), key=lambda r: r.left())
    assert b.left() - a.right() >= metrics.height() / 2 - 1e-9


@pytest.mark.parametrize("size", [(347, 444), (480, 360)])      # the app's pane; the tests'
@pytest.mark.parametrize("kind, corner", CASES)
def test_home_view_shows_every_label_and_the_corner_ends_apart(surface_view, kind, corner, size):
    view = surface_view(_sim(kind), *size)
    placed = view.label_layout(view.width(), view.height())
    texts = [p.text for p in placed]
    s = view.sim.surface
    assert len(placed) == 6 and set(s.axis_labels) <= set(texts)
    assert _disjoint([p.rect for p in placed])
    # the two ends at the corner nearest the camera are separate words with a clear gap
    ends = sorted((p for p in placed if p.corner), key=lambda p: p.rect.left())
    assert sorted(p.text for p in ends) == sorted(corner)
    rects = [p.rect for p in ends]
    space = QtGui.QFontMetricsF(view.font()).horizontalAdvance(" ")
    assert len(rects) == 2 and rects[1].left() - rects[0].right() >= space


@pytest.mark.parametrize("kind", [None, "rastrigin"])
def test_no_labels_overlap_from_any_side(surface_view, kind):
    view = surface_view(_sim(kind))
    for w, h in ((480, 360), (220, 160), (120, 90)):
        for elevation in (3, 30, 60, 89):
            for azimuth in range(0, 360, 15):
                view.setCameraPosition(elevation=elevation, azimuth=azimuth)
                for s in (1.0, 2.0):
                    rects = [p.rect for p in view.label_layout(w, h, s)]
                    assert _disjoint(rects), (w, h, elevation, azimuth, s)


@pytest.mark.parametrize("kind, corner", CASES[:2])
def test_drawn_text_stays_in_its_boxes(surface_view, kind, corner):
    """The picture's label ink lies inside the laid-out boxes (so disjoint boxes mean
    no overlapping text) and every box holds ink."""
    view = surface_view(_sim(kind))
    w, h = view.width(), view.height()
    img = view._labels_image(w, h).convertToFormat(QtGui.QImage.Format.Format_RGBA8888)
    alpha = np.frombuffer(img.constBits(), np.uint8).reshape(h, w, 4)[:, :, 3]
    inside = np.zeros((h, w), dtype=bool)
    for p in view.label_layout(w, h):
        r = p.rect.adjusted(-1, -1, 1, 1).toAlignedRect() & QtCore.QRect(0, 0, w, h)
        box = (slice(r.top(), r.bottom() + 1), slice(r.left(), r.right() + 1))
        assert alpha[box].max() > 128, p.text
        inside[box] = True
    assert alpha[~inside].max(initial=0) == 0


def test_a_label_that_would_overlap_is_left_out(qapp):
    """Every anchor on one pixel (a view too small to hold them): only the two corner
    ends, side by side, are drawn; the far ends and the names would cover them."""
    metrics = QtGui.QFontMetricsF(QtGui.QFont())
    labels = axis_labels(((-5.12, 5.12), (-5.12, 5.12)), ("x", "y"), 30.0)
    placed = layout(labels, lambda x, y, z: (50.0, 50.0), metrics)
    assert [p.corner for p in placed] == [True, True]
    assert _disjoint([p.rect for p in placed])
