"""File ▸ Open presets lists the shipped presets by name and opens untitled copies:
Save asks for a name and the preset's bytes never change."""

from __future__ import annotations

import json

from optiviz_gui.ui.window import menus


def test_presets_are_listed_by_name(window):
    names = [a.text() for a in window.presets_menu.actions()]
    shipped = menus.preset_paths()
    assert {p.name for p in shipped} >= {"blog.json", "rosenbrock.json", "ravine.json",
                                         "saddle.json"}
    assert names == [menus.preset_title(p) for p in shipped]
    assert "Rosenbrock" in names


def test_a_preset_opens_untitled_and_save_asks_for_a_name(window, dialogs, tmp_path):
    preset = next(p for p in menus.preset_paths() if p.name == "rosenbrock.json")
    before = preset.read_bytes()
    action = next(a for a in window.presets_menu.actions() if a.text() == "Rosenbrock")
    action.trigger()
    assert window.sim.surface.to_dict()["kind"] == "rosenbrock"
    assert window.path is None and window.windowTitle() == "Rosenbrock (preset)[*]"
    assert str(preset.resolve()) not in window.settings.recent_files()
    window.sim.update_run(0, label="mine")                # a change, then File ▸ Save
    target = tmp_path / "my-rosenbrock.json"
    dialogs.answers["save_session_path"] = str(target)
    window.menu_actions["save"].trigger()
    assert len(dialogs.named("save_session_path")) == 1  # asked for a name
    assert preset.read_bytes() == before                  # the preset is as shipped
    assert json.loads(target.read_text())["optimizers"][0]["label"] == "mine"
    assert window.path == target.resolve()
