"""The compiled run loop: ``Trajectory.extend``'s loop over arrays, for numba.

These functions are plain Python but only run compiled: compile.py copies them
with the names declared at the bottom of this module bound to one optimizer's
compiled rule and helpers (``run``, ``clip``) or to one surface's functions
(``surface_entry`` and an ``f_and_g``). ``run`` calls the surface through a C
function pointer, so one compiled loop per optimizer serves every surface.
Step by step it does what the Python path does, in the same order, with the
same arithmetic:

    (clip the gradient) → update x → update y → θ ← θ + Δ → f, ∇f at θ
    → stop if θ leaves the runaway box or f, ∇f are not finite
    → store the row, and the state every ``every`` steps

A float operation that raises in Python (ArithmeticError) gives inf or nan here
(numba's ``error_model="numpy"``), which the same finiteness test catches.
"""

import numpy as np

from ..clipping import clip_grad_norm_xy, clip_grad_value_xy


def run(hp_values, surface, sp, sx, sy, k0, k1, limit, every, P, L, G, ck,
        lr, momentum, max_norm, clip_value, means, batch_step, rec, R):
    """Steps k0 → k1 from the point and gradient in rows k0 of P and G and the states sx, sy.

    ``surface(sp, x, y, m)`` is the compiled surface with its parameters ``sp`` (a
    float array). Writes rows k0+1.. of P (points), L (losses), G (gradients) and,
    for each step k that is a multiple of ``every``, both states into ``ck[c]``
    (c = 0, 1, ...). ``lr[i]``, ``momentum[i]`` (when not empty) are the learning
    rate and momentum (or β₁) of the update from step k0+i; ``max_norm`` and
    ``clip_value`` clip the gradient (inf: no clipping); ``means[i * batch_step]``
    are the mini-batch means for the gradient at the point that update reaches;
    ``R[k]`` gets the state fields numbered ``rec``, x then y of each, at each step.
    Returns (last step, the step that diverged or -1, state x, state y).
    """
    hp = make_hp(hp_values)
    sx = make_state(sx)
    sy = make_state(sy)
    x, y = P[k0, 0], P[k0, 1]
    gx, gy = G[k0, 0], G[k0, 1]
    scheduled = len(lr) > 0
    fixed_momentum = momentum_of(hp)
    k = k0
    c = 0
    diverged = -1
    while k < k1:
        i = k - k0
        h = hp
        if scheduled:
            h = with_group(hp, lr[i], momentum[i] if len(momentum) > 0 else fixed_momentum)
        cx, cy = clip(gx, gy, max_norm, clip_value)
        dx, nx = update(h, cx, sx, x, xp)
        dy, ny = update(h, cy, same_step(sy, sx), y, xp)
        x = x + dx
        y = y + dy
        f, gx, gy = surface(pointer(sp, 0), x, y, pointer(means, 4 * i * batch_step))
        if not (-limit < x < limit and -limit < y < limit and np.isfinite(f)
                and np.isfinite(gx) and np.isfinite(gy)):
            diverged = k + 1
            break
        k += 1
        sx, sy = nx, ny
        P[k, 0] = x
        P[k, 1] = y
        L[k] = f
        G[k, 0] = gx
        G[k, 1] = gy
        for j in range(len(rec)):
            R[k, 2 * j] = sx[rec[j]]
            R[k, 2 * j + 1] = sy[rec[j]]
        if k % every == 0:
            for j in range(len(sx)):
                ck[c, 0, j] = sx[j]
                ck[c, 1, j] = sy[j]
            c += 1
    return k, diverged, sx, sy


def same_step(state, like):
    """``state`` with ``like``'s step (the same number: both coordinates step together).

    It is the same value in the compiled code too, so the rule's β₁ᵗ, β₂ᵗ... are
    computed once a step for both coordinates, not twice: pow is most of an Adam
    step (Adam 6.3 → 9 million steps/s, measured).
    """
    return make_state((like[0],) + state[1:])


def clip(gx, gy, max_norm, clip_value):
    """torch's clip_grad_norm_ then clip_grad_value_: core/clipping.py's float-pair functions
    (compiled with fused.fma_float as the processor's fma: the same rounding). inf: off."""
    if max_norm < np.inf:
        gx, gy = clip_grad_norm_xy(gx, gy, max_norm)
    if clip_value < np.inf:
        gx, gy = clip_grad_value_xy(gx, gy, clip_value)
    return gx, gy


def surface_entry(p, x, y, m):
    """The compiled surface's C entry: (f, ∂f/∂x, ∂f/∂y) at (x, y) from its parameters ``p``."""
    return f_and_g(make_sp(p), x, y, m)


def full_f_and_g(sp, x, y, m):
    """Loss and gradient."""
    return value_and_grad(sp, x, y, xp)


def batch_f_and_g(sp, x, y, m):
    """Full-data loss, and the mini-batch gradient from the batch means m[0..3]."""
    gx, gy = batch_grad(sp, x, y, m[0], m[1], m[2], m[3], xp)
    return value(sp, x, y, xp), gx, gy


# What compile.py binds in each copy (these placeholders are never called): the
# optimizer's rule and helpers, the surface's functions, pointer, and the xp the
# rules and surfaces get (kernels/xp.py).
update = make_hp = make_state = with_group = momentum_of = pointer = xp = None
make_sp = f_and_g = value_and_grad = value = batch_grad = None
