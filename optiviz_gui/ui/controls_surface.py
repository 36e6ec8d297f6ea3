"""The surface picker: the regression example with its data parameters, every built-in, a formula.

Surfaces are built through the session file's own ``make_surface`` so what the
picker makes is exactly what a saved session reloads. The picker announces
``surface_requested(surface, new_kind)``; ``new_kind`` is True when the kind of
surface changed (the wiring then moves the start point to the surface's own
default start). A formula that does not parse is shown in red with the reason
and the last valid surface stays; "Examples ▾" next to the formula offers the
classic test functions (``core.expression.EXAMPLES``) as starting formulas.

On the regression surface a batch size (0 = full batch) and a seed make the
optimizers see mini-batch gradients: the picker requests
``surface.minibatches(size, seed)`` of the model's surface. The map and the
loss curve stay those of the full data.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QGridLayout, QHBoxLayout, QLabel,
                               QLineEdit, QMenu, QSpinBox, QToolButton, QVBoxLayout, QWidget)

from ..core.errors import ConfigError
from ..core.expression import EXAMPLES
from ..core.surfaces import BUILTINS, make_surface

REGRESSION = "linear_regression"
EXPRESSION = "expression"
DEFAULT_EXPR = "(1 - x)**2 + 100*(y - x**2)**2"
_REGRESSION_KEYS = ("intercept", "slope", "n", "noise", "seed")
_REGRESSION_DEFAULTS = {"intercept": -2.0, "slope": 2.0, "n": 1000, "noise": 0.001, "seed": 0}


class SurfacePicker(QWidget):
    """See the module docstring."""

    surface_requested = Signal(object, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._spec: dict = {}            # the model surface's session-file object
        self._surface = None             # the model's surface itself
        self.combo = QComboBox(self)
        self.combo.addItem("Linear regression (least squares)", REGRESSION)
        for name, cls in BUILTINS.items():
            self.combo.addItem(getattr(cls, "title", "") or name, name)
        self.combo.addItem("Expression f(x, y)…", EXPRESSION)
        self.combo.setToolTip("The loss surface the optimizers descend")
        self.combo.currentIndexChanged.connect(self._kind_picked)

        # one page per kind, only the current one shown (built-ins have nothing to set)
        self.pages = [QWidget(self), self._regression_page(), self._expression_page()]

        self.formula = QLabel(self)
        self.formula.setWordWrap(True)
        self.formula.setObjectName("formula")
        self.formula.setEnabled(False)          # drawn in the palette's dim text colour

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        for page in self.pages:
            layout.addWidget(page)
        layout.addWidget(self.formula)

    def _regression_page(self) -> QWidget:
        page = QWidget(self)
        grid = QGridLayout(page)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.reg: dict[str, QDoubleSpinBox | QSpinBox] = {}
        specs = {
            "intercept": ("true intercept a of y = a + b·x", -1e6, 1e6, 0.5, 3),
            "slope": ("true slope b of y = a + b·x", -1e6, 1e6, 0.5, 3),
            "noise": ("standard deviation of the Gaussian noise on y", 0.0, 1e6, 0.1, 4),
        }
        for key in _REGRESSION_KEYS:
            if key in ("n", "seed"):
                box = QSpinBox(page)
                box.setRange(2 if key == "n" else 0, 1_000_000 if key == "n" else 2**31 - 1)
                box.setToolTip("number of data points" if key == "n"
                               else "random seed of the synthetic data")
                if key == "n":
                    box.setSingleStep(100)
            else:
                tip, lo, hi, step, dec = specs[key]
                box = QDoubleSpinBox(page)
                box.setRange(lo, hi)
                box.setDecimals(dec)
                box.setSingleStep(step)
                box.setToolTip(tip)
            box.setValue(_REGRESSION_DEFAULTS[key])
            box.setKeyboardTracking(False)
            box.valueChanged.connect(self._regression_edited)
            i = len(self.reg)
            label = QLabel(key, page)
            label.setToolTip(box.toolTip())
            grid.addWidget(label, i // 2, 2 * (i % 2))
            grid.addWidget(box, i // 2, 2 * (i % 2) + 1)
            self.reg[key] = box
        self._minibatch_row(page, grid, 3)
        self.data_label = QLabel(page)
        self.data_label.setWordWrap(True)
        grid.addWidget(self.data_label, 4, 0, 1, 4)
        return page

    def _minibatch_row(self, page: QWidget, grid: QGridLayout, row: int) -> None:
        """Batch size (0 shows "full") and the seed of the batches' shuffling."""
        self.batch = QSpinBox(page)
        self.batch.setRange(0, 1000)
        self.batch.setSpecialValueText("full")
        self.batch.setToolTip("Mini-batch size: each update uses the gradient of this many "
                              "points, reshuffled every epoch (like a torch DataLoader with "
                              "shuffle=True); full = every point. The map and the loss stay "
                              "those of the full data.")
        self.batch_seed = QSpinBox(page)
        self.batch_seed.setRange(0, 2**31 - 1)
        self.batch_seed.setToolTip("Seed of the mini-batch shuffling: the same seed replays "
                                   "the same batches")
        for col, (text, box) in enumerate((("mini-batch", self.batch),
                                           ("batch seed", self.batch_seed))):
            box.setKeyboardTracking(False)
            box.valueChanged.connect(self._batch_edited)
            label = QLabel(text, page)
            label.setToolTip(box.toolTip())
            grid.addWidget(label, row, 2 * col)
            grid.addWidget(box, row, 2 * col + 1)
        self.batch_seed.setEnabled(False)

    def _expression_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        self.expr = QLineEdit(page)
        self.expr.setPlaceholderText("f(x, y), e.g. " + DEFAULT_EXPR)
        self.expr.setToolTip("x, y, numbers, + − * / ** (or ^), pi, e, sin cos tan exp log "
                             "log10 sqrt abs tanh sinh cosh arcsin arccos arctan")
        self.expr.textEdited.connect(self._expression_edited)
        self.examples = QToolButton(page)
        self.examples.setText("Examples")
        self.examples.setToolTip("Start from a classic test function")
        self.examples.setPopupMode(QToolButton.InstantPopup)
        menu = QMenu(self.examples)
        for name, formula in EXAMPLES.items():
            action = menu.addAction(f"{name}:  {formula}")
            action.setData(formula)
            action.triggered.connect(lambda _=False, f=formula: self.use_example(f))
        self.examples.setMenu(menu)
        self.expr_error = QLabel(page)
        self.expr_error.setWordWrap(True)
        self.expr_error.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.expr_error.hide()
        self.set_error_color("#c62828")
        row = QHBoxLayout()
        row.setSpacing(4)
        row.addWidget(self.expr, 1)
        row.addWidget(self.examples)
        layout.addLayout(row)
        layout.addWidget(self.expr_error)
        return page

    def set_error_color(self, color: str) -> None:
        self.expr_error.setStyleSheet(f"color: {color}; font-weight: bold;")

    # -------------------------------------------------------- from the model
    def show_surface(self, surface) -> None:
        """Show the model's surface (kind, data parameters, formula) without requests."""
        spec = dict(surface.to_dict())
        self._spec = spec
        self._surface = surface
        kind = spec.get("kind", "")
        with QSignalBlocker(self.combo):
            i = self.combo.findData(kind)
            self.combo.setCurrentIndex(max(i, 0))
        self._show_page(self._page_of(kind))
        if kind == REGRESSION:
            csv = spec.get("csv")
            for key, box in self.reg.items():
                box.setEnabled(csv is None)
                if key in spec:
                    with QSignalBlocker(box):
                        box.setValue(spec[key])
            self._show_batch(surface)
            self.data_label.setText(f"Data: {Path(csv).name} (File ▸ Load data…)" if csv
                                    else "Synthetic data; File ▸ Load data… reads a CSV.")
        elif kind == EXPRESSION:
            if self.expr.text() != spec.get("expr", ""):
                self.expr.setText(spec.get("expr", ""))
            self._show_expr_error(None)
        self.formula.setText(_formula(surface))

    def _show_batch(self, surface) -> None:
        size = getattr(surface, "batch_size", None) or 0
        with QSignalBlocker(self.batch):
            self.batch.setMaximum(len(surface.x))
            self.batch.setValue(size)
        with QSignalBlocker(self.batch_seed):
            self.batch_seed.setValue(getattr(surface, "batch_seed", 0) if size else
                                     self.batch_seed.value())
        self.batch_seed.setEnabled(bool(size))

    def _show_page(self, index: int) -> None:
        """Show one page; hidden ones take no room."""
        for i, page in enumerate(self.pages):
            page.setVisible(i == index)

    @staticmethod
    def _page_of(kind: str) -> int:
        return 1 if kind == REGRESSION else 2 if kind == EXPRESSION else 0

    # ------------------------------------------------------------- requests
    def _kind_picked(self, _index: int) -> None:
        kind = self.combo.currentData()
        self._show_page(self._page_of(kind))
        if kind == REGRESSION:
            self._request(self._regression_spec(), new_kind=True)
        elif kind == EXPRESSION:
            text = self.expr.text().strip() or DEFAULT_EXPR
            with QSignalBlocker(self.expr):
                self.expr.setText(text)
            self._expression_edited(text, new_kind=True)
        else:
            self._request({"kind": kind}, new_kind=True)

    def _regression_spec(self) -> dict:
        spec = {"kind": REGRESSION}
        old = self._spec if self._spec.get("kind") == REGRESSION and "csv" not in self._spec else {}
        if "x_range" in old:
            spec["x_range"] = old["x_range"]
        for key, box in self.reg.items():
            spec[key] = box.value()
        if self.batch.value():
            spec["batch_size"] = min(self.batch.value(), spec["n"])
            spec["batch_seed"] = self.batch_seed.value()
        return spec

    def _regression_edited(self, *_) -> None:
        if self._spec.get("kind") == REGRESSION and "csv" not in self._spec:
            self._request(self._regression_spec(), new_kind=False)

    def _batch_edited(self, *_) -> None:
        """Batch size or seed changed: the model's data with (or without) mini-batches."""
        size = self.batch.value()
        self.batch_seed.setEnabled(bool(size))
        surface = self._surface
        if surface is None or not hasattr(surface, "minibatches"):
            return
        if size == (surface.batch_size or 0) and (not size or
                                                  self.batch_seed.value() == surface.batch_seed):
            return
        try:
            new = surface.minibatches(size or None, self.batch_seed.value())
        except ConfigError as e:          # the box's maximum should prevent this
            self.formula.setText(str(e))
            return
        self.surface_requested.emit(new, False)

    def use_example(self, formula: str) -> None:
        """Put a starting formula in the line edit and request its surface."""
        self.expr.setText(formula)
        self._expression_edited(formula, new_kind=True)

    def _expression_edited(self, text: str, new_kind: bool = False) -> None:
        try:
            surface = make_surface({"kind": EXPRESSION, "expr": text}, Path("."))
        except ConfigError as e:
            self._show_expr_error(str(e))
            return
        self._show_expr_error(None)
        if new_kind or _squeeze(surface.to_dict()) != _squeeze(self._spec):
            self.surface_requested.emit(surface, new_kind)          # spaces alone change nothing

    def _show_expr_error(self, message: str | None) -> None:
        self.expr_error.setText(message or "")
        self.expr_error.setVisible(bool(message))

    def _request(self, spec: dict, new_kind: bool) -> None:
        try:
            surface = make_surface(spec, Path("."))
        except ConfigError as e:          # the spin boxes' ranges should prevent this
            self.formula.setText(str(e))
            return
        self.surface_requested.emit(surface, new_kind)


def _squeeze(spec: dict) -> dict:
    """The spec with the formula's spaces removed."""
    if isinstance(spec.get("expr"), str):
        spec = {**spec, "expr": "".join(spec["expr"].split())}
    return spec


def _formula(surface) -> str:
    text = getattr(surface, "formula", "") or ""
    minima = getattr(surface, "minima", None)
    if minima is not None and len(minima):
        pts = ", ".join(f"({x:.4g}, {y:.4g})" for x, y in list(minima)[:4])
        text += f"\nminimum at {pts}" + (" …" if len(minima) > 4 else "")
    return text.strip()
