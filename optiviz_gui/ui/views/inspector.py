"""The inspector: what the selected run's optimizer sees at the current step.

A table of ``core.inspection.inspect(trajectory, k)`` — θ, the loss, the
gradient (raw and, when the run clips, clipped), the lr, the update taken, the
effective per-coordinate step Δ ÷ g, every state buffer under torch's name and
the derived numbers (bias corrections, per-coordinate step sizes) — with a
column per axis, each row's one-line meaning on hover. Under it a small plot
of |Δ ÷ g| per axis over the iterations (log scale: Adam's axes differ by
decades), a vertical line at the current step: where SGD's two curves lie on
top of each other at γ, Adam's and RMSprop's part, and that is the different
route they take.

It is a view: it draws the model and changes nothing. Which run it shows is
UI state (the run list's selection), handed in with ``show_run(i)``; its own
run picker only asks for another selection (``run_picked(i)``), which the
window hands to the run list and back. Hidden, it draws nothing and catches
up when shown.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from ...core.inspection import effective_steps, inspect
from .paths import ColumnEnvelope, grown
from ..style.theme import get_theme, style_plot
from .base import ModelView
from .axes import LogFriendlyAxis

SECTIONS = {"point": "At the point", "step": "The step from here",
            "state": "Optimizer state (torch's names)", "derived": "Derived inside the step"}


def fmt(v) -> str:
    """A number as the table shows it: 5 significant digits, '—' for none."""
    if v is None:
        return "—"
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    return "nan" if f != f else f"{f:.5g}"


def cells(value) -> tuple[str, str]:
    """The two value cells of a row: a vector's x and y, or a number in the first."""
    if isinstance(value, tuple):                       # LBFGS's history lists
        return f"{len(value)} kept", ""
    a = np.asarray(value) if value is not None else None
    if a is not None and a.ndim == 1 and a.dtype.kind in "fc":
        if len(a) == 2:
            return fmt(a[0]), fmt(a[1])
        return f"‖·‖ {fmt(np.linalg.norm(a))}", f"{len(a)} values"
    return fmt(value), ""


class InspectorView(ModelView, QtWidgets.QWidget):
    """The selected run's numbers at the current step; see the module docstring."""

    run_picked = QtCore.Signal(int)

    def __init__(self, sim, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.sim = sim
        self._run = -1
        self._theme = get_theme("light")
        self._eff = (None, np.zeros((0, 2)))     # (trajectory, |Δ/g| of its updates so far)
        self._envelopes: dict = {}               # (axis, pixel width) -> its envelope
        self._legend_key = None                  # what the plot's legend shows
        self._shown = True                       # False while its dock's tab is behind another

        self.picker = QtWidgets.QComboBox(self)
        self.picker.setToolTip("The run to look inside (the same as the selected row of "
                               "Controls ▸ Optimizers)")
        self.picker.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.picker.activated.connect(self.run_picked)
        self.title = QtWidgets.QLabel(self)
        self.title.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        self.table = QtWidgets.QTreeWidget(self)
        self.table.setColumnCount(3)
        self.table.setRootIsDecorated(False)
        self.table.setUniformRowHeights(True)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        head = self.table.header()
        head.setStretchLastSection(False)
        head.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        for col in (1, 2):
            head.setSectionResizeMode(col, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.table.setToolTip("")
        mono = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)
        self._mono = mono

        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setMinimumHeight(110)
        self.graphics.ci.setContentsMargins(2, 2, 6, 2)
        self.plot = self.graphics.addPlot(axisItems={"left": LogFriendlyAxis("left")})
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setLogMode(y=True)
        self.plot.showGrid(x=True, y=True, alpha=0.12)
        self.plot.setLabel("bottom", "iteration")
        self.plot.setLabel("left", "|Δ ÷ g|")
        self.plot.setToolTip("The effective per-coordinate step |Δᵢ ÷ gᵢ| of each axis over "
                             "the iterations: the learning rate each axis actually got")
        self.curves = [self.plot.plot(), self.plot.plot()]
        for c in self.curves:
            c.setDownsampling(auto=True, method="peak")
            c.setClipToView(True)
        self.plot_legend = self.plot.addLegend(offset=(-4, 4), labelTextSize="8pt",
                                               verSpacing=-8)
        self.cursor = pg.InfiniteLine(angle=90, movable=False)
        self.plot.addItem(self.cursor)

        split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(self.graphics)
        split.setChildrenCollapsible(False)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        self.split = split
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 2)
        lay.setSpacing(2)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.picker)
        top.addWidget(self.title, 1)
        lay.addLayout(top)
        lay.addWidget(split, 1)
        self.setMinimumSize(200, 160)
        self.listen(sim)
        self.apply_theme("light")

    # ---------------------------------------------------------------- api
    def show_run(self, i: int) -> None:
        """Show run i (the run list's selection; -1: none)."""
        if i != self._run:
            self._run = int(i)
            self._eff = (None, np.zeros((0, 2)))
            self.draw_shared()

    @property
    def run(self) -> int:
        return self._run

    def apply_theme(self, name: str) -> None:
        self._theme = t = get_theme(name)
        style_plot(t, self.graphics, self.plot)
        self.cursor.setPen(pg.mkPen(t.muted, width=1.5))
        self.plot_legend.setLabelTextColor(t.foreground)
        self._legend_key = None                  # labels made again in the new colour
        self.draw_shared()

    def values(self) -> dict[str, tuple[str, str]]:
        """Each shown row's name -> its two value cells (tests read the table here)."""
        out = {}
        for i in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(i)
            if item.data(0, QtCore.Qt.ItemDataRole.UserRole) == "row":
                out[item.text(0)] = (item.text(1), item.text(2))
        return out

    def tooltip(self, name: str) -> str:
        for i in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(i)
            if item.text(0) == name:
                return item.toolTip(0)
        return ""

    # ------------------------------------------------------------ drawing
    def draw_run(self, i: int) -> None:
        """Nothing per run: draw_shared shows the one selected run."""

    def on_history_changed(self, runs) -> None:
        if self._run in runs:
            self._eff = (None, np.zeros((0, 2)))
        super().on_history_changed(runs)

    def draw_shared(self) -> None:
        if not (self._shown and self.isVisible()) or not hasattr(self, "curves"):
            return
        sim, i, k = self.sim, self._run, self.sim.step
        self._show_picker()
        if not 0 <= i < len(sim.runs):
            self.title.setText("<i>Add an optimizer to see inside it.</i>")
            self.table.clear()
            for c in self.curves:
                c.setData([], [])
            return
        t, color = sim.trajectories[i], sim.colors()[i]
        j = min(k, t.steps)
        where = f"step {k}" if j == k else f"step {j} (it stops there: {t.status_text(k)})"
        self.title.setText(f"{type(t.optimizer).title} at <b>{where}</b>")
        self._fill_table(t, k)
        self._draw_plot(t, j, color)

    def _show_picker(self) -> None:
        """The runs by label with their colour, the shown one current; no requests."""
        sim, combo = self.sim, self.picker
        with QtCore.QSignalBlocker(combo):
            for n, (label, color) in enumerate(zip(sim.labels(), sim.colors())):
                if n >= combo.count():
                    combo.addItem("")
                if combo.itemText(n) != label:
                    combo.setItemText(n, label)
                if combo.itemData(n) != color:
                    combo.setItemData(n, color)
                    combo.setItemIcon(n, _swatch(color))
            while combo.count() > len(sim.runs):
                combo.removeItem(combo.count() - 1)
            combo.setCurrentIndex(self._run if 0 <= self._run < combo.count() else -1)

    def _fill_table(self, t, k: int) -> None:
        ax, ay = self.sim.surface.axis_labels
        self.table.setHeaderLabels(["", ax, ay])
        rows = inspect(t, k)
        table = self.table
        n = 0
        section = None
        for row in rows:
            if row.section != section:
                section = row.section
                n = self._put(n, SECTIONS[section], ("", ""), "", header=True)
            n = self._put(n, row.name, cells(row.value), row.meaning)
        while table.topLevelItemCount() > n:
            table.takeTopLevelItem(table.topLevelItemCount() - 1)

    def _put(self, n: int, name: str, values: tuple[str, str], tip: str,
             header: bool = False) -> int:
        """Row n shows (name, values); made once and reused, so a step only sets texts."""
        table = self.table
        item = table.topLevelItem(n)
        if item is None:
            item = QtWidgets.QTreeWidgetItem(table)
        kind = "header" if header else "row"
        if item.data(0, QtCore.Qt.ItemDataRole.UserRole) != kind:
            item.setData(0, QtCore.Qt.ItemDataRole.UserRole, kind)
            font = QtGui.QFont(table.font())
            font.setBold(header)
            item.setFont(0, font)
            for col in (1, 2):
                item.setFont(col, self._mono)
                item.setTextAlignment(col, QtCore.Qt.AlignmentFlag.AlignRight
                                      | QtCore.Qt.AlignmentFlag.AlignVCenter)
            item.setFirstColumnSpanned(header)
        for col, text in enumerate((name, *values)):
            if item.text(col) != text:
                item.setText(col, text)
        if item.toolTip(0) != tip:
            for col in range(3):
                item.setToolTip(col, tip)
        return n + 1

    def _draw_plot(self, t, j: int, color: str) -> None:
        """|Δ ÷ g| per axis for updates 0..j−1 (extended, not recomputed, as steps go)."""
        known_t, mag = self._eff
        if known_t is not t:
            mag = np.zeros((0, 2))
        if len(mag) < j:
            new = np.abs(effective_steps(t, j, start=len(mag)))
            new[~(np.isfinite(new) & (new > 0))] = np.nan     # a log axis: log10 of these
            mag = np.concatenate([mag, new])
        self._eff = (t, mag)                    # |Δ ÷ g| of every update seen so far
        mag = mag[:j]
        ax, ay = self.sim.surface.axis_labels
        per_pixel = int(abs(self.plot.getViewBox().viewPixelSize()[0]))
        legend_key = (color, ax, ay)
        if legend_key != self._legend_key:      # the legend changes with the run, not the step
            self._legend_key = legend_key
            self.plot_legend.clear()
            pens = (pg.mkPen(color, width=2),
                    pg.mkPen(color, width=2, style=QtCore.Qt.PenStyle.DashLine))
            for c, pen, name in zip(self.curves, pens, (ax, ay)):
                c.setPen(pen)
                self.plot_legend.addItem(c, name)
        for c, col in zip(self.curves, (0, 1)):
            y = mag[:, col]
            if per_pixel >= 4 and len(y) > 1:    # a long run: each pixel column's envelope
                env = grown(self._envelopes, (col, per_pixel), t,
                            lambda: ColumnEnvelope(per_pixel), y, len(y) - 1)
                idx = env.prefix(y, len(y) - 1)
                c.curve.setSegmentedLineMode("on")     # separate lines: see LossView.draw_run
                c.setData(idx.astype(float), y[idx], connect="finite")
            else:
                c.curve.setSegmentedLineMode("auto")
                c.setData(np.arange(len(y), dtype=float), y, connect="finite")
        self.plot.setXRange(0, max(1, self.sim.steps), padding=0.02)
        self.cursor.setValue(self.sim.step)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        self.draw_shared()

    def set_shown(self, on: bool) -> None:
        """Whether a person can see it: a dock tabbed behind another stays "visible" to Qt
        (moved off-screen), so the window says (``QDockWidget.visibilityChanged``); an
        unseen inspector skips its drawing (2 ms of every edit) and catches up when seen."""
        self._shown = bool(on)
        if self._shown:
            self.draw_shared()


def _swatch(color: str, size: int = 12) -> QtGui.QIcon:
    pix = QtGui.QPixmap(size, size)
    pix.fill(QtCore.Qt.GlobalColor.transparent)
    p = QtGui.QPainter(pix)
    p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    p.setPen(QtGui.QColor(0, 0, 0, 120))
    p.setBrush(QtGui.QColor(color))
    p.drawEllipse(1, 1, size - 2, size - 2)
    p.end()
    return QtGui.QIcon(pix)
