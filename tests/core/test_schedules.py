"""Schedules as session objects: the keyword table, validation sentences, round trips, purity,
and a property test over random valid schedules. Numbers against torch: test_schedules_torch.py."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optiviz_gui.core.errors import ConfigError
from optiviz_gui.core.expression import parse_function
from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.schedules import SCHEDULERS, make_scheduler

SGD = make_optimizer("sgd", lr=0.1, momentum=0.9)

# DESIGN.md's list of session names
DESIGN_NAMES = {"steplr", "multisteplr", "constantlr", "linearlr", "exponentiallr", "polynomiallr",
                "cosineannealinglr", "cosineannealingwarmrestarts", "cycliclr", "onecyclelr",
                "reducelronplateau", "sequentiallr", "chainedscheduler", "lambdalr",
                "multiplicativelr"}
# torch keywords a session does not take: the optimizer itself, resuming from a checkpoint
LEFT_OUT = {"self", "optimizer", "last_epoch"}


def test_registry_holds_every_scheduler_the_design_lists():
    assert set(SCHEDULERS) == DESIGN_NAMES
    for name, cls in SCHEDULERS.items():
        assert cls.name == name == cls.title.lower()
        assert cls.summary and "\n" not in cls.summary and cls.__doc__
        assert len({h.name for h in cls.hyper}) == len(cls.hyper)


@pytest.mark.parametrize("name", sorted(DESIGN_NAMES))
def test_keywords_defaults_and_required_ones_are_torchs(name):
    torch = pytest.importorskip("torch")
    cls = SCHEDULERS[name]
    params = inspect.signature(getattr(torch.optim.lr_scheduler, cls.title).__init__).parameters
    theirs = {k: p.default for k, p in params.items() if k not in LEFT_OUT}
    ours = {h.name: h for h in cls.hyper}
    assert set(ours) == set(theirs)
    for key, default in theirs.items():
        h = ours[key]
        assert h.required == (default is inspect.Parameter.empty), key
        if not h.required:
            assert h.default == default, key


def test_docstring_examples_run():
    import doctest
    import importlib
    for module in sorted({cls.__module__ for cls in SCHEDULERS.values()}):
        result = doctest.testmod(importlib.import_module(module))
        assert result.failed == 0, module
    assert doctest.testmod(importlib.import_module("optiviz_gui.core.expression")).failed == 0


# ------------------------------------------------------------------ validation
def one_sentence(message: str) -> bool:
    return message.endswith(".") and "\n" not in message and message.count(". ") == 0


BAD = [   # (spec, optimizer, the key the sentence must name, torch refuses it at construction too)
    ({"name": "steplr"}, SGD, "step_size", False),
    ({"name": "steplr", "step_size": 0}, SGD, "step_size", False),
    ({"name": "steplr", "step_size": 2.5}, SGD, "step_size", False),
    ({"name": "steplr", "step_size": 3, "gamma": "0.1"}, SGD, "gamma", False),
    ({"name": "steplr", "step_size": 3, "gama": 0.1}, SGD, "'gama'", False),
    ({"name": "multisteplr", "milestones": [3, "x"]}, SGD, "milestones", False),
    ({"name": "constantlr", "factor": 1.5}, SGD, "factor", True),
    ({"name": "constantlr", "factor": 0.0}, SGD, "factor", False),
    ({"name": "linearlr", "start_factor": 0.0}, SGD, "start_factor", True),
    ({"name": "linearlr", "end_factor": 1.5}, SGD, "end_factor", True),
    ({"name": "polynomiallr", "power": -1.0}, SGD, "power", False),
    ({"name": "cosineannealinglr", "T_max": 0}, SGD, "T_max", False),
    ({"name": "cosineannealingwarmrestarts", "T_0": 0}, SGD, "T_0", True),
    ({"name": "cosineannealingwarmrestarts", "T_0": 5, "T_mult": 0}, SGD, "T_mult", True),
    ({"name": "cycliclr", "base_lr": 0.1, "max_lr": 1.0, "mode": "square"}, SGD, "mode", True),
    ({"name": "cycliclr", "base_lr": 0.1, "max_lr": 1.0}, make_optimizer("adagrad"),
     "cycle_momentum", True),
    ({"name": "cycliclr", "base_lr": 0.1, "max_lr": 1.0, "step_size_up": 0}, SGD,
     "step_size_up", True),
    ({"name": "onecyclelr", "max_lr": 1.0}, SGD, "total_steps", True),
    ({"name": "onecyclelr", "max_lr": 1.0, "total_steps": 0}, SGD, "total_steps", True),
    ({"name": "onecyclelr", "max_lr": 1.0, "total_steps": 10, "pct_start": 1.5}, SGD,
     "pct_start", True),
    ({"name": "onecyclelr", "max_lr": 1.0, "total_steps": 10, "pct_start": 0.1}, SGD,
     "pct_start", True),                               # a phase of 0 steps: torch divides by 0
    ({"name": "onecyclelr", "max_lr": 1.0, "total_steps": 10, "anneal_strategy": "exp"}, SGD,
     "anneal_strategy", True),
    ({"name": "onecyclelr", "max_lr": 1.0, "total_steps": 10}, make_optimizer("rprop"),
     "cycle_momentum", True),
    ({"name": "reducelronplateau", "factor": 1.0}, SGD, "factor", True),
    ({"name": "reducelronplateau", "mode": "middle"}, SGD, "mode", True),
    ({"name": "reducelronplateau", "threshold_mode": "pct"}, SGD, "threshold_mode", True),
    ({"name": "lambdalr", "lr_lambda": "__import__('os').system('true')"}, SGD, "lr_lambda", False),
    ({"name": "lambdalr", "lr_lambda": "0.9**epoch"}, SGD, "lr_lambda", False),
    ({"name": "sequentiallr", "milestones": [], "schedulers": [
        {"name": "steplr", "step_size": 2}, {"name": "steplr", "step_size": 3}]}, SGD,
     "milestones", True),
    ({"name": "sequentiallr", "milestones": [3], "schedulers": [
        {"name": "steplr", "step_size": 2}, {"name": "reducelronplateau"}]}, SGD,
     "schedulers[1]", True),
    ({"name": "chainedscheduler", "schedulers": []}, SGD, "schedulers", True),
    ({"name": "chainedscheduler", "schedulers": [{"name": "steplr", "step_size": 0}]}, SGD,
     "schedulers[0]: StepLR: step_size", False),
    ({"name": "sequentiallr", "milestones": [3], "schedulers": [
        {"name": "steplr", "step_size": 2},
        {"name": "chainedscheduler", "schedulers": [{"name": "steplr", "step_size": 3}]}]}, SGD,
     "schedulers[1]", False),                          # torch fails later, at the milestone
]


@pytest.mark.parametrize("spec, optimizer, key, torch_refuses", BAD,
                         ids=[f"{s['name']}-{k}" for s, _, k, _ in BAD])
def test_a_bad_schedule_is_one_sentence_naming_the_key(spec, optimizer, key, torch_refuses):
    with pytest.raises(ConfigError) as info:
        make_scheduler(spec, optimizer)
    message = str(info.value)
    assert key in message and one_sentence(message), message
    assert message.startswith(SCHEDULERS[spec["name"]].title)


def test_unknown_or_missing_names_list_the_known_ones():
    for spec in ({"name": "cosine"}, {"step_size": 3}, {"name": 3}):
        with pytest.raises(ConfigError, match="steplr, multisteplr") as info:
            make_scheduler(spec, SGD)
        assert one_sentence(str(info.value))
    with pytest.raises(ConfigError, match="^scheduler must be an object"):
        make_scheduler("steplr", SGD)


def test_formulas_are_checked_by_the_safe_parser_and_never_run():
    for text in ("__import__('os')", "t.real", "lambda: 1", "[t]", "t if t else 1", "x + t"):
        with pytest.raises(ConfigError, match=r"^LambdaLR: lr_lambda: "):
            make_scheduler({"name": "lambdalr", "lr_lambda": text}, SGD)
    f = parse_function("exp(-t/10)*cos(pi*t)^2")
    for t in range(0, 50, 7):
        assert f(t) == math.exp(-t / 10) * math.cos(math.pi * t) ** 2
    assert math.isnan(parse_function("log(t - 5)")(1)) and parse_function("1/t")(0) == math.inf


def test_torch_refuses_the_same_at_construction():
    torch = pytest.importorskip("torch")
    from test_schedules_torch import torch_scheduler

    for spec, optimizer, key, torch_refuses in BAD:
        if not torch_refuses:
            continue
        param = torch.zeros(2, requires_grad=True)
        torch_opt = getattr(torch.optim, optimizer.title)([param], **optimizer.settings())
        with pytest.raises((ValueError, ZeroDivisionError)):
            torch_scheduler(spec, torch_opt)


# ------------------------------------------------------------------ the state
SPECS = [
    {"name": "steplr", "step_size": 3, "gamma": 0.5},
    {"name": "cycliclr", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4, "scale_fn": "0.5**t"},
    {"name": "onecyclelr", "max_lr": 0.3, "epochs": 5, "steps_per_epoch": 10},
    {"name": "reducelronplateau", "patience": 1},
    {"name": "lambdalr", "lr_lambda": "1/(1 + t)"},
    {"name": "sequentiallr", "milestones": [4], "schedulers": [
        {"name": "chainedscheduler", "schedulers": [{"name": "linearlr"},
                                                    {"name": "exponentiallr", "gamma": 0.9}]},
        {"name": "cosineannealingwarmrestarts", "T_0": 3, "T_mult": 2}]},
]


def lrs(sched, state, steps, losses=None):
    out = []
    for k in range(steps):
        out.append(sched.group(state))
        state = sched.step(state, None if losses is None else losses[k])
    return out, state


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s["name"])
def test_to_dict_round_trips(spec):
    sched = make_scheduler(spec, SGD)
    again = make_scheduler(sched.to_dict(), SGD)
    assert again.to_dict() == sched.to_dict()
    assert all(sched.to_dict()[key] == value for key, value in spec.items())
    losses = np.linspace(3, 1, 50).tolist()
    assert lrs(sched, sched.init(), 50, losses)[0] == lrs(again, again.init(), 50, losses)[0]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s["name"])
def test_states_replay_exactly_and_are_never_changed(spec):
    sched = make_scheduler(spec, SGD)
    losses = np.linspace(3, 1, 40).tolist()
    _, middle = lrs(sched, sched.init(), 20, losses)
    frozen = repr(middle)
    first, _ = lrs(sched, middle, 20, losses[20:])
    second, _ = lrs(sched, middle, 20, losses[20:])
    assert first == second and repr(middle) == frozen


def test_group_gives_lr_and_what_the_schedule_moves():
    cyclic = {"name": "cycliclr", "base_lr": 0.01, "max_lr": 0.1}
    assert set(make_scheduler(cyclic, SGD).group(make_scheduler(cyclic, SGD).init())) == {
        "lr", "momentum"}
    adam = make_optimizer("adam")
    sched = make_scheduler(cyclic, adam)
    group = sched.group(sched.init())
    assert set(group) == {"lr", "betas"} and group["betas"] == (0.9, 0.999)   # max_momentum
    quiet = make_scheduler(cyclic | {"cycle_momentum": False}, make_optimizer("adagrad"))
    assert set(quiet.group(quiet.init())) == {"lr"}
    step = make_scheduler({"name": "steplr", "step_size": 2}, SGD)
    assert set(step.group(step.init())) == {"lr"}


def test_onecycle_refuses_to_step_past_its_total():
    sched = make_scheduler({"name": "onecyclelr", "max_lr": 1.0, "total_steps": 5}, SGD)
    state = sched.init()
    for _ in range(5):
        state = sched.step(state)
    with pytest.raises(ConfigError, match=r"^OneCycleLR: total_steps is 5, and the run stepped"):
        sched.step(state)


def test_plateau_needs_the_loss():
    sched = make_scheduler({"name": "reducelronplateau"}, SGD)
    with pytest.raises(TypeError, match="step.state, loss."):
        sched.step(sched.init())


# ------------------------------------------------------------------ property
FORMULAS = ["0.95**t", "1/(1 + 0.1*t)", "exp(-t/50)", "0.5 + 0.5*cos(t)", "0.99"]


def leaf_value(h, draw):
    if h.kind == "bool":
        return draw(st.booleans())
    if h.kind == "choice":
        return draw(st.sampled_from(h.choices))
    if h.kind == "formula":
        return draw(st.none() | st.sampled_from(FORMULAS)) if h.optional else draw(
            st.sampled_from(FORMULAS))
    if h.kind == "ints":
        return draw(st.lists(st.integers(0, 80), max_size=4))
    if h.kind == "int":
        value = draw(st.integers(int(h.low), min(int(h.high), 200)))
        return draw(st.none() | st.just(value)) if h.optional else value
    return draw(st.floats(h.low, h.high))


@st.composite
def specs(draw, depth=0):
    names = sorted(set(SCHEDULERS) - ({"sequentiallr", "chainedscheduler"} if depth else set()))
    name = draw(st.sampled_from(names))
    cls = SCHEDULERS[name]
    if name in ("sequentiallr", "chainedscheduler"):
        children = draw(st.lists(specs(depth=1), min_size=1, max_size=3))
        spec = {"name": name, "schedulers": children}
        if name == "sequentiallr":
            spec["milestones"] = sorted(draw(st.lists(st.integers(0, 60), min_size=len(children) - 1,
                                                      max_size=len(children) - 1)))
        return spec
    spec = {"name": name}
    for h in cls.hyper:
        if h.required or draw(st.booleans()):
            spec[h.name] = leaf_value(h, draw)
    if name == "onecyclelr":               # a cycle at least as long as the run
        spec.update(total_steps=draw(st.integers(60, 300)), epochs=None, steps_per_epoch=None)
    return spec


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=specs(), opt=st.sampled_from(["sgd", "adam", "rmsprop", "muon"]),
       losses=st.lists(st.floats(0, 10), min_size=60, max_size=60))
def test_random_valid_schedules_never_raise_and_give_finite_lrs(spec, opt, losses):
    try:
        sched = make_scheduler(spec, make_optimizer(opt, lr=0.1))
    except ConfigError:
        return                             # a refused combination: refused in one sentence
    out, _ = lrs(sched, sched.init(), 60, losses)
    for group in out:
        for value in group.values():
            assert np.all(np.isfinite(np.asarray(value, float))), (spec, group)
