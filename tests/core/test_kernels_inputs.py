"""Per-step learning rates and momenta, and gradient clipping, as a torch training loop has them."""

import numpy as np
import pytest

from optiviz_gui.core import kernels, scalar
from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.surfaces import BUILTINS

pytestmark = pytest.mark.usefixtures("kernels_on")

STEPS = 300


def arrays(surface, start, steps=STEPS):
    P, L, G = np.zeros((steps + 1, 2)), np.zeros(steps + 1), np.zeros((steps + 1, 2))
    f, gx, gy = surface.value_and_grad_xy(*start, scalar)
    P[0], L[0], G[0] = start, f, (gx, gy)
    return P, L, G


def by_hand(surface, optimizer, start, group, steps=STEPS, clip=lambda gx, gy: (gx, gy)):
    """The Python rules stepped one by one, the optimizer rebuilt with ``group(i)`` each step."""
    x, y = start
    sx, sy = optimizer.init(x), optimizer.init(y)
    _, gx, gy = surface.value_and_grad_xy(x, y, scalar)
    path = [(x, y)]
    for i in range(steps):
        opt = optimizer.replace(**group(i))
        cx, cy = clip(gx, gy)
        dx, sx = opt.update(cx, sx, x, scalar)
        dy, sy = opt.update(cy, sy, y, scalar)
        x, y = x + dx, y + dy
        _, gx, gy = surface.value_and_grad_xy(x, y, scalar)
        path.append((x, y))
    return np.array(path), (sx, sy)


@pytest.mark.parametrize("name,key", [("sgd", "momentum"), ("rmsprop", "momentum"),
                                      ("adam", "betas"), ("nadam", "betas"), ("adagrad", None)])
def test_per_step_lr_and_momentum_are_the_rule_with_those_values(name, key):
    surface, start = BUILTINS["himmelblau"](), (0.5, -0.5)
    base = {"momentum": 0.5} if key == "momentum" else {}
    optimizer = make_optimizer(name, lr=0.01, **base)
    i = np.arange(STEPS)
    lr = 0.005 * (1 + np.cos(np.pi * i / STEPS)) / 2 + 1e-4           # a cosine schedule
    momentum = 0.85 + 0.1 * i / STEPS                                  # a rising momentum / β₁

    def group(k):
        g = {"lr": float(lr[k])}
        if key == "momentum":
            g["momentum"] = float(momentum[k])
        elif key == "betas":
            g["betas"] = (float(momentum[k]), optimizer.betas[1])
        return g

    expected, state = by_hand(surface, optimizer, start, group)
    assert np.all(np.isfinite(expected))
    kernel = kernels.get(surface, optimizer, wait=True)
    P, L, G = arrays(surface, start)
    done = kernel.run(P, L, G, (optimizer.init(start[0]), optimizer.init(start[1])), 0, STEPS,
                      lr=lr, momentum=momentum if key else None)
    np.testing.assert_array_equal(P, expected)
    assert done.state == state
    if key:                        # the momentum moving alone, lr as set
        expected, _ = by_hand(surface, optimizer, start, lambda k: {**group(k), "lr": optimizer.lr})
        kernel.run(P, L, G, (optimizer.init(start[0]), optimizer.init(start[1])), 0, STEPS,
                   momentum=momentum)
        np.testing.assert_array_equal(P, expected)


def test_inputs_a_kernel_cannot_take_are_refused():
    surface, optimizer = BUILTINS["booth"](), make_optimizer("adagrad", lr=0.01)
    kernel = kernels.get(surface, optimizer, wait=True)
    P, L, G = arrays(surface, (1.0, 1.0))
    state = (optimizer.init(1.0), optimizer.init(1.0))
    with pytest.raises(ValueError, match="lr needs one value per step"):
        kernel.run(P, L, G, state, 0, STEPS, lr=np.ones(10))
    with pytest.raises(ValueError, match="Adagrad has no momentum or betas"):
        kernel.run(P, L, G, state, 0, STEPS, momentum=np.ones(STEPS))
    with pytest.raises(ValueError, match="params must be a writable C-ordered float64"):
        kernel.run(np.asfortranarray(P), L, G, state, 0, STEPS)
    with pytest.raises(ValueError, match="same step"):
        kernel.run(P, L, G, (state[0], state[1]._replace(step=3)), 0, STEPS)


def torch_run(surface, start, make_torch_optimizer, scheduler, steps=STEPS):
    """torch's training loop fed our exact gradients: grad → step → scheduler.step()."""
    torch = pytest.importorskip("torch")
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = make_torch_optimizer([p])
    sched = scheduler(opt)
    path, lrs, moms = [tuple(start)], [], []
    for _ in range(steps):
        _, gx, gy = surface.value_and_grad_xy(*p.detach().tolist(), scalar)
        p.grad = torch.tensor([gx, gy], dtype=torch.float64)
        lrs.append(opt.param_groups[0]["lr"])
        moms.append(opt.param_groups[0]["momentum"])
        opt.step()
        sched.step()
        path.append(tuple(p.detach().tolist()))
    return np.array(path), np.array(lrs), np.array(moms)


def test_one_cycle_lr_and_momentum_give_torchs_path():
    torch = pytest.importorskip("torch")
    surface, start = BUILTINS["rosenbrock"](), (-1.5, 2.5)
    expected, lrs, moms = torch_run(
        surface, start, lambda ps: torch.optim.SGD(ps, lr=1e-4, momentum=0.9),
        lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=5e-4, total_steps=STEPS))
    assert len(set(lrs)) > 100 and len(set(moms)) > 100          # both really move
    optimizer = make_optimizer("sgd", lr=1e-4, momentum=0.9)
    P, L, G = arrays(surface, start)
    kernels.get(surface, optimizer, wait=True).run(
        P, L, G, (optimizer.init(start[0]), optimizer.init(start[1])), 0, STEPS, lr=lrs, momentum=moms)
    np.testing.assert_allclose(P, expected, rtol=1e-12)
    by_rule, _ = by_hand(surface, optimizer, start,
                         lambda i: {"lr": float(lrs[i]), "momentum": float(moms[i])})
    np.testing.assert_array_equal(P, by_rule)


def torch_clip(max_norm, clip_value):
    """(gx, gy) → torch.nn.utils.clip_grad_norm_ then clip_grad_value_ on a float64 parameter."""
    torch = pytest.importorskip("torch")
    from torch.nn.utils import clip_grad_norm_, clip_grad_value_

    def clip(gx, gy):
        p = torch.zeros(2, dtype=torch.float64, requires_grad=True)
        p.grad = torch.tensor([gx, gy], dtype=torch.float64)
        if max_norm is not None:
            clip_grad_norm_([p], max_norm)
        if clip_value is not None:
            clip_grad_value_([p], clip_value)
        return tuple(p.grad.tolist())
    return clip


@pytest.mark.parametrize("max_norm,clip_value", [(1.0, None), (0.3, None), (None, 0.5),
                                                 (50.0, None), (2.0, 0.1)])
def test_gradient_clipping_is_torchs(max_norm, clip_value):
    # our Adam (pinned to torch elsewhere) stepped with torch's own clipping of each gradient
    surface, start = BUILTINS["rosenbrock"](), (-1.5, 2.5)
    optimizer = make_optimizer("adam", lr=0.02)
    expected, _ = by_hand(surface, optimizer, start, lambda i: {}, clip=torch_clip(max_norm, clip_value))
    P, L, G = arrays(surface, start)
    kernels.get(surface, optimizer, wait=True).run(
        P, L, G, (optimizer.init(start[0]), optimizer.init(start[1])), 0, STEPS,
        clip_grad_norm=max_norm, clip_grad_value=clip_value)
    np.testing.assert_array_equal(P, expected)
    np.testing.assert_array_equal(G, [surface.value_and_grad_xy(x, y, scalar)[1:] for x, y in P])


def test_torchs_norm_of_a_pair_is_the_fused_one():
    # what clip() relies on: torch's 2-norm of (gx, gy) is √fma(gy, gy, gx²), not √(gx² + gy²)
    torch = pytest.importorskip("torch")
    from fractions import Fraction

    rng = np.random.default_rng(0)
    fused = plain = 0
    for _ in range(2000):
        gx, gy = rng.normal(size=2) * 10.0 ** rng.uniform(-5, 5)
        norm = torch.linalg.vector_norm(torch.tensor([gx, gy], dtype=torch.float64)).item()
        exact_fma = float(Fraction(gy) * Fraction(gy) + Fraction(gx * gx))   # rounded once
        fused += norm == np.sqrt(exact_fma)
        plain += norm == np.sqrt(gx * gx + gy * gy)
    assert fused == 2000 and plain < 2000


@pytest.mark.parametrize("name,spec", [
    ("adam", {"name": "onecyclelr", "max_lr": 0.05, "total_steps": STEPS}),
    ("sgd", {"name": "cycliclr", "base_lr": 1e-3, "max_lr": 1e-2, "step_size_up": 40}),
    ("rmsprop", {"name": "sequentiallr", "milestones": [50], "schedulers": [
        {"name": "linearlr", "start_factor": 0.1, "total_iters": 50},
        {"name": "cosineannealinglr", "T_max": 250}]}),
    ("nadam", {"name": "cosineannealingwarmrestarts", "T_0": 30, "T_mult": 2}),
])
def test_a_schedule_runs_compiled_as_the_run_loop_runs_it(name, spec):
    # the run loop's contract (core/schedules): opt.scheduled(**sched.group(state)), then step
    from optiviz_gui.core.kernels import schedule_steps
    from optiviz_gui.core.schedules import make_scheduler

    surface, start = BUILTINS["himmelblau"](), (0.5, -0.5)
    optimizer = make_optimizer(name, lr=0.01, **({"momentum": 0.9} if name == "sgd" else {}))
    sched = make_scheduler(spec, optimizer)
    x, y = start
    sx, sy = optimizer.init(x), optimizer.init(y)
    _, gx, gy = surface.value_and_grad_xy(x, y, scalar)
    state, path = sched.init(), [start]
    for _ in range(STEPS):
        opt = optimizer.scheduled(**sched.group(state))
        dx, sx = opt.update(gx, sx, x, scalar)
        dy, sy = opt.update(gy, sy, y, scalar)
        x, y = x + dx, y + dy
        _, gx, gy = surface.value_and_grad_xy(x, y, scalar)
        state = sched.step(state)
        path.append((x, y))
    steps = schedule_steps(sched, sched.init(), 0, STEPS, 64)
    assert (steps.momentum is not None) == (spec["name"] in ("onecyclelr", "cycliclr"))
    P, L, G = arrays(surface, start)
    done = kernels.get(surface, optimizer, wait=True).run(
        P, L, G, (optimizer.init(start[0]), optimizer.init(start[1])), 0, STEPS,
        lr=steps.lr, momentum=steps.momentum)
    np.testing.assert_array_equal(P, np.array(path))
    assert done.state == (sx, sy)
    assert steps.state_at(STEPS) == state and sorted(steps.states) == [0, 64, 128, 192, 256]


def test_reduce_lr_on_plateau_stays_on_the_python_path():
    from optiviz_gui.core.kernels import schedule_steps
    from optiviz_gui.core.schedules import make_scheduler

    sched = make_scheduler({"name": "reducelronplateau"}, make_optimizer("adam"))
    with pytest.raises(ValueError, match="Python path"):
        schedule_steps(sched, sched.init(), 0, 10, 256)
