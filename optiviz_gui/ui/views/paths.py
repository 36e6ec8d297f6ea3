"""Long paths drawn at screen resolution, kept up to date step by step (Qt-free numpy).

A run of 10⁶ steps is 10⁶ points, but a window has a few hundred thousand pixels
and a path's turns show at pixel scale. Every frame of playback asks for the path
up to step k; recomputing that from all k points costs tens of milliseconds a run,
so these caches work out, once for each point as the run grows, what a drawing
needs, and answer a prefix k in the time of a binary search:

``CellPath`` (the map's line and dots, the 3-D view's line): a point is kept when
its cell (a pixel-sized box) differs from the point before it — exactly the
points a polyline shows (a point in the same cell as the one before draws nothing
new). That polyline is what the map draws (what the app has always drawn) unless
it is longer than ``MAX_POLYLINE`` points and a path that keeps going back and
forth over the same pixels — Adam's late oscillations — has fewer than half as many
distinct cell-to-cell segments: then the drawing is those segments, each once at
its first occurrence (the same pixels: a segment drawn twice covers itself),
which the window bounds however long the run; ``segments`` gives them.

``ColumnEnvelope`` (the loss curve): with more iterations than pixel columns,
each column's first, lowest, highest and last point — the envelope a polyline
through all of them would paint — so a 10⁶-step curve is about 4 points a column.
``PrefixRange``: the lowest and highest loss up to any step, for the loss axis.
"""

from __future__ import annotations

import numpy as np

MAX_POLYLINE = 2_000
_FAR = float(2 ** 25)


class CellPath:
    """What to draw of one path for cells of size ``cell`` = (cx, cy), any prefix.

    With ``coarse`` = m the dots are worked out too: a point is a dot when its
    coarse cell (m × m cells: the grids nest, both anchored at 0) differs from the
    point before's. A point dropped from the polyline shares its cell with the
    point before, and so its coarse cell: the dots are found among the polyline's
    points alone, and the segments too (a kept point's predecessor is in the last
    kept point's cell) — both only when asked, from the kept points' cells."""

    def __init__(self, cell: tuple[float, float], coarse: int = 0) -> None:
        self.cell = (abs(float(cell[0])) or 1.0, abs(float(cell[1])) or 1.0)
        self.coarse = int(coarse)
        self.source = None             # what the cache was built from (its identity)
        self.done = -1                 # last point index looked at
        self._last = None              # its cell's code
        self.kept = np.zeros(0, dtype=np.int64)     # indices whose cell differs from the last
        self._cells = np.zeros((0, 2))              # ... and their cells (whole numbers)
        self._dots = np.zeros(0, dtype=np.int64)    # indices into kept of the dots
        self._dots_done = 0
        self._seen: set = set()                        # distinct (cell, cell) segments ...
        self._seg_first = np.zeros(0, dtype=np.int64)  # ... the index that first drew each
        self._seg_done = 1                             # kept points taken into segments

    # ---------------------------------------------------------------- growing
    def update(self, points: np.ndarray, n: int) -> None:
        """Take in points[0..n] (a prefix of the run's points; ``points`` may be a new
        array as the run grows: the same run's points are never rewritten)."""
        if n <= self.done:
            return
        new = points[self.done + 1:n + 1]
        with np.errstate(all="ignore"):
            cells = np.floor(new / self.cell)
        # a cell as one number, exact in float64 (|index| < 2²⁵: farther is far off screen)
        np.clip(cells, -_FAR, _FAR, out=cells)
        cells[np.isnan(cells)] = 0.0
        code = cells[:, 0] * (4 * _FAR) + cells[:, 1]
        changed = np.empty(len(code), dtype=bool)
        changed[0] = self._last is None or code[0] != self._last
        np.not_equal(code[1:], code[:-1], out=changed[1:])
        at = np.flatnonzero(changed)
        self.kept = np.concatenate([self.kept, at + (self.done + 1)])
        self._cells = np.concatenate([self._cells, cells[at]])
        self._last = code[-1]
        self.done = n

    def _grow_dots(self) -> None:
        m, c = self._dots_done, self._cells
        if m >= len(c):
            return
        coarse = np.floor(c[max(0, m - 1):] / self.coarse)
        differ = np.any(coarse[1:] != coarse[:-1], axis=1)
        new = np.flatnonzero(differ) + max(0, m - 1) + 1
        if m == 0:
            new = np.r_[0, new]
        self._dots = np.concatenate([self._dots, new])
        self._dots_done = len(c)

    def _grow_segments(self) -> None:
        m, c = self._seg_done, self._cells
        if m >= len(c):
            return
        code = c[m - 1:, 0] * (4 * _FAR) + c[m - 1:, 1]
        pairs = code[:-1] + 1j * code[1:]                   # complex: numpy sorts it exactly
        self._merge(pairs, self.kept[m:])
        self._seg_done = len(c)

    def _merge(self, pairs: np.ndarray, index: np.ndarray) -> None:
        """Keep each distinct (cell, cell) pair once, with the earliest index that drew it.
        Points come in order, so new first indices are larger than the kept ones and the
        list stays sorted. A batch is first made distinct in numpy, then checked against
        what was seen (a set: a window's worth of pairs at most)."""
        if len(pairs) > 64:
            _, at = np.unique(pairs, return_index=True)
            at.sort()
            pairs, index = pairs[at], index[at]
        seen, fresh = self._seen, []
        for pair, i in zip(pairs.tolist(), index.tolist()):
            if pair not in seen:
                seen.add(pair)
                fresh.append(i)
        if fresh:
            self._seg_first = np.concatenate([self._seg_first, np.array(fresh, dtype=np.int64)])

    # ---------------------------------------------------------------- asking
    def polyline(self, k: int, keep_last: bool = True) -> np.ndarray | None:
        """Indices of the polyline up to step k (the last point always, with
        ``keep_last``), or None when that is more than MAX_POLYLINE points and the
        distinct segments are fewer than half of them (draw ``segments`` then)."""
        m = int(np.searchsorted(self.kept, k, side="right"))
        if m > MAX_POLYLINE and self._segments_up_to(k) < m // 2:
            return None
        idx = self.kept[:m]
        if keep_last and (m == 0 or idx[-1] != k):
            idx = np.append(idx, k)
        return idx

    def _segments_up_to(self, k: int) -> int:
        self._grow_segments()
        return int(np.searchsorted(self._seg_first, k, side="right"))

    def segments(self, k: int) -> np.ndarray:
        """Indices i of the distinct segments (i − 1 → i) first drawn by step k."""
        return self._seg_first[: self._segments_up_to(k)]

    def dots(self, k: int) -> np.ndarray:
        """Indices of the points whose coarse cell differs from the point before, up to
        step k (beyond MAX_POLYLINE, when the path goes over its own pixels again and
        again: the ends of its distinct segments)."""
        m = int(np.searchsorted(self.kept, k, side="right"))
        if m > MAX_POLYLINE and self._segments_up_to(k) < m // 2:
            return self.segments(k)
        self._grow_dots()
        return self.kept[self._dots[: int(np.searchsorted(self._dots, m))]]


def cached(caches: dict, key, source, points: np.ndarray, n: int, cell,
           coarse: int = 0) -> CellPath:
    """The CellPath for ``key`` fed up to point n of ``points``; a new one when the
    ``source`` (the run's trajectory: a new one after an edit) or the cell size changed."""
    c = caches.get(key)
    cell = (abs(float(cell[0])) or 1.0, abs(float(cell[1])) or 1.0)
    if c is None or c.cell != cell or c.source is not source:
        c = CellPath(cell, coarse)
        c.source = source
        caches[key] = c
    c.update(points, n)
    return c


class ColumnEnvelope:
    """A long curve y(i), i = 0, 1, …, drawn through each column of ``width`` iterations'
    first, lowest, highest and last point, in order — the envelope the polyline through
    every point paints, at about four points a pixel column. Complete columns are worked
    out once as the curve grows; a prefix adds its last, partial column."""

    def __init__(self, width: int) -> None:
        self.width = max(1, int(width))
        self.source = None
        self.columns = 0                       # complete columns worked out
        self.index = np.zeros(0, dtype=np.int64)   # 4 sorted indices a column

    def update(self, y: np.ndarray, n: int) -> None:
        """Take in y[0..n]."""
        w, c0, c1 = self.width, self.columns, (n + 1) // self.width
        if c1 <= c0:
            return
        block = y[c0 * w:c1 * w].reshape(-1, w)
        with np.errstate(invalid="ignore"):
            lo = np.nanargmin(np.where(np.isnan(block), np.inf, block), axis=1)
            hi = np.nanargmax(np.where(np.isnan(block), -np.inf, block), axis=1)
        base = (np.arange(c0, c1) * w)[:, None]
        four = np.sort(np.column_stack([np.zeros_like(lo), lo, hi,
                                        np.full_like(lo, w - 1)]), axis=1) + base
        self.index = np.concatenate([self.index, four.ravel()])
        self.columns = c1

    def prefix(self, y: np.ndarray, k: int) -> np.ndarray:
        """Sorted indices drawing y[0..k] (duplicates removed; k always last)."""
        full = min(self.columns, (k + 1) // self.width)
        idx = self.index[: 4 * full]
        start = full * self.width
        if start <= k:
            part = y[start:k + 1]
            with np.errstate(invalid="ignore"):
                lo = int(np.argmin(np.where(np.isnan(part), np.inf, part)))
                hi = int(np.argmax(np.where(np.isnan(part), -np.inf, part)))
            idx = np.concatenate([idx, np.sort([0, lo, hi, k - start]) + start])
        keep = np.ones(len(idx), dtype=bool)
        keep[1:] = idx[1:] != idx[:-1]
        return idx[keep]


class PrefixRange:
    """The lowest and highest finite value of y[0..k], and whether all are > 0, for any
    prefix k: running minima and maxima kept as the curve grows."""

    def __init__(self) -> None:
        self.source = None
        self.lo = np.zeros(0)
        self.hi = np.zeros(0)

    def update(self, y: np.ndarray, n: int) -> None:
        m = len(self.lo)
        if n + 1 <= m:
            return
        new = y[m:n + 1]
        lo = np.where(np.isfinite(new), new, np.inf)
        hi = np.where(np.isfinite(new), new, -np.inf)
        if m:
            lo[0], hi[0] = min(lo[0], self.lo[-1]), max(hi[0], self.hi[-1])
        self.lo = np.concatenate([self.lo, np.minimum.accumulate(lo)])
        self.hi = np.concatenate([self.hi, np.maximum.accumulate(hi)])

    def at(self, k: int) -> tuple[bool, float | None, float | None]:
        """(all finite values > 0, lowest, highest) of y[0..k]; None, None: none finite."""
        lo, hi = float(self.lo[k]), float(self.hi[k])
        if lo == np.inf:
            return True, None, None
        return lo > 0, lo, hi


def grown(caches: dict, key, source, make, y: np.ndarray, n: int):
    """The cache for ``key`` (made by ``make()``) fed up to y[n]; a new one for a new
    ``source`` (the run's trajectory after an edit)."""
    c = caches.get(key)
    if c is None or c.source is not source:
        c = make()
        c.source = source
        caches[key] = c
    c.update(y, n)
    return c


def distinct_cells(p: np.ndarray, cx: float, cy: float, keep_last: bool = False) -> np.ndarray:
    """Mask of the points whose (cx × cy) cell differs from the previous point's (the
    points a polyline shows), for a short path drawn whole each time (``CellPath`` keeps
    a growing one up to date instead)."""
    with np.errstate(all="ignore"):
        c = np.floor(p / (cx, cy))
    keep = np.ones(len(p), dtype=bool)
    keep[1:] = np.any(c[1:] != c[:-1], axis=1)
    if keep_last and len(p):
        keep[-1] = True
    return keep
