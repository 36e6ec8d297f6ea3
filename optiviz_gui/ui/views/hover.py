"""What the status bar says about the point under the mouse (the views only draw,
so the readout is text the window shows; nothing is drawn over the paths).

    map        the cursor's (x, y) and the loss there; near a drawn point of a path
               (within NEAR_PX pixels) that run's step k, its loss and gradient, and on
               a network θ_k's distance from the plane (its loss is that of θ_k, not of
               the plane's point under the cursor)
    loss pane  the iteration under the cursor and every shown run's loss at it
"""

from __future__ import annotations

import math

import numpy as np

NEAR_PX = 8.0


def map_readout(sim, x: float, y: float, pixel: tuple[float, float]) -> str:
    """The map's readout at data point (x, y); ``pixel`` = the data size of a screen pixel."""
    ax, ay = sim.surface.axis_labels
    with np.errstate(all="ignore"):
        f = float(sim.surface.value(np.array([x, y], dtype=float)))
    text = f"{ax} = {x:.4g}, {ay} = {y:.4g}: loss {f:.4g}"
    hit = nearest_point(sim, x, y, pixel)
    if hit is not None:
        i, k = hit
        t = sim.trajectories[i]
        gx, gy = t.grad[k]
        text += (f"   ·   {sim.labels()[i]} step {k}: loss {float(t.loss[k]):.4g}, "
                 f"gradient ({gx:.3g}, {gy:.3g})")
        if t.dim > 2:          # the true loss is at θ_k, off the plane the map shows
            text += f", distance from plane ‖θ − θ({ax}, {ay})‖ = {float(t.distance[k]):.3g}"
    return text


def nearest_point(sim, x: float, y: float, pixel) -> tuple[int, int] | None:
    """(run, step) of the drawn path point nearest (x, y) within NEAR_PX pixels, or None."""
    px, py = (abs(float(p)) or 1.0 for p in pixel)
    best, found = NEAR_PX, None
    k = sim.step
    for i, (run, t) in enumerate(zip(sim.runs, sim.trajectories)):
        if not run.enabled or t.steps < 0:
            continue
        p = t.params[: min(k, t.steps) + 1]
        with np.errstate(all="ignore"):
            d = np.hypot((p[:, 0] - x) / px, (p[:, 1] - y) / py)
        j = int(np.nanargmin(d)) if np.isfinite(d).any() else -1
        if j >= 0 and d[j] <= best:
            best, found = float(d[j]), (i, j)
    return found


def loss_readout(sim, iteration: float) -> tuple[int, str]:
    """(the iteration under the cursor, "iteration i: SGD 0.12, Adam 3.4") on the loss pane."""
    i = int(min(max(round(iteration), 0), sim.step))
    parts = []
    for run, label, t in zip(sim.runs, sim.labels(), sim.trajectories):
        if run.enabled and 0 <= i <= t.steps:
            v = float(t.loss[i])
            parts.append(f"{label} {v:.4g}" if math.isfinite(v) else f"{label} —")
    return i, f"iteration {i}: " + ", ".join(parts)
