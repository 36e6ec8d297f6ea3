"""Everything that imports PySide6, pyqtgraph or OpenGL.

PyOpenGL must be told to use GLX on X11 before it is first imported: it picks
EGL whenever WAYLAND_DISPLAY or XDG_SESSION_TYPE=wayland is set, and then
every 3-D item fails (../shared/PLATFORM.md).
"""

import os

if "PYOPENGL_PLATFORM" not in os.environ:
    _wayland = os.environ.get("QT_QPA_PLATFORM", "").startswith("wayland")
    os.environ["PYOPENGL_PLATFORM"] = "egl" if _wayland else "glx"


def _make_none_immortal() -> None:
    """Work around PySide6 6.12 on Python 3.11: every Qt method that returns None hands
    back a reference to None it never took, so after a few thousand calls (one
    export frame makes hundreds) Python aborts with "deallocating None". Python
    3.12 made None immortal (PEP 683); give it the same effectively endless count here.
    """
    import ctypes
    import sys

    if sys.version_info >= (3, 12):
        return
    before = sys.getrefcount(None)
    if before > 1 << 40:
        return
    count = ctypes.c_ssize_t.from_address(id(None))   # ob_refcnt is PyObject's first field
    count.value += 1 << 60
    if abs(sys.getrefcount(None) - before - (1 << 60)) > 1 << 20:  # not a standard build: undo
        count.value -= 1 << 60


_make_none_immortal()
