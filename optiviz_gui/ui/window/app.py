"""Start the app: ``run_app(session_path_or_None, quit_after=None) -> exit code``.

Creates the QApplication (organisation and name "OptiViz", so QSettings lands
in one place; the Fusion style, so the light and dark palettes look the same
everywhere, with style.py's touches that keep the dark one legible), loads the
session (None: the blog example), shows the window and runs the event loop. A
session that cannot be loaded is one sentence on stderr and exit status 2,
before any window appears. ``quit_after`` closes the window after that many
seconds (smoke tests, the launch benchmark) and the exit status is then 0.

``make_app`` is the process's own set-up (run_app and the benchmarks call it, never
a library module), so it also moves Python's cyclic garbage collection to the GUI
thread (pyqtgraph's ``GarbageCollector``: automatic collection off, a 100 ms timer
collects as the thresholds say): a collection started by the kernels', filler's or
maps' worker thread would otherwise destroy Qt objects there, and Qt aborts
("Cannot make QOpenGLContext current in a different thread").
"""

from __future__ import annotations

import sys

EXIT_BAD_SESSION = 2


def make_app():
    """The QApplication (created once)."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from ..views.surface.gl import choose_pyopengl_platform, share_gl_contexts
    from ..style.qstyle import install_style

    app = QApplication.instance()
    if app is None:
        choose_pyopengl_platform()   # before anything imports OpenGL
        share_gl_contexts()          # only possible before the application exists
        app = QApplication(sys.argv[:1])
    app.setOrganizationName("OptiViz")
    app.setApplicationName("OptiViz")
    app.setApplicationDisplayName("OptiViz")
    app.setDesktopFileName("optiviz")
    install_style(app)              # Fusion; the window makes it dark-aware with its theme
    if not hasattr(app, "optiviz_gc"):
        from pyqtgraph.util.garbage_collector import GarbageCollector
        app.optiviz_gc = GarbageCollector(interval=0.1)     # see the module docstring
    icon = _icon_path()
    if icon:
        app.setWindowIcon(QIcon(icon))
    return app


def _icon_path() -> str | None:
    try:
        from optiviz_gui.resources import resource_path
        path = resource_path("icons", "optiviz.png")
        return str(path) if path.is_file() else None
    except (ImportError, OSError):
        return None


def run_app(session_path: str | None, quit_after: float | None = None) -> int:
    """Open the window on ``session_path`` (None: the default example); the exit code."""
    from optiviz_gui.core import session
    from optiviz_gui.core.errors import ConfigError

    try:
        sim = session.load(session_path)
    except ConfigError as e:
        print(f"optiviz: {e}", file=sys.stderr)
        return EXIT_BAD_SESSION

    app = make_app()
    from PySide6.QtCore import QTimer
    from .main_window import MainWindow

    window = MainWindow(sim, path=session_path)
    window.show()
    if quit_after is not None:
        QTimer.singleShot(max(0, int(quit_after * 1000)), window.close_without_asking)
    code = app.exec()
    return 0 if quit_after is not None else int(code)
