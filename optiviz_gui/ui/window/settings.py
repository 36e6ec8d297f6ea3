"""What the app remembers between runs (QSettings) and the light/dark theme of the whole app.

Kept under these keys (organisation and application "OptiViz"):

    window/geometry     QMainWindow.saveGeometry()
    window/state        QMainWindow.saveState()    (dock and toolbar layout)
    window/splitters    {name: QSplitter.saveState()} for the pane splitters
    window/panes        {name: visible} for the panes of the View menu
    window/tab          the front tab under the 3-D view: "loss" or "data"
    theme               "light" or "dark"
    recent              the most recent session files first, at most MAX_RECENT

Tests pass their own ``QSettings(path, QSettings.IniFormat)`` so the user's
real settings are never touched.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("light", "dark")
MAX_RECENT = 8


class Settings:
    """A thin typed layer over one QSettings object."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self.q = qsettings if qsettings is not None else QSettings("OptiViz", "OptiViz")

    # ------------------------------------------------------------- theme
    def theme(self) -> str:
        name = self.q.value("theme", "light")
        return name if name in THEMES else "light"

    def set_theme(self, name: str) -> None:
        self.q.setValue("theme", name)

    # ------------------------------------------------------- recent files
    def recent_files(self) -> list[str]:
        value = self.q.value("recent", [])
        if isinstance(value, str):          # QSettings hands back a lone string for a 1-list
            value = [value]
        return [str(p) for p in (value or []) if p][:MAX_RECENT]

    def add_recent(self, path: str | os.PathLike) -> list[str]:
        path = os.path.abspath(os.fspath(path))
        files = [path] + [p for p in self.recent_files() if p != path]
        self.q.setValue("recent", files[:MAX_RECENT])
        return files[:MAX_RECENT]

    def remove_recent(self, path: str) -> None:
        self.q.setValue("recent", [p for p in self.recent_files() if p != path])

    def clear_recent(self) -> None:
        self.q.setValue("recent", [])

    # ------------------------------------------------------------ layout
    def save_layout(self, window, splitters: dict, panes: dict[str, bool]) -> None:
        """Store the window's geometry, dock state, splitter sizes and pane visibility."""
        self.q.setValue("window/geometry", window.saveGeometry())
        self.q.setValue("window/state", window.saveState())
        for name, splitter in splitters.items():
            self.q.setValue(f"window/splitters/{name}", splitter.saveState())
        for name, visible in panes.items():
            self.q.setValue(f"window/panes/{name}", bool(visible))
        self.q.sync()

    def restore_layout(self, window, splitters: dict) -> bool:
        """Restore what ``save_layout`` stored; False if nothing was stored yet."""
        geometry = self.q.value("window/geometry")
        if geometry is None:
            return False
        window.restoreGeometry(geometry)
        state = self.q.value("window/state")
        if state is not None:
            window.restoreState(state)
        for name, splitter in splitters.items():
            value = self.q.value(f"window/splitters/{name}")
            if value is not None:
                splitter.restoreState(value)
        return True

    def pane_visible(self, name: str, default: bool = True) -> bool:
        value = self.q.value(f"window/panes/{name}", default)
        return value if isinstance(value, bool) else str(value).lower() == "true"


# ------------------------------------------------------------------ theme
def dark_palette() -> QPalette:
    """A calm dark palette (Fusion style): grey surfaces, light text, blue highlight."""
    p = QPalette()
    window, base, alt = QColor("#2b2d30"), QColor("#1f2023"), QColor("#313338")
    text, dim, link = QColor("#e6e6e6"), QColor("#8a8d93"), QColor("#56B4E9")
    for group in (QPalette.Active, QPalette.Inactive, QPalette.Disabled):
        p.setColor(group, QPalette.Window, window)
        p.setColor(group, QPalette.WindowText, text)
        p.setColor(group, QPalette.Base, base)
        p.setColor(group, QPalette.AlternateBase, alt)
        p.setColor(group, QPalette.ToolTipBase, alt)
        p.setColor(group, QPalette.ToolTipText, text)
        p.setColor(group, QPalette.PlaceholderText, dim)
        p.setColor(group, QPalette.Text, text)
        p.setColor(group, QPalette.Button, alt)
        p.setColor(group, QPalette.ButtonText, text)
        p.setColor(group, QPalette.BrightText, QColor("#ff6b6b"))
        p.setColor(group, QPalette.Link, link)
        p.setColor(group, QPalette.Highlight, QColor("#2f6aa8"))
        p.setColor(group, QPalette.HighlightedText, QColor("#ffffff"))
        p.setColor(group, QPalette.Light, QColor("#45474d"))
        p.setColor(group, QPalette.Midlight, QColor("#3a3c41"))
        p.setColor(group, QPalette.Mid, QColor("#26272a"))
        p.setColor(group, QPalette.Dark, QColor("#191a1c"))
        p.setColor(group, QPalette.Shadow, QColor("#000000"))
    for role in (QPalette.WindowText, QPalette.Text, QPalette.ButtonText):
        p.setColor(QPalette.Disabled, role, dim)
    return p


def apply_app_theme(name: str) -> None:
    """Give the whole application the light (the style's standard) or the dark palette."""
    app = QApplication.instance()
    if app is None:
        return
    if name == "dark":
        app.setPalette(dark_palette())
    else:
        app.setPalette(app.style().standardPalette())


def error_color(theme: str) -> str:
    """Red that reads on the theme's background, for invalid-value messages."""
    return "#ff7b72" if theme == "dark" else "#c62828"
