"""torch's rounding, emulated: fused multiply-add, fused lerp, the 2-norm, bfloat16 and Newton–Schulz.

References: exact rational arithmetic (fractions.Fraction) rounded once, the
IEEE definitions of round-to-nearest-even, and torch itself when installed.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from optiviz_gui.core.fused import fma, fma_float, lerp, norm_xy, vector_norm
from optiviz_gui.core.optimizers._bfloat16 import newton_schulz, to_bfloat16


def exact_fma(a: float, b: float, c: float) -> float:
    return float(Fraction(a) * Fraction(b) + Fraction(c))     # Fraction → float rounds once


def hard_cases(rng, n):
    """Random triples over 60 decades, half of them with c ≈ −a·b (catastrophic cancellation)."""
    a = rng.normal(size=n) * 10.0 ** rng.uniform(-30, 30, n)
    b = rng.normal(size=n) * 10.0 ** rng.uniform(-30, 30, n)
    c = rng.normal(size=n) * 10.0 ** rng.uniform(-30, 30, n)
    half = n // 2
    c[:half] = -(a[:half] * b[:half]) * (1 + rng.normal(size=half) * 1e-15)
    return a, b, c


def test_fma_rounds_once_on_arrays():
    a, b, c = hard_cases(np.random.default_rng(1), 4000)
    expected = [exact_fma(x, y, z) for x, y, z in zip(a, b, c)]
    np.testing.assert_array_equal(fma(a, b, c), expected)
    assert np.sum(a * b + c != expected) > 1000          # the unfused text is often off


def test_fma_float_rounds_once():
    a, b, c = hard_cases(np.random.default_rng(2), 3000)
    for x, y, z in zip(a.tolist(), b.tolist(), c.tolist()):
        assert fma_float(x, y, z) == exact_fma(x, y, z)


def test_fma_keeps_ieee_infinities_and_nan():
    assert fma(np.inf, 2.0, 1.0) == np.inf
    assert np.isnan(fma(np.inf, 0.0, 1.0))
    assert fma_float(1e300, 1e300, 0.0) == math.inf
    assert math.isnan(fma_float(math.nan, 1.0, 1.0))


def test_lerp_is_torchs_two_sided_formula_rounded_once():
    rng = np.random.default_rng(3)
    start, end = rng.normal(size=500), rng.normal(size=500) * 100
    for w in (0.1, 0.49, 0.5, 0.95, 1.0):
        got = lerp(start, end, w)
        if w < 0.5:        # start + w·(end − start), the difference rounded first
            want = [exact_fma(w, e - s, s) for s, e in zip(start, end)]
        else:              # end − (end − start)·(1 − w)
            want = [exact_fma(-(e - s), 1 - w, e) for s, e in zip(start, end)]
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(lerp(start, end, 1.0), end)       # w = 1 gives end exactly


def test_norm_of_up_to_three_coordinates_is_the_fused_sum_rounded():
    rng = np.random.default_rng(4)
    for d in (1, 2, 3):
        v = rng.normal(size=(300, d)) * 10.0 ** rng.uniform(-5, 5, (300, d))
        for row, got in zip(v, vector_norm(v)[:, 0]):
            total = row[0] * row[0]
            for x in row[1:]:
                total = exact_fma(x, x, total)
            assert got == math.sqrt(total)
    x, y = v[0, 0], v[0, 1]
    assert norm_xy(x, y) == vector_norm(np.array([x, y]))[0]


def test_norm_of_many_coordinates_is_the_norm():
    v = np.random.default_rng(5).normal(size=(4, 300))
    np.testing.assert_allclose(vector_norm(v)[:, 0], np.linalg.norm(v, axis=1), rtol=1e-15)


# ------------------------------------------------------------------ bfloat16
def test_bfloat16_rounds_to_nearest_even_on_8_significant_bits():
    ulp = 2.0**-7                                      # bfloat16's spacing in [1, 2)
    cases = {1 + ulp / 2: 1.0,                         # a tie: to the even neighbour (1.0)
             1 + 3 * ulp / 2: 1 + 2 * ulp,             # a tie: to the even neighbour (1 + 2ulp)
             1 + ulp / 2 + 2**-20: 1 + ulp,            # above the tie
             -(1 + 3 * ulp / 2): -(1 + 2 * ulp),
             3.4e38: math.inf,                          # rounds past bfloat16's largest
             2.0**-130: 2.0**-130}                      # subnormal, exactly representable
    for value, expected in cases.items():
        assert float(to_bfloat16(np.float32(value))) == expected, value
    assert np.isnan(to_bfloat16(np.float32("nan")))


def test_newton_schulz_of_a_row_is_its_direction_rescaled():
    g = np.array([[3.0, -4.0, 12.0]])
    out = newton_schulz(g, (3.4445, -4.775, 2.0315), 5, 1e-7).astype(float)[0]
    cosine = out @ g[0] / (np.linalg.norm(out) * np.linalg.norm(g))
    assert cosine > 1 - 1e-4
    assert float(np.linalg.norm(out)) == pytest.approx(0.6964, abs=0.02)    # p⁵(1), see muon.py
    assert all(float(to_bfloat16(np.float32(x))) == x for x in out)        # bfloat16 values


def test_newton_schulz_and_bfloat16_are_torchs_bit_for_bit():
    torch = pytest.importorskip("torch")
    from torch.optim._muon import _zeropower_via_newtonschulz

    rng = np.random.default_rng(6)
    # float64 → bfloat16 goes through float32: a value just below a bfloat16 tie that
    # float32 rounds onto the tie, then to even
    just_below = 1 + 2.0**-8 - 2.0**-40
    assert torch.tensor(just_below, dtype=torch.float64).bfloat16().item() == 1.0
    assert float(to_bfloat16(np.float32(just_below))) == 1.0
    for d in (1, 2, 3, 17):
        rows = rng.normal(size=(60, d)) * 10.0 ** rng.uniform(-3, 3, (60, 1))
        ours = newton_schulz(rows, (3.4445, -4.775, 2.0315), 5, 1e-7)
        for row, got in zip(rows, ours):
            want = _zeropower_via_newtonschulz(torch.from_numpy(row[None]), (3.4445, -4.775, 2.0315),
                                               5, 1e-7)
            np.testing.assert_array_equal(got, want.float().numpy()[0])
