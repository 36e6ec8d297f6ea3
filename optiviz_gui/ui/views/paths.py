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
"""

from __future__ import annotations

import numpy as np

MAX_POLYLINE = 20_000
_FAR = float(2 ** 25)


class CellPath:
    """What to draw of one path for cells of size ``cell`` = (cx, cy), any prefix."""

    def __init__(self, cell: tuple[float, float]) -> None:
        self.cell = (abs(float(cell[0])) or 1.0, abs(float(cell[1])) or 1.0)
        self.source = None             # the array the cache was built from (identity)
        self.done = -1                 # last point index looked at
        self._last = None              # its cell
        self.kept = np.zeros(0, dtype=np.int64)     # indices whose cell differs from the last
        self._seen: set = set()                        # distinct (cell, cell) segments ...
        self._seg_first = np.zeros(0, dtype=np.int64)  # ... the index that first drew each

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
        cells = np.clip(np.nan_to_num(cells, nan=0.0), -_FAR, _FAR)
        code = cells[:, 0] * (4 * _FAR) + cells[:, 1]
        prev = np.empty_like(code)
        prev[1:] = code[:-1]
        prev[0] = np.nan if self._last is None else self._last    # nan: the first point
        changed = code != prev
        idx = np.flatnonzero(changed) + self.done + 1
        self.kept = np.concatenate([self.kept, idx])
        # segments: (previous cell, this cell) where the cell changed, not at the start
        seg = changed.copy()
        if self._last is None:
            seg[0] = False
        if seg.any():
            pairs = prev[seg] + 1j * code[seg]          # complex: numpy sorts it exactly
            self._merge(pairs, np.flatnonzero(seg) + self.done + 1)
        self._last = code[-1]
        self.done = n

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
        ``keep_last``), or None when that is more than MAX_POLYLINE points."""
        m = int(np.searchsorted(self.kept, k, side="right"))
        if m > MAX_POLYLINE and self._segments_up_to(k) < m // 2:
            return None                         # fewer distinct segments: draw those
        idx = self.kept[:m]
        if keep_last and (m == 0 or idx[-1] != k):
            idx = np.append(idx, k)
        return idx

    def _segments_up_to(self, k: int) -> int:
        return int(np.searchsorted(self._seg_first, k, side="right"))

    def segments(self, k: int) -> np.ndarray:
        """Indices i of the distinct segments (i − 1 → i) first drawn by step k."""
        return self._seg_first[: int(np.searchsorted(self._seg_first, k, side="right"))]

    def dots(self, k: int) -> np.ndarray:
        """Indices of the points whose cell differs from the point before, up to step k
        (capped at MAX_POLYLINE: beyond, the distinct cells' first points)."""
        m = int(np.searchsorted(self.kept, k, side="right"))
        if m <= MAX_POLYLINE or self._segments_up_to(k) >= m // 2:
            return self.kept[:m]
        return self.segments(k)


def cached(caches: dict, key, source, points: np.ndarray, n: int, cell) -> CellPath:
    """The CellPath for ``key`` fed up to point n of ``points``; a new one when the
    ``source`` (the run's trajectory: a new one after an edit) or the cell size changed."""
    c = caches.get(key)
    cell = (abs(float(cell[0])) or 1.0, abs(float(cell[1])) or 1.0)
    if c is None or c.cell != cell or c.source is not source:
        c = CellPath(cell)
        c.source = source
        caches[key] = c
    c.update(points, n)
    return c
