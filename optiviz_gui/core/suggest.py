"""Learning rates that suit a surface, for runs whose settings blow up at once there.

Switching from the regression example (curvature about 17) to Rosenbrock (curvature
about 2 400 at its usual start) with lr 0.1 kept, every run explodes by step 3. The
app then offers these instead (one click), worked out from the surface itself:

    gradient-scaled optimizers (SGD, ASGD)    lr = 1 / L, L the largest |eigenvalue|
                                              of the Hessian at the start (central
                                              differences of the exact gradient): one
                                              plain step never overshoots a quadratic
                                              of that curvature (stable up to 2 / L)
    step-size optimizers (the Adam family,    lr = 1 % of the window's larger side:
    RMSprop, Adagrad, Rprop, Adafactor, Muon)  their steps are about lr long whatever
                                              the gradient's size
    LBFGS                                     lr = 1 (its line search scales the step)

``diverging_at_once`` says which runs go bad within ``SOON`` steps.
"""

from __future__ import annotations

import math

import numpy as np

SOON = 10
GRADIENT_SCALED = ("sgd", "asgd")


def curvature(surface, start) -> float:
    """The largest |eigenvalue| of the Hessian at ``start`` (central differences of the
    exact gradient, with steps of 10⁻⁴ of the window); nan where it is undefined."""
    (x0, x1), (y0, y1) = surface.bounds
    h = 1e-4 * np.array([x1 - x0, y1 - y0])
    p = np.asarray(start, dtype=float)
    cols = []
    with np.errstate(all="ignore"):                 # inf − inf at a singular start: nan below
        for axis in range(2):
            e = np.zeros(2)
            e[axis] = h[axis]
            _, g_plus = surface.value_and_grad(p + e)
            _, g_minus = surface.value_and_grad(p - e)
            cols.append((g_plus - g_minus) / (2 * h[axis]))
    H = np.column_stack(cols)
    H = (H + H.T) / 2
    if not np.all(np.isfinite(H)):
        return math.nan
    return float(np.max(np.abs(np.linalg.eigvalsh(H))))


def suggested_lr(surface, start, optimizer) -> float | None:
    """A learning rate for ``optimizer`` on ``surface`` from ``start`` (see the module);
    None when the surface gives nothing to go by (a flat or undefined start)."""
    name = optimizer.name
    if optimizer.needs_closure:
        return 1.0
    if name in GRADIENT_SCALED:
        L = curvature(surface, start)
        if not (math.isfinite(L) and L > 0):
            return None
        return float(f"{1.0 / L:.2g}")          # a number a person can read and type
    (x0, x1), (y0, y1) = surface.bounds
    return float(f"{0.01 * max(x1 - x0, y1 - y0):.2g}")


def diverging_at_once(sim) -> list[int]:
    """The enabled runs of ``sim`` that diverge within SOON steps of the start."""
    from .trajectory import Trajectory
    out = []
    for i, run in enumerate(sim.runs):
        if not run.enabled:
            continue
        t = Trajectory(sim.surface, run, sim.start)
        t.extend(SOON)
        if t.diverged:
            out.append(i)
    return out
