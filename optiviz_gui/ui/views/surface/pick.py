"""The surface point under the mouse in the 3-D view: the view ray met with the drawn mesh.

The mesh is a height field over the scene square [−1, 1]²: heights h[i, j] at
X = u_i, Y = u_j (u = linspace(−1, 1, n)), each grid cell drawn as the triangles
(i, j)(i+1, j)(i+1, j+1) and (i, j)(i+1, j+1)(i, j+1), a cell with a non-finite
corner left out (view.py). ``height_at`` is that piecewise-linear surface, exactly.

``pick`` marches along the ray inside the box the mesh fills, sampling the height
three times a grid cell, takes the first sample where the ray has crossed the
surface (from above, or from below where it sees the underside) and bisects
between it and the sample before. A crossing is missed only when the ray goes in
and out of the surface between two samples, a third of a cell apart: less than a
pixel of a ridge seen edge-on. The bisection runs in Python floats (thirty numpy
calls on one point cost 0.5 ms). Cost per pick with the 200 × 200 mesh, 800 × 600:
0.04 ms a miss, 0.16 ms a hit (benchmarks/hover3d.py: median 0.12 ms with the
readout, against 10 ms for the exact test of every triangle, which finds the same
points), so the view picks on every mouse move, unthrottled.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6 import QtGui

SAMPLES_PER_CELL = 3
BISECTIONS = 30


def height_at(h: np.ndarray, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """The drawn mesh's height at scene points (X, Y) inside [−1, 1]² (NaN in a hole)."""
    n = len(h)
    cell = 2.0 / (n - 1)
    u, v = (np.asarray(X, float) + 1) / cell, (np.asarray(Y, float) + 1) / cell
    i = np.clip(np.floor(u).astype(np.int64), 0, n - 2)
    j = np.clip(np.floor(v).astype(np.int64), 0, n - 2)
    fu, fv = u - i, v - j
    a, b, c, d = h[i, j], h[i + 1, j], h[i + 1, j + 1], h[i, j + 1]
    z = np.where(fu >= fv, a + fu * (b - a) + fv * (c - b), a + fv * (d - a) + fu * (c - d))
    return np.where(np.isfinite(a + b + c + d), z, np.nan)


def pick(h: np.ndarray, origin, direction) -> np.ndarray | None:
    """The first point (X, Y, Z) where the ray origin + t·direction (t ≥ 0) meets the
    mesh of heights ``h`` (n × n over [−1, 1]², NaN: a hole), or None."""
    o, d = np.asarray(origin, float), np.asarray(direction, float)
    finite = h[np.isfinite(h)]
    if not len(finite) or not np.all(np.isfinite(o)) or not np.any(d):
        return None
    # the box the mesh fills (a little taller: a flat mesh is a box of no height)
    lo = np.array([-1.0, -1.0, float(finite.min()) - 1e-6])
    hi = np.array([1.0, 1.0, float(finite.max()) + 1e-6])
    t0, t1 = 0.0, math.inf                     # the ray inside the box (slabs)
    for k in range(3):
        if d[k] == 0:
            if not lo[k] <= o[k] <= hi[k]:
                return None
            continue
        a, b = sorted(((lo[k] - o[k]) / d[k], (hi[k] - o[k]) / d[k]))
        t0, t1 = max(t0, a), min(t1, b)
    if not t0 <= t1 or not math.isfinite(t1):
        return None
    cell = 2.0 / (len(h) - 1)
    across = math.hypot(d[0], d[1]) * (t1 - t0)
    t = np.linspace(t0, t1, max(2, math.ceil(across / cell * SAMPLES_PER_CELL) + 1))
    p = o + t[:, None] * d
    with np.errstate(invalid="ignore"):
        above = np.sign(p[:, 2] - height_at(h, p[:, 0], p[:, 1]))
        # a crossing: two neighbouring samples on either side (or the second on it)
        both = above[1:] * above[:-1]
        crossed = np.flatnonzero((both <= 0) & np.isfinite(both))
    if not len(crossed):
        return None
    i = int(crossed[0])
    ta, tb, side = t[i], t[i + 1], above[i]
    if side == 0:                                # a sample on the surface itself
        return p[i]
    ox, oy, oz = (float(v) for v in o)
    dx, dy, dz = (float(v) for v in d)
    n = len(h)
    for _ in range(BISECTIONS):                  # in Python floats: 30 numpy calls cost 0.5 ms
        tm = 0.5 * (ta + tb)
        above_m = oz + tm * dz - _height(h, n, ox + tm * dx, oy + tm * dy)
        if above_m == 0:
            return o + tm * d
        if (above_m > 0) == (side > 0):
            ta = tm
        else:
            tb = tm
    return o + 0.5 * (ta + tb) * d


def _height(h: np.ndarray, n: int, X: float, Y: float) -> float:
    """``height_at`` of one point, in Python floats."""
    cell = 2.0 / (n - 1)
    u, v = (X + 1) / cell, (Y + 1) / cell
    i, j = min(max(math.floor(u), 0), n - 2), min(max(math.floor(v), 0), n - 2)
    fu, fv = u - i, v - j
    a, b, c, d = (float(h[i, j]), float(h[i + 1, j]), float(h[i + 1, j + 1]),
                  float(h[i, j + 1]))
    if fu >= fv:
        return a + fu * (b - a) + fv * (c - b)
    return a + fv * (d - a) + fu * (c - d)


def view_ray(m: QtGui.QMatrix4x4, x: float, y: float, w: float, h: float
             ) -> tuple[np.ndarray, np.ndarray] | None:
    """(origin, direction) in scene coordinates of the ray through widget point (x, y)
    of a w × h view whose projection × view matrix is ``m``; None if m is singular."""
    M = np.array(m.data(), dtype=float).reshape(4, 4).T      # Qt's floats, inverted in doubles
    try:
        inv = np.linalg.inv(M)
    except np.linalg.LinAlgError:
        return None
    nx, ny = 2.0 * x / w - 1.0, 1.0 - 2.0 * y / h
    near, far = (inv @ [nx, ny, z, 1.0] for z in (-1.0, 1.0))
    near, far = near[:3] / near[3], far[:3] / far[3]
    return near, far - near


def surface_readout(surface, point: np.ndarray | None) -> str:
    """"x = 1.2, y = 3.4: loss 5.6" for the scene point picked (None: "")."""
    if point is None:
        return ""
    (x0, x1), (y0, y1) = surface.bounds
    x = x0 + (float(point[0]) + 1) / 2 * (x1 - x0)
    y = y0 + (float(point[1]) + 1) / 2 * (y1 - y0)
    with np.errstate(all="ignore"):
        f = float(surface.value(np.array([x, y], dtype=float)))
    ax, ay = surface.axis_labels
    return f"{ax} = {x:.4g}, {ay} = {y:.4g}: loss {f:.4g}"
