"""`optiviz run` through the real command: the CSV contract, torch.optim agreement, bad input."""

import csv
import io
import json
import subprocess
import sys

import numpy as np
import pytest

from optiviz_gui.resources import resource_path

BLOG = str(resource_path("presets", "blog.json"))
HEADER = ["optimizer", "step", "x", "y", "loss", "grad_x", "grad_y"]


def optiviz(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "optiviz_gui.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def rows_by_label(text):
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == HEADER
    out = {}
    for label, step, *numbers in rows[1:]:
        out.setdefault(label, []).append((int(step), *map(float, numbers)))
    return {k: np.array(v) for k, v in out.items()}


def test_run_writes_the_blog_trajectories(tmp_path):
    out = tmp_path / "blog.csv"
    result = optiviz("run", BLOG, "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    data = rows_by_label(out.read_text())
    assert list(data) == ["SGD", "SGD-momentum", "RMSprop", "Adam"]
    for label, rows in data.items():
        assert rows.shape == (101, 6)
        assert list(rows[:, 0]) == list(range(101))
        assert tuple(rows[0, 1:3]) == (2.0, 9.0)          # step 0 is the start
    # plain descent on an MSE: loss goes down, the minimum is near the true (−2, 2)
    sgd = data["SGD"]
    np.testing.assert_allclose(sgd[-1, 1:3], [-2.0, 2.0], atol=1e-3)
    # the least-squares minimum is the noise variance, 0.001² = 1e-6 (to sampling error)
    assert 0.8e-6 < sgd[-1, 3] < 1.2e-6
    # the README's example: at lr 0.1 RMSprop and Adam have not reached the minimum after 100 steps
    for label in ("RMSprop", "Adam"):
        assert data[label][-1, 3] > 10 * sgd[-1, 3]


def test_stdout_is_the_same_csv_and_numbers_round_trip(tmp_path):
    out = tmp_path / "a.csv"
    optiviz("run", BLOG, "-o", str(out))
    result = optiviz("run", BLOG)
    assert result.returncode == 0
    assert result.stdout == out.read_text()
    for row in list(csv.reader(io.StringIO(result.stdout)))[1:50]:
        for text in row[2:]:
            assert repr(float(text)) == text      # shortest text that reads back the same


def all_optimizers_session(tmp_path):
    obj = json.loads(open(BLOG).read())
    obj["optimizers"] = [
        {"name": "sgd", "lr": 0.1},
        {"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True},
        {"name": "sgd", "lr": 0.05, "momentum": 0.5, "dampening": 0.3, "weight_decay": 0.01},
        {"name": "rmsprop", "lr": 0.1},
        {"name": "rmsprop", "lr": 0.01, "momentum": 0.5, "centered": True},
        {"name": "adam", "lr": 0.1},
        {"name": "adam", "lr": 0.1, "amsgrad": True, "weight_decay": 0.01},
        {"name": "adamw", "lr": 0.1},
        {"name": "adagrad", "lr": 0.5, "lr_decay": 0.01},
        {"name": "adadelta", "lr": 1.0},
        {"name": "adamax", "lr": 0.1},
        {"name": "nadam", "lr": 0.1},
        {"name": "radam", "lr": 0.1},
    ]
    path = tmp_path / "all.json"
    path.write_text(json.dumps(obj))
    return path, obj["optimizers"]


def test_every_optimizer_matches_torch_optim_over_100_steps(tmp_path):
    torch = pytest.importorskip("torch")
    from optiviz_gui.core.surfaces.regression import LinearRegression

    path, configs = all_optimizers_session(tmp_path)
    result = optiviz("run", str(path))
    assert result.returncode == 0, result.stderr
    ours = list(rows_by_label(result.stdout).values())
    surface = LinearRegression.synthetic()        # the same data the session describes
    x = torch.tensor(surface.x, dtype=torch.float64)
    y = torch.tensor(surface.y, dtype=torch.float64)
    classes = {c.__name__.lower(): c for c in (torch.optim.SGD, torch.optim.RMSprop,
               torch.optim.Adam, torch.optim.AdamW, torch.optim.Adagrad, torch.optim.Adadelta,
               torch.optim.Adamax, torch.optim.NAdam, torch.optim.RAdam)}
    # float64 everywhere: torch keeps NAdam's mu_product in the default dtype
    old_dtype = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        compare_with_torch(torch, classes, configs, ours, x, y)
    finally:
        torch.set_default_dtype(old_dtype)


def compare_with_torch(torch, classes, configs, ours, x, y):
    for config, rows in zip(configs, ours):
        kwargs = {k: v for k, v in config.items() if k != "name"}
        theta = torch.tensor([2.0, 9.0], dtype=torch.float64, requires_grad=True)
        opt = classes[config["name"]]([theta], **kwargs)
        path_ = [theta.detach().clone().numpy()]
        for _ in range(100):
            opt.zero_grad()
            loss = ((theta[0] + theta[1] * x - y) ** 2).mean()   # autograd over the data
            loss.backward()
            opt.step()
            path_.append(theta.detach().clone().numpy())
        np.testing.assert_allclose(rows[:, 1:3], np.array(path_), rtol=1e-9, atol=1e-12,
                                   err_msg=str(config))


@pytest.mark.parametrize("args,needle", [
    (["run", "missing.json"], "No such session file"),
    (["run", "bad.json"], "not valid JSON"),
    (["run", "wrongopt.json"], "optimizers[0].name 'sgdd'"),
    (["run", "badlr.json"], "lr"),
    (["run", "badcsv.json"], "line 3"),
    (["run"], "session"),
    (["frobnicate.json", "--quit-after", "soon"], "quit-after"),
])
def test_bad_input_is_one_sentence_exit_2_and_no_file(tmp_path, args, needle):
    obj = json.loads(open(BLOG).read())
    (tmp_path / "bad.json").write_text('{"format": ')
    (tmp_path / "wrongopt.json").write_text(json.dumps({**obj, "optimizers": [{"name": "sgdd"}]}))
    (tmp_path / "badlr.json").write_text(json.dumps({**obj, "optimizers": [{"name": "adam", "lr": -1}]}))
    (tmp_path / "pts.csv").write_text("x,y\n1,2\n3,abc\n")
    (tmp_path / "badcsv.json").write_text(json.dumps(
        {**obj, "surface": {"kind": "linear_regression", "csv": "pts.csv"}}))
    out = tmp_path / "out.csv"
    result = optiviz(*args, *(["-o", str(out)] if args and args[0] == "run" and len(args) > 1 else []),
                     cwd=tmp_path)
    assert result.returncode == 2
    assert needle in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".csv", ".part")) == ["pts.csv"]


def test_an_unwritable_output_is_one_sentence(tmp_path):
    result = optiviz("run", BLOG, "-o", str(tmp_path / "no" / "such" / "dir" / "out.csv"))
    assert result.returncode == 2
    assert result.stderr.startswith("optiviz: Cannot write")
    assert "Traceback" not in result.stderr
