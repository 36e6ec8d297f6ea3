"""LBFGS: its step(params, state, closure) API, hand-derived iterations and the line search.

The reference numbers are the L-BFGS formulas (Nocedal & Wright §7.2) written
out in the test, and known minima; torch itself is the reference in
test_optimizers_torch_closure.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from optiviz_gui.core.errors import ConfigError
from optiviz_gui.core.optimizers import LBFGS, Evaluation, make_optimizer
from optiviz_gui.core.optimizers.lbfgs_search import Scalar, cubic_interpolate

A = np.array([[3.0, 1.0], [1.0, 2.0]])
MINIMUM = np.array([1.0, -2.0])


def quadratic(p):
    """½(θ − m)ᵀA(θ − m) and its gradient."""
    r = p - MINIMUM
    return 0.5 * float(r @ A @ r), A @ r


def rosenbrock(p):
    x, y = p
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2, np.array([-2 * (1 - x) - 400 * x * (y - x * x),
                                                             200 * (y - x * x)])


def test_two_iterations_without_line_search_by_hand():
    """Steepest descent with t = min(1, 1/Σ|g|)·lr, then one two-loop recursion with H₀ = γI."""
    lr = 0.5
    opt = make_optimizer("lbfgs", lr=lr, max_iter=2, max_eval=10)   # torch's 2·5//4 = 2 stops at 1
    theta0 = np.array([-3.0, 4.0])
    theta, state, evaluations = opt.step(theta0, opt.init(theta0), quadratic)

    _, g0 = quadratic(theta0)
    t0 = min(1.0, 1.0 / np.abs(g0).sum()) * lr
    theta1 = theta0 - t0 * g0
    _, g1 = quadratic(theta1)
    s, y = -t0 * g0, g1 - g0
    rho, gamma = 1 / (y @ s), (y @ s) / (y @ y)
    alpha = rho * (s @ -g1)                         # first loop
    q = -g1 - alpha * y
    r = gamma * q
    beta = rho * (y @ r)                            # second loop
    d = r + (alpha - beta) * s
    np.testing.assert_allclose(theta, theta1 + lr * d, rtol=1e-14)
    # the closure ran at θ₀ and θ₁ only: not after the last iteration (torch's choice)
    assert [e.params.tolist() for e in evaluations] == [theta0.tolist(), theta1.tolist()]
    assert [e.loss for e in evaluations] == [quadratic(theta0)[0], quadratic(theta1)[0]]
    assert (state.n_iter, state.func_evals, state.step) == (2, 2, 1)
    np.testing.assert_allclose(state.old_stps[0], s, rtol=1e-15)
    np.testing.assert_allclose(state.old_dirs[0], y, rtol=1e-15)


# the default tolerance_change = 1e-9 on the loss stops a quadratic at |θ − m| ≈ 1e-5
TIGHT = {"tolerance_grad": 1e-12, "tolerance_change": 1e-15}


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_reaches_the_quadratic_minimum(line_search_fn):
    opt = make_optimizer("lbfgs", line_search_fn=line_search_fn, **TIGHT)
    theta, state = np.array([-3.0, 4.0]), opt.init(np.zeros(2))
    for _ in range(5):
        theta, state, _ = opt.step(theta, state, quadratic)
    np.testing.assert_allclose(theta, MINIMUM, atol=1e-7)


def test_strong_wolfe_solves_rosenbrock_in_a_few_steps():
    opt = make_optimizer("lbfgs", line_search_fn="strong_wolfe", **TIGHT)
    theta, state = np.array([-1.2, 1.0]), opt.init(np.zeros(2))
    calls = 0
    for _ in range(5):
        theta, state, evaluations = opt.step(theta, state, rosenbrock)
        calls += len(evaluations)
    np.testing.assert_allclose(theta, [1.0, 1.0], atol=1e-6)
    assert calls == state.func_evals


def test_every_accepted_line_search_point_satisfies_the_strong_wolfe_conditions():
    """f(x + td) ≤ f + c₁t·gᵀd and |∇f(x + td)ᵀd| ≤ c₂|gᵀd| with c₁ = 10⁻⁴, c₂ = 0.9."""
    # max_iter = 1 leaves torch's line search max_eval − 1 = 0 trials: give it 25
    opt = make_optimizer("lbfgs", line_search_fn="strong_wolfe", max_iter=1, max_eval=26)
    theta, state = np.array([-1.2, 1.0]), opt.init(np.zeros(2))
    for _ in range(15):
        f0, g0 = rosenbrock(theta)
        new, state, evaluations = opt.step(theta, state, rosenbrock)
        d, t = state.d, state.t
        f1, g1 = rosenbrock(new)
        assert f1 <= f0 + 1e-4 * t * (g0 @ d) + 1e-12
        assert abs(g1 @ d) <= 0.9 * abs(g0 @ d) + 1e-12
        assert any(np.array_equal(new, e.params) for e in evaluations)   # an evaluated trial
        theta = new


def test_a_stationary_start_returns_after_one_closure_call():
    opt = make_optimizer("lbfgs")
    state = opt.init(np.zeros(2))
    theta, new_state, evaluations = opt.step(MINIMUM.copy(), state, quadratic)
    np.testing.assert_array_equal(theta, MINIMUM)
    assert len(evaluations) == 1 and new_state.func_evals == 1 and new_state.n_iter == 0
    assert isinstance(evaluations[0], Evaluation)


def test_max_eval_defaults_to_five_quarters_of_max_iter_and_bounds_the_calls():
    opt = make_optimizer("lbfgs", max_iter=8, line_search_fn="strong_wolfe", tolerance_grad=0.0,
                         tolerance_change=0.0)
    assert opt.max_eval is None                      # the session keeps null; torch's 8·5//4 = 10
    _, _, evaluations = opt.step(np.array([-1.2, 1.0]), opt.init(np.zeros(2)), rosenbrock)
    assert len(evaluations) <= 10 + 25               # the last line search may run max_ls more


def test_step_is_pure():
    opt = make_optimizer("lbfgs", history_size=3)
    theta, state = np.array([-1.2, 1.0]), opt.init(np.zeros(2))
    for _ in range(3):
        theta, state, _ = opt.step(theta, state, rosenbrock)
    snapshot = (theta.copy(), [a.copy() for a in state.old_dirs], state.d.copy())
    a = opt.step(theta, state, rosenbrock)
    b = opt.step(theta, state, rosenbrock)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(theta, snapshot[0])
    np.testing.assert_array_equal(state.d, snapshot[2])
    for before, after in zip(snapshot[1], state.old_dirs):
        np.testing.assert_array_equal(before, after)
    assert len(a[1].old_dirs) <= 3                   # history_size bounds the pairs kept


def test_scheduled_lr_is_the_first_trial_step():
    opt = make_optimizer("lbfgs", max_iter=1)
    theta0 = np.array([-3.0, 4.0])
    _, g0 = quadratic(theta0)
    theta, _, _ = opt.scheduled(lr=0.25).step(theta0, opt.init(theta0), quadratic)
    np.testing.assert_allclose(theta, theta0 - min(1.0, 1 / np.abs(g0).sum()) * 0.25 * g0)


def test_validation_and_the_update_api():
    with pytest.raises(ConfigError, match=r"^LBFGS: history_size must be ≥ 1"):
        make_optimizer("lbfgs", history_size=0)
    with pytest.raises(ConfigError, match="line_search_fn must be null or 'strong_wolfe'"):
        make_optimizer("lbfgs", line_search_fn="backtracking")
    with pytest.raises(ConfigError, match="max_iter must be a whole number"):
        make_optimizer("lbfgs", max_iter=2.5)
    assert make_optimizer("lbfgs", max_eval=7.0).max_eval == 7       # 7.0 from JSON is whole
    assert LBFGS.needs_closure and not LBFGS.elementwise
    with pytest.raises(TypeError, match="step"):
        make_optimizer("lbfgs").update(np.zeros(2), None, np.zeros(2))


def test_cubic_interpolation_finds_a_cubic_minimum_and_keeps_within_bounds():
    # f(x) = x³ − 3x: f' = 3x² − 3, minimum at x = 1; through (0, 0, −3) and (2, 2, 9)
    assert float(cubic_interpolate(0.0, 0.0, Scalar(-3.0), 2.0, 2.0, Scalar(9.0))) == pytest.approx(1.0)
    assert float(cubic_interpolate(0.0, 0.0, Scalar(-3.0), 2.0, 2.0, Scalar(9.0),
                                   bounds=(1.5, 3.0))) == 1.5
    # no minimum between the points (d₁² < g₁g₂): the bounds' midpoint
    assert float(cubic_interpolate(0.0, 0.0, Scalar(1.0), 1.0, 10.0, Scalar(30.0))) == 0.5


def test_scalar_divides_like_a_torch_tensor():
    """float / tensor is reciprocal × float: (1/0.9)·3 rounds twice, 3/0.9 once."""
    t = Scalar(0.9)
    assert float(3.0 / t) == 3.3333333333333335 != 3.0 / 0.9 == 3.333333333333333
    assert float(t / 3.0) == 0.9 / 3.0
    assert isinstance(min(t, 5.0), Scalar) and isinstance(t + 1, Scalar)
    assert float(Scalar(1.0) / 0.0) == float("inf")                  # a tensor, not an exception
