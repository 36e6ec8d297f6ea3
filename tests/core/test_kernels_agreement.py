"""Compiled kernels give the Python path's numbers: every optimizer × every surface kind, 10⁴ steps.

The reference is the Python path itself (``OPTIVIZ_KERNELS=python``), which the
other tests pin to torch.optim, hand-derived steps and known minima. Kernels
compile the same functions and keep CPython's arithmetic (libm's pow, no FMA
contraction, numpy's scalar semantics), so the histories must be identical to
the last bit — a stronger demand than the 1e-12 relative the brief sets.
"""

import numpy as np
import pytest

from optiviz_gui.core import kernels
from optiviz_gui.core.expression import ExpressionSurface
from optiviz_gui.core.kernels import Kernel
from optiviz_gui.core.optimizers import OPTIMIZERS, make_optimizer
from optiviz_gui.core.surfaces import BUILTINS
from optiviz_gui.core.surfaces.regression import LinearRegression
from optiviz_gui.core.trajectory import Trajectory

pytestmark = pytest.mark.usefixtures("kernels_on")

STEPS = 10_000
# a setting per optimizer that takes its less common branches, at a learning rate
# that keeps most runs on every surface going for the 10⁴ steps
SETTINGS = {
    "sgd": {"lr": 1e-3, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3},
    "rmsprop": {"lr": 1e-3, "centered": True, "momentum": 0.5},
    "adam": {"lr": 1e-2, "amsgrad": True},
    "adamw": {"lr": 1e-2},
    "adagrad": {"lr": 0.1, "lr_decay": 1e-3, "initial_accumulator_value": 0.1},
    "adadelta": {"lr": 1.0, "rho": 0.95, "maximize": False},
    "adamax": {"lr": 1e-2, "weight_decay": 1e-2},
    "nadam": {"lr": 1e-2, "decoupled_weight_decay": True, "weight_decay": 1e-2},
    "radam": {"lr": 1e-2, "weight_decay": 1e-3},
    "rprop": {"lr": 1e-3, "etas": (0.4, 1.3), "step_sizes": (1e-7, 0.5)},
    "asgd": {"lr": 1e-3, "lambd": 1e-3, "alpha": 0.6, "t0": 500.0, "weight_decay": 1e-4},
}
# rules over the whole vector, or calling the loss themselves: the Python path runs them
WHOLE_VECTOR = ("adafactor", "lbfgs", "muon")
FORMULAS = {
    "bumpy bowl": "sin(x)*cos(y) + 0.1*(x^2 + y^2)",
    "every function": ("log(1 + (x - 1)^2 + 10*(y - x^2)^2) + exp(-x^2)*tanh(y) + abs(x)^1.5"
                       " + sqrt(x^2 + y^2 + 1) - arctan(x*y)/3 + cosh(y/4) + 2^(x/3)"
                       " + sinh(x/5) - cos(x - y)*log10(2 + y^2) + arcsin(sin(x)/2)"
                       " + arccos(cos(y)/3) + tan(x/9) + (y + 3)^(-1/2)"),
}
BLOG = LinearRegression.synthetic()


def surfaces():
    yield "regression", BLOG
    yield "regression, mini-batches", BLOG.minibatches(32, seed=7)
    for name, cls in BUILTINS.items():
        yield name, cls()
    for name, text in FORMULAS.items():
        yield f"formula: {name}", ExpressionSurface(text)


SURFACES = dict(surfaces())


def python_path(surface, optimizer, steps, monkeypatch):
    with monkeypatch.context() as mp:
        mp.setenv("OPTIVIZ_KERNELS", "python")
        t = Trajectory(surface, optimizer, surface.start)
        t.extend(steps)
    return t


def compiled_path(surface, optimizer, steps, monkeypatch):
    assert kernels.get(surface, optimizer, wait=True) is not None
    calls = []
    run = Kernel.run
    monkeypatch.setattr(Kernel, "run", lambda self, *a, **k: calls.append(1) or run(self, *a, **k))
    t = Trajectory(surface, optimizer, surface.start)
    t.extend(steps)
    assert calls, "the trajectory did not take the compiled loop"
    return t


def assert_same_history(a: Trajectory, b: Trajectory) -> None:
    assert (a.steps, a.diverged_at) == (b.steps, b.diverged_at)
    np.testing.assert_array_equal(a.params, b.params)
    np.testing.assert_array_equal(a.loss, b.loss)
    np.testing.assert_array_equal(a.grad, b.grad)
    assert a._live.state == b._live.state
    assert a._checkpoints == b._checkpoints


def test_every_optimizer_is_compiled_or_named_as_not():
    assert sorted([*SETTINGS, *WHOLE_VECTOR]) == sorted(OPTIMIZERS)
    assert set(SETTINGS).isdisjoint(WHOLE_VECTOR)
    for name in WHOLE_VECTOR:
        assert kernels.get(BLOG, make_optimizer(name), wait=True) is None


@pytest.mark.parametrize("name", sorted(SETTINGS))
@pytest.mark.parametrize("kind", list(SURFACES))
def test_kernel_equals_the_python_path_bit_for_bit(name, kind, monkeypatch):
    surface = SURFACES[kind]
    optimizer = make_optimizer(name, **SETTINGS[name])
    compiled = compiled_path(surface, optimizer, STEPS, monkeypatch)
    python = python_path(surface, optimizer, STEPS, monkeypatch)
    assert_same_history(compiled, python)


def test_the_settings_keep_most_runs_going():
    # the comparison above means something only if runs get far: count the long ones
    long = 0
    for surface in SURFACES.values():
        for name, hp in SETTINGS.items():
            t = Trajectory(surface, make_optimizer(name, **hp), surface.start)
            t.extend(200)
            long += not t.diverged
    assert long >= 0.9 * len(SURFACES) * len(SETTINGS)


@pytest.mark.parametrize("name,hp", [
    ("sgd", {"lr": 0.01, "momentum": 0.5, "dampening": 0.3}),
    ("sgd", {"lr": 0.01, "maximize": True}),
    ("rmsprop", {"lr": 0.01, "weight_decay": 0.1}),
    ("adam", {"lr": 0.05, "decoupled_weight_decay": True, "weight_decay": 0.1, "maximize": True}),
    ("adamw", {"lr": 0.05, "amsgrad": True, "weight_decay": 0.5}),
    ("adagrad", {"lr": 0.5, "weight_decay": 0.1, "eps": 1e-3}),
    ("adadelta", {"lr": 0.5, "weight_decay": 0.1, "eps": 1e-3}),
    ("nadam", {"lr": 0.05, "momentum_decay": 0.01, "weight_decay": 0.1}),
    ("radam", {"lr": 0.05, "decoupled_weight_decay": True, "weight_decay": 0.1, "betas": (0.8, 0.9)}),
    ("rprop", {"lr": 0.05, "maximize": True}),
    ("asgd", {"lr": 0.01, "t0": 0.0, "lambd": 0.0}),
])
def test_every_branch_of_the_rules_agrees(name, hp, monkeypatch):
    surface = SURFACES["ravine"]
    optimizer = make_optimizer(name, **hp)
    assert_same_history(compiled_path(surface, optimizer, 3000, monkeypatch),
                        python_path(surface, optimizer, 3000, monkeypatch))


@pytest.mark.parametrize("size", [1, 7, 8, 9, 32, 128, 333, 1000])
def test_batch_means_are_the_python_paths_bit_for_bit(size):
    # the kernel's mini-batch gradients come from batch_means: it must be the Python path's numbers
    surface = BLOG.minibatches(size, seed=3)
    per_epoch = -(-len(BLOG.x) // size)
    ks = range(per_epoch - 3, per_epoch + 4) if per_epoch > 3 else range(2 * per_epoch + 1)
    table = surface.batch_means(ks[0], ks[-1] + 1)
    xh, xl = BLOG.xbar
    yh, yl = BLOG.ybar
    for row, k in zip(table, ks):
        idx = surface.batch_indices(k)
        dx, dy = (BLOG.x[idx] - xh) - xl, (BLOG.y[idx] - yh) - yl
        assert row.tolist() == [dx.mean(), dy.mean(), (dx * dx).mean(), (dx * dy).mean()]
