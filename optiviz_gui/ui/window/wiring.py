"""The one place that wires controls, views and the model together.

    controls / playback / map clicks  --requests-->  Simulation setters
    Simulation events                 --redraw--->   controls, playback bar, status, title

Views listen to the model themselves (they are built with it); nothing else
talks to the model. A request the model rejects (ConfigError) is shown in the
status bar and changes nothing.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QAbstractSpinBox, QLineEdit, QPlainTextEdit, QTextEdit

from ...core.errors import ConfigError
from ...core.suggest import diverging_at_once, suggested_lr
from .notice import SuggestNotice

FILL_POLL_MS = 20      # how often the window draws what a long recomputation has reached ...
FILL_RUNS = 1          # ... for this many runs in turn (a frame redraws one long run, not all)
FILL_START, FILL_MIN, FILL_MAX = 10_000, 2_000, 1_000_000   # steps a run per frame: adapts


def wire(window) -> None:
    """Connect everything for ``window`` (a MainWindow) and its ``window.sim``."""
    sim, controls, bar = window.sim, window.controls, window.playback

    def guarded(fn):
        def slot(*args):
            try:
                fn(*args)
            except ConfigError as e:
                window.statusBar().showMessage(str(e), 8000)
                controls.show_model()             # put the controls back to the model
        return slot

    # requests -> model
    controls.surface_requested.connect(guarded(lambda s, new: set_surface(sim, s, new)))
    controls.surface.plane_fit_requested.connect(guarded(sim.fit_plane))
    controls.start_requested.connect(guarded(lambda x, y: sim.set_start((x, y))))
    controls.steps_requested.connect(guarded(sim.set_steps))
    controls.run_added.connect(guarded(sim.add_run))
    controls.run_removed.connect(guarded(sim.remove_run))
    controls.run_changed.connect(guarded(lambda i, changes: sim.update_run(i, **changes)))
    window.contour.start_requested.connect(guarded(lambda x, y: sim.set_start((x, y))))
    bar.seek_requested.connect(sim.seek)
    for view in (window.contour, window.loss):
        view.hovered.connect(window.show_hover)

    # model -> controls, playback bar, status bar, title
    sim.surface_changed.connect(controls.show_surface)
    sim.start_changed.connect(controls.show_start)
    sim.run_added.connect(lambda _i: controls.show_runs())
    sim.run_removed.connect(lambda _i: controls.show_runs())
    sim.run_changed.connect(controls.show_run)
    sim.steps_changed.connect(controls.show_steps)
    sim.steps_changed.connect(bar.show_steps)
    sim.step_changed.connect(bar.show_step)
    sim.session_replaced.connect(controls.show_model)
    sim.session_replaced.connect(lambda: (bar.show_steps(sim.steps), bar.show_step(sim.step)))
    for event in (sim.step_changed, sim.steps_changed, sim.history_changed, sim.run_changed,
                  sim.run_added, sim.run_removed, sim.session_replaced):
        event.connect(lambda *_: window.show_status())
    for event in (sim.surface_changed, sim.start_changed, sim.run_added, sim.run_removed,
                  sim.run_changed, sim.steps_changed):
        event.connect(lambda *_: window.mark_modified())
    for event in (sim.surface_changed, sim.session_replaced):     # regression or network data
        event.connect(lambda *_: window.tabs.setTabToolTip(window.tabs.indexOf(window.data),
                                                           window.data.tooltip()))

    # long recomputations fill in from a worker thread (core/filling.py); this timer, on
    # the window's thread, has the model announce what grew, and shows the progress
    sim.compute_in_background()
    filling = QTimer(window)
    filling.setInterval(FILL_POLL_MS)

    budget = [FILL_START]                    # steps a run the window takes in a frame

    def fill_tick() -> None:
        start = time.perf_counter()
        sim.poll(int(budget[0]), FILL_RUNS)   # the views draw what grew, inside this call
        took = time.perf_counter() - start
        # as many steps as fit a frame: more when drawing was quick, fewer when it was not
        budget[0] = min(FILL_MAX, budget[0] * 1.5) if took < 0.008 else \
            max(FILL_MIN, budget[0] / 1.5) if took > 0.016 else budget[0]
        window.show_progress(sim.progress() if sim.computing else None)
        if not sim.computing:
            filling.stop()

    def watch(*_) -> None:
        if sim.computing and not filling.isActive():
            budget[0] = FILL_START           # a new recomputation: start small again
            filling.start()

    filling.timeout.connect(fill_tick)
    for event in (sim.history_changed, sim.step_changed, sim.run_changed, sim.run_added,
                  sim.session_replaced):
        event.connect(watch)
    window.filling = filling

    # a new surface where runs explode at once: offer the surface's own learning rates
    window.suggestion = SuggestNotice(window.statusBar(), guarded(lambda runs: use_suggested(sim, runs)))

    def check_suggestion(*_) -> None:
        runs = diverging_at_once(sim)
        if not runs:
            window.suggestion.withdraw()
            return
        rates = [suggested_lr(sim.surface, sim.start, sim.runs[i].optimizer) for i in runs]
        window.suggestion.offer(sim.surface.title or "this surface", runs, sim.labels(), rates)

    controls.surface_requested.connect(lambda *_: check_suggestion())
    sim.run_changed.connect(lambda *_: window.suggestion.runs and check_suggestion())

    # the selected run is UI state, not the model's: the run list and the inspector share it
    controls.runs.current_changed.connect(window.inspector.show_run)
    controls.runs.current_changed.connect(window.data.show_run)       # a network's shading
    controls.runs.current_changed.connect(lambda _i: window.show_selected_arrows())
    window.inspector.run_picked.connect(controls.runs.list.setCurrentRow)
    window.inspector_dock.visibilityChanged.connect(window.inspector.set_shown)

    controls.show_model()
    window.inspector.show_run(controls.runs.current())
    window.data.show_run(controls.runs.current())
    bar.show_steps(sim.steps)
    bar.show_step(sim.step)
    window.show_status()


def use_suggested(sim, runs) -> None:
    """Give each of ``runs`` the suggested learning rate of the surface (core/suggest.py)."""
    for i in runs:
        opt = sim.runs[i].optimizer
        lr = suggested_lr(sim.surface, sim.start, opt)
        if lr is not None:
            sim.update_run(i, optimizer=opt.replace(lr=lr))


def set_surface(sim, surface, new_kind: bool) -> None:
    """A new surface; the start moves to the surface's own start when the kind changed
    or the current start is outside the new window."""
    (x0, x1), (y0, y1) = surface.bounds
    x, y = sim.start
    inside = x0 <= x <= x1 and y0 <= y <= y1
    sim.set_surface(surface, start=None if inside and not new_kind else surface.start)


class PlaybackKeys(QObject):
    """Lets Space, ←, →, Home and End reach the window's playback shortcuts wherever the focus is.

    Spin boxes' line edits claim these keys (ShortcutOverride) to move their
    cursor, which would swallow the shortcuts; this application event filter
    refuses them that claim for widgets inside ``window``. Widgets where a
    person types free text (the formula, a run's label being edited) keep them.
    """

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.keys = {Qt.Key_Space, Qt.Key_Left, Qt.Key_Right, Qt.Key_Home, Qt.Key_End}
        self.modifiers = Qt.ShiftModifier | Qt.ControlModifier | Qt.AltModifier | Qt.MetaModifier

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt override
        if (event.type() == QEvent.ShortcutOverride and event.key() in self.keys
                and not (event.modifiers() & self.modifiers)
                and obj.isWidgetType() and obj.window() is self.window
                and not _types_text(obj)):
            event.ignore()
            return True
        return False


def _types_text(widget) -> bool:
    if isinstance(widget, (QTextEdit, QPlainTextEdit)):
        return True
    if isinstance(widget, QLineEdit):
        return not isinstance(widget.parent(), QAbstractSpinBox)
    return False
