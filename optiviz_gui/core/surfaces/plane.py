r"""A plane through parameter space, θ(α, β) = θ₀ + α·d₁ + β·d₂, and its two kinds of directions.

Li, Xu, Taylor, Studer & Goldstein, "Visualizing the Loss Landscape of Neural
Nets" (NeurIPS 2018) look at the loss on such a plane, with either random
filter-normalised directions or the principal directions of a training path.

Random, filter-normalised (``random_directions``). Each direction starts as
N(0, I) from ``numpy.random.default_rng([plane_seed, 2])`` (d₁ then d₂, P numbers
each; a stream apart from the data's and θ₀'s, which come from ``seed``) and is
rescaled neuron by neuron: the numbers that feed neuron j of a
layer (row j of W and b_j) get the norm of θ₀'s numbers for that neuron::

    d_j ← d_j · ‖θ₀_j‖ / (‖d_j‖ + 10⁻¹⁰)

so α = 1 changes every neuron by as much as it weighs. Li et al.'s code
(``net_plotter.normalize_directions_for_weights``) rescales each filter — each
row of a weight, ``for d, w in zip(direction, weights)`` over its first axis — and
either zeroes the directions of biases and batch-norm parameters
(``ignore='biasbn'``, their figures) or sets them to the parameters themselves.
Their nets follow every convolution with batch norm, which cancels a bias; a
plain MLP has no batch norm and its bias belongs to the neuron: ReLU's positive
homogeneity rescales a neuron's row and bias together (relu(c·(w·x + b)) =
c·relu(w·x + b), c > 0), so here the filter is the row and its bias. The
output neuron is normalised the same way.

Principal directions (``pca_directions``). The rows θ_k − θ₀ of all runs'
paths stacked together (so every run is seen on one plane) are *not*
mean-centred: the plane must contain θ₀ (its origin, where α = β = 0), and the
plane through θ₀ closest to all the points in least squares is spanned by the
top two right singular vectors of that uncentred matrix (Eckart–Young). Li et
al. centre on the final point instead, the origin of their pictures. The
directions are orthonormal; the sign of each is chosen so that the points'
mean coordinate along it is positive (the runs head towards +α and +β), or,
when that mean is exactly 0, so that its largest component is positive.

When the runs start elsewhere than θ₀ (a session's start [α, β] ≠ [0, 0]) the
plane must hold their start θ_s too, or the runs would begin somewhere else on
it (measured on the Network preset started at [0.5, −0.3]: the start was 1.53
from the unconstrained plane, 1.68 from θ₀, and the runs ended 9.9 apart). With
``through=θ_s`` the first direction is u = (θ_s − θ₀)/‖θ_s − θ₀‖ and the second
the top principal direction of the offsets with their u component taken out:
among the planes through θ₀ and θ_s, the one closest to the points in least
squares (the same Eckart–Young argument on (I − uuᵀ)·(θ_k − θ₀)). With θ_s = θ₀
it is the plane above.

``Plane.project`` solves the 2×2 Gram system G·(α, β) = D·(θ − θ₀), G = D·Dᵀ
(least squares: random directions are not orthogonal), and returns the
distance ‖θ − θ(α, β)‖ to the plane as well.
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError

PCA_ROWS = 2000         # path points a PCA uses at most (sampled evenly along each path)
PROJECT_CHUNK = 1 << 16  # numbers of θ projected at once


class Plane:
    """The plane θ₀ + α·d₁ + β·d₂; ``directions`` is (2, P)."""

    def __init__(self, origin, directions) -> None:
        self.origin = np.array(origin, dtype=float)
        self.directions = np.array(directions, dtype=float)
        self.origin.flags.writeable = self.directions.flags.writeable = False
        self._gram_inv = np.linalg.inv(self.directions @ self.directions.T)

    def lift(self, ab) -> np.ndarray:
        """θ for plane coordinates of shape (..., 2): shape (..., P)."""
        return self.origin + np.asarray(ab, dtype=float) @ self.directions

    def project(self, theta) -> tuple[np.ndarray, np.ndarray]:
        """((α, β) of shape (..., 2), distance of shape (...,)) for θ of shape (..., P).

        A long path goes in chunks of about PROJECT_CHUNK numbers: the residual's
        temporaries then stay in cache (10⁵ steps of a 301-parameter net: 0.1 s
        instead of 1 s in one piece, measured in benchmarks/mlp.py).
        """
        theta = np.asarray(theta, dtype=float)
        flat = theta.reshape(-1, len(self.origin))
        ab, distance = np.empty((len(flat), 2)), np.empty(len(flat))
        rows = max(1, PROJECT_CHUNK // len(self.origin))
        with np.errstate(all="ignore"):                 # a diverged θ projects to nan, silently
            for start in range(0, len(flat), rows):
                offset = flat[start:start + rows] - self.origin
                coords = (offset @ self.directions.T) @ self._gram_inv
                offset -= coords @ self.directions
                ab[start:start + rows] = coords
                distance[start:start + rows] = np.sqrt(np.einsum("ij,ij->i", offset, offset))
        return ab.reshape(theta.shape[:-1] + (2,)), distance.reshape(theta.shape[:-1])


def random_directions(theta0, layers, seed: int) -> np.ndarray:
    """Two filter-normalised random directions (2, P) for θ₀ with these ``layers`` (network.py)."""
    rng = np.random.default_rng([seed, 2])
    return np.stack([filter_normalized(rng.standard_normal(len(theta0)), theta0, layers)
                     for _ in range(2)])


def filter_normalized(direction, theta0, layers) -> np.ndarray:
    """``direction`` with each neuron's row and bias rescaled to the norm of θ₀'s (see above)."""
    out = np.empty_like(direction)
    for layer in layers:
        fan_in = layer.shape[1]
        d = _neurons(direction, layer)
        w = _neurons(theta0, layer)
        scale = np.linalg.norm(w, axis=1) / (np.linalg.norm(d, axis=1) + 1e-10)
        scaled = d * scale[:, None]
        out[layer.weight] = scaled[:, :fan_in].ravel()
        out[layer.bias] = scaled[:, fan_in]
    return out


def _neurons(vector, layer) -> np.ndarray:
    """One row per neuron of the layer: its incoming weights, then its bias."""
    return np.column_stack([vector[layer.weight].reshape(layer.shape), vector[layer.bias]])


def pca_directions(paths, theta0, through=None) -> np.ndarray:
    """The top two principal directions (2, P) of the paths' points about θ₀ (see above);
    with ``through`` (a point θ_s ≠ θ₀) the best plane that holds it as well.

    ``paths`` is a list of arrays (n_i, P). Together they are sampled evenly
    down to ``PCA_ROWS`` points at most (each path keeps its last point).
    """
    theta0 = np.asarray(theta0, dtype=float)
    paths = [np.asarray(p, dtype=float).reshape(-1, len(theta0)) for p in paths]
    total = sum(len(p) for p in paths)
    if total > PCA_ROWS:
        paths = [p[np.unique(np.linspace(len(p) - 1, 0, max(1, len(p) * PCA_ROWS // total))
                             .round().astype(int))] for p in paths if len(p)]
    offsets = np.concatenate(paths) - theta0 if paths else np.zeros((0, len(theta0)))
    offsets = offsets[np.all(np.isfinite(offsets), axis=1)]
    start = None if through is None else np.asarray(through, dtype=float) - theta0
    if start is not None and np.linalg.norm(start) > 1e-12 * max(1.0, np.linalg.norm(theta0)):
        u = start / np.linalg.norm(start)
        rest = offsets - np.outer(offsets @ u, u)
        v = _principal(rest, len(theta0), 1)
        v -= (v @ u) * u                    # exactly orthogonal to u after rounding
        v /= np.linalg.norm(v)
        if np.mean(rest @ v) < 0 or (np.mean(rest @ v) == 0 and v[np.argmax(np.abs(v))] < 0):
            v = -v
        return np.stack([u, v])
    return _principal(offsets, len(theta0), 2, signs=True)


def _principal(offsets, dim: int, count: int, signs: bool = False) -> np.ndarray:
    """The top ``count`` principal directions of the rows of ``offsets`` (uncentred), as
    rows (count == 2) or one vector (count == 1); with ``signs`` each turned towards the
    points' mean. A ConfigError when the points span fewer than ``count`` directions."""
    if len(offsets) <= dim:          # eigenvectors of the smaller Gram matrix
        values, vectors = np.linalg.eigh(offsets @ offsets.T)
        top = vectors[:, ::-1][:, :2]
        directions = (offsets.T @ top).T
    else:
        values, vectors = np.linalg.eigh(offsets.T @ offsets)
        directions = vectors[:, ::-1][:, :2].T
    values = values[::-1]
    if len(values) < count or not values[count - 1] > 1e-12 * values[0]:
        raise ConfigError("A PCA plane needs paths that move away from θ₀ in at least two "
                          "directions; run more steps.")
    directions = directions[:count] / np.linalg.norm(directions[:count], axis=1, keepdims=True)
    if signs:
        for d in directions:
            mean = float(np.mean(offsets @ d))
            if mean < 0 or (mean == 0 and d[np.argmax(np.abs(d))] < 0):
                d *= -1.0
    return directions if count == 2 else directions[0]


__all__ = ["Plane", "random_directions", "filter_normalized", "pca_directions", "PCA_ROWS",
           "PROJECT_CHUNK"]
