"""`optiviz map` through the real command: the CSV contract, cells equal to lone runs,
the regression's stability boundary from its data, bad arguments."""

import csv
import io
import json
import subprocess
import sys

import numpy as np
import pytest

from optiviz_gui.core import session
from optiviz_gui.core.trajectory import Trajectory
from optiviz_gui.resources import resource_path

BLOG = str(resource_path("presets", "blog.json"))
HEADER = ["optimizer", "u", "v", "x", "y", "loss", "status", "step", "minimum"]
STATUSES = {"running", "converged", "diverged", "invalid"}


def optiviz(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "optiviz_gui.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def read(path):
    rows = list(csv.reader(io.StringIO(path.read_text())))
    assert rows[0] == HEADER
    return [dict(zip(HEADER, r)) for r in rows[1:]]


def session_file(tmp_path, **changes):
    obj = json.loads(open(BLOG).read())
    obj.update(changes)
    path = tmp_path / "s.json"
    path.write_text(json.dumps(obj))
    return str(path)


def test_start_map_of_every_run_is_the_lone_runs(tmp_path):
    out = tmp_path / "map.csv"
    result = optiviz("map", BLOG, "-o", str(out), "--grid", "6x5", "--steps", "60")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    rows = read(out)
    assert len(rows) == 4 * 6 * 5
    assert [r["optimizer"] for r in rows[::30]] == ["SGD", "SGD-momentum", "RMSprop", "Adam"]
    sim = session.load(BLOG)
    (x0, x1), (y0, y1) = sim.surface.bounds
    sgd = rows[:30]                                     # for each v, every u (file order)
    assert [float(r["u"]) for r in sgd[:6]] == list(np.linspace(x0, x1, 6))
    assert [float(r["v"]) for r in sgd[::6]] == list(np.linspace(y0, y1, 5))
    for run, block in zip(sim.runs, (rows[k:k + 30] for k in range(0, 120, 30))):
        for r in block[::7]:
            t = Trajectory(sim.surface, run.optimizer, (float(r["u"]), float(r["v"])))
            t.extend(60)
            assert r["x"] == repr(float(t.params[-1, 0])) and r["y"] == repr(float(t.params[-1, 1]))
            assert r["loss"] == repr(float(t.loss[-1]))
            converged = t.converged_at()
            assert r["status"] == ("converged" if converged is not None else "running")
            assert r["step"] == ("" if converged is None else str(converged))
            assert r["minimum"] == ("" if converged is None else "0")   # the fit, the one minimum
    assert {r["status"] for r in rows} == {"running", "converged"}


def test_lr_map_finds_the_regressions_stability_boundary(tmp_path):
    # plain descent on mean((a + b·x − y)²) diverges iff lr > 2/λ_max, λ_max the largest
    # eigenvalue of the Hessian 2·[[1, mean x], [mean x, mean x²]], from the data themselves
    sim = session.load(BLOG)
    x = sim.surface.x
    lam = np.linalg.eigvalsh(2 * np.array([[1, x.mean()], [x.mean(), (x * x).mean()]])).max()
    out = tmp_path / "lr.csv"
    result = optiviz("map", BLOG, "-o", str(out), "--run", "SGD", "--over", "lr:0.01:1",
                     "--grid", "40", "--steps", "400")
    assert result.returncode == 0, result.stderr
    rows = read(out)
    assert len(rows) == 40 and all(r["v"] == "" and r["optimizer"] == "SGD" for r in rows)
    lr = np.array([float(r["u"]) for r in rows])
    np.testing.assert_allclose(lr, np.geomspace(0.01, 1, 40), rtol=1e-15)
    diverged = np.array([r["status"] == "diverged" for r in rows])
    assert np.all(diverged[lr > 1.05 * 2 / lam]) and not np.any(diverged[lr < 0.95 * 2 / lam])
    assert diverged.sum() >= 10 and (~diverged).sum() >= 10
    for r in rows:
        if r["status"] == "diverged":                   # the last finite point, and where
            assert int(r["step"]) >= 1 and np.isfinite(float(r["loss"]))


def test_two_keyword_map_with_invalid_cells(tmp_path):
    # Nesterov needs dampening = 0 (torch refuses the rest): those cells are invalid, not errors
    path = session_file(tmp_path, optimizers=[
        {"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True, "label": "NAG"}])
    out = tmp_path / "nag.csv"
    result = optiviz("map", path, "-o", str(out), "--over", "lr", "--over", "dampening:0:0.3",
                     "--grid", "5x4", "--steps", "20")
    assert result.returncode == 0, result.stderr
    rows = read(out)
    assert len(rows) == 20
    for r in rows:
        assert r["status"] in STATUSES
        if float(r["v"]) == 0.0:
            assert r["status"] != "invalid" and r["x"] != ""
        else:
            assert r["status"] == "invalid"
            assert r["x"] == r["y"] == r["loss"] == r["step"] == r["minimum"] == ""
    assert [float(r["u"]) for r in rows[:5]] == pytest.approx(np.geomspace(5e-4, 5.0, 5), rel=1e-15)


@pytest.mark.parametrize("args, needle", [
    (["--run", "Nope"], "no run labelled 'Nope' (its runs: SGD, SGD-momentum, RMSprop, Adam)"),
    (["--run", "Adam", "--over", "lr", "--over", "momentum"],
     "Adam has no number keyword 'momentum' to map over (it has betas[0], betas[1], eps, "
     "weight_decay)"),
    (["--run", "SGD", "--over", "lr", "--over", "momentum:0.9:0.1"], "momentum range must be"),
    (["--over", "lr:1:0.1"], "lr range must be"),
    (["--grid", "5000"], "from 2 to 4096 cells a side, got 5000"),
    (["--grid", "3x"], "grid must look like 64 or 64x32"),
    (["--over", "momentum"], "--over is start, or lr"),
    (["--over", "lr:x:y"], "--over must look like"),
    (["--over", "start", "--over", "lr"], "--over start takes no range"),
    (["--over", "lr", "--grid", "8x8"], "needs a second keyword"),
    (["--steps", "0"], "steps must be a whole number from 1"),
    (["--color", "red"], "invalid choice: 'red'"),
])
def test_bad_arguments_are_one_sentence_exit_2_and_no_file(tmp_path, args, needle):
    out = tmp_path / "out.csv"
    result = optiviz("map", BLOG, "-o", str(out), *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("optiviz: ")
    assert needle in result.stderr
    assert list(tmp_path.iterdir()) == []


QUADRATIC = {"format": "optiviz-session", "version": 1,
             "surface": {"kind": "expression", "expr": "x**2 + 10*y**2"},
             "start": [1.5, 1.0], "steps": 200, "optimizers": [{"name": "sgd", "lr": 0.05}]}
VERMILLION, GREEN, ORANGE = (213, 94, 0), (0, 158, 115), (230, 159, 0)


def test_png_draws_the_lr_strip_with_the_stability_boundary_in_the_middle(tmp_path):
    # gradient descent on x² + 10y² diverges exactly for lr > 2/20 = 0.1: the middle of
    # a log axis from 0.01 to 1, so the 10 right cells of 20 are vermillion (diverged)
    path = tmp_path / "q.json"
    path.write_text(json.dumps(QUADRATIC))
    out = tmp_path / "q.png"
    result = optiviz("map", str(path), "-o", str(out), "--over", "lr:0.01:1", "--grid", "20")
    assert result.returncode == 0, result.stderr
    from PIL import Image
    image = np.asarray(Image.open(out).convert("RGB"))
    assert image.shape == (720, 900, 3)
    colour = {name: (image == c).all(axis=2) for name, c in
              (("diverged", VERMILLION), ("converged", GREEN), ("running", ORANGE))}
    cells = colour["diverged"] | colour["converged"] | colour["running"]
    rows = np.flatnonzero(cells.sum(axis=1) > image.shape[1] // 2)      # the strip's rows
    assert len(rows) > 300
    row = rows[len(rows) // 4]                     # clear of the marker in the middle
    xs = np.flatnonzero(cells[row])
    left, right = xs.min(), xs.max() + 1
    red = np.flatnonzero(colour["diverged"][row])
    assert red.max() + 1 == right and len(red) == red.max() - red.min() + 1   # one block, right
    middle = (left + right) / 2
    assert abs(red.min() - middle) <= 1.5
    assert not colour["diverged"][row, left:int(middle) - 1].any()


def test_png_of_several_runs_puts_them_side_by_side(tmp_path):
    out = tmp_path / "blog.png"
    result = optiviz("map", BLOG, "-o", str(out), "--grid", "8", "--steps", "10",
                     "--color", "loss")
    assert result.returncode == 0, result.stderr
    from PIL import Image
    assert Image.open(out).size == (2 * 900, 2 * 720)          # four runs: two by two


def test_other_suffixes_and_folders_are_refused_with_no_file(tmp_path):
    for name, needle in (("map.txt", "must end in .csv or .png"),
                         ("missing/map.png", "does not exist")):
        result = optiviz("map", BLOG, "-o", str(tmp_path / name))
        assert result.returncode == 2 and needle in result.stderr
        assert result.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_a_png_of_no_run_is_one_sentence(tmp_path):
    path = session_file(tmp_path, optimizers=[{"name": "sgd", "lr": 0.1, "enabled": False}])
    out = tmp_path / "none.png"
    result = optiviz("map", path, "-o", str(out))
    assert result.returncode == 2 and "switched off" in result.stderr
    assert result.stderr.count("\n") == 1 and not out.exists()
