"""The run loop: history layout, divergence, convergence, state replay, many start points."""

import math

import numpy as np

from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.trajectory import CHECKPOINT, Trajectory, run_many


def test_gradient_descent_history_is_the_closed_form(bowl):
    lr = 0.01
    t = Trajectory(bowl, make_optimizer("sgd", lr=lr), (2.0, 3.0))
    t.extend(50)
    k = np.arange(51)
    expected = np.stack([2.0 * (1 - 2 * lr) ** k, 3.0 * (1 - 20 * lr) ** k], axis=1)
    assert t.steps == 50
    np.testing.assert_allclose(t.params, expected, rtol=1e-12)
    np.testing.assert_allclose(t.loss, expected[:, 0] ** 2 + 10 * expected[:, 1] ** 2, rtol=1e-12)
    np.testing.assert_allclose(t.grad, expected * [2, 20], rtol=1e-12)
    # the actual update of plain descent is −γ∇f at the previous point
    np.testing.assert_allclose(t.updates, -lr * t.grad[:-1], rtol=1e-9)


def test_extend_in_pieces_equals_extend_at_once(bowl):
    opt = make_optimizer("sgd", lr=0.02, momentum=0.9, nesterov=True)
    a = Trajectory(bowl, opt, (1.0, -2.0))
    a.extend(300)
    b = Trajectory(bowl, opt, (1.0, -2.0))
    for k in (1, 2, 7, 100, 299, 300, 300):
        b.extend(k)
    np.testing.assert_array_equal(a.params, b.params)


def test_divergence_stops_the_run_where_it_happened(bowl):
    # lr = 0.2 makes y ← y·(1 − 20·0.2) = −3y: |y| passes the runaway box, it never comes back
    t = Trajectory(bowl, make_optimizer("sgd", lr=0.2), (1.0, 1.0))
    t.extend(1000)
    assert t.diverged
    limit = 1e6 * 10 + 5
    first_out = next(k for k in range(100) if 3.0 ** k >= limit)
    assert t.diverged_at == first_out
    assert t.steps == first_out - 1
    assert np.all(np.isfinite(t.params))


def test_a_nan_step_is_divergence_not_an_exception(logwell):
    # maximising −log x from x = 1 with lr = 2: x₁ = 1 + 2·(−1/1) = −1, and log(−1) is nan
    t = Trajectory(logwell, make_optimizer("sgd", lr=2.0, maximize=True), (1.0, 0.0))
    t.extend(10)
    assert t.diverged_at == 1
    assert t.steps == 0


def test_a_bad_start_point_is_divergence_at_step_zero(logwell):
    t = Trajectory(logwell, make_optimizer("sgd", lr=0.1), (-1.0, 0.0))
    t.extend(5)
    assert t.diverged_at == 0
    assert t.steps == -1 and len(t.params) == 0


def test_state_replay_equals_running_the_update_by_hand(bowl):
    opt = make_optimizer("sgd", lr=0.01, momentum=0.5, dampening=0.25)
    t = Trajectory(bowl, opt, (2.0, 3.0))
    k = CHECKPOINT + 37
    t.extend(k + 5)
    # b₁ = g₀; b_j = 0.5 b_{j−1} + 0.75 g_{j−1}  (torch's SGD momentum buffer)
    buf = t.grad[0].copy()
    for j in range(1, k):
        buf = 0.5 * buf + 0.75 * t.grad[j]
    state = t.state_at(k)
    assert state["step"] == k
    np.testing.assert_allclose(state["momentum_buffer"], buf, rtol=1e-12)


def test_convergence_is_marked_from_the_step_the_run_stays_put(bowl):
    t = Trajectory(bowl, make_optimizer("sgd", lr=0.01), (2.0, 3.0))
    t.extend(5000)
    k = t.converged_at()
    g0 = math.hypot(4.0, 60.0)
    assert k is not None
    # at k the gradient is below 1e-6·‖g₀‖ and it was not one step earlier
    assert np.hypot(*t.grad[k]) <= 1e-6 * g0
    assert not (np.hypot(*t.grad[k - 1]) <= 1e-6 * g0
                and np.hypot(*(t.params[k - 1] - t.params[k - 2])) <= 1e-9 * (1 + np.hypot(*t.params[k - 1])))
    short = Trajectory(bowl, make_optimizer("sgd", lr=0.01), (2.0, 3.0))
    short.extend(10)
    assert short.converged_at() is None


def test_run_many_equals_one_start_point_at_a_time(bowl):
    opt = make_optimizer("sgd", lr=0.03, momentum=0.8)
    starts = np.array([[1.0, 2.0], [-3.0, 0.5], [0.2, -4.0]])
    params, loss = run_many(bowl, opt, starts, 40)
    assert params.shape == (41, 3, 2) and loss.shape == (41, 3)
    for i, s in enumerate(starts):
        t = Trajectory(bowl, opt, s)
        t.extend(40)
        np.testing.assert_allclose(params[:, i], t.params, rtol=1e-13, atol=1e-300)
        np.testing.assert_allclose(loss[:, i], t.loss, rtol=1e-13, atol=1e-300)


def test_a_million_steps_keep_memory_bounded(bowl):
    # 40 bytes a step (point, loss, gradient) plus at most the doubling slack, and one
    # state checkpoint per CHECKPOINT steps — not a Python object per step
    t = Trajectory(bowl, make_optimizer("sgd", lr=1e-7), (2.0, 3.0))
    t.extend(10**6)
    assert t.steps == 10**6 and not t.diverged
    arrays = t._P.nbytes + t._L.nbytes + t._G.nbytes
    assert arrays <= 2 * 40 * (10**6 + 1)
    assert len(t._checkpoints) == 10**6 // CHECKPOINT + 1
    # the state at a late step replays from its checkpoint
    assert t.state_at(10**6 - 3)["step"] == 10**6 - 3
    t.extend(2 * 10**6)
    assert t.steps == 10**6          # runs stop at MAX_STEPS


def test_the_state_of_the_last_step_survives_divergence(bowl):
    # SGD momentum buffer by hand up to the last good step of a run that then blows up
    t = Trajectory(bowl, make_optimizer("sgd", lr=0.2, momentum=0.5), (1.0, 1.0))
    t.extend(100)
    assert t.diverged
    buf = t.grad[0].copy()
    for j in range(1, t.steps):
        buf = 0.5 * buf + t.grad[j]
    np.testing.assert_allclose(t.state_at(t.steps)["momentum_buffer"], buf, rtol=1e-12)
    # one step earlier comes from the checkpoint replay: b_{k−1} = (b_k − g_{k−1}) / 0.5
    np.testing.assert_allclose(t.state_at(t.steps - 1)["momentum_buffer"],
                               (buf - t.grad[t.steps - 1]) / 0.5, rtol=1e-9)


def test_adam_that_keeps_bursting_is_still_not_converged():
    """The blog's Adam (lr 0.1) stays put from step 407, bursts out at 11 123 and keeps
    bursting: at 20 000 it has been put for 28 steps, which is "still since", not
    "converged at" (its loss jumped a hundredfold after that stretch began)."""
    from optiviz_gui.core import session
    t = session.load(None).trajectories[3]
    t.extend(20_000)
    assert t.status_text(11_000) == "converged at 407"
    c = t.converged_at(20_000)
    assert t.status_text(20_000) == f"still since {c}"
    # the history itself: after the first settled stretch the loss rose 100-fold
    assert t.loss[11_000:c].max() > 100 * t.loss[407]
    assert t.status_text(11_200) == ""                      # moving: no verdict at all


def test_one_wording_for_a_start_that_is_already_bad():
    from optiviz_gui.core.surfaces import make_surface
    s = make_surface({"kind": "expression", "expr": "log(x)"}, ".")
    t = Trajectory(s, make_optimizer("sgd", lr=0.1), (-1.0, 0.0))
    assert t.status_at(0) == ("diverged", 0)
    assert t.status_text(0) == "diverged at start"


def test_the_status_worked_out_as_the_run_grows_equals_the_status_of_the_whole_run(bowl):
    """Convergence is decided once per step as a run grows (a long run is asked every
    frame); in chunks or at once, every step's verdict is the same."""
    opt = make_optimizer("adam", lr=0.05)
    whole = Trajectory(bowl, opt, (2.0, 3.0))
    whole.extend(3000)
    grown = Trajectory(bowl, opt, (2.0, 3.0))
    for k in range(1, 3001, 97):
        grown.extend(k)
        grown.converged_at()                  # asked while it grows
    grown.extend(3000)
    for k in range(0, 3001, 7):
        assert grown.status_text(k) == whole.status_text(k), k
        assert grown.converged_at(k) == whole.converged_at(k), k
