"""The playback bar: play/pause, step, step back, reset, a timeline slider, speed, the counter.

The bar never touches the model. It shows the step it is told (``show_step``,
``show_steps``) and asks for moves with ``seek_requested(k)``; the wiring
connects that to ``Simulation.seek`` and the model's ``step_changed`` back to
``show_step``.

Speed is in iterations per second, 1–100 000 (timeline.py: the speed box's
stops, the timeline that jumps to a clicked step). Up to ``MAX_TICKS_PER_S`` a
timer tick advances one step every 1/speed s; faster speeds tick at that rate
and advance several steps a tick (a fractional accumulator keeps the average
exact, e.g. 90/s = 1.5 steps a tick at 60 ticks/s), which the readout beside
the speed says: 10⁶ steps play in ten seconds at the top speed. Playback stops
at the last step.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStyle, QToolButton, QWidget

from .timeline import STOPS, SpeedBox, Timeline

MIN_SPEED, MAX_SPEED = STOPS[0], STOPS[-1]
DEFAULT_SPEED = 20
MAX_TICKS_PER_S = 60


def tick_plan(speed: float) -> tuple[int, float]:
    """(timer interval in ms, steps per tick) for ``speed`` iterations per second."""
    speed = min(max(float(speed), MIN_SPEED), MAX_SPEED)
    ticks = min(speed, MAX_TICKS_PER_S)
    return round(1000.0 / ticks), speed / ticks


class PlaybackBar(QWidget):
    """Buttons, slider and speed box in one row; see the module docstring."""

    seek_requested = Signal(int)
    playing_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._step = 0
        self._steps = 1
        self._carry = 0.0
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.PreciseTimer)
        self.timer.timeout.connect(self._tick)

        self.reset_button = self._button("Reset to step 0 (Home)", self.reset)
        self.back_button = self._button("Step back (←)", self.step_back)
        self.play_button = self._button("Play (Space)", self.toggle)
        self.forward_button = self._button("Step forward (→)", self.step_forward)
        self._show_icons()

        self.slider = Timeline(self)
        self.slider.setRange(0, self._steps)
        self.slider.setToolTip("Scrub to any iteration")
        self.slider.valueChanged.connect(self.seek_requested)

        self.label = QLabel(self)
        self.label.setToolTip("Current iteration / last iteration")
        self.label.setAlignment(Qt.AlignRight | Qt.AlignVCenter)

        self.speed = SpeedBox(self)
        self.speed.setValue(DEFAULT_SPEED)
        self.speed.valueChanged.connect(self._speed_changed)
        self.per_frame = QLabel(self)
        self.per_frame.setToolTip("Steps advanced at each frame of playback")
        self.per_frame.setEnabled(False)          # dim: a readout, not a control

        row = QHBoxLayout(self)
        row.setContentsMargins(6, 2, 6, 2)
        for b in (self.reset_button, self.back_button, self.play_button, self.forward_button):
            row.addWidget(b)
        row.addWidget(self.slider, 1)
        row.addWidget(self.label)
        row.addSpacing(8)
        row.addWidget(QLabel("Speed", self))
        row.addWidget(self.speed)
        row.addWidget(self.per_frame)
        self._show_label()
        self._speed_changed(self.speed.value())

    def _button(self, tip: str, slot) -> QToolButton:
        b = QToolButton(self)
        b.setToolTip(tip)
        b.setAutoRaise(True)
        b.clicked.connect(slot)
        return b

    def _show_icons(self) -> None:
        """The buttons' icons from the current style and palette (the style draws them
        in the palette's button-text colour on a dark palette: style.py)."""
        def icon(which):
            return self.style().standardIcon(which, None, self)
        self._play_icon = icon(QStyle.SP_MediaPlay)
        self._pause_icon = icon(QStyle.SP_MediaPause)
        self.reset_button.setIcon(icon(QStyle.SP_MediaSkipBackward))
        self.back_button.setIcon(icon(QStyle.SP_MediaSeekBackward))
        self.forward_button.setIcon(icon(QStyle.SP_MediaSeekForward))
        self.play_button.setIcon(self._pause_icon if self.is_playing() else self._play_icon)

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() in (QEvent.PaletteChange, QEvent.StyleChange) \
                and hasattr(self, "forward_button"):
            self._show_icons()

    # ------------------------------------------------------- from the model
    def show_step(self, k: int) -> None:
        """The model's current step moved to k (no feedback to the model)."""
        self._step = int(k)
        with QSignalBlocker(self.slider):
            self.slider.setValue(self._step)
        self._show_label()
        if self.is_playing() and self._step >= self._steps:
            self.pause()

    def show_steps(self, n: int) -> None:
        """The model's number of iterations changed to n."""
        self._steps = max(1, int(n))
        with QSignalBlocker(self.slider):
            self.slider.setRange(0, self._steps)
            self.slider.setPageStep(max(1, self._steps // 10))
            self.slider.setValue(min(self._step, self._steps))
        self._show_label()

    def _show_label(self) -> None:
        width = len(str(self._steps))
        self.label.setText(f"Step {self._step} / {self._steps}")
        self.label.setMinimumWidth(self.label.fontMetrics().horizontalAdvance(
            f"Step {'8' * width} / {self._steps}") + 4)

    # ------------------------------------------------------------ commands
    def is_playing(self) -> bool:
        return self.timer.isActive()

    def play(self) -> None:
        if self.is_playing():
            return
        if self._step >= self._steps:          # at the end: play again from the start
            self.seek_requested.emit(0)
        self._carry = 0.0
        self.timer.start(tick_plan(self.speed.value())[0])
        self.play_button.setIcon(self._pause_icon)
        self.play_button.setToolTip("Pause (Space)")
        self.playing_changed.emit(True)

    def pause(self) -> None:
        if not self.is_playing():
            return
        self.timer.stop()
        self.play_button.setIcon(self._play_icon)
        self.play_button.setToolTip("Play (Space)")
        self.playing_changed.emit(False)

    def toggle(self) -> None:
        self.pause() if self.is_playing() else self.play()

    def step_forward(self) -> None:
        self.pause()
        self.seek_requested.emit(min(self._step + 1, self._steps))

    def step_back(self) -> None:
        self.pause()
        self.seek_requested.emit(max(self._step - 1, 0))

    def reset(self) -> None:
        self.pause()
        self.seek_requested.emit(0)

    def go_to_end(self) -> None:
        self.pause()
        self.seek_requested.emit(self._steps)

    # ---------------------------------------------------------------- timer
    def _speed_changed(self, value: int) -> None:
        if self.is_playing():
            self.timer.setInterval(tick_plan(value)[0])
        per_tick = tick_plan(value)[1]
        text = f"{round(per_tick):,}" if per_tick >= 10 else f"{per_tick:.2g}"
        self.per_frame.setText(f"{text} steps a frame" if per_tick > 1 else "")

    def _tick(self) -> None:
        self._carry += tick_plan(self.speed.value())[1]
        n = int(self._carry)
        self._carry -= n
        if n:
            self.seek_requested.emit(min(self._step + n, self._steps))
        if self._step >= self._steps:
            self.pause()
