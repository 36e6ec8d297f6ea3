"""Every torch.optim.lr_scheduler class, alone and nested, against torch itself.

A torch optimizer and scheduler (built as a torch user would: children
first, on the same optimizer, then the composite) run next to ours; after
each step the param group's lr — and momentum or betas where a schedule moves
them — must be torch's to the last bit: the schedules are Python float
arithmetic on both sides. Then whole runs (optimizer + schedule, torch's
training loop) must give torch's points, and ReduceLROnPlateau is stepped
with a real run's losses.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.schedules import SCHEDULERS, make_scheduler

torch = pytest.importorskip("torch")

# the formulas a session holds, with the Python functions a torch user would write
LAMBDAS = {"0.95**t": lambda t: 0.95**t, "1/(1 + 0.05*t)": lambda t: 1 / (1 + 0.05 * t),
           "0.99": lambda t: 0.99, "0.5**t": lambda t: 0.5**t,
           "exp(-0.02*t)*(1 + 0.1*sin(t))": lambda t: math.exp(-0.02 * t) * (1 + 0.1 * math.sin(t))}


@pytest.fixture(autouse=True)
def float64():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # torch's "step() before optimizer.step()" notes
        yield
    torch.set_default_dtype(old)


def torch_scheduler(spec, optimizer):
    """torch's scheduler for a session spec: children built first, on the same optimizer."""
    kwargs = {k: v for k, v in spec.items() if k != "name"}
    if "schedulers" in kwargs:
        kwargs["schedulers"] = [torch_scheduler(s, optimizer) for s in kwargs["schedulers"]]
    for key in ("lr_lambda", "scale_fn"):
        if key in kwargs:
            kwargs[key] = LAMBDAS[kwargs[key]]
    cls = getattr(torch.optim.lr_scheduler, SCHEDULERS[spec["name"]].title)
    if cls is torch.optim.lr_scheduler.ChainedScheduler:
        return cls(kwargs["schedulers"])
    return cls(optimizer, **kwargs)


ALONE = [
    {"name": "steplr", "step_size": 7, "gamma": 0.5},
    {"name": "steplr", "step_size": 30},
    {"name": "multisteplr", "milestones": [3, 10, 10, 40], "gamma": 0.3},
    {"name": "constantlr", "factor": 0.25, "total_iters": 9},
    {"name": "constantlr"},
    {"name": "linearlr", "start_factor": 0.1, "end_factor": 0.9, "total_iters": 30},
    {"name": "linearlr"},
    {"name": "exponentiallr", "gamma": 0.97},
    {"name": "polynomiallr", "total_iters": 60, "power": 2.5},
    {"name": "polynomiallr"},
    {"name": "cosineannealinglr", "T_max": 40, "eta_min": 0.001},
    {"name": "cosineannealingwarmrestarts", "T_0": 7, "T_mult": 2, "eta_min": 0.01},
    {"name": "cosineannealingwarmrestarts", "T_0": 10},
    {"name": "lambdalr", "lr_lambda": "1/(1 + 0.05*t)"},
    {"name": "lambdalr", "lr_lambda": "exp(-0.02*t)*(1 + 0.1*sin(t))"},
    {"name": "multiplicativelr", "lr_lambda": "0.99"},
    {"name": "cycliclr", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 7, "step_size_down": 3,
     "mode": "triangular2", "base_momentum": 0.7, "max_momentum": 0.95},
    {"name": "cycliclr", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5, "mode": "exp_range",
     "gamma": 0.98},
    {"name": "cycliclr", "base_lr": 0.01, "max_lr": 0.1},
    {"name": "cycliclr", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5, "scale_fn": "0.5**t",
     "scale_mode": "iterations", "cycle_momentum": False},
    {"name": "cycliclr", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4, "scale_fn": "0.5**t"},
    {"name": "onecyclelr", "max_lr": 0.2, "total_steps": 150},
    {"name": "onecyclelr", "max_lr": 0.2, "epochs": 10, "steps_per_epoch": 16,
     "anneal_strategy": "linear", "three_phase": True, "pct_start": 0.25, "div_factor": 10.0,
     "final_div_factor": 100.0, "base_momentum": 0.8, "max_momentum": 0.9},
    {"name": "onecyclelr", "max_lr": 0.2, "total_steps": 150, "cycle_momentum": False},
]
NESTED = [
    {"name": "sequentiallr", "milestones": [10], "schedulers": [
        {"name": "linearlr", "start_factor": 0.1, "total_iters": 10},
        {"name": "cosineannealinglr", "T_max": 90}]},
    {"name": "sequentiallr", "milestones": [5, 20], "schedulers": [
        {"name": "constantlr", "factor": 0.5, "total_iters": 3},
        {"name": "multiplicativelr", "lr_lambda": "0.99"},
        {"name": "cosineannealingwarmrestarts", "T_0": 6}]},
    {"name": "sequentiallr", "milestones": [5, 20], "schedulers": [
        {"name": "lambdalr", "lr_lambda": "0.95**t"},
        {"name": "cycliclr", "base_lr": 0.01, "max_lr": 0.05, "step_size_up": 4},
        {"name": "onecyclelr", "max_lr": 0.3, "total_steps": 200}]},
    {"name": "sequentiallr", "milestones": [0, 6], "schedulers": [      # milestone 0: skip one
        {"name": "steplr", "step_size": 2}, {"name": "cosineannealinglr", "T_max": 3},
        {"name": "linearlr", "total_iters": 4}]},
    {"name": "chainedscheduler", "schedulers": [
        {"name": "constantlr", "factor": 0.5, "total_iters": 4},
        {"name": "exponentiallr", "gamma": 0.98}, {"name": "cosineannealinglr", "T_max": 30}]},
    {"name": "chainedscheduler", "schedulers": [                        # sequential in chained
        {"name": "sequentiallr", "milestones": [8], "schedulers": [
            {"name": "linearlr", "total_iters": 8}, {"name": "steplr", "step_size": 5}]},
        {"name": "exponentiallr", "gamma": 0.99}]},
    {"name": "sequentiallr", "milestones": [12], "schedulers": [        # chained in sequential
        {"name": "chainedscheduler", "schedulers": [
            {"name": "linearlr", "total_iters": 6}, {"name": "cosineannealinglr", "T_max": 20}]},
        {"name": "exponentiallr", "gamma": 0.9}]},
    {"name": "sequentiallr", "milestones": [7], "schedulers": [         # sequential in sequential
        {"name": "sequentiallr", "milestones": [3], "schedulers": [
            {"name": "constantlr", "factor": 0.5, "total_iters": 2},
            {"name": "linearlr", "total_iters": 4}]},
        {"name": "polynomiallr", "total_iters": 50}]},
    {"name": "chainedscheduler", "schedulers": [                        # two momentum cyclers
        {"name": "cycliclr", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 6},
        {"name": "onecyclelr", "max_lr": 0.3, "total_steps": 150}]},
]
OPTIMIZERS = [("sgd", {"lr": 0.1, "momentum": 0.9}), ("adam", {"lr": 0.1})]


def test_every_scheduler_is_tested_alone():
    assert {s["name"] for s in ALONE} == set(SCHEDULERS) - {"reducelronplateau", "sequentiallr",
                                                            "chainedscheduler"}


def assert_same_group(ours, theirs, where):
    for key, value in ours.items():
        np.testing.assert_array_equal(np.asarray(value, float), np.asarray(theirs[key], float),
                                      err_msg=f"{key} {where}")


@pytest.mark.parametrize("opt_name, opt_hp", OPTIMIZERS, ids=[n for n, _ in OPTIMIZERS])
@pytest.mark.parametrize("spec", ALONE + NESTED, ids=lambda s: s["name"])
def test_lr_and_momentum_sequence_is_torchs(spec, opt_name, opt_hp):
    ours = make_scheduler(spec, make_optimizer(opt_name, **opt_hp))
    param = torch.zeros(2, requires_grad=True)
    optimizer = getattr(torch.optim, ours.optimizer.title)([param], **opt_hp)
    theirs = torch_scheduler(spec, optimizer)
    state = ours.init()
    moves = {"momentum", "betas"} & set(ours.group(state))
    assert moves == ({"momentum" if opt_name == "sgd" else "betas"} & ours.moved_keys())
    for step in range(150):
        assert_same_group(ours.group(state), optimizer.param_groups[0], f"at step {step}")
        optimizer.step()
        theirs.step()
        state = ours.step(state)


@pytest.mark.parametrize("spec", [
    {"name": "reducelronplateau"},
    {"name": "reducelronplateau", "mode": "max", "factor": 0.5, "patience": 3, "threshold": 0.01,
     "threshold_mode": "abs", "cooldown": 4, "min_lr": 0.02, "eps": 1e-3},
    {"name": "reducelronplateau", "patience": 0, "factor": 0.7, "threshold_mode": "abs",
     "threshold": 1e-3},
    {"name": "reducelronplateau", "mode": "max", "patience": 2, "cooldown": 1},
], ids=lambda s: "-".join(s)[len("name-"):] or "defaults")
def test_plateau_lr_sequence_is_torchs(spec):
    rng = np.random.default_rng(0)
    losses = np.concatenate([np.linspace(5, 1, 50), 1 + rng.uniform(0, 1e-3, 100),
                             np.linspace(1, 0.5, 50)]).tolist()
    ours = make_scheduler(spec, make_optimizer("sgd", lr=0.1))
    optimizer = torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=0.1)
    theirs = torch_scheduler(spec, optimizer)
    state, lrs = ours.init(), set()
    for step, loss in enumerate(losses):
        theirs.step(loss)
        state = ours.step(state, loss)
        assert ours.group(state)["lr"] == optimizer.param_groups[0]["lr"], f"step {step}"
        lrs.add(ours.group(state)["lr"])
    assert len(lrs) > 1                          # the plateau was seen: the lr moved


# ------------------------------------------------------------------ whole runs
def rosenbrock(t):
    return (1 - t[0]) ** 2 + 100 * (t[1] - t[0] ** 2) ** 2


def least_squares(t):
    x = torch.linspace(-2.0, 2.0, 40, dtype=torch.float64)
    return ((t[0] + t[1] * x - (0.5 - 1.5 * x + 0.1 * torch.sin(3.0 * x))) ** 2).mean()


RUNS = [
    ("sgd", {"lr": 1e-3, "momentum": 0.9}, rosenbrock,
     {"name": "onecyclelr", "max_lr": 2e-3, "total_steps": 120}),
    ("adam", {"lr": 0.05}, least_squares,
     {"name": "cycliclr", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 10}),
    ("rmsprop", {"lr": 0.01, "momentum": 0.5}, least_squares,
     {"name": "sequentiallr", "milestones": [10], "schedulers": [
         {"name": "linearlr", "start_factor": 0.1, "total_iters": 10},
         {"name": "cosineannealinglr", "T_max": 110}]}),
    ("muon", {"lr": 0.05}, least_squares, {"name": "cosineannealingwarmrestarts", "T_0": 20}),
    ("rprop", {"lr": 0.01}, rosenbrock,              # Rprop reads lr once, when it starts
     {"name": "linearlr", "start_factor": 0.5, "total_iters": 10}),
    ("asgd", {"lr": 1e-3}, rosenbrock, {"name": "lambdalr", "lr_lambda": "0.95**t"}),
    ("adafactor", {"lr": 0.05}, least_squares, {"name": "exponentiallr", "gamma": 0.98}),
    ("lbfgs", {"lr": 0.5, "max_iter": 4}, rosenbrock, {"name": "steplr", "step_size": 5}),
    ("sgd", {"lr": 0.5}, least_squares,
     {"name": "reducelronplateau", "patience": 2, "factor": 0.5, "threshold": 0.1}),
]


@pytest.mark.parametrize("name, hyper, loss_fn, spec", RUNS,
                         ids=[f"{n}-{s['name']}" for n, _, _, s in RUNS])
def test_a_scheduled_run_is_torchs_training_loop(name, hyper, loss_fn, spec):
    """torch: loss, backward, optimizer.step(), scheduler.step() (ReduceLROnPlateau: step(loss)).
    Ours: opt.scheduled(**group).update(...) (LBFGS: step(closure)), then sched.step(state, loss)."""
    opt = make_optimizer(name, **hyper)
    sched = make_scheduler(spec, opt)
    start = np.array([-1.2, 1.0]) if loss_fn is rosenbrock else np.array([2.0, 3.0])
    param = torch.tensor(start).reshape((1, 2) if name == "muon" else (2,)).requires_grad_()
    optimizer = getattr(torch.optim, opt.title)([param], **hyper)
    scheduler = torch_scheduler(spec, optimizer)

    def closure():
        optimizer.zero_grad()
        loss = loss_fn(param.reshape(-1))
        loss.backward()
        return loss

    def value_and_grad(p):
        t = torch.tensor(p, requires_grad=True)
        loss = loss_fn(t)
        loss.backward()
        return loss.item(), t.grad.numpy().copy()

    p, state, sched_state = start.copy(), opt.init(start), sched.init()
    seen = set()
    for step in range(1, 101):
        loss_k = optimizer.step(closure).item()
        scheduler.step(loss_k) if spec["name"] == "reducelronplateau" else scheduler.step()
        current = opt.scheduled(**sched.group(sched_state))
        if opt.needs_closure:
            ours_loss = value_and_grad(p)[0]
            p, state, _ = current.step(p, state, value_and_grad)
        else:
            ours_loss, g = value_and_grad(p)
            delta, state = current.update(g, state, p)
            p = p + delta
        sched_state = sched.step(sched_state, ours_loss)
        np.testing.assert_allclose(p, param.detach().numpy().reshape(-1), rtol=1e-9, atol=1e-12,
                                   err_msg=f"step {step}")
        assert sched.group(sched_state)["lr"] == pytest.approx(optimizer.param_groups[0]["lr"],
                                                               rel=1e-12)
        seen.add(sched.group(sched_state)["lr"])
    assert len(seen) > 2                         # the schedule did move the lr in this run


def test_plateau_over_many_start_points_is_each_point_alone():
    """A loss array (one per start point) gives each point its own best, counters and lr."""
    opt = make_optimizer("sgd", lr=0.5)
    sched = make_scheduler({"name": "reducelronplateau", "patience": 1, "factor": 0.5}, opt)
    rng = np.random.default_rng(2)
    losses = rng.uniform(0, 1, (40, 5)) + np.linspace(3, 0, 40)[:, None] * [0, 1, 2, 0.5, 0]
    state = sched.init()
    alone = [sched.init() for _ in range(5)]
    for row in losses:
        state = sched.step(state, row)
        alone = [sched.step(s, float(v)) for s, v in zip(alone, row)]
        lr = sched.group(state)["lr"]
        assert lr.shape == (5, 1)
        np.testing.assert_array_equal(lr[:, 0], [sched.group(s)["lr"] for s in alone])
    assert len(set(lr[:, 0])) > 1
