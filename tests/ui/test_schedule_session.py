"""Schedules, clipping and ``enabled`` survive save and reopen; the Add menu's schedule presets.

The saved file is compared byte for byte after a reopen and with the session file
format's keys (DESIGN.md); the presets against what their names say, for the
session's number of steps.
"""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from optiviz_gui.ui.window import menus as window_menus


def add_from_menu(window, text):
    menu = window.controls.runs.add_button.menu()
    (action,) = [a for a in menu.actions() if a.text() == text]
    action.trigger()
    return len(window.sim.runs) - 1


def test_save_and_reopen_keep_schedule_clipping_and_enabled(window, qtbot, tmp_path):
    w, sim = window, window.sim
    i = add_from_menu(w, "AdamW, warm-up + cosine")
    w.controls.runs.list.setCurrentRow(1)
    clip = w.controls.clipping
    clip.checks["clip_grad_value"].setChecked(True)
    clip.boxes["clip_grad_value"].setValue(0.5)
    w.controls.runs.list.setCurrentRow(2)
    schedule = w.controls.schedule
    schedule.combo.setCurrentIndex(schedule.combo.findData("lambdalr"))
    schedule.combo.activated.emit(schedule.combo.currentIndex())
    w.controls.runs.list.item(0).setCheckState(Qt.Unchecked)
    assert sim.runs[0].enabled is False
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert window_menus.save_to(w, a)
    saved = json.loads(a.read_text())["optimizers"]
    assert saved[0]["enabled"] is False
    assert saved[1]["clip_grad_value"] == 0.5
    assert saved[2]["scheduler"] == {"name": "lambdalr", "lr_lambda": "0.95**t"}
    assert saved[i]["scheduler"] == {"name": "sequentiallr", "milestones": [10], "schedulers": [
        {"name": "linearlr", "start_factor": 0.1, "total_iters": 10},
        {"name": "cosineannealinglr", "T_max": 90}]}
    assert window_menus.open_path(w, a, ask=False)
    assert [r.enabled for r in sim.runs] == [False, True, True, True, True]
    assert w.controls.runs.list.item(0).checkState() == Qt.Unchecked   # ticked off on screen
    assert window_menus.save_to(w, b)
    assert a.read_bytes() == b.read_bytes()
    # the reopened run's form shows its schedule and clipping
    w.controls.runs.list.setCurrentRow(1)
    assert clip.checks["clip_grad_value"].isChecked() and clip.boxes["clip_grad_value"].value() == 0.5
    w.controls.runs.list.setCurrentRow(i)
    assert schedule.combo.currentData() == "sequentiallr"
    assert [c.cls.name for c in schedule.form.children] == ["linearlr", "cosineannealinglr"]


@pytest.mark.parametrize("steps", [100, 40])
def test_the_schedule_presets_make_the_runs_they_say(window, steps):
    w, sim = window, window.sim
    sim.set_steps(steps)
    i = add_from_menu(w, "AdamW, warm-up + cosine")
    run = sim.runs[i]
    assert run.optimizer.name == "adamw" and run.optimizer.lr == 0.1
    warm, cos = run.scheduler.schedulers
    assert (run.scheduler.name, warm.name, cos.name) == ("sequentiallr", "linearlr",
                                                         "cosineannealinglr")
    assert run.scheduler.milestones == (steps // 10,) and warm.total_iters == steps // 10
    assert warm.start_factor == 0.1 and cos.T_max == steps - steps // 10
    assert w.controls.runs.list.currentRow() == i and sim.labels()[i] == "AdamW, warm-up + cosine"
    j = add_from_menu(w, "SGD momentum, one-cycle")
    run = sim.runs[j]
    assert run.optimizer.name == "sgd" and run.optimizer.hp["momentum"] == 0.9
    assert run.scheduler.name == "onecyclelr" and run.scheduler.total == steps
    sim.seek(steps)                                  # the cycle lasts the whole run
    assert not sim.trajectories[j].diverged
    k = add_from_menu(w, "SGD, step decay")
    run = sim.runs[k]
    assert run.scheduler.name == "steplr" and run.scheduler.step_size == steps // 4
    assert run.scheduler.gamma == 0.5
    assert w.tabs.isTabVisible(w.tabs.indexOf(w.lr))


def test_export_trajectories_writes_each_updates_lr(window, monkeypatch, tmp_path):
    from optiviz_gui.ui.dialogs import export as export_dialogs
    w, sim = window, window.sim
    sim.update_run(3, scheduler={"name": "steplr", "step_size": 10, "gamma": 0.5})
    out = tmp_path / "app.json"
    monkeypatch.setattr(export_dialogs, "ask_trajectories_path", lambda window: str(out))
    assert export_dialogs.export_trajectories(w)
    runs = json.loads(out.read_text())["runs"]
    lrs = [row["lr"] for row in runs[3]["history"][:100]]
    assert lrs == [0.1 * 0.5 ** (k // 10) for k in range(100)]        # by hand
    assert "lr" not in runs[0]["history"][5]                           # unscheduled: none
