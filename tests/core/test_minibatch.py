"""Mini-batch gradients on the regression surface: SGD as it is really used, replayable."""

import numpy as np
import pytest

from optiviz_gui.core import session
from optiviz_gui.core.errors import ConfigError
from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.surfaces import make_surface
from optiviz_gui.core.surfaces.regression import LinearRegression
from optiviz_gui.core.trajectory import Trajectory

BASE = LinearRegression.synthetic(n=100)


def run(surface, steps=60, lr=0.02):
    t = Trajectory(surface, make_optimizer("sgd", lr=lr), surface.start)
    t.extend(steps)
    return t


def test_a_run_replays_exactly_from_its_seed():
    a = run(BASE.minibatches(8, seed=3))
    b = run(BASE.minibatches(8, seed=3))
    c = run(BASE.minibatches(8, seed=4))
    np.testing.assert_array_equal(a.params, b.params)
    assert not np.array_equal(a.params, c.params)


def test_each_update_uses_the_gradient_of_its_batch_by_hand():
    surface = BASE.minibatches(8, seed=3)
    t = run(surface, steps=30)
    x, y = BASE.x, BASE.y
    for k in (0, 1, 12, 13, 29):       # 13 batches an epoch: 12 is the short last one
        epoch, j = divmod(k, 13)
        perm = np.random.default_rng([3, epoch]).permutation(100)
        idx = perm[8 * j: 8 * j + 8]
        a, b = t.params[k]
        r = a + b * x[idx] - y[idx]                 # residuals on the batch, by a direct loop
        np.testing.assert_allclose(t.grad[k], [2 * r.mean(), 2 * (r * x[idx]).mean()],
                                   rtol=1e-9, atol=1e-12)
        # the loss is still the full-data mean squared error
        np.testing.assert_allclose(t.loss[k], np.mean((a + b * x - y) ** 2), rtol=1e-12)
        # and plain SGD stepped with exactly that gradient
        np.testing.assert_allclose(t.params[k + 1], t.params[k] - 0.02 * t.grad[k], rtol=1e-14)


def test_an_epoch_visits_every_point_once():
    surface = BASE.minibatches(7, seed=1)
    seen = np.concatenate([surface.batch_indices(k) for k in range(15)])   # ⌈100/7⌉ = 15
    assert sorted(seen) == list(range(100))


def test_a_batch_of_all_points_is_full_gradient_descent():
    full = run(BASE)
    whole = run(BASE.minibatches(100, seed=0))
    np.testing.assert_allclose(whole.params, full.params, rtol=1e-12)


@pytest.mark.parametrize("extra,needle", [
    ({"batch_size": 0}, "batch_size"),
    ({"batch_size": 101}, "batch_size"),
    ({"batch_size": "8"}, "batch_size"),
    ({"batch_size": 8, "batch_seed": -1}, "batch_seed"),
    ({"batch_seed": 2}, "batch_seed"),
])
def test_bad_batch_settings_name_the_key(extra, needle, tmp_path):
    with pytest.raises(ConfigError, match=needle):
        make_surface({"kind": "linear_regression", "n": 100, **extra}, tmp_path)


def test_batch_settings_round_trip_through_the_session_file(tmp_path):
    spec = {"kind": "linear_regression", "n": 100, "batch_size": 10, "batch_seed": 5}
    sim = session.from_dict({"format": "optiviz-session", "version": 1, "surface": spec,
                             "start": [2.0, 9.0], "optimizers": [{"name": "sgd", "lr": 0.01}]})
    session.save(sim, tmp_path / "s.json")
    again = session.load(tmp_path / "s.json")
    assert again.surface.batch_size == 10 and again.surface.batch_seed == 5
    sim.seek(40)
    again.seek(40)
    np.testing.assert_array_equal(sim.trajectories[0].params, again.trajectories[0].params)
