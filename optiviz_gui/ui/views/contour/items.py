"""The contour view's plot items, its arrows and its header text.

``MapItems`` owns every item drawn over the level map and only ever calls
``setData`` on them; items for runs are created when a run first appears and
hidden (never deleted) when it goes, so no redraw re-creates anything.

Arrow vectors at the current point θ_k of each shown run:

    update     Δ = θ_{k+1} − θ_k: the stored step when it exists, otherwise
               the optimizer's own ``update`` applied to its state after k
               updates (the step it is about to take), at its true length, but
               at least MIN_UPDATE_PX on screen so its direction can be seen
    gradient   −s·∇f(θ_k),       s = 0.15·diag(window) / |∇f(θ_0)|
    velocity   −s·b_k, b = ``exp_avg`` (Adam family) or ``momentum_buffer``
               (SGD): a running average of gradients, so the gradient's scale.
               RMSprop's momentum_buffer averages already-scaled steps, so its
               arrow is −lr·b_k at true length, like the update. Omitted when
               the optimizer keeps no such buffer or it is zero
Lengths in gradient units are capped at 0.6·diag(window).
"""

from __future__ import annotations

import html
import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from ....core import scalar
from .dots import Dots
from ...style.theme import Theme, brush

ARROW_KINDS = ("gradient", "update", "velocity")
VELOCITY_NAMES = ("exp_avg", "momentum_buffer")
GRAD_FRACTION = 0.15
CAP_FRACTION = 0.6
HEAD_PX = 11.0
MIN_UPDATE_PX = 22.0           # shorter update arrows are drawn this long (direction kept)                 # arrow-head side length in pixels
HEAD_ANGLE = math.radians(24)


class MapItems:
    """Iso-lines, minima, start marker, per-run paths and the arrows of one plot."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.isolines = pg.PlotCurveItem(connect="pairs")
        self.isolines.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.isolines.setZValue(1)
        self.minima = pg.ScatterPlotItem(symbol="star", size=19)
        self.minima.setZValue(25)            # over everything, hollow: never hides a point
        self.start = pg.ScatterPlotItem(symbol="o", size=11)
        self.start.setZValue(7)
        self.arrows = {k: pg.PlotCurveItem(connect="pairs", antialias=True) for k in ARROW_KINDS}
        self._vectors = {k: np.zeros((0, 4)) for k in ARROW_KINDS}
        for z, it in enumerate(self.arrows.values()):
            it.setZValue(10 + z)
        for it in (self.isolines, self.minima, self.start, *self.arrows.values()):
            plot.addItem(it)
        self.current = pg.ScatterPlotItem(size=13)
        self.current.setZValue(20)
        plot.addItem(self.current)
        self.runs: list[tuple[pg.PlotCurveItem, Dots]] = []   # line, dots
        self._colors: list[str | None] = []
        self._theme: Theme | None = None
        self._start_xy: tuple[float, float] | None = None

    # ------------------------------------------------------------------ theme
    def apply_theme(self, t: Theme) -> None:
        self._theme = t
        self.isolines.setPen(pg.mkPen(t.muted, width=1))
        self.minima.setPen(pg.mkPen(t.minimum, width=1.6))
        self.minima.setBrush(pg.mkBrush(None))
        self.start.setPen(pg.mkPen(t.foreground, width=2))
        self.start.setBrush(pg.mkBrush(None))
        self.arrows["update"].setPen(pg.mkPen(t.update, width=2.5))
        self.arrows["gradient"].setPen(_dashed(t.gradient, 2.0, [4, 2.5]))
        self.arrows["velocity"].setPen(_dashed(t.velocity, 2.2, [1.0, 1.2, 5.0, 1.2]))
        self.current.setPen(pg.mkPen(t.background, width=2))

    # ------------------------------------------------------------- static bits
    def set_isolines(self, xy: tuple[np.ndarray, np.ndarray]) -> None:
        self.isolines.setData(*xy)

    def set_minima(self, minima: np.ndarray) -> None:
        self.minima.setData(minima[:, 0], minima[:, 1])

    def set_start(self, start) -> None:
        xy = (float(start[0]), float(start[1]))
        if xy != self._start_xy:
            self._start_xy = xy
            self.start.setData([xy[0]], [xy[1]])

    # ------------------------------------------------------------------- paths
    def ensure_runs(self, n: int) -> None:
        """Have line + dots items for n runs (created once, reused after)."""
        while len(self.runs) < n:
            curve = pg.PlotCurveItem(antialias=True)
            dots = Dots(diameter=4.5)
            curve.setZValue(5)
            dots.setZValue(6)
            self.plot.addItem(curve)
            self.plot.addItem(dots)
            self.runs.append((curve, dots))
            self._colors.append(None)

    def set_paths(self, paths: list, pixel: tuple[float, float]) -> None:
        """``paths[i]`` = ((n, 2) points, colour) for a shown run, None for a hidden
        one; ``pixel`` = the data size (x, y) of one screen pixel.

        The line gets every point except those in the same half-pixel cell as the
        point before (invisible, and a converged run has hundreds of them); the
        last point is always kept. The dots (dots.py) leave out a point in the
        same 2-pixel cell as the one before."""
        px, py = (abs(float(pixel[0])) or 1.0), (abs(float(pixel[1])) or 1.0)
        cx, cy, brushes = [], [], []
        for i, (curve, dots) in enumerate(self.runs):
            entry = paths[i] if i < len(paths) else None
            if entry is None or len(entry[0]) == 0:
                curve.setVisible(False)
                dots.setVisible(False)
                continue
            p, color = entry
            if color != self._colors[i]:
                self._colors[i] = color
                curve.setPen(pg.mkPen(color, width=2))
                dots.set_color(color)
            line = p[_distinct_cells(p, 0.5 * px, 0.5 * py, keep_last=True)]
            curve.setData(line[:, 0], line[:, 1])
            dots.set_points(p[_distinct_cells(p, 2 * px, 2 * py)], (px, py))
            curve.setVisible(True)
            dots.setVisible(True)
            cx.append(p[-1, 0])
            cy.append(p[-1, 1])
            brushes.append(brush(color))
        self.current.setData(cx, cy, brush=brushes)
        self.current.setVisible(bool(cx))

    def path_data(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        curve = self.runs[i][0]
        x, y = curve.getData()
        if x is None or not curve.isVisible():
            return np.zeros(0), np.zeros(0)
        return x, y

    def current_points(self) -> np.ndarray:
        """(m, 2) drawn current points, one per shown run."""
        x, y = self.current.getData()
        return np.column_stack([x, y]) if x is not None else np.zeros((0, 2))

    # ------------------------------------------------------------------ arrows
    def set_arrows(self, vectors: dict[str, np.ndarray], pixel: tuple[float, float]) -> None:
        """Draw (m, 4) rows x0, y0, dx, dy per kind as shaft + open head; ``pixel``
        is the data size of one screen pixel (x, y), which shapes the heads."""
        for kind, item in self.arrows.items():
            v = vectors.get(kind, np.zeros((0, 4)))
            self._vectors[kind] = v
            xs, ys = arrow_segments(v, pixel, MIN_UPDATE_PX if kind == "update" else 0.0)
            item.setData(xs, ys)
            item.setVisible(len(v) > 0)

    def arrow_data(self, kind: str) -> np.ndarray:
        """The vectors behind the drawn arrows (before any stretching to MIN_UPDATE_PX)."""
        return self._vectors[kind].copy()


def _distinct_cells(p: np.ndarray, cx: float, cy: float, keep_last=False) -> np.ndarray:
    """Mask of the points whose (cx × cy) grid cell differs from the previous point's."""
    with np.errstate(all="ignore"):
        c = np.floor(p / (cx, cy))
    keep = np.ones(len(p), dtype=bool)
    keep[1:] = np.any(c[1:] != c[:-1], axis=1)
    if keep_last and len(p):
        keep[-1] = True
    return keep


def _dashed(color: str, width: float, pattern) -> QtGui.QPen:
    pen = pg.mkPen(color, width=width)
    pen.setCapStyle(QtCore.Qt.PenCapStyle.RoundCap)
    pen.setDashPattern(pattern)
    return pen


def arrow_segments(v: np.ndarray, pixel, min_px: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Point pairs for ``connect="pairs"``: the shaft and two head strokes of each arrow.
    The head is built in screen pixels so it looks the same whatever the axes' scales.
    Arrows between 1.5 and ``min_px`` pixels long are stretched to ``min_px`` along
    their own direction (so a small step still shows which way it goes)."""
    if len(v) == 0:
        return np.zeros(0), np.zeros(0)
    sx, sy = (abs(float(pixel[0])) or 1.0), (abs(float(pixel[1])) or 1.0)
    x0, y0, dx, dy = v.T
    if min_px > 0:
        length = np.hypot(dx / sx, dy / sy)
        grow = np.where((length >= 1.5) & (length < min_px), min_px / np.maximum(length, 1e-300), 1.0)
        dx, dy = dx * grow, dy * grow
    x1, y1 = x0 + dx, y0 + dy
    ux, uy = dx / sx, dy / sy                       # direction in pixels
    n = np.hypot(ux, uy)
    n[n == 0] = 1.0
    ux, uy = ux / n, uy / n
    head = np.minimum(HEAD_PX, 0.5 * np.hypot(dx / sx, dy / sy))
    xs, ys = [x0, x1], [y0, y1]
    for a in (HEAD_ANGLE, -HEAD_ANGLE):
        c, s = math.cos(a), math.sin(a)
        hx = -(c * ux - s * uy) * head
        hy = -(s * ux + c * uy) * head
        xs += [x1, x1 + hx * sx]
        ys += [y1, y1 + hy * sy]
    # interleave into pairs: shaft, head 1, head 2 for each arrow
    return np.stack(xs, axis=1).ravel(), np.stack(ys, axis=1).ravel()


# ---------------------------------------------------------------- arrow maths
def arrow_vectors(sim, trajectories, k: int, which) -> dict[str, np.ndarray]:
    """Rows x0, y0, dx, dy for each enabled kind (gradient, update, velocity)."""
    on = dict(zip(ARROW_KINDS, which))
    out = {kind: [] for kind in ARROW_KINDS}
    if not any(on.values()) or not trajectories:
        return {kind: np.zeros((0, 4)) for kind in ARROW_KINDS}
    (bx0, bx1), (by0, by1) = sim.surface.bounds
    diag = math.hypot(bx1 - bx0, by1 - by0)
    g0 = float(np.hypot(*trajectories[0].grad[0]))
    s = GRAD_FRACTION * diag / g0 if g0 > 0 else 0.0
    cap = CAP_FRACTION * diag
    for t in trajectories:
        j = min(k, t.steps)
        x, y = t.params[j]
        if on["gradient"] and s:
            out["gradient"].append((x, y, *_capped(-s * t.grad[j], cap)))
        if on["update"]:
            d = next_update(t, j)
            if d is not None:
                out["update"].append((x, y, *d))
        if on["velocity"]:
            b = velocity(t, j)
            if b is not None and t.optimizer.name == "rmsprop":
                out["velocity"].append((x, y, *(-t.optimizer.hp["lr"] * b)))
            elif b is not None and s:
                out["velocity"].append((x, y, *_capped(-s * b, cap)))
    return {kind: np.array(rows, dtype=float).reshape(-1, 4) for kind, rows in out.items()}


def _capped(v: np.ndarray, cap: float) -> np.ndarray:
    n = float(np.hypot(*v))
    return v * (cap / n) if n > cap else v


def next_update(t, j: int) -> np.ndarray | None:
    """θ_{j+1} − θ_j: stored, or computed from the optimizer's state after j updates."""
    if j < t.steps:
        return t.params[j + 1] - t.params[j]
    if t.diverged:
        return None
    state = t.state_at(j)
    opt = t.optimizer
    d = []
    try:
        for c in range(2):
            st = opt.State(*(v if name == "step" else float(v[c]) for name, v in state.items()))
            dc, _ = opt.update(float(t.grad[j, c]), st, float(t.params[j, c]), scalar)
            d.append(float(dc))
    except (ArithmeticError, ValueError):
        return None
    d = np.array(d)
    return d if np.all(np.isfinite(d)) else None


def velocity(t, j: int) -> np.ndarray | None:
    """The optimizer's gradient average after j updates, or None if it keeps none."""
    state = t.state_at(j)
    for name in VELOCITY_NAMES:
        b = state.get(name)
        if b is not None and np.all(np.isfinite(b)) and np.any(b != 0):
            return np.asarray(b, dtype=float)
    return None


# ---------------------------------------------------------------------- header
def run_status(t, k: int) -> str:
    """"diverged at n" / "converged at n" once step k has reached that point, else ""."""
    if t.diverged_at is not None and k >= t.diverged_at:
        return f"diverged at {t.diverged_at}"
    c = t.converged_at()
    if c is not None and c <= k:
        return f"converged at {c}"
    return ""


_NOWRAP = 'style="white-space:nowrap"'     # lines break only where header_html says
_ARROW_TEXT = {"update": "→ next step", "gradient": "⇢ −gradient", "velocity": "⇢ momentum"}


def _entry_lines(entry: tuple[str, str, str], lines: int) -> list[str]:
    """A legend entry (name, loss, status) on 1, 2 or 3 lines (an empty status adds none)."""
    name, loss, status = entry
    rest = [loss, status] if status else [loss]
    if lines == 1:
        return [name + "\u00a0 " + " ".join(rest)]
    if lines == 2:
        return [name, " ".join(rest)]
    return [name, *rest]


def header_html(sim, theme: Theme, arrows, width: float | None = None,
                font: QtGui.QFont | None = None) -> str:
    """Iteration counter, arrow key and one legend entry per enabled run, as an HTML
    table: counter and key in the first column, entries in as many columns as fit
    in ``width`` pixels of ``font`` (two when no width is given)."""
    k = sim.step
    entries, plain = [], []          # (name, loss, status) as HTML and as plain text
    for run, label, color, t in zip(sim.runs, sim.labels(), sim.colors(), sim.trajectories):
        if not run.enabled:
            continue
        loss = f"{float(t.loss[min(k, t.steps)]):.3g}" if t.steps >= 0 else "—"
        status = run_status(t, k)
        entries.append((f'<span style="color:{color}">&#9473;&#9473;&#9679;</span>&nbsp;'
                        f'{html.escape(label)}', f"loss&nbsp;{loss}", f"<i>{status}</i>" if status else ""))
        plain.append((f"━━● {label}", f"loss {loss}", status))
    counter = f"<b>step {k} / {sim.steps}</b>"
    arrow_names = {"update": "&#8594;&nbsp;next&nbsp;step", "gradient": "&#8674;&nbsp;&#8722;gradient",
                   "velocity": "&#8674;&nbsp;momentum"}
    colors = {"update": theme.update, "gradient": theme.gradient, "velocity": theme.velocity}
    key = "&nbsp;&nbsp;".join(f'<span style="color:{colors[kind]}">{arrow_names[kind]}</span>'
                              for kind, on in zip(ARROW_KINDS, arrows) if on)
    per_row, lines = 2, 1
    if width and entries:
        fm = QtGui.QFontMetricsF(font or QtGui.QFont())
        key_text = "  ".join(_ARROW_TEXT[kind] for kind, on in zip(ARROW_KINDS, arrows) if on)
        left = max(fm.horizontalAdvance(f"step {k} / {sim.steps}"),
                   fm.horizontalAdvance(key_text)) * 1.1
        pad = 3 * fm.averageCharWidth()
        # an entry as one line; else the name above the rest; else name, loss, status
        for lines in (1, 2, 3):
            cell = max(fm.horizontalAdvance(line) for e in plain for line in _entry_lines(e, lines))
            if cell + pad <= width - left:
                break
        per_row = max(1, int((width - left) // (cell + pad)))
    cells = ["<br>&nbsp;&nbsp;&nbsp;&nbsp;".join(_entry_lines(e, lines)) for e in entries]
    lefts = [counter, key] if key else [counter]
    n_rows = max(len(lefts), -(-len(cells) // per_row))
    rows = []
    for r in range(n_rows):
        row = "".join(f"<td {_NOWRAP}>&nbsp;&nbsp;{c}</td>"
                      for c in cells[r * per_row:(r + 1) * per_row])
        rows.append(f"<tr><td {_NOWRAP}>{lefts[r] if r < len(lefts) else ''}</td>{row}</tr>")
    return (f'<table cellspacing="0" cellpadding="1" style="color:{theme.foreground}">'
            + "".join(rows) + "</table>")
