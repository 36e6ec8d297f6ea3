"""Typed numbers in the controls: what reaches the model, what is shown in red, and why.

The facts pinned here come from outside the code: the hyper-parameter ranges declared
in the core's specs (lr 0 to 1000, momentum and betas 0 to 1), torch's condition
0 ≤ β < 1, and what a person sees and the model holds after typing and pressing Enter
or leaving the box.
"""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from optiviz_gui.ui.window import menus as window_menus


def select(window, i):
    window.controls.runs.list.setCurrentRow(i)
    return window.controls.hyper


def focus(window, qtbot, widget):
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=3000)
    widget.setFocus(Qt.OtherFocusReason)
    qtbot.waitUntil(lambda: widget.hasFocus(), timeout=3000)


def type_text(qtbot, box, text):
    focus(box.window(), qtbot, box)
    box.selectAll()
    qtbot.keyClicks(box, text)


def optimizers_seen(sim, i):
    """Every optimizer run ``i`` is given from now on."""
    seen = []
    sim.run_changed.connect(lambda *_: seen.append(sim.runs[i].optimizer))
    return seen


def is_red(widget):
    return "#d32f2f" in widget.styleSheet()


# ------------------------------------------------------------ out of range
@pytest.mark.parametrize("typed", ["1e300", "1e13", "99999999999999"])
def test_an_lr_beyond_its_range_is_red_with_the_reason_and_never_reaches_the_model(
        window, qtbot, typed):
    sim = window.sim
    form = select(window, 0)                                    # SGD, lr 0.1
    seen = optimizers_seen(sim, 0)
    box = form.field("lr")
    type_text(qtbot, box, typed)
    assert all(0 <= opt.lr <= 1000 for opt in seen)             # the spec's range: 0 to 1000
    assert is_red(box)
    assert form.error.isVisible()
    message = form.error.text()
    assert message.startswith("lr must be between 0 and 1000") and typed in message
    qtbot.keyClick(box, Qt.Key_Return)                          # refused: the edit is undone
    assert sim.runs[0].optimizer.lr == 0.1
    assert box.value() == 0.1 and box.text() == "0.1"
    assert not is_red(box) and not form.error.isVisible()


def test_leaving_the_box_with_red_text_puts_the_models_value_back(window, qtbot):
    sim = window.sim
    form = select(window, 1)                                    # SGD, momentum 0.2
    box = form.field("momentum")
    type_text(qtbot, box, "2")
    assert is_red(box) and form.error.text().startswith("momentum must be between 0 and 1")
    assert sim.runs[1].optimizer.momentum == 0.2
    focus(window, qtbot, form.field("lr"))                      # the focus moves on
    assert sim.runs[1].optimizer.momentum == 0.2
    assert box.text() == "0.2" and not is_red(box) and not form.error.isVisible()


def test_a_negative_momentum_leaves_no_minus_zero_behind(window, qtbot):
    sim = window.sim
    form = select(window, 1)
    box = form.field("momentum")
    type_text(qtbot, box, "-0.5")
    assert is_red(box) and "-0.5" in form.error.text()
    qtbot.keyClick(box, Qt.Key_Return)
    assert sim.runs[1].optimizer.momentum == 0.2 and box.text() == "0.2"
    type_text(qtbot, box, "-0")                                 # minus zero is zero
    qtbot.keyClick(box, Qt.Key_Return)
    assert box.text() == "0" and str(sim.runs[1].optimizer.momentum) == "0.0"


def test_a_valid_number_takes_effect_as_it_is_typed(window, qtbot):
    sim = window.sim
    form = select(window, 0)
    box = form.field("lr")
    type_text(qtbot, box, "0.05")
    assert sim.runs[0].optimizer.lr == 0.05 and not is_red(box)
    qtbot.keyClick(box, Qt.Key_Return)
    assert sim.runs[0].optimizer.lr == 0.05 and box.text() == "0.05"


def test_letters_cannot_be_typed_into_a_number_box(window, qtbot):
    box = select(window, 0).field("lr")
    type_text(qtbot, box, "0.3x")
    assert box.text() == "0.3" and window.sim.runs[0].optimizer.lr == 0.3


def test_start_boxes_refuse_an_out_of_range_start_in_red(window, qtbot):
    sim, c = window.sim, window.controls
    starts = []
    sim.start_changed.connect(starts.append)
    type_text(qtbot, c.start_x, "1e300")
    assert all(abs(x) <= 1e12 for x, _ in starts)
    assert is_red(c.start_x) and c.start_error.isVisible()
    assert c.start_error.text().startswith("start intercept a must be between -1e12 and 1e12")
    qtbot.keyClick(c.start_x, Qt.Key_Return)
    assert sim.start == (2.0, 9.0) and c.start_x.text() == "2"
    assert not is_red(c.start_x) and not c.start_error.isVisible()


def test_arrows_step_within_the_range(window, qtbot):
    form = select(window, 1)
    box = form.field("momentum")
    box.setValue(0.98)
    box.setFocus()
    for _ in range(5):
        qtbot.keyClick(box, Qt.Key_Up)
    assert window.sim.runs[1].optimizer.momentum == 1.0 and box.text() == "1"


# ------------------------------------------------- the form shows the model
def test_a_session_lr_beyond_the_forms_range_is_shown_and_kept(window, tmp_path):
    path = tmp_path / "huge-lr.json"
    path.write_text(json.dumps({
        "format": "optiviz-session", "version": 1,
        "surface": {"kind": "rosenbrock"}, "start": [-1.0, 1.0], "steps": 10,
        "optimizers": [{"name": "sgd", "lr": 1e300, "momentum": 0.5},
                       {"name": "adam", "eps": 1e-30}]}), encoding="utf-8")
    assert window_menus.open_path(window, path)
    sim = window.sim
    form = select(window, 0)
    assert form.field("lr").value() == 1e300 and form.field("lr").text() == "1e+300"
    assert not is_red(form.field("lr")) and not form.error.isVisible()
    form.field("momentum").setValue(0.9)                        # an edit of another field
    assert sim.runs[0].optimizer.momentum == 0.9
    assert sim.runs[0].optimizer.lr == 1e300                    # is not rewritten
    form = select(window, 1)
    assert form.field("eps").value() == 1e-30                   # not rounded to 0
    form.field("lr").setValue(0.01)
    assert sim.runs[1].optimizer.eps == 1e-30


def test_an_lr_set_on_the_model_is_shown_and_survives_other_edits(window):
    sim = window.sim
    form = select(window, 0)
    sim.update_run(0, optimizer=sim.runs[0].optimizer.replace(lr=1e300))
    assert form.field("lr").value() == 1e300
    form.field("weight_decay").setValue(0.5)
    assert sim.runs[0].optimizer.lr == 1e300 and sim.runs[0].optimizer.weight_decay == 0.5
    sim.update_run(0, optimizer=sim.runs[0].optimizer.replace(lr=0.1 + 0.2))
    form.field("lr").setFocus()
    form.field("lr").interpretText()                            # Enter without typing
    form.field("momentum").setFocus()
    assert sim.runs[0].optimizer.lr == 0.1 + 0.2                # not its rounded text


def test_stepping_down_from_a_value_beyond_the_range_comes_into_it(window):
    sim = window.sim
    form = select(window, 0)
    sim.update_run(0, optimizer=sim.runs[0].optimizer.replace(lr=1e300))
    box = form.field("lr")
    box.stepBy(1)                                               # already above the range
    assert sim.runs[0].optimizer.lr == 1e300
    box.stepBy(-1)
    assert sim.runs[0].optimizer.lr == 1000


# ------------------------------------------------------------------ betas
def test_only_the_offending_beta_is_red_and_the_message_names_the_typed_value(window, qtbot):
    sim = window.sim
    form = select(window, 3)                                    # Adam
    b1, b2 = form.field("betas")
    type_text(qtbot, b1, "1.5")
    assert is_red(b1) and not is_red(b2)
    assert "betas[0]" in form.error.text() and "1.5" in form.error.text()
    assert sim.runs[3].optimizer.betas == (0.9, 0.999)
    qtbot.keyClick(b1, Qt.Key_Return)
    assert b1.text() == "0.9" and not is_red(b1) and not form.error.isVisible()
    type_text(qtbot, b2, "1")                                   # in the box, not for torch
    assert is_red(b2) and not is_red(b1)
    assert "betas[1]" in form.error.text()                      # torch: 0 ≤ β₂ < 1
    assert sim.runs[3].optimizer.betas == (0.9, 0.999)
    type_text(qtbot, b2, "0.99")
    assert sim.runs[3].optimizer.betas == (0.9, 0.99)
    assert not is_red(b2) and not form.error.isVisible()


# ------------------------------------------- boxes taken on Enter: steps, data
def test_steps_are_taken_on_enter_and_a_count_beyond_the_limit_is_red(window, qtbot):
    sim, c = window.sim, window.controls
    counts = []
    sim.steps_changed.connect(counts.append)
    type_text(qtbot, c.steps, "1000")
    assert counts == []                                         # not 1, 10, 100 on the way
    qtbot.keyClick(c.steps, Qt.Key_Return)
    assert counts == [1000] and sim.steps == 1000
    type_text(qtbot, c.steps, "9999999")                        # the README: 1 to 1,000,000
    assert is_red(c.steps) and c.start_error.isVisible()
    assert c.start_error.text().startswith("steps must be between 1 and 1000000")
    assert "9999999" in c.start_error.text()
    qtbot.keyClick(c.steps, Qt.Key_Return)
    assert sim.steps == 1000 and c.steps.text() == "1000" and not c.start_error.isVisible()
    type_text(qtbot, c.steps, "0")
    assert is_red(c.steps)
    qtbot.keyClick(c.steps, Qt.Key_Return)
    assert counts == [1000] and not is_red(c.steps)
    type_text(qtbot, c.steps, "2.5")                            # whole numbers only
    assert c.steps.text() == "25"


@pytest.mark.parametrize("key, typed, taken", [("intercept", "1e3", 1000.0),
                                               ("slope", "-0.25", -0.25),
                                               ("n", "250", 250)])
def test_typed_data_parameters_are_taken_whole(window, qtbot, key, typed, taken):
    box = window.controls.surface.reg[key]
    type_text(qtbot, box, typed)
    qtbot.keyClick(box, Qt.Key_Return)
    assert window.sim.surface.to_dict()[key] == taken


@pytest.mark.parametrize("key, typed, reason", [
    ("n", "5000000", "n must be between 2 and 1000000"),
    ("intercept", "2000000", "intercept must be between -1000000 and 1000000"),
    ("noise", "-1", "noise must be between 0 and 1000000"),
    ("mini-batch", "5000", "mini-batch must be between 0 and 1000")])    # 1000 points
def test_data_parameters_out_of_range_are_red_and_never_taken(window, qtbot, key, typed, reason):
    sim, picker = window.sim, window.controls.surface
    box = picker.batch if key == "mini-batch" else picker.reg[key]
    before = sim.surface
    type_text(qtbot, box, typed)
    assert is_red(box) and picker.reg_error.isVisible()
    assert picker.reg_error.text() == f"{reason}, got {typed}."
    qtbot.keyClick(box, Qt.Key_Return)
    assert sim.surface is before
    assert not is_red(box) and not picker.reg_error.isVisible()


def test_a_beta_torch_refuses_goes_back_when_its_edit_ends(window, qtbot):
    sim = window.sim
    form = select(window, 3)                                    # Adam, betas (0.9, 0.999)
    b1, b2 = form.field("betas")
    type_text(qtbot, b2, "1")                                   # torch: 0 ≤ β₂ < 1
    qtbot.keyClick(b2, Qt.Key_Return)
    assert sim.runs[3].optimizer.betas == (0.9, 0.999)
    assert b2.text() == "0.999" and not is_red(b2) and not form.error.isVisible()
    type_text(qtbot, b1, "0.5")                                 # the other beta still works
    assert sim.runs[3].optimizer.betas == (0.5, 0.999)


def test_an_edit_valid_by_itself_goes_through_while_nesterov_waits(window, qtbot):
    sim = window.sim
    form = select(window, 1)                                    # SGD, momentum 0.2
    form.field("dampening").setValue(0.5)
    form.field("nesterov").setChecked(True)                     # torch: needs dampening 0
    type_text(qtbot, form.field("lr"), "0.05")
    opt = sim.runs[1].optimizer
    assert (opt.lr, opt.nesterov, opt.dampening) == (0.05, False, 0.5)
    assert "nesterov" in form.error.text() and is_red(form.field("nesterov"))
    form.field("dampening").setValue(0.0)                       # now the combination is valid
    opt = sim.runs[1].optimizer
    assert (opt.lr, opt.nesterov, opt.dampening) == (0.05, True, 0.0)
    assert not form.error.isVisible()
