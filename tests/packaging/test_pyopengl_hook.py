"""The bundle's runtime hook picks PyOpenGL's platform the way Qt will draw.

References: docs/architecture.md (PyOpenGL chooses EGL whenever WAYLAND_DISPLAY or
XDG_SESSION_TYPE=wayland is set, and then the 3-D view fails under X11/XWayland)
and Qt's rules for QT_QPA_PLATFORM (an explicit platform, first of a ';' list, wins;
a Wayland session uses the wayland plugin when there is one, else falls back to xcb).
"""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path

import pytest

HOOK = Path(__file__).resolve().parents[2] / "packaging" / "rthook_pyopengl.py"
VARS = ("PYOPENGL_PLATFORM", "QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE")


def choice(monkeypatch, tmp_path, env: dict, wayland_plugin: bool = True) -> str:
    """Run the hook as the bundle would, in a fake bundle folder; PYOPENGL_PLATFORM after it."""
    for name in VARS:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    platforms = tmp_path / "PySide6" / "Qt" / "plugins" / "platforms"
    platforms.mkdir(parents=True, exist_ok=True)
    (platforms / "libqxcb.so").write_bytes(b"")
    if wayland_plugin:
        (platforms / "libqwayland.so").write_bytes(b"")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    runpy.run_path(str(HOOK))
    return os.environ["PYOPENGL_PLATFORM"]


@pytest.mark.parametrize("env, wayland_plugin, expected", [
    ({}, True, "glx"),                                                     # plain X11
    ({"WAYLAND_DISPLAY": "wayland-0", "QT_QPA_PLATFORM": "xcb"}, True, "glx"),   # XWayland
    ({"XDG_SESSION_TYPE": "wayland", "QT_QPA_PLATFORM": "xcb"}, True, "glx"),
    ({"WAYLAND_DISPLAY": "wayland-0"}, True, "egl"),                       # Qt goes native
    ({"XDG_SESSION_TYPE": "wayland"}, True, "egl"),
    ({"WAYLAND_DISPLAY": "wayland-0"}, False, "glx"),                      # no plugin: xcb
    ({"QT_QPA_PLATFORM": "wayland"}, True, "egl"),
    ({"QT_QPA_PLATFORM": "wayland-egl"}, True, "egl"),
    ({"QT_QPA_PLATFORM": "wayland;xcb"}, True, "egl"),                     # first entry wins
    ({"QT_QPA_PLATFORM": "xcb;wayland", "WAYLAND_DISPLAY": "w"}, True, "glx"),
    ({"QT_QPA_PLATFORM": "offscreen"}, True, "glx"),
])
def test_platform_follows_qt(monkeypatch, tmp_path, env, wayland_plugin, expected):
    assert choice(monkeypatch, tmp_path, env, wayland_plugin) == expected


def test_a_platform_set_by_the_user_is_kept(monkeypatch, tmp_path):
    assert choice(monkeypatch, tmp_path, {"PYOPENGL_PLATFORM": "osmesa",
                                          "WAYLAND_DISPLAY": "wayland-0"}) == "osmesa"
