"""One field per scheduler keyword, generated from its ``Hyper`` spec (kinds of core.schedules).

    float, int   NumberBox (controls/numbers.py): out-of-range text red, never taken;
                 an optional keyword's lowest value reads "None" (as in the optimizer form)
    bool         a check box
    choice       a combo box of torch's values
    ints         a line of whole numbers separated by commas (MultiStepLR's milestones)
    formula      a formula in t (LambdaLR's lr_lambda, CyclicLR's scale_fn), read by the
                 safe parser as it is typed: a formula that does not parse is red with the
                 parser's reason; a good one is taken after a short pause or on Enter

Every field has ``value()`` (the last good value it shows: what the form sends),
``show(value)`` (the model's, without announcing it), ``problem`` (why the typed
text is not taken, "" when it is) and ``set_flagged`` / ``flagged`` (outlined in
red for a reason found by torch's checks), and announces ``edited`` when a new
good value is typed and ``finished`` when an edit ends (Enter, or the focus leaves).
"""

from __future__ import annotations

import re

from PySide6.QtCore import QRegularExpression, QSignalBlocker, QTimer, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLineEdit, QWidget

from ...core.errors import ConfigError
from ...core.expression import parse_function
from .hyper import log_steps
from .numbers import ERROR_RED, NumberBox

FORMULA_PAUSE_MS = 400          # a formula is taken this long after the last keystroke
_FLAG = f"border: 1px solid {ERROR_RED};"
_RED = f"border: 1px solid {ERROR_RED}; color: {ERROR_RED};"


class Field(QWidget):
    """What every keyword field does (see the module docstring)."""

    edited = Signal()
    finished = Signal()
    problem_changed = Signal(str)

    def __init__(self, h, title: str, parent=None) -> None:
        super().__init__(parent)
        self.h, self.title = h, title
        self.problem = ""
        self.flagged = False
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.setToolTip(f"<b>{h.name}</b> ({_default_text(h)})<br>{h.doc}")

    def value(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def show(self, value) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def set_flagged(self, flagged: bool) -> None:
        if flagged != self.flagged:
            self.flagged = flagged
            self._restyle()

    def _restyle(self) -> None:
        pass

    def _say(self, problem: str) -> None:
        if problem != self.problem:
            self.problem = problem
            self._restyle()
            self.problem_changed.emit(problem)


class NumberField(Field):
    """A float or whole number; optional ones take None as the box's lowest value."""

    def __init__(self, h, title: str, parent=None) -> None:
        super().__init__(h, title, parent)
        whole = h.kind == "int"
        low = h.low - 1 if h.optional and whole else h.low
        self.box = NumberBox(low, h.high, log_steps=log_steps(h), name=h.name, parent=self,
                             whole=whole, step=1 if whole else 0.01,
                             special="None" if h.optional else "")
        self._none = low if h.optional else object()
        self._whole = whole
        self.row.addWidget(self.box)
        self.box.setToolTip(self.toolTip())
        self.box.valueChanged.connect(lambda _v: self.edited.emit())
        self.box.editingFinished.connect(self.finished)
        self.box.problem_changed.connect(self._box_problem)

    def value(self):
        v = self.box.value()
        if v == self._none:
            return None
        return int(v) if self._whole else v

    def show(self, value) -> None:
        shown = self._none if value is None else value
        if self.box.value() != shown or self.box.problem:
            self.box.show_value(shown)

    def _restyle(self) -> None:
        self.box.set_flagged(self.flagged)

    def _box_problem(self, problem: str) -> None:
        self._say(f"{self.title}: {problem}" if problem else "")


class CheckField(Field):
    def __init__(self, h, title: str, parent=None) -> None:
        super().__init__(h, title, parent)
        self.box = QCheckBox(self)
        self.row.addWidget(self.box)
        self.row.addStretch(1)
        self.box.toggled.connect(lambda _on: (self.edited.emit(), self.finished.emit()))

    def value(self):
        return self.box.isChecked()

    def show(self, value) -> None:
        if self.box.isChecked() != bool(value):
            with QSignalBlocker(self.box):
                self.box.setChecked(bool(value))

    def _restyle(self) -> None:
        self.box.setStyleSheet(_FLAG if self.flagged else "")


class ChoiceField(Field):
    def __init__(self, h, title: str, parent=None) -> None:
        super().__init__(h, title, parent)
        self.combo = QComboBox(self)
        for choice in h.choices:
            self.combo.addItem("None" if choice is None else str(choice), choice)
        self.row.addWidget(self.combo)
        self.combo.currentIndexChanged.connect(lambda _i: (self.edited.emit(), self.finished.emit()))

    def value(self):
        return self.combo.currentData()

    def show(self, value) -> None:
        i = self.combo.findData(value)
        if self.combo.currentIndex() != i:
            with QSignalBlocker(self.combo):
                self.combo.setCurrentIndex(i)

    def _restyle(self) -> None:
        self.combo.setStyleSheet(_FLAG if self.flagged else "")


class TextField(Field):
    """A line of text read by ``parse(text)`` (a value, or ConfigError with the reason)."""

    def __init__(self, h, title: str, parent=None, pause_ms: int = 0) -> None:
        super().__init__(h, title, parent)
        self.edit = QLineEdit(self)
        self.edit.setToolTip(self.toolTip())
        self.row.addWidget(self.edit)
        self._value = self._pending = None
        self._timer = None
        if pause_ms:
            self._timer = QTimer(self, singleShot=True, interval=pause_ms)
            self._timer.timeout.connect(self._take)
        self.edit.textEdited.connect(self._typed)
        self.edit.editingFinished.connect(self._done)

    def parse(self, text: str):  # pragma: no cover - abstract
        raise NotImplementedError

    def value(self):
        return self._value

    def show(self, value) -> None:
        text = self.text_of(value)
        self._value = self.parse(text) if text or not self.h.optional else None
        if self.edit.text() != text:
            with QSignalBlocker(self.edit):
                self.edit.setText(text)
        self._say("")

    def text_of(self, value) -> str:
        return "" if value is None else str(value)

    def _typed(self, text: str) -> None:
        try:
            value = self.parse(text)
        except ConfigError as e:
            self._say(str(e))
            if self._timer:
                self._timer.stop()
            return
        self._say("")
        if value is _INCOMPLETE:
            return
        self._pending = value
        if self._timer:
            self._timer.start()
        else:
            self._take()

    def _take(self) -> None:
        value = self._pending
        if value != self._value:
            self._value = value
            self.edited.emit()

    def _done(self) -> None:
        """Enter or focus out: a good text is taken now; a bad one goes back to the value."""
        if self._timer and self._timer.isActive():
            self._timer.stop()
            self._take()
        if self.problem:
            self.show(self._value)
        self.finished.emit()

    def _restyle(self) -> None:
        self.edit.setStyleSheet(_RED if self.problem else _FLAG if self.flagged else "")


_INCOMPLETE = object()            # text still being typed: no value, no problem yet
_INTS_TEXT = re.compile(r"[0-9,\s]*")


class IntsField(TextField):
    """Whole numbers separated by commas: "10, 50"."""

    def __init__(self, h, title: str, parent=None) -> None:
        super().__init__(h, title, parent)
        self.edit.setValidator(QRegularExpressionValidator(QRegularExpression(_INTS_TEXT.pattern), self.edit))
        self.edit.setPlaceholderText("e.g. 30, 80")

    def text_of(self, value) -> str:
        return ", ".join(str(v) for v in value or ())

    def parse(self, text: str):
        if not text.strip():
            return []
        parts = [p.strip() for p in text.split(",")]
        if parts and not parts[-1] and len(parts) > 1:
            return _INCOMPLETE                          # "10, " while typing
        if not all(p.isdigit() for p in parts):
            raise ConfigError(f"{self.title}: {self.h.name} must be whole numbers separated "
                              f"by commas, e.g. 30, 80, got {text.strip()!r}.")
        values = [int(p) for p in parts]
        low, high = int(self.h.low or 0), int(self.h.high or 10**9)
        bad = [v for v in values if not low <= v <= high]
        if bad:
            raise ConfigError(f"{self.title}: {self.h.name} must be between {low} and "
                              f"{high:,}, got {bad[0]}.")
        return values


class FormulaField(TextField):
    """A formula in t, parsed by core.expression (never eval); empty is None when optional."""

    def __init__(self, h, title: str, parent=None) -> None:
        super().__init__(h, title, parent, pause_ms=FORMULA_PAUSE_MS)
        self.edit.setPlaceholderText("None" if h.optional else f"a formula in t, e.g. {h.default}")

    def text_of(self, value) -> str:
        return "" if value is None else getattr(value, "source", str(value))

    def parse(self, text: str):
        if not text.strip() and self.h.optional:
            return None
        parse_function(text, "t", f"{self.title}: {self.h.name}")
        return text


FIELDS = {"float": NumberField, "int": NumberField, "bool": CheckField, "choice": ChoiceField,
          "ints": IntsField, "formula": FormulaField}


def make_field(h, title: str, parent=None) -> Field:
    """The field of keyword ``h`` of the scheduler class called ``title``."""
    return FIELDS[h.kind](h, title, parent)


def _default_text(h) -> str:
    if h.required:
        return "torch has no default: required"
    return f"torch default {'None' if h.default is None else repr(h.default)}"
