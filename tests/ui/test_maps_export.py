"""A map as a picture and as data: every cell where the grid puts it, File ▸ Export map…."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from PySide6 import QtCore

from optiviz_gui.core import maps, session
from optiviz_gui.export.maps import write_map_csv
from optiviz_gui.ui.render.frames import qimage_to_array
from optiviz_gui.ui.style.theme import get_theme
from optiviz_gui.ui.views.maps.canvas import MapCanvas
from optiviz_gui.ui.views.maps.colors import paint
from optiviz_gui.ui.views.maps.options import MapOptions


def himmelblau(steps=300):
    return session.from_dict({"format": "optiviz-session", "version": 1,
                              "surface": {"kind": "himmelblau"}, "start": [0.0, 0.0],
                              "steps": steps, "optimizers": [{"name": "sgd", "lr": 0.01}]})


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_cell_is_drawn_where_the_grid_puts_it(qtbot, theme):
    sim = himmelblau()
    spec = maps.start_map(sim.surface, sim.runs[0], sim.steps, (12, 9))
    result = maps.compute(spec)
    canvas = MapCanvas()
    qtbot.addWidget(canvas)
    canvas.apply_theme(theme)
    picture = paint(result, "minimum", get_theme(theme))
    canvas.show(spec, picture, "Himmelblau")
    image = qimage_to_array(canvas.render_image(800, 600))     # laid out at 800 × 600, 1:1
    vb = canvas.view_box
    minima = np.asarray(sim.surface.minima)
    checked = 0
    for i in range(12):
        for j in range(9):
            x, y = spec.u[i], spec.v[j]
            if np.min(np.hypot(minima[:, 0] - x, minima[:, 1] - y)) < 0.6:
                continue                                     # under a minimum's star
            p = vb.mapViewToScene(QtCore.QPointF(x, y))
            pixel = image[int(p.y()), int(p.x()), :3]
            np.testing.assert_array_equal(pixel, picture.rgba[i, j, :3], err_msg=f"{i},{j}")
            checked += 1
    assert checked > 90
    # the axis titles are the surface's; the cells span the window plus half a cell
    (x0, x1), _ = sim.surface.bounds
    du = (x1 - x0) / 11
    left = vb.mapViewToScene(QtCore.QPointF(x0 - du / 2, 0.0)).x()
    assert abs(vb.sceneBoundingRect().left() - left) < 1.0


def test_export_map_writes_optiviz_maps_csv_and_a_png(make_window, qtbot, tmp_path, monkeypatch):
    from optiviz_gui.ui.dialogs import export_map as module
    w = make_window(himmelblau(60))
    w.tabs.setCurrentWidget(w.maps_tab)
    w.maps.set_options(MapOptions(kind="hyper", key=None, lr=(0.001, 0.1), grid=16,
                                  scheme="outcome"))
    qtbot.waitUntil(lambda: w.maps.complete and w.maps.spec.kind == "hyper", timeout=20000)
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    out = tmp_path / "app.csv"
    monkeypatch.setattr(module, "ask_map_path", lambda window: str(out))
    w.menu_actions["export_map"].trigger()
    reference = tmp_path / "cli.csv"
    write_map_csv(reference, [("SGD", w.maps.spec)])        # what optiviz map writes
    assert out.read_bytes() == reference.read_bytes()
    rows = list(csv.reader(out.open()))
    assert len(rows) == 17 and rows[0][:3] == ["optimizer", "u", "v"]
    png = tmp_path / "app.png"
    monkeypatch.setattr(module, "ask_map_path", lambda window: str(png))
    w.menu_actions["export_map"].trigger()
    from PIL import Image
    assert Image.open(png).size == module.SIZE
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.csv", "app.png", "cli.csv"]


def test_export_map_says_so_while_the_map_is_incomplete(window, dialogs, tmp_path, monkeypatch):
    from optiviz_gui.ui.dialogs import export_map as module
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    monkeypatch.setattr(module, "ask_map_path", lambda window: str(tmp_path / "x.png"))
    window.menu_actions["export_map"].trigger()              # the Maps tab never shown
    assert "not complete" in dialogs.named("show_info")[0][2]
    assert list(tmp_path.iterdir()) == []
