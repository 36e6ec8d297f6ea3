"""A map's words: its title, axis titles, and what one cell says when hovered.

    title(spec, "Adam")           'Adam · start points, 64 × 64 · 100 steps'
    cell_values(spec, result, i, j)
        {'u': 0.5, 'v': -1.25, 'status': 'converged', 'step': 37, 'x': 3.0, 'y': 2.0,
         'loss': 1.2e-12, 'minimum': 0}
    cell_text(spec, result, i, j)
        'start (0.5, −1.25): converged at step 37 to minimum 1 (3, 2), loss 1.2e−12'
"""

from __future__ import annotations

import math

import numpy as np

from ....core.maps import CONVERGED, STATUS, nearest_minimum

GREEK = {"betas[0]": "β₁", "betas[1]": "β₂", "momentum": "momentum", "alpha": "α", "rho": "ρ",
         "eps": "ε", "lambd": "λ", "etas[0]": "η₋", "etas[1]": "η₊"}


def key_name(key: str | None) -> str:
    """How a keyword reads on an axis: "betas[0]" -> "β₁ (betas[0])"."""
    if key is None:
        return ""
    short = GREEK.get(key, key)
    return short if short == key else f"{short} ({key})"


def axis_titles(spec) -> tuple[str, str | None]:
    """(x axis title, y axis title or None for an lr strip)."""
    if spec.kind == "start":
        return tuple(spec.axes)
    return "lr (log scale)", (key_name(spec.key) if spec.key else None)


def title(spec, label: str) -> str:
    n, m = spec.shape
    if spec.kind == "start":
        what = f"start points, {n} × {m}"
    elif spec.key is None:
        what = f"lr, {n} cells, from ({num(spec.start[0])}, {num(spec.start[1])})"
    else:
        what = (f"lr × {GREEK.get(spec.key, spec.key)}, {n} × {m}, "
                f"from ({num(spec.start[0])}, {num(spec.start[1])})")
    return f"{label} · {what} · {spec.steps:,} steps"


def cell_values(spec, result, i: int, j: int) -> dict:
    """Cell (i, j)'s grid coordinates and outcome, straight from ``result`` (None for
    what it does not have: a step while running, a minimum not reached)."""
    step, minimum = int(result.step[i, j]), int(result.minimum[i, j])
    return {"u": float(spec.u[i]), "v": None if spec.v is None else float(spec.v[j]),
            "done": bool(result.done[i, j]), "status": STATUS[int(result.status[i, j])],
            "step": step if step >= 0 else None,
            "x": float(result.x[i, j]), "y": float(result.y[i, j]),
            "loss": float(result.loss[i, j]), "minimum": minimum if minimum >= 0 else None}


def cell_text(spec, result, i: int, j: int) -> str:
    """One line for the hovered cell (see the module docstring)."""
    c = cell_values(spec, result, i, j)
    if spec.kind == "start":
        where = f"start ({num(c['u'])}, {num(c['v'])})"
    elif spec.key is None:
        where = f"lr {num(c['u'])}"
    else:
        where = f"lr {num(c['u'])}, {GREEK.get(spec.key, spec.key)} {num(c['v'])}"
    if not c["done"]:
        return f"{where}: not computed yet"
    status = c["status"]
    if status == "invalid":
        return f"{where}: invalid (torch refuses this combination)"
    point = f"({num(c['x'])}, {num(c['y'])})"
    if status == "diverged":
        return (f"{where}: diverged at step {c['step']} (last finite loss "
                f"{num(c['loss'])} at {point})")
    if status == "running":
        text = f"{where}: still running after {spec.steps:,} steps at {point}"
        near = near_minimum(spec.surface, c["x"], c["y"])
        if near is not None:
            mx, my = spec.surface.minima[near]
            text += f", near minimum {near + 1} ({num(mx)}, {num(my)})"
        return f"{text}, loss {num(c['loss'])}"
    text = f"{where}: converged at step {c['step']}"
    if c["minimum"] is not None:
        mx, my = spec.surface.minima[c["minimum"]]
        text += f" to minimum {c['minimum'] + 1} ({num(mx)}, {num(my)})"
    else:
        text += f" at {point}"
    return f"{text}, loss {num(c['loss'])}"


def near_minimum(surface, x: float, y: float) -> int | None:
    """The known minimum (x, y) is within reach of (core's tolerance), or None."""
    k = int(nearest_minimum(surface, np.array([[x, y]]), np.array([CONVERGED]))[0])
    return k if k >= 0 else None


def num(v: float) -> str:
    """Four significant digits and a real minus sign: 0.03162, −1.25, 1.2e−12."""
    if v is None or not math.isfinite(v):
        return str(v)
    return f"{float(v):.4g}".replace("-", "−")


def cell_setting(spec, i: int, j: int) -> str:
    """What a hyper map's cell sets, as typed: 'lr 0.01, momentum 0.9'."""
    text = f"lr {num(spec.u[i])}"
    if spec.key is not None:
        text += f", {GREEK.get(spec.key, spec.key)} {num(spec.v[j])}"
    return text.replace("−", "-")


def summary(result) -> str:
    """"2,413 converged · 1,600 diverged · 83 still running": the outcomes there are."""
    counts = np.bincount(result.status.ravel().astype(np.intp), minlength=4)
    names = ("still running", "converged", "diverged", "invalid")
    return " · ".join(f"{counts[c]:,} {names[c]}" for c in (1, 2, 0, 3) if counts[c])
