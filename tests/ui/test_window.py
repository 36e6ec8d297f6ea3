"""The main window: title, map clicks, status bar, files, unsaved changes, settings, panes.

Reference values come from outside the code under test: the blog example's
data (x, y) with the least-squares loss written out here, hand-written session
files, and torch's SGD update written out by hand (θ₁ = θ₀ − γ∇f(θ₀)).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import pyqtgraph as pg
from PySide6.QtCore import QPoint, Qt

from optiviz_gui.core import session
from optiviz_gui.ui.window import menus as window_menus
from optiviz_gui.ui.window.status import status_html


def mse_and_grad(surface, a, b):
    """The blog's loss written out over its data: mean((a + b x − y)²) and its gradient."""
    r = a + b * surface.x - surface.y
    return np.mean(r * r), np.array([2 * np.mean(r), 2 * np.mean(r * surface.x)])


def test_title_names_the_session_and_marks_changes(make_window, tmp_path):
    w = make_window()
    # the platform appends the application's display name: the title must not repeat it
    assert w.windowTitle() == "Untitled[*]" and not w.isWindowModified()
    path = tmp_path / "mine.json"
    assert window_menus.save_to(w, path)
    assert w.windowTitle() == "mine.json[*]"
    w.sim.set_start((1.0, 1.0))
    assert w.windowTitle() == "mine.json[*]" and w.isWindowModified()
    w.sim.seek(5)                                  # playing is not a change
    assert window_menus.save(w)
    assert w.windowTitle() == "mine.json[*]" and not w.isWindowModified()
    assert "OptiViz" not in w.windowTitle()


def test_a_click_on_the_map_sets_the_start_point(window, qtbot):
    vb = window.contour.view_box
    target = (0.0, 5.0)
    pos = window.contour.graphics.mapFromScene(vb.mapViewToScene(pg.Point(*target)))
    qtbot.mouseClick(window.contour.graphics.viewport(), Qt.LeftButton, pos=QPoint(pos.x(), pos.y()))
    px = vb.viewPixelSize()
    x, y = window.sim.start
    assert abs(x - target[0]) <= 2 * px[0] and abs(y - target[1]) <= 2 * px[1]
    # the controls follow, and every path now starts there
    assert (window.controls.start_x.value(), window.controls.start_y.value()) == (x, y)
    xs, ys = window.contour.drawn_path(0)
    assert (xs[0], ys[0]) == (x, y)


def test_status_bar_shows_each_loss_at_the_current_step(window):
    f0, _ = mse_and_grad(window.sim.surface, 2.0, 9.0)
    text = window.status.text()
    assert "Step 0 / 100" in text
    for label in ("SGD", "SGD-momentum", "RMSprop", "Adam"):
        assert f"{label} {f0:.4g}" in text


def test_lr_100_shows_divergence_and_nothing_raises(window, qtbot):
    window.controls.runs.list.setCurrentRow(0)
    window.controls.hyper.field("lr").setValue(100.0)
    assert window.sim.runs[0].optimizer.lr == 100.0
    # SGD at lr 100 multiplies the slope error by |1 − 100·2E[x²]| ≈ 1670 a step
    window.sim.seek(window.sim.steps)
    t = window.sim.trajectories[0]
    assert t.diverged_at is not None and t.diverged_at < 20
    assert f"diverged at {t.diverged_at}" in window.status.text()
    for k in (0, 1, t.diverged_at, 50):            # scrubbing across it draws without raising
        window.playback.slider.setValue(k)
    image = window.contour.render_image(200, 150)
    assert (image.width(), image.height()) == (200, 150)


def test_a_hyper_parameter_edit_changes_the_drawn_path(window):
    sim = window.sim
    window.controls.runs.list.setCurrentRow(0)
    sim.seek(1)
    before = np.column_stack(window.contour.drawn_path(0))
    window.controls.hyper.field("lr").setValue(0.05)
    after = np.column_stack(window.contour.drawn_path(0))
    _, g = mse_and_grad(sim.surface, 2.0, 9.0)
    np.testing.assert_allclose(after[1], np.array([2.0, 9.0]) - 0.05 * g, rtol=1e-9)
    np.testing.assert_allclose(before[1], np.array([2.0, 9.0]) - 0.1 * g, rtol=1e-9)


def test_save_and_save_as_write_a_session_that_loads_back_equal(window, dialogs, tmp_path):
    window.controls.runs.list.setCurrentRow(3)
    window.controls.hyper.field("lr").setValue(0.05)
    dialogs.answers["save_session_path"] = str(tmp_path / "copy")      # ".json" is added
    assert window_menus.save(window)                                    # no path yet: Save As
    path = tmp_path / "copy.json"
    written = json.loads(path.read_text(encoding="utf-8"))
    blog = json.loads(Path(__file__).parents[2].joinpath(
        "resources", "presets", "blog.json").read_text(encoding="utf-8"))
    blog["optimizers"][3]["lr"] = 0.05
    assert session.from_dict(written).runs == session.from_dict(blog).runs
    assert written["start"] == [2.0, 9.0] and written["steps"] == 100
    assert session.to_dict(session.load(path), tmp_path) == session.to_dict(window.sim, tmp_path)
    assert not window.modified
    assert window.settings.recent_files()[0] == str(path.resolve())


def test_opening_a_broken_file_shows_one_sentence_and_keeps_the_session(window, dialogs, tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('{"format": "optiviz-session", "version": 1, "surface": {"kind": "rosenbrock"},'
                   ' "start": [0, 0], "optimizers": [{"name": "sgd", "lr": -1}]}', encoding="utf-8")
    before = session.to_dict(window.sim)
    window.sim.seek(7)
    assert not window_menus.open_path(window, bad)
    (parent, title, message), = dialogs.named("show_error")
    assert "lr" in message and message.count(". ") == 0 and message.endswith(".")
    assert session.to_dict(window.sim) == before and window.sim.step == 7
    assert window.windowTitle() == "Untitled[*]"


def test_open_replaces_the_session_and_the_controls_follow(window, tmp_path):
    path = tmp_path / "rosen.json"
    path.write_text(json.dumps({
        "format": "optiviz-session", "version": 1, "surface": {"kind": "rosenbrock"},
        "start": [-1.0, 2.5], "steps": 40,
        "optimizers": [{"name": "adam", "lr": 0.02, "label": "slow Adam"}]}), encoding="utf-8")
    window.sim.seek(30)
    assert window_menus.open_path(window, path)
    sim = window.sim
    assert (sim.step, sim.steps, sim.start, sim.labels()) == (0, 40, (-1.0, 2.5), ["slow Adam"])
    c = window.controls
    assert c.surface.combo.currentData() == "rosenbrock"
    assert (c.start_x.value(), c.start_y.value(), c.steps.value()) == (-1.0, 2.5, 40)
    assert c.runs.list.count() == 1 and c.runs.list.item(0).text() == "slow Adam"
    assert c.hyper.field("lr").value() == 0.02
    assert window.playback.slider.maximum() == 40
    assert window.windowTitle() == "rosen.json[*]"


def test_unsaved_changes_are_asked_about_before_new_and_quit(window, dialogs):
    window.sim.set_start((0.0, 0.0))
    dialogs.answers["ask_save_changes"] = "cancel"
    window_menus.new_session(window)
    assert window.sim.start == (0.0, 0.0)               # cancelled: nothing happened
    assert not window.close() and window.isVisible()    # Quit is asked too
    dialogs.answers["ask_save_changes"] = "discard"
    window_menus.new_session(window)
    assert window.sim.start == (2.0, 9.0) and not window.modified
    assert len(dialogs.named("ask_save_changes")) == 3


def test_load_data_reads_a_csv_and_reports_a_bad_one(window, dialogs, tmp_path):
    good = tmp_path / "line.csv"
    xs = np.linspace(-3, 3, 7)
    good.write_text("x,y\n" + "".join(f"{x!r},{1 + 3 * x!r}\n" for x in xs.tolist()), encoding="utf-8")
    dialogs.answers["open_csv_path"] = str(good)
    window_menus.load_data(window)
    np.testing.assert_allclose(window.sim.surface.minima, [[1.0, 3.0]], atol=1e-12)
    assert "line.csv" in window.controls.surface.data_label.text()
    surface = window.sim.surface
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n3,abc\n", encoding="utf-8")
    dialogs.answers["open_csv_path"] = str(bad)
    window_menus.load_data(window)
    (_, _, message), = dialogs.named("show_error")
    assert "line 3" in message
    assert window.sim.surface is surface


def test_settings_persist_across_two_windows(make_window, qsettings, tmp_path):
    w1 = make_window(settings=qsettings)
    w1.resize(1000, 700)
    w1.set_theme("dark")
    w1.set_pane_visible("loss", False)
    w1.set_view_option("scale", "log")
    w1.main_split.setSizes([500, 300])
    assert window_menus.save_to(w1, tmp_path / "a.json")
    sizes = w1.main_split.sizes()
    w1.close()
    w2 = make_window(settings=qsettings)
    assert (w2.width(), w2.height()) == (1000, 700)
    assert w2.theme == "dark" and w2.menu_actions["dark"].isChecked()
    from PySide6.QtWidgets import QApplication
    assert QApplication.palette().window().color().lightness() < 80
    assert not w2.loss.isVisible() and not w2.menu_actions["pane_loss"].isChecked()
    assert w2.contour.scale() == "log" and w2.menu_actions["scale_log"].isChecked()
    assert w2.main_split.sizes() == sizes
    assert w2.settings.recent_files() == [str((tmp_path / "a.json").resolve())]
    w2.set_theme("light")
    assert QApplication.palette().window().color().lightness() > 180


def test_panes_can_be_hidden_and_shown(window):
    window.menu_actions["pane_map"].setChecked(False)
    assert not window.contour.isVisible()
    window.menu_actions["pane_map"].setChecked(True)
    assert window.contour.isVisible()
    window.menu_actions["pane_loss"].setChecked(False)
    window.menu_actions["pane_surface"].setChecked(False)
    assert window.data.isVisible()                   # the data tab is still there
    window.menu_actions["pane_data"].setChecked(False)
    assert window.tabs.isVisible()                   # the Maps tab is still there
    window.menu_actions["pane_maps"].setChecked(False)
    assert not window.right_split.isVisible()


def test_the_3d_pane_is_the_surface_view_or_says_why(make_window, qtbot):
    from optiviz_gui.ui.views.surface.gl import gl_available
    w = make_window(gl=None)
    if gl_available():
        qtbot.waitUntil(lambda: w.surface3d is not None, timeout=10000)
        assert w.right_split.widget(0) is w.surface3d
    else:
        qtbot.waitUntil(lambda: "OpenGL" in w.surface_slot.text(), timeout=5000)
    w2 = make_window(gl=False)
    qtbot.waitUntil(lambda: "switched off" in w2.surface_slot.text(), timeout=5000)


def test_status_html_marks_convergence():
    """Started on Booth's minimum (1, 3), where ∇f = 0, SGD never moves: by the definition
    (gradient and step both ~0 from step k on; step 0 has no step) it converged at 1."""
    from optiviz_gui.core.session import from_dict
    sim = from_dict({"format": "optiviz-session", "version": 1, "surface": {"kind": "booth"},
                     "start": [1.0, 3.0], "steps": 5, "optimizers": [{"name": "sgd", "lr": 0.01}]})
    assert "converged" not in status_html(sim)
    sim.seek(5)
    assert "SGD 0 " in status_html(sim) and "converged at 1" in status_html(sim)


def test_the_status_bar_says_as_much_as_fits(window, qtbot):
    """At 1440 pixels the bar names every run with its status; at 1000 (200 000 steps,
    "converged at 88" twice) the full text would run past the window's edge, so the bar
    drops the status words (the map's legend has them) and no run is cut off."""
    from PySide6.QtGui import QTextDocument

    def laid_out_width(text):
        doc = QTextDocument()
        doc.setDefaultFont(window.status.font())
        doc.setHtml(text)
        return doc.idealWidth()

    window.sim.set_steps(200)
    window.sim.seek(200)
    window.resize(1440, 900)
    qtbot.waitUntil(lambda: window.width() == 1440)
    window.show_status()
    assert "converged at 88" in window.status.text()
    window.resize(1000, 700)
    qtbot.waitUntil(lambda: window.width() == 1000)
    window.show_status()
    text = window.status.text()
    assert laid_out_width(status_html(window.sim, window.theme)) > window.status.width()
    assert laid_out_width(text) <= window.status.contentsRect().width()
    assert "converged" not in text and all(label in text for label in window.sim.labels())


def test_the_update_rules_list_every_optimizer():
    from optiviz_gui.core.optimizers import OPTIMIZERS
    from optiviz_gui.ui.dialogs.common import rules_html
    from optiviz_gui.ui.dialogs.math_text import math_html
    text = rules_html()
    for cls in OPTIMIZERS.values():
        assert f"<h3>{cls.title}</h3>" in text
        assert math_html(cls.rule.splitlines()[-1]) in text


def test_the_command_opens_and_closes_the_window_and_rejects_a_bad_file(tmp_path):
    env = dict(os.environ)
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    env["XDG_CONFIG_HOME"] = str(tmp_path)
    ok = subprocess.run([sys.executable, "-m", "optiviz_gui.cli", "--quit-after", "0.3"],
                        env=env, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "optiviz_gui.cli", str(bad), "--quit-after", "0.3"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert out.stderr.strip().startswith("optiviz: ") and out.stderr.count("\n") == 1
    assert "bad.json" in out.stderr


def test_export_entries_call_the_export_dialogs(window, monkeypatch):
    from optiviz_gui.ui.dialogs import export as export_dialogs
    called = []
    for what in ("animation", "image", "trajectories"):
        monkeypatch.setattr(export_dialogs, f"export_{what}",
                            lambda w, what=what: called.append((what, w)))
    window.playback.play()
    for what in ("animation", "image", "trajectories"):
        window.menu_actions[f"export_{what}"].trigger()
    assert called == [("animation", window), ("image", window), ("trajectories", window)]
    assert not window.playback.is_playing()          # exporting pauses playback


def test_view_menu_drives_the_views(window):
    a = window.menu_actions
    a["scale_log"].trigger()
    assert window.contour.scale() == "log"
    a["log_loss"].setChecked(False)
    assert not window.loss.is_log()
    a["arrow_velocity"].setChecked(True)
    assert window.settings.q.value("view/arrow_velocity") in (True, "true")
    a["dark"].setChecked(True)
    assert window.theme == "dark" and window.settings.theme() == "dark"
    a["reset_camera"].trigger()                      # no 3-D view here: nothing happens
    a["dark"].setChecked(False)
    assert window.theme == "light"


def test_recent_sessions_menu_opens_and_forgets_missing_files(window, dialogs, tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert window_menus.save_to(window, a) and window_menus.save_to(window, b)
    window_menus.fill_recent(window)
    names = [act.text() for act in window.recent_menu.actions()]
    assert names[:2] == ["b.json", "a.json"]             # most recent first
    b.unlink()
    window.recent_menu.actions()[0].trigger()            # b.json is gone
    (_, _, message), = dialogs.named("show_error")
    assert "b.json" in message and message.endswith("no longer exists.")
    assert window.settings.recent_files() == [str(a.resolve())]
    window_menus.fill_recent(window)
    window.recent_menu.actions()[0].trigger()
    assert window.path == a.resolve() and window.windowTitle() == "a.json[*]"


def test_shortcuts_work_with_the_focus_in_the_3d_view(make_window, qtbot):
    """Space, →, ← and Home drive playback after a click into the 3-D view, and
    reach neither the view's own arrow-key rotation nor anything else."""
    from optiviz_gui.ui.views.surface.gl import gl_available
    if not gl_available():
        pytest.skip("no OpenGL on this Qt platform (needs xcb/wayland and a GL context)")
    w = make_window(gl=None)
    qtbot.waitUntil(lambda: w.surface3d is not None, timeout=10000)
    view, sim = w.surface3d, w.sim
    w.activateWindow()
    qtbot.waitUntil(lambda: w.isActiveWindow(), timeout=3000)
    qtbot.mouseClick(view, Qt.LeftButton, pos=view.rect().center())
    qtbot.waitUntil(lambda: view.hasFocus(), timeout=3000)
    camera = view.cameraParams()
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key_Right)
    assert sim.step == 3
    qtbot.keyClick(view, Qt.Key_Left)
    assert sim.step == 2
    qtbot.keyClick(view, Qt.Key_Home)
    assert sim.step == 0
    qtbot.keyClick(view, Qt.Key_Space)
    assert w.playback.is_playing()
    qtbot.keyClick(view, Qt.Key_Space)
    assert not w.playback.is_playing()
    assert view.cameraParams() == camera           # the arrows did not turn the camera
    assert view.hasFocus()


def test_no_opengl_widget_in_the_window(make_window, qtbot):
    """A QOpenGLWidget anywhere in the window would switch the whole window to OpenGL
    composition (every repaint of any widget drawn and swapped through OpenGL):
    the 3-D view is a raster widget painting its own OpenGL picture."""
    from PySide6.QtOpenGLWidgets import QOpenGLWidget

    from optiviz_gui.ui.views.surface.gl import gl_available
    if not gl_available():
        pytest.skip("no OpenGL on this Qt platform (needs xcb/wayland and a GL context)")
    w = make_window(gl=None)
    qtbot.waitUntil(lambda: w.surface3d is not None, timeout=10000)
    qtbot.waitUntil(lambda: w.surface3d.frames > 0, timeout=5000)      # it has painted
    assert w.findChildren(QOpenGLWidget) == []
