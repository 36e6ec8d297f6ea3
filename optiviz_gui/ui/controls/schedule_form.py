"""The keywords of one scheduler, generated from its ``hyper``; nested ones for composites.

``SpecForm(cls, context)`` shows one scheduler class: a field per keyword
(controls/spec_fields.py) and, for SequentialLR and ChainedScheduler, the list
of child schedules — each a class combo, ↑ ↓ ✕ buttons and its own SpecForm,
and "Add a schedule" under them. ``context.start(name)`` is a scheduler's
starting spec for the run and session on screen (core.presets.starting_spec),
``context.steps`` the session's steps: both for a new child.

The form is what its widgets show: ``spec()`` reads the whole tree back as a
session's "scheduler" object. It announces two kinds of edit, which the
Schedule section (controls/schedule.py) validates and sends:

    edited        a keyword's value was typed: the request is ``spec()``
    restructured  a child was added, removed, moved or given another class: the
                  request is the new spec this carries (the widgets change only when
                  the model answers with it, so a refused structure leaves the form
                  as the model is)

A SequentialLR keeps one milestone fewer than children: a new child gets a
milestone halfway between the last one and the end of the run, a removed
child takes its milestone with it (core.presets.with_child / without_child).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QFrame, QHBoxLayout, QLabel,
                               QPushButton, QToolButton, QVBoxLayout, QWidget)

from ...core.presets import moved_child, with_child, without_child
from ...core.schedules import SCHEDULERS
from .spec_fields import make_field

# a composite's children may be anything but ReduceLROnPlateau, which torch refuses there
CHILD_NAMES = tuple(name for name in SCHEDULERS if name != "reducelronplateau")


class SpecForm(QWidget):
    """See the module docstring."""

    edited = Signal()
    restructured = Signal(object)
    finished = Signal(object)           # the field whose edit ended
    problem_changed = Signal()          # a field's own problem came or went

    def __init__(self, cls, context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cls, self.context = cls, context
        self.fields = {}
        self.children: list[SpecForm] = []
        self._combos: list[QComboBox] = []
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self._form = form
        self._child_host = None
        for h in cls.hyper:
            if h.kind == "schedulers":          # the list of children goes last
                self._child_host = QWidget(self)
                QVBoxLayout(self._child_host).setContentsMargins(0, 0, 0, 0)
                continue
            field = make_field(h, cls.title, self)
            field.edited.connect(self.edited)
            field.finished.connect(lambda f=field: self.finished.emit(f))
            field.problem_changed.connect(self.problem_changed)
            label = QLabel(h.name, self)
            label.setToolTip(field.toolTip())
            form.addRow(label, field)
            self.fields[h.name] = field
        if self._child_host is not None:
            form.addRow(self._child_host)

    # -------------------------------------------------------- from the model
    def show(self, sched) -> None:
        """Show the model's scheduler (of this form's class and structure)."""
        for name, field in self.fields.items():
            field.show(sched.hp[name])
        if self._child_host is not None:
            if structure_of(sched) != self.structure():
                self._build_children(sched.schedulers)
            for form, child in zip(self.children, sched.schedulers):
                form.show(child)

    def structure(self) -> tuple:
        """(class name, children's structures): what the widgets are built for."""
        return (self.cls.name, tuple(c.structure() for c in self.children))

    def spec(self) -> dict:
        """The scheduler the form shows, as a session's "scheduler" object."""
        out = {"name": self.cls.name}
        for name, field in self.fields.items():
            value = field.value()
            out[name] = list(value) if isinstance(value, tuple) else value
        if self._child_host is not None:
            out["schedulers"] = [c.spec() for c in self.children]
        return out

    def problems(self) -> list[str]:
        """Every field's own problem (typed text not taken), this form's first."""
        out = [f.problem for f in self.fields.values() if f.problem]
        for c in self.children:
            out += c.problems()
        return out

    def flag(self, path: tuple) -> None:
        """Outline the field at ``path`` (("T_max",), ("schedulers", 1, "T_max")); () none."""
        head = path[0] if path else None
        for name, field in self.fields.items():
            field.set_flagged(name == head)
        for i, (combo, child) in enumerate(zip(self._combos, self.children)):
            here = head == "schedulers" and len(path) > 1 and path[1] == i
            combo.setStyleSheet("QComboBox { border: 1px solid #d32f2f; }"
                                if here and len(path) == 2 else "")
            child.flag(path[2:] if here else ())

    # ------------------------------------------------------------ children
    def _build_children(self, schedulers) -> None:
        layout = self._child_host.layout()
        while layout.count():
            item = layout.takeAt(0)
            if item.widget():
                item.widget().hide()
                item.widget().deleteLater()
        self.children, self._combos = [], []
        n = len(schedulers)
        for i, child in enumerate(schedulers):
            frame = QFrame(self._child_host)
            frame.setObjectName("childSchedule")
            frame.setFrameShape(QFrame.StyledPanel)
            box = QVBoxLayout(frame)
            box.setContentsMargins(6, 4, 4, 4)
            box.setSpacing(3)
            head = QHBoxLayout()
            head.addWidget(QLabel(f"{i + 1}.", frame))
            combo = QComboBox(frame)
            for name in CHILD_NAMES:
                combo.addItem(SCHEDULERS[name].title, name)
                combo.setItemData(combo.count() - 1, SCHEDULERS[name].summary, Qt.ToolTipRole)
            combo.setCurrentIndex(combo.findData(child.name))
            combo.setToolTip(f"Schedule {i + 1}: {child.summary}")
            combo.activated.connect(lambda _j, i=i, c=combo: self._child_class(i, c.currentData()))
            head.addWidget(combo, 1)
            for text, tip, ok, slot in (
                    ("↑", "Move this schedule up", i > 0, lambda _=False, i=i: self._move(i, i - 1)),
                    ("↓", "Move this schedule down", i < n - 1,
                     lambda _=False, i=i: self._move(i, i + 1)),
                    ("✕", "Remove this schedule", n > 1, lambda _=False, i=i: self._remove(i))):
                button = QToolButton(frame)
                button.setText(text)
                button.setToolTip(tip)
                button.setEnabled(ok)
                button.setAutoRaise(True)
                button.clicked.connect(slot)
                head.addWidget(button)
            box.addLayout(head)
            form = SpecForm(type(child), self.context, frame)
            form.edited.connect(self.edited)
            form.finished.connect(self.finished)
            form.problem_changed.connect(self.problem_changed)
            form.restructured.connect(lambda spec, i=i: self._child_restructured(i, spec))
            box.addWidget(form)
            layout.addWidget(frame)
            self.children.append(form)
            self._combos.append(combo)
        add = QPushButton("Add a schedule", self._child_host)
        add.setToolTip(f"Add a schedule after the last one ({self.cls.summary})")
        add.clicked.connect(self._add)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addStretch(1)
        layout.addLayout(row)

    def _add(self) -> None:
        self.restructured.emit(with_child(self.spec(), self.context.start("linearlr"),
                                          self.context.steps))

    def _remove(self, i: int) -> None:
        self.restructured.emit(without_child(self.spec(), i))

    def _move(self, i: int, j: int) -> None:
        self.restructured.emit(moved_child(self.spec(), i, j))

    def _child_class(self, i: int, name: str) -> None:
        if name != self.children[i].cls.name:
            spec = self.spec()
            spec["schedulers"][i] = self.context.start(name)
            self.restructured.emit(spec)

    def _child_restructured(self, i: int, child_spec: dict) -> None:
        spec = self.spec()
        spec["schedulers"][i] = child_spec
        self.restructured.emit(spec)

def structure_of(sched) -> tuple:
    """What a form must be built for to show ``sched``: its class and children's."""
    children = sched.schedulers if any(h.kind == "schedulers" for h in sched.hyper) else ()
    return (sched.name, tuple(structure_of(c) for c in children))
