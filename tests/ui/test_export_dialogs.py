"""File ▸ Export … from the main window: files written from a copy, cancel and failures leave
nothing, errors are one sentence in a message box and the app keeps running."""

import errno
import io
import json
import os

import numpy as np
import pytest
from PIL import Image

from optiviz_gui.export import writers
from optiviz_gui.export.trajectories import write_csv
from optiviz_gui.ui.dialogs import export as export_dialogs
from optiviz_gui.ui.dialogs.export import Options


def answer(monkeypatch, options):
    monkeypatch.setattr(export_dialogs, "ask_options", lambda window, kind: options)


def names(folder):
    return sorted(p.name for p in folder.iterdir() if p.name != "settings.ini")


def test_animation_from_the_file_menu(export_window, monkeypatch, tmp_path, recorded_dialogs):
    w = export_window
    w.sim.seek(2)
    answer(monkeypatch, Options(str(tmp_path / "a.gif"), "contour", (240, 160), 8))
    w.menu_actions["export_animation"].trigger()
    im = Image.open(tmp_path / "a.gif")
    assert (im.n_frames, im.size, im.info["loop"]) == (6, (240, 160), 0)
    assert w.sim.step == 2                       # the session on screen did not move
    assert recorded_dialogs == []
    assert names(tmp_path) == ["a.gif"]


def test_dark_theme_is_exported(export_window, monkeypatch, tmp_path):
    w = export_window
    w.set_theme("dark")
    answer(monkeypatch, Options(str(tmp_path / "dark.png"), "contour", (200, 150)))
    assert export_dialogs.export_image(w)
    corner = np.asarray(Image.open(tmp_path / "dark.png").convert("RGB"))[2, 2]
    assert corner.max() < 80, corner             # the dark background, not white


def test_image_is_the_current_step(export_window, monkeypatch, tmp_path):
    w = export_window
    answer(monkeypatch, Options(str(tmp_path / "now.png"), "contour", (220, 160)))
    w.sim.seek(1)
    export_dialogs.export_image(w)
    w.sim.seek(5)
    export_dialogs.export_image(w)
    os.replace(tmp_path / "now.png", tmp_path / "five.png")
    w.sim.seek(1)
    export_dialogs.export_image(w)
    one = np.asarray(Image.open(tmp_path / "now.png").convert("RGB")).astype(int)
    five = np.asarray(Image.open(tmp_path / "five.png").convert("RGB")).astype(int)
    assert one.shape == (160, 220, 3)
    assert (np.abs(one - five).max(axis=2) > 40).mean() > 0.001     # the paths moved


def test_cancel_leaves_no_file(export_window, monkeypatch, tmp_path, recorded_dialogs):
    from PySide6.QtWidgets import QProgressDialog

    asked = []

    def cancelled_after_three(self):
        asked.append(1)
        return len(asked) >= 3

    monkeypatch.setattr(QProgressDialog, "wasCanceled", cancelled_after_three)
    answer(monkeypatch, Options(str(tmp_path / "a.gif"), "contour", (200, 150)))
    assert export_dialogs.export_animation(export_window) is False
    assert names(tmp_path) == []
    assert recorded_dialogs == []                # a cancel is not an error


def test_missing_folder_is_one_message(export_window, monkeypatch, tmp_path, recorded_dialogs):
    answer(monkeypatch, Options(str(tmp_path / "gone" / "a.gif"), "contour", (200, 150)))
    assert export_dialogs.export_animation(export_window) is False
    [(kind, title, message)] = recorded_dialogs
    assert kind == "show_error" and message.endswith("does not exist.")
    assert "\n" not in message
    assert names(tmp_path) == []


def test_full_disk_is_one_message_and_the_app_goes_on(export_window, monkeypatch, tmp_path,
                                                      recorded_dialogs):
    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(writers.os, "fsync", full)
    answer(monkeypatch, Options(str(tmp_path / "a.gif"), "contour", (200, 150)))
    assert export_dialogs.export_animation(export_window) is False
    [(_, _, message)] = recorded_dialogs
    assert message == f"Cannot write {tmp_path / 'a.gif'}: no space left on device."
    assert names(tmp_path) == []
    export_window.sim.step_forward()             # still alive and drawing
    assert export_window.sim.step == 1


def test_failure_while_drawing_is_one_message(export_window, monkeypatch, tmp_path,
                                              recorded_dialogs):
    from optiviz_gui.ui.render import frames as render

    def broken(self, k):
        raise RuntimeError("the renderer fell over")

    monkeypatch.setattr(render.ViewFrames, "frame", broken)
    answer(monkeypatch, Options(str(tmp_path / "a.gif"), "contour", (200, 150)))
    assert export_dialogs.export_animation(export_window) is False
    [(_, _, message)] = recorded_dialogs
    assert message == "Could not export a.gif: the renderer fell over."
    assert names(tmp_path) == []


def test_3d_without_opengl_is_refused(export_window, monkeypatch, tmp_path, recorded_dialogs):
    answer(monkeypatch, Options(str(tmp_path / "a.gif"), "both", (300, 150)))
    assert export_dialogs.export_animation(export_window) is False
    [(_, _, message)] = recorded_dialogs
    assert "3-D" in message and message.endswith(".")
    assert names(tmp_path) == []


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_trajectories(export_window, monkeypatch, tmp_path, suffix):
    w = export_window
    w.sim.seek(3)
    out = tmp_path / f"t{suffix}"
    monkeypatch.setattr(export_dialogs, "ask_trajectories_path", lambda window: str(out))
    assert export_dialogs.export_trajectories(w)
    assert w.sim.step == 3
    text = out.read_text(encoding="utf-8")
    if suffix == ".csv":
        expected = io.StringIO()
        write_csv(w.sim, expected)                          # what `optiviz run` writes
        assert text == expected.getvalue()
        assert len(text.splitlines()) == 1 + 4 * 6         # every step, not only up to 3
    else:
        data = json.loads(text)
        assert [len(r["history"]) for r in data["runs"]] == [6] * 4


def test_options_dialog(export_window, qtbot):
    dlg = export_dialogs.OptionsDialog(export_window, "animation",
                                       Options("/tmp/x", "contour", (640, 360), 12.5), gl_ok=False)
    qtbot.addWidget(dlg)
    model = dlg.view.model()
    assert [model.item(i).isEnabled() for i in range(3)] == [True, False, False]
    dlg.width_box.setValue(1000)
    opts = dlg.options()
    assert opts.path == "/tmp/x.gif" and opts.size == (1000, 360) and opts.fps == 12.5
    image = export_dialogs.OptionsDialog(export_window, "image",
                                         Options("/tmp/y", "contour"), gl_ok=True)
    qtbot.addWidget(image)
    assert image.options().path == "/tmp/y.png"


def test_suffix_from_the_chosen_filter():
    f = export_dialogs.TRAJECTORY_FILTERS
    assert export_dialogs._with_suffix("/a/t", f[".json"], f) == "/a/t.json"
    assert export_dialogs._with_suffix("/a/t.CSV", f[".json"], f) == "/a/t.CSV"


def test_3d_image_matches_the_view_on_screen(qtbot, tmp_path, monkeypatch, recorded_dialogs):
    """The rotated 3-D view on screen and the exported PNG show the same picture."""
    from PySide6.QtCore import QSettings

    from optiviz_gui.core import session
    from optiviz_gui.ui.render.frames import qimage_to_array
    from optiviz_gui.ui.views.surface.gl import gl_available
    from optiviz_gui.ui.window.main_window import MainWindow

    if not gl_available():
        pytest.skip("no OpenGL on this display")
    w = MainWindow(session.load(None),
                   settings=QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.surface3d is not None, timeout=10000)
    w.surface3d.setCameraParams(azimuth=-20, elevation=50, distance=4.0)
    w.sim.seek(12)
    answer(monkeypatch, Options(str(tmp_path / "3d.png"), "surface", (320, 240)))
    assert export_dialogs.export_image(w), recorded_dialogs
    exported = np.asarray(Image.open(tmp_path / "3d.png").convert("RGB")).astype(int)
    on_screen = qimage_to_array(w.surface3d.render_image(320, 240))[:, :, :3].astype(int)
    assert (np.abs(exported - on_screen).max(axis=2) > 24).mean() < 0.01
    w.playback.pause()
    w.close_without_asking()
