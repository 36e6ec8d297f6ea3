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


def test_json_output_holds_the_same_points_as_the_csv(tmp_path):
    """-o F.json writes the JSON trajectories (DESIGN.md), not CSV in a .json file; its
    points, losses and gradients are the CSV's, number for number."""
    out = tmp_path / "blog.json"
    result = optiviz("run", BLOG, "-o", str(out))
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "optiviz-trajectories" and data["steps"] == 100
    csv_rows = rows_by_label(optiviz("run", BLOG).stdout)
    assert [r["label"] for r in data["runs"]] == list(csv_rows)
    for run in data["runs"]:
        ours = np.array([[s["step"], *s["params"], s["loss"], *s["grad"]] for s in run["history"]])
        assert np.array_equal(ours, csv_rows[run["label"]])       # bit for bit


def test_upper_case_suffixes_are_understood(tmp_path):
    out = tmp_path / "BLOG.CSV"
    assert optiviz("run", BLOG, "-o", str(out)).returncode == 0
    assert out.read_text().splitlines()[0] == ",".join(HEADER)


@pytest.mark.parametrize("name", ["out.txt", "out", "out.json.gz"])
def test_another_suffix_is_one_sentence_exit_2_and_no_file(tmp_path, name):
    result = optiviz("run", BLOG, "-o", str(tmp_path / name))
    assert result.returncode == 2
    assert result.stderr.strip() == (f"optiviz: Cannot export trajectories to '{name}': "
                                     f"the file name must end in .csv or .json.")
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


class Recorder:
    """A standard output that keeps what is written, write by write, in ``events``."""

    def __init__(self, events):
        self.events = events

    def write(self, text):
        self.events.append(("write", text))
        return len(text)

    def flush(self):
        pass


def test_standard_output_is_streamed_row_by_row(monkeypatch):
    """Rows go out as they are made: no write holds more than a row, and a run's rows
    are out before the next run is computed."""
    from optiviz_gui import cli
    from optiviz_gui.export import trajectories

    events = []
    real = trajectories.computed
    monkeypatch.setattr(trajectories, "computed",
                        lambda sim, run: events.append(("computed", run)) or real(sim, run))
    monkeypatch.setattr(sys, "stdout", Recorder(events))
    assert cli.main(["run", BLOG]) == 0
    kinds = [kind for kind, _ in events]
    assert kinds.count("computed") == 4
    assert max(len(text) for kind, text in events if kind == "write") < 200
    starts = [i for i, kind in enumerate(kinds) if kind == "computed"]
    for a, b in zip(starts, starts[1:]):
        assert kinds[a + 1: b] == ["write"] * 101          # a run's rows, then the next run
    text = "".join(text for kind, text in events if kind == "write")
    assert text == optiviz("run", BLOG).stdout


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_a_failure_half_way_is_one_sentence_and_leaves_no_file(tmp_path, monkeypatch, capsys,
                                                               suffix):
    """The disk fills after some rows are written: exit 2, one sentence, and neither
    the file nor its temporary file is left."""
    import errno
    import os

    from optiviz_gui import cli
    from optiviz_gui.export import trajectories

    real_open = open

    class Filling:
        """A file that is full after 20 writes."""

        def __init__(self, f):
            self.f, self.writes = f, 0

        def write(self, text):
            self.writes += 1
            if self.writes > 20:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return self.f.write(text)

        def __getattr__(self, name):
            return getattr(self.f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    monkeypatch.setattr(trajectories, "open", lambda *a, **k: Filling(real_open(*a, **k)),
                        raising=False)
    out = tmp_path / f"out{suffix}"
    assert cli.main(["run", BLOG, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == f"optiviz: Cannot write {out}: no space left on device.\n"
    assert list(tmp_path.iterdir()) == []


def test_a_reader_that_stops_early_is_no_error(tmp_path):
    """`optiviz run s.json | head -1`: the reader goes away after one line; the command
    ends quietly (no traceback) with status 1, as Python's own tools do."""
    obj = json.loads(open(BLOG).read())
    obj["steps"] = 20000                                   # about 8 MB of CSV
    session = tmp_path / "long.json"
    session.write_text(json.dumps(obj))
    proc = subprocess.Popen([sys.executable, "-m", "optiviz_gui.cli", "run", str(session)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline().decode().strip() == ",".join(HEADER)
    proc.stdout.close()
    assert proc.wait(timeout=120) == 1
    assert proc.stderr.read() == b""
    proc.stderr.close()
