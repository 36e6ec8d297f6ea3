"""The 3-D view: the loss surface as a lit, colour-mapped mesh with the paths on it.

Coordinates are normalised so any window reads well: the view window maps to
the square [−1, 1]², and the height is the loss on the chosen scale (as in the
contour view: linear, sqrt or log) mapped to [0, HEIGHT]. A path point θ with
loss f(θ) sits at (X(θ), H(f(θ)) + LIFT), slightly above the mesh so it stays
visible. The mesh (MESH × MESH vertices, normals from the height field's finite
differences) is rebuilt only on ``surface_changed`` or a scale change; a step
only sets the data of the path lines and the current points.

Faces touching a non-finite sample are left out, so NaN/inf in the surface is a
hole in the mesh. Mouse: drag rotates, wheel zooms, middle/ctrl-drag pans
(GLViewWidget's own); ``reset_camera()`` frames the window again; hovering emits
``hovered`` with the surface point under the mouse (pick.py), "" off the surface.

The view is pyqtgraph's GLViewMixin on a raster widget (host.py),
not a QOpenGLWidget, so that the window around it keeps cheap raster
composition. A path is drawn without the steps too short to see
(mesh.thin_path): a converged run's last hundreds of steps add
nothing to the picture but cost llvmpipe ~0.25 ms per thousand antialiased segments.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph.opengl as gl
from OpenGL import GL
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtOpenGL import QOpenGLFramebufferObject

from ....core.simulation import Simulation
from ..base import ModelView
from ..options import ViewOptions
from ..paths import cached
from ..levels import transform_for
from .gl import share_gl_contexts
from .cache import ATTACHMENT, StaticLayer
from .extras import SceneExtras
from .host import OffscreenGLView
from .overlay import OverlayMixin
from .pick import pick, surface_readout, view_ray
from .mesh import (LIT_SHADER, GridMesh, clip_pairs, clip_segments, forget_compiled_shaders,
                                lowest_corner_azimuth, thin_path)
from ...style.theme import get_theme, level_colors

MESH = 200
HEIGHT = 0.9
LIFT = 0.012
SCALES = ("linear", "sqrt", "log")
TOP = 1.5          # the box's top: the mesh is clipped there too (a pole cut off)
FAR = 1e6          # a path's heights are kept up to this, then cut at TOP
THIN = 1e-5        # scene units (the window is 2 wide): steps shorter than this are not drawn
LONG = 20_000      # from this many steps a path is first thinned in the data, per point once
LONG_CELLS = 4000  # ... to cells of 1/4000 of the window (a quarter pixel of a large view)

class SurfaceView(OverlayMixin, ModelView, OffscreenGLView):
    """The surface mesh, paths lifted over it, current points, minima."""

    fbo_attachment = ATTACHMENT        # the static layer's depth is copied into the frame
    hovered = QtCore.Signal(str)       # the surface point under the mouse ("" when none)

    def __init__(self, sim: Simulation, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.sim = sim
        self._scale = "sqrt"
        self._theme = get_theme("light")
        self.mesh_builds = 0           # how many times the mesh was rebuilt (for tests)
        self.setMinimumSize(240, 200)
        self.setMouseTracking(True)    # hovering reads the surface point (pick.py)
        self.mesh = gl.GLMeshItem(shader=LIT_SHADER, smooth=True, glOptions="opaque")
        self.addItem(self.mesh)
        self.minima = gl.GLScatterPlotItem(size=11, pxMode=True)
        self.minima.setGLOptions("translucent")
        self.addItem(self.minima)
        self.current = gl.GLScatterPlotItem(size=12, pxMode=True)
        self.current.setGLOptions("translucent")
        self.addItem(self.current)
        self.floor = gl.GLLinePlotItem(mode="line_strip", width=1.0, antialias=True,
                                       pos=np.array([[-1, -1, 0], [1, -1, 0], [1, 1, 0],
                                                     [-1, 1, 0], [-1, -1, 0]], dtype=float))
        self.floor.setGLOptions("translucent")       # depth-tested: hidden behind the mesh
        self.addItem(self.floor)
        # every run's path in one item (one draw call), coloured per vertex
        self.lines = gl.GLLinePlotItem(width=2.5, antialias=True, mode="lines")
        self.lines.setGLOptions("translucent")
        self.addItem(self.lines)
        self.extras = SceneExtras(self, LIFT, THIN)   # LBFGS's marks, ASGD's θ̄, Rprop's box
        self._scene_paths: list[np.ndarray] = []   # per run: its path in scene coordinates
        self._segments: list[np.ndarray] = []      # ... the segments drawn of it
        self._heads: list = []                     # ... its current point and colour, or None
        self._paths: dict = {}                     # ... its paths.CellPath, for long runs
        self._height = None            # (forward transform, t0, t1) of the current mesh
        self._heights = np.zeros((2, 2))   # the mesh's scene heights (NaN: a hole), to pick
        self._home_azimuth = -150.0
        self._labels = (None, None)    # (key, image) of the cached axis labels
        self._header = (None, None)    # (key, image) of the cached legend and counter
        # on screen beside the map, whose legend says the same, the 3-D view may go
        # without one; its exports (render_image) always carry it
        self.show_legend = True
        self.static_layer = StaticLayer()          # the widget's own frames
        self.export_layer = StaticLayer()          # render_image's frames
        self._export_fbo = None
        self.listen(sim)
        self.apply_theme("light")
        self.draw_static()
        self.redraw()

    # ------------------------------------------------------------- options
    def set_scale(self, scale: str) -> None:
        """Height scale: "linear", "sqrt" or "log" of the loss."""
        if scale not in SCALES:
            raise ValueError(f"scale must be one of {', '.join(SCALES)}, got {scale!r}")
        if scale != self._scale:
            self._scale = scale
            self._build_mesh()
            self.redraw()

    @property
    def options(self) -> ViewOptions:
        """Theme, height scale and camera, as a value (the export copies them)."""
        c = self.cameraParams()
        center = c["center"]
        camera = (c["distance"], c["elevation"], c["azimuth"], center.x(), center.y(), center.z())
        return ViewOptions(theme=self._theme.name, scale=self._scale, camera=camera)

    def apply_options(self, options: ViewOptions) -> None:
        self.apply_theme(options.theme)
        self.set_scale(options.scale)
        if options.camera:
            d, el, az, x, y, z = options.camera
            self.setCameraPosition(pos=QtGui.QVector3D(x, y, z), distance=d, elevation=el,
                                   azimuth=az)

    def reset_camera(self) -> None:
        """Look at the whole window from above its lowest corner, 30° up, so the
        high ground faces the camera instead of hiding the valleys."""
        self.setCameraPosition(pos=QtGui.QVector3D(0, 0, HEIGHT * 0.3), distance=3.7,
                               elevation=30, azimuth=self._home_azimuth)

    def apply_theme(self, name: str) -> None:
        self._theme = t = get_theme(name)
        self.setBackgroundColor(t.background)
        self.minima.setData(color=QtGui.QColor(t.minimum))
        self.floor.setData(color=QtGui.QColor(t.muted))
        if self._height is not None:
            self._build_mesh()
        self.update()

    # ------------------------------------------------------------- drawing
    def draw_static(self) -> None:
        self._build_mesh()
        self.reset_camera()

    def _to_scene(self, p: np.ndarray, f: np.ndarray, top: float = 1.5) -> np.ndarray:
        """(n, 2) points and (n,) losses -> (n, 3) scene coordinates, heights at most
        ``top`` (a path's are left far above the box, to be cut where they leave it)."""
        (x0, x1), (y0, y1) = self.sim.surface.bounds
        fwd, t0, t1 = self._height
        out = np.empty((len(p), 3), dtype=np.float32)
        out[:, 0] = 2 * (p[:, 0] - x0) / (x1 - x0) - 1
        out[:, 1] = 2 * (p[:, 1] - y0) / (y1 - y0) - 1
        with np.errstate(all="ignore"):
            h = HEIGHT * (fwd(np.asarray(f, dtype=float)) - t0) / (t1 - t0)
        # below the grid's lowest sample (a minimum between grid points): on the floor
        out[:, 2] = np.clip(np.nan_to_num(h, nan=0.0, posinf=top, neginf=0.0), 0.0, top)
        return out

    def _build_mesh(self) -> None:
        self.mesh_builds += 1
        s = self.sim.surface
        xs, ys, z = s.grid(min(MESH, s.grid_points or MESH))
        fwd, (t0, t1) = transform_for(z, self._scale)
        self._height = (fwd, t0, t1)
        with np.errstate(all="ignore"):
            h = HEIGHT * (fwd(z) - t0) / (t1 - t0)
        h = np.where(np.isfinite(h), np.clip(h, -0.5, TOP), np.nan)
        self._heights = h
        n = len(xs)
        u = np.linspace(-1, 1, n)
        X, Y = np.meshgrid(u, u, indexing="ij")
        verts = np.stack([X, Y, np.nan_to_num(h)], axis=-1).reshape(-1, 3).astype(np.float32)
        # normals of the height field (−∂h/∂X, −∂h/∂Y, 1)
        hz = np.nan_to_num(h)
        dX, dY = np.gradient(hz, u, u)
        nrm = np.stack([-dX, -dY, np.ones_like(hz)], axis=-1).reshape(-1, 3)
        nrm = (nrm / np.linalg.norm(nrm, axis=1, keepdims=True)).astype(np.float32)
        lut = level_colors(self._theme, 256).astype(np.float32) / 255.0
        idx = np.clip(np.nan_to_num(h / HEIGHT) * 255, 0, 255).astype(int).reshape(-1)
        colors = lut[idx]
        # two triangles per grid cell, skipping cells with a non-finite corner
        i, j = np.meshgrid(np.arange(n - 1), np.arange(n - 1), indexing="ij")
        a = (i * n + j).ravel()
        b, c, d = a + n, a + n + 1, a + 1
        ok = np.isfinite(h[:-1, :-1] + h[1:, :-1] + h[1:, 1:] + h[:-1, 1:]).ravel()
        faces = np.concatenate([np.stack([a, b, c], 1)[ok], np.stack([a, c, d], 1)[ok]])
        self.mesh.setMeshData(meshdata=GridMesh(verts, faces.astype(np.uint32), colors, nrm))
        self._home_azimuth = lowest_corner_azimuth(h)
        m = np.asarray(self.sim.surface.minima, dtype=float).reshape(-1, 2)
        if len(m):
            self.minima.setData(pos=self._to_scene(m, self.sim.surface.value(m)) + [0, 0, LIFT])
        self.minima.setVisible(len(m) > 0)

    def draw_run(self, i: int) -> None:
        """Run i's path lifted over the surface, clipped to the window, up to the current step."""
        sim, k = self.sim, self.sim.step
        none = np.zeros((0, 3), dtype=np.float32)
        for cache, empty in ((self._scene_paths, none), (self._segments, none), (self._heads, None)):
            cache.extend([empty] * (len(sim.runs) - len(cache)))
        run, t = sim.runs[i], sim.trajectories[i]
        self.extras.draw_run(i, sim)
        if not run.enabled or t.steps < 0:
            self._scene_paths[i], self._segments[i], self._heads[i] = none, none, None
            return
        n = t.steps                      # once: a worker may be extending the run
        params, losses = t.params[: n + 1], t.loss[: n + 1]
        k = min(k, n)
        pairs = None
        if k > LONG:                     # a long run: what a drawing shows (views/paths)
            (x0, x1), (y0, y1) = sim.surface.bounds
            cell = ((x1 - x0) / LONG_CELLS, (y1 - y0) / LONG_CELLS)
            c = cached(self._paths, i, t, params, k, cell)
            idx = c.polyline(k)
            if idx is None:              # back and forth over the same cells: its segments
                pairs = c.segments(k)
                idx = np.array([k])
            p = self._to_scene(params[idx], losses[idx], top=FAR)
        else:
            p = self._to_scene(params[: k + 1], losses[: k + 1], top=FAR)
        p[:, 2] += LIFT
        self._scene_paths[i] = p
        if pairs is not None:
            ends = np.concatenate([pairs - 1, pairs])
            q = self._to_scene(params[ends], losses[ends], top=FAR)
            q[:, 2] += LIFT
            seg, moved = clip_pairs(q[: len(pairs)], q[len(pairs):], TOP + LIFT)
        else:
            seg, moved = clip_segments(thin_path(p, THIN), TOP + LIFT)
        if moved.any():                  # an end cut at the edge sits on the surface there
            seg[moved, 2] = self._edge_heights(seg[moved, :2])
        self._segments[i] = seg
        color = QtGui.QColor(sim.colors()[i]).getRgbF()
        # a current point off the window is not drawn
        inside = np.all(np.abs(p[-1, :2]) <= 1.0) and p[-1, 2] <= TOP + LIFT
        self._heads[i] = (p[-1], color) if inside else None

    def draw_shared(self) -> None:
        """Every run's segments in one line item (one draw call), and the current points."""
        n = len(self.sim.runs)
        for cache in (self._scene_paths, self._segments, self._heads):
            del cache[n:]
        self.extras.draw_shared(n)
        segs, rgba = [], []
        for seg, head, color in zip(self._segments, self._heads, self.sim.colors()):
            if len(seg):
                segs.append(seg)
                c = np.asarray(QtGui.QColor(color).getRgbF(), dtype=np.float32)
                rgba.append(np.broadcast_to(c, (len(seg), 4)))
        if segs:
            self.lines.setData(pos=np.concatenate(segs), color=np.concatenate(rgba))
        self.lines.setVisible(bool(segs))
        heads = [h for h in self._heads if h is not None]
        if heads:
            self.current.setData(pos=np.array([p for p, _ in heads]),
                                 color=np.array([c for _, c in heads], dtype=np.float32))
        self.current.setVisible(bool(heads))
        self.update()

    def _edge_heights(self, xy: np.ndarray) -> np.ndarray:
        """Scene heights (+ LIFT) of the surface at scene points xy (m, 2)."""
        (x0, x1), (y0, y1) = self.sim.surface.bounds
        data = np.column_stack([x0 + (xy[:, 0] + 1) / 2 * (x1 - x0),
                                y0 + (xy[:, 1] + 1) / 2 * (y1 - y0)])
        return self._to_scene(data, self.sim.surface.value(data))[:, 2] + LIFT

    def drawn_path(self, i: int) -> np.ndarray:
        """Run i's path in scene coordinates, (n, 3), before clipping to the window."""
        return self._scene_paths[i].copy()

    def drawn_segments(self, i: int) -> np.ndarray:
        """Run i's drawn line: (2m, 3) segment end points, clipped to the window."""
        return self._segments[i].copy()

    def pick(self, x: float, y: float) -> np.ndarray | None:
        """The drawn mesh's scene point (X, Y, Z) under widget point (x, y), or None."""
        w, h = max(1, self.width()), max(1, self.height())
        ray = view_ray(self.projectionMatrix((0, 0, w, h), (0, 0, w, h)) * self.viewMatrix(),
                       x, y, w, h)
        return None if ray is None else pick(self._heights, *ray)

    def mouseMoveEvent(self, ev) -> None:  # noqa: N802 (Qt name)
        super().mouseMoveEvent(ev)
        if ev.buttons() == QtCore.Qt.MouseButton.NoButton:      # not while turning it
            p = ev.position()                                    # the pixel's middle:
            point = self.pick(int(p.x()) + 0.5, int(p.y()) + 0.5)   # what OpenGL drew there
            self.hovered.emit(surface_readout(self.sim.surface, point))

    def leaveEvent(self, ev) -> None:  # noqa: N802 (Qt name)
        super().leaveEvent(ev)
        self.hovered.emit("")

    def initializeGL(self):  # noqa: N802 (Qt name)
        if not share_gl_contexts():
            forget_compiled_shaders()     # this context cannot use another one's programs
        super().initializeGL()

    # -------------------------------------------------------------- overlay
    def paintGL(self) -> None:  # noqa: N802 (Qt name)
        self.static_layer.paint(self, [self.mesh, self.floor], (self._camera(), self.mesh_builds))

    def projectionMatrix(self, region, viewport):  # noqa: N802 (pyqtgraph name)
        """pyqtgraph's projection fits the field of view to the width; a view wider
        than 4:3 would then crop the top and bottom of the surface. Fit the height
        of a 4:3 view instead, so every shape of window shows the whole window."""
        w, h = viewport[2], viewport[3]
        aspect = w / h if h else 1.0
        if aspect <= 4 / 3:
            return super().projectionMatrix(region, viewport)
        fov = self.opts["fov"]
        self.opts["fov"] = math.degrees(2 * math.atan(math.tan(math.radians(fov) / 2)
                                                       * aspect * 3 / 4))
        try:
            return super().projectionMatrix(region, viewport)
        finally:
            self.opts["fov"] = fov

    def _camera(self) -> tuple:
        o, c = self.opts, self.opts["center"]
        return (o["azimuth"], o["elevation"], o["distance"], c.x(), c.y(), c.z(), o["fov"])

    # -------------------------------------------------------------- export
    def render_image(self, w: int, h: int) -> QtGui.QImage:
        """The view at w × h pixels (needs a GL context: see gl.gl_available()).

        One offscreen framebuffer of that size; frames of one size share the
        cached mesh layer, so a sequence of steps only draws the paths."""
        w, h = int(w), int(h)
        if not self.makeCurrent():
            raise RuntimeError("The 3-D view cannot draw here: no OpenGL context "
                               "(see optiviz_gui.ui.gl.gl_available).")
        try:
            if self._export_fbo is None or (self._export_fbo.width(), self._export_fbo.height()) != (w, h):
                self._export_fbo = QOpenGLFramebufferObject(w, h, ATTACHMENT)
            fbo = self._export_fbo
            fbo.bind()
            GL.glViewport(0, 0, w, h)
            self.export_layer.paint(self, [self.mesh, self.floor], (self._camera(), self.mesh_builds),
                                    region=(0, 0, w, h), target=fbo.handle())
            GL.glFinish()
            img = fbo.toImage().convertToFormat(QtGui.QImage.Format.Format_RGB32)
            fbo.release()
        finally:
            self.doneCurrent()
        p = QtGui.QPainter(img)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        self._paint_overlay(p, w, h, magnify=True)
        p.end()
        return img
