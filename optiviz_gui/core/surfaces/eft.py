"""Error-free transformations: a sum or product of two floats, exactly, as a pair of floats.

A float64 sum or product is rounded; these return that rounded result *and*
the rounding error, so that ``s + e`` is the exact value (Knuth's TwoSum,
Dekker's TwoProduct). They use only ``+ - *``, so they work elementwise on
numpy arrays and on Python floats alike (the ``xp`` convention).

Used by the regression surface, whose loss at (a, b) needs
``a + b·x̄ − ȳ`` with more than 53 bits when x̄ is large (data far from 0).

References: D. E. Knuth, TAOCP vol. 2, §4.2.2 (TwoSum); T. J. Dekker,
"A floating-point technique for extending the available precision" (1971)
(Split, TwoProduct); Ogita, Rump and Oishi, "Accurate sum and dot product"
(2005).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

SPLITTER = 134217729.0   # 2**27 + 1: splits a float64 into two 26-bit halves


def two_sum(a, b):
    """(s, e) with s = fl(a + b) and s + e = a + b exactly (no condition on |a|, |b|)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def split(a):
    """(hi, lo) with hi + lo = a exactly, each with at most 26 significant bits.

    Valid for |a| < 2**996 (about 1e300); beyond that the product overflows.
    """
    t = SPLITTER * a
    hi = t - (t - a)
    return hi, a - hi


def two_prod(a, b, b_split=None):
    """(p, e) with p = fl(a·b) and p + e = a·b exactly (barring under/overflow).

    ``b_split`` may pass ``split(b)`` when b is a constant used many times.
    """
    p = a * b
    ah, al = split(a)
    bh, bl = b_split if b_split is not None else split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


# ------------------------------------------- accurate sums (numpy data, once)
def accurate_sum(values) -> Fraction:
    """The sum of float64 values to about twice float64 precision, as a Fraction.

    Pairwise TwoSum, vectorised: each level adds neighbours and keeps every
    rounding error, so sum = last s + Σ errors exactly; the errors (each at
    most 2^-53 of a partial sum) are then added in plain float64. The result
    is within about 2^-106 · log₂(n) · Σ|values| of the exact sum (cf. Ogita,
    Rump and Oishi's Sum2), at numpy speed: a few ms per million values.
    """
    v = np.asarray(values, dtype=float).ravel()
    if v.size == 0:
        return Fraction(0)
    errors = []
    while v.size > 1:
        if v.size % 2:
            v = np.append(v, 0.0)
        v, e = two_sum(v[0::2], v[1::2])
        errors.append(e)
    low = float(np.sum(np.concatenate(errors))) if errors else 0.0
    return Fraction(float(v[0])) + Fraction(low)


def to_pair(value: Fraction) -> tuple[float, float]:
    """A Fraction as an unevaluated sum hi + lo of two floats (about 106 bits)."""
    hi = float(value)
    return hi, float(value - Fraction(hi))
