"""The map itself: the cells as an image, axes, a colour bar or legend, markers, hover, click.

    ┌ Adam · start points, 64 × 64 · 100 steps ─────────────────┐
    │ ■ converged 2,413  ■ diverged 1,600  ■ still running 83   │
    │ y ┌──────────────────────────────┐ ┃ colour bar           │
    │   │  cells (one per run)    ✦  ○ │ ┃ (loss and steps      │
    │   └──────────────────────────────┘ ┃  schemes only)       │
    │                x  (lr: a log axis, 10⁻³ 10⁻² …)           │

Everything is one pyqtgraph scene, so ``render_image`` (the PNG of File ▸
Export map… and of ``optiviz map -o OUT.png``) has the title, the legend and the
colour bar in it. Cells are drawn at their grid coordinates: a start map's
cell (i, j) is centred on (u_i, v_j); a hyper map's x is log10(lr), so the
log-spaced lr cells are evenly wide, and the axis labels them as powers of ten.
An lr map without a second keyword is one strip of cells.

The canvas only draws what it is given (``show``) and reports the cell under
the mouse (``hovered(i, j)``, (−1, −1) off the map) and clicks
(``clicked(i, j, right_button)``); the map view decides what they mean.
"""

from __future__ import annotations

import html
import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from ...style.theme import Theme, get_theme, style_axes, style_plot
from ..axes import LogFriendlyAxis
from ..legend import WrapLabel
from ..scene import render_layout
from .colors import Picture, colormap
from .describe import axis_titles


COMPACT_BELOW = 460      # pixels: a narrower legend shows each entry's name alone


class _CellBox(pg.ViewBox):
    """A ViewBox that reports left and right clicks instead of panning or a menu."""

    clicked_at = QtCore.Signal(object, bool)        # scene position, right button

    def mouseClickEvent(self, ev):  # noqa: N802 (Qt name)
        button = ev.button()
        if button in (QtCore.Qt.MouseButton.LeftButton, QtCore.Qt.MouseButton.RightButton):
            ev.accept()
            self.clicked_at.emit(ev.scenePos(), button == QtCore.Qt.MouseButton.RightButton)

    def mouseDragEvent(self, ev, axis=None):  # noqa: N802 (Qt name)
        ev.ignore()

    def wheelEvent(self, ev, axis=None):  # noqa: N802 (Qt name)
        ev.ignore()


class _Haloed:
    """A hollow marker drawn over a wider one in a contrasting colour (a halo)."""

    def __init__(self, plot, symbol: str, size: float, z: float) -> None:
        self.halo = pg.ScatterPlotItem(symbol=symbol, size=size)
        self.line = pg.ScatterPlotItem(symbol=symbol, size=size)
        for k, item in enumerate((self.halo, self.line)):
            item.setZValue(z + k)
            item.setBrush(pg.mkBrush(None))
            plot.addItem(item)

    def set_colors(self, line: str, halo: str, width: float) -> None:
        self.line.setPen(pg.mkPen(line, width=width))
        self.halo.setPen(pg.mkPen(halo, width=width + 3))

    def setData(self, x, y) -> None:  # noqa: N802 - pyqtgraph's name
        self.halo.setData(x, y)
        self.line.setData(x, y)

    def getData(self):  # noqa: N802 - pyqtgraph's name
        return self.line.getData()


class MapCanvas(QtWidgets.QWidget):
    """See the module docstring."""

    hovered = QtCore.Signal(int, int)
    clicked = QtCore.Signal(int, int, bool)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = get_theme("light")
        self.spec = None
        self._picture: Picture | None = None
        self._title = ""
        self._cells = None            # ((a0, da, n), (b0, db, m)) in plot coordinates
        self._rendering = False

        self.graphics = pg.GraphicsLayoutWidget()
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.graphics)
        ci = self.graphics.ci
        ci.setContentsMargins(6, 4, 6, 4)
        ci.setSpacing(2)
        self.header = WrapLabel(justify="left")
        ci.addItem(self.header, row=0, col=0)
        self.view_box = _CellBox()
        self.view_box.setMouseEnabled(False, False)
        self.view_box.setMenuEnabled(False)
        self.bottom = LogFriendlyAxis("bottom")
        self.plot = ci.addPlot(row=1, col=0, viewBox=self.view_box,
                               axisItems={"bottom": self.bottom})
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        for side in ("left", "bottom"):        # momentum 0.9, not 900 × 0.001
            self.plot.getAxis(side).enableAutoSIPrefix(False)
        self.image = pg.ImageItem(axisOrder="col-major")
        self.plot.addItem(self.image)
        # markers drawn twice, a wide halo in the background colour under a thin line in
        # the foreground's: readable on the darkest and the palest cells alike
        self.minima = _Haloed(self.plot, "star", 17, 10)
        self.marker = _Haloed(self.plot, "o", 13, 12)
        self.colorbar = pg.ColorBarItem(values=(0.0, 1.0), width=14, interactive=False,
                                        colorMapMenu=False)
        self._bar_shown = False
        self.view_box.clicked_at.connect(self._clicked)
        # every move, straight from the viewport: pyqtgraph's sigMouseMoved drops moves
        # that follow another within a frame, and the last one of a gesture may be one
        self.graphics.viewport().setMouseTracking(True)
        self.graphics.viewport().installEventFilter(self)
        self.setMinimumSize(200, 160)
        self.apply_theme("light")

    # ------------------------------------------------------------- theme
    @property
    def theme(self) -> Theme:
        return self._theme

    def apply_theme(self, name: str) -> None:
        self._theme = t = get_theme(name)
        style_plot(t, self.graphics, self.plot)
        style_axes(t, self.colorbar.axis)
        self.minima.set_colors(t.minimum, t.background, 1.5)
        self.marker.set_colors(t.foreground, t.background, 2.2)
        self._draw_header()

    # ----------------------------------------------------------- drawing
    def show(self, spec, picture: Picture, title: str) -> None:  # noqa: A003 - QWidget.show too
        """Draw ``picture`` (colors.paint of a result of ``spec``) under ``title``;
        ``show()`` without arguments is QWidget's."""
        new_axes = self.spec is None or _axes_key(self.spec) != _axes_key(spec)
        self.spec, self._picture, self._title = spec, picture, title
        (a0, a1), (b0, b1) = _extent(spec)
        n, m = spec.shape
        da = (a1 - a0) / max(n - 1, 1) if n > 1 else 1.0
        db = (b1 - b0) / max(m - 1, 1) if m > 1 else 1.0
        self._cells = ((a0, da, n), (b0, db, m))
        # pyqtgraph draws nothing of an image one pixel high: an lr strip is doubled
        rgba = picture.rgba if m > 1 else np.repeat(picture.rgba, 2, axis=1)
        self.image.setImage(rgba, autoLevels=False)
        self.image.setRect(QtCore.QRectF(a0 - da / 2, b0 - db / 2, n * da, m * db))
        if new_axes:
            self._draw_axes(spec, (a0 - da / 2, a0 + (n - 0.5) * da),
                            (b0 - db / 2, b0 + (m - 0.5) * db))
        self._draw_bar(picture)
        self._draw_header()

    def clear_map(self, title: str = "") -> None:
        """No map yet: an empty plot under ``title`` (a reason, an error)."""
        self.spec, self._picture, self._title = None, None, title
        self._cells = None
        self.image.clear()
        self.minima.setData([], [])
        self.marker.setData([], [])
        self._draw_bar(None)
        self._draw_header()

    def set_marker(self, u: float | None, v: float | None) -> None:
        """Mark the grid point (u, v) (a start, or a run's lr and keyword); None hides it."""
        spec = self.spec
        if spec is not None and spec.kind == "hyper" and spec.v is None and u is not None:
            v = 0.5                                     # an lr strip: its middle
        ok = spec is not None and u is not None and v is not None and math.isfinite(u) \
            and math.isfinite(v) and (spec.kind == "start" or u > 0)
        if not ok:
            self.marker.setData([], [])
            return
        self.marker.setData([math.log10(u) if spec.kind == "hyper" else u], [v])

    def _draw_axes(self, spec, xr, yr) -> None:
        xt, yt = axis_titles(spec)
        hyper = spec.kind == "hyper"
        self.bottom.setLogMode(hyper)
        self.plot.setLabel("bottom", xt)
        left = self.plot.getAxis("left")
        if yt is None:
            self.plot.hideAxis("left")
        else:
            self.plot.showAxis("left")
            self.plot.setLabel("left", yt)
        left.setStyle(showValues=yt is not None)
        minima = np.asarray(spec.surface.minima, dtype=float).reshape(-1, 2)
        if spec.kind == "start" and len(minima):
            self.minima.setData(minima[:, 0], minima[:, 1])
        else:
            self.minima.setData([], [])
        self.view_box.setRange(xRange=xr, yRange=yr, padding=0)

    def _draw_bar(self, picture: Picture | None) -> None:
        bar = picture.bar if picture is not None else None
        layout = self.plot.layout
        if bar is None:
            if self._bar_shown:                    # out of the layout, and out of sight
                layout.removeItem(self.colorbar)
                layout.setColumnFixedWidth(4, 0)
                self.colorbar.setVisible(False)
                self._bar_shown = False
            return
        self.colorbar.setColorMap(colormap(bar.cmap))
        self.colorbar.setLevels(values=bar.range)
        ax = self.colorbar.axis
        ax.setTicks([bar.ticks] if bar.ticks else None)
        ax.setLabel(bar.title)
        fm = QtGui.QFontMetrics(ax.style.get("tickFont") or self.font())
        texts = [t for _, t in bar.ticks] if bar.ticks else [f"{bar.range[1]:,.0f}"]
        ax.setWidth(max(fm.horizontalAdvance(t) for t in texts) + 36)
        if not self._bar_shown:                    # beside the plot area, as tall as it
            layout.addItem(self.colorbar, 2, 5)
            layout.setColumnFixedWidth(4, 5)
            self.colorbar.setVisible(True)
            self._bar_shown = True

    def _draw_header(self) -> None:
        t = self._theme
        parts = [f"<b>{html.escape(self._title)}</b>"] if self._title else []
        width = self.graphics.ci.geometry().width() - 16
        if self._picture is not None and self._picture.legend:
            compact = width < COMPACT_BELOW          # a narrow pane: names only
            entries = [f"<span style='color:{e.color}'>■</span>&nbsp;"
                       f"{html.escape(e.name if compact else e.text)}"
                       for e in self._picture.legend]
            parts.append(" &nbsp; ".join(entries))
        if self.header.item.textWidth() != max(100.0, width):
            self.header.item.setTextWidth(max(100.0, width))
        self.header.setText("<br>".join(parts) or "&nbsp;", color=t.foreground, size="9pt")

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        self._draw_header()

    # ------------------------------------------------------ mouse, cells
    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        """The cell (i, j) at plot coordinates (x, y), or None off the map."""
        if self._cells is None:
            return None
        (a0, da, n), (b0, db, m) = self._cells
        i, j = math.floor((x - a0) / da + 0.5), math.floor((y - b0) / db + 0.5)
        return (i, j) if 0 <= i < n and 0 <= j < m else None

    def cell_center(self, i: int, j: int) -> tuple[float, float]:
        """Plot coordinates of cell (i, j)'s centre (where a click on it lands)."""
        (a0, da, _), (b0, db, _) = self._cells
        return a0 + i * da, b0 + j * db

    def _cell_at_scene(self, pos) -> tuple[int, int] | None:
        if not self.view_box.sceneBoundingRect().contains(pos):
            return None
        p = self.view_box.mapSceneToView(pos)
        return self.cell_at(p.x(), p.y())

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt name)
        if event.type() == QtCore.QEvent.Type.MouseMove:
            cell = self._cell_at_scene(self.graphics.mapToScene(event.position().toPoint()))
            self.hovered.emit(*(cell or (-1, -1)))
        return False

    def _clicked(self, pos, right: bool) -> None:
        cell = self._cell_at_scene(pos)
        if cell is not None:
            self.clicked.emit(cell[0], cell[1], right)

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().leaveEvent(event)
        self.hovered.emit(-1, -1)

    # ------------------------------------------------------------ export
    def render_image(self, w: int, h: int) -> QtGui.QImage:
        """The canvas at w × h pixels, offscreen (the widget is left as it was)."""
        self._rendering = True
        try:
            return render_layout(self.graphics, self._theme.background, w, h, self._draw_header)
        finally:
            self._rendering = False
            self._draw_header()


def _extent(spec) -> tuple[tuple[float, float], tuple[float, float]]:
    """((first, last) cell centre along x, along y) in plot coordinates."""
    if spec.kind == "start":
        a = (float(spec.u[0]), float(spec.u[-1]))
    else:
        a = (math.log10(spec.u[0]), math.log10(spec.u[-1]))
    b = (0.5, 0.5) if spec.v is None else (float(spec.v[0]), float(spec.v[-1]))
    return a, b


def _axes_key(spec) -> tuple:
    return (spec.kind, getattr(spec, "key", None), axis_titles(spec), spec.shape,
            tuple(_extent(spec)), np.asarray(spec.surface.minima, dtype=float).tobytes())
