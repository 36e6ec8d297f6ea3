"""Fans of a run, from the run list's context menu and the Add menu (core/fans.py).

    Duplicate with lr × {⅓, 1, 3}      the run at lr/3 and 3·lr beside it, in lighter
    Duplicate with lr × …              and darker shades of its colour (any factors)
    Seed fan: 5 other batch seeds      the run re-trained on other mini-batch orders,
    Seed fan…                          drawn thin with their mean path (mini-batch
                                       surfaces only)

Like the other controls it only reads the model and asks:
``fan_requested(i, changes, runs)`` — change run i (an lr fan gives it its
shade of the fan; a seed fan makes its seed and colour explicit, so it belongs
to its fan) and add ``runs``. A fan torch
would refuse (an lr out of range) is one sentence in a message box.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtWidgets import QMenu

from ...core import fans
from ...core.errors import ConfigError
from ..dialogs import common as dialogs
from ..dialogs import fans as questions

LR_TEXT = "Duplicate with lr × {⅓, 1, 3}"


class FanMenu(QObject):
    """Fan actions for a ``RunList`` (``runs``) of ``sim``; see the module docstring."""

    fan_requested = Signal(int, object, object)

    def __init__(self, runs, sim) -> None:
        super().__init__(runs)
        self.runs, self.sim = runs, sim
        self.runs.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.runs.list.customContextMenuRequested.connect(self._context_menu)
        add = self.runs.add_button.menu()
        add.addSeparator()
        self.submenu = add.addMenu("Fan of the selected run")
        self.submenu.aboutToShow.connect(lambda: self.fill(self.submenu, self.runs.current()))

    def fill(self, menu: QMenu, i: int) -> QMenu:
        """``menu`` with the fan actions for run i (disabled when they cannot apply)."""
        menu.clear()
        ok = 0 <= i < len(self.sim.runs)
        batches = ok and bool(self.sim.surface.batch_size)
        for text, slot, on in (
                (LR_TEXT, lambda: self.lr_fan(i, fans.LR_FACTORS), ok),
                ("Duplicate with lr × …", lambda: self.lr_fan(i), ok),
                (f"Seed fan: {fans.SEED_COUNT} other batch seeds",
                 lambda: self.seed_fan(i, fans.SEED_COUNT), batches),
                ("Seed fan…", lambda: self.seed_fan(i), batches)):
            action = menu.addAction(text, slot)
            action.setEnabled(on)
            if text.startswith("Seed") and ok and not batches:
                action.setToolTip("Needs mini-batch gradients (the regression's mini-batch size)")
        menu.setToolTipsVisible(True)
        return menu

    def _context_menu(self, pos: QPoint) -> None:
        item = self.runs.list.itemAt(pos)
        if item is None:
            return
        i = self.runs.list.row(item)
        self.runs.list.setCurrentRow(i)
        menu = self.fill(QMenu(self.runs.list), i)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.runs.list.viewport().mapToGlobal(pos))

    # ------------------------------------------------------------- requests
    def lr_fan(self, i: int, factors=None) -> None:
        """Ask for run i's lr fan (the factors asked for when None)."""
        if factors is None:
            text = questions.ask_lr_factors(self.runs)
            if text is None:
                return
        try:
            factors = fans.parse_factors(text) if factors is None else factors
            base, added = fans.lr_fan(self.sim.runs[i], factors, self.sim.labels()[i],
                                      self.sim.colors()[i])
        except ConfigError as e:
            dialogs.show_error(self.runs, "Cannot make the fan", str(e))
            return
        if added:
            self.fan_requested.emit(i, self._changes(i, base, ("color",)), added)

    def seed_fan(self, i: int, count: int | None = None) -> None:
        """Ask for run i's seed fan of ``count`` runs (asked for when None)."""
        if count is None:
            count = questions.ask_seed_count(self.runs)
            if count is None:
                return
        try:
            base, added = fans.seed_fan(self.sim.runs[i], self.sim.surface, count,
                                        self.sim.labels()[i], self.sim.colors()[i])
        except ConfigError as e:
            dialogs.show_error(self.runs, "Cannot make the fan", str(e))
            return
        self.fan_requested.emit(i, self._changes(i, base, ("batch_seed", "color")), added)

    def _changes(self, i: int, base, fields) -> dict:
        """What of ``fields`` the fan changes on run i (its shade, its explicit seed)."""
        run = self.sim.runs[i]
        return {k: getattr(base, k) for k in fields if getattr(base, k) != getattr(run, k)}
