"""What each edit redraws, counted: a one-run edit redraws that run alone, in every view.

Every view draws the model through ``draw_static`` (the surface), ``draw_run(i)`` (one
run's items) and ``draw_shared`` (current points, legend); these tests count the calls
an edit makes in the real window (the 3-D view included when OpenGL is there).
"""

from __future__ import annotations

import collections
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from optiviz_gui.core import session
from optiviz_gui.core.surfaces import make_surface
from optiviz_gui.ui.views.surface.gl import gl_available

DRAWS = ("draw_static", "draw_run", "draw_shared")


@pytest.fixture
def counted(make_window, monkeypatch, qapp):
    """A window on the blog example (with the 3-D view when possible) whose views count
    their draws: ``calls[(view name, method)]`` -> list of arguments."""
    w = make_window(session.load(None), gl=None if gl_available() else False)
    if gl_available():
        w.create_surface_view()
    views = {"contour": w.contour, "loss": w.loss, "data": w.data, "lr": w.lr}
    if w.surface3d is not None:
        views["surface"] = w.surface3d
    calls = collections.defaultdict(list)
    for name, view in views.items():
        for method in DRAWS:
            original = getattr(view, method)

            def counting(*args, _o=original, _k=(name, method)):
                calls[_k].append(args)
                return _o(*args)
            monkeypatch.setattr(view, method, counting)
    w.sim.seek(40)
    calls.clear()
    return w, views, calls


def test_a_new_learning_rate_redraws_that_run_alone(counted, qtbot):
    w, views, calls = counted
    w.controls.runs.list.setCurrentRow(2)
    box = w.controls.hyper.field("lr")
    box.setFocus(Qt.OtherFocusReason)
    box.selectAll()
    qtbot.keyClicks(box, "0.05")                 # typing commits: 0, 0.0, 0.05
    assert w.sim.runs[2].optimizer.lr == 0.05
    for name in views:
        runs_drawn = {args for args in calls[(name, "draw_run")]}
        assert runs_drawn == {(2,)}, name
        assert calls[(name, "draw_static")] == [], name
    # each committed keystroke redrew run 2 once (and nothing else)
    edits = len(calls[("contour", "draw_run")])
    assert all(len(calls[(name, "draw_run")]) == edits for name in views)


def test_a_schedule_or_clipping_edit_redraws_that_run_alone(counted, qtbot):
    w, views, calls = counted
    w.controls.runs.list.setCurrentRow(2)
    section = w.controls.schedule
    section.combo.setCurrentIndex(section.combo.findData("steplr"))
    section.combo.activated.emit(section.combo.currentIndex())
    field = section.form.fields["step_size"].box
    field.setFocus(Qt.OtherFocusReason)
    field.selectAll()
    qtbot.keyClicks(field, "12")                 # typing commits: 1, 12
    w.controls.clipping.checks["clip_grad_norm"].setChecked(True)
    assert w.sim.runs[2].scheduler.step_size == 12 and w.sim.runs[2].clip_grad_norm == 1.0
    for name in views:
        assert {args for args in calls[(name, "draw_run")]} == {(2,)}, name
        assert calls[(name, "draw_static")] == [], name
    # the schedule, two keystrokes and the clipping: four edits, each drawn once
    assert all(len(calls[(name, "draw_run")]) == 4 for name in views)


def test_a_recolour_and_a_rename_redraw_one_run(counted):
    w, views, calls = counted
    w.sim.update_run(1, color="#000000")
    w.sim.update_run(3, label="Adam, lr 0.1")
    for name in views:
        assert calls[(name, "draw_run")] == [(1,), (3,)], name


def test_a_new_start_draws_each_run_once(counted):
    w, views, calls = counted
    w.sim.set_start((1.0, 5.0))
    n = len(w.sim.runs)
    for name in views:
        assert sorted(calls[(name, "draw_run")]) == [(i,) for i in range(n)], name
        assert len(calls[(name, "draw_shared")]) == 1, name


def test_a_new_surface_builds_once_and_draws_each_run_once(counted):
    w, views, calls = counted
    # new data, same kind: the losses stay positive, so the log loss axis stays log
    surface = make_surface({"kind": "linear_regression", "n": 300, "noise": 0.5}, Path("."))
    w.sim.set_surface(surface, start=(1.0, 3.0))
    n = len(w.sim.runs)
    for name in views:
        assert len(calls[(name, "draw_static")]) == 1, name
        assert sorted(calls[(name, "draw_run")]) == [(i,) for i in range(n)], name
        assert len(calls[(name, "draw_shared")]) == 1, name


def test_the_loss_axis_turning_linear_still_draws_each_curve_once(counted):
    """On the saddle x² − y² the loss goes below 0, which a log axis cannot show: the
    axis turns linear before any curve is drawn, so each is drawn once."""
    from optiviz_gui.core.surfaces import BUILTINS
    w, views, calls = counted
    assert w.loss.drawn_log()
    w.sim.set_surface(BUILTINS["saddle"](), start=(0.5, 0.1))
    assert not w.loss.drawn_log()
    assert sorted(calls[("loss", "draw_run")]) == [(i,) for i in range(len(w.sim.runs))]
