"""The gradient-clipping fields of the selected run: clip_grad_norm and clip_grad_value.

Each is off by default: a check box (torch.nn.utils' function it calls) and the
number it clips to (max_norm, or clip_value), which takes effect as it is typed
while the box is ticked. A request is first tried on the model's run
(``dataclasses.replace``: the run's own checks), so one the model refuses —
any clipping for LBFGS, whose closure computes the gradient again inside each
step — is shown in red with the model's sentence and never sent; unticking
clears it. The fields show the model's run and send ``run_edited({key: value
or None})``.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QCheckBox, QFormLayout, QVBoxLayout, QWidget

from ...core.errors import ConfigError
from .numbers import ERROR_RED, NumberBox, ProblemLabel

KEYS = ("clip_grad_norm", "clip_grad_value")
START = {"clip_grad_norm": 1.0, "clip_grad_value": 1.0}     # shown while off
TIPS = {
    "clip_grad_norm": "torch.nn.utils.clip_grad_norm_(params, max_norm): scale the gradient "
                      "down so its length ‖g‖ is at most max_norm",
    "clip_grad_value": "torch.nn.utils.clip_grad_value_(params, clip_value): clamp each "
                       "coordinate of the gradient to [−clip_value, clip_value]",
}


class ClippingFields(QWidget):
    """See the module docstring. ``show_run(i)`` shows run i of ``sim`` (-1: none)."""

    run_edited = Signal(object)

    def __init__(self, sim, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sim = sim                      # read only: requests go out as signals
        self._i = -1
        self._refused: dict[str, str] = {}
        self.checks: dict[str, QCheckBox] = {}
        self.boxes: dict[str, NumberBox] = {}
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.error = ProblemLabel(self)
        self.error.setObjectName("clippingError")
        for key in KEYS:
            check = QCheckBox(key, self)
            check.setToolTip(TIPS[key])
            box = NumberBox(0.0, 1e6, log_steps=True, name=key, parent=self)
            box.setToolTip(TIPS[key])
            box.show_value(START[key])
            box.setEnabled(False)
            check.toggled.connect(lambda _on, k=key: self._edited(k))
            box.valueChanged.connect(lambda _v, k=key: self._edited(k))
            box.problem_changed.connect(lambda _p: self._show_error())
            form.addRow(check, box)
            self.checks[key], self.boxes[key] = check, box
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.error)

    def set_error_color(self, color: str) -> None:
        self.error.set_color(color)

    # -------------------------------------------------------- from the model
    def show_run(self, i: int) -> None:
        """Show run i's clipping; a key the model has as the fields show it is left alone
        (the echo of their own request, a refused tick waiting to be unticked)."""
        run = self.sim.runs[i] if 0 <= i < len(self.sim.runs) else None
        if i != self._i:
            self._refused = {}
        self._i = i
        self.setEnabled(run is not None)
        for key in KEYS:
            value = getattr(run, key) if run is not None else None
            check, box = self.checks[key], self.boxes[key]
            if key in self._refused:
                continue
            with QSignalBlocker(check):
                check.setChecked(value is not None)
            box.setEnabled(value is not None)
            if value is not None and box.value() != value:
                box.show_value(value)
        self._show_error()

    # ------------------------------------------------------------- requests
    def _edited(self, key: str) -> None:
        if not 0 <= self._i < len(self.sim.runs):
            return
        on = self.checks[key].isChecked()
        self.boxes[key].setEnabled(on)
        value = self.boxes[key].value() if on else None
        run = self.sim.runs[self._i]
        self._refused.pop(key, None)
        try:
            replace(run, **{key: value})
        except ConfigError as e:
            self._refused[key] = str(e)
        self._show_error()
        if key not in self._refused and getattr(run, key) != value:
            self.run_edited.emit({key: value})

    def _show_error(self) -> None:
        for key, check in self.checks.items():
            check.setStyleSheet(f"QCheckBox {{ color: {ERROR_RED}; }}" if key in self._refused else "")
        problem = next((b.problem for b in self.boxes.values() if b.problem), "")
        self.error.say(problem or next(iter(self._refused.values()), ""))
