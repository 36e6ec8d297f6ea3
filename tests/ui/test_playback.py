"""The playback bar and the keyboard: play, pause, step, back, reset, scrub, speed, shortcuts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from optiviz_gui.ui.window.playback import PlaybackBar, tick_plan


def test_tick_plan_follows_the_speed():
    # up to 60 ticks/s: one step every 1/speed s; above: 60 ticks/s, speed/60 steps a tick
    assert tick_plan(1) == (1000, 1.0)
    assert tick_plan(20) == (50, 1.0)
    assert tick_plan(60) == (17, 1.0)
    assert tick_plan(90) == (17, 1.5)
    assert tick_plan(120) == (17, 2.0)
    assert tick_plan(500) == (17, 500 / 60)
    assert tick_plan(10**6) == (17, 100_000 / 60)   # clamped to 100 000/s
    assert tick_plan(0) == (1000, 1.0)      # clamped to 1/s


def test_fractional_steps_per_tick_average_out(qtbot):
    bar = PlaybackBar()
    qtbot.addWidget(bar)
    asked = []
    bar.seek_requested.connect(lambda k: (asked.append(k), bar.show_step(k)))
    bar.show_steps(100)
    bar.speed.setValue(90)                  # 1.5 steps a tick: 1, 2, 1, 2 ...
    for _ in range(4):
        bar._tick()
    assert asked == [1, 3, 4, 6]


def test_play_advances_and_pause_holds(window, qtbot):
    sim, bar = window.sim, window.playback
    bar.speed.setValue(60)
    bar.play()
    assert bar.is_playing()
    qtbot.waitUntil(lambda: sim.step >= 5, timeout=5000)
    bar.pause()
    held = sim.step
    qtbot.wait(150)
    assert sim.step == held
    assert not bar.is_playing()


def test_playback_stops_at_the_last_step(window, qtbot):
    sim, bar = window.sim, window.playback
    window.controls.steps.setValue(12)
    assert sim.steps == 12
    bar.speed.setValue(120)
    bar.play()
    qtbot.waitUntil(lambda: not bar.is_playing(), timeout=5000)
    assert sim.step == 12
    bar.play()                              # at the end, play starts over from 0
    assert sim.step <= 2
    bar.pause()


def test_buttons_land_on_the_right_iteration(window, qtbot):
    sim, bar = window.sim, window.playback
    for _ in range(3):
        qtbot.mouseClick(bar.forward_button, Qt.LeftButton)
    assert sim.step == 3
    qtbot.mouseClick(bar.back_button, Qt.LeftButton)
    assert sim.step == 2
    qtbot.mouseClick(bar.reset_button, Qt.LeftButton)
    assert sim.step == 0
    qtbot.mouseClick(bar.back_button, Qt.LeftButton)
    assert sim.step == 0                    # never below 0
    sim.seek(sim.steps)
    qtbot.mouseClick(bar.forward_button, Qt.LeftButton)
    assert sim.step == sim.steps            # never past the last step
    assert bar.label.text() == "Step 100 / 100"


def test_slider_scrubs_and_follows_the_model(window):
    sim, bar = window.sim, window.playback
    assert (bar.slider.minimum(), bar.slider.maximum()) == (0, 100)
    bar.slider.setValue(40)
    assert sim.step == 40
    assert bar.label.text() == "Step 40 / 100"
    xs, ys = window.contour.drawn_path(0)                 # drawn up to step 40
    assert (xs[-1], ys[-1]) == tuple(sim.trajectories[0].params[40])
    sim.seek(70)
    assert bar.slider.value() == 70
    sim.set_steps(50)                       # fewer steps: the current step comes back to 50
    assert (bar.slider.maximum(), bar.slider.value(), sim.step) == (50, 50, 50)


def _focus(window, qtbot, widget):
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=3000)
    widget.setFocus(Qt.OtherFocusReason)
    qtbot.waitUntil(lambda: widget.hasFocus(), timeout=3000)


@pytest.mark.parametrize("where", ["spin box", "slider", "list", "hyper-parameter box"])
def test_shortcuts_work_wherever_the_focus_is(window, qtbot, where):
    sim, bar = window.sim, window.playback
    widget = {"spin box": window.controls.start_x, "slider": bar.slider,
              "list": window.controls.runs.list,
              "hyper-parameter box": window.controls.hyper.field("lr")}[where]
    start, lr = sim.start, sim.runs[0].optimizer.lr
    _focus(window, qtbot, widget)
    for _ in range(3):
        qtbot.keyClick(widget, Qt.Key_Right)
    assert sim.step == 3
    qtbot.keyClick(widget, Qt.Key_Left)
    assert sim.step == 2
    qtbot.keyClick(widget, Qt.Key_End)
    assert sim.step == sim.steps
    qtbot.keyClick(widget, Qt.Key_Home)
    assert sim.step == 0
    qtbot.keyClick(widget, Qt.Key_Space)
    assert bar.is_playing()
    qtbot.keyClick(widget, Qt.Key_Space)
    assert not bar.is_playing()
    # the keys moved playback only: nothing was typed into the focused control
    assert sim.start == start and sim.runs[0].optimizer.lr == lr
    assert len(sim.runs) == 4


def test_typing_a_formula_keeps_its_spaces_and_arrows(window, qtbot):
    """Free-text fields keep Space and the arrows: a formula needs them."""
    picker = window.controls.surface
    picker.combo.setCurrentIndex(picker.combo.findData("expression"))
    picker.expr.clear()
    _focus(window, qtbot, picker.expr)
    qtbot.keyClicks(picker.expr, "x*x + y*y")
    qtbot.keyClick(picker.expr, Qt.Key_Left)
    qtbot.keyClick(picker.expr, Qt.Key_Home)
    assert picker.expr.text() == "x*x + y*y"
    assert picker.expr.cursorPosition() == 0
    assert window.sim.step == 0 and not window.playback.is_playing()


def test_end_is_listed_with_the_other_playback_keys(window):
    actions = {a.text(): a.shortcut().toString() for a in window.menu_actions.values()}
    assert actions["Go to the &last step"] == "End"
    assert actions["&Reset to step 0"] == "Home"


def test_a_click_in_the_trough_jumps_to_that_step(window, qtbot):
    """Qt's slider moves a page (10 %) towards a click; the timeline goes to the step under
    the mouse: the step at the groove's x is the one QStyle maps that pixel to."""
    from PySide6.QtCore import QPoint
    bar, sim = window.playback, window.sim
    bar.slider.resize(600, bar.slider.height())
    x = int(bar.slider.width() * 0.8)
    want = bar.slider.value_at(x)
    assert want > 60                                  # well past a page from step 0
    qtbot.mouseClick(bar.slider, Qt.LeftButton, pos=QPoint(x, bar.slider.height() // 2))
    assert sim.step == want


def test_the_speed_box_walks_its_stops_and_says_steps_a_frame(window):
    bar = window.playback
    bar.speed.setValue(20)
    bar.speed.stepBy(1)
    assert bar.speed.value() == 50
    bar.speed.stepBy(3)
    assert bar.speed.value() == 500
    bar.speed.stepBy(-1)
    assert bar.speed.value() == 200
    assert bar.per_frame.text() == "3.3 steps a frame"     # 200 / 60
    bar.speed.setValue(100_000)
    assert bar.per_frame.text() == "1,667 steps a frame"
    bar.speed.setValue(30)
    assert bar.per_frame.text() == ""
