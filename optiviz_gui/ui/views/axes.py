"""What the curve views (loss, lr, inspector, maps' colour bar) share about axes and
curves: pyqtgraph's axis made readable on a log scale, round axis bounds, and a
curve thinned to the points that draw something.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg


def nice_range(lo: float, hi: float, log: bool) -> tuple[float, float]:
    """Round bounds around [lo, hi]: on a log axis (values are log10 of the loss)
    whole decades; on a linear one, multiples of a step of 1, 2 or 5 × 10ᵏ that
    cuts the span into at most eight parts (so little of the pane is left empty).

    >>> nice_range(-5.3, 1.2, log=True), nice_range(0.013, 57.0, log=False)
    ((-6.0, 2.0), (0.0, 60.0))
    """
    if log:
        a, b = math.floor(lo), math.ceil(hi)
        return float(a), float(b if b > a else a + 1)
    span = hi - lo if hi > lo else (abs(hi) or 1.0)
    raw = span / 8
    base = 10.0 ** math.floor(math.log10(raw))
    step = next(m * base for m in (1, 2, 5, 10) if m * base >= raw)
    a, b = math.floor(lo / step) * step, math.ceil(hi / step) * step
    return float(a), float(b if b > a else a + step)


def thin_curve(x: np.ndarray, y: np.ndarray, pixel) -> tuple[np.ndarray, np.ndarray]:
    """Leave out points that draw nothing new: the inner points of a run of three or
    more in the same half-pixel row (a converged run's flat tail has hundreds).
    Ends of runs, NaN gaps and the last point stay."""
    py = abs(float(pixel[1])) or 1.0
    with np.errstate(all="ignore"):
        row = np.floor(y / (0.5 * py))
    keep = np.ones(len(x), dtype=bool)
    if len(x) > 2:
        inner = (row[1:-1] == row[:-2]) & (row[1:-1] == row[2:])
        keep[1:-1] = ~inner
    return x[keep], y[keep]


class LogFriendlyAxis(pg.AxisItem):
    """pyqtgraph's axis with three changes on a log scale: labels read 10ᵏ (and
    2·10ᵏ, 5·10ᵏ) throughout instead of mixing 0.01 with 10⁻⁵; a span under three
    decades labels only 1, 2 and 5 × 10ᵏ (its own 1…9 × 10ᵏ pile on top of each
    other on a short pane); and no SI multiplier, which pyqtgraph would take from
    10^range and apply to the labels, shifting them by as many decades as a
    diverging run's loss has."""

    def getSIPrefixEnableRanges(self):  # noqa: N802 (pyqtgraph name)
        return ()          # never "loss (x1e+12)": the labels carry their own powers

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph name)
        """Linear axis: plain numbers in [10⁻³, 10⁵), m·10ᵏ beyond (a diverging run's
        10¹⁵ reads "10¹⁵", not "1e+15" nor a multiplier in the axis title)."""
        big = max((abs(v) for v in values), default=0.0)
        if self.logMode or big == 0 or 1e-3 <= big < 1e5:
            return super().tickStrings(values, scale, spacing)
        return [_power_text(v, spacing) for v in values]

    def logTickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph name)
        out = []
        for v in values:
            k = math.floor(v + 1e-9)
            m = round(10.0 ** (v - k), 3)
            power = f"10{_superscript(k)}"
            out.append(power if m == 1 else f"{m:g}·{power}")
        return out

    def logTickValues(self, minVal, maxVal, size, stdTicks):  # noqa: N802, N803 (pyqtgraph names)
        ticks = super().logTickValues(minVal, maxVal, size, stdTicks)
        out = []
        for spacing, values in ticks:
            if spacing is None:                # the minor 1…9 × 10ᵏ level
                v = np.asarray(values, dtype=float)
                near = np.abs((v % 1)[:, None] - _LOG_125).min(axis=1) <= 1e-9
                values = v[near].tolist()
            out.append((spacing, values))
        return out


def _power_text(v: float, spacing: float) -> str:
    """v as m·10ᵏ with as many digits as the tick spacing needs ("0", "10¹⁵", "2.5·10⁻⁴")."""
    if v == 0:
        return "0"
    k = math.floor(math.log10(abs(v)) + 1e-9)
    digits = max(0, k - math.floor(math.log10(spacing) + 1e-9)) if spacing > 0 else 0
    m = f"{v / 10.0 ** k:.{digits}f}".rstrip("0").rstrip(".")
    power = f"10{_superscript(k)}"
    return power if m == "1" else f"−{power}" if m == "-1" else f"{m}·{power}"


def _superscript(k: int) -> str:
    return str(k).translate(_SUPERSCRIPTS)


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_LOG_125 = np.log10([1.0, 2.0, 5.0])
