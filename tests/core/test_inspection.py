"""The inspector's numbers (core/inspection.py, core/readouts.py) against hand
computations of the first steps and against torch's own state."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optiviz_gui.core.inspection import effective_steps, inspect
from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.readouts import readouts
from optiviz_gui.core.simulation import Run
from optiviz_gui.core.surfaces import make_surface
from optiviz_gui.core.trajectory import Trajectory

START = (-1.5, 2.5)


def rosenbrock_grad(p):
    x, y = p
    return np.array([-2.0 * (1.0 - x) - 400.0 * x * (y - x * x), 200.0 * (y - x * x)])


def run(name, steps, start=START, **kw):
    clip = {k: kw.pop(k) for k in ("clip_grad_norm", "clip_grad_value") if k in kw}
    t = Trajectory(make_surface({"kind": "rosenbrock"}, "."),
                   Run(make_optimizer(name, **kw), **clip), start)
    t.extend(steps)
    return t


def rows(t, k):
    return {r.name: r.value for r in inspect(t, k)}


def test_adam_first_two_steps_by_hand():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    t = run("adam", 3, lr=lr)
    g0 = rosenbrock_grad(np.array(START))
    # update 1: m = (1 − β₁)g, v = (1 − β₂)g², bias corrections 0.1 and 0.001
    m1, v1 = (1 - b1) * g0, (1 - b2) * g0 * g0
    d0 = -(lr / (1 - b1)) * m1 / (np.sqrt(v1) / math.sqrt(1 - b2) + eps)
    np.testing.assert_allclose(d0, -lr * g0 / (np.abs(g0) + eps), rtol=1e-12)
    r0 = rows(t, 0)
    np.testing.assert_allclose(r0["update"], d0, rtol=1e-12)
    np.testing.assert_allclose(r0["effective step"], -lr / (np.abs(g0) + eps), rtol=1e-12)
    assert "bias_correction1" not in r0                  # before the first update: nothing

    p1 = np.array(START) + d0
    g1 = rosenbrock_grad(p1)
    r1 = rows(t, 1)
    np.testing.assert_allclose(r1["θ"], p1, rtol=1e-14)
    np.testing.assert_allclose(r1["grad"], g1, rtol=1e-12)
    np.testing.assert_allclose(r1["exp_avg"], m1, rtol=1e-14)
    np.testing.assert_allclose(r1["exp_avg_sq"], v1, rtol=1e-14)
    assert r1["step"] == 1
    assert r1["bias_correction1"] == pytest.approx(0.1, rel=1e-12)
    assert r1["bias_correction2"] == pytest.approx(0.001, rel=1e-9)
    assert r1["step_size"] == pytest.approx(lr / 0.1, rel=1e-12)
    np.testing.assert_allclose(r1["lr_per_coordinate"], (lr / 0.1) / (np.abs(g0) + eps),
                               rtol=1e-9)

    # update 2 from θ₁
    m2 = b1 * m1 + (1 - b1) * g1
    v2 = b2 * v1 + (1 - b2) * g1 * g1
    bc1, bc2 = 1 - b1 ** 2, 1 - b2 ** 2
    d1 = -(lr / bc1) * m2 / (np.sqrt(v2) / math.sqrt(bc2) + eps)
    np.testing.assert_allclose(r1["update"], d1, rtol=1e-12)
    np.testing.assert_allclose(r1["effective step"], d1 / g1, rtol=1e-12)
    r2 = rows(t, 2)
    assert r2["bias_correction1"] == pytest.approx(bc1, rel=1e-12)
    assert r2["bias_correction2"] == pytest.approx(bc2, rel=1e-9)
    # the step was −(factor on m) × m, per coordinate
    np.testing.assert_allclose(-r2["lr_per_coordinate"] * m2, d1, rtol=1e-9)


def test_sgd_effective_step_is_minus_lr_on_both_axes():
    t = run("sgd", 20, lr=1e-4)
    eff = effective_steps(t)
    assert eff.shape == (20, 2)
    np.testing.assert_allclose(eff, -1e-4, rtol=1e-9)
    names = {r.name for r in inspect(t, 5)}
    assert "momentum_buffer" not in names               # torch keeps None without momentum
    assert not any(r.section == "derived" for r in inspect(t, 5))


def test_rmsprop_per_coordinate_step_by_hand():
    lr, alpha, eps = 1e-3, 0.99, 1e-8
    t = run("rmsprop", 2, lr=lr)
    g0 = rosenbrock_grad(np.array(START))
    v1 = (1 - alpha) * g0 * g0
    r1 = rows(t, 1)
    np.testing.assert_allclose(r1["square_avg"], v1, rtol=1e-14)
    np.testing.assert_allclose(r1["lr_per_coordinate"], lr / (np.sqrt(v1) + eps), rtol=1e-12)
    # update 0 took −γ g₀/(√v₁ + ε): its effective step is minus that factor
    np.testing.assert_allclose(effective_steps(t)[0], -lr / (np.sqrt(v1) + eps), rtol=1e-12)


def test_clipped_gradient_row_by_hand():
    t = run("sgd", 3, lr=1e-3, clip_grad_norm=1.0)
    g0 = rosenbrock_grad(np.array(START))
    r0 = rows(t, 0)
    np.testing.assert_allclose(r0["grad"], g0, rtol=1e-12)
    np.testing.assert_allclose(r0["grad (clipped)"], g0 / (np.linalg.norm(g0) + 1e-6), rtol=1e-12)
    # SGD on the clipped gradient: the effective step is still −γ per axis
    np.testing.assert_allclose(r0["effective step"], -1e-3, rtol=1e-9)
    np.testing.assert_allclose(effective_steps(t), -1e-3, rtol=1e-9)


def test_radam_rectification_appears_when_rho_passes_five():
    t = run("radam", 8, lr=1e-3)
    b2 = 0.999
    rho_inf = 2 / (1 - b2) - 1
    for k in (1, 5, 6):
        rho = rho_inf - 2 * k * b2 ** k / (1 - b2 ** k)
        r = rows(t, k)
        assert r["rho_t"] == pytest.approx(rho, rel=1e-9)
        assert ("rect" in r) == (rho > 5)             # torch: v is used from t = 6 on


def test_readouts_follow_the_schedule_group():
    """A schedule's lr reaches the derived step size of the update it drove."""
    opt = make_optimizer("adam", lr=0.1)
    state = {"step": 1, "exp_avg": np.ones(2), "exp_avg_sq": np.ones(2),
             "max_exp_avg_sq": np.zeros(2)}
    full = {r.name: r.value for r in readouts(opt, state)}
    half = {r.name: r.value for r in readouts(opt.scheduled(lr=0.05), state)}
    assert half["step_size"] == pytest.approx(full["step_size"] / 2)


def test_state_rows_are_torch_state_keys():
    torch = pytest.importorskip("torch")
    for name, kw in (("adam", {"lr": 0.01}), ("adam", {"lr": 0.01, "amsgrad": True}),
                     ("rmsprop", {"lr": 1e-3}), ("rmsprop", {"lr": 1e-3, "momentum": 0.5,
                                                             "centered": True}),
                     ("sgd", {"lr": 1e-3, "momentum": 0.9}), ("adagrad", {}), ("adamax", {})):
        t = run(name, 3, **kw)
        p = torch.tensor(START, dtype=torch.float64, requires_grad=True)
        opt = getattr(torch.optim, type(t.optimizer).title)([p], **kw)
        for _ in range(3):
            opt.zero_grad()
            p.grad = torch.tensor(rosenbrock_grad(p.detach().numpy()))
            opt.step()
        theirs = {k for k, v in opt.state[p].items() if v is not None}
        ours = {r.name for r in inspect(t, 3) if r.section == "state"}
        assert ours - {"step"} == theirs - {"step"}, name   # torch's SGD counts no steps
        for key in theirs - {"step"}:
            np.testing.assert_allclose(rows(t, 3)[key], opt.state[p][key].numpy(), rtol=1e-9)
