"""Rprop, ASGD, Adafactor and Muon against hand-derived steps and their defining properties.

Every expected number is worked out in the test from the paper's (or torch's
documented) rule, never taken from the code's output. LBFGS: test_lbfgs.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from optiviz_gui.core.optimizers import make_optimizer

G1 = np.array([2.0, -0.5])
THETA0 = np.array([1.5, -4.0])


def close(actual, expected, rtol=1e-13):
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=1e-300)


def run(opt, grads, theta0=THETA0):
    theta, state, out = theta0.copy(), opt.init(theta0), [theta0.copy()]
    for g in grads:
        d, state = opt.update(np.asarray(g, float), state, theta)
        theta = theta + d
        out.append(theta)
    return np.array(out), state


# ------------------------------------------------------------------ Rprop
def test_rprop_grows_the_step_while_the_sign_holds_and_backs_off_when_it_flips():
    lr, (eminus, eplus) = 0.1, (0.5, 1.2)
    traj, s = run(make_optimizer("rprop", lr=lr), [[1.0, 1.0], [3.0, -2.0], [0.5, 4.0], [1.0, 1.0]])
    steps = np.diff(traj, axis=0)
    close(steps[0], [-lr, -lr])                        # prev = 0: η stays lr, −η·sign(g)
    close(steps[1], [-lr * eplus, 0.0])                # x: same sign → η·η₊; y: flipped → η·η₋, g ← 0
    close(steps[2], [-lr * eplus**2, -lr * eminus])    # y: prev was zeroed → factor 1, moves by η₋·lr
    close(steps[3], [-lr * eplus**3, -lr * eminus * eplus])   # y: the sign holds again → ×η₊
    close(s.step_size, [lr * eplus**3, lr * eminus * eplus])
    close(s.prev, [1.0, 1.0])


def test_rprop_step_sizes_clamp_the_step():
    traj, s = run(make_optimizer("rprop", lr=1.0, step_sizes=(0.3, 1.5)), [[1.0, -1.0]] * 4)
    close(np.diff(traj, axis=0)[:, 0], [-1.0, -1.2, -1.44, -1.5])     # 1.44·1.2 = 1.728 > Γ_max
    traj, _ = run(make_optimizer("rprop", lr=1.0, step_sizes=(0.3, 1.5)), [[1.0, 1.0], [-1.0, 1.0]] * 2)
    close(np.diff(traj, axis=0)[1, 0], 0.0)
    close(np.diff(traj, axis=0)[2, 0], -0.5)           # η₋ = 0.5 ≥ Γ_min = 0.3


def test_rprop_takes_lr_only_when_the_first_step_is_taken():
    """torch creates the step sizes from the group's lr at the first step; a later lr is ignored."""
    opt = make_optimizer("rprop", lr=0.1)
    state = opt.init(THETA0)
    d1, state = opt.scheduled(lr=0.02).update(G1, state, THETA0)
    close(d1, -0.02 * np.sign(G1))
    d2, _ = opt.scheduled(lr=5.0).update(G1, state, THETA0 + d1)
    close(d2, -0.02 * 1.2 * np.sign(G1))


def test_rprop_with_a_sign_flip_every_step_shrinks_to_the_minimum_step():
    traj, s = run(make_optimizer("rprop", lr=0.5), [[(-1.0) ** k, 1.0] for k in range(60)])
    assert s.step_size[0] == 1e-6


# ------------------------------------------------------------------ ASGD
def test_asgd_first_step_and_step_size_schedule_by_hand():
    lr, lam, alpha, t0, wd = 0.1, 0.5, 0.75, 0.0, 0.2
    traj, s = run(make_optimizer("asgd", lr=lr, lambd=lam, alpha=alpha, t0=t0, weight_decay=wd), [G1])
    g = G1 + wd * THETA0
    close(traj[1], THETA0 * (1 - lam * lr) - lr * g)
    assert s.eta == pytest.approx(lr / (1 + lam * lr * 1) ** alpha, rel=1e-15)
    assert s.mu == 1.0 / max(1, 1 - t0)
    close(s.ax, traj[1])                               # μ₀ = 1: the average is the point


def test_asgd_averages_the_points_from_t0_plus_2_on():
    """μ_t = 1/max(1, t − t₀): with t₀ = 2, θ̄_t is the plain mean of θ_4 … θ_t."""
    rng = np.random.default_rng(3)
    traj, s = run(make_optimizer("asgd", lr=0.05, t0=2.0), rng.normal(size=(9, 2)))
    close(s.ax, traj[4:].mean(axis=0), rtol=1e-12)


def test_asgd_converges_to_the_decayed_minimum():
    """θ ← θ(1 − λη) − η∇f has its fixed point where ∇f + λθ = 0: (A + λI)θ = A·m."""
    A, m, lam = np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([1.0, -2.0]), 0.5
    opt = make_optimizer("asgd", lr=0.05, lambd=lam, alpha=0.0)     # α = 0: constant η
    theta, state = np.array([-3.0, 4.0]), opt.init(np.zeros(2))
    for _ in range(2000):
        d, state = opt.update(A @ (theta - m), state, theta)
        theta = theta + d
    close(theta, np.linalg.solve(A + lam * np.eye(2), A @ m), rtol=1e-9)


# ------------------------------------------------------------------ Adafactor
def test_adafactor_first_step_is_minus_rms_theta_times_sign_g():
    lr = 0.5
    traj, s = run(make_optimizer("adafactor", lr=lr), [[3.0, -4.0]], theta0=np.array([6.0, 8.0]))
    rms_theta = math.sqrt((36 + 64) / 2)                # ≥ ε₂ = 1e-3
    close(traj[1], [6.0, 8.0] - rms_theta * min(lr, 1.0) * np.array([1.0, -1.0]))
    close(s.variance, [9.0, 16.0])                      # t^c = 1 at t = 1: v = g²


def test_adafactor_second_step_by_hand():
    lr, c, d = 0.05, -0.8, 1.0
    theta0, g1, g2 = np.array([6.0, 8.0]), np.array([3.0, -4.0]), np.array([1.0, 2.0])
    traj, s = run(make_optimizer("adafactor", lr=lr), [g1, g2], theta0)
    theta1 = traj[1]
    w = 2.0**c                                           # the new g²'s weight at t = 2
    v = g1**2 + w * (g2**2 - g1**2)
    u = g2 / np.sqrt(v)
    rms = lambda a: math.sqrt(np.mean(a * a))            # noqa: E731
    alpha = max(1e-3, rms(theta1)) * min(lr, 1 / math.sqrt(2))
    close(traj[2], theta1 - alpha / max(1.0, rms(u) / d) * u)
    close(s.variance, v)


def test_adafactor_clips_the_update_to_rms_d():
    """A gradient 100× the last: u = g/√v is large, and the step is cut to RMS(u) = d."""
    opt = make_optimizer("adafactor", lr=0.5, d=1.0)
    theta0 = np.array([3.0, 4.0])
    traj, s = run(opt, [[1e-2, 1e-2], [1.0, 1.0]], theta0)
    alpha = math.sqrt((traj[1] ** 2).mean()) * min(0.5, 1 / math.sqrt(2))
    close(np.linalg.norm(traj[2] - traj[1]) / math.sqrt(2), alpha, rtol=1e-12)


def test_adafactor_weight_decay_shrinks_theta_first():
    lr, wd = 0.5, 0.1
    a, _ = run(make_optimizer("adafactor", lr=lr, weight_decay=wd), [[3.0, -4.0]], np.array([6.0, 8.0]))
    b, _ = run(make_optimizer("adafactor", lr=lr), [[3.0, -4.0]], np.array([6.0, 8.0]))
    close(a[1] - b[1], np.array([6.0, 8.0]) * (1 - lr * wd) - [6.0, 8.0])


def test_adafactor_eps_none_is_float64_machine_epsilon():
    grads = [[1e-20, 2.0], [0.0, 1.0]]
    a, _ = run(make_optimizer("adafactor", eps=(None, 1e-3)), grads)
    b, _ = run(make_optimizer("adafactor", eps=(2.0**-52, 1e-3)), grads)
    np.testing.assert_array_equal(a, b)


def test_adafactor_norms_run_over_the_whole_vector_of_any_length():
    theta0 = np.array([1.0, -2.0, 2.0, 4.0, 0.0])          # RMS = 5/√5 = √5
    traj, _ = run(make_optimizer("adafactor", lr=0.1), [[1.0, 1.0, -1.0, 1.0, 1.0]], theta0)
    close(traj[1], theta0 - math.sqrt(5) * 0.1 * np.array([1.0, 1.0, -1.0, 1.0, 1.0]))


# ------------------------------------------------------------------ Muon
def test_muon_step_is_the_nesterov_momentum_direction_at_a_fixed_length():
    lr, mu = 0.1, 0.95
    opt = make_optimizer("muon", lr=lr, weight_decay=0.0)
    traj, s = run(opt, [G1])
    buf = (1 - mu) * G1                                   # lerp from 0
    update = G1 + mu * (buf - G1)                         # Nesterov: g.lerp(buf, μ)
    step = traj[1] - traj[0]
    direction = -update / np.linalg.norm(update)
    assert np.dot(step, direction) / np.linalg.norm(step) > 1 - 2e-4      # bfloat16's angle
    # ‖O‖ = p(p(p(p(p(1))))) with p(s) = as + bs³ + cs⁵, to bfloat16 precision
    a, b, c = 3.4445, -4.775, 2.0315
    s5 = 1.0
    for _ in range(5):
        s5 = a * s5 + b * s5**3 + c * s5**5
    assert np.linalg.norm(step) / lr == pytest.approx(s5, rel=2e-2)
    close(s.momentum_buffer, buf)


def test_muon_step_length_does_not_depend_on_the_gradients_size():
    opt = make_optimizer("muon", lr=0.05)
    small, _ = run(opt, [G1, -G1, 3 * G1])
    large, _ = run(opt, [1024 * G1, -1024 * G1, 3072 * G1])   # × 2¹⁰: the same bfloat16 mantissas
    np.testing.assert_array_equal(small, large)


def test_muon_weight_decay_and_lr_adjustment_by_hand():
    lr, wd = 0.1, 0.3
    plain, _ = run(make_optimizer("muon", lr=lr, weight_decay=0.0), [G1])
    decayed, _ = run(make_optimizer("muon", lr=lr, weight_decay=wd), [G1])
    close(decayed[1] - plain[1], THETA0 * (1 - lr * wd) - THETA0, rtol=1e-12)
    theta0 = np.zeros(8)
    grad = np.arange(1.0, 9.0)
    original, _ = run(make_optimizer("muon", lr=lr, weight_decay=0.0), [grad], theta0)
    adamw, _ = run(make_optimizer("muon", lr=lr, weight_decay=0.0,
                                  adjust_lr_fn="match_rms_adamw"), [grad], theta0)
    close(adamw[1], original[1] * 0.2 * math.sqrt(8), rtol=1e-15)   # r = 0.2·√max(1, 8) vs 1


def test_muon_without_newton_schulz_steps_is_normalised_momentum():
    lr = 0.1
    traj, _ = run(make_optimizer("muon", lr=lr, weight_decay=0.0, nesterov=False, ns_steps=0), [G1])
    step = traj[1] - traj[0]
    close(step, -lr * G1 / np.linalg.norm(G1), rtol=2**-8)           # U/‖U‖ in bfloat16
