"""The surface picker: the regression example with its data parameters, every built-in, a formula.

Surfaces are built through the session file's own ``make_surface`` so what the
picker makes is exactly what a saved session reloads. The picker announces
``surface_requested(surface, new_kind)``; ``new_kind`` is True when the kind of
surface changed (the wiring then moves the start point to the surface's own
default start). A formula that does not parse is shown in red with the reason
and the last valid surface stays; "Examples ▾" next to the formula offers the
classic test functions (``core.expression.EXAMPLES``) as starting formulas.

"Neural network" is a small MLP on 2-D data, seen on a plane through its
parameters (network.py holds its settings).

On the regression surface a batch size (0 = full batch) and a seed make the
optimizers see mini-batch gradients: the picker requests
``surface.minibatches(size, seed)`` of the model's surface. The map and the
loss curve stay those of the full data.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSignalBlocker, QTimer, Signal
from PySide6.QtWidgets import (QComboBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QMenu,
                               QToolButton, QVBoxLayout, QWidget)

from ...core.errors import ConfigError
from ...core.expression import EXAMPLES
from ...core.surfaces import BUILTINS, make_surface
from .network import MLP, NetworkSettings
from .numbers import NumberBox, ProblemLabel

REGRESSION = "linear_regression"
EXPRESSION = "expression"
DEFAULT_EXPR = "(1 - x)**2 + 100*(y - x**2)**2"
EXPR_PAUSE_MS = 600        # a formula applies this long after the last keystroke (or on Enter)
_REGRESSION_KEYS = ("intercept", "slope", "n", "noise", "seed")
_REGRESSION_DEFAULTS = {"intercept": -2.0, "slope": 2.0, "n": 1000, "noise": 0.001, "seed": 0}


class SurfacePicker(QWidget):
    """See the module docstring."""

    surface_requested = Signal(object, bool)
    plane_fit_requested = Signal()

    def __init__(self, sim, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sim = sim                   # read only: requests go out as signals
        self.combo = QComboBox(self)
        self.combo.addItem("Linear regression (least squares)", REGRESSION)
        for name, cls in BUILTINS.items():
            self.combo.addItem(getattr(cls, "title", "") or name, name)
        self.combo.addItem("Expression f(x, y)…", EXPRESSION)
        self.combo.addItem("Neural network (MLP) on 2-D data", MLP)
        self.combo.setToolTip("The loss surface the optimizers descend")
        self.combo.currentIndexChanged.connect(self._kind_picked)

        # one page per kind, only the current one shown (built-ins have nothing to set)
        self.network = NetworkSettings(sim, self)
        self.network.surface_requested.connect(lambda s: self.surface_requested.emit(s, False))
        self.network.plane_fit_requested.connect(self.plane_fit_requested)
        self.pages = [QWidget(self), self._regression_page(), self._expression_page(),
                      self.network]

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
        self.reg: dict[str, NumberBox] = {}
        self.reg_labels: dict[str, QLabel] = {}
        specs = {       # tooltip, range, step, whole numbers only
            "intercept": ("true intercept a of y = a + b·x", -1e6, 1e6, 0.5, False),
            "slope": ("true slope b of y = a + b·x", -1e6, 1e6, 0.5, False),
            "n": ("number of data points", 2, 1_000_000, 100, True),
            "noise": ("standard deviation of the Gaussian noise on y", 0.0, 1e6, 0.1, False),
            "seed": ("random seed of the synthetic data", 0, 2**31 - 1, 1, True),
        }
        self.reg_error = ProblemLabel(page)
        for key in _REGRESSION_KEYS:
            tip, lo, hi, step, whole = specs[key]
            box = self._data_box(page, key, lo, hi, step, whole, tip)
            box.setValue(_REGRESSION_DEFAULTS[key])
            box.valueChanged.connect(self._regression_edited)
            i = len(self.reg)
            label = QLabel(key, page)
            label.setToolTip(box.toolTip())
            grid.addWidget(label, i // 2, 2 * (i % 2))
            grid.addWidget(box, i // 2, 2 * (i % 2) + 1)
            self.reg[key], self.reg_labels[key] = box, label
        self._minibatch_row(page, grid, 3)
        grid.addWidget(self.reg_error, 4, 0, 1, 4)
        self.data_label = QLabel(page)
        self.data_label.setWordWrap(True)
        grid.addWidget(self.data_label, 5, 0, 1, 4)
        return page

    def _data_box(self, page: QWidget, name: str, low: float, high: float, step: float,
                  whole: bool, tip: str, special: str = "") -> NumberBox:
        """A box taken on Enter (each change rebuilds the data), its problems shown below."""
        box = NumberBox(low, high, step=step, name=name, parent=page, whole=whole,
                        tracking=False, special=special)
        box.setToolTip(tip)
        self.reg_error.watch(box)
        return box

    def _minibatch_row(self, page: QWidget, grid: QGridLayout, row: int) -> None:
        """Batch size (0 shows "full") and the seed of the batches' shuffling."""
        self.batch = self._data_box(
            page, "mini-batch", 0, 1000, 1, True,
            "Mini-batch size: each update uses the gradient of this many points, reshuffled "
            "every epoch (like a torch DataLoader with shuffle=True); full (0) = every point. "
            "The map and the loss stay those of the full data.", special="full")
        self.batch_seed = self._data_box(
            page, "batch seed", 0, 2**31 - 1, 1, True,
            "Seed of the mini-batch shuffling: the same seed replays the same batches")
        for col, (text, box) in enumerate((("mini-batch", self.batch),
                                           ("batch seed", self.batch_seed))):
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
        # checked on every keystroke (the red reason stays live), applied on Enter or
        # after a pause: typing x ** 100 must not pass through x ** 10
        self.expr.textEdited.connect(self._expression_typed)
        self.expr.returnPressed.connect(self.apply_expression)
        self.expr_timer = QTimer(self)
        self.expr_timer.setSingleShot(True)
        self.expr_timer.setInterval(EXPR_PAUSE_MS)
        self.expr_timer.timeout.connect(self.apply_expression)
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
        self.expr_error = ProblemLabel(page)
        row = QHBoxLayout()
        row.setSpacing(4)
        row.addWidget(self.expr, 1)
        row.addWidget(self.examples)
        layout.addLayout(row)
        layout.addWidget(self.expr_error)
        return page

    def set_error_color(self, color: str) -> None:
        self.expr_error.set_color(color)
        self.reg_error.set_color(color)

    # -------------------------------------------------------- from the model
    def show_surface(self, surface) -> None:
        """Show the model's surface (kind, data parameters, formula) without requests."""
        spec = dict(surface.to_dict())
        kind = spec.get("kind", "")
        with QSignalBlocker(self.combo):
            i = self.combo.findData(kind)
            self.combo.setCurrentIndex(max(i, 0))
        self._show_page(self._page_of(kind))
        if kind == REGRESSION:
            csv = spec.get("csv")
            for key, box in self.reg.items():
                box.setVisible(csv is None)       # loaded data: the synthetic settings
                self.reg_labels[key].setVisible(csv is None)   # mean nothing
                if key in spec:
                    box.show_value(spec[key])
            self._show_batch(surface)
            self.data_label.setText(f"Data: {Path(csv).name} (File ▸ Load data…)" if csv
                                    else "Synthetic data; File ▸ Load data… reads a CSV.")
        elif kind == EXPRESSION:
            if self.expr.text() != spec.get("expr", ""):
                self.expr.setText(spec.get("expr", ""))
            self._show_expr_error(None)
        elif kind == MLP:
            self.network.show_surface(surface)
        self.formula.setText(_formula(surface))

    def _show_batch(self, surface) -> None:
        size = getattr(surface, "batch_size", None) or 0
        self.batch.set_range(0, len(surface.x))
        self.batch.show_value(size)
        if size:
            self.batch_seed.show_value(getattr(surface, "batch_seed", 0))
        self.batch_seed.setEnabled(bool(size))

    def _show_page(self, index: int) -> None:
        """Show one page; hidden ones take no room."""
        for i, page in enumerate(self.pages):
            page.setVisible(i == index)

    @staticmethod
    def _page_of(kind: str) -> int:
        return {REGRESSION: 1, EXPRESSION: 2, MLP: 3}.get(kind, 0)

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
        elif kind == MLP:
            self._request(self.network.spec(), new_kind=True)
        else:
            self._request({"kind": kind}, new_kind=True)

    def _regression_spec(self) -> dict:
        spec = {"kind": REGRESSION}
        model = self.sim.surface.to_dict()
        old = model if model.get("kind") == REGRESSION and "csv" not in model else {}
        if "x_range" in old:
            spec["x_range"] = old["x_range"]
        for key, box in self.reg.items():
            spec[key] = int(box.value()) if key in ("n", "seed") else box.value()
        if self.batch.value():
            spec["batch_size"] = min(int(self.batch.value()), spec["n"])
            spec["batch_seed"] = int(self.batch_seed.value())
        return spec

    def _regression_edited(self, *_) -> None:
        model = self.sim.surface.to_dict()
        if model.get("kind") == REGRESSION and "csv" not in model:
            self._request(self._regression_spec(), new_kind=False)

    def _batch_edited(self, *_) -> None:
        """Batch size or seed changed: the model's data with (or without) mini-batches."""
        size, seed = int(self.batch.value()), int(self.batch_seed.value())
        self.batch_seed.setEnabled(bool(size))
        surface = self.sim.surface
        if not hasattr(surface, "minibatches"):
            return
        if size == (surface.batch_size or 0) and (not size or seed == surface.batch_seed):
            return
        try:
            new = surface.minibatches(size or None, seed)
        except ConfigError as e:          # the box's maximum should prevent this
            self.formula.setText(str(e))
            return
        self.surface_requested.emit(new, False)

    def use_example(self, formula: str) -> None:
        """Put a starting formula in the line edit and request its surface."""
        self.expr.setText(formula)
        self._expression_edited(formula, new_kind=True)

    def _expression_typed(self, text: str) -> None:
        """A keystroke: say at once what is wrong, apply after a pause."""
        try:
            make_surface({"kind": EXPRESSION, "expr": text}, Path("."))
        except ConfigError as e:
            self._show_expr_error(str(e))
            self.expr_timer.stop()
            return
        self._show_expr_error(None)
        self.expr_timer.start()

    def apply_expression(self) -> None:
        """Enter, or a pause in typing: the formula becomes the surface (if it parses)."""
        self.expr_timer.stop()
        self._expression_edited(self.expr.text())

    def _expression_edited(self, text: str, new_kind: bool = False) -> None:
        try:
            surface = make_surface({"kind": EXPRESSION, "expr": text}, Path("."))
        except ConfigError as e:
            self._show_expr_error(str(e))
            return
        self._show_expr_error(None)
        if new_kind or _squeeze(surface.to_dict()) != _squeeze(self.sim.surface.to_dict()):
            self.surface_requested.emit(surface, new_kind)          # spaces alone change nothing

    def _show_expr_error(self, message: str | None) -> None:
        self.expr_error.say(message)

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
