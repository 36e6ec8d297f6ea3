"""make_surface for kind "mlp": DESIGN.md's defaults, and every bad value one sentence naming the key."""

from __future__ import annotations

import pytest

from optiviz_gui.core.errors import ConfigError
from optiviz_gui.core.surfaces import make_surface
from optiviz_gui.core.surfaces.mlp import MLPSurface

DESIGN_EXAMPLE = {"kind": "mlp", "data": "moons", "n": 200, "noise": 0.2, "seed": 0,
                  "hidden": [8, 8], "activation": "tanh", "plane": "random", "plane_seed": 0}


def test_defaults_are_designs_example():
    surface = make_surface({"kind": "mlp"}, ".")
    assert isinstance(surface, MLPSurface)
    assert surface.to_dict() == DESIGN_EXAMPLE
    assert make_surface(DESIGN_EXAMPLE, ".").to_dict() == DESIGN_EXAMPLE


def test_the_limits_themselves_are_accepted():
    surface = make_surface({"kind": "mlp", "n": 2, "noise": 10, "hidden": [32, 1, 32, 2]}, ".")
    assert surface.sizes == (2, 32, 1, 32, 2, 1)
    assert make_surface({"kind": "mlp", "n": 2000}, ".").data[0].shape == (2000, 2)
    assert make_surface({"kind": "mlp", "hidden": []}, ".").sizes == (2, 1)   # logistic regression


@pytest.mark.parametrize("changes, message", [
    ({"data": "waves"}, ("surface.data must be one of moons, circles, xor, spiral, blobs or csv, "
                         "got 'waves'.")),
    ({"n": 1}, "surface.n must be between 2 and 2000, got 1."),
    ({"n": 2001}, "surface.n must be between 2 and 2000, got 2001."),
    ({"n": 20.0}, "surface.n must be a whole number, got 20.0."),
    ({"noise": -0.1}, "surface.noise must be a number between 0 and 10, got -0.1."),
    ({"noise": "0.2"}, "surface.noise must be a number between 0 and 10, got '0.2'."),
    ({"noise": float("nan")}, "surface.noise must be a number between 0 and 10, got nan."),
    ({"seed": -1}, "surface.seed must be ≥ 0, got -1."),
    ({"seed": True}, "surface.seed must be a whole number, got True."),
    ({"plane_seed": 1.5}, "surface.plane_seed must be a whole number, got 1.5."),
    ({"hidden": 8}, "surface.hidden must be a list of at most 4 layer widths such as [8, 8], got 8."),
    ({"hidden": [8] * 5}, "surface.hidden must be a list of at most 4 layer widths"),
    ({"hidden": [8, 0]}, "surface.hidden[1] must be a whole number between 1 and 32, got 0."),
    ({"hidden": [33]}, "surface.hidden[0] must be a whole number between 1 and 32, got 33."),
    ({"hidden": [8, 8.0]}, "surface.hidden[1] must be a whole number between 1 and 32, got 8.0."),
    ({"activation": "softplus"}, ("surface.activation must be one of tanh, relu, sigmoid, gelu, "
                                  "got 'softplus'.")),
    ({"plane": "hessian"}, "surface.plane must be one of random, pca, got 'hessian'."),
    ({"csv": "d.csv"}, "surface.csv needs surface.data \"csv\" (data is 'moons')."),
    ({"data": "csv"}, "surface.csv must be a file name when surface.data is \"csv\", got None."),
    ({"data": "csv", "csv": "d.csv", "n": 10},
     "surface.n cannot be combined with surface.data \"csv\" (the points come from the file)."),
    ({"expr": "x"}, ("surface.expr is not a setting of a mlp surface (it takes data, n, noise, "
                     "seed, hidden, activation, plane, plane_seed, csv, bounds).")),
    ({"bounds": [[1, 0], [0, 1]]}, "surface.bounds[0] must be [x_min, x_max]"),
])
def test_bad_values_are_one_sentence_naming_the_key(changes, message):
    with pytest.raises(ConfigError) as err:
        make_surface({"kind": "mlp", **changes}, ".")
    assert str(err.value).startswith(message)


def test_csv_is_read_relative_to_the_session_and_its_errors_name_the_file(tmp_path):
    (tmp_path / "bad.csv").write_text("x1,x2,label\n0,0,0\n1,1,3\n")
    with pytest.raises(ConfigError, match=r"^bad.csv line 3: the label must be 0 or 1, got '3'.$"):
        make_surface({"kind": "mlp", "data": "csv", "csv": "bad.csv"}, tmp_path)
    with pytest.raises(ConfigError, match=r"^gone.csv: no such data file.$"):
        make_surface({"kind": "mlp", "data": "csv", "csv": "gone.csv"}, tmp_path)


def test_bounds_are_the_view_window_and_saved():
    surface = make_surface({"kind": "mlp", "bounds": [[-3, 3], [-0.5, 2]]}, ".")
    assert surface.bounds == ((-3.0, 3.0), (-0.5, 2.0))
    assert surface.to_dict()["bounds"] == [[-3.0, 3.0], [-0.5, 2.0]]
