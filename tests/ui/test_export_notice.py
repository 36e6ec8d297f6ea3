"""After an export the status bar says where the file went, and opens its folder."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices


def test_the_status_bar_names_the_file_and_opens_its_folder(export_window, monkeypatch,
                                                            tmp_path, qtbot):
    from optiviz_gui.ui.dialogs import export as export_dialogs
    target = tmp_path / "out" / "paths.csv"
    target.parent.mkdir()
    monkeypatch.setattr(export_dialogs, "ask_trajectories_path", lambda w: str(target))
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    w = export_window
    w.menu_actions["export_trajectories"].trigger()
    assert target.is_file()
    notice = w.export_notice
    assert notice.isVisible()
    assert notice.label.text() == f"Exported paths.csv to {target.parent.resolve()}"
    qtbot.mouseClick(notice.button, __import__("PySide6.QtCore", fromlist=["Qt"]).Qt.LeftButton)
    assert opened == [QUrl.fromLocalFile(str(target.parent.resolve()))]


def test_a_cancelled_export_says_nothing(export_window, monkeypatch):
    from optiviz_gui.ui.dialogs import export as export_dialogs
    monkeypatch.setattr(export_dialogs, "ask_trajectories_path", lambda w: None)
    export_window.menu_actions["export_trajectories"].trigger()
    assert getattr(export_window, "export_notice", None) is None
