"""After an export, the status bar says where the file went, with a button that opens
its folder in the desktop's file manager (QDesktopServices). The notice stays until
the next one or ``NOTICE_MS``, whichever comes first."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

NOTICE_MS = 20_000


class ExportNotice(QWidget):
    """"Exported blog.gif to /home/me/out" [Open folder], in a status bar."""

    def __init__(self, status_bar) -> None:
        super().__init__(status_bar)
        self.path: Path | None = None
        self.label = QLabel(self)
        self.button = QPushButton("Open folder", self)
        self.button.setToolTip("Show the exported file's folder in the file manager")
        self.button.clicked.connect(self.open_folder)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.button)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.hide)
        status_bar.addWidget(self)
        self.hide()

    def show_path(self, path) -> None:
        self.path = Path(path)
        self.label.setText(f"Exported {self.path.name} to {self.path.parent}")
        self.label.setToolTip(str(self.path))
        self.show()
        self.timer.start(NOTICE_MS)

    def open_folder(self) -> bool:
        return bool(self.path) and QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path.parent)))


class SuggestNotice(QWidget):
    """"On Rosenbrock, SGD and Adam diverge at once at these learning rates." [Use the
    surface's suggested learning rates], in a status bar, until used or dismissed by a
    later change (``offer`` / ``withdraw``)."""

    def __init__(self, status_bar, apply) -> None:
        super().__init__(status_bar)
        self._apply = apply
        self.runs: list[int] = []
        self.label = QLabel(self)
        self.button = QPushButton("Use suggested learning rates", self)
        self.button.clicked.connect(self.use)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.button)
        status_bar.addWidget(self)
        self.hide()

    def offer(self, surface_title: str, runs: list[int], labels: list[str],
              rates: list[float | None]) -> None:
        self.runs = runs
        names = [labels[i] for i in runs]
        said = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        self.label.setText(f"On {surface_title}, {said} diverge{'s' if len(names) == 1 else ''} "
                           f"at once at these learning rates.")
        tips = [f"{labels[i]}: lr {lr:g}" for i, lr in zip(runs, rates) if lr is not None]
        self.button.setToolTip("Set " + "; ".join(tips) + " (from the surface's curvature at "
                               "the start, or 1 % of its window for step-size optimizers)")
        self.show()

    def withdraw(self) -> None:
        self.runs = []
        self.hide()

    def use(self) -> None:
        runs = self.runs
        self.withdraw()
        self._apply(runs)
