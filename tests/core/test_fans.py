"""Fans: a run's own mini-batch seed, lr fans and seed fans, their colours and mean path."""

import colorsys
import json

import numpy as np
import pytest

from optiviz_gui.core import fans, maps, session
from optiviz_gui.core.errors import ConfigError
from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.simulation import Run, Simulation
from optiviz_gui.core.surfaces.regression import LinearRegression
from optiviz_gui.core.trajectory import Trajectory

BASE = LinearRegression.synthetic(n=100)
BATCHED = BASE.minibatches(8, seed=3)
SGD = make_optimizer("sgd", lr=0.02)


# ------------------------------------------------------------ a run's own seed
def test_a_runs_own_seed_shuffles_its_batches_by_hand():
    t = Trajectory(BATCHED, Run(SGD, batch_seed=11), BATCHED.start)
    t.extend(30)
    x, y = BASE.x, BASE.y
    for k in (0, 12, 13, 29):                       # 13 batches an epoch
        epoch, j = divmod(k, 13)
        idx = np.random.default_rng([11, epoch]).permutation(100)[8 * j: 8 * j + 8]
        a, b = t.params[k]
        r = a + b * x[idx] - y[idx]
        np.testing.assert_allclose(t.grad[k], [2 * r.mean(), 2 * (r * x[idx]).mean()],
                                   rtol=1e-9, atol=1e-12)


def test_a_runs_seed_is_the_surfaces_seed_for_that_run_alone():
    own = Trajectory(BATCHED, Run(SGD, batch_seed=11), BATCHED.start)
    surface_wide = Trajectory(BASE.minibatches(8, seed=11), SGD, BATCHED.start)
    default = Trajectory(BATCHED, Run(SGD), BATCHED.start)
    same_as_surface = Trajectory(BATCHED, Run(SGD, batch_seed=3), BATCHED.start)
    for t in (own, surface_wide, default, same_as_surface):
        t.extend(40)
    np.testing.assert_array_equal(own.params, surface_wide.params)
    np.testing.assert_array_equal(default.params, same_as_surface.params)
    assert not np.array_equal(own.params, default.params)


def test_a_seed_changes_nothing_without_mini_batches():
    a = Trajectory(BASE, Run(SGD, batch_seed=11), BASE.start)
    b = Trajectory(BASE, Run(SGD), BASE.start)
    a.extend(20)
    b.extend(20)
    np.testing.assert_array_equal(a.params, b.params)


def test_a_new_seed_recomputes_that_run():
    sim = Simulation(BATCHED, BATCHED.start, [Run(SGD), Run(SGD)], steps=30)
    sim.seek(30)
    seen = []
    sim.history_changed.connect(seen.append)
    sim.update_run(1, batch_seed=11)
    assert seen == [(1,)]
    lone = Trajectory(BATCHED, Run(SGD, batch_seed=11), BATCHED.start)
    lone.extend(30)
    np.testing.assert_array_equal(sim.trajectories[1].params, lone.params)


@pytest.mark.parametrize("seed", [-1, 1.5, True, "3"])
def test_a_bad_seed_is_one_sentence(seed):
    with pytest.raises(ConfigError, match="batch_seed"):
        Run(SGD, batch_seed=seed)


def test_a_start_map_cell_uses_the_runs_seed():
    run = Run(SGD, batch_seed=11)
    spec = maps.start_map(BATCHED, run, 25, 4)
    result = maps.compute(spec)
    for i, j in ((0, 0), (2, 3)):
        t = Trajectory(BATCHED, run, (spec.u[i], spec.v[j]))
        t.extend(25)
        assert (result.x[i, j], result.y[i, j]) == tuple(t.params[-1])


def test_the_session_file_keeps_each_runs_seed(tmp_path):
    obj = {"format": "optiviz-session", "version": 1,
           "surface": {"kind": "linear_regression", "n": 100, "batch_size": 8, "batch_seed": 3},
           "start": [2.0, 9.0], "steps": 10,
           "optimizers": [{"name": "sgd", "lr": 0.02, "batch_seed": 7}, {"name": "sgd"}]}
    sim = session.from_dict(obj)
    assert [r.batch_seed for r in sim.runs] == [7, None]
    path = tmp_path / "s.json"
    session.save(sim, path)
    written = json.loads(path.read_text())["optimizers"]
    assert written[0]["batch_seed"] == 7 and "batch_seed" not in written[1]
    assert [r.batch_seed for r in session.load(path).runs] == [7, None]
    obj["optimizers"][0]["batch_seed"] = -2
    with pytest.raises(ConfigError, match=r"optimizers\[0\]\.batch_seed"):
        session.from_dict(obj)


# ------------------------------------------------------------------- lr fans
def test_an_lr_fan_adds_lr_times_each_factor_but_one():
    adam = Run(make_optimizer("adam", lr=0.1, betas=(0.8, 0.99)), clip_grad_norm=2.0,
               scheduler={"name": "steplr", "step_size": 10})
    base, added = fans.lr_fan(adam, (1 / 3, 1, 3), "Adam", "#0072B2")
    assert [r.optimizer.lr for r in added] == [0.1 / 3, 0.1 * 3]
    assert base.optimizer == adam.optimizer and base.color == fans.shade("#0072B2", 0.0)
    for r in added:
        assert r.optimizer.hp["betas"] == (0.8, 0.99) and r.clip_grad_norm == 2.0
        assert r.scheduler.to_dict() == adam.scheduler.to_dict()
        assert r.scheduler.optimizer == r.optimizer            # rebuilt for its optimizer
    assert [r.label for r in added] == ["Adam · lr 0.0333", "Adam · lr 0.3"]


def test_an_lr_fan_is_lighter_below_and_darker_above():
    base, added = fans.lr_fan(Run(SGD), (0.1, 0.5, 2, 10), "SGD", "#D55E00")

    def hls(c):
        return colorsys.rgb_to_hls(*(int(c[k:k + 2], 16) / 255 for k in (1, 3, 5)))
    light = [hls(r.color)[1] for r in (added[0], added[1], base, added[2], added[3])]
    assert light == sorted(light, reverse=True)              # smaller lr, lighter
    assert light[0] == pytest.approx(fans.LIGHTEST, abs=0.01)
    assert light[-1] == pytest.approx(fans.DARKEST, abs=0.01)
    for r in (base, *added):                                  # the hue stays
        assert hls(r.color)[0] == pytest.approx(hls("#D55E00")[0], abs=0.01)


def test_an_lr_fan_refuses_what_torch_refuses():
    with pytest.raises(ConfigError, match=r"lr × 1e\+308: SGD: lr must be a finite number"):
        fans.lr_fan(Run(make_optimizer("sgd", lr=10.0)), (1e308,), "SGD", "#000000")


@pytest.mark.parametrize("text,expected", [
    ("⅓, 1, 3", (1 / 3, 1.0, 3.0)), ("{1/3, 1, 3}", (1 / 3, 1.0, 3.0)),
    ("0.1 10", (0.1, 10.0)), ("½;2", (0.5, 2.0)), ("1e-2", (0.01,))])
def test_factors_read_as_typed(text, expected):
    assert fans.parse_factors(text) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("text", ["", "0", "-1", "a", "1/0", "inf"])
def test_bad_factors_are_one_sentence(text):
    with pytest.raises(ConfigError, match="lr factors"):
        fans.parse_factors(text)


# ----------------------------------------------------------------- seed fans
def test_a_seed_fan_is_the_run_on_the_next_seeds_in_its_colour():
    base, added = fans.seed_fan(Run(SGD), BATCHED, 3, "SGD", "#009E73")
    assert base.batch_seed == 3 and base.color == "#009E73"      # the surface's seed, made explicit
    assert [r.batch_seed for r in added] == [4, 5, 6]
    assert {r.color for r in added} == {"#009E73"} and added[0].label == "SGD · seed 4"
    colors = [r.color for r in (base, *added)]
    assert fans.seed_fans([Run(SGD), base, *added], ["#000000", *colors]) == [(1, 2, 3, 4)]


def test_a_seed_fan_needs_mini_batches():
    with pytest.raises(ConfigError, match="mini-batch"):
        fans.seed_fan(Run(SGD), BASE, 3, "SGD", "#009E73")


def test_seed_fans_group_alike_runs_with_seeds_only():
    a, b = Run(SGD, batch_seed=1), Run(SGD, batch_seed=2)
    other = Run(make_optimizer("sgd", lr=0.03), batch_seed=3)
    plain = Run(SGD)
    runs = [a, plain, b, other, plain]
    assert fans.seed_fans(runs, ["#111111"] * 5) == [(0, 2)]
    assert fans.seed_fans(runs, ["#111111", "#111111", "#222222", "#111111", "#111111"]) == []


def test_the_mean_path_averages_the_paths_that_reach_each_step():
    p = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 4.0]])
    q = np.array([[2.0, 2.0], [3.0, 5.0]])
    np.testing.assert_array_equal(fans.mean_path([p, q]),
                                  [[1.0, 1.0], [2.0, 3.0], [2.0, 4.0]])
    assert fans.mean_path([]).shape == (0, 2)
