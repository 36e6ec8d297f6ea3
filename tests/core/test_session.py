"""The session file (a public contract): every field validated, saved atomically, round trip."""

import copy
import json
import os

import numpy as np
import pytest

from optiviz_gui.core import session
from optiviz_gui.core.errors import ConfigError
from optiviz_gui.resources import resource_path

BLOG = json.loads(resource_path("presets", "blog.json").read_text())


def test_the_blog_preset_is_the_design_example():
    sim = session.from_dict(BLOG)
    assert sim.start == (2.0, 9.0) and sim.steps == 100
    assert sim.labels() == ["SGD", "SGD-momentum", "RMSprop", "Adam"]
    assert [r.optimizer.hp["lr"] for r in sim.runs] == [0.1] * 4
    assert sim.runs[1].optimizer.hp["momentum"] == 0.2
    # the regression's minimum is near the true (intercept, slope) = (−2, 2)
    np.testing.assert_allclose(sim.surface.minima[0], [-2.0, 2.0], atol=1e-3)


def mutate(path, value):
    """BLOG with the key at ``path`` set to ``value`` (or deleted when value is DELETE)."""
    obj = copy.deepcopy(BLOG)
    target = obj
    for key in path[:-1]:
        target = target[key]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return obj


DELETE = object()

BAD = [
    (("format",), "optiviz-sess", "format"),
    (("format",), DELETE, "format"),
    (("version",), 2, "version"),
    (("version",), "1", "version"),
    (("version",), True, "version"),
    (("version",), DELETE, "version"),
    (("colour",), "red", "colour"),
    (("surface",), "rosenbrock", "surface"),
    (("surface",), DELETE, "surface"),
    (("surface", "kind"), "banana", "banana"),
    (("surface", "noise"), -1.0, "noise"),
    (("surface", "n"), "many", "n"),
    (("surface", "wobble"), 1, "wobble"),
    (("start",), [1.0], "start"),
    (("start",), [1.0, "2"], "start"),
    (("start",), [1.0, float("nan")], "start"),
    (("start",), "2,9", "start"),
    (("start",), DELETE, "start"),
    (("steps",), 0, "steps"),
    (("steps",), 2.5, "steps"),
    (("steps",), True, "steps"),
    (("steps",), 10_000_000, "steps"),
    (("optimizers",), [], "optimizers"),
    (("optimizers",), {"name": "sgd"}, "optimizers"),
    (("optimizers",), DELETE, "optimizers"),
    (("optimizers", 0), "sgd", "optimizers[0]"),
    (("optimizers", 0, "name"), "sgdd", "sgdd"),
    (("optimizers", 0, "name"), DELETE, "name"),
    (("optimizers", 0, "lr"), -0.1, "lr"),
    (("optimizers", 0, "lr"), "fast", "lr"),
    (("optimizers", 0, "nesterov"), True, "nesterov"),
    (("optimizers", 0, "momentum"), None, "momentum"),
    (("optimizers", 0, "betas"), [0.9, 0.99], "betas"),
    (("optimizers", 3, "betas"), [0.9], "betas"),
    (("optimizers", 3, "betas"), [1.5, 0.999], "betas"),
    (("optimizers", 3, "eps"), -1e-8, "eps"),
    (("optimizers", 3, "amsgrad"), "yes", "amsgrad"),
    (("optimizers", 1, "label"), "", "label"),
    (("optimizers", 1, "label"), 3, "label"),
    (("optimizers", 1, "color"), "blue-ish", "color"),
]


@pytest.mark.parametrize("path,value,key", BAD, ids=[f"{'.'.join(map(str, p))}={v!r}"[:60] for p, v, _ in BAD])
def test_bad_input_is_one_sentence_naming_the_key(path, value, key):
    with pytest.raises(ConfigError) as info:
        session.from_dict(mutate(path, value))
    message = str(info.value)
    assert key in message
    assert "\n" not in message and message.endswith(".")


def test_a_missing_or_broken_file_is_one_sentence(tmp_path):
    with pytest.raises(ConfigError, match="No such session file"):
        session.load(tmp_path / "nope.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "optiviz-session", "version": 1,')
    with pytest.raises(ConfigError, match="not valid JSON.*line 1"):
        session.load(broken)
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"format": "\xe9"}')
    with pytest.raises(ConfigError, match="UTF-8"):
        session.load(latin)
    with pytest.raises(ConfigError, match="JSON object"):
        session.from_dict([1, 2])


def test_csv_paths_are_relative_to_the_session_file(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, 50)
    rows = "\n".join(f"{float(a)!r},{float(3 - 0.5 * a)!r}" for a in x)
    (data / "pts.csv").write_text("x,y\n" + rows + "\n")
    obj = mutate(("surface",), {"kind": "linear_regression", "csv": "data/pts.csv"})
    path = tmp_path / "s.json"
    path.write_text(json.dumps(obj))
    sim = session.load(path)
    np.testing.assert_allclose(sim.surface.minima[0], [3.0, -0.5], rtol=1e-12)
    # saved elsewhere, the path is rewritten relative to the new folder
    other = tmp_path / "sub" / "deeper"
    other.mkdir(parents=True)
    session.save(sim, other / "copy.json")
    saved = json.loads((other / "copy.json").read_text())
    assert saved["surface"]["csv"] == "../../data/pts.csv"
    again = session.load(other / "copy.json")
    np.testing.assert_allclose(again.surface.minima, sim.surface.minima)


def test_save_round_trips_and_writes_only_non_defaults(tmp_path):
    sim = session.from_dict(BLOG)
    path = tmp_path / "blog.json"
    session.save(sim, path)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["format"] == "optiviz-session" and saved["version"] == 1
    assert saved["optimizers"][0] == {"name": "sgd", "lr": 0.1}
    assert saved["optimizers"][1] == {"name": "sgd", "lr": 0.1, "momentum": 0.2,
                                      "label": "SGD-momentum"}
    again = session.load(path)
    assert [r.optimizer for r in again.runs] == [r.optimizer for r in sim.runs]
    assert again.start == sim.start and again.steps == sim.steps
    assert session.to_dict(again) == session.to_dict(sim)


def test_a_failed_save_leaves_the_old_file_whole(tmp_path, monkeypatch):
    sim = session.from_dict(BLOG)
    path = tmp_path / "keep.json"
    path.write_text("the old contents")

    def crash(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(ConfigError, match="Cannot write .*keep.json: no space left on device"):
        session.save(sim, path)
    assert path.read_text() == "the old contents"
    assert os.listdir(tmp_path) == ["keep.json"]


def test_saving_into_a_missing_folder_is_one_sentence(tmp_path):
    sim = session.from_dict(BLOG)
    with pytest.raises(ConfigError, match="Cannot write"):
        session.save(sim, tmp_path / "missing" / "x.json")


def test_every_shipped_preset_loads_and_runs():
    presets = sorted(p.name for p in resource_path("presets").iterdir() if p.name.endswith(".json"))
    assert {"blog.json", "rosenbrock.json", "ravine.json", "saddle.json"} <= set(presets)
    for name in presets:
        sim = session.load(resource_path("presets", name))
        sim.seek(sim.steps)
        assert all(t.steps >= 1 for t in sim.trajectories), name


def test_a_network_refuses_optimizers_torch_applies_per_weight_matrix():
    obj = {"format": "optiviz-session", "version": 1,
           "surface": {"kind": "mlp", "n": 50, "hidden": [4]}, "start": [0.0, 0.0],
           "optimizers": [{"name": "adam"}, {"name": "adafactor"}]}
    with pytest.raises(ConfigError, match=r"^optimizers\[1\]: Adafactor cannot train the network"):
        session.from_dict(obj)
    obj["optimizers"] = [{"name": "lbfgs"}, {"name": "sgd", "lr": 0.1}]
    sim = session.from_dict(obj)
    sim.seek(3)
    assert all(t.steps == 3 and t.theta.shape == (4, sim.surface.dim) for t in sim.trajectories)
