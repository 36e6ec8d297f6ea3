"""Legibility in the dark theme, measured on the pixels the widgets paint.

Fusion's standard icons are near-black pictures and its check-box frame is the
window colour darkened: on the dark palette (window #2b2d30) the playback bar's
buttons were #0d0d0d and an unchecked run's box was not there at all. Figures
are WCAG 2's: relative luminance of sRGB, contrast (L1 + 0.05) / (L2 + 0.05);
4.5:1 for text-like marks such as icons, 3:1 for the parts of a control.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPalette
from PySide6.QtWidgets import (QApplication, QCheckBox, QDialogButtonBox, QStyle,
                               QStyleFactory)

from optiviz_gui.ui.dialogs import common as dialogs


def luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of sRGB colours (..., 3) in 0..255."""
    c = np.asarray(rgb, dtype=float) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return lin @ np.array([0.2126, 0.7152, 0.0722])


def contrast(a, b) -> np.ndarray:
    la, lb = luminance(a), luminance(b)
    return (np.maximum(la, lb) + 0.05) / (np.minimum(la, lb) + 0.05)


def rgb(image: QImage) -> np.ndarray:
    a = image.convertToFormat(QImage.Format.Format_RGB888)
    px = np.frombuffer(a.constBits(), np.uint8, a.sizeInBytes())
    px = px.reshape(a.height(), a.bytesPerLine())[:, :3 * a.width()]
    return px.reshape(a.height(), a.width(), 3).copy()      # a's memory goes with a


def background(px: np.ndarray) -> np.ndarray:
    """The most common colour of a picture: what the marks are drawn on."""
    colours, counts = np.unique(px.reshape(-1, 3), axis=0, return_counts=True)
    return colours[np.argmax(counts)]


def marks(px: np.ndarray, ratio: float) -> int:
    """How many pixels stand out from the picture's background by ``ratio`` or more."""
    return int((contrast(px.reshape(-1, 3), background(px)) >= ratio).sum())


def test_wcag_figures():
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((0x77, 0x77, 0x77), (255, 255, 255)) == pytest.approx(4.48, abs=0.01)
    # the reviewer's icon colour on the dark bar
    assert contrast((0x0D,) * 3, (0x2B, 0x2D, 0x30)) < 1.5


def set_theme(window, qtbot, name: str) -> None:
    """The window's theme, once the new palette has reached its widgets (Qt posts it)."""
    window.set_theme(name)
    want = QApplication.palette().color(QPalette.Window)
    qtbot.waitUntil(lambda: window.playback.palette().color(QPalette.Window) == want)


def _buttons(bar):
    return {"reset": bar.reset_button, "back": bar.back_button, "play": bar.play_button,
            "forward": bar.forward_button}


@pytest.mark.parametrize("themes", [("dark",), ("dark", "light")])
def test_playback_icons_stand_out_from_the_bar(window, qtbot, themes):
    for name in themes:
        set_theme(window, qtbot, name)
    bar = window.playback
    bg = bar.palette().color(bar.backgroundRole())
    assert (bg.name() == "#2b2d30") == (themes[-1] == "dark")
    for which, button in _buttons(bar).items():
        px = rgb(button.grab().toImage())
        assert np.array_equal(background(px), (bg.red(), bg.green(), bg.blue())), which
        # a solid 16-px triangle or pair of them: dozens of pixels at 4.5:1 or more
        assert marks(px, 4.5) >= 30, (which, themes)
    bar.play()                                   # the pause icon too
    assert marks(rgb(bar.play_button.grab().toImage()), 4.5) >= 30
    bar.pause()


def test_an_unchecked_run_has_a_visible_box(window, qtbot):
    set_theme(window, qtbot, "dark")
    rows = window.controls.runs.list
    rows.setCurrentRow(0)
    rows.item(1).setCheckState(Qt.Unchecked)
    assert not window.sim.runs[1].enabled
    rows.viewport().repaint()
    for i in (1, 2):                             # unchecked, checked, neither selected
        r = rows.visualItemRect(rows.item(i))
        px = rgb(rows.viewport().grab(r).toImage())
        base = rows.palette().color(rows.viewport().backgroundRole())
        assert np.array_equal(background(px), (base.red(), base.green(), base.blue()))
        box = px[:, : rows.style().pixelMetric(QStyle.PM_IndicatorWidth) + 8]
        # the box's frame: four sides of a 13-px square, at least 3:1 from the row
        assert marks(box, 3.0) >= 40, i


def test_an_unticked_check_box_shows_its_box(window, qtbot):
    """The hyper-parameter form's check boxes (SGD's nesterov and maximize)."""
    set_theme(window, qtbot, "dark")
    for name in ("nesterov", "maximize"):
        box = window.controls.hyper.field(name)
        assert isinstance(box, QCheckBox) and box.isVisible() and not box.isChecked()
        assert marks(rgb(box.grab().toImage()), 3.0) >= 40, name


def test_a_dialogs_close_icon_reads_and_coloured_icons_are_kept(window, qtbot):
    set_theme(window, qtbot, "dark")
    dlg = dialogs.show_rules(window)
    qtbot.waitExposed(dlg)
    close = dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.Close)
    window_colour = dlg.palette().color(dlg.backgroundRole())
    img = QImage(20, 20, QImage.Format.Format_RGB32)
    img.fill(window_colour)
    p = QPainter(img)
    p.drawPixmap(2, 2, close.icon().pixmap(16, 16))
    p.end()
    assert marks(rgb(img), 4.5) >= 15
    dlg.close()
    # coloured pictures (the warning triangle, the green OK) are Fusion's own
    fusion = QStyleFactory.create("Fusion")
    for which in (QStyle.SP_MessageBoxWarning, QStyle.SP_DialogOkButton):
        ours = window.style().standardIcon(which, None, window).pixmap(32).toImage()
        theirs = fusion.standardIcon(which).pixmap(32).toImage()
        assert ours == theirs


def test_light_theme_draws_what_fusion_draws(window, qtbot):
    """On the light palette the style changes nothing: the same icon pictures."""
    set_theme(window, qtbot, "dark")
    set_theme(window, qtbot, "light")
    fusion = QStyleFactory.create("Fusion")
    for which in (QStyle.SP_MediaPlay, QStyle.SP_DialogCloseButton, QStyle.SP_ArrowBack):
        ours = window.style().standardIcon(which, None, window).pixmap(16).toImage()
        assert ours == fusion.standardIcon(which).pixmap(16).toImage()
    assert QColor(window.palette().color(window.backgroundRole())).lightness() > 200
