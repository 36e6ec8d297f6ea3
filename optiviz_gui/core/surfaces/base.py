"""What every loss surface shares: elementwise value and exact gradient, grids, metadata.

A surface is written once as two elementwise functions of the coordinates
``x`` and ``y`` and a namespace ``xp`` (``numpy`` for arrays,
``optiviz_gui.core.scalar`` for Python floats)::

    value_xy(x, y, xp)            -> f
    value_and_grad_xy(x, y, xp)   -> (f, df/dx, df/dy)

The public methods work on arrays of points of shape (..., 2).

The elementwise functions read only plain attributes of ``self`` (numbers, or
tuples of numbers, named without a leading underscore) and call module-level
helpers rather than methods of ``self``: core/kernels then compiles these same
functions with ``self`` replaced by a namedtuple of those attributes.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np


class Surface:
    """Base class. Subclasses set the metadata and write ``value_and_grad_xy``."""

    kind: ClassVar[str] = "builtin"      # session-file "kind"
    name: str = ""                        # built-in name, e.g. "rosenbrock"
    title: str = ""                       # for people: "Rosenbrock"
    formula: str = ""                     # plain-text formula for the UI
    axis_labels: tuple[str, str] = ("x", "y")
    bounds: tuple[tuple[float, float], tuple[float, float]] = ((-2.0, 2.0), (-2.0, 2.0))
    start: tuple[float, float] = (0.0, 0.0)
    minima: np.ndarray = np.zeros((0, 2))   # known global minima, shape (k, 2)
    custom_bounds: bool = False            # bounds set on the instance (saved in to_dict)
    batch_size: int | None = None           # mini-batch gradients (regression only)
    grid_points: int | None = None          # samples a side a view should take at most
                                            # (None: the view's own; a network is costly)

    # -------------------------------------------------------- elementwise core
    def value_and_grad_xy(self, x, y, xp=np):  # pragma: no cover - abstract
        raise NotImplementedError

    def value_xy(self, x, y, xp=np):
        return self.value_and_grad_xy(x, y, xp)[0]

    # ----------------------------------------------------- arrays of (..., 2)
    def value(self, p) -> np.ndarray:
        p = np.asarray(p, dtype=float)
        with np.errstate(all="ignore"):
            return np.asarray(self.value_xy(p[..., 0], p[..., 1], np), dtype=float)

    def gradient(self, p) -> np.ndarray:
        return self.value_and_grad(p)[1]

    def value_and_grad(self, p) -> tuple[np.ndarray, np.ndarray]:
        p = np.asarray(p, dtype=float)
        with np.errstate(all="ignore"):
            f, gx, gy = self.value_and_grad_xy(p[..., 0], p[..., 1], np)
        f = np.broadcast_to(np.asarray(f, dtype=float), p.shape[:-1])
        g = np.stack(np.broadcast_arrays(gx, gy), axis=-1).astype(float, copy=False)
        return f.copy(), g

    def grid(self, n: int = 200, bounds=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(xs, ys, Z) with ``Z[i, j] = f(xs[i], ys[j])`` (pyqtgraph's image/mesh order)."""
        (x0, x1), (y0, y1) = bounds or self.bounds
        xs = np.linspace(x0, x1, n)
        ys = np.linspace(y0, y1, n)
        with np.errstate(all="ignore"):
            z = self.value_xy(xs[:, None], ys[None, :], np)
        return xs, ys, np.broadcast_to(np.asarray(z, dtype=float), (n, n)).copy()

    # ------------------------------------------------------------ session file
    def set_bounds(self, bounds) -> Surface:
        """Override the view window ((xmin, xmax), (ymin, ymax)) on this instance; returns self.

        The caller validates (``make_surface`` does); ``to_dict`` then saves it.
        """
        (x0, x1), (y0, y1) = bounds
        self.bounds = ((float(x0), float(x1)), (float(y0), float(y1)))
        self.custom_bounds = True
        return self

    def to_dict(self) -> dict[str, Any]:
        """The session file's "surface" object for this surface."""
        return self._with_bounds({"kind": self.name})

    def _with_bounds(self, spec: dict[str, Any]) -> dict[str, Any]:
        """``spec`` plus "bounds" when the window was overridden."""
        if self.custom_bounds:
            spec["bounds"] = [list(self.bounds[0]), list(self.bounds[1])]
        return spec

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"
