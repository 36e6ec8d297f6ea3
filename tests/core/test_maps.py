"""Maps against outside facts: the stability boundaries of gradient descent and heavy-ball
momentum on a quadratic, Himmelblau's four published minima, and every cell equal to the
same run made alone with ``Trajectory`` (bit for bit where the arithmetic is the same)."""

import numpy as np
import pytest

from optiviz_gui.core import maps
from optiviz_gui.core.expression import ExpressionSurface
from optiviz_gui.core.optimizers import OPTIMIZERS, make_optimizer
from optiviz_gui.core.surfaces import BUILTINS, Surface
from optiviz_gui.core.surfaces.regression import LinearRegression
from optiviz_gui.core.trajectory import Trajectory, runaway_limit

QUADRATIC = "x**2 + 10*y**2"     # Hessian eigenvalues 2 and 20

# one setting per torch class, off its defaults where that exercises a branch
SETTINGS = {
    "sgd": {"lr": 0.02, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
    "rmsprop": {"lr": 0.01, "momentum": 0.5, "centered": True},
    "adam": {"lr": 0.1, "amsgrad": True},
    "adamw": {"lr": 0.1},
    "adagrad": {"lr": 0.5, "lr_decay": 0.01},
    "adadelta": {"lr": 1.0, "weight_decay": 0.01},
    "adamax": {"lr": 0.1},
    "nadam": {"lr": 0.05},
    "radam": {"lr": 0.05, "decoupled_weight_decay": True, "weight_decay": 0.1},
    "rprop": {"lr": 0.02, "etas": (0.4, 1.3)},
    "asgd": {"lr": 0.01, "lambd": 1e-3, "t0": 20.0},
    "adafactor": {"lr": 0.05, "weight_decay": 0.01},
    "lbfgs": {"lr": 0.5, "max_iter": 3, "history_size": 5},
    "muon": {"lr": 0.02, "weight_decay": 0.01},
}


def lone(surface, optimizer, start, steps):
    """The same run alone: (point, loss, status, step) as a map reports it."""
    t = Trajectory(surface, optimizer, start)
    t.extend(steps)
    converged = t.converged_at()
    if t.diverged:
        status, step = "diverged", t.diverged_at
    elif converged is not None:
        status, step = "converged", converged
    else:
        status, step = "running", -1
    if t.steps < 0:                      # even the start was bad: the map reports the start
        return np.array(start, dtype=float), None, status, step
    return t.params[-1], t.loss[-1], status, step


def assert_cell_is_the_lone_run(result, i, j, surface, optimizer, start, steps, atol=0.0):
    point, loss, status, step = lone(surface, optimizer, start, steps)
    assert maps.STATUS[result.status[i, j]] == status
    assert result.step[i, j] == step
    if atol == 0.0:
        assert (result.x[i, j], result.y[i, j]) == tuple(point)
        assert loss is None or result.loss[i, j] == loss
    else:
        np.testing.assert_allclose([result.x[i, j], result.y[i, j]], point, rtol=0, atol=atol)


def sample(shape, count, seed):
    rng = np.random.default_rng(seed)
    return [(int(rng.integers(shape[0])), int(rng.integers(shape[1]))) for _ in range(count)]


# ------------------------------------------------------------ stability boundaries
def test_gradient_descent_diverges_exactly_beyond_lr_2_over_the_largest_curvature():
    surface = ExpressionSurface(QUADRATIC)
    spec = maps.hyper_map(surface, make_optimizer("sgd", lr=0.1), (1.0, 1.0), 2000, 61,
                          lr=(0.01, 1.0))
    result = maps.compute(spec)
    lr = spec.u
    rho = np.maximum(abs(1 - 2 * lr), abs(1 - 20 * lr))   # x, y shrink by 1 − 2γ, 1 − 20γ a step
    status = result.status[:, 0]
    inside, outside = lr < 0.1 * 0.95, lr > 0.1 * 1.05
    assert inside.sum() >= 25 and outside.sum() >= 25
    assert np.all(status[outside] == maps_code("diverged"))
    assert np.all(status[inside] != maps_code("diverged"))
    assert np.all(status[inside & (2000 * np.log(rho) < np.log(1e-15))] == maps_code("converged"))


def test_divergence_step_is_where_the_runaway_box_is_left():
    # γ = 0.2: y ← (1 − 4)·y = −3y, so |y| = 3^k leaves the box at the first k with 3^k ≥ limit
    surface = ExpressionSurface(QUADRATIC)
    spec = maps.hyper_map(surface, make_optimizer("sgd", lr=0.2), (1.0, 1.0), 100, 2,
                          lr=(0.2, 0.4))
    result = maps.compute(spec)
    limit = runaway_limit(surface)
    first_out = next(k for k in range(100) if 3.0**k >= limit)
    assert result.step[0, 0] == first_out
    assert maps.STATUS[result.status[0, 0]] == "diverged"
    # the reported point is the last one inside: y = (−3)^(k−1)
    assert result.y[0, 0] == pytest.approx((-3.0) ** (first_out - 1), rel=1e-12)


def test_heavy_ball_momentum_diverges_beyond_lr_2_1_plus_mu_over_the_curvature():
    # θ_{k+1} = θ_k − γλθ_k + μ(θ_k − θ_{k−1}) is stable iff 0 < γλ < 2(1 + μ) (Polyak 1964);
    # torch's SGD momentum (b ← μb + g, θ ← θ − γb) is that recurrence
    surface = ExpressionSurface(QUADRATIC)
    steps = 800
    spec = maps.hyper_map(surface, make_optimizer("sgd", lr=0.1), (1.0, 1.0), steps, (41, 10),
                          lr=(0.01, 1.0), key="momentum", values=(0.0, 0.9))
    result = maps.compute(spec)
    lr, mu = np.meshgrid(spec.u, spec.v, indexing="ij")
    bound = 2 * (1 + mu) / 20
    inside, outside = lr < 0.95 * bound, lr > 1.05 * bound
    assert inside.sum() > 150 and outside.sum() > 100
    assert np.all(result.status[outside] == maps_code("diverged"))
    assert np.all(result.status[inside] != maps_code("diverged"))
    # spectral radius of each cell: the larger root modulus of z² − (1 + μ − γλ)z + μ, λ = 2, 20
    rho = np.zeros_like(lr)
    for lam in (2.0, 20.0):
        for idx in np.ndindex(lr.shape):
            roots = np.roots([1.0, -(1 + mu[idx] - lr[idx] * lam), mu[idx]])
            rho[idx] = max(rho[idx], np.abs(roots).max())
    fast = inside & (np.log(steps) + steps * np.log(rho) < np.log(1e-15))
    assert fast.sum() > 100
    assert np.all(result.status[fast] == maps_code("converged"))


def maps_code(name):
    return maps.STATUS.index(name)


# ------------------------------------------------------------------ Himmelblau
PUBLISHED = np.array([[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186],
                      [3.584428, -1.848126]])   # Himmelblau (1972), to 6 decimals


def test_each_converged_start_reports_the_published_minimum_it_reached():
    surface = BUILTINS["himmelblau"]()
    result = maps.compute(maps.start_map(surface, make_optimizer("sgd", lr=0.01), 1000, 41))
    converged = result.status == maps_code("converged")
    assert converged.mean() > 0.9
    final = np.stack([result.x[converged], result.y[converged]], axis=1)
    dist = np.linalg.norm(final[:, None, :] - PUBLISHED[None], axis=2)
    nearest = dist.argmin(axis=1)
    assert np.all(dist.min(axis=1) < 1e-5)                  # really there
    index = result.minimum[converged]
    assert np.all(index >= 0)
    np.testing.assert_allclose(surface.minima[index], PUBLISHED[nearest], atol=1e-6)
    assert set(nearest) == {0, 1, 2, 3}                     # all four basins show up
    assert np.all(result.minimum[~converged] == -1)


# ------------------------------------------------------------- equal to lone runs
def surfaces():
    return {
        "blog": LinearRegression.synthetic(),
        "minibatch": LinearRegression.synthetic(n=200).minibatches(32, seed=5),
        "himmelblau": BUILTINS["himmelblau"](),
        "rosenbrock": BUILTINS["rosenbrock"](),
        "quadratic": ExpressionSurface(QUADRATIC, bounds=((-3.0, 3.0), (-3.0, 3.0))),
    }


@pytest.mark.parametrize("surface_name", list(surfaces()))
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_start_map_cells_equal_lone_runs_bit_for_bit(name, surface_name):
    surface = surfaces()[surface_name]
    optimizer = make_optimizer(name, **SETTINGS[name])
    spec = maps.start_map(surface, optimizer, 120, (9, 7))
    result = maps.compute(spec)
    for i, j in sample(spec.shape, 6, seed=len(name) + len(surface_name)):
        assert_cell_is_the_lone_run(result, i, j, surface, optimizer,
                                    (spec.u[i], spec.v[j]), 120)


HYPER_KEYS = {"sgd": "dampening", "rmsprop": "alpha", "adam": "betas[1]", "adamw": "weight_decay",
              "adagrad": "lr_decay", "adadelta": "rho", "adamax": "betas[0]",
              "nadam": "momentum_decay", "radam": "betas[0]", "rprop": "etas[1]",
              "asgd": "alpha", "adafactor": "beta2_decay", "lbfgs": "tolerance_grad",
              "muon": "momentum"}


HYPER_VALUES = {"rprop": (1.05, 2.0)}       # torch: 0 < etas[0] < 1 < etas[1]


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_hyper_map_cells_equal_lone_runs_bit_for_bit(name):
    surface = LinearRegression.synthetic()
    base = make_optimizer(name, **{**SETTINGS[name], "nesterov": False} if name == "sgd"
                          else SETTINGS[name])
    key = HYPER_KEYS[name]
    low, high = maps.map_keys(base)[key]
    values = HYPER_VALUES.get(name, (low, 0.9 * high))
    spec = maps.hyper_map(surface, base, (2.0, 9.0), 100, (8, 5), key=key, values=values)
    result = maps.compute(spec)
    for i, j in sample(spec.shape, 8, seed=len(name)):
        optimizer = maps.replace_key(base, key, float(spec.v[j])).replace(lr=float(spec.u[i]))
        assert_cell_is_the_lone_run(result, i, j, surface, optimizer, (2.0, 9.0), 100)


def test_every_verdict_appears_and_matches_the_lone_run():
    # across the SGD boundary on the quadratic: running, converged and diverged cells side by side
    surface = ExpressionSurface(QUADRATIC)
    base = make_optimizer("sgd", lr=0.1)
    spec = maps.hyper_map(surface, base, (1.0, 1.0), 400, (30, 4), lr=(0.003, 0.3),
                          key="momentum", values=(0.0, 0.6))
    result = maps.compute(spec)
    assert set(np.unique(result.status)) == {maps_code("running"), maps_code("converged"),
                                             maps_code("diverged")}
    for i, j in np.ndindex(spec.shape):
        optimizer = base.replace(lr=float(spec.u[i]), momentum=float(spec.v[j]))
        assert_cell_is_the_lone_run(result, i, j, surface, optimizer, (1.0, 1.0), 400)


def test_a_start_where_the_loss_is_undefined_diverges_at_step_zero():
    surface = ExpressionSurface("log(x) + y**2", bounds=((-1.0, 3.0), (-1.0, 1.0)))
    spec = maps.start_map(surface, make_optimizer("sgd", lr=0.1), 50, (5, 3))
    result = maps.compute(spec)
    for i, j in np.ndindex(spec.shape):
        assert_cell_is_the_lone_run(result, i, j, surface, make_optimizer("sgd", lr=0.1),
                                    (spec.u[i], spec.v[j]), 50)
    assert np.all(result.step[spec.u <= 0] == 0)
    assert np.all(result.status[spec.u <= 0] == maps_code("diverged"))


class Plane(Surface):
    """f = a·x + b·y: a constant gradient, so gradient descent walks a straight line."""

    def __init__(self, a, b, bounds):
        self.a, self.b, self.bounds = a, b, bounds

    def value_and_grad_xy(self, x, y, xp):
        return self.a * x + self.b * y, self.a + 0 * x, self.b + 0 * y


def test_runs_in_the_corners_of_the_runaway_box_stay_until_they_leave_it():
    # ‖θ‖ > limit while |x|, |y| < limit: the fast path cannot tell, the test itself must
    surface = Plane(-1.0, -1.0, ((-1.0, 1.0), (-1.0, 1.0)))
    limit = runaway_limit(surface)
    optimizer = make_optimizer("sgd", lr=1000.0)           # +1000 in x and y a step
    spec = maps.start_map(surface, optimizer, 150, (4, 3),
                          bounds=((0.88 * limit, 0.97 * limit), (0.85 * limit, 0.9 * limit)))
    result = maps.compute(spec)
    assert set(np.unique(result.status)) == {maps_code("running"), maps_code("diverged")}
    for i, j in np.ndindex(spec.shape):
        assert_cell_is_the_lone_run(result, i, j, surface, optimizer, (spec.u[i], spec.v[j]), 150)


def test_a_huge_but_finite_gradient_is_not_divergence():
    surface = Plane(1e200, 0.0, ((-5.0, 5.0), (-5.0, 5.0)))   # ‖∇f‖² overflows, ∇f does not
    optimizer = make_optimizer("sgd", lr=1e-200)
    spec = maps.start_map(surface, optimizer, 20, (3, 3))
    result = maps.compute(spec)
    assert np.all(result.status == maps_code("running"))
    for i, j in np.ndindex(spec.shape):
        assert_cell_is_the_lone_run(result, i, j, surface, optimizer, (spec.u[i], spec.v[j]), 20)


@pytest.mark.parametrize("surface", [
    BUILTINS["ackley"](), BUILTINS["rastrigin"](),
    ExpressionSurface("exp(0.1*x) * (x**2 + 2*y**2) + log(1 + y**2)"),
], ids=["ackley", "rastrigin", "exp-log formula"])
def test_transcendental_surfaces_agree_to_a_few_ulps(surface):
    # numpy's exp/log/pow may use SIMD code that differs from math's by an ulp (measured here:
    # exp differs on 5% of points, log on 0.1%, tanh on 27%); a calm run keeps that tiny
    optimizer = make_optimizer("sgd", lr=0.001)
    spec = maps.start_map(surface, optimizer, 200, (7, 7))
    result = maps.compute(spec)
    for i, j in sample(spec.shape, 10, seed=3):
        assert_cell_is_the_lone_run(result, i, j, surface, optimizer, (spec.u[i], spec.v[j]),
                                    200, atol=1e-12)


@pytest.mark.parametrize("extras", [
    {"clip_grad_value": 0.5},
    {"clip_grad_norm": 1.0},
    {"scheduler": {"name": "cosineannealinglr", "T_max": 60, "eta_min": 0.001}},
    {"scheduler": {"name": "onecyclelr", "max_lr": 0.1, "total_steps": 150}},
    {"scheduler": {"name": "reducelronplateau", "patience": 3, "factor": 0.5},
     "clip_grad_norm": 5.0},
])
def test_a_runs_schedule_and_clipping_run_in_a_map_as_alone(extras):
    """A map of a Run clips and schedules each cell as torch's loop does for the lone run
    (ReduceLROnPlateau per cell, on that cell's own loss)."""
    from optiviz_gui.core.simulation import Run
    surface = BUILTINS["rosenbrock"]()
    optimizer = make_optimizer("adam", lr=0.05)
    run = Run(optimizer, **extras)
    spec = maps.start_map(surface, run, 150, (6, 6))
    result = maps.compute(spec)
    plain = maps.compute(maps.start_map(surface, optimizer, 150, (6, 6)))
    assert not np.array_equal(result.x, plain.x)              # schedule / clip did something
    for i, j in sample(spec.shape, 6, seed=1):
        assert_cell_is_the_lone_run(result, i, j, surface, run, (spec.u[i], spec.v[j]), 150)
