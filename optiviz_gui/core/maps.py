"""Many runs at once: where each start point ends, and which hyper-parameters work.

Two kinds of map of one optimizer, each a grid of *cells* (one run each),
indexed [i, j] like ``Surface.grid``: u_i along the first axis, v_j along the
second.

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
``Trajectory``'s (see maps_cells.py, which runs the cells).

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

import re
from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np

from .errors import ConfigError
from .maps_cells import CONVERGED, DIVERGED, INVALID, RUNNING, STATUS, CellRun, Columns, with_lr
from .optimizers import Optimizer
from .surfaces import Surface
from .trajectory import MAX_STEPS

__all__ = ["start_map", "hyper_map", "map_keys", "compute", "blocks", "nearest_minimum",
           "StartMap", "HyperMap", "Block", "MapResult", "Cancelled", "MAX_SIDE",
           "STATUS", "RUNNING", "CONVERGED", "DIVERGED", "INVALID"]

MAX_SIDE = 4096            # cells a side: 16.7 million cells, 0.55 GB as a MapResult
BLOCK = 16384              # cells run together: fastest here (arrays stay in cache), ~5 MB of state
SLICE = 1 << 20            # point-steps between two looks at cancel: ~30 ms
MINIMUM_TOLERANCE = 0.01   # of the window's diagonal: how near a known minimum counts as reaching it

Rule = Callable[[Optimizer], object]   # optimizer -> its step rule (init/update); schedules wrap here


class Cancelled(Exception):
    """Raised out of ``blocks`` when ``cancel()`` says so; ``compute`` returns None instead."""


def _same(optimizer):
    return optimizer


# ------------------------------------------------------------------- what to map
@dataclass(frozen=True, eq=False)
class StartMap:
    """Every start point (u_i, v_j) on a grid; all cells share the optimizer."""

    surface: Surface
    optimizer: Optimizer
    steps: int
    u: np.ndarray
    v: np.ndarray
    rule: Rule = _same
    kind = "start"

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.u), len(self.v)

    @property
    def axes(self) -> tuple[str, str]:
        return self.surface.axis_labels

    def cells(self, i: np.ndarray, j: np.ndarray):
        """(step rule, starts (n, 2), positions in i/j) for the valid ones of the cells i, j."""
        return self.rule(self.optimizer), np.column_stack((self.u[i], self.v[j])), slice(None)


@dataclass(frozen=True, eq=False)
class HyperMap:
    """lr = u_i and, when ``key`` is set, ``key`` = v_j; every cell starts at ``start``.

    A cell is invalid when torch refuses its lr or its column's keyword value
    (torch checks each keyword on its own; the one joint rule, Nesterov's
    momentum > 0 and dampening = 0, lives inside a column).
    """

    surface: Surface
    optimizer: Optimizer
    steps: int
    start: tuple[float, float]
    u: np.ndarray
    key: str | None = None
    v: np.ndarray | None = None
    rule: Rule = _same
    kind = "hyper"
    _columns: tuple = field(init=False, repr=False)
    _column_ok: np.ndarray = field(init=False, repr=False)
    _lr_ok: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        columns = (self.optimizer,) if self.key is None else tuple(
            _valid(_replace, self.optimizer, self.key, float(x)) for x in self.v)
        lr_ok = np.array([_valid(self.optimizer.replace, lr=float(lr)) is not None
                          for lr in self.u], dtype=bool)
        object.__setattr__(self, "_columns", columns)
        object.__setattr__(self, "_column_ok", np.array([c is not None for c in columns]))
        object.__setattr__(self, "_lr_ok", lr_ok)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.u), 1 if self.v is None else len(self.v)

    @property
    def axes(self) -> tuple[str, str | None]:
        return "lr", self.key

    def cells(self, i: np.ndarray, j: np.ndarray):
        """(step rule, starts (n, 2), positions in i/j) for the valid ones of the cells i, j:
        the columns' optimizers side by side, each on its cells."""
        sel = np.flatnonzero(self._lr_ok[i] & self._column_ok[j])
        sel = sel[np.argsort(j[sel], kind="stable")]
        columns, widths = np.unique(j[sel], return_counts=True)
        parts = []
        for column, width, first in zip(columns, widths, np.cumsum(widths) - widths):
            lrs = self.u[i[sel[first:first + width]]]
            parts.append((self.rule(with_lr(self._columns[column], lrs)), int(width)))
        start = np.broadcast_to(np.asarray(self.start, dtype=float), (len(sel), 2))
        return Columns(parts), start, sel


def start_map(surface: Surface, optimizer: Optimizer, steps: int, grid=64, *,
              bounds=None, rule: Rule = _same) -> StartMap:
    """A start map over ``bounds`` (default: the surface's window), grid N or (N, M) cells."""
    n, m = _grid(grid, two=True)
    (x0, x1), (y0, y1) = bounds or surface.bounds
    return StartMap(surface, optimizer, _steps(steps), np.linspace(x0, x1, n),
                    np.linspace(y0, y1, m), rule)


def hyper_map(surface: Surface, optimizer: Optimizer, start, steps: int, grid=64, *,
              lr=None, key: str | None = None, values=None, rule: Rule = _same) -> HyperMap:
    """A map over lr (log-spaced over ``lr`` = (lo, hi), default lr/100 .. lr·100) and,
    with ``key``, a second number keyword (linear over ``values`` = (lo, hi),
    default the keyword's range in the app). grid: N or (N, M); M only with ``key``."""
    n, m = _grid(grid, two=key is not None)
    if values is not None and key is None:
        raise ConfigError("values give the range of a second keyword; name the keyword too.")
    if lr is None:
        if optimizer.lr <= 0:
            raise ConfigError(f"{optimizer.title}: lr is {optimizer.lr}, so lr/100 .. lr·100 "
                              f"is empty; give the lr range.")
        lr = (optimizer.lr / 100, optimizer.lr * 100)
    lo, hi = _interval(lr, "lr")
    if lo <= 0:
        raise ConfigError(f"lr is log-spaced, so its range must be above 0, got {lo!r}.")
    v = None
    if key is not None:
        keys = map_keys(optimizer)
        if key == "lr":
            raise ConfigError("lr is already the first axis; choose another keyword for the second.")
        if key not in keys:
            raise ConfigError(f"{optimizer.title} has no number keyword '{key}' to map over "
                              f"(it has {', '.join(keys)}).")
        v = np.linspace(*_interval(values if values is not None else keys[key], key), m)
    start = (float(start[0]), float(start[1]))
    return HyperMap(surface, optimizer, _steps(steps), start, np.geomspace(lo, hi, n), key, v, rule)


def map_keys(optimizer: Optimizer) -> dict[str, tuple[float, float]]:
    """The number keywords a hyper map can sweep besides lr, with the app's range of each:
    ``{"betas[0]": (0.0, 1.0), "betas[1]": (0.0, 1.0), "eps": (0.0, 1.0), ...}``."""
    out = {}
    for h in optimizer.hyper:
        if h.name == "lr" or h.kind == "bool":
            continue
        span = (h.low, h.high)
        if h.kind == "pair":
            out[f"{h.name}[0]"] = out[f"{h.name}[1]"] = span
        else:
            out[h.name] = span
    return out


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


# ------------------------------------------------------------------- checks
_PART = re.compile(r"^(\w+)\[([01])\]$")


def _replace(optimizer: Optimizer, key: str, value: float) -> Optimizer:
    """``optimizer`` with ``key`` (a keyword, or a pair's part "betas[0]") set to ``value``."""
    part = _PART.match(key)
    if part is None:
        return optimizer.replace(**{key: value})
    name, index = part.group(1), int(part.group(2))
    pair = list(optimizer.hp[name])
    pair[index] = value
    return optimizer.replace(**{name: tuple(pair)})


def _valid(make, *args, **kwargs):
    """``make(...)``, or None when torch would refuse it."""
    try:
        return make(*args, **kwargs)
    except ConfigError:
        return None


def _grid(grid, two: bool) -> tuple[int, int]:
    n, m = (grid, grid if two else 1) if isinstance(grid, (int, np.integer)) else grid
    if not two and m != 1:
        raise ConfigError(f"grid {n}x{m} needs a second keyword to map over; give one number.")
    for side in (n, m) if two else (n,):
        if not _whole(side) or not 2 <= side <= MAX_SIDE:
            raise ConfigError(f"grid must be from 2 to {MAX_SIDE} cells a side, got {side!r}.")
    return int(n), int(m)


def _steps(steps) -> int:
    if not _whole(steps) or not 1 <= steps <= MAX_STEPS:
        raise ConfigError(f"steps must be a whole number from 1 to {MAX_STEPS:,}, got {steps!r}.")
    return int(steps)


def _whole(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _interval(span, key: str) -> tuple[float, float]:
    lo, hi = span
    if lo is None or hi is None:
        raise ConfigError(f"{key} has no default range; give one.")
    if not (np.isfinite(lo) and np.isfinite(hi)) or not lo < hi:
        raise ConfigError(f"{key} range must be two finite numbers, the first smaller, "
                          f"got {lo!r} .. {hi!r}.")
    return float(lo), float(hi)
