"""Can this process draw the 3-D view, and the two process settings OpenGL needs.

Only on a real window system (Qt's xcb or wayland platform) with an OpenGL
context that can be made current. A context check alone is not enough: under
``QT_QPA_PLATFORM=offscreen`` with DISPLAY set a context is created, and the
GL widget then renders nothing or segfaults (docs/architecture.md, "Platform").

The process that starts the app (``window/app.make_app``, the headless export's
``ensure_app``, the test suite) calls ``choose_pyopengl_platform`` and
``share_gl_contexts`` before the QApplication exists; importing this module
changes nothing.
"""

from __future__ import annotations

import os

_cached: bool | None = None


def share_gl_contexts() -> bool:
    """Ask Qt to put every OpenGL widget in one share group (AA_ShareOpenGLContexts).

    pyqtgraph compiles each shader program once per process and caches it on
    the class; without a shared group the second GL view (a new window, an
    export view, the next test) draws nothing but GL errors. Only possible
    before the QApplication exists. Returns whether sharing is on.
    """
    from PySide6.QtCore import QCoreApplication, Qt

    attr = Qt.ApplicationAttribute.AA_ShareOpenGLContexts
    if QCoreApplication.instance() is None:
        QCoreApplication.setAttribute(attr, True)
    return QCoreApplication.testAttribute(attr)


def choose_pyopengl_platform() -> None:
    """Tell PyOpenGL to use GLX on X11, before OpenGL is first imported.

    PyOpenGL picks EGL whenever WAYLAND_DISPLAY or XDG_SESSION_TYPE=wayland is
    set, and then every 3-D item fails with "Attempt to retrieve context when no
    valid context". A choice already made (PYOPENGL_PLATFORM set) stays.
    """
    if "PYOPENGL_PLATFORM" not in os.environ:
        wayland = os.environ.get("QT_QPA_PLATFORM", "").startswith("wayland")
        os.environ["PYOPENGL_PLATFORM"] = "egl" if wayland else "glx"


_GL_PLATFORMS = ("xcb", "wayland")


def platform_name() -> str:
    """Qt's platform plugin name: of the running app, else what QT_QPA_PLATFORM asks for."""
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is not None:
        return QGuiApplication.platformName()
    env = os.environ.get("QT_QPA_PLATFORM", "")
    if env:
        return env.split(":")[0]
    if os.environ.get("WAYLAND_DISPLAY"):
        return "wayland"
    return "xcb" if os.environ.get("DISPLAY") else ""


def gl_available() -> bool:
    """True only if the Qt platform is xcb/wayland AND an OpenGL context can be made current.

    Needs a running QGuiApplication for the context check (it does not create
    one): without one it answers False and does not cache the answer.
    """
    global _cached
    if _cached is not None:
        return _cached
    if not platform_name().startswith(_GL_PLATFORMS):
        return False
    from PySide6.QtGui import QGuiApplication, QOffscreenSurface, QOpenGLContext

    if QGuiApplication.instance() is None:
        return False  # cannot check a context yet; ask again once the app exists
    ctx = QOpenGLContext()
    ok = ctx.create()
    if ok:
        surface = QOffscreenSurface()
        surface.setFormat(ctx.format())
        surface.create()
        ok = surface.isValid() and ctx.makeCurrent(surface)
        if ok:
            ctx.doneCurrent()
        surface.destroy()
    _cached = bool(ok)
    return _cached
