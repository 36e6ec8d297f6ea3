"""The schedule presets and starting specs (core/presets.py), the lr a run reports per step.

Each preset's learning rates are checked against torch.optim.lr_scheduler built as
its name says; the starting specs against torch's signature defaults; the group
history against torch's lr sequence and a hand computation.
"""

from __future__ import annotations

import doctest
import inspect
import math

import numpy as np
import pytest

from optiviz_gui.core import presets, session
from optiviz_gui.core.optimizers import OPTIMIZERS, make_optimizer
from optiviz_gui.core.schedules import SCHEDULERS, make_scheduler
from optiviz_gui.core.simulation import Run, Simulation

BLOG = session.load(None)


def test_docstring_examples_run():
    assert doctest.testmod(presets).failed == 0


def torch_lrs(opt_cls, opt_kw, make_sched, n):
    """The lr of each of n optimizer steps of a torch training loop."""
    torch = pytest.importorskip("torch")
    p = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    opt = opt_cls([p], **opt_kw)
    sched = make_sched(torch.optim.lr_scheduler, opt)
    out = []
    for _ in range(n):
        out.append(opt.param_groups[0]["lr"])
        p.grad = torch.ones(2, dtype=torch.float64)
        opt.step()
        sched.step()
    return np.array(out)


def run_lrs(run, steps):
    sim = Simulation(BLOG.surface, BLOG.start, [run], steps)
    sim.seek(steps)
    return sim.trajectories[0].lrs


@pytest.mark.parametrize("steps", [100, 37, 2])
def test_warmup_cosine_is_adamw_with_linear_warmup_then_cosine(steps):
    torch = pytest.importorskip("torch")
    run = presets.preset_run("AdamW, warm-up + cosine", steps)
    assert run.optimizer.name == "adamw" and run.optimizer.lr == 0.1
    w = max(1, min(steps - 1, round(0.1 * steps)))          # 10 % of the steps

    def make(lrs, opt):
        return lrs.SequentialLR(opt, [lrs.LinearLR(opt, start_factor=0.1, total_iters=w),
                                      lrs.CosineAnnealingLR(opt, T_max=max(1, steps - w))],
                                milestones=[w])
    want = torch_lrs(torch.optim.AdamW, dict(lr=0.1), make, steps)
    np.testing.assert_allclose(run_lrs(run, steps), want, rtol=1e-12, atol=0)
    assert want[0] == pytest.approx(0.01)                     # 10 % of the lr at first


def test_one_cycle_is_sgd_momentum_over_the_whole_run():
    torch = pytest.importorskip("torch")
    run = presets.preset_run("SGD momentum, one-cycle", 60)
    assert run.optimizer.name == "sgd" and run.optimizer.hp["momentum"] == 0.9

    def make(lrs, opt):
        return lrs.OneCycleLR(opt, max_lr=0.1, total_steps=60)
    want = torch_lrs(torch.optim.SGD, dict(lr=0.1, momentum=0.9), make, 60)
    np.testing.assert_allclose(run_lrs(run, 60), want, rtol=1e-12, atol=0)
    assert max(want) == pytest.approx(0.1, rel=1e-3)


def test_step_decay_halves_the_sgd_lr_four_times():
    run = presets.preset_run("SGD, step decay", 100)
    assert run.optimizer.name == "sgd" and run.scheduler.name == "steplr"
    lrs = run_lrs(run, 100)
    want = 0.1 * 0.5 ** (np.arange(100) // 25)               # by hand: halved every 25
    np.testing.assert_allclose(lrs, want, rtol=1e-15)


def test_a_preset_is_a_session_entry():
    for name in presets.SCHEDULE_PRESETS:
        entry = presets.preset_entry(name, 80)
        sim = session.from_dict({"format": "optiviz-session", "version": 1,
                                 "surface": {"kind": "booth"}, "start": [0, 0], "steps": 80,
                                 "optimizers": [entry]})
        assert sim.runs[0] == presets.preset_run(name, 80)
        assert sim.labels() == [name]


# -------------------------------------------------------------- starting specs
def torch_defaults(name):
    """torch's keyword defaults of the scheduler class ``name`` (inspect.empty: none)."""
    torch = pytest.importorskip("torch")
    cls = getattr(torch.optim.lr_scheduler, SCHEDULERS[name].title)
    return {k: p.default for k, p in inspect.signature(cls.__init__).parameters.items()}


FITTED = {"steplr": {"step_size"}, "multisteplr": {"milestones"}, "cosineannealinglr": {"T_max"},
          "cosineannealingwarmrestarts": {"T_0"}, "cycliclr": {"base_lr", "max_lr"},
          "onecyclelr": {"max_lr", "total_steps"}, "sequentiallr": {"schedulers", "milestones"},
          "chainedscheduler": {"schedulers"}}


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_starting_specs_keep_torchs_defaults_and_fit_only_what_torch_lacks(name):
    defaults = torch_defaults(name)
    spec = presets.starting_spec(name, make_optimizer("sgd", lr=0.2, momentum=0.5), 120)
    sched = make_scheduler(spec, make_optimizer("sgd", lr=0.2, momentum=0.5))
    for h in SCHEDULERS[name].hyper:
        if h.name in FITTED.get(name, ()):
            continue
        value, want = sched.hp[h.name], defaults[h.name]
        assert h.required == (want is inspect.Parameter.empty), h.name
        if h.required:                           # torch has no default: the spec's example
            want = h.default
        if h.kind == "formula":
            assert getattr(value, "source", value) == want, h.name
        else:
            assert value == (tuple(want) if isinstance(want, list) else want), h.name


def test_starting_specs_fit_the_session():
    opt = make_optimizer("adam", lr=0.02)
    assert presets.starting_spec("cosineannealinglr", opt, 300)["T_max"] == 300
    assert presets.starting_spec("onecyclelr", opt, 300)["total_steps"] == 300
    assert presets.starting_spec("onecyclelr", opt, 300)["max_lr"] == 0.02
    assert presets.starting_spec("steplr", opt, 300)["step_size"] == 75
    cyc = presets.starting_spec("cycliclr", make_optimizer("adagrad"), 300)
    assert cyc["cycle_momentum"] is False        # Adagrad has neither momentum nor betas


@pytest.mark.parametrize("steps", [1, 2, 3, 40])
def test_every_starting_spec_and_preset_is_valid_for_every_optimizer(steps):
    for name in SCHEDULERS:
        for opt_name in OPTIMIZERS:
            opt = make_optimizer(opt_name)
            run = Run(opt, scheduler=presets.starting_spec(name, opt, steps))
            sim = Simulation(BLOG.surface, BLOG.start, [run], steps)
            sim.seek(steps)                       # the whole run: a cycle long enough
            t = sim.trajectories[0]
            assert t.steps == steps or t.diverged_at is not None
            assert not t.diverged or t.diverged_at > 0
    for name in presets.SCHEDULE_PRESETS:
        presets.preset_run(name, steps)


# --------------------------------------------------------------- lr per step
def test_group_history_is_torchs_lr_and_momentum_sequence():
    torch = pytest.importorskip("torch")
    spec = {"name": "cycliclr", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5}
    run = Run(make_optimizer("sgd", lr=0.1, momentum=0.9), scheduler=spec)
    sim = Simulation(BLOG.surface, BLOG.start, [run], 30)
    sim.seek(30)
    t = sim.trajectories[0]
    momenta = []

    def make(lrs, opt):
        return lrs.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=5)
    want = torch_lrs(torch.optim.SGD, dict(lr=0.1, momentum=0.9), make, 30)
    h = t.group_history(29)
    np.testing.assert_allclose(h["lr"], want, rtol=1e-12)
    # momentum by hand (torch's rule): 0.9 − 0.1·(position in the cycle's triangle)
    tri = np.array([1 - abs(k / 5 % 2 - 1) for k in range(30)])
    momenta = 0.9 - 0.1 * tri
    np.testing.assert_allclose(h["momentum"], momenta, rtol=1e-12)
    assert set(t.group_history(10)) == {"lr", "momentum"} and len(t.group_history(10)["lr"]) == 11


def test_the_lr_now_is_the_next_updates_and_the_last_updates_at_the_end():
    run = Run(make_optimizer("sgd", lr=1.0), scheduler={"name": "exponentiallr", "gamma": 0.5})
    surface = BLOG.surface
    sim = Simulation(surface, (0.0, 0.0), [run], 4)
    assert sim.group_now(0) == {"lr": 1.0}
    sim.seek(2)
    assert sim.group_now(0) == {"lr": 0.25}                  # by hand: 1·0.5²
    sim.seek(4)                                               # no update from step 4
    assert sim.group_now(0) == {"lr": 0.125}
    assert sim.trajectories[0].group_history(4)["lr"].tolist() == [1.0, 0.5, 0.25, 0.125, 0.0625]
    plain = Simulation(surface, (0.0, 0.0), [Run(make_optimizer("sgd", lr=0.3))], 4)
    plain.seek(3)
    assert plain.group_now(0) == {"lr": 0.3}
    assert plain.trajectories[0].group_history(3)["lr"].tolist() == [0.3] * 4


def test_a_run_diverged_at_the_start_reports_its_schedules_first_lr():
    run = Run(make_optimizer("sgd", lr=1.0),
              scheduler={"name": "linearlr", "start_factor": 0.5, "total_iters": 2})
    from optiviz_gui.core.surfaces import make_surface
    from pathlib import Path
    bad = make_surface({"kind": "expression", "expr": "log(x)"}, Path("."))
    sim = Simulation(bad, (-1.0, 0.0), [run], 3)
    assert sim.trajectories[0].steps == -1
    assert sim.trajectories[0].group_at(0) == {"lr": 0.5}
    assert sim.trajectories[0].group_history(0)["lr"].tolist() == [0.5]
    assert math.isclose(sim.group_now(0)["lr"], 0.5)


@pytest.mark.parametrize("spec, allowed", [
    ({"name": "onecyclelr", "max_lr": 0.1, "total_steps": 30}, 30),
    ({"name": "sequentiallr", "milestones": [10], "schedulers": [
        {"name": "linearlr"}, {"name": "onecyclelr", "max_lr": 0.1, "total_steps": 30}]}, 40),
    ({"name": "sequentiallr", "milestones": [10], "schedulers": [
        {"name": "onecyclelr", "max_lr": 0.1, "total_steps": 5}, {"name": "linearlr"}]}, 5),
    ({"name": "sequentiallr", "milestones": [10], "schedulers": [
        {"name": "onecyclelr", "max_lr": 0.1, "total_steps": 10}, {"name": "linearlr"}]}, None),
    ({"name": "chainedscheduler", "schedulers": [
        {"name": "linearlr"}, {"name": "onecyclelr", "max_lr": 0.1, "total_steps": 30}]}, 30),
    ({"name": "steplr", "step_size": 3}, None),
])
def test_a_schedule_that_ends_stops_the_run_where_torch_raises(spec, allowed):
    torch = pytest.importorskip("torch")
    run = Run(make_optimizer("sgd", lr=0.1, momentum=0.5), scheduler=spec)
    assert run.scheduler.steps_allowed == allowed
    sim = Simulation(BLOG.surface, BLOG.start, [run], 60)
    sim.seek(60)                                      # no exception: the run stops
    t = sim.trajectories[0]
    # torch: the same schedule raises at its (allowed + 1)-th step() call
    p = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.5)
    lrs = torch.optim.lr_scheduler
    made = {"onecyclelr": lambda s: lrs.OneCycleLR(opt, max_lr=0.1, total_steps=s["total_steps"]),
            "linearlr": lambda s: lrs.LinearLR(opt),
            "steplr": lambda s: lrs.StepLR(opt, step_size=3)}
    if spec["name"] == "sequentiallr":
        sched = lrs.SequentialLR(opt, [made[c["name"]](c) for c in spec["schedulers"]],
                                 milestones=spec["milestones"])
    elif spec["name"] == "chainedscheduler":
        sched = lrs.ChainedScheduler([made[c["name"]](c) for c in spec["schedulers"]])
    else:
        sched = made[spec["name"]](spec)
    calls = 0
    try:
        for _ in range(60):
            p.grad = torch.ones(2, dtype=torch.float64)
            opt.step()
            sched.step()
            calls += 1
    except ValueError:
        pass
    if allowed is None:
        assert calls == 60 and t.steps == 60 and t.stopped is None
    else:
        assert calls == allowed and t.steps == allowed and t.diverged_at == allowed + 1
        assert "total_steps" in t.stopped
