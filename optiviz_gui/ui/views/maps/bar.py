"""The map pane's own settings: which run, what kind of map, the colour scheme, grid, ranges.

    [Adam ▾] [Start points ▾] [β₁ ▾]      the run, the kind (start points, learning
    [Outcome ▾] [64² ▴▾] [↻] [⤢]          rate, lr × keyword) and keyword; the colours,
    lr 0.001 … 10   β₁ 0 … 0.99           the grid, compute again, full size; the
                                          ranges of a hyper map

These are the view's options, not the model's: the bar shows a ``MapOptions``
(``show_options``, which emits nothing) and asks for a new one with
``options_edited(MapOptions)``. A range typed wrong (not a number, lr ≤ 0, the
ends reversed) is shown in red with the reason and not asked for.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QLineEdit, QSpinBox,
                               QToolButton, QVBoxLayout, QWidget)

from .colors import SCHEME_TIPS, SCHEMES
from .describe import key_name, num
from .options import DEFAULT_GRID, GRID_RANGE, MapOptions, default_key, number_keys

KIND_ITEMS = (("start", "Start points"), ("lr", "Learning rate"), ("lr2", "lr × keyword"))


class RangeEdit(QLineEdit):
    """A number typed as text (1e-4 is easier typed than spun); ``value`` is the last good one."""

    committed = Signal()

    def __init__(self, tip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.value: float | None = None
        self.setToolTip(tip)
        self.setMaximumWidth(72)
        self.setMinimumWidth(48)
        self.editingFinished.connect(self._finished)

    def show_value(self, value: float | None) -> None:
        self.value = value
        with QSignalBlocker(self):
            self.setText("" if value is None else num(value).replace("−", "-"))
        self.setStyleSheet("")

    def typed(self) -> float | None:
        try:
            v = float(self.text().replace("−", "-"))
        except ValueError:
            return None
        return v if math.isfinite(v) else None

    def _finished(self) -> None:
        if self.typed() != self.value:
            self.committed.emit()


class MapBar(QWidget):
    """See the module docstring."""

    options_edited = Signal(object)
    full_size_toggled = Signal(bool)
    compute_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._options = MapOptions()
        self._sim = None
        self.run = QComboBox(self)
        self.run.setToolTip("The run to map: its optimizer, schedule, clipping and seed")
        self.kind = QComboBox(self)
        for _, text in KIND_ITEMS:
            self.kind.addItem(text)
        self.kind.setToolTip("Start points: every start on a grid over the window.\n"
                             "Learning rate: lr on a log axis, from the session's start.\n"
                             "lr × keyword: lr against a second keyword (momentum, β₁, …).")
        self.key = QComboBox(self)
        self.key.setToolTip("The keyword on the vertical axis")
        self.scheme = QComboBox(self)
        for key, text in SCHEMES.items():
            self.scheme.addItem(text, key)
            self.scheme.setItemData(self.scheme.count() - 1, SCHEME_TIPS[key],
                                    Qt.ItemDataRole.ToolTipRole)
        self.scheme.setToolTip("What colours the cells")
        self.grid = QSpinBox(self)
        self.grid.setRange(*GRID_RANGE)
        self.grid.setSuffix("²")
        self.grid.setKeyboardTracking(False)
        self.grid.setToolTip("Cells a side: N² runs (an lr strip: N runs)")
        self.again = QToolButton(self)
        self.again.setText("↻")
        self.again.setToolTip("Compute the map again (after a cancel)")
        self.full = QToolButton(self)
        self.full.setText("⤢")
        self.full.setCheckable(True)
        self.full.setToolTip("Show the map full size (View ▸ Maps full size; Esc returns)")
        self.lr_label = QLabel("lr", self)
        self.lr_lo, self.lr_hi = RangeEdit("Smallest lr", self), RangeEdit("Largest lr", self)
        self.v_label = QLabel(self)
        self.v_lo = RangeEdit("Smallest value of the keyword", self)
        self.v_hi = RangeEdit("Largest value of the keyword", self)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)

        rows = QVBoxLayout(self)
        rows.setContentsMargins(4, 2, 4, 2)
        rows.setSpacing(2)
        for widgets in ((self.run, self.kind, self.key),
                        (self.scheme, self.grid, self.again, self.full)):
            row = QHBoxLayout()
            row.setSpacing(4)
            for w in widgets:
                row.addWidget(w)
            row.addStretch(1)
            rows.addLayout(row)
        ranges = QHBoxLayout()
        ranges.setSpacing(3)
        for w in (self.lr_label, self.lr_lo, _dots(self), self.lr_hi):
            ranges.addWidget(w)
        ranges.addSpacing(8)
        self.v_dots = _dots(self)
        for w in (self.v_label, self.v_lo, self.v_dots, self.v_hi):
            ranges.addWidget(w)
        ranges.addStretch(1)
        self.ranges = QWidget(self)
        self.ranges.setLayout(ranges)
        ranges.setContentsMargins(0, 0, 0, 0)
        rows.addWidget(self.ranges)
        rows.addWidget(self.problem)

        self.run.activated.connect(self._run_chosen)
        self.kind.activated.connect(self._kind_chosen)
        self.key.activated.connect(self._key_chosen)
        self.scheme.activated.connect(lambda _i: self._emit(scheme=self.scheme.currentData()))
        self.grid.valueChanged.connect(lambda n: self._emit(grid=int(n)))
        self.full.toggled.connect(self.full_size_toggled)
        self.again.clicked.connect(self.compute_requested)
        for edit in (self.lr_lo, self.lr_hi, self.v_lo, self.v_hi):
            edit.committed.connect(self._ranges_typed)

    # ----------------------------------------------------------- showing
    def show_options(self, sim, options: MapOptions) -> None:
        """Show ``options`` (resolved) for ``sim``'s runs; emits nothing."""
        self._sim, self._options = sim, options
        blockers = [QSignalBlocker(w) for w in (self.run, self.kind, self.key, self.scheme,
                                                 self.grid)]
        labels, colors = sim.labels(), sim.colors()
        if [self.run.itemText(i) for i in range(self.run.count())] != labels:
            self.run.clear()
            for label in labels:
                self.run.addItem(label)
        for i, color in enumerate(colors):
            self.run.setItemData(i, QColor(color), Qt.ItemDataRole.DecorationRole)
        self.run.setCurrentIndex(options.run if sim.runs else -1)
        kind = _kind_item(options)
        self.kind.setCurrentIndex([k for k, _ in KIND_ITEMS].index(kind))
        keys = number_keys(sim.runs[options.run].optimizer) if sim.runs else {}
        self.key.clear()
        for k in keys:
            self.key.addItem(key_name(k), k)
        self.key.setCurrentIndex(max(self.key.findData(options.key), 0))
        self.key.setVisible(kind == "lr2")
        self.key.setEnabled(bool(keys))
        self.scheme.setCurrentIndex(self.scheme.findData(options.scheme))
        self.grid.setValue(options.grid)
        del blockers
        self.ranges.setVisible(kind != "start")
        self.lr_lo.show_value(options.lr[0] if options.lr else None)
        self.lr_hi.show_value(options.lr[1] if options.lr else None)
        two = kind == "lr2"
        for w in (self.v_label, self.v_lo, self.v_dots, self.v_hi):
            w.setVisible(two)
        self.v_label.setText(key_name(options.key).split(" (")[0] if options.key else "")
        self.v_lo.show_value(options.values[0] if two and options.values else None)
        self.v_hi.show_value(options.values[1] if two and options.values else None)
        self.show_problem("")

    def show_problem(self, text: str, color: str = "#c62828") -> None:
        """One sentence under the bar (a range typed wrong); "" hides it."""
        self.problem.setText(text)
        self.problem.setStyleSheet(f"color: {color}")
        self.problem.setVisible(bool(text))

    def show_full_size(self, on: bool) -> None:
        with QSignalBlocker(self.full):
            self.full.setChecked(on)

    # ---------------------------------------------------------- requests
    def _emit(self, **changes) -> None:
        self.options_edited.emit(self._options.but(**changes))

    def _run_chosen(self, i: int) -> None:
        if i != self._options.run:
            key = self._options.key
            if key is not None:
                key = default_key(self._sim.runs[i].optimizer)
            self._emit(run=i, lr=None, values=None, key=key)

    def _kind_chosen(self, index: int) -> None:
        kind = KIND_ITEMS[index][0]
        if kind == _kind_item(self._options):
            return
        grid = DEFAULT_GRID["lr" if kind == "lr" else "hyper" if kind == "lr2" else "start"]
        if kind == "start":
            self._emit(kind="start", key=None, grid=grid)
        elif kind == "lr":
            self._emit(kind="hyper", key=None, values=None, grid=grid)
        else:
            opt = self._sim.runs[self._options.run].optimizer
            key = default_key(opt)
            if key is None:
                self.show_problem(f"{opt.title} has no number keyword to map beside lr.")
                self.kind.setCurrentIndex([k for k, _ in KIND_ITEMS].index(
                    _kind_item(self._options)))
                return
            self._emit(kind="hyper", key=key, values=None, grid=grid)

    def _key_chosen(self, _i: int) -> None:
        key = self.key.currentData()
        if key != self._options.key:
            self._emit(key=key, values=None)

    def _ranges_typed(self) -> None:
        lo, hi = self.lr_lo.typed(), self.lr_hi.typed()
        if lo is None or hi is None or not 0 < lo < hi:
            self.show_problem("lr range: two numbers above 0, the first smaller "
                              "(e.g. 0.0001 and 1).")
            return
        changes = {"lr": (lo, hi)}
        if _kind_item(self._options) == "lr2":
            vlo, vhi = self.v_lo.typed(), self.v_hi.typed()
            if vlo is None or vhi is None or not vlo < vhi:
                self.show_problem(f"{self.v_label.text()} range: two numbers, the first smaller.")
                return
            changes["values"] = (vlo, vhi)
        self.show_problem("")
        self._emit(**changes)


def _kind_item(options: MapOptions) -> str:
    if options.kind == "start":
        return "start"
    return "lr" if options.key is None else "lr2"


def _dots(parent: QWidget) -> QLabel:
    return QLabel("…", parent)
