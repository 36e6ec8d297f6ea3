"""The controls panel: surface, start point, number of steps, optimizers and their settings.

It is made of ``SurfacePicker`` (controls_surface), ``RunList`` (controls_runs)
and ``HyperForm`` (controls_hyper) plus the start/steps boxes, the selected
optimizer's update rule, and the selected run's ``ScheduleSection``
(controls/schedule.py) and ``ClippingFields`` (controls/clipping.py). The panel
never changes the model: it reads it (never keeping copies), announces requests as Qt signals, and is redrawn from the
model's events by the ``show_*`` methods, which block their widgets' signals
(QSignalBlocker, ``NumberBox.show_value``) and leave alone what already shows
the model, so the echo of the panel's own request changes nothing.
``window/wiring.py`` connects both directions. Every typed number is a ``NumberBox`` (controls_numbers): text out of
its range is shown in red with the reason under its group and never requested.

Requests:
    surface_requested(surface, new_kind)   a new surface; new_kind: move to its default start
    start_requested(x, y)
    steps_requested(n)
    run_added(Run), run_removed(i), run_changed(i, {field: value})
"""

from __future__ import annotations

import html
import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...core.trajectory import MAX_STEPS
from .clipping import ClippingFields
from .hyper import HyperForm
from .numbers import NumberBox, ProblemLabel
from .runs import RunList
from .schedule import ScheduleSection
from .surface import SurfacePicker
from ..dialogs.common import rule_html
from ..style.palette import error_color


class ControlsPanel(QWidget):
    """See the module docstring."""

    surface_requested = Signal(object, bool)
    start_requested = Signal(float, float)
    steps_requested = Signal(int)
    run_added = Signal(object)
    run_removed = Signal(int)
    run_changed = Signal(int, object)

    def __init__(self, sim, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sim = sim                    # read only: requests go out as signals

        # surface
        self.surface = SurfacePicker(sim, self)
        self.surface.surface_requested.connect(self.surface_requested)
        surface_box = _group("Surface", self.surface)

        # start point and steps
        self.start_x = NumberBox(name="start x", parent=self)
        self.start_y = NumberBox(name="start y", parent=self)
        for box in (self.start_x, self.start_y):
            box.setToolTip("Start point (or click / drag on the map)")
            box.valueChanged.connect(self._start_edited)
        # typing 1000 must not pass through 1: the steps are taken on Enter
        self.steps = NumberBox(1, MAX_STEPS, step=1, name="steps", parent=self,
                               whole=True, tracking=False)
        self.steps.setToolTip("Number of iterations to play (press Enter after typing)")
        self.steps.valueChanged.connect(lambda n: self.steps_requested.emit(int(n)))
        self.start_error = ProblemLabel(self)
        self.start_error.watch(self.start_x, self.start_y, self.steps)
        start_host = QWidget(self)
        start_form = QFormLayout(start_host)
        start_form.setContentsMargins(0, 0, 0, 0)
        self.start_x_label, self.start_y_label = QLabel("x", self), QLabel("y", self)
        row = QHBoxLayout()
        row.addWidget(self.start_x_label)
        row.addWidget(self.start_x, 1)
        row.addWidget(self.start_y_label)
        row.addWidget(self.start_y, 1)
        start_form.addRow("Start", row)
        start_form.addRow("Steps", self.steps)
        start_form.addRow(self.start_error)
        start_box = _group("Start point and steps", start_host)

        # optimizers
        self.runs = RunList(sim, self)
        self.runs.run_added.connect(self.run_added)
        self.runs.run_removed.connect(self.run_removed)
        self.runs.run_changed.connect(self.run_changed)
        self.runs.current_changed.connect(self._show_current)
        runs_box = _group("Optimizers", self.runs)

        # the selected optimizer
        self.hyper = HyperForm(self)
        self.hyper.optimizer_edited.connect(self._hyper_edited)
        self.rule = QLabel(self)
        self.rule.setTextFormat(Qt.RichText)
        self.rule.setWordWrap(True)
        self.rule.setTextInteractionFlags(Qt.TextSelectableByMouse)
        hyper_host = QWidget(self)
        hyper_layout = QVBoxLayout(hyper_host)
        hyper_layout.setContentsMargins(0, 0, 0, 0)
        hyper_layout.addWidget(self.hyper)
        hyper_layout.addWidget(self.rule)
        self.hyper_box = _group("Hyper-parameters", hyper_host)

        # the selected run's schedule and clipping
        self.schedule = ScheduleSection(sim, self)
        self.clipping = ClippingFields(sim, self)
        for section in (self.schedule, self.clipping):
            section.run_edited.connect(self._run_edited)
        self.schedule_box = _group("Learning-rate schedule", self.schedule)
        self.clipping_box = _group("Gradient clipping", self.clipping)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        for box in (surface_box, start_box, runs_box, self.hyper_box, self.schedule_box,
                    self.clipping_box):
            layout.addWidget(box)
        layout.addStretch(1)

    def set_theme(self, name: str) -> None:
        color = error_color(name)
        self.hyper.set_error_color(color)
        self.schedule.set_error_color(color)
        self.clipping.set_error_color(color)
        self.start_error.set_color(color)
        self.surface.set_error_color(color)

    # -------------------------------------------------------- from the model
    def show_model(self) -> None:
        """Redraw every section from the model (a new session, a refused request)."""
        self.show_surface(self.sim.surface)
        self.show_start(self.sim.start)
        self.show_steps(self.sim.steps)
        self.show_runs()

    def show_surface(self, surface) -> None:
        self.surface.show_surface(surface)
        ax, ay = getattr(surface, "axis_labels", ("x", "y"))
        self.start_x_label.setText(_short(ax))
        self.start_y_label.setText(_short(ay))
        self.start_x.setToolTip(f"Start {ax} (or click / drag on the map)")
        self.start_y.setToolTip(f"Start {ay} (or click / drag on the map)")
        self.start_x.name, self.start_y.name = f"start {ax}", f"start {ay}"
        (x0, x1), (y0, y1) = surface.bounds
        for box, span in ((self.start_x, x1 - x0), (self.start_y, y1 - y0)):
            box.setSingleStep(10.0 ** math.floor(math.log10(max(span, 1e-9))) / 10)

    def show_start(self, start) -> None:
        for box, v in zip((self.start_x, self.start_y), start):
            if box.value() != v:                  # not the echo of what was typed
                box.show_value(v)

    def show_steps(self, n: int) -> None:
        if self.steps.value() != n:
            self.steps.show_value(n)
        self.schedule.refresh()

    def show_runs(self) -> None:
        """Runs added or removed: every row, and the selected run's form."""
        self.runs.show_runs()
        self._show_current(self.runs.current())

    def show_run(self, i: int, fields) -> None:
        """Run i's ``fields`` changed: its row, and the form when it is the selected run."""
        self.runs.show_run(i, fields)
        if i == self.runs.current():
            self._show_current(i)

    def _show_current(self, i: int) -> None:
        self.schedule.show_run(i)
        self.clipping.show_run(i)
        if 0 <= i < len(self.sim.runs):
            opt = self.sim.runs[i].optimizer
            self.hyper.set_optimizer(opt)
            self.hyper_box.setTitle(f"Hyper-parameters: {self.sim.labels()[i]}")
            note = f"<p><i>{html.escape(opt.note)}</i></p>" if opt.note else ""
            self.rule.setText(f"<b>{type(opt).title} update rule</b>"
                              f"{rule_html(type(opt), wrap=True)}{note}")
        else:
            self.hyper.set_optimizer(None)
            self.hyper_box.setTitle("Hyper-parameters")
            self.rule.setText("<i>Add an optimizer to tune it.</i>")

    # ------------------------------------------------------------- requests
    def _start_edited(self, *_) -> None:
        self.start_requested.emit(self.start_x.value(), self.start_y.value())

    def _run_edited(self, changes: dict) -> None:
        i = self.runs.current()
        if 0 <= i < len(self.sim.runs):
            self.run_changed.emit(i, changes)

    def _hyper_edited(self, optimizer) -> None:
        i = self.runs.current()
        if 0 <= i < len(self.sim.runs):
            self.run_changed.emit(i, {"optimizer": optimizer})


def _group(title: str, widget: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(6, 6, 6, 6)
    layout.addWidget(widget)
    return box


def _short(axis_label: str) -> str:
    """'intercept a' -> 'a'; 'x' -> 'x' (the spin boxes' tooltips carry the full name)."""
    return axis_label.split()[-1] if axis_label else "?"
