"""What the app remembers between runs (QSettings).

Kept under these keys (organisation and application "OptiViz"):

    window/geometry     QMainWindow.saveGeometry()
    window/state        QMainWindow.saveState()    (dock and toolbar layout)
    window/splitters    {name: QSplitter.saveState()} for the pane splitters
    window/panes        {name: visible} for the panes of the View menu
    window/tab          the front tab under the 3-D view: "loss", "data" or "maps"
    view/basin_overlay  the Maps view's start map under the contour (window/maps.py)
    theme               "light" or "dark"
    recent              the most recent session files first, at most MAX_RECENT

Tests pass their own ``QSettings(path, QSettings.IniFormat)`` so the user's
real settings are never touched.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings

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
