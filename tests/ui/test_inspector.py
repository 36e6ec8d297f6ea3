"""The inspector shows the selected run's numbers at the current step, against the
trajectory, a hand computation of Adam's first step and torch's state names."""

from __future__ import annotations

import numpy as np
import pytest

from optiviz_gui.ui.views.inspector import cells, fmt


def _num(text: str) -> float:
    return float(text)


def test_follows_the_selected_run_and_the_step(window, qtbot):
    w = window
    w.inspector_dock.raise_()
    qtbot.waitUntil(w.inspector.isVisible)
    w.controls.runs.list.setCurrentRow(3)                  # Adam, lr 0.1
    assert w.inspector.run == 3
    assert w.inspector.picker.currentText() == "Adam"
    w.sim.seek(1)
    t = w.sim.trajectories[3]
    rows = w.inspector.values()
    assert _num(rows["θ"][0]) == pytest.approx(t.params[1][0], rel=1e-4)
    assert _num(rows["loss"][0]) == pytest.approx(t.loss[1], rel=1e-4)
    # after one Adam update: bias corrections 1 − 0.9 and 1 − 0.999, by hand
    assert _num(rows["bias_correction1"][0]) == pytest.approx(0.1, rel=1e-4)
    assert _num(rows["bias_correction2"][0]) == pytest.approx(0.001, rel=1e-4)
    # exp_avg after one step is (1 − β₁)·g₀, g₀ the gradient at the start
    g0 = t.grad[0]
    assert [_num(c) for c in rows["exp_avg"]] == pytest.approx(list(0.1 * g0), rel=1e-4)
    assert {"exp_avg", "exp_avg_sq", "step"} <= set(rows)
    assert "max_exp_avg_sq" not in rows                      # torch keeps it with amsgrad only
    assert "moving average of gradients" in w.inspector.tooltip("exp_avg")
    # the plot: |Δ ÷ g| of update 0 on each axis
    x, y = w.inspector.curves[0].getData()
    d0 = t.params[1] - t.params[0]
    assert len(x) == 1 and 10 ** y[0] == pytest.approx(abs(d0[0] / g0[0]), rel=1e-6)

    w.sim.seek(5)
    assert _num(w.inspector.values()["step"][0]) == 5
    w.controls.runs.list.setCurrentRow(0)                    # SGD: Δ ÷ g = −lr on each axis
    rows = w.inspector.values()
    assert [_num(c) for c in rows["effective step"]] == pytest.approx([-0.1, -0.1], rel=1e-4)
    assert "momentum_buffer" not in rows


def test_the_picker_selects_the_run_in_the_list(window, qtbot):
    w = window
    w.inspector_dock.raise_()
    qtbot.waitUntil(w.inspector.isVisible)
    w.inspector.picker.activated.emit(2)
    assert w.controls.runs.current() == 2
    assert w.inspector.run == 2


def test_behind_the_controls_tab_it_waits_and_catches_up(window, qtbot):
    """A dock tabbed behind Controls is still isVisible() to Qt (it is moved off-screen):
    the inspector follows QDockWidget.visibilityChanged instead, and shows the step it
    missed as soon as its tab comes forward."""
    w = window
    w.controls.runs.list.setCurrentRow(3)
    w.inspector_dock.raise_()
    qtbot.waitUntil(lambda: w.inspector.values().get("step") is not None)
    w.dock.raise_()                                           # Controls in front again
    qtbot.waitUntil(lambda: w.inspector.visibleRegion().isEmpty())
    before = w.inspector.values()["step"][0]
    w.sim.seek(7)
    assert w.inspector.values()["step"][0] == before          # not drawn while unseen
    w.inspector_dock.raise_()
    qtbot.waitUntil(lambda: w.inspector.values()["step"][0] == "7")


def test_cells_format():
    assert cells(np.array([1.0, -2.5])) == ("1", "-2.5")
    assert cells(3) == ("3", "")
    assert cells(None) == ("—", "")
    assert cells((1, 2, 3)) == ("3 kept", "")
    assert cells(np.array([3.0, 4.0, 0.0]))[0] == "‖·‖ 5"
    assert fmt(float("nan")) == "nan"
