"""Everything that imports PySide6, pyqtgraph or OpenGL.

PyOpenGL must be told to use GLX on X11 before it is first imported: it picks
EGL whenever WAYLAND_DISPLAY or XDG_SESSION_TYPE=wayland is set, and then
every 3-D item fails (../shared/PLATFORM.md).
"""

import os

if "PYOPENGL_PLATFORM" not in os.environ:
    _wayland = os.environ.get("QT_QPA_PLATFORM", "").startswith("wayland")
    os.environ["PYOPENGL_PLATFORM"] = "egl" if _wayland else "glx"


def _make_singletons_immortal() -> None:
    """Work around PySide6 6.12 on Python 3.11: Qt methods that return None (and a
    signal's ``emit``, which returns True) hand back a reference they never took,
    so after a few thousand calls (one export frame makes hundreds) Python aborts
    with "deallocating None" or "deallocating True or False". Python 3.12 made
    these singletons immortal (PEP 683); give them the same endless count here.
    """
    import ctypes
    import sys

    if sys.version_info >= (3, 12):
        return
    for obj in (None, True, False):
        before = sys.getrefcount(obj)
        if before > 1 << 40:
            continue
        count = ctypes.c_ssize_t.from_address(id(obj))   # ob_refcnt: PyObject's first field
        count.value += 1 << 60
        if abs(sys.getrefcount(obj) - before - (1 << 60)) > 1 << 20:  # unusual build: undo
            count.value -= 1 << 60


_make_singletons_immortal()
