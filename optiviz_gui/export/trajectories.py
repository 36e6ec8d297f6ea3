"""Trajectories as data: the CSV of ``optiviz run`` and a JSON file with the full per-step state.

CSV (DESIGN.md, a public contract)::

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
                            "state": {"step": k, "exp_avg": [ax, ay], ...}}, ...]}]}

Step k is θ_k (k = 0 the start, k = after k updates); ``grad`` is ∇f(θ_k);
``update`` is θ_k − θ_{k−1}, the step that led here (null at k = 0); ``state``
is the optimizer's state after k updates under torch's names, the state that
produced that update. Numbers are float64 written in full precision (the
shortest text that reads back to the same value); a run that diverged ends
one step before ``diverged_at``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from typing import Any, Iterator

from ..core import scalar
from ..core.files import atomic_path

FORMAT = "optiviz-trajectories"
VERSION = 1


# --------------------------------------------------------------------- CSV
def trajectories_csv(sim) -> str:
    """optimizer,step,x,y,loss,grad_x,grad_y for every run, steps 0..sim.steps."""
    sim.seek(sim.steps)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["optimizer", "step", "x", "y", "loss", "grad_x", "grad_y"])
    for label, t in zip(sim.labels(), sim.trajectories):
        for k, ((x, y), f, (gx, gy)) in enumerate(zip(t.params, t.loss, t.grad)):
            w.writerow([label, k, repr(float(x)), repr(float(y)), repr(float(f)),
                        repr(float(gx)), repr(float(gy))])
    return out.getvalue()


# -------------------------------------------------------------------- JSON
def trajectories_dict(sim) -> dict[str, Any]:
    """The JSON object described in the module docstring (runs to the last step)."""
    from ..core import session

    sim.seek(sim.steps)
    surface = sim.surface
    (x0, x1), (y0, y1) = surface.bounds
    runs = []
    for run, label, color, t in zip(sim.runs, sim.labels(), sim.colors(), sim.trajectories):
        converged = t.converged_at()
        status = "diverged" if t.diverged else "converged" if converged is not None else "running"
        history = list(_history(t))
        runs.append({
            "label": label,
            "optimizer": run.optimizer.name,
            "hyperparameters": {k: _plain(v) for k, v in run.optimizer.hp.items()},
            "color": color,
            "enabled": run.enabled,
            "status": status,
            "diverged_at": t.diverged_at,
            "converged_at": converged,
            "state_names": list(history[0]["state"]) if history else [],
            "history": history,
        })
    return {
        "format": FORMAT, "version": VERSION,
        "session": session.to_dict(sim),
        "surface": {"title": surface.title, "formula": surface.formula,
                    "axis_labels": list(surface.axis_labels),
                    "bounds": [[float(x0), float(x1)], [float(y0), float(y1)]]},
        "steps": sim.steps,
        "runs": runs,
    }


def trajectories_json(sim) -> str:
    return json.dumps(trajectories_dict(sim), indent=1, allow_nan=False) + "\n"


def write_trajectories(path: str | os.PathLike, sim) -> None:
    """.csv or .json by suffix, written atomically (``ConfigError`` for any other suffix)."""
    from ..core.errors import ConfigError

    suffix = os.path.splitext(os.fspath(path))[1].lower()
    if suffix == ".csv":
        text = trajectories_csv(sim)
    elif suffix == ".json":
        text = trajectories_json(sim)
    else:
        raise ConfigError(f"Cannot export trajectories to '{os.path.basename(path)}': "
                          f"the file name must end in .csv or .json.")
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())


def _history(t) -> Iterator[dict[str, Any]]:
    """Every stored step of one trajectory with its optimizer state.

    The state is replayed forward once from the start with the stored
    gradients, exactly as ``Trajectory.state_at`` replays it from a
    checkpoint (one pass instead of one replay per step).
    """
    P, L, G = t.params, t.loss, t.grad
    if len(P) == 0:
        return
    update = t.optimizer.update
    sx, sy = t.optimizer.init(float(P[0, 0])), t.optimizer.init(float(P[0, 1]))
    for k in range(len(P)):
        if k:
            _, sx = update(float(G[k - 1, 0]), sx, float(P[k - 1, 0]), scalar)
            _, sy = update(float(G[k - 1, 1]), sy, float(P[k - 1, 1]), scalar)
        state = {name: (int(a) if name == "step" else [_num(a), _num(b)])
                 for name, a, b in zip(sx._fields, sx, sy)}
        yield {
            "step": k,
            "params": [_num(P[k, 0]), _num(P[k, 1])],
            "loss": _num(L[k]),
            "grad": [_num(G[k, 0]), _num(G[k, 1])],
            "update": None if k == 0 else [_num(P[k, 0] - P[k - 1, 0]),
                                           _num(P[k, 1] - P[k - 1, 1])],
            "state": state,
        }


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
