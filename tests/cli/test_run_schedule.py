"""A scheduled, clipped session through `optiviz run`: the JSON carries every update's lr
(and the momentum a schedule moves), checked against torch's own lr scheduler; the CSV
keeps its public columns. (The app's Export trajectories: tests/ui/test_schedule_session.py.)
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from test_run import HEADER, optiviz

torch = pytest.importorskip("torch")

SESSION = {
    "format": "optiviz-session", "version": 1,
    "surface": {"kind": "booth"}, "start": [8.0, -6.0], "steps": 30,
    "optimizers": [
        {"name": "sgd", "lr": 0.05, "momentum": 0.9, "label": "one-cycle",
         "scheduler": {"name": "onecyclelr", "max_lr": 0.05, "total_steps": 30}},
        {"name": "adam", "lr": 0.5, "label": "step, clipped", "clip_grad_norm": 1.0,
         "scheduler": {"name": "steplr", "step_size": 10, "gamma": 0.5}, "enabled": False},
    ],
}


def torch_lr_and_momentum(steps):
    p = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.05, momentum=0.9)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=30)
    out = []
    for _ in range(steps):
        out.append((opt.param_groups[0]["lr"], opt.param_groups[0]["momentum"]))
        p.grad = torch.ones(2, dtype=torch.float64)
        opt.step()
        sched.step()
    return np.array(out)


def check_json(obj):
    one_cycle, step = obj["runs"]
    history = one_cycle["history"]
    assert len(history) == 31
    got = np.array([(row["lr"], row["momentum"]) for row in history[:30]])
    np.testing.assert_allclose(got, torch_lr_and_momentum(30), rtol=1e-12)
    assert step["enabled"] is False
    lrs = [row["lr"] for row in step["history"][:30]]
    np.testing.assert_allclose(lrs, 0.5 * 0.5 ** (np.arange(30) // 10), rtol=1e-15)   # by hand
    assert obj["session"]["optimizers"][1]["clip_grad_norm"] == 1.0
    assert obj["session"]["optimizers"][0]["scheduler"]["name"] == "onecyclelr"


def test_optiviz_run_writes_the_lr_of_every_update(tmp_path):
    session = tmp_path / "s.json"
    session.write_text(json.dumps(SESSION))
    result = optiviz("run", str(session), "-o", str(tmp_path / "t.json"))
    assert result.returncode == 0, result.stderr
    check_json(json.loads((tmp_path / "t.json").read_text()))
    result = optiviz("run", str(session), "-o", str(tmp_path / "t.csv"))
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader((tmp_path / "t.csv").open()))
    assert rows[0] == HEADER and len(rows) == 1 + 2 * 31
