"""The playback bar's timeline and speed box, made for runs of up to 10⁶ steps.

``Timeline``: a slider where a click in the trough jumps to the step under the
mouse (Qt's slider moves a page, 10 %, towards it) and keeps dragging from there.

``SpeedBox``: iterations per second from 1 to 100 000; the arrows (and the wheel)
walk the stops 1, 2, 5, 10, 20, 50, … 100 000, and any whole number may be typed.
Above 60 iterations a second the bar advances several steps a frame, which the
readout beside the box says.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSlider, QSpinBox, QStyle, QStyleOptionSlider

STOPS = tuple(m * 10 ** e for e in range(6) for m in (1, 2, 5) if m * 10 ** e <= 100_000)


class Timeline(QSlider):
    """A horizontal slider whose trough click jumps to the clicked step."""

    def __init__(self, parent=None) -> None:
        super().__init__(Qt.Horizontal, parent)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.LeftButton:
            opt = QStyleOptionSlider()
            self.initStyleOption(opt)
            handle = self.style().subControlRect(QStyle.CC_Slider, opt,
                                                 QStyle.SC_SliderHandle, self)
            if not handle.contains(event.position().toPoint()):
                self.setValue(self.value_at(event.position().x()))
        super().mousePressEvent(event)      # on the handle now: the press starts a drag

    def value_at(self, x: float) -> int:
        """The step under pixel column x of the groove."""
        opt = QStyleOptionSlider()
        self.initStyleOption(opt)
        style = self.style()
        groove = style.subControlRect(QStyle.CC_Slider, opt, QStyle.SC_SliderGroove, self)
        handle = style.subControlRect(QStyle.CC_Slider, opt, QStyle.SC_SliderHandle, self)
        span = groove.width() - handle.width()
        pos = int(x - groove.x() - handle.width() / 2)
        return QStyle.sliderValueFromPosition(self.minimum(), self.maximum(),
                                              max(0, min(pos, span)), span, opt.upsideDown)


class SpeedBox(QSpinBox):
    """Iterations per second; the arrows walk STOPS."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setRange(STOPS[0], STOPS[-1])
        self.setSuffix(" it/s")
        self.setGroupSeparatorShown(True)
        self.setToolTip("Playback speed in iterations per second (1–100 000); the arrows "
                        "go 1, 2, 5, 10, … — above 60 the bar moves several steps a frame")

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt override
        v = self.value()
        for _ in range(abs(steps)):
            if steps > 0:
                v = next((s for s in STOPS if s > v), STOPS[-1])
            else:
                v = next((s for s in reversed(STOPS) if s < v), STOPS[0])
        self.setValue(v)
