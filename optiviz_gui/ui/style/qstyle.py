"""The app's widget style: Fusion, made legible on the dark palette.

Fusion draws a few things in colours that do not follow the palette, or follow it
too faintly for a dark one:

- its standard icons (the playback bar's play, step, back and reset, a dialog's
  Close, the file dialog's arrows) are near-black pictures; on the dark palette
  such a dark, colourless icon is redrawn in the palette's button-text colour
  (and its disabled text colour when disabled). Coloured icons (warnings, the
  green OK, folders) are kept as they are;
- a check box's frame (also the tick box of a checkable list row) is the window
  colour darkened, which on a dark palette is the colour of the box itself: an
  unchecked box disappears. On a dark palette the frame is drawn again halfway
  between the window and its text colour (more than 3:1 against both the window
  and the box, WCAG's figure for the parts of a control).

On the light palette the style is Fusion itself. ``install_style(dark=...)``
makes the application use the right one.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle

#: sizes an icon is kept at when it has no fixed sizes of its own
ICON_SIZES = (16, 24, 32, 48)


def is_dark(palette: QPalette) -> bool:
    """Light text on a dark window."""
    window, text = palette.color(QPalette.Window), palette.color(QPalette.WindowText)
    return window.lightnessF() < text.lightnessF()


def mix(a: QColor, b: QColor, t: float = 0.5) -> QColor:
    """The colour t of the way from a to b."""
    return QColor.fromRgbF(*((1 - t) * x + t * y for x, y in
                             zip(a.getRgbF()[:3], b.getRgbF()[:3])))


def is_dark_monochrome(image: QImage) -> bool:
    """An icon drawn in black or dark grey only: its ink (weighted by opacity) has an
    HSL lightness under 0.35 and a chroma under 0.2 on average."""
    image = image.convertToFormat(QImage.Format_RGBA8888)      # not premultiplied
    px = np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes())
    px = px.reshape(image.height(), image.bytesPerLine() // 4, 4)[:, :image.width()]
    px = px.reshape(-1, 4).astype(float) / 255.0
    alpha = px[:, 3]
    ink = alpha.sum()
    if ink <= 0:
        return False
    hi, lo = px[:, :3].max(axis=1), px[:, :3].min(axis=1)
    return (alpha @ ((hi + lo) / 2)) / ink < 0.35 and (alpha @ (hi - lo)) / ink < 0.2


def recoloured(icon: QIcon, normal: QColor, disabled: QColor) -> QIcon:
    """``icon``'s shapes (its opacity) filled with ``normal``, and ``disabled`` when disabled."""
    out = QIcon()
    for size in icon.availableSizes() or [QSize(s, s) for s in ICON_SIZES]:
        pix = icon.pixmap(size)
        for mode, color in ((QIcon.Normal, normal), (QIcon.Disabled, disabled)):
            out.addPixmap(_filled(pix, color), mode)
    return out


def _filled(pix: QPixmap, color: QColor) -> QPixmap:
    out = QPixmap(pix)
    p = QPainter(out)
    p.setCompositionMode(QPainter.CompositionMode_SourceIn)
    p.fillRect(out.rect(), color)
    p.end()
    return out


class OptiVizStyle(QProxyStyle):
    """Fusion with icons and check boxes that read on a dark palette (module docstring)."""

    def __init__(self) -> None:
        super().__init__("Fusion")
        self._dark_icons: dict[object, bool] = {}     # standard pixmap -> dark monochrome?

    def standardIcon(self, which, option=None, widget=None) -> QIcon:  # noqa: N802 - Qt override
        icon = super().standardIcon(which, option, widget)
        palette = _palette(option, widget)
        if icon.isNull() or not is_dark(palette):
            return icon
        if which not in self._dark_icons:
            largest = max(icon.availableSizes() or [QSize(32, 32)], key=QSize.width)
            self._dark_icons[which] = is_dark_monochrome(icon.pixmap(largest).toImage())
        if not self._dark_icons[which]:
            return icon
        return recoloured(icon, palette.color(QPalette.Active, QPalette.ButtonText),
                          palette.color(QPalette.Disabled, QPalette.ButtonText))

    def drawPrimitive(self, element, option, painter, widget=None) -> None:  # noqa: N802
        super().drawPrimitive(element, option, painter, widget)
        if element == QStyle.PE_IndicatorCheckBox and is_dark(option.palette):
            p = option.palette
            painter.save()
            painter.setRenderHint(QPainter.Antialiasing, True)
            painter.setPen(QPen(mix(p.color(QPalette.Window), p.color(QPalette.WindowText)), 1))
            painter.setBrush(QColor(0, 0, 0, 0))
            r = QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -0.5)   # Fusion's frame
            painter.drawRect(r)
            painter.restore()


def _palette(option, widget) -> QPalette:
    if option is not None:
        return option.palette
    if widget is not None:
        return widget.palette()
    return QApplication.palette()


_installed: list[OptiVizStyle] = []      # the application's style, kept alive here too


def install_style(app: QApplication | None = None, dark: bool = False) -> None:
    """The application's style for a light or dark palette: ``OptiVizStyle`` on dark,
    plain Fusion on light. Light pays nothing for the Python hooks, through which
    every primitive Qt draws would pass (about 1 ms of each edit's repaint)."""
    app = app or QApplication.instance()
    if app is None:
        return
    style = app.style()
    if dark and not isinstance(style, OptiVizStyle):
        _installed[:] = [OptiVizStyle()]
        app.setStyle(_installed[0])
    elif not dark and (isinstance(style, OptiVizStyle) or style.name().lower() != "fusion"):
        app.setStyle("Fusion")
