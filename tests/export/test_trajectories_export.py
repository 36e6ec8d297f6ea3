"""Trajectory export: the CSV contract of `optiviz run` and the JSON with the full per-step state,
pinned to torch.optim itself (same steps, same state under the same names), streamed in blocks
(which must not change a number) into text that is exactly what the json module writes."""

import csv
import io
import json

import numpy as np
import pytest

from optiviz_gui.core import session
from optiviz_gui.core.errors import ConfigError
from optiviz_gui.export import trajectories
from optiviz_gui.export.trajectories import write_csv, write_json, write_trajectories

torch = pytest.importorskip("torch")

BOOTH = {"format": "optiviz-session", "version": 1, "surface": {"kind": "booth"},
         "start": [8.0, -6.0], "steps": 25,
         "optimizers": [{"name": "adam", "lr": 0.5, "amsgrad": True},
                        {"name": "sgd", "lr": 0.01, "momentum": 0.9, "label": "heavy ball"},
                        {"name": "rmsprop", "lr": 0.05, "centered": True, "momentum": 0.5}]}


def booth(p):
    x, y = p[0], p[1]
    return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2


def torch_history(cls, steps, start, **hp):
    """θ_k, ∇f(θ_k) and torch's state after k steps, k = 0..steps."""
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = cls([p], **hp)
    rows = []
    for k in range(steps + 1):
        opt.zero_grad()
        f = booth(p)
        f.backward()
        state = {n: (int(v.item()) if n == "step" else v.detach().numpy().copy())
                 for n, v in opt.state[p].items()} if k else {}
        rows.append((p.detach().numpy().copy(), float(f.detach()), p.grad.numpy().copy(), state))
        if k < steps:
            opt.step()
    return rows


@pytest.fixture(params=[7, trajectories.BLOCK], ids=["blocks of 7", "default blocks"])
def sim(request, monkeypatch):
    """The Booth session, its runs computed and written in blocks of 7 steps or the default."""
    monkeypatch.setattr(trajectories, "BLOCK", request.param)
    return session.from_dict(BOOTH)


def json_text(sim):
    out = io.StringIO()
    write_json(sim, out)
    return out.getvalue()


def trajectories_dict(sim):
    return json.loads(json_text(sim))


def trajectories_csv(sim):
    out = io.StringIO()
    write_csv(sim, out)
    return out.getvalue()


def test_json_state_is_torchs_state_step_by_step(sim):
    data = trajectories_dict(sim)
    runs = {r["label"]: r for r in data["runs"]}
    cases = {"Adam": (torch.optim.Adam, dict(lr=0.5, amsgrad=True)),
             "heavy ball": (torch.optim.SGD, dict(lr=0.01, momentum=0.9)),
             "RMSprop": (torch.optim.RMSprop, dict(lr=0.05, centered=True, momentum=0.5))}
    for label, (cls, hp) in cases.items():
        ours = runs[label]["history"]
        ref = torch_history(cls, 25, [8.0, -6.0], **hp)
        assert len(ours) == 26
        for k, (step, (theta, f, grad, state)) in enumerate(zip(ours, ref)):
            assert step["step"] == k
            np.testing.assert_allclose(step["params"], theta, rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(step["loss"], f, rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(step["grad"], grad, rtol=1e-12, atol=1e-11)
            for name, value in state.items():       # every buffer torch keeps, by its name
                assert name in step["state"], (label, k, name)
                if name == "step":
                    assert step["state"]["step"] == value
                else:
                    np.testing.assert_allclose(step["state"][name], value, rtol=1e-12,
                                               atol=1e-14, err_msg=f"{label} {name} at {k}")
            if k:
                np.testing.assert_allclose(step["update"], theta - ref[k - 1][0], atol=1e-12)
            else:
                assert step["update"] is None


def test_json_names_the_buffers_like_torch(sim):
    runs = trajectories_dict(sim)["runs"]
    names = {r["optimizer"]: set(r["state_names"]) for r in runs}
    assert {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"} <= names["adam"]
    assert "momentum_buffer" in names["sgd"]
    assert {"square_avg", "grad_avg", "momentum_buffer"} <= names["rmsprop"]


def test_json_reads_back_in_full_precision(sim, tmp_path):
    out = tmp_path / "t.json"
    write_trajectories(out, sim)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "optiviz-trajectories" and data["version"] == 1
    assert data["steps"] == 25
    assert data["session"]["optimizers"][1]["label"] == "heavy ball"
    sim.seek(sim.steps)                  # the model's own trajectories, in one piece
    for run, t in zip(data["runs"], sim.trajectories):
        xy = np.array([s["params"] for s in run["history"]])
        assert np.array_equal(xy, t.params)                    # bit for bit
        assert run["hyperparameters"]["lr"] in (0.5, 0.01, 0.05)
        assert run["status"] in ("running", "converged", "diverged")


def test_json_text_is_what_the_json_module_writes(sim):
    """Streamed a step at a time, the text is still json.dumps(obj, indent=1) + newline."""
    text = json_text(sim)
    assert text == json.dumps(json.loads(text), indent=1, allow_nan=False) + "\n"


def test_json_reports_divergence():
    obj = dict(BOOTH, optimizers=[{"name": "sgd", "lr": 2.0}], steps=60)
    sim = session.from_dict(obj)
    run = trajectories_dict(sim)["runs"][0]
    assert run["status"] == "diverged"
    # lr 2 on Booth (Hessian eigenvalues 4 and 36): |1 − 2·36| = 71 a step, out of bounds fast
    assert run["diverged_at"] is not None and len(run["history"]) == run["diverged_at"]


def test_csv_is_the_run_contract(sim, tmp_path):
    text = trajectories_csv(sim)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["optimizer", "step", "x", "y", "loss", "grad_x", "grad_y"]
    assert len(rows) == 1 + 3 * 26
    ref = torch_history(torch.optim.Adam, 25, [8.0, -6.0], lr=0.5, amsgrad=True)
    adam = [r for r in rows[1:] if r[0] == "Adam"]
    for (_, step, x, y, f, gx, gy), (theta, loss, grad, _) in zip(adam, ref):
        np.testing.assert_allclose([float(x), float(y)], theta, rtol=1e-12)
        np.testing.assert_allclose([float(gx), float(gy)], grad, rtol=1e-12, atol=1e-11)
    out = tmp_path / "t.csv"
    write_trajectories(out, sim)
    assert out.read_text(encoding="utf-8") == text


def test_other_suffixes_are_refused(sim, tmp_path):
    with pytest.raises(ConfigError, match=r"\.csv or \.json\.$"):
        write_trajectories(tmp_path / "t.txt", sim)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_a_failure_half_way_leaves_no_file(sim, tmp_path, monkeypatch, suffix):
    """A full disk after the first run is written: the temporary file goes, and an
    older file of that name stays as it was."""
    import errno
    import os

    real = trajectories.computed
    runs = []

    def computed(sim, run):
        runs.append(run)
        if len(runs) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(sim, run)
    monkeypatch.setattr(trajectories, "computed", computed)
    out = tmp_path / f"t{suffix}"
    out.write_text("the old file")
    with pytest.raises(ConfigError, match="no space left on device"):
        write_trajectories(out, sim)
    assert out.read_text() == "the old file"
    assert list(tmp_path.iterdir()) == [out]
