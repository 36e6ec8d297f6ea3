"""Fixtures for the export dialog tests: private QSettings, recorded message boxes, a window."""

from __future__ import annotations

import pytest

from optiviz_gui.cli import load_simulation
from optiviz_gui.core.simulation import Simulation


@pytest.fixture
def recorded_dialogs(monkeypatch):
    """optiviz_gui.ui.dialogs' message boxes replaced by a list of (name, title, message)."""
    from optiviz_gui.ui import dialogs

    calls = []
    for name in ("show_error", "show_info"):
        monkeypatch.setattr(dialogs, name,
                            lambda parent, title, message, n=name: calls.append((n, title, message)))
    return calls


@pytest.fixture
def export_window(qtbot, tmp_path, recorded_dialogs):
    """A shown MainWindow (no 3-D view) on the blog example cut to 5 steps."""
    from PySide6.QtCore import QSettings

    from optiviz_gui.ui.main_window import MainWindow

    blog = load_simulation(None)
    sim = Simulation(blog.surface, blog.start, blog.runs, 5)
    q = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    w = MainWindow(sim, settings=q, gl=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.playback.pause()
    if w.isVisible() and hasattr(w, "close_without_asking"):
        w.close_without_asking()
