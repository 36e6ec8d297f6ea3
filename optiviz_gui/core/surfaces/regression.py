r"""The least-squares loss of a straight-line fit: the blog's surface.

For data (xᵢ, yᵢ), i = 1..n, and the line y = a + b·x (a = intercept, b = slope)::

    f(a, b) = mean((a + b·xᵢ − yᵢ)²)

No loop over the data at evaluation time. With the centred statistics

    x̄ = mean(x),  ȳ = mean(y),  Sxx = mean((x − x̄)²),
    b* = Σ(x − x̄)(y − ȳ) / Σ(x − x̄)²,   a* = ȳ − b*·x̄,
    R  = mean((yᵢ − a* − b*·xᵢ)²)          (the residual, computed directly)

the loss is a sum of non-negative terms (no cancellation)::

    f  = c² + Sxx·(b − b*)² + R,            c = (a − a*) + (b − b*)·x̄ = a + b·x̄ − ȳ
    ∂f/∂a = 2c,     ∂f/∂b = 2c·x̄ + 2·Sxx·(b − b*)

When the data sit far from 0 (x̄ = 10⁶, say) c is a small difference of large
numbers, and so is a* = ȳ − b*·x̄: plain float64 loses digits there (7 of
them near the minimum, measured for x̄ = 10⁶). So x̄, a* and b* are kept as
double-float pairs (hi + lo, ~106 bits, from sums of products made exact by
TwoProduct) and c is evaluated with error-free transformations (eft.py):
the loss then has full float64 relative precision everywhere, near the
minimum included. ``Surface.grid`` broadcasts a column of a against a row of
b, so most of that work is done once per row or column, not per grid point.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np

from ..errors import ConfigError
from . import points
from .base import Surface
from .eft import SPLITTER, accurate_sum, split, to_pair, two_prod, two_sum

SYNTHETIC_DEFAULTS: dict[str, Any] = {"intercept": -2.0, "slope": 2.0, "n": 1000,
                                      "noise": 0.001, "x_range": (-5.0, 5.0), "seed": 0}
LIMIT = 1e150   # |x|, |y| above this would overflow the squares


class LinearRegression(Surface):
    """Mean squared error of y = a + b·x over data points; see the module docstring."""

    kind = "linear_regression"
    name = "linear_regression"
    title = "Linear regression (mean squared error)"
    formula = "f(a, b) = mean((a + b·xᵢ − yᵢ)²)"
    axis_labels = ("intercept a", "slope b")

    def __init__(self, x, y, source: str | dict[str, Any] | None = None) -> None:
        """Data x, y (1-D, same length, finite, at least two distinct x).

        ``source`` is what ``to_dict`` saves: a CSV path as given, or the
        synthetic settings (a dict); None for data that came from elsewhere.
        """
        x = np.array(x, dtype=float)
        y = np.array(y, dtype=float)
        _check_data(x, y)
        x.flags.writeable = False
        y.flags.writeable = False
        self.x, self.y, self.source = x, y, source
        self._fit()
        self.minima = np.array([[self.a_star[0], self.b_star[0]]])
        self.bounds, self.start = _default_view(self.a_star[0], self.b_star[0])

    # ---------------------------------------------------------- constructors
    @classmethod
    def synthetic(cls, intercept: float = -2.0, slope: float = 2.0, n: int = 1000,
                  noise: float = 0.001, x_range: tuple[float, float] = (-5.0, 5.0),
                  seed: int = 0) -> LinearRegression:
        """n noisy points of y = intercept + slope·x (see ``points.synthetic``); defaults: the blog."""
        spec = {"intercept": float(intercept), "slope": float(slope), "n": int(n),
                "noise": float(noise), "x_range": (float(x_range[0]), float(x_range[1])),
                "seed": int(seed)}
        return cls(*points.synthetic(**spec), source=spec)

    @classmethod
    def from_csv(cls, path, name: str | None = None) -> LinearRegression:
        """Points from a CSV file with header x,y.

        ``to_dict`` saves ``path`` as given here (make_surface gives it absolute,
        so a session saved elsewhere can make it relative to its new folder);
        ``name`` is how error messages call the file (default: the path).
        """
        name = str(path) if name is None else name
        x, y = points.read_csv(path, name)
        try:
            return cls(x, y, source=str(path))
        except ConfigError as err:
            raise ConfigError(f"{name}: {err}") from None

    # --------------------------------------------------------- precomputation
    def _fit(self) -> None:
        """x̄, ȳ, a*, b* as (hi, lo) pairs, Sxx and R, from sums accurate to ~106 bits.

        These plain attributes are all the elementwise core reads (``xbar``, ``ybar``,
        ``a_star``, ``b_star``, ``xbar_split`` = split(x̄), ``sxx``, ``residual`` = R),
        so a compiled kernel runs the same functions on a namedtuple of them
        (core/kernels).
        """
        x, y, n = self.x, self.y, len(self.x)
        sx, sy = accurate_sum(x), accurate_sum(y)
        sxx = accurate_sum(np.concatenate(two_prod(x, x)))
        sxy = accurate_sum(np.concatenate(two_prod(x, y)))
        xbar, ybar = sx / n, sy / n
        sxx_c = sxx / n - xbar * xbar
        slope = (sxy / n - xbar * ybar) / sxx_c
        intercept = ybar - slope * xbar
        self.xbar, self.ybar = to_pair(xbar), to_pair(ybar)
        self.a_star, self.b_star = to_pair(intercept), to_pair(slope)
        self.xbar_split = split(self.xbar[0])
        self.sxx = float(sxx_c)
        # residuals y − a* − b*·x in double-float arithmetic, then their mean square
        p, pe = two_prod(self.b_star[0], x)
        s, se = two_sum(y, -p)
        r = (s - self.a_star[0]) + (((se - pe) - self.a_star[1]) - self.b_star[1] * x)
        self.residual = float(accurate_sum(r * r) / n)

    # ------------------------------------------------------- the elementwise core
    def value_xy(self, a, b, xp=np):
        c, db = _centred(self, a, b, xp)
        return c * c + (self.sxx * db * db + self.residual)

    def value_and_grad_xy(self, a, b, xp=np):
        c, db = _centred(self, a, b, xp)
        sdb = self.sxx * db
        return c * c + (sdb * db + self.residual), 2.0 * c, 2.0 * (c * self.xbar[0] + sdb)

    def batch_grad_xy(self, a, b, idx, xp=np):
        """Exact gradient of the MSE over the points ``idx`` only (a mini-batch)."""
        idx = np.asarray(idx, dtype=np.intp).reshape(-1)
        if idx.size == 0:
            raise ConfigError("A mini-batch needs at least one point.")
        xh, xl = self.xbar
        dx = (self.x[idx] - xh) - xl
        dy = (self.y[idx] - self.ybar[0]) - self.ybar[1]
        m_x, m_y = float(dx.mean()), float(dy.mean())
        m_xx, m_xy = float((dx * dx).mean()), float((dx * dy).mean())
        return self.batch_grad_from_means(a, b, m_x, m_y, m_xx, m_xy, xp)

    def batch_grad_from_means(self, a, b, m_x, m_y, m_xx, m_xy, xp=np):
        """The mini-batch gradient from the batch means m_x, m_y, m_xx, m_xy of dx, dy, dx², dx·dy.

        With rᵢ = a + b·xᵢ − yᵢ = c + b·dxᵢ − dyᵢ (dx = x − x̄, dy = y − ȳ)::

            ∂f_B/∂a = 2 mean_B(rᵢ) = 2 (c + b·m_x − m_y)
            ∂f_B/∂b = 2 mean_B(rᵢ xᵢ) = x̄·∂f_B/∂a + 2 (c·m_x + b·m_xx − m_xy)
        """
        c = _centred(self, a, b, xp)[0]
        ga = 2.0 * ((c + b * m_x) - m_y)
        return ga, self.xbar[0] * ga + 2.0 * ((c * m_x + b * m_xx) - m_xy)

    def batch_value_xy(self, a, b, idx) -> float:
        """The MSE over the points ``idx`` only (a mini-batch's loss, as a torch loop
        computes it: ReduceLROnPlateau steps on it). Plain float64 sums."""
        idx = np.asarray(idx, dtype=np.intp).reshape(-1)
        r = (a + b * self.x[idx]) - self.y[idx]
        return float(np.mean(r * r))

    # ------------------------------------------------------------ mini-batches
    def minibatches(self, batch_size: int | None, seed: int = 0) -> LinearRegression:
        """This surface, but the optimizers see mini-batch gradients (None: full data).

        Like a torch DataLoader with shuffle=True and drop_last=False: every epoch
        the points are shuffled by ``default_rng([seed, epoch])`` and cut into
        batches of ``batch_size`` (the last may be smaller); update k uses batch
        k of that sequence, so a run replays exactly from its seed. The loss and
        the contour stay those of the full data.
        """
        if batch_size is not None and not 1 <= batch_size <= len(self.x):
            raise ConfigError(f"surface.batch_size must be between 1 and the number of "
                              f"points, {len(self.x)}, got {batch_size}.")
        new = copy.copy(self)
        new.batch_size = batch_size
        new.batch_seed = int(seed)
        new._epoch = (-1, None)
        return new

    def batch_indices(self, k: int) -> np.ndarray:
        """The points of the mini-batch update k (k = 0, 1, ...) uses."""
        per_epoch = -(-len(self.x) // self.batch_size)
        epoch, j = divmod(k, per_epoch)
        if self._epoch[0] != epoch:
            self._epoch = (epoch, self._permutation(epoch))
        return self._epoch[1][j * self.batch_size:(j + 1) * self.batch_size]

    def batch_means(self, k0: int, k1: int) -> np.ndarray:
        """(m_x, m_y, m_xx, m_xy) of the batches of updates k0..k1−1: shape (k1 − k0, 4).

        The numbers ``batch_grad_xy`` computes from ``batch_indices(k)``, an epoch at
        a time: the epoch's full batches are the rows of one (batches, size) array,
        and numpy sums each row pairwise exactly as it sums a 1-D batch, so the means
        are bit-identical (tested) at a few µs an epoch instead of a few µs a batch.
        A compiled run (core/kernels) takes its batch gradients from these rows.
        """
        n, size = len(self.x), self.batch_size
        per_epoch, full = -(-n // size), n // size
        out = np.empty((max(k1 - k0, 0), 4))
        k = k0
        while k < k1:
            epoch, j0 = divmod(k, per_epoch)
            j1 = min(per_epoch, j0 + (k1 - k))
            perm = self._permutation(epoch)
            dx = (self.x[perm] - self.xbar[0]) - self.xbar[1]
            dy = (self.y[perm] - self.ybar[0]) - self.ybar[1]
            table = np.empty((per_epoch, 4))
            for col, v in enumerate((dx, dy, dx * dx, dx * dy)):
                table[:full, col] = v[:full * size].reshape(full, size).mean(axis=1)
                if full < per_epoch:
                    table[full, col] = v[full * size:].mean()
            out[k - k0:k - k0 + j1 - j0] = table[j0:j1]
            k += j1 - j0
        return out

    def _permutation(self, epoch: int) -> np.ndarray:
        return np.random.default_rng([self.batch_seed, epoch]).permutation(len(self.x))

    # ------------------------------------------------------------ session file
    def to_dict(self) -> dict[str, Any]:
        if isinstance(self.source, str):
            spec = {"kind": self.kind, "csv": self.source}
        elif isinstance(self.source, dict):
            spec = {"kind": self.kind, **self.source}
            spec["x_range"] = list(spec["x_range"])
        else:
            raise ConfigError("This regression was built from arrays, so it has no CSV file "
                              "or synthetic settings to save.")
        if self.batch_size is not None:
            spec.update(batch_size=self.batch_size, batch_seed=self.batch_seed)
        return self._with_bounds(spec)

    def __repr__(self) -> str:
        return f"<LinearRegression n={len(self.x)} minimum=({self.a_star[0]:.6g}, {self.b_star[0]:.6g})>"


def _centred(s, a, b, xp):
    """(c, b − b*) with c = a + b·x̄ − ȳ to full relative precision (double-float sums).

    ``s`` is the surface, or in a compiled kernel a namedtuple of its ``a_star``,
    ``b_star``, ``xbar`` and ``xbar_split``. TwoSum(a, −a*), TwoSum(b, −b*) and
    TwoProduct((b − b*), x̄) of eft.py, written out: this runs once per step of every
    run, and the calls cost more than the arithmetic (checked against exact rational
    arithmetic in tests/core/test_regression.py).
    """
    (ah, al), (bh, bl), (xh, xl) = s.a_star, s.b_star, s.xbar
    s1 = a - ah                                # a − a* = s1 + e1 (TwoSum)
    t = s1 - a
    e1 = ((a - (s1 - t)) - (ah + t)) - al
    s2 = b - bh                                # b − b* = s2 + e2 (TwoSum)
    t = s2 - b
    e2 = ((b - (s2 - t)) - (bh + t)) - bl
    p = s2 * xh                                # (b − b*)·x̄ = p + q (TwoProduct)
    t = SPLITTER * s2
    sh = t - (t - s2)
    sl = s2 - sh
    xsh, xsl = s.xbar_split
    q = (((sh * xsh - p) + sh * xsl + sl * xsh) + sl * xsl) + (s2 * xl + e2 * xh)
    q = xp.where(xp.isfinite(q), q, 0.0)     # |b| beyond ~1e300: the split overflows
    # only the low parts e1, q carry what plain float64 would lose; rounding s1 + p
    # costs a relative 2^-53 of c itself, so no TwoSum is needed here
    return (s1 + p) + (e1 + q), s2 + e2


def _check_data(x: np.ndarray, y: np.ndarray) -> None:
    if x.ndim != 1 or y.ndim != 1 or len(x) != len(y):
        raise ConfigError(f"x and y must be two lists of the same length, got shapes "
                          f"{x.shape} and {y.shape}.")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ConfigError("The data contain a value that is not a finite number.")
    if np.any(np.abs(x) > LIMIT) or np.any(np.abs(y) > LIMIT):
        raise ConfigError(f"The data contain a value beyond ±{LIMIT:g}, whose square would overflow.")
    if len(x) < 2 or np.all(x == x[0]):
        raise ConfigError("The data need at least two different x values, "
                          "otherwise the minimum is not unique.")


def _default_view(a_min: float, b_min: float):
    """View window and start point for a fit whose minimum is (a_min, b_min).

    Per parameter, a scale s = 10^⌊log₁₀ max(|θ*|, 1)⌋ and a centre: θ* rounded
    to s/10. Window: centre ± 10 s; start: centre + (4 s, 7 s). For the blog
    data (minimum ≈ (−2, 2)) that is a ∈ (−12, 8), b ∈ (−8, 12), start (2, 9):
    the blog's own picture, whose window is (−10, 10)², shifted to centre.
    """
    view, start = [], []
    for theta, offset in ((a_min, 4.0), (b_min, 7.0)):
        s = 10.0 ** math.floor(math.log10(max(abs(theta), 1.0)))
        centre = round(theta / s * 10.0) * s / 10.0
        view.append((centre - 10.0 * s, centre + 10.0 * s))
        start.append(centre + offset * s)
    return tuple(view), tuple(start)


__all__ = ["LinearRegression", "SYNTHETIC_DEFAULTS"]
