"""``optiviz export SESSION.json -o OUT.gif [--view contour|surface|both] [--size WxH] [--fps N]``.

One frame per step (steps + 1 frames) rendered by the app's own views, on a
machine with or without a screen:

- the contour view draws under Qt's offscreen platform, which needs no
  display at all (used whenever QT_QPA_PLATFORM is not set by the user);
- the 3-D view needs OpenGL on a real window system: an X server (Xvfb is
  fine) or Wayland. Without one the export stops with ``NEEDS_X`` before
  anything is drawn.

The output's suffix decides: .gif (loops forever), .mp4 (needs imageio-ffmpeg),
.png (the last frame). Every problem is one ConfigError sentence and leaves no
file behind.
"""

from __future__ import annotations

import os
import socket
import sys

from ...core.errors import ConfigError
from ...export.writers import Progress, check_destination, export_frames, output_kind

VIEWS = ("contour", "surface", "both")   # render.VIEWS, without importing Qt yet

_APP = None      # the QApplication this module made, kept for the life of the process

HEADLESS_ARROWS = (True, True, False)   # gradient, actual step, momentum buffer
NEEDS_X = ("The 3-D view needs an X server with OpenGL; run under xvfb-run "
           "or use --view contour.")


def export_session(session_path, output, view: str = "contour",
                   size: tuple[int, int] = (800, 600), fps: float = 10.0,
                   progress: Progress | None = None) -> None:
    """Render the session at ``session_path`` to ``output`` (see the module docstring)."""
    output_kind(output)
    if view not in VIEWS:
        raise ConfigError(f"view must be one of {', '.join(VIEWS)}, got {view!r}.")
    w, h = (int(v) for v in size)
    if w < 16 or h < 16:
        raise ConfigError(f"size must be at least 16x16, got {w}x{h}.")
    if view == "both" and w < 32:
        raise ConfigError(f"size must be at least 32 pixels wide for two views, got {w}x{h}.")
    if not fps > 0:
        raise ConfigError(f"fps must be positive, got {fps}.")
    check_destination(output)

    from ...core import session
    sim = session.load(session_path)
    if output_kind(output) == "gif":
        from ...export import gif_pipe
        if gif_pipe.default_backend((w, h), sim.steps + 1) == "process":
            gif_pipe.prestart()          # the encoder loads while Qt and the views start

    needs_gl = view in ("surface", "both")
    ensure_app(needs_gl)
    from ..views.options import ViewOptions
    from .frames import ViewFrames
    # as the app opens: arrows for the gradient and for the step actually taken
    with ViewFrames(sim, view, (w, h), ViewOptions(arrows=HEADLESS_ARROWS)) as source:
        export_frames(output, source, fps, progress)


def ensure_app(needs_gl: bool = False):
    """The running QApplication, or a new one on a platform that can draw the views.

    Raises ConfigError(NEEDS_X) when the 3-D view is wanted and there is no
    window system with OpenGL.
    """
    from PySide6.QtWidgets import QApplication

    global _APP
    app = QApplication.instance()
    if app is None:
        platform = os.environ.get("QT_QPA_PLATFORM", "")
        argv = [sys.argv[0] if sys.argv and sys.argv[0] else "optiviz"]
        if not platform:
            if needs_gl:
                platform = "wayland" if os.environ.get("WAYLAND_DISPLAY") else "xcb"
            else:
                platform = "offscreen"
                argv += ["-platform", platform]      # Qt's own option, no environment write
        if platform.startswith("xcb") and not x_server_reachable():
            # Qt aborts the whole process when it cannot open the display
            raise ConfigError(NEEDS_X if needs_gl else
                              f"Cannot open the X display {os.environ.get('DISPLAY', '')!r}; "
                              f"unset QT_QPA_PLATFORM to draw offscreen.")
        if needs_gl:
            from ..views.surface.gl import choose_pyopengl_platform, share_gl_contexts
            choose_pyopengl_platform()   # before OpenGL is imported
            share_gl_contexts()          # before the application exists, or never
        app = _APP = QApplication(argv)
    if needs_gl:
        from ..views.surface.gl import gl_available
        if not gl_available():
            raise ConfigError(NEEDS_X)
    return app


def x_server_reachable(display: str | None = None, timeout: float = 2.0) -> bool:
    """Whether an X server answers at DISPLAY ("[host]:N[.S]"), without asking Qt.

    Local displays are Unix sockets /tmp/.X11-unix/XN (or the abstract
    socket of that name on Linux); "host:N" is TCP port 6000 + N.
    """
    display = os.environ.get("DISPLAY", "") if display is None else display
    host, sep, rest = display.rpartition(":")
    if not sep:
        return False
    try:
        number = int(rest.split(".")[0])
    except ValueError:
        return False
    if host in ("", "unix"):
        path = f"/tmp/.X11-unix/X{number}"
        for address in (path, "\0" + path):
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.settimeout(timeout)
                    s.connect(address)
                    return True
            except OSError:
                continue
        return False
    try:
        with socket.create_connection((host, 6000 + number), timeout=timeout):
            return True
    except OSError:
        return False
