"""The controls panel: generated hyper-parameter forms, invalid values, runs, surfaces, start.

Defaults are checked against torch.optim itself; surfaces against their textbook
minima; the SGD step against θ₁ = θ₀ − γ∇f(θ₀) written out by hand (for mini-batches
with the batch drawn as the regression surface documents it); example formulas against
the formula evaluated by hand.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox

from optiviz_gui.core.optimizers import OPTIMIZERS
from optiviz_gui.ui.window import menus as window_menus
from optiviz_gui.ui.controls.hyper import NumberBox

TORCH = {"sgd": torch.optim.SGD, "rmsprop": torch.optim.RMSprop, "adam": torch.optim.Adam,
         "adamw": torch.optim.AdamW, "adagrad": torch.optim.Adagrad,
         "adadelta": torch.optim.Adadelta, "adamax": torch.optim.Adamax,
         "nadam": torch.optim.NAdam, "radam": torch.optim.RAdam, "rprop": torch.optim.Rprop,
         "asgd": torch.optim.ASGD, "adafactor": torch.optim.Adafactor,
         "lbfgs": torch.optim.LBFGS, "muon": torch.optim.Muon}


def add_from_menu(window, text):
    """Trigger the Add menu entry called ``text``; returns the new run's index."""
    menu = window.controls.runs.add_button.menu()
    (action,) = [a for a in menu.actions() if a.text() == text]
    action.trigger()
    return len(window.sim.runs) - 1


def form_value(form, name):
    w = form.field(name)
    if isinstance(w, QCheckBox):
        return w.isChecked()
    if isinstance(w, QComboBox):
        return w.currentData()
    if isinstance(w, tuple):
        return tuple(box_value(b) for b in w)
    return box_value(w)


def box_value(box):
    """What a number box says: None where it shows "None" (torch's optional values)."""
    return None if box.value() == box.none_value else box.value()


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_added_optimizer_gets_a_form_with_torchs_defaults(window, name):
    cls = OPTIMIZERS[name]
    i = add_from_menu(window, cls.title)
    assert window.controls.runs.list.currentRow() == i          # the new run is selected
    form = window.controls.hyper
    shape = (1, 1) if name == "muon" else (1,)        # Muon takes matrices
    torch_defaults = TORCH[name]([torch.zeros(shape, requires_grad=True)]).defaults
    for h in cls.hyper:
        want, got = torch_defaults[h.name], form_value(form, h.name)
        if name == "lbfgs" and h.name == "max_eval" and got is None:
            got = 20 * 5 // 4            # torch writes None's meaning, max_iter·5//4, into defaults
        if want is None or isinstance(want, str) or (isinstance(want, tuple) and None in want):
            assert got == want, h.name
        else:
            assert got == pytest.approx(want), h.name
        widget = form.field(h.name)
        boxes = widget if isinstance(widget, tuple) else (widget,)
        for box in boxes:
            if isinstance(box, NumberBox):
                low = h.low - 1 if h.optional and h.kind == "int" else h.low
                assert (box.minimum(), box.maximum()) == (low, h.high)
    assert cls.title in window.controls.hyper_box.title() or cls.title in window.controls.rule.text()
    assert cls.rule.splitlines()[0].split("←")[0].strip() in window.controls.rule.text()


def test_another_optimizer_s_form_replaces_the_last_at_once(window):
    """Selecting Adam after SGD shows Adam's fields only, even before a deferred delete
    has removed SGD's (processEvents alone does not run those: a screenshot once showed
    both forms drawn over each other)."""
    from PySide6.QtWidgets import QApplication, QLabel
    window.controls.runs.list.setCurrentRow(0)                    # SGD
    window.controls.runs.list.setCurrentRow(3)                    # Adam
    QApplication.processEvents()
    form = window.controls.hyper
    shown = {label.text() for label in form.findChildren(QLabel) if label.isVisibleTo(form)}
    assert {"betas", "eps", "amsgrad"} <= shown
    assert not {"momentum", "dampening", "nesterov"} & shown


def test_an_edit_reaches_the_model_and_the_path(window):
    window.controls.runs.list.setCurrentRow(1)                  # SGD-momentum
    window.controls.hyper.field("momentum").setValue(0.5)
    assert window.sim.runs[1].optimizer.momentum == 0.5
    assert window.sim.runs[1].label == "SGD-momentum"           # the rest is kept


def test_typed_values_reach_the_model_and_out_of_range_ones_do_not(window, qtbot):
    window.controls.runs.list.setCurrentRow(0)
    box = window.controls.hyper.field("lr")
    box.selectAll()
    qtbot.keyClicks(box, "2.5e-3")
    assert window.sim.runs[0].optimizer.lr == 0.0025
    box.selectAll()
    qtbot.keyClicks(box, "-1")                  # below lr's range: never accepted
    qtbot.keyClick(box, Qt.Key_Return)
    box.clearFocus()
    assert window.sim.runs[0].optimizer.lr == 0.0025
    assert box.value() == 0.0025


def test_nesterov_with_dampening_is_shown_in_red_and_never_sent(window):
    sim, form = window.sim, window.controls.hyper
    window.controls.runs.list.setCurrentRow(1)                  # SGD, momentum 0.2
    form.field("dampening").setValue(0.5)
    before = sim.runs[1].optimizer
    assert before.dampening == 0.5
    form.field("nesterov").setChecked(True)                     # torch: needs dampening 0
    assert sim.runs[1].optimizer == before
    assert form.error.isVisible() and "nesterov" in form.error.text()
    assert "color" in form.error.styleSheet()
    assert form.field("nesterov").styleSheet() and not form.field("lr").styleSheet()
    form.field("dampening").setValue(0.0)                       # now valid: sent, error gone
    assert sim.runs[1].optimizer.nesterov and sim.runs[1].optimizer.dampening == 0.0
    assert not form.error.isVisible()


def test_adam_beta_of_one_is_rejected(window):
    sim, form = window.sim, window.controls.hyper
    window.controls.runs.list.setCurrentRow(3)                  # Adam
    b1, b2 = form.field("betas")
    b1.setValue(1.0)                                            # torch: 0 ≤ β₁ < 1
    assert sim.runs[3].optimizer.betas == (0.9, 0.999)
    assert "betas[0]" in form.error.text()
    b1.setValue(0.8)
    assert sim.runs[3].optimizer.betas == (0.8, 0.999)


def test_number_box_steps(qapp):
    lr = NumberBox(0.0, 1e3, log_steps=True)
    lr.setValue(0.1)
    seen = []
    for steps in (1, 1, 1, -1, -1, -1, -1):
        lr.stepBy(steps)
        seen.append(lr.value())
    assert seen == pytest.approx([0.2, 0.5, 1.0, 0.5, 0.2, 0.1, 0.05])
    momentum = NumberBox(0.0, 1.0, step=0.01)
    momentum.stepBy(3)
    assert momentum.value() == pytest.approx(0.03)
    eps = NumberBox(0.0, 1.0, log_steps=True)
    eps.setValue(1e-8)
    assert eps.text() == "1e-08"
    eps.stepBy(1)
    assert eps.value() == pytest.approx(2e-8)


def test_runs_are_added_removed_enabled_labelled_and_coloured(window, dialogs):
    sim, runs = window.sim, window.controls.runs
    i = add_from_menu(window, "Nesterov")
    opt = sim.runs[i].optimizer
    assert (opt.name, opt.momentum, opt.nesterov) == ("sgd", 0.9, True)
    assert runs.list.item(i).text() == "Nesterov"
    runs.list.item(0).setCheckState(Qt.Unchecked)
    assert not sim.runs[0].enabled
    assert window.contour.drawn_path(0)[0].size == 0            # hidden run: no path
    runs.list.item(2).setText("my RMSprop")
    assert sim.labels()[2] == "my RMSprop"
    runs.list.setCurrentRow(2)
    dialogs.answers["pick_color"] = "#123456"
    runs.color_button.click()
    assert sim.colors()[2] == "#123456"
    runs.list.setCurrentRow(i)
    runs.remove_button.click()
    assert len(sim.runs) == 4 and runs.list.count() == 4


def test_picking_a_builtin_moves_to_its_start(window):
    sim, picker = window.sim, window.controls.surface
    picker.combo.setCurrentIndex(picker.combo.findData("rosenbrock"))
    assert sim.surface.to_dict()["kind"] == "rosenbrock"
    np.testing.assert_allclose(sim.surface.minima, [[1.0, 1.0]])
    assert sim.start == sim.surface.start
    (x0, x1), (y0, y1) = sim.surface.bounds
    assert x0 <= sim.start[0] <= x1 and y0 <= sim.start[1] <= y1
    assert (window.controls.start_x.value(), window.controls.start_y.value()) == sim.start
    assert window.controls.start_x_label.text() == "x"


def test_regression_data_parameters_move_the_minimum(window):
    sim, picker = window.sim, window.controls.surface
    picker.reg["slope"].setValue(3.0)
    (a, b), = sim.surface.minima                # noise sd 0.001: the fit is the true line
    assert abs(a + 2.0) < 1e-3 and abs(b - 3.0) < 1e-3
    assert sim.start == (2.0, 9.0)              # still inside the window: kept


def test_a_formula_applies_on_enter_and_a_bad_one_is_shown_in_red(window, qtbot):
    sim, picker = window.sim, window.controls.surface
    picker.combo.setCurrentIndex(picker.combo.findData("expression"))
    assert sim.surface.to_dict()["kind"] == "expression"
    picker.expr.clear()
    qtbot.keyClicks(picker.expr, "(x-1)**2 + (y+2)**2")
    qtbot.keyClick(picker.expr, Qt.Key_Return)
    assert sim.surface.value(np.array([3.0, 1.0])) == pytest.approx(4.0 + 9.0)
    good = sim.surface
    qtbot.keyClicks(picker.expr, " + import")
    assert sim.surface is good
    assert picker.expr_error.isVisible() and picker.expr_error.text()
    for _ in range(len(" + import")):
        qtbot.keyClick(picker.expr, Qt.Key_Backspace)
    assert not picker.expr_error.isVisible()


def test_typing_x_30_never_passes_through_x_3(window, qtbot):
    """Each keystroke is checked, but the surface changes only on Enter or after a pause."""
    from optiviz_gui.ui.controls.surface import EXPR_PAUSE_MS
    sim, picker = window.sim, window.controls.surface
    picker.combo.setCurrentIndex(picker.combo.findData("expression"))
    seen = []
    sim.surface_changed.connect(seen.append)
    picker.expr.clear()
    qtbot.keyClicks(picker.expr, "x ** 30")                # x ** 3 parses too
    assert seen == []
    qtbot.keyClicks(picker.expr, " +")                       # incomplete: red at once
    assert picker.expr_error.isVisible()
    qtbot.keyClick(picker.expr, Qt.Key_Backspace)
    qtbot.keyClick(picker.expr, Qt.Key_Backspace)
    assert not picker.expr_error.isVisible()
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=EXPR_PAUSE_MS + 2000)
    assert sim.surface.value(np.array([1.1, 0.0])) == pytest.approx(1.1 ** 30)


def test_start_and_steps_boxes_drive_the_model(window):
    window.controls.start_x.setValue(1.0)
    assert window.sim.start == (1.0, 9.0)
    window.controls.steps.setValue(50)
    assert window.sim.steps == 50


def test_controls_follow_the_model_without_echo(window):
    sim, c = window.sim, window.controls
    echoes = []
    sim.history_changed.connect(lambda runs: echoes.append(("history", runs)))
    sim.run_changed.connect(lambda i, fields: echoes.append(("run", i, fields)))
    sim.set_start((1.5, -0.5))
    assert (c.start_x.value(), c.start_y.value()) == (1.5, -0.5)
    c.runs.list.setCurrentRow(0)
    sim.update_run(0, optimizer=sim.runs[0].optimizer.replace(lr=0.3))
    assert c.hyper.field("lr").value() == 0.3
    sim.set_steps(30)
    assert c.steps.value() == 30
    # one event per model change, none echoed back by the controls
    assert echoes == [("history", (0, 1, 2, 3)), ("run", 0, frozenset({"optimizer"})),
                      ("history", (0,))]


def test_every_surface_and_an_empty_run_list_draw_without_raising(window):
    """pytest-qt fails the test on any exception raised inside a Qt slot or event."""
    sim, c = window.sim, window.controls
    for i in range(c.surface.combo.count()):
        c.surface.combo.setCurrentIndex(i)
        sim.seek(sim.steps)
        (x0, x1), (y0, y1) = sim.surface.bounds
        assert x0 <= sim.start[0] <= x1 and y0 <= sim.start[1] <= y1
        assert f"Step {sim.steps} / {sim.steps}" in window.status.text()
    c.surface.expr.setText("log(x) + y*y")          # nan left of x = 0
    c.surface._expression_edited(c.surface.expr.text())
    sim.set_start((-1.0, 1.0))                       # the loss is nan right at the start
    assert "diverged" in window.status.text()          # "at start" too when there is room
    while sim.runs:
        c.runs.remove_button.click()
    assert c.runs.list.count() == 0 and not c.runs.remove_button.isEnabled()
    assert "Add an optimizer" in c.rule.text()
    window.playback.step_forward()
    add_from_menu(window, "Gradient descent")
    assert sim.labels() == ["Gradient descent"] and c.hyper.field("lr").value() == 0.1


# ------------------------------------------------------------ examples menu
def test_an_example_from_the_menu_becomes_the_surface(window):
    sim, picker = window.sim, window.controls.surface
    picker.combo.setCurrentIndex(picker.combo.findData("expression"))
    names = [a.text().split(":")[0] for a in picker.examples.menu().actions()]
    assert "Himmelblau" in names and "Rosenbrock" in names
    (himmelblau,) = [a for a in picker.examples.menu().actions()
                     if a.text().startswith("Himmelblau:")]
    himmelblau.trigger()
    # (x² + y − 11)² + (x + y² − 7)² at (1, 2): (1 + 2 − 11)² + (1 + 4 − 7)² = 64 + 4
    assert sim.surface.value(np.array([1.0, 2.0])) == pytest.approx(68.0)
    assert sim.surface.value(np.array([3.0, 2.0])) == pytest.approx(0.0)   # a known minimum
    assert picker.expr.text() == himmelblau.data()
    assert not picker.expr_error.isVisible()
    (bowl,) = [a for a in picker.examples.menu().actions() if a.text().startswith("Bowl:")]
    bowl.trigger()
    assert sim.surface.value(np.array([3.0, -4.0])) == pytest.approx(25.0)  # x² + y²
    assert sim.start == sim.surface.start                 # a new formula: its own start


# ------------------------------------------------------------- mini-batches
def sgd_minibatch_step(surface, start, lr, batch_size, seed):
    """θ₁ = θ₀ − γ∇f_B(θ₀) for B the first batch of epoch 0: torch's DataLoader with
    shuffle=True as the surface documents it (permutation by default_rng([seed, 0]))."""
    idx = np.random.default_rng([seed, 0]).permutation(len(surface.x))[:batch_size]
    x, y = surface.x[idx], surface.y[idx]
    a, b = start
    r = a + b * x - y
    return a - lr * 2 * r.mean(), b - lr * 2 * (r * x).mean()


def test_batch_size_and_seed_make_minibatch_gradients(window):
    sim, picker = window.sim, window.controls.surface
    assert picker.batch.value() == 0 and picker.batch.text() == "full"
    assert not picker.batch_seed.isEnabled()
    sim.seek(5)
    full = sim.trajectories[0].params[:6].copy()
    picker.batch.setValue(10)
    assert picker.batch_seed.isEnabled()
    picker.batch_seed.setValue(3)
    assert (sim.surface.batch_size, sim.surface.batch_seed) == (10, 3)
    np.testing.assert_array_equal(sim.surface.x, sim.surface.minibatches(None).x)  # same data
    t = sim.trajectories[0]
    assert not np.allclose(t.params[:6], full)
    np.testing.assert_allclose(t.params[1], sgd_minibatch_step(sim.surface, sim.start, 0.1, 10, 3),
                               rtol=1e-12)
    # the map's loss is still the full data's: mean((a + b x − y)²) over all 1000 points
    a, b = t.params[3]
    r = a + b * sim.surface.x - sim.surface.y
    assert t.loss[3] == pytest.approx(np.mean(r * r), rel=1e-12)
    picker.batch.setValue(0)                                    # back to the full batch
    assert sim.surface.batch_size is None
    np.testing.assert_allclose(sim.trajectories[0].params[:6], full, rtol=1e-15)


def test_batch_size_stays_when_the_synthetic_data_change(window):
    sim, picker = window.sim, window.controls.surface
    picker.batch.setValue(50)
    picker.reg["n"].setValue(200)
    assert len(sim.surface.x) == 200
    assert sim.surface.batch_size == 50 and picker.batch.maximum() == 200


def test_a_session_with_batch_size_opens_with_the_controls_showing_it(window, tmp_path):
    path = tmp_path / "minibatch.json"
    path.write_text(json.dumps({
        "format": "optiviz-session", "version": 1,
        "surface": {"kind": "linear_regression", "n": 400, "batch_size": 25, "batch_seed": 4},
        "start": [2.0, 9.0], "steps": 50,
        "optimizers": [{"name": "sgd", "lr": 0.05}]}), encoding="utf-8")
    assert window_menus.open_path(window, path)
    picker = window.controls.surface
    assert (picker.batch.value(), picker.batch_seed.value()) == (25, 4)
    assert picker.batch_seed.isEnabled() and picker.batch.maximum() == 400
    sim = window.sim
    sim.seek(1)
    np.testing.assert_allclose(sim.trajectories[0].params[1],
                               sgd_minibatch_step(sim.surface, (2.0, 9.0), 0.05, 25, 4),
                               rtol=1e-12)


def test_a_csv_surface_takes_minibatches_too(window, dialogs, tmp_path):
    csv = tmp_path / "points.csv"
    csv.write_text("x,y\n0,1\n1,3\n2,5.5\n3,7\n4,8.5\n", encoding="utf-8")
    dialogs.answers["open_csv_path"] = str(csv)
    window_menus.load_data(window)
    sim, picker = window.sim, window.controls.surface
    # the synthetic-data settings mean nothing for loaded data: hidden, label and box
    assert not picker.reg["slope"].isVisibleTo(picker) and picker.batch.isEnabled()
    assert not picker.reg_labels["noise"].isVisibleTo(picker)
    assert picker.batch.isVisibleTo(picker)
    picker.batch.setValue(2)
    assert sim.surface.batch_size == 2 and sim.surface.to_dict()["csv"] == str(csv.resolve())
    assert picker.batch.maximum() == 5
