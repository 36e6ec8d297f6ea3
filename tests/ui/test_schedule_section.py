"""The Schedule section and the clipping fields of the selected run.

Defaults are checked against torch.optim.lr_scheduler's own signatures, refusals
against torch's conditions (the model never sees them), nested edits against the
schedule the model then holds, clipping for LBFGS against the model's sentence.
"""

from __future__ import annotations

import inspect

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox

from optiviz_gui.core.presets import starting_spec
from optiviz_gui.core.schedules import SCHEDULERS
from optiviz_gui.ui.controls.schedule import error_path
from optiviz_gui.ui.controls.spec_fields import FormulaField, IntsField, NumberField

torch = pytest.importorskip("torch")


def pick(section, name):
    """Choose ``name`` (None: No schedule) in the section's combo, as a click does."""
    i = section.combo.findData(name)
    section.combo.setCurrentIndex(i)
    section.combo.activated.emit(i)


def shown(field):
    """What a field shows, as the spec keyword's value."""
    if isinstance(field, NumberField):
        return field.value()
    if isinstance(field, (IntsField, FormulaField)):
        return field.edit.text()
    return field.value()


def type_into(qtbot, field, text):
    box = field.box if isinstance(field, NumberField) else field.edit
    box.setFocus(Qt.OtherFocusReason)
    box.selectAll()
    qtbot.keyClicks(box, text)


@pytest.fixture
def section(window):
    window.controls.runs.list.setCurrentRow(1)           # SGD, momentum 0.2
    return window.controls.schedule


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_each_scheduler_gets_its_keywords_with_torchs_defaults(window, section, name):
    sim = window.sim
    pick(section, name)
    sched = sim.runs[1].scheduler
    assert sched is not None and sched.name == name                 # sent to the model
    spec = starting_spec(name, sim.runs[1].optimizer, sim.steps)
    torch_cls = getattr(torch.optim.lr_scheduler, SCHEDULERS[name].title)
    defaults = {k: p.default for k, p in inspect.signature(torch_cls.__init__).parameters.items()}
    form = section.form
    assert form.cls is SCHEDULERS[name]
    for h in SCHEDULERS[name].hyper:
        if h.kind == "schedulers":
            assert [c.cls.name for c in form.children] == [c["name"] for c in spec["schedulers"]]
            continue
        field = form.fields[h.name]
        if h.name in spec:                     # required by torch, or fitted to the session
            want = spec[h.name]
        else:
            want = defaults[h.name]
        got = shown(field)
        if h.kind == "ints":
            assert got == ", ".join(str(v) for v in want), h.name
        elif h.kind == "formula":
            assert got == ("" if want is None else want), h.name
        else:
            assert got == want, h.name
        if isinstance(field, NumberField):
            low = h.low - 1 if h.optional and h.kind == "int" else h.low
            assert (field.box.minimum(), field.box.maximum()) == (low, h.high), h.name
    assert section.summary.text().lower().startswith(SCHEDULERS[name].summary[:20].lower())
    pick(section, None)
    assert sim.runs[1].scheduler is None and section.form is None


def test_a_typed_keyword_reaches_the_model(window, section, qtbot):
    pick(section, "steplr")
    type_into(qtbot, section.form.fields["step_size"], "7")
    assert window.sim.runs[1].scheduler.step_size == 7
    lrs = window.sim.trajectories[1].group_history(window.sim.step)["lr"]
    assert lrs[0] == 0.1


def test_out_of_range_text_stays_red_and_never_reaches_the_model(window, section, qtbot):
    pick(section, "steplr")
    before = window.sim.runs[1].scheduler
    field = section.form.fields["step_size"]
    type_into(qtbot, field, "0")                          # torch divides by it
    assert window.sim.runs[1].scheduler == before
    assert field.problem and "step_size" in field.problem and "got 0" in field.problem
    assert section.error.isVisible() and section.error.text() == field.problem
    assert "color" in field.box.styleSheet()
    qtbot.keyClick(field.box, Qt.Key_Return)              # the edit ends: undone
    assert window.sim.runs[1].scheduler == before and not field.problem


def test_a_combination_torch_refuses_is_red_and_never_sent(window, section, qtbot):
    sim = window.sim
    pick(section, "onecyclelr")
    type_into(qtbot, section.form.fields["total_steps"], "10")
    assert sim.runs[1].scheduler.total == 10
    before = sim.runs[1].scheduler
    pct = section.form.fields["pct_start"]
    pct.box.setFocus(Qt.OtherFocusReason)
    pct.box.setValue(0.1)                                 # phase 1: 0.1·10 − 1 = 0 steps long
    assert sim.runs[1].scheduler == before
    assert "pct_start" in section.error.text() and "zero steps" in section.error.text()
    assert pct.flagged and not section.form.fields["max_lr"].flagged
    assert pct.value() == 0.1                              # the refused edit waits in the form
    qtbot.keyClick(pct.box, Qt.Key_Return)                 # its edit ends: the model's value back
    assert pct.value() == before.pct_start and "pct_start" not in section.error.text()
    assert "ends after 10 steps" in section.error.text()          # 10 of the run's 100
    assert not pct.flagged


def test_a_formula_is_read_by_the_safe_parser(window, section, qtbot):
    sim = window.sim
    pick(section, "lambdalr")
    field = section.form.fields["lr_lambda"]
    type_into(qtbot, field, "0.9**")
    assert "lr_lambda" in field.problem and "ends unexpectedly" in field.problem
    assert section.error.text() == field.problem
    assert sim.runs[1].scheduler.lr_lambda.source == "0.95**t"
    qtbot.keyClicks(field.edit, "t")
    assert not field.problem
    qtbot.waitUntil(lambda: sim.runs[1].scheduler.lr_lambda.source == "0.9**t", timeout=2000)
    sim.seek(3)
    assert sim.group_now(1)["lr"] == pytest.approx(0.1 * 0.9 ** 3)      # η₀·λ(t), by hand
    type_into(qtbot, field, "__import__('os')")
    assert field.problem and sim.runs[1].scheduler.lr_lambda.source == "0.9**t"
    qtbot.keyClick(field.edit, Qt.Key_Return)
    assert field.edit.text() == "0.9**t" and not field.problem


def test_milestones_are_a_list_of_whole_numbers(window, section, qtbot):
    pick(section, "multisteplr")
    field = section.form.fields["milestones"]
    assert field.edit.text() == "50, 75"                   # fitted to 100 steps
    type_into(qtbot, field, "10, 20, 20")
    assert window.sim.runs[1].scheduler.milestones == (10, 20, 20)
    type_into(qtbot, field, "10, x")                        # letters cannot be typed
    assert field.edit.text() == "10, " and not field.problem       # still being typed
    assert window.sim.runs[1].scheduler.milestones == (10,)        # "10" was taken on the way


def test_nested_schedules_add_remove_reorder_and_edit(window, section, qtbot):
    sim = window.sim
    pick(section, "sequentiallr")
    form = section.form
    assert sim.runs[1].scheduler.milestones == (10,)
    assert [c.cls.name for c in form.children] == ["linearlr", "cosineannealinglr"]
    type_into(qtbot, form.children[1].fields["T_max"], "40")     # a child's keyword
    assert sim.runs[1].scheduler.schedulers[1].T_max == 40
    form._add()                                                   # "Add a schedule"
    s = sim.runs[1].scheduler
    assert [c.name for c in s.schedulers] == ["linearlr", "cosineannealinglr", "linearlr"]
    assert s.milestones == (10, 55)                              # halfway to the end
    assert len(section.form.children) == 3
    section.form._child_class(2, "exponentiallr")               # another class for child 3
    assert sim.runs[1].scheduler.schedulers[2].name == "exponentiallr"
    section.form._move(2, 1)
    assert [c.name for c in sim.runs[1].scheduler.schedulers] == \
        ["linearlr", "exponentiallr", "cosineannealinglr"]
    assert sim.runs[1].scheduler.schedulers[2].T_max == 40       # it kept its keywords
    section.form._remove(0)
    s = sim.runs[1].scheduler
    assert [c.name for c in s.schedulers] == ["exponentiallr", "cosineannealinglr"]
    assert s.milestones == (55,)
    # a composite after the first is refused (torch fails at its milestone): never sent
    before = sim.runs[1].scheduler
    section.form._child_class(1, "chainedscheduler")
    assert sim.runs[1].scheduler == before
    assert "schedulers[1]" in section.error.text()
    assert [c.cls.name for c in section.form.children] == ["exponentiallr", "cosineannealinglr"]


def test_error_paths_name_the_nested_keyword():
    assert error_path("SequentialLR: schedulers[1]: CosineAnnealingLR: T_max must be ≥ 1.") \
        == ("schedulers", 1, "T_max")
    assert error_path("SequentialLR: milestones must hold one step fewer.") == ("milestones",)
    assert error_path("SequentialLR: schedulers[1] cannot be x.") == ("schedulers", 1)


def test_the_section_shows_the_selected_run_and_ignores_its_own_echo(window, section, qtbot):
    sim = window.sim
    pick(section, "cosineannealinglr")
    field = section.form.fields["T_max"]
    type_into(qtbot, field, "80")
    assert sim.runs[1].scheduler.T_max == 80
    assert section.form.fields["T_max"] is field                  # not rebuilt by the echo
    assert field.box.lineEdit().text() == "80"
    window.controls.runs.list.setCurrentRow(0)                   # SGD: no schedule
    assert section.form is None and section.combo.currentData() is None
    window.controls.runs.list.setCurrentRow(1)
    assert section.form.fields["T_max"].value() == 80
    sim.update_run(1, scheduler={"name": "cosineannealinglr", "T_max": 33})   # from elsewhere
    assert section.form.fields["T_max"].value() == 33


def test_clipping_fields_reach_the_model_and_lbfgs_is_refused(window, qtbot):
    sim, clip = window.sim, window.controls.clipping
    window.controls.runs.list.setCurrentRow(0)
    check, box = clip.checks["clip_grad_norm"], clip.boxes["clip_grad_norm"]
    assert not check.isChecked() and not box.isEnabled() and sim.runs[0].clip_grad_norm is None
    check.setChecked(True)
    assert sim.runs[0].clip_grad_norm == 1.0 and box.isEnabled()
    box.setValue(2.5)
    assert sim.runs[0].clip_grad_norm == 2.5
    clip.checks["clip_grad_value"].setChecked(True)
    assert sim.runs[0].clip_grad_value == 1.0
    check.setChecked(False)
    assert sim.runs[0].clip_grad_norm is None and sim.runs[0].clip_grad_value == 1.0
    # LBFGS: the model's own sentence, in red, and nothing sent
    from optiviz_gui.core.optimizers import LBFGS
    from optiviz_gui.core.simulation import Run
    sim.add_run(Run(LBFGS(lr=0.5)))
    window.controls.runs.list.setCurrentRow(len(sim.runs) - 1)
    check = clip.checks["clip_grad_norm"]
    check.setChecked(True)
    assert sim.runs[-1].clip_grad_norm is None
    assert clip.error.isVisible() and clip.error.text().startswith("clip_grad_norm cannot be used "
                                                                   "with LBFGS")
    check.setChecked(False)
    assert not clip.error.isVisible()


def test_muons_note_says_what_it_does_to_one_row(window):
    from optiviz_gui.core.optimizers import Muon
    from optiviz_gui.core.simulation import Run
    window.sim.add_run(Run(Muon(lr=0.1)))
    window.controls.runs.list.setCurrentRow(len(window.sim.runs) - 1)
    text = window.controls.rule.text()
    assert "only normalises" in text and "momentum direction" in text
    assert isinstance(window.controls.schedule.combo, QComboBox)
    assert isinstance(window.controls.clipping.checks["clip_grad_norm"], QCheckBox)


def test_a_one_cycle_shorter_than_the_run_says_where_it_stops(window, section):
    sim = window.sim
    pick(section, "onecyclelr")                       # fitted: total_steps = 100
    assert not section.error.isVisible()
    window.controls.steps_requested.emit(150)
    assert sim.steps == 150
    assert section.error.isVisible() and "stops there" in section.error.text()
    assert "OneCycleLR ends after 100 steps" in section.error.text()
    sim.seek(150)                                     # torch raises at the 101st step: no crash
    t = sim.trajectories[1]
    assert t.steps == 100 and t.diverged_at == 101 and "total_steps" in t.stopped
    window.controls.steps_requested.emit(100)
    assert not section.error.isVisible()
