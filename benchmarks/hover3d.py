"""The 3-D view's hover: what one mouse move costs, against testing every triangle.

    python -m benchmarks.hover3d

The blog example's mesh (200 × 200 heights, the 3-D view's, sqrt scale), the
3-D view's home camera (distance 3.7, elevation 30°, 800 × 600): for 400 pixels
of the picture, the ray through it met with the mesh by ``surface/pick.pick``
(a march along the ray three samples a grid cell, then bisection) against the
exact answer of a vectorised Möller–Trumbore test of all 2 × 199² triangles. Both
find the same first hit (the largest disagreement is printed, in grid cells); the
readout's text (``surface_readout``: the loss at the point) is timed with it.
Target: < 2 ms a mouse move, so the view picks on every move, unthrottled.
"""

from __future__ import annotations

import math
import statistics
import time

import numpy as np
from PySide6 import QtGui

from optiviz_gui.core import session
from optiviz_gui.ui.views.levels import transform_for
from optiviz_gui.ui.views.surface.pick import pick, surface_readout, view_ray

MESH, HEIGHT, TOP = 200, 0.9, 1.5
W, H = 800, 600


def heights(surface) -> np.ndarray:
    """The 3-D view's scene heights (surface/view.py _build_mesh)."""
    _, _, z = surface.grid(MESH)
    fwd, (t0, t1) = transform_for(z, "sqrt")
    h = HEIGHT * (fwd(z) - t0) / (t1 - t0)
    return np.where(np.isfinite(h), np.clip(h, -0.5, TOP), np.nan)


def camera(distance=3.7, elevation=30.0, azimuth=-150.0,
           center=(0.0, 0.0, 0.27)) -> QtGui.QMatrix4x4:
    """pyqtgraph GLViewWidget's projection × view matrix (fov 60°, 4:3)."""
    proj = QtGui.QMatrix4x4()
    near, far = distance * 0.001, distance * 1000.0
    r = near * math.tan(0.5 * math.radians(60.0))
    proj.frustum(-r, r, -r * H / W, r * H / W, near, far)
    view = QtGui.QMatrix4x4()
    view.translate(0, 0, -distance)
    view.rotate(elevation - 90, QtGui.QVector3D(1, 0, 0))
    view.rotate(azimuth + 90, QtGui.QVector3D(0, 0, -1))
    view.translate(-center[0], -center[1], -center[2])
    return proj * view


def triangles(h: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(h)
    u = np.linspace(-1, 1, n)
    X, Y = np.meshgrid(u, u, indexing="ij")
    v = np.stack([X, Y, h], axis=-1)
    a, b, c, d = v[:-1, :-1], v[1:, :-1], v[1:, 1:], v[:-1, 1:]
    p0 = np.concatenate([a, a]).reshape(-1, 3)
    p1 = np.concatenate([b, c]).reshape(-1, 3)
    p2 = np.concatenate([c, d]).reshape(-1, 3)
    return p0, p1, p2


def brute_force(tris, o, d) -> np.ndarray | None:
    """The nearest hit over every triangle (Möller & Trumbore 1997), vectorised."""
    p0, p1, p2 = tris
    e1, e2 = p1 - p0, p2 - p0
    pv = np.cross(d, e2)
    det = np.einsum("ij,ij->i", e1, pv)
    with np.errstate(all="ignore"):
        inv = 1.0 / det
        s = o - p0
        u = np.einsum("ij,ij->i", s, pv) * inv
        q = np.cross(s, e1)
        v = (q @ d) * inv
        t = np.einsum("ij,ij->i", e2, q) * inv
        ok = (np.abs(det) > 1e-15) & (u >= 0) & (v >= 0) & (u + v <= 1) & (t >= 0)
    if not ok.any():
        return None
    return o + t[ok].min() * d


def main() -> None:
    sim = session.load(None)
    h = heights(sim.surface)
    m = camera()
    tris = triangles(h)
    rng = np.random.default_rng(0)
    pixels = rng.uniform([0, 0], [W, H], size=(400, 2))
    rays = [view_ray(m, x, y, W, H) for x, y in pixels]
    ours, exact, worst, hits = [], [], 0.0, 0
    cell = 2.0 / (MESH - 1)
    for o, d in rays[:3]:                          # warm-up
        surface_readout(sim.surface, pick(h, o, d))
    for o, d in rays:
        t = time.perf_counter()
        p = pick(h, o, d)
        surface_readout(sim.surface, p)
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        q = brute_force(tris, o, d)
        exact.append(time.perf_counter() - t)
        if (p is None) != (q is None):
            worst = math.inf
        elif p is not None:
            hits += 1
            worst = max(worst, float(np.hypot(*(p[:2] - q[:2]))) / cell)
    a, b = statistics.median(ours), statistics.median(exact)
    print(f"3-D hover, {len(rays)} pixels of an {W}x{H} view ({hits} on the surface), "
          f"{MESH}x{MESH} mesh:")
    slow = float(np.percentile(ours, 95))
    print(f"  pick + readout      {a * 1e3:7.3f} ms a mouse move (median; 95th percentile "
          f"{slow * 1e3:.3f}, max {max(ours) * 1e3:.3f})")
    print(f"  every triangle      {b * 1e3:7.3f} ms  ({b / a:.0f}x)")
    print(f"  largest disagreement {worst:.2g} grid cells; target < 2 ms a move: "
          f"{'met' if slow < 2e-3 else 'NOT met'}")


if __name__ == "__main__":
    main()
