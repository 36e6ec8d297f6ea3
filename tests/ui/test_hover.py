"""Hover readouts: the map's cursor point and loss against the surface's own value,
a path point's step, loss and gradient; the loss pane's iteration and every loss."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore


def _move(view_widget, scene_pos):
    """The scene's mouse-move signal, at a scene point (what the mouse would send)."""
    view_widget.graphics.scene().sigMouseMoved.emit(scene_pos)


def test_the_map_reads_the_cursor_and_a_path_point(window, qtbot):
    w = window
    w.sim.seek(10)
    vb = w.contour.view_box
    x, y = -4.0, 6.0                                       # open ground, no path near
    _move(w.contour, vb.mapViewToScene(QtCore.QPointF(x, y)))
    qtbot.waitUntil(lambda: "loss" in w.status.text())
    text = w.status.text()
    px, py = vb.viewPixelSize()
    a, b = (float(s.split("= ")[1]) for s in text.split(":")[0].split(", "))
    assert abs(a - x) <= px and abs(b - y) <= py
    f = float(w.sim.surface.value(np.array([a, b])))
    assert float(text.split("loss ")[1].split()[0]) == pytest.approx(f, rel=1e-3)
    assert "step" not in text
    # on SGD's point after 3 updates: its step, loss and gradient
    t = w.sim.trajectories[0]
    _move(w.contour, vb.mapViewToScene(QtCore.QPointF(*t.params[3])))
    qtbot.waitUntil(lambda: "SGD" in w.status.text())
    text = w.status.text()
    run, k = text.split("·")[-1].split(":")[0].split(" step ")
    hit = int(k)
    assert run.strip().startswith("SGD")
    i = w.sim.labels().index(run.strip())
    p = w.sim.trajectories[i].params[hit]
    assert np.hypot(*((p - t.params[3]) / (px, py))) <= 8
    assert f"loss {float(w.sim.trajectories[i].loss[hit]):.4g}" in text
    # the mouse leaves: the step and losses are back
    w.show_hover("")
    assert "Step 10 / 100" in w.status.text()


def test_the_loss_pane_reads_every_run_at_the_iteration(window, qtbot):
    w = window
    w.tabs.setCurrentIndex(0)
    w.sim.seek(50)
    vb = w.loss.plot.getViewBox()
    qtbot.waitUntil(lambda: vb.width() > 50)
    _move(w.loss, vb.mapViewToScene(QtCore.QPointF(20.2, vb.viewRange()[1][0] + 0.1)))
    qtbot.waitUntil(lambda: "iteration" in w.status.text())
    text = w.status.text()
    assert text.startswith("iteration 20:")
    for label, t in zip(w.sim.labels(), w.sim.trajectories):
        assert f"{label} {float(t.loss[20]):.4g}" in text
    assert w.loss.hover_line.isVisible() and w.loss.hover_line.value() == 20
