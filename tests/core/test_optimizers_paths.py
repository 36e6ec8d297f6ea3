"""Every optimizer converges on a convex quadratic; the scalar, numpy and vectorised paths agree.

The reference minima are solved by hand (or by ``np.linalg.solve`` for the L2-
regularised problem), never taken from an optimizer's own output.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from optiviz_gui.core import scalar
from optiviz_gui.core.errors import ConfigError
from optiviz_gui.core.optimizers import OPTIMIZERS, make_optimizer

# f(x, y) = ½ [3(x − 1)² + 2(x − 1)(y + 2) + 2(y + 2)²]: Hessian A = [[3, 1], [1, 2]]
# (eigenvalues 2.5 ± √1.25, both > 0), minimum at (1, −2).
A = np.array([[3.0, 1.0], [1.0, 2.0]])
MINIMUM = np.array([1.0, -2.0])
START = np.array([-3.0, 4.0])


def quadratic_grad(x, y):
    dx, dy = x - 1.0, y + 2.0
    return 3.0 * dx + dy, dx + 2.0 * dy


def rosenbrock_grad(x, y):
    """∇ of (1 − x)² + 100 (y − x²)²."""
    return -2.0 * (1.0 - x) - 400.0 * x * (y - x * x), 200.0 * (y - x * x)


def run_numpy(opt, grad_xy, start, steps):
    """Trajectory of points (steps + 1, *start.shape) with numpy arrays (last axis = x, y)."""
    p = np.array(start, dtype=float)
    state, out = opt.init(p), [p]
    for _ in range(steps):
        gx, gy = grad_xy(p[..., 0], p[..., 1])
        d, state = opt.update(np.stack([gx, gy], axis=-1), state, p, np)
        p = p + d
        out.append(p)
    return np.array(out), state


def run_scalar(opt, grad_xy, start, steps):
    """The same run one coordinate at a time with Python floats and xp = scalar."""
    x, y = float(start[0]), float(start[1])
    sx, sy = opt.init(x), opt.init(y)
    out = [(x, y)]
    for _ in range(steps):
        gx, gy = grad_xy(x, y)
        dx, sx = opt.update(gx, sx, x, scalar)
        dy, sy = opt.update(gy, sy, y, scalar)
        x, y = x + dx, y + dy
        out.append((x, y))
    return np.array(out), (sx, sy)


# ------------------------------------------------------------------ sweep
SWEEP = [
    ("sgd", {"lr": 0.2}, 1e-9),
    ("sgd", {"lr": 0.1, "momentum": 0.5}, 1e-9),
    ("sgd", {"lr": 0.1, "momentum": 0.5, "nesterov": True}, 1e-9),
    # plain RMSprop ends in a limit cycle of size ~ lr around the minimum
    ("rmsprop", {"lr": 0.01}, 1e-2),
    ("rmsprop", {"lr": 0.01, "momentum": 0.9}, 1e-9),
    ("rmsprop", {"lr": 0.01, "centered": True}, 1e-9),
    ("adam", {"lr": 0.05}, 1e-9),
    ("adam", {"lr": 0.05, "amsgrad": True}, 1e-6),
    ("adamw", {"lr": 0.05, "weight_decay": 0.0}, 1e-9),
    ("adagrad", {"lr": 0.5}, 1e-9),
    # near the minimum Adadelta acts like descent with step ≥ lr: needs lr < 2/λ_max ≈ 0.55
    ("adadelta", {"lr": 0.5, "eps": 1e-3}, 1e-9),
    ("adamax", {"lr": 0.05}, 1e-9),
    ("nadam", {"lr": 0.05}, 1e-9),
    ("radam", {"lr": 0.05}, 1e-9),
    # Rprop's steps shrink to Γ_min = 1e-6 and then flip around the minimum
    ("rprop", {"lr": 0.01}, 1e-5),
    # λ = 0: ASGD's decay term λθ would move the minimum (test_asgd_converges_to_the_decayed_minimum)
    ("asgd", {"lr": 0.05, "lambd": 0.0}, 1e-9),
    # steps of RMS(θ)·1/√t with u = g/√v of size ~1: at t = 3000 about 0.03, so it hovers
    ("adafactor", {"lr": 0.05}, 2e-2),
    # every step has length ≈ 0.69·lr (normalised momentum): it ends within a step or so
    ("muon", {"lr": 0.01, "weight_decay": 0.0}, 1e-2),
]
# LBFGS calls the loss itself: tests/core/test_lbfgs.py checks where it ends
CLOSURE_TESTED = {"lbfgs"}


def test_sweep_covers_every_optimizer():
    assert {name for name, _, _ in SWEEP} == set(OPTIMIZERS) - CLOSURE_TESTED


@pytest.mark.parametrize("name, hyper, tol", SWEEP, ids=[f"{n}-{'-'.join(h)}" for n, h, _ in SWEEP])
def test_every_optimizer_reaches_the_quadratic_minimum(name, hyper, tol):
    opt = make_optimizer(name, **hyper)
    traj, _ = (run_scalar if opt.elementwise else run_numpy)(opt, quadratic_grad, START, 3000)
    assert np.max(np.abs(traj[-1] - MINIMUM)) < tol


@pytest.mark.parametrize("name", ["sgd", "adam", "radam"])
def test_l2_weight_decay_moves_the_minimum_to_the_regularised_one(name):
    """L2 decay λ minimises f + λ/2·|θ|²: its minimum solves (A + λI) θ = A·(1, −2)."""
    lam = 0.5
    expected = np.linalg.solve(A + lam * np.eye(2), A @ MINIMUM)
    traj, _ = run_scalar(make_optimizer(name, lr=0.05, weight_decay=lam), quadratic_grad, START, 3000)
    np.testing.assert_allclose(traj[-1], expected, atol=1e-8)


# ------------------------------------------------------------------ paths agree
CONFIGS = [
    ("sgd", {"lr": 1e-3, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("rmsprop", {"lr": 1e-3, "momentum": 0.5, "centered": True, "weight_decay": 0.1}),
    ("adam", {"lr": 0.02, "amsgrad": True, "weight_decay": 0.1}),
    ("adamw", {"lr": 0.02, "maximize": False, "weight_decay": 0.2}),
    ("adagrad", {"lr": 0.05, "lr_decay": 0.01, "initial_accumulator_value": 0.1}),
    ("adadelta", {"lr": 0.5, "weight_decay": 0.01}),
    ("adamax", {"lr": 0.02, "weight_decay": 0.1}),
    ("nadam", {"lr": 0.02, "decoupled_weight_decay": True, "weight_decay": 0.1}),
    ("radam", {"lr": 1e-3, "weight_decay": 0.1}),
    ("rprop", {"lr": 0.02, "etas": (0.4, 1.3), "step_sizes": (1e-4, 0.5), "maximize": False}),
    ("asgd", {"lr": 1e-3, "lambd": 0.1, "t0": 20.0, "weight_decay": 0.1}),
]
IDS = [name for name, _ in CONFIGS]
# not elementwise: no scalar path, but each point of a batch runs alone as in the batch
VECTOR_CONFIGS = CONFIGS + [
    ("adafactor", {"lr": 0.02, "weight_decay": 0.1}),
    ("muon", {"lr": 0.01, "adjust_lr_fn": "match_rms_adamw"}),
]


@pytest.mark.parametrize("name, hyper", CONFIGS, ids=IDS)
@pytest.mark.parametrize("grad_xy", [quadratic_grad, rosenbrock_grad], ids=["quadratic", "rosenbrock"])
def test_scalar_path_equals_numpy_path(name, hyper, grad_xy):
    opt = make_optimizer(name, **hyper)
    start = np.array([-1.2, 1.0])
    fast, (sx, sy) = run_scalar(opt, grad_xy, start, 100)
    slow, state = run_numpy(opt, grad_xy, start, 100)
    assert np.all(np.isfinite(slow))
    np.testing.assert_array_equal(fast, slow)
    for field, vx, vy, v in zip(state._fields, sx, sy, state):
        np.testing.assert_array_equal([vx, vy], np.broadcast_to(v, (2,)), err_msg=field)


@pytest.mark.parametrize("name, hyper", VECTOR_CONFIGS, ids=[n for n, _ in VECTOR_CONFIGS])
def test_many_start_points_at_once_equal_each_alone(name, hyper):
    opt = make_optimizer(name, **hyper)
    starts = np.array([[[-1.2, 1.0], [0.5, -0.5], [1.2, 1.2]],
                       [[0.0, 0.0], [-0.8, 0.6], [1.0, 1.0]]])          # shape (2, 3, 2)
    together, _ = run_numpy(opt, rosenbrock_grad, starts, 60)
    assert np.all(np.isfinite(together))
    for i in np.ndindex(starts.shape[:-1]):
        alone, _ = run_numpy(opt, rosenbrock_grad, starts[i], 60)
        np.testing.assert_array_equal(together[(slice(None), *i)], alone)


# ------------------------------------------------------------------ robustness
def valid_hyper(cls):
    """Random hyper-parameters within torch's validity conditions (any size, not only the UI's)."""
    fields = {}
    for h in cls.hyper:
        if h.kind == "bool":
            fields[h.name] = st.booleans()
        elif h.name == "etas":
            fields[h.name] = st.tuples(st.floats(0.0, 1.0, exclude_min=True, exclude_max=True),
                                       st.floats(1.0, 1e3, exclude_min=True))
        elif h.kind == "pair":
            beta = st.floats(0.0, 1.0, exclude_max=True)
            first = st.one_of(st.none(), beta) if h.optional else beta
            fields[h.name] = st.tuples(first, beta)
        elif h.kind == "triple":
            fields[h.name] = st.tuples(*[st.floats(-10.0, 10.0)] * 3)
        elif h.kind == "int":
            fields[h.name] = st.integers(h.low, h.high)
        elif h.kind == "choice":
            fields[h.name] = st.sampled_from(h.choices)
        elif h.name == "beta2_decay":
            fields[h.name] = st.floats(-10.0, 0.0)
        elif h.name == "rho":
            fields[h.name] = st.floats(0.0, 1.0)
        elif h.name == "dampening":
            fields[h.name] = st.floats(-10.0, 10.0)
        else:
            fields[h.name] = st.one_of(st.sampled_from([0.0, 1e-8, 0.5, 1.0]), st.floats(0.0, 1e6))
    return st.fixed_dictionaries(fields)


finite = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
@pytest.mark.parametrize("name", sorted(set(OPTIMIZERS) - CLOSURE_TESTED))
def test_random_valid_configs_and_finite_gradients_never_raise(name, data):
    cls = OPTIMIZERS[name]
    hyper = data.draw(valid_hyper(cls), label="hyper")
    try:
        opt = cls(**hyper)
    except ConfigError:
        assume(False)                        # e.g. nesterov without momentum
    grads = data.draw(st.lists(st.tuples(finite, finite), min_size=1, max_size=4), label="grads")
    theta = data.draw(st.tuples(finite, finite), label="theta")
    # scalar path: per coordinate, Python floats
    for k in range(2 if opt.elementwise else 0):
        p, s = theta[k], opt.init(theta[k])
        for g in grads:
            d, s = opt.update(g[k], s, p, scalar)
            p = p + d
    # numpy path: inf/nan are fine (torch gives them too), exceptions are not
    with np.errstate(all="ignore"):
        p = np.array(theta)
        s = opt.init(p)
        for g in grads:
            d, s = opt.update(np.array(g), s, p, np)
            p = p + d
    assert s.step == len(grads) and np.shape(d) == (2,)
