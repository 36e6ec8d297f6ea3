"""Trajectories as data: the CSV of ``optiviz run`` and a JSON file with the full per-step state.

CSV (a public contract, the README's "command line")::

    optimizer,step,x,y,loss,grad_x,grad_y

JSON (``"format": "optiviz-trajectories"``)::

    {"format": "optiviz-trajectories", "version": 1,
     "session": {...the session file's object...},
     "surface": {"title", "formula", "axis_labels", "bounds"},
     "steps": N,
     "runs": [{"label", "optimizer", "hyperparameters", "color",
               "status": "diverged" | "converged" | "running",
               "diverged_at": k | null, "converged_at": k | null,
               "state_names": ["step", "exp_avg", ...],
               "history": [{"step": k, "params": [x, y], "loss": f,
                            "grad": [gx, gy], "update": [dx, dy] | null,
                            "state": {"step": k, "exp_avg": [ax, ay], ...},
                            "lr": γ, ...  (scheduled runs: the update's lr, momentum/betas)
                            "evaluations": [{"params", "loss"}, ...]  (LBFGS)}, ...]}]}

Step k is θ_k (k = 0 the start, k = after k updates); ``grad`` is ∇f(θ_k) (the
mini-batch's with batches, before any clipping);
``update`` is θ_k − θ_{k−1}, the step that led here (null at k = 0); ``state``
is the optimizer's state after k updates under torch's names, the state that
produced that update. Numbers are float64 written in full precision (the
shortest text that reads back to the same value, ``repr``); a run that
diverged ends one step before ``diverged_at``. The JSON text is exactly
``json.dumps(obj, indent=1)`` of that object, plus a newline.

Both are streamed: one run at a time is computed (from the session's
surface, start and optimizer, in blocks of ``BLOCK`` steps), written row by
row and let go, so memory holds one run's history (40 bytes a step), not
every run's nor the text. Building the whole CSV of 9 optimizers × 10⁶ steps
in memory first peaked at 2.6 GB (benchmarks/run_memory.py). Files are
written to a temporary file and renamed when complete (``atomic_path``).
"""

from __future__ import annotations

import csv
import json
import math
import os
from itertools import repeat
from typing import Any, Iterator, TextIO

import numpy as np

from ..core.errors import ConfigError
from ..core.files import atomic_path
from ..core.trajectory import Trajectory

FORMAT = "optiviz-trajectories"
VERSION = 1
HEADER = ("optimizer", "step", "x", "y", "loss", "grad_x", "grad_y")
# Steps computed, then written, at a time: until a block is stored (40 B a step)
# its steps are Python floats in a list (160 B a step); 10⁶ at once was 160 MB.
BLOCK = 1 << 16


def trajectory_format(path: str | os.PathLike) -> str:
    """"csv" or "json" from the file name; any other suffix is a ConfigError."""
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    if suffix not in (".csv", ".json"):
        raise ConfigError(f"Cannot export trajectories to '{os.path.basename(path)}': "
                          f"the file name must end in .csv or .json.")
    return suffix[1:]


def write_trajectories(path: str | os.PathLike, sim) -> None:
    """.csv or .json by suffix, streamed into a temporary file renamed when complete
    (``ConfigError`` for any other suffix, and nothing is written)."""
    write = write_csv if trajectory_format(path) == "csv" else write_json
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            write(sim, f)
            f.flush()
            os.fsync(f.fileno())


def computed(sim, run) -> Trajectory:
    """``run``'s trajectory from ``sim``'s start to its last step (or divergence)."""
    t = Trajectory(sim.surface, run, sim.start)
    for k in range(BLOCK, sim.steps + BLOCK, BLOCK):
        t.extend(min(k, sim.steps))
    return t


# --------------------------------------------------------------------- CSV
def write_csv(sim, f: TextIO) -> None:
    """optimizer,step,x,y,loss,grad_x,grad_y for every run, steps 0..sim.steps."""
    w = csv.writer(f, lineterminator="\n")
    w.writerow(HEADER)
    for label, run in zip(sim.labels(), sim.runs):
        write_csv_rows(w, label, computed(sim, run))


def write_csv_rows(w, label: str, t: Trajectory) -> None:
    """One run's rows, a block at a time (Python floats: csv writes them as ``repr``)."""
    P, L, G = t.params, t.loss, t.grad
    for i in range(0, len(L), BLOCK):
        j = i + BLOCK
        (x, y), (gx, gy) = P[i:j].T.tolist(), G[i:j].T.tolist()
        w.writerows(zip(repeat(label), range(i, j), x, y, L[i:j].tolist(), gx, gy))


# -------------------------------------------------------------------- JSON
def write_json(sim, f: TextIO) -> None:
    """The JSON object described in the module docstring, a run and a step at a time."""
    _write(f, trajectories_object(sim), 0)
    f.write("\n")


def trajectories_object(sim) -> dict[str, Any]:
    """The JSON object described in the module docstring, with the runs and each run's
    history as iterators: a run is computed, and a step's state replayed, when read."""
    from ..core import session

    (x0, x1), (y0, y1) = sim.surface.bounds
    return {
        "format": FORMAT, "version": VERSION,
        "session": session.to_dict(sim),
        "surface": _surface(sim.surface, (x0, x1, y0, y1)),
        "steps": sim.steps,
        "runs": (_run(run, label, color, computed(sim, run))
                 for run, label, color in zip(sim.runs, sim.labels(), sim.colors())),
    }


def _surface(surface, bounds) -> dict[str, Any]:
    """The surface's part: title, formula, axes, window; for a network also its data,
    layer sizes, activation, θ₀ and the plane's two directions."""
    x0, x1, y0, y1 = bounds
    out = {"title": surface.title, "formula": surface.formula,
           "axis_labels": list(surface.axis_labels),
           "bounds": [[float(x0), float(x1)], [float(y0), float(y1)]]}
    if getattr(surface, "dim", 2) > 2:
        X, y = surface.data
        out.update({"data": {"x1": X[:, 0].tolist(), "x2": X[:, 1].tolist(),
                             "label": [int(v) for v in y]},
                    "layers": list(surface.sizes), "activation": surface.activation,
                    "theta0": surface.theta0.tolist(),
                    "directions": surface.directions.tolist()})
    return out


def _run(run, label: str, color: str, t: Trajectory) -> dict[str, Any]:
    """One run's object; its history is an iterator, which holds the trajectory
    only until it is written."""
    converged = t.converged_at()
    status = "diverged" if t.diverged else "converged" if converged is not None else "running"
    return {
        "label": label,
        "optimizer": run.optimizer.name,
        "hyperparameters": {k: _plain(v) for k, v in run.optimizer.hp.items()},
        "color": color,
        "enabled": run.enabled,
        "status": status,
        "diverged_at": t.diverged_at,
        "converged_at": converged,
        "state_names": list(t.optimizer.State._fields) if len(t.loss) else [],
        "history": _history(t),
    }


def _write(f: TextIO, value, depth: int) -> None:
    """``value`` as ``json.dumps(value, indent=1)`` writes it at this depth, where an
    iterator is written as a list, item by item as it comes."""
    pad = "\n" + " " * depth
    if isinstance(value, Iterator):
        opening = "["
        for item in value:
            f.write(opening + pad + " ")
            _write(f, item, depth + 1)
            opening = ","
        f.write("[]" if opening == "[" else pad + "]")
    elif isinstance(value, dict) and any(isinstance(v, Iterator) for v in value.values()):
        opening = "{"
        for key, item in value.items():
            f.write(opening + pad + " " + json.dumps(key) + ": ")
            _write(f, item, depth + 1)
            opening = ","
        f.write(pad + "}")
    else:
        f.write(json.dumps(value, indent=1, allow_nan=False).replace("\n", pad))


def _history(t: Trajectory) -> Iterator[dict[str, Any]]:
    """Every stored step of one trajectory with its optimizer state (replayed forward
    once, ``Trajectory.states``), the learning rate (and the momentum or betas a
    schedule moves) of the update from that step, and for LBFGS the points where it
    evaluated the loss inside that update."""
    P, L, G = t.params, t.loss, t.grad
    lbfgs = t.optimizer.needs_closure
    for k, state in enumerate(t.states()):
        row = {
            "step": k,
            "params": [_num(P[k, 0]), _num(P[k, 1])],
            "loss": _num(L[k]),
            "grad": [_num(G[k, 0]), _num(G[k, 1])],
            "update": None if k == 0 else [_num(P[k, 0] - P[k - 1, 0]),
                                           _num(P[k, 1] - P[k - 1, 1])],
            "state": {name: _state_value(v) for name, v in state.items()},
        }
        if t.dim > 2:                          # the whole parameter vector θ_k
            row["theta"] = [_num(v) for v in t.theta[k].tolist()]
        if t.scheduled:
            row.update({key: _plain(v) for key, v in t.group_at(k).items()})
        if lbfgs:
            points, losses = t.marks_at(k)
            row["evaluations"] = [{"params": [_num(x), _num(y)], "loss": _num(f)}
                                  for (x, y), f in zip(points.tolist(), losses.tolist())]
        yield row


def _state_value(v):
    """A state entry as JSON: numbers in full precision, arrays and tuples as lists."""
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, np.ndarray):
        return [_state_value(x) for x in v.tolist()] if v.ndim else _num(v)
    if isinstance(v, (list, tuple)):
        return [_state_value(x) for x in v]
    return _num(v)


def _num(v) -> float | None:
    """A JSON number in full precision; a non-finite value (never in a kept history) is null."""
    v = float(v)
    return v if math.isfinite(v) else None


def _plain(v):
    if isinstance(v, tuple):
        return [_plain(x) for x in v]
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return float(v) if isinstance(v, float) else int(v)
    return v
