"""What a map runs: its cells' step rule, start and grid coordinates (see maps/__init__.py).

    start_map(surface, optimizer, steps, grid)          -> StartMap
    hyper_map(surface, optimizer, start, steps, grid,
              lr=(lo, hi), key="momentum", values=(lo, hi)) -> HyperMap

Both answer ``cells(i, j)``: the step rule, the starts and the positions of the
valid ones among the cells (i, j), which ``maps.blocks`` runs together.
Every bad request is one ConfigError sentence naming the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..errors import ConfigError
from .cells import Columns, with_lr
from ..optimizers import Optimizer
from ..surfaces import Surface
from ..trajectory import MAX_STEPS

MAX_SIDE = 4096            # cells a side: 16.7 million cells, 0.55 GB as a MapResult

Rule = Callable[[Optimizer], object]   # optimizer -> its step rule (init/update); schedules wrap here


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
    run: object = None          # the Run mapped (its schedule and clipping), when one was given
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

    def lone_runs(self, i: np.ndarray, j: np.ndarray):
        """(a Run per cell, starts (n, 2), positions in i/j): each cell as a run of its own
        (surfaces where the optimizer moves in more than two parameters)."""
        run = self.run if self.run is not None else _as_run(self.optimizer)
        return [run] * len(i), np.column_stack((self.u[i], self.v[j])), np.arange(len(i))


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
    run: object = None          # the Run mapped (its schedule and clipping), when one was given
    kind = "hyper"
    _columns: tuple = field(init=False, repr=False)
    _column_ok: np.ndarray = field(init=False, repr=False)
    _lr_ok: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        columns = (self.optimizer,) if self.key is None else tuple(
            _valid(replace_key, self.optimizer, self.key, float(x)) for x in self.v)
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

    def lone_runs(self, i: np.ndarray, j: np.ndarray):
        """(a Run per valid cell, starts (n, 2), positions in i/j): each cell as a run of
        its own (surfaces where the optimizer moves in more than two parameters)."""
        from dataclasses import replace
        sel = np.flatnonzero(self._lr_ok[i] & self._column_ok[j])
        base = self.run if self.run is not None else _as_run(self.optimizer)
        runs = [replace(base, optimizer=self._columns[j[c]].replace(lr=float(self.u[i[c]])))
                for c in sel]
        start = np.broadcast_to(np.asarray(self.start, dtype=float), (len(sel), 2))
        return runs, start, sel


def _run_rule(surface, optimizer, rule):
    """(surface, optimizer, step rule, run): a Run brings its schedule and clipping
    (rules.py) and its own mini-batch seed (``Run.surface_for``)."""
    from .rules import cell_rule
    from ..simulation import Run
    run = optimizer if isinstance(optimizer, Run) else None
    if run is not None:
        surface, optimizer = run.surface_for(surface), run.optimizer
    return surface, optimizer, rule if rule is not None else cell_rule(surface, run), run


def _as_run(optimizer):
    from ..simulation import Run
    return Run(optimizer)


def start_map(surface: Surface, optimizer, steps: int, grid=64, *,
              bounds=None, rule: Rule | None = None) -> StartMap:
    """A start map over ``bounds`` (default: the surface's window), grid N or (N, M) cells.
    ``optimizer`` may be a Run (its schedule, clipping and batch seed too)."""
    surface, optimizer, rule, run = _run_rule(surface, optimizer, rule)
    n, m = _grid(grid, two=True)
    (x0, x1), (y0, y1) = bounds or surface.bounds
    return StartMap(surface, optimizer, _steps(steps), np.linspace(x0, x1, n),
                    np.linspace(y0, y1, m), rule, run)


def hyper_map(surface: Surface, optimizer, start, steps: int, grid=64, *,
              lr=None, key: str | None = None, values=None, rule: Rule | None = None) -> HyperMap:
    """A map over lr (log-spaced over ``lr`` = (lo, hi), default lr/100 .. lr·100) and,
    with ``key``, a second number keyword (linear over ``values`` = (lo, hi),
    default the keyword's range in the app). grid: N or (N, M); M only with ``key``.
    ``optimizer`` may be a Run (its schedule, clipping and batch seed too)."""
    surface, optimizer, rule, run = _run_rule(surface, optimizer, rule)
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
    return HyperMap(surface, optimizer, _steps(steps), start, np.geomspace(lo, hi, n), key, v,
                    rule, run)


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


# ------------------------------------------------------------------- checks
_PART = re.compile(r"^(\w+)\[([01])\]$")


def replace_key(optimizer: Optimizer, key: str, value: float) -> Optimizer:
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
