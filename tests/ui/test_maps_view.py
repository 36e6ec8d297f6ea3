"""The Maps view: colours per outcome, hover values, clicks, cancel, recomputing, overlay.

Outside facts: on f = x² + 10y² plain gradient descent diverges exactly for
lr > 2/20 (the largest curvature is 20) and heavy-ball momentum μ for
lr > 2(1 + μ)/20; Himmelblau's four minima; a lone ``Trajectory`` per cell.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore
from PySide6.QtCore import QPoint, Qt

from optiviz_gui.core import maps, session
from optiviz_gui.core.maps import CONVERGED, DIVERGED, INVALID, RUNNING
from optiviz_gui.core.trajectory import Trajectory
from optiviz_gui.ui.style.theme import get_theme, hex_rgb
from optiviz_gui.ui.views.maps import MapView
from optiviz_gui.ui.views.maps import colors
from optiviz_gui.ui.views.maps.describe import cell_text
from optiviz_gui.ui.views.maps.options import MapOptions

QUADRATIC = {"kind": "expression", "expr": "x**2 + 10*y**2", "bounds": [[-2, 2], [-2, 2]]}
HIMMELBLAU_MINIMA = np.array([[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186],
                              [3.584428, -1.848126]])


def sim_of(surface=QUADRATIC, optimizers=({"name": "sgd", "lr": 0.05},), start=(1.5, 1.0),
           steps=60):
    return session.from_dict({"format": "optiviz-session", "version": 1, "surface": surface,
                              "start": list(start), "steps": steps, "optimizers": list(optimizers)})


def rgb(color):
    return tuple(hex_rgb(color))


@pytest.fixture
def map_view(show_view, qtbot):
    def make(sim, options, size=(700, 600)):
        view = MapView(sim)
        view.options = options
        show_view(view, *size)
        qtbot.waitUntil(lambda: view.complete, timeout=20000)
        return view
    return make


def view_point(view, i, j) -> QPoint:
    """Where cell (i, j)'s centre is on the canvas's viewport."""
    c = view.canvas
    x, y = c.cell_center(i, j)
    p = c.graphics.mapFromScene(c.view_box.mapViewToScene(QtCore.QPointF(x, y)))
    return QPoint(p.x(), p.y())


def hover(widget, pos: QPoint) -> None:
    """A mouse move to ``pos``, as the window system delivers it to ``widget``."""
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication
    local = QtCore.QPointF(pos)
    event = QMouseEvent(QtCore.QEvent.Type.MouseMove, local,
                        QtCore.QPointF(widget.mapToGlobal(pos)), Qt.NoButton, Qt.NoButton,
                        Qt.NoModifier)
    QApplication.sendEvent(widget, event)


# ------------------------------------------------------------------- colours
def test_outcome_colours_follow_the_stability_boundary_of_gradient_descent():
    sim = sim_of()
    spec = maps.hyper_map(sim.surface, sim.runs[0], sim.start, 200, 40, lr=(0.01, 1.0))
    result = maps.compute(spec)
    pic = colors.paint(result, "outcome", get_theme("light"))
    lr = spec.u
    outside, inside = lr > 0.1 * 1.05, lr < 0.1 / 1.05       # clearly beyond / within 2/20
    assert (result.status[outside, 0] == DIVERGED).all()
    assert (result.status[inside, 0] != DIVERGED).all()
    assert {tuple(c) for c in pic.rgba[outside, 0, :3]} == {rgb(colors.DIVERGED_COLOR)}
    for code, color in ((CONVERGED, colors.CONVERGED_COLOR), (RUNNING, colors.RUNNING_COLOR)):
        cells = result.status[:, 0] == code
        assert cells[inside].any()
        assert {tuple(c) for c in pic.rgba[cells, 0, :3]} == {rgb(color)}
    names = [e.name for e in pic.legend]
    assert names == ["converged", "diverged", "still running"]


def test_momentum_boundary_and_invalid_cells_on_the_lr_momentum_map():
    sim = sim_of(optimizers=({"name": "sgd", "lr": 0.05, "momentum": 0.5},))
    # Nesterov needs momentum > 0: the momentum-0 column is one torch refuses
    run = sim.runs[0]
    nesterov = type(run)(run.optimizer.replace(nesterov=True))
    spec = maps.hyper_map(sim.surface, nesterov, sim.start, 300, (24, 5), lr=(0.01, 1.0),
                          key="momentum", values=(0.0, 0.8))
    result = maps.compute(spec)
    pic = colors.paint(result, "outcome", get_theme("dark"))
    assert (result.status[:, 0] == INVALID).all()
    invalid = rgb(colors.NEUTRAL["dark"][1])
    assert {tuple(c) for c in pic.rgba[:, 0, :3]} == {invalid}
    assert pic.legend[-1].text == "invalid: 24"
    plain = maps.hyper_map(sim.surface, run, sim.start, 300, (24, 5), lr=(0.01, 1.0),
                           key="momentum", values=(0.0, 0.8))
    out = maps.compute(plain)
    for j, mu in enumerate(plain.v):
        edge = 2 * (1 + mu) / 20
        assert (out.status[plain.u > edge * 1.05, j] == DIVERGED).all()
        assert (out.status[plain.u < edge / 1.05, j] != DIVERGED).all()


def test_which_minimum_colours_each_converged_start_by_its_nearest_minimum():
    sim = sim_of({"kind": "himmelblau"}, ({"name": "sgd", "lr": 0.01},), (0.0, 0.0), 400)
    spec = maps.start_map(sim.surface, sim.runs[0], 400, 12)
    result = maps.compute(spec)
    pic = colors.paint(result, "minimum", get_theme("light"))
    done = result.status == CONVERGED
    assert done.sum() > 100
    ends = np.stack([result.x[done], result.y[done]], axis=1)
    nearest = np.argmin(np.linalg.norm(ends[:, None] - HIMMELBLAU_MINIMA[None], axis=2), axis=1)
    want = np.array([rgb(colors.MINIMUM_COLORS[k]) for k in nearest])
    np.testing.assert_array_equal(pic.rgba[done][:, :3], want)
    assert len({tuple(c) for c in want}) == 4                # every basin shows


def test_loss_and_steps_colours_run_along_their_colour_maps():
    sim = sim_of()
    spec = maps.start_map(sim.surface, sim.runs[0], 60, 9)
    result = maps.compute(spec)
    loss = colors.paint(result, "loss", get_theme("light"))
    lut = colors.lookup_table("cividis")
    low, high = np.unravel_index(np.argmin(result.loss), result.loss.shape), \
        np.unravel_index(np.argmax(result.loss), result.loss.shape)
    np.testing.assert_array_equal(loss.rgba[low], lut[0])    # the lowest loss: the low end
    np.testing.assert_array_equal(loss.rgba[high], lut[-1])
    assert loss.bar is not None and loss.bar.cmap == "cividis"
    steps = colors.paint(result, "steps", get_theme("light"))
    lut = colors.lookup_table("viridis")
    done = result.status == CONVERGED
    index = np.round(result.step[done] / 60 * 255).astype(int)
    np.testing.assert_array_equal(steps.rgba[done], lut[index])


# ------------------------------------------------------------- hover, click
def test_hover_shows_the_cells_own_values(map_view, qtbot):
    sim = sim_of(steps=300)
    view = map_view(sim, MapOptions(kind="start", grid=8))
    for i, j in ((1, 2), (6, 5)):
        hover(view.canvas.graphics.viewport(), view_point(view, i, j))
        expected = cell_text(view.spec, view.result, i, j)
        qtbot.waitUntil(lambda: view.hover_text() == expected, timeout=3000)
        t = Trajectory(sim.surface, sim.runs[0], (view.spec.u[i], view.spec.v[j]))
        t.extend(sim.steps)
        converged = t.converged_at()
        assert view.result.step[i, j] == converged
        assert f"converged at step {converged}" in view.hover_text()


def test_clicking_a_start_cell_moves_the_start_there(map_view, qtbot):
    sim = sim_of()
    view = map_view(sim, MapOptions(kind="start", grid=8))
    moved = []
    view.start_requested.connect(lambda x, y: moved.append((x, y)))
    qtbot.mouseClick(view.canvas.graphics.viewport(), Qt.LeftButton, pos=view_point(view, 2, 6))
    assert moved == [(view.spec.u[2], view.spec.v[6])]


def test_clicking_a_hyper_cell_sets_lr_and_momentum_or_adds_a_copy(make_window, qtbot):
    w = make_window(sim_of(optimizers=({"name": "sgd", "lr": 0.05, "momentum": 0.5},)))
    view = w.maps
    w.tabs.setCurrentWidget(w.maps_tab)
    view.set_options(MapOptions(kind="hyper", key="momentum", lr=(0.01, 0.3), values=(0.0, 0.9),
                                grid=6))
    qtbot.waitUntil(lambda: view.complete, timeout=20000)
    generation = view.worker.generation
    qtbot.mouseClick(view.canvas.graphics.viewport(), Qt.LeftButton, pos=view_point(view, 4, 2))
    opt = w.sim.runs[0].optimizer
    assert (opt.lr, opt.momentum) == (view.spec.u[4], view.spec.v[2])
    qtbot.wait(400)                                   # past the debounce
    assert view.worker.generation == generation       # the cells did not change: no new map
    qtbot.mouseClick(view.canvas.graphics.viewport(), Qt.RightButton, pos=view_point(view, 1, 5))
    from PySide6.QtWidgets import QApplication
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None, timeout=3000)
    menu = QApplication.activePopupWidget()
    assert [a.text() for a in menu.actions()][1].startswith("Add a copy of SGD with lr")
    menu.actions()[1].trigger()
    menu.close()
    assert len(w.sim.runs) == 2
    copy = w.sim.runs[1].optimizer
    assert (copy.lr, copy.momentum) == (view.spec.u[1], view.spec.v[5])
    assert w.sim.runs[0].optimizer == opt             # the run itself stayed


# ---------------------------------------------------------- cancel, triggers
def test_a_cancelled_map_leaves_the_model_unchanged(show_view, qtbot):
    sim = sim_of(steps=50)
    sim.seek(50)
    before = session.to_dict(sim)
    paths = [t.params.copy() for t in sim.trajectories]
    view = MapView(sim)
    view.options = MapOptions(kind="start", grid=512)
    sim.set_steps(4000)                      # a map of 10⁹ point-steps: it will not finish
    show_view(view, 500, 400)
    qtbot.waitUntil(lambda: view.worker.busy, timeout=5000)
    view.cancel_button.click()
    assert view.worker.wait(5.0)
    assert not view.complete and "Cancelled" in view.hover_text()
    sim.set_steps(50)
    assert session.to_dict(sim) == before
    for p, t in zip(paths, sim.trajectories):
        np.testing.assert_array_equal(p, t.params)


def test_maps_recompute_for_what_they_depend_on_only(map_view, qtbot):
    sim = sim_of()
    view = map_view(sim, MapOptions(kind="start", grid=6))
    g = view.worker.generation
    sim.seek(30)                                   # playback: nothing
    view.set_options(view.options.but(scheme="loss"))     # colours: nothing
    sim.update_run(0, label="renamed")
    qtbot.wait(400)
    assert view.worker.generation == g
    sim.set_start((0.5, 0.5))                      # a start map does not depend on the start
    qtbot.wait(400)
    assert view.worker.generation == g
    sim.set_steps(70)
    qtbot.waitUntil(lambda: view.worker.generation == g + 1 and view.complete, timeout=20000)
    assert view.spec.steps == 70
    sim.update_run(0, optimizer=sim.runs[0].optimizer.replace(lr=0.02))
    qtbot.waitUntil(lambda: view.worker.generation == g + 2 and view.complete, timeout=20000)


def test_a_drag_of_the_start_computes_one_hyper_map_after_it(map_view, qtbot):
    sim = sim_of()
    view = map_view(sim, MapOptions(kind="hyper", lr=(0.01, 1.0), grid=16))
    g = view.worker.generation
    for k in range(10):
        sim.set_start((1.5 - 0.1 * k, 1.0))
    qtbot.waitUntil(lambda: view.worker.generation > g and view.complete, timeout=20000)
    qtbot.wait(400)
    assert view.worker.generation == g + 1
    assert view.spec.start == (0.6, 1.0) or view.spec.start == pytest.approx((0.6, 1.0))


def test_a_hidden_maps_tab_computes_nothing(window, qtbot):
    qtbot.wait(300)
    assert window.maps.worker.generation == 0
    window.tabs.setCurrentWidget(window.maps_tab)
    qtbot.waitUntil(lambda: window.maps.complete, timeout=20000)
    assert window.maps.worker.generation == 1


# ------------------------------------------------------ overlay, full size
def test_the_basin_overlay_lays_the_start_map_under_the_contour(make_window, qtbot):
    w = make_window(sim_of({"kind": "himmelblau"}, ({"name": "sgd", "lr": 0.01},), (0.0, 0.0)))
    w.maps.options = MapOptions(kind="start", grid=10, scheme="minimum")
    w.menu_actions["basin_overlay"].setChecked(True)       # computed with the tab hidden
    qtbot.waitUntil(lambda: w.maps.complete and w.basin_overlay.shown, timeout=20000)
    image = w.basin_overlay.image
    np.testing.assert_array_equal(image.image, w.maps.picture.rgba)
    rect = image.mapRectToParent(image.boundingRect())
    (x0, x1), (y0, y1) = w.sim.surface.bounds
    du = (x1 - x0) / 9
    assert rect.left() == pytest.approx(x0 - du / 2) and rect.right() == pytest.approx(x1 + du / 2)
    w.maps.set_options(MapOptions(kind="hyper", lr=(0.001, 0.1), grid=8))
    qtbot.waitUntil(lambda: w.maps.complete and w.maps.spec.kind == "hyper", timeout=20000)
    assert not w.basin_overlay.shown                       # a hyper map is no basin


def test_full_size_mode_and_back(window, qtbot):
    window.menu_actions["maps_full"].setChecked(True)
    assert window.maps_stack.currentIndex() == 1 and window.maps.isVisible()
    assert not window.contour.isVisible()
    assert window.maps.bar.full.isChecked()
    window.maps.bar.full.click()                           # the ⤢ button returns
    assert window.maps_stack.currentIndex() == 0 and window.contour.isVisible()
    assert window.tabs.currentWidget() is window.maps_tab
    assert not window.menu_actions["maps_full"].isChecked()


def test_with_no_run_the_map_says_so_and_comes_back_with_one(map_view, qtbot):
    sim = sim_of()
    view = map_view(sim, MapOptions(kind="start", grid=6))
    run = sim.runs[0]
    sim.remove_run(0)
    qtbot.waitUntil(lambda: "no run to map" in view.hover_text(), timeout=5000)
    assert view.bar.run.count() == 0 and view.spec is None
    sim.add_run(run)
    qtbot.waitUntil(lambda: view.complete, timeout=20000)
    assert view.bar.run.count() == 1


def test_the_coarse_grid_is_drawn_first_and_covers_the_whole_map(show_view, qtbot):
    sim = sim_of(steps=300)
    view = MapView(sim)
    view.options = MapOptions(kind="start", grid=128)
    seen = []
    view.worker.updated.connect(lambda _g, r: seen.append((r, view.canvas.image.image.copy())))
    show_view(view, 500, 400)
    qtbot.waitUntil(lambda: view.complete, timeout=30000)
    first, drawn = seen[0]
    assert 0 < first.done.sum() < 128 * 128                  # drawn before the map was done
    s = next(s for s in (1, 2, 4, 8, 16) if first.done[::s, ::s].all())   # finest sub-grid done
    assert s > 1
    i, j = np.nonzero(~first.done)                           # each cell not run yet shows
    np.testing.assert_array_equal(drawn[i, j], drawn[i // s * s, j // s * s])   # its coarse cell


def test_a_start_cell_clicked_in_the_window_moves_the_models_start(make_window, qtbot):
    w = make_window(sim_of())
    w.tabs.setCurrentWidget(w.maps_tab)
    w.maps.set_options(MapOptions(kind="start", grid=8))
    qtbot.waitUntil(lambda: w.maps.complete, timeout=20000)
    qtbot.mouseClick(w.maps.canvas.graphics.viewport(), Qt.LeftButton,
                     pos=view_point(w.maps, 6, 1))
    assert w.sim.start == (w.maps.spec.u[6], w.maps.spec.v[1])
    np.testing.assert_array_equal(w.sim.trajectories[0].params[0], w.sim.start)


def test_moving_the_start_lets_a_start_map_in_progress_finish(show_view, qtbot):
    sim = sim_of(steps=400)
    view = MapView(sim)
    view.options = MapOptions(kind="start", grid=256)
    show_view(view, 500, 400)
    qtbot.waitUntil(lambda: view.worker.busy, timeout=5000)
    g = view.worker.generation
    sim.set_start((0.25, 0.5))                  # a start map's cells start everywhere anyway
    qtbot.waitUntil(lambda: view.complete, timeout=60000)
    assert view.worker.generation == g
