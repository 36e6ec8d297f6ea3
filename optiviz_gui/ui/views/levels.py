"""Level-map arithmetic for the contour view: colour scales, colour-bar ticks, iso-lines.

numpy only (plus the colour map object); no items are created here.

Scales map a loss value z to what is coloured:

    linear   z
    sqrt     √(z − s)            s = min(0, z_min): a shift only when z goes negative
    log      log10(max(z, z_hi·1e-12))    when z_min > 0,
             log10(z − z_min + ε), ε = 1e-6·(z_hi − z_min)   otherwise

so "sqrt" and "log" open up long flat valleys (the regression's) that the
linear scale paints in one colour. Non-finite samples (log of a negative on an
expression surface, overflow) stay NaN and are drawn as gaps, and so are
samples beyond ±``HUGE``: the colour arithmetic (spans, tick steps, padding)
would overflow on them (a typed 1e308·x² reaches float64's limit).

Iso-lines come from a vectorised marching-squares pass over the transformed
grid (pyqtgraph's own ``isocurve`` is a Python loop, ~10 ms a level).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg

from ..style.theme import Theme, level_colors


HUGE = 1e300


@dataclass(frozen=True)
class Levels:
    image: np.ndarray                        # transformed grid, NaN = gap
    range: tuple[float, float]               # transformed (low, high) for the colours
    ticks: list[tuple[float, str]]           # colour-bar ticks: transformed position, loss text
    iso: np.ndarray                          # iso-line levels, transformed


def colormap(theme: Theme) -> pg.ColorMap:
    lut = level_colors(theme)
    return pg.ColorMap(np.linspace(0.0, 1.0, len(lut)), lut)


def value_range(z: np.ndarray, scale: str) -> tuple[float, float] | None:
    """(low, high) loss values to colour, or None when nothing is finite (and within
    ±HUGE). A pole
    (max > 100× the 99th percentile's distance from min) is clipped on the
    linear and sqrt scales so one spike does not flatten the map."""
    with np.errstate(invalid="ignore"):
        finite = z[np.abs(z) <= HUGE]
    if finite.size == 0:
        return None
    lo, hi = float(finite.min()), float(finite.max())
    if scale != "log":
        p99 = float(np.percentile(finite, 99.0))
        if hi - lo > 100 * (p99 - lo) > 0:
            hi = p99
    if hi <= lo:
        hi = lo + max(abs(lo), 1.0) * 1e-9
    return lo, hi


def transform_for(z: np.ndarray, scale: str):
    """(forward, (t0, t1)): the scale's transform for this grid and the transformed range."""
    r = value_range(z, scale)
    if r is None:
        return (lambda v: v * np.nan), (0.0, 1.0)
    fwd, _ = _transform(scale, *r)
    return fwd, (float(fwd(np.float64(r[0]))), float(fwd(np.float64(r[1]))))


def levels(z: np.ndarray, scale: str, n_iso: int = 14) -> Levels:
    """Transform the grid for ``scale`` and choose colour range, ticks and iso-levels."""
    with np.errstate(invalid="ignore"):
        z = np.where(np.abs(z) <= HUGE, z, np.nan)       # NaN, ±inf and beyond HUGE: gaps
    r = value_range(z, scale)
    if r is None:
        return Levels(z, (0.0, 1.0), [], np.zeros(0))
    lo, hi = r
    fwd, inv = _transform(scale, lo, hi)
    with np.errstate(all="ignore"):
        image = fwd(z)
    t0, t1 = float(fwd(np.float64(lo))), float(fwd(np.float64(hi)))
    iso = np.linspace(t0, t1, n_iso + 2)[1:-1]
    ticks = [(float(fwd(np.float64(v))), fmt(v)) for v in _nice_values(scale, lo, hi, inv, t0, t1)]
    return Levels(image, (t0, t1), ticks, iso)


def _transform(scale: str, lo: float, hi: float):
    """(forward, inverse) functions of the colour scale."""
    if scale == "linear":
        return (lambda z: z), (lambda t: t)
    if scale == "sqrt":
        s = min(0.0, lo)
        return (lambda z: np.sqrt(np.maximum(z - s, 0.0))), (lambda t: t * t + s)
    if lo > 0:
        floor = hi * 1e-12
        return (lambda z: np.log10(np.maximum(z, floor))), (lambda t: 10.0 ** t)
    eps = 1e-6 * (hi - lo)
    return (lambda z: np.log10(np.maximum(z - lo + eps, eps))), (lambda t: 10.0 ** t + lo - eps)


def _nice_values(scale, lo, hi, inv, t0, t1, n=6) -> list[float]:
    """Round loss values, about evenly spread on the colour bar."""
    if scale == "log" and lo > 0 and t1 - t0 >= 2:
        step = max(1, math.ceil((t1 - t0) / n))
        return [10.0 ** e for e in range(math.ceil(t0), math.floor(t1) + 1, step)]
    if scale == "linear":
        return list(_ticks_125(lo, hi, n))
    out: list[float] = []
    for t in np.linspace(t0, t1, n + 1):
        v = _round_sig(float(inv(t)), 1)
        if lo <= v <= hi and (not out or v > out[-1]):
            out.append(v)
    return out


def _ticks_125(lo: float, hi: float, n: int):
    raw = (hi - lo) / n
    mag = 10.0 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    v = math.ceil(lo / step) * step
    while v <= hi + 1e-9 * step:
        yield round(v / step) * step
        v += step


def _round_sig(v: float, digits: int) -> float:
    if v == 0 or not math.isfinite(v):
        return v
    return round(v, -int(math.floor(math.log10(abs(v)))) + digits - 1)


def fmt(v: float) -> str:
    """Short tick text: 0.02, 3.5, 1200, 1e5, 2e-4."""
    if v == 0:
        return "0"
    a = abs(v)
    if 1e-3 <= a < 1e5:
        text = f"{v:.4g}"
        return str(int(round(v))) if "e" in text else text
    m, e = f"{v:.1e}".split("e")
    m = m.rstrip("0").rstrip(".")
    return f"{m}e{int(e)}"


def isolines(xs: np.ndarray, ys: np.ndarray, f: np.ndarray, iso) -> tuple[np.ndarray, np.ndarray]:
    """Iso-line segments of ``f[i, j] = f(xs[i], ys[j])`` as (x, y) arrays of point
    pairs (draw with ``connect="pairs"``). Marching squares; saddles are split by
    the cell's centre value; cells touching NaN give nothing. Only the cells a
    level crosses are worked on (a few hundred of the 90 000)."""
    px, py = [], []
    with np.errstate(all="ignore"):
        for lv in iso:
            low = f < lv
            la, lb = low[:-1, :-1], low[1:, :-1]          # corners (i, j), (i+1, j)
            lc, ld = low[1:, 1:], low[:-1, 1:]            # (i+1, j+1), (i, j+1)
            crossed = (la != lb) | (lb != lc) | (ld != lc) | (la != ld)
            i, j = np.nonzero(crossed)                   # row-major, as mask indexing
            if not len(i):
                continue
            a, b, c, d = f[i, j], f[i + 1, j], f[i + 1, j + 1], f[i, j + 1]
            x0, x1 = xs[i], xs[i + 1]
            y0, y1 = ys[j], ys[j + 1]
            edges = []
            # crossing point on the four edges: bottom a-b, right b-c, top d-c, left a-d
            for p, q, ex in (
                (a, b, lambda t: (x0 + t * (x1 - x0), y0 + 0 * t)),
                (b, c, lambda t: (x1 + 0 * t, y0 + t * (y1 - y0))),
                (d, c, lambda t: (x0 + t * (x1 - x0), y1 + 0 * t)),
                (a, d, lambda t: (x0 + 0 * t, y0 + t * (y1 - y0))),
            ):
                cross = (p < lv) != (q < lv)
                t = (lv - p) / (q - p)
                edges.append((cross, *ex(t)))
            n = sum(e[0].astype(np.int8) for e in edges)
            ok = np.isfinite(a) & np.isfinite(b) & np.isfinite(c) & np.isfinite(d)
            two = ok & (n == 2)
            # the two crossed edges of a two-crossing cell, in edge order
            first = np.full(a.shape, -1)
            second = np.full(a.shape, -1)
            for e in range(4):
                cross = edges[e][0] & two
                second = np.where(cross & (first >= 0), e, second)
                first = np.where(cross & (first < 0), e, first)
            for e1 in range(4):
                for e2 in range(e1 + 1, 4):
                    m = two & (first == e1) & (second == e2)
                    _pairs(px, py, edges[e1], edges[e2], m)
            four = ok & (n == 4)
            if four.any():
                centre_low = (a + b + c + d) / 4 < lv
                same = centre_low == (a < lv)       # centre on corner a's side
                _pairs(px, py, edges[0], edges[1], four & same)
                _pairs(px, py, edges[2], edges[3], four & same)
                _pairs(px, py, edges[0], edges[3], four & ~same)
                _pairs(px, py, edges[1], edges[2], four & ~same)
    if not px:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(px), np.concatenate(py)


def _pairs(px, py, e1, e2, mask) -> None:
    if not mask.any():
        return
    xa, ya = e1[1][mask], e1[2][mask]
    xb, yb = e2[1][mask], e2[2][mask]
    px.append(np.stack([xa, xb], axis=1).ravel())
    py.append(np.stack([ya, yb], axis=1).ravel())
