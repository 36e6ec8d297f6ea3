"""The hyper-parameter form of one optimizer, generated from its class's ``hyper`` specs.

float -> ``NumberBox`` (a spin box that shows numbers in short %g form, so 1e-08
and 1000 both read well), bool -> QCheckBox, pair -> two NumberBoxes. Ranges
come from the spec's ``low``/``high``; tooltips from its ``doc``.

Every edit is validated with ``Optimizer.replace`` (torch's own conditions).
A valid result is announced with ``optimizer_edited``; a rejected one (e.g.
nesterov with dampening) is shown in red with the reason, the offending field
is outlined, and nothing is announced: the model never sees it.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (QCheckBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel,
                               QVBoxLayout, QWidget)

from ..core.errors import ConfigError

_BIG = 1e12
_ERROR_STYLE = "border: 1px solid #d32f2f;"


class NumberBox(QDoubleSpinBox):
    """A QDoubleSpinBox that keeps full float precision and reads/writes %g text.

    Steps are linear (``singleStep``) or, with ``log_steps``, walk the
    1-2-5 sequence (…, 0.01, 0.02, 0.05, 0.1, …): the right feel for a
    learning rate or an epsilon spanning many decades.
    """

    def __init__(self, low: float | None = None, high: float | None = None,
                 log_steps: bool = False, step: float = 0.01, parent=None) -> None:
        super().__init__(parent)
        self.setDecimals(20)           # Qt rounds to this; 20 keeps every float exactly
        self.setRange(-_BIG if low is None else low, _BIG if high is None else high)
        self.setSingleStep(step)
        self.log_steps = log_steps
        self.setKeyboardTracking(True)

    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt override
        return format(value, ".10g")

    def valueFromText(self, text: str) -> float:  # noqa: N802 - Qt override
        try:
            return float(text.strip().replace(",", "."))
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        t = text.strip().replace(",", ".")
        try:
            v = float(t)
        except ValueError:
            partial = t in ("", "-", "+", ".", "-.", "+.") or t[-1:] in ("e", "E", "-", "+")
            return (QValidator.Intermediate if partial else QValidator.Invalid), text, pos
        if not math.isfinite(v):
            return QValidator.Invalid, text, pos
        ok = self.minimum() <= v <= self.maximum()
        return (QValidator.Acceptable if ok else QValidator.Intermediate), text, pos

    def fixup(self, text: str) -> str:
        return self.textFromValue(self.value())

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt override
        if not self.log_steps:
            return super().stepBy(steps)
        v = self.value()
        for _ in range(abs(steps)):
            v = _step_125(v, up=steps > 0, low=self.minimum())
        self.setValue(min(max(v, self.minimum()), self.maximum()))


def _step_125(v: float, up: bool, low: float) -> float:
    """The next number of the 1-2-5 sequence above (or below) v; 0 below 1e-12."""
    if v <= 0:
        return 1e-4 if up else v
    exp = math.floor(math.log10(v))
    candidates = sorted(m * 10.0 ** e for e in (exp - 1, exp, exp + 1) for m in (1, 2, 5))
    tol = v * 1e-9
    if up:
        return next(c for c in candidates if c > v + tol)
    below = [c for c in candidates if c < v - tol]
    nxt = below[-1]
    return 0.0 if nxt < 1e-12 and low <= 0 else nxt


def _log_steps(h) -> bool:
    """Learning rates, epsilons and decays span decades; unit-interval factors do not."""
    unit = h.high is not None and h.high <= 1.0
    d = h.default[0] if isinstance(h.default, tuple) else h.default
    return not (unit and (d == 0 or d >= 0.01))


class HyperForm(QWidget):
    """Edit one optimizer; see the module docstring."""

    optimizer_edited = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._optimizer = None            # what the model has
        self._cls = None
        self._fields: dict[str, tuple] = {}
        self._form_host = QWidget(self)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.error.setObjectName("hyperError")
        self.error.hide()
        self.set_error_color("#c62828")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._form_host)
        layout.addWidget(self.error)

    def set_error_color(self, color: str) -> None:
        self.error.setStyleSheet(f"color: {color}; font-weight: bold;")

    # -------------------------------------------------------- from the model
    def set_optimizer(self, optimizer) -> None:
        """Show ``optimizer`` (None: nothing). A no-op when it is already shown."""
        if optimizer is not None and optimizer == self._optimizer and type(optimizer) is self._cls:
            return
        self._optimizer = optimizer
        if optimizer is None or type(optimizer) is not self._cls:
            self._build(None if optimizer is None else type(optimizer))
        if optimizer is not None:
            self._show_values(optimizer.hp)
        self._show_error(None)

    @property
    def optimizer(self):
        return self._optimizer

    def field(self, name: str):
        """The widget(s) of one hyper-parameter (tests use this)."""
        return self._fields[name][1]

    # ---------------------------------------------------------------- build
    def _build(self, cls) -> None:
        self._cls = cls
        self._fields = {}
        old = self._form_host
        self._form_host = QWidget(self)
        self.layout().replaceWidget(old, self._form_host)
        old.deleteLater()
        if cls is None:
            return
        form = QFormLayout(self._form_host)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        for h in cls.hyper:
            widget, parts = self._make_field(h)
            widget.setToolTip(f"<b>{h.name}</b> (torch default {h.default!r})<br>{h.doc}")
            label = QLabel(h.name, self._form_host)
            label.setToolTip(widget.toolTip())
            form.addRow(label, widget)
            self._fields[h.name] = (h, parts, widget)

    def _make_field(self, h):
        if h.kind == "bool":
            box = QCheckBox(self._form_host)
            box.toggled.connect(self._edited)
            return box, box
        if h.kind == "pair":
            host = QWidget(self._form_host)
            row = QHBoxLayout(host)
            row.setContentsMargins(0, 0, 0, 0)
            boxes = []
            for _ in range(2):
                box = NumberBox(h.low, h.high, log_steps=_log_steps(h), parent=host)
                box.valueChanged.connect(self._edited)
                row.addWidget(box)
                boxes.append(box)
            return host, tuple(boxes)
        box = NumberBox(h.low, h.high, log_steps=_log_steps(h), parent=self._form_host)
        box.valueChanged.connect(self._edited)
        return box, box

    def _show_values(self, hp) -> None:
        for name, (h, parts, _) in self._fields.items():
            value = hp[name]
            if h.kind == "pair":
                for box, v in zip(parts, value):
                    _set_quietly(box, v)
            else:
                _set_quietly(parts, value)

    # ---------------------------------------------------------------- edits
    def values(self) -> dict:
        out = {}
        for name, (h, parts, _) in self._fields.items():
            if h.kind == "bool":
                out[name] = parts.isChecked()
            elif h.kind == "pair":
                out[name] = (parts[0].value(), parts[1].value())
            else:
                out[name] = parts.value()
        return out

    def _edited(self, *_) -> None:
        if self._optimizer is None:
            return
        try:
            new = self._optimizer.replace(**self.values())
        except ConfigError as e:
            self._show_error(str(e))
            return
        self._show_error(None)
        if new != self._optimizer:
            self._optimizer = new
            self.optimizer_edited.emit(new)

    def _show_error(self, message: str | None) -> None:
        for name, (_, _, widget) in self._fields.items():
            bad = message is not None and _names_key(message, name)
            widget.setStyleSheet(_ERROR_STYLE if bad else "")
        self.error.setText(message or "")
        self.error.setVisible(bool(message))


def _names_key(message: str, name: str) -> bool:
    """Does a ConfigError message ("Adam: betas[1] must be ...") name this key?"""
    body = message.split(":", 1)[-1]
    return any(body.lstrip().startswith(name + tail) for tail in (" ", "["))


def _set_quietly(widget, value) -> None:
    with QSignalBlocker(widget):
        if isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif widget.value() != value:
            widget.setValue(float(value))
