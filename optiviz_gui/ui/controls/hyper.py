"""The hyper-parameter form of one optimizer, generated from its class's ``hyper`` specs.

float -> ``NumberBox`` (controls_numbers: typed numbers outside the spec's
``low``/``high`` are shown in red with the reason and never sent), bool ->
QCheckBox, pair -> two NumberBoxes (``betas[0]``, ``betas[1]``). Tooltips come
from the spec's ``doc``.

An edit sends only what the person changed: ``optimizer.replace(field=value)`` on
the model's optimizer, validated by torch's own conditions, so a field the form
merely shows is never rewritten. A valid result is announced with
``optimizer_edited``; a rejected one (e.g. nesterov with dampening) is shown in
red with the reason, the offending field is outlined, and nothing is announced:
the model never sees it. A refused combination stays in the form (set dampening
to 0 and both go through) while edits valid by themselves still go through; a
box whose own value torch refuses (β₂ = 1) goes back to the model's value when
its edit ends. One message at a time: a box's own problem first, then torch's.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel,
                               QVBoxLayout, QWidget)

from ...core.errors import ConfigError
from .numbers import ERROR_RED, NumberBox, ProblemLabel

__all__ = ["HyperForm", "NumberBox"]

_ERROR_STYLE = f"border: 1px solid {ERROR_RED};"


def log_steps(h) -> bool:
    """Learning rates, epsilons and decays span decades; unit-interval factors and whole
    numbers do not."""
    if h.kind == "int" or (h.low is not None and h.low < 0):
        return False
    unit = h.high is not None and h.high <= 1.0
    d = h.default[-1] if isinstance(h.default, tuple) else h.default
    return not (unit and d is not None and (d == 0 or d >= 0.01))


class HyperForm(QWidget):
    """Edit one optimizer; see the module docstring."""

    optimizer_edited = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._optimizer = None            # what the model has (set only from the model)
        self._asked = None                # the last optimizer this form asked the model for
        self._cls = None
        self._fields: dict[str, tuple] = {}
        self._pending: dict = {}          # edits torch refused, kept for the next edit
        self._refused: str | None = None  # torch's reason
        self._form_host = QWidget(self)
        self.error = ProblemLabel(self)
        self.error.setObjectName("hyperError")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._form_host)
        layout.addWidget(self.error)

    def set_error_color(self, color: str) -> None:
        self.error.set_color(color)

    # -------------------------------------------------------- from the model
    def set_optimizer(self, optimizer) -> None:
        """Show the model's ``optimizer`` (None: nothing). The echo of this form's own
        edit changes no box (the one being typed in shows it already) and keeps the
        edits torch refused, which wait for the next one."""
        if optimizer is not None and type(optimizer) is self._cls and optimizer == self._asked:
            self._optimizer, self._asked = optimizer, None
            self._show_values(optimizer.hp, echo=True)
            return
        if optimizer is not None and optimizer == self._optimizer and type(optimizer) is self._cls:
            return
        self._optimizer, self._asked = optimizer, None
        self._pending, self._refused = {}, None
        if optimizer is None or type(optimizer) is not self._cls:
            self._build(None if optimizer is None else type(optimizer))
        if optimizer is not None:
            self._show_values(optimizer.hp)
        self._show_error()

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
        old.hide()               # at once: deleteLater waits for the event loop to come round
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
            box.toggled.connect(lambda on, name=h.name: self._edited(name, on))
            return box, box
        if h.kind == "choice":
            combo = QComboBox(self._form_host)
            for choice in h.choices:
                combo.addItem("None" if choice is None else str(choice), choice)
            combo.currentIndexChanged.connect(
                lambda i, name=h.name, c=combo: self._edited(name, c.itemData(i)))
            return combo, combo
        if h.kind in ("pair", "triple"):
            host = QWidget(self._form_host)
            row = QHBoxLayout(host)
            row.setContentsMargins(0, 0, 0, 0)
            size = 2 if h.kind == "pair" else 3
            boxes = tuple(self._number_box(h, f"{h.name}[{i}]", host, i, optional=h.optional
                                           and i == 0) for i in range(size))
            for box in boxes:
                row.addWidget(box)
            return host, boxes
        box = self._number_box(h, h.name, self._form_host, optional=h.optional)
        return box, box

    def _number_box(self, h, name: str, parent: QWidget, part: int | None = None,
                    optional: bool = False) -> NumberBox:
        """A box for one number. ``optional`` (torch takes None): the box's lowest value
        reads "None" and means None — one below the lowest whole number for an int,
        the lowest value otherwise (an ε of 0, which torch's rule would divide by)."""
        whole = h.kind == "int"
        low = h.low - 1 if optional and whole else h.low
        box = NumberBox(low, h.high, log_steps=log_steps(h), name=name, parent=parent,
                        whole=whole, step=1 if whole else 0.01,
                        special="None" if optional else "")
        box.none_value = low if optional else object()      # the value that stands for None
        box.valueChanged.connect(lambda v: self._edited(h.name, _from_box(box, v, whole), part))
        box.editingFinished.connect(lambda: self._box_done(box, h.name, part))
        box.problem_changed.connect(self._show_error)
        return box

    def _show_values(self, hp, echo: bool = False) -> None:
        """Every field as the model has it. For the echo of the form's own edit only the
        fields that show something else change, and a box with red text keeps it."""
        for name, (h, parts, _) in self._fields.items():
            if h.kind == "bool":
                if parts.isChecked() != bool(hp[name]):
                    with QSignalBlocker(parts):
                        parts.setChecked(bool(hp[name]))
            elif h.kind == "choice":
                i = parts.findData(hp[name])
                if parts.currentIndex() != i:
                    with QSignalBlocker(parts):
                        parts.setCurrentIndex(i)
            else:
                for box, v in zip(_boxes(parts), _boxes(hp[name])):
                    v = box.none_value if v is None else v
                    if not echo or (box.value() != v and not box.problem):
                        box.show_value(v)

    # ---------------------------------------------------------------- edits
    def _edited(self, name: str, value, part: int | None = None) -> None:
        """One field (or one part of a pair) changed: send that change alone, or with
        the refused edits it may complete (nesterov waiting for dampening = 0)."""
        if self._optimizer is None:
            return
        if part is not None:
            value = _with_part(self._pending.get(name, self._optimizer.hp[name]), part, value)
        self._pending[name] = value
        self._apply(name)

    def _box_done(self, box: NumberBox, name: str, part: int | None) -> None:
        """A box's edit ended: a value torch refuses by itself goes back to the model's."""
        if self._optimizer is None or not self._refused or _named_key(self._refused) != box.name:
            return
        value = self._optimizer.hp[name]
        shown = value if part is None else value[part]
        box.show_value(box.none_value if shown is None else shown)
        if part is not None and name in self._pending:
            value = _with_part(self._pending[name], part, value[part])
        self._pending[name] = value
        self._apply()

    def _apply(self, name: str | None = None) -> None:
        old = new = self._optimizer
        try:
            new = old.replace(**self._pending)
            self._pending, self._refused = {}, None
        except ConfigError as e:
            self._refused = str(e)
            if name is not None:
                try:                                  # valid by itself: it goes through
                    new = old.replace(**{name: self._pending[name]})
                    del self._pending[name]
                except ConfigError:
                    pass
        self._show_error()
        if new != old:
            self._asked = new
            self.optimizer_edited.emit(new)

    def _show_error(self, *_) -> None:
        """A box's own problem (it is red already), else torch's reason on its field."""
        boxes = [box for _, parts, _ in self._fields.values()
                 if not isinstance(parts, (QCheckBox, QComboBox)) for box in _boxes(parts)]
        problems = [box.problem for box in boxes if box.problem]
        message = problems[0] if problems else self._refused
        key = None if problems or not message else _named_key(message)
        for name, (h, parts, widget) in self._fields.items():
            if h.kind in ("bool", "choice"):
                widget.setStyleSheet(_ERROR_STYLE if key == name else "")
            else:
                for box in _boxes(parts):
                    box.set_flagged(key in (name, box.name))
        self.error.say(message)


def _from_box(box, value: float, whole: bool):
    """A box's value as the optimizer takes it: None for the box's None, ints for ints."""
    if value == box.none_value:
        return None
    return int(value) if whole else value


def _named_key(message: str) -> str:
    """The key a ConfigError names: "Adam: betas[1] must be ..." -> "betas[1]"."""
    words = message.split(":", 1)[-1].split()
    return words[0] if words else ""


def _with_part(pair, part: int, value) -> tuple:
    return tuple(value if i == part else v for i, v in enumerate(pair))


def _boxes(parts) -> tuple:
    """A field's boxes, or a value's numbers: a pair as it is, one as a 1-tuple."""
    return parts if isinstance(parts, tuple) else (parts,)
