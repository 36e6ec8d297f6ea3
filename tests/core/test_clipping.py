"""Gradient clipping: torch.nn.utils.clip_grad_norm_ / clip_grad_value_ by hand and against torch."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optiviz_gui.core.clipping import (
    check_clip_value, check_max_norm, check_norm_type, clip_grad_norm, clip_grad_norm_xy,
    clip_grad_value, clip_grad_value_xy, total_norm,
)
from optiviz_gui.core.errors import ConfigError


def test_clip_grad_norm_by_hand():
    g = np.array([3.0, 4.0])                               # ‖g‖ = 5
    np.testing.assert_array_equal(clip_grad_norm(g, 1.0), g * ((1 / (5 + 1e-6)) * 1.0))
    np.testing.assert_array_equal(clip_grad_norm(g, 10.0), g)       # the coefficient stops at 1
    np.testing.assert_array_equal(clip_grad_norm(g, 0.0), [0.0, 0.0])
    assert np.linalg.norm(clip_grad_norm(g, 2.0)) == pytest.approx(2.0, rel=1e-6)


def test_clip_grad_norm_other_norms_by_hand():
    g = np.array([3.0, -4.0])
    np.testing.assert_allclose(clip_grad_norm(g, 1.0, norm_type=1.0), g / (7 + 1e-6), rtol=1e-15)
    np.testing.assert_allclose(clip_grad_norm(g, 1.0, norm_type=math.inf), g / (4 + 1e-6),
                               rtol=1e-15)
    assert total_norm(g, 3.0)[0] == pytest.approx((27 + 64) ** (1 / 3), rel=1e-15)


def test_clip_grad_value_by_hand():
    np.testing.assert_array_equal(clip_grad_value(np.array([3.0, -0.2, -7.0]), 0.5), [0.5, -0.2, -0.5])
    assert clip_grad_value_xy(3.0, -0.2, 0.5) == (0.5, -0.2)


def test_each_point_is_clipped_by_its_own_norm():
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(4, 3, 2)) * 10.0 ** rng.uniform(-2, 2, (4, 3, 1))
    together = clip_grad_norm(grads, 1.5)
    for i in np.ndindex(grads.shape[:-1]):
        np.testing.assert_array_equal(together[i], clip_grad_norm(grads[i], 1.5))
        np.testing.assert_array_equal(together[i], clip_grad_norm_xy(*grads[i], 1.5))


def test_nan_gradients_stay_nan_as_in_torch():
    assert np.all(np.isnan(clip_grad_norm(np.array([np.nan, 1.0]), 1.0)))
    assert all(math.isnan(v) for v in clip_grad_norm_xy(math.nan, 1.0, 1.0))
    assert math.isnan(clip_grad_value_xy(math.nan, 1.0, 0.5)[0])


def test_same_numbers_as_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    for _ in range(400):
        g = rng.normal(size=2) * 10.0 ** rng.uniform(-4, 4, 2)
        max_norm, value = float(10.0 ** rng.uniform(-2, 2)), float(10.0 ** rng.uniform(-2, 1))
        for norm_type in (2.0, 1.0, math.inf, 3.0):
            p = torch.zeros(2, dtype=torch.float64, requires_grad=True)
            p.grad = torch.from_numpy(g.copy())
            torch.nn.utils.clip_grad_norm_([p], max_norm, norm_type=norm_type)
            ours = clip_grad_norm(g, max_norm, norm_type)
            if norm_type == 2.0:             # the fused norm and the reciprocal: bit for bit
                np.testing.assert_array_equal(ours, p.grad.numpy())
                np.testing.assert_array_equal(clip_grad_norm_xy(*g, max_norm), p.grad.numpy())
            else:
                np.testing.assert_allclose(ours, p.grad.numpy(), rtol=1e-14)
        p.grad = torch.from_numpy(g.copy())
        torch.nn.utils.clip_grad_value_([p], value)
        np.testing.assert_array_equal(clip_grad_value(g, value), p.grad.numpy())
        np.testing.assert_array_equal(clip_grad_value_xy(*g, value), p.grad.numpy())


@pytest.mark.parametrize("check, key", [(check_max_norm, "clip_grad_norm"),
                                        (check_clip_value, "clip_grad_value")])
@pytest.mark.parametrize("bad", [-0.1, math.nan, math.inf, True, "1", None])
def test_bad_limits_are_one_sentence_naming_the_key(check, key, bad):
    with pytest.raises(ConfigError, match=rf"^{key} must be a") as info:
        check(bad)
    assert str(info.value).endswith(".") and "\n" not in str(info.value)


def test_good_limits_pass_as_floats():
    assert check_max_norm(1) == 1.0 and check_clip_value(0) == 0.0
    assert check_norm_type(2) == 2.0 and check_norm_type(math.inf) == math.inf
    for bad in (0, -1.0, math.nan, "2", False):
        with pytest.raises(ConfigError, match="norm_type must be a number > 0 or inf"):
            check_norm_type(bad)
