"""The Maps view: many runs of one optimizer at once, computed in the background.

    ┌ [Adam ▾] [Start points ▾]          ┐  the bar (bar.py): the view's own options
    │ [Outcome ▾] [64 cells] [⤢]         │
    │ ┌ title, legend ────────────────┐  │  the canvas (canvas.py): cells, axes,
    │ │ cells …                       │  │  colour bar, markers
    │ └───────────────────────────────┘  │
    │ start (0.5, −1.25): conv… [■■□□] [Cancel]  the hovered cell's values, or a
    └─────────────────────────────────────┘  summary; progress while it computes

It draws the model and never changes it: a click asks, through signals the
window wires to the model —

    start_requested(x, y)              a start map's cell: start there
    run_change_requested(i, changes)   a hyper map's cell: that lr (and keyword) on run i
    run_add_requested(Run)             … or a copy of run i with them (right click)

A map is computed (worker.py) when it is *needed* — the pane is visible, or
the basin overlay wants it (``set_overlay_wanted``) — and its inputs changed
(options.inputs: the surface, steps, the run's settings; never a step of
playback). Model events restart a short timer (``DEBOUNCE_MS``) and cancel a
map in progress at once, so a drag of the start point computes one map, after
the drag. The picture sharpens as blocks arrive (the coarse sub-grid first,
``MapResult.preview``). ``picture_changed`` tells the basin overlay to look
again (``overlay``).
"""

from __future__ import annotations

import time
from dataclasses import replace

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import (QHBoxLayout, QMenu, QProgressBar, QPushButton, QVBoxLayout,
                               QWidget)

from ....core.errors import ConfigError
from ...style.theme import get_theme
from ..base import ModelView
from . import describe
from .bar import MapBar
from .canvas import MapCanvas
from .colors import paint
from .elided import ElidedLabel
from .options import MapOptions, build, cell_optimizer, default_key, inputs, marker, resolve
from .overlay import cells_rect
from .worker import MapWorker

DEBOUNCE_MS = 250


class MapView(ModelView, QWidget):
    """See the module docstring."""

    start_requested = Signal(float, float)
    run_change_requested = Signal(int, object)
    run_add_requested = Signal(object)
    full_size_requested = Signal(bool)
    picture_changed = Signal()

    def __init__(self, sim, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sim = sim
        self._theme = get_theme("light")
        self.options = MapOptions()
        self.spec = None              # the map shown (or being computed)
        self.result = None            # its MapResult so far (None: nothing yet)
        self.picture = None           # colors.Picture of ``result``
        self.complete = False         # ``result`` is the whole map of ``spec``
        self._inputs = None           # options.inputs of ``spec``
        self._surface = None          # the model's surface ``spec`` was made on
        self._generation = -1         # the worker's generation we wait for
        self._started = 0.0
        self._overlay_wanted = False
        self._hover: tuple[int, int] | None = None
        self._note = ""               # the line under the map when nothing is hovered

        self.bar = MapBar(self)
        self.canvas = MapCanvas(self)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setFixedWidth(90)
        self.progress.setMaximumHeight(12)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setToolTip("Stop computing this map (the model is not touched)")
        self.info = ElidedLabel(self)
        bottom = QWidget(self)              # as tall with or without the progress: no jump
        bottom.setFixedHeight(self.cancel_button.sizeHint().height() + 2)
        row = QHBoxLayout(bottom)
        row.setContentsMargins(6, 0, 4, 2)
        row.addWidget(self.info, 1)
        row.addWidget(self.progress)
        row.addWidget(self.cancel_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.bar)
        lay.addWidget(self.canvas, 1)
        lay.addWidget(bottom)

        self.worker = MapWorker(self)
        self.worker.updated.connect(self._updated)
        self.worker.finished.connect(self._finished)
        self.worker.progressed.connect(self._progressed)
        self.worker.failed.connect(self._failed)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.refresh)
        self.bar.options_edited.connect(self.set_options)
        self.bar.full_size_toggled.connect(self.full_size_requested)
        self.canvas.hovered.connect(self._hovered)
        self.canvas.clicked.connect(self._clicked)
        self.cancel_button.clicked.connect(self.cancel)
        self.bar.compute_requested.connect(lambda: self.refresh(force=True))
        self.listen(sim)
        self._show_busy(False)
        self._show_bar()
        self.canvas.clear_map("")
        self.setMinimumSize(220, 200)

    # ------------------------------------------------------------ options
    def apply_theme(self, name: str) -> None:
        self._theme = get_theme(name)
        self.canvas.apply_theme(name)
        if self.result is not None:
            self._draw()

    def set_options(self, options: MapOptions) -> None:
        """Show another map (or the same in other colours); recomputed only if needed."""
        recolour_only = replace(options, scheme=self.options.scheme) == self.options
        self.options = options
        if recolour_only and self.result is not None:
            self._show_bar()
            self._draw()
            return
        self._invalidate(at_once=True)

    def set_overlay_wanted(self, on: bool) -> None:
        """The basin overlay is on: compute start maps even while the pane is hidden."""
        self._overlay_wanted = bool(on)
        if on:
            self._invalidate(at_once=True)

    @property
    def needed(self) -> bool:
        return self.isVisible() or self._overlay_wanted

    # -------------------------------------------------------- computing
    def _invalidate(self, at_once: bool = False) -> None:
        """Something the map may depend on changed: cancel a map being computed for
        other inputs at once, and look again after the debounce (``refresh``)."""
        if self.worker.busy and self._current_inputs() != self._inputs:
            self.worker.cancel()
            self._generation = -1
            self._show_busy(False)
            self._inputs = None            # half a map of the old inputs: not ours
        if self.needed:
            self.timer.start(0 if at_once else DEBOUNCE_MS)

    def _current_inputs(self):
        try:
            return inputs(self.sim, resolve(self.sim, self.options))
        except (ConfigError, IndexError):
            return None

    def refresh(self, force: bool = False) -> None:
        """Compute the map if its inputs changed since the one shown (or it never
        finished); ``force``: compute it again anyway (the ↻ button)."""
        self.timer.stop()
        if not self.needed:
            return
        try:
            self.options = resolve(self.sim, self.options)
            self._show_bar()
            key = inputs(self.sim, self.options)
            if key == self._inputs and (self.complete or self.worker.busy) and not force:
                self._draw_markers()
                return
            spec = build(self.sim, self.options)
        except ConfigError as e:
            self._fail(str(e))
            return
        if self._surface is not self.sim.surface:      # the old picture is of another surface
            self.picture = None
            self.picture_changed.emit()
        self.spec, self._inputs, self.complete = spec, key, False
        self._surface = self.sim.surface
        self.result, self._hover = None, None
        self._started = time.perf_counter()
        self._generation = self.worker.start(spec)
        self._note = f"Computing {spec.shape[0] * spec.shape[1]:,} runs of {spec.steps:,} steps…"
        self._show_busy(True)
        self._show_info()

    def cancel(self) -> None:
        """Stop the map being computed; the cells done so far stay, marked incomplete."""
        if not self.worker.busy:
            return
        self.worker.cancel()
        self._generation = -1
        self._inputs = None
        self._show_busy(False)
        self._note = "Cancelled: the map is incomplete (↻ computes it again)."
        self._show_info()

    def shutdown(self) -> None:
        """Stop computing and wait for the worker (the window is closing)."""
        self.timer.stop()
        self.worker.cancel()
        self.worker.wait(2.0)

    def _updated(self, generation: int, result) -> None:
        if generation == self._generation:
            self.result = result
            self._draw()

    def _finished(self, generation: int, result) -> None:
        if generation != self._generation or result is None:
            return
        self._generation = -1
        self.result, self.complete = result, True
        self._show_busy(False)
        took = time.perf_counter() - self._started
        self._note = f"{describe.summary(result)} · {took:.1f} s"
        self._draw()

    def _progressed(self, generation: int, fraction: float) -> None:
        if generation == self._generation:
            self.progress.setValue(int(fraction * 1000))

    def _failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self._generation = -1
            self._fail(message)

    def _fail(self, message: str) -> None:
        self._show_busy(False)
        self.spec = self.result = self.picture = None
        self._inputs, self.complete = None, False
        self.canvas.clear_map("No map")
        self._note = message
        self._show_info()
        self.picture_changed.emit()

    # ----------------------------------------------------------- drawing
    def _draw(self) -> None:
        spec, result = self.spec, self.result
        if spec is None or result is None:
            return
        self.picture = paint(result, self.options.scheme, self._theme)
        label = self.sim.labels()[self.options.run] if self.options.run < len(self.sim.runs) \
            else ""
        self.canvas.show(spec, self.picture, describe.title(spec, label))
        self._draw_markers()
        self._show_info()
        self.picture_changed.emit()

    def _draw_markers(self) -> None:
        spec, sim = self.spec, self.sim
        if spec is None:
            return
        if self.options.run >= len(sim.runs):
            self.canvas.set_marker(None, None)
            return
        self.canvas.set_marker(*marker(spec, sim.start, sim.runs[self.options.run].optimizer))

    def _show_bar(self) -> None:
        self.bar.show_options(self.sim, self.options)

    def _show_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if busy:
            self.progress.setValue(0)

    def _show_info(self) -> None:
        if self._hover is not None and self.result is not None:
            self.info.set_full_text(describe.cell_text(self.spec, self.result, *self._hover))
        else:
            self.info.set_full_text(self._note)

    def hover_text(self) -> str:
        """The line under the map, whole: the hovered cell's values, or the note."""
        return self.info.full_text

    # ----------------------------------------------------- hover, clicks
    def _hovered(self, i: int, j: int) -> None:
        self._hover = (i, j) if i >= 0 and self.result is not None else None
        self._show_info()

    def _clicked(self, i: int, j: int, right: bool) -> None:
        if self.spec is None:
            return
        if self.spec.kind == "start" or not right:
            self.pick(i, j)
            return
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        text = describe.cell_setting(self.spec, i, j)
        label = self.sim.labels()[self.options.run]
        menu.addAction(f"Set {text} on {label}", lambda: self.pick(i, j))
        menu.addAction(f"Add a copy of {label} with {text}", lambda: self.pick(i, j, copy=True))
        menu.popup(QCursor.pos())

    def pick(self, i: int, j: int, copy: bool = False) -> None:
        """What a click on cell (i, j) asks: a start map starts there; a hyper map puts
        that lr (and keyword value) on the run, or on a copy of it (``copy``)."""
        spec, k = self.spec, self.options.run
        if spec.kind == "start":
            self.start_requested.emit(float(spec.u[i]), float(spec.v[j]))
            return
        if k >= len(self.sim.runs):
            return
        run = self.sim.runs[k]
        try:
            opt = cell_optimizer(spec, run.optimizer, i, j)
        except ConfigError as e:
            self._note = f"Not this cell: {e}"
            self._show_info()
            return
        if copy:
            label = f"{self.sim.labels()[k]} · {describe.cell_setting(spec, i, j)}"
            self.run_add_requested.emit(replace(run, optimizer=opt, label=label, color=None,
                                                enabled=True))
        else:
            self.run_change_requested.emit(k, {"optimizer": opt})

    # ------------------------------------------------------------ overlay
    def overlay(self):
        """(RGBA (N, M, 4), (x0, y0, width, height)) of a start map of the surface on
        screen, for the basin overlay; None when the map is no such map."""
        spec = self.spec
        if spec is None or spec.kind != "start" or self.picture is None or \
                self._surface is not self.sim.surface:
            return None
        return self.picture.rgba, cells_rect(spec)

    # ------------------------------------------------------- model events
    def on_surface_changed(self, _surface) -> None:
        self._invalidate()

    def on_start_changed(self, _start) -> None:
        self._draw_markers()
        self._invalidate()

    def on_run_added(self, _i: int) -> None:
        self._show_bar()
        if self.spec is None:                  # no map yet (there was no run): now there is
            self._invalidate(at_once=True)

    def on_run_removed(self, i: int) -> None:
        run = self.options.run
        if i == run:
            opt = self.sim.runs[0].optimizer if self.sim.runs else None
            key = default_key(opt) if opt is not None and self.options.key else None
            self.options = self.options.but(run=0, lr=None, values=None, key=key)
        elif i < run:
            self.options = self.options.but(run=run - 1)
        self._show_bar()
        self._invalidate()

    def on_run_changed(self, i: int, fields) -> None:
        if fields & {"label", "color"}:
            self._show_bar()
        if i == self.options.run:
            self._draw_markers()
            if fields - {"label", "color", "enabled"}:
                self._invalidate()
            elif "label" in fields and self.result is not None:
                self._draw()

    def on_history_changed(self, _runs) -> None:
        pass                                   # a map runs its own cells

    def on_steps_changed(self, _n: int) -> None:
        self._invalidate()

    def on_step_changed(self, _k: int) -> None:
        pass                                   # playback changes nothing here

    def on_session_replaced(self) -> None:
        self.options = MapOptions(scheme=self.options.scheme)
        self._show_bar()
        self._invalidate(at_once=True)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        self.timer.start(0)                    # refresh: nothing when the map is current
