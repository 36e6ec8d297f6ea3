"""Optimizers against hand-derived first steps and published identities.

Every expected number below is worked out from the paper's (or torch's
documented) update rule in the test itself, never taken from the code's output.
"""

from __future__ import annotations

import doctest
import importlib
import math

import numpy as np
import pytest

from optiviz_gui.core.optimizers import OPTIMIZERS, PRESETS, make_optimizer

G1 = np.array([2.0, -0.5])
G2 = np.array([-1.0, 3.0])
THETA0 = np.array([1.5, -4.0])


def two_steps(opt, g1=G1, g2=G2, theta0=THETA0):
    """Apply the gradients g1 then g2 (fixed, not from a surface); return both deltas and the state."""
    state = opt.init(theta0)
    d1, state = opt.update(g1, state, theta0)
    d2, state = opt.update(g2, state, theta0 + d1)
    return d1, d2, state


def close(actual, expected, rtol=1e-13):
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=1e-300)


# ------------------------------------------------------------------ registry
def test_registry_holds_every_torch_optimizer_under_its_lowercase_name():
    assert set(OPTIMIZERS) == {"sgd", "rmsprop", "adam", "adamw", "adagrad",
                               "adadelta", "adamax", "nadam", "radam",
                               "rprop", "asgd", "adafactor", "lbfgs", "muon"}
    for name, cls in OPTIMIZERS.items():
        assert cls.name == name == cls.title.lower()
        assert cls.State._fields[0] == "step"
        assert cls.rule.strip() and "θ" in cls.rule
        assert "\n" not in cls.title


def test_presets_build():
    for name, hyper in PRESETS.values():
        assert make_optimizer(name, **hyper).name == name


@pytest.mark.parametrize("module", sorted({c.__module__ for c in OPTIMIZERS.values()}
                                          | {f"optiviz_gui.core.optimizers.{m}" for m in
                                             ("_shared", "_bfloat16", "lbfgs_search")}
                                          | {"optiviz_gui.core.fused"}))
def test_docstring_examples_run(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0


def test_update_leaves_the_old_state_untouched():
    """Pure update: the state passed in is not modified (stepping back relies on it).
    (LBFGS has no update; tests/core/test_lbfgs.py checks its step.)"""
    for cls in OPTIMIZERS.values():
        if cls.needs_closure:
            continue
        opt = cls(**({"momentum": 0.5} if "momentum" in cls().hp else {}))
        s0 = opt.init(THETA0)
        _, s1 = opt.update(G1, s0, THETA0)
        snapshot = [np.array(v, copy=True) for v in s1]
        opt.update(G2, s1, THETA0)
        for before, after in zip(snapshot, s1):
            np.testing.assert_array_equal(before, after)


# ------------------------------------------------------------------ SGD
def test_sgd_plain_is_theta_minus_lr_g():
    d1, d2, _ = two_steps(make_optimizer("sgd", lr=0.1))
    close(d1, -0.1 * G1)
    close(d2, -0.1 * G2)


def test_sgd_momentum_dampening_weight_decay_by_hand():
    mu, tau, lam, lr = 0.9, 0.25, 0.5, 0.1
    d1, d2, s = two_steps(make_optimizer("sgd", lr=lr, momentum=mu, dampening=tau, weight_decay=lam))
    g1 = G1 + lam * THETA0                       # b_1 = g_1 (no dampening on the first step)
    close(d1, -lr * g1)
    theta1 = THETA0 - lr * g1
    g2 = G2 + lam * theta1
    b2 = mu * g1 + (1 - tau) * g2
    close(d2, -lr * b2)
    close(s.momentum_buffer, b2)


def test_sgd_nesterov_by_hand():
    mu, lr = 0.9, 0.1
    d1, d2, _ = two_steps(make_optimizer("sgd", lr=lr, momentum=mu, nesterov=True))
    close(d1, -lr * (G1 + mu * G1))              # g + μ b with b_1 = g_1
    b2 = mu * G1 + G2
    close(d2, -lr * (G2 + mu * b2))


# ------------------------------------------------------------------ RMSprop
def test_rmsprop_first_two_steps_by_hand():
    lr, a, eps = 0.01, 0.99, 1e-8
    d1, d2, s = two_steps(make_optimizer("rmsprop"))        # torch defaults
    v1 = 0.01 * G1 * G1                                      # (1 − α) g²
    close(d1, -lr * G1 / (np.sqrt(v1) + eps))
    close(d1, -0.1 * np.sign(G1), rtol=1e-6)                 # −γ g/(0.1|g|)
    v2 = a * v1 + (1 - a) * G2 * G2
    close(d2, -lr * G2 / (np.sqrt(v2) + eps))
    close(s.square_avg, v2)


def test_rmsprop_centered_with_momentum_by_hand():
    lr, a, mu = 0.01, 0.9, 0.5
    d1, d2, s = two_steps(make_optimizer("rmsprop", lr=lr, alpha=a, momentum=mu, centered=True, eps=0.0))
    # centered: v − (ḡ)² = (1 − α)g² − (1 − α)²g² = α(1 − α)g² on the first step
    b1 = G1 / np.sqrt(a * (1 - a) * G1 * G1)
    close(d1, -lr * b1)
    v2 = a * (1 - a) * G1 * G1 + (1 - a) * G2 * G2
    m2 = a * (1 - a) * G1 + (1 - a) * G2
    b2 = mu * b1 + G2 / np.sqrt(v2 - m2 * m2)
    close(d2, -lr * b2)
    close(s.grad_avg, m2)
    close(s.momentum_buffer, b2)


# ------------------------------------------------------------------ Adam family
def test_adam_first_step_is_minus_lr_sign_g():
    d1, _, _ = two_steps(make_optimizer("adam", lr=0.1))
    close(d1, -0.1 * G1 / (np.abs(G1) + 1e-8))
    close(d1, -0.1 * np.sign(G1), rtol=1e-7)


def test_adam_second_step_by_hand():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    _, d2, s = two_steps(make_optimizer("adam", lr=lr))
    m = b1 * (1 - b1) * G1 + (1 - b1) * G2
    v = b2 * (1 - b2) * G1 * G1 + (1 - b2) * G2 * G2
    m_hat, v_hat_sqrt = m / (1 - b1**2), np.sqrt(v) / math.sqrt(1 - b2**2)
    close(d2, -lr * m_hat / (v_hat_sqrt + eps))
    close(s.exp_avg, m)
    close(s.exp_avg_sq, v)


def test_amsgrad_keeps_the_largest_second_moment():
    lr, b2 = 0.1, 0.999
    opt = make_optimizer("adam", lr=lr, amsgrad=True, eps=0.0)
    _, d2, s = two_steps(opt, g1=np.array([4.0]), g2=np.array([0.0]), theta0=np.array([0.0]))
    v1 = (1 - b2) * 16.0                     # v_2 = β₂ v_1 < v_1, so v̂ stays v_1
    m2 = 0.9 * 0.1 * 4.0
    close(s.max_exp_avg_sq, [v1])
    close(d2, [-lr / (1 - 0.9**2) * m2 / (math.sqrt(v1) / math.sqrt(1 - b2**2))])


def test_adamw_first_step_decays_then_steps():
    lr, lam = 0.1, 0.5
    d1, _, _ = two_steps(make_optimizer("adamw", lr=lr, weight_decay=lam, eps=0.0))
    close(d1, -lr * lam * THETA0 - lr * np.sign(G1))


def test_adam_l2_weight_decay_enters_the_gradient():
    lr, lam = 0.1, 0.5
    d1, _, s = two_steps(make_optimizer("adam", lr=lr, weight_decay=lam, eps=0.0))
    g = G1 + lam * THETA0
    close(d1, -lr * np.sign(g))
    close(s.exp_avg, 0.9 * 0.1 * g + 0.1 * (G2 + lam * (THETA0 + d1)))


def test_adamax_first_two_steps_by_hand():
    lr, b1, b2, eps = 0.002, 0.9, 0.999, 1e-8
    d1, d2, s = two_steps(make_optimizer("adamax"))
    close(d1, -lr * G1 / (np.abs(G1) + eps))               # m̂ = g, u = |g| + ε
    u2 = np.maximum(b2 * (np.abs(G1) + eps), np.abs(G2) + eps)
    m2 = b1 * (1 - b1) * G1 + (1 - b1) * G2
    close(d2, -lr / (1 - b1**2) * m2 / u2)
    close(s.exp_inf, u2)


def test_nadam_first_step_by_hand():
    lr, b1, psi, eps = 0.002, 0.9, 0.004, 1e-8          # β₂ drops out: v̂ = g² at step 1
    d1, _, s = two_steps(make_optimizer("nadam"))
    mu1 = b1 * (1 - 0.5 * 0.96**psi)
    mu2 = b1 * (1 - 0.5 * 0.96 ** (2 * psi))
    d = np.abs(G1) + eps                                    # √(v̂) + ε with v̂ = g²
    expected = (-lr * (1 - mu1) / (1 - mu1) * G1 / d
                - lr * mu2 / (1 - mu1 * mu2) * (1 - b1) * G1 / d)
    close(d1, expected)
    mu3 = b1 * (1 - 0.5 * 0.96 ** (3 * psi))
    assert s.mu_product == pytest.approx(mu1 * mu2, rel=1e-15)
    assert mu1 < mu2 < mu3 < b1                             # the warm-up schedule rises to β₁


def test_nadam_with_zero_beta1_is_rms_normalised_descent():
    lr, b2 = 0.1, 0.9
    _, d2, _ = two_steps(make_optimizer("nadam", lr=lr, betas=(0.0, b2), eps=0.0))
    v2 = b2 * (1 - b2) * G1 * G1 + (1 - b2) * G2 * G2
    close(d2, -lr * G2 / np.sqrt(v2 / (1 - b2**2)))


def test_radam_is_bias_corrected_momentum_until_rho_exceeds_5_then_rectified():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    opt = make_optimizer("radam", lr=lr)
    grads = [np.array([1.0, -2.0]) * (k + 1) for k in range(6)]
    theta, state, m, v = np.zeros(2), opt.init(np.zeros(2)), np.zeros(2), np.zeros(2)
    rho_inf = 2 / (1 - b2) - 1                                # 1999
    for t, g in enumerate(grads, start=1):
        delta, state = opt.update(g, state, theta)
        theta = theta + delta
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1**t)
        rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
        if t <= 5:
            assert rho_t <= 5
            close(delta, -lr * m_hat)
        else:
            assert rho_t > 5
            r = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            close(delta, -lr * m_hat * r * math.sqrt(1 - b2**t) / (np.sqrt(v) + eps), rtol=1e-12)


# ------------------------------------------------------------------ Adagrad / Adadelta
def test_adagrad_two_steps_with_lr_decay_and_initial_accumulator():
    lr, decay, s0, eps = 0.5, 0.25, 0.75, 1e-10
    d1, d2, s = two_steps(make_optimizer("adagrad", lr=lr, lr_decay=decay, initial_accumulator_value=s0))
    close(d1, -lr * G1 / (np.sqrt(s0 + G1 * G1) + eps))
    total = s0 + G1 * G1 + G2 * G2
    close(d2, -lr / (1 + decay) * G2 / (np.sqrt(total) + eps))
    close(s.sum, total)


def test_adagrad_init_fills_the_accumulator():
    s = make_optimizer("adagrad", initial_accumulator_value=0.3).init(np.zeros((4, 2)))
    np.testing.assert_array_equal(s.sum, np.full((4, 2), 0.3))


def test_adadelta_first_two_steps_by_hand():
    lr, rho, eps = 1.0, 0.9, 1e-6
    d1, d2, s = two_steps(make_optimizer("adadelta"))
    v1 = (1 - rho) * G1 * G1
    dx1 = math.sqrt(eps) / np.sqrt(v1 + eps) * G1
    close(d1, -lr * dx1)
    u1 = (1 - rho) * dx1 * dx1
    v2 = rho * v1 + (1 - rho) * G2 * G2
    dx2 = np.sqrt(u1 + eps) / np.sqrt(v2 + eps) * G2
    close(d2, -lr * dx2)
    close(s.acc_delta, rho * u1 + (1 - rho) * dx2 * dx2)


# ------------------------------------------------------------------ identities
def _deltas(opt, grads, theta0=THETA0):
    theta, state, out = theta0, opt.init(theta0), []
    for g in grads:
        d, state = opt.update(g, state, theta)
        theta = theta + d
        out.append(d)
    return np.array(out)


GRADS = np.random.default_rng(7).normal(size=(30, 2)) * [1.0, 20.0]


def test_adamw_without_weight_decay_is_adam():
    for amsgrad in (False, True):
        np.testing.assert_array_equal(
            _deltas(make_optimizer("adamw", lr=0.05, weight_decay=0.0, amsgrad=amsgrad), GRADS),
            _deltas(make_optimizer("adam", lr=0.05, amsgrad=amsgrad), GRADS))


def test_adam_with_decoupled_weight_decay_is_adamw():
    np.testing.assert_array_equal(
        _deltas(make_optimizer("adamw", lr=0.05, weight_decay=0.3), GRADS),
        _deltas(make_optimizer("adam", lr=0.05, weight_decay=0.3, decoupled_weight_decay=True), GRADS))


def test_adam_with_beta1_zero_is_bias_corrected_rmsprop():
    """optax's identity: Adam(β₁ = 0, β₂ = α, ε = 0) steps = RMSprop(α, ε = 0) steps · √(1 − αᵗ)."""
    a = 0.95
    adam = _deltas(make_optimizer("adam", lr=0.01, betas=(0.0, a), eps=0.0), GRADS)
    rms = _deltas(make_optimizer("rmsprop", lr=0.01, alpha=a, eps=0.0), GRADS)
    t = np.arange(1, len(GRADS) + 1)[:, None]
    close(adam, rms * np.sqrt(1 - a**t), rtol=1e-12)


def test_nadam_with_beta1_zero_is_adam_with_beta1_zero():
    close(_deltas(make_optimizer("nadam", lr=0.01, betas=(0.0, 0.9)), GRADS),
          _deltas(make_optimizer("adam", lr=0.01, betas=(0.0, 0.9)), GRADS), rtol=1e-12)


def test_amsgrad_changes_nothing_while_the_second_moment_grows():
    const = np.tile([0.3, -2.0], (30, 1))     # v_t = (1 − β₂ᵗ) g² rises every step
    np.testing.assert_array_equal(_deltas(make_optimizer("adam", lr=0.1, amsgrad=True), const),
                                  _deltas(make_optimizer("adam", lr=0.1), const))


@pytest.mark.parametrize("name", sorted(n for n, c in OPTIMIZERS.items() if "maximize" in c().hp))
def test_maximize_on_g_is_minimize_on_minus_g(name):
    opt = make_optimizer(name, lr=0.01)
    np.testing.assert_array_equal(_deltas(opt.replace(maximize=True), GRADS), _deltas(opt, -GRADS))


def test_sgd_without_momentum_is_plain_descent_on_a_surface():
    """θ_{t+1} = θ_t − γ ∇f(θ_t) on f = (x − 1)² + 10 y², written out step by step."""
    opt = make_optimizer("sgd", lr=0.04, momentum=0.0)
    theta, state, ref = THETA0.copy(), opt.init(THETA0), THETA0.copy()
    for _ in range(50):
        grad = lambda p: np.array([2 * (p[0] - 1), 20 * p[1]])  # noqa: E731
        d, state = opt.update(grad(theta), state, theta)
        theta = theta + d
        ref = ref - 0.04 * grad(ref)
    np.testing.assert_array_equal(theta, ref)
    # y is multiplied by 1 − 0.04·20 = 0.2 each step: exact geometric decay
    close(theta[1], THETA0[1] * 0.2**50, rtol=1e-9)
