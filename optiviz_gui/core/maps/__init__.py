"""Many runs at once: where each start point ends, and which hyper-parameters work.

Two kinds of map of one optimizer (spec.py), each a grid of *cells* (one
run each), indexed [i, j] like ``Surface.grid``: u_i along the first axis,
v_j along the second.

    spec = start_map(surface, optimizer, steps, grid=(64, 64))
        every start point (u_i, v_j) on a grid over the surface's window
    spec = hyper_map(surface, optimizer, start, steps, grid=(64, 32),
                     lr=(1e-3, 10.0), key="betas[0]", values=(0.0, 0.99))
        lr = u_i (log-spaced; default lr/100 .. lr·100) and optionally one
        more number keyword = v_j (linear; default the keyword's range in the
        app), every run from the session's start; a combination torch refuses
        is an *invalid* cell, not an error

    result = compute(spec, progress=..., cancel=..., on_block=...)   # MapResult, None if cancelled
    for block in blocks(spec): ...                                    # streamed in file order

Each cell gets its final point and loss (the last good ones if it diverged),
its status (running, converged, diverged, invalid), the step where it
converged or diverged and, when it converged, which of the surface's known
minima it reached (``nearest_minimum``). Verdicts are exactly a lone
``Trajectory``'s (see cells.py, which runs the cells).

Work is cut into blocks of at most ``BLOCK`` cells, run ``SLICE`` point-steps at
a time, so memory stays bounded for any grid and ``cancel`` is asked every
few tens of milliseconds. ``order="progressive"`` (compute's default) runs a
coarse sub-grid first (every s-th cell, s a power of two giving about 8 cells
a side) and then halves s, so a view can draw the whole map early
(``MapResult.preview``) and sharpen it as blocks arrive; blocks stay full
(a block holds the small coarse sub-grids together), since every run of
cells costs about a hundred numpy calls a step whatever its size.

A hyper map's column is one optimizer object, its cells' learning rates an
array (``with_lr``); the columns of a block run side by side in one CellRun
(``Columns``): one surface evaluation and one verdict a step for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

from .cells import CONVERGED, DIVERGED, INVALID, RUNNING, STATUS, CellRun
from .spec import MAX_SIDE, HyperMap, StartMap, hyper_map, map_keys, replace_key, start_map
from ..surfaces import Surface

__all__ = ["start_map", "hyper_map", "map_keys", "replace_key", "compute", "blocks",
           "nearest_minimum", "StartMap", "HyperMap", "Block", "MapResult", "Cancelled", "MAX_SIDE",
           "STATUS", "RUNNING", "CONVERGED", "DIVERGED", "INVALID"]

BLOCK = 16384              # cells run together: fastest here (arrays stay in cache), ~5 MB of state
SLICE = 1 << 20            # point-steps between two looks at cancel: ~30 ms
MINIMUM_TOLERANCE = 0.01   # of the window's diagonal: how near a known minimum counts as reaching it


class Cancelled(Exception):
    """Raised out of ``blocks`` when ``cancel()`` says so; ``compute`` returns None instead."""


# ------------------------------------------------------------------- running
@dataclass(eq=False)
class Block:
    """Results for the cells (i[c], j[c]), c = 0..n-1, in the order they were run."""

    i: np.ndarray
    j: np.ndarray
    point: np.ndarray      # (n, 2) final point; nan for an invalid cell
    loss: np.ndarray       # (n,)
    status: np.ndarray     # (n,) int8, STATUS[code]
    step: np.ndarray       # (n,) where it converged or diverged, −1 while running / invalid
    minimum: np.ndarray    # (n,) index into surface.minima, −1 for none


def blocks(spec, order: str = "rows", block: int = BLOCK, progress=None,
           cancel=None) -> Iterator[Block]:
    """Run the map; yield its results a block at a time.

    order "rows" is file order (j outer, i inner); "progressive" is coarse to
    fine (see the module docstring). ``progress(done, total)`` counts
    point-steps; ``cancel()`` is asked between slices of work and makes this
    raise ``Cancelled``.
    """
    steps = spec.steps
    total, done = spec.shape[0] * spec.shape[1] * steps, 0
    for i, j in _cells(spec.shape, order, block):
        n = len(i)
        out = Block(i, j, np.full((n, 2), np.nan), np.full(n, np.nan),
                    np.full(n, INVALID, dtype=np.int8), np.full(n, -1), np.full(n, -1))
        if getattr(spec.surface, "dim", 2) > 2:       # a network: each cell a run of its own
            runs, starts, sel = spec.lone_runs(i, j)
            for c, (run, start) in enumerate(zip(runs, starts)):
                if cancel is not None and cancel():
                    raise Cancelled
                cell = lone_cell(spec.surface, run, start, steps)
                out.point[sel[c]], out.loss[sel[c]], out.status[sel[c]], out.step[sel[c]] = cell
                done += steps
                if progress is not None:
                    progress(done, total)
            width = 0
        else:
            rule, starts, sel = spec.cells(i, j)
            width = len(starts)
        if width:
            run = CellRun(spec.surface, rule, starts)
            while run.k < steps:
                if cancel is not None and cancel():
                    raise Cancelled
                k0 = run.k
                run.advance(min(steps, k0 + max(1, SLICE // width)))
                done += (run.k - k0) * width
                if progress is not None:
                    progress(done, total)
            out.point[sel], out.loss[sel], out.status[sel], out.step[sel] = run.result()
        invalid = int(np.count_nonzero(out.status == INVALID)) * steps
        if invalid:
            done += invalid
            if progress is not None:
                progress(done, total)
        out.minimum = nearest_minimum(spec.surface, out.point, out.status)
        yield out


def lone_cell(surface: Surface, run, start, steps: int):
    """(point, loss, status code, step) of one run made alone (a Trajectory), the verdict
    a map reports: the last good point and loss of a diverged run (the start when even
    it was bad), the step it converged or diverged at, −1 while running."""
    from ..trajectory import Trajectory
    t = Trajectory(surface, run, start)
    t.extend(steps)
    if t.steps < 0:
        return np.asarray(start, dtype=float), np.nan, DIVERGED, 0
    c = t.converged_at()
    status, step = ((DIVERGED, t.diverged_at) if t.diverged else
                    (CONVERGED, c) if c is not None else (RUNNING, -1))
    return t.params[-1], float(t.loss[-1]), status, step


def nearest_minimum(surface: Surface, points: np.ndarray, status: np.ndarray) -> np.ndarray:
    """For each converged run, the index of the surface's known minimum nearest its final
    point (Euclidean), when that is within ``MINIMUM_TOLERANCE`` of the window's diagonal;
    −1 otherwise (running, diverged, or converged somewhere else: a local minimum not
    in ``surface.minima``, a saddle)."""
    minima = np.asarray(surface.minima, dtype=float).reshape(-1, 2)
    out = np.full(len(points), -1)
    if not len(minima):
        return out
    (x0, x1), (y0, y1) = surface.bounds
    dist = np.hypot(points[:, 0, None] - minima[:, 0], points[:, 1, None] - minima[:, 1])
    near = np.argmin(np.where(np.isnan(dist), np.inf, dist), axis=1)
    ok = (status == CONVERGED) & (dist[np.arange(len(points)), near]
                                  <= MINIMUM_TOLERANCE * np.hypot(x1 - x0, y1 - y0))
    out[ok] = near[ok]
    return out


@dataclass(eq=False)
class MapResult:
    """The whole map, fields of shape (N, M) indexed [i, j]; ``done`` marks the cells run so far."""

    spec: object
    x: np.ndarray
    y: np.ndarray
    loss: np.ndarray
    status: np.ndarray
    step: np.ndarray
    minimum: np.ndarray
    done: np.ndarray

    @classmethod
    def empty(cls, spec) -> MapResult:
        shape = spec.shape
        return cls(spec, np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan),
                   np.full(shape, INVALID, dtype=np.int8), np.full(shape, -1, dtype=np.int32),
                   np.full(shape, -1, dtype=np.int16), np.zeros(shape, dtype=bool))

    def fill(self, b: Block) -> None:
        at = (b.i, b.j)
        self.x[at], self.y[at], self.loss[at] = b.point[:, 0], b.point[:, 1], b.loss
        self.status[at], self.step[at], self.minimum[at] = b.status, b.step, b.minimum
        self.done[at] = True

    def preview(self, values: np.ndarray) -> np.ndarray:
        """``values`` (one of the fields) with every cell not run yet showing the cell of
        the finest finished sub-grid that covers it (what the progressive order has
        done so far, blown up); ``values`` itself when all is done or nothing is."""
        n, m = self.done.shape
        for s in reversed(_strides(self.done.shape)):          # finest first
            if self.done[::s, ::s].all():
                if s == 1:
                    return values
                i = np.arange(n) // s * s
                j = np.arange(m) // s * s
                return np.where(self.done, values, values[np.ix_(i, j)])
        return values


def compute(spec, *, order: str = "progressive", progress=None, cancel=None,
            on_block=None, block: int = BLOCK) -> MapResult | None:
    """The whole map as a MapResult; None when ``cancel()`` stopped it.

    For a worker thread: ``progress(done, total)`` in point-steps,
    ``cancel()`` asked between slices, ``on_block(result, block)`` after each
    block (the result so far: copy what you hand to another thread). A cancelled
    run leaves no trace: the result was its own, the spec is untouched.
    """
    result = MapResult.empty(spec)
    try:
        for b in blocks(spec, order, block, progress, cancel):
            result.fill(b)
            if on_block is not None:
                on_block(result, b)
    except Cancelled:
        return None
    return result


# ------------------------------------------------------------------- cell order
def _strides(shape: tuple[int, int]) -> list[int]:
    """Sub-grid strides of the progressive order, coarse to fine: about 8 cells a side first."""
    s = 1
    while s * 16 <= max(shape):
        s *= 2
    return [s >> k for k in range(s.bit_length())]


def _cells(shape: tuple[int, int], order: str, block: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(i, j) of ``block`` cells at a time (the last fewer), each sub-grid in file order
    (j outer); a block may end one sub-grid and begin the next: small ones share a run."""
    if order not in ("rows", "progressive"):
        raise ValueError(f"order must be 'rows' or 'progressive', got {order!r}")
    n, m = shape
    strides = _strides(shape) if order == "progressive" else [1]
    rows_i, rows_j, count = [], [], 0
    for s in strides:
        coarser = s != strides[0]           # cells of the coarser sub-grids are done already
        for j in range(0, m, s):
            i = np.arange(s, n, 2 * s) if coarser and j % (2 * s) == 0 else np.arange(0, n, s)
            rows_i.append(i)
            rows_j.append(np.full(len(i), j))
            count += len(i)
            while count >= block:
                i_all, j_all = np.concatenate(rows_i), np.concatenate(rows_j)
                yield i_all[:block], j_all[:block]
                rows_i, rows_j, count = [i_all[block:]], [j_all[block:]], count - block
    if count:
        yield np.concatenate(rows_i), np.concatenate(rows_j)


