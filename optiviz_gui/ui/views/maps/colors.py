"""What colours a map's cells: four schemes, each readable with colour-vision deficiencies.

    outcome   converged / diverged / still running / invalid: four categories from
              Okabe & Ito's palette (bluish green, vermillion, orange) and a pale grey
    loss      the final loss on a log scale (cividis, as the contour map's levels),
              diverged cells vermillion
    steps     the step where a run converged, 0 … steps (viridis: no grey in it, so
              the pale grey of "not converged" stands apart); diverged vermillion
    minimum   which of the surface's known minima a run reached: one Okabe & Ito
              colour per minimum; a run still moving within reach of one (core's
              tolerance) in a paler shade of it; elsewhere grey, diverged vermillion

Vermillion means diverged in every scheme (it is in neither viridis nor cividis,
and the minimum palette leaves it out), so a blow-up reads the same whichever
scheme is shown. The paler "still moving near" shade matters: on Himmelblau,
Adam at lr 0.1 is still circling its minimum after 100 steps from every start
(the convergence test asks for a gradient 10⁻⁶ of the start's), yet which
basin each start fell into is plain. ``paint(result, scheme, theme)`` gives the cells' RGBA and what
the legend needs; cells not run yet show the coarse sub-grid's (``preview``).
numpy, and pyqtgraph's ColorMap for the colour bar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pyqtgraph as pg

from ....core.maps import CONVERGED, DIVERGED, INVALID, RUNNING, nearest_minimum
from ...style.theme import Theme, hex_rgb
from ..levels import levels, transform_for

SCHEMES = {"outcome": "Outcome", "loss": "Final loss", "steps": "Steps",
           "minimum": "Minimum"}
SCHEME_TIPS = {"outcome": "Converged, diverged or still running after the steps",
               "loss": "The final loss, on a log colour scale",
               "steps": "The step where each run converged",
               "minimum": "Which of the surface's known minima each run reached"}

CONVERGED_COLOR = "#009E73"     # bluish green
DIVERGED_COLOR = "#D55E00"      # vermillion
RUNNING_COLOR = "#E69F00"       # orange
# one per known minimum, Okabe & Ito without vermillion (diverged) and with black last
MINIMUM_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
NEUTRAL = {"light": ("#c8c8c8", "#eeeeee"), "dark": ("#5c5c5c", "#2c2c2c")}   # other, invalid
COLORMAPS = {"loss": "cividis", "steps": "viridis"}
# 17 samples of each (matplotlib's tables, as pyqtgraph ships them), kept here so a
# frozen bundle needs none of pyqtgraph's colour-map files
SAMPLES = {
    "viridis": ((68, 1, 84), (72, 23, 105), (71, 44, 122), (66, 63, 133), (59, 81, 139),
                (51, 98, 141), (44, 113, 142), (38, 129, 142), (33, 144, 140), (31, 159, 136),
                (39, 173, 128), (61, 188, 115), (92, 200, 98), (129, 211, 76), (170, 220, 49),
                (213, 226, 25), (253, 231, 37)),
    "cividis": ((0, 32, 77), (0, 43, 104), (5, 54, 110), (44, 65, 108), (64, 77, 107),
                (81, 88, 108), (96, 100, 111), (110, 111, 115), (124, 123, 120), (139, 135, 121),
                (155, 148, 119), (172, 161, 116), (188, 175, 111), (206, 188, 103),
                (224, 203, 93), (242, 218, 79), (255, 234, 70)),
}


@dataclass
class Bar:
    """A colour bar: the colour map's name, its range (colour units), ticks, its title."""

    cmap: str
    range: tuple[float, float]
    ticks: list[tuple[float, str]] | None
    title: str


class Entry(NamedTuple):
    """One legend entry: a swatch's colour, a name, where (a minimum's coordinates, or
    ""), and how many cells."""

    color: str
    name: str
    count: str
    where: str = ""

    @property
    def text(self) -> str:
        """'minimum 1 (3, 2): 120 + 45 near'; a narrow pane shows the name alone."""
        return f"{self.name}{' ' + self.where if self.where else ''}: {self.count}"


@dataclass
class Picture:
    """The cells' colours (N, M, 4) uint8 indexed [i, j], the colour bar (None for a
    categorical scheme) and the legend's entries."""

    rgba: np.ndarray
    bar: Bar | None = None
    legend: list[Entry] = field(default_factory=list)


def paint(result, scheme: str, theme: Theme, loss_range=None) -> Picture:
    """The picture of ``result`` (a MapResult) in ``scheme``; ``loss_range`` (low, high)
    makes several maps share one loss scale (the PNG of several runs)."""
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {', '.join(SCHEMES)}, got {scheme!r}")
    status = result.preview(result.status)
    other, invalid = NEUTRAL[theme.name]
    counts = {code: int(np.count_nonzero((status == code) & result.done))
              for code in (CONVERGED, DIVERGED, RUNNING, INVALID)}
    rgba = np.empty(status.shape + (4,), dtype=np.uint8)
    rgba[...] = _rgba(other)
    legend: list[Entry] = []
    bar = None
    if scheme == "outcome":
        for code, color, name in ((CONVERGED, CONVERGED_COLOR, "converged"),
                                  (DIVERGED, DIVERGED_COLOR, "diverged"),
                                  (RUNNING, RUNNING_COLOR, "still running")):
            rgba[status == code] = _rgba(color)
            legend.append(Entry(color, name, f"{counts[code]:,}"))
    elif scheme == "minimum":
        minimum = result.preview(result.minimum)
        near = _near_minimum(result, status)
        minima = np.asarray(result.spec.surface.minima, dtype=float).reshape(-1, 2)
        background = np.array(hex_rgb(theme.background), dtype=float)
        for k, (mx, my) in enumerate(minima):
            color = MINIMUM_COLORS[k % len(MINIMUM_COLORS)]
            reached, close = minimum == k, near == k
            rgba[reached] = _rgba(color)
            pale = np.round(0.45 * background + 0.55 * _rgba(color)[:3]).astype(np.uint8)
            rgba[close, :3] = pale
            count = f"{_count(reached, result):,}"
            if close.any():
                count += f" + {_count(close, result):,} near"
            legend.append(Entry(color, f"minimum {k + 1}", count, f"({mx:.3g}, {my:.3g})"))
        elsewhere = (status != DIVERGED) & (status != INVALID) & (minimum < 0) & (near < 0)
        legend.append(Entry(other, "none reached", f"{_count(elsewhere, result):,}"))
        rgba[status == DIVERGED] = _rgba(DIVERGED_COLOR)
        legend.append(Entry(DIVERGED_COLOR, "diverged", f"{counts[DIVERGED]:,}"))
    elif scheme == "loss":
        loss = result.preview(result.loss)
        shown = (status != DIVERGED) & (status != INVALID) & np.isfinite(loss)
        reference = loss[shown] if loss_range is None else np.asarray(loss_range, dtype=float)
        if shown.any() and reference.size:
            forward, span = transform_for(reference, "log")
            rgba[shown] = _lut_colors("loss", forward(loss[shown]), span)
            bar = Bar(COLORMAPS["loss"], span, levels(reference, "log", 0).ticks,
                      "final loss (log colour scale)")
        rgba[status == DIVERGED] = _rgba(DIVERGED_COLOR)
        legend.append(Entry(DIVERGED_COLOR, "diverged", f"{counts[DIVERGED]:,}"))
    else:                                       # steps
        step = result.preview(result.step)
        done = status == CONVERGED
        top = float(max(result.spec.steps, 1))
        rgba[done] = _lut_colors("steps", step[done].astype(float), (0.0, top))
        bar = Bar(COLORMAPS["steps"], (0.0, top), None, "steps to converge")
        rgba[status == DIVERGED] = _rgba(DIVERGED_COLOR)
        legend.append(Entry(other, "not converged", f"{counts[RUNNING]:,}",
                            f"in {result.spec.steps:,} steps"))
        legend.append(Entry(DIVERGED_COLOR, "diverged", f"{counts[DIVERGED]:,}"))
    rgba[status == INVALID] = _rgba(invalid)
    if counts[INVALID]:
        legend.append(Entry(invalid, "invalid", f"{counts[INVALID]:,}"))
    return Picture(rgba, bar, legend)


def _near_minimum(result, status: np.ndarray) -> np.ndarray:
    """For each still-running cell, the known minimum its final point is within reach of
    (core's ``nearest_minimum``, as if it had converged there); −1 for every other cell."""
    running = status == RUNNING
    x, y = result.preview(result.x), result.preview(result.y)
    points = np.column_stack((x.ravel(), y.ravel()))
    codes = np.where(running, CONVERGED, INVALID).ravel()
    return nearest_minimum(result.spec.surface, points, codes).reshape(status.shape)


def _count(mask: np.ndarray, result) -> int:
    return int(np.count_nonzero(mask & result.done))


def loss_span(results) -> tuple[float, float] | None:
    """(lowest, highest) final loss of the converged and running cells of several maps,
    for one shared loss scale; None when none has a finite loss."""
    parts = []
    for r in results:
        ok = (r.status != DIVERGED) & (r.status != INVALID) & np.isfinite(r.loss) & r.done
        parts.append(r.loss[ok])
    values = np.concatenate(parts) if parts else np.zeros(0)
    if not values.size:
        return None
    return float(values.min()), float(values.max())


def colormap(cmap: str) -> pg.ColorMap:
    """One of ``SAMPLES`` as a pyqtgraph ColorMap (for the colour bar)."""
    samples = np.array(SAMPLES[cmap], dtype=float)
    return pg.ColorMap(np.linspace(0.0, 1.0, len(samples)), samples.astype(np.uint8))


def lookup_table(cmap: str, n: int = 256) -> np.ndarray:
    """(n, 4) uint8 RGBA of one of ``SAMPLES``, low end first (linear between samples)."""
    samples = np.array(SAMPLES[cmap], dtype=float)
    t, src = np.linspace(0.0, 1.0, n), np.linspace(0.0, 1.0, len(samples))
    out = np.full((n, 4), 255, dtype=np.uint8)
    for c in range(3):
        out[:, c] = np.round(np.interp(t, src, samples[:, c]))
    return out


def _lut_colors(scheme: str, t: np.ndarray, span: tuple[float, float]) -> np.ndarray:
    lut = lookup_table(COLORMAPS[scheme])
    lo, hi = span
    with np.errstate(all="ignore"):
        x = (np.asarray(t, dtype=float) - lo) / ((hi - lo) or 1.0)
    index = np.clip(np.nan_to_num(x, nan=0.0) * (len(lut) - 1), 0, len(lut) - 1)
    return lut[np.round(index).astype(np.intp)]


def _rgba(color: str) -> np.ndarray:
    return np.array([*hex_rgb(color), 255], dtype=np.uint8)
