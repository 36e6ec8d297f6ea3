"""The optimizer list: add (optimizers, SGD presets, schedule presets), remove, enable, colour, label.

One row per run: a checkbox (enabled), a colour swatch, the label (double-click
to edit; an empty label goes back to the readable default). The list only
announces requests — ``run_added(Run)``, ``run_removed(i)``,
``run_changed(i, {field: value})`` — and is redrawn from the model (which it
reads, never copies) by ``show_runs`` (every row) and ``show_run(i, fields)``
(what changed); a row that already shows the model is left alone, so the echo
of the list's own request rewrites nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QListWidget, QListWidgetItem,
                               QMenu, QPushButton, QToolButton, QVBoxLayout, QWidget)

from ...core import presets
from ...core.optimizers import OPTIMIZERS, PRESETS, make_optimizer
from ...core.simulation import Run
from ..dialogs import common as dialogs


def swatch(color: str, size: int = 14) -> QIcon:
    """A filled circle of ``color`` with a thin dark ring (reads on light and dark)."""
    pix = QPixmap(size, size)
    pix.fill(Qt.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.Antialiasing)
    p.setPen(QColor(0, 0, 0, 120))
    p.setBrush(QColor(color))
    p.drawEllipse(1, 1, size - 2, size - 2)
    p.end()
    return QIcon(pix)


def preset_run(name: str, steps: int = 100) -> Run:
    """A new run for a menu entry: a preset's display name (an SGD preset, or a schedule
    preset fitted to ``steps``) or an optimizer's torch name."""
    if name in PRESETS:
        torch_name, hp = PRESETS[name]
        return Run(make_optimizer(torch_name, **hp), label=name)
    if name in presets.SCHEDULE_PRESETS:
        return presets.preset_run(name, steps)
    return Run(make_optimizer(name))


class RunList(QWidget):
    """See the module docstring."""

    run_added = Signal(object)
    run_removed = Signal(int)
    run_changed = Signal(int, object)
    current_changed = Signal(int)

    def __init__(self, sim, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sim = sim                    # read only: requests go out as signals
        self._select_last = False

        self.list = QListWidget(self)
        self.list.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed)
        self.list.setIconSize(QSize(14, 14))
        self.list.setToolTip("Tick to show a run; double-click a name to rename it")
        self.list.setMaximumHeight(self.list.fontMetrics().height() * 8 + 16)
        self.list.itemChanged.connect(self._item_changed)
        self.list.currentRowChanged.connect(self.current_changed)

        self.add_button = QToolButton(self)
        self.add_button.setText("Add")
        self.add_button.setToolTip("Add an optimizer, an SGD preset or a run with a "
                                   "learning-rate schedule")
        self.add_button.setPopupMode(QToolButton.InstantPopup)
        self.add_button.setToolButtonStyle(Qt.ToolButtonTextOnly)
        menu = QMenu(self.add_button)
        for name in PRESETS:
            menu.addAction(name, lambda n=name: self._add(n))
        menu.addSeparator()
        for name in presets.SCHEDULE_PRESETS:
            action = menu.addAction(name, lambda n=name: self._add(n))
            action.setToolTip(presets.describe(name))
        menu.setToolTipsVisible(True)
        menu.addSeparator()
        for key, cls in OPTIMIZERS.items():
            menu.addAction(cls.title, lambda n=key: self._add(n))
        self.add_button.setMenu(menu)
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setToolTip("Remove the selected run")
        self.remove_button.clicked.connect(self.remove_current)
        self.color_button = QPushButton("Colour…", self)
        self.color_button.setToolTip("Choose the selected run's colour")
        self.color_button.clicked.connect(self.choose_color)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.color_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(buttons)

    # -------------------------------------------------------- from the model
    def show_runs(self) -> None:
        """Make the rows the model's runs (added, removed, a new session), keeping the
        selection (a new run is selected); no requests are emitted."""
        n = len(self.sim.runs)
        row = self.list.currentRow()
        with QSignalBlocker(self.list):
            while self.list.count() > n:
                self.list.takeItem(self.list.count() - 1)
            while self.list.count() < n:
                item = QListWidgetItem(self.list)
                item.setFlags(item.flags() | Qt.ItemIsEditable | Qt.ItemIsUserCheckable)
            for i in range(n):
                self._show_row(i)
            if self._select_last:
                row, self._select_last = n - 1, False
            if n:
                self.list.setCurrentRow(min(max(row, 0), n - 1))
        self.remove_button.setEnabled(bool(n))
        self.color_button.setEnabled(bool(n))
        if self.list.currentRow() != row:
            self.current_changed.emit(self.list.currentRow())

    def show_run(self, i: int, fields) -> None:
        """Run i's ``fields`` changed: its row (and, for a label, every label: the
        numbering of repeated names depends on the others)."""
        with QSignalBlocker(self.list):
            for j in (range(self.list.count()) if "label" in fields else (i,)):
                self._show_row(j)

    def _show_row(self, i: int) -> None:
        run, item = self.sim.runs[i], self.list.item(i)
        label, color = self.sim.labels()[i], self.sim.colors()[i]
        if item.text() != label:
            item.setText(label)
        if item.data(Qt.UserRole) != color:          # the swatch's colour
            item.setData(Qt.UserRole, color)
            item.setIcon(swatch(color))
        check = Qt.Checked if run.enabled else Qt.Unchecked
        if item.checkState() != check:
            item.setCheckState(check)
        item.setToolTip(f"{run.optimizer!r}")

    def current(self) -> int:
        return self.list.currentRow()

    # ------------------------------------------------------------- requests
    def _add(self, name: str) -> None:
        self._select_last = True          # show the new run's settings once the model has it
        self.run_added.emit(preset_run(name, self.sim.steps))
        self._select_last = False

    def remove_current(self) -> None:
        i = self.list.currentRow()
        if 0 <= i < len(self.sim.runs):
            self.run_removed.emit(i)

    def choose_color(self) -> None:
        i = self.list.currentRow()
        if not 0 <= i < len(self.sim.runs):
            return
        old = self.sim.colors()[i]
        color = dialogs.pick_color(self, old)
        if color and color.lower() != old.lower():
            self.run_changed.emit(i, {"color": color})

    def _item_changed(self, item: QListWidgetItem) -> None:
        i = self.list.row(item)
        if not 0 <= i < len(self.sim.runs):
            return
        enabled = item.checkState() == Qt.Checked
        if enabled != self.sim.runs[i].enabled:
            self.run_changed.emit(i, {"enabled": enabled})
            return
        text = item.text().strip()
        if text != self.sim.labels()[i]:
            self.run_changed.emit(i, {"label": text or None})
