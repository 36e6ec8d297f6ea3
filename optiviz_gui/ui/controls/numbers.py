"""``NumberBox``: the spin box of every typed number in the controls.

Hyper-parameters and the start point commit as they are typed; the number of
steps and the data parameters (``tracking=False``: each change rebuilds a lot)
commit on Enter or when the focus leaves; ``whole`` boxes take whole numbers only.
Otherwise the rule is the same in every box:

- Typing commits at once (with ``tracking``): each keystroke that leaves a complete
  number inside the box's range (``low``..``high``) sets the value
  (``valueChanged``), so an edit takes effect as it is typed.
- A complete number outside the range is never committed: the box turns red and
  ``problem`` holds one sentence naming the box, its range and the typed text
  ("lr must be between 0 and 1000, got 1e300."); ``problem_changed`` announces it.
  Characters that cannot make a number (letters) cannot be typed at all.
- An edit ends with Enter or when the focus leaves. If its text is then not a valid
  number, the whole edit is undone: the box goes back to the value it had when the
  edit began (announcing it, so the model is back where it was), and the red goes.
  An edit begins when the box gets the value (from the model, a step, the end of the
  last edit) or when typing replaces the whole of a valid text: typing 1e300 over
  0.1 commits 1 and 1000 on the way, and Enter then puts 0.1 back.
- ``show_value`` shows the model's value exactly, even one outside the range (a
  session file's lr = 1e300: the box widens to hold it rather than clamping it).
  Text that reads as the shown value keeps that exact value, so pressing Enter
  never rounds it; minus zero reads as zero.
"""

from __future__ import annotations

import math
import re

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QAbstractSpinBox, QDoubleSpinBox, QLabel

_BIG = 1e12
ERROR_RED = "#d32f2f"
_COMPLETE = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_PARTIAL = re.compile(r"[+-]?(\d*\.?\d*|(\d+\.?\d*|\.\d+)[eE][+-]?\d*)")
_WHOLE, _WHOLE_PARTIAL = re.compile(r"[+-]?\d+"), re.compile(r"[+-]?\d*")


def number_text(value: float) -> str:
    """Short text for a number: 0.1, 1e-08, 1000, 1e+300 (10 significant digits, or
    up to 15 when that is what it takes to read back as the same float)."""
    value = float(value) + 0.0                      # -0.0 -> 0.0
    for digits in (10, 15):
        text = format(value, f".{digits}g")
        if float(text) == value:
            return text
    return format(value, ".10g")


def _range_text(value: float) -> str:
    return number_text(value).replace("e+", "e")


class NumberBox(QDoubleSpinBox):
    """A spin box for one float; see the module docstring for what typing does.

    Steps are linear (``singleStep``) or, with ``log_steps``, walk the 1-2-5
    sequence (…, 0.01, 0.02, 0.05, 0.1, …): the right feel for a learning rate or
    an epsilon spanning many decades. Steps stay inside the range. ``special``
    is shown (and may be typed) for ``low``, like Qt's specialValueText.
    """

    problem_changed = Signal(str)

    def __init__(self, low: float | None = None, high: float | None = None,
                 log_steps: bool = False, step: float = 0.01, name: str = "the value",
                 parent=None, *, whole: bool = False, tracking: bool = True,
                 special: str = "") -> None:
        super().__init__(parent)
        self.low = -_BIG if low is None else float(low)
        self.high = _BIG if high is None else float(high)
        self.name = name
        self.log_steps = log_steps
        self._patterns = (_WHOLE, _WHOLE_PARTIAL) if whole else (_COMPLETE, _PARTIAL)
        self._start = 0.0              # the value when the current edit began
        self._problem = ""
        self._flagged = False
        self.setDecimals(323)          # Qt rounds every value to this: 323 keeps every float
        self.setRange(self.low, self.high)
        self.setSingleStep(step)
        self.setKeyboardTracking(tracking)
        self.setSpecialValueText(special)
        self._start = self.value()
        self.lineEdit().textChanged.connect(self._recheck)    # typing
        self.valueChanged.connect(self._recheck)              # Qt rewriting the text
        self.editingFinished.connect(self._edit_finished)

    # ------------------------------------------------------------ the api
    @property
    def problem(self) -> str:
        """Why the typed text is not taken ("" when it is fine or still incomplete)."""
        return self._problem

    def show_value(self, value: float) -> None:
        """Show the model's ``value`` exactly, without announcing it; ends any edit."""
        value = float(value) + 0.0
        with QSignalBlocker(self):
            self._set_within(value, min(self.low, value), max(self.high, value))
        self._start = value
        self._recheck()

    def set_range(self, low: float, high: float) -> None:
        """Change the range; the value shown stays until the next ``show_value``."""
        self.low, self.high = float(low), float(high)
        with QSignalBlocker(self):
            self._set_within(self.value(), min(low, self.value()), max(high, self.value()))

    def setValue(self, value: float) -> None:  # noqa: N802 - Qt override
        """Set (and announce) a value, clamped to the range like Qt's own."""
        value = min(max(float(value) + 0.0, self.low), self.high)
        self._set_within(value, self.low, self.high)
        self._start = self.value()

    def set_flagged(self, flagged: bool) -> None:
        """Outline the box in red for a reason found elsewhere (torch's own checks)."""
        self._flagged = flagged
        self._restyle()

    # ------------------------------------------------------ Qt's text hooks
    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt override
        return number_text(value)

    def valueFromText(self, text: str) -> float:  # noqa: N802 - Qt override
        t = _clean(text)
        if self.specialValueText() and t == self.specialValueText():
            return self.low
        for known in (self.value(), self._start):
            if t == number_text(known):
                return known
        try:
            return float(t) + 0.0
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        return self._check(text)[0], text, pos

    def fixup(self, text: str) -> str:
        """Text that is not a valid number when the edit ends: back to where it began."""
        return self.textFromValue(self._start)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Typing over the whole of a valid text starts a new edit from its value."""
        edit = self.lineEdit()
        if (event.text().isprintable() and event.text() and edit.selectedText() == edit.text()
                and self._check(edit.text())[0] == QValidator.Acceptable):
            self._start = self.value()
        super().keyPressEvent(event)

    # ---------------------------------------------------------------- steps
    def stepEnabled(self):  # noqa: N802 - Qt override
        flags = QAbstractSpinBox.StepNone
        if self.value() < self.high:
            flags |= QAbstractSpinBox.StepUpEnabled
        if self.value() > self.low:
            flags |= QAbstractSpinBox.StepDownEnabled
        return flags

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt override
        if self.lineEdit().text() != self.textFromValue(self.value()):
            self.interpretText()                 # typed text first: taken or undone
        v = self.value()
        if (steps > 0 and v >= self.high) or (steps < 0 and v <= self.low):
            return
        if self.log_steps:
            for _ in range(abs(steps)):
                v = _step_125(v, up=steps > 0, low=self.low)
        else:
            v = float(format(v + steps * self.singleStep(), ".12g"))   # 0.1 + 0.2 -> 0.3
        self.setValue(v)
        self.selectAll()

    # ------------------------------------------------------------- internal
    def _check(self, text: str) -> tuple[QValidator.State, str]:
        """(Qt's verdict on ``text``, the problem with it)."""
        t = _clean(text)
        complete, partial = self._patterns
        special = self.specialValueText()
        if special and t == special:
            return QValidator.Acceptable, ""
        if not complete.fullmatch(t):
            ok = partial.fullmatch(t) or (special and special.startswith(t))
            return (QValidator.Intermediate if ok else QValidator.Invalid), ""
        v = float(t) + 0.0
        if self.low <= v <= self.high or v == self._start or v == self.value():
            return QValidator.Acceptable, ""
        return QValidator.Intermediate, (f"{self.name} must be between {_range_text(self.low)} "
                                         f"and {_range_text(self.high)}, got {t}.")

    def _recheck(self, *_) -> None:
        """Red with the reason, or not, for the text now in the box."""
        state, problem = self._check(self.lineEdit().text())
        if state == QValidator.Invalid or problem == self._problem:
            return
        self._problem = problem
        self._restyle()
        self.problem_changed.emit(problem)

    def _edit_finished(self) -> None:
        self._start = self.value()
        self._recheck()

    def _set_within(self, value: float, low: float, high: float) -> None:
        """Set ``value`` and the range ``low``..``high`` without Qt clamping on the way.
        The range is touched only when it changes: each setRange re-lays out the panel."""
        now = self.value()
        self._range_to(min(low, now), max(high, now))
        super().setValue(value)
        self._range_to(low, high)

    def _range_to(self, low: float, high: float) -> None:
        if (self.minimum(), self.maximum()) != (low, high):
            self.setRange(low, high)

    def _restyle(self) -> None:
        if self._problem:
            style = f"QDoubleSpinBox {{ border: 1px solid {ERROR_RED}; color: {ERROR_RED}; }}"
        elif self._flagged:
            style = f"QDoubleSpinBox {{ border: 1px solid {ERROR_RED}; }}"
        else:
            style = ""
        if self.styleSheet() != style:
            self.setStyleSheet(style)


def _clean(text: str) -> str:
    return text.strip().replace(",", ".")


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


class ProblemLabel(QLabel):
    """One sentence in red under some boxes: the first problem among those it watches."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._boxes: list[NumberBox] = []
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.set_color("#c62828")
        self.hide()

    def set_color(self, color: str) -> None:
        self.setStyleSheet(f"color: {color}; font-weight: bold;")

    def watch(self, *boxes: NumberBox) -> None:
        for box in boxes:
            self._boxes.append(box)
            box.problem_changed.connect(self.refresh)

    def refresh(self, *_) -> None:
        self.say(next((box.problem for box in self._boxes if box.problem), ""))

    def say(self, message: str | None) -> None:
        self.setText(message or "")
        self.setVisible(bool(message))
