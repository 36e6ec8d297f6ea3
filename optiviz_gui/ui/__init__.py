"""Everything that imports PySide6, pyqtgraph or OpenGL.

PyOpenGL must be told to use GLX on X11 before it is first imported: it picks
EGL whenever WAYLAND_DISPLAY or XDG_SESSION_TYPE=wayland is set, and then
every 3-D item fails (../shared/PLATFORM.md).
"""

import os

if "PYOPENGL_PLATFORM" not in os.environ:
    _wayland = os.environ.get("QT_QPA_PLATFORM", "").startswith("wayland")
    os.environ["PYOPENGL_PLATFORM"] = "egl" if _wayland else "glx"

