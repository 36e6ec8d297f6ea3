"""The Schedule section of the selected run: pick a learning-rate scheduler and edit its keywords.

A combo offers "No schedule" and every torch.optim.lr_scheduler class (torch's
names; the scheduler's ``summary`` as the tooltip); under it the one-line
summary and the keywords (controls/schedule_form.py: generated from the class's
``hyper`` with torch's defaults and ranges; nested schedules for SequentialLR
and ChainedScheduler). A scheduler picked from the combo starts from the
session's starting spec (core.presets.starting_spec: torch's defaults, the
required keywords fitted to the run's steps and lr).

Like the optimizer's form, the section reads the model and only sends
requests: ``run_edited({"scheduler": Scheduler | None})``. Each request is
first built with ``make_scheduler`` — torch's conditions — so a refused one
is shown in red with torch's reason, the keyword it names outlined, and never
sent; it stays in the form until the next edit (which is tried with it) or
until the edit of the outlined field ends, which puts the model's value back.
The model's answer shows the run again; the echo of the section's own request
changes no widget.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout, QWidget

from ...core.errors import ConfigError
from ...core.presets import starting_spec
from ...core.schedules import SCHEDULERS, make_scheduler
from .numbers import ProblemLabel
from .schedule_form import SpecForm, structure_of

_TITLES = {cls.title for cls in SCHEDULERS.values()}


class ScheduleSection(QWidget):
    """See the module docstring. ``show_run(i)`` shows run i of ``sim`` (-1: none)."""

    run_edited = Signal(object)

    def __init__(self, sim, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sim = sim                      # read only: requests go out as signals
        self._i = -1
        self._shown = None                  # the model's scheduler the widgets were set to
        self._refused: str | None = None
        self.combo = QComboBox(self)
        self.combo.addItem("No schedule", None)
        self.combo.setItemData(0, "A constant learning rate: the optimizer's lr", Qt.ToolTipRole)
        for name, cls in SCHEDULERS.items():
            self.combo.addItem(cls.title, name)
            self.combo.setItemData(self.combo.count() - 1, cls.summary, Qt.ToolTipRole)
        self.combo.setToolTip("torch.optim.lr_scheduler: the learning rate of each step")
        self.combo.activated.connect(self._picked)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setEnabled(False)              # dim: a note, not a control
        self.form: SpecForm | None = None
        self.error = ProblemLabel(self)
        self.error.setObjectName("scheduleError")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        layout.addWidget(self.summary)
        self._form_slot = layout.count()
        layout.addWidget(self.error)

    def set_error_color(self, color: str) -> None:
        self.error.set_color(color)

    # ------------------------------------------------- the context of a form
    @property
    def steps(self) -> int:
        return self.sim.steps

    def start(self, name: str) -> dict:
        """The starting spec of scheduler ``name`` for the shown run and this session."""
        return starting_spec(name, self.sim.runs[self._i].optimizer, self.sim.steps)

    # -------------------------------------------------------- from the model
    def show_run(self, i: int) -> None:
        """Show run i's schedule (nothing for -1). A schedule the form already shows (another
        field of the run changed) changes nothing, not even a refused edit waiting in the
        form; the echo of the section's own request rewrites no widget (each shows it)."""
        sched = self.sim.runs[i].scheduler if 0 <= i < len(self.sim.runs) else None
        if i == self._i and sched == self._shown and (sched is None or self._same_build(sched)):
            return
        self._i, self._shown, self._refused = i, sched, None
        self.setEnabled(i >= 0)
        with QSignalBlocker(self.combo):
            self.combo.setCurrentIndex(self.combo.findData(sched.name if sched else None))
        self.summary.setText(sched.summary[0].upper() + sched.summary[1:] + "."
                             if sched else "The lr stays the optimizer's.")
        if sched is None:
            self._set_form(None)
        else:
            if self.form is None or self.form.cls is not type(sched):
                self._set_form(SpecForm(type(sched), self, self))
            self.form.show(sched)
        self._show_error()

    def _same_build(self, sched) -> bool:
        return self.form is not None and self.form.structure() == structure_of(sched)

    def _set_form(self, form: SpecForm | None) -> None:
        if self.form is not None:
            self.form.setParent(None)
            self.form.deleteLater()
        self.form = form
        if form is not None:
            form.edited.connect(self._edited)
            form.restructured.connect(self._request)
            form.finished.connect(self._finished)
            form.problem_changed.connect(self._show_error)
            self.layout().insertWidget(self._form_slot, form)

    # ------------------------------------------------------------- requests
    def _picked(self, index: int) -> None:
        name = self.combo.itemData(index)
        if self._i < 0:
            return
        if name is None:
            self._send(None)
        elif self._shown is None or name != self._shown.name:
            self._request(self.start(name))
        with QSignalBlocker(self.combo):           # the model's answer sets it again
            self.combo.setCurrentIndex(self.combo.findData(self._shown.name if self._shown else None))

    def _edited(self) -> None:
        self._request(self.form.spec())

    def _request(self, spec: dict) -> None:
        """Build ``spec`` with torch's conditions; send it, or show why not."""
        run = self.sim.runs[self._i]
        try:
            sched = make_scheduler(spec, run.optimizer)
        except ConfigError as e:
            self._refused = str(e)
            self._show_error()
            return
        self._refused = None
        self._show_error()
        self._send(sched)

    def _send(self, sched) -> None:
        if sched != self.sim.runs[self._i].scheduler:
            self.run_edited.emit({"scheduler": sched})

    def _finished(self, field) -> None:
        """The edit of the field torch refused ended: back to the model's schedule."""
        if self._refused and field.flagged:
            self._shown = _STALE
            self.show_run(self._i)

    def refresh(self) -> None:
        """The session's steps changed: say again whether the schedule lasts the run."""
        self._show_error()

    def _show_error(self, *_) -> None:
        """A field's own problem first (it is red already), else torch's reason, its key
        outlined; else, when the model's schedule ends before the run, where it stops."""
        problems = self.form.problems() if self.form is not None else []
        message = problems[0] if problems else self._refused
        if self.form is not None:
            self.form.flag(error_path(message) if message and not problems else ())
        self.error.say(message or self._too_short())

    def _too_short(self) -> str:
        sched = self.sim.runs[self._i].scheduler if 0 <= self._i < len(self.sim.runs) else None
        n = sched.steps_allowed if sched is not None else None
        if n is None or n >= self.sim.steps:
            return ""
        return (f"{sched.title} ends after {n} steps and the run has {self.sim.steps}: "
                f"torch raises at step {n + 1}, and the run stops there.")


def error_path(message: str) -> tuple:
    """The keyword a scheduler's ConfigError names, as a path into the spec:
    "SequentialLR: schedulers[1]: CosineAnnealingLR: T_max must be …" ->
    ("schedulers", 1, "T_max"); "SequentialLR: milestones must …" -> ("milestones",)."""
    path: list = []
    for part in message.split(": ")[1:]:
        m = re.fullmatch(r"schedulers\[(\d+)\]", part)
        if m:
            path += ["schedulers", int(m[1])]
            continue
        if part in _TITLES:
            continue
        word = part.split()[0] if part.split() else ""
        m = re.fullmatch(r"(\w+)\[(\d+)\]", word)
        path += ["schedulers", int(m[2])] if m and m[1] == "schedulers" else [word]
        break
    return tuple(path)


_STALE = object()         # "the widgets may show something else": the next show redraws them
