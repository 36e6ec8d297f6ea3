"""Frames drawn incrementally are the pictures Qt paints in one pass, pixel for pixel.

The reference is ``view_render.render_layout``: QGraphicsScene.render of the
whole view at the same size, nothing cached. The incremental renderer keeps
its buffer between frames and repaints only rectangles, so every step of a
sequence (forwards, backwards, a legend that wraps, arrows, a run switched
off) is compared with that reference exactly.
"""

import numpy as np
import pytest

from optiviz_gui.core import session
from optiviz_gui.core.simulation import Simulation
from optiviz_gui.ui.render.incremental import merge_rects
from optiviz_gui.ui.render.frames import ViewFrames, qimage_to_array, settle_layout
from optiviz_gui.ui.views.scene import render_layout

SIZE = (640, 400)


@pytest.fixture
def blog():
    sim = session.load(None)
    return Simulation(sim.surface, sim.start, sim.runs, 40)


def one_pass(view, size=SIZE):
    img = render_layout(view.graphics, view.background_color(), *size, view.redraw)
    return qimage_to_array(img)[:, :, :3]


def check_sequence(source, steps, change=None):
    """Each step's incremental picture against a one-pass render of the same state."""
    view, _, inc = source._parts[0]
    source.frame(0)
    for n, k in enumerate(steps):
        if change is not None and n == len(steps) // 2:
            change(view, source.sim)
        source.sim.seek(k)
        settle_layout(view)
        inc.render()
        got = inc.rgbx()[:, :, :3]
        want = one_pass(view)
        bad = np.any(got != want, axis=2)
        assert not bad.any(), f"step {k}: {bad.sum()} pixels differ, first at {np.argwhere(bad)[0]}"


def test_steps_forwards_and_backwards(qapp, blog):
    with ViewFrames(blog, "contour", SIZE) as src:
        check_sequence(src, [1, 2, 3, 7, 12, 25, 40, 39, 5, 0, 6])


def test_arrows_and_a_run_switched_off(qapp, blog):
    def change(view, sim):
        view.set_arrows(True, True, True)
        sim.update_run(1, enabled=False)

    with ViewFrames(blog, "contour", SIZE) as src:
        check_sequence(src, [1, 2, 4, 8, 9, 10, 11, 30, 2], change)


def test_a_legend_that_wraps_at_the_export_size(qapp):
    """Blog example at 2000×1125: the legend gains a line at step 62, loses it going back."""
    sim = session.load(None)
    with ViewFrames(sim, "contour", (2000, 1125)) as src:
        view, _, inc = src._parts[0]
        src.frame(60)
        for k in (61, 62, 63, 61):
            sim.seek(k)
            settle_layout(view)
            inc.render()
            assert np.array_equal(inc.rgbx()[:, :, :3], one_pass(view, (2000, 1125))), k
        assert inc.background_renders <= 3


def test_patches_turn_each_frame_into_the_next(qapp, blog):
    """Frame 0 with every later frame's patches applied in turn is that frame."""
    with ViewFrames(blog, "contour", SIZE) as src:
        view, _, _ = src._parts[0]
        picture = src.frame(0).copy()
        for k in (1, 2, 3, 10, 40, 20):
            for x, y, a in src.patches(k):
                picture[y:y + a.shape[0], x:x + a.shape[1]] = a
            assert np.array_equal(picture[:, :, :3], one_pass(view)), f"step {k}"


def test_a_step_that_changes_nothing_has_no_patches(qapp, blog):
    with ViewFrames(blog, "contour", SIZE) as src:
        src.frame(5)
        assert src.patches(5) == []


def test_merged_rectangles_are_disjoint_and_cover_the_input():
    rects = [(5.5, 5.5, 20, 20), (18, 18, 40, 30), (100, 100, 120, 110), (-10, 290, 30, 330)]
    out = merge_rects(rects, (200, 300), gap=4)
    for a in out:
        assert 0 <= a[0] < a[2] <= 200 and 0 <= a[1] < a[3] <= 300
        for b in out:
            if a is not b:
                assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
    for x0, y0, x1, y1 in rects:                  # every input pixel inside the frame is covered
        for px in range(max(0, int(x0)), min(200, int(np.ceil(x1)))):
            for py in range(max(0, int(y0)), min(300, int(np.ceil(y1))), 7):
                assert any(a[0] <= px < a[2] and a[1] <= py < a[3] for a in out)
