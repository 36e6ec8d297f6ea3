"""The map's legend keeps its place while statuses come and go, and says the same
as the status bar, in the same colours."""

from __future__ import annotations

from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.simulation import Run, Simulation
from optiviz_gui.core.surfaces import make_surface
from optiviz_gui.ui.style.palette import error_color


def _plot_rect(w):
    return w.contour.view_box.sceneBoundingRect()


def test_the_plot_does_not_move_when_a_status_appears(make_window, qtbot):
    for size in ((1440, 900), (1000, 700)):
        w = make_window()
        w.resize(*size)
        qtbot.wait(50)
        w.sim.seek(87)
        qtbot.wait(20)
        before = _plot_rect(w)
        assert "converged" not in w.contour.header.text.split("SGD-momentum")[0]
        w.sim.seek(88)                         # SGD converges at 88 (the status bar says so)
        qtbot.wait(20)
        assert "converged at 88" in w.status.text()
        assert "converged at 88" in w.contour.header.text
        assert _plot_rect(w) == before, size
        w.sim.seek(3)                          # every status gone, losses of other widths
        qtbot.wait(20)
        assert _plot_rect(w) == before, size


def test_diverged_reads_the_same_and_red_in_legend_and_status_bar(make_window):
    s = make_surface({"kind": "rosenbrock"}, ".")
    sim = Simulation(s, (-1.5, 2.5), [Run(make_optimizer("sgd", lr=0.1), label="too fast"),
                                      Run(make_optimizer("sgd", lr=1e-4), label="slow")], 20)
    w = make_window(sim)
    sim.seek(20)
    t = sim.trajectories[0]
    text = t.status_text(20)
    assert text.startswith("diverged at ")
    red = error_color("light")
    assert f"color:{red}" in w.contour.header.text.replace(" ", "")
    assert f"color:{red}'>{text}" in w.status.text()
    assert text in w.contour.header.text
    w.set_theme("dark")
    assert f"color:{error_color('dark')}" in w.contour.header.text.replace(" ", "")
