"""The network surface through the model: a session's Simulation trained against torch, the
PCA plane a session asks for, and the accuracy per step.

tests/core/test_mlp_training.py drives our optimizers by hand; here the whole loop of
the app and of ``optiviz run`` (session → Simulation → Trajectory: loss and gradient,
the optimizer step, the scheduler step) is matched to a torch training loop.
"""

from __future__ import annotations

import json
import subprocess
import sys
from itertools import pairwise

import numpy as np
import pytest
from mlp_torch import torch_net

from optiviz_gui.core import session
from optiviz_gui.core.accuracy import accuracy

SURFACE = {"kind": "mlp", "data": "moons", "n": 200, "noise": 0.2, "seed": 0,
           "hidden": [8, 8], "activation": "tanh", "plane": "random", "plane_seed": 0}
RUNS = [{"name": "sgd", "lr": 0.5},
        {"name": "adam", "lr": 0.02},
        {"name": "adamw", "lr": 0.05, "weight_decay": 0.01,
         "scheduler": {"name": "cosineannealinglr", "T_max": 100, "eta_min": 0.001}}]


def session_dict(surface=None, start=(0.3, -0.2), steps=100, runs=RUNS):
    return {"format": "optiviz-session", "version": 1, "surface": {**SURFACE, **(surface or {})},
            "start": list(start), "steps": steps, "optimizers": runs}


# ------------------------------------------------------------ against torch
def torch_training(torch, surface, entry, theta0, steps):
    """θ_0..θ_steps and the losses of torch training the same nn.Sequential: zero_grad,
    BCEWithLogitsLoss, backward, optimizer.step(), scheduler.step()."""
    net = torch_net(torch, surface.sizes, surface.activation, theta0)
    hyper = {k: v for k, v in entry.items() if k not in ("name", "scheduler")}
    opt = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam,
           "adamw": torch.optim.AdamW}[entry["name"]](net.parameters(), **hyper)
    sched = None
    if "scheduler" in entry:
        spec = entry["scheduler"]
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=spec["T_max"],
                                                           eta_min=spec["eta_min"])
    X, y = (torch.tensor(a) for a in surface.data)
    thetas, losses = [np.asarray(theta0, dtype=float)], []
    for _ in range(steps + 1):
        opt.zero_grad()
        loss = torch.nn.BCEWithLogitsLoss()(net(X).squeeze(1), y)
        losses.append(loss.item())
        if len(losses) > steps:
            break
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
        thetas.append(torch.nn.utils.parameters_to_vector(net.parameters()).detach().numpy().copy())
    return np.array(thetas), np.array(losses)


def test_a_sessions_runs_match_torch_training_the_same_net_for_100_steps():
    torch = pytest.importorskip("torch")
    dtype, threads = torch.get_default_dtype(), torch.get_num_threads()
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(1)           # a second thread only spins on two busy cores
    try:
        sim = session.from_dict(session_dict())
        sim.seek(100)
        for entry, t in zip(RUNS, sim.trajectories):
            assert t.steps == 100
            theirs, losses = torch_training(torch, sim.surface, entry, t.theta[0], 100)
            np.testing.assert_allclose(t.theta, theirs, rtol=1e-9,
                                       atol=1e-9 * np.abs(theirs).max(), err_msg=entry["name"])
            np.testing.assert_allclose(t.loss, losses, rtol=1e-9, err_msg=entry["name"])
            assert losses[-1] < 0.5 * losses[0]                 # it did train
    finally:
        torch.set_default_dtype(dtype)
        torch.set_num_threads(threads)


def test_the_start_is_the_point_of_the_plane_and_the_drawn_path_its_projection():
    sim = session.from_dict(session_dict(steps=20))
    sim.seek(20)
    s = sim.surface
    t = sim.trajectories[1]
    np.testing.assert_allclose(t.theta[0], s.theta0 + 0.3 * s.directions[0] - 0.2 * s.directions[1],
                               rtol=1e-15, atol=1e-15)
    # least squares on the two directions, by numpy's own solver
    coords = np.linalg.lstsq(s.directions.T, (t.theta - s.theta0).T, rcond=None)[0].T
    np.testing.assert_allclose(t.params, coords, rtol=1e-9, atol=1e-12)
    residual = t.theta - s.theta0 - coords @ s.directions
    np.testing.assert_allclose(t.distance, np.linalg.norm(residual, axis=1), rtol=1e-9, atol=1e-12)
    assert t.distance[0] < 1e-12 < t.distance[-1]             # the path leaves the plane


# ------------------------------------------------------------ "plane": "pca"
def principal_axes(paths, theta0):
    """The top two right singular vectors of every path's θ_k − θ₀, stacked (numpy's SVD)."""
    offsets = np.concatenate(paths) - theta0
    return np.linalg.svd(offsets, full_matrices=False)[2][:2]


@pytest.fixture(scope="module")
def pca_session():
    obj = session_dict({"plane": "pca"}, start=(0.0, 0.0), steps=60, runs=RUNS[:2])
    return obj, session.from_dict(obj)


def test_a_pca_session_is_seen_on_the_principal_plane_of_its_paths(pca_session):
    _, sim = pca_session
    random = session.from_dict(session_dict(start=(0.0, 0.0), steps=60, runs=RUNS[:2]))
    random.seek(60)
    paths = [t.theta for t in random.trajectories]   # the same runs: they start at θ₀ either way
    axes = principal_axes(paths, random.surface.theta0)
    d = sim.surface.directions
    np.testing.assert_allclose(np.abs(np.sum(d * axes, axis=1)), [1.0, 1.0], rtol=1e-9)
    np.testing.assert_allclose(d @ d.T, np.eye(2), atol=1e-12)
    assert "principal" in sim.surface.formula and sim.surface.to_dict()["plane"] == "pca"
    assert sim.start == (0.0, 0.0) and sim.step == 0
    sim.seek(60)
    for mine, theirs in zip(sim.trajectories, paths):
        np.testing.assert_array_equal(mine.theta, theirs)     # the runs keep their θ
        np.testing.assert_allclose(mine.params, (theirs - random.surface.theta0) @ d.T,
                                   rtol=1e-9, atol=1e-12)


def test_a_pca_session_saved_and_opened_again_has_the_same_plane(pca_session, tmp_path):
    _, sim = pca_session
    path = tmp_path / "pca.json"
    session.save(sim, path)
    again = session.load(path)
    np.testing.assert_allclose(again.surface.directions, sim.surface.directions, rtol=1e-12,
                               atol=1e-15)
    np.testing.assert_allclose(again.surface.bounds, sim.surface.bounds, rtol=1e-12)


def test_optiviz_run_draws_a_pca_session_on_the_principal_plane(pca_session, tmp_path):
    obj, _ = pca_session
    path = tmp_path / "pca.json"
    path.write_text(json.dumps(obj))
    out = tmp_path / "out.json"
    result = subprocess.run([sys.executable, "-m", "optiviz_gui.cli", "run", str(path), "-o",
                             str(out)], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    written = json.loads(out.read_text())
    runs = written["runs"]
    thetas = [np.array([row["theta"] for row in r["history"]]) for r in runs]
    theta0 = np.array(written["surface"]["theta0"])
    axes = principal_axes(thetas, theta0)
    for r, theta in zip(runs, thetas):
        xy = np.array([row["params"] for row in r["history"]])
        np.testing.assert_allclose(np.abs(xy), np.abs((theta - theta0) @ axes.T), rtol=1e-8,
                                   atol=1e-12)


def test_a_pca_session_started_off_theta0_keeps_its_start_and_its_runs(tmp_path):
    """The start [α, β] is read on the random plane; the fitted plane holds θ₀ and that
    start, and is the best such plane: its second direction is the top singular vector
    of the offsets with their component along the start taken out."""
    start = (0.5, -0.3)
    random = session.from_dict(session_dict(start=start, steps=60, runs=RUNS[:2]))
    random.seek(60)
    s0 = random.surface
    theta_s = s0.theta0 + start[0] * s0.directions[0] + start[1] * s0.directions[1]
    sim = session.from_dict(session_dict({"plane": "pca"}, start=start, steps=60, runs=RUNS[:2]))
    sim.seek(60)
    for mine, theirs in zip(sim.trajectories, random.trajectories):
        np.testing.assert_allclose(mine.theta, theirs.theta, rtol=1e-12, atol=1e-14)
    d = sim.surface.directions
    u = (theta_s - s0.theta0) / np.linalg.norm(theta_s - s0.theta0)
    offsets = np.concatenate([t.theta for t in random.trajectories]) - s0.theta0
    rest = offsets - np.outer(offsets @ u, u)
    v = np.linalg.svd(rest, full_matrices=False)[2][0]
    np.testing.assert_allclose(np.abs([d[0] @ u, d[1] @ v]), [1.0, 1.0], rtol=1e-9)
    assert sim.surface.project(theta_s)[1] < 1e-12            # the start is on the plane
    # saved, the start is read on the random plane again: the same runs, the same plane
    path = tmp_path / "pca.json"
    session.save(sim, path)
    np.testing.assert_allclose(json.loads(path.read_text())["start"], start, rtol=1e-12)
    again = session.load(path)
    again.seek(60)
    np.testing.assert_allclose(again.surface.directions, d, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(again.trajectories[1].theta, sim.trajectories[1].theta,
                               rtol=1e-9, atol=1e-12)


def test_a_pca_plane_that_cannot_be_fitted_is_one_sentence_naming_the_key():
    from optiviz_gui.core.errors import ConfigError
    with pytest.raises(ConfigError, match=r'^surface\.plane "pca": .*two directions'):
        session.from_dict(session_dict({"plane": "pca"}, start=(0.0, 0.0), steps=1,
                                       runs=RUNS[:1]))


# ------------------------------------------------------------------ accuracy
def direct_accuracy(surface, theta) -> float:
    """Count the points with (logit > 0) == label, by a forward pass written here."""
    X, y = surface.data
    h, start = X.T, 0
    sizes = surface.sizes
    for k, (fan_in, fan_out) in enumerate(pairwise(sizes)):
        w = theta[start:start + fan_in * fan_out].reshape(fan_out, fan_in)
        start += fan_in * fan_out
        b = theta[start:start + fan_out]
        start += fan_out
        h = w @ h + b[:, None]
        if k < len(sizes) - 2:
            h = np.tanh(h)
    return float(np.count_nonzero((h[0] > 0) == (y == 1)) / len(y))


def test_accuracy_per_step_counts_the_points_on_the_right_side(monkeypatch):
    sim = session.from_dict(session_dict(steps=80))
    sim.seek(30)
    t = sim.trajectories[1]
    evaluated = []
    original = type(t.surface).accuracy
    monkeypatch.setattr(type(t.surface), "accuracy",
                        lambda self, theta: evaluated.append(len(theta)) or original(self, theta))
    first = accuracy(t).copy()
    assert first.shape == (31,)
    sim.seek(80)
    assert accuracy(t) is not None and accuracy(t).shape == (81,)
    assert evaluated == [31, 50]              # once a step: only the new steps the second time
    np.testing.assert_array_equal(accuracy(t)[:31], first)
    direct = [direct_accuracy(sim.surface, theta) for theta in t.theta]
    np.testing.assert_array_equal(accuracy(t), direct)
    assert direct[0] < 0.9 < direct[-1]                      # Adam learns the moons


def test_accuracy_is_none_off_a_network():
    sim = session.load(None)
    assert accuracy(sim.trajectories[0]) is None


def test_logits_of_many_inputs_in_blocks_are_those_of_a_direct_forward(monkeypatch):
    from optiviz_gui.core.surfaces import network
    sim = session.from_dict(session_dict(steps=5))
    surface = sim.surface
    monkeypatch.setattr(network, "ONE_THREAD", 64 * 64)        # blocks of 64 inputs
    inputs = np.random.default_rng(4).normal(size=(1000, 2))
    theta = surface.theta0
    h, start = inputs.T, 0
    for k, (fan_in, fan_out) in enumerate(pairwise(surface.sizes)):
        w = theta[start:start + fan_in * fan_out].reshape(fan_out, fan_in)
        b = theta[start + fan_in * fan_out:start + fan_in * fan_out + fan_out]
        start += fan_in * fan_out + fan_out
        h = w @ h + b[:, None]
        h = np.tanh(h) if k < len(surface.sizes) - 2 else h
    np.testing.assert_allclose(surface.network.logits(theta, inputs), h[0], rtol=1e-12,
                               atol=1e-14)
    both = surface.network.logits(np.stack([theta, theta]), inputs)
    assert both.shape == (2, 1000)
    np.testing.assert_allclose(both[1], h[0], rtol=1e-12, atol=1e-14)
