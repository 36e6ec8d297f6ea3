"""What a map shows, as a value: ``MapOptions``, and the map (a core.maps spec) it makes.

    MapOptions(run=0, kind="start", grid=64, scheme="outcome")
        every start point on a 64 × 64 grid over the surface's window, for run 0
    MapOptions(run=3, kind="hyper", key="betas[0]", lr=(1e-4, 1.0), values=(0.0, 0.99))
        lr (log-spaced) against Adam's β₁, every run from the session's start

The ranges are numbers once the map is first made (``resolve``): the default lr
range is the run's lr/100 … lr·100, but clicking a cell sets the run's lr, and
a map that moved with it would jump away from the cell just clicked. So a
hyper map keeps its ranges until the person (or a new run or kind) changes them.

``inputs(sim, options)`` is everything the map's cells depend on: a new map is
computed only when it changes (a new surface, steps, the run's optimizer,
schedule, clipping or seed; for a hyper map also the start), never for a new
colour scheme, label or colour — nor for a hyper map when only the run's value
of a mapped keyword changed (each cell sets it anyway).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ....core import maps
from ....core.errors import ConfigError

KINDS = {"start": "Start points", "hyper": "Hyper-parameters"}
GRID_RANGE = (4, 512)            # cells a side the pane offers (core allows up to 4096)
DEFAULT_GRID = {"start": 64, "hyper": 48, "lr": 128}
PREFERRED_KEYS = ("momentum", "betas[0]", "alpha", "rho", "etas[0]")


@dataclass(frozen=True)
class MapOptions:
    """See the module docstring. ``key`` None with kind "hyper": lr alone (a strip)."""

    run: int = 0
    kind: str = "start"
    key: str | None = None
    lr: tuple[float, float] | None = None
    values: tuple[float, float] | None = None
    grid: int = DEFAULT_GRID["start"]
    scheme: str = "outcome"

    def but(self, **changes) -> "MapOptions":
        return replace(self, **changes)


def number_keys(optimizer) -> dict[str, tuple[float, float]]:
    """The keywords a hyper map of ``optimizer`` can sweep beside lr, with a default range
    each (torch's open ranges [0, 1) end at 0.99 here, so the last column is usable)."""
    out = {}
    for key, (lo, hi) in maps.map_keys(optimizer).items():
        if lo is None or hi is None:
            continue
        out[key] = (lo, 0.99) if (lo, hi) == (0.0, 1.0) else (lo, hi)
    return out


def default_key(optimizer) -> str | None:
    """The second keyword a person most likely wants (momentum, β₁, α, ρ), or None."""
    keys = number_keys(optimizer)
    return next((k for k in PREFERRED_KEYS if k in keys), next(iter(keys), None))


def resolve(sim, options: MapOptions) -> MapOptions:
    """``options`` with a valid run index and every range a number (see the module
    docstring): the lr range from the run's lr, the keyword's from ``number_keys``."""
    if not sim.runs:
        raise ConfigError("There is no run to map: add an optimizer first.")
    run = min(max(options.run, 0), len(sim.runs) - 1)
    opt = sim.runs[run].optimizer
    out = options.but(run=run)
    if options.kind == "start":
        return out
    if out.lr is None:
        if opt.lr <= 0:
            raise ConfigError(f"{opt.title}: lr is {opt.lr}, so the default lr range "
                              f"lr/100 … lr·100 is empty; type one.")
        out = out.but(lr=(opt.lr / 100, opt.lr * 100))
    keys = number_keys(opt)
    if out.key is not None and out.key not in keys:
        out = out.but(key=default_key(opt), values=None)
    if out.key is not None and out.values is None:
        out = out.but(values=keys[out.key])
    return out


def build(sim, options: MapOptions, steps: int | None = None):
    """The core.maps spec of resolved ``options`` on ``sim`` (its surface, start and
    steps); a bad range or grid is one ConfigError sentence."""
    run = sim.runs[options.run]
    steps = sim.steps if steps is None else steps
    if options.kind == "start":
        return maps.start_map(sim.surface, run, steps, options.grid)
    return maps.hyper_map(sim.surface, run, sim.start, steps, options.grid, lr=options.lr,
                          key=options.key, values=options.values if options.key else None)


def inputs(sim, options: MapOptions) -> tuple:
    """Everything the cells of resolved ``options`` depend on (see the module docstring)."""
    run = sim.runs[options.run]
    opt = run.optimizer
    schedule = run.scheduler.to_dict() if run.scheduler is not None else None
    common = (sim.surface, sim.steps, schedule, run.clip_grad_norm, run.clip_grad_value,
              run.batch_seed, options.kind, options.grid)
    if options.kind == "start":
        return (*common, opt)
    hp = dict(opt.hp)
    del hp["lr"]
    if options.key is not None:
        name, _, part = options.key.partition("[")
        if part:                       # "betas[0]": the other part still counts
            pair = list(hp[name])
            pair[int(part[0])] = None
            hp[name] = tuple(pair)
        else:
            del hp[name]
    return (*common, type(opt), hp, sim.start, options.key, options.lr, options.values)


def marker(spec, start, optimizer) -> tuple[float | None, float | None]:
    """Where the session is on the map: the start point on a start map, the run's own
    lr (and keyword value) on a hyper map; (None, None) when it has no such value."""
    if spec.kind == "start":
        return float(start[0]), float(start[1])
    if spec.key is None:
        return float(optimizer.lr), None
    name, _, part = spec.key.partition("[")
    value = optimizer.hp.get(name)
    if value is None:
        return None, None
    return float(optimizer.lr), float(value[int(part[0])] if part else value)


def cell_optimizer(spec, optimizer, i: int, j: int):
    """``optimizer`` with hyper map cell (i, j)'s lr and keyword value (torch's checks:
    an invalid cell is one ConfigError sentence)."""
    opt = optimizer.replace(lr=float(spec.u[i]))
    return opt if spec.key is None else maps.replace_key(opt, spec.key, float(spec.v[j]))
