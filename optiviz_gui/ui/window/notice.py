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
