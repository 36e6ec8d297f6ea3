"""MLPSurface: the plane seen as a 2-D Surface, predictions, the PCA plane and the session round trip."""

from __future__ import annotations

import numpy as np
import pytest
from mlp_torch import torch_net

from optiviz_gui.core.errors import ConfigError
from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.surfaces import make_surface
from optiviz_gui.core.surfaces import mlp as mlp_module
from optiviz_gui.core.surfaces.mlp import MLPSurface


@pytest.fixture(scope="module")
def surface():
    return MLPSurface.generated("moons", 120, 0.2, hidden=(6, 5), activation="tanh", seed=2)


def train(surface, steps=300, start=(0.0, 0.0), lr=0.05):
    opt = make_optimizer("adam", lr=lr)
    theta = surface.lift(start)
    state = opt.init(theta)
    path = [theta]
    for _ in range(steps):
        delta, state = opt.update(surface.value_and_grad_theta(theta)[1], state, theta)
        theta = theta + delta
        path.append(theta)
    return np.array(path)


def test_plane_values_are_the_network_loss_at_the_lifted_point(surface):
    a, b = np.array([[0.3], [-0.7]]), np.array([[0.1, 0.5, -1.0]])
    f, ga, gb = surface.value_and_grad_xy(a, b)
    theta = surface.lift(np.stack(np.broadcast_arrays(a, b), axis=-1))
    loss, grad = surface.value_and_grad_theta(theta)
    np.testing.assert_allclose(f, loss, rtol=1e-14)
    np.testing.assert_allclose(np.stack([ga, gb], axis=-1), grad @ surface.directions.T,
                               rtol=1e-13)
    np.testing.assert_allclose(surface.value_xy(a, b), loss, rtol=1e-14)


def test_plane_gradient_matches_central_differences(surface):
    a, b, h = 0.37, -0.21, 1e-6
    f, ga, gb = surface.value_and_grad_xy(a, b)
    assert f.shape == ga.shape == ()
    assert ga == pytest.approx((surface.value_xy(a + h, b) - surface.value_xy(a - h, b)) / (2 * h),
                               rel=1e-6)
    assert gb == pytest.approx((surface.value_xy(a, b + h) - surface.value_xy(a, b - h)) / (2 * h),
                               rel=1e-6)


def test_grid_is_the_loss_on_the_plane_in_pyqtgraph_order(surface, monkeypatch):
    monkeypatch.setattr(mlp_module, "LIFT_CHUNK", 3 * surface.dim)   # many lifted chunks
    xs, ys, z = surface.grid(9)
    assert z.shape == (9, 9)
    for i, j in [(0, 0), (2, 7), (8, 3)]:       # one θ alone goes through 2-D products: ulps
        assert z[i, j] == pytest.approx(surface.value_theta(surface.lift([xs[i], ys[j]])),
                                        rel=1e-14)
    assert surface.value(np.array([[0.0, 0.0]]))[0] == pytest.approx(
        surface.value_theta(surface.theta0), rel=1e-14)


def test_start_is_theta0_and_the_window_is_li_et_als(surface):
    assert surface.start == (0.0, 0.0)
    np.testing.assert_array_equal(surface.lift(surface.start), surface.theta0)
    assert surface.bounds == ((-1.0, 1.0), (-1.0, 1.0))
    assert surface.axis_labels == ("α", "β") and len(surface.minima) == 0
    assert surface.dim == 6 * 2 + 6 + 5 * 6 + 5 + 5 + 1
    assert surface.sizes == (2, 6, 5, 1) and surface.activation == "tanh"
    assert "Linear(2, 6), Tanh(), Linear(6, 5), Tanh(), Linear(5, 1)" in surface.formula


def test_predict_is_torchs_sigmoid_of_the_net_and_the_grid_is_in_order(surface):
    torch = pytest.importorskip("torch")
    theta = surface.lift([0.4, 0.2])
    xs, ys, p = surface.decision_grid(theta, n=7)
    inputs = np.array([[x, y] for x in xs for y in ys])
    with torch.no_grad():
        net = torch_net(torch, surface.sizes, "tanh", theta)
        ref = torch.sigmoid(net(torch.tensor(inputs))).squeeze(1).numpy().reshape(7, 7)
    np.testing.assert_allclose(p, ref, rtol=1e-14, atol=1e-16)
    (x0, x1), (y0, y1) = surface.data_bounds()
    X = surface.data[0]
    assert x0 < X[:, 0].min() and X[:, 0].max() < x1 and y0 < X[:, 1].min() and X[:, 1].max() < y1
    assert (xs[0], xs[-1], ys[0], ys[-1]) == (x0, x1, y0, y1)


def test_training_separates_the_moons(surface):
    path = train(surface)
    assert surface.accuracy(surface.theta0) < 0.9
    assert surface.accuracy(path[-1]) > 0.95
    assert surface.value_theta(path[-1]) < 0.2 < surface.value_theta(path[0])


def test_pca_plane_holds_the_paths_and_fits_the_window(surface):
    paths = [train(surface, 150, start, lr) for start, lr in [((0, 0), 0.05), ((0.5, -0.5), 0.02)]]
    pca = surface.with_pca_plane(paths)
    assert pca is not surface and surface.plane_kind == "random" and pca.plane_kind == "pca"
    assert "principal" in pca.formula and "random" in surface.formula
    np.testing.assert_allclose(pca.directions @ pca.directions.T, np.eye(2), atol=1e-12)
    np.testing.assert_array_equal(pca.theta0, surface.theta0)
    (a0, a1), (b0, b1) = pca.bounds
    for path in paths:
        ab, distance = pca.project(path)
        assert np.all((a0 < ab[:, 0]) & (ab[:, 0] < a1) & (b0 < ab[:, 1]) & (ab[:, 1] < b1))
        # the plane explains the paths better than the random plane does
        assert np.sum(distance**2) < np.sum(surface.project(path)[1] ** 2)
    assert a0 < 0 < a1 and b0 < 0 < b1
    assert pca.to_dict()["plane"] == "pca"


def test_pca_plane_keeps_a_window_set_in_the_session(surface):
    framed = MLPSurface.generated("moons", 120, 0.2, hidden=(6, 5), seed=2,
                                  plane="pca").set_bounds(((-5, 5), (-2, 2)))
    assert framed.with_pca_plane([train(framed, 50)]).bounds == ((-5.0, 5.0), (-2.0, 2.0))


def test_session_round_trip_generated():
    spec = {"kind": "mlp", "data": "spiral", "n": 150, "noise": 0.05, "seed": 3,
            "hidden": [16, 8, 4], "activation": "gelu", "plane": "pca", "plane_seed": 9,
            "bounds": [[-2.0, 2.0], [-1.0, 3.0]]}
    surface = make_surface(spec, ".")
    assert surface.to_dict() == spec
    again = make_surface(surface.to_dict(), ".")
    np.testing.assert_array_equal(again.theta0, surface.theta0)
    np.testing.assert_array_equal(again.directions, surface.directions)
    np.testing.assert_array_equal(again.data[0], surface.data[0])


def test_session_round_trip_csv(tmp_path):
    (tmp_path / "pts.csv").write_text("x1,x2,label\n0,0,0\n1,1,1\n2,0.5,1\n")
    surface = make_surface({"kind": "mlp", "data": "csv", "csv": "pts.csv"}, tmp_path)
    assert surface.to_dict() == {"kind": "mlp", "data": "csv", "csv": str(tmp_path / "pts.csv"),
                                 "seed": 0, "hidden": [8, 8], "activation": "tanh",
                                 "plane": "random", "plane_seed": 0}
    np.testing.assert_array_equal(surface.data[1], [0.0, 1.0, 1.0])


def test_the_seeds_draw_independent_streams():
    """Data, θ₀ and the plane come from seed and plane_seed, each from a stream of its own."""
    a = MLPSurface.generated("moons", 100, 0.2, seed=0, plane_seed=0)
    b = MLPSurface.generated("moons", 100, 0.2, seed=1, plane_seed=0)
    c = MLPSurface.generated("moons", 100, 0.2, seed=0, plane_seed=1)
    assert not np.array_equal(a.theta0, b.theta0) and not np.array_equal(a.data[0], b.data[0])
    np.testing.assert_array_equal(a.theta0, c.theta0)
    assert not np.allclose(a.directions, c.directions)
    # with one stream, d₁'s first neuron (a multiple of the first normals) would point like
    # the first data point's noise (the same normals): w₁₁ : w₁₂ = ε₁ : ε₂
    noise = (a.data[0] - MLPSurface.generated("moons", 100, 0.0).data[0])[0]
    assert abs(a.directions[0][0] / a.directions[0][1] - noise[0] / noise[1]) > 1e-3


@pytest.mark.parametrize("X, y, message", [
    (np.zeros((3, 3)), np.zeros(3), r"points \(N, 2\)"),
    (np.zeros((0, 2)), np.zeros(0), "no points"),
    (np.array([[0.0, np.inf]]), np.zeros(1), "not a finite number"),
    (np.zeros((2, 2)), np.array([0.0, 2.0]), "labels must be 0 or 1"),
])
def test_bad_arrays_are_refused(X, y, message):
    with pytest.raises(ConfigError, match=message):
        MLPSurface(X, y)


def test_arrays_without_a_source_cannot_be_saved():
    with pytest.raises(ConfigError, match="given as arrays"):
        MLPSurface(np.zeros((2, 2)), [0, 1]).to_dict()


def test_a_diverged_path_leaves_the_pca_window_finite(surface):
    path = train(surface, 60)
    diverged = path.copy()
    diverged[-1] = np.inf
    bounds = np.array(surface.with_pca_plane([path, diverged]).bounds)
    assert np.all(np.isfinite(bounds))


def test_title_names_the_net_and_the_data(surface, tmp_path):
    assert surface.title == "MLP 2-6-5-1 (tanh) on 120 moons points"
    (tmp_path / "pts.csv").write_text("x1,x2,label\n0,0,0\n1,1,1\n")
    assert MLPSurface.from_csv(tmp_path / "pts.csv", hidden=()).title == (
        "MLP 2-1 (tanh) on 2 pts.csv points")
