"""File ▸ Export animation… / Export image… / Export trajectories… for the main window.

Each command asks for its options (file, view, size, frame rate) in one small
dialog, then renders with the app's own views on a *copy* of the session
(``Simulation.copy()``), so the views on screen never move. A
progress dialog can cancel; a cancelled or failed export leaves no file (the
writers write a temporary file and rename it), and a failure is one sentence
in ``dialogs.show_error`` while the app keeps running.

The window provides ``sim``, the contour view as ``contour``, the 3-D view as
``surface3d`` (None without OpenGL) and ``settings.q`` (QSettings, where the
last choices are remembered); the exported views take the on-screen ones'
``options`` (theme, scale, iso-lines, arrows, camera). ``ask_options`` and ``ask_trajectories_path`` are
the only modal questions; tests replace them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (QApplication, QComboBox, QDialog, QDialogButtonBox,
                               QDoubleSpinBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QProgressDialog, QPushButton, QSpinBox, QWidget)

from ...core.errors import ConfigError
from . import common as dialogs

VIEW_NAMES = {"contour": "Contour map", "surface": "3-D surface", "both": "Both, side by side"}
ANIMATION_FILTERS = {".gif": "GIF animation (*.gif)", ".mp4": "MP4 video (*.mp4)"}
IMAGE_FILTER = "PNG image (*.png)"
TRAJECTORY_FILTERS = {".csv": "CSV, as optiviz run (*.csv)",
                      ".json": "JSON with every step's optimizer state (*.json)"}


@dataclass
class Options:
    path: str
    view: str = "contour"
    size: tuple[int, int] = (800, 600)
    fps: float = 10.0


# ------------------------------------------------------------------ commands
def export_animation(window) -> bool:
    """Every step of the session, step 0 to the last, as GIF or MP4. True when written."""
    options = ask_options(window, "animation")
    if options is None:
        return False
    return _render_to_file(window, options, step=None)


def export_image(window) -> bool:
    """The current step as a PNG. True when written."""
    options = ask_options(window, "image")
    if options is None:
        return False
    return _render_to_file(window, options, step=window.sim.step)


def export_trajectories(window) -> bool:
    """Every run, every step: CSV (as ``optiviz run``) or JSON with the optimizer state."""
    from ...export.trajectories import write_trajectories

    path = ask_trajectories_path(window)
    if not path:
        return False
    try:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            write_trajectories(path, window.sim.copy())
        finally:
            QApplication.restoreOverrideCursor()
    except ConfigError as e:
        dialogs.show_error(window, "Export failed", str(e))
        return False
    _remember(window, folder=str(Path(path).parent))
    window.last_export = Path(path).resolve()      # the status bar says where it went
    return True


# ------------------------------------------------------------------ rendering
def _render_to_file(window, options: Options, step: int | None) -> bool:
    from ..render.frames import ViewFrames
    from ...export.writers import Cancelled, export_frames

    sim = window.sim.copy()
    options_shown = window.contour.options
    if window.surface3d is not None:             # its scale is the map's; add its camera
        options_shown = options_shown.but(camera=window.surface3d.options.camera)
    title = "Exporting image…" if step is not None else "Exporting animation…"
    progress = QProgressDialog(title, "Cancel", 0, sim.steps + 2, window)
    progress.setWindowTitle("Export")
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(400)
    progress.setAutoClose(False)
    progress.setAutoReset(False)

    def tick(done: int, total: int) -> None:
        progress.setMaximum(total)
        progress.setValue(done)
        QApplication.processEvents()
        if progress.wasCanceled():
            raise Cancelled()

    try:
        _check_view(window, options.view)
        with ViewFrames(sim, options.view, options.size, options_shown) as source:
            target = source if step is None else _OneStep(source, step)
            export_frames(options.path, target, options.fps, tick)
    except Cancelled:
        return False
    except ConfigError as e:
        dialogs.show_error(window, "Export failed", str(e))
        return False
    except Exception as e:  # noqa: BLE001 - any failure is one sentence; the app goes on
        dialogs.show_error(window, "Export failed",
                           f"Could not export {Path(options.path).name}: {_sentence(e)}")
        return False
    finally:
        progress.close()
        progress.deleteLater()
    _remember(window, folder=str(Path(options.path).parent), view=options.view,
              size=options.size, fps=options.fps)
    window.last_export = Path(options.path).resolve()     # the status bar says where it went
    return True


class _OneStep:
    """A frame source of one frame: step k of another source (a PNG of the current step)."""

    def __init__(self, source, k: int) -> None:
        self.source, self.k = source, int(k)
        self.count, self.size = 1, source.size

    @property
    def key_colors(self):
        return getattr(self.source, "key_colors", ())

    def frame(self, _k: int):
        return self.source.frame(self.k)


def _check_view(window, view: str) -> None:
    if view in ("surface", "both") and window.surface3d is None:
        raise ConfigError("The 3-D view is not available here (no OpenGL), "
                          "so export the contour map instead.")


def _sentence(e: BaseException) -> str:
    text = (getattr(e, "strerror", None) or str(e) or type(e).__name__).strip().rstrip(".")
    return text[:1].lower() + text[1:] + "."


# ------------------------------------------------------------------- settings
def _q(window) -> QSettings:
    settings = getattr(window, "settings", None)
    return getattr(settings, "q", None) or QSettings("OptiViz", "OptiViz")


def _remember(window, **values) -> None:
    q = _q(window)
    for key, value in values.items():
        if key == "size":
            q.setValue("export/width", int(value[0]))
            q.setValue("export/height", int(value[1]))
        else:
            q.setValue(f"export/{key}", value)


def _defaults(window, kind: str) -> Options:
    q = _q(window)
    folder = q.value("export/folder", "") or str(Path.home())
    stem = Path(getattr(window, "path", None) or "optiviz").stem
    suffix = ".png" if kind == "image" else ".gif"
    view = q.value("export/view", "contour")
    if view not in VIEW_NAMES or (view != "contour" and window.surface3d is None):
        view = "contour"
    return Options(path=str(Path(folder) / f"{stem}{suffix}"), view=view,
                   size=(int(q.value("export/width", 800)), int(q.value("export/height", 600))),
                   fps=float(q.value("export/fps", 10.0)))


# -------------------------------------------------------------------- dialogs
def ask_options(window, kind: str) -> Options | None:
    """The options dialog for "animation" or "image"; None when cancelled."""
    dlg = OptionsDialog(window, kind, _defaults(window, kind), window.surface3d is not None)
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return None
    return dlg.options()


def ask_trajectories_path(window) -> str | None:
    folder = _q(window).value("export/folder", "") or str(Path.home())
    stem = Path(getattr(window, "path", None) or "optiviz").stem
    path, chosen = QFileDialog.getSaveFileName(window, "Export trajectories",
                                               str(Path(folder) / f"{stem}.csv"),
                                               ";;".join(TRAJECTORY_FILTERS.values()))
    return _with_suffix(path, chosen, TRAJECTORY_FILTERS) if path else None


def _with_suffix(path: str, chosen_filter: str, filters: dict[str, str]) -> str:
    """Add the suffix of the chosen filter when the typed name has none we know."""
    if Path(path).suffix.lower() in filters:
        return path
    for suffix, text in filters.items():
        if text == chosen_filter:
            return path + suffix
    return path + next(iter(filters))


class OptionsDialog(QDialog):
    """File, view, size and (for animations) frame rate."""

    def __init__(self, parent: QWidget, kind: str, defaults: Options, gl_ok: bool) -> None:
        super().__init__(parent)
        from ...export.mp4 import MP4_MISSING, mp4_available

        self.kind = kind
        self.setWindowTitle("Export animation" if kind == "animation" else "Export image")
        self.setMinimumWidth(520)
        form = QFormLayout(self)
        self.path = QLineEdit(defaults.path)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form.addRow("File", row)

        self.view = QComboBox()
        for key, text in VIEW_NAMES.items():
            self.view.addItem(text, key)
            if key != "contour" and not gl_ok:
                self.view.model().item(self.view.count() - 1).setEnabled(False)
        self.view.setCurrentIndex(list(VIEW_NAMES).index(defaults.view))
        form.addRow("View", self.view)

        self.width_box, self.height_box = QSpinBox(), QSpinBox()
        for box, value in ((self.width_box, defaults.size[0]), (self.height_box, defaults.size[1])):
            box.setRange(16, 8192)
            box.setSuffix(" px")
            box.setValue(value)
        size = QHBoxLayout()
        size.addWidget(self.width_box)
        size.addWidget(QLabel("×"))
        size.addWidget(self.height_box)
        form.addRow("Size", size)

        self.fps = QDoubleSpinBox()
        self.fps.setRange(0.5, 100.0)
        self.fps.setDecimals(1)
        self.fps.setSuffix(" frames/s")
        self.fps.setValue(defaults.fps)
        if kind == "animation":
            form.addRow("Frame rate", self.fps)
            note = ("One frame per step; the last frame is held 2 s and the GIF loops."
                    if mp4_available() else MP4_MISSING)
            hint = QLabel(note)
            hint.setWordWrap(True)
            hint.setEnabled(False)
            form.addRow(hint)
        else:
            self.fps.hide()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _filters(self) -> dict[str, str]:
        if self.kind == "image":
            return {".png": IMAGE_FILTER}
        from ...export.mp4 import mp4_available
        return ANIMATION_FILTERS if mp4_available() else {".gif": ANIMATION_FILTERS[".gif"]}

    def _browse(self) -> None:
        filters = self._filters()
        path, chosen = QFileDialog.getSaveFileName(self, self.windowTitle(), self.path.text(),
                                                   ";;".join(filters.values()))
        if path:
            self.path.setText(_with_suffix(path, chosen, filters))

    def options(self) -> Options:
        path = os.path.expanduser(self.path.text().strip())
        if not Path(path).suffix:
            path += next(iter(self._filters()))
        return Options(path=path, view=self.view.currentData(),
                       size=(self.width_box.value(), self.height_box.value()),
                       fps=self.fps.value())
