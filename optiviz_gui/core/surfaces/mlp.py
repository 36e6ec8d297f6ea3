r"""Surface kind ``mlp``: a small network's loss, seen on a plane through its parameter space.

The network is ``nn.Sequential(Linear(2, h₁), act, ..., Linear(h_k, 1))`` trained
with ``nn.BCEWithLogitsLoss`` on labelled 2-D points (network.py, datasets.py).
Its P parameters θ are what the optimizers move, in the full space::

    surface.value_and_grad_theta(theta)   -> (L(θ), ∇L(θ)),  θ of shape (..., P)

The views see the plane θ(α, β) = θ₀ + α·d₁ + β·d₂ through the initial parameters
θ₀ (plane.py; Li et al. 2018), through the usual 2-D Surface interface in plane
coordinates: ``value_and_grad_xy(α, β)`` is the loss at θ(α, β) and its gradient
along the plane, (d₁·∇L, d₂·∇L), the exact gradient of α, β ↦ L(θ(α, β)). A run's
θ_k is drawn at ``project(θ_k)`` with its true loss L(θ_k) (off the plane, in
general: ``project`` also gives the distance). The start [α, β] of a session is
the point θ(α, β), so clicking the map picks the network's initialisation.

Only numpy arrays: the float path of core/scalar.py (one coordinate at a time)
does not apply to a network, so ``xp`` is ignored and the results are arrays
(0-d for scalar α, β).

With ``"plane": "pca"`` the surface starts on the random plane of ``plane_seed``
(the session's start is read there) and ``with_pca_plane(paths)`` returns the
same network seen on the principal plane of the runs' paths; opening such a
session (core/session.py) runs every run to its last step and fits that plane
(``Simulation.fit_plane``), as the app's "Fit the plane to the paths" does.
"""

from __future__ import annotations

import copy
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError
from . import datasets
from .activations import ACTIVATIONS, TORCH_NAMES
from .base import Surface
from .network import MLP
from .plane import Plane, pca_directions, random_directions

DEFAULTS: dict[str, Any] = {"data": "moons", "n": 200, "noise": 0.2, "seed": 0,
                            "hidden": (8, 8), "activation": "tanh", "plane": "random",
                            "plane_seed": 0}
PLANES = ("random", "pca")
RANDOM_BOUNDS = ((-1.0, 1.0), (-1.0, 1.0))   # Li et al.'s window for filter-normalised directions
LIFT_CHUNK = 1 << 20                          # plane points × P lifted to θ at once (8 MB)


class MLPSurface(Surface):
    """The loss of a small MLP classifier on a plane through θ₀; see the module docstring.

    Attributes: ``network`` (network.MLP), ``theta0`` (P,), ``plane`` (plane.Plane:
    origin θ₀ and ``directions`` (2, P)), ``plane_kind`` ("random" or "pca", the
    session's "plane"), ``seed``, ``plane_seed``; properties ``data`` (X, y),
    ``sizes`` (2, *hidden, 1), ``activation``, ``dim`` (P), ``directions``.
    """

    kind = "mlp"
    name = "mlp"
    axis_labels = ("α", "β")
    bounds = RANDOM_BOUNDS
    start = (0.0, 0.0)
    minima = np.zeros((0, 2))
    _pca = False   # True once with_pca_plane has set the principal directions

    grid_points = 100       # a 100 × 100 plane grid takes ~0.15 s (benchmarks/mlp.py)

    def __init__(self, X, y, hidden=(8, 8), activation: str = "tanh", seed: int = 0,
                 plane: str = "random", plane_seed: int = 0,
                 source: str | dict[str, Any] | None = None) -> None:
        """Data X (N, 2) and labels y (N,) of 0/1; the rest as in the session file.

        ``source`` is what ``to_dict`` saves for the data: a CSV path as given,
        or the generator's settings {"data", "n", "noise"}; None for arrays
        that came from elsewhere.
        """
        X, y = _checked_data(X, y)
        if activation not in ACTIVATIONS:
            raise ConfigError(f"activation must be one of {', '.join(ACTIVATIONS)}, "
                              f"got {activation!r}.")
        if plane not in PLANES:
            raise ConfigError(f"plane must be random or pca, got {plane!r}.")
        self.network = MLP((2, *hidden, 1), activation, X, y)
        self.seed, self.plane_kind, self.plane_seed, self.source = seed, plane, plane_seed, source
        self.theta0 = self.network.init_params(seed)
        self.theta0.flags.writeable = False
        self.plane = Plane(self.theta0, random_directions(self.theta0, self.network.layers,
                                                           plane_seed))

    # ---------------------------------------------------------- constructors
    @classmethod
    def generated(cls, data: str = "moons", n: int = 200, noise: float = 0.2,
                  **network: Any) -> MLPSurface:
        """A generated data set (datasets.py) and the network settings of ``__init__``."""
        X, y = datasets.generate(data, n, noise, network.get("seed", 0))
        source = {"data": data, "n": int(n), "noise": float(noise)}
        return cls(X, y, source=source, **network)

    @classmethod
    def from_csv(cls, path, name: str | None = None, **network: Any) -> MLPSurface:
        """Points from a CSV file with header x1,x2,label; ``name`` is how messages call it."""
        X, y = datasets.read_csv(path, name)
        return cls(X, y, source=str(path), **network)

    # -------------------------------------------------------------- metadata
    @property
    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """(X, y): the points (N, 2) and their labels (N,)."""
        return self.network.X, self.network.y

    @property
    def sizes(self) -> tuple[int, ...]:
        """Layer widths, input to output: (2, *hidden, 1)."""
        return self.network.sizes

    @property
    def activation(self) -> str:
        return self.network.activation.name

    @property
    def dim(self) -> int:
        """P, the number of parameters."""
        return self.network.dim

    @property
    def directions(self) -> np.ndarray:
        """(d₁, d₂), shape (2, P)."""
        return self.plane.directions

    @property
    def title(self) -> str:
        """'MLP 2-8-8-1 (tanh) on 200 moons points'."""
        if isinstance(self.source, dict):
            data = self.source["data"]
        else:
            data = Path(self.source).name if self.source else "given"
        shape = "-".join(map(str, self.sizes))
        return f"MLP {shape} ({self.activation}) on {len(self.network.y)} {data} points"

    @property
    def formula(self) -> str:
        kind = "principal" if self._pca else "random filter-normalised"
        return (f"BCEWithLogitsLoss of nn.Sequential({_describe(self.sizes, self.activation)}) "
                f"at θ₀ + α·d₁ + β·d₂ ({kind} directions, P = {self.dim})")

    # -------------------------------------------------------- the full space
    def value_and_grad_theta(self, theta) -> tuple[np.ndarray, np.ndarray]:
        """(L(θ), ∇L(θ)) for θ of shape (..., P): shapes (...,) and (..., P)."""
        return self.network.loss_and_grad(theta)

    def value_theta(self, theta) -> np.ndarray:
        """L(θ) for θ of shape (..., P), shape (...,)."""
        return self.network.loss(theta)

    def accuracy(self, theta) -> np.ndarray:
        """Fraction of the points the network classifies right, shape (...,)."""
        return self.network.accuracy(theta)

    def predict(self, theta, inputs) -> np.ndarray:
        """P(class 1) = σ(net(x)) at inputs (M, 2): shape (..., M) for θ of shape (..., P)."""
        z = self.network.logits(theta, inputs)
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(-z))

    def decision_grid(self, theta, n: int = 100, bounds=None, logits: bool = False):
        """(xs, ys, Z) with ``Z[i, j]`` = P(class 1) at (xs[i], ys[j]) for one θ (Surface.grid's order).

        ``bounds`` defaults to ``data_bounds()``; the decision boundary is the level 0.5,
        or the level 0 of ``logits=True``'s Z = net(x) itself: the form to interpolate
        (σ saturates to exactly 1.0 past z ≈ 37, net(x) of a net without hidden
        layers is linear in x, so marching squares finds its boundary exactly).
        """
        (x0, x1), (y0, y1) = bounds or self.data_bounds()
        xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
        inputs = np.stack(np.meshgrid(xs, ys, indexing="ij"), axis=-1).reshape(-1, 2)
        z = self.network.logits(theta, inputs) if logits else self.predict(theta, inputs)
        return xs, ys, z.reshape(n, n)

    def data_bounds(self, margin: float = 0.1):
        """The points' bounding box, widened by ``margin`` of its larger side on every side."""
        X = self.network.X
        low, high = X.min(axis=0), X.max(axis=0)
        pad = margin * max(float(np.max(high - low)), 1e-3)
        return ((float(low[0] - pad), float(high[0] + pad)),
                (float(low[1] - pad), float(high[1] + pad)))

    # -------------------------------------------------------------- the plane
    def lift(self, ab) -> np.ndarray:
        """θ₀ + α·d₁ + β·d₂ for (α, β) of shape (..., 2): shape (..., P)."""
        return self.plane.lift(ab)

    def project(self, theta) -> tuple[np.ndarray, np.ndarray]:
        """((α, β), distance): the least-squares plane coordinates of θ (..., P), shape (..., 2),
        and θ's distance from the plane, shape (...,)."""
        return self.plane.project(theta)

    def with_pca_plane(self, paths, through=None) -> MLPSurface:
        """The same network on the principal plane of ``paths`` (a list of (n_i, P) arrays);
        with ``through`` (the runs' start θ_s) the best plane through θ₀ that holds it
        too (plane.pca_directions), so the runs keep their start.

        The window fits the projected paths (their finite points) and θ₀ with a
        margin of a fifth of its larger side, unless this surface's window was
        set in the session.
        """
        new = copy.copy(self)
        new.plane = Plane(self.theta0, pca_directions(paths, self.theta0, through))
        new.plane_kind, new._pca = "pca", True
        if not self.custom_bounds:
            points = np.concatenate([np.zeros((1, 2))] + [
                new.project(np.asarray(p, dtype=float).reshape(-1, self.dim))[0] for p in paths])
            new.bounds = _window(points[np.all(np.isfinite(points), axis=1)])
        return new

    def value_and_grad_xy(self, a, b, xp=np):
        grads = []

        def chunk(theta):
            loss, grad = self.network.loss_and_grad(theta)
            grads.append(grad @ self.plane.directions.T)
            return loss
        f = self._on_plane(a, b, chunk)
        g = np.concatenate(grads).reshape(f.shape + (2,))
        return f, g[..., 0], g[..., 1]

    def value_xy(self, a, b, xp=np):
        return self._on_plane(a, b, self.network.loss)

    def _on_plane(self, a, b, fn) -> np.ndarray:
        """``fn`` of θ(a, b) for broadcast a, b, lifting at most LIFT_CHUNK numbers at once."""
        a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
        ab = np.stack([a.ravel(), b.ravel()], axis=-1)
        step = max(1, LIFT_CHUNK // self.dim)
        values = [fn(self.plane.lift(ab[i:i + step])) for i in range(0, max(len(ab), 1), step)]
        return np.concatenate(values).reshape(a.shape)

    # ---------------------------------------------------------- session file
    def session_start(self, start) -> tuple[float, float]:
        """The start [α, β] as the session file reads it: on a fitted PCA plane, the
        coordinates of θ(α, β) on the random plane of ``plane_seed`` (where a "pca"
        session's start is read, before the plane is fitted to the paths); the start
        itself otherwise. A start picked on the PCA plane off the random one is saved
        as its projection there."""
        if not self._pca:
            return float(start[0]), float(start[1])
        random = Plane(self.theta0, random_directions(self.theta0, self.network.layers,
                                                      self.plane_seed))
        a, b = random.project(self.lift(start))[0]
        return float(a), float(b)

    def to_dict(self) -> dict[str, Any]:
        if isinstance(self.source, str):
            spec: dict[str, Any] = {"kind": self.kind, "data": "csv", "csv": self.source}
        elif isinstance(self.source, dict):
            spec = {"kind": self.kind, **self.source}
        else:
            raise ConfigError("This network's data were given as arrays, so it has no CSV "
                              "file or generator settings to save.")
        spec.update(seed=self.seed, hidden=list(self.sizes[1:-1]), activation=self.activation,
                    plane=self.plane_kind, plane_seed=self.plane_seed)
        return self._with_bounds(spec)

    def __repr__(self) -> str:
        return f"<MLPSurface {'-'.join(map(str, self.sizes))} {self.activation} P={self.dim}>"


def _checked_data(X, y) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2 or y.shape != (len(X),):
        raise ConfigError(f"The data must be points (N, 2) and N labels, got shapes "
                          f"{X.shape} and {y.shape}.")
    if len(X) == 0:
        raise ConfigError("The data have no points.")
    if not np.all(np.isfinite(X)):
        raise ConfigError("The data contain a coordinate that is not a finite number.")
    if not np.all((y == 0.0) | (y == 1.0)):
        raise ConfigError("The labels must be 0 or 1.")
    return X, y


def _describe(sizes, activation: str) -> str:
    """'Linear(2, 8), Tanh, Linear(8, 8), Tanh, Linear(8, 1)'."""
    act = TORCH_NAMES[activation]
    linears = [f"Linear({a}, {b})" for a, b in pairwise(sizes)]
    return f", {act}(), ".join(linears)


def _window(points) -> tuple[tuple[float, float], tuple[float, float]]:
    """A window around 2-D points with a margin of a fifth of its larger side."""
    low, high = points.min(axis=0), points.max(axis=0)
    pad = 0.2 * max(float(np.max(high - low)), 1e-6)
    return ((float(low[0] - pad), float(high[0] + pad)),
            (float(low[1] - pad), float(high[1] + pad)))


__all__ = ["MLPSurface", "DEFAULTS", "PLANES"]
