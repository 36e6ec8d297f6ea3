"""The plane: filter normalisation by hand, lift/project round trips and distances, PCA directions."""

from __future__ import annotations

import numpy as np
import pytest

from optiviz_gui.core.errors import ConfigError
from optiviz_gui.core.surfaces import plane as plane_module
from optiviz_gui.core.surfaces.network import layers_of
from optiviz_gui.core.surfaces.plane import (
    Plane,
    filter_normalized,
    pca_directions,
    random_directions,
)

TINY = layers_of((2, 2, 1))     # W₁ = θ[0:4] (2×2), b₁ = θ[4:6], W₂ = θ[6:8], b₂ = θ[8]


def test_filter_normalisation_by_hand():
    """Each neuron's (row, bias) gets the norm of θ₀'s: 5, 1 and 3 here.

    θ₀: neuron 1 = (3, 0 | 4) → 5, neuron 2 = (0, 1 | 0) → 1, output = (1, 2 | 2) → 3.
    d:  neuron 1 = (0, 1 | 0) → 1, neuron 2 = (0, 0 | 2) → 2, output = (0, 4 | 0) → 4.
    """
    theta0 = np.array([3.0, 0.0, 0.0, 1.0, 4.0, 0.0, 1.0, 2.0, 2.0])
    d = np.array([0.0, 1.0, 0.0, 0.0, 0.0, 2.0, 0.0, 4.0, 0.0])
    expected = np.array([0.0, 5.0, 0.0, 0.0, 0.0, 1.0, 0.0, 3.0, 0.0])
    np.testing.assert_allclose(filter_normalized(d, theta0, TINY), expected, rtol=1e-9)


def neuron_norms(vector, layers):
    return np.concatenate([np.hypot(np.linalg.norm(vector[l.weight].reshape(l.shape), axis=1),
                                    vector[l.bias]) for l in layers])


def test_random_directions_are_seeded_and_filter_normalised():
    layers = layers_of((2, 8, 8, 1))
    theta0 = np.random.default_rng(0).uniform(-0.5, 0.5, layers[-1].bias.stop)
    d = random_directions(theta0, layers, seed=4)
    assert d.shape == (2, len(theta0))
    np.testing.assert_array_equal(d, random_directions(theta0, layers, seed=4))
    assert not np.allclose(d, random_directions(theta0, layers, seed=5))
    assert not np.allclose(d[0], d[1])
    for direction in d:
        np.testing.assert_allclose(neuron_norms(direction, layers), neuron_norms(theta0, layers),
                                   rtol=1e-9)


@pytest.fixture
def random_plane():
    rng = np.random.default_rng(1)
    return Plane(rng.normal(size=40), rng.normal(size=(2, 40)))


def test_lift_then_project_gives_back_the_coordinates_at_distance_zero(random_plane):
    ab = np.random.default_rng(2).uniform(-3, 3, size=(5, 7, 2))
    theta = random_plane.lift(ab)
    assert theta.shape == (5, 7, 40)
    back, distance = random_plane.project(theta)
    np.testing.assert_allclose(back, ab, rtol=1e-12, atol=1e-13)
    assert distance.shape == (5, 7)
    assert distance.max() < 1e-13


def test_a_point_off_the_plane_has_the_right_distance(random_plane):
    """θ = θ(α, β) + r with r orthogonal to both directions: (α, β) and ‖r‖ come back."""
    rng = np.random.default_rng(3)
    D = random_plane.directions
    v = rng.normal(size=40)
    r = v - D.T @ np.linalg.solve(D @ D.T, D @ v)
    r *= 0.7 / np.linalg.norm(r)
    ab, distance = random_plane.project(random_plane.lift([0.4, -1.3]) + r)
    np.testing.assert_allclose(ab, [0.4, -1.3], rtol=1e-12)
    assert distance == pytest.approx(0.7, rel=1e-12)


def test_project_solves_the_gram_system_for_oblique_directions():
    """d₁ = e₁, d₂ = e₁ + e₂: θ₀ + 2d₁ + 3d₂ = θ₀ + (5, 3, 0) projects to (2, 3)."""
    plane = Plane(np.zeros(3), [[1.0, 0.0, 0.0], [1.0, 1.0, 0.0]])
    ab, distance = plane.project(np.array([5.0, 3.0, 4.0]))
    np.testing.assert_allclose(ab, [2.0, 3.0])
    assert distance == pytest.approx(4.0)


def paths_in_plane(theta0, u1, u2, sign=1.0):
    """Two paths θ₀ + a_k u₁ + b_k u₂, and their (a, b) coordinates."""
    t = np.linspace(0, 1, 60)
    coords = [np.column_stack([3.0 * t, np.sin(3 * t)]), np.column_stack([2.0 * t**2, 0.5 * t])]
    coords = [sign * c for c in coords]
    return [theta0 + c @ np.stack([u1, u2]) for c in coords], np.concatenate(coords)


def principal_axes(ab):
    """The principal axes of 2-D points about 0, by the closed form of a 2×2 eigenproblem:
    the major axis is at angle φ = ½·atan2(2·Sab, Saa − Sbb)."""
    saa, sbb, sab = np.sum(ab[:, 0] ** 2), np.sum(ab[:, 1] ** 2), np.sum(ab[:, 0] * ab[:, 1])
    phi = 0.5 * np.arctan2(2 * sab, saa - sbb)
    return np.array([[np.cos(phi), np.sin(phi)], [-np.sin(phi), np.cos(phi)]])


@pytest.mark.parametrize("dim", [5, 300])      # more points than parameters, and fewer
def test_pca_finds_the_principal_axes_of_the_paths_with_signs_towards_the_runs(dim):
    rng = np.random.default_rng(6)
    theta0 = rng.normal(size=dim)
    basis = np.linalg.qr(rng.normal(size=(dim, 2)))[0].T          # u₁, u₂ orthonormal
    paths, ab = paths_in_plane(theta0, *basis)
    d = pca_directions(paths, theta0)
    np.testing.assert_allclose(d @ d.T, np.eye(2), atol=1e-12)
    axes = principal_axes(ab) @ basis                                # in parameter space
    np.testing.assert_allclose(np.abs(d @ axes.T), np.eye(2), atol=1e-9)
    plane = Plane(theta0, d)
    for path in paths:
        assert plane.project(path)[1].max() < 1e-12
    coords = np.concatenate([plane.project(p)[0] for p in paths])
    assert np.all(coords.mean(axis=0) > 0)                          # the runs head to +α, +β
    flipped = pca_directions(paths_in_plane(theta0, *basis, sign=-1.0)[0], theta0)
    np.testing.assert_allclose(flipped, -d, atol=1e-9)


def test_pca_is_the_best_plane_through_theta0():
    """Paths with some scatter off a plane: no other plane through θ₀ fits them better."""
    rng = np.random.default_rng(8)
    theta0 = rng.normal(size=12)
    paths = [theta0 + np.cumsum(rng.normal(size=(40, 12)) * np.r_[3.0, 2.0, [0.1] * 10], axis=0)
             for _ in range(3)]
    best = sum(np.sum(Plane(theta0, pca_directions(paths, theta0)).project(p)[1] ** 2)
               for p in paths)
    for _ in range(20):
        other = Plane(theta0, rng.normal(size=(2, 12)))
        assert best <= sum(np.sum(other.project(p)[1] ** 2) for p in paths)


def test_pca_samples_long_paths_and_keeps_their_last_points(monkeypatch):
    monkeypatch.setattr(plane_module, "PCA_ROWS", 50)
    rng = np.random.default_rng(9)
    theta0 = np.zeros(20)
    u1, u2 = np.linalg.qr(rng.normal(size=(20, 2)))[0].T
    t = np.linspace(0, 1, 1000)[:, None]
    path = theta0 + 4 * t * u1 + np.sin(5 * t) * u2
    d = pca_directions([path], theta0)
    assert Plane(theta0, d).project(path)[1].max() < 1e-12         # the plane of the whole path
    line = 4 * t * u1
    line[-1] += u2                  # only the last point leaves the line: it must be sampled
    d = pca_directions([line], theta0)
    assert Plane(theta0, d).project(line)[1].max() < 1e-12


@pytest.mark.parametrize("paths", [[], [np.zeros((5, 6))], [np.outer(np.arange(5.0), np.ones(6))]])
def test_pca_needs_two_directions_of_movement(paths):
    with pytest.raises(ConfigError, match="at least two directions"):
        pca_directions(paths, np.zeros(6))
