"""torch.optim itself is the reference: same keywords, defaults, state names and numbers.

Each optimizer runs 100 steps in float64 next to torch's, on a 2-D quadratic and
on Rosenbrock, and every point and the final state must agree to 1e-9 relative.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optiviz_gui.core.errors import ConfigError
from optiviz_gui.core.optimizers import OPTIMIZERS, make_optimizer

torch = pytest.importorskip("torch")

IMPLEMENTATION_ONLY = {"params", "self", "foreach", "fused", "capturable", "differentiable"}


@pytest.fixture(autouse=True)
def float64():
    """torch keeps NAdam's mu_product and the step count in the default dtype: make it float64."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


def torch_class(name):
    return getattr(torch.optim, OPTIMIZERS[name].title)


def quadratic_grad(p):
    """∇ of ½[3(x − 1)² + 2(x − 1)(y + 2) + 2(y + 2)²]."""
    dx, dy = p[0] - 1.0, p[1] + 2.0
    return np.array([3.0 * dx + dy, dx + 2.0 * dy])


def rosenbrock_grad(p):
    """∇ of (1 − x)² + 100 (y − x²)²."""
    x, y = p[0], p[1]
    return np.array([-2.0 * (1.0 - x) - 400.0 * x * (y - x * x), 200.0 * (y - x * x)])


CONFIGS = [
    ("sgd", {"lr": 1e-3}),
    ("sgd", {"lr": 1e-3, "momentum": 0.9}),
    ("sgd", {"lr": 1e-3, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("sgd", {"lr": 1e-6, "momentum": 0.5, "dampening": 0.3, "maximize": True}),
    ("rmsprop", {}),
    ("rmsprop", {"lr": 1e-3, "momentum": 0.9, "weight_decay": 0.1}),
    ("rmsprop", {"lr": 1e-2, "centered": True, "alpha": 0.9}),
    ("rmsprop", {"lr": 1e-3, "centered": True, "momentum": 0.5, "maximize": True, "eps": 1e-3}),
    ("adam", {}),
    ("adam", {"lr": 0.05, "amsgrad": True}),
    ("adam", {"lr": 0.05, "betas": (0.5, 0.9), "weight_decay": 0.1, "maximize": True}),
    ("adam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True, "amsgrad": True}),
    ("adamw", {"lr": 0.05}),
    ("adamw", {"lr": 0.05, "weight_decay": 0.5, "amsgrad": True, "eps": 1e-4}),
    ("adagrad", {}),
    ("adagrad", {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.5}),
    ("adagrad", {"lr": 0.1, "weight_decay": 0.2, "eps": 1e-3, "maximize": True}),
    ("adadelta", {}),
    ("adadelta", {"lr": 0.5, "rho": 0.5, "eps": 1e-3, "weight_decay": 0.1}),
    ("adadelta", {"maximize": True, "rho": 0.95}),
    ("adamax", {}),
    ("adamax", {"lr": 0.05, "betas": (0.8, 0.99), "weight_decay": 0.1}),
    ("adamax", {"lr": 0.01, "eps": 1e-3, "maximize": True}),
    ("nadam", {}),
    ("nadam", {"lr": 0.05, "momentum_decay": 0.1, "weight_decay": 0.1}),
    ("nadam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
    ("radam", {}),
    ("radam", {"lr": 1e-3, "betas": (0.8, 0.99), "weight_decay": 0.1}),
    ("radam", {"lr": 1e-3, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
    ("rprop", {}),
    ("rprop", {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.2), "maximize": True}),
    ("asgd", {"lr": 1e-3}),
    ("asgd", {"lr": 2e-3, "lambd": 1e-2, "alpha": 0.5, "t0": 10.0, "weight_decay": 0.3}),
    ("adafactor", {}),
    ("adafactor", {"lr": 0.05, "beta2_decay": -0.5, "eps": (1e-30, 1e-2), "d": 2.0,
                   "weight_decay": 0.1, "maximize": True}),
]
# LBFGS needs a closure and Muon a 1×2 matrix: tests/core/test_optimizers_torch_closure.py
CLOSURE_TESTED = {"lbfgs", "muon"}


def test_configs_cover_every_optimizer():
    assert {name for name, _ in CONFIGS} == set(OPTIMIZERS) - CLOSURE_TESTED


@pytest.mark.parametrize("name, hyper", CONFIGS,
                         ids=[f"{n}-{'-'.join(h) or 'defaults'}" for n, h in CONFIGS])
@pytest.mark.parametrize("grad", [quadratic_grad, rosenbrock_grad], ids=["quadratic", "rosenbrock"])
def test_100_steps_match_torch(name, hyper, grad):
    start = np.array([-1.2, 1.0])
    ours = make_optimizer(name, **hyper)
    p, state = start.copy(), ours.init(start)

    param = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    reference = torch_class(name)([param], foreach=False, **hyper)
    for step in range(1, 101):
        delta, state = ours.update(grad(p), state, p)
        p = p + delta
        param.grad = torch.from_numpy(grad(param.detach().numpy().copy()))
        reference.step()
        expected = param.detach().numpy()
        assert np.all(np.isfinite(expected)), f"torch diverged at step {step}: pick a smaller lr"
        np.testing.assert_allclose(p, expected, rtol=1e-9, atol=1e-12, err_msg=f"step {step}")

    torch_state = reference.state[param]
    assert set(torch_state) <= set(state._fields)
    for key, value in torch_state.items():
        np.testing.assert_allclose(np.asarray(getattr(state, key), dtype=float),
                                   value.detach().numpy(), rtol=1e-9, atol=1e-12, err_msg=key)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_keywords_and_defaults_are_torchs(name):
    signature = inspect.signature(torch_class(name).__init__).parameters
    torch_defaults = {k: v.default for k, v in signature.items() if k not in IMPLEMENTATION_ONLY}
    ours = {h.name: h.default for h in OPTIMIZERS[name].hyper}
    assert set(ours) == set(torch_defaults)
    for key, default in torch_defaults.items():
        assert ours[key] == (tuple(default) if isinstance(default, (list, tuple)) else default), key


FULL_STATE = {   # the settings under which torch creates every state buffer it has
    "sgd": {"momentum": 0.9}, "rmsprop": {"momentum": 0.9, "centered": True},
    "adam": {"amsgrad": True}, "adamw": {"amsgrad": True},
}


def torch_param_and_steps(name, hyper, steps):
    """A torch parameter (Muon's is a 1×2 matrix) after ``steps`` steps on |θ − 1|²."""
    param = torch.zeros((1, 2) if name == "muon" else 2, requires_grad=True)
    reference = torch_class(name)([param], **hyper)

    def closure():
        reference.zero_grad()
        loss = ((param - 1.0) ** 2).sum()
        loss.backward()
        return loss

    for _ in range(steps):
        reference.step(closure)
    return param, reference


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_state_fields_are_step_then_torchs_state_names(name):
    param, reference = torch_param_and_steps(name, FULL_STATE.get(name, {}), 2)
    fields = OPTIMIZERS[name].State._fields
    assert fields[0] == "step"
    # SGD keeps no step count; every other torch optimizer does
    assert set(reference.state[param]) | {"step"} == set(fields)


# ------------------------------------------------------------------ validity
EDGES = [-1.0, -1e-12, -0.0, 0.0, 1e-12, 0.5, 0.999, 1.0, 1.0 + 1e-12, 1.5, 7.0]
number = st.one_of(st.sampled_from(EDGES), st.floats(-3.0, 3.0))


whole = st.integers(-3, 120)
# LBFGS checks its history only once it has made progress: it must move, and not stop at once
PROGRESS = {"lbfgs": {"lr": st.floats(0.01, 1.0), "tolerance_grad": st.just(1e-7),
                      "tolerance_change": st.just(1e-9)}}


def any_hyper(cls):
    fields = {}
    for h in cls.hyper:
        if h.name in PROGRESS.get(cls.name, {}):
            fields[h.name] = PROGRESS[cls.name][h.name]
        elif h.kind == "bool":
            fields[h.name] = st.booleans()
        elif h.kind == "pair":
            first = st.one_of(st.none(), number) if h.optional else number
            fields[h.name] = st.tuples(first, number)
        elif h.kind == "triple":
            fields[h.name] = st.tuples(number, number, number)
        elif h.kind == "choice":
            fields[h.name] = st.sampled_from(h.choices + ("bogus",))
        elif h.kind == "int":
            ints = st.integers(1, 30) if h.name == "max_iter" else whole   # ≥ 1: a 2nd iteration
            fields[h.name] = st.one_of(st.none(), ints) if h.optional else ints
        else:
            fields[h.name] = number
    return st.fixed_dictionaries(fields)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_torch_rejects_exactly_what_we_reject(name, data):
    """Where torch checks a value only inside step() (LBFGS's line_search_fn and history,
    Muon's ns_steps) we refuse it up front: three steps stand for torch's verdict."""
    hyper = data.draw(any_hyper(OPTIMIZERS[name]), label="hyper")
    try:
        OPTIMIZERS[name](**hyper)
        ours_ok = True
    except ConfigError:
        ours_ok = False
    try:
        torch_param_and_steps(name, hyper, 3 if name in CLOSURE_TESTED else 0)
        torch_ok = True
    except (ValueError, RuntimeError, IndexError, NameError):   # NameError: torch's line
        torch_ok = False                                       # search with max_eval < 1
    assert ours_ok == torch_ok, hyper
