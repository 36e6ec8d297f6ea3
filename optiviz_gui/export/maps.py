"""Maps as data: the CSV of ``optiviz map`` (DESIGN.md, a public contract)::

    optimizer,u,v,x,y,loss,status,step,minimum

One row per cell, for each v every u in turn (file order), each map after the
other. u, v are the cell's grid coordinates: its start point (start map), or
its lr and second keyword's value (hyper map; v is empty with lr alone).
x, y, loss are the final point and its loss, the last finite ones if the run
diverged (its start, and the start's loss, if even that was bad); status is
running, converged, diverged or invalid (a combination torch refuses: x, y,
loss empty); step is where it converged or diverged, empty otherwise;
minimum is the index of the surface's known minimum it converged to, empty
for none (core.maps.nearest_minimum). Numbers are float64 in full precision,
the shortest text that reads back to the same value, as in ``optiviz run``.

Rows are written as the blocks are computed, so memory stays that of one
block for any grid; the file appears, complete, only at the end (atomic_path):
a cancel (``core.maps.Cancelled``) or an error leaves nothing behind.
``write_result_csv`` writes a map already computed (the app's File ▸ Export
map…), the same bytes as ``optiviz map`` for the same map.
"""

from __future__ import annotations

import csv
import os
from typing import Callable, Iterator, Sequence

import numpy as np

from ..core.files import atomic_path
from ..core.maps import INVALID, STATUS, Block, blocks

HEADER = ("optimizer", "u", "v", "x", "y", "loss", "status", "step", "minimum")


def map_rows(label: str, spec, progress=None, cancel=None) -> Iterator[list]:
    """The CSV rows of one map, a block of rows at a time, in file order."""
    for b in blocks(spec, order="rows", progress=progress, cancel=cancel):
        yield list(_rows(label, spec, b))


def write_map_csv(path: str | os.PathLike, maps: Sequence[tuple[str, object]],
                  progress: Callable[[int, int], None] | None = None, cancel=None) -> None:
    """Write the maps ``[(label, spec), ...]`` to ``path`` atomically.

    ``progress(done, total)`` counts point-steps over all the maps; ``cancel()``
    is asked between slices of work (it raises core.maps.Cancelled out of here).
    """
    total = sum(s.shape[0] * s.shape[1] * s.steps for _, s in maps)
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(HEADER)
            offset = 0
            for label, spec in maps:
                report = None if progress is None else _shifted(progress, offset, total)
                for rows in map_rows(label, spec, report, cancel):
                    w.writerows(rows)
                offset += spec.shape[0] * spec.shape[1] * spec.steps
            f.flush()
            os.fsync(f.fileno())


def write_result_csv(path: str | os.PathLike, label: str, result) -> None:
    """Write a finished MapResult (every cell ``done``) to ``path`` atomically, in file
    order, exactly as ``write_map_csv`` would write its spec."""
    if not result.done.all():
        raise ValueError("the map is not complete")
    n, m = result.done.shape
    i, j = np.tile(np.arange(n), m), np.repeat(np.arange(m), n)
    b = Block(i, j, np.column_stack((result.x[i, j], result.y[i, j])), result.loss[i, j],
              result.status[i, j], result.step[i, j], result.minimum[i, j])
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(HEADER)
            w.writerows(_rows(label, result.spec, b))
            f.flush()
            os.fsync(f.fileno())


def _rows(label: str, spec, b: Block):
    ran = (b.status != INVALID).tolist()
    n = len(ran)
    u = map(repr, spec.u[b.i].tolist())
    v = map(repr, spec.v[b.j].tolist()) if spec.v is not None else [""] * n
    x, y, loss = (_numbers(a, ran) for a in (b.point[:, 0], b.point[:, 1], b.loss))
    status = [STATUS[c] for c in b.status.tolist()]
    step = _whole(b.step)
    minimum = _whole(b.minimum)
    return zip([label] * n, u, v, x, y, loss, status, step, minimum)


def _numbers(values: np.ndarray, keep: list[bool]) -> list[str]:
    return [repr(v) if k else "" for v, k in zip(values.tolist(), keep)]


def _whole(values: np.ndarray) -> list[str]:
    """Counts and indices; −1 (none) is an empty field."""
    return [str(v) if v >= 0 else "" for v in values.tolist()]


def _shifted(progress, offset: int, total: int):
    return lambda done, _total: progress(offset + done, total)
