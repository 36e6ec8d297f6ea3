"""Arrows that say whose they are (issue 13, item 3).

Each run's arrows are drawn in that run's colour, the stroke telling the kinds apart
(the same stroke for every run); the legend's key shows the strokes in the text's
colour; View ▸ Arrows ▸ For the selected run only draws the selected run's alone.
The bowl f = (x² + 4y²)/2, ∇f = (x, 4y): gradient descent with lr γ from (x₀, y₀)
is at (x₀(1 − γ)^k, y₀(1 − 4γ)^k).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.simulation import Run, Simulation
from optiviz_gui.ui.views.contour.view import ContourView

from bowl import Bowl

RED, BLUE = "#d62728", "#1f77b4"
START = (1.5, 1.0)


@pytest.fixture
def two_runs():
    return Simulation(Bowl(), START, [Run(make_optimizer("sgd", lr=0.1), color=RED),
                                      Run(make_optimizer("sgd", lr=0.05, momentum=0.5),
                                          color=BLUE)], steps=20)


@pytest.fixture
def make_view(show_view):
    return lambda sim, w=640, h=480: show_view(ContourView(sim), w, h)


def pen(view, i, kind) -> QtGui.QPen:
    return view.items.arrows.pen(i, kind)


def pixel_color(view, x, y) -> np.ndarray:
    """The colour drawn at data point (x, y): the best match in its 3 × 3 pixels is
    returned by ``near``, so the caller compares with the colour it expects."""
    scene = view.view_box.mapViewToScene(QtCore.QPointF(x, y))
    p = view.graphics.mapFromScene(scene)
    img = view.graphics.viewport().grab().toImage()
    return np.array([[QtGui.QColor(img.pixel(p.x() + dx, p.y() + dy)).getRgb()[:3]
                      for dx in (-1, 0, 1)] for dy in (-1, 0, 1)]).reshape(-1, 3)


def near(pixels: np.ndarray, color: str) -> float:
    """How far (largest channel difference) the closest of ``pixels`` is from ``color``."""
    want = np.array(QtGui.QColor(color).getRgb()[:3])
    return float(np.abs(pixels - want).max(axis=1).min())


def test_each_runs_arrows_are_drawn_in_its_colour(two_runs, make_view, qtbot):
    view = make_view(two_runs)
    view.set_arrows(True, True, True)
    two_runs.seek(3)
    assert view.drawn_arrow_runs("gradient").tolist() == [0, 1]
    assert view.drawn_arrow_runs("update").tolist() == [0, 1]
    assert view.drawn_arrow_runs("velocity").tolist() == [1]      # plain SGD keeps no buffer
    for i, color in enumerate((RED, BLUE)):
        for kind in ("gradient", "update"):
            assert pen(view, i, kind).color().name() == color
    # gradient descent by hand: run 0's arrows start at its own point
    x, y = START[0] * 0.9 ** 3, START[1] * 0.6 ** 3
    np.testing.assert_allclose(view.drawn_arrows("update")[0], [x, y, -0.1 * x, -0.4 * y],
                               rtol=1e-9)
    # the gradient arrow of run 0 (long, 15 % of the window's diagonal at the start) as
    # Qt drew it: a third of the way along, the pixels are run 0's red
    qtbot.wait(20)
    gx, gy, dx, dy = view.drawn_arrows("gradient")[0]
    assert near(pixel_color(view, gx + dx / 3, gy + dy / 3), RED) <= 12


def test_the_stroke_tells_the_kinds_apart_the_same_for_every_run(two_runs, make_view):
    view = make_view(two_runs)
    view.set_arrows(True, True, True)
    two_runs.seek(3)
    strokes = {kind: (pen(view, 1, kind).style(), tuple(pen(view, 1, kind).dashPattern()))
               for kind in ("gradient", "update", "velocity")}
    assert strokes["update"][0] == QtCore.Qt.PenStyle.SolidLine           # the step: solid
    assert strokes["gradient"][0] == QtCore.Qt.PenStyle.CustomDashLine    # dashed
    assert strokes["velocity"][0] == QtCore.Qt.PenStyle.CustomDashLine
    assert len(set(strokes.values())) == 3                               # three strokes
    for kind in ("gradient", "update"):                                   # run 0's the same
        assert (pen(view, 0, kind).style(), tuple(pen(view, 0, kind).dashPattern())) \
            == strokes[kind]


def test_a_new_colour_recolours_that_runs_arrows(two_runs, make_view):
    view = make_view(two_runs)
    view.set_arrows(True, True, False)
    two_runs.seek(2)
    two_runs.update_run(1, color="#009e73")
    assert pen(view, 1, "gradient").color().name() == "#009e73"
    assert pen(view, 0, "gradient").color().name() == RED


def test_the_key_has_no_colour_of_its_own(qapp, blog_sim):
    """The arrows wear their runs' colours, so the key shows the strokes (→ solid,
    ⇢ dashed, ↠ the double-headed momentum) in the text's colour: the legend's only
    colours are the runs' and the text's."""
    from optiviz_gui.ui.style.theme import get_theme
    from optiviz_gui.ui.views.legend import header_html

    theme = get_theme("light")
    text = header_html(blog_sim, theme, (True, True, True), 900, QtGui.QFont())
    for glyph in ("&#8594;&nbsp;next&nbsp;step", "&#8674;&nbsp;&#8722;gradient",
                  "&#8608;&nbsp;momentum"):
        assert glyph in text
    colors = {c.lower() for c in re.findall(r"color:\s*(#[0-9a-fA-F]{6})", text)}
    assert colors <= {c.lower() for c in blog_sim.colors()} | {theme.foreground}


def test_naming_the_selected_run_keeps_the_legends_layout(qapp, blog_sim):
    """The key names the one run whose arrows show, on a line of its own measured with the
    longest name: selecting another run changes that name and nothing else."""
    from optiviz_gui.ui.style.theme import get_theme
    from optiviz_gui.ui.views.legend import header_html

    theme, font = get_theme("light"), QtGui.QFont()
    texts = {i: header_html(blog_sim, theme, (True, True, False), 560, font, arrows_run=i)
             for i in range(4)}
    labels = blog_sim.labels()
    for i, text in texts.items():
        assert f"arrows&nbsp;of&nbsp;{labels[i]}&nbsp;only" in text
        assert text.replace(labels[i] + "&nbsp;only", "NAME") \
            == texts[0].replace(labels[0] + "&nbsp;only", "NAME")


# ------------------------------------------------------------ selected run only
def test_arrows_for_the_selected_run_only(window):
    a, runs = window.menu_actions, window.controls.runs
    assert not a["arrows_selected"].isChecked()                     # default: every run's
    assert window.contour.drawn_arrow_runs("gradient").tolist() == [0, 1, 2, 3]
    runs.list.setCurrentRow(2)
    a["arrows_selected"].setChecked(True)
    assert window.contour.drawn_arrow_runs("gradient").tolist() == [2]
    assert window.contour.drawn_arrow_runs("update").tolist() == [2]
    assert window.settings.q.value("view/arrows_selected") in (True, "true")
    runs.list.setCurrentRow(0)                                       # follows the selection
    assert window.contour.drawn_arrow_runs("gradient").tolist() == [0]
    # a view option, not the model's: the session is unchanged, and an export copies it
    assert not window.modified
    assert window.contour.options.arrows_run == 0
    a["arrows_selected"].setChecked(False)
    assert window.contour.drawn_arrow_runs("gradient").tolist() == [0, 1, 2, 3]
    assert window.contour.options.arrows_run is None


def test_an_export_draws_the_selected_runs_arrows_alone(window, qtbot):
    window.controls.runs.list.setCurrentRow(3)
    window.menu_actions["arrows_selected"].setChecked(True)
    copy = ContourView(window.sim.copy())              # as render/frames.py makes its views
    qtbot.addWidget(copy)
    copy.apply_options(window.contour.options)
    assert copy.drawn_arrow_runs("gradient").tolist() == [3]


def test_the_option_is_remembered(make_window, qsettings):
    qsettings.setValue("view/arrows_selected", True)
    w = make_window(settings=qsettings)
    assert w.menu_actions["arrows_selected"].isChecked()
    assert w.contour.drawn_arrow_runs("gradient").tolist() == [w.controls.runs.current()]


def test_a_new_selection_redraws_no_run(window, monkeypatch):
    """Choosing another run's arrows is a view option: no run is drawn again."""
    window.menu_actions["arrows_selected"].setChecked(True)
    drawn = []
    monkeypatch.setattr(window.contour, "draw_run", lambda i: drawn.append(i))
    window.controls.runs.list.setCurrentRow(1)
    assert drawn == [] and window.contour.drawn_arrow_runs("gradient").tolist() == [1]
