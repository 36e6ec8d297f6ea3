"""Optimizer.scheduled(): the run loop's way to apply a schedule's lr, momentum or betas.

The reference for a per-point lr (ReduceLROnPlateau over many start points)
is each point run alone with its own scalar lr: the broadcast batch must give
the same numbers, for every optimizer.
"""

from __future__ import annotations

import numpy as np
import pytest

from optiviz_gui.core.optimizers import OPTIMIZERS, make_optimizer


def test_scheduled_replaces_the_attributes_and_nothing_else():
    opt = make_optimizer("adam", lr=0.1, betas=(0.9, 0.99), weight_decay=0.1)
    moved = opt.scheduled(lr=0.02, betas=(0.8, 0.99))
    assert (moved.lr, moved.betas, moved.weight_decay) == (0.02, (0.8, 0.99), 0.1)
    assert (opt.lr, opt.betas) == (0.1, (0.9, 0.99))              # the original is untouched
    assert moved.hp == opt.hp and moved.settings() == opt.settings()   # the session's values
    assert moved == opt and type(moved) is type(opt)
    g, theta = np.array([1.0, -2.0]), np.array([0.5, 0.5])
    np.testing.assert_array_equal(
        moved.update(g, moved.init(theta), theta)[0],
        make_optimizer("adam", lr=0.02, betas=(0.8, 0.99), weight_decay=0.1).update(
            g, opt.init(theta), theta)[0])


def test_scheduled_does_not_validate_like_torchs_param_group():
    assert make_optimizer("sgd").scheduled(lr=-1.0).lr == -1.0


STARTS = np.array([[-1.2, 1.0], [0.5, -0.5], [1.2, 1.2], [0.0, 0.3]])
LRS = np.array([[1e-3], [5e-3], [2e-4], [1e-2]])                 # one per point: shape (N, 1)


def rosenbrock_grad(p):
    x, y = p[..., 0], p[..., 1]
    return np.stack([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)], axis=-1)


@pytest.mark.parametrize("name", sorted(n for n, c in OPTIMIZERS.items() if not c.needs_closure))
def test_a_per_point_lr_array_equals_each_point_alone(name):
    opt = make_optimizer(name)
    batch = STARTS.copy()
    state = opt.scheduled(lr=LRS).init(batch)
    for _ in range(30):
        delta, state = opt.scheduled(lr=LRS).update(rosenbrock_grad(batch), state, batch)
        batch = batch + delta
    assert batch.shape == STARTS.shape and np.all(np.isfinite(batch))
    for i, start in enumerate(STARTS):
        single = opt.scheduled(lr=float(LRS[i, 0]))
        p, s = start.copy(), single.init(start)
        for _ in range(30):
            d, s = single.update(rosenbrock_grad(p), s, p)
            p = p + d
        np.testing.assert_array_equal(batch[i], p, err_msg=f"point {i}")
