"""Geometry and GL helpers of the 3-D view: the lit shader, the mesh's normals,
clipping paths to the window, choosing where the camera looks from.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph.opengl as gl
from pyqtgraph.opengl import shaders


# Lambert lighting from the upper left of the camera, with enough ambient light
# that faces turned away stay readable, lit on both sides.
LIT_SHADER = shaders.ShaderProgram("optiviz_lit", [
    shaders.VertexShader("""
        uniform mat4 u_mvp;
        uniform mat3 u_normal;
        attribute vec4 a_position;
        attribute vec3 a_normal;
        attribute vec4 a_color;
        varying vec4 v_color;
        varying vec3 v_normal;
        void main() {
            v_normal = normalize(u_normal * a_normal);
            v_color = a_color;
            gl_Position = u_mvp * a_position;
        }
    """),
    shaders.FragmentShader("""
        #ifdef GL_ES
        precision mediump float;
        #endif
        varying vec4 v_color;
        varying vec3 v_normal;
        void main() {
            float p = abs(dot(normalize(v_normal), normalize(vec3(-0.4, 0.5, 1.0))));
            vec3 rgb = v_color.rgb * (0.5 + 0.55 * p);
            gl_FragColor = vec4(min(rgb, vec3(1.0)), v_color.a);
        }
    """),
])


def forget_compiled_shaders() -> None:
    """Drop pyqtgraph's per-process shader caches (used only when GL contexts are not
    shared, so that a new view after a closed one compiles its own programs)."""
    for prog in shaders.ShaderProgram.names.values():
        prog.prog = None
    for cls in (gl.GLLinePlotItem, gl.GLScatterPlotItem):
        cls._shaderProgram = None


def clip_segments(p: np.ndarray, top: float = np.inf) -> tuple[np.ndarray, np.ndarray]:
    """The polyline p (n, 3) as segment end-point pairs (2m, 3), each segment cut to
    the surface's box |x|, |y| ≤ 1, z ≤ ``top`` (Liang–Barsky; z interpolated),
    segments wholly outside dropped: a run that leaves the window, or climbs over
    the top of the mesh as it diverges, does not fly off into space. Also returns
    a (2m,) mask of the end points that were moved to a side of the window (those
    cut at the top stay where they were cut)."""
    if len(p) < 2:
        return np.zeros((0, 3), dtype=np.float32), np.zeros(0, dtype=bool)
    return clip_pairs(p[:-1], p[1:], top)


def clip_pairs(a: np.ndarray, b: np.ndarray, top: float = np.inf) -> tuple[np.ndarray, np.ndarray]:
    """``clip_segments`` for separate segments a[i] → b[i] (m, 3) each."""
    if len(a) == 0:
        return np.zeros((0, 3), dtype=np.float32), np.zeros(0, dtype=bool)
    ends = np.concatenate([a, b])
    if np.all(np.abs(ends[:, :2]) <= 1.0) and np.all(ends[:, 2] <= top):   # nothing to cut
        seg = np.stack([a, b], axis=1).reshape(-1, 3).astype(np.float32)
        return seg, np.zeros(len(seg), dtype=bool)
    a, b = a.astype(float), b.astype(float)
    d = b - a
    t0, t1 = np.zeros(len(a)), np.ones(len(a))
    keep = np.ones(len(a), dtype=bool)
    sides = [(-d[:, 0], a[:, 0] + 1), (d[:, 0], 1 - a[:, 0]),
             (-d[:, 1], a[:, 1] + 1), (d[:, 1], 1 - a[:, 1])]
    with np.errstate(divide="ignore", invalid="ignore"):
        side0, side1 = t0.copy(), t1.copy()        # the cuts by the window's sides alone
        for pk, qk in sides:
            r = qk / pk
            side0 = np.where(pk < 0, np.maximum(side0, r), side0)
            side1 = np.where(pk > 0, np.minimum(side1, r), side1)
        for pk, qk in sides + [(d[:, 2], top - a[:, 2])]:
            r = qk / pk
            t0 = np.where(pk < 0, np.maximum(t0, r), t0)
            t1 = np.where(pk > 0, np.minimum(t1, r), t1)
            keep &= ~((pk == 0) & (qk < 0))
    keep &= t0 <= t1
    a0 = a[keep] + t0[keep, None] * d[keep]
    b0 = a[keep] + t1[keep, None] * d[keep]
    moved = np.stack([(t0 > 0) & (t0 == side0), (t1 < 1) & (t1 == side1)],
                     axis=1)[keep].ravel()
    return np.stack([a0, b0], axis=1).reshape(-1, 3).astype(np.float32), moved


def thin_path(p: np.ndarray, tol: float) -> np.ndarray:
    """The polyline p (n, 3) without the points that stay in their predecessor's
    cube of side ``tol`` (cells ⌊p/tol⌋); the first and last points are always kept.

    Every dropped point lies in the cell of the last kept point before it, so
    the thinned line is within tol·√3 of every point of p: with tol far below a
    pixel it draws the same picture with fewer segments (a converged run
    repeats one point hundreds of times). Non-finite points are kept."""
    if len(p) <= 2:
        return p
    with np.errstate(invalid="ignore"):
        cell = np.floor(np.asarray(p, dtype=float) / tol)
    keep = np.empty(len(p), dtype=bool)
    keep[0] = keep[-1] = True
    keep[1:-1] = np.any(cell[1:-1] != cell[:-2], axis=1)
    return p[keep]


def lowest_corner_azimuth(h: np.ndarray) -> float:
    """Camera azimuth (degrees) over the lowest side or corner of the height grid
    h[x, y] (the lowest mean over the third of the grid nearest it), 20° off that
    direction, which reads better than straight on. A valley is then seen along
    its floor, and high ground faces the camera instead of hiding what is behind."""
    q = max(1, len(h) // 3)
    lo, hi, every = slice(None, q), slice(-q, None), slice(None)
    parts = {180.0: (lo, every), 0.0: (hi, every), -90.0: (every, lo), 90.0: (every, hi),
             -135.0: (lo, lo), -45.0: (hi, lo), 45.0: (hi, hi), 135.0: (lo, hi)}
    with np.errstate(all="ignore"):
        means = {az: np.nanmean(h[ix, iy]) if np.isfinite(h[ix, iy]).any() else np.inf
                 for az, (ix, iy) in parts.items()}
    return min(means, key=means.get) - 20.0


class GridMesh(gl.MeshData):
    """MeshData whose vertex normals are given (pyqtgraph's own loop is slow)."""

    def __init__(self, vertexes, faces, colors, normals) -> None:
        super().__init__(vertexes=vertexes, faces=faces, vertexColors=colors)
        self._given_normals = normals

    def vertexNormals(self, indexed=None):  # noqa: N802 (pyqtgraph name)
        if indexed == "faces":
            return self._given_normals[self.faces()]
        return self._given_normals
