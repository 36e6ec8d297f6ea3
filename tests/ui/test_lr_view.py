"""The Learning rate tab, and the lr in the status bar and the map's legend.

Curves are checked against torch's own lr (and momentum) sequence for the same
schedule, the current marks against the current step.
"""

from __future__ import annotations

import numpy as np
import pytest

from optiviz_gui.core import session
from optiviz_gui.core.simulation import Run, Simulation
from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.ui.views.lr import LrView
from optiviz_gui.ui.window.status import status_html

torch = pytest.importorskip("torch")
BLOG = session.load(None)


def torch_groups(steps, **onecycle):
    """lr and momentum of each SGD step under torch's OneCycleLR."""
    p = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.9)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, **onecycle)
    lrs, moms = [], []
    for _ in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        moms.append(opt.param_groups[0]["momentum"])
        p.grad = torch.ones(2, dtype=torch.float64)
        opt.step()
        sched.step()
    return np.array(lrs), np.array(moms)


def scheduled_sim(steps=40):
    runs = [Run(make_optimizer("sgd", lr=0.1)),
            Run(make_optimizer("sgd", lr=0.1, momentum=0.9),
                scheduler={"name": "onecyclelr", "max_lr": 0.1, "total_steps": steps})]
    return Simulation(BLOG.surface, BLOG.start, runs, steps)


def test_the_curves_are_torchs_lr_and_momentum(qtbot, show_view):
    sim = scheduled_sim(40)
    view = show_view(LrView(sim), 500, 350)
    assert view.scheduled
    sim.seek(25)
    lrs, moms = torch_groups(40, max_lr=0.1, total_steps=40)
    x, y = view.drawn_curve(1)
    # iterations 0..25 (points that draw nothing new left out), on a log axis
    assert x[0] == 0 and x[-1] == 25 and set(x) <= set(range(26)) and len(x) > 10
    np.testing.assert_allclose(10 ** y, lrs[x.astype(int)], rtol=1e-12)
    xm, ym = view.drawn_curve(1, "momentum")
    np.testing.assert_allclose(ym, moms[xm.astype(int)], rtol=1e-12)
    # the unscheduled run: a flat line at its lr (its two ends); no momentum curve
    x0, y0 = view.drawn_curve(0)
    assert np.all(10 ** y0 == pytest.approx(0.1)) and x0.tolist() == [0, 25]
    assert len(view.drawn_curve(0, "momentum")[0]) == 0
    # the current step marked on both plots
    assert view.cursors["lr"].value() == 25
    np.testing.assert_allclose(view.current_points()[1], [25, np.log10(lrs[25])], rtol=1e-12)
    assert view.plots["momentum"].isVisible()
    assert view.plots["momentum"].getAxis("left").labelText == "momentum"
    sim.seek(40)                                  # the last step: the last update's lr
    x, y = view.drawn_curve(1)
    assert x[-1] == 39 and 10 ** y[-1] == pytest.approx(lrs[39], rel=1e-12)


def test_no_schedule_no_tab(window, qtbot):
    w = window
    i = w.tabs.indexOf(w.lr)
    assert i >= 0 and not w.tabs.isTabVisible(i)                 # the blog has no schedule
    w.sim.update_run(2, scheduler={"name": "steplr", "step_size": 10})
    assert w.tabs.isTabVisible(i)
    w.tabs.setCurrentWidget(w.lr)
    assert w.lr.isVisible() and not w.lr.plots["momentum"].isVisible()   # StepLR moves lr only
    w.sim.update_run(2, enabled=False)                            # no shown run is scheduled
    assert not w.tabs.isTabVisible(i)
    w.close_without_asking()                                      # settings keep a known tab


def test_status_bar_and_legend_show_the_current_lr(window):
    w, sim = window, window.sim
    sim.update_run(3, scheduler={"name": "exponentiallr", "gamma": 0.5})
    sim.seek(3)
    lr = 0.1 * 0.5 ** 3                                            # by hand
    assert f"lr</span> {lr:.3g}" in status_html(sim)
    assert f"lr&nbsp;{lr:.3g}" in w.contour.header.text
    assert "SGD" in status_html(sim) and status_html(sim).count("lr</span>") == 1


def test_the_lr_curve_follows_an_edit_of_the_schedule(window, qtbot):
    w, sim = window, window.sim
    sim.update_run(0, scheduler={"name": "steplr", "step_size": 5, "gamma": 0.5})
    sim.seek(12)
    assert not w.lr.isVisible() and len(w.lr.drawn_curve(0)[0]) == 0   # hidden: not drawn
    w.tabs.setCurrentWidget(w.lr)                                      # shown: catches up
    x, y = w.lr.drawn_curve(0)
    np.testing.assert_allclose(10 ** y, 0.1 * 0.5 ** (x // 5), rtol=1e-14)     # by hand
    assert {0, 4, 5, 9, 10, 12} <= set(x)                   # the stairs' corners are drawn
    sim.update_run(0, scheduler={"name": "steplr", "step_size": 3, "gamma": 0.1})
    x, y = w.lr.drawn_curve(0)
    np.testing.assert_allclose(10 ** y, 0.1 * 0.1 ** (x // 3), rtol=1e-12)
    lo, hi = w.lr.plots["lr"].getViewBox().viewRange()[1]
    assert lo <= np.log10(0.1 * 0.1 ** 4) and hi >= -1            # every point in view


def test_the_momentum_plot_takes_room_only_when_a_schedule_moves_it(qtbot, show_view):
    runs = [Run(make_optimizer("sgd", lr=0.1), scheduler={"name": "steplr", "step_size": 5})]
    sim = Simulation(BLOG.surface, BLOG.start, runs, 20)
    view = show_view(LrView(sim), 400, 300)
    qtbot.wait(20)
    total = view.graphics.ci.geometry().height()
    assert view.plots["lr"].geometry().height() > 0.8 * total      # Qt's own layout
    assert not view.plots["momentum"].isVisible()
    sim.add_run(Run(make_optimizer("sgd", lr=0.1, momentum=0.9),
                    scheduler={"name": "onecyclelr", "max_lr": 0.1, "total_steps": 20}))
    qtbot.wait(20)
    lr_h, m_h = (view.plots[k].geometry().height() for k in ("lr", "momentum"))
    assert view.plots["momentum"].isVisible() and m_h > 0.25 * total and lr_h > m_h
