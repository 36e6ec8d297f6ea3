"""Long recomputations in the window: the edit returns at once, the runs fill in, the bar shows.

The facts: the trajectories the window ends with are those of the same session computed
at once (core), and the views draw every computed step (their path's last point is the
trajectory's)."""

from __future__ import annotations

import numpy as np

from optiviz_gui.core import session
from optiviz_gui.core.filling import QUICK


def test_a_long_run_fills_in_and_the_views_follow(make_window, qtbot):
    sim = session.load(None)
    sim.set_steps(40 * QUICK)
    w = make_window(sim)
    w.playback.seek_requested.emit(sim.steps)          # the slider dragged to the end
    assert sim.step == sim.steps
    qtbot.waitUntil(lambda: not sim.computing, timeout=60_000)
    qtbot.wait(3 * 40)                                 # the timer's last pass
    alone = session.load(None)
    alone.set_steps(sim.steps)
    alone.seek(sim.steps)
    for i, (a, b) in enumerate(zip(alone.trajectories, sim.trajectories)):
        np.testing.assert_array_equal(a.params, b.params)
        # what is drawn is the run's own points (thinned to the screen), to its end
        x, y = w.contour.drawn_path(i)
        rows = {tuple(r) for r in b.params.tolist()}
        assert all((u, v) in rows for u, v in zip(x.tolist(), y.tolist()))
    current = {tuple(p) for p in w.contour.items.current_points().tolist()}
    assert current == {tuple(t.params[-1]) for t in sim.trajectories}
    assert not w.progress.isVisible()


def test_the_progress_bar_shows_only_after_a_moment(make_window, qtbot, monkeypatch):
    w = make_window()
    w.show_progress(0.1)
    assert not w.progress.isVisible()                  # a short recomputation: no flicker
    monkeypatch.setattr(w, "_computing_since", w._computing_since - 1.0)
    w.show_progress(0.4)
    assert w.progress.isVisible() and w.progress.value() == 400
    w.show_progress(None)
    assert not w.progress.isVisible()
