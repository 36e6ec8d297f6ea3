"""Shared fixtures for the UI tests (pytest-qt under pytest-xvfb).

- every test runs with QSettings redirected to a temp folder, so the user's
  real settings are never read or written;
- ``qsettings``: a QSettings on a temp ini file, to pass to MainWindow;
- ``blog_sim``: the default example (resources/presets/blog.json);
- ``dialogs``: every modal dialog replaced by a recorder (no test can hang
  on a message box); set ``dialogs.answers[...]`` to script the answers;
- ``window``: a shown MainWindow on the blog example without the 3-D view,
  closed (timers stopped) at teardown; ``make_window`` builds more;
- ``recorded_dialogs``, ``export_window``: for the export dialogs (a window on the
  blog example cut to 5 steps, message boxes recorded as (name, title, message)).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from optiviz_gui.ui.views.surface.gl import choose_pyopengl_platform, share_gl_contexts

# what the app's start does, before pytest-qt makes the QApplication and anything
# imports OpenGL: GLX on X11, and one OpenGL share group for every 3-D view
choose_pyopengl_platform()
share_gl_contexts()

from optiviz_gui.core import session
from optiviz_gui.core.simulation import Simulation


@pytest.fixture(autouse=True)
def _private_qsettings(tmp_path_factory):
    """Point default-constructed QSettings at a temp folder for the whole test."""
    folder = str(tmp_path_factory.mktemp("qsettings"))
    for fmt in (QSettings.IniFormat, QSettings.NativeFormat):
        QSettings.setPath(fmt, QSettings.UserScope, folder)
    QSettings.setDefaultFormat(QSettings.IniFormat)
    yield


@pytest.fixture
def qsettings(tmp_path):
    s = QSettings(str(tmp_path / "optiviz-test.ini"), QSettings.IniFormat)
    s.clear()
    return s


@pytest.fixture
def blog_sim():
    return session.load(None)


class DialogRecorder:
    """Stands in for optiviz_gui.ui.dialogs: records calls, returns scripted answers."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple]] = []
        self.answers: dict[str, object] = {"ask_save_changes": "cancel"}

    def named(self, name: str) -> list[tuple]:
        return [args for n, args in self.calls if n == name]

    def make(self, name: str):
        def fake(*args):
            self.calls.append((name, args))
            return self.answers.get(name)
        return fake


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    from optiviz_gui.ui.dialogs import common as module

    rec = DialogRecorder()
    for name in ("open_session_path", "save_session_path", "open_csv_path", "pick_color",
                 "show_error", "show_info", "ask_save_changes", "show_about"):
        monkeypatch.setattr(module, name, rec.make(name))
    return rec


@pytest.fixture
def make_window(qtbot, qsettings):
    """make_window(sim=None, settings=None, gl=False) -> a shown MainWindow."""
    from optiviz_gui.ui.window.main_window import MainWindow

    made = []

    def make(sim=None, settings=None, gl=False, path=None):
        w = MainWindow(sim or session.load(None), path=path,
                       settings=settings if settings is not None else qsettings, gl=gl)
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        made.append(w)
        return w

    yield make
    for w in made:
        w.playback.pause()
        if w.isVisible():
            w.close_without_asking()


@pytest.fixture
def window(make_window):
    return make_window()


@pytest.fixture
def show_view(qtbot):
    """show_view(view, w, h) -> view, shown and exposed. Every view shown here is closed,
    deleted and garbage collected at teardown: left to Python's collector, an old view
    can be destroyed in the middle of a later test's paint, which crashes Qt."""
    import gc

    from PySide6 import QtCore

    made = []

    def show(view, w, h):
        made.append(view)
        view.resize(w, h)
        view.show()
        qtbot.waitExposed(view)
        return view
    yield show
    for view in made:
        view.close()
        view.deleteLater()
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
    gc.collect()


@pytest.fixture
def recorded_dialogs(monkeypatch):
    """The message boxes of optiviz_gui.ui.dialogs.common replaced by a list of (name, title, message)."""
    from optiviz_gui.ui.dialogs import common as dialogs

    calls = []
    for name in ("show_error", "show_info"):
        monkeypatch.setattr(dialogs, name,
                            lambda parent, title, message, n=name: calls.append((n, title, message)))
    return calls


@pytest.fixture
def export_window(qtbot, tmp_path, recorded_dialogs):
    """A shown MainWindow (no 3-D view) on the blog example cut to 5 steps."""
    from PySide6.QtCore import QSettings

    from optiviz_gui.ui.window.main_window import MainWindow

    blog = session.load(None)
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
