"""The 2-D view: a filled level map of the loss with every run's path so far.

Drawn with pyqtgraph, all inside one graphics scene so that ``render_image``
(and so every export) includes the colour bar, the legend and the iteration
counter:

    header      iteration counter | legend: label, loss, diverged/converged
    plot        level map (ImageItem), iso-lines, minima (stars), start point,
                each enabled run's path (line + points, current point larger;
                a seed fan's runs thin, with their mean path bold: views/fans.py)
                and arrows at the current points
    colour bar  loss values on the chosen scale (linear, sqrt, log)

Arrows at each current point θ_k (core/arrows.py), in the run's colour, told
apart by their strokes (arrows.py), every run's or the selected run's alone:

    update     θ_{k+1} − θ_k, the step the optimizer takes next, true length
    gradient   −∇f(θ_k), scaled so that |∇f(θ_0)| is 15 % of the window diagonal
    velocity   −(momentum buffer or Adam's exp_avg) after k updates, same scale
               as the gradient (it is a running average of gradients)

Runs whose current points sit on one another (all of them at step 0) show as one
disc split in their colours with a count (stacks.py).

and what some optimizers keep besides their path (extras.py): LBFGS's
evaluations inside its last step, ASGD's averaged path, Rprop's step sizes.

The level map and iso-lines are recomputed only on ``surface_changed`` (or a
scale change); a step, an edit or a run change only calls ``setData`` on
existing items.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from ....core.arrows import arrow_vectors
from ....core.simulation import Simulation
from . import items as map_items
from ..fans import FanPaths, thin_runs
from .extras import RunExtras
from ..base import ModelView
from ..hover import map_readout
from ..legend import WrapLabel, header_html
from ..levels import colormap, isolines, levels
from ..options import ViewOptions
from ...style.theme import get_theme, style_axes, style_plot
from ..scene import LayoutRenderer

SCALES = ("linear", "sqrt", "log")
SCALE_LABELS = {"linear": "loss", "sqrt": "loss (square-root colour scale)",
                "log": "loss (log colour scale)"}
GRID = 300                     # level-map resolution (GRID × GRID samples)
N_ISOLINES = 14


class _MapViewBox(pg.ViewBox):
    """A ViewBox where a left click or left drag asks for a start point; the
    middle button pans, the wheel zooms, the right button opens the menu."""

    start_picked = QtCore.Signal(float, float)

    def mouseClickEvent(self, ev):  # noqa: N802 (Qt name)
        if ev.button() == QtCore.Qt.MouseButton.LeftButton:
            ev.accept()
            self._pick(ev.scenePos())
        else:
            super().mouseClickEvent(ev)

    def mouseDragEvent(self, ev, axis=None):  # noqa: N802 (Qt name)
        if ev.button() == QtCore.Qt.MouseButton.LeftButton and axis is None:
            ev.accept()
            self._pick(ev.scenePos())
        else:
            super().mouseDragEvent(ev, axis)

    def _pick(self, scene_pos) -> None:
        """The point under the mouse, rounded to the decimals a pixel resolves (a drag
        gives 0.49, not 0.4931245108)."""
        p = self.mapSceneToView(scene_pos)
        px, py = self.viewPixelSize()
        self.start_picked.emit(_round_to_pixel(p.x(), px), _round_to_pixel(p.y(), py))


def _round_to_pixel(v: float, pixel: float) -> float:
    """v with the fewest decimals that still tell neighbouring pixels apart."""
    pixel = abs(float(pixel))
    if not np.isfinite(pixel) or pixel <= 0:
        return float(v)
    return round(float(v), max(0, -int(np.floor(np.log10(pixel)))))


class ContourView(ModelView, QtWidgets.QWidget):
    """Level map + paths + arrows + legend + counter of a ``Simulation``."""

    start_requested = QtCore.Signal(float, float)
    hovered = QtCore.Signal(str)          # the readout under the mouse ("" when it leaves)

    def __init__(self, sim: Simulation, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.sim = sim
        self._scale = "sqrt"
        self._isolines = True
        self._arrows = (False, False, False)
        self._arrows_run: int | None = None      # only this run's arrows (None: all)
        self._theme = get_theme("light")
        self._levels = None          # contour_view_levels.Levels of the current surface and scale
        self._levels_version = 0

        self.graphics = pg.GraphicsLayoutWidget()
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.graphics)
        self.setMinimumSize(240, 200)

        ci = self.graphics.ci
        ci.setContentsMargins(6, 4, 6, 4)
        ci.setSpacing(2)
        self.header = WrapLabel(justify="left")
        ci.addItem(self.header, row=0, col=0)
        self.view_box = _MapViewBox()
        self.plot = ci.addPlot(row=1, col=0, viewBox=self.view_box)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.view_box.start_picked.connect(self.start_requested)
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)

        self.image = pg.ImageItem(axisOrder="col-major")
        # the map only changes with the surface, scale, theme or view range: let Qt keep
        # it as a pixmap instead of rescaling the image on every step's repaint
        self.image.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.plot.addItem(self.image)
        self.colorbar = pg.ColorBarItem(interactive=False, width=14, colorMapMenu=False)
        self.colorbar.setImageItem(self.image, insert_in=self.plot)
        # the ticks carry their own text (levels.fmt): no "(x0.001)" on a network's small losses
        self.colorbar.axis.enableAutoSIPrefix(False)
        self.items = map_items.MapItems(self.plot)
        self.fans = FanPaths(self.plot)
        self.extras = RunExtras(self.plot)

        self._rendering = False
        self.renderer = LayoutRenderer(self.graphics, self.redraw)
        self.view_box.sigRangeChanged.connect(self._on_view_changed)
        self.view_box.sigResized.connect(self._on_view_changed)
        self._settling = False        # draw_static moves the view range: no redraws then
        self.listen(sim)
        self.apply_theme("light")
        self.draw_static()
        self.redraw()

    # ------------------------------------------------------------- options
    def set_scale(self, scale: str) -> None:
        """Colour scale of the level map: "linear", "sqrt" or "log"."""
        if scale not in SCALES:
            raise ValueError(f"scale must be one of {', '.join(SCALES)}, got {scale!r}")
        if scale != self._scale:
            self._scale = scale
            self._draw_levels()

    def scale(self) -> str:
        return self._scale

    @property
    def options(self) -> ViewOptions:
        """Theme, scale, iso-lines and arrows, as a value (the export copies them)."""
        return ViewOptions(theme=self._theme.name, scale=self._scale,
                           isolines=self._isolines, arrows=self._arrows,
                           arrows_run=self._arrows_run)

    def apply_options(self, options: ViewOptions) -> None:
        self.apply_theme(options.theme)
        self.set_scale(options.scale)
        self.set_isolines(options.isolines)
        self.set_arrows(*options.arrows)
        self.set_arrows_run(options.arrows_run)

    def set_isolines(self, on: bool) -> None:
        self._isolines = bool(on)
        self.items.isolines.setVisible(self._isolines)

    def set_arrows(self, gradient: bool, update: bool, velocity: bool) -> None:
        """Which arrows to draw at each current point."""
        self._arrows = (bool(gradient), bool(update), bool(velocity))
        self._redraw_arrows()
        self._draw_header()

    def set_arrows_run(self, run: int | None) -> None:
        """Draw the arrows of run ``run`` alone (the selected run), or of every shown run (None)."""
        run = None if run is None else int(run)
        if run != self._arrows_run:
            self._arrows_run = run
            self._redraw_arrows()
            self._draw_header()

    def apply_theme(self, name: str) -> None:
        self._theme = t = get_theme(name)
        style_plot(t, self.graphics, self.plot)
        style_axes(t, self.colorbar.axis)
        self.items.apply_theme(t)
        self.fans.apply_theme(t)
        self.colorbar.setColorMap(colormap(t))
        self._draw_header()

    # ------------------------------------------------------------- drawing
    def draw_static(self) -> None:
        """Axes, window, minima and the level map of the current surface."""
        s = self.sim.surface
        xl, yl = s.axis_labels
        self.plot.setLabel("bottom", xl)
        self.plot.setLabel("left", yl)
        (x0, x1), (y0, y1) = s.bounds
        self._settling = True          # the runs are drawn next (history_changed)
        try:
            self.view_box.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        finally:
            self._settling = False
        self.items.set_minima(np.asarray(s.minima, dtype=float).reshape(-1, 2))
        self._grid = s.grid(min(GRID, s.grid_points or GRID))
        self._draw_levels()

    def _draw_levels(self) -> None:
        xs, ys, z = self._grid
        lv = levels(z, self._scale, N_ISOLINES)
        self._levels = lv
        self._levels_version += 1
        dx, dy = xs[1] - xs[0], ys[1] - ys[0]
        self.image.setImage(lv.image, autoLevels=False, levels=lv.range)
        self.image.setRect(QtCore.QRectF(xs[0] - dx / 2, ys[0] - dy / 2,
                                         xs[-1] - xs[0] + dx, ys[-1] - ys[0] + dy))
        self.colorbar.setLevels(lv.range)
        ax = self.colorbar.axis
        ax.setTicks([lv.ticks])
        ax.setLabel(SCALE_LABELS[self._scale])
        fm = QtGui.QFontMetrics(ax.style.get("tickFont") or self.font())
        longest = max((fm.horizontalAdvance(text) for _, text in lv.ticks), default=0)
        ax.setWidth(longest + 36)            # tick, gap, labels, and the rotated title
        self.items.set_isolines(isolines(xs, ys, lv.image, lv.iso))
        self.items.isolines.setVisible(self._isolines)

    def _on_view_changed(self, *_args) -> None:
        """Zoom, pan or resize: dots, arrow heads and the legend depend on pixel sizes."""
        if not (self._rendering or self._settling):   # render_image redraws once settled
            self.redraw()

    def draw_run(self, i: int) -> None:
        """Run i's path up to the current step (hidden when the run is off)."""
        sim, k = self.sim, self.sim.step
        self.items.ensure_runs(len(sim.runs))
        run, t = sim.runs[i], sim.trajectories[i]
        path = t.params if run.enabled else None
        px = self.view_box.viewPixelSize()
        self.items.set_path(i, t, path, k, sim.colors()[i], px, thin=i in thin_runs(sim))
        self.extras.draw_run(i, sim, px)

    def draw_shared(self) -> None:
        """Current points, start marker, arrows, legend and counter."""
        sim, k = self.sim, self.sim.step
        self.items.hide_runs_from(len(sim.runs))
        self.extras.hide_from(len(sim.runs))
        shown = [(t.params[min(k, t.steps)], c) for r, t, c in
                 zip(sim.runs, sim.trajectories, sim.colors()) if r.enabled and t.steps >= 0]
        self.items.set_current(shown, self.view_box.viewPixelSize())
        self.items.set_start(sim.start)
        self.fans.draw(sim, k)
        self._redraw_arrows()
        self._draw_header()

    def _redraw_arrows(self, *_args) -> None:
        sim, k = self.sim, self.sim.step
        thin = thin_runs(sim)                  # a seed fan's runs: no arrows, only paths
        shown = [i for i, (r, t) in enumerate(zip(sim.runs, sim.trajectories))
                 if r.enabled and t.steps >= 0 and i not in thin]
        # every shown run's arrows set the gradient scale, so one run's alone keep their length
        arrows = arrow_vectors(sim.surface, [sim.trajectories[i] for i in shown], k,
                               self._arrows, runs=shown)
        arrows = {kind: a.only(self._arrows_run) for kind, a in arrows.items()}
        self.items.arrows.set_arrows(arrows, sim.colors(), self.view_box.viewPixelSize())

    def _draw_header(self) -> None:
        """The legend wraps to the view's width, so a long one never widens the layout."""
        width = self.graphics.ci.geometry().width() - 16
        if self.header.item.textWidth() != max(100.0, width):      # a relayout: only when new
            self.header.item.setTextWidth(max(100.0, width))
        text = header_html(self.sim, self._theme, self._arrows, width, self.header.item.font(),
                           arrows_run=self._arrows_run)
        if text != self.header.text:            # a new text lays the header out again
            self.header.setText(text)

    def _on_mouse_moved(self, scene_pos) -> None:
        if not self.view_box.sceneBoundingRect().contains(scene_pos):
            self.hovered.emit("")
            return
        p = self.view_box.mapSceneToView(scene_pos)
        self.hovered.emit(map_readout(self.sim, p.x(), p.y(), self.view_box.viewPixelSize()))

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().leaveEvent(event)
        self.hovered.emit("")

    # ---------------------------------------------------------- inspection
    def drawn_path(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """The (x, y) data of run i's drawn path line (empty when hidden)."""
        return self.items.path_data(i)

    def drawn_arrows(self, kind: str) -> np.ndarray:
        """(m, 4) rows x0, y0, dx, dy of the drawn arrows of one kind
        ("gradient", "update" or "velocity"), one per shown run."""
        return self.items.arrows.data(kind)

    def drawn_arrow_runs(self, kind: str) -> np.ndarray:
        """(m,) the run of each row of ``drawn_arrows(kind)``."""
        return self.items.arrows.runs(kind)

    def drawn_stacks(self) -> list[tuple[float, float, list[str]]]:
        """The current points drawn as a stack: (x, y, the colours of its runs)."""
        return self.items.markers.stacks()

    # -------------------------------------------------------------- export
    def static_items(self) -> list:
        """Scene items that do not change with the step (map, iso-lines, axes, colour bar)."""
        return [self.image, self.items.isolines, self.colorbar,
                self.plot.getAxis("left"), self.plot.getAxis("bottom")]

    def dynamic_items(self) -> list:
        """Scene items that change with the step: header, paths, points, markers, arrows."""
        it = self.items
        return [self.header, *it.markers.items(), it.start, it.minima, *it.arrows.items(),
                *(item for pair in it.runs for item in pair), *self.fans.items,
                *self.extras.items()]

    def render_image(self, w: int, h: int) -> QtGui.QImage:
        """This view rendered at w × h pixels, offscreen; the widget is left as it was.

        Frames of one size share a cached background (map, iso-lines, axes, colour
        bar), so a sequence of steps costs only the moving items per frame."""
        static, moving = self.static_items(), self.dynamic_items()
        self._rendering = True
        try:
            return self.renderer.render(w, h, self._theme.background, static, moving,
                                        self.static_key())
        finally:
            self._rendering = False

    def static_key(self) -> tuple:
        """Changes whenever a static item would look different (a new map, scale,
        theme, iso-lines, view range or axis labels)."""
        return (self._levels_version, self._theme.name, self._isolines,
                tuple(map(tuple, self.view_box.viewRange())), self.sim.surface.axis_labels)

    def background_color(self) -> str:
        """The theme's background colour, under everything drawn."""
        return self._theme.background
