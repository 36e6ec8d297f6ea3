"""PyInstaller runtime hook: choose PyOpenGL's platform before OpenGL is imported.

PyOpenGL picks EGL whenever WAYLAND_DISPLAY is set or XDG_SESSION_TYPE=wayland, even
when Qt itself draws through X11 (xcb, XWayland), and then every 3-D item fails with
"Attempt to retrieve context when no valid context".  So: use EGL only when Qt will
really run on Wayland, GLX otherwise.  A PYOPENGL_PLATFORM set by the user wins.

Qt's choice: QT_QPA_PLATFORM if set (its first entry), else Wayland in a Wayland
session when the bundle carries the wayland platform plugin, else xcb.
"""
import os
import sys


def _qt_platform(env, has_wayland_plugin: bool) -> str:
    requested = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if requested:
        return requested
    wayland_session = bool(env.get("WAYLAND_DISPLAY")) or env.get("XDG_SESSION_TYPE") == "wayland"
    return "wayland" if wayland_session and has_wayland_plugin else "xcb"


def _has_wayland_plugin() -> bool:
    base = getattr(sys, "_MEIPASS", os.path.dirname(os.path.abspath(sys.executable)))
    platforms = os.path.join(base, "PySide6", "Qt", "plugins", "platforms")
    try:
        return any(name.startswith("libqwayland") for name in os.listdir(platforms))
    except OSError:
        return False


if not os.environ.get("PYOPENGL_PLATFORM"):
    platform = _qt_platform(os.environ, _has_wayland_plugin())
    os.environ["PYOPENGL_PLATFORM"] = "egl" if platform.startswith("wayland") else "glx"
